"""Normalising customer records into comparable keys.

Names lose accents, punctuation, honorifics and legal-form suffixes (S.A.,
S.L., SRL, Ltda, Inc...); e-mails are lower-cased and checked; phones keep
their last digits, dropping country and trunk prefixes; tax ids keep letters
and digits. :func:`normalize_customers` adds these keys to a copy of the table.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.identify._checks import _check_customers, _column

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
_EMAIL_RE = re.compile(r"^[a-z0-9][a-z0-9._%+'-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


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
