"""Candidate pairs of records that may be the same customer, and their decision.

Blocking keeps the work proportional to the likely pairs: records sharing a
tax id, e-mail or phone key, and records whose names share a word's first
letters and score high on rapidfuzz's ``token_sort_ratio``. Each pair gets the
first rule of :data:`RULES` that applies, with its decision (merge, review or
keep apart) and the scores behind it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from crmlib.exceptions import ParameterError
from crmlib.identify._normalize import normalize_customers

DECISIONS = ("merge", "review", "keep_apart")

#: Rules of :func:`match_candidates`, in the order they are tried, with their decision.
RULES = {
    "different_tax_id": "keep_apart",
    "same_tax_id": "merge",
    "same_email": "merge",
    "same_email_other_name": "review",
    "same_phone": "merge",
    "same_phone_other_name": "review",
    "similar_name_other_city": "keep_apart",
    "similar_name_other_contacts": "keep_apart",
    "similar_name_other_kind": "review",
    "similar_name_contact_conflict": "review",
    "similar_name_no_city": "review",
    "similar_name_same_city": "merge",
    "manual": "merge",
}

_BLOCK_STOPWORDS = {"de", "del", "la", "las", "los", "el", "y", "e", "the", "and", "of",
                    "da", "do", "dos", "van", "von"}


def _exact_pairs(values: np.ndarray, max_group: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Pairs (i < j) sharing a non-missing value, for groups of at most max_group."""
    s = pd.Series(values)
    s = s[s.notna()]
    codes, uniques = pd.factorize(s, sort=True)
    sizes = np.bincount(codes, minlength=len(uniques))
    too_common = sorted(uniques[sizes > max_group].tolist())
    keep = (sizes[codes] >= 2) & (sizes[codes] <= max_group)
    pos = s.index.to_numpy()[keep]
    grp = codes[keep]
    order = np.lexsort((pos, grp))
    pos, grp = pos[order], grp[order]
    if len(pos) == 0:
        return np.empty(0, int), np.empty(0, int), too_common
    starts = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    lengths = np.diff(np.r_[starts, len(grp)])
    left, right = [], []
    for k in np.unique(lengths):
        a, b = np.triu_indices(int(k), k=1)
        first = starts[lengths == k][:, None]
        left.append(pos[(first + a).ravel()])
        right.append(pos[(first + b).ravel()])
    return np.concatenate(left), np.concatenate(right), too_common


