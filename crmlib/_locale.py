"""Locale formatting used by letters and exports until the shared formatting layer covers it.

One private helper over Babel, so callers never format a reader's date or
number themselves and the implementation can be swapped in one place.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.i18n import check_language

_LOCALES = {"es": "es_ES", "en": "en_GB"}
_LONG_DATE = {"es": "d 'de' MMMM 'de' y", "en": "d MMMM y"}


def long_date(value, language: str = "es") -> str:
    """A date written out for a letter: ``31 de diciembre de 2024`` / ``31 December 2024``.

    ``value`` is a date, a datetime, a Timestamp or an ISO string; anything
    else raises :class:`ParameterError` naming the value.
    """
    check_language(language)
    try:  # the shared formatting layer, once it is part of the package
        from crmlib.i18n._format import format_date as shared
    except ImportError:
        shared = None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError(f"date {value!r} is not a date (use ISO, e.g. 2024-12-31)",
                             parameter="date", value=value)
    day = _dt.date(ts.year, ts.month, ts.day)
    if shared is not None:
        return shared(day, language, form="long")
    from babel.dates import format_date

    return format_date(day, _LONG_DATE[language], locale=_LOCALES[language])
