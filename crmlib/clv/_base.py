"""What both models share: time units, input checks and the likelihood optimiser.

The summary table is checked once here (numeric, finite, non-negative, whole
``frequency``, ``recency`` within ``T`` and 0 without repeats), its time unit
is resolved from the argument or the table's ``attrs``, identical customers
are compressed into weighted rows, and the negative log-likelihood is
minimised on the log scale from several starting points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from crmlib._purchases import TIME_UNIT_DAYS
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice


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


def _stall_guard(window: int, tol: float):
    """A Nelder-Mead callback that ends the polish once ``window`` iterations have lowered
    the (per-customer) objective by less than ``tol``: on a ridge of the likelihood (the
    Pareto/NBD's ``s, beta`` growing together) the simplex otherwise crawls along it until
    its evaluation budget is spent, for a change far below any reported digit."""
    history: list[float] = []

    def callback(intermediate_result):
        history.append(float(intermediate_result.fun))
        if len(history) > window and history[-window - 1] - history[-1] < tol:
            raise StopIteration

    return callback


def _fit_log_params(negll, starts, n_params, *, polish_evaluations: int = 20000,
                    search_iterations: int = 15000, stall: tuple[int, float] | None = None):
    best = None
    for x0 in starts:
        with np.errstate(all="ignore"):
            res = optimize.minimize(negll, x0, method="L-BFGS-B",
                                    bounds=[(-20.0, 20.0)] * n_params,
                                    options={"maxiter": search_iterations})
            res2 = optimize.minimize(negll, res.x, method="Nelder-Mead",
                                     callback=None if stall is None else _stall_guard(*stall),
                                     options={"xatol": 1e-10, "fatol": 1e-12,
                                              "maxiter": polish_evaluations,
                                              "maxfev": polish_evaluations})
        cand = res2 if res2.fun <= res.fun else res
        if np.isfinite(cand.fun) and (best is None or cand.fun < best.fun):
            best = cand
    if best is None:
        raise DataError([DataProblem("summary", None,
                                     "gives a likelihood that cannot be maximised "
                                     "(check frequency, recency and T)")])
    return best


def _hessian(fun, x, step: float = 1e-3) -> np.ndarray:
    """Central finite-difference Hessian of ``fun`` at ``x``.

    The models call it on the log-likelihood over the log parameters, where
    every coordinate is of order one, so a fixed step of ``1e-3`` keeps the
    truncation error near ``1e-6`` relative and the rounding error (the
    log-likelihood is a sum of thousands of terms) well below that.
    """
    x = np.asarray(x, dtype=float)
    k = len(x)
    h = step * np.maximum(1.0, np.abs(x))
    f0 = fun(x)
    out = np.empty((k, k))
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        out[i, i] = (fun(x + ei) - 2.0 * f0 + fun(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h[j]
            value = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej)
                     + fun(x - ei - ej)) / (4.0 * h[i] * h[j])
            out[i, j] = out[j, i] = value
    return out


def _standard_errors(total_loglik, params: pd.Series):
    """Standard errors of maximum-likelihood estimates from the observed information.

    ``total_loglik(p)`` is the log-likelihood summed over customers at the
    natural parameters ``p``. The information matrix is the negative Hessian
    in ``log p`` (the scale the fit searches on); its inverse is the
    covariance of ``log p``, and the delta method gives ``se(p) = p se(log p)``.
    Returns ``(std_error, log_std_error)`` as Series, NaN when the information
    matrix is not positive definite (a fit at the edge of the search space).
    """
    p = params.to_numpy(dtype=float)
    nan = pd.Series(np.nan, index=params.index)
    if not np.all(np.isfinite(p)) or np.any(p <= 0):
        return nan, nan.copy()
    with np.errstate(all="ignore"):
        info = -_hessian(lambda lp: total_loglik(np.exp(lp)), np.log(p))
    if not np.all(np.isfinite(info)):
        return nan, nan.copy()
    try:
        np.linalg.cholesky(info)
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return nan, nan.copy()
    log_se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return (pd.Series(p * log_se, index=params.index, name="std_error"),
            pd.Series(log_se, index=params.index, name="log_std_error"))


def _intervals(params: pd.Series, log_se: pd.Series, level: float) -> pd.DataFrame:
    """Wald intervals on the log scale, ``p exp(±z se(log p))``: always positive."""
    from scipy import stats

    if not 0 < level < 1:
        raise ParameterError(f"level must be between 0 and 1; got {level!r}",
                             parameter="level", allowed="(0, 1)", value=level)
    z = stats.norm.ppf(0.5 + level / 2)
    p = params.to_numpy(dtype=float)
    s = log_se.to_numpy(dtype=float)
    return pd.DataFrame({"ci_low": p * np.exp(-z * s), "ci_high": p * np.exp(z * s)},
                        index=params.index)


class _Uncertainty:
    """Mixin: standard errors and intervals of a fitted model's parameters.

    A model sets ``self._total_loglik`` (natural parameters -> summed
    log-likelihood on the fitted data) in ``fit``; the errors are computed on
    first use and kept.
    """

    @property
    def std_errors_(self) -> pd.Series:
        """Standard error of each parameter (NaN when the fit is at a bound)."""
        return self._errors()[0]

    def _errors(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit first",
                                 parameter="model")
        if getattr(self, "_errors_cache", None) is None:
            self._errors_cache = _standard_errors(self._total_loglik, self.params_)
        return self._errors_cache

    def confidence_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Interval of each parameter at ``level``.

        Returns
        -------
        DataFrame
            Indexed by parameter: ``estimate``, ``std_error``, ``ci_low``, ``ci_high``
            (Wald intervals on the log scale, so both ends are positive).
        """
        se, log_se = self._errors()
        ci = _intervals(self.params_, log_se, level)
        out = pd.DataFrame({"estimate": self.params_.to_numpy(dtype=float),
                            "std_error": se.to_numpy()}, index=self.params_.index)
        return out.join(ci)


class _WeightedLoglik:
    """Summed log-likelihood of compressed rows (picklable, unlike a closure)."""

    def __init__(self, loglik, cols: dict, weights: np.ndarray, names):
        self.loglik, self.cols, self.weights, self.names = loglik, cols, weights, tuple(names)

    def __call__(self, params) -> float:
        with np.errstate(all="ignore"):
            ll = self.loglik(np.asarray(params, dtype=float),
                             *(self.cols[n] for n in self.names))
        return float((self.weights * ll).sum())
