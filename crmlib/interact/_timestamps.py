"""Timestamps and opening hours for ticket exports.

Ticket exports mix text, naive and time-zone aware timestamps; this module
turns them into naive local time (:func:`local_timestamps`), settles the
valuation moment ``as_of`` the other modules measure ages against, and counts
resolution time in business hours (:class:`BusinessHours`,
:func:`business_hours_between`) with ``numpy.busday_count`` arithmetic.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

_TZ_SUFFIX = re.compile(
    r"^(?P<base>.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)


def _as_of(as_of, *candidates: pd.Series) -> pd.Timestamp:
    """``as_of`` as a naive Timestamp; default: the latest timestamp among ``candidates``."""
    if as_of is None or as_of == "":
        latest = [s.max() for s in candidates if s is not None and s.notna().any()]
        if not latest:
            raise ParameterError("as_of is needed when the data hold no dates",
                                 parameter="as_of", value=as_of)
        return pd.Timestamp(max(latest)).normalize() + pd.Timedelta(days=1) - pd.Timedelta(
            microseconds=1)
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise ParameterError(f"as_of must be a date such as '2024-12-31'; got {as_of!r}",
                             parameter="as_of", allowed="ISO date", value=as_of) from None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    if ts == ts.normalize():
        # a bare date means "at the end of that day"
        ts = ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return ts


def _to_text(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    text = str(v).strip()
    return text or None


def local_timestamps(values, *, timezone: str | None = None, dayfirst: bool = False,
                     table: str = "interactions", column: str = "opened_at") -> pd.Series:
    """Parse timestamps into naive local time, accepting aware and naive values mixed.

    Parameters
    ----------
    values : Series or sequence
        ``datetime64`` values (naive or aware), Timestamps, or text such as
        ``"2024-03-01 09:30"``, ``"2024-03-01T09:30:00-05:00"`` or
        ``"2024-03-01T14:30Z"``, mixed freely; empty cells stay empty.
    timezone : str, optional
        IANA zone (``"America/Bogota"``). When given, aware values are
        converted to it before the offset is dropped; when not, an aware
        value keeps the wall-clock time it was written with. Naive values are
        always taken as local time.
    dayfirst : bool, default False
        Read ambiguous text dates as day first (``05/03/2024`` = 5 March).
    table, column : str
        Named in the error message.

    Returns
    -------
    Series
        ``datetime64[ns]``, naive, same index as ``values``.

    Raises
    ------
    DataError
        Naming the table, column and rows whose text is not a date.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        if timezone:
            s = s.dt.tz_convert(timezone)
        return s.dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    text = s.map(_to_text).astype(object)
    parts = text.str.extract(_TZ_SUFFIX) if text.notna().any() else pd.DataFrame(
        {"base": pd.Series(np.nan, index=s.index, dtype=object),
         "tz": pd.Series(np.nan, index=s.index, dtype=object)})
    has_tz = parts["base"].notna().to_numpy()
    base = text.where(~has_tz, parts["base"])
    out = pd.to_datetime(base, format="mixed", errors="coerce", dayfirst=dayfirst)
    out = out.astype("datetime64[ns]")
    if timezone and has_tz.any():
        aware = text[has_tz].str.replace(r"\s*(UTC|GMT)$", "Z", regex=True, flags=re.IGNORECASE)
        conv = pd.to_datetime(aware, utc=True, format="mixed", errors="coerce")
        out.loc[has_tz] = conv.dt.tz_convert(timezone).dt.tz_localize(None).astype(
            "datetime64[ns]").to_numpy()
    bad = (out.isna() & text.notna()).to_numpy()
    if bad.any():
        examples = tuple(zip(s.index[bad][:3], text[bad][:3]))
        raise DataError([DataProblem(table, column, "is not a date", int(bad.sum()), len(s),
                                     examples)])
    return out


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours used to measure resolution time in business hours.

    Attributes
    ----------
    start, end : float
        Opening and closing hour of a working day (``9`` and ``18``; ``8.5``
        means 08:30).
    weekmask : str
        Working days, in :func:`numpy.busday_count` form (``"Mon Tue Wed Thu Fri"``
        or ``"1111100"``).
    holidays : tuple of str
        Dates (``"2024-12-25"``) that are not working days.
    """

    start: float = 9.0
    end: float = 18.0
    weekmask: str = "Mon Tue Wed Thu Fri"
    holidays: tuple = field(default_factory=tuple)

    def __post_init__(self):
        if not (0 <= self.start < self.end <= 24):
            raise ParameterError(
                f"business hours need 0 <= start < end <= 24; got start={self.start}, "
                f"end={self.end}", parameter="business_hours", allowed="0 <= start < end <= 24",
                value=(self.start, self.end))
        try:
            np.busdaycalendar(weekmask=self.weekmask, holidays=list(self.holidays))
        except ValueError as err:
            raise ParameterError(f"business_hours weekmask/holidays are not valid: {err}",
                                 parameter="business_hours", value=self.weekmask) from None

    @property
    def hours_per_day(self) -> float:
        return self.end - self.start


def _business_hours(value) -> BusinessHours | None:
    if value is None or value is False:
        return None
    if value is True:
        return BusinessHours()
    if isinstance(value, BusinessHours):
        return value
    if isinstance(value, dict):
        return BusinessHours(**{k: (tuple(v) if k == "holidays" else v) for k, v in value.items()})
    raise ParameterError(
        f"business_hours must be None, True, a dict or a BusinessHours; got {value!r}",
        parameter="business_hours", allowed="None | True | dict | BusinessHours", value=value)


def _business_position(ts: pd.Series, bh: BusinessHours) -> np.ndarray:
    """Business hours elapsed from 1970-01-01 to each timestamp (vectorised)."""
    cal = np.busdaycalendar(weekmask=bh.weekmask, holidays=list(bh.holidays))
    valid = ts.notna().to_numpy()
    days = ts.dt.floor("D").to_numpy().astype("datetime64[D]")
    safe_days = np.where(valid, days, np.datetime64("1970-01-01", "D"))
    n_days = np.busday_count(np.datetime64("1970-01-01", "D"), safe_days, busdaycal=cal)
    hour = ((ts - ts.dt.floor("D")).dt.total_seconds() / 3600.0).to_numpy()
    in_day = np.clip(np.nan_to_num(hour) - bh.start, 0.0, bh.hours_per_day)
    is_bday = np.is_busday(safe_days, busdaycal=cal)
    pos = n_days * bh.hours_per_day + np.where(is_bday, in_day, 0.0)
    return np.where(valid, pos, np.nan)


def business_hours_between(start, end, *, business_hours=True) -> pd.Series:
    """Working hours between two timestamps, element by element.

    Counts only the time inside opening hours on working days (see
    :class:`BusinessHours`), with ``numpy.busday_count`` arithmetic rather than a
    loop over rows. A ticket opened on Friday 17:00 and closed on Monday 10:00
    with 9-18 hours took 2 business hours.

    Parameters
    ----------
    start, end : Series
        Naive timestamps of the same length.
    business_hours : True, dict or BusinessHours
        Opening hours; ``True`` means Monday-Friday 9-18.

    Returns
    -------
    Series
        Float hours, NaN where either end is missing; negative where ``end``
        comes before ``start`` (callers screen those rows first).
    """
    bh = _business_hours(business_hours) or BusinessHours()
    start = local_timestamps(start, column="start")
    end = local_timestamps(end, column="end")
    pos = _business_position(end, bh) - _business_position(start.set_axis(end.index), bh)
    return pd.Series(pos, index=end.index, dtype=float)
