"""Reliability of the scales: Cronbach's alpha with Feldt's confidence interval
(:func:`cronbach_alpha`), alpha per dimension (:func:`reliability_table`) and item analysis
within each dimension (:func:`item_reliability_table`), all from pairwise covariance
matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import DataError, DataProblem, check_choice
from crmlib.servqual._base import _check_ci, _Grid, _grid


def cronbach_alpha(items: pd.DataFrame, *, ci: float = 0.95,
                   nan_policy: str = "pairwise") -> pd.Series:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))``, computed from the
    item covariance matrix. The interval is Feldt, Woodruff & Salih (1987):
    ``1 - (1 - alpha) * F`` with ``F`` quantiles on ``(n - 1, (n - 1)(k - 1))`` degrees of
    freedom, as in pingouin's ``cronbach_alpha`` and R's ``psych::alpha``.

    Parameters
    ----------
    items : DataFrame
        Wide: one row per respondent, one numeric column per item (at least two of each).
    ci : float, default 0.95
        Confidence level.
    nan_policy : {"pairwise", "listwise"}, default "pairwise"
        ``pairwise`` computes each covariance from the respondents who answered both items
        (R: ``use="pairwise"``); ``listwise`` first drops respondents with any missing item
        (R: ``use="complete.obs"``).

    Returns
    -------
    Series
        ``alpha``, ``ci_low``, ``ci_high``, ``n_items``, ``n_respondents`` (rows with at least
        one answer under ``pairwise``; complete rows under ``listwise``, which is also the
        ``n`` of the interval).
    """
    ci = _check_ci(ci)
    check_choice("nan_policy", nan_policy, ("pairwise", "listwise"))
    if not isinstance(items, pd.DataFrame):
        items = pd.DataFrame(items)
    non_numeric = [c for c in items.columns if not pd.api.types.is_numeric_dtype(items[c])]
    if non_numeric:
        raise DataError([DataProblem("items", str(c), "must be numeric") for c in non_numeric])
    x = items.to_numpy(dtype=float, na_value=np.nan)
    x = x[~np.isnan(x).all(axis=1)]
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2 or n < 2:
        raise DataError([DataProblem("items", None, f"needs at least 2 items and 2 respondents "
                                     f"(got {k} items, {n} respondents)")])
    c = _cov(x)
    alpha = _alpha_from_cov(c)
    return pd.Series({"alpha": alpha, **_feldt(alpha, n, k, ci), "n_items": k,
                      "n_respondents": n})


def _cov(x: np.ndarray) -> np.ndarray:
    """Covariance matrix with pairwise deletion, as ``DataFrame.cov``: each entry from the
    rows where both columns are present (three matrix products, no loop over pairs)."""
    miss = np.isnan(x)
    if not miss.any():
        return np.cov(x, rowvar=False, ddof=1)
    m = (~miss).astype(float)
    x0 = np.where(miss, 0.0, x)
    n = m.T @ m
    sxy = x0.T @ x0
    sx = x0.T @ m  # sx[i, j]: sum of x_i over rows where x_j is present
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (sxy - sx * sx.T / n) / (n - 1)
    c[n < 2] = np.nan
    return c


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    return float(k / (k - 1) * (1 - np.trace(c) / total)) if total else np.nan


def _feldt(alpha: float, n: int, k: int, ci: float) -> dict:
    df1 = n - 1
    df2 = df1 * (k - 1)
    q = 1 - ci
    return {"ci_low": float(1 - (1 - alpha) * stats.f.isf(q / 2, df1, df2)),
            "ci_high": float(1 - (1 - alpha) * stats.f.isf(1 - q / 2, df1, df2))}


def _check_part(part: str, g: _Grid) -> np.ndarray:
    check_choice("part", part, ("gap", "expectation", "perception"))
    return g.values[part]


def reliability_table(gaps: pd.DataFrame, *, part: str = "gap", ci: float = 0.95,
                      nan_policy: str = "pairwise") -> pd.DataFrame:
    """Cronbach's alpha of each dimension (and of all items together).

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table`.
    part : {"gap", "expectation", "perception"}, default "gap"
        Which scores to test; Parasuraman et al. (1988) report alphas of the gap scores.
    ci, nan_policy
        As in :func:`cronbach_alpha`.

    Returns
    -------
    DataFrame
        One row per dimension, then ``dimension == "all"``: ``dimension``, ``n_items``,
        ``n_respondents``, ``alpha``, ``ci_low``, ``ci_high``. Dimensions with a single item
        get empty values.
    """
    ci = _check_ci(ci)
    g = _grid(gaps)
    x = _check_part(part, g)
    rows = []
    for d in [*g.dimensions, "all"]:
        cols = np.ones(len(g.item_ids), bool) if d == "all" else g.item_dims == d
        sub = pd.DataFrame(x[:, cols])
        if cols.sum() < 2:
            rows.append({"dimension": d, "n_items": int(cols.sum()), "n_respondents": 0,
                         "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan})
            continue
        try:
            r = cronbach_alpha(sub, ci=ci, nan_policy=nan_policy)
        except DataError:
            rows.append({"dimension": d, "n_items": int(cols.sum()), "n_respondents": 0,
                         "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan})
            continue
        rows.append({"dimension": d, "n_items": int(r["n_items"]),
                     "n_respondents": int(r["n_respondents"]), "alpha": r["alpha"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
    return pd.DataFrame(rows)


def item_reliability_table(gaps: pd.DataFrame, *, part: str = "gap") -> pd.DataFrame:
    """Item analysis within each dimension: corrected item-total correlation and alpha if
    the item were deleted.

    Both come from the dimension's (pairwise) covariance matrix ``C``: the corrected
    item-total correlation of item ``i`` is the correlation of ``i`` with the sum of the
    *other* items, ``(C[i].sum() - C[i,i]) / sqrt(C[i,i] * (C.sum() - 2 C[i].sum() + C[i,i]))``,
    the ``r.drop`` of R's ``psych::alpha``.

    Returns
    -------
    DataFrame
        One row per item: ``item_id``, ``dimension``, ``item_total_r`` (corrected item-total
        correlation), ``alpha_if_deleted`` (empty for dimensions of fewer than 3 items),
        ``dimension_alpha``.
    """
    g = _grid(gaps)
    x = _check_part(part, g)
    rows = []
    for d in g.dimensions:
        idx = np.flatnonzero(g.item_dims == d)
        sub = x[:, idx]
        sub = sub[~np.isnan(sub).all(axis=1)]
        if len(idx) < 2 or len(sub) < 2:
            for i in idx:
                rows.append({"item_id": g.item_ids[i], "dimension": d, "item_total_r": np.nan,
                             "alpha_if_deleted": np.nan, "dimension_alpha": np.nan})
            continue
        c = _cov(sub)
        a = _alpha_from_cov(c)
        row_sums = c.sum(axis=1)
        total = c.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (row_sums - np.diag(c)) / np.sqrt(np.diag(c) * (total - 2 * row_sums
                                                                 + np.diag(c)))
        for j, i in enumerate(idx):
            keep = np.arange(len(idx)) != j
            aid = _alpha_from_cov(c[np.ix_(keep, keep)]) if len(idx) > 2 else np.nan
            rows.append({"item_id": g.item_ids[i], "dimension": d, "item_total_r": float(r[j]),
                         "alpha_if_deleted": aid, "dimension_alpha": a})
    return pd.DataFrame(rows)
