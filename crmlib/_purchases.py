"""Purchase histories shared by :mod:`crmlib.differentiate` and :mod:`crmlib.clv`.

Private. Both the customer summary of Differentiate and the calibration/holdout
split of the CLV models start from the same cleaned transactions and the same
table of purchase days, and count time in the same units; those pieces live here,
below both modules, so neither has to reach into the other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

#: Length of each supported time unit in days (a month is 365.25 / 12 days).
TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}

_ONE_DAY = pd.Timedelta(days=1)


def _clean_transactions(transactions: pd.DataFrame, func: str, *, as_of=None,
                        columns=("customer_id", "date", "amount")) -> pd.DataFrame:
    """Validated copy of the needed columns: known customers, dates up to ``as_of``."""
    if not isinstance(transactions, pd.DataFrame):
        raise ParameterError(
            f"{func}: transactions must be a DataFrame; got {type(transactions).__name__}",
            parameter="transactions", allowed="DataFrame", value=type(transactions))
    problems = []
    for c in ("customer_id", "date", "amount"):
        if c not in transactions.columns:
            problems.append(DataProblem("transactions", c, "is required but missing"))
    if problems:
        raise DataError(problems)
    keep = [c for c in columns if c in transactions.columns]
    df = transactions[keep]
    n = len(df)
    date = df["date"]
    if not pd.api.types.is_datetime64_any_dtype(date):
        problems.append(DataProblem("transactions", "date", f"must be a date (dtype {date.dtype})",
                                    n, n))
    amount = df["amount"]
    if not pd.api.types.is_numeric_dtype(amount) or pd.api.types.is_bool_dtype(amount):
        problems.append(DataProblem("transactions", "amount",
                                    f"must be numeric (dtype {amount.dtype})", n, n))
    if problems:
        raise DataError(problems)
    if getattr(date.dt, "tz", None) is not None:
        date = date.dt.tz_localize(None)
    for col, values in (("date", date), ("amount", amount)):
        bad = values.isna().to_numpy()
        if col == "amount":
            bad = bad | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            idx = np.flatnonzero(bad)[:3]
            problems.append(DataProblem("transactions", col, "is empty or not finite",
                                        int(bad.sum()), n,
                                        tuple((df.index[i], values.iloc[i]) for i in idx)))
    if problems:
        raise DataError(problems)
    out = pd.DataFrame({
        "customer_id": df["customer_id"].astype("str").where(df["customer_id"].notna()),
        "date": date.astype("datetime64[ns]"),
        "amount": amount.astype(float),
    })
    for c in keep:
        if c not in out.columns:
            out[c] = df[c]
    out = out[out["customer_id"].notna()]
    if as_of is not None:
        out = out[out["date"] < pd.Timestamp(as_of).normalize() + _ONE_DAY]
    return out.reset_index(drop=True)


def _purchase_days(tx: pd.DataFrame) -> pd.DataFrame:
    """Net value per customer and calendar day.

    Columns ``customer_id``, ``day``, ``value`` (net), ``returns`` (positive),
    ``sales`` (number of lines with amount >= 0) and ``purchase`` (bool: at
    least one sale line that day).
    """
    day = tx["date"].dt.normalize()
    amount = tx["amount"]
    frame = pd.DataFrame({"customer_id": tx["customer_id"], "day": day, "value": amount,
                          "returns": (-amount).clip(lower=0),
                          "sales": (amount >= 0).astype("int64")})
    out = frame.groupby(["customer_id", "day"], sort=True, observed=True).sum().reset_index()
    out["purchase"] = out["sales"] > 0
    return out
