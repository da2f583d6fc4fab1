"""Vectorised parsing of text cells into numbers, dates and flags.

Each parser takes a Series of trimmed strings (missing cells as ``""`` or NaN)
and returns ``(values, bad)``: the parsed values (missing where blank or
unreadable) and a boolean mask of cells that hold something unreadable. No
parser loops over rows in Python; dates are parsed once per distinct value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Cell texts read as "no value" in number, date and flag columns (compared in lower case).
#: In text columns only an empty cell is missing: ``NA`` may be a real code or initials.
BLANK_TOKENS = frozenset({"", "na", "n/a", "n.a.", "-", "--", "---", "\u2013", "\u2014", "null",
                          "none", "nan", "nat", "#n/a", "#na", "s/d", "sin dato", "sin datos"})

# Plain-string patterns: pandas hands them to the vectorised (Arrow RE2) engine.
_CURRENCY = ("(?i)(?:US\\$|U\\$S|S/\\.?|Bs\\.?|R\\$|[$\u20ac\u00a3\u00a5\u20a1\u20b2\u20b1\u20bd]"
             "|\\b(?:EUR|USD|CLP|MXN|COP|ARS|PEN|UYU|BOB|PYG|GTQ|CRC|DOP|VES|BRL|HNL|NIO|GBP|CHF)"
             "\\b)")
_SPACES = "[\\s\u00a0\u202f\u2007']+"
_PLAIN = "^[0-9.,+()-]*$"


def blank_mask(s: pd.Series) -> np.ndarray:
    """True where a cell is missing or one of :data:`BLANK_TOKENS`."""
    isna = s.isna().to_numpy()
    low = s.fillna("").astype(str).str.lower()
    return isna | low.isin(BLANK_TOKENS).to_numpy()


# --------------------------------------------------------------------------- numbers


def _strip_money(t: pd.Series) -> pd.Series:
    """Remove currency symbols/codes and spaces (only from cells that have any)."""
    odd = ~t.str.contains(_PLAIN, regex=True).fillna(True).to_numpy(dtype=bool)
    if not odd.any():
        return t
    sub = t[odd].str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    out = t.copy()
    out[odd] = sub
    return out


_EVIDENCE = {
    # values that can only be read one way
    "comma": (r"[+-]?\(?(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}|\d+,\d{1,2}"
              r"|\d+,\d{4,}|,\d+)\)?-?"),
    "dot": (r"[+-]?\(?(?:\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,}|\d+\.\d{1,2}"
            r"|\d+\.\d{4,}|\.\d+)\)?-?"),
}


def decimal_votes(s: pd.Series) -> tuple[int, int]:
    """``(comma votes, point votes)`` of the distinct values of a text column.

    Values such as ``1.234,56``, ``1.234.567``, ``12,5`` or ``0,125`` vote
    for a decimal comma; ``1,234.56``, ``1,234,567``, ``12.5`` or ``0.125``
    for a decimal point; values such as ``1.234`` or ``1,234`` are ambiguous
    and do not vote.
    """
    t = s.dropna().astype(str)
    t = t[t != ""]
    if t.empty:
        return 0, 0
    t = _strip_money(pd.Series(t.unique()[:5000], dtype="str"))
    return (int(t.str.fullmatch(_EVIDENCE["comma"]).sum()),
            int(t.str.fullmatch(_EVIDENCE["dot"]).sum()))


def detect_decimal(votes: list[tuple[int, int]], *, sep: str | None) -> str:
    """The decimal mark of a file from the :func:`decimal_votes` of its number columns.

    The majority wins; with no votes, a ``;``-separated file is taken to use a
    decimal comma (the habit of Spanish-locale spreadsheets) and any other file
    a decimal point.
    """
    comma = sum(v[0] for v in votes)
    dot = sum(v[1] for v in votes)
    if comma != dot:
        return "," if comma > dot else "."
    return "," if sep == ";" else "."


def parse_numbers(s: pd.Series, *, decimal: str, thousands: str | None) -> tuple[np.ndarray,
                                                                                   np.ndarray]:
    """Parse text numbers written with ``decimal`` and optional ``thousands`` marks.

    Accepts currency symbols and codes (``$ 1.234,50``, ``1 234,50 €``, ``USD
    12.5``), spaces as thousands separators, a leading or trailing minus and
    accounting parentheses for negatives (``(1.234,50)``).
    """
    blank = blank_mask(s)
    t = s.where(~blank).astype("str")
    t = _strip_money(t.fillna(""))
    paren = t.str.startswith("(") & t.str.endswith(")")
    t = t.mask(paren, t.str.slice(1, -1))
    trailing = t.str.endswith("-") & (t.str.len() > 1) & ~t.str.startswith("-")
    t = t.mask(trailing, t.str.slice(0, -1))
    d = re.escape(decimal)
    if thousands:
        th = re.escape(thousands)
        whole = rf"(?:\d{{1,3}}(?:{th}\d{{3}})+|\d+)"
    else:
        whole = r"\d+"
    exp = r"(?:[eE][+-]?\d+)?" if decimal == "." else ""
    pattern = rf"[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+){exp}"
    valid = t.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool) & ~blank
    if thousands:
        t = t.str.replace(thousands, "", regex=False)
    if decimal != ".":
        t = t.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(t.where(valid, None), errors="coerce").to_numpy(dtype=float)
    negate = (paren | trailing).to_numpy(dtype=bool)
    values = np.where(negate & valid, -np.abs(values), values)
    bad = ~blank & ~valid
    values[bad | blank] = np.nan
    return values, bad


# --------------------------------------------------------------------------- dates

_TIME = (r"(?:[T ,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
         r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|GMT[+-]?\d*|UTC)?)?")
_ISO = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME)
_MONTHS = {
    "ene": 1, "enero": 1, "jan": 1, "january": 1, "feb": 2, "febrero": 2, "february": 2,
    "mar": 3, "marzo": 3, "march": 3, "abr": 4, "abril": 4, "apr": 4, "april": 4,
    "may": 5, "mayo": 5, "jun": 6, "junio": 6, "june": 6, "jul": 7, "julio": 7, "july": 7,
    "ago": 8, "agosto": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9, "set": 9,
    "septiembre": 9, "setiembre": 9, "september": 9, "oct": 10, "octubre": 10, "october": 10,
    "nov": 11, "noviembre": 11, "november": 11, "dic": 12, "diciembre": 12, "dec": 12,
    "december": 12,
}
_NAMED = re.compile(r"(?P<d>\d{1,2})[-/. ]+(?:de\s+)?(?P<mon>[A-Za-z\u00e9\u00e1]{3,10})\.?"
                    r"[-/. ]+(?:de(?:l)?\s+)?(?P<y>\d{4}|\d{2})" + _TIME)


def _ints(s: pd.Series, default: float = np.nan) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").fillna(default)


def _assemble(y, m, d, parts: pd.DataFrame) -> pd.Series:
    y = _ints(y)
    y = y.where(y >= 100, y + np.where(y < 70, 2000, 1900))
    hour = _ints(parts["H"], 0)
    ampm = parts["ampm"].fillna("").str.lower().str.replace(r"[^ap]", "", regex=True)
    hour = hour.where(~((ampm == "p") & (hour < 12)), hour + 12)
    hour = hour.where(~((ampm == "a") & (hour == 12)), 0)
    frac = parts["F"].fillna("").str.slice(0, 6).str.ljust(6, "0")
    micro = pd.to_numeric(frac.where(frac != "000000", "0"), errors="coerce").fillna(0)
    frame = pd.DataFrame({
        "year": y, "month": _ints(m), "day": _ints(d), "hour": hour,
        "minute": _ints(parts["M"], 0), "second": _ints(parts["S"], 0), "microsecond": micro,
    })
    ok = frame[["year", "month", "day"]].notna().all(axis=1)
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype("int64"), errors="coerce")
    return out


def parse_dates(s: pd.Series, *, dayfirst: bool | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                          bool | None]:
    """Parse a column of date texts; return ``(datetime64[ns] values, bad, dayfirst used)``.

    Understood: ISO ``2024-12-31`` (also ``/`` or ``.``), numeric day-month or
    month-day ``31/12/2024``, ``31-12-2024``, ``31.12.24``, month names in
    Spanish or English (``31-dic-2024``, ``31 de diciembre de 2024``), each
    optionally followed by a time (``23:59``, ``23:59:59.123``, ``11:59 p. m.``)
    and a zone suffix that is ignored (timestamps stay in local time).

    Numeric dates without a year first are decided per column: day first when
    ``dayfirst`` is True; month first when False; when None, day first unless
    no value has a first field above 12 while some value has a second field
    above 12. A column where neither field ever exceeds 12 is read day first.
    """
    blank = blank_mask(s)
    text = s.where(~blank).astype("str")
    uniq = pd.Series(text.dropna().unique(), dtype="str")
    parsed = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    used = dayfirst
    if len(uniq):
        iso = uniq.str.extract(_ISO.pattern + "$")
        has = iso["y"].notna()
        if has.any():
            parsed[has] = _assemble(iso.loc[has, "y"], iso.loc[has, "m"], iso.loc[has, "d"],
                                    iso.loc[has])
        num = uniq.str.extract("^" + _NUMERIC.pattern + "$")
        hasn = num["a"].notna() & ~has
        if hasn.any():
            a, b = _ints(num.loc[hasn, "a"]), _ints(num.loc[hasn, "b"])
            if used is None:
                used = not (not (a > 12).any() and (b > 12).any())
            day, month = (a, b) if used else (b, a)
            parsed[hasn] = _assemble(num.loc[hasn, "y"], month, day, num.loc[hasn])
        named = uniq.str.extract("^" + _NAMED.pattern + "$")
        hasm = named["d"].notna() & ~has & ~hasn
        if hasm.any():
            mon = named.loc[hasm, "mon"].str.lower().str.normalize("NFKD").str.encode(
                "ascii", "ignore").str.decode("ascii").map(_MONTHS)
            parsed[hasm] = _assemble(named.loc[hasm, "y"], mon, named.loc[hasm, "d"],
                                     named.loc[hasm])
    lookup = pd.Series(parsed.to_numpy(), index=uniq.to_numpy())
    values = text.map(lookup) if len(uniq) else pd.Series(pd.NaT, index=s.index)
    values = pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")
    bad = ~blank & values.isna().to_numpy()
    return values.to_numpy(copy=True), bad, used


def date_order_evidence(s: pd.Series) -> tuple[bool, bool]:
    """``(day first proven, month first proven)`` by the numeric dates of a column.

    A value such as ``25/03/2024`` (first field above 12) proves day first;
    ``03/25/2024`` proves month first. Every distinct value counts, not only
    the first lines.
    """
    t = s.dropna().astype(str)
    uniq = pd.Series(t[t != ""].unique(), dtype="str")
    if uniq.empty:
        return False, False
    num = uniq.str.extract("^" + _NUMERIC.pattern + "$")
    a, b = _ints(num["a"]), _ints(num["b"])
    return bool((a > 12).any()), bool((b > 12).any())


#: Day numbers of Excel's 1900 date system accepted as dates in a date column: 10000
#: (1927-05-18) to 109999 (2201-02-23). Smaller numbers are codes or typos, not dates.
SERIAL_RANGE = (10_000, 110_000)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")


_EXCEL_EPOCH_1904 = np.datetime64("1904-01-01", "ns")


def numeric_dates(s: pd.Series, *, epoch1904: bool = False
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Read date cells written as plain numbers.

    ``20240315`` (eight digits from 19000101 to 21991231) is year, month, day;
    a number of five digits, optionally with a fraction (``45366``,
    ``45366.75``), is a day of Excel's 1900 date system (days since
    1899-12-30; the fraction is the time of day), within :data:`SERIAL_RANGE`;
    with ``epoch1904`` (workbooks saved in the 1904 date system), days since
    1904-01-01.

    Returns ``(values, handled, bad, n_ymd, n_serial)``: datetime64 values
    where ``handled``; ``bad`` where a cell has the shape but is no real date
    (``20241345``); the counts of cells read each way.
    """
    t = s.fillna("").astype("str")
    ymd = t.str.fullmatch(r"(?:19|20|21)\d{6}").fillna(False).to_numpy(dtype=bool)
    serial = t.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False).to_numpy(dtype=bool)
    values = np.full(len(t), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(t), dtype=bool)
    if ymd.any():
        parsed = pd.to_datetime(t[ymd], format="%Y%m%d", errors="coerce")
        values[ymd] = parsed.to_numpy(dtype="datetime64[ns]")
        bad[ymd] = parsed.isna().to_numpy()
    if serial.any():
        days = pd.to_numeric(t[serial], errors="coerce").to_numpy(dtype=float)
        ok = (days >= SERIAL_RANGE[0]) & (days < SERIAL_RANGE[1])
        ns = np.round(np.where(ok, days, 0) * 86_400_000_000_000).astype("int64")
        origin = _EXCEL_EPOCH_1904 if epoch1904 else _EXCEL_EPOCH
        values[serial] = np.where(ok, origin + ns.astype("timedelta64[ns]"),
                                  np.datetime64("NaT"))
        bad[serial] = ~ok
    handled = ymd | serial
    return values, handled, bad, int((ymd & ~bad).sum()), int((serial & ~bad).sum())


# --------------------------------------------------------------------------- flags

_TRUE = frozenset({"1", "true", "t", "yes", "y", "si", "s\u00ed", "s", "x", "verdadero", "v",
                   "1.0"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "falso", "0.0"})


def parse_flags(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse yes/no cells (``si``/``no``, ``1``/``0``, ``true``/``false``, ``x``) to ``boolean``."""
    blank = blank_mask(s)
    low = s.fillna("").astype(str).str.strip().str.lower()
    is_true = low.isin(_TRUE).to_numpy()
    is_false = low.isin(_FALSE).to_numpy()
    bad = ~blank & ~is_true & ~is_false
    out = pd.array(np.where(is_true, True, False), dtype="boolean")
    out[blank | bad] = pd.NA
    return pd.Series(out, index=s.index), bad
