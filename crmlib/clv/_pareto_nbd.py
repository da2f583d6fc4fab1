"""The Pareto/NBD model of purchase counts (Schmittlein, Morrison & Colombo 1987).

While alive a customer buys as a Poisson process of rate ``lambda ~ Gamma(r,
alpha)``; the unobserved lifetime is exponential with rate ``mu ~ Gamma(s,
beta)``, so a customer can drop out at any moment, not only after a purchase
as in BG/NBD. :class:`ParetoNBDModel` fits ``r, alpha, s, beta`` by maximum
likelihood and predicts P(alive), the purchases of a new customer and the
conditional expected purchases of each customer.

The likelihood follows Fader, Hardie & Lee (2005), "A note on deriving the
Pareto/NBD model and related expressions" (brucehardie.com/notes/009),
equations (16)-(19)::

    L = G(r+x) a^r b^s / G(r) * [ 1 / ((a+T)^(r+x) (b+T)^s) + s/(r+s+x) A0 ]

with ``A0`` a difference of two Gauss hypergeometric terms
``2F1(r+s+x, c; r+s+x+1; z) / (m+t)^(r+s+x)`` taken at ``t = t_x`` and ``t =
T`` (``m, c, z`` depend on whether ``alpha >= beta``). Heavy buyers make the
hypergeometric function overflow, so it is evaluated through Euler's
transformation ``2F1(a, c; a+1; z) = (1-z)^(1-c) 2F1(1, a+1-c; a+1; z)``,
whose series has positive, bounded terms, and everything else stays in logs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from crmlib.clv._base import (
    NotFittedError,
    _check_summary,
    _compress,
    _fit_log_params,
    _summary_time_unit,
    _Uncertainty,
    _WeightedLoglik,
)
from crmlib.exceptions import ParameterError


def _log_a_term(r, alpha, s, beta, x, t):
    """log of ``2F1(r+s+x, c; r+s+x+1; z) / (m+t)^(r+s+x)`` (FHL note, eq. 19)."""
    rsx = r + s + x
    if alpha >= beta:
        big, small, c = alpha, beta, s + 1.0
    else:
        big, small, c = beta, alpha, r + x
    # 1 - z = (small + t) / (big + t); Euler: 2F1(a, c; a+1; z) = (1-z)^(1-c) 2F1(1, a+1-c; a+1; z)
    z = (big - small) / (big + t)
    log1mz = np.log(small + t) - np.log(big + t)
    hyp = special.hyp2f1(1.0, rsx + 1.0 - c, rsx + 1.0, z)
    return -rsx * np.log(big + t) + (1.0 - c) * log1mz + np.log(hyp)


def _log_terms(params, x, t_x, T):
    """The two log terms of the bracket of the likelihood: alive at T, and dropped out."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    upper = _log_a_term(r, alpha, s, beta, x, t_x)
    lower = _log_a_term(r, alpha, s, beta, x, T)
    with np.errstate(divide="ignore"):
        # A0 = exp(upper) - exp(lower) >= 0 (it is an integral from t_x to T); 0 when t_x = T
        log_a0 = upper + np.log1p(-np.exp(np.minimum(lower - upper, 0.0)))
    dropped = np.log(s) - np.log(r + s + x) + log_a0
    return alive, dropped


