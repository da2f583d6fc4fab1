"""Loading canonical tables from files, frames and databases."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.io._parse import decimal_votes, detect_decimal, parse_dates, parse_flags, parse_numbers
from crmlib.io._text import load_grid, source_name
from crmlib.schemas import TableSpec, check, table_spec

OPTIONS = ("encoding", "sep", "decimal", "thousands", "dayfirst", "as_of", "sheet",
           "header_row", "query")
TEXT_EXTS = (".csv", ".txt", ".tsv", ".tab", ".dat")
EXCEL_EXTS = (".xlsx", ".xlsm")
PARQUET_EXTS = (".parquet", ".pq")
HEADER_SEARCH_ROWS = 30


def norm(text) -> str:
    """Header key: lower case, no accents, runs of other characters as one ``_``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


# --------------------------------------------------------------------------- column maps


def load_column_map(column_map, spec: TableSpec) -> dict[str, str | None]:
    """``{normalised client header: canonical name or None}`` from a dict or YAML file.

    A YAML file may hold the map itself or ``{table: map}``; so may a dict.
    Targets must be columns of the table (``None`` drops the column).
    """
    if column_map is None:
        return {}
    if isinstance(column_map, (str, Path)):
        path = Path(column_map)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ParameterError(f"column_map file not found: {path}", parameter="column_map",
                                 value=str(column_map)) from None
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise ParameterError(f"column_map file {path.name} is not valid YAML: {err}",
                                 parameter="column_map", value=str(column_map)) from None
        column_map = loaded or {}
    if not isinstance(column_map, dict):
        raise ParameterError("column_map must be a dict {client header: canonical name} or a "
                             f"YAML file holding one; got {type(column_map).__name__}",
                             parameter="column_map", value=column_map)
    if spec.name in column_map and isinstance(column_map[spec.name], dict):
        column_map = column_map[spec.name]
    names = [c.name for c in spec.columns]
    out: dict[str, str | None] = {}
    for header, target in column_map.items():
        if target is not None and target not in names:
            raise ParameterError(
                f"column_map maps {header!r} to {target!r}, which is not a column of "
                f"{spec.name}; allowed: {names}", parameter="column_map", allowed=tuple(names),
                value=target)
        out[norm(header)] = target
    return out


def _lookup(spec: TableSpec) -> dict[str, tuple[str, int]]:
    """``{normalised header: (canonical, rank)}``: rank 1 = canonical name, 2 = synonym."""
    table: dict[str, tuple[str, int]] = {}
    for c in spec.columns:
        table[norm(c.name)] = (c.name, 1)
    for c in spec.columns:
        for syn in c.synonyms:
            table.setdefault(norm(syn), (c.name, 2))
    return table


def header_score(cells, spec: TableSpec, explicit: dict) -> int:
    """How many distinct canonical columns a candidate header row names."""
    lookup = _lookup(spec)
    hits = set()
    for cell in cells:
        key = norm(cell)
        if not key:
            continue
        if explicit.get(key):
            hits.add(explicit[key])
        elif key in lookup:
            hits.add(lookup[key][0])
    return len(hits)


