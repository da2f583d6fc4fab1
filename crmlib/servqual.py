"""SERVQUAL: service quality as the gap between what customers expect and what they get.

The method (Parasuraman, Zeithaml & Berry 1988; revised 1991; zone of tolerance 1994) asks
each customer three things: how an *excellent* company of the sector would perform on 22
statements (expectations, E), how many of 100 points each of the five dimensions deserves
(importance), and how *this* company performs on the same statements (perceptions, P).
Service quality on an item is the gap ``P - E``: negative means the company falls short.
Where the survey also asked for the *adequate* (minimum acceptable) and *desired* service
levels, the perception is placed inside or outside that zone of tolerance.

Dimensions and items (1991 numbering): tangibles SQ01-SQ04, reliability SQ05-SQ09,
responsiveness SQ10-SQ13, assurance SQ14-SQ17, empathy SQ18-SQ22. Instruments are data
(:mod:`crmlib.instruments`): ``servqual-1991`` (positive wording), ``servqual-1988`` (nine
negatively worded items, reverse scored), or a consultant's own file with items added,
removed or reworded and any scale (1-5, 1-9 ...).

Workflow::

    gaps = gap_table(responses)                 # long: one row per respondent and item
    item_gaps(gaps); dimension_gaps(gaps)       # means with confidence intervals
    servqual_scores(gaps, respondents)          # unweighted and importance-weighted score
    zone_of_tolerance(gaps)                     # when adequate/desired were asked
    reliability_table(gaps); item_reliability_table(gaps)
    paired_tests(gaps, level="dimension")       # P vs E, with multiple-testing correction
    importance_regression(gaps, respondents)    # derived vs stated importance
    segment_comparison(gaps, respondents)       # ANOVA and Kruskal-Wallis across segments
    ipa_table(servqual_scores(...))             # importance-performance grid
    reading(...)                                # plain-language summary (es/en)
    servqual_analysis(responses, respondents)   # all of the above from one pivot

Survey exports (read with :func:`crmlib.io.read_survey`) become the two canonical tables with
:func:`responses_from_survey` and :func:`respondents_from_survey`; :func:`questionnaire_html`
and :func:`forms_csv_header` make the forms to hand out.

Every function takes tables and returns a tidy DataFrame; nothing is printed or drawn here.
"""

from __future__ import annotations

import re
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
from crmlib.i18n import check_language, t
from crmlib.instruments import Instrument, load_instrument

__all__ = [
    "DIMENSIONS",
    "SCORE_PARTS",
    "available",
    "cronbach_alpha",
    "dimension_gaps",
    "display",
    "forms_csv_header",
    "gap_table",
    "headline",
    "importance_regression",
    "ipa_table",
    "item_gaps",
    "item_reliability_table",
    "key_figures",
    "paired_tests",
    "questionnaire_html",
    "reading",
    "reliability_table",
    "respondent_gaps",
    "respondents_from_survey",
    "respondents_from_wide",
    "responses_from_survey",
    "responses_from_wide",
    "sample_table",
    "segment_comparison",
    "segment_gaps",
    "select_segment",
    "servqual_analysis",
    "servqual_scores",
    "zone_of_tolerance",
]

DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
SCORE_PARTS = ("expectation", "perception", "adequate", "desired")
_TABLE = "servqual_responses"
_RESP_TABLE = "servqual_respondents"
QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")


# --------------------------------------------------------------------------- helpers


def _instrument(instrument) -> Instrument:
    return load_instrument(instrument)


def _check_ci(ci: float, name: str = "ci") -> float:
    if not isinstance(ci, (int, float)) or not 0 < float(ci) < 1:
        raise ParameterError(f"{name} must be a number between 0 and 1 (e.g. 0.95); got {ci!r}",
                             parameter=name, allowed="0 < ci < 1", value=ci)
    return float(ci)


def _examples(index, values, limit: int = 3) -> tuple:
    return tuple((int(i) if isinstance(i, (np.integer, int)) else i, v)
                 for i, v in list(zip(index, values))[:limit])


class _Grid(NamedTuple):
    """A gap table pivoted once to ``(respondents, items)`` arrays."""

    respondent_ids: np.ndarray
    item_ids: list
    item_dims: np.ndarray
    dimensions: list
    values: dict  # part -> 2-D float array (NaN = not answered)

    def dim_scores(self, part: str) -> np.ndarray:
        """Respondent x dimension means of ``part`` over the items answered."""
        arr = self.values[part]
        present = ~np.isnan(arr)
        filled = np.where(present, arr, 0.0)
        out = np.empty((arr.shape[0], len(self.dimensions)))
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, d in enumerate(self.dimensions):
                cols = np.flatnonzero(self.item_dims == d)
                out[:, j] = filled[:, cols].sum(axis=1) / present[:, cols].sum(axis=1)
        return out


