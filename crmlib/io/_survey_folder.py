"""Survey exports in a client folder: the SERVQUAL and readiness tables read from a Google
Forms, Qualtrics or SurveyMonkey export saved under the table's name
(:func:`read_client_survey`, the hook of :func:`crmlib.io.read_client_table`), and a
``servqual_respondents`` file with importance points written as percentages
(:func:`crmlib.io.points_of_100`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.io._points import points_of_100
from crmlib.io._survey import _dedupe, _key, read_survey
from crmlib.io._survey_export import NoItemColumns
from crmlib.io._survey_tables import survey_table
from crmlib.io._text import load_grid

# --------------------------------------------------------------------------- client folders

#: Tables a survey export in the client folder can stand for, and the file it comes from.
SURVEY_TABLES = {"servqual_responses": "servqual_responses",
                 "servqual_respondents": "servqual_responses",
                 "readiness_responses": "readiness_responses",
                 "soft_indicators": "soft_indicators",
                 "needs_responses": "needs_responses"}
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
    if not files and all(list(f.columns) == ["respondent_id"] for f in frames):
        return None  # the export asked no respondent question: nothing to derive
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {"source": [str(p) for p, _ in exports], "format": "survey"}
    return out


def _from_export(wide: pd.DataFrame, table: str, source: str, config: dict) -> pd.DataFrame:
    import warnings
    from pathlib import Path

    from crmlib.io._tables import read_table

    settings = config.get("survey") or {}
    if not isinstance(settings, dict) or set(settings) - {"instrument", "id_column",
                                                           "group_column"}:
        raise DataError([DataProblem("dataset", "survey", "must be a mapping with keys "
                                     "instrument, id_column, group_column")],
                        source="dataset.yaml")
    family = ("servqual" if table.startswith("servqual") else
              "soft_indicators" if table == "soft_indicators" else
              "needs" if table == "needs_responses" else "readiness")
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
