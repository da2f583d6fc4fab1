"""Input checks and the purchase-day table shared by every Differentiate function.

:func:`_clean_transactions` validates a ``transactions`` table and returns the
copy every function works on (known customers, dates up to ``as_of``);
:func:`_purchase_days` nets a customer's lines per calendar day and marks the
purchase days; the ``_check_*`` helpers validate parameters with errors that
name the parameter, the allowed values and the value passed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

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


def _as_of(tx: pd.DataFrame, as_of) -> pd.Timestamp:
    if as_of is None:
        if len(tx) == 0:
            raise DataError([DataProblem("transactions", None, "has no rows with a customer")])
        return tx["date"].max().normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError):
        raise ParameterError(f"as_of must be a date; got {as_of!r}", parameter="as_of",
                             allowed="ISO date", value=as_of) from None


def _need_rows(tx: pd.DataFrame, func: str):
    if len(tx) == 0:
        raise DataError([DataProblem("transactions", None,
                                     f"has no rows with a customer up to as_of ({func})")])


def _check_fraction(name, value, *, low=0.0, high=1.0, closed_low=False, closed_high=False):
    ok = isinstance(value, (int, float, np.floating)) and np.isfinite(value)
    ok = ok and (value >= low if closed_low else value > low)
    ok = ok and (value <= high if closed_high else value < high)
    if not ok:
        lo = "[" if closed_low else "("
        hi = "]" if closed_high else ")"
        raise ParameterError(f"{name} must be in {lo}{low}, {high}{hi}; got {value!r}",
                             parameter=name, allowed=f"{lo}{low}, {high}{hi}", value=value)


def _check_positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ParameterError(f"{name} must be a positive integer; got {value!r}",
                             parameter=name, allowed="integer >= 1", value=value)


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
