"""Checking a frame against its contract.

:func:`check` lists every way a frame breaks the rules of its table (missing
columns, types, empty cells, allowed values, bounds, duplicates, timestamp
order) with example rows or source-file lines; :func:`validate` raises them
as one :class:`~crmlib.exceptions.DataError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, check_choice
from crmlib.schemas._spec import table_spec


def validate(
    df: pd.DataFrame,
    table: str,
    *,
    location_kind: str = "row",
    source: str | None = None,
    max_examples: int = 3,
) -> pd.DataFrame:
    """Check ``df`` against the contract of ``table``; return it unchanged.

    Parameters
    ----------
    df : DataFrame
        Frame with canonical column names. Its index is used to name the
        offending rows, so a loader that sets the index to source-file line
        numbers gets line numbers in the message.
    table : str
        Canonical table name.
    location_kind : {"row", "line"}
        How to call an index value in messages.
    source : str, optional
        File or URL named in the message.
    max_examples : int, default 3
        Offending rows quoted per problem.

    Returns
    -------
    DataFrame
        ``df`` itself, when it meets the contract.

    Raises
    ------
    DataError
        Listing every broken rule with counts and example rows.
    """
    problems = check(df, table, location_kind=location_kind, source=source,
                     max_examples=max_examples)
    if problems:
        raise DataError(problems, source=source)
    return df


def check(
    df: pd.DataFrame,
    table: str,
    *,
    location_kind: str = "row",
    source: str | None = None,
    max_examples: int = 3,
    skip: dict | None = None,
) -> list[DataProblem]:
    """Every way ``df`` breaks the contract of ``table``, as a list (empty when none).

    The rules: required columns present; a table with rows; numbers and
    timestamps typed as such; no empty cell in a non-nullable column; values in
    ``allowed``; numbers within ``ge``/``le``; unique columns and
    ``unique_together`` sets without duplicates (every copy is reported);
    ``ordered`` timestamp pairs in order.

    ``skip`` maps a column to a boolean mask of cells already reported (for
    instance text that did not parse as a number and is now missing), so the
    same cell is not reported twice as "is empty". Other parameters as in
    :func:`validate`.
    """
    spec = table_spec(table)
    check_choice("location_kind", location_kind, ("row", "line"))
    skip = skip or {}
    problems: list[DataProblem] = []
    n = len(df)

    def problem(column, rule, mask):
        bad = df.index[mask]
        values = (df.loc[mask, column] if column in df.columns
                  else pd.Series(index=bad, dtype=object))
        examples = tuple(
            (_loc(loc), "" if pd.isna(v) else _plain(v))
            for loc, v in list(zip(bad, values))[:max_examples]
        )
        problems.append(DataProblem(table, column, rule, int(mask.sum()), n, examples,
                                    location_kind, source))

    missing = [c for c in spec.required if c not in df.columns]
    for name in missing:
        problems.append(DataProblem(table, name, "is required but missing", 0, 0, (),
                                    location_kind, source))
    if n == 0 and not missing:
        problems.append(DataProblem(table, None, "has no rows", 0, 0, (), location_kind, source))

    for c in spec.columns:
        if c.name not in df.columns or n == 0:
            continue
        s = df[c.name]
        if isinstance(s, pd.DataFrame):
            problems.append(DataProblem(table, c.name, "appears more than once", 0, 0, (),
                                        location_kind, source))
            continue
        if c.dtype in ("float", "int") and not (pd.api.types.is_numeric_dtype(s)
                                                and not pd.api.types.is_bool_dtype(s)):
            problems.append(DataProblem(table, c.name, f"must be numeric (dtype {s.dtype})",
                                        n, n, (), location_kind, source))
            continue
        if c.dtype == "datetime" and not pd.api.types.is_datetime64_any_dtype(s):
            problems.append(DataProblem(table, c.name, f"must be a date (dtype {s.dtype})",
                                        n, n, (), location_kind, source))
            continue
        isna = s.isna().to_numpy()
        already = skip.get(c.name)
        if not c.nullable and isna.any():
            mask = isna if already is None else isna & ~np.asarray(already, dtype=bool)
            if mask.any():
                problem(c.name, "is empty", mask)
        present = ~isna
        if c.allowed is not None:
            mask = present & ~s.isin(c.allowed).to_numpy()
            if mask.any():
                problem(c.name, f"is not one of {list(c.allowed)}"
                        + (f"; accepted labels: {c.accepted}" if c.accepted else ""), mask)
        if c.ge is not None:
            mask = present & (s.to_numpy(dtype=float, na_value=float("nan")) < c.ge)
            if mask.any():
                problem(c.name, f"is below {c.ge:g}", mask)
        if c.le is not None:
            mask = present & (s.to_numpy(dtype=float, na_value=float("nan")) > c.le)
            if mask.any():
                problem(c.name, f"is above {c.le:g}", mask)
        if c.unique:
            mask = present & s.duplicated(keep=False).to_numpy()
            if mask.any():
                problem(c.name, "has duplicate values", mask)

    for cols in spec.unique_together:
        cols = [c for c in cols if c in df.columns]
        if len(cols) >= 1 and n and not any(c in missing for c in cols):
            mask = df.duplicated(subset=cols, keep=False).to_numpy()
            if mask.any():
                problem(cols[-1], f"has duplicate ({', '.join(cols)}) pairs", mask)

    for early, late in spec.ordered:
        if early in df.columns and late in df.columns and n:
            a, b = df[early], df[late]
            if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
                mask = (b < a).fillna(False).to_numpy()
                if mask.any():
                    problem(late, f"is before {early}", mask)
    return problems


def _loc(value):
    return int(value) if isinstance(value, (int, np.integer)) else value


def _plain(value):
    """Numpy scalars and timestamps as plain Python values for messages."""
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
