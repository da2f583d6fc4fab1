"""Survey answers and the raw exports survey tools write (Google Forms, Qualtrics, SurveyMonkey).

Headers carry the question texts of the workbook's printed forms: the part label of a
grid ("Expectativa", "Perception", "Situación actual") with the item's id and text as
the grid row, the importance points per dimension, the overall rating, the customer
type and the respondent group. Answers are what each tool exports: numbers, scale
labels or both; a few answers are left blank.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._base import AS_OF, instrument, likert_answers, points_of_100, save_xlsx, write_rows

PART_LABELS = {
    "expectation": {"es": "Expectativa", "en": "Expectation"},
    "perception": {"es": "Percepción", "en": "Perception"},
    "current": {"es": "Situación actual", "en": "Current scenario"},
    "preferred": {"es": "Situación preferida", "en": "Preferred scenario"},
}
IMPORTANCE = {"es": "Importancia (puntos de 100)", "en": "Importance (points out of 100)"}
OVERALL = {"es": "Valoración global de la calidad del servicio (1-7)",
           "en": "Overall rating of the service quality (1-7)"}
CUSTOMER_TYPE = {"es": "Tipo de cliente", "en": "Customer type"}
GROUP = {"es": "Grupo", "en": "Group"}
SERVQUAL_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")

#: Qualtrics' own seven-point agreement labels (choice text export).
QUALTRICS_AGREE_7 = ("Strongly disagree", "Disagree", "Somewhat disagree",
                     "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree")


@dataclass
class ServqualAnswers:
    """One row per respondent: expectation and perception per item (0 = blank)."""

    items: list[dict]
    expectation: np.ndarray
    perception: np.ndarray
    importance: np.ndarray | None
    overall: np.ndarray | None
    segment: list[str] | None
    submitted: list[dt.datetime]

    @property
    def n(self) -> int:
        return len(self.expectation)


@dataclass
class ReadinessAnswers:
    items: list[dict]
    groups: list[str]           # instrument group keys
    current: np.ndarray         # 0 = blank
    preferred: np.ndarray | None
    submitted: list[dt.datetime]

    @property
    def n(self) -> int:
        return len(self.current)


def _submitted(rng, n: int, start: dt.date, days: int) -> list[dt.datetime]:
    base = dt.datetime.combine(start, dt.time(8, 0))
    offs = np.sort(rng.integers(0, days * 24 * 3600 // 2, size=n) * 2)
    return [base + dt.timedelta(seconds=int(s)) for s in offs]


def servqual_answers(rng, n: int, *, gap_by_dimension: dict, segments: dict | None,
                     with_importance: bool, with_overall: bool, blanks: int = 4,
                     instrument_name: str = "servqual-1991") -> ServqualAnswers:
    """Answers of ``n`` customers: expectations high, perceptions below by each dimension's gap."""
    inst = instrument(instrument_name)
    items = inst["items"]
    dims = [it["dimension"] for it in items]
    person_e = rng.normal(0, 0.4, size=(n, 1))
    person_p = rng.normal(0, 0.6, size=(n, 1))
    e_centre = 6.1 + person_e + np.zeros((n, len(items)))
    p_centre = e_centre - np.array([gap_by_dimension[d] for d in dims])[None, :] + person_p
    e = likert_answers(rng, e_centre, lo=1, hi=7, spread=0.6)
    p = likert_answers(rng, p_centre, lo=1, hi=7, spread=0.9)
    for _ in range(blanks):  # a few grid rows left unanswered
        e[rng.integers(n), rng.integers(len(items))] = 0
        p[rng.integers(n), rng.integers(len(items))] = 0
    importance = None
    if with_importance:
        weights = np.array([0.12, 0.32, 0.22, 0.18, 0.16])
        importance = points_of_100(rng, weights, n)
    overall = None
    if with_overall:
        mean_gap = (np.where(p > 0, p, np.nan) - np.where(e > 0, e, np.nan))
        mean_gap = np.nanmean(mean_gap, axis=1)
        overall = np.clip(np.rint(5.6 + 1.3 * mean_gap + rng.normal(0, 0.5, n)), 1, 7).astype(int)
    segment = None
    if segments:
        labels, probs = zip(*segments.items())
        segment = list(rng.choice(labels, size=n, p=np.array(probs) / sum(probs)))
    return ServqualAnswers(items, e, p, importance, overall, segment,
                           _submitted(rng, n, AS_OF - dt.timedelta(days=60), 45))


