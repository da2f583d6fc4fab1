"""The method's customer types and the reactivation of inactive customers.

Sources: 002 ("tipos de clientes": active customers buy and promote the brand, potential
customers are those the company wants to attract, inactive ones float in the market and buy
from the competition; a CRM keeps potential and active customers); 001 ("clientes
inactivos": year-end festivities and other celebrations are the occasion to invite inactive
customers back, with a systematic telephone reactivation service that asks why they
stopped and records those interested for a sales visit); 004 (the valuable customers lost
over the last two years are the ones worth winning back).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.segment._base import _positive_int, _tx

TYPES = ("prospect", "active", "inactive")


def customer_base(customers: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                  links: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer known to the client: every registered record and every buyer.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers`` (every source stacked).
    transactions : DataFrame, optional
        Contract ``transactions``: buyers missing from the customer files are added (not
        registered).
    links : DataFrame, optional
        ``source``, ``customer_id``, ``master_id`` from
        :func:`crmlib.identify.consolidate` (its ``links``): records of one master count as
        one customer, named by the id its purchases carry (else its smallest id). Without
        it every distinct id is one customer, so a customer kept in two databases under
        two ids counts twice (run the consolidation of notebook 01 to merge them).

    Returns
    -------
    DataFrame
        ``customer_id``, ``name``, ``registered`` (in a customer file), ``identified``
        (a card: a name and an e-mail or phone), ``n_records``; sorted by id.
    """
    for col in ("customer_id", "name"):
        if col not in customers.columns:
            raise DataError([DataProblem("customers", col, "is required but missing")])
    c = customers.copy()
    c["customer_id"] = c["customer_id"].astype(str)

    def filled(col):
        if col not in c.columns:
            return pd.Series(False, index=c.index)
        return c[col].astype("string").fillna("").str.strip().ne("")

    c["_card"] = filled("name") & (filled("email") | filled("phone"))
    buyers = set()
    if transactions is not None:
        buyers = set(transactions["customer_id"].dropna().astype(str))
    if links is not None:
        key = ["source", "customer_id"] if "source" in c.columns and "source" in links.columns \
            else ["customer_id"]
        lk = links[key + ["master_id"]].copy()
        lk["customer_id"] = lk["customer_id"].astype(str)
        c = c.merge(lk, on=key, how="left")
        c["master_id"] = c["master_id"].fillna("id:" + c["customer_id"])
    else:
        c["master_id"] = "id:" + c["customer_id"]
    c["_buyer"] = c["customer_id"].isin(buyers)
    c = c.sort_values(["master_id", "_buyer", "customer_id"], ascending=[True, False, True])
    g = c.groupby("master_id", sort=False)
    base = pd.DataFrame({
        "customer_id": g["customer_id"].first(),
        "name": g["name"].first(),
        "registered": True,
        "identified": g["_card"].any(),
        "n_records": g.size(),
    }).reset_index(drop=True)
    missing = sorted(buyers - set(c["customer_id"]))
    if missing:
        base = pd.concat([base, pd.DataFrame({"customer_id": missing, "name": None,
                                              "registered": False, "identified": False,
                                              "n_records": 0})], ignore_index=True)
    base = base.drop_duplicates("customer_id")
    return base.sort_values("customer_id").reset_index(drop=True)


