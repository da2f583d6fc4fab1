"""Raw survey exports as the survey tools write them, built from the workbook's own forms.

Each builder returns ``(path, truth)``: the file written in a client folder under the
table's name, and the answers that went into it (numbers), so tests compare what
``crmlib.io.read_client_table`` reads with what was put in.

The question texts are those the workbook's forms print (``crmlib templates`` writes
them): :func:`crmlib.servqual.forms_csv_header` and
:func:`crmlib.questionnaire.forms_csv_header`. Layouts follow what each tool exports:

- Google Forms: one header row, ``Marca temporal``/``Timestamp`` first, grid questions as
  ``"Question [Row]"``; answers are the option labels (here a mix of numbers and Likert
  labels such as ``"Totalmente de acuerdo"``).
- Qualtrics: three header rows (question ids such as ``Q1_1``; question text, matrix rows
  as ``"Question - Row"``; ``{"ImportId": ...}`` JSON), metadata columns first.
- SurveyMonkey: two header rows (question text over its first column only; sub labels,
  ``Response`` for single questions), ``Respondent ID`` and collector columns first.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crmlib import questionnaire, servqual
from crmlib.instruments import load_instrument

SQ = load_instrument("servqual-1991")
RD = load_instrument("one-to-one")
DIMS = list(SQ.dimensions)

#: Likert labels written instead of numbers on a 1-7 agreement scale (tool option labels).
SQ_LABELS = {"es": {1: "Totalmente en desacuerdo", 7: "Totalmente de acuerdo",
                    4: "4 - Ni de acuerdo ni en desacuerdo"},
             "en": {1: "Strongly disagree", 7: "Strongly agree",
                    4: "4 - Neither agree nor disagree"}}
GROUP_WORDS = {"es": {"manager": "Directivos", "employee": "Empleados", "customer": "Clientes",
                      "partner": "Socios y aliados"},
               "en": {"manager": "Managers", "employee": "Employees", "customer": "Customers",
                      "partner": "Partners"}}


@dataclass
class Truth:
    ids: list
    expectation: np.ndarray | None = None   # respondents x items
    perception: np.ndarray | None = None
    importance: np.ndarray | None = None    # respondents x dimensions
    overall: list | None = None
    segment: list | None = None
    current: np.ndarray | None = None
    preferred: np.ndarray | None = None
    group: list | None = None                # group keys


def write_csv(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows) -> Path:
    """As a spreadsheet download stores them: numbers as numbers, timestamps as dates."""
    from datetime import datetime

    from openpyxl import Workbook

    def typed(cell):
        if isinstance(cell, str) and cell.strip().lstrip("-").isdigit():
            return int(cell)
        if isinstance(cell, np.integer):
            return int(cell)
        if isinstance(cell, str) and cell[:4].isdigit() and cell[4:5] in "-/" and \
                ":" in cell:
            return datetime(int(cell[:4]), int(cell[5:7]), int(cell[8:10]), 10, 23, 45)
        return cell

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Respuestas de formulario 1"
    for k, row in enumerate(rows):
        ws.append([typed(c) for c in row] if k else list(row))
    wb.save(path)
    return path


def _likert(v, language):
    return SQ_LABELS[language].get(int(v), str(int(v)))


def servqual_truth(n: int, seed: int = 0) -> Truth:
    rng = np.random.default_rng(seed)
    e = rng.integers(1, 8, (n, 22))
    p = rng.integers(1, 8, (n, 22))
    imp = np.array([rng.permutation([10, 15, 20, 25, 30]) for _ in range(n)])
    overall = [int(x) for x in rng.integers(1, 8, n)]
    segment = [["Empresa", "Particular"][k % 2] for k in range(n)]
    return Truth(ids=[f"enc{k + 1}" for k in range(n)], expectation=e, perception=p,
                 importance=imp, overall=overall, segment=segment)


def servqual_google_forms(folder: Path, language: str = "es", *, n: int = 6, seed: int = 0,
                          xlsx: bool = False, name: str = "servqual_responses",
                          truth: Truth | None = None):
    """A Google Forms export of the workbook's SERVQUAL form (timestamp first)."""
    truth = truth or servqual_truth(n, seed)
    header = servqual.forms_csv_header(language=language)
    stamp = "Marca temporal" if language == "es" else "Timestamp"
    rows = [[stamp, *header]]
    for k, rid in enumerate(truth.ids):
        rows.append([f"2024/11/{5 + k:02d} 10:23:45 a. m. GMT-5", rid,
                     *[_likert(v, language) for v in truth.expectation[k]],
                     *[str(v) for v in truth.perception[k]],
                     *[str(v) for v in truth.importance[k]],
                     str(truth.overall[k]), truth.segment[k]])
    ext = "xlsx" if xlsx else "csv"
    path = (write_xlsx if xlsx else write_csv)(folder / f"{name}.{ext}", rows)
    return path, truth


