"""Significance tests: perception against expectation, paired by respondent
(:func:`paired_tests`), and differences between customer segments (:func:`segment_gaps`,
:func:`segment_comparison`), with the p-values adjusted for multiple testing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import DataError, DataProblem, check_choice
from crmlib.servqual._base import _RESP_TABLE, _check_ci, _Grid, _grid, _mean_ci, _respondent_matrix


def _holm(p: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Holm (1979) step-down adjusted p-values: sort ascending, multiply the i-th smallest
    by (m - i), carry the running maximum, cap at 1; reject where adjusted <= alpha."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj_sorted = np.minimum(np.maximum.accumulate(p[order] * np.arange(m, 0, -1)), 1.0)
    adj = np.empty(m)
    adj[order] = adj_sorted
    return adj, adj <= alpha


def _adjust(p: np.ndarray, method: str, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted p-values and rejections over the non-missing ``p``.

    Holm is computed here (same values as ``statsmodels``' ``multipletests``, which runs a
    full garbage collection on every Holm call - tenths of a second in a large session);
    every other method goes to ``statsmodels.stats.multitest.multipletests``.
    """
    out = np.full(len(p), np.nan)
    sig = np.zeros(len(p), dtype=bool)
    ok = ~np.isnan(p)
    if ok.any():
        if method == "holm":
            adj, rej = _holm(p[ok], alpha)
        else:
            from statsmodels.stats.multitest import multipletests

            rej, adj, _, _ = multipletests(p[ok], alpha=alpha, method=method)
        out[ok] = adj
        sig[ok] = rej
    return out, sig


_MT_METHODS = ("holm", "bonferroni", "fdr_bh", "fdr_by", "sidak", "holm-sidak", "hommel")


def paired_tests(gaps: pd.DataFrame, *, level: str = "dimension", alpha: float = 0.05,
                 ci: float = 0.95, test: str = "t", correction: str = "holm") -> pd.DataFrame:
    """Paired tests of perception against expectation, with a multiple-testing correction.

    For each item (or each respondent's dimension means) the paired t-test
    (``scipy.stats.ttest_rel``) and the Wilcoxon signed-rank test (``scipy.stats.wilcoxon``)
    compare P with E on the respondents who gave both. The p-values of ``test`` are then
    adjusted across the rows of the table with ``statsmodels``' ``multipletests``.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table`.
    level : {"dimension", "item"}, default "dimension"
    alpha : float, default 0.05
        Family-wise error rate (or false discovery rate for ``fdr_*`` corrections).
    ci : float, default 0.95
        Level of the interval of the mean difference.
    test : {"t", "wilcoxon"}, default "t"
        Which p-value is adjusted and decides ``significant``.
    correction : str, default "holm"
        Any ``multipletests`` method: holm, bonferroni, fdr_bh, fdr_by, sidak, holm-sidak,
        hommel.

    Returns
    -------
    DataFrame
        One row per dimension (or item: then ``item_id`` first): ``dimension``, ``n``,
        ``mean_diff`` (mean P - E), ``ci_low``, ``ci_high``, ``effect_size`` (Cohen's dz:
        mean difference / SD of differences), ``t``, ``p_t``, ``w``, ``p_wilcoxon``,
        ``p_adjusted``, ``significant`` (bool).
    """
    check_choice("level", level, ("dimension", "item"))
    check_choice("test", test, ("t", "wilcoxon"))
    check_choice("correction", correction, _MT_METHODS)
    ci = _check_ci(ci)
    _check_ci(alpha, "alpha")
    g = _grid(gaps)
    both = ~np.isnan(g.values["gap"])
    e = np.where(both, g.values["expectation"], np.nan)
    p = np.where(both, g.values["perception"], np.nan)
    if level == "dimension":
        gg = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions,
                   {"expectation": e, "perception": p})
        e, p = gg.dim_scores("expectation"), gg.dim_scores("perception")
        out = pd.DataFrame({"dimension": g.dimensions})
    else:
        out = pd.DataFrame({"item_id": g.item_ids, "dimension": g.item_dims.astype(str)})
    rows = []
    for j in range(e.shape[1]):
        ok = ~(np.isnan(e[:, j]) | np.isnan(p[:, j]))
        pj, ej = p[ok, j], e[ok, j]
        d = pj - ej
        row = {"n": int(ok.sum()), "mean_diff": float(d.mean()) if len(d) else np.nan,
               "ci_low": np.nan, "ci_high": np.nan, "effect_size": np.nan, "t": np.nan,
               "p_t": np.nan, "w": np.nan, "p_wilcoxon": np.nan}
        if len(d) >= 2:
            sd = d.std(ddof=1)
            if sd > 0:
                res = stats.ttest_rel(pj, ej)
                cint = res.confidence_interval(ci)
                row.update(t=float(res.statistic), p_t=float(res.pvalue),
                           ci_low=float(cint.low), ci_high=float(cint.high),
                           effect_size=float(d.mean() / sd))
            else:
                row.update(ci_low=float(d.mean()), ci_high=float(d.mean()))
            if np.any(d != 0):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    w = stats.wilcoxon(d)
                row.update(w=float(w.statistic), p_wilcoxon=float(w.pvalue))
        rows.append(row)
    out = pd.concat([out, pd.DataFrame(rows)], axis=1)
    adj, sig = _adjust(out["p_t" if test == "t" else "p_wilcoxon"].to_numpy(dtype=float),
                       correction, alpha)
    out["p_adjusted"] = adj
    out["significant"] = sig
    return out