def customer_types(base: pd.DataFrame, transactions: pd.DataFrame, *, as_of=None,
                   active_days: int = 365, winback_days: int = 730) -> pd.DataFrame:
    """Prospect, active or inactive for every customer of :func:`customer_base`.

    Parameters
    ----------
    base : DataFrame
        :func:`customer_base`.
    transactions : DataFrame
        Contract ``transactions``.
    active_days : int, default 365
        A customer who bought in these last days is active (the method's "sales of the
        last year"); one who bought before only is inactive.
    winback_days : int, default 730
        The win-back window: inactive customers whose last purchase is at most this many
        days old are worth a reactivation call (source 004: the valuable customers lost
        in the last two years).

    Returns
    -------
    DataFrame
        ``customer_id``, ``name``, ``customer_type`` (``prospect``: registered, never
        bought; ``active``; ``inactive``), ``first_purchase``, ``last_purchase``,
        ``days_since_last``, ``n_purchases`` (distinct days with net sales),
        ``value_all_time`` (net), ``in_winback_window`` (inactive and within
        ``winback_days``).
    """
    active_days = _positive_int("active_days", active_days)
    winback_days = _positive_int("winback_days", winback_days)
    if winback_days < active_days:
        raise ParameterError(f"winback_days ({winback_days}) must not be shorter than "
                             f"active_days ({active_days})", parameter="winback_days",
                             value=winback_days)
    tx, stamp = _tx(transactions, "customer_types", as_of)
    day = tx.assign(day=tx["date"].dt.normalize())
    daily = day.groupby(["customer_id", "day"])["amount"].sum().reset_index()
    bought = daily[daily["amount"] > 0]
    g = bought.groupby("customer_id")
    hist = pd.DataFrame({"first_purchase": g["day"].min(), "last_purchase": g["day"].max(),
                         "n_purchases": g.size()})
    hist["value_all_time"] = tx.groupby("customer_id")["amount"].sum().reindex(hist.index)
    out = base[["customer_id", "name"]].merge(hist, left_on="customer_id", right_index=True,
                                              how="left")
    days = (stamp - out["last_purchase"]).dt.days
    out["days_since_last"] = days.astype("Int64")
    out["customer_type"] = np.select(
        [out["last_purchase"].isna(), days < active_days], ["prospect", "active"], "inactive")
    out["n_purchases"] = out["n_purchases"].fillna(0).astype(int)
    out["value_all_time"] = out["value_all_time"].fillna(0.0)
    out["in_winback_window"] = (out["customer_type"] == "inactive") & (days <= winback_days)
    return out[["customer_id", "name", "customer_type", "first_purchase", "last_purchase",
                "days_since_last", "n_purchases", "value_all_time",
                "in_winback_window"]].reset_index(drop=True)


def type_counts(types: pd.DataFrame) -> pd.DataFrame:
    """``customer_type``, ``n_customers``, ``share``, ``value_all_time`` and
    ``n_winback`` (inactive within the win-back window), in :data:`TYPES` order."""
    g = types.groupby("customer_type")
    out = pd.DataFrame({"n_customers": g.size(), "value_all_time": g["value_all_time"].sum(),
                        "n_winback": g["in_winback_window"].sum()}).reindex(list(TYPES))
    out = out.fillna(0)
    out["n_customers"] = out["n_customers"].astype(int)
    out["n_winback"] = out["n_winback"].astype(int)
    total = out["n_customers"].sum()
    out["share"] = out["n_customers"] / total if total else 0.0
    out.index.name = "customer_type"
    return out.reset_index()[["customer_type", "n_customers", "share", "value_all_time",
                              "n_winback"]]


def monthly_pattern(transactions: pd.DataFrame, *, as_of=None, n_peaks: int = 3
                    ) -> pd.DataFrame:
    """The client's seasonal pattern: average net sales per calendar month.

    Only whole months up to ``as_of`` count; each calendar month's figure is the mean over
    the years that have it, so a period that covers one January twice and another month
    once is not biased.

    Returns
    -------
    DataFrame
        ``month`` (1-12), ``sales`` (mean net sales of that month), ``n_years``,
        ``seasonal_index`` (sales over the mean of the twelve; 1 = an average month), ``peak`` (one of the
        ``n_peaks`` highest months; ties by month). Without a whole month of sales every
        figure is 0 and no month is a peak.
    """
    n_peaks = _positive_int("n_peaks", n_peaks)
    tx, stamp = _tx(transactions, "monthly_pattern", as_of)
    end = stamp + pd.Timedelta(days=1)
    whole = tx[tx["date"] < (end if end.day == 1 else end.replace(day=1))]
    if whole.empty:  # no whole month yet: a flat pattern with no peak
        return pd.DataFrame({"month": range(1, 13), "sales": 0.0, "n_years": 0,
                             "seasonal_index": 0.0, "peak": False})
    ym = whole.groupby([whole["date"].dt.year, whole["date"].dt.month])["amount"].sum()
    ym.index.names = ["year", "month"]
    by_month = ym.groupby(level="month")
    out = pd.DataFrame({"sales": by_month.mean(), "n_years": by_month.size()}).reindex(
        range(1, 13))
    out["n_years"] = out["n_years"].fillna(0).astype(int)
    out["sales"] = out["sales"].fillna(0.0)
    mean = out["sales"].mean()
    out["seasonal_index"] = out["sales"] / mean if mean > 0 else 0.0
    out.index.name = "month"
    out = out.reset_index()
    top = out.sort_values(["seasonal_index", "month"], ascending=[False, True]).head(n_peaks)["month"]
    out["peak"] = out["month"].isin(top)
    return out


