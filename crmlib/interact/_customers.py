"""Contacts seen from the customer: lost complainers, latest contacts, cost to serve.

:func:`lost_after_complaint` finds complainers who stopped buying (the
lost-customer analysis of source 001), :func:`last_contacts` lists each
customer's latest contacts over every channel so a conversation can be picked
up where it was left, and :func:`contact_cost_by_segment` sets the frequency
and cost of contacts against each segment's value (source 004).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.interact._complaint_metrics import _values_table
from crmlib.interact._tickets import (
    DEFAULT_CLOSED_STATUSES,
    DEFAULT_REOPENED_STATUSES,
    _check_positive,
    _complaints,
    _norm_label,
    _require,
    ticket_table,
)
from crmlib.interact._timestamps import _as_of, local_timestamps


def _purchases(transactions: pd.DataFrame) -> pd.DataFrame:
    _require(transactions, "transactions", ["customer_id", "date", "amount"])
    tx = transactions[["customer_id", "date", "amount"]].dropna(subset=["customer_id"])
    return tx.assign(date=local_timestamps(tx["date"], table="transactions", column="date"),
                     amount=pd.to_numeric(tx["amount"], errors="coerce"))


def lost_after_complaint(
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    inactive_days: float = 180,
    value_days: float = 365,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Complainers and whether they stopped buying after their last complaint.

    A customer is *lost after a complaint* when they bought before their last
    complaint, bought nothing after the day of it, and at least
    ``inactive_days`` have passed since it: the lost-customer analysis of source
    001 restricted to complainers.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    transactions : DataFrame
        Contract ``transactions`` (``customer_id``, ``date``, ``amount``).
    inactive_days : float, default 180
        Days without purchases after the complaint that make a customer lost.
    value_days : float, default 365
        Length of the period before the complaint whose net purchases are
        reported as ``value_before``.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per complaining customer, lost ones first, then by
        ``value_before`` descending and ``customer_id``: ``customer_id``,
        ``last_complaint_at``, ``last_complaint_closed`` (bool),
        ``last_purchase_at`` (NaT if never), ``days_since_purchase``,
        ``value_before``, ``lost`` (bool).
    """
    _check_positive("inactive_days", inactive_days)
    _check_positive("value_days", value_days)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    tx = _purchases(transactions)
    when = _as_of(as_of, tickets["opened_at"], tx["date"])
    tickets = tickets[tickets["customer_id"].notna() & (tickets["opened_at"] <= when)]
    tx = tx[tx["date"] <= when]
    last_c = (tickets.sort_values(["customer_id", "opened_at", "row"])
              .drop_duplicates("customer_id", keep="last")
              .set_index("customer_id")[["opened_at", "is_closed"]]
              .rename(columns={"opened_at": "last_complaint_at",
                               "is_closed": "last_complaint_closed"}))
    m = tx.merge(last_c, left_on="customer_id", right_index=True, how="inner")
    c_day = m["last_complaint_at"].dt.floor("D")
    after = m[m["date"].dt.floor("D") > c_day].groupby("customer_id").size()
    before = m[m["date"].dt.floor("D") <= c_day]
    in_window = before[before["date"] > before["last_complaint_at"]
                       - pd.Timedelta(days=value_days)]
    value_before = in_window.groupby("customer_id")["amount"].sum()
    bought_before = before.groupby("customer_id").size()
    last_p = tx.groupby("customer_id")["date"].max()
    out = last_c.reset_index()
    out["last_purchase_at"] = out["customer_id"].map(last_p).astype("datetime64[ns]")
    out["days_since_purchase"] = (when - out["last_purchase_at"]).dt.total_seconds() / 86400.0
    out["value_before"] = out["customer_id"].map(value_before).fillna(0.0).astype(float)
    since = (when - out["last_complaint_at"]).dt.total_seconds() / 86400.0
    out["lost"] = (out["customer_id"].map(bought_before).fillna(0).to_numpy() > 0) & (
        out["customer_id"].map(after).fillna(0).to_numpy() == 0) & (since >= inactive_days)
    out["last_complaint_closed"] = out["last_complaint_closed"].astype(bool)
    out = out.sort_values(["lost", "value_before", "customer_id"],
                          ascending=[False, False, True], kind="stable")
    return out[["customer_id", "last_complaint_at", "last_complaint_closed",
                "last_purchase_at", "days_since_purchase", "value_before",
                "lost"]].reset_index(drop=True)


