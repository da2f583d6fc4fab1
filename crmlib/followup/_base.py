"""Shared helpers of the follow-up analyses: entry checks and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import DataError, DataProblem, ParameterError


def _need(df: pd.DataFrame, table: str, columns) -> pd.DataFrame:
    """A copy of ``df`` after checking it is a frame with ``columns``; one DataError
    naming every missing column otherwise."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"{table} must be a DataFrame; got {type(df).__name__}",
                             parameter=table, value=type(df).__name__)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError([DataProblem(table, c, "is required but missing") for c in missing])
    return df.copy()


def _check_share(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1):
        raise ParameterError(f"{name} must be a number between 0 and 1; got {value!r}",
                             parameter=name, value=value)
    return float(value)


def mean_interval(values, ci: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and Student-t interval of ``values`` (NaN dropped): ``(mean, low, high, n)``.

    With fewer than two values the interval is empty (NaN).
    """
    x = pd.Series(values, dtype=float).dropna().to_numpy()
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, np.nan, np.nan, n
    half = float(stats.t.ppf(0.5 + ci / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return m, m - half, m + half, n


def wilson_interval(successes: int, trials: int, ci: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927; R ``prop.test(correct=FALSE)``)."""
    if trials == 0:
        return np.nan, np.nan
    z = float(stats.norm.ppf(0.5 + ci / 2))
    p = successes / trials
    den = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / den
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / den
    return float(centre - half), float(centre + half)
