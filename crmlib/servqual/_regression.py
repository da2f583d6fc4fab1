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


def _on_cut(x: pd.Series, cut: float, tolerance: float) -> pd.Series:
    spread = float(x.max() - x.min()) if x.notna().any() else 0.0
    return (x - cut).abs() <= tolerance * spread


def ipa_importance(available: dict, regression: pd.DataFrame | None = None) -> str | None:
    """Which importance places the dimensions on the IPA grid, or None when none can.

    The points respondents stated (``"stated"``) when every dimension has them
    (:func:`available` ``["importance"]``); else the regression's derived importance
    (``"derived"``) when at least one dimension's gap raises the overall rating; else None
    (:func:`ipa_missing` says why, in words).
    """
    if available.get("importance"):
        return "stated"
    if regression is not None and regression["derived_importance"].notna().any():
        return "derived"
    return None


def ipa_missing(available: dict, regression: pd.DataFrame | None = None,
                language: str = "es") -> str:
    """Why the IPA grid cannot be drawn, as one sentence saying what would unlock it."""
    from crmlib.i18n import t

    if regression is not None and not available.get("importance"):
        return t("servqual.ipa.no_derived", language)
    return t("stages.06_servqual.ipa.missing", language)


def ipa_table(scores: pd.DataFrame, *, regression: pd.DataFrame | None = None,
              importance: str = "stated", performance: str = "perception",
              tests: pd.DataFrame | None = None, zone: pd.DataFrame | None = None,
              cut_tolerance: float = 0.05, language: str = "es") -> pd.DataFrame:
    """Importance-performance grid (Martilla & James 1977) of the five dimensions, read
    together with the significance tests and the zone of tolerance.

    The grid is centred on the mean importance and mean performance of the dimensions:
    high importance and low performance is where to *concentrate*; high and high, *keep up*
    the good work; low and low, *low priority*; low importance and high performance,
    possible *overkill*. A position relative to the other dimensions is not a verdict on
    its own, so the grid quadrant (``grid_quadrant``) is corrected where the evidence says
    otherwise (``basis``), first that applies:

    * ``below_adequate`` — the perception is below the adequate service level (zone of
      tolerance, Parasuraman, Zeithaml & Berry 1994): customers find it unacceptable, so
      *concentrate*, whatever its place on the grid;
    * ``top_driver`` — the dimension that moves the overall rating most in the regression
      (largest derived importance, coefficient significant at 5 %) falls significantly
      short of expectations: *concentrate*;
    * ``on_cut`` — the point sits on a cut (within ``cut_tolerance`` of the axis' spread
      from the mean): the side is decided by the other evidence, the derived importance
      (above or below its mean) for an importance cut, the significance of the gap (a
      significant shortfall is low performance) for a performance cut;
    * ``shortfall_not_overkill`` — a dimension significantly below expectations is never
      *overkill*: it is *low priority* (low importance, and customers say it falls short);
    * ``grid`` — the grid quadrant stands.

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores` (its ``overall`` row is ignored).
    regression : DataFrame, optional
        From :func:`importance_regression`; needed for ``importance="derived"``.
    importance : {"stated", "derived"}, default "stated"
        Mean points of 100 customers gave, or importance derived from the regression.
    performance : {"perception", "gap"}, default "perception"
    tests : DataFrame, optional
        From :func:`paired_tests` with ``level="dimension"``.
    zone : DataFrame, optional
        From :func:`zone_of_tolerance` by dimension.
    cut_tolerance : float, default 0.05
        Share of an axis' spread (largest minus smallest dimension) within which a point
        counts as sitting on the cut, in [0, 0.5).
    language : {"es", "en"}
        Language of ``reading``.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``importance``, ``performance``, ``gap``,
        ``importance_cut``, ``performance_cut``, ``grid_quadrant`` (by the cuts alone),
        ``quadrant`` (concentrate, keep_up, low_priority, overkill: the reading to act
        on), ``basis`` (see above), ``on_cut`` (the point sits on a cut),
        ``significant_shortfall`` (NaN without ``tests``), ``zone_position`` (NaN without
        ``zone``), ``priority`` (1 = act first: concentrate quadrant first, then by
        importance x shortfall) and ``reading`` (why, as a sentence in ``language``).
    """
    from crmlib.i18n import check_language, t

    check_choice("importance", importance, ("stated", "derived"))
    check_choice("performance", performance, ("perception", "gap"))
    check_language(language)
    if not (isinstance(cut_tolerance, (int, float)) and 0 <= cut_tolerance < 0.5):
        raise ParameterError(f"cut_tolerance must be in [0, 0.5); got {cut_tolerance!r}",
                             parameter="cut_tolerance", allowed="[0, 0.5)",
                             value=cut_tolerance)
    dims = scores[scores["dimension"] != "overall"].reset_index(drop=True)
    derived = None
    if regression is not None:
        derived = dims["dimension"].map(regression.set_index("dimension")["derived_importance"])
    if importance == "derived":
        if regression is None:
            raise ParameterError("importance='derived' needs the regression table "
                                 "(crmlib.servqual.importance_regression)",
                                 parameter="regression", value=None)
        imp = derived
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
    out["grid_quadrant"] = _quadrant(hi_i, hi_p)

    short = pd.Series(np.nan, index=out.index, dtype=object)
    if tests is not None:
        tt = tests.set_index("dimension")
        sig = out["dimension"].map(tt["significant"].astype(bool) & (tt["mean_diff"] < 0))
        short = sig.astype(object)
    position = pd.Series(np.nan, index=out.index, dtype=object)
    if zone is not None:
        position = out["dimension"].map(zone.set_index("dimension")["position"]).astype(object)
    is_short = short.map(lambda v: isinstance(v, (bool, np.bool_)) and bool(v)).astype(bool)
    on_i = _on_cut(out["importance"], out["importance_cut"].iloc[0], cut_tolerance)
    on_p = _on_cut(out["performance"], out["performance_cut"].iloc[0], cut_tolerance)
    out["on_cut"] = on_i | on_p

    # the side of a point on a cut, from the other evidence
    side_i, side_p = hi_i.copy(), hi_p.copy()
    if derived is not None and importance == "stated" and derived.notna().any():
        side_i = side_i.where(~on_i, derived >= derived.mean())
    side_p = side_p.where(~(on_p & is_short), False)
    cut_quadrant = _quadrant(side_i, side_p)

    top = pd.Series(False, index=out.index)
    if regression is not None and regression["derived_importance"].notna().any():
        reg = regression.dropna(subset=["derived_importance"]).sort_values(
            ["derived_importance", "dimension"], ascending=[False, True]).iloc[0]
        if reg["p_value"] < 0.05:
            top = (out["dimension"] == reg["dimension"]) & is_short
    quadrant, basis = [], []
    for i in out.index:
        q = out.at[i, "grid_quadrant"]
        if position[i] == "below":
            quadrant.append("concentrate")
            basis.append("below_adequate")
        elif top[i] and q != "concentrate":
            quadrant.append("concentrate")
            basis.append("top_driver")
        elif out.at[i, "on_cut"] and cut_quadrant[i] != q:
            q2 = cut_quadrant[i]
            if q2 == "overkill" and is_short[i]:
                q2 = "low_priority"
            quadrant.append(q2)
            basis.append("on_cut")
        elif q == "overkill" and is_short[i]:
            quadrant.append("low_priority")
            basis.append("shortfall_not_overkill")
        else:
            quadrant.append(q)
            basis.append("grid")
    out["quadrant"] = quadrant
    out["basis"] = basis
    out["significant_shortfall"] = short
    out["zone_position"] = position
    urgency = out["importance"] * (-out["gap"]).clip(lower=0)
    order = pd.DataFrame({"c": out["quadrant"] != "concentrate", "u": -urgency,
                          "i": -out["importance"], "d": out["dimension"]})
    ranked = order.sort_values(["c", "u", "i", "d"]).index
    out["priority"] = 0
    out.loc[ranked, "priority"] = np.arange(1, len(out) + 1)
    readings = []
    for r in out.itertuples():
        q = t(f"servqual.quadrant.{r.quadrant}", language)
        text = t(f"servqual.ipa_basis.{r.basis}", language, quadrant=q,
                 grid=t(f"servqual.quadrant.{r.grid_quadrant}", language))
        if r.on_cut and r.basis != "on_cut":
            text += " " + t("servqual.ipa_basis.on_cut_note", language)
        readings.append(text)
    out["reading"] = readings
    return out


