"""Hard indices of service quality, control charts and the response-time study.

Source 001 follows service with objective indices (response and waiting time,
errors, complaints, customers lost, transaction volume): :func:`hard_indices`
computes them month by month, :func:`xmr_chart` and :func:`p_chart` put
control limits around a series, and :func:`response_time_study` compares
remote, phone and in-person encounters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import t
from crmlib.interact._customers import _purchases
from crmlib.interact._tickets import (
    DEFAULT_CLOSED_STATUSES,
    DEFAULT_REOPENED_STATUSES,
    _check_positive,
    _require,
    ticket_table,
)
from crmlib.interact._timestamps import _as_of

HARD_INDICES = ("response_minutes", "wait_minutes", "resolution_hours", "errors", "complaints",
                "customers_lost", "transactions")


def hard_indices(
    interactions: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    *,
    inactive_days: float = 180,
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """The hard (objective) quality indices of source 001, month by month.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    transactions : DataFrame, optional
        Contract ``transactions``; needed for ``customers_lost`` and
        ``transactions``.
    inactive_days : float, default 180
        A customer is lost in the month of their last purchase when they have
        not bought for this many days by ``as_of``. Months closer to ``as_of``
        than this cannot be judged yet and get no value.
    closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        Long table, one row per month and index present in the data: ``period``
        (first day of the month), ``index`` — ``response_minutes`` (mean minutes
        to the first response), ``wait_minutes`` (mean wait), ``resolution_hours``
        (median), ``errors`` (tickets reopened: work done again), ``complaints``
        (count), ``customers_lost``, ``transactions`` (count of sales lines) —
        and ``value``. Months with no contacts get 0 for the counts and NaN for
        times. Sorted by index, then period.
    """
    _check_positive("inactive_days", inactive_days)
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, timezone=timezone,
                           as_of=as_of)
    tx = _purchases(transactions) if transactions is not None else None
    when = _as_of(as_of, tickets["opened_at"], *( [tx["date"]] if tx is not None else []))
    tickets = tickets[tickets["opened_at"] <= when]
    starts = [tickets["opened_at"].min()] + ([tx["date"].min()] if tx is not None else [])
    start = min(s for s in starts if pd.notna(s))
    months = pd.period_range(start, when, freq="M")
    index = months.start_time
    period = tickets["opened_at"].dt.to_period("M")
    frames = {}
    for col in ("response_minutes", "wait_minutes"):
        if col in tickets:
            frames[col] = tickets.groupby(period)[col].mean()
    frames["resolution_hours"] = tickets.groupby(period)["resolution_hours"].median()
    frames["errors"] = tickets.groupby(period)["reopened"].sum().reindex(months, fill_value=0)
    comp = tickets if "kind" not in tickets else tickets[tickets["kind"] == "complaint"]
    frames["complaints"] = comp.groupby(comp["opened_at"].dt.to_period("M")).size().reindex(
        months, fill_value=0)
    if tx is not None:
        tx = tx[tx["date"] <= when]
        last = tx.groupby("customer_id")["date"].max()
        lost = last[(when - last).dt.total_seconds() / 86400.0 >= inactive_days]
        lost_n = lost.dt.to_period("M").value_counts().reindex(months, fill_value=0).astype(float)
        judged = (when - months.end_time).total_seconds() / 86400.0 >= inactive_days
        frames["customers_lost"] = lost_n.where(judged)
        frames["transactions"] = tx.groupby(tx["date"].dt.to_period("M")).size().reindex(
            months, fill_value=0)
    rows = []
    for name in HARD_INDICES:
        if name not in frames:
            continue
        s = frames[name].reindex(months)
        rows.append(pd.DataFrame({"period": index, "index": name,
                                  "value": s.to_numpy(dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def hard_indices_table(indices: pd.DataFrame, *, months: int = 12) -> pd.DataFrame:
    """The last ``months`` of :func:`hard_indices` side by side, for reading.

    Returns
    -------
    DataFrame
        One row per month (latest last): ``period`` (text ``YYYY-MM``) then
        one column per index, in the order of :data:`HARD_INDICES`.
    """
    if not (isinstance(months, int) and months >= 1):
        raise ParameterError(f"months must be an integer >= 1; got {months!r}",
                             parameter="months", allowed=">= 1", value=months)
    wide = indices.pivot(index="period", columns="index", values="value")
    wide = wide[[c for c in HARD_INDICES if c in wide.columns]].sort_index().tail(months)
    wide.columns.name = None
    wide.index = pd.DatetimeIndex(wide.index).strftime("%Y-%m")
    return wide.reset_index()


_FROM_COLUMN = ("response_minutes", "wait_minutes")


def xmr_chart(values: pd.DataFrame, *, index: str | None = None, lower_bound=0.0) -> pd.DataFrame:
    """Individuals (XmR) control chart: centre line and natural process limits.

    Limits are the mean plus and minus 2.66 times the mean moving range of
    consecutive points (2.66 = 3 / d2, d2 = 1.128 for ranges of two; Wheeler &
    Chambers, *Understanding Statistical Process Control*, ch. 9).

    Parameters
    ----------
    values : DataFrame
        ``period`` and ``value`` (and ``index`` when several series are stacked,
        as :func:`hard_indices` returns them).
    index : str, optional
        Which ``index`` to chart, when the table has that column. Asking for
        ``response_minutes`` or ``wait_minutes`` when the interactions had no
        such column is a :class:`~crmlib.exceptions.DataError` naming it.
    lower_bound : float or None, default 0
        Floor for the lower limit (counts and times cannot be negative); None
        keeps it as computed.

    Returns
    -------
    DataFrame
        The points with a value, in period order: ``period``, ``value``,
        ``moving_range`` (NaN for the first point), ``center``, ``ucl``, ``lcl``,
        ``signal`` (True beyond a limit). Empty when there are no values.
    """
    v = values
    if index is not None:
        if "index" not in v:
            raise ParameterError("index= needs a table with an 'index' column",
                                 parameter="index", value=index)
        known = sorted(v["index"].unique())
        if index in _FROM_COLUMN and index not in known:
            # a series hard_indices makes from an optional interactions column
            raise DataError([DataProblem(
                "interactions", index, "is missing from the interactions table, so the hard "
                f"indices have no {index!r} series to chart")])
        if index not in known:
            raise ParameterError(f"index must be one of {known}; got {index!r}",
                                 parameter="index", allowed=tuple(known), value=index)
        v = v[v["index"] == index]
    _require(v, "values", ["period", "value"])
    v = v.dropna(subset=["value"]).sort_values("period")[["period", "value"]].reset_index(
        drop=True)
    mr = v["value"].diff().abs()
    center = v["value"].mean()
    mr_bar = mr.mean() if len(v) > 1 else np.nan
    ucl = center + 2.66 * mr_bar
    lcl = center - 2.66 * mr_bar
    if lower_bound is not None and not np.isnan(lcl):
        lcl = max(lcl, lower_bound)
    return v.assign(moving_range=mr, center=center, ucl=ucl, lcl=lcl,
                    signal=(v["value"] > ucl) | (v["value"] < lcl))


def p_chart(counts: pd.DataFrame, *, successes: str, trials: str,
            period: str = "period") -> pd.DataFrame:
    """Proportion (p) control chart with limits that follow each period's size.

    Centre p̄ = Σ successes / Σ trials; limits p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ), clipped
    to [0, 1] (Montgomery, *Introduction to Statistical Quality Control*, 7th
    ed., section 7.2).

    Parameters
    ----------
    counts : DataFrame
        One row per period with the two count columns, e.g. the result of
        :func:`complaint_metrics` with ``by="month"``, where a rate is
        ``fcr_rate`` over ``fcr_n``.
    successes : str
        Column with the count of successes, or a ``*_rate`` column whose
        matching ``*_n`` is given as ``trials``.
    trials : str
        Column with the number of trials.
    period : str, default "period"
        Column naming the period (``month`` in :func:`complaint_metrics`).

    Returns
    -------
    DataFrame
        Periods with at least one trial, in order: ``period``, ``trials``,
        ``successes``, ``p``, ``center``, ``ucl``, ``lcl``, ``signal``.
    """
    _require(counts, "counts", [period, successes, trials])
    n = pd.to_numeric(counts[trials], errors="coerce")
    x = pd.to_numeric(counts[successes], errors="coerce")
    if successes.endswith("_rate"):
        x = (x * n).round()
    df = pd.DataFrame({"period": counts[period].to_numpy(), "trials": n.to_numpy(),
                       "successes": x.to_numpy()})
    df = df[df["trials"] > 0].sort_values("period").reset_index(drop=True)
    p_bar = df["successes"].sum() / df["trials"].sum() if len(df) else np.nan
    sd = np.sqrt(p_bar * (1 - p_bar) / df["trials"])
    df["p"] = df["successes"] / df["trials"]
    df["center"] = p_bar
    df["ucl"] = np.minimum(p_bar + 3 * sd, 1.0)
    df["lcl"] = np.maximum(p_bar - 3 * sd, 0.0)
    df["signal"] = (df["p"] > df["ucl"]) | (df["p"] < df["lcl"])
    return df


#: Channel words that mean a phone or an in-person encounter; anything else is remote.
_PHONE_WORDS = ("phone", "telefono", "call", "llamada", "call center", "callcenter",
                "call_center", "tel")
_IN_PERSON_WORDS = ("in person", "in_person", "presencial", "store", "tienda", "office",
                    "oficina", "branch", "sucursal", "counter", "mostrador", "reception",
                    "recepcion", "front desk", "visit", "visita", "face to face")
ENCOUNTERS = ("remote", "phone", "in_person")


def _encounter(tickets: pd.DataFrame) -> pd.Series:
    given = tickets["encounter"] if "encounter" in tickets else pd.Series(
        None, index=tickets.index, dtype=object)
    given = given.map(lambda v: v.replace(" ", "_") if isinstance(v, str) else None).astype(object)
    chan = tickets["channel"] if "channel" in tickets else pd.Series(None, index=tickets.index,
                                                                    dtype=object)
    derived = np.select(
        [chan.isin(_PHONE_WORDS).to_numpy(), chan.isin(_IN_PERSON_WORDS).to_numpy(),
         chan.notna().to_numpy()], ["phone", "in_person", "remote"], "unknown")
    valid = given.isin(ENCOUNTERS).to_numpy()
    return pd.Series(np.where(valid, given, derived), index=tickets.index, dtype=object)


def response_time_study(
    interactions: pd.DataFrame,
    *,
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
    language: str = "es",
) -> pd.DataFrame:
    """Response, waiting and resolution times by type of service encounter.

    Source 001 distinguishes remote encounters (no person involved: web, app,
    ATM), phone encounters and in-person encounters, judged on different cues.
    The ``encounter`` column is used when present; otherwise it is derived from
    the channel (phone words -> ``phone``; store, branch, office, reception ->
    ``in_person``; any other channel -> ``remote``).

    Returns
    -------
    DataFrame
        One row per encounter type present (``remote``, ``phone``,
        ``in_person``, then ``unknown``): ``encounter``, ``encounter_label``
        (in ``language``), ``n_contacts``,
        ``response_mean_minutes``, ``response_median_minutes``,
        ``response_p90_minutes``, ``wait_mean_minutes``,
        ``wait_median_minutes``, ``resolution_median_hours``. Minutes are NaN
        when the table lacks ``response_minutes`` / ``wait_minutes``.
    """
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, timezone=timezone, as_of=as_of)
    tickets = tickets.assign(encounter=_encounter(tickets))
    for col in ("response_minutes", "wait_minutes"):
        if col not in tickets:
            tickets[col] = np.nan
    g = tickets.groupby("encounter")
    out = pd.DataFrame({
        "n_contacts": g.size(),
        "response_mean_minutes": g["response_minutes"].mean(),
        "response_median_minutes": g["response_minutes"].median(),
        "response_p90_minutes": g["response_minutes"].quantile(0.9),
        "wait_mean_minutes": g["wait_minutes"].mean(),
        "wait_median_minutes": g["wait_minutes"].median(),
        "resolution_median_hours": g["resolution_hours"].median(),
    })
    order = [e for e in (*ENCOUNTERS, "unknown") if e in out.index]
    out = out.reindex(order).rename_axis("encounter").reset_index()
    out.insert(1, "encounter_label", [t(f"interact.encounter.{e}", language)
                                      for e in out["encounter"]])
    return out