def servqual_qualtrics(folder: Path, language: str = "en", *, n: int = 5, seed: int = 1,
                       xlsx: bool = False):
    """A Qualtrics CSV export: three header rows, metadata columns, matrices as Q1_k."""
    truth = servqual_truth(n, seed)
    truth.ids = [f"R_{k}xYz{k}Ab" for k in range(n)]
    part = {p: questionnaire.part_label(SQ, p, language) for p in ("expectation", "perception")}
    imp_q = servqual.forms_csv_header(language=language)[-7].split(" [")[0]
    overall_q, segment_q = servqual.forms_csv_header(language=language)[-2:]
    meta = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId"]
    meta_text = ["Start Date", "End Date", "Response Type", "Progress", "Finished",
                 "Response ID"]
    short = [f"Q1_{k}" for k in range(1, 23)] + [f"Q2_{k}" for k in range(1, 23)] + \
        [f"Q3_{k}" for k in range(1, 6)] + ["Q4", "Q5"]
    texts = [f"{part['expectation']} - {i}. {t}" for i, t in
             zip(SQ.item_ids, SQ.items[f"text_{language}"])] + \
        [f"{part['perception']} - {i}. {t}" for i, t in
         zip(SQ.item_ids, SQ.items[f"text_{language}"])] + \
        [f"{imp_q} - {SQ.dimension_label(d, language)}" for d in DIMS] + [overall_q, segment_q]
    rows = [meta + short, meta_text + texts,
            [json.dumps({"ImportId": x}) for x in ("startDate", "endDate", "status",
                                                   "progress", "finished", "_recordId")]
            + [json.dumps({"ImportId": f"QID{s}"}) for s in short]]
    for k, rid in enumerate(truth.ids):
        rows.append(["2024-10-01 09:12:03", "2024-10-01 09:20:41", "IP Address", "100", "True",
                     rid, *[_likert(v, language) for v in truth.expectation[k]],
                     *truth.perception[k], *truth.importance[k], truth.overall[k],
                     truth.segment[k]])
    if xlsx:
        return write_xlsx(folder / "servqual_responses.xlsx", rows), truth
    return write_csv(folder / "servqual_responses.csv", rows), truth


def servqual_surveymonkey(folder: Path, language: str = "es", *, n: int = 4, seed: int = 2):
    """A SurveyMonkey CSV export: two header rows, ``Response`` under single questions."""
    truth = servqual_truth(n, seed)
    truth.ids = [str(11422780100 + k) for k in range(n)]
    part = {p: questionnaire.part_label(SQ, p, language) for p in ("expectation", "perception")}
    head = servqual.forms_csv_header(language=language)
    imp_q = head[-7].split(" [")[0]
    overall_q, segment_q = head[-2:]
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    row1 = meta + [part["expectation"]] + [""] * 21 + [part["perception"]] + [""] * 21 + \
        [imp_q] + [""] * 4 + [overall_q, segment_q]
    items = [f"{i}. {t}" for i, t in zip(SQ.item_ids, SQ.items[f"text_{language}"])]
    row2 = [""] * len(meta) + items + items + \
        [SQ.dimension_label(d, language) for d in DIMS] + ["Response", "Response"]
    rows = [row1, row2]
    for k, rid in enumerate(truth.ids):
        rows.append([rid, "431289765", "11/05/2024 10:02:11 AM", "11/05/2024 10:09:40 AM",
                     "190.85.4.12", "", "", "", "",
                     *[_likert(v, language) for v in truth.expectation[k]],
                     *truth.perception[k], *truth.importance[k], truth.overall[k],
                     truth.segment[k]])
    return write_csv(folder / "servqual_responses.csv", rows), truth


# --------------------------------------------------------------------------- readiness

