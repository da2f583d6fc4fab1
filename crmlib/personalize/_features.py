"""The per-customer table that rules and relationship stages read.

Values and segments come from :mod:`crmlib.differentiate` and contacts from
:mod:`crmlib.interact`; :func:`customer_features` joins such tables on
``customer_id``, :func:`contact_features` sums up each customer's contacts, and
:func:`customer_table` builds the whole table from the raw transactions and
interactions.
"""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.interact import ticket_table


def customer_features(base: pd.DataFrame, *others: pd.DataFrame) -> pd.DataFrame:
    """Join customer tables on ``customer_id``, keeping every customer of ``base``.

    Parameters
    ----------
    base : DataFrame
        One row per customer (e.g. :func:`crmlib.differentiate.pareto_table`).
    *others : DataFrame
        More per-customer tables (RFM segments, lifecycle, contact features).
        A column already present is not taken again: the first table that has
        it wins, so ``monetary`` from two sources cannot clash.

    Returns
    -------
    DataFrame
        ``base`` in its order, with the new columns of each other table
        (empty where a customer is missing from that table).
    """
    for i, tbl in enumerate((base, *others)):
        if "customer_id" not in tbl.columns:
            raise DataError([DataProblem(f"table {i + 1}", "customer_id",
                                         "is required but missing")])
        dup = tbl["customer_id"].duplicated()
        if dup.any():
            raise DataError([DataProblem(f"table {i + 1}", "customer_id",
                                         "has duplicate values", int(dup.sum()), len(tbl),
                                         tuple(tbl.loc[dup, "customer_id"].head(3).items()))])
    out = base.reset_index(drop=True)
    for tbl in others:
        new = [c for c in tbl.columns if c not in out.columns]
        if new:
            out = out.merge(tbl[["customer_id", *new]], on="customer_id", how="left")
    return out


def customer_table(transactions: pd.DataFrame, interactions: pd.DataFrame | None = None, *,
                   as_of=None, period_days: float = 365, recent_days: float = 30,
                   language: str = "es", **options) -> pd.DataFrame:
    """The per-customer table the rules and stages read: the customer view.

    A shortcut for :func:`crmlib.view.customer_view` with the contact windows
    of this stage and, unless asked for (``clv_time_unit="W"``), without the
    CLV models, which the rules do not need: value and ABC class on the last
    year's sales, RFM segment, lifecycle, decliners, below-zero customers,
    complaints and the relationship stage, one row per customer who bought.

    Parameters
    ----------
    transactions, interactions : DataFrame
        Contracts ``transactions`` and (optional) ``interactions``.
    as_of : date, optional
        Valuation date.
    period_days, recent_days : float
        Passed to :func:`contact_features`.
    language : {"es", "en"}
        Language of the segment labels.
    **options
        More parameters of :func:`crmlib.view.customer_view` (``customers``,
        ``invoices``, ``owners``, ``value_window_days`` ...).

    Returns
    -------
    DataFrame
        As :func:`crmlib.view.customer_view`.
    """
    from crmlib.view import customer_view

    options.setdefault("clv_time_unit", None)
    return customer_view(transactions, interactions=interactions, as_of=as_of,
                         contact_period_days=period_days, recent_days=recent_days,
                         language=language, **options)


def contact_features(interactions: pd.DataFrame, *, as_of=None, period_days: float = 365,
                     recent_days: float = 30, closed_statuses=None) -> pd.DataFrame:
    """Per-customer contact facts for rules and relationship stages.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    as_of : date, optional
        Valuation date; default the end of the latest day in the data.
    period_days : float, default 365
        Contacts opened in this many days before ``as_of`` are counted.
    recent_days : float, default 30
        Window for ``recent_closed_complaints``.
    closed_statuses : list of str, optional
        See :func:`crmlib.interact.ticket_table`.

    Returns
    -------
    DataFrame
        One row per customer with a contact in the period or a complaint
        still open, by ``customer_id``: ``customer_id``, ``n_contacts``,
        ``n_complaints`` (counted over the period), ``n_open_complaints``
        (complaints open at ``as_of``, whatever their age: an old complaint never
        answered is still open), ``oldest_open_complaint_days`` (NaN when none is
        open), ``recent_closed_complaints`` (complaints closed in the last
        ``recent_days``), ``last_complaint_category``, ``n_praise``,
        ``last_contact_at``, ``preferred_channel`` (the channel used most;
        ties: most recent use, then alphabetical).
    """
    opts = {} if closed_statuses is None else {"closed_statuses": closed_statuses}
    tk = ticket_table(interactions, as_of=as_of, **opts)
    when = (pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            if as_of else tk["opened_at"].max())
    for col in ("kind", "channel", "category"):
        if col not in tk:
            tk = tk.assign(**{col: None})
    tk = tk[tk["customer_id"].notna() & (tk["opened_at"] <= when)]
    # a complaint still open is open whatever its age: it counts even when opened
    # before the period
    still_open = tk[(tk["kind"] == "complaint") & ~tk["is_closed"]]
    open_age = (when - still_open["opened_at"]).dt.total_seconds() / 86400.0
    og = still_open.assign(_age=open_age).groupby("customer_id")
    tk = tk[tk["opened_at"] > when - pd.Timedelta(days=period_days)]
    is_c = tk["kind"] == "complaint"
    recent = is_c & tk["is_closed"] & (tk["closed_at"] > when - pd.Timedelta(days=recent_days))
    tk = tk.assign(_c=is_c, _rc=recent, _p=tk["kind"] == "praise")
    g = tk.groupby("customer_id")
    out = pd.DataFrame({
        "n_contacts": g.size(),
        "n_complaints": g["_c"].sum(),
        "n_open_complaints": og.size(),
        "oldest_open_complaint_days": og["_age"].max(),
        "recent_closed_complaints": g["_rc"].sum(),
        "n_praise": g["_p"].sum(),
        "last_contact_at": g["opened_at"].max(),
    })
    counts = ["n_contacts", "n_complaints", "n_open_complaints", "recent_closed_complaints",
              "n_praise"]
    out[counts] = out[counts].fillna(0).astype(int)
    comp = tk[tk["_c"]].sort_values(["customer_id", "opened_at", "row"])
    out["last_complaint_category"] = comp.groupby("customer_id")["category"].last()
    ch = (tk.dropna(subset=["channel"]).groupby(["customer_id", "channel"])
          .agg(n=("row", "size"), last=("opened_at", "max")).reset_index()
          .sort_values(["customer_id", "n", "last", "channel"],
                       ascending=[True, False, False, True])
          .drop_duplicates("customer_id").set_index("customer_id")["channel"])
    out["preferred_channel"] = ch
    out = out.reset_index()
    out["last_complaint_category"] = out["last_complaint_category"].astype(object)
    out["preferred_channel"] = out["preferred_channel"].astype(object)
    return out.sort_values("customer_id").reset_index(drop=True)
