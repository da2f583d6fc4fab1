"""SERVQUAL and one-to-one readiness answers, and their rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .formatting import Style

DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


ITEMS = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}


ITEM_DIM = []


for _d in DIMENSIONS:
    ITEM_DIM += [_d] * ITEMS[_d]


ITEM_IDS = [f"SQ{i:02d}" for i in range(1, 23)]


@dataclass(frozen=True)
class ServqualSetup:
    n: int
    expectation: dict
    perception: dict
    importance: dict  # mean points per dimension
    segments: tuple  # (name, probability, perception shift per dimension dict)
    overall_weights: dict
    zone: dict | None = None  # adequate mean per dimension (hotel)


def clip_round(x, lo, hi):
    return np.clip(np.rint(x), lo, hi)


def make_servqual(rng, setup: ServqualSetup):
    n = setup.n
    seg_names = [s[0] for s in setup.segments]
    seg_p = [s[1] for s in setup.segments]
    seg = rng.choice(len(seg_names), size=n, p=seg_p)
    halo = rng.normal(0, 0.45, n)
    e_level = rng.normal(0, 0.3, n)
    responses = []  # respondent_id, item, E, P, adequate, desired
    respondents = []
    dims_gap = np.zeros((n, len(DIMENSIONS)))
    for r in range(n):
        rid = f"R{r + 1:04d}"
        shift = setup.segments[seg[r]][2]
        dim_factor = {d: rng.normal(0, 0.45) for d in DIMENSIONS}
        e_items, p_items, a_items, d_items = [], [], [], []
        for item, dim in zip(ITEM_IDS, ITEM_DIM):
            e = setup.expectation[dim] + e_level[r] + rng.normal(0, 0.45)
            p = (setup.perception[dim] + shift.get(dim, 0.0) + halo[r] + dim_factor[dim]
                 + rng.normal(0, 0.55))
            e_items.append(float(clip_round(e, 1, 7)))
            p_items.append(float(clip_round(p, 1, 7)))
            if setup.zone is not None:
                a = setup.zone[dim] + 0.6 * e_level[r] + rng.normal(0, 0.5)
                des = float(clip_round(e + rng.normal(0, 0.3), 1, 7))
                a_items.append(float(max(1.0, min(clip_round(a, 1, 7), des - 1))))
                d_items.append(des)
        for j, dim in enumerate(DIMENSIONS):
            sel = [k for k, dd in enumerate(ITEM_DIM) if dd == dim]
            dims_gap[r, j] = np.mean([p_items[k] - e_items[k] for k in sel])
        for k, item in enumerate(ITEM_IDS):
            e, p = e_items[k], p_items[k]
            if rng.random() < 0.006:
                e = None
            if rng.random() < 0.006:
                p = None
            row = [rid, item, e, p]
            if setup.zone is not None:
                a = a_items[k] if rng.random() > 0.004 else None
                row += [a, d_items[k]]
            responses.append(row)
        alpha = np.array([setup.importance[d] for d in DIMENSIONS]) * 0.35
        pts = rng.dirichlet(alpha) * 100
        respondents.append([rid, seg_names[seg[r]], pts])
    # overall rating driven by the gaps (centred on the company's mean gap)
    w = np.array([setup.overall_weights[d] for d in DIMENSIONS])
    centred = dims_gap - dims_gap.mean(axis=0)
    overall = clip_round(4.6 + centred @ w + 0.25 * dims_gap.mean() + rng.normal(0, 0.5, n), 1, 7)
    no_rating = {int(i) for i in rng.choice(n, size=max(2, n // 50), replace=False)}
    out = []
    for r, (rid, segment, pts) in enumerate(respondents):
        points = largest_remainder(pts, 100)
        rating = None if r in no_rating else float(overall[r])
        out.append([rid, segment, rating, *points])
    return responses, out


def largest_remainder(values, total: int) -> list[int]:
    floors = np.floor(values).astype(int)
    short = total - int(floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    floors[order[:short]] += 1
    return [int(v) for v in floors]


READINESS_AREAS = (("ID", 4), ("DF", 4), ("IN", 4), ("PE", 4), ("QA", 2), ("BP", 2), ("TE", 2),
                   ("KS", 2), ("PA", 2), ("CR", 4), ("EM", 2), ("CS", 4))


READINESS_ITEMS = [f"{a}{i}" for a, k in READINESS_AREAS for i in range(1, k + 1)]


SIGNAL_ITEMS = [f"TS{i}" for i in range(1, 10)]


def make_readiness(rng, groups: dict, current: dict, preferred: dict, bias: dict,
                   signals: dict | None = None):
    """Long readiness answers; ``bias[group][area]`` shifts a group's view of an area.

    ``signals`` (``seed``, ``current`` and ``preferred`` means per timely-signal item) adds
    the nine timely signals after each respondent's other answers. They are drawn from
    their own random stream (``seed``), so the draws of ``rng`` -- and every other file --
    stay as they were without them.
    """
    rows = []
    r = 0
    sig_rng = np.random.default_rng(signals["seed"]) if signals else None
    for group, count in groups.items():
        for _ in range(count):
            r += 1
            rid = f"P{r:03d}"
            own = rng.normal(0, 0.35)
            items = []
            for item in READINESS_ITEMS:
                area = item[:2]
                cur = current[area] + bias.get(group, {}).get(area, 0.0) + own + rng.normal(0, 0.55)
                pref = max(cur, preferred[area] + 0.5 * own + rng.normal(0, 0.45))
                c = float(clip_round(cur, 1, 5))
                p = float(clip_round(pref, 1, 5))
                if rng.random() < 0.015:
                    c = None
                if rng.random() < 0.015:
                    p = None
                items.append([rid, group, item, c, p])
            rows += items
            if sig_rng is not None:
                for item in SIGNAL_ITEMS:
                    cur = signals["current"][item] + sig_rng.normal(0, 0.6)
                    pref = max(cur, signals["preferred"][item] + sig_rng.normal(0, 0.5))
                    c = float(clip_round(cur, 1, 5)) if sig_rng.random() >= 0.03 else None
                    p = float(clip_round(pref, 1, 5)) if sig_rng.random() >= 0.03 else None
                    rows.append([rid, group, item, c, p])
    return rows


def servqual_rows(responses, respondents, style: Style):
    resp = [[r[0], r[1]] + [style.number(v) for v in r[2:]] for r in responses]
    people = [[r[0], r[1], style.number(r[2])] + [str(v) for v in r[3:]] for r in respondents]
    return resp, people


def readiness_rows(rows, style: Style):
    return [[r[0], r[1], r[2], style.number(r[3]), style.number(r[4])] for r in rows]


SERVQUAL_PEOPLE_HEADER = ["respondent_id", "segment", "overall_rating",
                          "importance_tangibles", "importance_reliability",
                          "importance_responsiveness", "importance_assurance",
                          "importance_empathy"]