def readiness_truth(n: int, seed: int = 0, groups=None) -> Truth:
    rng = np.random.default_rng(seed)
    k = len(RD.item_ids)
    cur = rng.integers(1, 6, (n, k))
    pref = np.clip(cur + rng.integers(0, 3, (n, k)), 1, 5)
    keys = groups or ["manager", "employee", "customer", "partner"]
    return Truth(ids=[f"p{j + 1}" for j in range(n)], current=cur, preferred=pref,
                 group=[keys[j % len(keys)] for j in range(n)])


def readiness_google_forms(folder: Path, language: str = "es", *, n: int = 8, seed: int = 0,
                           xlsx: bool = False, group_words: dict | None = None):
    """A Google Forms export of the workbook's readiness form (respondent, group, grids)."""
    truth = readiness_truth(n, seed)
    header = questionnaire.forms_csv_header("one-to-one", language=language)
    words = group_words or GROUP_WORDS[language]
    stamp = "Marca temporal" if language == "es" else "Timestamp"
    rows = [[stamp, *header]]
    anchors = {5: RD.anchors[language].get(5)} if RD.anchors.get(language) else {}
    for j, rid in enumerate(truth.ids):
        cur = [anchors.get(int(v)) or str(int(v)) for v in truth.current[j]]
        rows.append([f"05/11/2024 10:{j:02d}:00", rid, words[truth.group[j]], *cur,
                     *[int(v) for v in truth.preferred[j]]])
    ext = "xlsx" if xlsx else "csv"
    path = (write_xlsx if xlsx else write_csv)(folder / f"readiness_responses.{ext}", rows)
    return path, truth


def readiness_qualtrics(folder: Path, language: str = "en", *, n: int = 6, seed: int = 3,
                        group_question: str | None = None):
    """A Qualtrics export of the readiness form; the group question is ``Q1``.

    ``group_question`` replaces the group question's text (to check that the group is
    found by its answers when the text is not the one the form prints).
    """
    truth = readiness_truth(n, seed)
    truth.ids = [f"R_{j}aBc{j}" for j in range(n)]
    part = {p: questionnaire.part_label(RD, p, language) for p in ("current", "preferred")}
    k = len(RD.item_ids)
    group_q = group_question or questionnaire.forms_csv_header(
        "one-to-one", language=language)[1]
    meta = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId"]
    short = ["Q1"] + [f"Q2_{i}" for i in range(1, k + 1)] + [f"Q3_{i}" for i in range(1, k + 1)]
    texts = [group_q] + [f"{part['current']} - {i}. {t}" for i, t in
                         zip(RD.item_ids, RD.items[f"text_{language}"])] + \
        [f"{part['preferred']} - {i}. {t}" for i, t in
         zip(RD.item_ids, RD.items[f"text_{language}"])]
    rows = [meta + short,
            ["Start Date", "End Date", "Response Type", "Progress", "Finished", "Response ID"]
            + texts,
            [json.dumps({"ImportId": x}) for x in ("startDate", "endDate", "status", "progress",
                                                   "finished", "_recordId")]
            + [json.dumps({"ImportId": f"QID{s}"}) for s in short]]
    words = GROUP_WORDS[language]
    for j, rid in enumerate(truth.ids):
        rows.append(["2024-10-01 09:12:03", "2024-10-01 09:30:00", "IP Address", "100", "True",
                     rid, words[truth.group[j]], *truth.current[j], *truth.preferred[j]])
    return write_csv(folder / "readiness_responses.csv", rows), truth


def readiness_surveymonkey(folder: Path, language: str = "es", *, n: int = 4, seed: int = 4):
    truth = readiness_truth(n, seed)
    truth.ids = [str(11422790100 + j) for j in range(n)]
    part = {p: questionnaire.part_label(RD, p, language) for p in ("current", "preferred")}
    k = len(RD.item_ids)
    group_q = questionnaire.forms_csv_header("one-to-one", language=language)[1]
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"]
    items = [f"{i}. {t}" for i, t in zip(RD.item_ids, RD.items[f"text_{language}"])]
    rows = [meta + [group_q, part["current"]] + [""] * (k - 1) + [part["preferred"]]
            + [""] * (k - 1),
            [""] * len(meta) + ["Response"] + items + items]
    words = GROUP_WORDS[language]
    for j, rid in enumerate(truth.ids):
        rows.append([rid, "431289765", "11/05/2024 10:02:11 AM", "11/05/2024 10:09:40 AM",
                     "190.85.4.12", words[truth.group[j]], *truth.current[j],
                     *truth.preferred[j]])
    return write_csv(folder / "readiness_responses.csv", rows), truth
