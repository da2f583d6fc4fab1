"""Typing the columns of a loaded frame and checking it against its contract.

Private to :mod:`crmlib.io`. :func:`_coerce` renames the client's headers to
canonical names, reads numbers (decimal convention decided once per file),
dates, yes/no flags and text (closed sets translated to their allowed values),
and gathers every problem, with the source-file lines, for one ``DataError``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crmlib.exceptions import DataProblem, ParameterError
from crmlib.io._columns import match_columns, norm, unrecognised
from crmlib.io._notes import Note, display
from crmlib.io._parse import (
    date_order_evidence,
    decimal_votes,
    detect_decimal,
    numeric_dates,
    parse_dates,
    parse_flags,
    parse_numbers,
)
from crmlib.schemas import TableSpec, check, table_spec

#: Headers of a first name and of a surname, as CRM contact lists split a person's name
#: (HubSpot, Salesforce and Zoho contacts; Spanish and Catalan lists).
FIRST_NAME = frozenset({"first_name", "firstname", "given_name", "nombre", "nom",
                        "person_first_name", "nombre_de_pila"})
LAST_NAME = frozenset({"last_name", "lastname", "surname", "family_name", "apellidos",
                       "apellido", "cognoms", "cognom", "person_last_name",
                       "primer_apellido"})


def _join_name(frame, headers, renames: dict, dropped, explicit: dict):
    """A customer list giving the first name and the surname apart: ``(name series,
    first-name position, surname position, positions used)``, else None.

    Taken when no header is mapped to ``name`` in ``column_map`` and either no header
    gives the name or the one that does is a first-name header (``Nombre`` beside
    ``Apellidos``). Each part is trimmed; a row with one part has that part alone.
    """
    if "name" in {v for v in explicit.values() if v}:
        return None
    free = [p for p in range(len(headers)) if p not in dropped
            and (p not in renames or renames[p] == "name")]
    first = [p for p in free if norm(headers[p]) in FIRST_NAME]
    last = [p for p in free if norm(headers[p]) in LAST_NAME and p not in renames]
    named = [p for p, c in renames.items() if c == "name"]
    if len(first) != 1 or len(last) != 1 or any(p not in first for p in named):
        return None

    def part(p):
        s = frame.iloc[:, p]
        return s.astype(object).where(s.notna(), "").astype(str).str.strip()

    series = (part(first[0]) + " " + part(last[0])).str.strip()
    return series, first[0], last[0], (first[0], last[0])


def _amount_note(table: str, decided: dict, file: str) -> Note:
    """The note saying which amount column was read, when the headers' wording chose it."""
    others = ", ".join(f"'{h}'" for h in decided["others"])
    if not decided["others"]:
        return Note("io.note.amount_with_vat", file=file, chosen=decided["chosen"])
    key = {("transactions", "net"): "io.note.amount_net",
           ("transactions", "plain"): "io.note.amount_not_gross",
           ("invoices", "gross"): "io.note.amount_invoice_gross"}.get(
        (table, decided["wording"]), "io.note.amount_chosen")
    return Note(key, file=file, chosen=decided["chosen"], others=others, table=table)


