"""One clean row per ticket: the table every interact function starts from.

:func:`ticket_table` decides from the status label (or the close date) whether
a ticket is closed, treats reopened tickets as open, measures resolution time
without ever returning a negative duration and labels the rows it cannot
measure, which :func:`ticket_problems` lists. The label normalisation and
input checks shared by the rest of the package live here too.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.interact._timestamps import (
    _as_of,
    _business_hours,
    _business_position,
    local_timestamps,
)

DEFAULT_CLOSED_STATUSES: tuple[str, ...] = (
    "closed", "resolved", "solved", "done", "completed",
    "cerrado", "cerrada", "resuelto", "resuelta", "finalizado", "finalizada",
    "solucionado", "solucionada", "completado", "completada", "atendido", "atendida",
)
DEFAULT_REOPENED_STATUSES: tuple[str, ...] = (
    "reopened", "re-opened", "reabierto", "reabierta", "re-abierto", "re-abierta",
)


def _norm_label(value) -> str | None:
    """Lower-case, accent-free, trimmed text; None for empty values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = " ".join(text.strip().lower().split())
    return text or None


def _written_form(s: pd.Series) -> pd.Series:
    """The client's own category names, one per :func:`_norm_label` key.

    Variants that differ only in case, accents or spacing ("Facturación",
    "facturacion ") become one category, written as the client writes it most
    often (the first seen on a tie), so a reader sees the client's words.
    """
    key = _norm_series(s)
    shown = s.where(key.notna()).map(lambda v: " ".join(str(v).split()) if isinstance(v, str)
                                     else (None if pd.isna(v) else str(v)))
    pairs = pd.DataFrame({"key": key, "shown": shown, "pos": np.arange(len(s))}).dropna()
    if pairs.empty:
        return key
    counts = pairs.groupby(["key", "shown"], sort=False)["pos"].agg(["size", "min"])
    counts = counts.reset_index().rename(columns={"size": "n", "min": "first"})
    best = counts.sort_values(["n", "first"], ascending=[False, True]).drop_duplicates("key")
    return key.map(dict(zip(best["key"], best["shown"]))).astype(object).where(key.notna(), None)


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


def _statuses(name: str, values) -> frozenset:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ParameterError(f"{name} must be a list of status labels; got {values!r}",
                             parameter=name, allowed="list of str", value=values)
    return frozenset(x for x in (_norm_label(v) for v in values) if x)


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
        (``kind`` and ``channel`` lower-cased and trimmed; ``category`` as the
        client writes it, variants in case, accents or spacing made one).
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
            if col == "category":
                out[col] = _written_form(s).to_numpy()
            elif col in ("kind", "channel", "encounter"):
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
