"""Interact: complaints, contacts and the hard indices of service.

The method behind this module: complaints are the last chance to keep a
customer, so a valuable complainer must be acted on within about 30 days, after
which the chance of recovering them falls below one in five; the right
complaint indicator is not "no complaints" but the share solved at the first
contact (Peppers & Rogers' Interact tasks, source 004). Service quality is
followed with hard indices (response time, waiting time, errors, number of
complaints, customers lost, transaction volume) and a response-time study by
type of service encounter: remote, by phone and in person (source 001).

Ticket exports are messy, so every function here goes through
:func:`ticket_table`, which

* parses timestamps given as text, naive or time-zone aware values mixed, and
  returns naive local time: an aware value keeps its own wall-clock time (its
  offset is dropped) unless ``timezone`` is given, in which case it is first
  converted to that zone; naive values are taken as local time already;
* decides whether a ticket is closed from its status label (configurable, with
  English and Spanish defaults such as ``closed``, ``resuelto``, ``cerrado``),
  falling back on the close date when there is no status;
* treats a reopened ticket as open, whatever close date it still carries;
* never returns a negative duration: a ticket closed before it was opened, or
  closed without a close date, is kept with a ``problem`` label and no
  resolution time, and :func:`ticket_problems` lists those rows.

Every public function returns a tidy DataFrame whose columns are listed in its
docstring. Nothing here draws; :mod:`crmlib.plot` does.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import t

__all__ = [
    "DEFAULT_CLOSED_STATUSES",
    "DEFAULT_REOPENED_STATUSES",
    "BusinessHours",
    "business_hours_between",
    "complaint_metrics",
    "contact_cost_by_segment",
    "hard_indices",
    "hard_indices_table",
    "headline",
    "key_figures",
    "last_contacts",
    "local_timestamps",
    "lost_after_complaint",
    "lost_summary",
    "metrics_view",
    "p_chart",
    "repeat_complainers",
    "response_time_study",
    "ticket_problems",
    "ticket_table",
    "valuable_complainers",
    "xmr_chart",
]

DEFAULT_CLOSED_STATUSES: tuple[str, ...] = (
    "closed", "resolved", "solved", "done", "completed",
    "cerrado", "cerrada", "resuelto", "resuelta", "finalizado", "finalizada",
    "solucionado", "solucionada", "completado", "completada", "atendido", "atendida",
)
DEFAULT_REOPENED_STATUSES: tuple[str, ...] = (
    "reopened", "re-opened", "reabierto", "reabierta", "re-abierto", "re-abierta",
)

#: Channel words that mean a phone or an in-person encounter; anything else is remote.
_PHONE_WORDS = ("phone", "telefono", "call", "llamada", "call center", "callcenter",
                "call_center", "tel")
_IN_PERSON_WORDS = ("in person", "in_person", "presencial", "store", "tienda", "office",
                    "oficina", "branch", "sucursal", "counter", "mostrador", "reception",
                    "recepcion", "front desk", "visit", "visita", "face to face")
ENCOUNTERS = ("remote", "phone", "in_person")

_TZ_SUFFIX = re.compile(
    r"^(?P<base>.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- helpers

def _norm_label(value) -> str | None:
    """Lower-case, accent-free, trimmed text; None for empty values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = " ".join(text.strip().lower().split())
    return text or None


def _norm_series(s: pd.Series) -> pd.Series:
    """:func:`_norm_label` of every value, computed once per distinct value."""
    uniq = pd.unique(s.dropna())
    table = {v: _norm_label(v) for v in uniq}
    return s.map(table).astype(object).where(s.notna(), None)


def _require(df: pd.DataFrame, table: str, columns) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError([DataProblem(table, c, "is required but missing") for c in missing])


