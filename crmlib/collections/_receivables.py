"""Receivables over time and by customer: DSO, the monthly trend, collection risk.

:func:`dso_table` gives days sales outstanding at one date, :func:`aging_trend`
repeats aging and DSO at each month end, and :func:`customer_risk` classes the
customers with an open balance by how overdue they are and how late they
usually pay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.collections._aging import (
    DEFAULT_BUCKETS,
    _as_of,
    _invoices,
    _open_amounts,
    aging_table,
    bucket_labels,
)
from crmlib.exceptions import ParameterError


def dso_table(invoices: pd.DataFrame, *, as_of, period_days: int = 90) -> pd.DataFrame:
    """Days sales outstanding: receivables over credit sales times the days of the period.

    DSO = open receivables at ``as_of`` / invoiced amount in the
    ``period_days`` ending at ``as_of`` x ``period_days`` (the usual
    period-end formula; e.g. 300 open after 900 invoiced in 90 days is 30 days).

    Returns
    -------
    DataFrame
        One row: ``as_of``, ``receivables``, ``overdue``, ``overdue_share``,
        ``credit_sales``, ``period_days``, ``dso_days`` (NaN without sales).
    """
    if not (isinstance(period_days, int) and period_days > 0):
        raise ParameterError(f"period_days must be a whole number > 0; got {period_days!r}",
                             parameter="period_days", allowed="> 0", value=period_days)
    when = _as_of(as_of)
    inv = _invoices(invoices)
    open_amt = _open_amounts(inv, when)
    overdue = float(open_amt[inv["due_at"].dt.normalize() < when.normalize()].sum())
    receivables = float(open_amt.sum())
    window = (inv["issued_at"] <= when) & (inv["issued_at"] > when - pd.Timedelta(
        days=period_days))
    sales = float(inv.loc[window, "amount"].sum())
    return pd.DataFrame([{
        "as_of": when.normalize(), "receivables": receivables, "overdue": overdue,
        "overdue_share": overdue / receivables if receivables else np.nan,
        "credit_sales": sales, "period_days": period_days,
        "dso_days": receivables / sales * period_days if sales else np.nan,
    }])


def aging_trend(invoices: pd.DataFrame, *, as_of, months: int = 12,
                buckets=DEFAULT_BUCKETS, period_days: int = 90) -> pd.DataFrame:
    """Aging, overdue share and DSO at each month end up to ``as_of``.

    Returns
    -------
    DataFrame
        One row per month end (the last is ``as_of`` itself), oldest first:
        ``as_of``, one column per bucket, ``receivables``, ``overdue``,
        ``overdue_share``, ``dso_days``.
    """
    if not (isinstance(months, int) and months >= 1):
        raise ParameterError(f"months must be a whole number >= 1; got {months!r}",
                             parameter="months", allowed=">= 1", value=months)
    when = _as_of(as_of)
    labels = bucket_labels(buckets)
    ends = [when] + [(when - pd.offsets.MonthEnd(k)).normalize() for k in range(1, months)]
    ends = sorted({e.normalize() if e != when else when for e in ends})[-months:]
    rows = []
    for end in ends:
        aging = aging_table(invoices, as_of=end, buckets=buckets)
        d = dso_table(invoices, as_of=end, period_days=period_days).iloc[0]
        row = {"as_of": end.normalize()}
        row.update({b: float(aging[b].sum()) for b in labels})
        row.update({"receivables": d["receivables"], "overdue": d["overdue"],
                    "overdue_share": d["overdue_share"], "dso_days": d["dso_days"]})
        rows.append(row)
    return pd.DataFrame(rows)


RISK_LEVELS = ("high", "medium", "low", "current")


def customer_risk(invoices: pd.DataFrame, *, as_of, high_days: int = 90, medium_days: int = 30,
                  history_days: int = 365, late_days: float = 30,
                  buckets=DEFAULT_BUCKETS) -> pd.DataFrame:
    """Customers with an open balance classed by collection risk.

    Rules, first that applies: ``high`` — something overdue more than
    ``high_days``; ``medium`` — something overdue more than ``medium_days``,
    or invoices paid in the last ``history_days`` were on average more than
    ``late_days`` late; ``low`` — something overdue; ``current`` — nothing due.

    Returns
    -------
    DataFrame
        ``customer_id``, ``open_balance``, ``overdue``, ``max_days_overdue``,
        ``avg_days_late`` (mean days between due and payment of the invoices
        paid in the history window; NaN if none), ``n_paid_late``, ``risk``;
        by risk (high first), then ``overdue`` descending, then ``customer_id``.
    """
    for name, v in (("high_days", high_days), ("medium_days", medium_days),
                    ("history_days", history_days)):
        if not (isinstance(v, int) and v >= 0):
            raise ParameterError(f"{name} must be a whole number >= 0; got {v!r}",
                                 parameter=name, allowed=">= 0", value=v)
    if medium_days > high_days:
        raise ParameterError(f"medium_days ({medium_days}) must not exceed high_days "
                             f"({high_days})", parameter="medium_days", value=medium_days)
    when = _as_of(as_of)
    aging = aging_table(invoices, as_of=when, buckets=buckets)
    inv = _invoices(invoices)
    paid = inv[inv["paid_at"].notna() & (inv["paid_at"] <= when)
               & (inv["paid_at"] > when - pd.Timedelta(days=history_days))]
    late = (paid["paid_at"].dt.normalize() - paid["due_at"].dt.normalize()).dt.days
    paid = paid.assign(_late=late.clip(lower=0), _is_late=late > 0)
    hist = paid.groupby("customer_id").agg(avg_days_late=("_late", "mean"),
                                           n_paid_late=("_is_late", "sum"))
    out = aging[["customer_id", "open_balance", "overdue", "max_days_overdue"]].merge(
        hist, left_on="customer_id", right_index=True, how="left")
    out["n_paid_late"] = out["n_paid_late"].fillna(0).astype(int)
    mx = out["max_days_overdue"]
    out["risk"] = np.select(
        [mx > high_days, (mx > medium_days) | (out["avg_days_late"] > late_days), mx > 0],
        ["high", "medium", "low"], "current")
    order = {r: i for i, r in enumerate(RISK_LEVELS)}
    out = out.assign(_o=out["risk"].map(order)).sort_values(
        ["_o", "overdue", "customer_id"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)
