"""Importance points of 100 as numbers, with rows written in percentages (``25%``) read as
points when they add up to 100 (:func:`points_of_100`, public as
:func:`crmlib.io.points_of_100`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem


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
