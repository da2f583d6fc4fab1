"""The BG/NBD model of purchase counts and its P(alive) grid.

:class:`BetaGeoModel` fits ``r, alpha, a, b`` by maximum likelihood (Fader,
Hardie & Lee 2005, equation 6) and predicts P(alive), the purchases of a new
customer and the conditional expected purchases of each customer;
:func:`probability_alive_matrix` evaluates P(alive) over a grid of frequency
and recency for plotting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crmlib.clv._base import (
    TIME_UNIT_DAYS,
    NotFittedError,
    _check_summary,
    _compress,
    _fit_log_params,
    _summary_time_unit,
    _Uncertainty,
    _WeightedLoglik,
)
from crmlib.exceptions import ParameterError


class BetaGeoModel(_Uncertainty):
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
    std_errors_ : Series
        Standard errors from the observed information (see :meth:`confidence_intervals`).
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
        self._total_loglik = _WeightedLoglik(self._loglik, cols, weights, ("x", "t_x", "T"))
        self._errors_cache = None
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
