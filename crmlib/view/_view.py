"""Build the customer view from the contract tables by calling each stage's functions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.i18n import check_language, t
from crmlib.personalize._features import _FILLED_BY_VIEW, VIEW_COLUMNS
from crmlib.view._method import join_method


def customer_view(transactions: pd.DataFrame, *, customers: pd.DataFrame | None = None,
                  interactions: pd.DataFrame | None = None,
                  invoices: pd.DataFrame | None = None, owners: pd.DataFrame | None = None,
                  as_of=None, value_window_days: int = 365,
                  pareto_cutoffs: tuple[float, float] = (0.80, 0.95), value: str = "amount",
                  mvc_top: float = 0.10, rfm_bins: int = 5, new_days: int = 90,
                  active_days: int = 180, lost_days: int = 365,
                  decliner_threshold: float = 0.40, decliner_recent_days: int = 90,
                  clv_time_unit: str | None = "W", clv_horizon_months: int = 12,
                  discount_rate_annual: float = 0.10, closed_statuses=None,
                  contact_period_days: int = 365, recent_days: int = 30,
                  valuable_share: float = 0.20, slow_days: float = 7,
                  recovery_window_days: float = 30, high_risk_days: int = 90,
                  medium_risk_days: int = 30, dunning_days=(1, 15, 30, 60),
                  language: str = "es", segments: pd.DataFrame | None = None,
                  wallet: pd.DataFrame | None = None, funnel: pd.DataFrame | None = None,
                  customer_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer with the verdict of every stage of the method.

    Every verdict is computed by the stage's own function, with the same
    parameters the stage notebooks take, so the view never disagrees with a
    stage report run on the same parameters:

    * **value** (:func:`crmlib.differentiate.pareto_table`) on a stated
      window: by default the ``value_window_days`` = 365 days ending on
      ``as_of``, the method's "sales of the last year" (source 004). A customer
      who bought nothing in the window has value 0 and class C, whatever they
      bought before; ``value_all_time`` and ``pareto_class_all_time`` keep the
      all-time reading for win-back decisions. ``is_most_valuable`` marks the
      top ``mvc_top`` share by window value (:func:`~crmlib.differentiate.most_valuable`);
    * **RFM segment** (:func:`~crmlib.differentiate.rfm_scores`,
      :func:`~crmlib.differentiate.rfm_segments`) and **lifecycle**
      (:func:`~crmlib.differentiate.lifecycle_table`, special customers from
      ``customers``);
    * **decliners** (:func:`~crmlib.differentiate.decliners`) with their value
      at risk, and **below-zero** customers
      (:func:`~crmlib.differentiate.contribution_table`, costs to serve from the
      interactions' ``cost`` when there is one);
    * **CLV and P(alive)** (:class:`crmlib.clv.BetaGeoModel`,
      :class:`crmlib.clv.GammaGammaModel`, :func:`crmlib.clv.clv_table`);
    * **complaints** (:func:`crmlib.personalize.contact_features`; open
      complaints count whatever their age) and the **call list** of valuable
      complainers (:func:`crmlib.interact.valuable_complainers` on the window
      value);
    * **overdue status and balance** (:func:`crmlib.collections.customer_risk`);
    * **relationship stage** (:func:`crmlib.personalize.relationship_stages`);
    * **account owner** from ``owners`` when given.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    customers : DataFrame, optional
        Contract ``customers``: ``name`` and the ``special`` flag.
    interactions : DataFrame, optional
        Contract ``interactions``: complaints, contacts, costs to serve.
    invoices : DataFrame, optional
        Contract ``invoices``: open and overdue balance.
    owners : DataFrame, optional
        ``customer_id``, ``account_owner``: who looks after each account.
    as_of : date, optional
        Valuation date; default the last transaction date.
    value_window_days : int, default 365
        Length of the value window ending on ``as_of``.
    pareto_cutoffs, value, mvc_top, rfm_bins, new_days, active_days, lost_days,
    decliner_threshold, decliner_recent_days : see notebook 02 and
        :mod:`crmlib.differentiate`.
    clv_time_unit : {"D", "W", "M"} or None, default "W"
        Time unit of the BG/NBD fit; None leaves CLV out.
    clv_horizon_months, discount_rate_annual : CLV horizon and discount rate.
    closed_statuses, contact_period_days, recent_days, valuable_share, slow_days,
    recovery_window_days : see notebooks 03 and 04.
    high_risk_days, medium_risk_days : see :func:`crmlib.collections.customer_risk`.
    dunning_days : 4 ints, default (1, 15, 30, 60)
        Days overdue from which each collection step is due (see
        :func:`crmlib.collections.dunning_plan`).
    language : {"es", "en"}
        Language of ``segment_label`` and of the notes in ``attrs``.
    segments, wallet, funnel, customer_types : DataFrame, optional
        Results of the segments stage (:mod:`crmlib.segment`), joined at the end of the
        view by :func:`crmlib.view._method.join_method`: ``needs_segment``,
        ``share_of_wallet``, ``wallet_gap``, ``wallet_source``, ``funnel_step``,
        ``customer_type``, ``in_winback_window``; each only when its table is given.

    Returns
    -------
    DataFrame
        One row per customer who bought by ``as_of``, by ``value_rank``: the
        columns of :data:`VIEW_COLUMNS`, always all of them; those of an absent
        input (or of CLV left out) are empty, so a rule testing them never holds.
        ``value_window`` is the window as the reader writes it (``02/01/2024 – 31/12/2024``;
        ``attrs['value_window']`` has it in ISO dates);
        ``overdue_status`` is ``none`` (nothing open), ``current``, ``low``,
        ``medium`` or ``high``; ``collection_step`` is the dunning step the
        days overdue call for (``reminder``, ``second_notice``,
        ``final_notice``, ``handover``; ``none`` when nothing is overdue). ``attrs`` holds ``as_of``, ``value_window``
        (start, end, days), ``parameters``, ``missing`` (for each stage left
        out, the reason as a sentence in ``language``) and ``missing_keys`` (the
        same as catalog keys, so :func:`view_notes` can say it in any language).

    Raises
    ------
    DataError
        As the stage functions do, naming table, column and rows.
    """
    from crmlib import clv, collections, personalize
    from crmlib import differentiate as dif

    check_language(language)
    special = customers if customers is not None and "special" in customers else None
    view = personalize.customer_table(
        transactions, interactions, as_of=as_of, period_days=contact_period_days,
        recent_days=recent_days, value_window_days=value_window_days,
        pareto_cutoffs=pareto_cutoffs, value=value, mvc_top=mvc_top, rfm_bins=rfm_bins,
        new_days=new_days, active_days=active_days, lost_days=lost_days,
        decliner_threshold=decliner_threshold, decliner_recent_days=decliner_recent_days,
        closed_statuses=closed_statuses, valuable_share=valuable_share, slow_days=slow_days,
        recovery_window_days=recovery_window_days, special=special, language=language)
    attrs = dict(view.attrs)
    when = pd.Timestamp(attrs["as_of"])
    missing = {k: tuple(v) for k, v in attrs["missing_keys"].items()
               if k not in _FILLED_BY_VIEW + ("owner",)}
    view = view.drop(columns=[c for g in _FILLED_BY_VIEW for c in VIEW_COLUMNS[g]
                              if c != "customer_id"])

    # CLV
    if clv_time_unit is None:
        missing["clv"] = ("view.missing.clv_off", {})
    else:
        try:
            s = dif.customer_summary(transactions, as_of=when, time_unit=clv_time_unit)
            bg = clv.BetaGeoModel(time_unit=clv_time_unit).fit(s)
            gg = clv.GammaGammaModel().fit(s)
            ct = clv.clv_table(bg, gg, s, horizon=clv_horizon_months, time_unit="M",
                               discount_rate=discount_rate_annual)
            view = view.merge(ct[["customer_id", "p_alive", "expected_purchases", "clv"]],
                              on="customer_id", how="left")
        except (DataError, ValueError, np.linalg.LinAlgError) as exc:
            missing["clv"] = ("view.missing.clv_failed", {"reason": type(exc).__name__})

    # collections
    if invoices is None:
        missing["collections"] = ("view.missing.invoices", {})
    else:
        risk = collections.customer_risk(invoices, as_of=when, high_days=high_risk_days,
                                         medium_days=medium_risk_days)
        view = view.merge(risk[["customer_id", "open_balance", "overdue", "max_days_overdue",
                                "risk"]].rename(columns={"overdue": "overdue_amount",
                                                         "risk": "overdue_status"}),
                          on="customer_id", how="left")
        view[["open_balance", "overdue_amount"]] = view[
            ["open_balance", "overdue_amount"]].fillna(0.0)
        view["max_days_overdue"] = view["max_days_overdue"].fillna(0)
        view["overdue_status"] = view["overdue_status"].fillna("none").astype(object)
        steps = collections.dunning_plan(invoices, as_of=when, stage_days=dunning_days)
        step = view["customer_id"].map(steps.set_index("customer_id")["stage_by_days"])
        view["collection_step"] = step.fillna("none").astype(object)

    # who the customer is
    if customers is not None:
        names = personalize.customer_names(customers)
        view = view.merge(names[["customer_id", "name"]], on="customer_id", how="left")
    if owners is not None:
        for c in ("customer_id", "account_owner"):
            if c not in owners.columns:
                raise DataError([DataProblem("owners", c, "is required but missing")])
        dup = owners["customer_id"].duplicated()
        if dup.any():
            raise DataError([DataProblem("owners", "customer_id", "has duplicate values",
                                         int(dup.sum()), len(owners),
                                         tuple(owners.loc[dup, "customer_id"].head(3).items()))])
        view = view.merge(owners[["customer_id", "account_owner"]].astype({"customer_id": str}),
                          on="customer_id", how="left")
    else:
        missing["owner"] = ("view.missing.owners", {})

    # the verdicts of an absent input are there, empty, so rules and checks that test them
    # simply do not apply; attrs["missing"] says why they are empty
    for group in _FILLED_BY_VIEW:
        for c in VIEW_COLUMNS[group]:
            if c not in view.columns:
                view[c] = pd.Series(np.nan if group == "clv" else None, index=view.index,
                                    dtype=float if group == "clv" else object)
    order = [c for cols in VIEW_COLUMNS.values() for c in cols]
    view = view[order].reset_index(drop=True)
    # the segments stage (notebook 09): needs segment, share of wallet, funnel step, type
    view = join_method(view, segments=segments, wallet=wallet, funnel=funnel,
                       customer_types=customer_types)
    attrs["missing"] = {k: t(key, language, **kw) for k, (key, kw) in missing.items()}
    attrs["missing_keys"] = {k: [key, kw] for k, (key, kw) in missing.items()}
    view.attrs.update(attrs)
    return view


def view_notes(view: pd.DataFrame, *, language: str = "es") -> str:
    """What the view rests on, in words: the value window and each stage left out.

    Returns
    -------
    str
        Markdown: one bullet for the window, one per missing input.
    """
    check_language(language)
    w = view.attrs.get("value_window")
    lines = []
    if w:
        lines.append(t("view.note.window", language, start=w["start"], end=w["end"],
                       days=w["days"]))
    lines += [t(key, language, **kw)
              for key, kw in (view.attrs.get("missing_keys") or {}).values()]
    return "\n".join(f"- {x}" for x in lines)
