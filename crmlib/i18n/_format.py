"""Values for a reader, written the way the reader's language writes them.

Every number, share, amount, date and duration a report, table, chart or
letter shows goes through these functions, built on Babel's CLDR locale data:

- ``es`` is written as in Spain (``es_ES``): ``9.215``, ``51,1``, ``23 %``,
  ``31 de diciembre de 2024``, ``31/12/2024``;
- ``en`` is written as in Britain (``en_GB``): ``9,215``, ``51.1``, ``23%``,
  ``31 December 2024``, ``31/12/2024``. British English keeps the day-first
  order of the client's own dates and of the Spanish report.

Counts never carry decimals; shares are fractions (``0.231`` reads
``23,1 %``); measures carry their unit. :class:`LocaleFormatter` lets catalog
templates keep Python's format specs (``{share:.0%}``, ``{gap:.2f}``) while the
text follows the locale, so a template never decides how a number looks.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
import re
import string
from functools import lru_cache

import numpy as np
import pandas as pd
from babel import Locale
from babel import dates as _bdates
from babel import numbers as _bnumbers


class _WideNumbers:
    """Babel's number formats with room for any float.

    Babel rounds through :mod:`decimal` in the current context (28 digits), so
    a huge value (a model parameter at 1e30 when a fit collapses) raised
    ``InvalidOperation``; here every call gets a context wide enough for the
    largest float.
    """

    def __getattr__(self, name):
        fn = getattr(_bnumbers, name)

        def wide(*args, **kwargs):
            with decimal.localcontext() as ctx:
                ctx.prec = 400
                return fn(*args, **kwargs)
        return wide


_bnumbers_wide = _WideNumbers()

__all__ = [
    "LOCALES",
    "LocaleFormatter",
    "code_label",
    "format_count",
    "format_currency",
    "format_date",
    "format_duration",
    "format_number",
    "format_percent",
    "format_table",
    "format_value",
    "label_codes",
    "locale_of",
]

LOCALES = {"es": "es_ES", "en": "en_GB"}
MISSING = "–"  # what a reader sees where a value is unknown

#: Where the label of a code shown in a column lives: ``value.<column>.<code>`` first,
#: then these catalog prefixes (the stage catalogs keep their own names).
CODE_PREFIXES: dict[str, tuple[str, ...]] = {
    "segment": ("differentiate.segment.",),
    "lifecycle": ("differentiate.lifecycle.",),
    "stage": ("differentiate.lifecycle.", "collections.stage.", "personalize.stage."),
    "lifecycle_stage": ("differentiate.lifecycle.",),
    "risk_level": ("collections.risk.",),
    "parameter": ("differentiate.param.",),
    "rule": ("identify.rule.", "personalize.rule."),
    "decision": ("identify.decision.", "collections.decision."),
    "check": ("identify.check.",),
    "field": ("identify.field.", "identify.card.field."),
    "section": ("identify.card.section.", "readiness.section."),
    "status": ("identify.status.",),
    "kind": ("identify.kind.",),
    "bucket": ("collections.bucket.",),
    "risk": ("collections.risk.",),
    "dunning_stage": ("collections.stage.",),
    "letter_stage": ("collections.stage.",),
    "last_stage": ("collections.stage.",),
    "last_stage_sent": ("collections.stage.",),
    "letter": ("value.letter_format.",),
    "last_format": ("value.letter_format.",),
    "encounter": ("interact.encounter.",),
    "index": ("interact.index.",),
    "relationship_stage": ("personalize.stage.",),
    "action": ("personalize.action.", "collections.action."),
    "stage_by_days": ("collections.stage.",),
    "quadrant": ("servqual.quadrant.",),
    "grid_quadrant": ("servqual.quadrant.",),
    "position": ("servqual.position.",),
    "zone_position": ("servqual.position.",),
    "basis": ("servqual.basis.",),
    "history_source": ("collections.history_source.",),
    "collection_step": ("collections.stage.",),
    "scenario": ("readiness.scenario.",),
    "scope": ("readiness.section.",),
    "dimension": ("servqual.value.",),
}

#: Columns whose codes are named by the packaged instruments (``crmlib/instruments``):
#: dimensions and IDIC stages of the questionnaires, maturity levels and ladder rungs.
INSTRUMENT_COLUMNS = {"dimension": "dimensions", "lowest_dimension": "dimensions",
                      "highest_dimension": "dimensions", "stage": "dimensions",
                      "maturity": "levels", "rung": "levels", "step": "levels"}

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_UNITS = ("minutes", "hours", "days", "weeks", "months", "years", "points")


def locale_of(language: str) -> Locale:
    """The Babel locale a language is written in (``es`` → es_ES, ``en`` → en_GB)."""
    from crmlib.i18n import check_language

    return _locale(check_language(language))


@lru_cache(maxsize=4)
def _locale(language: str) -> Locale:
    return Locale.parse(LOCALES[language])


def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimal_pattern(decimals: int, *, group: bool = True, signed: bool = False,
                     optional: bool = False) -> str:
    body = "#,##0" if group else "0"
    if decimals > 0:
        body += "." + ("#" if optional else "0") * decimals
    return f"+{body};-{body}" if signed else body


def format_number(value, language: str = "es", *, decimals: int = 1, signed: bool = False,
                  trim: bool = False) -> str:
    """A measure with ``decimals`` decimals and the locale's separators.

    ``trim=True`` drops trailing zeros (``2,5`` rather than ``2,50``);
    ``signed=True`` writes ``+`` before positive values. Unknown values read ``–``.
    """
    if _missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    decimals = max(0, int(decimals))
    if round(value, decimals) == 0:
        value = 0.0  # no "-0,0"
    pattern = _decimal_pattern(decimals, signed=signed, optional=trim)
    return _bnumbers_wide.format_decimal(value, format=pattern, locale=locale_of(language))


def format_count(value, language: str = "es") -> str:
    """A count: a whole number with thousands separators, never decimals."""
    if _missing(value):
        return MISSING
    return _bnumbers_wide.format_decimal(round(float(value)), format="#,##0",
                                    locale=locale_of(language))


def format_percent(share, language: str = "es", *, decimals: int = 0,
                   signed: bool = False) -> str:
    """A share (a fraction: 0.231) as a percentage in the locale (``23 %`` / ``23%``)."""
    if _missing(share):
        return MISSING
    loc = locale_of(language)
    base = loc.percent_formats[None].pattern.split(";")[0]
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    pattern = re.sub(r"[#,0.]+", body, base, count=1)
    share = float(share)
    if round(share * 100, decimals) == 0:
        share = 0.0
    if signed:
        pattern = "+" + pattern + ";-" + pattern
    return _bnumbers_wide.format_percent(share, format=pattern, locale=loc)


def format_currency(amount, language: str = "es", *, currency: str | None = None,
                    decimals: int = 0) -> str:
    """An amount of money.

    With ``currency`` (an ISO 4217 code such as ``"EUR"`` or ``"COP"``) the
    locale's currency pattern and symbol are used (``5.670 €``, ``€5,670``);
    without it the amount is written as a plain number, since a sample's or a
    client's currency is unknown unless the engagement states it.
    """
    if _missing(amount):
        return MISSING
    if not currency:
        return format_number(amount, language, decimals=decimals)
    loc = locale_of(language)
    base = loc.currency_formats["standard"].pattern.split(";")[0]
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    pattern = re.sub(r"[#,0.]+", body, base, count=1)
    return _bnumbers_wide.format_currency(float(amount), currency.upper(), format=pattern,
                                     locale=loc, currency_digits=False)


def _as_date(value) -> _dt.date:
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    raise TypeError(f"not a date: {value!r}")


def format_date(value, language: str = "es", *, form: str = "long") -> str:
    """A date: ``long`` for sentences (``31 de diciembre de 2024`` / ``31 December 2024``),
    ``short`` for tables (``31/12/2024``), ``month`` for monthly axes (``dic 2024`` / ``Dec 2024``)."""
    if _missing(value):
        return MISSING
    day = _as_date(value)
    loc = locale_of(language)
    if form == "long":
        return _bdates.format_date(day, "long", locale=loc)
    if form == "short":
        return _bdates.format_date(day, "dd/MM/yyyy", locale=loc)
    if form == "month":
        return _bdates.format_skeleton("yMMM", day, locale=loc).replace(".", "")
    raise ValueError(f"form must be one of ['long', 'short', 'month']; got {form!r}")


def format_duration(value, unit: str, language: str = "es", *, decimals: int = 1) -> str:
    """A measure with its unit in words: ``51,1 horas``, ``1 day``, ``12 semanas``.

    ``unit`` is one of minutes, hours, days, weeks, months, years, points.
    Whole values lose their decimals (``30 días``, not ``30,0 días``).
    """
    from crmlib.i18n import t

    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {list(_UNITS)}; got {unit!r}")
    if _missing(value):
        return MISSING
    value = float(value)
    whole = float(value).is_integer()
    number = format_count(value, language) if whole else \
        format_number(value, language, decimals=decimals)
    form = "one" if whole and abs(value) == 1 else "other"
    return t(f"unit.{unit}.{form}", language, n=number)


def format_value(value, language: str = "es", *, decimals: int = 2) -> str:
    """Any single value as a reader sees it: counts, measures, dates, yes/no, text."""
    from crmlib.i18n import t

    if isinstance(value, (bool, np.bool_)):
        return t("common.yes" if value else "common.no", language)
    if _missing(value):
        return ""
    if isinstance(value, (pd.Timestamp, _dt.date, np.datetime64)):
        return format_date(value, language, form="short")
    if isinstance(value, numbers.Integral):
        return format_count(value, language)
    if isinstance(value, numbers.Real):
        return format_number(value, language, decimals=decimals)
    return str(value)


class LocaleFormatter(string.Formatter):
    """``str.format`` whose numbers, dates and booleans follow a language.

    The catalog templates keep Python's format specs; this formatter reads
    their intent and writes the value with the locale: ``.0%`` a percentage,
    ``.2f``/``+.2f`` a measure with two decimals, ``g`` a measure without
    trailing zeros, ``d``/``,`` or an ``int`` a count, dates (and ISO date
    strings such as a ``as_of`` parameter) in long form and
    ``True``/``False`` as yes/no. Text (and already formatted values) passes
    through.
    """

    _SPEC = re.compile(r"^(?P<sign>[+\- ]?)(?P<group>,?)(?:\.(?P<prec>\d+))?(?P<type>[fFgG%dn]?)$")

    def __init__(self, language: str):
        super().__init__()
        self.language = language

    def format_field(self, value, format_spec):
        lang = self.language
        m = self._SPEC.match(format_spec or "")
        if isinstance(value, (bool, np.bool_)):
            return format_value(bool(value), lang)
        if isinstance(value, (pd.Timestamp, _dt.date, np.datetime64)) or \
                (isinstance(value, str) and _ISO_DAY.match(value) and not format_spec):
            return format_date(value, lang)
        if isinstance(value, numbers.Real) and m is not None:
            signed = m["sign"] == "+"
            prec = int(m["prec"]) if m["prec"] is not None else None
            kind = m["type"]
            if _missing(value):
                return MISSING
            if kind == "%":
                return format_percent(value, lang, decimals=prec or 0, signed=signed)
            if kind in ("d", "n") or (kind == "" and prec is None
                                      and isinstance(value, numbers.Integral)):
                return format_count(value, lang)
            if kind in ("g", "G", ""):
                return format_number(value, lang, decimals=2 if prec is None else prec,
                                     signed=signed, trim=True)
            return format_number(value, lang, decimals=prec if prec is not None else 6,
                                 signed=signed)
        return super().format_field(value, format_spec)


# ---------------------------------------------------------------- tables

def _is_share(column: str) -> bool:
    name = str(column)
    return name in {"share", "rate", "p_alive", "retention", "completeness", "coverage"} or \
        name.endswith(("_share", "_rate", "_pct_share")) or name.startswith("share_")


def _is_count(column, s: pd.Series) -> bool:
    """A float column holding counts (``n_*``, ``*_count``, or whole numbers only)."""
    name = str(column)
    v = s.dropna().to_numpy(dtype=float)
    whole = len(v) > 0 and bool(np.all(np.isfinite(v) & (v == np.round(v))))
    return whole and (name == "n" or name.startswith("n_") or name.endswith(("_count", "_n"))
                      or name in {"frequency", "n_purchases", "count"})


def code_label(column: str, code, language: str = "es") -> str | None:
    """Reader label of ``code`` shown in ``column``, or ``None`` when no catalog has one.

    Looks in the catalogs (``value.<column>.<code>``, then :data:`CODE_PREFIXES`),
    then, for the columns of :data:`INSTRUMENT_COLUMNS`, in the packaged
    instruments (a SERVQUAL dimension, a readiness stage or area, a maturity level).
    """
    from crmlib.i18n import catalog

    texts = catalog()
    for prefix in (f"value.{column}.", *CODE_PREFIXES.get(str(column), ())):
        entry = texts.get(f"{prefix}{code}")
        if entry is not None:
            return entry[language]
    kind = INSTRUMENT_COLUMNS.get(str(column))
    if kind is not None and isinstance(code, str):
        entry = _instrument_names()[kind].get(code)
        if entry is not None:
            return entry[language]
    return None


@lru_cache(maxsize=1)
def _instrument_names() -> dict[str, dict[str, dict[str, str]]]:
    """``{"dimensions": {code: {lang: name}}, "levels": {key: {lang: name}}}`` of every
    packaged instrument (first instrument naming a code wins, by file name)."""
    from pathlib import Path

    import yaml

    found: dict[str, dict[str, dict[str, str]]] = {"dimensions": {}, "levels": {}}
    folder = Path(__file__).resolve().parents[1] / "instruments"
    for path in sorted(folder.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for code, dim in (spec.get("dimensions") or {}).items():
            if isinstance(dim, dict) and all(isinstance(dim.get(x), str) for x in ("es", "en")):
                found["dimensions"].setdefault(str(code), {x: dim[x] for x in ("es", "en")})
        for part in ("maturity", "ladder"):
            for level in spec.get(part) or []:
                names = {x: (level.get(x) or {}).get("name") for x in ("es", "en")}
                if level.get("key") and all(isinstance(v, str) for v in names.values()):
                    found["levels"].setdefault(str(level["key"]), names)
    return found


def format_table(table: pd.DataFrame, language: str = "es", *, formats: dict | None = None,
                 decimals: int = 2, values: bool = True, headers: bool = True,
                 drop_codes: bool = True) -> pd.DataFrame:
    """A copy of ``table`` as text a reader reads: every cell written by the locale.

    Parameters
    ----------
    table : DataFrame
        Any result table with canonical column names.
    language : {"es", "en"}
    formats : dict, optional
        ``{column: kind}`` overriding the guess per column; a kind is one of
        ``"count"``, ``"number"``, ``"percent"``, ``"date"``, ``"month"``, ``"text"``,
        ``"yesno"``, or a unit of :func:`format_duration` (``"hours"``).
        By default integers (and float columns named as counts holding whole
        numbers) are counts, shares and rates (``share``, ``*_share``,
        ``*_rate``, ``p_alive``) percentages with one decimal, other floats
        measures with ``decimals`` decimals, datetimes short dates (a column
        named ``month`` or ``*_month``, or of monthly periods, names the month:
        ``mar 2025``), booleans yes/no. In a long table keyed by ``parameter`` (or ``metric``,
        ``indicator``, ``field``), rows whose key names a count (``n_*``) are
        counts.
    values : bool, default True
        Replace codes with their labels (catalog keys ``value.<column>.<code>``,
        then the stage prefixes of :data:`CODE_PREFIXES`).
    drop_codes : bool, default True
        Leave out a code column ``x`` (or ``x_id``) when its label column
        ``x_label`` is there.
    headers : bool, default True
        Replace column names with their labels (catalog ``column.<name>``).

    Returns
    -------
    DataFrame
        Same rows, every cell a string ("" where unknown).
    """
    from crmlib.i18n import catalog, check_language, labels

    check_language(language)
    formats = dict(formats or {})
    texts = catalog()
    out = pd.DataFrame(index=table.index)
    columns = [c for c in table.columns if not (drop_codes and _has_label(c, table.columns))]
    keys = [c for c in ("parameter", "metric", "indicator", "field", "key") if c in table.columns]
    counted = None
    if keys:
        names = table[keys[0]].astype(str)
        counted = (names.str.startswith("n_") | names.str.endswith("_count")).to_numpy()
    for col in columns:
        s = table[col]
        kind = formats.get(col)
        if kind is None:
            if pd.api.types.is_bool_dtype(s):
                kind = "yesno"
            elif isinstance(s.dtype, pd.PeriodDtype) and s.dtype.freq.freqstr.startswith("M"):
                kind = "month"
            elif pd.api.types.is_datetime64_any_dtype(s):
                # a column of months (the first day standing for the month) names the month
                kind = "month" if str(col) == "month" or str(col).endswith("_month") \
                    else "date"
            elif pd.api.types.is_integer_dtype(s):
                kind = "count"
            elif pd.api.types.is_float_dtype(s):
                kind = "percent" if _is_share(col) else \
                    "count" if _is_count(col, s) else "number"
            else:
                kind = "text"
        cells = [_cell(v, kind, language, decimals, col, texts, values) for v in s]
        if kind == "number" and counted is not None:
            # a long table (parameter | estimate): rows naming a count are counts
            cells = [format_count(v, language) if is_n and not _missing(v) else c
                     for c, v, is_n in zip(cells, s, counted)]
        out[col] = cells
    if headers:
        out = out.rename(columns=_unique(labels(out.columns, language)))
    return out


def _has_label(column, columns) -> bool:
    """Whether code column ``x`` (or ``x_id``) has its reader label ``x_label`` beside it."""
    name = str(column)
    base = name.removesuffix("_id")
    return f"{name}_label" in columns or (base != name and f"{base}_label" in columns)


def _unique(names: dict) -> dict:
    seen: dict[str, int] = {}
    for lab in names.values():
        seen[lab] = seen.get(lab, 0) + 1
    return {c: (f"{lab} ({c})" if seen[lab] > 1 else lab) for c, lab in names.items()}


def _cell(v, kind: str, language: str, decimals: int, col, texts: dict, values: bool) -> str:
    if kind != "yesno" and _missing(v):
        return ""
    if kind == "count":
        return format_count(v, language)
    if kind == "number":
        return format_number(v, language, decimals=decimals)
    if kind == "percent":
        return format_percent(v, language, decimals=1)
    if kind == "date":
        return format_date(v, language, form="short")
    if kind == "month":
        return format_date(v.to_timestamp() if isinstance(v, pd.Period) else v, language,
                           form="month")
    if kind in _UNITS:
        return format_duration(v, kind, language)
    if kind == "yesno":
        return "" if _missing(v) else format_value(bool(v), language)
    if isinstance(v, (bool, np.bool_)):
        return format_value(bool(v), language)
    if isinstance(v, (numbers.Number, pd.Timestamp, _dt.date)):
        return format_value(v, language, decimals=decimals)
    if values:
        found = code_label(col, v, language)
        if found is not None:
            return found
    return str(v)


def label_codes(table: pd.DataFrame, language: str = "es", *, drop_codes: bool = True,
                headers: bool = True) -> pd.DataFrame:
    """A copy of ``table`` for a workbook: codes and flags in words, numbers and dates kept.

    For exports whose cells stay numbers and dates (Excel formats those by the
    reader's own settings): code cells become their labels (see
    :func:`code_label`), booleans yes/no, a code column gives way to its
    ``*_label`` column, and headers become column labels.
    """
    from crmlib.i18n import catalog, check_language, labels

    check_language(language)
    texts = catalog()
    out = table.copy()
    if drop_codes:
        out = out[[c for c in out.columns if not _has_label(c, out.columns)]]
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = [None if _missing(v) else format_value(bool(v), language) for v in s]
        elif s.dtype == object or pd.api.types.is_string_dtype(s) or \
                isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = [_cell(v, "text", language, 2, col, texts, True)
                        if isinstance(v, (str, bool, np.bool_)) else v for v in s]
    if headers:
        out = out.rename(columns=_unique(labels(out.columns, language)))
    return out
