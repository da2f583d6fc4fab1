"""Survey exports (Google Forms, Qualtrics, SurveyMonkey, plain wide) and Likert answers."""

from __future__ import annotations

import json
import math
import re
import unicodedata

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
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
        warnings.warn(f"{name}: {int(missing.sum())} responses leave '{id_col}' blank; they "
                      f"are numbered by position ({shown}{' ...' if missing.sum() > 5 else ''})",
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


# --------------------------------------------------------------------------- points of 100

def points_of_100(columns: dict, *, names: dict | None = None, lines=None,
                  table: str = "survey", source: str | None = None) -> dict:
    """Importance points of 100 as numbers, with rows written in percentages.

    Parameters
    ----------
    columns : dict of {key: Series}
        One column of answers per dimension, all of the same length (cells as text or
        numbers; blank = missing).
    names : dict of {key: str}, optional
        Column names shown in messages (default: the keys).
    lines : sequence of int, optional
        Source line of each row; messages cite lines instead of 0-based rows.
    table, source : str
        Named in messages.

    Returns
    -------
    dict of {key: Series of float}
        Points: numbers as written (``"25"``, ``"25,5"``). A row with any value written
        as a percentage (``"25%"``) is read as points when its values add up to 100
        (within 0.5), with a ``UserWarning`` naming its lines.

    Raises
    ------
    DataError
        For text that is no number (naming column and rows), and for rows written in
        percentages whose values do not add up to 100 (naming the rows and their sum).
    """
    import warnings

    names = names or {k: str(k) for k in columns}
    n = len(next(iter(columns.values()))) if columns else 0
    where = list(lines) if lines is not None else list(range(n))
    kind = "line" if lines is not None else "row"
    percent, numbers, problems = {}, {}, []
    for key, values in columns.items():
        text = pd.Series(values).reset_index(drop=True).astype(object).map(
            lambda v: None if v is None or (not isinstance(v, str) and pd.isna(v))
            else str(v).strip()).astype(object)
        text = text.where(text != "")
        pct = text.map(lambda v: isinstance(v, str) and v.endswith("%")).astype(bool)
        cleaned = text.map(lambda v: v.rstrip("%").strip().replace(",", ".")
                           if isinstance(v, str) else v)
        num = pd.to_numeric(cleaned, errors="coerce")
        bad = (text.notna() & num.isna()).to_numpy()
        if bad.any():
            idx = np.flatnonzero(bad)
            problems.append(DataProblem(table, names[key], "is not a number of points (0-100)",
                                        int(bad.sum()), n,
                                        tuple((where[i], text.iloc[i]) for i in idx[:3]), kind,
                                        source))
        percent[key], numbers[key] = pct.to_numpy(), num.astype(float)
    frame = pd.DataFrame(numbers)
    any_pct = np.any(np.column_stack(list(percent.values())), axis=1) if percent else \
        np.zeros(n, dtype=bool)
    sums = frame.sum(axis=1, min_count=1).to_numpy()
    ok_pct = any_pct & (np.abs(sums - 100) <= 0.5)
    bad_pct = any_pct & ~ok_pct
    if bad_pct.any():
        idx = np.flatnonzero(bad_pct)
        problems.append(DataProblem(
            table, None, "has importance points written as percentages (25%) that do not add "
            "up to 100%, so they cannot be read as points of 100; correct these rows or write "
            "the points as numbers", int(bad_pct.sum()), n,
            tuple((where[i], f"{sums[i]:g}%") for i in idx[:3]), kind, source))
    if problems:
        raise DataError(problems, source=source)
    if ok_pct.any():
        shown = ", ".join(str(where[i]) for i in np.flatnonzero(ok_pct)[:10])
        more = " ..." if ok_pct.sum() > 10 else ""
        warnings.warn(f"importance points written as percentages (25%) were read as points "
                      f"of 100, as they add up to 100%, on {kind} {shown}{more}", UserWarning,
                      stacklevel=3)
    return {k: frame[k] for k in columns}


# --------------------------------------------------------------------------- client folders

#: Tables a survey export in the client folder can stand for, and the file it comes from.
SURVEY_TABLES = {"servqual_responses": "servqual_responses",
                 "servqual_respondents": "servqual_responses",
                 "readiness_responses": "readiness_responses"}
_TOOLS = {"google_forms": "Google Forms", "qualtrics": "Qualtrics",
          "surveymonkey": "SurveyMonkey", "wide": "wide (one row per respondent)"}
_SURVEY_OPTIONS = ("encoding", "sep", "sheet")
_MAX_PROBLEMS = 8


def _is_long(names, table: str, column_map) -> bool:
    """Whether headers ``names`` hold the long table's ``item_id`` (its name, a synonym or a
    ``column_map`` entry): such a file is a contract table, not an export."""
    from crmlib.schemas import table_spec

    spec = table_spec(table)
    column = next((c for c in spec.columns if c.name == "item_id"), None)
    if column is None:
        return False
    known = {_key(n).replace(" ", "_") for n in (column.name, *column.synonyms)}
    mapped = {_key(k).replace(" ", "_") for k, v in (column_map or {}).items() if v == "item_id"}
    return any(_key(n).replace(" ", "_") in known | mapped for n in names)


def _export_of(path, table: str, options: dict, column_map) -> pd.DataFrame | None:
    """``path`` read by :func:`read_survey` when it is a survey export standing for
    ``table``; None when it is the contract table itself (or unreadable as a survey)."""
    from pathlib import Path

    if Path(path).suffix.lower() == ".parquet":
        return None
    try:
        wide = read_survey(path, **{k: v for k, v in options.items() if k in _SURVEY_OPTIONS})
    except DataError:
        return None  # let the table reader say what is wrong with the file
    if wide.attrs["shape"] != "wide":
        return wide
    if table == "servqual_respondents":
        return None  # one row per respondent is that table's own layout
    if _is_long(list(wide.columns), table, column_map):
        return None
    # a title block above the header: the table reader finds the header further down
    for _, row in wide.iloc[:30, 1:].iterrows():
        if _is_long([v for v in row if isinstance(v, str)], table, column_map):
            return None
    return wide


def _where(wide: pd.DataFrame, problems, table: str, source: str) -> list[DataProblem]:
    """Problems of a conversion re-addressed to the client's file: the target table, the
    source lines of the rows, at most a handful of them and a count of the rest."""
    from dataclasses import replace

    lines = wide.attrs.get("lines") or []
    out = []
    for p in problems:
        examples = p.examples
        kind = p.location_kind
        if kind == "row" and lines:
            examples = tuple((lines[i] if isinstance(i, (int, np.integer)) and 0 <= i < len(lines)
                              else i, v) for i, v in examples)
            kind = "line"
        out.append(replace(p, table=table, examples=examples, location_kind=kind,
                           source=p.source or source))
    # the same rule broken in many columns (a whole grid answered in words) is one line
    by_rule: dict[str, list] = {}
    for p in out:
        by_rule.setdefault(p.rule, []).append(p)
    merged = []
    for p in out:
        same = by_rule[p.rule]
        if len(same) <= 3:
            merged.append(p)
        elif p is same[0]:
            others = len(same) - 1
            merged.append(replace(p, column=f"{p.column}' and {others} more columns like it, "
                                             f"'{same[-1].column}",
                                  n_failed=max(q.n_failed for q in same)))
    out = merged
    if len(out) > _MAX_PROBLEMS:
        rest = len(out) - _MAX_PROBLEMS
        out = out[:_MAX_PROBLEMS] + [DataProblem(table, None, f"... and {rest} more problems "
                                                 "of the same kinds in other columns",
                                                 source=source)]
    return out


def _unrecognised(wide: pd.DataFrame, table: str, source: str) -> DataError:
    """The short error for an export whose columns name no item of the instrument."""
    names = [str(c) for c in wide.columns[1:]]
    shown = ", ".join(repr(n if len(n) <= 60 else n[:57] + "...") for n in names[:3])
    tool = _TOOLS.get(wide.attrs.get("shape"), "survey")
    answers = f"{len(wide)} response" + ("" if len(wide) == 1 else "s")
    rule = (f"is read as a {tool} survey export ({len(names)} columns, {answers}), "
            f"but none of its columns names an item of the questionnaire with its part "
            f"(first columns: {shown}). Build the form with the question texts that "
            "`crmlib templates FOLDER` writes (or head the columns like SQ01_expectation / "
            "ID1_current), or save a long table with columns respondent_id, item_id and the "
            "answers")
    return DataError([DataProblem(table, None, rule, source=source)], source=source)


def read_client_survey(folder, table: str, files: list, *, options: dict | None = None,
                       config: dict | None = None) -> pd.DataFrame | None:
    """``table`` from a survey export in a client folder, or None when there is none.

    The hook of :func:`crmlib.io.read_client_table` for ``servqual_responses``,
    ``servqual_respondents`` and ``readiness_responses``: a Google Forms, Qualtrics or
    SurveyMonkey export (CSV or Excel), or any wide file with one row per respondent,
    saved under the table's name becomes the long contract table; ``servqual_respondents``
    without a file of its own is derived from the export saved as ``servqual_responses``.
    Files that are already the contract table are left to the table reader (None).

    ``config`` is the folder's ``dataset.yaml``; its ``survey`` section may name the
    ``instrument`` (``{servqual: servqual-1988, readiness: my-readiness.yaml}``) and the
    ``id_column`` / ``group_column`` of the export.
    """
    from crmlib.io import client_files

    if table not in SURVEY_TABLES:
        return None
    options = dict(options or {})
    config = config or {}
    column_map = (config.get("column_map") or {}).get(table)
    if files:
        found = [(p, _export_of(p, table, options, column_map)) for p in files]
    elif table != SURVEY_TABLES[table]:
        base = client_files(folder, SURVEY_TABLES[table])
        found = [(p, _export_of(p, SURVEY_TABLES[table], options, None)) for p in base]
        if not found or any(w is None for _, w in found):
            return None  # nothing to derive it from: the usual "no file" answer
    else:
        return None
    exports = [(p, w) for p, w in found if w is not None]
    if not exports:
        if table == "servqual_respondents" and len(files) == 1:
            return _respondents_in_percent(files[0], options, column_map)
        return None
    if len(exports) < len(found):
        names = ", ".join(p.name for p, _ in found)
        raise DataError([DataProblem(table, None, f"has both a survey export and a table in "
                                     f"the folder ({names}); keep one of them")],
                        source=str(folder))
    frames = [_from_export(w, table, str(p), config) for p, w in exports]
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {"source": [str(p) for p, _ in exports], "format": "survey"}
    return out


def _from_export(wide: pd.DataFrame, table: str, source: str, config: dict) -> pd.DataFrame:
    import warnings
    from pathlib import Path

    from crmlib.io._tables import read_table
    from crmlib.questionnaire import NoItemColumns, survey_table

    settings = config.get("survey") or {}
    if not isinstance(settings, dict) or set(settings) - {"instrument", "id_column",
                                                           "group_column"}:
        raise DataError([DataProblem("dataset", "survey", "must be a mapping with keys "
                                     "instrument, id_column, group_column")],
                        source="dataset.yaml")
    family = "servqual" if table.startswith("servqual") else "readiness"
    instrument = (settings.get("instrument") or {}).get(family) \
        if isinstance(settings.get("instrument"), dict) else settings.get("instrument")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            long = survey_table(wide, table, instrument=instrument,
                                id_column=settings.get("id_column"),
                                group_column=settings.get("group_column"))
    except NoItemColumns:
        raise _unrecognised(wide, table, source) from None
    except DataError as err:
        raise DataError(_where(wide, err.problems, table, source), source=source) from None
    name = Path(source).name
    for w in caught:
        warnings.warn(f"{name}: {w.message}", w.category, stacklevel=4)
    out = read_table(long, table)
    out.attrs = {"source": source, "format": "survey", "shape": wide.attrs.get("shape")}
    return out


def _respondents_in_percent(path, options: dict, column_map) -> pd.DataFrame | None:
    """A ``servqual_respondents`` file whose importance points are written as
    percentages (``25%``): read with those points as numbers (see :func:`points_of_100`),
    else None (the table reader reads the file as usual)."""
    import warnings
    from pathlib import Path

    from crmlib.io._tables import read_table
    from crmlib.schemas import table_spec

    if Path(path).suffix.lower() == ".parquet":
        return None
    try:
        grid, lines, _ = load_grid(path, table="servqual_respondents",
                                   **{k: v for k, v in options.items() if k in _SURVEY_OPTIONS})
    except DataError:
        return None
    if len(grid) < 2:
        return None
    header = [str(v) for v in grid.iloc[0]]
    targets = {}
    for column in table_spec("servqual_respondents").columns:
        if column.name.startswith("importance_"):
            for n in (column.name, *column.synonyms):
                targets[_key(n).replace(" ", "_")] = column.name
    for k, v in (column_map or {}).items():
        if str(v).startswith("importance_"):
            targets[_key(k).replace(" ", "_")] = v
    found = {j: targets[_key(h).replace(" ", "_")] for j, h in enumerate(header)
             if _key(h).replace(" ", "_") in targets}
    body = grid.iloc[1:].reset_index(drop=True)
    if not found or not any(body[j].astype(str).str.strip().str.endswith("%").any()
                            for j in found):
        return None
    name = str(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        points = points_of_100({j: body[j] for j in found}, names={j: header[j] for j in found},
                               lines=[int(x) for x in lines[1:]],
                               table="servqual_respondents", source=name)
    for w in caught:
        warnings.warn(f"{Path(name).name}: {w.message}", w.category, stacklevel=4)
    frame = body.copy()
    for j, s in points.items():
        frame[j] = s.map(lambda v: "" if pd.isna(v) else f"{v:g}")
    frame.columns = _dedupe(header)
    out = read_table(frame.where(frame != "", None), "servqual_respondents",
                     column_map=column_map)
    out.attrs = {"source": name, "format": "percent points"}
    return out