class ParetoNBDModel(_Uncertainty):
    """Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987).

    Parameters
    ----------
    time_unit : {"D", "W", "M"}, optional
        Unit of ``recency`` and ``T``; taken from a summary made by
        :func:`crmlib.differentiate.customer_summary` when not given.
    n_starts : int, default 2
        Starting points of the optimiser; the best optimum is kept. The
        likelihood costs a hypergeometric function per customer, so the search
        is kept shorter than for BG/NBD (2 starts, 300 gradient steps, at most
        3,000 polishing steps, ended early once 50 steps have improved the
        log-likelihood by less than 1e-9 per customer).
    random_state : int, default 0
        Seed of the random starting points (the first start is fixed).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha`` (purchase rate, Gamma), ``s``, ``beta`` (drop-out rate, Gamma).
    log_likelihood_ : float
    std_errors_ : Series
    n_customers_ : int
    time_unit_ : str
    """

    def __init__(self, *, time_unit: str | None = None, n_starts: int = 2,
                 random_state: int = 0):
        self.time_unit = time_unit
        self.n_starts = n_starts
        self.random_state = random_state

    @staticmethod
    def _loglik(params, x, t_x, T):
        """Individual log-likelihoods, FHL note equation (19) written in logs."""
        r, alpha, s, beta = params
        alive, dropped = _log_terms(params, x, t_x, T)
        return (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
                + s * np.log(beta) + np.logaddexp(alive, dropped))

    def fit(self, summary: pd.DataFrame) -> ParetoNBDModel:
        """Estimate ``r, alpha, s, beta`` by maximum likelihood.

        Parameters
        ----------
        summary : DataFrame
            ``frequency``, ``recency`` and ``T`` per customer (other columns ignored).

        Returns
        -------
        ParetoNBDModel
            ``self``, fitted.
        """
        self.time_unit_ = _summary_time_unit(summary, self.time_unit)
        data = _check_summary(summary, ["frequency", "recency", "T"])
        cols, weights = _compress({"x": data["frequency"].to_numpy(),
                                   "t_x": data["recency"].to_numpy(),
                                   "T": data["T"].to_numpy()})
        n = weights.sum()

        def negll(logp):
            with np.errstate(all="ignore"):
                ll = self._loglik(np.exp(logp), cols["x"], cols["t_x"], cols["T"])
            value = -(weights * ll).sum() / n
            return value if np.isfinite(value) else 1e20

        scale = max(float(np.mean(cols["T"])), 1e-6)
        rng = np.random.default_rng(self.random_state)
        base = np.log([1.0, scale, 1.0, scale])
        starts = [base] + [base + rng.normal(0, 1.0, 4) for _ in range(max(self.n_starts, 1) - 1)]
        best = _fit_log_params(negll, starts, 4, polish_evaluations=3000,
                               search_iterations=300, stall=(50, 1e-9))
        p = np.exp(best.x)
        self.params_ = pd.Series(p, index=["r", "alpha", "s", "beta"], name="value")
        self._total_loglik = _WeightedLoglik(self._loglik, cols, weights, ("x", "t_x", "T"))
        self._errors_cache = None
        self.log_likelihood_ = self._total_loglik(p)
        self.n_customers_ = int(n)
        self.converged_ = bool(best.success)
        return self

    def _params(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this ParetoNBDModel is not fitted yet: call fit(summary) first",
                                 parameter="model")
        return self.params_.to_numpy()

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | frequency, recency, T), FHL note equation (21).

        Returns
        -------
        Series
            One value in (0, 1] per row of ``summary`` (same index), named ``p_alive``.
        """
        params = self._params()
        d = _check_summary(summary, ["frequency", "recency", "T"])
        x, t_x, T = (d[c].to_numpy() for c in ("frequency", "recency", "T"))
        with np.errstate(all="ignore"):
            alive, dropped = _log_terms(params, x, t_x, T)
            p = np.exp(alive - np.logaddexp(alive, dropped))
        return pd.Series(p, index=summary.index, name="p_alive")

    def expected_purchases_new(self, t) -> np.ndarray:
        """E[X(t)] for a new customer, FHL note equation (24): ``r beta / (alpha (s-1))
        [1 - (beta / (beta + t))^(s-1)]`` (its limit ``r beta / alpha log(1 + t/beta)`` at s = 1)."""
        r, alpha, s, beta = self._params()
        t = np.asarray(t, dtype=float)
        return r * beta / alpha * _lifetime_factor(s, np.log1p(t / beta))

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` time units, FHL note equation (27).

        ``(r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)``.

        Returns
        -------
        Series
            One value per row of ``summary`` (same index), named ``expected_purchases``.
        """
        r, alpha, s, beta = self._params()
        if not np.isfinite(t) or t < 0:
            raise ParameterError(f"t must be a non-negative number; got {t!r}",
                                 parameter="t", allowed=">= 0", value=t)
        d = _check_summary(summary, ["frequency", "recency", "T"])
        x, T = d["frequency"].to_numpy(), d["T"].to_numpy()
        rate = (r + x) * (beta + T) / (alpha + T)
        value = rate * _lifetime_factor(s, np.log1p(t / (beta + T)))
        p_alive = self.probability_alive(summary).to_numpy()
        return pd.Series(value * p_alive, index=summary.index, name="expected_purchases")


def _lifetime_factor(s, log_ratio):
    """``[1 - exp(-(s-1) L)] / (s-1)``, and its limit ``L`` at ``s = 1``."""
    k = s - 1.0
    if abs(k) < 1e-10:
        return log_ratio
    return -np.expm1(-k * log_ratio) / k
