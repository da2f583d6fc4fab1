"""Where the company stands and what to do next: maturity levels (:func:`maturity_levels`,
:func:`maturity`), the customers on the relationship ladder (:func:`relationship_ladder`) and
the ranked action plan joining the weakest dimensions to the method's tasks
(:func:`priorities`).

Scores are placed on a level by the figure the reader sees: :func:`shown_score` rounds a
score exactly as the formatting layer writes it (:data:`SCORE_DECIMALS` decimals), so a
score shown "2,60" never sits in a level that ends below 2,6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, format_number
from crmlib.instruments import Instrument
from crmlib.readiness._responses import _PARTS, _instrument, dimension_info

#: Decimals of every readiness score a reader sees (tables and sentences alike).
SCORE_DECIMALS = 2


def shown_score(score, decimals: int = SCORE_DECIMALS) -> float:
    """``score`` rounded as the reader sees it (``NaN`` for a missing score).

    The figure comes from :func:`crmlib.i18n.format_number` itself, so the rounding
    (half to even on the shortest decimal form of the number) is the one printed in
    every table and sentence; levels and flags decided on this figure never
    contradict what is shown.
    """
    if score is None or pd.isna(score):
        return float("nan")
    return float(format_number(float(score), "en", decimals=decimals).replace(",", ""))


def _levels(inst: Instrument, key: str) -> list[dict]:
    levels = inst.extra.get(key) or []
    if not levels:
        raise ParameterError(f"instrument {inst.name!r} has no {key!r} section",
                             parameter="instrument", value=inst.name)
    return sorted(levels, key=lambda x: float(x["min"])) if key == "maturity" else list(levels)


def maturity_source(instrument="one-to-one") -> str:
    """Where the maturity levels come from: ``"workbook"`` when they are the workbook's
    own (the method gives none), else the citation the instrument gives in
    ``maturity_source``."""
    inst = _instrument(instrument)
    return str(inst.extra.get("maturity_source") or "workbook")


def maturity_levels(instrument="one-to-one", *, language: str = "es") -> pd.DataFrame:
    """The maturity levels of the instrument.

    Returns
    -------
    DataFrame
        ``level``, ``maturity`` (key), ``name``, ``meaning`` (in ``language``),
        ``min_score`` (lowest score of the level) and ``max_score`` (highest score
        shown with :data:`SCORE_DECIMALS` decimals that still belongs to it: the next
        level's ``min_score`` minus one unit of the last decimal; the scale's top for
        the last level), ``source`` (see :func:`maturity_source`).
    """
    check_language(language)
    inst = _instrument(instrument)
    levels = _levels(inst, "maturity")
    step = 10.0 ** -SCORE_DECIMALS
    rows = []
    for k, lv in enumerate(levels):
        top = (float(levels[k + 1]["min"]) - step) if k + 1 < len(levels) else \
            float(inst.scale_max)
        rows.append({"level": int(lv["level"]), "maturity": lv["key"],
                     "name": lv[language]["name"], "meaning": lv[language]["meaning"],
                     "min_score": float(lv["min"]), "max_score": round(top, SCORE_DECIMALS),
                     "source": maturity_source(inst)})
    return pd.DataFrame(rows)


def _place(levels: list[dict], score: float):
    """The level of ``score`` as shown (see :func:`shown_score`); ``None`` when missing."""
    shown = shown_score(score)
    if np.isnan(shown):
        return None
    chosen = levels[0]
    for lv in levels:
        if shown >= float(lv["min"]):
            chosen = lv
    return chosen


def maturity(overall_table: pd.DataFrame, *, instrument="one-to-one",
             language: str = "es") -> pd.DataFrame:
    """Maturity level of the current and of the preferred scenario.

    Parameters
    ----------
    overall_table : DataFrame
        :func:`overall_scores` (its ``overall`` row is used).

    Returns
    -------
    DataFrame
        Rows ``current`` and ``preferred``: ``scenario``, ``score``, ``score_shown``
        (the score as the report writes it, :data:`SCORE_DECIMALS` decimals), ``level``,
        ``maturity`` (key), ``name``, ``meaning`` (in ``language``), ``source`` (see
        :func:`maturity_source`). A score sits on the highest level whose
        ``min_score`` its shown figure reaches, so the level always agrees with the
        figure printed beside it.
    """
    check_language(language)
    inst = _instrument(instrument)
    levels = _levels(inst, "maturity")
    row = overall_table.loc[overall_table["scope"] == "overall"].iloc[0]
    out = []
    for scenario in _PARTS:
        lv = _place(levels, float(row[scenario]))
        out.append({"scenario": scenario, "score": float(row[scenario]),
                    "score_shown": shown_score(row[scenario]),
                    "level": int(lv["level"]) if lv else None,
                    "maturity": lv["key"] if lv else None,
                    "name": lv[language]["name"] if lv else None,
                    "meaning": lv[language]["meaning"] if lv else None,
                    "source": maturity_source(inst)})
    return pd.DataFrame(out)


_RUNGS = ("contact", "relate", "intimate", "trust")


def relationship_ladder(customers: pd.DataFrame, *, instrument="one-to-one",
                        language: str = "es") -> pd.DataFrame:
    """Customers on each rung of the relationship ladder: contact, relate, intimate, trust.

    Source 004 asks the company to count how many of its customers sit on each rung:
    a customer belongs to the portfolio only once they are intimate with the company
    and trust it. The ladder applies to customers, not to the company (the company's
    readiness is read by :func:`maturity`).

    Parameters
    ----------
    customers : DataFrame
        One row per customer: the customer view (:func:`crmlib.view.customer_view`,
        whose ``relationship_stage`` is used as it is), or any table with the columns
        :func:`crmlib.personalize.relationship_stages` places customers from
        (``customer_id``, ``n_purchases``, ``tenure_days`` or ``days_since_first``,
        optionally ``n_contacts``, ``n_open_complaints``, ``satisfaction``). A
        ``value`` column adds the value per rung.

    Returns
    -------
    DataFrame
        One row per rung, bottom first, every rung present: ``step`` (1..4), ``rung``
        (key), ``name``, ``meaning`` (in ``language``, from the instrument's ``ladder``),
        ``n_customers``, ``share`` (of all customers), ``share_at_or_above`` (share of
        customers on this rung or above) and, with ``value``, ``value`` and
        ``value_share``.

    Raises
    ------
    DataError
        When ``relationship_stage`` holds a rung the ladder does not have, or the
        table has neither that column nor the columns to work it out.
    """
    check_language(language)
    inst = _instrument(instrument)
    rungs = {r["key"]: r for r in _levels(inst, "ladder")}
    if "relationship_stage" in customers.columns:
        stage = customers["relationship_stage"].astype(object)
    else:
        from crmlib.personalize import relationship_stages

        stage = relationship_stages(customers, language=language)["relationship_stage"]
        stage = pd.Series(stage.astype(object).to_numpy(), index=customers.index)
    known = stage.isin(_RUNGS)
    if (~known).any():
        bad = stage[~known]
        raise DataError([DataProblem(
            "customer view", "relationship_stage",
            f"is not a rung of the ladder {list(_RUNGS)}", int((~known).sum()), len(stage),
            tuple((int(i), "" if pd.isna(v) else v) for i, v in
                  zip(np.flatnonzero(~known.to_numpy())[:3], bad.head(3))), "row")])
    counts = stage.value_counts().reindex(list(_RUNGS), fill_value=0)
    total = int(counts.sum())
    rows = []
    for k, key in enumerate(_RUNGS):
        r = rungs.get(key) or {}
        rows.append({"step": k + 1, "rung": key,
                     "name": (r.get(language) or {}).get("name", key),
                     "meaning": (r.get(language) or {}).get("meaning", ""),
                     "n_customers": int(counts[key]),
                     "share": counts[key] / total if total else np.nan})
    out = pd.DataFrame(rows)
    out["share_at_or_above"] = out["share"][::-1].cumsum()[::-1] if total else np.nan
    if "value" in customers.columns:
        value = pd.to_numeric(customers["value"], errors="coerce").fillna(0.0)
        v = value.groupby(stage.to_numpy()).sum().reindex(list(_RUNGS), fill_value=0.0)
        out["value"] = v.to_numpy(dtype=float)
        all_value = float(out["value"].sum())
        out["value_share"] = out["value"] / all_value if all_value else np.nan
    return out


PLAN_COLUMNS = ["rank", "task_no", "dimension", "label", "section", "current", "preferred", "gap",
                "weight", "priority", "action_id", "action", "weakest_item",
                "weakest_current", "also_serves", "owner", "due_date"]


def priorities(area_table: pd.DataFrame, *, item_table: pd.DataFrame | None = None,
               instrument="one-to-one", language: str = "es", top: int | None = 5,
               min_gap: float = 0.0, max_actions: int | None = None) -> pd.DataFrame:
    """The action plan: the weakest dimensions joined to the method's tasks, ranked.

    1. Dimensions are ranked by ``priority = gap x weight`` (largest first; ties by
       lower current score, then questionnaire order); only gaps above ``min_gap``
       count, and ``top`` dimensions are kept.
    2. Each ranked dimension gets the tasks of the instrument's ``actions`` section that
       work on it (a broad-view stage its stage's tasks, a gap-tool area the tasks
       naming it in ``areas``, else its stage's tasks).
    3. Within a dimension, the tasks serving the lowest-scored statements come first:
       a task serves its stage and its areas, and its *weakest item* is the statement
       with the lowest current score among them (from ``item_table``; without it, the
       dimension scores stand in). Ties keep the file's order.
    4. Every task appears once, under the highest-ranked dimension it serves;
       ``also_serves`` names the other ranked dimensions it works on. A dimension
       whose tasks all appear above gets one row saying so.
    5. ``owner`` and ``due_date`` are empty, for the company to fill in.

    Parameters
    ----------
    area_table : DataFrame
        :func:`area_scores`.
    item_table : DataFrame, optional
        :func:`item_scores`: orders each dimension's tasks by the statements they serve.
    top : int or None, default 5
        Number of dimensions kept; ``None`` keeps all.
    min_gap : float, default 0.0
    max_actions : int or None, default None
        At most this many new tasks per dimension; ``None`` keeps all.

    Returns
    -------
    DataFrame
        One row per task (:data:`PLAN_COLUMNS`): ``rank`` (of the dimension), ``task_no``
        (1.. over the whole plan), ``dimension``, ``label``, ``section``, ``current``,
        ``preferred``, ``gap``, ``weight``, ``priority``, ``action_id``, ``action`` (in
        ``language``), ``weakest_item`` and ``weakest_current`` (the lowest-scored
        statement the task serves), ``also_serves`` (labels, in ``language``),
        ``owner`` and ``due_date`` (empty).
    """
    check_language(language)
    inst = _instrument(instrument)
    if top is not None and (not isinstance(top, (int, np.integer)) or top < 1):
        raise ParameterError(f"top must be a positive integer or None; got {top!r}",
                             parameter="top", allowed="int >= 1 or None", value=top)
    if max_actions is not None and (not isinstance(max_actions, (int, np.integer))
                                    or max_actions < 1):
        raise ParameterError(f"max_actions must be a positive integer or None; got "
                             f"{max_actions!r}", parameter="max_actions",
                             allowed="int >= 1 or None", value=max_actions)
    info = dimension_info(inst, language=language).set_index("dimension")
    t = area_table.copy()
    t["priority"] = t["gap"] * t["weight"]
    t["_order"] = range(len(t))
    t = t[t["gap"] > min_gap].sort_values(["priority", "current", "_order"],
                                          ascending=[False, True, True], kind="stable")
    if top is not None:
        t = t.head(top)
    ranked = t["dimension"].tolist()
    weakest = _weakest_by_dimension(area_table, item_table)
    actions = inst.extra.get("actions") or []

    def serves(x) -> list[str]:
        return [d for d in dict.fromkeys([x.get("stage"), *(x.get("areas") or [])]) if d]

    def weakest_of(x):
        found = [weakest[d] for d in serves(x) if d in weakest]
        return min(found, key=lambda w: (w[1], w[2])) if found else (None, np.nan, 0)

    def label_of(d):
        return info.loc[d, "label"] if d in info.index else d

    rows, placed = [], set()
    for rank, (_, a) in enumerate(t.iterrows(), start=1):
        dim = a["dimension"]
        stage = info.loc[dim, "stage"] if dim in info.index else None
        if a["section"] == "broad":
            chosen = [x for x in actions if x.get("stage") == dim]
        else:
            chosen = [x for x in actions if dim in (x.get("areas") or [])]
        if not chosen and stage:
            chosen = [x for x in actions if x.get("stage") == stage]
        order = {id(x): k for k, x in enumerate(actions)}
        chosen = sorted(chosen, key=lambda x: (_nan_last(weakest_of(x)[1]), order[id(x)]))
        fresh = [x for x in chosen if x.get("id") not in placed]
        if max_actions is not None:
            fresh = fresh[:max_actions]
        base = {"rank": rank, "dimension": dim, "label": label_of(dim),
                "section": a["section"], "current": a["current"], "preferred": a["preferred"],
                "gap": a["gap"], "weight": a["weight"], "priority": a["priority"],
                "owner": "", "due_date": ""}
        if not fresh:
            from crmlib.i18n import t as text

            key = "readiness.priorities.listed_above" if chosen else \
                "readiness.priorities.no_task"
            rows.append({**base, "action_id": None, "action": text(key, language),
                         "weakest_item": None, "weakest_current": np.nan, "also_serves": ""})
            continue
        for x in fresh:
            placed.add(x.get("id"))
            item, score, _ = weakest_of(x)
            others = [label_of(d) for d in ranked if d != dim and d in serves(x)]
            rows.append({**base, "action_id": x.get("id"), "action": x.get(language),
                         "weakest_item": item, "weakest_current": score,
                         "also_serves": "; ".join(others)})
    out = pd.DataFrame(rows, columns=[c for c in PLAN_COLUMNS if c != "task_no"])
    out.insert(1, "task_no", range(1, len(out) + 1))
    return out[PLAN_COLUMNS]


def _nan_last(v) -> float:
    return float("inf") if v is None or pd.isna(v) else float(v)


def _weakest_by_dimension(area_table: pd.DataFrame, item_table: pd.DataFrame | None) -> dict:
    """``{dimension: (item id or None, lowest current score, questionnaire position)}``."""
    out = {}
    if item_table is not None and len(item_table):
        items = item_table.reset_index(drop=True)
        for pos, r in items.iterrows():
            if pd.isna(r["current"]):
                continue
            key = (r["item_id"], float(r["current"]), pos)
            d = r["dimension"]
            if d not in out or (key[1], key[2]) < (out[d][1], out[d][2]):
                out[d] = key
    for pos, r in area_table.reset_index(drop=True).iterrows():
        if r["dimension"] not in out and not pd.isna(r["current"]):
            out[r["dimension"]] = (None, float(r["current"]), 10_000 + pos)
    return out