def _quadrant(hi_i: pd.Series, hi_p: pd.Series) -> np.ndarray:
    hi_i, hi_p = hi_i.astype(bool), hi_p.astype(bool)
    return np.select([hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p],
                     ["concentrate", "keep_up", "low_priority"], "overkill").astype(object)


def ipa_reading(ipa: pd.DataFrame, *, instrument="servqual-1991",
                language: str = "es") -> pd.DataFrame:
    """The importance-performance reading to show a client, by priority.

    Parameters
    ----------
    ipa : DataFrame
        From :func:`ipa_table`.
    instrument : str, path or Instrument
        For the dimension labels.
    language : {"es", "en"}

    Returns
    -------
    DataFrame
        One row per dimension, by ``priority``, with reader headers in ``language``:
        priority, dimension (label), importance, performance, gap, grid quadrant and
        quadrant (labels), with ``tests`` whether the shortfall is significant (yes/no),
        with ``zone`` the place in the zone of tolerance (label), and the reading
        sentence. No codes.
    """
    from crmlib.i18n import check_language, t
    from crmlib.servqual._base import _instrument

    check_language(language)
    inst = _instrument(instrument)
    out = ipa.sort_values("priority")
    quad = {q: t(f"servqual.quadrant.{q}", language)
            for q in ("concentrate", "keep_up", "low_priority", "overkill")}
    table = pd.DataFrame({
        "priority": out["priority"].to_numpy(),
        "dimension": [inst.dimension_label(d, language) for d in out["dimension"]],
        "importance": out["importance"].to_numpy(),
        "performance": out["performance"].to_numpy(),
        "gap": out["gap"].to_numpy(),
        "grid_quadrant": out["grid_quadrant"].map(quad).to_numpy(),
        "quadrant": out["quadrant"].map(quad).to_numpy(),
    })
    short = out.get("significant_shortfall")
    if short is not None and short.notna().any():
        table["significant_shortfall"] = [
            "" if not isinstance(v, (bool, np.bool_)) else
            t("common.yes" if v else "common.no", language) for v in short]
    zone = out.get("zone_position")
    if zone is not None and zone.notna().any():
        table["zone_position"] = [t(f"servqual.position.{v}", language) if isinstance(v, str)
                                  else "" for v in zone]
    table["reading"] = out["reading"].to_numpy()
    return table.rename(columns={c: t(f"servqual.column.{c}", language) for c in table.columns})