def _coerce(frame: pd.DataFrame, spec: TableSpec, explicit: dict, *, kind: str, name: str,
            header_line, options: dict, as_of: pd.Timestamp, info: dict):
    """Rename to canonical names, type every canonical column, check the contract."""
    table = spec.name
    raw_headers = frame.attrs.get("raw_headers") or [str(c) for c in frame.columns]
    info.setdefault("notes", []).extend(frame.attrs.get("notes", []))
    frame.attrs = {}
    if kind == "row":
        frame = frame.reset_index(drop=True)
    decided: list[dict] = []
    renames, dropped, problems = match_columns(raw_headers, spec, explicit,
                                               header_line=header_line, decided=decided)
    positions = {p: t for p, t in renames.items()}
    keep = [i for i in range(frame.shape[1]) if i not in dropped]
    cols = {}
    for i in keep:
        label = positions.get(i, str(frame.columns[i]))
        cols[label] = frame.iloc[:, i]
    file = display(name)
    notes = info.setdefault("notes", [])
    joined = _join_name(frame, raw_headers, renames, dropped, explicit) \
        if table == "customers" else None
    if joined is not None:
        series, first, last, used = joined
        for p in used:  # the parts give way to the name made of them
            cols.pop(renames.get(p, str(frame.columns[p])), None)
        cols["name"] = series
        positions = {**positions, **{p: "name" for p in used}}
        decided.append({"column": "name", "positions": list(used), "others": []})
        notes.append(Note("io.note.name_joined", file=file, first=raw_headers[first],
                          last=raw_headers[last]))
    canonical = [c.name for c in spec.columns if c.name in positions.values()]
    extras = [k for k in cols if k not in canonical]
    set_aside = {p for d in decided for p in d["positions"]}
    for d in decided:
        if d["column"] == "amount":
            notes.append(_amount_note(table, d, file))
    unknown = unrecognised(raw_headers, set(renames) | set_aside, set(dropped), spec,
                           set(canonical))
    for u in unknown:
        u["file"] = file
        if u["suggestion"]:
            notes.append(Note("io.note.unrecognised_suggest", file=file, header=u["header"],
                              table=table, suggestion=u["suggestion"]))
    unused = [u["header"] for u in unknown if not u["suggestion"]]
    if unused:
        notes.append(Note("io.note.unrecognised" if len(unused) > 1 else
                          "io.note.unrecognised_one", file=file, n=len(unused), table=table,
                          headers=", ".join(f"'{h}'" for h in unused)))
    info["unrecognised"] = unknown
    n = len(frame)
    conflicted = {p.column for p in problems}
    # a sales export with quantity and unit price but no line amount: amount = their product
    derive_amount = (table == "transactions" and "amount" not in canonical
                     and "amount" not in conflicted
                     and {"quantity", "unit_price"} <= set(canonical))
    sheets = ""
    if info.get("sheets"):
        sheets = (f"; the sheet {info['sheet']!r} was read (the workbook has "
                  f"{', '.join(repr(x) for x in info['sheets'])}): give another with sheet")
    for missing in [c for c in spec.required if c not in cols and c not in conflicted
                    and not (c == "amount" and derive_amount)]:
        found = ", ".join(repr(h) for h in raw_headers) or "none"
        where = f"header on line {header_line}" if header_line is not None else "columns"
        syn = table_spec(table).column(missing).synonyms[:4]
        hint = f"; also recognised: {', '.join(syn)}" if syn else ""
        close = [u["header"] for u in unknown if u["suggestion"] == missing]
        if close:
            hint = f"; did you mean {close[0]!r}?{hint}"
        if table == "transactions" and missing == "amount":
            have = [c for c in ("quantity", "unit_price") if c in canonical]
            hint += ("; or give both quantity and unit_price to work it out (found "
                     f"{' and '.join(have) or 'neither'})")
        problems.append(DataProblem(
            table, missing, f"is required but missing ({where}: {found}){hint}; map a header "
            "to it with column_map" + (", or give the line of the real header with header_row"
                                       if header_line is not None else "") + sheets, 0, 0, (),
            kind, name))
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
    orders = _date_orders(cols, [c.name for c in spec.columns
                                 if c.dtype == "datetime" and c.name in canonical],
                          options, table=table, file=file, notes=notes, problems=problems)
    for c in spec.columns:
        if c.name not in canonical:
            continue
        s = cols[c.name]
        raw = s.to_numpy(dtype=object)
        if c.dtype in ("float", "int"):
            if _is_text(s):
                typed = _typed_mask(s, (int, float, np.integer, np.floating))
                d, th = marks(c.name)
                cells = _text_cells(s)
                pct = cells.str.fullmatch(r"[^%]*\d[^%]*%").fillna(False).to_numpy(dtype=bool)
                points = c.le == 100 and (c.ge or 0) >= 0
                if pct.any() and points:
                    # a percentage-point column (importance points of 100): 25% is 25 points
                    cells = cells.where(~pct, cells.str.slice(0, -1).str.rstrip())
                    notes.append(Note("io.note.percent_points", file=file, column=c.name,
                                      n=int(pct.sum())))
                values, bad = parse_numbers(cells, decimal=d, thousands=th)
                if typed.any():
                    values[typed] = s[typed].astype(float).to_numpy()
                if pct.any() and not points:
                    report(c.name, "holds a percentage where a plain number is expected "
                           "(an amount or a count, not a share); write the number without %",
                           pct, raw)
                    bad = bad & ~pct
                    skip[c.name] = pct
                if bad.any():
                    report(c.name, "is not a number", bad, raw)
                    skip[c.name] = skip.get(c.name, np.zeros(n, bool)) | bad
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
            elif _is_text(s) or (pd.api.types.is_numeric_dtype(s)
                                 and not pd.api.types.is_bool_dtype(s)):
                typed = _typed_mask(s, (pd.Timestamp, dt.datetime))
                cells = _date_cells(s)
                epoch1904 = info.get("date_system") == 1904
                nvalues, handled, nbad, n_ymd, n_serial = numeric_dates(cells,
                                                                        epoch1904=epoch1904)
                values, bad, _ = parse_dates(cells.where(~handled), dayfirst=orders[c.name])
                values[handled] = nvalues[handled]
                bad = bad | nbad
                if n_ymd:
                    notes.append(Note("io.note.yyyymmdd", file=file, column=c.name, n=n_ymd))
                if n_serial:
                    notes.append(Note("io.note.excel_serial_1904" if epoch1904 else
                                      "io.note.excel_serial", file=file, column=c.name,
                                      n=n_serial))
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
    if derive_amount:
        qty, price = out["quantity"].to_numpy(), out["unit_price"].to_numpy()
        amount = qty * price
        empty = np.isnan(amount) & ~skip.get("quantity", np.zeros(n, bool)) \
            & ~skip.get("unit_price", np.zeros(n, bool))
        if empty.any():
            shown = np.array([f"quantity {_fmt(q)}, unit_price {_fmt(p)}"
                              for q, p in zip(qty, price)], dtype=object)
            report("amount", "is worked out as quantity x unit_price, and one of them is "
                   "empty; fill it in or give the line amount in the file", empty, shown)
        skip["amount"] = np.isnan(amount)
        out["amount"] = pd.Series(amount, index=index, dtype="float64")
        canonical = [c.name for c in spec.columns if c.name in out]
        notes.append(Note("io.note.amount_from_price", file=file, n=int((~empty).sum())))
    df = pd.DataFrame(out, index=index)
    df = df[[*canonical, *extras]]
    reported = {p.column for p in problems if p.column is not None and p.n_rows == 0}
    for p in check(df, table, location_kind=kind, source=name, skip=skip):
        if p.rule == "has no rows" or (p.rule.startswith("is required") and p.column in reported):
            continue
        problems.append(p)
    return df, problems