def readiness_answers(rng, counts: dict, *, with_preferred: bool, blanks: int = 3) -> ReadinessAnswers:
    """Answers per group (``{group key: n}``): managers see the company better than staff do."""
    inst = instrument("one-to-one")
    items = inst["items"]
    shift = {"manager": 0.6, "employee": -0.2, "customer": -0.6, "partner": 0.0}
    groups = [g for g, k in counts.items() for _ in range(k)]
    n = len(groups)
    order = rng.permutation(n)
    groups = [groups[i] for i in order]
    item_level = rng.normal(2.5, 0.5, size=len(items))
    centre = item_level[None, :] + np.array([shift[g] for g in groups])[:, None]
    cur = likert_answers(rng, centre, lo=1, hi=5, spread=0.7)
    pref = likert_answers(rng, np.maximum(centre + 1.6, 3.5), lo=1, hi=5, spread=0.6) \
        if with_preferred else None
    for _ in range(blanks):
        cur[rng.integers(n), rng.integers(len(items))] = 0
    return ReadinessAnswers(items, groups, cur, pref,
                            _submitted(rng, n, AS_OF - dt.timedelta(days=40), 20))


def _grid_header(part: str, item: dict, language: str) -> str:
    return f"{PART_LABELS[part][language]} [{item['id']}. {item['text'][language]}]"


def _label(value: int, labels: dict | None) -> str:
    if value == 0:
        return ""
    if labels and value in labels:
        return labels[value]
    return str(int(value))


def _dimension_label(inst: dict, d: str, language: str) -> str:
    return inst["dimensions"][d][language]


# --------------------------------------------------------------------------- Google Forms


def google_forms_servqual(ans: ServqualAnswers, path: Path, *, language: str,
                          anchors: dict | None) -> None:
    """Google Forms export (CSV or, by extension, xlsx) of the SERVQUAL form.

    Columns: timestamp, one grid column per part and item, importance per dimension,
    overall rating, customer type. ``anchors`` ({point: label}) replace the numbers the
    respondent saw labelled (the end points of a grid, typically).
    """
    inst = instrument("servqual-1991")
    header = ["Marca temporal" if language == "es" else "Timestamp"]
    header += [_grid_header("expectation", it, language) for it in ans.items]
    header += [_grid_header("perception", it, language) for it in ans.items]
    if ans.importance is not None:
        header += [f"{IMPORTANCE[language]} [{_dimension_label(inst, d, language)}]"
                   for d in SERVQUAL_DIMENSIONS]
    if ans.overall is not None:
        header.append(OVERALL[language])
    if ans.segment is not None:
        header.append(CUSTOMER_TYPE[language])
    rows = []
    for r in range(ans.n):
        row = [_gf_stamp(ans.submitted[r], language)]
        row += [_label(v, anchors) for v in ans.expectation[r]]
        row += [_label(v, anchors) for v in ans.perception[r]]
        if ans.importance is not None:
            row += [str(int(v)) for v in ans.importance[r]]
        if ans.overall is not None:
            row.append(str(int(ans.overall[r])))
        if ans.segment is not None:
            row.append(ans.segment[r])
        rows.append(row)
    _write_grid(path, header, rows)


def google_forms_readiness(ans: ReadinessAnswers, path: Path, *, language: str,
                           group_labels: dict, use_anchor_labels: bool) -> None:
    """Google Forms export of the readiness form: timestamp, group, current/preferred grids."""
    inst = instrument("one-to-one")
    anchors = {int(k): v for k, v in inst["scale"]["anchors"][language].items()} \
        if use_anchor_labels else None
    header = ["Marca temporal" if language == "es" else "Timestamp", GROUP[language]]
    header += [_grid_header("current", it, language) for it in ans.items]
    if ans.preferred is not None:
        header += [_grid_header("preferred", it, language) for it in ans.items]
    rows = []
    for r in range(ans.n):
        row = [_gf_stamp(ans.submitted[r], language), group_labels[ans.groups[r]]]
        row += [_label(v, anchors) for v in ans.current[r]]
        if ans.preferred is not None:
            row += [_label(v, anchors) for v in ans.preferred[r]]
        rows.append(row)
    _write_grid(path, header, rows)


def _gf_stamp(ts: dt.datetime, language: str) -> str:
    # Google Forms writes the timestamp in the sheet's locale
    return ts.strftime("%d/%m/%Y %H:%M:%S" if language == "es" else "%m/%d/%Y %H:%M:%S")


