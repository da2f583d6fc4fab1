"""The gap table and the means built on it: :func:`gap_table` validates the answers,
reverse-scores negatively worded items and computes P - E for every respondent and item;
:func:`sample_table` says who answered what; :func:`item_gaps`, :func:`respondent_gaps` and
:func:`dimension_gaps` average the gaps by item, by respondent and dimension, and by
dimension, with confidence intervals.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
from crmlib.servqual._base import (
    _TABLE,
    SCORE_PARTS,
    _check_ci,
    _examples,
    _Grid,
    _grid,
    _importance,
    _instrument,
    _mean_ci,
    _respondents,
)


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
