"""Complaint metrics and the customers behind the complaints.

:func:`complaint_metrics` gives volume, resolution time, first-contact
resolution and the 30-day recovery rate, overall or by channel, category,
segment or month; :func:`valuable_complainers` is the call list of high-value
customers with an open or slow complaint, and :func:`repeat_complainers` the
customers who keep complaining (source 004).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.interact._tickets import (
    DEFAULT_CLOSED_STATUSES,
    DEFAULT_REOPENED_STATUSES,
    _check_positive,
    _complaints,
    _require,
    ticket_table,
)
from crmlib.interact._timestamps import _as_of


def _with_segment(tickets: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    if customers is None:
        raise ParameterError("grouping by segment needs customers=(customer_id, segment)",
                             parameter="customers", allowed="DataFrame", value=None)
    if "segment" not in customers and "pareto_class" in customers:
        customers = customers.assign(segment=customers["pareto_class"])
    _require(customers, "customers", ["customer_id", "segment"])
    seg = customers.drop_duplicates("customer_id")[["customer_id", "segment"]]
    return tickets.merge(seg, on="customer_id", how="left")


_BY = ("channel", "category", "kind", "encounter", "segment", "month", "status")


def complaint_metrics(
    interactions: pd.DataFrame,
    *,
    by=None,
    customers: pd.DataFrame | None = None,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    recovery_window_days: float = 30,
    business_hours=None,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Volume, resolution time, first-contact resolution and recovery of complaints.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions`` (see :func:`ticket_table` for what may be messy).
    by : str or list of str, optional
        Group by ``channel``, ``category``, ``kind``, ``encounter``, ``status``,
        ``segment`` (needs ``customers``) or ``month`` (of opening). None: one
        row for everything.
    customers : DataFrame, optional
        ``customer_id`` and ``segment`` (or ``pareto_class``), for
        ``by="segment"``.
    kind : str, list or None, default "complaint"
        Which ``kind`` of contact to count; None counts every contact. Ignored
        when the table has no ``kind`` column.
    closed_statuses, reopened_statuses : list of str
        Status labels, see :func:`ticket_table`.
    recovery_window_days : float, default 30
        Days within which a complaint must be acted on (closed) to keep the
        customer (source 004: after 30 days, under 20 % are recovered).
    business_hours : None, True, dict or BusinessHours
        Measure the resolution time in opening hours instead of calendar hours.
    timezone : str, optional
        See :func:`local_timestamps`.
    as_of : date, optional
        Valuation moment; default: end of the latest day in the data.

    Returns
    -------
    DataFrame
        One row per group (groups sorted by ``n_contacts`` descending, then by
        name): the ``by`` columns (missing values shown as ``unknown``),
        ``n_contacts``, ``share`` (of all counted contacts), ``n_customers``,
        ``n_closed``, ``n_open``, ``n_reopened``, ``n_problem_rows`` (rows
        reported by :func:`ticket_problems`), ``median_resolution_hours`` and
        ``p90_resolution_hours`` (of closed, sound tickets; linear
        interpolation; business hours when ``business_hours`` is set),
        ``hours_basis`` (``calendar`` or ``business``), ``fcr_n`` (closed
        tickets with a known number of contacts, plus reopened ones), ``fcr_rate``
        (share of those solved at the first contact), ``recovery_n`` (complaints
        whose window has run out by ``as_of`` or that were closed),
        ``recovery_rate`` (share of those closed within the window). When no
        complaint has a close date (an export without ``closed_at``, or with it
        empty), neither rate can be measured: ``fcr_n`` and ``recovery_n`` are 0
        and both rates NaN, never 0.
    """
    _check_positive("recovery_window_days", recovery_window_days)
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    for g in groups:
        if g not in _BY:
            raise ParameterError(f"by must be None or some of {list(_BY)}; got {g!r}",
                                 parameter="by", allowed=_BY, value=g)
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, business_hours=business_hours,
                           timezone=timezone, as_of=as_of)
    tickets = _complaints(tickets, kind)
    if "segment" in groups:
        tickets = _with_segment(tickets, customers)
    if "month" in groups:
        tickets = tickets.assign(month=tickets["opened_at"].dt.to_period("M").dt.start_time)
    for g in groups:
        if g not in tickets.columns:
            tickets = tickets.assign(**{g: None})
        if g != "month":
            tickets = tickets.assign(**{g: tickets[g].astype(object).where(
                tickets[g].notna(), "unknown")})
    basis = "resolution_business_hours" if "resolution_business_hours" in tickets else \
        "resolution_hours"
    window_h = recovery_window_days * 24.0
    # without a single close date, "closed in time" and "solved at once" cannot be told
    dated = bool(tickets["closed_at"].notna().any())
    t = tickets.assign(
        _res=tickets[basis],
        _fcr_known=tickets["first_contact_resolution"].notna() & dated,
        _fcr=tickets["first_contact_resolution"].fillna(False).astype(bool),
        _rec_eligible=((tickets["is_closed"] & tickets["problem"].isna())
                       | (~tickets["is_closed"] & (tickets["age_days"] >= recovery_window_days)))
        & dated,
        _rec_ok=(tickets["resolution_hours"] <= window_h),
        _open=~tickets["is_closed"],
        _problem=tickets["problem"].notna(),
    )
    total = len(t)

    def summarise(g: pd.DataFrame) -> dict:
        res = g["_res"].dropna()
        fcr_n = int(g["_fcr_known"].sum())
        rec_n = int(g["_rec_eligible"].sum())
        return {
            "n_contacts": len(g),
            "share": len(g) / total if total else np.nan,
            "n_customers": int(g["customer_id"].nunique()),
            "n_closed": int(g["is_closed"].sum()),
            "n_open": int(g["_open"].sum()),
            "n_reopened": int(g["reopened"].sum()),
            "n_problem_rows": int(g["_problem"].sum()),
            "median_resolution_hours": float(res.median()) if len(res) else np.nan,
            "p90_resolution_hours": float(res.quantile(0.9)) if len(res) else np.nan,
            "hours_basis": "business" if basis != "resolution_hours" else "calendar",
            "fcr_n": fcr_n,
            "fcr_rate": float(g.loc[g["_fcr_known"], "_fcr"].mean()) if fcr_n else np.nan,
            "recovery_n": rec_n,
            "recovery_rate": float((g["_rec_ok"] & g["_rec_eligible"]).sum() / rec_n)
            if rec_n else np.nan,
        }

    if not groups:
        return pd.DataFrame([summarise(t)])
    rows = []
    for key, g in t.groupby(groups, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(groups, key)), **summarise(g)})
    cols = groups + list(summarise(t.iloc[:0]).keys())
    out = pd.DataFrame(rows, columns=cols)
    if "month" in groups:
        return out.sort_values(groups, kind="stable").reset_index(drop=True)
    return out.sort_values(["n_contacts", *groups], ascending=[False] + [True] * len(groups),
                           kind="stable").reset_index(drop=True)


