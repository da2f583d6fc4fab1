"""The SERVQUAL score, unweighted and weighted by the importance points customers gave
each dimension (:func:`servqual_scores`), and the perception placed against the zone of
tolerance between adequate and desired service (:func:`zone_of_tolerance`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, check_choice
from crmlib.servqual._base import _TABLE, _Grid, _grid, _importance, _respondents
from crmlib.servqual._gaps import _dimension_gaps


def servqual_scores(gaps: pd.DataFrame, respondents: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Unweighted and importance-weighted SERVQUAL scores.

    The *unweighted* score of a dimension is the mean, over respondents, of each
    respondent's mean item gap in that dimension; the overall unweighted score is the
    mean of the dimension scores. The *weighted* score follows Zeithaml, Parasuraman &
    Berry (1990, ch. 9): each respondent's dimension gaps are multiplied by the share of
    the 100 points they gave that dimension and added up; the table shows each
    dimension's mean contribution and, in the overall row, their sum. Points that do not
    add up to 100 are rescaled to 100; respondents without points for every dimension
    (or with a gap missing in some dimension) are left out of the weighted score.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table`.
    respondents : DataFrame, optional
        Contract ``servqual_respondents`` with ``importance_<dimension>`` points; without it
        the weighted columns are empty.

    Returns
    -------
    DataFrame
        One row per dimension, then a row ``dimension == "overall"``: ``dimension``,
        ``n`` (respondents in the unweighted score), ``expectation``, ``perception``,
        ``gap`` (unweighted score), ``importance`` (mean points of 100; 100 overall),
        ``n_weighted`` (respondents in the weighted score), ``weighted_gap``
        (mean weighted contribution; the weighted SERVQUAL score overall).
    """
    g = _grid(gaps)
    dim = _dimension_gaps(g, 0.95)
    gd = g.dim_scores("gap")
    nd = len(g.dimensions)
    imp = None
    if respondents is not None:
        imp = _importance(_respondents(respondents, g), g.dimensions)
    out = dim[["dimension", "n", "expectation", "perception", "gap"]].copy()
    if imp is None:
        out["importance"] = np.nan
        out["n_weighted"] = 0
        out["weighted_gap"] = np.nan
    else:
        ok = ~np.isnan(imp).any(axis=1) & ~np.isnan(gd).any(axis=1)
        contrib = gd[ok] * imp[ok] / 100.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out["importance"] = np.nanmean(imp[~np.isnan(imp).any(axis=1)], axis=0)
            out["weighted_gap"] = contrib.mean(axis=0) if ok.any() else np.nan
        out["n_weighted"] = int(ok.sum())
    overall = {
        "dimension": "overall",
        "n": int((~np.isnan(gd)).any(axis=1).sum()),
        "expectation": float(np.nanmean(out["expectation"])) if nd else np.nan,
        "perception": float(np.nanmean(out["perception"])) if nd else np.nan,
        "gap": float(out["gap"].mean()),
        "importance": 100.0 if imp is not None else np.nan,
        "n_weighted": int(out["n_weighted"].iloc[0]) if nd else 0,
        "weighted_gap": float(out["weighted_gap"].sum(min_count=1)),
    }
    out = pd.concat([out, pd.DataFrame([overall])], ignore_index=True)
    out = out[["dimension", "n", "expectation", "perception", "gap", "importance", "n_weighted",
               "weighted_gap"]]
    out["n"] = out["n"].astype(int)
    out["n_weighted"] = out["n_weighted"].astype(int)
    return out


# --------------------------------------------------------------------------- zone of tolerance


def zone_of_tolerance(gaps: pd.DataFrame, *, by: str = "dimension") -> pd.DataFrame:
    """Perception against the zone between adequate and desired service.

    Parasuraman, Zeithaml & Berry (1994): the *measure of service adequacy* is
    MSA = perception - adequate (negative: below the minimum customers accept) and the
    *measure of service superiority* is MSS = perception - desired (positive: above what
    they wish for). Between the two the service is within the zone of tolerance.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table` on responses with ``adequate`` and ``desired``.
    by : {"dimension", "item"}, default "dimension"

    Returns
    -------
    DataFrame
        One row per dimension (or item: then also ``item_id``): ``dimension``, ``n``,
        ``adequate``, ``desired``, ``perception`` (means over respondents with all three),
        ``zone_width`` (desired - adequate), ``msa``, ``mss``, ``position``
        (``below``, ``within`` or ``above`` the zone).

    Raises
    ------
    DataError
        When the survey did not ask for adequate and desired service.
    """
    check_choice("by", by, ("dimension", "item"))
    g = _grid(gaps)
    if not {"adequate", "desired"} <= set(g.values) or np.isnan(g.values["adequate"]).all() \
            or np.isnan(g.values["desired"]).all():
        raise DataError([DataProblem(_TABLE, "adequate", "and 'desired' are needed for the zone "
                                     "of tolerance but were not asked in this survey")])
    a, d, p = g.values["adequate"], g.values["desired"], g.values["perception"]
    ok = ~(np.isnan(a) | np.isnan(d) | np.isnan(p))
    vals = {k: np.where(ok, v, np.nan) for k, v in (("adequate", a), ("desired", d),
                                                     ("perception", p))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if by == "item":
            means = {k: np.nanmean(v, axis=0) for k, v in vals.items()}
            n = ok.sum(axis=0)
            out = pd.DataFrame({"item_id": g.item_ids, "dimension": g.item_dims.astype(str),
                                "n": n})
        else:
            gg = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions, vals)
            means = {k: np.nanmean(gg.dim_scores(k), axis=0) for k in vals}
            n = (~np.isnan(gg.dim_scores("perception"))).sum(axis=0)
            out = pd.DataFrame({"dimension": g.dimensions, "n": n})
    for k in ("adequate", "desired", "perception"):
        out[k] = means[k]
    out["zone_width"] = out["desired"] - out["adequate"]
    out["msa"] = out["perception"] - out["adequate"]
    out["mss"] = out["perception"] - out["desired"]
    out["position"] = np.select([out["msa"] < 0, out["mss"] > 0], ["below", "above"], "within")
    out.loc[out["msa"].isna(), "position"] = None
    return out
