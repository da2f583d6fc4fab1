"""The Gamma-Gamma model of the average value per purchase.

:class:`GammaGammaModel` fits ``p, q, gamma`` on repeat buyers with a positive
average repeat value (Fader & Hardie 2013, equation 4) and predicts each
customer's expected value per purchase, shrunk towards the population mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from crmlib.clv._base import (
    NotFittedError,
    _check_summary,
    _compress,
    _fit_log_params,
    _problem,
    _Uncertainty,
    _WeightedLoglik,
)
from crmlib.exceptions import DataError, DataProblem, ParameterError


class GammaGammaModel(_Uncertainty):
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
        self._total_loglik = _WeightedLoglik(self._loglik, cols, weights, ("x", "m"))
        self._errors_cache = None
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
