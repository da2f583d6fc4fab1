"""Pieces every SERVQUAL table shares: the dimension and part names, parameter checks,
the gap table pivoted once to a respondents x items grid (:class:`_Grid`), respondent
attributes aligned to that grid and importance points rescaled to 100, and column means
with t-based confidence intervals.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.instruments import SCORE_PARTS, Instrument, load_instrument

DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
_TABLE = "servqual_responses"
_RESP_TABLE = "servqual_respondents"
QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")


# --------------------------------------------------------------------------- the gap grid


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


# --------------------------------------------------------------------------- means


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


def _respondent_matrix(gaps, respondents):
    g = _grid(gaps)
    both = ~np.isnan(g.values["gap"])
    gg = _Grid(g.respondent_ids, g.item_ids, g.item_dims, g.dimensions,
               {"gap": g.values["gap"], "perception": np.where(both, g.values["perception"],
                                                               np.nan)})
    resp = _respondents(respondents, g)
    return g, gg.dim_scores("gap"), resp
