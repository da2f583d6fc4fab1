"""Input checks shared by the Identify functions.

The ``customers`` and ``transactions`` tables are checked on entry and every
problem is reported in one :class:`~crmlib.exceptions.DataError` naming the
table, column, rule and rows; ``as_of`` must be a date. :func:`_column` reads an
optional column as objects with ``None`` for missing values.
"""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].astype(object).where(df[name].notna(), None)
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _check_customers(customers: pd.DataFrame) -> None:
    if not isinstance(customers, pd.DataFrame):
        raise ParameterError(f"customers must be a DataFrame; got {type(customers).__name__}",
                             parameter="customers", allowed="DataFrame", value=customers)
    problems = []
    n = len(customers)
    for col in ("customer_id", "name"):
        if col not in customers.columns:
            problems.append(DataProblem("customers", col, "is required but missing"))
    if "customer_id" in customers.columns:
        ids = customers["customer_id"]
        empty = ids.isna().to_numpy()
        if empty.any():
            rows = tuple((i, "") for i in customers.index[empty][:3])
            problems.append(DataProblem("customers", "customer_id", "is empty",
                                        int(empty.sum()), n, rows))
        src = _column(customers, "source").fillna("customers")
        keys = src.astype(str) + ":" + ids.astype(object).where(ids.notna(), "").astype(str)
        dup = keys.duplicated(keep=False).to_numpy() & ~empty
        if dup.any():
            rows = tuple(zip(customers.index[dup][:3], keys[dup][:3]))
            problems.append(DataProblem("customers", "customer_id",
                                        "has duplicate (source, customer_id) pairs",
                                        int(dup.sum()), n, rows))
    if "kind" in customers.columns:
        bad = customers["kind"].notna() & ~customers["kind"].isin(["person", "company"])
        if bad.any():
            rows = tuple(customers.loc[bad, "kind"].head(3).items())
            problems.append(DataProblem("customers", "kind", "is not one of ['person', 'company']",
                                        int(bad.sum()), n, rows))
    if problems:
        raise DataError(problems)


def _as_of(as_of) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError(f"as_of must be a date such as '2024-12-31'; got {as_of!r}",
                             parameter="as_of", allowed="ISO date", value=as_of)
    return ts


def _check_transactions(transactions: pd.DataFrame) -> None:
    problems = []
    for col in ("customer_id", "date", "amount"):
        if col not in transactions.columns:
            problems.append(DataProblem("transactions", col, "is required but missing"))
    if not problems and not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        problems.append(DataProblem("transactions", "date",
                                    f"must be a date (dtype {transactions['date'].dtype})"))
    if problems:
        raise DataError(problems)
