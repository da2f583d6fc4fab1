"""Survey exports (Google Forms, Qualtrics, SurveyMonkey, plain wide) and Likert answers."""

from __future__ import annotations

import json
import math
import re
import unicodedata

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
from crmlib.io._notes import display
from crmlib.io._text import load_grid, source_name

SHAPES = ("auto", "wide", "google_forms", "qualtrics", "surveymonkey")

_TIMESTAMP_HEADERS = {"timestamp", "marca temporal", "marca de tiempo", "fecha y hora",
                      "horodateur", "carimbo de data/hora"}
_ID_HEADERS = ("respondent_id", "respondentid", "respondent id", "response_id", "responseid",
               "response id", "id", "encuestado", "id_encuestado", "id encuestado", "respondent",
               "id_respuesta", "id respuesta")
_SM_PLAIN = {"response", "open-ended response", "respuesta", "respuesta abierta",
             "respuesta de texto abierto", "open ended response"}


def _key(text) -> str:
    """Accent-, case- and space-insensitive form of a label."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def _looks_import_id(row: pd.Series) -> bool:
    return any(str(v).startswith('{"ImportId"') or str(v).startswith("{'ImportId'")
               for v in row)


def _detect(grid: pd.DataFrame) -> str:
    if grid.empty:
        return "wide"
    first = [_key(v) for v in grid.iloc[0]]
    if len(grid) >= 3 and _looks_import_id(grid.iloc[2]):
        return "qualtrics"
    if "responseid" in first and len(grid) >= 2 and "response id" in {_key(v) for v in
                                                                       grid.iloc[1]}:
        return "qualtrics"
    if "respondent id" in first or "collector id" in first:
        return "surveymonkey"
    if len(grid) >= 2:
        second = {_key(v) for v in grid.iloc[1]}
        if second & _SM_PLAIN and "" in first:
            return "surveymonkey"
    if any(v in _TIMESTAMP_HEADERS for v in first):
        return "google_forms"
    return "wide"


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n if n != "" else f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
        out.append(n)
    return out


def read_survey(source, *, shape: str = "auto", encoding: str | None = None,
                sep: str | None = None, sheet=None) -> pd.DataFrame:
    """Read a survey export into one row per response.

    Parameters
    ----------
    source : str, path or file object
        A CSV/text export (any of the encodings and separators
        :func:`crmlib.io.read_table` understands) or an ``.xlsx`` export.
    shape : {"auto", "wide", "google_forms", "qualtrics", "surveymonkey"}, default "auto"
        Layout of the export; ``"auto"`` detects it: Qualtrics by its third
        header row of ``{"ImportId": ...}`` cells, SurveyMonkey by its
        ``Respondent ID`` column and second header row, Google Forms by its
        ``Timestamp``/``Marca temporal`` column; anything else is ``wide``
        (one header row).
    encoding : str, optional
        Text encoding; detected when omitted.
    sep : str, optional
        Field separator; detected when omitted.
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` export (default: the first).

    Returns
    -------
    DataFrame
        One row per response, cells as text (empty answers missing), and
        ``respondent_id`` (text) as the first column: taken from
        ``ResponseId`` (Qualtrics), ``Respondent ID`` (SurveyMonkey) or a
        column named ``respondent_id``/``id``/``encuestado``..., else
        numbered ``r0001``, ``r0002``... in file order. In a form (wide or
        Google Forms) responses that leave the respondent question blank are
        numbered by position the same way, with a warning naming their lines
        (every response when nobody answered it). Other columns:

        - wide and google_forms: the header row as written (grid questions
          stay ``"Question [Row]"``);
        - qualtrics: the short ids of header row 1 (``Q1_1``, ``ResponseId``);
        - surveymonkey: ``"Question [Sub label]"``, or ``"Question"`` when the
          sub label is ``Response``/``Open-Ended Response``.

        Repeated column names get `` (2)``, `` (3)``... ``attrs`` holds
        ``shape`` (the layout read), ``question_text`` (``{column: question
        text}``; Qualtrics header row 2, SurveyMonkey row 1), ``lines`` (the
        source line or sheet row of each response) and ``source``.

    Raises
    ------
    DataError
        Unreadable or empty file, or a layout that does not match ``shape``.
    """
    check_choice("shape", shape, SHAPES)
    name = source_name(source)
    table = "survey"
    kind = None
    if not isinstance(source, (str, bytes)) and hasattr(source, "read") and \
            str(getattr(source, "name", "")).lower().endswith((".xlsx", ".xlsm")):
        kind = "excel"
    grid, lines, _ = load_grid(source, table=table, encoding=encoding, sep=sep, sheet=sheet,
                               kind=kind)
    if grid.empty:
        raise DataError([DataProblem(table, None, "the file is empty (no header row)")],
                        source=name)
    detected = _detect(grid) if shape == "auto" else shape
    question_text: dict[str, str] = {}
    import_ids: dict[str, str | None] = {}
    header_line = int(lines[0])
    if detected == "qualtrics":
        n_head = 3 if len(grid) >= 3 and _looks_import_id(grid.iloc[2]) else 2
        if len(grid) < 2:
            raise DataError([DataProblem(table, None, "is not a Qualtrics export: it needs "
                                         "header rows of ids, question text and ImportId "
                                         f"(line {header_line})")], source=name)
        names = _dedupe([str(v) for v in grid.iloc[0]])
        question_text = {n: str(t) for n, t in zip(names, grid.iloc[1])}
        if n_head == 3:
            import_ids = {n: _json_import_id(c) for n, c in zip(names, grid.iloc[2])}
        body, body_lines = grid.iloc[n_head:], lines[n_head:]
        id_col = next((n for n in names if _key(n) in ("responseid", "response id")), None)
    elif detected == "surveymonkey":
        if len(grid) < 2:
            raise DataError([DataProblem(table, None, "is not a SurveyMonkey export: it needs "
                                         "two header rows (questions, then sub labels) "
                                         f"(line {header_line})")], source=name)
        questions, subs = [], []
        current = ""
        for q, s in zip(grid.iloc[0], grid.iloc[1]):
            current = q if q != "" else current
            questions.append(current)
            subs.append(s)
        raw = []
        for q, s in zip(questions, subs):
            if s == "" or _key(s) in _SM_PLAIN:
                raw.append(q or s)
            elif q == "":
                raw.append(s)
            else:
                raw.append(f"{q} [{s}]")
        names = _dedupe(raw)
        question_text = {n: q for n, q in zip(names, questions)}
        body, body_lines = grid.iloc[2:], lines[2:]
        id_col = next((n for n in names if _key(n) == "respondent id"), None)
    else:
        names = _dedupe([str(v) for v in grid.iloc[0]])
        body, body_lines = grid.iloc[1:], lines[1:]
        id_col = next((n for k in _ID_HEADERS for n in names if _key(n) == k), None)
        if detected == "google_forms" and not any(_key(n) in _TIMESTAMP_HEADERS for n in names):
            raise DataError([DataProblem(table, None, "is not a Google Forms export: no "
                                         "'Timestamp'/'Marca temporal' column "
                                         f"(line {header_line})")], source=name)
    body = body.copy()
    body.columns = names
    body = body.reset_index(drop=True)
    out = {}
    for col in names:
        s = body[col]
        out[col] = s.where(s != "").astype("str")
    df = pd.DataFrame(out, index=pd.RangeIndex(len(body)))
    width = max(4, len(str(len(df))))
    if id_col is not None and detected in ("wide", "google_forms") and \
            df[id_col].isna().any() and df[id_col].notna().any():
        # the respondent question of a form is left blank by some: number those by position
        import warnings

        missing = df[id_col].isna().to_numpy()
        numbered = [f"r{i + 1:0{width}d}" for i in np.flatnonzero(missing)]
        df[id_col] = df[id_col].where(~missing, pd.Series(
            [f"r{i + 1:0{width}d}" for i in range(len(df))], index=df.index, dtype="str"))
        shown = ", ".join(f"line {body_lines[i]}: {n}" for i, n in
                          zip(np.flatnonzero(missing)[:5], numbered))
        warnings.warn(f"{display(name)}: {int(missing.sum())} responses leave '{id_col}' "
                      f"blank; they are numbered by position ({shown}{' ...' if missing.sum() > 5 else ''})",
                      UserWarning, stacklevel=2)
    elif id_col is not None and detected in ("wide", "google_forms") and \
            df[id_col].isna().all():
        id_col = None  # an unanswered respondent question: number every response
    if id_col is not None:
        ids = df[id_col]
        missing = ids.isna().to_numpy()
        if missing.any():
            bad = [(int(ln), "") for ln in body_lines[missing][:3]]
            raise DataError([DataProblem(table, "respondent_id", f"is empty (from column "
                                         f"'{id_col}')", int(missing.sum()), len(df),
                                         tuple(bad), "line", name)], source=name)
    else:
        ids = pd.Series([f"r{i + 1:0{width}d}" for i in range(len(df))], dtype="str")
    if "respondent_id" in df.columns:
        df = df.drop(columns="respondent_id")
    df.insert(0, "respondent_id", ids.astype("str").to_numpy())
    df.attrs = {"shape": detected, "question_text": question_text,
                "lines": [int(x) for x in body_lines], "source": name}
    if import_ids:
        df.attrs["import_ids"] = import_ids
    return df


# --------------------------------------------------------------------------- Likert

_AGREE_5 = {
    1: ("totalmente en desacuerdo", "muy en desacuerdo", "completamente en desacuerdo",
        "strongly disagree", "completely disagree"),
    2: ("en desacuerdo", "disagree"),
    3: ("ni de acuerdo ni en desacuerdo", "ni en desacuerdo ni de acuerdo", "neutral", "neutro",
        "indiferente", "neither agree nor disagree", "neither agree or disagree",
        "neither disagree nor agree"),
    4: ("de acuerdo", "agree"),
    5: ("totalmente de acuerdo", "muy de acuerdo", "completamente de acuerdo",
        "strongly agree", "completely agree"),
}
_AGREE_7 = {
    1: _AGREE_5[1],
    2: ("en desacuerdo", "disagree", "moderadamente en desacuerdo", "moderately disagree"),
    3: ("algo en desacuerdo", "ligeramente en desacuerdo", "parcialmente en desacuerdo",
        "un poco en desacuerdo", "somewhat disagree", "slightly disagree"),
    4: _AGREE_5[3],
    5: ("algo de acuerdo", "ligeramente de acuerdo", "parcialmente de acuerdo",
        "un poco de acuerdo", "somewhat agree", "slightly agree"),
    6: ("de acuerdo", "agree", "moderadamente de acuerdo", "moderately agree"),
    7: _AGREE_5[5],
}
#: Answers read as "no answer" (missing), besides blank cells.
NO_ANSWER = ("n/a", "na", "n.a.", "no aplica", "not applicable", "ns/nc", "nsnc", "no sabe",
             "no se", "don't know", "dont know", "do not know", "prefiero no responder",
             "prefer not to say", "prefer not to answer")
_NUMBER_FIRST = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(?:(?:[-\u2013\u2014:=.)]|\s)\s*\D.*)?$")


def _label_key(text: str) -> str:
    text = _key(text)
    return re.sub(r"[^a-z0-9/' ]+", "", text).strip()


def likert_labels(scale_max: int) -> dict[str, float]:
    """The built-in ``{label: value}`` map for an agreement scale of ``scale_max`` points.

    Spanish and English labels for 5- and 7-point agreement scales (keys in the
    normalised form: lower case, no accents, single spaces); other sizes have
    no built-in labels.
    """
    table = {5: _AGREE_5, 7: _AGREE_7}.get(int(scale_max), {})
    return {_label_key(lbl): float(v) for v, labels in table.items() for lbl in labels}


def parse_likert(values, *, scale_max: int, labels: dict | None = None, source: str | None = None,
                 column: str | None = None, table: str = "survey", lines=None) -> pd.Series:
    """Turn Likert answers (numbers or text labels) into numbers 1..``scale_max``.

    Parameters
    ----------
    values : Series or sequence
        Answers as exported: numbers (``4``, ``"4"``, ``"4.0"``), a number
        followed by its label (``"4 - De acuerdo"``, ``"7 = Strongly agree"``),
        or an agreement label in Spanish or English (``"Totalmente de
        acuerdo"`` = ``scale_max``, ``"Strongly disagree"`` = 1, ``"Ni de
        acuerdo ni en desacuerdo"`` = the midpoint) for 5- and 7-point
        scales. Labels are matched ignoring accents, case, punctuation and
        extra spaces. Blank cells and explicit non-answers (``N/A``, ``No
        aplica``, ``No sabe``, ``Don't know``, ``Prefer not to say`` ...; see
        :data:`NO_ANSWER`) become missing.
    scale_max : int
        Number of points of the scale (answers must lie in ``1..scale_max``).
    labels : dict, optional
        ``{label: value}`` extending or overriding the built-in labels (e.g.
        ``{"Siempre": 5, "Nunca": 1}``); a value of ``None`` marks a label as
        "no answer".
    source : str, optional
        File name shown in the error message.
    column : str, optional
        Column name shown in the error message (default: the Series name).
    table : str, default "survey"
        Table name shown in the error message.
    lines : sequence of int, optional
        Source line of each value (e.g. ``read_survey(...).attrs["lines"]``);
        errors then cite lines instead of row labels.

    Returns
    -------
    Series
        ``float64`` scores with the index and name of ``values``; missing
        where the answer was blank.

    Raises
    ------
    DataError
        Naming the table, the column, the rule and the offending rows or lines,
        for text that is neither a number nor a known label, and for numbers
        outside ``1..scale_max``.
    """
    if isinstance(scale_max, bool) or not isinstance(scale_max, (int, np.integer)) \
            or scale_max < 2:
        raise ParameterError(f"scale_max must be an integer of at least 2; got {scale_max!r}",
                             parameter="scale_max", allowed="integer >= 2", value=scale_max)
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    name = column if column is not None else (str(s.name) if s.name is not None else "answer")
    mapping = likert_labels(scale_max)
    for lbl in NO_ANSWER:
        mapping[_label_key(lbl)] = math.nan
    for lbl, v in (labels or {}).items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            mapping[_label_key(lbl)] = math.nan
        else:
            try:
                mapping[_label_key(lbl)] = float(v)
            except (TypeError, ValueError):
                raise ParameterError(f"labels must map text to numbers; {lbl!r} maps to {v!r}",
                                     parameter="labels", value=labels) from None

    def one(v) -> float | None:
        """Score of one distinct answer; ``None`` when it cannot be read."""
        if v is None or v is pd.NA or v is pd.NaT:
            return math.nan
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float, np.integer, np.floating)):
            return float(v)
        text = str(v).strip()
        if text == "":
            return math.nan
        key = _label_key(text)
        if key in mapping:
            return mapping[key]
        m = _NUMBER_FIRST.match(text)
        if m:
            return float(m.group(1).replace(",", "."))
        return None

    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    scores = np.array([one(u) for u in uniques] + [math.nan], dtype=object)
    per_row = scores[codes]  # code -1 picks the trailing NaN
    unreadable = np.array([x is None for x in per_row], dtype=bool)
    numbers = np.array([math.nan if x is None else x for x in per_row], dtype=float)
    present = ~np.isnan(numbers)
    out_of_range = present & ((numbers < 1) | (numbers > scale_max))
    where = list(lines) if lines is not None else list(s.index)
    kind = "line" if lines is not None else "row"
    if lines is not None and len(where) != len(s):
        raise ParameterError(f"lines must have one entry per value ({len(s)}); got {len(where)}",
                             parameter="lines", value=len(where))
    problems = []
    raw = s.to_numpy(dtype=object)
    for mask, rule in (
        (unreadable, f"is not a number or a known Likert label of a 1-{scale_max} scale"),
        (out_of_range, f"is outside the scale 1-{scale_max}"),
    ):
        if mask.any():
            idx = np.flatnonzero(mask)
            examples = tuple((where[i], raw[i]) for i in idx[:3])
            problems.append(DataProblem(table, name, rule, int(mask.sum()), len(s), examples,
                                        kind, source))
    if problems:
        raise DataError(problems, source=source)
    numbers[out_of_range] = math.nan
    return pd.Series(numbers, index=s.index, name=s.name, dtype="float64")


def question_row_label(column: str) -> tuple[str, str | None]:
    """Split ``"Question [Row]"`` into ``("Question", "Row")``; ``(column, None)`` otherwise."""
    m = re.match(r"^(.*?)\s*\[([^\[\]]*)\]\s*$", column)
    return (m.group(1), m.group(2)) if m else (column, None)


def _json_import_id(cell: str) -> str | None:
    """The ``ImportId`` of a Qualtrics third-row cell, if any."""
    try:
        return json.loads(cell).get("ImportId")
    except (ValueError, AttributeError):
        return None