def _check_positive(name: str, value, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (
        value >= 0 if allow_zero else value > 0)
    if not ok:
        allowed = "a number >= 0" if allow_zero else "a number > 0"
        raise ParameterError(f"{name} must be {allowed}; got {value!r}", parameter=name,
                             allowed=allowed, value=value)


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


def _statuses(name: str, values) -> frozenset:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ParameterError(f"{name} must be a list of status labels; got {values!r}",
                             parameter=name, allowed="list of str", value=values)
    return frozenset(x for x in (_norm_label(v) for v in values) if x)


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


# --------------------------------------------------------------------------- tickets

_TICKET_EXTRA = ("kind", "channel", "category", "encounter", "contacts_to_resolve",
                 "response_minutes", "wait_minutes", "cost")


def ticket_table(
    interactions: pd.DataFrame,
    *,
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    business_hours=None,
    timezone: str | None = None,
    dayfirst: bool = False,
    kind=None,
    as_of=None,
) -> pd.DataFrame:
    """One clean row per ticket: closed or open, resolution time, problems found.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``: ``interaction_id``, ``opened_at`` and,
        optionally, ``customer_id``, ``closed_at``, ``status``, ``kind``,
        ``channel``, ``category``, ``contacts_to_resolve``, ``encounter``,
        ``response_minutes``, ``wait_minutes``, ``cost``. Timestamps may be
        text, naive and aware mixed (see :func:`local_timestamps`).
    closed_statuses : list of str
        Status labels meaning closed; compared without case or accents.
    reopened_statuses : list of str
        Status labels meaning the ticket was closed once and opened again; such
        a ticket counts as open and never as solved at the first contact.
    business_hours : None, True, dict or BusinessHours
        When set, ``resolution_business_hours`` counts only opening hours.
    timezone : str, optional
        Zone aware timestamps are converted to before their offset is dropped.
    dayfirst : bool, default False
        Read ambiguous text dates day first.
    kind : str, list or None
        Keep only contacts of this ``kind`` (e.g. ``"complaint"``); None keeps all.
    as_of : date, optional
        Valuation moment for the age of open tickets; default: end of the day
        of the latest timestamp in the table.

    Returns
    -------
    DataFrame
        One row per input row (of the chosen ``kind``), in input order: ``row`` (0-based position in the
        input), ``interaction_id``, ``customer_id``, ``opened_at``,
        ``closed_at`` (naive local time), ``status`` (as written), ``is_closed``,
        ``reopened``, ``resolution_hours`` (calendar hours; NaN for open tickets
        and problem rows, never negative), ``resolution_business_hours`` (only
        with ``business_hours``), ``first_contact_resolution`` (nullable bool:
        closed, not reopened and ``contacts_to_resolve`` equal to 1; NA when the
        number of contacts is unknown or the ticket is open), ``age_days``
        (days from opening to closing, or to ``as_of`` while open), ``problem``
        (``closed_before_opened``, ``closed_without_date``,
        ``missing_opened_at`` or empty), plus whichever of ``kind``,
        ``channel``, ``category``, ``encounter``, ``contacts_to_resolve``,
        ``response_minutes``, ``wait_minutes`` and ``cost`` the input has
        (``kind``, ``channel``, ``category`` lower-cased and trimmed).
    """
    _require(interactions, "interactions", ["interaction_id", "opened_at"])
    closed_set = _statuses("closed_statuses", closed_statuses)
    reopened_set = _statuses("reopened_statuses", reopened_statuses)
    bh = _business_hours(business_hours)
    df = interactions.reset_index(drop=True)
    n = len(df)
    opened = local_timestamps(df["opened_at"], timezone=timezone, dayfirst=dayfirst,
                              column="opened_at")
    if "closed_at" in df.columns:
        closed = local_timestamps(df["closed_at"], timezone=timezone, dayfirst=dayfirst,
                                  column="closed_at")
    else:
        closed = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    when = _as_of(as_of, opened, closed)

    status_raw = df["status"] if "status" in df.columns else pd.Series(None, index=df.index,
                                                                        dtype=object)
    status = _norm_series(status_raw)
    has_status = status.notna().to_numpy()
    reopened = status.isin(reopened_set).to_numpy()
    is_closed = np.where(has_status, status.isin(closed_set).to_numpy(),
                         closed.notna().to_numpy())
    is_closed &= ~reopened

    problem = np.full(n, None, dtype=object)
    missing_open = opened.isna().to_numpy()
    before = (closed < opened).fillna(False).to_numpy() & is_closed
    no_date = is_closed & closed.isna().to_numpy() & ~missing_open
    problem[no_date] = "closed_without_date"
    problem[before] = "closed_before_opened"
    problem[missing_open] = "missing_opened_at"
    ok_closed = is_closed & (problem == None)

    hours = ((closed - opened).dt.total_seconds() / 3600.0).to_numpy()
    resolution = np.where(ok_closed, hours, np.nan)
    end = closed.where(pd.Series(is_closed, index=df.index), when)
    age = ((end - opened).dt.total_seconds() / 86400.0).to_numpy()
    age = np.where((problem == None), age, np.nan)

    out = pd.DataFrame({
        "row": np.arange(n),
        "interaction_id": df["interaction_id"].astype(object).to_numpy(),
        "customer_id": (df["customer_id"].astype(object).to_numpy() if "customer_id" in df
                        else np.full(n, None, dtype=object)),
        "opened_at": opened.to_numpy(),
        "closed_at": closed.to_numpy(),
        "status": status_raw.astype(object).to_numpy(),
        "is_closed": is_closed.astype(bool),
        "reopened": reopened.astype(bool),
        "resolution_hours": resolution.astype(float),
    })
    if bh is not None:
        bpos = _business_position(closed, bh) - _business_position(opened, bh)
        out["resolution_business_hours"] = np.where(ok_closed, np.maximum(bpos, 0.0), np.nan)
    if "contacts_to_resolve" in df.columns:
        contacts = pd.to_numeric(df["contacts_to_resolve"], errors="coerce")
        fcr = pd.array(np.where(contacts.to_numpy() == 1, True, False), dtype="boolean")
        fcr[np.asarray(contacts.isna().to_numpy() | ~ok_closed)] = pd.NA
        fcr[reopened] = False
        out["first_contact_resolution"] = fcr
    else:
        fcr = pd.array([pd.NA] * n, dtype="boolean")
        fcr[reopened] = False
        out["first_contact_resolution"] = fcr
    out["age_days"] = age.astype(float)
    out["problem"] = problem
    for col in _TICKET_EXTRA:
        if col in df.columns:
            s = df[col]
            if col in ("kind", "channel", "category", "encounter"):
                out[col] = _norm_series(s).to_numpy()
            else:
                out[col] = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    if kind is not None:
        out = _complaints(out, kind).reset_index(drop=True)
    return out


def ticket_problems(tickets: pd.DataFrame) -> pd.DataFrame:
    """Rows of a :func:`ticket_table` that could not be measured.

    Parameters
    ----------
    tickets : DataFrame
        Result of :func:`ticket_table`.

    Returns
    -------
    DataFrame
        ``row`` (0-based position in the input), ``interaction_id``,
        ``customer_id``, ``opened_at``, ``closed_at``, ``status``, ``problem``;
        empty when every row is sound.
    """
    cols = ["row", "interaction_id", "customer_id", "opened_at", "closed_at", "status",
            "problem"]
    return tickets.loc[tickets["problem"].notna(), cols].reset_index(drop=True)


def _complaints(tickets: pd.DataFrame, kind) -> pd.DataFrame:
    if kind is None or "kind" not in tickets.columns:
        return tickets
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return tickets[tickets["kind"].isin(kinds)]


def _with_segment(tickets: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    if customers is None:
        raise ParameterError("grouping by segment needs customers=(customer_id, segment)",
                             parameter="customers", allowed="DataFrame", value=None)
    if "segment" not in customers and "pareto_class" in customers:
        customers = customers.assign(segment=customers["pareto_class"])
    _require(customers, "customers", ["customer_id", "segment"])
    seg = customers.drop_duplicates("customer_id")[["customer_id", "segment"]]
    return tickets.merge(seg, on="customer_id", how="left")


_BY = ("channel", "category", "kind", "encounter", "segment", "month", "status")


def complaint_metrics(
    interactions: pd.DataFrame,
    *,
    by=None,
    customers: pd.DataFrame | None = None,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    recovery_window_days: float = 30,
    business_hours=None,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Volume, resolution time, first-contact resolution and recovery of complaints.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions`` (see :func:`ticket_table` for what may be messy).
    by : str or list of str, optional
        Group by ``channel``, ``category``, ``kind``, ``encounter``, ``status``,
        ``segment`` (needs ``customers``) or ``month`` (of opening). None: one
        row for everything.
    customers : DataFrame, optional
        ``customer_id`` and ``segment`` (or ``pareto_class``), for
        ``by="segment"``.
    kind : str, list or None, default "complaint"
        Which ``kind`` of contact to count; None counts every contact. Ignored
        when the table has no ``kind`` column.
    closed_statuses, reopened_statuses : list of str
        Status labels, see :func:`ticket_table`.
    recovery_window_days : float, default 30
        Days within which a complaint must be acted on (closed) to keep the
        customer (source 004: after 30 days, under 20 % are recovered).
    business_hours : None, True, dict or BusinessHours
        Measure the resolution time in opening hours instead of calendar hours.
    timezone : str, optional
        See :func:`local_timestamps`.
    as_of : date, optional
        Valuation moment; default: end of the latest day in the data.

    Returns
    -------
    DataFrame
        One row per group (groups sorted by ``n_contacts`` descending, then by
        name): the ``by`` columns (missing values shown as ``unknown``),
        ``n_contacts``, ``share`` (of all counted contacts), ``n_customers``,
        ``n_closed``, ``n_open``, ``n_reopened``, ``n_problem_rows`` (rows
        reported by :func:`ticket_problems`), ``median_resolution_hours`` and
        ``p90_resolution_hours`` (of closed, sound tickets; linear
        interpolation; business hours when ``business_hours`` is set),
        ``hours_basis`` (``calendar`` or ``business``), ``fcr_n`` (closed
        tickets with a known number of contacts, plus reopened ones), ``fcr_rate``
        (share of those solved at the first contact), ``recovery_n`` (complaints
        whose window has run out by ``as_of`` or that were closed),
        ``recovery_rate`` (share of those closed within the window).
    """
    _check_positive("recovery_window_days", recovery_window_days)
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    for g in groups:
        if g not in _BY:
            raise ParameterError(f"by must be None or some of {list(_BY)}; got {g!r}",
                                 parameter="by", allowed=_BY, value=g)
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, business_hours=business_hours,
                           timezone=timezone, as_of=as_of)
    tickets = _complaints(tickets, kind)
    if "segment" in groups:
        tickets = _with_segment(tickets, customers)
    if "month" in groups:
        tickets = tickets.assign(month=tickets["opened_at"].dt.to_period("M").dt.start_time)
    for g in groups:
        if g not in tickets.columns:
            tickets = tickets.assign(**{g: None})
        if g != "month":
            tickets = tickets.assign(**{g: tickets[g].astype(object).where(
                tickets[g].notna(), "unknown")})
    basis = "resolution_business_hours" if "resolution_business_hours" in tickets else \
        "resolution_hours"
    window_h = recovery_window_days * 24.0
    t = tickets.assign(
        _res=tickets[basis],
        _fcr_known=tickets["first_contact_resolution"].notna(),
        _fcr=tickets["first_contact_resolution"].fillna(False).astype(bool),
        _rec_eligible=(tickets["is_closed"] & tickets["problem"].isna())
        | (~tickets["is_closed"] & (tickets["age_days"] >= recovery_window_days)),
        _rec_ok=(tickets["resolution_hours"] <= window_h),
        _open=~tickets["is_closed"],
        _problem=tickets["problem"].notna(),
    )
    total = len(t)

    def summarise(g: pd.DataFrame) -> dict:
        res = g["_res"].dropna()
        fcr_n = int(g["_fcr_known"].sum())
        rec_n = int(g["_rec_eligible"].sum())
        return {
            "n_contacts": len(g),
            "share": len(g) / total if total else np.nan,
            "n_customers": int(g["customer_id"].nunique()),
            "n_closed": int(g["is_closed"].sum()),
            "n_open": int(g["_open"].sum()),
            "n_reopened": int(g["reopened"].sum()),
            "n_problem_rows": int(g["_problem"].sum()),
            "median_resolution_hours": float(res.median()) if len(res) else np.nan,
            "p90_resolution_hours": float(res.quantile(0.9)) if len(res) else np.nan,
            "hours_basis": "business" if basis != "resolution_hours" else "calendar",
            "fcr_n": fcr_n,
            "fcr_rate": float(g.loc[g["_fcr_known"], "_fcr"].mean()) if fcr_n else np.nan,
            "recovery_n": rec_n,
            "recovery_rate": float((g["_rec_ok"] & g["_rec_eligible"]).sum() / rec_n)
            if rec_n else np.nan,
        }

    if not groups:
        return pd.DataFrame([summarise(t)])
    rows = []
    for key, g in t.groupby(groups, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(groups, key)), **summarise(g)})
    cols = groups + list(summarise(t.iloc[:0]).keys())
    out = pd.DataFrame(rows, columns=cols)
    if "month" in groups:
        return out.sort_values(groups, kind="stable").reset_index(drop=True)
    return out.sort_values(["n_contacts", *groups], ascending=[False] + [True] * len(groups),
                           kind="stable").reset_index(drop=True)


def _values_table(customer_values: pd.DataFrame) -> pd.DataFrame:
    """``customer_id``, ``value`` and, when known, ``segment``.

    The segment is the ``segment`` column, else the ``pareto_class`` of
    :func:`crmlib.differentiate.pareto_table` (A/B/C), so that table can be
    passed as it is.
    """
    _require(customer_values, "customer_values", ["customer_id", "value"])
    v = customer_values
    if "segment" not in v and "pareto_class" in v:
        v = v.assign(segment=v["pareto_class"])
    cols = ["customer_id", "value"] + (["segment"] if "segment" in v else [])
    v = v[cols].drop_duplicates("customer_id")
    return v.assign(value=pd.to_numeric(v["value"], errors="coerce"))


def valuable_complainers(
    interactions: pd.DataFrame,
    customer_values: pd.DataFrame,
    *,
    top_share: float = 0.2,
    slow_days: float = 7,
    lookback_days: float = 90,
    recovery_window_days: float = 30,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Call list: high-value customers with an open or a slow complaint.

    Source 004 asks to find the valuable customers who complain, since their
    complaint may be the last chance to keep them, and to act within 30 days.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    customer_values : DataFrame
        ``customer_id``, ``value`` (any value measure: revenue, margin, CLV) and
        optionally ``segment`` (or ``pareto_class``), e.g. the result of
        :func:`crmlib.differentiate.pareto_table`.
    top_share : float, default 0.2
        Share of customers, by value, that count as valuable (0 < x <= 1);
        ties at the cut are broken by ``customer_id``.
    slow_days : float, default 7
        A complaint is slow when it took longer than this to close, or has been
        open longer than this.
    lookback_days : float, default 90
        Closed slow complaints older than this (by opening) are left out; open
        ones always count.
    recovery_window_days : float, default 30
        Window for acting on a complaint; ``days_left_in_window`` counts down to it.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per valuable complainer, by ``value`` descending, then
        ``oldest_open_days`` descending, then ``customer_id``: ``rank`` (1 =
        call first), ``customer_id``, ``segment`` (when given), ``value``,
        ``value_rank`` (1 = most valuable), ``n_open``, ``n_slow``,
        ``oldest_open_days`` (age of the oldest open complaint; NaN if none),
        ``last_complaint_at``, ``days_left_in_window`` (window minus the age of
        the oldest complaint in the list; negative once the window has passed),
        ``reason`` (``open``, ``slow`` or ``open+slow``).
    """
    if not (isinstance(top_share, (int, float)) and 0 < top_share <= 1):
        raise ParameterError(f"top_share must be in (0, 1]; got {top_share!r}",
                             parameter="top_share", allowed="(0, 1]", value=top_share)
    for name, v in (("slow_days", slow_days), ("lookback_days", lookback_days),
                    ("recovery_window_days", recovery_window_days)):
        _check_positive(name, v)
    values = _values_table(customer_values)
    values = values.sort_values(["value", "customer_id"], ascending=[False, True],
                                kind="stable").reset_index(drop=True)
    values["value_rank"] = np.arange(1, len(values) + 1)
    n_top = math.ceil(top_share * len(values))
    top = values.head(n_top)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].isin(set(top["customer_id"]))
                      & (tickets["opened_at"] <= when)]
    is_open = ~tickets["is_closed"]
    recent = tickets["opened_at"] >= when - pd.Timedelta(days=lookback_days)
    slow = (tickets["age_days"] > slow_days) & (is_open | recent)
    flagged = tickets.assign(_open=is_open, _slow=slow)
    flagged = flagged[flagged["_open"] | flagged["_slow"]]
    columns = ["rank", "customer_id"] + (["segment"] if "segment" in values else []) + [
        "value", "value_rank", "n_open", "n_slow", "oldest_open_days", "last_complaint_at",
        "days_left_in_window", "reason"]
    if flagged.empty:
        return pd.DataFrame(columns=columns)
    open_age = flagged["age_days"].where(flagged["_open"])
    per = flagged.assign(_open_age=open_age).groupby("customer_id").agg(
        n_open=("_open", "sum"), n_slow=("_slow", "sum"), oldest_open_days=("_open_age", "max"),
        oldest_opened=("opened_at", "min"))
    last = tickets.groupby("customer_id")["opened_at"].max().rename("last_complaint_at")
    per = per.join(last).reset_index()
    per["days_left_in_window"] = recovery_window_days - (
        (when - per["oldest_opened"]).dt.total_seconds() / 86400.0)
    per["reason"] = np.select([(per["n_open"] > 0) & (per["n_slow"] > 0), per["n_open"] > 0],
                              ["open+slow", "open"], "slow")
    out = top.merge(per, on="customer_id", how="inner")
    out = out.sort_values(["value", "oldest_open_days", "customer_id"],
                          ascending=[False, False, True], na_position="last", kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    out[["n_open", "n_slow"]] = out[["n_open", "n_slow"]].astype(int)
    return out[columns].reset_index(drop=True)


def repeat_complainers(
    interactions: pd.DataFrame,
    *,
    min_complaints: int = 2,
    within_days: float = 365,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Customers who complained at least ``min_complaints`` times in a period.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    min_complaints : int, default 2
        Complaints needed to be listed (>= 2).
    within_days : float, default 365
        Length of the period ending at ``as_of``.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        By ``n_complaints`` descending then ``customer_id``: ``customer_id``,
        ``n_complaints``, ``n_open``, ``n_categories`` (distinct categories),
        ``top_category`` (most frequent; ties alphabetical; empty without
        categories), ``first_at``, ``last_at``.
    """
    if not (isinstance(min_complaints, int) and min_complaints >= 2):
        raise ParameterError(f"min_complaints must be an integer >= 2; got {min_complaints!r}",
                             parameter="min_complaints", allowed=">= 2", value=min_complaints)
    _check_positive("within_days", within_days)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].notna()
                      & (tickets["opened_at"] <= when)
                      & (tickets["opened_at"] > when - pd.Timedelta(days=within_days))]
    if "category" not in tickets:
        tickets = tickets.assign(category=None)
    tickets = tickets.assign(_open=~tickets["is_closed"])
    per = tickets.groupby("customer_id").agg(
        n_complaints=("interaction_id", "size"), n_open=("_open", "sum"),
        n_categories=("category", "nunique"), first_at=("opened_at", "min"),
        last_at=("opened_at", "max")).reset_index()
    cat = (tickets.dropna(subset=["category"]).groupby(["customer_id", "category"]).size()
           .rename("n").reset_index()
           .sort_values(["customer_id", "n", "category"], ascending=[True, False, True])
           .drop_duplicates("customer_id").set_index("customer_id")["category"])
    per["top_category"] = per["customer_id"].map(cat).astype(object)
    per = per[per["n_complaints"] >= min_complaints]
    per[["n_complaints", "n_open", "n_categories"]] = per[
        ["n_complaints", "n_open", "n_categories"]].astype(int)
    per = per.sort_values(["n_complaints", "customer_id"], ascending=[False, True])
    return per[["customer_id", "n_complaints", "n_open", "n_categories", "top_category",
                "first_at", "last_at"]].reset_index(drop=True)


def _purchases(transactions: pd.DataFrame) -> pd.DataFrame:
    _require(transactions, "transactions", ["customer_id", "date", "amount"])
    tx = transactions[["customer_id", "date", "amount"]].dropna(subset=["customer_id"])
    return tx.assign(date=local_timestamps(tx["date"], table="transactions", column="date"),
                     amount=pd.to_numeric(tx["amount"], errors="coerce"))


def lost_after_complaint(
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    inactive_days: float = 180,
    value_days: float = 365,
    kind="complaint",
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Complainers and whether they stopped buying after their last complaint.

    A customer is *lost after a complaint* when they bought before their last
    complaint, bought nothing after the day of it, and at least
    ``inactive_days`` have passed since it: the lost-customer analysis of source
    001 restricted to complainers.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    transactions : DataFrame
        Contract ``transactions`` (``customer_id``, ``date``, ``amount``).
    inactive_days : float, default 180
        Days without purchases after the complaint that make a customer lost.
    value_days : float, default 365
        Length of the period before the complaint whose net purchases are
        reported as ``value_before``.
    kind, closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per complaining customer, lost ones first, then by
        ``value_before`` descending and ``customer_id``: ``customer_id``,
        ``last_complaint_at``, ``last_complaint_closed`` (bool),
        ``last_purchase_at`` (NaT if never), ``days_since_purchase``,
        ``value_before``, ``lost`` (bool).
    """
    _check_positive("inactive_days", inactive_days)
    _check_positive("value_days", value_days)
    tickets = _complaints(ticket_table(interactions, closed_statuses=closed_statuses,
                                       reopened_statuses=reopened_statuses, timezone=timezone,
                                       as_of=as_of), kind)
    tx = _purchases(transactions)
    when = _as_of(as_of, tickets["opened_at"], tx["date"])
    tickets = tickets[tickets["customer_id"].notna() & (tickets["opened_at"] <= when)]
    tx = tx[tx["date"] <= when]
    last_c = (tickets.sort_values(["customer_id", "opened_at", "row"])
              .drop_duplicates("customer_id", keep="last")
              .set_index("customer_id")[["opened_at", "is_closed"]]
              .rename(columns={"opened_at": "last_complaint_at",
                               "is_closed": "last_complaint_closed"}))
    m = tx.merge(last_c, left_on="customer_id", right_index=True, how="inner")
    c_day = m["last_complaint_at"].dt.floor("D")
    after = m[m["date"].dt.floor("D") > c_day].groupby("customer_id").size()
    before = m[m["date"].dt.floor("D") <= c_day]
    in_window = before[before["date"] > before["last_complaint_at"]
                       - pd.Timedelta(days=value_days)]
    value_before = in_window.groupby("customer_id")["amount"].sum()
    bought_before = before.groupby("customer_id").size()
    last_p = tx.groupby("customer_id")["date"].max()
    out = last_c.reset_index()
    out["last_purchase_at"] = out["customer_id"].map(last_p).astype("datetime64[ns]")
    out["days_since_purchase"] = (when - out["last_purchase_at"]).dt.total_seconds() / 86400.0
    out["value_before"] = out["customer_id"].map(value_before).fillna(0.0).astype(float)
    since = (when - out["last_complaint_at"]).dt.total_seconds() / 86400.0
    out["lost"] = (out["customer_id"].map(bought_before).fillna(0).to_numpy() > 0) & (
        out["customer_id"].map(after).fillna(0).to_numpy() == 0) & (since >= inactive_days)
    out["last_complaint_closed"] = out["last_complaint_closed"].astype(bool)
    out = out.sort_values(["lost", "value_before", "customer_id"],
                          ascending=[False, False, True], kind="stable")
    return out[["customer_id", "last_complaint_at", "last_complaint_closed",
                "last_purchase_at", "days_since_purchase", "value_before",
                "lost"]].reset_index(drop=True)


# --------------------------------------------------------------------------- indices

HARD_INDICES = ("response_minutes", "wait_minutes", "resolution_hours", "errors", "complaints",
                "customers_lost", "transactions")


def hard_indices(
    interactions: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    *,
    inactive_days: float = 180,
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """The hard (objective) quality indices of source 001, month by month.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    transactions : DataFrame, optional
        Contract ``transactions``; needed for ``customers_lost`` and
        ``transactions``.
    inactive_days : float, default 180
        A customer is lost in the month of their last purchase when they have
        not bought for this many days by ``as_of``. Months closer to ``as_of``
        than this cannot be judged yet and get no value.
    closed_statuses, reopened_statuses, timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        Long table, one row per month and index present in the data: ``period``
        (first day of the month), ``index`` — ``response_minutes`` (mean minutes
        to the first response), ``wait_minutes`` (mean wait), ``resolution_hours``
        (median), ``errors`` (tickets reopened: work done again), ``complaints``
        (count), ``customers_lost``, ``transactions`` (count of sales lines) —
        and ``value``. Months with no contacts get 0 for the counts and NaN for
        times. Sorted by index, then period.
    """
    _check_positive("inactive_days", inactive_days)
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, timezone=timezone,
                           as_of=as_of)
    tx = _purchases(transactions) if transactions is not None else None
    when = _as_of(as_of, tickets["opened_at"], *( [tx["date"]] if tx is not None else []))
    tickets = tickets[tickets["opened_at"] <= when]
    starts = [tickets["opened_at"].min()] + ([tx["date"].min()] if tx is not None else [])
    start = min(s for s in starts if pd.notna(s))
    months = pd.period_range(start, when, freq="M")
    index = months.start_time
    period = tickets["opened_at"].dt.to_period("M")
    frames = {}
    for col in ("response_minutes", "wait_minutes"):
        if col in tickets:
            frames[col] = tickets.groupby(period)[col].mean()
    frames["resolution_hours"] = tickets.groupby(period)["resolution_hours"].median()
    frames["errors"] = tickets.groupby(period)["reopened"].sum().reindex(months, fill_value=0)
    comp = tickets if "kind" not in tickets else tickets[tickets["kind"] == "complaint"]
    frames["complaints"] = comp.groupby(comp["opened_at"].dt.to_period("M")).size().reindex(
        months, fill_value=0)
    if tx is not None:
        tx = tx[tx["date"] <= when]
        last = tx.groupby("customer_id")["date"].max()
        lost = last[(when - last).dt.total_seconds() / 86400.0 >= inactive_days]
        lost_n = lost.dt.to_period("M").value_counts().reindex(months, fill_value=0).astype(float)
        judged = (when - months.end_time).total_seconds() / 86400.0 >= inactive_days
        frames["customers_lost"] = lost_n.where(judged)
        frames["transactions"] = tx.groupby(tx["date"].dt.to_period("M")).size().reindex(
            months, fill_value=0)
    rows = []
    for name in HARD_INDICES:
        if name not in frames:
            continue
        s = frames[name].reindex(months)
        rows.append(pd.DataFrame({"period": index, "index": name,
                                  "value": s.to_numpy(dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def xmr_chart(values: pd.DataFrame, *, index: str | None = None, lower_bound=0.0) -> pd.DataFrame:
    """Individuals (XmR) control chart: centre line and natural process limits.

    Limits are the mean plus and minus 2.66 times the mean moving range of
    consecutive points (2.66 = 3 / d2, d2 = 1.128 for ranges of two; Wheeler &
    Chambers, *Understanding Statistical Process Control*, ch. 9).

    Parameters
    ----------
    values : DataFrame
        ``period`` and ``value`` (and ``index`` when several series are stacked,
        as :func:`hard_indices` returns them).
    index : str, optional
        Which ``index`` to chart, when the table has that column.
    lower_bound : float or None, default 0
        Floor for the lower limit (counts and times cannot be negative); None
        keeps it as computed.

    Returns
    -------
    DataFrame
        The points with a value, in period order: ``period``, ``value``,
        ``moving_range`` (NaN for the first point), ``center``, ``ucl``, ``lcl``,
        ``signal`` (True beyond a limit). Empty when there are no values.
    """
    v = values
    if index is not None:
        if "index" not in v:
            raise ParameterError("index= needs a table with an 'index' column",
                                 parameter="index", value=index)
        known = sorted(v["index"].unique())
        if index not in known:
            raise ParameterError(f"index must be one of {known}; got {index!r}",
                                 parameter="index", allowed=tuple(known), value=index)
        v = v[v["index"] == index]
    _require(v, "values", ["period", "value"])
    v = v.dropna(subset=["value"]).sort_values("period")[["period", "value"]].reset_index(
        drop=True)
    mr = v["value"].diff().abs()
    center = v["value"].mean()
    mr_bar = mr.mean() if len(v) > 1 else np.nan
    ucl = center + 2.66 * mr_bar
    lcl = center - 2.66 * mr_bar
    if lower_bound is not None and not np.isnan(lcl):
        lcl = max(lcl, lower_bound)
    return v.assign(moving_range=mr, center=center, ucl=ucl, lcl=lcl,
                    signal=(v["value"] > ucl) | (v["value"] < lcl))


def p_chart(counts: pd.DataFrame, *, successes: str, trials: str,
            period: str = "period") -> pd.DataFrame:
    """Proportion (p) control chart with limits that follow each period's size.

    Centre p̄ = Σ successes / Σ trials; limits p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ), clipped
    to [0, 1] (Montgomery, *Introduction to Statistical Quality Control*, 7th
    ed., section 7.2).

    Parameters
    ----------
    counts : DataFrame
        One row per period with the two count columns, e.g. the result of
        :func:`complaint_metrics` with ``by="month"``, where a rate is
        ``fcr_rate`` over ``fcr_n``.
    successes : str
        Column with the count of successes, or a ``*_rate`` column whose
        matching ``*_n`` is given as ``trials``.
    trials : str
        Column with the number of trials.
    period : str, default "period"
        Column naming the period (``month`` in :func:`complaint_metrics`).

    Returns
    -------
    DataFrame
        Periods with at least one trial, in order: ``period``, ``trials``,
        ``successes``, ``p``, ``center``, ``ucl``, ``lcl``, ``signal``.
    """
    _require(counts, "counts", [period, successes, trials])
    n = pd.to_numeric(counts[trials], errors="coerce")
    x = pd.to_numeric(counts[successes], errors="coerce")
    if successes.endswith("_rate"):
        x = (x * n).round()
    df = pd.DataFrame({"period": counts[period].to_numpy(), "trials": n.to_numpy(),
                       "successes": x.to_numpy()})
    df = df[df["trials"] > 0].sort_values("period").reset_index(drop=True)
    p_bar = df["successes"].sum() / df["trials"].sum() if len(df) else np.nan
    sd = np.sqrt(p_bar * (1 - p_bar) / df["trials"])
    df["p"] = df["successes"] / df["trials"]
    df["center"] = p_bar
    df["ucl"] = np.minimum(p_bar + 3 * sd, 1.0)
    df["lcl"] = np.maximum(p_bar - 3 * sd, 0.0)
    df["signal"] = (df["p"] > df["ucl"]) | (df["p"] < df["lcl"])
    return df


def _encounter(tickets: pd.DataFrame) -> pd.Series:
    given = tickets["encounter"] if "encounter" in tickets else pd.Series(
        None, index=tickets.index, dtype=object)
    given = given.map(lambda v: v.replace(" ", "_") if isinstance(v, str) else None).astype(object)
    chan = tickets["channel"] if "channel" in tickets else pd.Series(None, index=tickets.index,
                                                                    dtype=object)
    derived = np.select(
        [chan.isin(_PHONE_WORDS).to_numpy(), chan.isin(_IN_PERSON_WORDS).to_numpy(),
         chan.notna().to_numpy()], ["phone", "in_person", "remote"], "unknown")
    valid = given.isin(ENCOUNTERS).to_numpy()
    return pd.Series(np.where(valid, given, derived), index=tickets.index, dtype=object)


def response_time_study(
    interactions: pd.DataFrame,
    *,
    closed_statuses=DEFAULT_CLOSED_STATUSES,
    reopened_statuses=DEFAULT_REOPENED_STATUSES,
    timezone: str | None = None,
    as_of=None,
    language: str = "es",
) -> pd.DataFrame:
    """Response, waiting and resolution times by type of service encounter.

    Source 001 distinguishes remote encounters (no person involved: web, app,
    ATM), phone encounters and in-person encounters, judged on different cues.
    The ``encounter`` column is used when present; otherwise it is derived from
    the channel (phone words -> ``phone``; store, branch, office, reception ->
    ``in_person``; any other channel -> ``remote``).

    Returns
    -------
    DataFrame
        One row per encounter type present (``remote``, ``phone``,
        ``in_person``, then ``unknown``): ``encounter``, ``encounter_label``
        (in ``language``), ``n_contacts``,
        ``response_mean_minutes``, ``response_median_minutes``,
        ``response_p90_minutes``, ``wait_mean_minutes``,
        ``wait_median_minutes``, ``resolution_median_hours``. Minutes are NaN
        when the table lacks ``response_minutes`` / ``wait_minutes``.
    """
    tickets = ticket_table(interactions, closed_statuses=closed_statuses,
                           reopened_statuses=reopened_statuses, timezone=timezone, as_of=as_of)
    tickets = tickets.assign(encounter=_encounter(tickets))
    for col in ("response_minutes", "wait_minutes"):
        if col not in tickets:
            tickets[col] = np.nan
    g = tickets.groupby("encounter")
    out = pd.DataFrame({
        "n_contacts": g.size(),
        "response_mean_minutes": g["response_minutes"].mean(),
        "response_median_minutes": g["response_minutes"].median(),
        "response_p90_minutes": g["response_minutes"].quantile(0.9),
        "wait_mean_minutes": g["wait_minutes"].mean(),
        "wait_median_minutes": g["wait_minutes"].median(),
        "resolution_median_hours": g["resolution_hours"].median(),
    })
    order = [e for e in (*ENCOUNTERS, "unknown") if e in out.index]
    out = out.reindex(order).rename_axis("encounter").reset_index()
    out.insert(1, "encounter_label", [t(f"interact.encounter.{e}", language)
                                      for e in out["encounter"]])
    return out


def last_contacts(
    interactions: pd.DataFrame,
    *,
    n: int = 3,
    customers=None,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Each customer's latest contacts over every channel, newest first.

    Whoever talks to a customer next can pick the conversation up where it was
    left, whatever channel it happened on (contact continuity).

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    n : int, default 3
        Contacts kept per customer.
    customers : list of str or DataFrame, optional
        Only these customers, in this order: a list of ids or a table with a
        ``customer_id`` column (such as :func:`valuable_complainers`).
    timezone, as_of
        See :func:`complaint_metrics`; contacts after ``as_of`` are ignored.

    Returns
    -------
    DataFrame
        ``customer_id``, ``order`` (1 = latest), ``opened_at``, ``days_ago``
        (from ``as_of``), ``channel``, ``kind``, ``category``, ``status``,
        ``is_closed``, ``n_channels`` (distinct channels among the customer's
        kept contacts). Customers by ``customers`` order, else by latest
        contact descending then ``customer_id``.
    """
    if not (isinstance(n, int) and n >= 1):
        raise ParameterError(f"n must be an integer >= 1; got {n!r}", parameter="n",
                             allowed=">= 1", value=n)
    tickets = ticket_table(interactions, timezone=timezone, as_of=as_of)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[tickets["customer_id"].notna() & (tickets["opened_at"] <= when)]
    for col in ("channel", "kind", "category"):
        if col not in tickets:
            tickets = tickets.assign(**{col: None})
    tickets = tickets.sort_values(["customer_id", "opened_at", "row"],
                                  ascending=[True, False, False])
    tickets = tickets.assign(order=tickets.groupby("customer_id").cumcount() + 1)
    kept = tickets[tickets["order"] <= n]
    kept = kept.assign(
        days_ago=(when - kept["opened_at"]).dt.total_seconds() / 86400.0,
        n_channels=kept.groupby("customer_id")["channel"].transform("nunique").astype(int))
    if customers is not None:
        wanted = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                      else customers)
        pos = {c: i for i, c in enumerate(wanted)}
        kept = kept[kept["customer_id"].isin(pos)]
        kept = kept.assign(_pos=kept["customer_id"].map(pos)).sort_values(["_pos", "order"])
    else:
        latest = kept.groupby("customer_id")["opened_at"].transform("max")
        kept = kept.assign(_latest=latest).sort_values(["_latest", "customer_id", "order"],
                                                       ascending=[False, True, True])
    return kept[["customer_id", "order", "opened_at", "days_ago", "channel", "kind", "category",
                 "status", "is_closed", "n_channels"]].reset_index(drop=True)


def contact_cost_by_segment(
    interactions: pd.DataFrame,
    customer_values: pd.DataFrame,
    *,
    cost_per_contact=None,
    period_days: float = 365,
    timezone: str | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Contact frequency and cost per segment, set against the segment's value.

    Source 004 asks to cut the cost of serving the least valuable customers and
    to spend the effort on the most valuable; this table shows where contacts
    and their cost go.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``; its ``cost`` column is used when present.
    customer_values : DataFrame
        ``customer_id``, ``value`` and ``segment`` (or ``pareto_class``, as in
        :func:`crmlib.differentiate.pareto_table`), for all customers, so that
        segments count customers who never made contact.
    cost_per_contact : float or dict, optional
        Cost of one contact, or ``{channel: cost}``, used where ``cost`` is
        missing. Without either, costs are NaN.
    period_days : float, default 365
        Only contacts opened in the period ending at ``as_of`` count.
    timezone, as_of
        See :func:`complaint_metrics`.

    Returns
    -------
    DataFrame
        One row per segment, by ``value`` descending: ``segment``,
        ``n_customers``, ``n_contacts``, ``contacts_per_customer``, ``cost``,
        ``cost_per_customer``, ``value``, ``value_per_customer``,
        ``cost_per_100_value`` (cost per 100 of value; NaN when value is not
        positive).
    """
    _check_positive("period_days", period_days)
    values = _values_table(customer_values)
    if "segment" not in values:
        raise DataError([DataProblem("customer_values", "segment", "is required but missing")])
    values = values.assign(segment=values["segment"].astype(object).where(
        values["segment"].notna(), "unknown"))
    tickets = ticket_table(interactions, timezone=timezone, as_of=as_of)
    when = _as_of(as_of, tickets["opened_at"], tickets["closed_at"])
    tickets = tickets[(tickets["opened_at"] <= when)
                      & (tickets["opened_at"] > when - pd.Timedelta(days=period_days))]
    cost = tickets["cost"] if "cost" in tickets else pd.Series(np.nan, index=tickets.index)
    if cost_per_contact is not None:
        if isinstance(cost_per_contact, dict):
            by_channel = {_norm_label(k): float(v) for k, v in cost_per_contact.items()}
            chan = tickets["channel"] if "channel" in tickets else pd.Series(
                None, index=tickets.index, dtype=object)
            fill = chan.map(by_channel)
        elif isinstance(cost_per_contact, (int, float)) and not isinstance(cost_per_contact,
                                                                           bool):
            fill = pd.Series(float(cost_per_contact), index=tickets.index)
        else:
            raise ParameterError(
                f"cost_per_contact must be a number or a {{channel: cost}} dict; got "
                f"{cost_per_contact!r}", parameter="cost_per_contact",
                allowed="float | dict", value=cost_per_contact)
        cost = cost.fillna(fill)
    tickets = tickets.assign(_cost=cost.astype(float))
    seg = tickets.merge(values[["customer_id", "segment"]], on="customer_id", how="inner")
    per_contact = seg.groupby("segment").agg(n_contacts=("row", "size"),
                                             cost=("_cost", lambda s: s.sum(min_count=1)))
    per_value = values.groupby("segment").agg(n_customers=("customer_id", "size"),
                                              value=("value", "sum"))
    out = per_value.join(per_contact, how="left").reset_index()
    out["n_contacts"] = out["n_contacts"].fillna(0).astype(int)
    out["contacts_per_customer"] = out["n_contacts"] / out["n_customers"]
    out["cost_per_customer"] = out["cost"] / out["n_customers"]
    out["value_per_customer"] = out["value"] / out["n_customers"]
    out["cost_per_100_value"] = 100.0 * out["cost"] / out["value"].where(out["value"] > 0)
    out = out.sort_values(["value", "segment"], ascending=[False, True])
    return out[["segment", "n_customers", "n_contacts", "contacts_per_customer", "cost",
                "cost_per_customer", "value", "value_per_customer",
                "cost_per_100_value"]].reset_index(drop=True)


def key_figures(metrics: pd.DataFrame) -> dict:
    """The key figures of an ungrouped :func:`complaint_metrics` row, as a plain dict.

    Keys: ``n_contacts``, ``n_open``, ``median_resolution_hours``,
    ``p90_resolution_hours``, ``fcr_rate``, ``recovery_rate``,
    ``n_problem_rows`` (floats, NaN where unknown; counts as int).
    """
    row = metrics.iloc[0]
    out = {}
    for key in ("n_contacts", "n_open", "n_problem_rows"):
        out[key] = int(row[key])
    for key in ("median_resolution_hours", "p90_resolution_hours", "fcr_rate",
                "recovery_rate"):
        out[key] = float(row[key])
    return out


_VIEW = ("n_contacts", "share", "n_open", "n_reopened", "median_resolution_hours",
         "p90_resolution_hours", "fcr_rate", "recovery_rate")


def metrics_view(metrics: pd.DataFrame) -> pd.DataFrame:
    """The columns of :func:`complaint_metrics` a reader needs first: the group
    columns, ``n_contacts``, ``share``, ``n_open``, ``n_reopened``,
    ``median_resolution_hours``, ``p90_resolution_hours``, ``fcr_rate``,
    ``recovery_rate``."""
    groups = [c for c in metrics.columns if c in _BY]
    return metrics[[*groups, *_VIEW]]


def lost_summary(lost: pd.DataFrame) -> dict:
    """Counts from :func:`lost_after_complaint`: ``n`` complainers, ``n_lost``,
    ``share_lost`` (NaN without complainers) and ``value_lost`` (sum of
    ``value_before`` of the lost ones)."""
    n = len(lost)
    n_lost = int(lost["lost"].sum())
    return {"n": n, "n_lost": n_lost, "share_lost": n_lost / n if n else float("nan"),
            "value_lost": float(lost.loc[lost["lost"], "value_before"].sum())}


def hard_indices_table(indices: pd.DataFrame, *, months: int = 12) -> pd.DataFrame:
    """The last ``months`` of :func:`hard_indices` side by side, for reading.

    Returns
    -------
    DataFrame
        One row per month (latest last): ``period`` (text ``YYYY-MM``) then
        one column per index, in the order of :data:`HARD_INDICES`.
    """
    if not (isinstance(months, int) and months >= 1):
        raise ParameterError(f"months must be an integer >= 1; got {months!r}",
                             parameter="months", allowed=">= 1", value=months)
    wide = indices.pivot(index="period", columns="index", values="value")
    wide = wide[[c for c in HARD_INDICES if c in wide.columns]].sort_index().tail(months)
    wide.columns.name = None
    wide.index = pd.DatetimeIndex(wide.index).strftime("%Y-%m")
    return wide.reset_index()


def headline(metrics: pd.DataFrame, language: str = "es", *,
             recovery_window_days: float = 30) -> str:
    """One sentence summing up an ungrouped :func:`complaint_metrics` row."""
    row = metrics.iloc[0]
    return t("interact.headline", language, n=int(row["n_contacts"]),
             fcr=_pct(row["fcr_rate"]), recovery=_pct(row["recovery_rate"]),
             median=_num(row["median_resolution_hours"]), days=int(recovery_window_days))


def _pct(x) -> str:
    return "-" if pd.isna(x) else f"{100 * float(x):.0f} %"


def _num(x) -> str:
    return "-" if pd.isna(x) else f"{float(x):.1f}"