def _write_grid(path: Path, header: list[str], rows: list[list[str]]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Respuestas de formulario 1"
        ws.append(header)
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
        save_xlsx(wb, path)
    else:
        write_rows(path, [header, *rows])


def _xlsx_value(v: str):
    if v == "":
        return None
    try:
        return int(v)
    except ValueError:
        return v


# --------------------------------------------------------------------------- Qualtrics

_QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timezone":"America/Chicago"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timezone":"America/Chicago"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timezone":"America/Chicago"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def _qualtrics_meta(rng, ts: dt.datetime) -> list[str]:
    took = int(rng.integers(180, 1500))
    end = ts + dt.timedelta(seconds=took)
    rid = "R_" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz0123456789"),
                                    size=15))
    return [ts.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"), "IP Address",
            "", "100", str(took), "True", end.strftime("%Y-%m-%d %H:%M:%S"), rid, "anonymous",
            "EN"]


def _import_id(qid: str) -> str:
    return json.dumps({"ImportId": qid}, separators=(",", ":"))


def qualtrics_servqual(rng, ans: ServqualAnswers, path: Path) -> list[str]:
    """Qualtrics CSV (three header rows: short ids, question texts, ImportId JSON); choice-text
    answers on its seven-point agreement scale. Returns the ResponseIds in order."""
    inst = instrument("servqual-1991")
    ids, texts, imports = (list(x) for x in zip(*_QUALTRICS_META))
    for q, part in ((1, "expectation"), (2, "perception")):
        for k, it in enumerate(ans.items, start=1):
            ids.append(f"Q{q}_{k}")
            texts.append(f"{PART_LABELS[part]['en']} - {it['id']}. {it['text']['en']}")
            imports.append(_import_id(f"QID{q}_{k}"))
    if ans.importance is not None:
        for k, d in enumerate(SERVQUAL_DIMENSIONS, start=1):
            ids.append(f"Q3_{k}")
            texts.append(f"{IMPORTANCE['en']} - {_dimension_label(inst, d, 'en')}")
            imports.append(_import_id(f"QID3_{k}"))
    if ans.overall is not None:
        ids.append("Q4")
        texts.append(OVERALL["en"])
        imports.append(_import_id("QID4"))
    if ans.segment is not None:
        ids.append("Q5")
        texts.append(CUSTOMER_TYPE["en"])
        imports.append(_import_id("QID5"))
    rows = [ids, texts, imports]
    response_ids = []
    labels = {i + 1: lab for i, lab in enumerate(QUALTRICS_AGREE_7)}
    for r in range(ans.n):
        meta = _qualtrics_meta(rng, ans.submitted[r])
        response_ids.append(meta[8])
        row = meta + [_label(v, labels) for v in ans.expectation[r]]
        row += [_label(v, labels) for v in ans.perception[r]]
        if ans.importance is not None:
            row += [str(int(v)) for v in ans.importance[r]]
        if ans.overall is not None:
            row.append(str(int(ans.overall[r])))
        if ans.segment is not None:
            row.append(ans.segment[r])
        rows.append(row)
    write_rows(path, rows, bom=True, newline="\r\n")
    return response_ids


def qualtrics_readiness(rng, ans: ReadinessAnswers, path: Path, *, group_labels: dict) -> list[str]:
    """Qualtrics CSV of the readiness form; numeric answers (recode values), group as choice text."""
    ids, texts, imports = (list(x) for x in zip(*_QUALTRICS_META))
    ids.append("Q1")
    texts.append(GROUP["en"])
    imports.append(_import_id("QID1"))
    parts = [(2, "current", ans.current)]
    if ans.preferred is not None:
        parts.append((3, "preferred", ans.preferred))
    for q, part, _ in parts:
        for k, it in enumerate(ans.items, start=1):
            ids.append(f"Q{q}_{k}")
            texts.append(f"{PART_LABELS[part]['en']} - {it['id']}. {it['text']['en']}")
            imports.append(_import_id(f"QID{q}_{k}"))
    rows = [ids, texts, imports]
    response_ids = []
    for r in range(ans.n):
        meta = _qualtrics_meta(rng, ans.submitted[r])
        response_ids.append(meta[8])
        row = meta + [group_labels[ans.groups[r]]]
        for _, _, values in parts:
            row += [_label(v, None) for v in values[r]]
        rows.append(row)
    write_rows(path, rows, bom=True, newline="\r\n")
    return response_ids


# --------------------------------------------------------------------------- SurveyMonkey

_SM_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]


