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
