"""Customer lifetime value: BG/NBD for purchase counts, Gamma-Gamma for spend.

The two models of the "buy till you die" family, fitted by maximum likelihood:

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy
  way", *Marketing Science* 24(2)): while alive, a customer buys as a Poisson
  process of rate ``lambda ~ Gamma(r, alpha)``; after each purchase the
  customer drops out with probability ``p ~ Beta(a, b)``.
* **Gamma-Gamma** (Fader & Hardie 2013, "The Gamma-Gamma model of monetary
  value"; Fader, Hardie & Lee 2005, "RFM and CLV", *JMR* 42): the value of a
  purchase is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)``, independent of
  the purchase process.

Both take the summary table of :func:`crmlib.differentiate.customer_summary`:
``frequency`` (repeat purchase days), ``recency`` (first to last purchase) and
``T`` (first purchase to the valuation date) in one explicit time unit, and
``avg_repeat_value``. A customer with no repeat purchase has ``frequency 0``
and ``recency 0``: the BG/NBD likelihood handles it (no drop-out opportunity
has been observed); Gamma-Gamma leaves such customers out of the fit, as the
model only describes repeat purchases, and predicts the population mean for
them.

The log-likelihoods are written with ``gammaln``/``betaln``/``logsumexp`` so
they stay finite for heavy buyers, and parameters are optimised on the log
scale (they must be positive) from several starting points.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

__all__ = [
    "TIME_UNIT_DAYS",
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_holdout",
    "clv_summary",
    "clv_table",
    "customer_lifetime_value",
    "holdout_table",
    "parameters_table",
    "probability_alive_matrix",
]

#: Length of each supported time unit in days (a month is 365.25 / 12 days).
TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


class NotFittedError(ParameterError, AttributeError):
    """A model was used before :meth:`fit`."""


def _problem(table, column, rule, mask, values):
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)[:3]
    examples = tuple((int(i), values.iloc[i]) for i in idx)
    return DataProblem(table, column, rule, int(mask.sum()), len(mask), examples)


def _check_summary(summary: pd.DataFrame, columns, table="summary") -> pd.DataFrame:
    if not isinstance(summary, pd.DataFrame):
        raise ParameterError(f"summary must be a DataFrame; got {type(summary).__name__}",
                             parameter="summary", allowed="DataFrame", value=type(summary))
    problems = []
    missing = [c for c in columns if c not in summary.columns]
    for c in missing:
        problems.append(DataProblem(table, c, "is required but missing"))
    if missing:
        raise DataError(problems)
    if len(summary) == 0:
        raise DataError([DataProblem(table, None, "has no rows")])
    out = {}
    for c in columns:
        s = summary[c]
        if not pd.api.types.is_numeric_dtype(s):
            problems.append(DataProblem(table, c, f"must be numeric (dtype {s.dtype})",
                                        len(s), len(s)))
            continue
        v = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v)
        if bad.any():
            problems.append(_problem(table, c, "is empty or not finite", bad, s))
        neg = v < 0
        if neg.any():
            problems.append(_problem(table, c, "is negative", neg, s))
        out[c] = v
    if len(out) < len(columns):
        raise DataError(problems)
    if "frequency" in out:
        f = out["frequency"]
        frac = f != np.round(f)
        if frac.any():
            problems.append(_problem(table, "frequency", "is not a whole number", frac,
                                     summary["frequency"]))
    if "recency" in out and "T" in out:
        bad = out["recency"] > out["T"] * (1 + 1e-9) + 1e-12
        if bad.any():
            problems.append(_problem(table, "recency", "is greater than T", bad,
                                     summary["recency"]))
    if "recency" in out and "frequency" in out:
        bad = (out["frequency"] == 0) & (out["recency"] != 0)
        if bad.any():
            problems.append(_problem(table, "recency", "is not 0 where frequency is 0", bad,
                                     summary["recency"]))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(out, index=summary.index)


def _summary_time_unit(summary, time_unit):
    unit = summary.attrs.get("time_unit") if hasattr(summary, "attrs") else None
    if time_unit is not None:
        check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
        if unit is not None and unit != time_unit:
            raise ParameterError(
                f"time_unit {time_unit!r} differs from the summary's time unit {unit!r}",
                parameter="time_unit", allowed=(unit,), value=time_unit)
        return time_unit
    if unit is None:
        raise ParameterError(
            "time_unit is unknown: pass time_unit='D', 'W' or 'M' (the unit of recency and T),"
            " or use a table made by crmlib.differentiate.customer_summary",
            parameter="time_unit", allowed=tuple(TIME_UNIT_DAYS), value=None)
    return unit


def _compress(cols: dict[str, np.ndarray]):
    """Unique rows of the model inputs and how often each occurs (speeds up the fit)."""
    frame = pd.DataFrame(cols)
    grouped = frame.groupby(list(cols), sort=True).size()
    uniq = grouped.index.to_frame(index=False)
    return {c: uniq[c].to_numpy(dtype=float) for c in cols}, grouped.to_numpy(dtype=float)


def _fit_log_params(negll, starts, n_params):
    best = None
    for x0 in starts:
        with np.errstate(all="ignore"):
            res = optimize.minimize(negll, x0, method="L-BFGS-B",
                                    bounds=[(-20.0, 20.0)] * n_params)
            res2 = optimize.minimize(negll, res.x, method="Nelder-Mead",
                                     options={"xatol": 1e-10, "fatol": 1e-12,
                                              "maxiter": 20000, "maxfev": 20000})
        cand = res2 if res2.fun <= res.fun else res
        if np.isfinite(cand.fun) and (best is None or cand.fun < best.fun):
            best = cand
    if best is None:
        raise DataError([DataProblem("summary", None,
                                     "gives a likelihood that cannot be maximised "
                                     "(check frequency, recency and T)")])
    return best


class BetaGeoModel:
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    time_unit : {"D", "W", "M"}, optional
        Unit of ``recency`` and ``T``. Taken from a summary made by
        :func:`crmlib.differentiate.customer_summary` when not given.
    penalizer : float, default 0
        L2 penalty on the parameters (0 is plain maximum likelihood, as in the paper).
    n_starts : int, default 4
        Number of starting points for the optimiser; the best optimum is kept.
    random_state : int, default 0
        Seed of the random starting points (the first start is fixed).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Maximised log-likelihood (sum over customers).
    n_customers_ : int
    time_unit_ : str

    Examples
    --------
    >>> model = BetaGeoModel(time_unit="W").fit(summary)  # doctest: +SKIP
    >>> model.params_.round(3)  # doctest: +SKIP
    """

    def __init__(self, *, time_unit: str | None = None, penalizer: float = 0.0,
                 n_starts: int = 4, random_state: int = 0):
        self.time_unit = time_unit
        self.penalizer = penalizer
        self.n_starts = n_starts
        self.random_state = random_state

    # -- likelihood -------------------------------------------------------------------------
    @staticmethod
    def _loglik(params, x, t_x, T):
        """Individual log-likelihoods, FHL (2005) equation (6)."""
        r, alpha, a, b = params
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x) - special.betaln(a, b)
        a3 = -(r + x) * np.log(alpha + T)
        has_repeat = x > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.where(has_repeat,
                          np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0))
                          - (r + x) * np.log(alpha + t_x),
                          -np.inf)
        return a1 + a2 + np.logaddexp(a3, a4)

    def fit(self, summary: pd.DataFrame) -> BetaGeoModel:
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        summary : DataFrame
            ``frequency``, ``recency`` and ``T`` per customer (other columns ignored).

        Returns
        -------
        BetaGeoModel
            ``self``, fitted.
        """
        self.time_unit_ = _summary_time_unit(summary, self.time_unit)
        if self.penalizer < 0:
            raise ParameterError(f"penalizer must be >= 0; got {self.penalizer!r}",
                                 parameter="penalizer", allowed=">= 0", value=self.penalizer)
        data = _check_summary(summary, ["frequency", "recency", "T"])
        cols, weights = _compress({"x": data["frequency"].to_numpy(),
                                   "t_x": data["recency"].to_numpy(),
                                   "T": data["T"].to_numpy()})
        n = weights.sum()
        pen = self.penalizer

        def negll(logp):
            p = np.exp(logp)
            ll = self._loglik(p, cols["x"], cols["t_x"], cols["T"])
            value = -(weights * ll).sum() / n + pen * (p ** 2).sum()
            return value if np.isfinite(value) else 1e20

        scale = max(float(np.mean(cols["T"])), 1e-6)
        rng = np.random.default_rng(self.random_state)
        starts = [np.log([1.0, scale, 1.0, 1.0])]
        for _ in range(max(self.n_starts, 1) - 1):
            starts.append(np.log([1.0, scale, 1.0, 1.0]) + rng.normal(0, 1.0, 4))
        best = _fit_log_params(negll, starts, 4)
        p = np.exp(best.x)
        self.params_ = pd.Series(p, index=["r", "alpha", "a", "b"], name="value")
        self.log_likelihood_ = float(
            (weights * self._loglik(p, cols["x"], cols["t_x"], cols["T"])).sum())
        self.n_customers_ = int(n)
        self.converged_ = bool(best.success)
        return self

    def _params(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this BetaGeoModel is not fitted yet: call fit(summary) first",
                                 parameter="model")
        return self.params_.to_numpy()

    # -- predictions ------------------------------------------------------------------------
    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | frequency, recency, T), FHL (2005) equation (13).

        Returns
        -------
        Series
            One value in (0, 1] per row of ``summary`` (same index), named ``p_alive``.
        """
        r, alpha, a, b = self._params()
        d = _check_summary(summary, ["frequency", "recency", "T"])
        x, t_x, T = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                         + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        p = np.where(x > 0, np.exp(-np.logaddexp(0.0, log_ratio)), 1.0)
        return pd.Series(p, index=summary.index, name="p_alive")

    def expected_purchases_new(self, t) -> np.ndarray:
        """E[X(t)]: purchases of a new customer in a period of length ``t``, FHL (2005) eq. (9)."""
        r, alpha, a, b = self._params()
        t = np.asarray(t, dtype=float)
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (
            1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` time units, FHL (2005) equation (10).

        Returns
        -------
        Series
            One value per row of ``summary`` (same index), named ``expected_purchases``.
        """
        r, alpha, a, b = self._params()
        if not np.isfinite(t) or t < 0:
            raise ParameterError(f"t must be a non-negative number; got {t!r}",
                                 parameter="t", allowed=">= 0", value=t)
        d = _check_summary(summary, ["frequency", "recency", "T"])
        x, _t_x, T = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        term = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
        first = (a + b + x - 1) / (a - 1) * term
        p_alive = self.probability_alive(summary).to_numpy()
        # FHL (2005) eq. (10): numerator over 1 + delta * a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x);
        # that denominator's reciprocal is exactly P(alive).
        return pd.Series(first * p_alive, index=summary.index, name="expected_purchases")


class GammaGammaModel:
    """Gamma-Gamma model of the average value per purchase (Fader & Hardie 2013).

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty on the parameters.
    n_starts : int, default 4
    random_state : int, default 0

    Attributes
    ----------
    params_ : Series
        ``p``, ``q``, ``gamma``.
    log_likelihood_ : float
    n_customers_ : int
        Customers used in the fit (those with repeat purchases of positive value).
    n_excluded_ : int
        Repeat buyers left out because their average repeat value is not positive.
    """

    def __init__(self, *, penalizer: float = 0.0, n_starts: int = 4, random_state: int = 0):
        self.penalizer = penalizer
        self.n_starts = n_starts
        self.random_state = random_state

    @staticmethod
    def _loglik(params, x, m):
        """Log-density of the mean ``m`` of ``x`` purchases (Fader & Hardie 2013, eq. 4)."""
        p, q, g = params
        px = p * x
        return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
                + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x)
                - (px + q) * np.log(g + x * m))

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        """Estimate ``p, q, gamma`` from customers with ``frequency > 0``.

        Parameters
        ----------
        summary : DataFrame
            ``frequency`` and ``avg_repeat_value`` per customer. Customers
            without repeat purchases are skipped, and so are repeat buyers
            whose average net value is zero or negative (returns can do that;
            the model describes positive spend): ``n_excluded_`` counts them.

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.
        """
        d = _check_summary(summary, ["frequency"])
        m = pd.to_numeric(summary["avg_repeat_value"], errors="coerce") if \
            "avg_repeat_value" in summary.columns else None
        if m is None:
            raise DataError([DataProblem("summary", "avg_repeat_value", "is required but missing")])
        m = m.to_numpy(dtype=float, na_value=np.nan)
        repeat = d["frequency"].to_numpy() > 0
        bad = repeat & ~np.isfinite(m)
        if bad.any():
            raise DataError([_problem("summary", "avg_repeat_value",
                                      "is empty or not finite for a repeat buyer", bad,
                                      summary["avg_repeat_value"])])
        # Net repeat value can be zero or negative after returns; the model only
        # describes positive spend, so such customers stay out of the fit.
        use = pd.Series(repeat & (np.nan_to_num(m) > 0), index=d.index)
        self.n_excluded_ = int((repeat & ~use.to_numpy()).sum())
        d = d.assign(avg_repeat_value=m)
        if use.sum() < 3:
            raise DataError([DataProblem("summary", "frequency",
                                         "has fewer than 3 customers with repeat purchases "
                                         "(Gamma-Gamma needs repeat buyers)",
                                         int(use.sum()), len(d))])
        cols, weights = _compress({"x": d.loc[use, "frequency"].to_numpy(),
                                   "m": d.loc[use, "avg_repeat_value"].to_numpy()})
        n = weights.sum()
        pen = self.penalizer
        scale = float(np.average(cols["m"], weights=weights))

        def negll(logp):
            p = np.exp(logp)
            ll = self._loglik(p, cols["x"], cols["m"])
            value = -(weights * ll).sum() / n + pen * (p ** 2).sum()
            return value if np.isfinite(value) else 1e20

        rng = np.random.default_rng(self.random_state)
        base = np.log([1.0, 2.0, scale])
        starts = [base] + [base + rng.normal(0, 1.0, 3) for _ in range(max(self.n_starts, 1) - 1)]
        best = _fit_log_params(negll, starts, 3)
        p = np.exp(best.x)
        self.params_ = pd.Series(p, index=["p", "q", "gamma"], name="value")
        self.log_likelihood_ = float((weights * self._loglik(p, cols["x"], cols["m"])).sum())
        self.n_customers_ = int(n)
        self.converged_ = bool(best.success)
        return self

    def expected_average_value(self, summary: pd.DataFrame) -> pd.Series:
        """E[value per purchase | frequency, avg_repeat_value] (Fader & Hardie 2013, eq. 5).

        A weighted mean of the population mean ``p gamma / (q - 1)`` and the
        customer's own average; customers with no repeat purchase get the
        population mean.

        Returns
        -------
        Series
            One value per row of ``summary``, named ``expected_avg_value``.
        """
        if not hasattr(self, "params_"):
            raise NotFittedError("this GammaGammaModel is not fitted yet: call fit(summary)",
                                 parameter="model")
        p, q, g = self.params_.to_numpy()
        if q <= 1:
            raise ParameterError("the expected value needs q > 1", parameter="q", value=q)
        d = _check_summary(summary, ["frequency"])
        x = d["frequency"].to_numpy()
        raw = pd.to_numeric(summary["avg_repeat_value"], errors="coerce").to_numpy(
            dtype=float, na_value=0.0)
        # A non-positive average (returns) carries no evidence of spend: shrink to the mean.
        has = (x > 0) & (raw > 0)
        x = np.where(has, x, 0.0)
        m = np.where(has, raw, 0.0)
        value = p * (g + x * m) / (p * x + q - 1)
        return pd.Series(value, index=summary.index, name="expected_avg_value")

    @property
    def population_mean_(self) -> float:
        """Mean value per purchase in the population, ``p gamma / (q - 1)``."""
        p, q, g = self.params_.to_numpy()
        return float(p * g / (q - 1)) if q > 1 else math.inf


def _step_rate(discount_rate: float, step_days: float) -> float:
    return (1.0 + discount_rate) ** (step_days / 365.25) - 1.0


def customer_lifetime_value(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel,
                            summary: pd.DataFrame, *, horizon: float = 12,
                            time_unit: str = "M", discount_rate: float = 0.0) -> pd.Series:
    """Discounted expected value of each customer over ``horizon``.

    The horizon is cut into steps of one ``time_unit``; the purchases the
    BG/NBD model expects in step ``i`` (difference of equation (10) at the end
    and start of the step) are valued at the Gamma-Gamma expected value per
    purchase and discounted by ``(1 + d) ** i``, with ``d`` the per-step rate
    equivalent to the annual ``discount_rate``.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted; its ``time_unit_`` is the unit of ``summary``.
    gamma_gamma : GammaGammaModel
        Fitted.
    summary : DataFrame
        ``frequency``, ``recency``, ``T``, ``avg_repeat_value``.
    horizon : float, default 12
        Length of the horizon, in ``time_unit`` (a last partial step is kept).
    time_unit : {"D", "W", "M"}, default "M"
        Unit of ``horizon`` and of the discounting steps.
    discount_rate : float, default 0
        Annual discount rate (0.10 = 10 % a year), ``>= 0``.

    Returns
    -------
    Series
        Named ``clv``, same index as ``summary``.
    """
    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    if not (np.isfinite(horizon) and horizon > 0):
        raise ParameterError(f"horizon must be > 0; got {horizon!r}", parameter="horizon",
                             allowed="> 0", value=horizon)
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise ParameterError(f"discount_rate must be >= 0; got {discount_rate!r}",
                             parameter="discount_rate", allowed=">= 0", value=discount_rate)
    bgnbd._params()
    step_days = TIME_UNIT_DAYS[time_unit]
    model_days = TIME_UNIT_DAYS[bgnbd.time_unit_]
    rate = _step_rate(discount_rate, step_days)
    value = gamma_gamma.expected_average_value(summary).to_numpy()
    n_steps = math.ceil(horizon - 1e-12)
    total = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for i in range(1, n_steps + 1):
        end = min(i, horizon) * step_days / model_days
        cum = bgnbd.conditional_expected_purchases(end, summary).to_numpy()
        total += (cum - previous) * value / (1 + rate) ** i
        previous = cum
    return pd.Series(total, index=summary.index, name="clv")


def clv_table(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel, summary: pd.DataFrame, *,
              horizon: float = 12, time_unit: str = "M",
              discount_rate: float = 0.0) -> pd.DataFrame:
    """Per-customer predictions over a horizon, by CLV descending.

    Parameters
    ----------
    bgnbd, gamma_gamma : fitted models
    summary : DataFrame
        Output of :func:`crmlib.differentiate.customer_summary`.
    horizon, time_unit, discount_rate
        As in :func:`customer_lifetime_value`.

    Returns
    -------
    DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary``,
        ``p_alive``, ``expected_purchases`` (over the horizon),
        ``expected_avg_value``, ``clv`` (discounted), ``clv_share`` (of the total);
        ties in ``clv`` broken by ``customer_id``.
    """
    days = horizon * TIME_UNIT_DAYS[time_unit] if time_unit in TIME_UNIT_DAYS else None
    clv = customer_lifetime_value(bgnbd, gamma_gamma, summary, horizon=horizon,
                                  time_unit=time_unit, discount_rate=discount_rate)
    keep = [c for c in ("customer_id", "frequency", "recency", "T", "monetary")
            if c in summary.columns]
    out = summary[keep].copy()
    out["p_alive"] = bgnbd.probability_alive(summary).to_numpy()
    out["expected_purchases"] = bgnbd.conditional_expected_purchases(
        days / TIME_UNIT_DAYS[bgnbd.time_unit_], summary).to_numpy()
    out["expected_avg_value"] = gamma_gamma.expected_average_value(summary).to_numpy()
    out["clv"] = clv.to_numpy()
    total = out["clv"].sum()
    out["clv_share"] = out["clv"] / total if total > 0 else 0.0
    sort = ["clv", "customer_id"] if "customer_id" in out.columns else ["clv"]
    asc = [False, True] if "customer_id" in out.columns else [False]
    return out.sort_values(sort, ascending=asc, kind="mergesort").reset_index(drop=True)


def calibration_holdout(transactions: pd.DataFrame, *, calibration_end=None,
                        observation_end=None, holdout_days: int | None = None,
                        time_unit: str = "W") -> pd.DataFrame:
    """Split transactions into a calibration and a holdout period, per customer.

    Customers are those who bought by ``calibration_end``; their calibration
    summary is :func:`crmlib.differentiate.customer_summary` at that date, and
    their holdout purchases are counted the same way (distinct purchase days
    with a sale line) after it, up to ``observation_end``.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    calibration_end, observation_end : date-like
        End of calibration (inclusive); end of holdout (default: last transaction).
    holdout_days : int, optional
        Instead of ``calibration_end``: the holdout is the last ``holdout_days``
        days up to ``observation_end``. Give exactly one of the two.
    time_unit : {"D", "W", "M"}, default "W"

    Returns
    -------
    DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary``,
        ``avg_repeat_value`` (calibration), ``frequency_holdout``,
        ``value_holdout``, ``duration_holdout`` (holdout length in ``time_unit``).
        ``attrs`` hold ``time_unit``, ``calibration_end`` and ``observation_end``.
    """
    from crmlib.differentiate import _clean_transactions, _purchase_days, customer_summary

    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    if (calibration_end is None) == (holdout_days is None):
        raise ParameterError("give exactly one of calibration_end and holdout_days",
                             parameter="calibration_end", allowed="one of the two",
                             value=(calibration_end, holdout_days))
    tx = _clean_transactions(transactions, "calibration_holdout")
    obs_end = (pd.Timestamp(observation_end).normalize() if observation_end is not None
               else tx["date"].max().normalize())
    if holdout_days is not None:
        if not isinstance(holdout_days, (int, np.integer)) or holdout_days < 1:
            raise ParameterError(f"holdout_days must be a positive integer; got {holdout_days!r}",
                                 parameter="holdout_days", allowed=">= 1", value=holdout_days)
        cal_end = obs_end - pd.Timedelta(days=int(holdout_days))
    else:
        cal_end = pd.Timestamp(calibration_end).normalize()
    if obs_end <= cal_end:
        raise ParameterError(
            f"observation_end ({obs_end.date()}) must come after calibration_end "
            f"({cal_end.date()})", parameter="observation_end", allowed=f"> {cal_end.date()}",
            value=str(obs_end.date()))
    cal = customer_summary(tx, as_of=cal_end, time_unit=time_unit)
    one_day = pd.Timedelta(days=1)
    days = _purchase_days(tx[(tx["date"] >= cal_end + one_day)
                             & (tx["date"] < obs_end + one_day)])
    bought = days[days["purchase"]]
    hold = bought.groupby("customer_id", sort=False).agg(
        frequency_holdout=("value", "size"), value_holdout=("value", "sum"))
    out = cal[["customer_id", "frequency", "recency", "T", "monetary", "avg_repeat_value"]].copy()
    out = out.merge(hold, left_on="customer_id", right_index=True, how="left")
    out["frequency_holdout"] = out["frequency_holdout"].fillna(0).astype("int64")
    out["value_holdout"] = out["value_holdout"].fillna(0.0)
    out["duration_holdout"] = (obs_end - cal_end).days / TIME_UNIT_DAYS[time_unit]
    out.attrs["time_unit"] = time_unit
    out.attrs["calibration_end"] = cal_end.date().isoformat()
    out.attrs["observation_end"] = obs_end.date().isoformat()
    return out


def holdout_table(bgnbd: BetaGeoModel, cal_holdout: pd.DataFrame, *,
                  max_frequency: int = 7) -> pd.DataFrame:
    """Expected versus actual holdout purchases, by calibration frequency.

    The standard check of FHL (2005, figure 3): customers grouped by their
    number of repeat purchases in calibration (the last group is
    ``max_frequency`` and more), mean actual holdout purchases next to the
    mean the model expects.

    Returns
    -------
    DataFrame
        ``frequency`` (group: 0 .. ``max_frequency``), ``n_customers``,
        ``actual`` (mean holdout purchases), ``expected`` (mean conditional
        expectation), ``difference`` (expected - actual).
    """
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ParameterError(f"max_frequency must be an integer >= 1; got {max_frequency!r}",
                             parameter="max_frequency", allowed=">= 1", value=max_frequency)
    duration = cal_holdout["duration_holdout"].to_numpy(dtype=float)
    if len(np.unique(duration)) != 1:
        raise DataError([DataProblem("cal_holdout", "duration_holdout",
                                     "must be the same for every customer")])
    expected = bgnbd.conditional_expected_purchases(float(duration[0]), cal_holdout)
    frame = pd.DataFrame({
        "frequency": np.minimum(cal_holdout["frequency"].to_numpy(dtype=int), max_frequency),
        "actual": cal_holdout["frequency_holdout"].to_numpy(dtype=float),
        "expected": expected.to_numpy(),
    })
    out = frame.groupby("frequency", sort=True).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"),
        expected=("expected", "mean")).reset_index()
    out["difference"] = out["expected"] - out["actual"]
    out.attrs["max_frequency"] = int(max_frequency)
    return out


def probability_alive_matrix(bgnbd: BetaGeoModel, summary: pd.DataFrame | None = None, *,
                             max_frequency: int | None = None,
                             max_recency: float | None = None, T: float | None = None,
                             n_recency: int = 20) -> pd.DataFrame:
    """P(alive) over a grid of frequency and recency for a customer of age ``T``.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted.
    summary : DataFrame, optional
        When given, the grid's defaults follow the data: ``T`` is the oldest
        customer's age and ``max_frequency`` the 99th percentile of frequency
        (between 5 and 40).
    max_frequency : int, optional
        Largest frequency of the grid (default 20).
    max_recency, T : float, optional
        Largest recency and the customer age, in the model's time unit
        (default: both ``T``; ``T`` defaults to 52 weeks in the model's unit).
    n_recency : int, default 20
        Number of recency values on the grid.

    Returns
    -------
    DataFrame
        Long table: ``frequency``, ``recency``, ``T``, ``p_alive``.
    """
    bgnbd._params()
    if summary is not None:
        data = _check_summary(summary, ["frequency", "T"])
        if T is None:
            T = float(data["T"].max())
        if max_frequency is None:
            max_frequency = int(np.clip(np.ceil(data["frequency"].quantile(0.99)), 5, 40))
    if T is None:
        T = 364.0 / TIME_UNIT_DAYS[bgnbd.time_unit_]
    max_frequency = 20 if max_frequency is None else int(max_frequency)
    max_recency = T if max_recency is None else min(float(max_recency), T)
    freqs = np.arange(0, max_frequency + 1)
    recs = np.linspace(0, max_recency, int(n_recency))
    f, r = np.meshgrid(freqs, recs, indexing="ij")
    grid = pd.DataFrame({"frequency": f.ravel().astype(float), "recency": r.ravel(),
                         "T": float(T)})
    grid = grid[(grid["frequency"] > 0) | (grid["recency"] == 0)].reset_index(drop=True)
    grid["p_alive"] = bgnbd.probability_alive(grid).to_numpy()
    return grid


def parameters_table(*models) -> pd.DataFrame:
    """Fitted parameters of one or more models, in one long table.

    Returns
    -------
    DataFrame
        ``model`` (``"BG/NBD"`` or ``"Gamma-Gamma"``), ``parameter`` (``r``,
        ``alpha``, ``a``, ``b``, ``p``, ``q``, ``gamma``, then
        ``log_likelihood`` and ``n_customers``), ``estimate``.
    """
    rows = []
    for model in models:
        if not hasattr(model, "params_"):
            raise NotFittedError("parameters_table needs fitted models", parameter="models")
        name = "BG/NBD" if isinstance(model, BetaGeoModel) else "Gamma-Gamma"
        for key, value in model.params_.items():
            rows.append({"model": name, "parameter": key, "estimate": float(value)})
        rows.append({"model": name, "parameter": "log_likelihood",
                     "estimate": float(model.log_likelihood_)})
        rows.append({"model": name, "parameter": "n_customers",
                     "estimate": float(model.n_customers_)})
    return pd.DataFrame(rows, columns=["model", "parameter", "estimate"])


def clv_summary(clv: pd.DataFrame) -> pd.Series:
    """Key figures of a :func:`clv_table`.

    Returns
    -------
    Series
        ``n_customers``, ``clv_total``, ``clv_mean``, ``clv_top10_share`` (share
        of the total held by the 10 % of customers with the highest CLV),
        ``expected_purchases_total``, ``mean_p_alive``.
    """
    for c in ("clv", "expected_purchases", "p_alive"):
        if c not in clv.columns:
            raise DataError([DataProblem("clv", c, "is required but missing (use clv_table)")])
    n = len(clv)
    total = float(clv["clv"].sum())
    k = max(1, math.ceil(0.10 * n))
    top = float(clv["clv"].sort_values(ascending=False).head(k).sum())
    return pd.Series({
        "n_customers": n,
        "clv_total": total,
        "clv_mean": total / n if n else math.nan,
        "clv_top10_share": top / total if total > 0 else math.nan,
        "expected_purchases_total": float(clv["expected_purchases"].sum()),
        "mean_p_alive": float(clv["p_alive"].mean()) if n else math.nan,
    }, dtype=object)