def match_columns(headers: list[str], spec: TableSpec, explicit: dict, *,
                  header_line) -> tuple[dict[int, str], list[int], list[DataProblem]]:
    """Decide the canonical name of each header position.

    Returns ``(renames {position: canonical}, dropped positions, problems)``.
    Priority: ``column_map``, then the canonical name itself, then synonyms.
    Two headers claiming the same column at the same priority is an error
    (the user settles it with ``column_map``); a header losing to a
    higher-priority one keeps its own name.
    """
    lookup = _lookup(spec)
    claims: dict[str, list[tuple[int, int]]] = {}
    dropped = []
    for pos, header in enumerate(headers):
        key = norm(header)
        if key in explicit:
            if explicit[key] is None:
                dropped.append(pos)
                continue
            claims.setdefault(explicit[key], []).append((0, pos))
        elif key in lookup:
            target, rank = lookup[key]
            claims.setdefault(target, []).append((rank, pos))
    renames: dict[int, str] = {}
    problems = []
    for target, items in claims.items():
        best = min(r for r, _ in items)
        top = [p for r, p in items if r == best]
        if len(top) > 1:
            shown = ", ".join(repr(headers[p]) for p in top)
            problems.append(DataProblem(
                spec.name, target, f"is given by {len(top)} headers ({shown}); say which one "
                "with column_map", 0, 0, ((header_line, headers[top[0]]),), "line"
                if header_line is not None else "row"))
            continue
        renames[top[0]] = target
        for r, p in items:
            if r != best and norm(headers[p]) == norm(target):
                problems.append(DataProblem(
                    spec.name, target, f"is given twice: by {headers[top[0]]!r} (column_map) "
                    f"and by the header {headers[p]!r}", 0, 0, ((header_line, headers[p]),),
                    "line" if header_line is not None else "row"))
    return renames, dropped, problems


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n} ({seen[n]})")
        else:
            seen[n] = 1
            out.append(n)
    return out


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
        file, an SQLAlchemy URL such as ``"sqlite:///sales.db"`` (with
        ``query``) or engine/connection, or a DataFrame already in memory.
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
        ``dayfirst`` True/False (detected per date column; day first when
        ambiguous); ``as_of`` (the date the data were extracted, default
        today: later dates are an error, except due dates); ``sheet`` (Excel
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
        ``decimal`` and ``header_line``.

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
    negatives.
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
        if suffix == ".xls":
            raise DataError([DataProblem(table, None, "is an old .xls workbook; save it as "
                                         ".xlsx or CSV")], source=name)
        if suffix in PARQUET_EXTS:
            frame, kind = _read_parquet(source, table, name), "row"
            info = {"format": "parquet"}
        else:
            grid, lines, info = load_grid(
                source, table=table, encoding=options.get("encoding"), sep=options.get("sep"),
                sheet=options.get("sheet"), kind="excel" if suffix in EXCEL_EXTS else "text")
            frame, header_line, problems = _frame_from_grid(grid, lines, spec, explicit,
                                                            options.get("header_row"), name)
            if problems:
                raise DataError(problems, source=name)
            kind = "line"
            info["header_line"] = header_line

    df, problems = _coerce(frame, spec, explicit, kind=kind, name=name, header_line=header_line,
                           options=options, as_of=as_of, info=info)
    if problems:
        raise DataError(problems, source=name)
    df = df.reset_index(drop=True)
    df.attrs = {"source": name, **info}
    return df


def _frame_from_grid(grid: pd.DataFrame, lines: np.ndarray, spec: TableSpec, explicit: dict,
                     header_row, name: str):
    """Split a grid into header and body; index the body by source line."""
    table = spec.name
    if grid.empty or grid.shape[1] == 0:
        return None, None, [DataProblem(table, None, "the file is empty (no header, no rows)",
                                        source=name)]
    if header_row is not None:
        pos = np.flatnonzero(lines == header_row)
        if not len(pos):
            return None, None, [DataProblem(
                table, None, f"header_row {header_row} is blank or beyond the end of the file",
                source=name)]
        h = int(pos[0])
    else:
        scores = [header_score(grid.iloc[i], spec, explicit)
                  for i in range(min(HEADER_SEARCH_ROWS, len(grid)))]
        best = max(scores)
        need = max(1, min(2, best))
        h = next((i for i, s in enumerate(scores) if s >= need), 0) if best else 0
    header_cells = [str(v) for v in grid.iloc[h]]
    while header_cells and header_cells[-1] == "":
        header_cells.pop()
    width = len(header_cells)
    body = grid.iloc[h + 1:]
    body_lines = lines[h + 1:]
    header_line = int(lines[h])
    problems = []
    if body.shape[1] > width and len(body):
        extra = body.iloc[:, width:]
        long_rows = (extra != "").any(axis=1).to_numpy()
        if long_rows.any():
            idx = np.flatnonzero(long_rows)
            ex = tuple((int(body_lines[i]), "|".join(str(v) for v in extra.iloc[i] if v != ""))
                       for i in idx[:3])
            problems.append(DataProblem(
                table, None, f"has rows with more fields than the header on line "
                f"{header_line} ({width})", int(long_rows.sum()), len(body), ex, "line", name))
    names = [c if c != "" else f"unnamed_{i + 1}" for i, c in enumerate(header_cells)]
    frame = body.iloc[:, :width].copy()
    frame.columns = _dedupe(names) if len(set(names)) < len(names) else names
    if len(set(names)) < len(names):
        # identical headers: keep both, the matcher sees the original text
        frame.attrs["raw_headers"] = names
    frame.index = pd.Index(body_lines.astype(np.int64), name="line")
    return frame, header_line, problems


def _coerce(frame: pd.DataFrame, spec: TableSpec, explicit: dict, *, kind: str, name: str,
            header_line, options: dict, as_of: pd.Timestamp, info: dict):
    """Rename to canonical names, type every canonical column, check the contract."""
    table = spec.name
    raw_headers = frame.attrs.get("raw_headers") or [str(c) for c in frame.columns]
    frame.attrs = {}
    if kind == "row":
        frame = frame.reset_index(drop=True)
    renames, dropped, problems = match_columns(raw_headers, spec, explicit,
                                               header_line=header_line)
    positions = {p: t for p, t in renames.items()}
    keep = [i for i in range(frame.shape[1]) if i not in dropped]
    cols = {}
    for i in keep:
        label = positions.get(i, str(frame.columns[i]))
        cols[label] = frame.iloc[:, i]
    canonical = [c.name for c in spec.columns if c.name in positions.values()]
    extras = [k for k in cols if k not in canonical]
    n = len(frame)
    conflicted = {p.column for p in problems}
    for missing in [c for c in spec.required if c not in cols and c not in conflicted]:
        found = ", ".join(repr(h) for h in raw_headers) or "none"
        where = f"header on line {header_line}" if header_line is not None else "columns"
        syn = table_spec(table).column(missing).synonyms[:4]
        hint = f"; also recognised: {', '.join(syn)}" if syn else ""
        problems.append(DataProblem(
            table, missing, f"is required but missing ({where}: {found}){hint}; map a header "
            "to it with column_map", 0, 0, (), kind, name))
    if n == 0 and not any(p.rule.startswith("is required") for p in problems):
        problems.append(DataProblem(table, None, "has no data rows" + (
            f" below the header on line {header_line}" if header_line is not None else ""),
            0, 0, (), kind, name))

    # decimal convention, decided once per file from all number columns
    numeric = [c for c in spec.columns if c.name in canonical and c.dtype in ("float", "int")]
    votes = {c.name: decimal_votes(_text_cells(cols[c.name])) for c in numeric
             if _is_text(cols[c.name])}
    forced = options.get("decimal")
    decimal = forced or (detect_decimal(list(votes.values()), sep=info.get("sep"))
                         if votes else ".")
    thousands = options.get("thousands")
    if thousands is not None and thousands == decimal:
        raise ParameterError(f"thousands and decimal must differ; both are {decimal!r}",
                             parameter="thousands", value=thousands)
    if votes:
        info["decimal"] = decimal

    def marks(column: str) -> tuple[str, str | None]:
        """Decimal and thousands marks for one column: the file's, unless the column's
        own values can only be read the other way."""
        d = decimal
        if forced is None and column in votes:
            comma, dot = votes[column]
            if d == "," and dot and not comma:
                d = "."
            elif d == "." and comma and not dot:
                d = ","
        th = thousands if thousands is not None else ("." if d == "," else ",")
        return d, (th or None)

    index = frame.index
    skip: dict[str, np.ndarray] = {}
    out: dict[str, pd.Series] = {}

    def report(column, rule, mask, values):
        idx = np.flatnonzero(mask)
        ex = tuple((_loc(index[i]), values[i]) for i in idx[:3])
        problems.append(DataProblem(table, column, rule, int(mask.sum()), n, ex, kind, name))

    end_of_day = as_of.normalize() + pd.Timedelta(days=1)
    for c in spec.columns:
        if c.name not in canonical:
            continue
        s = cols[c.name]
        raw = s.to_numpy(dtype=object)
        if c.dtype in ("float", "int"):
            if _is_text(s):
                typed = _typed_mask(s, (int, float, np.integer, np.floating))
                d, th = marks(c.name)
                values, bad = parse_numbers(_text_cells(s), decimal=d, thousands=th)
                if typed.any():
                    values[typed] = s[typed].astype(float).to_numpy()
                if bad.any():
                    report(c.name, "is not a number", bad, raw)
                    skip[c.name] = bad
            elif pd.api.types.is_bool_dtype(s):
                values = s.astype("float64").to_numpy()
            else:
                values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
            if c.dtype == "int":
                frac = ~np.isnan(values) & (values != np.round(values))
                if frac.any():
                    report(c.name, "is not a whole number", frac, raw)
                    skip[c.name] = skip.get(c.name, np.zeros(n, bool)) | frac
                    values = np.where(frac, np.nan, values)
                out[c.name] = pd.Series(pd.array(np.where(np.isnan(values), None, values),
                                                  dtype="Int64"), index=index)
            else:
                out[c.name] = pd.Series(values, index=index, dtype="float64")
        elif c.dtype == "datetime":
            if pd.api.types.is_datetime64_any_dtype(s):
                ser = s
                if getattr(ser.dt, "tz", None) is not None:
                    ser = ser.dt.tz_localize(None)
                values = ser.astype("datetime64[ns]").to_numpy()
            elif _is_text(s):
                typed = _typed_mask(s, (pd.Timestamp, dt.datetime))
                values, bad, _ = parse_dates(_text_cells(s), dayfirst=options.get("dayfirst"))
                if typed.any():
                    values[typed] = pd.to_datetime(s[typed]).astype("datetime64[ns]").to_numpy()
                if bad.any():
                    report(c.name, "is not a date (expected e.g. 2024-12-31 or 31/12/2024)",
                           bad, raw)
                    skip[c.name] = bad
            else:
                values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
                notna = s.notna().to_numpy()
                if notna.any():
                    report(c.name, f"is not a date (found {s.dtype} values)", notna, raw)
                    skip[c.name] = notna
            ser = pd.Series(values, index=index, dtype="datetime64[ns]")
            if not c.future_ok:
                future = (ser >= end_of_day).to_numpy()
                if future.any():
                    report(c.name, f"is in the future (after {as_of.date()}; set as_of if that "
                           "is right)", future, raw)
            out[c.name] = ser
        elif c.dtype == "bool":
            if pd.api.types.is_bool_dtype(s):
                out[c.name] = s.astype("boolean")
            else:
                flags, bad = parse_flags(s.astype("str") if not _is_text(s) else s)
                if bad.any():
                    report(c.name, "is not yes/no (expected si/no, 1/0, true/false, x)", bad, raw)
                    skip[c.name] = bad
                out[c.name] = flags
        else:
            out[c.name] = _text(s, c)
    for col in extras:
        out[col] = _text(cols[col], None)
    df = pd.DataFrame(out, index=index)
    df = df[[*canonical, *extras]]
    reported = {p.column for p in problems if p.column is not None and p.n_rows == 0}
    for p in check(df, table, location_kind=kind, source=name, skip=skip):
        if p.rule == "has no rows" or (p.rule.startswith("is required") and p.column in reported):
            continue
        problems.append(p)
    return df, problems


def _typed_mask(s: pd.Series, types) -> np.ndarray:
    """Cells of an object column that already hold a value of ``types`` (Excel cells)."""
    if s.dtype != object:
        return np.zeros(len(s), dtype=bool)
    return s.map(lambda v: isinstance(v, types) and not isinstance(v, bool)).to_numpy(dtype=bool)


def _text_cells(s: pd.Series) -> pd.Series:
    """The text cells of a column as ``str`` (typed cells of Excel sheets become missing)."""
    if s.dtype == object:
        s = s.where(s.map(lambda v: isinstance(v, str)), None)
    return s.astype("str")


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _loc(value):
    return int(value) if isinstance(value, (int, np.integer)) else value


def _text(s: pd.Series, column) -> pd.Series:
    """Text column: trimmed ``str``, empty as missing; closed sets normalised."""
    if pd.api.types.is_float_dtype(s):
        whole = s.dropna()
        if len(whole) and (whole == np.round(whole)).all() and (whole.abs() < 1e15).all():
            s = s.astype("Int64")
    if not _is_text(s):
        s = s.astype(object).where(s.notna())
        s = s.map(lambda v: v if v is None or isinstance(v, str) or v is pd.NA else str(v),
                  na_action="ignore")
    t = s.astype("str").str.strip()
    t = t.where(t != "")
    if column is not None and column.allowed is not None:
        key = t.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii") \
            .str.lower().str.strip().str.replace(r"\s+", " ", regex=True)
        aliases = {a: v for a, v in column.aliases}
        aliases.update({v: v for v in column.allowed})
        mapped = key.map(aliases)
        t = mapped.where(mapped.notna(), t.str.lower()).where(t.notna())
        t = t.astype("str")
    return t
