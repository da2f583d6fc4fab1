"""The shifted beta-geometric (sBG) model of contract retention.

For a contractual business (subscriptions, plans, memberships renewed each
period) Fader & Hardie (2007), "How to project customer retention", *Journal
of Interactive Marketing* 21(1), model each customer's chance of cancelling at
a renewal as a constant ``theta`` drawn from ``Beta(alpha, beta)``. Then

* ``P(T = 1) = alpha / (alpha + beta)`` and ``P(T = t) = (beta + t - 2) /
  (alpha + beta + t - 1) P(T = t - 1)`` (equation 7): the customer's lifetime
  ``T`` is the number of periods paid for;
* the survivor function ``S(t) = B(alpha, beta + t) / B(alpha, beta)``
  (equation 5), and the retention rate ``r(t) = S(t) / S(t-1) = (beta + t -
  1) / (alpha + beta + t - 1)`` rises with tenure as the likely cancellers
  leave: heterogeneity, not changing customers;
* the discounted expected residual lifetime of a customer who has paid for
  ``n`` periods, i.e. made ``n - 1`` renewals (Fader & Hardie 2010,
  "Customer-base valuation in a contractual setting: the perils of ignoring
  heterogeneity", *Marketing Science* 29(1), equation 6)::

      DERL(d | n - 1 renewals) = (beta + n - 1) / (alpha + beta + n - 1)
                                 * 2F1(1, beta + n; alpha + beta + n; 1/(1+d))

  in periods, evaluated just before the coming renewal (its payment undiscounted).

:class:`ShiftedBetaGeoModel` fits ``alpha, beta`` by maximum likelihood from
a table of lifetimes (``periods`` paid and whether the customer ``churned``),
which :func:`cohort_lifetimes` makes from a cohort's survivor counts and
:func:`subscription_lifetimes` from a subscriptions table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crmlib.clv._base import NotFittedError, _fit_log_params, _Uncertainty, _WeightedLoglik
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

#: Contract periods the subscription tables can be cut into, and their length in months.
PERIOD_MONTHS = {"M": 1, "Q": 3, "Y": 12}


def cohort_lifetimes(survivors) -> pd.DataFrame:
    """Lifetimes of a cohort from the number still active at the end of each period.

    Parameters
    ----------
    survivors : sequence of int
        ``n_0, n_1, ..., n_k``: the cohort's size at the start and the number
        still active after each of ``k`` periods (non-increasing, ``n_0 > 0``).

    Returns
    -------
    DataFrame
        ``periods`` (1 .. k), ``churned`` (True: cancelled at the end of that
        period; one last row with False: renewed ``k`` times and still active),
        ``n_customers``.
    """
    n = np.asarray(survivors, dtype=float)
    if n.ndim != 1 or len(n) < 2:
        raise DataError([DataProblem("survivors", None, "needs the cohort size and at least "
                                     "one later count")])
    problems = []
    if not np.all(np.isfinite(n)) or np.any(n < 0) or np.any(n != np.round(n)):
        problems.append(DataProblem("survivors", None, "must be whole numbers >= 0"))
    elif n[0] <= 0:
        problems.append(DataProblem("survivors", None, "must start with a cohort size > 0"))
    rise = np.flatnonzero(np.diff(n) > 0)
    if len(rise):
        problems.append(DataProblem("survivors", None, "never rises (a survivor count grows)",
                                    len(rise), len(n),
                                    tuple((int(i + 1), float(n[i + 1])) for i in rise[:3])))
    if problems:
        raise DataError(problems)
    k = len(n) - 1
    lost = n[:-1] - n[1:]
    out = pd.DataFrame({"periods": np.r_[np.arange(1, k + 1), k].astype("int64"),
                        "churned": np.r_[np.ones(k, dtype=bool), False],
                        "n_customers": np.r_[lost, n[-1]].astype("int64")})
    return out


def _check_lifetimes(lifetimes: pd.DataFrame):
    if not isinstance(lifetimes, pd.DataFrame):
        raise ParameterError(f"lifetimes must be a DataFrame; got {type(lifetimes).__name__}",
                             parameter="lifetimes", allowed="DataFrame", value=type(lifetimes))
    problems = [DataProblem("lifetimes", c, "is required but missing")
                for c in ("periods", "churned") if c not in lifetimes.columns]
    if problems:
        raise DataError(problems)
    periods = pd.to_numeric(lifetimes["periods"], errors="coerce").to_numpy(dtype=float)
    churned = lifetimes["churned"]
    if not pd.api.types.is_bool_dtype(churned):
        problems.append(DataProblem("lifetimes", "churned", f"must be true/false (dtype "
                                    f"{churned.dtype})", len(churned), len(churned)))
        low = np.ones(len(periods))
    else:
        low = np.where(churned.to_numpy(dtype=bool), 1.0, 0.0)
    bad = ~np.isfinite(periods) | (periods < low) | (periods != np.round(periods))
    if bad.any():
        idx = np.flatnonzero(bad)[:3]
        problems.append(DataProblem("lifetimes", "periods", "must be a whole number, >= 1 for "
                                    "a cancelled contract and >= 0 for an active one",
                                    int(bad.sum()), len(bad),
                                    tuple((int(i), lifetimes["periods"].iloc[i]) for i in idx)))
    weights = np.ones(len(lifetimes))
    if "n_customers" in lifetimes.columns:
        weights = pd.to_numeric(lifetimes["n_customers"], errors="coerce").to_numpy(dtype=float)
        badw = ~np.isfinite(weights) | (weights < 0)
        if badw.any():
            problems.append(DataProblem("lifetimes", "n_customers", "must be a count >= 0",
                                        int(badw.sum()), len(badw)))
    if problems:
        raise DataError(problems)
    if len(lifetimes) == 0 or weights.sum() <= 0:
        raise DataError([DataProblem("lifetimes", None, "has no customers")])
    frame = pd.DataFrame({"t": periods, "c": churned.to_numpy(dtype=float), "w": weights})
    grouped = frame.groupby(["t", "c"], sort=True)["w"].sum()
    grouped = grouped[grouped > 0]
    keys = grouped.index.to_frame(index=False)
    return ({"t": keys["t"].to_numpy(dtype=float), "c": keys["c"].to_numpy(dtype=float)},
            grouped.to_numpy(dtype=float))


class ShiftedBetaGeoModel(_Uncertainty):
    """Shifted beta-geometric model of contract retention (Fader & Hardie 2007).

    Parameters
    ----------
    period : {"M", "Q", "Y"}, default "M"
        What one period of the lifetimes is (month, quarter, year); it only
        labels results and converts discount rates.
    n_starts : int, default 4
    random_state : int, default 0

    Attributes
    ----------
    params_ : Series
        ``alpha``, ``beta`` of the Beta distribution of the churn probability.
    log_likelihood_ : float
    std_errors_ : Series
    n_customers_ : int
    n_churned_ : int
    max_periods_ : int
        Longest lifetime observed (the edge of the data; the curve beyond it is a projection).
    """

    def __init__(self, *, period: str = "M", n_starts: int = 4, random_state: int = 0):
        self.period = period
        self.n_starts = n_starts
        self.random_state = random_state

    @staticmethod
    def _loglik(params, t, c):
        """log P(T = t) for churned rows, log S(t) for the still active (FH 2007, eq. 8)."""
        alpha, beta = params
        log_b = special.betaln(alpha, beta)
        log_pmf = special.betaln(alpha + 1.0, beta + t - 1.0) - log_b
        log_surv = special.betaln(alpha, beta + t) - log_b
        return np.where(c > 0, log_pmf, log_surv)

    def fit(self, lifetimes: pd.DataFrame) -> ShiftedBetaGeoModel:
        """Estimate ``alpha, beta`` by maximum likelihood.

        Parameters
        ----------
        lifetimes : DataFrame
            ``churned`` (bool), ``periods`` (for a cancelled contract the period
            it ended in, ``T >= 1``; for an active one the renewals made so far,
            ``T > periods >= 0``) and
            optionally ``n_customers`` (rows standing for several customers),
            as made by :func:`cohort_lifetimes` or :func:`subscription_lifetimes`.

        Returns
        -------
        ShiftedBetaGeoModel
            ``self``, fitted.
        """
        check_choice("period", self.period, PERIOD_MONTHS)
        cols, weights = _check_lifetimes(lifetimes)
        n = weights.sum()
        if not (weights * cols["c"]).sum() > 0:
            raise DataError([DataProblem("lifetimes", "churned",
                                         "has no cancellation: retention cannot be estimated")])

        def negll(logp):
            with np.errstate(all="ignore"):
                ll = self._loglik(np.exp(logp), cols["t"], cols["c"])
            value = -(weights * ll).sum() / n
            return value if np.isfinite(value) else 1e20

        rng = np.random.default_rng(self.random_state)
        base = np.log([1.0, 1.0])
        starts = [base] + [base + rng.normal(0, 1.0, 2) for _ in range(max(self.n_starts, 1) - 1)]
        best = _fit_log_params(negll, starts, 2)
        p = np.exp(best.x)
        self.params_ = pd.Series(p, index=["alpha", "beta"], name="value")
        self._total_loglik = _WeightedLoglik(self._loglik, cols, weights, ("t", "c"))
        self._errors_cache = None
        self.log_likelihood_ = self._total_loglik(p)
        self.n_customers_ = int(np.rint(n))
        self.n_churned_ = int(np.rint((weights * cols["c"]).sum()))
        self.max_periods_ = int(cols["t"].max())
        self.converged_ = bool(best.success)
        return self

    def _params(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this ShiftedBetaGeoModel is not fitted yet: call "
                                 "fit(lifetimes) first", parameter="model")
        return self.params_.to_numpy()

    def survival(self, t) -> np.ndarray:
        """``S(t) = B(alpha, beta + t) / B(alpha, beta)``: share of a cohort renewing ``t`` times."""
        alpha, beta = self._params()
        t = np.asarray(t, dtype=float)
        return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))

    def retention_rate(self, t) -> np.ndarray:
        """``r(t) = (beta + t - 1) / (alpha + beta + t - 1)``: renewals at period ``t`` (t >= 1)."""
        alpha, beta = self._params()
        t = np.asarray(t, dtype=float)
        return (beta + t - 1.0) / (alpha + beta + t - 1.0)

    def retention_curve(self, periods: int = 24, lifetimes: pd.DataFrame | None = None,
                        *, min_at_risk: int = 20) -> pd.DataFrame:
        """Survival and retention rate for periods ``0 .. periods``.

        Parameters
        ----------
        periods : int, default 24
        lifetimes : DataFrame, optional
            The fitted lifetimes: adds the ``observed`` survival (Kaplan-Meier)
            next to the model's.
        min_at_risk : int, default 20
            ``observed`` is left empty from the first period with fewer
            contracts at risk than this (too few to read a share from).

        Returns
        -------
        DataFrame
            ``period``, ``survival`` (share of a new cohort still active; 1 at
            period 0), ``retention_rate`` (of those active at the previous
            period; empty at 0), ``projected`` (True beyond the longest
            lifetime in the data) and, with ``lifetimes``, ``observed``.
        """
        self._params()
        if not isinstance(periods, (int, np.integer)) or periods < 1:
            raise ParameterError(f"periods must be an integer >= 1; got {periods!r}",
                                 parameter="periods", allowed=">= 1", value=periods)
        t = np.arange(0, int(periods) + 1)
        rate = np.r_[np.nan, self.retention_rate(t[1:])]
        out = pd.DataFrame({"period": t, "survival": self.survival(t), "retention_rate": rate,
                            "projected": t > self.max_periods_})
        if lifetimes is not None:
            observed = observed_survival(lifetimes, min_at_risk=min_at_risk)
            out["observed"] = observed.reindex(t).to_numpy()
        return out

    def expected_residual_lifetime(self, periods_paid, *, discount_rate: float = 0.0):
        """Discounted expected residual lifetime (DERL), Fader & Hardie (2010), equation (6).

        Parameters
        ----------
        periods_paid : int or array of int
            Periods the customer has paid for so far (``n >= 1``; renewals + 1).
        discount_rate : float, default 0
            Annual discount rate; converted to the model's period.

        Returns
        -------
        ndarray
            Expected number of further periods paid, each discounted back to now,
            evaluated just before the coming renewal decision.
        """
        alpha, beta = self._params()
        if not (np.isfinite(discount_rate) and discount_rate >= 0):
            raise ParameterError(f"discount_rate must be >= 0; got {discount_rate!r}",
                                 parameter="discount_rate", allowed=">= 0", value=discount_rate)
        n = np.asarray(periods_paid, dtype=float)
        if np.any(~np.isfinite(n)) or np.any(n < 1):
            raise ParameterError("periods_paid must be >= 1", parameter="periods_paid",
                                 allowed=">= 1", value=periods_paid)
        d = (1.0 + discount_rate) ** (PERIOD_MONTHS[self.period] / 12.0) - 1.0
        if d == 0 and alpha <= 1:
            return np.full(n.shape, np.inf)  # the undiscounted mean lifetime is infinite
        hyp = special.hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + d))
        return (beta + n - 1.0) / (alpha + beta + n - 1.0) * hyp


def observed_survival(lifetimes: pd.DataFrame, *, min_at_risk: int = 1) -> pd.Series:
    """Kaplan-Meier share of contracts renewing ``t`` times, from censored lifetimes.

    At renewal ``t`` the contracts at risk are the cancelled ones with
    lifetime ``>= t`` and the active ones with ``>= t`` renewals; those
    cancelled with lifetime ``t`` leave. Stops before the first renewal with
    fewer than ``min_at_risk`` contracts at risk.

    Returns
    -------
    Series
        Indexed by ``t = 0, 1, ...`` (1 at 0), named ``observed``.
    """
    cols, weights = _check_lifetimes(lifetimes)
    t, c = cols["t"].astype(int), cols["c"] > 0
    top = int(t.max())
    leave = np.bincount(t[c], weights=weights[c], minlength=top + 2)
    # at risk at renewal u: churned with T >= u, active with renewals >= u
    ends = np.bincount(t, weights=weights, minlength=top + 2)
    at_risk = ends[::-1].cumsum()[::-1]
    values = [1.0]
    for u in range(1, top + 1):
        if at_risk[u] < max(min_at_risk, 1):
            break
        values.append(values[-1] * (1.0 - leave[u] / at_risk[u]))
    return pd.Series(values, index=pd.RangeIndex(len(values), name="period"), name="observed")


def subscription_lifetimes(subscriptions: pd.DataFrame, *, as_of, period: str = "M",
                           table: str = "subscriptions") -> pd.DataFrame:
    """Per-contract lifetimes in whole periods from a subscriptions table.

    A contract started at ``started_at`` and, if cancelled by ``as_of``, ended
    at ``ended_at``. A cancelled contract ended in the period it was in (one
    ended in its third month has lifetime 3); one still active at ``as_of``
    has renewed once per period completed (in its twelfth month: 11 renewals,
    so its lifetime is more than 11). Contracts starting after ``as_of`` are
    left out, and an end after ``as_of`` counts as still active.

    Parameters
    ----------
    subscriptions : DataFrame
        ``customer_id``, ``started_at``, ``ended_at`` (empty while active).
    as_of : date-like
    period : {"M", "Q", "Y"}, default "M"

    Returns
    -------
    DataFrame
        ``customer_id``, ``started_at``, ``periods`` (lifetime of a cancelled
        contract, renewals of an active one), ``churned`` (bool).
        ``attrs["period"]`` holds the period.

    Raises
    ------
    DataError
        Missing columns, an unreadable start, or an end before the start,
        naming the rows.
    """
    check_choice("period", period, PERIOD_MONTHS)
    problems = [DataProblem(table, c, "is required but missing")
                for c in ("customer_id", "started_at", "ended_at") if c not in subscriptions]
    if problems:
        raise DataError(problems)
    as_of = pd.Timestamp(as_of).normalize()
    start = pd.to_datetime(subscriptions["started_at"], errors="coerce")
    end = pd.to_datetime(subscriptions["ended_at"], errors="coerce")
    bad_start = start.isna().to_numpy()
    if bad_start.any():
        problems.append(_rows(table, "started_at", "is empty or not a date", bad_start,
                              subscriptions["started_at"]))
    raw_end = subscriptions["ended_at"]
    unreadable = (end.isna() & raw_end.notna() & (raw_end.astype(str).str.strip() != "")).to_numpy()
    if unreadable.any():
        problems.append(_rows(table, "ended_at", "is not a date", unreadable, raw_end))
    before = (end < start).to_numpy()
    if before.any():
        problems.append(_rows(table, "ended_at", "is before started_at", before, raw_end))
    if problems:
        raise DataError(problems)
    keep = (start <= as_of).to_numpy()
    start, end = start[keep], end[keep]
    churned = (end.notna() & (end <= as_of)).to_numpy()
    stop = end.where(pd.Series(churned, index=end.index), as_of)
    months = PERIOD_MONTHS[period]
    elapsed = ((stop.dt.year - start.dt.year) * 12 + (stop.dt.month - start.dt.month)
               - (stop.dt.day < start.dt.day).astype(int)).to_numpy()
    periods = elapsed // months + churned.astype(int)
    out = pd.DataFrame({"customer_id": subscriptions.loc[keep, "customer_id"].to_numpy(),
                        "started_at": start.to_numpy(), "periods": periods.astype("int64"),
                        "churned": churned})
    out.attrs["period"] = period
    out.attrs["as_of"] = as_of.date().isoformat()
    return out


def _rows(table, column, rule, mask, values):
    idx = np.flatnonzero(mask)[:3]
    return DataProblem(table, column, rule, int(mask.sum()), len(mask),
                       tuple((int(i), values.iloc[i]) for i in idx))


def _months_between(start: pd.Series, stop) -> np.ndarray:
    stop = pd.Series(stop, index=start.index) if not isinstance(stop, pd.Series) else stop
    return ((stop.dt.year - start.dt.year) * 12 + (stop.dt.month - start.dt.month)
            - (stop.dt.day < start.dt.day).astype(int)).to_numpy()


def retention_holdout(subscriptions: pd.DataFrame, *, calibration_end, observation_end,
                      period: str = "M") -> pd.DataFrame:
    """Contract lifetimes as known at ``calibration_end``, and what happened after.

    Parameters
    ----------
    subscriptions : DataFrame
        ``customer_id``, ``started_at``, ``ended_at``.
    calibration_end, observation_end : date-like
        The model is fitted on what was known at ``calibration_end``; contracts
        active then are followed to ``observation_end``.
    period : {"M", "Q", "Y"}, default "M"

    Returns
    -------
    DataFrame
        The columns of :func:`subscription_lifetimes` at ``calibration_end``,
        plus ``active_at_calibration`` (bool), ``periods_holdout`` (renewals an
        active contract would have made by ``observation_end``) and
        ``retained`` (still active at ``observation_end``).
    """
    cal_end = pd.Timestamp(calibration_end).normalize()
    obs_end = pd.Timestamp(observation_end).normalize()
    if obs_end <= cal_end:
        raise ParameterError(
            f"observation_end ({obs_end.date()}) must come after calibration_end "
            f"({cal_end.date()})", parameter="observation_end", allowed=f"> {cal_end.date()}",
            value=str(obs_end.date()))
    cal = subscription_lifetimes(subscriptions, as_of=cal_end, period=period)
    later = subscription_lifetimes(subscriptions, as_of=obs_end, period=period)
    start = pd.to_datetime(subscriptions["started_at"])
    kept = start <= cal_end
    renewals = _months_between(start[kept], obs_end) // PERIOD_MONTHS[period]
    out = cal.copy()
    out["active_at_calibration"] = ~out["churned"].to_numpy()
    out["periods_holdout"] = renewals.astype("int64")
    final = later.loc[later["started_at"] <= cal_end, "churned"].to_numpy()
    out["retained"] = out["active_at_calibration"].to_numpy() & ~final
    out.attrs.update(cal.attrs, calibration_end=cal_end.date().isoformat(),
                     observation_end=obs_end.date().isoformat())
    return out


def retention_holdout_table(model: ShiftedBetaGeoModel, holdout: pd.DataFrame, *,
                            max_years: int = 5) -> pd.DataFrame:
    """Expected versus actual retention of the contracts active at the calibration end.

    A contract with ``k`` renewals at the calibration end is expected to reach
    ``k'`` renewals by the observation end with probability ``S(k') / S(k)``;
    contracts are grouped by whole years of tenure at the calibration end
    (the last group is ``max_years`` and more).

    Returns
    -------
    DataFrame
        ``tenure_years`` (0 .. ``max_years``), ``n_customers`` (active at the
        calibration end), ``actual`` (share still active at the observation
        end), ``expected`` (mean model probability), ``difference``.
    """
    model._params()
    if not isinstance(max_years, (int, np.integer)) or max_years < 1:
        raise ParameterError(f"max_years must be an integer >= 1; got {max_years!r}",
                             parameter="max_years", allowed=">= 1", value=max_years)
    active = holdout[holdout["active_at_calibration"]]
    if active.empty:
        raise DataError([DataProblem("holdout", None, "has no contract active at the "
                                     "calibration end")])
    k = active["periods"].to_numpy(dtype=float)
    k_end = active["periods_holdout"].to_numpy(dtype=float)
    expected = model.survival(k_end) / model.survival(k)
    months = PERIOD_MONTHS[model.period]
    frame = pd.DataFrame({"tenure_years": np.minimum(k * months // 12, max_years).astype(int),
                          "actual": active["retained"].to_numpy(dtype=float),
                          "expected": expected})
    out = frame.groupby("tenure_years", sort=True).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"),
        expected=("expected", "mean")).reset_index()
    out["difference"] = out["expected"] - out["actual"]
    out.attrs["max_years"] = int(max_years)
    return out
