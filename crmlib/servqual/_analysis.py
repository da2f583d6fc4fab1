"""The whole analysis in one call (:func:`servqual_analysis`, pivoting the answers
once), which analyses the data support (:func:`available`), and the rows of one customer
segment (:func:`select_segment`) for the notebook.
"""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import ParameterError, check_choice
from crmlib.servqual._base import _Aligned, _grid, _instrument, _respondents
from crmlib.servqual._gaps import dimension_gaps, gap_table, item_gaps, sample_table
from crmlib.servqual._regression import importance_regression, ipa_table
from crmlib.servqual._reliability import item_reliability_table, reliability_table
from crmlib.servqual._scores import servqual_scores, zone_of_tolerance
from crmlib.servqual._significance import paired_tests, segment_comparison, segment_gaps


def servqual_analysis(responses: pd.DataFrame, respondents: pd.DataFrame | None = None, *,
                      instrument="servqual-1991", alpha: float = 0.05, ci: float = 0.95,
                      correction: str = "holm", incomplete: str = "keep"
                      ) -> dict[str, pd.DataFrame]:
    """Every SERVQUAL table in one call, pivoting the answers only once.

    The same tables, with the same values, as calling :func:`gap_table`, :func:`sample_table`,
    :func:`item_gaps`, :func:`dimension_gaps`, :func:`servqual_scores`,
    :func:`reliability_table`, :func:`item_reliability_table`, :func:`paired_tests` (by
    dimension and by item), :func:`zone_of_tolerance`, :func:`importance_regression`,
    :func:`segment_gaps`, :func:`segment_comparison` and :func:`ipa_table` one by one; meant
    for batch runs and large surveys (100,000 respondents in about a second or two).

    Parameters
    ----------
    responses : DataFrame
        Contract ``servqual_responses``.
    respondents : DataFrame, optional
        Contract ``servqual_respondents``.
    instrument, incomplete
        As in :func:`gap_table`.
    alpha, ci, correction
        As in :func:`paired_tests`.

    Returns
    -------
    dict of str to DataFrame
        Keys ``gaps``, ``sample``, ``item_gaps``, ``dimension_gaps``, ``servqual_scores``,
        ``reliability``, ``item_reliability``, ``dimension_tests``, ``item_tests``, and when
        the data allow them (see :func:`available`) ``zone_of_tolerance``,
        ``importance_regression``, ``segment_gaps``, ``segment_tests`` and ``ipa``.
    """
    inst = _instrument(instrument)
    gaps = gap_table(responses, instrument=inst, incomplete=incomplete)
    g = _grid(gaps)
    resp = None if respondents is None else _Aligned(_respondents(respondents, g))
    have = available(g, resp)
    out = {
        "gaps": gaps,
        "sample": sample_table(g, resp),
        "item_gaps": item_gaps(g, ci=ci),
        "dimension_gaps": dimension_gaps(g, ci=ci),
        "servqual_scores": servqual_scores(g, resp),
        "reliability": reliability_table(g, ci=ci),
        "item_reliability": item_reliability_table(g),
        "dimension_tests": paired_tests(g, level="dimension", alpha=alpha, ci=ci,
                                        correction=correction),
        "item_tests": paired_tests(g, level="item", alpha=alpha, ci=ci, correction=correction),
    }
    if have["zone"]:
        out["zone_of_tolerance"] = zone_of_tolerance(g)
    if have["regression"]:
        out["importance_regression"] = importance_regression(g, resp, ci=ci)
    if have["segments"]:
        out["segment_gaps"] = segment_gaps(g, resp)
        out["segment_tests"] = segment_comparison(g, resp, alpha=alpha, correction=correction)
    if have["importance"] or have["regression"]:
        out["ipa"] = ipa_table(out["servqual_scores"],
                               regression=out.get("importance_regression"),
                               importance="stated" if have["importance"] else "derived",
                               tests=out["dimension_tests"],
                               zone=out.get("zone_of_tolerance"))
    return out


# --------------------------------------------------------------------------- notebook helpers


def select_segment(gaps: pd.DataFrame, respondents: pd.DataFrame, *,
                   segment: str = "") -> pd.DataFrame:
    """The rows of ``gaps`` whose respondents belong to ``segment`` ("" keeps everyone).

    Returns
    -------
    DataFrame
        Same columns as ``gaps``.

    Raises
    ------
    ParameterError
        When ``segment`` is not a segment of ``respondents``.
    """
    if not segment:
        return gaps
    if "segment" not in respondents.columns:
        raise ParameterError("segment filter given but the respondents table has no 'segment' "
                             "column", parameter="segment", value=segment)
    seg = respondents["segment"].astype("str")
    allowed = sorted(set(seg[respondents["segment"].notna()]))
    check_choice("segment", segment, allowed)
    ids = set(respondents.loc[seg == segment, "respondent_id"].astype("str"))
    keep = gaps["respondent_id"].astype("str").isin(ids).to_numpy()
    out = gaps.loc[keep].reset_index(drop=True)
    if isinstance(out["respondent_id"].dtype, pd.CategoricalDtype):
        out["respondent_id"] = out["respondent_id"].cat.remove_unused_categories()
    return out


def available(gaps: pd.DataFrame, respondents: pd.DataFrame | None = None) -> dict:
    """Which analyses the data support: ``{"zone", "importance", "regression", "segments"}``
    mapped to bools (adequate/desired asked; importance points given; enough overall
    ratings for the regression; at least two segments with two respondents each)."""
    g = _grid(gaps)
    resp = None if respondents is None else _Aligned(_respondents(respondents, g))
    sample = sample_table(g, resp).iloc[0]
    out = {"zone": bool(sample["has_zone"]), "importance": bool(sample["n_with_importance"]),
           "regression": bool(sample["n_with_overall_rating"] >= len(g.dimensions) + 2),
           "segments": False}
    if resp is not None and "segment" in resp.frame.columns:
        counts = resp.frame["segment"].dropna().value_counts()
        out["segments"] = bool((counts >= 2).sum() >= 2)
    return out