def last_contacts(
    interactions: pd.DataFrame,
    *,
    n: int = 3,
    customers=None,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Each customer's latest contacts over every channel, newest first.

    Whoever talks to a customer next can pick the conversation up where it was
    left, whatever channel it happened on (contact continuity).

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    n : int, default 3
        Contacts kept per customer.
    customers : list of str or DataFrame, optional
        Only these customers, in this order: a list of ids or a table with a
        ``customer_id`` column (such as :func:`valuable_complainers`).
    timezone, as_of
        See :func:`complaint_metrics`; contacts after ``as_of`` are ignored.

    Returns
    -------
    DataFrame
        ``customer_id``, ``order`` (1 = latest), ``opened_at``, ``days_ago``
        (from ``as_of``), ``channel``, ``kind``, ``category``, ``status``,
        ``is_closed``, ``n_channels`` (distinct channels among the customer's
        kept contacts). Customers by ``customers`` order, else by latest
        contact descending then ``customer_id``.
    """
    if not (isinstance(n, int) and n >= 1):
        raise ParameterError(f"n must be an integer >= 1; got {n!r}", parameter="n",
                             allowed=">= 1", value=n)
    tickets = ticket_table(interactions, timezone=timezone, as_of=as_of)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].notna() & (tickets["opened_at"] <= when)]
    for col in ("channel", "kind", "category"):
        if col not in tickets:
            tickets = tickets.assign(**{col: None})
    tickets = tickets.sort_values(["customer_id", "opened_at", "row"],
                                  ascending=[True, False, False])
    tickets = tickets.assign(order=tickets.groupby("customer_id").cumcount() + 1)
    kept = tickets[tickets["order"] <= n]
    kept = kept.assign(
        days_ago=(when - kept["opened_at"]).dt.total_seconds() / 86400.0,
        n_channels=kept.groupby("customer_id")["channel"].transform("nunique").astype(int))
    if customers is not None:
        wanted = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                      else customers)
        pos = {c: i for i, c in enumerate(wanted)}
        kept = kept[kept["customer_id"].isin(pos)]
        kept = kept.assign(_pos=kept["customer_id"].map(pos)).sort_values(["_pos", "order"])
    else:
        latest = kept.groupby("customer_id")["opened_at"].transform("max")
        kept = kept.assign(_latest=latest).sort_values(["_latest", "customer_id", "order"],
                                                       ascending=[False, True, True])
    return kept[["customer_id", "order", "opened_at", "days_ago", "channel", "kind", "category",
                 "status", "is_closed", "n_channels"]].reset_index(drop=True)


def contact_cost_by_segment(
    interactions: pd.DataFrame,
    customer_values: pd.DataFrame,
    *,
    cost_per_contact=None,
    period_days: float = 365,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Contact frequency and cost per segment, set against the segment's value.

    Source 004 asks to cut the cost of serving the least valuable customers and
    to spend the effort on the most valuable; this table shows where contacts
    and their cost go.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``; its ``cost`` column is used when present.
    customer_values : DataFrame
        ``customer_id``, ``value`` and ``segment`` (or ``pareto_class``, as in
        :func:`crmlib.differentiate.pareto_table`), for all customers, so that
        segments count customers who never made contact.
    cost_per_contact : float or dict, optional
        Cost of one contact, or ``{channel: cost}``, used where ``cost`` is
        missing. Without either, costs are NaN.
    period_days : float, default 365
        Only contacts opened in the period ending at ``as_of`` count.
    timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per segment, by ``value`` descending: ``segment``,
        ``n_customers``, ``n_contacts``, ``contacts_per_customer``, ``cost``,
        ``cost_per_customer``, ``value``, ``value_per_customer``,
        ``cost_per_100_value`` (cost per 100 of value; NaN when value is not
        positive).
    """
    _check_positive("period_days", period_days)
    values = _values_table(customer_values)
    if "segment" not in values:
        raise DataError([DataProblem("customer_values", "segment", "is required but missing")])
    values = values.assign(segment=values["segment"].astype(object).where(
        values["segment"].notna(), "unknown"))
    tickets = ticket_table(interactions, timezone=timezone, as_of=as_of)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[(tickets["opened_at"] <= when)
                      & (tickets["opened_at"] > when - pd.Timedelta(days=period_days))]
    cost = tickets["cost"] if "cost" in tickets else pd.Series(np.nan, index=tickets.index)
    if cost_per_contact is not None:
        if isinstance(cost_per_contact, dict):
            by_channel = {_norm_label(k): float(v) for k, v in cost_per_contact.items()}
            chan = tickets["channel"] if "channel" in tickets else pd.Series(
                None, index=tickets.index, dtype=object)
            fill = chan.map(by_channel)
        elif isinstance(cost_per_contact, (int, float)) and not isinstance(cost_per_contact,
                                                                           bool):
            fill = pd.Series(float(cost_per_contact), index=tickets.index)
        else:
            raise ParameterError(
                f"cost_per_contact must be a number or a {{channel: cost}} dict; got "
                f"{cost_per_contact!r}", parameter="cost_per_contact",
                allowed="float | dict", value=cost_per_contact)
        cost = cost.fillna(fill)
    tickets = tickets.assign(_cost=cost.astype(float))
    seg = tickets.merge(values[["customer_id", "segment"]], on="customer_id", how="inner")
    per_contact = seg.groupby("segment").agg(n_contacts=("row", "size"),
                                             cost=("_cost", lambda s: s.sum(min_count=1)))
    per_value = values.groupby("segment").agg(n_customers=("customer_id", "size"),
                                              value=("value", "sum"))
    out = per_value.join(per_contact, how="left").reset_index()
    out["n_contacts"] = out["n_contacts"].fillna(0).astype(int)
    out["contacts_per_customer"] = out["n_contacts"] / out["n_customers"]
    out["cost_per_customer"] = out["cost"] / out["n_customers"]
    out["value_per_customer"] = out["value"] / out["n_customers"]
    out["cost_per_100_value"] = 100.0 * out["cost"] / out["value"].where(out["value"] > 0)
    out = out.sort_values(["value", "segment"], ascending=[False, True])
    return out[["segment", "n_customers", "n_contacts", "contacts_per_customer", "cost",
                "cost_per_customer", "value", "value_per_customer",
                "cost_per_100_value"]].reset_index(drop=True)