def _values_table(customer_values: pd.DataFrame) -> pd.DataFrame:
    """``customer_id``, ``value`` and, when known, ``segment``.

    The segment is the ``segment`` column, else the ``pareto_class`` of
    :func:`crmlib.differentiate.pareto_table` (A/B/C), so that table can be
    passed as it is.
    """
    _require(customer_values, "customer_values", ["customer_id", "value"])
    v = customer_values
    if "segment" not in v and "pareto_class" in v:
        v = v.assign(segment=v["pareto_class"])
    cols = ["customer_id", "value"] + (["segment"] if "segment" in v else [])
    v = v[cols].drop_duplicates("customer_id")
    return v.assign(value=pd.to_numeric(v["value"], errors="coerce"))


def valuable_complainers(
    interactions: pd.DataFrame,
    customer_values: pd.DataFrame,
    *,
    top_share: float = 0.2,
    slow_days: float = 7,
    lookback_days: float = 90,
    recovery_window_days: float = 30,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Call list: high-value customers with an open or a slow complaint.

    Source 004 asks to find the valuable customers who complain, since their
    complaint may be the last chance to keep them, and to act within 30 days.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    customer_values : DataFrame
        ``customer_id``, ``value`` (any value measure: revenue, margin, CLV) and
        optionally ``segment`` (or ``pareto_class``), e.g. the result of
        :func:`crmlib.differentiate.pareto_table`.
    top_share : float, default 0.2
        Share of customers, by value, that count as valuable (0 < x <= 1);
        ties at the cut are broken by ``customer_id``.
    slow_days : float, default 7
        A complaint is slow when it took longer than this to close, or has been
        open longer than this.
    lookback_days : float, default 90
        Closed slow complaints older than this (by opening) are left out; open
        ones always count.
    recovery_window_days : float, default 30
        Window for acting on a complaint; ``days_left_in_window`` counts down to it.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per valuable complainer, by ``value`` descending, then
        ``oldest_open_days`` descending, then ``customer_id``: ``rank`` (1 =
        call first), ``customer_id``, ``segment`` (when given), ``value``,
        ``value_rank`` (1 = most valuable), ``n_open``, ``n_slow``,
        ``oldest_open_days`` (age of the oldest open complaint; NaN if none),
        ``last_complaint_at``, ``days_left_in_window`` (window minus the age of
        the oldest complaint in the list; negative once the window has passed),
        ``reason`` (``open``, ``slow`` or ``open+slow``).
    """
    if not (isinstance(top_share, (int, float)) and 0 < top_share <= 1):
        raise ParameterError(f"top_share must be in (0, 1]; got {top_share!r}",
                             parameter="top_share", allowed="(0, 1]", value=top_share)
    for name, v in (("slow_days", slow_days), ("lookback_days", lookback_days),
                    ("recovery_window_days", recovery_window_days)):
        _check_positive(name, v)
    values = _values_table(customer_values)
    values = values.sort_values(["value", "customer_id"], ascending=[False, True],
                                kind="stable").reset_index(drop=True)
    values["value_rank"] = np.arange(1, len(values) + 1)
    n_top = math.ceil(top_share * len(values))
    top = values.head(n_top)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].isin(set(top["customer_id"]))
                      & (tickets["opened_at"] <= when)]
    is_open = ~tickets["is_closed"]
    recent = tickets["opened_at"] >= when - pd.Timedelta(days=lookback_days)
    slow = (tickets["age_days"] > slow_days) & (is_open | recent)
    flagged = tickets.assign(_open=is_open, _slow=slow)
    flagged = flagged[flagged["_open"] | flagged["_slow"]]
    columns = ["rank", "customer_id"] + (["segment"] if "segment" in values else []) + [
        "value", "value_rank", "n_open", "n_slow", "oldest_open_days", "last_complaint_at",
        "days_left_in_window", "reason"]
    if flagged.empty:
        return pd.DataFrame(columns=columns)
    open_age = flagged["age_days"].where(flagged["_open"])
    per = flagged.assign(_open_age=open_age).groupby("customer_id").agg(
        n_open=("_open", "sum"), n_slow=("_slow", "sum"), oldest_open_days=("_open_age", "max"),
        oldest_opened=("opened_at", "min"))
    last = tickets.groupby("customer_id")["opened_at"].max().rename("last_complaint_at")
    per = per.join(last).reset_index()
    per["days_left_in_window"] = recovery_window_days - (
        (when - per["oldest_opened"]).dt.total_seconds() / 86400.0)
    per["reason"] = np.select([(per["n_open"] > 0) & (per["n_slow"] > 0), per["n_open"] > 0],
                              ["open+slow", "open"], "slow")
    out = top.merge(per, on="customer_id", how="inner")
    out = out.sort_values(["value", "oldest_open_days", "customer_id"],
                          ascending=[False, False, True], na_position="last", kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    out[["n_open", "n_slow"]] = out[["n_open", "n_slow"]].astype(int)
    return out[columns].reset_index(drop=True)


def repeat_complainers(
    interactions: pd.DataFrame,
    *,
    min_complaints: int = 2,
    within_days: float = 365,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Customers who complained at least ``min_complaints`` times in a period.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    min_complaints : int, default 2
        Complaints needed to be listed (>= 2).
    within_days : float, default 365
        Length of the period ending at ``as_of``.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        By ``n_complaints`` descending then ``customer_id``: ``customer_id``,
        ``n_complaints``, ``n_open``, ``n_categories`` (distinct categories),
        ``top_category`` (most frequent; ties alphabetical; empty without
        categories), ``first_at``, ``last_at``.
    """
    if not (isinstance(min_complaints, int) and min_complaints >= 2):
        raise ParameterError(f"min_complaints must be an integer >= 2; got {min_complaints!r}",
                             parameter="min_complaints", allowed=">= 2", value=min_complaints)
    _check_positive("within_days", within_days)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].notna()
                      & (tickets["opened_at"] <= when)
                      & (tickets["opened_at"] > when - pd.Timedelta(days=within_days))]
    if "category" not in tickets:
        tickets = tickets.assign(category=None)
    tickets = tickets.assign(_open=~tickets["is_closed"])
    per = tickets.groupby("customer_id").agg(
        n_complaints=("interaction_id", "size"), n_open=("_open", "sum"),
        n_categories=("category", "nunique"), first_at=("opened_at", "min"),
        last_at=("opened_at", "max")).reset_index()
    cat = (tickets.dropna(subset=["category"]).groupby(["customer_id", "category"]).size()
           .rename("n").reset_index()
           .sort_values(["customer_id", "n", "category"], ascending=[True, False, True])
           .drop_duplicates("customer_id").set_index("customer_id")["category"])
    per["top_category"] = per["customer_id"].map(cat).astype(object)
    per = per[per["n_complaints"] >= min_complaints]
    per[["n_complaints", "n_open", "n_categories"]] = per[
        ["n_complaints", "n_open", "n_categories"]].astype(int)
    per = per.sort_values(["n_complaints", "customer_id"], ascending=[False, True])
    return per[["customer_id", "n_complaints", "n_open", "n_categories", "top_category",
                "first_at", "last_at"]].reset_index(drop=True)