# --------------------------------------------------------------------------- segments


def _segments(gaps, respondents) -> tuple[_Grid, np.ndarray, np.ndarray, list]:
    """The grid, respondent x dimension gaps, segment code per respondent (-1 when missing)
    and the sorted segment names; a respondents table without ``segment`` is a DataError."""
    g, gd, resp = _respondent_matrix(gaps, respondents)
    if "segment" not in resp.columns:
        raise DataError([DataProblem(_RESP_TABLE, "segment", "is required to compare "
                                     "segments but missing")])
    seg = resp["segment"]
    txt = seg.astype("str").where(seg.notna())
    codes, names = pd.factorize(txt, sort=True)
    return g, gd, codes, [str(x) for x in names]


def segment_gaps(gaps: pd.DataFrame, respondents: pd.DataFrame) -> pd.DataFrame:
    """Mean dimension gap per customer segment.

    Returns
    -------
    DataFrame
        One row per dimension and segment (segments sorted): ``dimension``, ``segment``,
        ``n``, ``gap``, ``gap_sd``, ``ci_low``, ``ci_high`` (95 % t interval).
    """
    g, gd, seg, names = _segments(gaps, respondents)
    rows = []
    for j, d in enumerate(g.dimensions):
        for code, s in enumerate(names):
            v = gd[(seg == code) & ~np.isnan(gd[:, j]), j]
            mean, sd, _, lo, hi = _mean_ci(v.reshape(-1, 1) if len(v) else
                                           np.full((1, 1), np.nan), 0.95)
            rows.append({"dimension": d, "segment": s, "n": len(v),
                         "gap": float(mean[0]), "gap_sd": float(sd[0]),
                         "ci_low": float(lo[0]), "ci_high": float(hi[0])})
    return pd.DataFrame(rows)


def segment_comparison(gaps: pd.DataFrame, respondents: pd.DataFrame, *,
                       alpha: float = 0.05, correction: str = "holm") -> pd.DataFrame:
    """Do segments differ in their dimension gaps? One-way ANOVA and Kruskal-Wallis.

    For each dimension, respondents' dimension gaps are grouped by ``segment``
    (``scipy.stats.f_oneway`` and ``scipy.stats.kruskal``); Kruskal-Wallis p-values are
    adjusted across dimensions (``statsmodels`` ``multipletests``). Segments with fewer
    than two respondents are left out; with fewer than two segments the tests are empty.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``n_segments``, ``n``, ``f``, ``p_anova``,
        ``h``, ``p_kruskal``, ``p_adjusted`` (Kruskal-Wallis), ``significant``,
        ``lowest_segment`` and ``highest_segment`` (by mean gap).
    """
    check_choice("correction", correction, _MT_METHODS)
    _check_ci(alpha, "alpha")
    g, gd, seg, names = _segments(gaps, respondents)
    rows = []
    for j, d in enumerate(g.dimensions):
        groups = {s: gd[(seg == c) & ~np.isnan(gd[:, j]), j] for c, s in enumerate(names)}
        groups = {s: v for s, v in groups.items() if len(v) >= 2}
        row = {"dimension": d, "n_segments": len(groups),
               "n": int(sum(len(v) for v in groups.values())), "f": np.nan, "p_anova": np.nan,
               "h": np.nan, "p_kruskal": np.nan, "lowest_segment": None,
               "highest_segment": None}
        if len(groups) >= 2:
            means = {s: v.mean() for s, v in groups.items()}
            row["lowest_segment"] = min(means, key=lambda s: (means[s], s))
            row["highest_segment"] = max(means, key=lambda s: (means[s], s))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fa = stats.f_oneway(*groups.values())
                try:
                    kw = stats.kruskal(*groups.values())
                    row.update(h=float(kw.statistic), p_kruskal=float(kw.pvalue))
                except ValueError:  # all values identical
                    pass
            row.update(f=float(fa.statistic), p_anova=float(fa.pvalue))
        rows.append(row)
    out = pd.DataFrame(rows)
    adj, sig = _adjust(out["p_kruskal"].to_numpy(dtype=float), correction, alpha)
    out.insert(7, "p_adjusted", adj)
    out.insert(8, "significant", sig)
    return out
