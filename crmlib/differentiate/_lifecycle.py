"""Lifecycle classes, retention and churn per period, and cohorts.

:func:`lifecycle_table` classes each customer as new, active, inactive, lost
or special at ``as_of``; :func:`retention_table` follows retention and churn
from one period to the next; :func:`cohort_table` follows each cohort of
first buyers over the periods after their first purchase.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlib._purchases import _clean_transactions, _purchase_days
from crmlib.differentiate._base import _as_of, _check_positive_int, _need_rows
from crmlib.differentiate._summary import customer_summary
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

LIFECYCLE_CLASSES = ("new", "active", "inactive", "lost", "special")


def lifecycle_table(transactions: pd.DataFrame, *, as_of=None, new_days: int = 90,
                    active_days: int = 180, lost_days: int = 365,
                    special=None) -> pd.DataFrame:
    """Lifecycle class of each customer at ``as_of``.

    Classes (first that applies): ``special`` (listed in ``special``: staff,
    key accounts, customers treated apart); ``new`` (first purchase within
    ``new_days``); ``active`` (last purchase within ``active_days``);
    ``inactive`` (lapsed: last purchase within ``lost_days``); ``lost``.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
    new_days, active_days, lost_days : int
        Windows in days, ``new_days <= active_days < lost_days``.
    special : iterable of customer ids or DataFrame, optional
        Special customers; a ``customers`` table is accepted, its rows with
        ``special`` true are used.

    Returns
    -------
    DataFrame
        One row per customer with a purchase, by ``customer_id``:
        ``customer_id``, ``first_purchase``, ``last_purchase``,
        ``days_since_first``, ``days_since_last``, ``n_purchases``,
        ``monetary``, ``lifecycle``.
    """
    for name, v in (("new_days", new_days), ("active_days", active_days),
                    ("lost_days", lost_days)):
        _check_positive_int(name, v)
    if not new_days <= active_days < lost_days:
        raise ParameterError(
            f"windows must satisfy new_days <= active_days < lost_days; got {new_days}, "
            f"{active_days}, {lost_days}", parameter="active_days",
            allowed="new_days <= active_days < lost_days", value=active_days)
    summary = customer_summary(transactions, as_of=as_of, time_unit="D")
    as_of = pd.Timestamp(summary.attrs["as_of"])
    since_first = (as_of - summary["first_purchase"]).dt.days.to_numpy()
    since_last = summary["days_since_last"].to_numpy()
    ids = _special_ids(special)
    is_special = summary["customer_id"].isin(ids).to_numpy()
    cls = np.select(
        [is_special, since_first < new_days, since_last < active_days, since_last < lost_days],
        ["special", "new", "active", "inactive"], default="lost")
    return pd.DataFrame({
        "customer_id": summary["customer_id"],
        "first_purchase": summary["first_purchase"],
        "last_purchase": summary["last_purchase"],
        "days_since_first": since_first,
        "days_since_last": since_last,
        "n_purchases": summary["n_purchases"],
        "monetary": summary["monetary"],
        "lifecycle": cls,
    })


def _special_ids(special) -> set:
    if special is None:
        return set()
    if isinstance(special, pd.DataFrame):
        if "customer_id" not in special.columns or "special" not in special.columns:
            raise DataError([DataProblem("customers", c, "is required but missing")
                             for c in ("customer_id", "special")
                             if c not in special.columns])
        flag = special["special"].fillna(False).astype(bool)
        return set(special.loc[flag, "customer_id"].astype(str))
    if isinstance(special, str):
        return {special}
    return {str(x) for x in special}


def lifecycle_summary(lifecycle: pd.DataFrame, *, language: str = "es") -> pd.DataFrame:
    """Customers and value per lifecycle class.

    Parameters
    ----------
    lifecycle : DataFrame
        Output of :func:`lifecycle_table`.
    language : {"es", "en"}, default "es"
        Language of ``lifecycle_label``.

    Returns
    -------
    DataFrame
        One row per class in the order new, active, inactive, lost, special
        (all five): ``lifecycle`` (code), ``lifecycle_label``, ``n_customers``,
        ``customer_share``, ``monetary``, ``value_share`` (of the positive total).
    """
    from crmlib.i18n import t

    g = lifecycle.groupby("lifecycle")
    out = pd.DataFrame({"n_customers": g.size(), "monetary": g["monetary"].sum()}).reindex(
        list(LIFECYCLE_CLASSES))
    out["n_customers"] = out["n_customers"].fillna(0).astype("int64")
    out["monetary"] = out["monetary"].fillna(0.0)
    out["customer_share"] = out["n_customers"] / max(len(lifecycle), 1)
    pos = out["monetary"].clip(lower=0).sum()
    out["value_share"] = out["monetary"].clip(lower=0) / pos if pos > 0 else 0.0
    out = out.rename_axis("lifecycle").reset_index()
    out["lifecycle_label"] = [t(f"differentiate.lifecycle.{c}", language)
                              for c in out["lifecycle"]]
    return out[["lifecycle", "lifecycle_label", "n_customers", "customer_share", "monetary",
                "value_share"]]


_PERIODS = {"M": "M", "Q": "Q", "Y": "Y"}


def _period_frame(tx, period):
    days = _purchase_days(tx)
    days = days[days["purchase"]]
    p = days["day"].dt.to_period(_PERIODS[period])
    return pd.DataFrame({"customer_id": days["customer_id"].to_numpy(), "period": p.to_numpy(),
                         "value": days["value"].to_numpy()})


def retention_table(transactions: pd.DataFrame, *, as_of=None,
                    period: str = "Y") -> pd.DataFrame:
    """Retention and churn from one period to the next.

    Retention is the share of the customers who bought in one period who buy
    again in the next; churn is its complement.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        The last period is the one holding ``as_of``.
    period : {"M", "Q", "Y"}, default "Y"
        Month, quarter or year.

    Returns
    -------
    DataFrame
        One row per period from the first with purchases to the one holding
        ``as_of``: ``period`` (label, e.g. ``"2024"``, ``"2024Q3"``,
        ``"2024-07"``), ``period_start``, ``period_end``, ``complete`` (False
        when ``as_of`` falls before the period's end), ``active`` (customers
        buying), ``new`` (first purchase ever), ``retained`` (bought in the
        previous period too), ``returning`` (back after a gap),
        ``customers_start`` (active in the previous period), ``lost``
        (active in the previous period, not in this one), ``retention_rate``,
        ``churn_rate`` (NaN for the first period), ``value``.
    """
    check_choice("period", period, _PERIODS)
    tx = _clean_transactions(transactions, "retention_table", as_of=as_of)
    as_of = _as_of(tx, as_of)
    _need_rows(tx, "retention_table")
    pf = _period_frame(tx, period)
    first = pf.groupby("customer_id")["period"].min()
    periods = pd.period_range(pf["period"].min(), as_of.to_period(_PERIODS[period]),
                              freq=_PERIODS[period])
    sets = pf.groupby("period")["customer_id"].agg(lambda s: set(s))
    values = pf.groupby("period")["value"].sum()
    new_per = first.groupby(first).size()
    rows = []
    prev: set | None = None
    seen: set = set()
    for p in periods:
        cur = sets.get(p, set())
        n_new = int(new_per.get(p, 0))
        retained = len(cur & prev) if prev is not None else 0
        start = len(prev) if prev is not None else 0
        rate = retained / start if prev is not None and start else np.nan
        rows.append({
            "period": str(p), "period_start": p.start_time.normalize(),
            "period_end": p.end_time.normalize(),
            "complete": bool(as_of >= p.end_time.normalize()),
            "active": len(cur), "new": n_new, "retained": retained,
            "returning": len(cur) - n_new - retained,
            "customers_start": start, "lost": start - retained,
            "retention_rate": rate, "churn_rate": 1 - rate if not np.isnan(rate) else np.nan,
            "value": float(values.get(p, 0.0)),
        })
        seen |= cur
        prev = cur
    out = pd.DataFrame(rows)
    out["period_start"] = out["period_start"].astype("datetime64[ns]")
    out["period_end"] = out["period_end"].astype("datetime64[ns]")
    return out


def cohort_table(transactions: pd.DataFrame, *, as_of=None, period: str = "Q") -> pd.DataFrame:
    """Cohort retention: of the customers who first bought in a period, the
    share buying again k periods later.

    Parameters
    ----------
    transactions : DataFrame
    as_of : date-like, optional
    period : {"M", "Q", "Y"}, default "Q"

    Returns
    -------
    DataFrame
        Long table, one row per cohort and age up to ``as_of``: ``cohort``
        (label of the first-purchase period), ``period_index`` (0 = the cohort's
        own period), ``period`` (label), ``cohort_size``, ``n_active``,
        ``retention`` (``n_active / cohort_size``; 1 at index 0), ``value``.
    """
    check_choice("period", period, _PERIODS)
    tx = _clean_transactions(transactions, "cohort_table", as_of=as_of)
    as_of = _as_of(tx, as_of)
    _need_rows(tx, "cohort_table")
    pf = _period_frame(tx, period)
    first = pf.groupby("customer_id")["period"].min().rename("cohort")
    pf = pf.join(first, on="customer_id")
    last = as_of.to_period(_PERIODS[period])
    ordinal = pf["period"].map(lambda p: p.ordinal).to_numpy()
    cohort_ord = pf["cohort"].map(lambda p: p.ordinal).to_numpy()
    pf = pf.assign(period_index=ordinal - cohort_ord, cohort_ord=cohort_ord)
    act = pf.groupby(["cohort_ord", "period_index"]).agg(
        n_active=("customer_id", "nunique"), value=("value", "sum"))
    sizes = first.map(lambda p: p.ordinal).value_counts()
    freq = _PERIODS[period]
    rows = []
    for c_ord in sorted(sizes.index):
        size = int(sizes[c_ord])
        for k in range(last.ordinal - c_ord + 1):
            n_act = int(act["n_active"].get((c_ord, k), 0))
            rows.append({
                "cohort": str(pd.Period(ordinal=c_ord, freq=freq)),
                "period_index": k,
                "period": str(pd.Period(ordinal=c_ord + k, freq=freq)),
                "cohort_size": size, "n_active": n_act, "retention": n_act / size,
                "value": float(act["value"].get((c_ord, k), 0.0)),
            })
    return pd.DataFrame(rows)


def retention_summary(retention: pd.DataFrame) -> pd.Series:
    """Key figures of the last period of a :func:`retention_table` that has a rate.

    Returns
    -------
    Series
        ``period``, ``complete``, ``active``, ``retention_rate``, ``churn_rate``,
        ``mean_retention_rate`` (over all periods with a rate).
    """
    rated = retention.dropna(subset=["retention_rate"])
    if rated.empty:
        return pd.Series({"period": None, "complete": None, "active": None,
                          "retention_rate": math.nan, "churn_rate": math.nan,
                          "mean_retention_rate": math.nan})
    last = rated.iloc[-1]
    return pd.Series({"period": last["period"], "complete": bool(last["complete"]),
                      "active": int(last["active"]), "retention_rate": last["retention_rate"],
                      "churn_rate": last["churn_rate"],
                      "mean_retention_rate": float(rated["retention_rate"].mean())},
                     dtype=object)
