"""Loading canonical tables from files, frames and databases.

Private to :mod:`crmlib.io`: :func:`read_table` checks the read options, picks
the reader for the source (a DataFrame, an SQL database, a Parquet file, or a
text or Excel grid), and hands the frame on to be renamed, typed and
validated.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.io._coerce import _coerce
from crmlib.io._columns import _frame_from_grid, load_column_map, match_columns, unrecognised
from crmlib.io._events import LOG_COLUMNS, check_activity_map, events_to_interactions
from crmlib.io._notes import Note, display
from crmlib.io._text import load_grid, read_bytes, source_name
from crmlib.schemas import table_spec

OPTIONS = ("encoding", "sep", "decimal", "thousands", "dayfirst", "date_order", "as_of",
           "sheet", "header_row", "query", "activity_map")
#: Orders of day and month a ``date_order`` setting may name.
DATE_ORDERS = ("DMY", "MDY")
TEXT_EXTS = (".csv", ".txt", ".tsv", ".tab", ".dat")
EXCEL_EXTS = (".xlsx", ".xlsm")
PARQUET_EXTS = (".parquet", ".pq")
ARCHIVE_EXTS = (".gz", ".zip")
#: Largest file a ``.gz`` or ``.zip`` export may unpack to (a few kilobytes can unpack
#: to gigabytes of zeros; a real export this large is better read from Parquet or SQL).
MAX_UNPACKED_BYTES = 4 * 1024**3


# --------------------------------------------------------------------------- sources


def _is_url(source) -> bool:
    return isinstance(source, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) is not None


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - whatever sqlalchemy cannot parse is masked by hand
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _read_sql(source, table: str, query: str | None) -> tuple[pd.DataFrame, str]:
    try:
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a core dependency
        from crmlib.exceptions import MissingDependencyError
        raise MissingDependencyError("sqlalchemy", "dev", "Reading from a database") from None
    name = _safe_url(source) if isinstance(source, str) else type(source).__name__
    if query is None:
        query = f'SELECT * FROM "{table}"'
    if not isinstance(query, str) or not query.strip():
        raise ParameterError(f"query must be SQL text; got {query!r}", parameter="query",
                             value=query)
    try:
        if isinstance(source, str):
            engine = sa.create_engine(source)
            try:
                with engine.connect() as conn:
                    frame = pd.read_sql(sa.text(query), conn)
            finally:
                engine.dispose()
        else:
            frame = pd.read_sql(sa.text(query), source)
    except sa.exc.ArgumentError as err:
        raise ParameterError(f"source {name!r} is not a usable database URL ({err})",
                             parameter="source", value=name) from None
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError, ImportError) as err:
        cause = err.__cause__ if isinstance(err, pd.errors.DatabaseError) else err
        msg = str(getattr(cause, "orig", None) or cause or err).splitlines()[0]
        raise DataError([DataProblem(table, None, f"the query failed ({type(err).__name__}: "
                                     f"{msg})")], source=name) from None
    return frame, name


def _read_parquet(source, table: str, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(source)
    except FileNotFoundError:
        raise DataError([DataProblem(table, None, f"file not found: {name}")],
                        source=name) from None
    except ImportError as err:  # pragma: no cover - pyarrow is a core dependency
        from crmlib.exceptions import MissingDependencyError
        raise MissingDependencyError("pyarrow", "dev", "Reading .parquet files") from err
    except Exception as err:  # noqa: BLE001 - pyarrow raises its own classes on corrupt files
        raise DataError([DataProblem(table, None, f"is not a readable Parquet file "
                                     f"({type(err).__name__}: {str(err).splitlines()[0]})")],
                        source=name) from None


def _too_big() -> str:
    return (f"unpacks to more than {MAX_UNPACKED_BYTES / 1024**3:g} GB (or claims to); send "
            "the file unpacked, split it, or give it as Parquet")


def _unpack(source, table: str, name: str):
    """The table file inside a ``.gz`` or ``.zip`` source.

    Returns ``(file object named after the archive and the file inside, suffix
    of that file, note or None)``. A zip must hold one table file (macOS
    ``__MACOSX`` entries, hidden files and folders do not count); with several
    it is refused, naming them.
    """
    import gzip
    import zipfile
    import zlib

    data = read_bytes(source, table=table)
    outer = Path(name)
    if outer.suffix.lower() == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                raw = gz.read(MAX_UNPACKED_BYTES + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise DataError([DataProblem(table, None, f"is not a readable gzip file ({err}); "
                                         "compress it again or send the CSV itself")],
                            source=name) from None
        if len(raw) > MAX_UNPACKED_BYTES:
            raise DataError([DataProblem(table, None, _too_big())], source=name)
        inner = outer.stem
        buf = io.BytesIO(raw)
        buf.name = name
        return buf, Path(inner).suffix.lower(), None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise DataError([DataProblem(table, None, f"is not a readable zip file ({err})")],
                        source=name) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()
                   and not m.filename.startswith("__MACOSX/")
                   and not Path(m.filename).name.startswith((".", "~$"))]
        known = TEXT_EXTS + EXCEL_EXTS + PARQUET_EXTS + (".xls",)
        tables = [m for m in members if Path(m.filename).suffix.lower() in known] or members
        if not tables:
            raise DataError([DataProblem(table, None, "is a zip file with no file inside")],
                            source=name)
        if len(tables) > 1:
            shown = ", ".join(m.filename for m in tables)
            raise DataError([DataProblem(
                table, None, f"is a zip file holding {len(tables)} files ({shown}); it must "
                f"hold one: unzip it and keep the one with the {table}, or name the others "
                "apart")], source=name)
        member = tables[0]
        if member.file_size > MAX_UNPACKED_BYTES:
            raise DataError([DataProblem(table, None, _too_big())], source=name)
        try:
            raw = archive.read(member)
        except RuntimeError as err:  # encrypted members
            raise DataError([DataProblem(table, None, f"cannot be unzipped ({err}); send "
                                         "it without a password")], source=name) from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
            raise DataError([DataProblem(table, None, f"is a damaged zip file ({err})")],
                            source=name) from None
    buf = io.BytesIO(raw)
    buf.name = f"{name} ({member.filename})"
    note = Note("io.note.zip_member", file=display(name), member=member.filename)
    return buf, Path(member.filename).suffix.lower(), note


# --------------------------------------------------------------------------- event logs


def _events_explicit(explicit: dict) -> dict:
    """The part of a column map that names columns of a ticket event log."""
    names = {c.name for c in table_spec("interaction_events").columns}
    return {k: v for k, v in explicit.items() if v is None or v in names}


def _event_log_frame(grid, lines, explicit: dict, options: dict, name: str):
    """``(frame, header line)`` when the grid is a ticket event log, else None."""
    spec = table_spec("interaction_events")
    frame, header_line, problems = _frame_from_grid(grid, lines, spec, _events_explicit(explicit),
                                                    options.get("header_row"), name)
    if problems or frame is None or not _is_event_log(frame, explicit):
        return None
    return frame, header_line


def _is_event_log(frame: pd.DataFrame, explicit: dict) -> bool:
    """Whether the headers name a case id, an activity and a timestamp, no closing time,
    and some case has several rows (a file with one row per case is a plain table)."""
    headers = frame.attrs.get("raw_headers") or [str(c) for c in frame.columns]
    events, _, _ = match_columns(headers, table_spec("interaction_events"),
                                 _events_explicit(explicit), header_line=None)
    plain, _, _ = match_columns(headers, table_spec("interactions"), explicit,
                                header_line=None)
    if not set(LOG_COLUMNS) <= set(events.values()) or "closed_at" in plain.values():
        return False
    case = next(p for p, c in events.items() if c == "case_id")
    ids = frame.iloc[:, case]
    ids = ids[ids.notna() & (ids.astype("str").str.strip() != "")]
    return bool(ids.duplicated().any())


def _read_event_log(frame, explicit, *, kind, name, header_line, options, as_of, info):
    """Type a ticket event log and turn it into one row per case."""
    spec = table_spec("interaction_events")
    activity_map = check_activity_map(options.get("activity_map"))
    events, problems = _coerce(frame, spec, _events_explicit(explicit), kind=kind, name=name,
                               header_line=header_line, options=options, as_of=as_of,
                               info=info)
    if problems:
        raise DataError(problems, source=name)
    out, notes = events_to_interactions(events, activity_map, file=display(name))
    info["notes"] = [*notes, *info.get("notes", [])]
    info["event_log"] = True
    return out


def unrecognised_headers(source, table: str, *, column_map=None, **options) -> list[dict]:
    """Headers of a file that name no column of ``table``, read from the header alone.

    As ``attrs["unrecognised"]`` of :func:`read_table` (``header``,
    ``suggestion``, ``file``), but without typing or checking the rows, so a
    file with bad data still gets its headers listed. A ticket event log
    read as ``interactions`` is matched against the log's columns.
    """
    spec = table_spec(table)
    _check_options(options)
    explicit = load_column_map(column_map, spec)
    name = source_name(source)
    suffix = Path(name).suffix.lower()
    if suffix in ARCHIVE_EXTS:
        source, suffix, _ = _unpack(source, table, name)
        name = source.name
    if suffix == ".xls":
        return []
    if suffix in PARQUET_EXTS:
        frame = _read_parquet(source, table, name).iloc[:0]
    else:
        grid, lines, _ = load_grid(source, table=table, encoding=options.get("encoding"),
                                   sep=options.get("sep"), sheet=options.get("sheet"),
                                   kind="excel" if suffix in EXCEL_EXTS else "text")
        log = _event_log_frame(grid, lines, explicit, options, name) \
            if table == "interactions" else None
        if log is not None:
            frame = log[0]
        else:
            frame, _, _ = _frame_from_grid(grid, lines, spec, explicit, options.get("header_row"),
                                           name)
            if frame is None:
                return []
    if table == "interactions" and _is_event_log(frame, explicit):
        spec, explicit = table_spec("interaction_events"), _events_explicit(explicit)
    headers = frame.attrs.get("raw_headers") or [str(c) for c in frame.columns]
    decided: list[dict] = []
    renames, dropped, _ = match_columns(headers, spec, explicit, header_line=None,
                                        decided=decided)
    set_aside = {p for d in decided for p in d["positions"]}
    found = unrecognised(headers, set(renames) | set_aside, set(dropped), spec,
                         set(renames.values()))
    return [{**u, "file": display(name)} for u in found]


# --------------------------------------------------------------------------- main


def _as_of(value) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp(dt.date.today())
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = None
    if ts is None or ts is pd.NaT:
        raise ParameterError(f"as_of must be a date such as '2024-12-31'; got {value!r}",
                             parameter="as_of", value=value)
    return ts.tz_localize(None) if ts.tzinfo else ts


def _check_options(options: dict) -> None:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ParameterError(f"unknown read option(s) {unknown}; allowed: {list(OPTIONS)}",
                             parameter=unknown[0], allowed=OPTIONS, value=unknown)
    if options.get("decimal") not in (None, ".", ","):
        raise ParameterError(f"decimal must be '.' or ','; got {options['decimal']!r}",
                             parameter="decimal", allowed=(".", ","), value=options["decimal"])
    if options.get("thousands") not in (None, "", ".", ",", " ", "'"):
        raise ParameterError("thousands must be one of '', '.', ',', ' ', \"'\"; got "
                             f"{options['thousands']!r}", parameter="thousands",
                             value=options["thousands"])
    if options.get("dayfirst") not in (None, True, False):
        raise ParameterError(f"dayfirst must be True, False or None; got {options['dayfirst']!r}",
                             parameter="dayfirst", allowed=(True, False, None),
                             value=options["dayfirst"])
    order = options.get("date_order")
    if order is not None:
        values = order.values() if isinstance(order, dict) else [order]
        if not all(isinstance(v, str) and v.upper() in DATE_ORDERS for v in values):
            raise ParameterError("date_order must be 'DMY' (day first) or 'MDY' (month first), "
                                 "or {date column: 'DMY'|'MDY'}; got " f"{order!r}",
                                 parameter="date_order", allowed=DATE_ORDERS, value=order)
    check_activity_map(options.get("activity_map"))
    hr = options.get("header_row")
    if hr is not None and (isinstance(hr, bool) or not isinstance(hr, int) or hr < 1):
        raise ParameterError(f"header_row must be a line number (1 = first line); got {hr!r}",
                             parameter="header_row", value=hr)


def read_table(source, table: str, *, column_map=None, **options) -> pd.DataFrame:
    """Read one canonical table from a file, a DataFrame or a database, and validate it.

    Parameters
    ----------
    source : str, path, file object, DataFrame or SQLAlchemy engine
        A CSV/text file (``.csv``, ``.txt``, ``.tsv``; any other extension is
        read as text too), an Excel workbook (``.xlsx``/``.xlsm``), a Parquet
        file, any of these gzipped (``.csv.gz``) or alone in a ``.zip``, an
        SQLAlchemy URL such as ``"sqlite:///sales.db"`` (with ``query``) or
        engine/connection, or a DataFrame already in memory. Old ``.xls``
        workbooks are refused with the advice to save them as ``.xlsx`` or
        CSV. Text may be UTF-8, Windows-1252/Latin-1 or UTF-16 (with or
        without byte-order mark). Excel sheets are read from their real cells
        whatever size they claim; without ``sheet``, the first sheet holding a
        header of the table is used; vertically merged cells are filled down;
        formulas saved without their results are refused.
    table : str
        Canonical table name: ``customers``, ``transactions``,
        ``interactions``, ``invoices``, ``servqual_responses``,
        ``servqual_respondents`` or ``readiness_responses``.
    column_map : dict or path, optional
        ``{client header: canonical name}`` (``None`` as the name drops the
        column), or a YAML file holding it (optionally under the table's name).
        Client headers are matched ignoring accents, case, spaces and
        punctuation. Without a map, each column's canonical name and its
        Spanish/English synonyms (:func:`crmlib.schemas.describe`) are
        recognised. Unmapped extra columns are kept, as text.
    **options
        ``encoding`` (detected: BOM, UTF-8, else Windows-1252/Latin-1);
        ``sep`` (detected among ``,`` ``;`` tab ``|``);
        ``decimal`` ``"."``/``","`` and ``thousands`` (detected per file);
        ``dayfirst`` True/False for every date column, or ``date_order``
        ``"DMY"``/``"MDY"`` or ``{date column: "DMY"|"MDY"}`` (by default the
        whole file decides: a first field above 12 in any date column proves
        day first, a second field above 12 month first; when nothing proves
        either, day first, with a note); ``as_of`` (the date the data were extracted, default
        today: later dates are an error, except due dates); ``activity_map``
        (ticket event logs, see Notes); ``sheet`` (Excel
        sheet name or position); ``header_row`` (line of the header; by
        default the first of the first 30 lines naming at least two of the
        table's columns, or the best such line); ``query`` (SQL; without it
        a database source reads the whole table named ``table``).

    Returns
    -------
    DataFrame
        One row per record, a fresh ``RangeIndex``. The table's canonical
        columns that are present come first, in contract order (see
        :func:`crmlib.schemas.describe` for each column's meaning), typed:
        text as ``str`` (trimmed; empty = missing), numbers as ``float64``,
        timestamps as naive ``datetime64[ns]``, flags as ``boolean``; values of
        closed-set columns lower-cased and translated (``queja`` ->
        ``complaint``). Then the extra columns, as text. ``attrs`` holds
        ``source``, ``format`` and, for text files, ``encoding``, ``sep``,
        ``decimal`` and ``header_line``; and always:

        - ``notes``: a list of :class:`~crmlib.io.Note` (plain English
          sentences, ``str``; :func:`~crmlib.io.read_notes` gives them in
          Spanish or English), one per choice the loader made that the file
          left open: a header it does not know, the order of day and month,
          the meaning of numbers in a date column, an amount worked out, cells
          filled down, the sheet used. Empty when nothing was open.
        - ``unrecognised``: one dict per header that names no column of the
          table (kept as a text column): ``header``, ``suggestion`` (the
          closest canonical column, or None) and ``file``.

    Raises
    ------
    DataError
        Listing every problem found, each naming the table, the column, the
        rule and the offending source-file lines (text and Excel files:
        the physical line or sheet row, header and blank lines counted) or
        0-based rows (frames, Parquet and SQL): unreadable or empty file, a
        required column missing, a column given by two headers, text in a
        number column, an unparseable or future date, a value outside the
        allowed set or bounds (negative invoice amounts), duplicate ids,
        dates out of order, rows longer than the header.
    ParameterError
        Unknown table, option or column-map target.

    Notes
    -----
    Missing values: in number, date and flag columns an empty cell and the
    tokens ``NA``, ``N/A``, ``-``, ``null``, ``None``, ``#N/A``, ``s/d`` are
    missing (then rejected where the column may not be empty); in text
    columns only an empty cell is, since ``NA`` may be a real code.
    Amounts may carry currency symbols or codes (``$ 1.234,50``,
    ``1 234,50 €``), accounting parentheses or a trailing minus for
    negatives. ``25%`` is read as 25 in a column of points out of 100 (with
    a note) and refused in any other number column. A sales file with
    ``quantity`` and ``unit_price`` but no amount gets ``amount = quantity x
    unit_price`` (with a note).

    Dates: ISO, numeric day/month or month/day (the order decided from the
    whole file, see ``date_order``), month names in Spanish or English,
    eight-digit ``20240315`` (year, month, day) and Excel serial numbers
    (``45366`` = 2024-03-15; days from 1904-01-01 for workbooks saved in the
    1904 date system); each reading other than the plain one is said in
    ``attrs["notes"]``.

    Ticket event logs: an ``interactions`` file whose headers name a case id,
    an activity and a timestamp (the ``interaction_events`` contract), no
    closing time, and some case on several rows is read as one row per case: ``opened_at`` the first event,
    ``closed_at`` the last closing activity not followed by a reopening,
    ``contacts_to_resolve`` the opening and the customer-contact events up to
    the close (at least 1), ``status`` the last activity as written, and
    ``customer_id``, ``channel``, ``kind``, ``category`` the case's first
    non-empty value. Activities are given roles (``open``, ``contact``,
    ``close``, ``reopen``, ``other``) ignoring case and accents, from a
    built-in list in Spanish and English (``abierto``/``opened``,
    ``llamada``/``customer contact``, ``cerrado``/``resolved``,
    ``reabierto``/``reopened``, ``asignado``/``assigned`` ...) that the
    option ``activity_map={"close": ["Solucionado por agente"], ...}`` (or
    ``tables: {interactions: {activity_map: ...}}`` in ``dataset.yaml``)
    extends and overrides; activities with no role are named in a note.
    """
    spec = table_spec(table)
    _check_options(options)
    explicit = load_column_map(column_map, spec)
    as_of = _as_of(options.get("as_of"))
    query = options.get("query")

    header_line = None
    info: dict = {}
    if isinstance(source, pd.DataFrame):
        frame, name, kind = source.copy(), "DataFrame", "row"
        info = {"format": "frame"}
    elif _is_url(source) or type(source).__module__.startswith("sqlalchemy"):
        frame, name = _read_sql(source, table, query)
        kind = "row"
        info = {"format": "sql"}
    else:
        name = source_name(source)
        suffix = Path(name).suffix.lower()
        if query is not None:
            raise ParameterError("query is only for database sources (an SQLAlchemy URL); "
                                 f"source is {name!r}", parameter="query", value=query)
        if suffix in ARCHIVE_EXTS:
            source, suffix, note = _unpack(source, table, name)
            name = source.name
            if note is not None:
                info["notes"] = [note]
        if suffix == ".xls":
            raise DataError([DataProblem(table, None, "is an old .xls workbook, which is not "
                                         "read; open it in Excel or LibreOffice and save it as "
                                         ".xlsx or CSV")], source=name)
        if suffix in PARQUET_EXTS:
            frame, kind = _read_parquet(source, table, name), "row"
            info["format"] = "parquet"
        else:
            grid, lines, grid_info = load_grid(
                source, table=table, encoding=options.get("encoding"), sep=options.get("sep"),
                sheet=options.get("sheet"), kind="excel" if suffix in EXCEL_EXTS else "text")
            info = {**grid_info, "notes": info.get("notes", []) + grid_info.get("notes", [])}
            log = _event_log_frame(grid, lines, explicit, options, name) \
                if table == "interactions" else None
            if log is not None:
                frame, header_line = log
            else:
                frame, header_line, problems = _frame_from_grid(grid, lines, spec, explicit,
                                                                options.get("header_row"), name)
                if problems:
                    raise DataError(problems, source=name)
            kind = "line"
            info["header_line"] = header_line

    log_unknown = None
    if table == "interactions" and _is_event_log(frame, explicit):
        frame = _read_event_log(frame, explicit, kind=kind, name=name, header_line=header_line,
                                options=options, as_of=as_of, info=info)
        kind, header_line = "row", None
        log_unknown = info.get("unrecognised", [])
    df, problems = _coerce(frame, spec, explicit, kind=kind, name=name, header_line=header_line,
                           options=options, as_of=as_of, info=info)
    if log_unknown is not None:
        info["unrecognised"] = log_unknown
    if problems:
        raise DataError(problems, source=name)
    df = df.reset_index(drop=True)
    info.setdefault("notes", [])
    info.setdefault("unrecognised", [])
    df.attrs = {"source": name, **info}
    return df
