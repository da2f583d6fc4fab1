"""What drives the overall rating and where to act: the regression of the overall
quality rating on the dimension gaps, with the importance it derives next to the stated one
(:func:`importance_regression`), and the importance-performance grid (:func:`ipa_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
from crmlib.servqual._base import _RESP_TABLE, _check_ci, _importance, _respondent_matrix


def importance_regression(gaps: pd.DataFrame, respondents: pd.DataFrame, *,
                          cov_type: str = "HC3", ci: float = 0.95) -> pd.DataFrame:
    """Regress the overall quality rating on the five dimension gaps; derived importance.

    Ordinary least squares (``statsmodels``) of ``overall_rating`` on each respondent's
    dimension gaps, with heteroscedasticity-robust standard errors. The standardized
    coefficients (``coef * sd(x) / sd(y)``) say how much each dimension moves the overall
    rating; their positive parts normalised to 100 give the *derived* importance, shown
    next to the *stated* importance (mean points of 100). A negative coefficient gets
    derived importance 0: a better gap should not lower the rating, so it is read as noise.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table`.
    respondents : DataFrame
        Contract ``servqual_respondents`` with ``overall_rating``.
    cov_type : str, default "HC3"
        Robust covariance of ``statsmodels`` (``HC0``-``HC3``; ``nonrobust`` for classic SE).
    ci : float, default 0.95

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``coef``, ``se``, ``p_value``, ``ci_low``,
        ``ci_high``, ``std_coef``, ``derived_importance`` (of 100), ``stated_importance``
        (of 100, empty without points), ``r_squared`` and ``n`` (of the model, repeated).

    Raises
    ------
    DataError
        Without ``overall_rating``, or with fewer respondents than dimensions + 2.
    """
    import statsmodels.api as sm

    check_choice("cov_type", cov_type, ("HC0", "HC1", "HC2", "HC3", "nonrobust"))
    ci = _check_ci(ci)
    g, gd, resp = _respondent_matrix(gaps, respondents)
    if "overall_rating" not in resp.columns:
        raise DataError([DataProblem(_RESP_TABLE, "overall_rating", "is required for the "
                                     "regression but missing")])
    y = resp["overall_rating"].to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(y) & ~np.isnan(gd).any(axis=1)
    nd = len(g.dimensions)
    if ok.sum() < nd + 2:
        raise DataError([DataProblem(_RESP_TABLE, "overall_rating", f"has too few respondents "
                                     f"with a rating and every dimension gap ({int(ok.sum())}; "
                                     f"need at least {nd + 2})")])
    X = sm.add_constant(gd[ok], has_constant="add")
    fit = sm.OLS(y[ok], X).fit(method="qr", cov_type=cov_type)
    conf = np.asarray(fit.conf_int(alpha=1 - ci))
    coef = np.asarray(fit.params)[1:]
    sx = gd[ok].std(axis=0, ddof=1)
    sy = y[ok].std(ddof=1)
    std = coef * sx / sy if sy > 0 else np.full(nd, np.nan)
    pos = np.clip(std, 0, None)
    derived = pos / pos.sum() * 100 if np.nansum(pos) > 0 else np.full(nd, np.nan)
    imp = _importance(resp, g.dimensions)
    stated = np.nanmean(imp[~np.isnan(imp).any(axis=1)], axis=0) \
        if imp is not None and (~np.isnan(imp).any(axis=1)).any() else np.full(nd, np.nan)
    return pd.DataFrame({
        "dimension": g.dimensions, "coef": coef, "se": np.asarray(fit.bse)[1:],
        "p_value": np.asarray(fit.pvalues)[1:], "ci_low": conf[1:, 0], "ci_high": conf[1:, 1],
        "std_coef": std, "derived_importance": derived, "stated_importance": stated,
        "r_squared": float(fit.rsquared), "n": int(ok.sum()),
    })


# --------------------------------------------------------------------------- IPA


def ipa_table(scores: pd.DataFrame, *, regression: pd.DataFrame | None = None,
              importance: str = "stated", performance: str = "perception") -> pd.DataFrame:
    """Importance-performance grid (Martilla & James 1977) of the five dimensions.

    The grid is centred on the mean importance and mean performance of the dimensions:
    high importance and low performance is where to *concentrate*; high and high, *keep up*
    the good work; low and low, *low priority*; low importance and high performance,
    possible *overkill*.

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores` (its ``overall`` row is ignored).
    regression : DataFrame, optional
        From :func:`importance_regression`; needed for ``importance="derived"``.
    importance : {"stated", "derived"}, default "stated"
        Mean points of 100 customers gave, or importance derived from the regression.
    performance : {"perception", "gap"}, default "perception"

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``importance``, ``performance``, ``gap``,
        ``importance_cut``, ``performance_cut``, ``quadrant`` (concentrate, keep_up,
        low_priority, overkill), ``priority`` (1 = act first: concentrate quadrant first,
        then by importance x shortfall).
    """
    check_choice("importance", importance, ("stated", "derived"))
    check_choice("performance", performance, ("perception", "gap"))
    dims = scores[scores["dimension"] != "overall"].reset_index(drop=True)
    if importance == "derived":
        if regression is None:
            raise ParameterError("importance='derived' needs the regression table "
                                 "(crmlib.servqual.importance_regression)",
                                 parameter="regression", value=None)
        imp = dims["dimension"].map(regression.set_index("dimension")["derived_importance"])
    else:
        imp = dims["importance"]
    out = pd.DataFrame({"dimension": dims["dimension"], "importance": imp.astype(float),
                        "performance": dims[performance].astype(float),
                        "gap": dims["gap"].astype(float)})
    if out["importance"].isna().all():
        raise DataError([DataProblem(_RESP_TABLE, "importance_*", f"gives no {importance} "
                                     "importance for the grid")])
    out["importance_cut"] = out["importance"].mean()
    out["performance_cut"] = out["performance"].mean()
    hi_i = out["importance"] >= out["importance_cut"]
    hi_p = out["performance"] >= out["performance_cut"]
    out["quadrant"] = np.select([hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p],
                                ["concentrate", "keep_up", "low_priority"], "overkill")
    urgency = out["importance"] * (-out["gap"]).clip(lower=0)
    order = pd.DataFrame({"c": out["quadrant"] != "concentrate", "u": -urgency,
                          "i": -out["importance"], "d": out["dimension"]})
    ranked = order.sort_values(["c", "u", "i", "d"]).index
    out["priority"] = 0
    out.loc[ranked, "priority"] = np.arange(1, len(out) + 1)
    return out
