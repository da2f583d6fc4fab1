"""Text in Spanish and English.

Every sentence and label crmlib shows a reader comes from a catalog: one YAML
file per module in this folder, mapping a dotted key to its text in each
language::

    differentiate.pareto.headline:
      es: "El {customer_share:.0%} de los clientes aporta el {value_share:.0%} del valor."
      en: "{customer_share:.0%} of customers bring {value_share:.0%} of the value."

Column labels use keys ``column.<canonical_name>``; the label of a code shown
in a table cell uses ``value.<column>.<code>``. A key defined in two files
with different texts is an error, so modules cannot silently override each other.

Values placed in a text are written by the formatting layer
(:mod:`crmlib.i18n._format`): the format spec in a template says what a value
is (``.0%`` a share, ``.1f`` a measure, an ``int`` a count) and the locale says
how it looks (``23 %`` / ``23%``, ``51,1`` / ``51.1``, ``9.215`` / ``9,215``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from crmlib.exceptions import ParameterError

LANGUAGES = ("es", "en")
_HERE = Path(__file__).parent

__all__ = [
    "LANGUAGES",
    "LOCALES",
    "catalog",
    "check_language",
    "code_label",
    "format_count",
    "format_currency",
    "format_date",
    "format_duration",
    "format_number",
    "format_percent",
    "format_table",
    "format_value",
    "label",
    "label_codes",
    "labels",
    "locale_of",
    "t",
    "value_label",
]


def check_language(language: str) -> str:
    """Return ``language`` if supported, else raise :class:`ParameterError`."""
    if language not in LANGUAGES:
        raise ParameterError(
            f"language must be one of {list(LANGUAGES)}; got {language!r}",
            parameter="language",
            allowed=LANGUAGES,
            value=language,
        )
    return language


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All keys of every catalog file, merged; raises on a key defined twice."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(_HERE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged and merged[key] != texts:
                raise RuntimeError(f"i18n key {key!r} is defined in {origin[key]} and {path.name}")
            missing = [lang for lang in LANGUAGES if lang not in (texts or {})]
            if missing:
                raise RuntimeError(f"i18n key {key!r} in {path.name} lacks {missing}")
            merged[key] = texts
            origin[key] = path.name
    return merged


def t(key: str, language: str = "es", /, **values) -> str:
    """Text for ``key`` in ``language``, formatted with ``values``.

    Raises ``KeyError`` naming the key when it is in no catalog: a missing
    text is a bug, not something to paper over with the key itself.
    """
    check_language(language)
    try:
        text = catalog()[key][language]
    except KeyError:
        raise KeyError(f"no text for i18n key {key!r}") from None
    return LocaleFormatter(language).format(text, **values) if values else text


def label(column: str, language: str = "es", *, stage: str | None = None) -> str:
    """Human label of a canonical column; the column name itself when none is defined.

    With ``stage`` (``"servqual"`` or a notebook name such as ``"06_servqual"``)
    that stage's own header key ``<stage>.col.<name>`` (or
    ``<stage>.column.<name>``) comes first. Then ``column.<name>``, then any
    stage's header key (such as ``identify.col.master_id``); aging bucket
    columns of any width (``d1_30``, ``over_120``) read as their day ranges.
    """
    check_language(language)
    texts = catalog()
    own = None
    if stage:
        name = re.sub(r"^\d+_", "", str(stage))
        own = texts.get(f"{name}.col.{column}") or texts.get(f"{name}.column.{column}")
    entry = own or texts.get(f"column.{column}") or _stage_columns().get(str(column))
    if entry:
        return entry[language]
    bucket = _AGING_RANGE.match(str(column)) or _AGING_OVER.match(str(column))
    if bucket:  # aging buckets of any width: d1_30, d31_60, over_120
        if bucket.re is _AGING_RANGE:
            return t("collections.bucket.range", language, lo=bucket[1], hi=bucket[2])
        return t("collections.bucket.over", language, days=bucket[1])
    return column


_AGING_RANGE = re.compile(r"^d(\d+)_(\d+)$")
_AGING_OVER = re.compile(r"^over_(\d+)$")


@lru_cache(maxsize=1)
def _stage_columns() -> dict[str, dict[str, str]]:
    """``{name: texts}`` of every ``<stage>.col.<name>`` (or ``<stage>.column.<name>``)
    key, first one by key order."""
    found: dict[str, dict[str, str]] = {}
    for key in sorted(catalog()):
        parts = key.split(".")
        if len(parts) == 3 and parts[1] in ("col", "column"):
            found.setdefault(parts[2], catalog()[key])
    return found


def labels(columns, language: str = "es", *, stage: str | None = None) -> dict[str, str]:
    """``{column: label}`` for a sequence of columns, ready for ``DataFrame.rename``
    (``stage`` as in :func:`label`)."""
    return {c: label(c, language, stage=stage) for c in columns}


def value_label(column: str, code, language: str = "es") -> str:
    """Reader label of a code shown in ``column`` (catalog ``value.<column>.<code>``).

    Raises ``KeyError`` naming the key when the catalog lacks it: a code must
    never reach a reader in place of its label.
    """
    return t(f"value.{column}.{code}", language)


# The layer uses t() and catalog(), so it is imported once they exist.
from crmlib.i18n._format import (
    LOCALES,
    LocaleFormatter,
    code_label,
    format_count,
    format_currency,
    format_date,
    format_duration,
    format_number,
    format_percent,
    format_table,
    format_value,
    label_codes,
    locale_of,
)