def _name_pairs(names: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose names share a block (first 3 letters of a token) and score >= threshold."""
    rows, keys = [], []
    for i, name in enumerate(names):
        if name is None:
            continue
        for token in set(name.split()):
            if len(token) >= 2 and token not in _BLOCK_STOPWORDS:
                rows.append(i)
                keys.append(token[:3])
    if not rows:
        return np.empty(0, int), np.empty(0, int)
    blocks = pd.Series(rows).groupby(pd.Series(keys), sort=True)
    left, right = [], []
    for _, members in blocks:
        idx = np.unique(members.to_numpy())
        if len(idx) < 2:
            continue
        scores = process.cdist(names[idx].tolist(), names[idx].tolist(),
                               scorer=fuzz.token_sort_ratio, score_cutoff=threshold,
                               dtype=np.float32, workers=1)
        a, b = np.nonzero(np.triu(scores >= threshold, k=1))
        left.append(idx[a])
        right.append(idx[b])
    if not left:
        return np.empty(0, int), np.empty(0, int)
    return np.concatenate(left), np.concatenate(right)


def _agree(values: np.ndarray, i: np.ndarray, j: np.ndarray) -> pd.Series:
    """True when both present and equal, False when both present and different, NA else."""
    a, b = values[i], values[j]
    present = np.array([x is not None and y is not None for x, y in zip(a, b)], dtype=bool)
    equal = np.array([x == y for x, y in zip(a, b)], dtype=bool)
    out = pd.array(np.where(present, equal, False), dtype="boolean")
    out[~present] = pd.NA
    return pd.Series(out)


def _check_threshold(name: str, value, low: float = 50, high: float = 100) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ParameterError(f"{name} must be a number from {low:g} to {high:g}; got {value!r}",
                             parameter=name, allowed=f"{low:g}..{high:g}", value=value)
    return float(value)


def _check_max_group(max_group) -> None:
    if isinstance(max_group, bool) or not isinstance(max_group, int) or max_group < 2:
        raise ParameterError(f"max_group must be an integer of at least 2; got {max_group!r}",
                             parameter="max_group", allowed=">= 2", value=max_group)


_PAIR_COLUMNS = ["left_key", "right_key", "left_name", "right_name", "rule", "decision",
                 "score", "name_score", "name_overlap", "tax_id_match", "email_match",
                 "phone_match", "city_match", "override", "note"]


def match_candidates(
    customers: pd.DataFrame,
    *,
    threshold: float = 90,
    name_floor: float = 75,
    max_group: int = 25,
    phone_key_digits: int = 9,
) -> pd.DataFrame:
    """Pairs of customer records that may be the same customer, with a decision.

    Candidates come from blocking, so the work grows with the number of likely
    pairs rather than with the square of the records: records sharing a tax id,
    an e-mail or a phone key, and records whose normalised names share the first
    three letters of a word and reach ``threshold`` on rapidfuzz's
    ``token_sort_ratio`` (word order does not matter). A value shared by more than
    ``max_group`` records (``ventas@...``, a switchboard number) is not taken as
    evidence of identity.

    Each pair gets the first rule that applies, in this order (see :data:`RULES`):

    1. ``different_tax_id`` (keep apart): both have a tax id and they differ;
    2. ``same_tax_id`` (merge);
    3. ``same_email`` (merge) when ``name_overlap >= name_floor``, else
       ``same_email_other_name`` (review: a family or an office sharing a mailbox);
    4. ``same_phone`` / ``same_phone_other_name``, likewise;
    5. names with ``name_score >= threshold``: ``similar_name_other_city`` (keep
       apart: namesakes in different cities are taken as different customers),
       ``similar_name_other_contacts`` (keep apart: both records have an e-mail
       and a phone, and both differ), ``similar_name_other_kind`` (review: a
       person and a company), ``similar_name_contact_conflict`` (review: the
       e-mails or the phones differ), ``similar_name_no_city`` (review: a city
       is missing), else ``similar_name_same_city`` (merge).

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``; see :func:`normalize_customers`.
    threshold : float, default 90
        Minimum ``token_sort_ratio`` (0-100) of the normalised names for a
        name-only match.
    name_floor : float, default 75
        Minimum ``token_set_ratio`` of the names for a shared e-mail or phone to
        merge without review (a missing second surname still passes).
    max_group : int, default 25
        Largest number of records a shared e-mail, phone or tax id may have to
        count as identifying.
    phone_key_digits : int, default 9
        See :func:`normalize_customers`.

    Returns
    -------
    DataFrame
        One row per candidate pair, ``left_key < right_key``, sorted by decision
        (merge, review, keep_apart), then ``score`` descending: ``left_key``,
        ``right_key`` (record keys ``"<source>:<customer_id>"``), ``left_name``,
        ``right_name`` (names as recorded), ``rule``, ``decision`` (merge | review
        | keep_apart), ``score`` (mean agreement 0-100 over the name score and,
        where both records have them, tax id, e-mail, phone and city, each 100 if
        equal and 0 if not), ``name_score`` (token_sort_ratio), ``name_overlap``
        (token_set_ratio), ``tax_id_match``, ``email_match``, ``phone_match``,
        ``city_match`` (True equal, False different, missing when either record
        lacks it; cities agree at token_set_ratio >= 90), ``override`` (False
        here) and ``note`` (empty). ``attrs["too_common"]`` lists the values
        ignored for exceeding ``max_group``.
    """
    threshold = _check_threshold("threshold", threshold)
    name_floor = _check_threshold("name_floor", name_floor, 0, 100)
    _check_max_group(max_group)
    norm = normalize_customers(customers, phone_key_digits=phone_key_digits)
    return _match(norm, threshold=threshold, name_floor=name_floor, max_group=max_group)


def _match(norm: pd.DataFrame, *, threshold: float, name_floor: float,
           max_group: int) -> pd.DataFrame:
    names = norm["name_norm"].to_numpy(dtype=object)
    lefts, rights, too_common = [], [], {}
    for field in ("tax_id_norm", "email_norm", "phone_norm"):
        i, j, common = _exact_pairs(norm[field].to_numpy(dtype=object), max_group)
        lefts.append(i)
        rights.append(j)
        if common:
            too_common[field.removesuffix("_norm")] = common
    i, j = _name_pairs(names, threshold)
    lefts.append(i)
    rights.append(j)
    pairs = np.unique(np.column_stack([np.concatenate(lefts), np.concatenate(rights)])
                      .astype(np.int64).reshape(-1, 2), axis=0)
    i, j = pairs[:, 0], pairs[:, 1]
    out = _pair_features(norm, i, j, threshold=threshold, name_floor=name_floor)
    out.attrs["too_common"] = too_common
    return out


def _pair_features(norm: pd.DataFrame, i: np.ndarray, j: np.ndarray, *, threshold: float,
                   name_floor: float) -> pd.DataFrame:
    names = norm["name_norm"].to_numpy(dtype=object)
    name_score = np.array([fuzz.token_sort_ratio(a or "", b or "") if a and b else 0.0
                           for a, b in zip(names[i], names[j])], dtype=float)
    name_overlap = np.array([fuzz.token_set_ratio(a or "", b or "") if a and b else 0.0
                             for a, b in zip(names[i], names[j])], dtype=float)
    tax = _agree(norm["tax_id_norm"].to_numpy(dtype=object), i, j)
    email = _agree(norm["email_norm"].to_numpy(dtype=object), i, j)
    phone = _agree(norm["phone_norm"].to_numpy(dtype=object), i, j)
    kind = _agree(norm["kind_filled"].to_numpy(dtype=object), i, j)
    cities = norm["city_norm"].to_numpy(dtype=object)
    city_vals = []
    for a, b in zip(cities[i], cities[j]):
        city_vals.append(pd.NA if a is None or b is None else fuzz.token_set_ratio(a, b) >= 90)
    city = pd.Series(pd.array(city_vals, dtype="boolean"))

    def yes(s):
        return s.fillna(False).to_numpy(dtype=bool)

    def no(s):
        return (~s).fillna(False).to_numpy(dtype=bool)

    similar = name_score >= threshold
    contact_conflict = (no(email) | no(phone))
    conditions = [
        no(tax),
        yes(tax),
        yes(email) & (name_overlap >= name_floor),
        yes(email),
        yes(phone) & (name_overlap >= name_floor),
        yes(phone),
        similar & no(city),
        similar & no(email) & no(phone),
        similar & no(kind),
        similar & contact_conflict,
        similar & city.isna().to_numpy(),
        similar,
    ]
    rules = list(RULES)[: len(conditions)]
    rule = np.select(conditions, rules, default="similar_name_same_city")
    decision = np.array([RULES[r] for r in rule], dtype=object)

    total = name_score.copy()
    count = np.ones(len(i))
    for s in (tax, email, phone, city):
        present = s.notna().to_numpy()
        total += np.where(present, yes(s) * 100.0, 0.0)
        count += present
    score = total / count

    keys = norm["record_key"].to_numpy(dtype=object)
    raw_names = norm["name"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "left_key": keys[i], "right_key": keys[j],
        "left_name": raw_names[i], "right_name": raw_names[j],
        "rule": rule.astype(object), "decision": decision,
        "score": score, "name_score": name_score, "name_overlap": name_overlap,
        "tax_id_match": tax.to_numpy(), "email_match": email.to_numpy(),
        "phone_match": phone.to_numpy(), "city_match": city.to_numpy(),
        "override": np.zeros(len(i), dtype=bool), "note": [""] * len(i),
    })
    for col in ("tax_id_match", "email_match", "phone_match", "city_match"):
        out[col] = out[col].astype("boolean")
    return _sort_pairs(out)


def _sort_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    order = pairs["decision"].map({d: k for k, d in enumerate(DECISIONS)})
    return (pairs.assign(_o=order, _s=-pairs["score"].fillna(-1))
            .sort_values(["_o", "_s", "left_key", "right_key"], kind="mergesort")
            .drop(columns=["_o", "_s"]).reset_index(drop=True))
