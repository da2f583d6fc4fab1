"""The per-customer table that rules and relationship stages read.

Values and segments come from :mod:`crmlib.differentiate` and contacts from
:mod:`crmlib.interact`; :func:`customer_features` joins such tables on
``customer_id``, :func:`contact_features` sums up each customer's contacts, and
:func:`customer_table` builds the whole table from the raw transactions and
interactions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, format_date, t
from crmlib.interact import ticket_table
from crmlib.personalize._stages import relationship_stages


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


#: Columns of the customer view (:func:`crmlib.view.customer_view`), grouped by the stage
#: that gives them; :func:`crmlib.view.customer_view` fills the clv, collections and
#: customer groups, which :func:`customer_table` leaves empty.
VIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id", "name", "account_owner"),
    "value": ("value_window", "value", "value_rank", "value_share", "pareto_class",
              "is_most_valuable", "value_all_time", "pareto_class_all_time"),
    "rfm": ("segment", "segment_label", "rfm_cell"),
    "lifecycle": ("lifecycle", "first_purchase", "last_purchase", "days_since_first",
                  "days_since_last", "n_purchases"),
    "decliners": ("is_decliner", "value_at_risk", "value_at_risk_annual"),
    "below_zero": ("contribution", "is_below_zero"),
    "clv": ("p_alive", "expected_purchases", "clv"),
    "complaints": ("n_contacts", "n_complaints", "n_open_complaints",
                   "oldest_open_complaint_days", "recent_closed_complaints",
                   "last_complaint_category", "n_praise", "last_contact_at",
                   "preferred_channel", "on_complaint_call_list",
                   "complaint_days_left_in_window"),
    "collections": ("open_balance", "overdue_amount", "max_days_overdue", "overdue_status",
                    "collection_step"),
    "relationship": ("relationship_stage", "next_stage_gap"),
}

_FILLED_BY_VIEW = ("clv", "collections", "customer")


def _check_days(name: str, value) -> int:
    if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0):
        raise ParameterError(f"{name} must be a whole number of days > 0; got {value!r}",
                             parameter=name, allowed="> 0", value=value)
    return int(value)


def _window(transactions: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
    """The transactions dated in the ``days`` days ending on ``as_of`` (inclusive)."""
    dates = pd.to_datetime(transactions["date"], errors="coerce")
    start = as_of - pd.Timedelta(days=days - 1)
    keep = (dates >= start).to_numpy() | dates.isna().to_numpy()
    # undated rows are kept so that the stage function reports them as it always does
    return transactions[keep]


def customer_table(transactions: pd.DataFrame, interactions: pd.DataFrame | None = None, *,
                   as_of=None, period_days: float = 365, recent_days: float = 30,
                   value_window_days: int = 365,
                   pareto_cutoffs: tuple[float, float] = (0.80, 0.95), value: str = "amount",
                   mvc_top: float = 0.10, rfm_bins: int = 5, new_days: int = 90,
                   active_days: int = 180, lost_days: int = 365,
                   decliner_threshold: float = 0.40, decliner_recent_days: int = 90,
                   closed_statuses=None, valuable_share: float = 0.20, slow_days: float = 7,
                   recovery_window_days: float = 30, special=None,
                   language: str = "es") -> pd.DataFrame:
    """The per-customer verdicts the rules and relationship stages read.

    The core of the customer view (:func:`crmlib.view.customer_view`, which adds
    CLV, collections, names and account owners): value and ABC class on the
    ``value_window_days`` days ending on ``as_of`` (the method's "sales of the
    last year"; all-time value and class kept apart), RFM segment, lifecycle,
    decliners and value at risk, below-zero customers, complaints (open ones
    whatever their age) and the complaint call list, and the relationship
    stage, each from its stage's own function. The columns the view adds are
    present and empty here, so rules that test them simply do not apply.

    Parameters
    ----------
    transactions, interactions : DataFrame
        Contracts ``transactions`` and (optional) ``interactions``.
    as_of : date, optional
        Valuation date; default the last transaction date.
    period_days, recent_days : float
        Passed to :func:`contact_features`.
    special : DataFrame or ids, optional
        Special customers, see :func:`crmlib.differentiate.lifecycle_table`.
    other parameters
        As :func:`crmlib.view.customer_view`.

    Returns
    -------
    DataFrame
        The columns of :data:`VIEW_COLUMNS`, one row per customer who bought, by
        value rank; ``attrs`` as in :func:`crmlib.view.customer_view`.
    """
    from crmlib import differentiate as dif
    from crmlib.interact import valuable_complainers

    check_language(language)
    window_days = _check_days("value_window_days", value_window_days)
    contact_period_days = period_days
    summary = dif.customer_summary(transactions, as_of=as_of, time_unit="D")
    when = pd.Timestamp(summary.attrs["as_of"]).normalize()
    start = when - pd.Timedelta(days=window_days - 1)
    missing: dict[str, tuple[str, dict]] = {}
    life = dif.lifecycle_table(transactions, as_of=when, new_days=new_days,
                               active_days=active_days, lost_days=lost_days, special=special)
    view = life[["customer_id"]].copy()

    # value on the window, and all time
    recent = _window(transactions, when, window_days)
    has_recent = len(dif.customer_summary(recent, as_of=when)) > 0 if len(recent) else False
    if has_recent:
        pw = dif.pareto_table(recent, cutoffs=tuple(pareto_cutoffs), as_of=when, value=value)
        mvc = set(dif.most_valuable(pw, top=mvc_top)["customer_id"])
    else:
        pw = pd.DataFrame({"customer_id": pd.Series(dtype=object), "value": 0.0,
                           "share": 0.0, "pareto_class": "C"})
        mvc = set()
    pa = dif.pareto_table(transactions, cutoffs=tuple(pareto_cutoffs), as_of=when, value=value)
    view = view.merge(pw[["customer_id", "value", "share", "pareto_class"]],
                      on="customer_id", how="left")
    view["value"] = view["value"].fillna(0.0).astype(float)
    view["value_share"] = view.pop("share").fillna(0.0).astype(float)
    view["pareto_class"] = view["pareto_class"].fillna("C").astype(object)
    view = view.sort_values(["value", "customer_id"], ascending=[False, True],
                            kind="mergesort").reset_index(drop=True)
    view["value_rank"] = np.arange(1, len(view) + 1)
    view["is_most_valuable"] = view["customer_id"].isin(mvc)
    # the window as a reader writes it (the view goes to the Excel workbook as it is);
    # attrs["value_window"] keeps it as ISO dates for programs
    view.insert(1, "value_window", f"{format_date(start, language, form='short')} – "
                                   f"{format_date(when, language, form='short')}")
    view = view.merge(pa[["customer_id", "value", "pareto_class"]].rename(
        columns={"value": "value_all_time", "pareto_class": "pareto_class_all_time"}),
        on="customer_id", how="left")

    # RFM and lifecycle
    seg = dif.rfm_segments(dif.rfm_scores(transactions, as_of=when, bins=rfm_bins),
                           language=language)
    view = view.merge(seg[["customer_id", "segment", "segment_label", "rfm_cell"]],
                      on="customer_id", how="left")
    view = view.merge(life[["customer_id", "lifecycle", "first_purchase", "last_purchase",
                            "days_since_first", "days_since_last", "n_purchases"]],
                      on="customer_id", how="left")

    # decliners and below zero
    dec = dif.decliners(transactions, as_of=when, threshold=decliner_threshold,
                        recent_days=decliner_recent_days)
    view = view.merge(dec[["customer_id", "value_at_risk", "value_at_risk_annual"]],
                      on="customer_id", how="left")
    view.insert(view.columns.get_loc("value_at_risk"), "is_decliner",
                view["customer_id"].isin(set(dec["customer_id"])))
    view[["value_at_risk", "value_at_risk_annual"]] = view[
        ["value_at_risk", "value_at_risk_annual"]].fillna(0.0)
    costs = interactions if interactions is not None and "cost" in interactions else None
    contrib = dif.contribution_table(transactions, costs=costs, as_of=when)
    view = view.merge(contrib[["customer_id", "contribution"]], on="customer_id", how="left")
    view["is_below_zero"] = (view["contribution"] < 0).to_numpy()

    # complaints and contacts
    if interactions is None:
        missing["complaints"] = ("view.missing.interactions", {})
    else:
        opts = {} if closed_statuses is None else {"closed_statuses": closed_statuses}
        cf = contact_features(interactions, as_of=when,
                                          period_days=contact_period_days,
                                          recent_days=recent_days, **opts)
        cols = [c for c in VIEW_COLUMNS["complaints"] if c in cf.columns]
        view = view.merge(cf[["customer_id", *cols]], on="customer_id", how="left")
        for c in ("n_contacts", "n_complaints", "n_open_complaints",
                  "recent_closed_complaints", "n_praise"):
            view[c] = view[c].fillna(0).astype(int)
        values = view[["customer_id", "value", "pareto_class"]]
        calls = valuable_complainers(
            interactions, values, top_share=valuable_share, slow_days=slow_days,
            recovery_window_days=recovery_window_days, as_of=when, **opts)
        view["on_complaint_call_list"] = view["customer_id"].isin(set(calls["customer_id"]))
        view = view.merge(calls[["customer_id", "days_left_in_window"]].rename(
            columns={"days_left_in_window": "complaint_days_left_in_window"}),
            on="customer_id", how="left")

    # relationship ladder
    stages = relationship_stages(view, language=language)
    view["relationship_stage"] = stages["relationship_stage"].to_numpy()
    view["next_stage_gap"] = stages["next_stage_gap"].to_numpy()

    for group in _FILLED_BY_VIEW + ("complaints",):
        for c in VIEW_COLUMNS[group]:
            if c not in view.columns:
                view[c] = pd.Series(np.nan if group == "clv" else None, index=view.index,
                                    dtype=float if group == "clv" else object)
    missing.update({"clv": ("view.missing.clv_off", {}),
                    "collections": ("view.missing.invoices", {}),
                    "owner": ("view.missing.owners", {})})
    view = view[[c for cols in VIEW_COLUMNS.values() for c in cols]].reset_index(drop=True)
    view.attrs.update({
        "as_of": when.strftime("%Y-%m-%d"),
        "value_window": {"start": start.strftime("%Y-%m-%d"), "end": when.strftime("%Y-%m-%d"),
                         "days": window_days},
        "missing": {k: t(key, language, **kw) for k, (key, kw) in missing.items()},
        "missing_keys": {k: [key, kw] for k, (key, kw) in missing.items()},
        "language": language,
        "parameters": {"pareto_cutoffs": list(pareto_cutoffs), "value": value,
                       "mvc_top": mvc_top, "lost_days": lost_days,
                       "decliner_threshold": decliner_threshold,
                       "recovery_window_days": recovery_window_days,
                       "valuable_share": valuable_share},
    })
    return view


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
