"""Identify: one master of customers from several sources, data quality, profile cards.

The first stage of the IDIC method (Peppers & Rogers) asks a company to know who
its customers are: gather the records that several systems keep (billing, CRM,
loyalty card, web shop), recognise the same customer across them, clean what is
stale or invalid, and build one profile card ("ficha") per customer. This module
does the computing part of that work:

* :func:`normalize_customers` prepares comparable keys (name without accents,
  punctuation, honorifics or legal suffixes; lower-case e-mail; phone digits
  without country or trunk prefix; tax id without separators);
* :func:`match_candidates` proposes pairs of records that may be the same
  customer, each with the rule that fired, the scores and a decision;
* :func:`apply_overrides` lets a consultant's review file win over the rules;
* :func:`consolidate` merges the records into masters (transitively, but never
  across a ``keep_apart`` decision or two different tax ids) and returns the
  master table, the record-to-master links and the match report;
* :func:`record_quality`, :func:`quality_profile`, :func:`revenue_identification`
  and :func:`identified_revenue_share` measure the quality of the data;
* :func:`profile_card` lays out one customer's card.

Sources: Peppers, D. & Rogers, M., *Enterprise One to One* (IDIC), as presented in
the one-to-one implementation guide (tasks of the Identify stage: grow and clean
the customer base, drop out-of-date records) and the customer-loyalty process
("register": merge every customer database of the company into one; "identify":
build each customer's card with personal or company data).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crmlib import differentiate
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, label, t

__all__ = [
    "DECISIONS",
    "OVERRIDE_DECISIONS",
    "RULES",
    "Consolidation",
    "apply_overrides",
    "card_browser",
    "card_table",
    "consolidate",
    "headline",
    "identified_revenue_share",
    "master_values",
    "match_candidates",
    "match_report_table",
    "most_valuable_master",
    "normalize_customers",
    "profile_card",
    "quality_figures",
    "quality_profile",
    "read_overrides",
    "readable",
    "record_quality",
    "revenue_identification",
    "revenue_sentence",
    "rule_counts",
    "source_counts",
]

DECISIONS = ("merge", "review", "keep_apart")
OVERRIDE_DECISIONS = ("merge", "keep_apart")

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

_FIELDS = ("name", "email", "phone", "tax_id", "city")
_PROFILE_FIELDS = ("name", "kind", "email", "phone", "tax_id", "city", "segment", "created_at")

# Legal-form suffixes removed from company names, as token sequences after dots are
# dropped ("S.A." -> "sa", "S. A." -> "s a"). Longest first.
_LEGAL_SUFFIXES = sorted(
    {
        ("sa", "de", "cv"), ("s", "a", "de", "c", "v"), ("s", "de", "rl", "de", "cv"),
        ("s", "de", "rl"), ("sociedad", "anonima"), ("sociedad", "limitada"),
        ("sa",), ("s", "a"), ("sl",), ("s", "l"), ("slu",), ("s", "l", "u"),
        ("srl",), ("s", "r", "l"), ("sas",), ("s", "a", "s"), ("sac",), ("s", "a", "c"),
        ("saa",), ("spa",), ("ltda",), ("limitada",), ("cia",), ("y", "cia"), ("e", "hijos"),
        ("eirl",), ("e", "i", "r", "l"), ("inc",), ("llc",), ("ltd",), ("corp",), ("co",),
        ("gmbh",), ("plc",), ("bv",), ("ag",),
    },
    key=len,
    reverse=True,
)
_HONORIFICS = {"sr", "sra", "srta", "dr", "dra", "don", "dona", "mr", "mrs", "ms", "miss",
               "ing", "lic", "prof"}
_BLOCK_STOPWORDS = {"de", "del", "la", "las", "los", "el", "y", "e", "the", "and", "of",
                    "da", "do", "dos", "van", "von"}
_EMAIL_RE = re.compile(r"^[a-z0-9][a-z0-9._%+'-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


# --------------------------------------------------------------------------- normalising


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


def _name_tokens(text: str) -> list[str]:
    text = _ascii_lower(text).replace(".", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def _strip_legal_suffix(tokens: list[str]) -> tuple[list[str], bool]:
    found = False
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            k = len(suffix)
            if len(tokens) > k and tuple(tokens[-k:]) == suffix:
                tokens = tokens[:-k]
                found = changed = True
                break
    return tokens, found


def _norm_name(name, kind) -> tuple[object, bool]:
    """Normalised name and whether a legal suffix was found."""
    if not isinstance(name, str) or not name.strip():
        return None, False
    tokens = _name_tokens(name)
    found = False
    if kind != "person":
        tokens, found = _strip_legal_suffix(tokens)
    if kind != "company":
        while len(tokens) > 1 and tokens[0] in _HONORIFICS:
            tokens = tokens[1:]
    return (" ".join(tokens) or None), found


def _norm_email(value) -> object:
    if not isinstance(value, str):
        return None
    text = _ascii_lower(value.strip()).replace(" ", "")
    return text if _EMAIL_RE.match(text) else None


def _phone_digits(value) -> str:
    if not isinstance(value, str):
        return ""
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    digits = digits.removeprefix("00")
    return digits


def _norm_phone(value, key_digits: int) -> object:
    digits = _phone_digits(value)
    if not 7 <= len(digits) <= 15 or len(set(digits)) == 1:
        return None
    return digits[-key_digits:]


def _norm_tax_id(value) -> object:
    if not isinstance(value, str):
        return None
    text = re.sub(r"[^A-Z0-9]", "", _ascii_lower(value).upper()).lstrip("0")
    if len(text) < 5 or not re.search(r"\d", text) or len(set(text)) == 1:
        return None
    return text


def _norm_city(value) -> object:
    if not isinstance(value, str):
        return None
    text = " ".join(_name_tokens(value))
    return text or None


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].astype(object).where(df[name].notna(), None)
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _check_customers(customers: pd.DataFrame) -> None:
    if not isinstance(customers, pd.DataFrame):
        raise ParameterError(f"customers must be a DataFrame; got {type(customers).__name__}",
                             parameter="customers", allowed="DataFrame", value=customers)
    problems = []
    n = len(customers)
    for col in ("customer_id", "name"):
        if col not in customers.columns:
            problems.append(DataProblem("customers", col, "is required but missing"))
    if "customer_id" in customers.columns:
        ids = customers["customer_id"]
        empty = ids.isna().to_numpy()
        if empty.any():
            rows = tuple((i, "") for i in customers.index[empty][:3])
            problems.append(DataProblem("customers", "customer_id", "is empty",
                                        int(empty.sum()), n, rows))
        src = _column(customers, "source").fillna("customers")
        keys = src.astype(str) + ":" + ids.astype(object).where(ids.notna(), "").astype(str)
        dup = keys.duplicated(keep=False).to_numpy() & ~empty
        if dup.any():
            rows = tuple(zip(customers.index[dup][:3], keys[dup][:3]))
            problems.append(DataProblem("customers", "customer_id",
                                        "has duplicate (source, customer_id) pairs",
                                        int(dup.sum()), n, rows))
    if "kind" in customers.columns:
        bad = customers["kind"].notna() & ~customers["kind"].isin(["person", "company"])
        if bad.any():
            rows = tuple(customers.loc[bad, "kind"].head(3).items())
            problems.append(DataProblem("customers", "kind", "is not one of ['person', 'company']",
                                        int(bad.sum()), n, rows))
    if problems:
        raise DataError(problems)


def normalize_customers(customers: pd.DataFrame, *, phone_key_digits: int = 9) -> pd.DataFrame:
    """Add the comparable keys used to match customer records.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers`` (``customer_id`` and ``name`` required; ``source``
        defaults to ``"customers"`` where absent), possibly stacked from several sources.
    phone_key_digits : int, default 9
        Number of trailing digits that identify a phone. Comparing the last 9
        digits drops country codes (``+56``, ``0034``) and trunk zeros, so
        ``+56 9 8765 4321`` and ``98765 4321`` agree.

    Returns
    -------
    DataFrame
        A copy of ``customers``, sorted by ``record_key``, with ``source`` filled and:
        ``record_key`` (``"<source>:<customer_id>"``), ``name_norm`` (lower case, no
        accents, punctuation or honorifics; legal suffixes such as S.A., S.L., SRL,
        Ltda, Inc removed unless ``kind`` is ``person``), ``kind_filled`` (``kind``,
        or ``company`` where a legal suffix was found), ``email_norm`` (lower-case
        address when it looks valid, else missing), ``phone_norm`` (last
        ``phone_key_digits`` digits when the number has 7 to 15 digits and is not
        one digit repeated, else missing), ``tax_id_norm`` (upper-case letters and
        digits without separators or leading zeros; missing when shorter than 5 or
        without a digit) and ``city_norm``.

    Raises
    ------
    DataError
        When ``customer_id`` or ``name`` is missing, ids are empty or repeated
        within a source, or ``kind`` holds a value other than person/company.
    """
    if not isinstance(phone_key_digits, int) or not 6 <= phone_key_digits <= 15:
        raise ParameterError(
            f"phone_key_digits must be an integer from 6 to 15; got {phone_key_digits!r}",
            parameter="phone_key_digits", allowed="6..15", value=phone_key_digits)
    _check_customers(customers)
    out = customers.copy()
    out["source"] = _column(out, "source").fillna("customers").astype(str)
    out["customer_id"] = out["customer_id"].astype(str)
    out.insert(0, "record_key", out["source"] + ":" + out["customer_id"])
    kind = _column(out, "kind")
    names = [_norm_name(n, k) for n, k in zip(_column(out, "name"), kind)]
    out["name_norm"] = pd.Series([n for n, _ in names], index=out.index, dtype=object)
    legal = pd.Series([f for _, f in names], index=out.index)
    out["kind_filled"] = kind.where(kind.notna(), np.where(legal, "company", None))
    out["email_norm"] = _column(out, "email").map(_norm_email).astype(object)
    out["phone_norm"] = _column(out, "phone").map(
        lambda v: _norm_phone(v, phone_key_digits)).astype(object)
    out["tax_id_norm"] = _column(out, "tax_id").map(_norm_tax_id).astype(object)
    out["city_norm"] = _column(out, "city").map(_norm_city).astype(object)
    for col in ("name_norm", "kind_filled", "email_norm", "phone_norm", "tax_id_norm",
                "city_norm"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out.sort_values("record_key", kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- candidates


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


# --------------------------------------------------------------------------- overrides


def read_overrides(path) -> pd.DataFrame:
    """Read a consultant's override file (CSV, lines starting with ``#`` skipped).

    The file has the header ``left_key,right_key,decision,note``; see
    ``templates/match_overrides.csv``. Checked by :func:`apply_overrides`.

    Returns
    -------
    DataFrame
        ``left_key``, ``right_key``, ``decision``, ``note`` as text, indexed by
        the line number of each row in the file, so that errors name lines.
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"overrides file {path.name!r} does not exist",
                             parameter="overrides", allowed="an existing CSV file",
                             value=str(path))
    text = path.read_text(encoding="utf-8-sig")
    numbered = [(k, ln) for k, ln in enumerate(text.splitlines(), start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]
    rows = list(csv.reader(ln for _, ln in numbered))
    if not rows:
        df = pd.DataFrame(columns=["left_key", "right_key", "decision", "note"], dtype=object)
    else:
        header = [h.strip() for h in rows[0]]
        body = [(r + [""] * (len(header) - len(r)))[: len(header)] for r in rows[1:]]
        df = pd.DataFrame(body, columns=header, dtype=object,
                          index=pd.Index([k for k, _ in numbered[1:]], dtype="int64"))
        if "note" not in df.columns:
            df["note"] = ""
    df.attrs.update(location_kind="line", source=path.name)
    return df


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


# --------------------------------------------------------------------------- consolidating


@dataclass(frozen=True)
class Consolidation:
    """Result of :func:`consolidate`.

    Attributes
    ----------
    master : DataFrame
        One row per master customer (see :func:`consolidate`).
    links : DataFrame
        One row per source record: ``record_key``, ``source``, ``customer_id``,
        ``master_id``, ``is_primary`` (the record whose values lead the master).
    pairs : DataFrame
        The match report: :func:`match_candidates` after overrides, plus
        ``same_master`` (whether the two records ended in one master).
    """

    master: pd.DataFrame
    links: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def n_records(self) -> int:
        """Number of source records."""
        return len(self.links)

    @property
    def n_master(self) -> int:
        """Number of master customers."""
        return len(self.master)

    @property
    def duplicate_rate(self) -> float:
        """Share of records that duplicate another one: ``1 - n_master / n_records``."""
        return 1 - self.n_master / self.n_records if self.n_records else float("nan")

    def summary(self) -> dict:
        """Key figures: records, masters, duplicates, pairs by decision, merged pairs."""
        by_decision = self.pairs["decision"].value_counts()
        return {
            "n_records": self.n_records,
            "n_sources": int(self.links["source"].nunique()),
            "n_master": self.n_master,
            "n_duplicates": self.n_records - self.n_master,
            "duplicate_rate": self.duplicate_rate,
            "n_multi_source": int((self.master["n_sources"] > 1).sum()),
            "n_pairs": len(self.pairs),
            "n_merge": int(by_decision.get("merge", 0)),
            "n_review": int(by_decision.get("review", 0)),
            "n_keep_apart": int(by_decision.get("keep_apart", 0)),
            "n_overrides": int(self.pairs["override"].sum()),
        }


def _cluster(n: int, keys: np.ndarray, taxes: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """Constrained union-find: merge edges strongest first, never joining a keep-apart
    pair or two different tax ids. Returns a component label per record."""
    index = {k: p for p, k in enumerate(keys)}
    parent = list(range(n))
    members = {p: {p} for p in range(n)}
    tax_sets = {p: ({taxes[p]} if taxes[p] is not None else set()) for p in range(n)}
    apart: dict[int, set] = {}
    for a, b in pairs.loc[pairs["decision"] == "keep_apart", ["left_key", "right_key"]].itertuples(
            index=False):
        if a in index and b in index:
            ia, ib = index[a], index[b]
            apart.setdefault(ia, set()).add(ib)
            apart.setdefault(ib, set()).add(ia)
    blocked = {p: set(apart.get(p, ())) for p in range(n)}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = pairs[pairs["decision"] == "merge"].assign(
        _o=~pairs["override"].astype(bool), _s=-pairs["score"].fillna(101))
    edges = edges.sort_values(["_o", "_s", "left_key", "right_key"], kind="mergesort")
    for a, b in edges[["left_key", "right_key"]].itertuples(index=False):
        if a not in index or b not in index:
            continue
        ra, rb = find(index[a]), find(index[b])
        if ra == rb:
            continue
        if blocked[ra] & members[rb]:
            continue
        if tax_sets[ra] and tax_sets[rb] and tax_sets[ra] != tax_sets[rb]:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        blocked[ra] |= blocked.pop(rb)
        tax_sets[ra] |= tax_sets.pop(rb)
    roots = np.array([find(p) for p in range(n)])
    graph = coo_matrix((np.ones(n), (np.arange(n), roots)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _join_by(groups: pd.Series, values: pd.Series, *, unique: bool = False) -> dict:
    """``{group: ";".join(sorted values)}`` without a Python call per pandas group."""
    collected: dict = {}
    for g, v in zip(groups.to_numpy(dtype=object), values.to_numpy(dtype=object)):
        collected.setdefault(g, []).append(str(v))
    return {g: ";".join(sorted(set(v)) if unique else sorted(v)) for g, v in collected.items()}


def consolidate(
    customers: pd.DataFrame,
    *,
    overrides: pd.DataFrame | str | Path | None = None,
    threshold: float = 90,
    name_floor: float = 75,
    max_group: int = 25,
    phone_key_digits: int = 9,
) -> Consolidation:
    """Merge customer records from several sources into one master table.

    Pairs decided ``merge`` (by the rules of :func:`match_candidates` or by the
    consultant's ``overrides``) are joined transitively, as connected components:
    if A matches B and B matches C, all three are one customer. Two guards keep
    a chain from joining records that must stay apart: pairs are joined from
    the strongest (overrides first, then by ``score``), and a join is skipped when
    it would put together a ``keep_apart`` pair or two different tax ids. Pairs
    decided ``review`` are not merged until an override says so.

    Master values follow one rule: records of a master are ranked by how many of
    name, e-mail, phone, tax id and city they hold (valid values only), then by
    the most recent ``created_at``, then by record key; each field takes the value
    of the best-ranked record that has it. The best-ranked record is the primary.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``, several sources stacked (``source`` column).
    overrides : DataFrame or path, optional
        The consultant's decisions (see :func:`apply_overrides`), or the path of
        an override file read with :func:`read_overrides`; ``""`` means none.
    threshold, name_floor, max_group, phone_key_digits
        See :func:`match_candidates`.

    Returns
    -------
    Consolidation
        ``master``: one row per master customer, ordered by ``master_id``:
        ``master_id`` (``M`` + 6 digits, numbered by smallest record key),
        ``name``, ``kind``, ``email`` (normalised), ``phone`` (as recorded),
        ``tax_id`` (normalised), ``city``, ``segment``, ``created_at`` (earliest),
        ``special`` (any record flagged), ``n_records``, ``n_sources``,
        ``sources`` (``;``-joined, sorted), ``record_keys`` (``;``-joined),
        ``primary_key``.
        ``links``: ``record_key``, ``source``, ``customer_id``, ``master_id``,
        ``is_primary``. ``pairs``: the match report (see :func:`match_candidates`)
        plus ``same_master``.
    """
    if isinstance(overrides, (str, Path)):
        overrides = read_overrides(overrides) if str(overrides).strip() else None
    threshold = _check_threshold("threshold", threshold)
    name_floor = _check_threshold("name_floor", name_floor, 0, 100)
    _check_max_group(max_group)
    norm = normalize_customers(customers, phone_key_digits=phone_key_digits)
    pairs = _match(norm, threshold=threshold, name_floor=name_floor, max_group=max_group)
    too_common = pairs.attrs.get("too_common", {})
    pairs = apply_overrides(pairs, overrides, record_keys=norm["record_key"])
    n = len(norm)
    keys = norm["record_key"].to_numpy(dtype=object)
    labels = _cluster(n, keys, norm["tax_id_norm"].to_numpy(dtype=object), pairs)

    # number masters by their smallest record key (records are sorted by key)
    first_pos = pd.Series(np.arange(n)).groupby(labels).min()
    order = np.argsort(first_pos.to_numpy(), kind="stable")
    number = np.empty(len(order), dtype=int)
    number[order] = np.arange(1, len(order) + 1)
    label_to_num = dict(zip(first_pos.index, number))
    master_ids = np.array([f"M{label_to_num[lab]:06d}" for lab in labels], dtype=object)

    work = norm.copy()
    work["master_id"] = master_ids
    valid = {"name": work["name_norm"], "email": work["email_norm"],
             "phone": work["phone_norm"], "tax_id": work["tax_id_norm"],
             "city": work["city_norm"]}
    work["_filled"] = sum(v.notna().astype(int) for v in valid.values())
    created = work["created_at"] if "created_at" in work.columns else pd.Series(pd.NaT,
                                                                                index=work.index)
    work["_created"] = pd.to_datetime(created)
    ranked = work.sort_values(["master_id", "_filled", "_created", "record_key"],
                              ascending=[True, False, False, True], na_position="last",
                              kind="mergesort")
    primary = ranked.groupby("master_id", sort=True)["record_key"].first()

    fields = pd.DataFrame({
        "master_id": ranked["master_id"],
        "name": ranked["name"].astype(object).where(ranked["name_norm"].notna(), None),
        "kind": ranked["kind_filled"],
        "email": ranked["email_norm"],
        "phone": _column(ranked, "phone").where(ranked["phone_norm"].notna(), None),
        "tax_id": ranked["tax_id_norm"],
        "city": _column(ranked, "city").where(ranked["city_norm"].notna(), None),
        "segment": _column(ranked, "segment"),
    })
    master = fields.groupby("master_id", sort=True).first()
    grouped = ranked.groupby("master_id", sort=True)
    master["created_at"] = grouped["_created"].min()
    if "special" in ranked.columns:
        flag = ranked["special"].astype(object).where(ranked["special"].notna(), False)
        master["special"] = flag.astype(bool).groupby(ranked["master_id"]).any()
    else:
        master["special"] = False
    master["n_records"] = grouped.size()
    master["n_sources"] = grouped["source"].nunique()
    master["sources"] = pd.Series(_join_by(ranked["master_id"], ranked["source"], unique=True))
    master["record_keys"] = pd.Series(_join_by(ranked["master_id"], ranked["record_key"]))
    master["primary_key"] = primary
    master = master.reset_index()
    for col in ("name", "kind", "email", "phone", "tax_id", "city", "segment"):
        master[col] = master[col].astype(object).where(master[col].notna(), None)

    links = pd.DataFrame({
        "record_key": keys,
        "source": norm["source"].to_numpy(dtype=object),
        "customer_id": norm["customer_id"].to_numpy(dtype=object),
        "master_id": master_ids,
    })
    links["is_primary"] = links["record_key"].isin(set(primary.to_numpy()))

    where = dict(zip(keys, master_ids))
    pairs = pairs.copy()
    pairs["same_master"] = [where.get(a) is not None and where.get(a) == where.get(b)
                            for a, b in zip(pairs["left_key"], pairs["right_key"])]
    pairs.attrs["too_common"] = too_common
    return Consolidation(master=master, links=links, pairs=pairs)


def source_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Records per source.

    Returns
    -------
    DataFrame
        One row per source, sorted by name: ``source``, ``n_records``, ``share``
        (of all records), ``n_with_email``, ``n_with_phone``, ``n_with_tax_id``
        (records holding a valid value).
    """
    norm = normalize_customers(customers)
    out = norm.groupby("source", sort=True).agg(
        n_records=("record_key", "size"),
        n_with_email=("email_norm", "count"),
        n_with_phone=("phone_norm", "count"),
        n_with_tax_id=("tax_id_norm", "count"),
    ).reset_index()
    out.insert(2, "share", out["n_records"] / out["n_records"].sum())
    return out


# --------------------------------------------------------------------------- data quality


def _as_of(as_of) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError(f"as_of must be a date such as '2024-12-31'; got {as_of!r}",
                             parameter="as_of", allowed="ISO date", value=as_of)
    return ts


def _check_months(stale_months) -> int:
    if isinstance(stale_months, bool) or not isinstance(stale_months, int) or stale_months < 1:
        raise ParameterError(f"stale_months must be a positive integer; got {stale_months!r}",
                             parameter="stale_months", allowed=">= 1", value=stale_months)
    return stale_months


def _check_transactions(transactions: pd.DataFrame) -> None:
    problems = []
    for col in ("customer_id", "date", "amount"):
        if col not in transactions.columns:
            problems.append(DataProblem("transactions", col, "is required but missing"))
    if not problems and not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        problems.append(DataProblem("transactions", "date",
                                    f"must be a date (dtype {transactions['date'].dtype})"))
    if problems:
        raise DataError(problems)


def _status(raw: pd.Series, norm: pd.Series) -> pd.Series:
    present = raw.notna() & (raw.astype(object).astype(str).str.strip() != "")
    return pd.Series(np.where(~present, "missing", np.where(norm.notna(), "valid", "invalid")),
                     index=raw.index, dtype=object)


def record_quality(customers: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                   as_of, stale_months: int = 12,
                   links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quality flags of every customer record.

    A record's last activity is the later of its last transaction (matched on
    ``customer_id``) and its ``created_at``; it is stale when that date is more than
    ``stale_months`` months before ``as_of``, or unknown (no recorded activity
    at all). With ``links``, a record shares the latest activity of its master
    customer: a CRM record of someone who still buys under a billing id is not
    stale. The method's cleaning task: drop or refresh out-of-date records.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``.
    transactions : DataFrame, optional
        Contract ``transactions``.
    as_of : date-like
        Valuation date.
    stale_months : int, default 12
        Months without activity after which a record is stale.
    links : DataFrame, optional
        ``links`` of :func:`consolidate`.

    Returns
    -------
    DataFrame
        One row per record, sorted by ``record_key``: ``record_key``, ``source``,
        ``customer_id``, ``name_status``, ``email_status``, ``phone_status``,
        ``tax_id_status``, ``city_status`` (missing | invalid | valid; see
        :func:`normalize_customers` for validity), ``last_activity``,
        ``months_inactive`` (whole months from last activity to ``as_of``),
        ``stale`` (bool).
    """
    as_of = _as_of(as_of)
    stale_months = _check_months(stale_months)
    norm = normalize_customers(customers)
    out = norm[["record_key", "source", "customer_id"]].copy()
    for field in _FIELDS:
        out[f"{field}_status"] = _status(_column(norm, field), norm[f"{field}_norm"])
    last = pd.Series(pd.NaT, index=norm.index, dtype="datetime64[ns]")
    if transactions is not None:
        _check_transactions(transactions)
        tx = transactions[transactions["customer_id"].notna() & (transactions["date"] <= as_of)]
        last_tx = tx.groupby(tx["customer_id"].astype(str))["date"].max()
        last = norm["customer_id"].map(last_tx).astype("datetime64[ns]")
    if "created_at" in norm.columns:
        created = pd.to_datetime(norm["created_at"]).astype("datetime64[ns]")
        created = created.where(created <= as_of)
        last = pd.concat([last, created], axis=1).max(axis=1).astype("datetime64[ns]")
    if links is not None:
        master = norm["record_key"].map(links.set_index("record_key")["master_id"])
        master = master.where(master.notna(), norm["record_key"])
        last = last.groupby(master.to_numpy()).transform("max").astype("datetime64[ns]")
    out["last_activity"] = last
    months = ((as_of.year - last.dt.year) * 12 + (as_of.month - last.dt.month)
              - (as_of.day < last.dt.day).astype(float))
    out["months_inactive"] = months.astype("Float64")
    cutoff = as_of - pd.DateOffset(months=stale_months)
    out["stale"] = (last.isna() | (last < cutoff)).to_numpy(dtype=bool)
    return out


def quality_profile(customers: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                    as_of, stale_months: int = 12,
                    links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Data-quality profile of the customer records.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``.
    transactions : DataFrame, optional
        Contract ``transactions``, for the last activity of each record.
    as_of : date-like
        Valuation date.
    stale_months : int, default 12
        See :func:`record_quality`.
    links : DataFrame, optional
        ``links`` of :func:`consolidate`, to count duplicates and share the
        last activity within a master customer; computed with the default
        settings when not given.

    Returns
    -------
    DataFrame
        One row per check: ``check`` (``completeness`` for each of name, e-mail,
        phone, tax id, city, kind, segment, created_at present in the data;
        ``validity`` for e-mail, phone and tax id; ``stale``; ``duplicate``),
        ``field`` (the column checked, empty for record-level checks),
        ``n_checked`` (records looked at: all records, or for validity the
        records holding a value), ``n_ok``, ``n_problem`` (empty, invalid, stale
        or redundant records; a duplicate problem is a record beyond the first
        of its master) and ``share_ok`` (``n_ok / n_checked``).
    """
    if links is None:
        links = consolidate(customers).links
    rq = record_quality(customers, transactions, as_of=as_of, stale_months=stale_months,
                        links=links)
    norm = normalize_customers(customers)
    n = len(rq)
    rows = []
    for field in ("name", "email", "phone", "tax_id", "city", "kind", "segment", "created_at"):
        if field not in customers.columns:
            continue
        raw = _column(norm, field)
        filled = int((raw.notna() & (raw.astype(str).str.strip() != "")).sum())
        rows.append(("completeness", field, n, filled, n - filled))
    for field in ("email", "phone", "tax_id"):
        if field not in customers.columns:
            continue
        status = rq[f"{field}_status"]
        checked = int((status != "missing").sum())
        ok = int((status == "valid").sum())
        rows.append(("validity", field, checked, ok, checked - ok))
    stale = int(rq["stale"].sum())
    rows.append(("stale", "", n, n - stale, stale))
    n_master = int(links["master_id"].nunique())
    rows.append(("duplicate", "", n, n_master, n - n_master))
    out = pd.DataFrame(rows, columns=["check", "field", "n_checked", "n_ok", "n_problem"])
    out["share_ok"] = np.where(out["n_checked"] > 0,
                               out["n_ok"] / out["n_checked"].where(out["n_checked"] > 0, 1),
                               np.nan)
    return out


def quality_figures(quality: pd.DataFrame) -> dict:
    """Key figures of a :func:`quality_profile` table as a flat dict.

    Returns
    -------
    dict
        ``completeness_<field>`` (share filled), ``invalid_<field>`` (count),
        ``stale_records``, ``stale_share``, ``duplicate_records``.
    """
    out = {}
    for row in quality.itertuples(index=False):
        if row.check == "completeness":
            out[f"completeness_{row.field}"] = float(row.share_ok)
        elif row.check == "validity":
            out[f"invalid_{row.field}"] = int(row.n_problem)
        elif row.check == "stale":
            out["stale_records"] = int(row.n_problem)
            out["stale_share"] = float(row.n_problem / row.n_checked) if row.n_checked else None
        elif row.check == "duplicate":
            out["duplicate_records"] = int(row.n_problem)
    return out


# --------------------------------------------------------------------------- revenue


def _id_map(links_or_customers: pd.DataFrame, source: str | None) -> pd.DataFrame:
    """customer_id -> master_id (or record_key), restricted to ``source`` if given."""
    df = links_or_customers
    if "master_id" not in df.columns:
        df = normalize_customers(df)
        df = df.assign(master_id=df["record_key"])
    if source is not None:
        if source not in set(df["source"]):
            raise ParameterError(
                f"source must be one of {sorted(set(df['source']))}; got {source!r}",
                parameter="source", allowed=tuple(sorted(set(df["source"]))), value=source)
        df = df[df["source"] == source]
    ids = df[["customer_id", "master_id"]].astype({"customer_id": str}).drop_duplicates()
    n_masters = ids.groupby("customer_id")["master_id"].transform("nunique")
    ids = ids.assign(ambiguous=n_masters > 1).drop_duplicates("customer_id")
    return ids.set_index("customer_id")


def revenue_identification(transactions: pd.DataFrame, links: pd.DataFrame, *,
                           source: str | None = None) -> pd.DataFrame:
    """Revenue split by whether the buyer is an identified customer.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    links : DataFrame
        ``links`` of :func:`consolidate`, or a ``customers`` table.
    source : str, optional
        Source whose ``customer_id`` the transactions use; by default an id is
        looked up in every source (an id naming different masters in different
        sources counts as ``ambiguous``).

    Returns
    -------
    DataFrame
        Rows ``identified`` (id found in the master), ``ambiguous``, ``unknown``
        (id given but found nowhere) and ``anonymous`` (no id), each with
        ``status``, ``n_lines``, ``n_customer_ids``, ``revenue`` (sum of
        ``amount``, returns netted) and ``share`` (of total revenue; missing when
        the total is 0).
    """
    _check_transactions(transactions)
    ids = _id_map(links, source)
    cid = transactions["customer_id"]
    key = cid.astype(object).where(cid.notna(), None)
    key = key.map(lambda v: None if v is None else str(v))
    found = key.map(ids["ambiguous"]) if len(ids) else pd.Series(np.nan, index=key.index)
    status = np.where(key.isna(), "anonymous",
                      np.where(found.isna(), "unknown",
                               np.where(found.fillna(False).astype(bool), "ambiguous",
                                        "identified")))
    frame = pd.DataFrame({"status": status, "amount": transactions["amount"].to_numpy(),
                          "customer_id": key.to_numpy()})
    grouped = frame.groupby("status")
    out = pd.DataFrame({"status": ["identified", "ambiguous", "unknown", "anonymous"]})
    out["n_lines"] = out["status"].map(grouped.size()).fillna(0).astype(int)
    out["n_customer_ids"] = out["status"].map(grouped["customer_id"].nunique()).fillna(0) \
        .astype(int)
    out["revenue"] = out["status"].map(grouped["amount"].sum()).fillna(0.0).astype(float)
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total != 0 else np.nan
    return out


def identified_revenue_share(transactions: pd.DataFrame, links: pd.DataFrame, *,
                             source: str | None = None) -> float:
    """Share of revenue (net of returns) bought by identified customers.

    Parameters are those of :func:`revenue_identification`; the result is its
    ``share`` on the ``identified`` row (NaN when total revenue is 0).
    """
    table = revenue_identification(transactions, links, source=source)
    return float(table.loc[table["status"] == "identified", "share"].iloc[0])


def master_values(transactions: pd.DataFrame, links: pd.DataFrame, *, as_of=None,
                  source: str | None = None) -> pd.DataFrame:
    """Purchase figures per master customer.

    The transactions of every record of a master are pooled and summarised
    with :func:`crmlib.differentiate.customer_summary` (purchases are distinct
    purchase days; value is net of returns; rows after ``as_of`` are left out).

    Returns
    -------
    DataFrame
        One row per master customer with at least one purchase day, by
        ``net_value`` descending then ``master_id``: ``master_id``,
        ``n_purchases``, ``net_value``, ``first_purchase``, ``last_purchase``,
        ``days_since_last`` (to ``as_of``, or to the last transaction date).
    """
    _check_transactions(transactions)
    ids = _id_map(links, source)
    usable = ids[~ids["ambiguous"]]["master_id"]
    tx = transactions[transactions["customer_id"].notna()]
    mapped = tx["customer_id"].astype(str).map(usable)
    tx = tx.assign(customer_id=mapped)[mapped.notna().to_numpy()]
    columns = ["master_id", "n_purchases", "net_value", "first_purchase", "last_purchase",
               "days_since_last"]
    if as_of is not None:
        tx = tx[tx["date"] < _as_of(as_of).normalize() + pd.Timedelta(days=1)]
    if tx.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    summary = differentiate.customer_summary(tx, as_of=as_of)
    out = summary.rename(columns={"customer_id": "master_id", "monetary": "net_value"})[columns]
    return out.sort_values(["net_value", "master_id"], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


def most_valuable_master(transactions: pd.DataFrame, links: pd.DataFrame, *, as_of=None,
                         source: str | None = None) -> str:
    """``master_id`` of the customer with the largest net value (ties: smallest id).

    Raises
    ------
    DataError
        When no transaction belongs to an identified customer.
    """
    values = master_values(transactions, links, as_of=as_of, source=source)
    if values.empty:
        raise DataError([DataProblem("transactions", "customer_id",
                                     "matches no customer of the master")])
    return str(values["master_id"].iloc[0])


# --------------------------------------------------------------------------- profile card


def profile_card(key: str, master: pd.DataFrame, links: pd.DataFrame,
                 transactions: pd.DataFrame | None = None,
                 interactions: pd.DataFrame | None = None, *, as_of,
                 source: str | None = None, n_contacts: int = 3) -> pd.DataFrame:
    """The profile card ("ficha") of one customer, from the master and its history.

    Parameters
    ----------
    key : str
        A ``master_id`` or a record key ``"<source>:<customer_id>"``.
    master, links : DataFrame
        From :func:`consolidate`.
    transactions, interactions : DataFrame, optional
        Contracts ``transactions`` and ``interactions``, matched on ``customer_id``.
    as_of : date-like
        Valuation date; later history is left out.
    source : str, optional
        Source whose ``customer_id`` the history uses (default: any source).
    n_contacts : int, default 3
        How many of the latest contacts to list.

    Returns
    -------
    DataFrame
        One row per item: ``section`` (identity | contact | sources | purchases |
        contacts), ``field`` and ``value`` (object). Identity and contact items are
        the master's values; ``sources`` lists the record keys; ``purchases``
        gives ``first_purchase``, ``last_purchase``, ``n_purchases`` (distinct
        purchase days), ``net_value``, ``avg_purchase_value``, ``days_since_last``
        (from :func:`master_values`; only ``n_purchases`` = 0 without purchases);
        ``contacts`` gives ``n_interactions``, ``n_complaints``, ``n_open`` and
        ``last_contact_<k>`` (``date · kind · channel · status``). Empty fields
        are left out.

    Raises
    ------
    ParameterError
        When ``key`` is neither a master id nor a record key.
    """
    as_of = _as_of(as_of)
    if key in set(master["master_id"]):
        master_id = key
    elif key in set(links["record_key"]):
        master_id = links.loc[links["record_key"] == key, "master_id"].iloc[0]
    else:
        raise ParameterError(f"key must be a master_id or a record key of the links; got {key!r}",
                             parameter="key", allowed="master_id or <source>:<customer_id>",
                             value=key)
    row = master.loc[master["master_id"] == master_id].iloc[0]
    items: list[tuple[str, str, object]] = [("identity", "master_id", master_id)]
    for field in ("name", "kind", "tax_id", "segment", "created_at"):
        items.append(("identity", field, row.get(field)))
    for field in ("email", "phone", "city"):
        items.append(("contact", field, row.get(field)))
    mine = links[links["master_id"] == master_id]
    items.append(("sources", "sources", row.get("sources")))
    items.append(("sources", "record_keys", ";".join(sorted(mine["record_key"]))))
    if source is not None:
        mine = mine[mine["source"] == source]
    ids = set(mine["customer_id"].astype(str))
    if transactions is not None:
        values = master_values(transactions, links[links["master_id"] == master_id],
                               as_of=as_of, source=source)
        if len(values):
            v = values.iloc[0]
            n_purchases = int(v["n_purchases"])
            items += [
                ("purchases", "first_purchase", pd.Timestamp(v["first_purchase"])),
                ("purchases", "last_purchase", pd.Timestamp(v["last_purchase"])),
                ("purchases", "n_purchases", n_purchases),
                ("purchases", "net_value", float(v["net_value"])),
                ("purchases", "avg_purchase_value", float(v["net_value"]) / n_purchases),
                ("purchases", "days_since_last", int(v["days_since_last"])),
            ]
        else:
            items.append(("purchases", "n_purchases", 0))
    if interactions is not None:
        if "customer_id" not in interactions.columns or "opened_at" not in interactions.columns:
            raise DataError([DataProblem("interactions", c, "is required but missing")
                             for c in ("customer_id", "opened_at")
                             if c not in interactions.columns])
        it = interactions[interactions["customer_id"].notna()
                          & interactions["customer_id"].astype(str).isin(ids)
                          & (interactions["opened_at"] <= as_of)]
        it = it.sort_values(["opened_at"], ascending=False, kind="mergesort")
        items.append(("contacts", "n_interactions", len(it)))
        if "kind" in it.columns:
            items.append(("contacts", "n_complaints", int((it["kind"] == "complaint").sum())))
        if "closed_at" in it.columns:
            items.append(("contacts", "n_open", int(it["closed_at"].isna().sum())))
        for k, rec in enumerate(it.head(n_contacts).itertuples(index=False), start=1):
            parts = [pd.Timestamp(rec.opened_at).strftime("%Y-%m-%d")]
            for col in ("kind", "channel", "status"):
                value = getattr(rec, col, None)
                if isinstance(value, str) and value:
                    parts.append(value)
            items.append(("contacts", f"last_contact_{k}", " · ".join(parts)))
    card = pd.DataFrame(items, columns=["section", "field", "value"])
    keep = [v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NaT
            and not (isinstance(v, str) and v == "") for v in card["value"]]
    card = card[keep].reset_index(drop=True)
    card["value"] = card["value"].astype(object)
    return card


def _format_value(value, language: str):
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return t("common.yes" if value else "common.no", language)
    if isinstance(value, (float, np.floating)):
        text = f"{value:,.2f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".") if language == "es" \
            else text
    if isinstance(value, (int, np.integer)):
        text = f"{value:,d}"
        return text.replace(",", ".") if language == "es" else text
    return str(value)


def card_table(card: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """A :func:`profile_card` ready to read: translated labels, formatted values.

    Returns
    -------
    DataFrame
        ``section``, ``field`` (both translated) and ``value`` (text).
    """
    check_language(language)
    return pd.DataFrame({
        "section": [t(f"identify.card.section.{s}", language) for s in card["section"]],
        "field": [_field_label(f, language) for f in card["field"]],
        "value": [t(f"identify.kind.{v}", language) if f == "kind" else _format_value(v, language)
                  for f, v in zip(card["field"], card["value"])],
    }).rename(columns={c: t(f"identify.card.{c}", language)
                       for c in ("section", "field", "value")})


def _field_label(field: str, language: str) -> str:
    if field.startswith("last_contact_"):
        return t("identify.card.field.last_contact", language, k=field.rsplit("_", 1)[1])
    key = f"identify.card.field.{field}"
    from crmlib.i18n import catalog

    return t(key, language) if key in catalog() else label(field, language)


_VALUE_KEYS = {"rule": "identify.rule.", "decision": "identify.decision.",
               "check": "identify.check.", "field": "identify.field.",
               "status": "identify.status.", "kind": "identify.kind."}


def readable(table: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """Copy of an identify result table for a reader: codes and headers translated.

    Codes in ``rule``, ``decision``, ``check``, ``field``, ``status`` and ``kind`` become
    words in ``language``; column headers come from the identify catalog, then
    from the shared column labels; numbers stay numbers.

    Returns
    -------
    DataFrame
        Same rows and columns as ``table``, relabelled.
    """
    from crmlib.i18n import catalog

    check_language(language)
    texts = catalog()
    out = table.copy()
    for col, prefix in _VALUE_KEYS.items():
        if col in out.columns:
            out[col] = [t(prefix + str(v), language) if (prefix + str(v)) in texts else v
                        for v in out[col]]
    names = {}
    for col in out.columns:
        key = f"identify.col.{col}"
        names[col] = t(key, language) if key in texts else label(col, language)
    return out.rename(columns=names)


def match_report_table(pairs: pd.DataFrame, language: str = "es", *,
                       decisions=DECISIONS, max_rows: int | None = None) -> pd.DataFrame:
    """The match report for reading: main columns, translated.

    Returns
    -------
    DataFrame
        ``left_key``, ``left_name``, ``right_key``, ``right_name``, ``rule``,
        ``decision``, ``score``, ``name_score``, ``override`` (headers and codes
        translated by :func:`readable`); rows limited to ``decisions`` and to
        ``max_rows``, in the order of ``pairs``.
    """
    check_language(language)
    view = pairs[pairs["decision"].isin(list(decisions))]
    if max_rows is not None:
        view = view.head(max_rows)
    view = view[["left_key", "left_name", "right_key", "right_name", "rule", "decision",
                 "score", "name_score", "override"]]
    return readable(view.reset_index(drop=True), language)


def rule_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Candidate pairs per rule and decision.

    Returns
    -------
    DataFrame
        One row per rule that fired, in the order of :data:`RULES`: ``rule``,
        ``decision``, ``n_pairs``, ``n_merged`` (pairs whose records share a
        master; equals ``n_pairs`` minus guarded pairs for merge rules),
        ``mean_score``.
    """
    same = pairs["same_master"] if "same_master" in pairs.columns else \
        pairs["decision"].eq("merge")
    frame = pairs.assign(_same=same.astype(bool))
    out = frame.groupby(["rule", "decision"], sort=False).agg(
        n_pairs=("left_key", "size"), n_merged=("_same", "sum"), mean_score=("score", "mean"),
    ).reset_index()
    order = {r: k for k, r in enumerate(RULES)}
    out["_o"] = out["rule"].map(order)
    out = out.sort_values(["_o", "decision"], kind="mergesort").drop(columns="_o")
    out["n_merged"] = out["n_merged"].astype(int)
    return out.reset_index(drop=True)


def _percent(value: float, language: str) -> str:
    text = f"{value * 100:.1f}"
    return text.replace(".", ",") + " %" if language == "es" else text + "%"


def revenue_sentence(share: float, language: str = "es") -> str:
    """The sentence stating the share of revenue from identified customers."""
    check_language(language)
    return t("identify.headline.revenue", language, share=_percent(share, language))


def card_browser(master: pd.DataFrame, links: pd.DataFrame,
                 transactions: pd.DataFrame | None = None,
                 interactions: pd.DataFrame | None = None, *, as_of, language: str = "es",
                 source: str | None = None, options: int = 200):
    """An ipywidgets box to pick a customer and see its :func:`profile_card`.

    Only for interactive sessions (widgets export blank to static reports). The
    drop-down lists the ``options`` most valuable customers, then the rest of
    the master up to that number.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    check_language(language)
    ranked = list(master_values(transactions, links, as_of=as_of, source=source)["master_id"]) \
        if transactions is not None else []
    rest = [m for m in master["master_id"] if m not in set(ranked)]
    ids = (ranked + rest)[:options]
    names = master.set_index("master_id")["name"]
    choice = widgets.Dropdown(options=[(f"{names.get(m) or ''} ({m})", m) for m in ids],
                              description=t("identify.card.pick", language))
    out = widgets.Output()

    def render(change=None):
        card = profile_card(choice.value, master, links, transactions, interactions,
                            as_of=as_of, source=source)
        # set on the widget, not captured with `with out:` (see crmlib.plot.replace_output)
        out.outputs = ()
        out.append_display_data(card_table(card, language).style.hide(axis="index"))

    choice.observe(render, names="value")
    if ids:
        render()
    return widgets.VBox([choice, out])


def headline(result: Consolidation, language: str = "es", *,
             revenue_share: float | None = None) -> str:
    """One sentence summing up the consolidation (and the identified revenue share)."""
    check_language(language)
    s = result.summary()
    text = t("identify.headline.master", language, n_records=s["n_records"],
             n_sources=s["n_sources"], n_master=s["n_master"],
             duplicate_rate=_percent(s["duplicate_rate"], language), n_review=s["n_review"])
    if revenue_share is not None and not np.isnan(revenue_share):
        text += " " + t("identify.headline.revenue", language,
                        share=_percent(revenue_share, language))
    return text
