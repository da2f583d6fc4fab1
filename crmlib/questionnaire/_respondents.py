"""The per-respondent answers of a filled SERVQUAL Excel form: importance points,
overall rating and customer type, as the ``servqual_respondents`` table.

The Excel form (:func:`crmlib.questionnaire.write_questionnaire_excel`) asks them
below the statements; :func:`read_filled_excel_respondents` finds them through the
form's hidden ``_meta`` sheet, checks every cell and names file and cell for
anything it cannot use.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.io._answers import _option_key
from crmlib.questionnaire._excel import (
    _answer_sheets,
    _cell_answers,
    _FormInstrument,
    _respondent_id,
)
from crmlib.questionnaire._labels import _segments

_TABLE = "questionnaire"


def read_filled_excel_respondents(path, instrument=None, *,
                                  strict: bool = False) -> pd.DataFrame:
    """Importance points, overall rating and customer type of filled SERVQUAL forms.

    The companion of :func:`read_filled_excel`: that one gives the long answers
    (``servqual_responses``), this one the table with one row per respondent
    (``servqual_respondents``), with the same respondent ids, from the same files.

    Parameters
    ----------
    path : str, path, or a sequence of them
        One ``.xlsx`` form made by :func:`write_questionnaire_excel` for a SERVQUAL
        instrument, a folder (every ``.xlsx`` inside, by name; the usual case, one
        file per respondent), or a list of files.
    instrument : str, path or Instrument, optional
        The instrument the forms were made for (by default the one each form
        names, as in :func:`read_filled_excel`). Gives the overall rating's scale
        and, when it has a ``segments`` section, the customer types.
    strict : bool, default False
        What to do with importance points that are left blank or do not add up to 100.
        ``False``: keep them as typed and warn (one ``UserWarning`` naming every file
        and cell). :func:`crmlib.servqual.servqual_scores` rescales points to 100 and
        leaves respondents with a blank point out of the weighted score, so the
        analysis can use them. ``True``: raise :class:`DataError` instead.

    Returns
    -------
    DataFrame
        One row per file, in file order: ``respondent_id`` (the respondent cell, else
        the file name), ``segment`` (the customer type: the instrument's segment key
        when the label matches one, else the text as typed; ``None`` when blank),
        ``overall_rating`` (float on the instrument's scale; ``NaN`` when blank) and
        one ``importance_<dimension>`` column per dimension (points as typed, float;
        ``NaN`` when blank). Save it as ``servqual_respondents.csv`` for notebook 06.

    Raises
    ------
    DataError
        Naming file, cell and rule: a form without the respondent section (not a
        SERVQUAL form, or made before the section existed), points that are not
        numbers or lie outside 0-100, an overall rating that is neither a number nor a
        label of the scale or lies outside it, the same respondent id in two files,
        and, with ``strict``, blank points or points not adding up to 100.

    Warns
    -----
    UserWarning
        Without ``strict``, for blank points and points not adding up to 100.

    Examples
    --------
    >>> from crmlib import questionnaire, servqual
    >>> responses = questionnaire.read_filled_excel("filled_forms/")
    ...                                                          # doctest: +SKIP
    >>> respondents = questionnaire.read_filled_excel_respondents("filled_forms/")
    ...                                                          # doctest: +SKIP
    >>> servqual.servqual_scores(servqual.gap_table(responses), respondents)
    ...                                                          # doctest: +SKIP
    """
    pick = _FormInstrument(instrument)
    rows, notes, seen = [], [], {}
    inst = None
    for file, meta, ws in _answer_sheets(path):
        inst = pick(meta, file)
        segments = _segments(inst)
        if not meta.get("points_first_row"):
            raise DataError([DataProblem(
                _TABLE, None, "has no importance points, overall rating or customer type "
                "cells (write the SERVQUAL form again with write_questionnaire_excel)",
                source=str(file))], source=str(file))
        respondent = _respondent_id(ws, meta, file)
        if respondent in seen:
            raise DataError([DataProblem(
                _TABLE, "respondent_id", f"repeats respondent {respondent!r} of "
                f"{seen[respondent].name} (cell {meta['respondent_cell']})", source=str(file))],
                source=str(file))
        seen[respondent] = file
        points, cells = _points(ws, meta, inst, file)
        rating_cell = str(meta["overall_cell"])
        rating = _cell_answers([ws[rating_cell].value], [rating_cell], inst, "overall_rating",
                               file)[0]
        row = {"respondent_id": respondent,
               "segment": _option_key(ws[meta["segment_cell"]].value, segments),
               "overall_rating": float(rating)}
        row.update({f"importance_{d}": v for d, v in points.items()})
        rows.append(row)
        problems = _total_problems(points, cells, file)
        if problems and strict:
            raise DataError(problems, source=str(file))
        notes += [f"{file}: {p}" for p in problems]
    if notes:
        warnings.warn("importance points kept as typed; crmlib.servqual rescales points to 100 "
                      "and leaves out respondents with a blank point:\n"
                      + "\n".join(f"  - {n}" for n in notes), UserWarning, stacklevel=2)
    columns = ["respondent_id", "segment", "overall_rating",
               *(f"importance_{d}" for d in inst.dimensions)]
    return pd.DataFrame(rows).reindex(columns=columns)


def _points(ws, meta, inst, file: Path):
    """``({dimension: points or NaN}, {dimension: cell})`` of one sheet; raises for points
    that are not numbers or lie outside 0-100 (every bad cell at once)."""
    col = str(meta.get("points_column") or "D")
    points, cells, problems = {}, {}, []
    for r in range(int(meta["points_first_row"]), int(meta["points_last_row"]) + 1):
        dim = ws[f"A{r}"].value
        if dim in (None, ""):
            continue
        dim, cell = str(dim).strip(), f"{col}{r}"
        if dim not in inst.dimensions:
            problems.append(DataProblem(_TABLE, "dimension", f"is not a dimension of "
                                        f"{inst.name}", examples=((f"A{r}", dim),),
                                        location_kind="cell", source=str(file)))
            continue
        value = ws[cell].value
        if isinstance(value, str):
            value = value.strip().replace(",", ".") or None
        number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
        if value is not None and pd.isna(number):
            problems.append(DataProblem(_TABLE, f"importance_{dim}", "is not a number of points",
                                        examples=((cell, value),), location_kind="cell",
                                        source=str(file)))
        elif not pd.isna(number) and not 0 <= float(number) <= 100:
            problems.append(DataProblem(_TABLE, f"importance_{dim}",
                                        "must be from 0 to 100 points",
                                        examples=((cell, value),), location_kind="cell",
                                        source=str(file)))
        points[dim] = float(number) if not pd.isna(number) else np.nan
        cells[dim] = cell
    if problems:
        raise DataError(problems, source=str(file))
    return points, cells


def _total_problems(points: dict, cells: dict, file: Path) -> list[DataProblem]:
    """Blank points, or points whose sum is not 100, as problems naming the cells."""
    blank = [d for d, v in points.items() if np.isnan(v)]
    if len(blank) == len(points):
        span = f"{cells[next(iter(cells))]}:{cells[list(cells)[-1]]}" if cells else ""
        return [DataProblem(_TABLE, None, f"importance points are blank in every cell "
                            f"({span}): this respondent is left out of the importance-weighted "
                            "score", source=str(file))]
    if blank:
        return [DataProblem(_TABLE, f"importance_{d}", f"is blank (cell {cells[d]}): this "
                            "respondent is left out of the importance-weighted score",
                            source=str(file)) for d in blank]
    total = sum(points.values())
    if abs(total - 100) > 1e-9:
        span = f"{cells[next(iter(cells))]}:{cells[list(cells)[-1]]}"
        return [DataProblem(_TABLE, None, f"importance points in cells {span} add up to "
                            f"{total:g}, not 100", source=str(file))]
    return []
