"""The consultant's overrides of the match decisions.

A review file (``templates/match_overrides.csv``) says, pair by pair, which
records to merge or keep apart; :func:`apply_overrides` checks it and lets its
decisions win over the matching rules, adding pairs the rules did not propose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.identify._match import _PAIR_COLUMNS, _sort_pairs
from crmlib.io import read_match_overrides

OVERRIDE_DECISIONS = ("merge", "keep_apart")


def read_overrides(path) -> pd.DataFrame:
    """Read a consultant's override file with :func:`crmlib.io.read_match_overrides`.

    The file has the header ``left_key,right_key,decision,note``; see
    ``templates/match_overrides.csv``. Checked by :func:`apply_overrides`.

    Returns
    -------
    DataFrame
        ``left_key``, ``right_key``, ``decision``, ``note`` as text, indexed by
        the line number of each row in the file, so that errors name lines.
    """
    return read_match_overrides(path)


def apply_overrides(pairs: pd.DataFrame, overrides: pd.DataFrame | None, *,
                    record_keys=None) -> pd.DataFrame:
    """Let the consultant's decisions win over the matching rules.

    Parameters
    ----------
    pairs : DataFrame
        Result of :func:`match_candidates`.
    overrides : DataFrame or None
        ``left_key``, ``right_key``, ``decision`` (merge | keep_apart) and
        optionally ``note``; key order within a row does not matter. ``None``
        or an empty table returns ``pairs`` unchanged.
    record_keys : iterable of str, optional
        Every record key of the customers; when given, an override naming an
        unknown record is an error (a stale file after the data changed).

    Returns
    -------
    DataFrame
        ``pairs`` with overridden rows' ``decision`` replaced, ``override`` True and
        ``note`` filled; a pair the rules did not propose is added with rule
        ``manual`` and missing scores. Same columns and order as
        :func:`match_candidates`.

    Raises
    ------
    DataError
        Missing columns, empty keys, a decision outside merge/keep_apart, a
        record paired with itself, unknown keys, or one pair given twice with
        different decisions.
    """
    if overrides is None or len(overrides) == 0:
        return pairs.copy()
    problems = []
    n = len(overrides)
    where = {"location_kind": overrides.attrs.get("location_kind", "row"),
             "source": overrides.attrs.get("source")}

    def add(column, rule, mask=None, values=None):
        if mask is None:
            problems.append(DataProblem("match_overrides", column, rule, **where))
            return
        mask = np.asarray(mask, dtype=bool)
        shown = values if values is not None else overrides[column]
        examples = tuple(zip(overrides.index[mask][:3], shown[mask].head(3).tolist()))
        problems.append(DataProblem("match_overrides", column, rule, int(mask.sum()), n,
                                    examples, **where))

    for col in ("left_key", "right_key", "decision"):
        if col not in overrides.columns:
            add(col, "is required but missing")
    if problems:
        raise DataError(problems, source=where["source"])
    ov = overrides.copy()
    for col in ("left_key", "right_key", "decision"):
        ov[col] = ov[col].astype(object).where(ov[col].notna(), "").astype(str).str.strip()
        empty = (ov[col] == "").to_numpy()
        if empty.any():
            add(col, "is empty", empty, ov[col])
    ov["decision"] = ov["decision"].str.lower().str.replace("-", "_").str.replace(" ", "_")
    bad = (ov["decision"] != "") & ~ov["decision"].isin(OVERRIDE_DECISIONS)
    if bad.any():
        add("decision", f"is not one of {list(OVERRIDE_DECISIONS)}", bad)
    same = (ov["left_key"] == ov["right_key"]) & (ov["left_key"] != "")
    if same.any():
        add("right_key", "equals left_key", same, ov["right_key"])
    if record_keys is not None:
        known = set(record_keys)
        for col in ("left_key", "right_key"):
            unknown = (ov[col] != "") & ~ov[col].isin(known)
            if unknown.any():
                add(col, "is not a record key (<source>:<customer_id>) of the customers",
                    unknown, ov[col])
    lo = np.minimum(ov["left_key"].to_numpy(dtype=object), ov["right_key"].to_numpy(dtype=object))
    hi = np.maximum(ov["left_key"].to_numpy(dtype=object), ov["right_key"].to_numpy(dtype=object))
    ov["left_key"], ov["right_key"] = lo, hi
    clash = ov.groupby(["left_key", "right_key"])["decision"].transform("nunique") > 1
    if clash.any():
        add("decision", "differs between rows naming the same pair", clash)
    if problems:
        raise DataError(problems, source=where["source"])
    note = ov["note"] if "note" in ov.columns else pd.Series("", index=ov.index)
    ov["note"] = note.astype(object).where(note.notna(), "").astype(str)
    ov = ov.drop_duplicates(["left_key", "right_key"], keep="last")

    out = pairs.copy()
    merged = out.merge(ov[["left_key", "right_key", "decision", "note"]],
                       on=["left_key", "right_key"], how="left", suffixes=("", "_ov"),
                       indicator=True)
    hit = (merged["_merge"] == "both").to_numpy()
    out.loc[hit, "decision"] = merged.loc[hit, "decision_ov"].to_numpy()
    out.loc[hit, "note"] = merged.loc[hit, "note_ov"].to_numpy()
    out.loc[hit, "override"] = True
    known_pairs = set(zip(out["left_key"], out["right_key"]))
    extra = ov[[(a, b) not in known_pairs for a, b in zip(ov["left_key"], ov["right_key"])]]
    if len(extra):
        add = pd.DataFrame({
            "left_key": extra["left_key"].to_numpy(), "right_key": extra["right_key"].to_numpy(),
            "left_name": None, "right_name": None, "rule": "manual",
            "decision": extra["decision"].to_numpy(), "score": np.nan, "name_score": np.nan,
            "name_overlap": np.nan, "override": True, "note": extra["note"].to_numpy(),
        })
        for col in ("tax_id_match", "email_match", "phone_match", "city_match"):
            add[col] = pd.array([pd.NA] * len(add), dtype="boolean")
        out = pd.concat([out, add[_PAIR_COLUMNS]], ignore_index=True)
    return _sort_pairs(out[_PAIR_COLUMNS])