def _date_orders(cols: dict, columns: list[str], options: dict, *, table: str, file: str,
                 notes: list, problems: list) -> dict[str, bool | None]:
    """Day first (True) or month first (False) for each date column of one file.

    A ``date_order`` option (``"DMY"``/``"MDY"``, or ``{column or "*": ...}``)
    or ``dayfirst`` settles a column. Otherwise the whole file decides: a value
    with a first field above 12 in any date column proves day first for every
    column, one with a second field above 12 proves month first. Columns
    proving opposite orders are a problem (the user says which with
    ``date_order``). When nothing in the file tells, numeric dates are read
    day first and a note says so and how to change it.
    """
    setting = options.get("date_order")
    if isinstance(setting, str):
        setting = {"*": setting}
    setting = {k: str(v).upper() == "DMY" for k, v in (setting or {}).items()}
    dayfirst = options.get("dayfirst")
    orders: dict[str, bool | None] = {}
    proof: dict[str, tuple[bool, bool]] = {}
    for name in columns:
        if name in setting or "*" in setting:
            orders[name] = setting.get(name, setting.get("*"))
        elif dayfirst is not None:
            orders[name] = dayfirst
        else:
            s = cols[name]
            proof[name] = date_order_evidence(_text_cells(s)) if _is_text(s) else (False, False)
    dmy = [k for k, (d, m) in proof.items() if d and not m]
    mdy = [k for k, (d, m) in proof.items() if m and not d]
    if dmy and mdy:
        problems.append(DataProblem(
            table, None, f"has dates day first in {', '.join(dmy)} (a first field above 12) "
            f"and month first in {', '.join(mdy)} (a second field above 12); say which order "
            f"each column uses with date_order in dataset.yaml, e.g. date_order: "
            f"{{{table}.{mdy[0]}: MDY, {table}.{dmy[0]}: DMY}}"))
    found = True if dmy else (False if mdy else None)
    unsure = []
    for name, (d, m) in proof.items():
        if d and m:
            orders[name] = None  # the column contradicts itself: its bad values are reported
        elif found is not None:
            orders[name] = found
        else:
            orders[name] = True
            s = cols[name]
            if _is_text(s) and _has_numeric_dates(_text_cells(s)):
                unsure.append(name)
    if unsure:
        notes.append(Note("io.note.date_order", file=file, columns=", ".join(unsure),
                          table=table, column=unsure[0]))
    return orders


def _has_numeric_dates(s: pd.Series) -> bool:
    t = s.dropna()
    return bool(t.str.contains(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d", regex=True).any())


def _date_cells(s: pd.Series) -> pd.Series:
    """The cells of a date column as text: numbers (Excel number cells, integer columns of a
    frame) written as they read (``45366``, ``20240315``, ``45366.75``), dates left missing."""
    if _is_text(s) and s.dtype != object:
        return s.astype("str")
    def one(v):
        if isinstance(v, str):
            return v
        if isinstance(v, (bool, np.bool_)) or v is None or v is pd.NA:
            return None
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            if np.isnan(v):
                return None
            return str(int(v)) if float(v).is_integer() else repr(float(v))
        return None
    return pd.Series([one(v) for v in s.to_numpy(dtype=object)], index=s.index, dtype="str")


def _fmt(value) -> str:
    return "empty" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else f"{value:g}"


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