def _codes(col: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes (0..m-1, in category or first-appearance order) and their labels."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        code = col.cat.codes.to_numpy().astype(np.int64)
        cats = col.cat.categories
        used = np.flatnonzero(np.bincount(code[code >= 0], minlength=len(cats)))
        if len(used) < len(cats):
            remap = np.full(len(cats), -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            code = np.where(code >= 0, remap[code], -1)
        return code, cats[used].to_numpy(dtype=object)
    code, uniq = pd.factorize(col, sort=False)
    return code.astype(np.int64), np.asarray(uniq, dtype=object)


def _grid(gaps: pd.DataFrame, parts=None) -> _Grid:
    """Pivot a gap table (as made by :func:`gap_table`) to arrays, respondents in order of
    first appearance, items in questionnaire order (category order, else first appearance).
    A grid passes through, so :func:`servqual_analysis` pivots once for every table."""
    if isinstance(gaps, _Grid):
        return gaps
    need = ["respondent_id", "item_id", "dimension", "expectation", "perception", "gap"]
    missing = [c for c in need if c not in gaps.columns]
    if missing:
        raise DataError([DataProblem("servqual gaps", c, "is required but missing (make the "
                                     "table with crmlib.servqual.gap_table)") for c in missing])
    if len(gaps) == 0:
        raise DataError([DataProblem("servqual gaps", None, "has no rows")])
    rcode, rids = _codes(gaps["respondent_id"])
    icode, items = _codes(gaps["item_id"])
    dcode, dims = _codes(gaps["dimension"])
    n, k = len(rids), len(items)
    item_dcode = np.full(k, -1, dtype=np.int64)
    item_dcode[icode[::-1]] = dcode[::-1]  # dimension of each item (its first row wins)
    item_dims = np.asarray(dims, dtype=object)[item_dcode]
    order = [d for j, d in enumerate(dims) if (item_dcode == j).any()]
    values = {}
    wanted = [p for p in (parts or (*SCORE_PARTS, "gap")) if p in gaps.columns]
    # fast path: the layout gap_table writes (respondent-major, every item once)
    rect = len(gaps) == n * k and np.array_equal(icode, np.tile(np.arange(k), n)) \
        and np.array_equal(rcode, np.repeat(np.arange(n), k))
    key = None if rect else rcode * k + icode
    for part in wanted:
        col = gaps[part].to_numpy(dtype=float, na_value=np.nan)
        if rect:
            values[part] = col.reshape(n, k)
        else:
            arr = np.full(n * k, np.nan)
            arr[key] = col
            values[part] = arr.reshape(n, k)
    return _Grid(rids, list(items), item_dims, order, values)


# --------------------------------------------------------------------------- gap table


def gap_table(responses: pd.DataFrame, *, instrument="servqual-1991",
              incomplete: str = "keep") -> pd.DataFrame:
    """Validate SERVQUAL answers, reverse-score negatively worded items and compute gaps.

    Parameters
    ----------
    responses : DataFrame
        Contract ``servqual_responses`` (long): ``respondent_id``, ``item_id``,
        ``expectation``, ``perception`` and optionally ``adequate`` and ``desired``.
    instrument : str, path or Instrument, default "servqual-1991"
        Instrument the items belong to; gives item dimensions, the scale range and the
        reverse-scoring flags (``servqual-1988`` reverses SQ10-SQ13 and SQ18-SQ22).
    incomplete : {"keep", "drop", "raise"}, default "keep"
        What to do with a respondent who answered only expectations (or only
        perceptions): ``keep`` them (their gaps are empty, so they count in
        :func:`sample_table` but not in any mean or test), ``drop`` their rows, or
        ``raise`` a :class:`DataError` naming them.

    Returns
    -------
    DataFrame
        One row per respondent and item (every item anyone answered, so an item a
        respondent skipped is a row with empty answers), respondents in order of first
        appearance and items in questionnaire order: ``respondent_id``, ``item_id`` and ``dimension``
        (categoricals, questionnaire order), ``expectation``, ``perception`` (after reverse
        scoring), ``gap`` (perception - expectation; empty when either is missing), and
        where present ``adequate``, ``desired``, ``msa`` (measure of service adequacy,
        perception - adequate) and ``mss`` (measure of service superiority,
        perception - desired).

    Raises
    ------
    DataError
        Listing every problem: missing columns, empty ids, items not in the instrument,
        answers that are text or outside the scale, duplicated (respondent, item) pairs.
    """
    check_choice("incomplete", incomplete, ("keep", "drop", "raise"))
    inst = _instrument(instrument)
    if not isinstance(responses, pd.DataFrame):
        raise ParameterError(f"responses must be a DataFrame; got {type(responses).__name__}",
                             parameter="responses", allowed="DataFrame", value=type(responses))
    n_rows = len(responses)
    problems: list[DataProblem] = []
    for col in ("respondent_id", "item_id", "expectation", "perception"):
        if col not in responses.columns:
            problems.append(DataProblem(_TABLE, col, "is required but missing"))
    if problems:
        raise DataError(problems)
    if n_rows == 0:
        raise DataError([DataProblem(_TABLE, None, "has no rows")])
    parts = [p for p in SCORE_PARTS if p in responses.columns]
    index = responses.index

    # factorize first, then check the (few) distinct values: fast on millions of rows
    rraw, runiq = pd.factorize(responses["respondent_id"], sort=False)
    rtext = pd.Index(runiq).astype("str").str.strip()
    rblank_u = np.asarray(rtext == "", dtype=bool)
    rcode = np.where(rraw >= 0, rraw, len(rtext)).astype(np.int64)
    blank = np.append(rblank_u, True)[rcode]
    if blank.any():
        problems.append(DataProblem(_TABLE, "respondent_id", "is empty", int(blank.sum()),
                                    n_rows, _examples(index[blank], [""] * int(blank.sum()))))
    iraw, iuniq = pd.factorize(responses["item_id"], sort=False)
    itext = pd.Index(iuniq).astype("str").str.strip()
    pos = {k: i for i, k in enumerate(inst.item_ids)}
    upos = np.array([pos.get(u, -1) for u in itext] + [-1], dtype=np.int64)
    ipos = upos[np.where(iraw >= 0, iraw, len(itext))]
    unknown = ipos < 0
    if unknown.any():
        bad_items = sorted({("" if x is None else str(x)) for x in
                            np.append(np.asarray(itext, dtype=object), None)[
                                np.unique(np.where(iraw >= 0, iraw, len(itext))[unknown])]})
        item_col = responses["item_id"]
        problems.append(DataProblem(
            _TABLE, "item_id", f"names items not in instrument {inst.name!r} "
            f"({', '.join(map(str, bad_items[:8]))}{' ...' if len(bad_items) > 8 else ''})",
            int(unknown.sum()), n_rows, _examples(index[unknown], item_col[unknown])))

    lo, hi = inst.scale_min, inst.scale_max
    scores = {}
    for part in parts:
        s = responses[part]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            num = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            txt = s.astype("str")
            empty = s.isna() | (txt.str.strip() == "")
            num = pd.to_numeric(txt.str.strip().str.replace(",", ".", regex=False).where(~empty),
                                errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = ~empty.to_numpy() & np.isnan(num)
            if bad.any():
                problems.append(DataProblem(
                    _TABLE, part, f"is not a number on the {lo}-{hi} scale (text answers? map "
                    "labels to numbers with crmlib.io.parse_likert)", int(bad.sum()), n_rows,
                    _examples(index[bad], s[bad])))
        out = ~np.isnan(num) & ((num < lo) | (num > hi))
        if out.any():
            problems.append(DataProblem(_TABLE, part, f"is outside the scale {lo}-{hi}",
                                        int(out.sum()), n_rows, _examples(index[out], num[out])))
        scores[part] = num

    # respondents are identified by their stripped text ("R1" and "R1 " are one respondent)
    rkey, ruiq = pd.factorize(rtext, sort=False)
    rcode = np.append(rkey, -1)[rcode].astype(np.int64)
    rcode[blank] = -1
    ruiq = pd.Index(ruiq)
    keep_blank = ruiq != ""
    if not keep_blank.all():  # the stripped-empty id only ever belongs to blank rows
        drop = int(np.flatnonzero(~keep_blank)[0])
        rcode = np.where(rcode > drop, rcode - 1, rcode)
        ruiq = ruiq[keep_blank]
    k = len(inst.item_ids)
    n_resp = len(ruiq)
    ok = (rcode >= 0) & (ipos >= 0)
    key = rcode * k + ipos
    counts = np.bincount(key[ok], minlength=n_resp * k)
    if (counts > 1).any():
        dup = np.zeros(n_rows, dtype=bool)
        dup[ok] = counts[key[ok]] > 1
        problems.append(DataProblem(
            _TABLE, "item_id", "has duplicate (respondent_id, item_id) pairs", int(dup.sum()),
            n_rows, _examples(index[dup], [f"{ruiq[r]} / {inst.item_ids[i]}" for r, i in
                                           zip(rcode[dup][:3], ipos[dup][:3])])))
    if problems:
        raise DataError(problems)

    # scatter to a (respondent x item) grid: sorts rows without a sort
    used = np.flatnonzero(counts.reshape(n_resp, k).any(axis=0))
    grid = {}
    for part in parts:
        arr = np.full(n_resp * k, np.nan)
        arr[key[ok]] = scores[part][ok]
        grid[part] = arr.reshape(n_resp, k)[:, used]
    rev = inst.items["reverse"].to_numpy(dtype=bool)[used]
    if rev.any():
        for part in parts:
            grid[part][:, rev] = lo + hi - grid[part][:, rev]

    keep = np.ones(n_resp, dtype=bool)
    if incomplete != "keep":
        has_e = ~np.isnan(grid["expectation"]).all(axis=1)
        has_p = ~np.isnan(grid["perception"]).all(axis=1)
        partial = has_e != has_p
        if partial.any():
            ids = np.asarray(ruiq, dtype=object)
            if incomplete == "raise":
                where = np.flatnonzero(partial)[:3]
                raise DataError([DataProblem(
                    _TABLE, "perception", "is empty for every item of some respondents (they "
                    "answered only one of expectations/perceptions)", int(partial.sum()),
                    n_resp, tuple((ids[i], "only expectations" if has_e[i] else
                                   "only perceptions") for i in where), "respondent")])
            keep = ~partial
            for part in parts:
                grid[part] = grid[part][keep]
    # one row per kept respondent and used item, respondent-major, questionnaire order
    n_keep, k_used = int(keep.sum()), len(used)
    dims = list(inst.dimensions)
    dim_code = np.array([dims.index(d) for d in inst.items["dimension"]], dtype=np.int64)
    out = pd.DataFrame({
        "respondent_id": pd.Categorical.from_codes(
            np.repeat(np.arange(n_keep), k_used), categories=pd.Index(ruiq)[keep]),
        "item_id": pd.Categorical.from_codes(np.tile(used, n_keep), categories=inst.item_ids,
                                             ordered=True),
        "dimension": pd.Categorical.from_codes(np.tile(dim_code[used], n_keep),
                                               categories=dims, ordered=True),
    })
    for part in ("expectation", "perception"):
        out[part] = grid[part].ravel()
    out["gap"] = out["perception"] - out["expectation"]
    for part in ("adequate", "desired"):
        if part in parts:
            out[part] = grid[part].ravel()
    if "adequate" in parts:
        out["msa"] = out["perception"] - out["adequate"]
    if "desired" in parts:
        out["mss"] = out["perception"] - out["desired"]
    return out


def sample_table(gaps: pd.DataFrame, respondents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who answered what: one row describing the sample.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table` (made with ``incomplete="keep"`` to count partial answers).
    respondents : DataFrame, optional
        Contract ``servqual_respondents``.

    Returns
    -------
    DataFrame
        One row: ``n_respondents``, ``n_complete`` (at least one item with both E and P),
        ``n_only_expectations``, ``n_only_perceptions``, ``n_items``, ``answered_share``
        (share of respondent x item cells with a gap), ``has_zone`` (adequate and desired
        asked), ``n_with_importance``, ``n_with_overall_rating``, ``n_segments``.
    """
    g = _grid(gaps)
    e, p, gap = g.values["expectation"], g.values["perception"], g.values["gap"]
    has_e = ~np.isnan(e).all(axis=1)
    has_p = ~np.isnan(p).all(axis=1)
    row = {
        "n_respondents": len(g.respondent_ids),
        "n_complete": int((~np.isnan(gap)).any(axis=1).sum()),
        "n_only_expectations": int((has_e & ~has_p).sum()),
        "n_only_perceptions": int((has_p & ~has_e).sum()),
        "n_items": len(g.item_ids),
        "answered_share": float((~np.isnan(gap)).mean()),
        "has_zone": bool("adequate" in g.values and "desired" in g.values
                         and not np.isnan(g.values["adequate"]).all()
                         and not np.isnan(g.values["desired"]).all()),
        "n_with_importance": 0,
        "n_with_overall_rating": 0,
        "n_segments": 0,
    }
    if respondents is not None:
        resp = _respondents(respondents, g)
        imp = _importance(resp, g.dimensions)
        row["n_with_importance"] = int((~np.isnan(imp).any(axis=1)).sum()) if imp is not None \
            else 0
        if "overall_rating" in resp.columns:
            row["n_with_overall_rating"] = int(resp["overall_rating"].notna().sum())
        if "segment" in resp.columns:
            row["n_segments"] = int(resp["segment"].dropna().nunique())
    return pd.DataFrame([row])


# --------------------------------------------------------------------------- gaps


def _mean_ci(arr: np.ndarray, ci: float):
    """Column means, SDs, counts and t-based CIs of a 2-D array with NaNs."""
    n = (~np.isnan(arr)).sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(arr, axis=0)
        sd = np.nanstd(arr, axis=0, ddof=1)
        se = sd / np.sqrt(n)
        q = stats.t.ppf(0.5 + ci / 2, np.maximum(n - 1, 1))
    half = np.where(n > 1, q * se, np.nan)
    return mean, sd, n, mean - half, mean + half


def item_gaps(gaps: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Mean expectation, perception and gap per item, with a confidence interval.

    Parameters
    ----------
    gaps : DataFrame
        From :func:`gap_table`.
    ci : float, default 0.95
        Level of the t-based interval of the mean gap.

    Returns
    -------
    DataFrame
        One row per item in questionnaire order: ``item_id``, ``dimension``, ``n`` (respondents
        with both answers), ``expectation``, ``perception``, ``gap`` (mean P - E), ``gap_sd``,
        ``ci_low``, ``ci_high``, ``gap_rank`` (1 = largest shortfall).
    """
    ci = _check_ci(ci)
    g = _grid(gaps)
    both = ~np.isnan(g.values["gap"])
    e = np.where(both, g.values["expectation"], np.nan)
    p = np.where(both, g.values["perception"], np.nan)
    mean, sd, n, lo, hi = _mean_ci(g.values["gap"], ci)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        em, pm = np.nanmean(e, axis=0), np.nanmean(p, axis=0)
    out = pd.DataFrame({"item_id": g.item_ids, "dimension": g.item_dims.astype(str), "n": n,
                        "expectation": em, "perception": pm, "gap": mean, "gap_sd": sd,
                        "ci_low": lo, "ci_high": hi})
    out["gap_rank"] = out["gap"].rank(method="first").astype("Int64")
    return out


def respondent_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's mean expectation, perception and gap per dimension.

    A respondent's dimension score is the mean over the items of that dimension they
    answered (Parasuraman et al. 1988 average the items of a dimension).

    Returns
    -------
    DataFrame
        One row per respondent and dimension: ``respondent_id``, ``dimension``, ``n_items``
        (items with a gap), ``expectation``, ``perception``, ``gap``.
    """
    g = _grid(gaps)
    both = ~np.isnan(g.values["gap"])
    masked = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions, {
        "expectation": np.where(both, g.values["expectation"], np.nan),
        "perception": np.where(both, g.values["perception"], np.nan),
        "gap": g.values["gap"]})
    n_items = np.column_stack([both[:, g.item_dims == d].sum(axis=1) for d in g.dimensions])
    nr, nd = len(g.respondent_ids), len(g.dimensions)
    return pd.DataFrame({
        "respondent_id": np.repeat(g.respondent_ids, nd),
        "dimension": np.tile(np.asarray(g.dimensions, dtype=object), nr),
        "n_items": n_items.ravel(),
        "expectation": masked.dim_scores("expectation").ravel(),
        "perception": masked.dim_scores("perception").ravel(),
        "gap": masked.dim_scores("gap").ravel(),
    })


def dimension_gaps(gaps: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Mean expectation, perception and gap per dimension, with a confidence interval.

    Each respondent's dimension gap is the mean of their item gaps in that dimension; the
    table averages those over respondents, with a t-based interval.

    Returns
    -------
    DataFrame
        One row per dimension in instrument order: ``dimension``, ``n_items``, ``n``
        (respondents with a gap in the dimension), ``expectation``, ``perception``, ``gap``,
        ``gap_sd``, ``ci_low``, ``ci_high``.
    """
    return _dimension_gaps(_grid(gaps), _check_ci(ci))


def _dimension_gaps(g: _Grid, ci: float) -> pd.DataFrame:
    both = ~np.isnan(g.values["gap"])
    mg = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions, {
        "expectation": np.where(both, g.values["expectation"], np.nan),
        "perception": np.where(both, g.values["perception"], np.nan),
        "gap": g.values["gap"]})
    gd = mg.dim_scores("gap")
    mean, sd, n, lo, hi = _mean_ci(gd, ci)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        em = np.nanmean(mg.dim_scores("expectation"), axis=0)
        pm = np.nanmean(mg.dim_scores("perception"), axis=0)
    return pd.DataFrame({
        "dimension": g.dimensions,
        "n_items": [int((g.item_dims == d).sum()) for d in g.dimensions],
        "n": n, "expectation": em, "perception": pm, "gap": mean, "gap_sd": sd,
        "ci_low": lo, "ci_high": hi,
    })


# --------------------------------------------------------------------------- respondents


class _Aligned(NamedTuple):
    """Respondent attributes already aligned to a grid (see :func:`servqual_analysis`)."""

    frame: pd.DataFrame


def _respondents(respondents: pd.DataFrame, g: _Grid) -> pd.DataFrame:
    """Respondent attributes aligned to the grid's respondents (rows in grid order)."""
    if isinstance(respondents, _Aligned):
        return respondents.frame
    if not isinstance(respondents, pd.DataFrame):
        raise ParameterError("respondents must be a DataFrame (contract servqual_respondents)",
                             parameter="respondents", allowed="DataFrame",
                             value=type(respondents))
    if "respondent_id" not in respondents.columns:
        raise DataError([DataProblem(_RESP_TABLE, "respondent_id", "is required but missing")])
    ids = respondents["respondent_id"].astype("str").str.strip()
    dup = ids.duplicated(keep=False).to_numpy()
    problems = []
    if dup.any():
        problems.append(DataProblem(_RESP_TABLE, "respondent_id", "has duplicate values",
                                    int(dup.sum()), len(ids),
                                    _examples(respondents.index[dup], ids[dup])))
    numeric = ["overall_rating", *[c for c in respondents.columns
                                   if str(c).startswith("importance_")]]
    for col in numeric:
        if col in respondents.columns and not pd.api.types.is_numeric_dtype(respondents[col]):
            s = respondents[col]
            num = pd.to_numeric(s, errors="coerce")
            bad = (num.isna() & s.notna() & (s.astype("str").str.strip() != "")).to_numpy()
            if bad.any():
                problems.append(DataProblem(_RESP_TABLE, col, "is not a number",
                                            int(bad.sum()), len(s),
                                            _examples(respondents.index[bad], s[bad])))
    for col in [c for c in respondents.columns if str(c).startswith("importance_")]:
        num = pd.to_numeric(respondents[col], errors="coerce")
        bad = ((num < 0) | (num > 100)).fillna(False).to_numpy()
        if bad.any():
            problems.append(DataProblem(_RESP_TABLE, col, "is outside 0-100 points",
                                        int(bad.sum()), len(num),
                                        _examples(respondents.index[bad], num[bad])))
    if problems:
        raise DataError(problems)
    df = respondents.copy()
    df["respondent_id"] = ids
    for col in numeric:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df.set_index("respondent_id").reindex(pd.Index(g.respondent_ids).astype("str"))


def _importance(resp: pd.DataFrame, dimensions) -> np.ndarray | None:
    """Respondent x dimension importance points rescaled to sum 100 (NaN row when any point
    is missing or all are zero); None when the table has no importance columns."""
    cols = [f"importance_{d}" for d in dimensions]
    if not any(c in resp.columns for c in cols):
        return None
    pts = np.column_stack([resp[c].to_numpy(dtype=float, na_value=np.nan) if c in resp.columns
                           else np.full(len(resp), np.nan) for c in cols])
    total = pts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(total > 0, pts / total * 100.0, np.nan)
    return scaled


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


# --------------------------------------------------------------------------- reliability


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


# --------------------------------------------------------------------------- tests


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


def _respondent_matrix(gaps, respondents):
    g = _grid(gaps)
    both = ~np.isnan(g.values["gap"])
    gg = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions,
               {"gap": g.values["gap"], "perception": np.where(both, g.values["perception"],
                                                               np.nan)})
    resp = _respondents(respondents, g)
    return g, gg.dim_scores("gap"), resp


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


# --------------------------------------------------------------------------- segments


def _segments(resp: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Segment code per respondent (-1 when missing) and the sorted segment names."""
    seg = resp["segment"]
    txt = seg.astype("str").where(seg.notna())
    codes, names = pd.factorize(txt, sort=True)
    return codes, [str(x) for x in names]


def segment_gaps(gaps: pd.DataFrame, respondents: pd.DataFrame) -> pd.DataFrame:
    """Mean dimension gap per customer segment.

    Returns
    -------
    DataFrame
        One row per dimension and segment (segments sorted): ``dimension``, ``segment``,
        ``n``, ``gap``, ``gap_sd``, ``ci_low``, ``ci_high`` (95 % t interval).
    """
    g, gd, resp = _respondent_matrix(gaps, respondents)
    if "segment" not in resp.columns:
        raise DataError([DataProblem(_RESP_TABLE, "segment", "is required to compare "
                                     "segments but missing")])
    seg, names = _segments(resp)
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
    g, gd, resp = _respondent_matrix(gaps, respondents)
    if "segment" not in resp.columns:
        raise DataError([DataProblem(_RESP_TABLE, "segment", "is required to compare "
                                     "segments but missing")])
    seg, names = _segments(resp)
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


# --------------------------------------------------------------------------- text


def _num(x: float, language: str, digits: int = 2) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if language == "es" else text


def _join(names: list[str], language: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    word = " y " if language == "es" else " and "
    return ", ".join(names[:-1]) + word + names[-1]


def headline(scores: pd.DataFrame, *, language: str = "es") -> str:
    """One sentence with the unweighted and weighted SERVQUAL scores.

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores`.
    """
    check_language(language)
    row = scores.set_index("dimension").loc["overall"]
    u, w = float(row["gap"]), float(row["weighted_gap"])
    key = "servqual.headline.short" if u < 0 else "servqual.headline.meets"
    text = t(key, language, gap=_num(abs(u) if u < 0 else u, language))
    if not np.isnan(w):
        text += " " + t("servqual.headline.weighted", language, weighted=_num(w, language))
    return text


def reading(scores: pd.DataFrame, tests: pd.DataFrame, *, ipa: pd.DataFrame | None = None,
            regression: pd.DataFrame | None = None, instrument="servqual-1991",
            language: str = "es") -> str:
    """A short plain-language reading of the results, built from the numbers.

    Says which dimensions show the largest *significant* shortfalls, what customers weigh
    most (stated points and, with a regression, what actually drives the overall rating),
    and where to act first (the IPA priority).

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores`.
    tests : DataFrame
        From :func:`paired_tests` with ``level="dimension"``.
    ipa : DataFrame, optional
        From :func:`ipa_table`.
    regression : DataFrame, optional
        From :func:`importance_regression`.
    instrument : str, path or Instrument
        For dimension labels.
    language : {"es", "en"}

    Returns
    -------
    str
        Markdown: one bullet per finding.
    """
    check_language(language)
    inst = _instrument(instrument)

    def lab(d):
        return inst.dimension_label(d, language).lower() if language == "es" \
            else inst.dimension_label(d, language)

    lines = [headline(scores, language=language)]
    short = tests[(tests["significant"]) & (tests["mean_diff"] < 0)].sort_values(
        ["mean_diff", "dimension"])
    if len(short):
        top = short.head(2)
        lines.append(t("servqual.reading.largest_gaps", language, dimensions=_join(
            [f"{lab(r.dimension)} ({_num(r.mean_diff, language)})" for r in top.itertuples()],
            language)))
    else:
        lines.append(t("servqual.reading.no_gaps", language))
    dims = scores[scores["dimension"] != "overall"]
    if dims["importance"].notna().any():
        top = dims.sort_values(["importance", "dimension"], ascending=[False, True]).iloc[0]
        lines.append(t("servqual.reading.stated", language, dimension=lab(top["dimension"]),
                       points=_num(top["importance"], language, 0)))
    if regression is not None and regression["derived_importance"].notna().any():
        top = regression.sort_values(["derived_importance", "dimension"],
                                     ascending=[False, True]).iloc[0]
        lines.append(t("servqual.reading.derived", language, dimension=lab(top["dimension"]),
                       share=_num(top["derived_importance"], language, 0),
                       r2=_num(top["r_squared"], language)))
    if ipa is not None and len(ipa):
        first = ipa.sort_values("priority").iloc[0]
        key = "servqual.reading.act_first" if first["quadrant"] == "concentrate" \
            else "servqual.reading.act_first_none"
        lines.append(t(key, language, dimension=lab(first["dimension"])))
    return "\n".join(f"- {x}" for x in lines)


_DISPLAY_COLUMNS = (
    "respondent_id", "item_id", "item", "dimension", "segment", "n", "n_items", "n_respondents", "expectation",
    "perception", "gap", "gap_sd", "ci_low", "ci_high", "gap_rank", "importance", "n_weighted",
    "weighted_gap", "adequate", "desired", "zone_width", "msa", "mss", "position", "alpha",
    "item_total_r", "alpha_if_deleted", "dimension_alpha", "mean_diff", "effect_size", "t",
    "p_t", "w", "p_wilcoxon", "p_adjusted", "significant", "coef", "se", "p_value",
    "std_coef", "derived_importance", "stated_importance", "r_squared", "n_segments", "f",
    "p_anova", "h", "p_kruskal", "lowest_segment", "highest_segment", "performance",
    "quadrant", "priority", "n_complete", "n_only_expectations", "n_only_perceptions",
    "answered_share", "has_zone", "n_with_importance", "n_with_overall_rating",
    "importance_cut", "performance_cut",
)


def display(table: pd.DataFrame, *, instrument="servqual-1991",
            language: str = "es") -> pd.DataFrame:
    """A copy of a result table for reading: dimension labels, item texts, translated
    values (quadrant, position, overall, yes/no) and column headers in ``language``.

    Returns
    -------
    DataFrame
        Same rows; an ``item`` column (statement text) follows ``item_id`` where present.
    """
    check_language(language)
    inst = _instrument(instrument)
    out = table.copy()
    if "item_id" in out.columns:
        texts = inst.items.set_index("item_id")[f"text_{language}"]
        out.insert(list(out.columns).index("item_id") + 1, "item",
                   out["item_id"].astype("str").map(texts))
    dim_labels = {d: inst.dimension_label(d, language) for d in inst.dimensions}
    dim_labels.update({"overall": t("servqual.value.overall", language),
                       "all": t("servqual.value.all", language)})
    for col in ("dimension",):
        if col in out.columns:
            out[col] = out[col].astype("str").map(lambda v: dim_labels.get(v, v))
    for col, prefix in (("quadrant", "servqual.quadrant."), ("position", "servqual.position.")):
        if col in out.columns:
            out[col] = out[col].map(lambda v, p=prefix: t(p + v, language)
                                    if isinstance(v, str) else v)
    for col in ("significant", "has_zone"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: t("common.yes" if v else "common.no", language))
    out = out.rename(columns={c: t(f"servqual.column.{c}", language)
                              for c in out.columns if c in _DISPLAY_COLUMNS})
    return out


# --------------------------------------------------------------------------- all at once


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
                               importance="stated" if have["importance"] else "derived")
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


def key_figures(scores: pd.DataFrame, reliability: pd.DataFrame | None = None,
                tests: pd.DataFrame | None = None) -> dict:
    """Flat ``{key: number}`` of the figures a report or a portfolio comparison needs.

    Keys: ``servqual_gap_<dimension>`` (unweighted), ``servqual_weighted_gap_<dimension>``,
    ``servqual_score_unweighted``, ``servqual_score_weighted``, ``servqual_n_respondents``,
    with ``reliability`` also ``servqual_alpha_<dimension>`` and ``servqual_alpha_all``, and
    with ``tests`` ``servqual_n_significant_shortfalls``. Missing values are ``None``.
    """
    def num(v):
        v = float(v)
        return None if np.isnan(v) else v

    out = {}
    dims = scores[scores["dimension"] != "overall"]
    for r in dims.itertuples():
        out[f"servqual_gap_{r.dimension}"] = num(r.gap)
        out[f"servqual_weighted_gap_{r.dimension}"] = num(r.weighted_gap)
    overall = scores.set_index("dimension").loc["overall"]
    out["servqual_score_unweighted"] = num(overall["gap"])
    out["servqual_score_weighted"] = num(overall["weighted_gap"])
    out["servqual_n_respondents"] = int(overall["n"])
    if reliability is not None:
        for r in reliability.itertuples():
            out[f"servqual_alpha_{r.dimension}"] = num(r.alpha)
    if tests is not None:
        out["servqual_n_significant_shortfalls"] = int(
            (tests["significant"] & (tests["mean_diff"] < 0)).sum())
    return out


# --------------------------------------------------------------------------- wide sheets

_WIDE = re.compile(r"^(?:(?P<p1>[EPAD])[ _.-]?(?P<n1>\d{1,3})|(?:SQ)?(?P<n2>\d{1,3})[ _.-]?"
                   r"(?P<p2>[EPAD]))$", re.IGNORECASE)
_PART_LETTER = {"e": "expectation", "p": "perception", "a": "adequate", "d": "desired"}


def responses_from_wide(wide: pd.DataFrame, *, instrument="servqual-1991",
                        respondent_column: str = "respondent_id") -> pd.DataFrame:
    """Long ``servqual_responses`` from a wide sheet with columns ``E1..E22``, ``P1..P22``.

    Column names are read case-insensitively as a part letter and an item number
    (``E1``, ``E01``, ``e_1``, ``P22``) or an item id and a part letter (``SQ01_E``,
    ``SQ01-P``); ``A``/``D`` columns give adequate and desired service. Item number *n*
    is the instrument's *n*-th item. Other columns are ignored.

    Parameters
    ----------
    wide : DataFrame
        One row per respondent.
    instrument : str, path or Instrument
    respondent_column : str, default "respondent_id"
        Column with respondent ids; when absent, respondents are numbered ``R0001`` ...
        in row order.

    Returns
    -------
    DataFrame
        ``respondent_id``, ``item_id``, ``expectation``, ``perception`` (and ``adequate``,
        ``desired`` when present), one row per respondent and item, ready for
        :func:`gap_table`. Answers are passed through as given (validation happens there).
    """
    inst = _instrument(instrument)
    found: dict[str, dict[str, str]] = {}
    for col in wide.columns:
        m = _WIDE.match(str(col).strip())
        if not m:
            continue
        letter = (m.group("p1") or m.group("p2")).lower()
        num = int(m.group("n1") or m.group("n2"))
        if not 1 <= num <= len(inst.item_ids):
            raise DataError([DataProblem("servqual wide sheet", str(col),
                                         f"names item {num}, but instrument {inst.name!r} has "
                                         f"{len(inst.item_ids)} items")])
        found.setdefault(_PART_LETTER[letter], {})[inst.item_ids[num - 1]] = col
    missing = [p for p in ("expectation", "perception") if p not in found]
    if missing:
        raise DataError([DataProblem("servqual wide sheet", None, f"has no {p} columns (E1..En "
                                     "/ P1..Pn)") for p in missing])
    if respondent_column in wide.columns:
        ids = wide[respondent_column].astype("str").to_numpy()
    else:
        ids = np.array([f"R{i + 1:04d}" for i in range(len(wide))], dtype=object)
    items = [i for i in inst.item_ids if any(i in found[p] for p in found)]
    n = len(wide)
    out = pd.DataFrame({"respondent_id": np.repeat(ids, len(items)),
                        "item_id": np.tile(np.asarray(items, dtype=object), n)})
    for part in SCORE_PARTS:
        if part not in found:
            continue
        cols = [found[part].get(i) for i in items]
        block = np.column_stack([wide[c].to_numpy(dtype=object) if c is not None
                                 else np.full(n, None, dtype=object) for c in cols])
        vals = pd.Series(block.ravel())
        out[part] = pd.to_numeric(vals, errors="coerce") \
            if all(pd.api.types.is_numeric_dtype(wide[c]) for c in cols if c is not None) \
            else vals
    return out


def respondents_from_wide(wide: pd.DataFrame, *, instrument="servqual-1991",
                          respondent_column: str = "respondent_id") -> pd.DataFrame:
    """``servqual_respondents`` from the same wide sheet: id, segment, overall rating and
    importance points.

    Importance columns are ``importance_<dimension>`` or ``I_<dimension>``/``I1..I5``
    (dimension order of the instrument); ``segment`` and ``overall_rating`` are copied
    when present.

    Returns
    -------
    DataFrame
        ``respondent_id`` and whichever of ``segment``, ``overall_rating``,
        ``importance_<dimension>`` the sheet has.
    """
    inst = _instrument(instrument)
    dims = list(inst.dimensions)
    if respondent_column in wide.columns:
        ids = wide[respondent_column].astype("str").to_numpy()
    else:
        ids = np.array([f"R{i + 1:04d}" for i in range(len(wide))], dtype=object)
    out = pd.DataFrame({"respondent_id": ids})
    lower = {str(c).strip().lower(): c for c in wide.columns}
    for col in ("segment", "overall_rating"):
        if col in lower:
            out[col] = wide[lower[col]].to_numpy()
    for j, d in enumerate(dims):
        for name in (f"importance_{d}", f"i_{d}", f"i{j + 1}", f"i_{j + 1}"):
            if name in lower:
                out[f"importance_{d}"] = pd.to_numeric(wide[lower[name]], errors="coerce"
                                                       ).to_numpy()
                break
    return out


# --------------------------------------------------------------------------- survey exports

#: Words (normalised: lower case, no accents) that name each SERVQUAL part in a question
#: header, so "Expectativas [SQ01 ...]", "Expectations - ..." or "E [..]" map to a part.
PART_WORDS = {
    "expectation": ("expectation", "expectations", "expectativa", "expectativas", "e",
                    "empresa excelente", "excellent company", "expected service",
                    "servicio esperado"),
    "perception": ("perception", "perceptions", "percepcion", "percepciones", "p",
                   "this company", "esta empresa", "servicio percibido", "perceived service"),
    "adequate": ("adequate", "adequate service", "adecuado", "servicio adecuado",
                 "minimum service", "servicio minimo", "minimo aceptable"),
    "desired": ("desired", "desired service", "deseado", "servicio deseado"),
}
_IMPORTANCE_WORDS = ("importance", "importancia", "puntos", "points", "importance points",
                     "puntos de importancia")
_OVERALL_WORDS = ("overall rating", "overall quality", "overall", "valoracion global",
                  "calidad global", "valoracion general", "overall service quality",
                  "calidad global del servicio", "valoracion global de la calidad del servicio")
_SEGMENT_WORDS = ("segment", "segmento", "tipo de cliente", "customer type", "customer segment",
                  "segmento de cliente")


def _words(text) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _split_question(header: str) -> tuple[str, str | None]:
    """``"Question [Row]"`` or ``"Question - Row"`` -> (question, row)."""
    m = re.match(r"^(.*?)\s*\[([^\[\]]*)\]\s*$", str(header))
    if m:
        return m.group(1), m.group(2)
    if " - " in str(header):
        q, r = str(header).split(" - ", 1)
        return q, r
    return str(header), None


def _part_of(question: str) -> str | None:
    words = _words(question)
    words = re.sub(r"\s*\(.*$", "", words) if "(" in str(question) else words
    for part, names in PART_WORDS.items():
        if words in names:
            return part
    for part, names in PART_WORDS.items():  # "Expectativas (empresa excelente)" and the like
        if any(len(n) > 2 and (words.startswith(n + " ") or words == n) for n in names):
            return part
    return None


def _canonical_headers(wide: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``wide`` whose SERVQUAL grid questions are renamed to the part keys the
    generic importer knows (``"Expectativas [SQ01 ...]"`` -> ``"expectation [SQ01 ...]"``);
    Qualtrics question texts (``attrs["question_text"]``) are rewritten the same way."""
    out = wide.copy()
    rename = {}
    for col in out.columns:
        q, row = _split_question(col)
        part = _part_of(q) if row is not None else None
        if part:
            rename[col] = f"{part} [{row}]"
    out = out.rename(columns=rename)
    texts = dict(wide.attrs.get("question_text") or {})
    for col, text in list(texts.items()):
        q, row = _split_question(text or "")
        part = _part_of(q) if row is not None else None
        if part:
            texts[rename.get(col, col)] = f"{part} [{row}]"
    out.attrs = {**wide.attrs, "question_text": texts}
    return out


def responses_from_survey(wide: pd.DataFrame, *, instrument="servqual-1991",
                          id_column: str | None = None) -> pd.DataFrame:
    """Long ``servqual_responses`` from a survey export read by :func:`crmlib.io.read_survey`.

    Recognised layouts: a wide sheet ``E1..E22``/``P1..P22`` (see
    :func:`responses_from_wide`); Google Forms grids ``"Expectativas [SQ01. ...]"``;
    SurveyMonkey ``"Question [Row]"`` after its two header rows are joined; Qualtrics short
    ids with the question text of its second header row (``"Expectation - SQ01 ..."``).
    The question names the part in Spanish or English (:data:`PART_WORDS`), the row names
    the item by id (``SQ01``) or by its exact text. Likert labels ("Totalmente de acuerdo",
    "6 - De acuerdo", "Strongly disagree") become numbers (:func:`crmlib.io.parse_likert`
    plus the instrument's anchors); blanks and "N/A" stay missing.

    Returns
    -------
    DataFrame
        ``respondent_id``, ``item_id``, ``expectation``, ``perception`` (and ``adequate``,
        ``desired`` when asked); validate and score it with :func:`gap_table`.

    Raises
    ------
    DataError
        When no column names a SERVQUAL item and part, ids repeat or are empty, or an
        answer is neither a number nor a known label (naming column and rows).
    """
    from dataclasses import replace

    from crmlib.questionnaire import from_survey_export

    inst = _instrument(instrument)
    if any(_WIDE.match(str(c).strip()) for c in wide.columns) and not any(
            "[" in str(c) for c in wide.columns):
        col = id_column or next((c for c in wide.columns if _words(c).replace(" ", "_") in
                                 ("respondent_id", "respondent", "encuestado", "id")),
                                "respondent_id")
        long = responses_from_wide(wide, instrument=inst, respondent_column=col)
        if len(set(long["respondent_id"])) * len(set(long["item_id"])) != len(long):
            raise DataError([DataProblem("survey export", str(col), "has repeated respondent "
                                         "ids")])
        for part in SCORE_PARTS:
            if part in long.columns and not pd.api.types.is_numeric_dtype(long[part]):
                from crmlib.questionnaire import answer_values

                long[part] = answer_values(long[part], inst, table="survey export",
                                           column=part).to_numpy()
        return long
    parts = tuple(p for p in SCORE_PARTS if p in inst.parts or any(
        _part_of(_split_question(c)[0]) == p for c in wide.columns
        if _split_question(c)[1] is not None) or any(
        _part_of(_split_question(x or "")[0]) == p
        for x in (wide.attrs.get("question_text") or {}).values()))
    full = replace(inst, parts=tuple(p for p in SCORE_PARTS if p in parts or p in inst.parts))
    canon = _canonical_headers(wide)
    original = dict(zip(map(str, canon.columns), map(str, wide.columns)))
    try:
        return from_survey_export(canon, full, id_column=id_column)
    except DataError as err:  # name the columns as the client's file does
        raise DataError([replace(pr, column=original.get(pr.column, pr.column))
                         for pr in err.problems], source=err.source) from None


def respondents_from_survey(wide: pd.DataFrame, *, instrument="servqual-1991",
                            id_column: str | None = None) -> pd.DataFrame:
    """``servqual_respondents`` from the same export: importance points, overall rating and
    segment, found by their headers in Spanish or English.

    Importance columns are ``"Importancia [Fiabilidad]"``, ``"Importance - Reliability"``,
    ``importance_reliability`` ... (the row is the dimension key or its label); the overall
    rating is a column named like "Valoración global" / "Overall rating" (numbers or scale
    labels); the segment a column named "Segmento" / "Segment" / "Tipo de cliente".

    Returns
    -------
    DataFrame
        ``respondent_id`` and whichever of ``segment``, ``overall_rating`` and
        ``importance_<dimension>`` the export has.
    """
    from crmlib.questionnaire import ID_COLUMNS, answer_values

    inst = _instrument(instrument)
    texts = wide.attrs.get("question_text") or {}
    names = {c: (texts.get(c) or str(c)) for c in wide.columns}
    id_col = id_column or next((c for c in wide.columns
                                if _words(c).replace(" ", "_") in ID_COLUMNS
                                or _words(c) == "id"), None)
    ids = wide[id_col].astype("str").str.strip().to_numpy() if id_col is not None else \
        np.array([f"R{i + 1:04d}" for i in range(len(wide))], dtype=object)
    out = pd.DataFrame({"respondent_id": ids})
    dim_names = {}
    for d in inst.dimensions:
        for lang in ("es", "en"):
            dim_names[_words(inst.dimension_label(d, lang))] = d
        dim_names[_words(d)] = d
    for col, text in names.items():
        q, row = _split_question(text)
        wq = _words(q)
        if row is not None and (wq in _IMPORTANCE_WORDS or wq.startswith(("importan", "puntos",
                                                                          "points"))):
            d = dim_names.get(_words(row))
        else:
            m = re.match(r"^(?:importance|importancia|puntos|points)[ _]+(.+)$", _words(text))
            d = dim_names.get(m.group(1)) if m else None
        if d is not None:
            out[f"importance_{d}"] = pd.to_numeric(
                wide[col].astype("str").str.strip().str.replace(",", ".", regex=False)
                .where(wide[col].notna() & (wide[col].astype("str").str.strip() != "")),
                errors="coerce").to_numpy()
            continue
        w = _words(text)
        if w in _OVERALL_WORDS or w.replace(" ", "_") == "overall_rating" or \
                w.startswith(("valoracion global", "overall rating", "overall quality")):
            out["overall_rating"] = answer_values(wide[col], inst, table="survey export",
                                                  column=str(col)).to_numpy()
        elif w in _SEGMENT_WORDS:
            seg = wide[col]
            out["segment"] = seg.astype("str").str.strip().where(seg.notna()).to_numpy()
    return out


def forms_csv_header(instrument="servqual-1991", *, language: str = "es",
                     zone: bool = False) -> list[str]:
    """Column titles for an online form (Google Forms, Microsoft Forms ...) of SERVQUAL.

    The generic grid columns (``"Expectativa [SQ01. ...]"``, ``"Percepción [SQ01. ...]"``,
    from :func:`crmlib.questionnaire.forms_csv_header`), then with ``zone`` the adequate and
    desired grids, then one importance column per dimension (``"Importancia [Fiabilidad]"``,
    points of 100), the overall rating and the customer segment. An export of a form built
    from these titles is read back by :func:`responses_from_survey` and
    :func:`respondents_from_survey`.
    """
    from dataclasses import replace

    from crmlib.questionnaire import forms_csv_header as generic

    check_language(language)
    inst = _instrument(instrument)
    parts = tuple(inst.parts) + (("adequate", "desired") if zone else ())
    header = list(generic(replace(inst, parts=parts), language=language))
    header += [f"{t('servqual.form.importance', language)} "
               f"[{inst.dimension_label(d, language)}]" for d in inst.dimensions]
    header += [t("servqual.form.overall", language), t("servqual.form.segment", language)]
    return header


def questionnaire_html(instrument="servqual-1991", *, language: str = "es",
                       company: str = "", zone: bool = False) -> str:
    """A printable SERVQUAL questionnaire in the method's three parts.

    1. Expectations of an excellent company of the sector (every item, 1-7);
    2. importance: 100 points shared among the five dimensions;
    3. perceptions of ``company`` (every item), then the overall rating and segment.
    With ``zone`` a fourth part asks the adequate and desired service levels of every item
    (Parasuraman, Zeithaml & Berry 1994).

    Returns
    -------
    str
        A complete HTML document with print CSS, all text escaped.
    """
    import html as _html

    check_language(language)
    inst = _instrument(instrument)
    esc = _html.escape
    name = company or t("servqual.form.the_company", language)
    sections = inst.extra.get("sections") or {}
    descriptions = inst.extra.get("dimension_descriptions") or {}
    points = list(range(inst.scale_min, inst.scale_max + 1))
    boxes = "".join(f'<span class="opt">{p}</span>' for p in points)
    lo_anchor = (inst.anchors.get(language) or {}).get(inst.scale_min, "")
    hi_anchor = (inst.anchors.get(language) or {}).get(inst.scale_max, "")

    def section_text(key):
        text = (sections.get(key) or {}).get(language, "")
        return text.replace("{company}", name)

    def items_table(columns):
        rows = ['<table class="items"><thead><tr>'
                f"<th>{esc(t('servqual.column.item_id', language))}</th>"
                f"<th>{esc(t('servqual.column.item', language))}</th>"
                + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
        for _, item in inst.items.iterrows():
            rows.append(f'<tr><td class="id">{esc(item["item_id"])}</td>'
                        f"<td>{esc(str(item['text_' + language]))}</td>"
                        + "".join(f'<td class="box">{boxes}</td>' for _ in columns) + "</tr>")
        rows.append("</tbody></table>")
        return "\n".join(rows)

    title = inst.title.get(language, inst.name)
    out = ["<!DOCTYPE html>", f'<html lang="{language}"><head><meta charset="utf-8">',
           f"<title>{esc(title)}</title><style>{_FORM_CSS}</style></head><body>",
           f"<h1>{esc(title)}</h1>",
           f'<p class="small">{esc(inst.source)}</p>' if inst.source else "",
           "<p>" + esc(t("servqual.form.scale", language, low=inst.scale_min,
                         high=inst.scale_max, low_anchor=lo_anchor,
                         high_anchor=hi_anchor)) + "</p>",
           (f"<p>{esc(t('servqual.column.respondent_id', language))}: "
            '<span class="blank">&nbsp;</span></p>'),
           f"<h2>1. {esc(t('servqual.form.part1', language))}</h2>",
           f"<p>{esc(section_text('expectation'))}</p>",
           items_table([t("servqual.column.expectation", language)]),
           f"<h2>2. {esc(t('servqual.form.part2', language))}</h2>",
           f"<p>{esc(section_text('importance'))}</p>",
           ('<table class="items"><thead><tr>'
            f"<th>{esc(t('servqual.column.dimension', language))}</th>"
            f"<th>{esc(t('servqual.form.points', language))}</th></tr></thead><tbody>")]
    for d in inst.dimensions:
        desc = (descriptions.get(d) or {}).get(language, "")
        out.append(f"<tr><td><b>{esc(inst.dimension_label(d, language))}</b>"
                   f"{': ' + esc(desc) if desc else ''}</td>"
                   '<td class="points">&nbsp;</td></tr>')
    out.append(f"<tr><td><b>{esc(t('common.total', language))}</b></td>"
               '<td class="points">100</td></tr></tbody></table>')
    out += [f"<h2>3. {esc(t('servqual.form.part3', language, company=name))}</h2>",
            f"<p>{esc(section_text('perception'))}</p>",
            items_table([t("servqual.column.perception", language)]),
            f"<p>{esc(t('servqual.form.overall', language))}: {boxes}</p>",
            (f"<p>{esc(t('servqual.form.segment', language))}: "
             '<span class="blank">&nbsp;</span></p>')]
    if zone:
        out += [f"<h2>4. {esc(t('servqual.form.part4', language))}</h2>",
                f"<p>{esc(section_text('adequate'))} {esc(section_text('desired'))}</p>",
                items_table([t("servqual.column.adequate", language),
                             t("servqual.column.desired", language)])]
    out.append(f"<p>{esc(t('servqual.form.thanks', language))}</p></body></html>")
    return "\n".join(x for x in out if x)


_FORM_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5cm; color: #222; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.4em; border-bottom: 1px solid #999; }
table.items { border-collapse: collapse; width: 100%; }
table.items th, table.items td { border: 1px solid #bbb; padding: 0.25em 0.4em; vertical-align: top; }
table.items th { background: #eee; } table.items tr { page-break-inside: avoid; }
td.id { font-family: monospace; white-space: nowrap; } td.box { white-space: nowrap; text-align: center; }
td.points { width: 5em; text-align: center; }
span.opt { display: inline-block; width: 1.4em; height: 1.4em; line-height: 1.4em; margin: 0 1px;
           border: 1px solid #555; border-radius: 50%; font-size: 8pt; text-align: center; }
.blank { border-bottom: 1px solid #444; min-width: 8cm; display: inline-block; }
.small { font-size: 8.5pt; color: #555; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
"""
