"""Wide answer sheets (one row per respondent, columns ``E1..E22``, ``P1..P22`` and
importance points) turned into the canonical ``servqual_responses`` and
``servqual_respondents`` tables (public as :func:`crmlib.servqual.responses_from_wide` and
:func:`crmlib.servqual.respondents_from_wide`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.instruments import SCORE_PARTS, load_instrument

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
    inst = load_instrument(instrument)
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
    inst = load_instrument(instrument)
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