def _sm_meta(rng, k: int, ts: dt.datetime) -> list[str]:
    end = ts + dt.timedelta(seconds=int(rng.integers(120, 1200)))
    return [str(11800000000 + 7919 * k + int(rng.integers(0, 7000))), "431250968",
            ts.strftime("%m/%d/%Y %I:%M:%S %p"), end.strftime("%m/%d/%Y %I:%M:%S %p"), "", "", "",
            "", ""]


def _write_surveymonkey(path: Path, rows: list[list[str]]) -> None:
    """SurveyMonkey's CSV export, or its Excel export (``.xlsx``: the same two header rows,
    ids and numeric answers as number cells)."""
    if path.suffix != ".xlsx":
        write_rows(path, rows, newline="\r\n")
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet"
    for k, row in enumerate(rows):
        ws.append([v or None for v in row] if k < 2 else [_xlsx_value(v) for v in row])
    save_xlsx(wb, path)


def surveymonkey_servqual(rng, ans: ServqualAnswers, path: Path, *, language: str) -> list[str]:
    """SurveyMonkey CSV or xlsx (two header rows: question on the first column of its block,
    the grid row below); numeric answers. Only the parts asked. Returns the Respondent IDs."""
    top, sub = list(_SM_META), [""] * len(_SM_META)
    for part in ("expectation", "perception"):
        for k, it in enumerate(ans.items):
            top.append(PART_LABELS[part][language] if k == 0 else "")
            sub.append(f"{it['id']}. {it['text'][language]}")
    rows = [top, sub]
    rids = []
    for r in range(ans.n):
        meta = _sm_meta(rng, r, ans.submitted[r])
        rids.append(meta[0])
        rows.append(meta + [_label(v, None) for v in ans.expectation[r]]
                    + [_label(v, None) for v in ans.perception[r]])
    _write_surveymonkey(path, rows)
    return rids


def surveymonkey_readiness(rng, ans: ReadinessAnswers, path: Path, *, language: str,
                           group_labels: dict, use_anchor_labels: bool = True) -> list[str]:
    """SurveyMonkey CSV or xlsx of the readiness form: the group as a single-choice question
    (sub row "Response"), the current-scenario grid answered with the scale's labels (or
    with numbers, ``use_anchor_labels=False``)."""
    inst = instrument("one-to-one")
    anchors = {int(k): v for k, v in inst["scale"]["anchors"][language].items()} \
        if use_anchor_labels else None
    top = list(_SM_META) + [GROUP[language]]
    sub = [""] * len(_SM_META) + ["Response"]
    blocks = [("current", ans.current)]
    if ans.preferred is not None:
        blocks.append(("preferred", ans.preferred))
    for part, _ in blocks:
        for k, it in enumerate(ans.items):
            top.append(PART_LABELS[part][language] if k == 0 else "")
            sub.append(f"{it['id']}. {it['text'][language]}")
    rows = [top, sub]
    rids = []
    for r in range(ans.n):
        meta = _sm_meta(rng, r, ans.submitted[r])
        rids.append(meta[0])
        row = meta + [group_labels[ans.groups[r]]]
        for _, values in blocks:
            row += [_label(v, anchors) for v in values[r]]
        rows.append(row)
    _write_surveymonkey(path, rows)
    return rids


def servqual_truth(ans: ServqualAnswers) -> dict:
    """What the SERVQUAL export holds, as sums and counts of the answers given (blanks left out)."""
    out = {"n": ans.n,
           "expectation": (int(ans.expectation.sum()), int((ans.expectation > 0).sum())),
           "perception": (int(ans.perception.sum()), int((ans.perception > 0).sum()))}
    if ans.importance is not None:
        out["importance"] = {d: int(ans.importance[:, k].sum())
                             for k, d in enumerate(SERVQUAL_DIMENSIONS)}
    if ans.overall is not None:
        out["overall"] = int(ans.overall.sum())
    if ans.segment is not None:
        out["segments"] = {s: ans.segment.count(s) for s in sorted(set(ans.segment))}
    return out


def readiness_truth(ans: ReadinessAnswers) -> dict:
    """What the readiness export holds: answer sums and counts, respondents per group key."""
    out = {"n": ans.n, "current": (int(ans.current.sum()), int((ans.current > 0).sum())),
           "groups": {g: ans.groups.count(g) for g in sorted(set(ans.groups))}}
    if ans.preferred is not None:
        out["preferred"] = (int(ans.preferred.sum()), int((ans.preferred > 0).sum()))
    return out