def reactivation_calendar(pattern: pd.DataFrame, *, as_of, lead_days: int = 21,
                          year_end: bool = True) -> pd.DataFrame:
    """When to call inactive customers in the next twelve months: ahead of each peak.

    Parameters
    ----------
    pattern : DataFrame
        :func:`monthly_pattern`.
    as_of : date
        Valuation date; the calendar covers the twelve months after it.
    lead_days : int, default 21
        Calls start this many days before the peak month, so the customer can plan the
        purchase.
    year_end : bool, default True
        Add December (the year-end festivities, source 001) when it is not a peak already.

    Returns
    -------
    DataFrame
        One row per wave, in date order: ``wave`` (1, 2 ...), ``month`` (first day of the
        peak month), ``calls_from`` (the month's first day minus ``lead_days``, not before
        the day after ``as_of``), ``calls_until`` (the day before the month starts),
        ``seasonal_index`` (the month's), ``reason`` (``peak`` | ``year_end``).
    """
    lead_days = _positive_int("lead_days", lead_days)
    stamp = pd.Timestamp(as_of).normalize()
    months = pattern.loc[pattern["peak"], "month"].tolist()
    reasons = {m: "peak" for m in months}
    if year_end and 12 not in reasons:
        reasons[12] = "year_end"
    index = pattern.set_index("month")["seasonal_index"]
    rows = []
    first = (stamp + pd.Timedelta(days=1))
    for m, why in reasons.items():
        year = first.year if m >= first.month else first.year + 1
        if m == first.month and first.day > 1:
            year += 1
        start = pd.Timestamp(year=year, month=m, day=1)
        rows.append({"month": start,
                     "calls_from": max(start - pd.Timedelta(days=lead_days), first),
                     "calls_until": start - pd.Timedelta(days=1) if start > first else start,
                     "seasonal_index": float(index.get(m, np.nan)), "reason": why})
    out = pd.DataFrame(rows, columns=["month", "calls_from", "calls_until", "seasonal_index",
                                      "reason"])
    out = out.sort_values("month").reset_index(drop=True)
    out.insert(0, "wave", np.arange(1, len(out) + 1))
    return out


def reactivation_list(types: pd.DataFrame, calendar: pd.DataFrame, *,
                      per_wave: int | None = None, set_aside=None) -> pd.DataFrame:
    """The call list: inactive customers within the win-back window, most valuable first,
    spread over the waves of :func:`reactivation_calendar`.

    Parameters
    ----------
    types : DataFrame
        :func:`customer_types`.
    calendar : DataFrame
        :func:`reactivation_calendar`.
    per_wave : int, optional
        Calls the team can make per wave; by default the list is split evenly over the
        waves. The most valuable customers are called in the first wave. With a capacity
        too small for everyone, the rest are left for the next year (``wave`` 0).
    set_aside : iterable of customer ids, optional
        Customers not to call: those whose overdue debt has reached the hand-over step of
        collections (:func:`crmlib.view.debt_handed_over`). Inviting them back is the
        collections team's call, once the debt is settled; notebook 07 handles them.

    Returns
    -------
    DataFrame
        ``priority`` (1 = first call), ``customer_id``, ``name``, ``last_purchase``,
        ``days_since_last``, ``n_purchases``, ``value_all_time``, ``wave``, ``month``,
        ``calls_from``; by priority. ``attrs["set_aside"]`` counts the customers within the
        window left off because of ``set_aside``.
    """
    pool = types[types["in_winback_window"]]
    skip = set() if set_aside is None else {str(c) for c in set_aside}
    held = pool["customer_id"].astype(str).isin(skip)
    pool = pool[~held].sort_values(
        ["value_all_time", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    n_waves = len(calendar)
    cols = ["priority", "customer_id", "name", "last_purchase", "days_since_last",
            "n_purchases", "value_all_time", "wave", "month", "calls_from"]
    if pool.empty or n_waves == 0:
        out = pd.DataFrame(columns=cols)
        out.attrs["set_aside"] = int(held.sum())
        return out
    if per_wave is None:
        per_wave = int(np.ceil(len(pool) / n_waves))
    per_wave = _positive_int("per_wave", per_wave)
    wave = np.arange(len(pool)) // per_wave + 1
    wave = np.where(wave > n_waves, 0, wave)
    pool["wave"] = wave
    cal = calendar.set_index("wave")
    pool["month"] = pool["wave"].map(cal["month"])
    pool["calls_from"] = pool["wave"].map(cal["calls_from"])
    pool["priority"] = np.arange(1, len(pool) + 1)
    pool["days_since_last"] = pool["days_since_last"].astype(int)
    out = pool[cols]
    out.attrs["set_aside"] = int(held.sum())
    return out
