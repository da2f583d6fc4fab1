"""Turning a delimited text file into a grid of strings, keeping source lines.

Everything here is private to :mod:`crmlib.io`. The grid is a DataFrame of
``str`` cells (never NaN: an empty cell is ``""``) with integer column labels,
plus an array giving, for each grid row, the 1-based physical line of the file
where that record starts. Blank lines become all-empty rows, so the caller
decides what to drop while keeping line numbers right.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

SEPARATORS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"\n]*"')
_EXPECTED = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")
_ERRORS = "crmlib-cp1252-fallback"


def _cp1252_fallback(err: UnicodeDecodeError):
    bad = err.object[err.start:err.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", "") or "\ufffd", err.end


codecs.register_error(_ERRORS, _cp1252_fallback)


def source_name(source) -> str:
    """A short printable name for a path, file object or URL."""
    if isinstance(source, (str, Path)):
        return str(source)
    return str(getattr(source, "name", None) or type(source).__name__)


def read_bytes(source, *, table: str) -> bytes:
    """The raw bytes of a path or binary/text file object; DataError if unreadable."""
    name = source_name(source)
    try:
        if isinstance(source, (str, Path)):
            return Path(source).read_bytes()
        data = source.read()
    except FileNotFoundError:
        raise DataError([DataProblem(table, None, f"file not found: {name}")],
                        source=name) from None
    except (OSError, AttributeError) as err:
        raise DataError([DataProblem(table, None, f"cannot read the file ({err})")],
                        source=name) from None
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


def decode(data: bytes, *, encoding: str | None, table: str, name: str) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding used)``.

    Without ``encoding``: a byte-order mark decides (UTF-8/UTF-16); otherwise
    strict UTF-8 is tried, then Windows-1252 (Excel's default on Spanish
    Windows), then Latin-1, which accepts any byte. Text with NUL characters is
    refused as binary. Line ends are normalised to ``\\n``. A file that is
    mostly UTF-8 but holds a few single-byte characters (two exports glued
    together) keeps its UTF-8 and reads the stray bytes as Windows-1252
    (reported as ``"utf-8+cp1252"``).
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParameterError(f"encoding {encoding!r} is not a known text encoding",
                                 parameter="encoding", value=encoding) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            raise DataError([DataProblem(
                table, None, f"is not valid {encoding} text (byte {err.start}); "
                "leave encoding unset to detect it")], source=name) from None
        used = encoding
    elif data.startswith(codecs.BOM_UTF8):
        text, used = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, used = data.decode("utf-16", errors="replace"), "utf-16"
    elif (wide := _utf16_without_bom(data)) is not None:
        text, used = data.decode(wide, errors="replace"), wide
    else:
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if _UTF8_MULTIBYTE.search(data):
                # real UTF-8 text with some stray single-byte characters (files glued
                # together from two systems): keep the UTF-8, read the rest as cp1252
                text, used = data.decode("utf-8", errors=_ERRORS), "utf-8+cp1252"
            else:
                try:
                    text, used = data.decode("cp1252"), "cp1252"
                except UnicodeDecodeError:
                    text, used = data.decode("latin-1"), "latin-1"
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        _refuse_nul(text, table=table, name=name)
    return text, used


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``data`` looks like UTF-16 text without a
    byte-order mark (a zero byte in every other position, as ASCII text in UTF-16 has),
    else None."""
    head = data[:4000]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for enc, wide, narrow in (("utf-16-le", zeros_odd, zeros_even),
                              ("utf-16-be", zeros_even, zeros_odd)):
        if wide > 0.4 and narrow < 0.05:
            try:
                data[: len(data) - len(data) % 2].decode(enc)
            except UnicodeDecodeError:
                return None
            return enc
    return None


def _refuse_nul(text: str, *, table: str, name: str) -> None:
    """Refuse text holding NUL characters: a few name their lines, many mean binary data."""
    n = text.count("\x00")
    lines = text.split("\n")
    texty = len(lines) > 2 and any(sep in lines[0] for sep in SEPARATORS)
    if n > 20 or not texty:
        raise DataError([DataProblem(table, None, "is not a text file (it holds binary data); "
                                     "save it as CSV, .xlsx or .parquet")], source=name)
    lines = [k for k, ln in enumerate(lines, start=1) if "\x00" in ln]
    raise DataError([DataProblem(
        table, None, "holds a NUL character (a zero byte, which no text export writes: the "
        "file was damaged in copying or glued from a binary file); remove it in a text editor "
        "or export the file again", len(lines), text.count("\n") + 1,
        tuple((k, "NUL") for k in lines[:3]), "line", name)], source=name)


def sniff_separator(text: str, *, max_lines: int = 60) -> str:
    """Pick the separator among ``, ; tab |`` from the first non-blank lines.

    Quoted stretches are ignored. The winner is the character whose count per
    line is the same on the most lines (ties: the larger count, then the order
    ``, ; tab |``). A file with one column gets ``,``.
    """
    lines = [ln for ln in text.split("\n", max_lines + 50)[: max_lines + 50] if ln.strip()]
    lines = [_QUOTED.sub("", ln) for ln in lines[:max_lines]]
    best, best_key = ",", (0, 0)
    for sep in SEPARATORS:
        counts = [ln.count(sep) for ln in lines]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        values, freq = np.unique(positive, return_counts=True)
        mode = int(values[np.argmax(freq)])
        key = (int(freq.max()), mode)
        if key > best_key:
            best, best_key = sep, key
    return best


def text_grid(text: str, *, sep: str, table: str, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse ``text`` into a grid of strings and the source line of every row."""
    if sep not in SEPARATORS and len(sep) != 1:
        raise ParameterError(f"sep must be one character such as {list(SEPARATORS)}; got {sep!r}",
                             parameter="sep", allowed=SEPARATORS, value=sep)
    head = text[:200_000].split("\n")[:-1] or [text]
    width = max((ln.count(sep) for ln in head), default=0) + 1
    grid = None
    full_width = False
    for _ in range(6):
        try:
            grid = pd.read_csv(
                io.StringIO(text), sep=sep, header=None, names=range(width), dtype=str,
                keep_default_na=False, na_filter=False, skip_blank_lines=False,
                quoting=csv.QUOTE_MINIMAL, engine="c", index_col=False,
            )
            break
        except pd.errors.ParserError as err:
            m = _EXPECTED.search(str(err))
            if m and not full_width:
                # a longer row further down: size the grid for the longest line at once
                full_width = True
                width = max(width, int(m.group(1)),
                            max((ln.count(sep) for ln in text.split("\n")), default=0) + 1)
                continue
            if not m or int(m.group(1)) <= width:
                raise DataError([DataProblem(table, None, f"cannot be read as delimited text "
                                             f"({str(err).strip()})")], source=name) from None
            width = int(m.group(1))
        except (ValueError, TypeError, MemoryError, UnicodeError, OverflowError) as err:
            raise DataError([DataProblem(table, None, f"cannot be read as delimited text "
                                         f"({type(err).__name__}: {err})")],
                            source=name) from None
    if grid is None:
        raise DataError([DataProblem(table, None, "cannot be read as delimited text "
                                     "(inconsistent number of fields)")], source=name)
    grid = grid.fillna("")
    # Physical line of each record: 1 + record number + newlines inside earlier quoted cells.
    starts = np.arange(1, len(grid) + 1)
    if '"' in text and len(grid):
        inner = np.zeros(len(grid), dtype=np.int64)
        for col in grid.columns:
            s = grid[col]
            if s.str.contains("\n", regex=False).any():
                inner += s.str.count("\n").to_numpy(dtype=np.int64)
        if inner.any():
            starts = starts + np.concatenate([[0], np.cumsum(inner)[:-1]])
    return grid, starts


def strip_grid(grid: pd.DataFrame) -> pd.DataFrame:
    """Trim surrounding whitespace (including no-break spaces) in every cell."""
    out = {}
    for col in grid.columns:
        s = grid[col]
        if s.dtype == object:
            s = s.map(lambda v: v.strip().strip("\u00a0\u202f\u2007") if isinstance(v, str)
                      else v)
        elif pd.api.types.is_string_dtype(s):
            s = s.str.strip().str.strip("\u00a0\u202f\u2007")
        out[col] = s
    return pd.DataFrame(out, index=grid.index)


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _excel_cell(v):
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.datetime, dt.date)):
        return pd.Timestamp(v)
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    if isinstance(v, int):
        return v
    return str(v)


def _sheet_rows(ws, *, limit: int | None = None) -> tuple[list[list], list[int]]:
    """The non-empty rows of a read-only sheet and their sheet row numbers.

    The sheet's stated size is ignored (a stray formatted cell at XFD1048576
    would claim 17 billion cells): only rows holding a value are kept, each
    cut after its last value, so the work follows the real data.
    """
    ws.reset_dimensions()
    rows, lines = [], []
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if limit is not None and r > limit:
            break
        if not row:
            continue
        last = len(row)
        while last and (row[last - 1] is None or row[last - 1] == ""):
            last -= 1
        if not last:
            continue
        rows.append([_excel_cell(v) for v in row[:last]])
        lines.append(r)
    return rows, lines


def _sheet_xml_facts(wb, ws) -> tuple[list[tuple[str, str]], list[str]]:
    """Formulas without a saved result (``[(cell, formula)]``) and merged ranges of a sheet,
    read from its XML (read-only sheets do not expose them)."""
    from xml.etree.ElementTree import iterparse

    archive = getattr(wb, "_archive", None)
    path = getattr(ws, "_worksheet_path", None)
    if archive is None or path is None:  # pragma: no cover - openpyxl internals changed
        return [], []
    # a cheap look first: most sheets have neither, and need no second parse
    found, tail = False, b""
    with archive.open(path) as f:
        while chunk := f.read(1 << 20):
            block = tail + chunk
            if b"<f" in block or b"mergeCell" in block or b":f>" in block:
                found = True
                break
            tail = block[-16:]
    if not found:
        return [], []
    uncached, merges = [], []
    with archive.open(path) as f:
        for _, el in iterparse(f, events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "c":
                formula = el.find(_SHEET_NS + "f")
                if formula is not None:
                    value = el.find(_SHEET_NS + "v")
                    # no result saved: no <v>, or an empty one on a cell that is not text
                    # (Excel saves a formula giving "" as t="str" with an empty <v>)
                    if value is None or (not value.text
                                         and el.get("t") not in ("str", "inlineStr")):
                        uncached.append((el.get("r") or "?", formula.text or "(shared formula)"))
                el.clear()
            elif tag == "row":
                el.clear()
            elif tag == "mergeCell" and el.get("ref"):
                merges.append(el.get("ref"))
    return uncached, merges


def _fill_merged(rows: list[list], lines: list[int], merges: list[str]) -> list[str]:
    """Fill each vertically merged range down its first column; return the ranges filled."""
    from openpyxl.utils.cell import range_boundaries

    at = {ln: i for i, ln in enumerate(lines)}
    filled = []
    for ref in merges:
        try:
            c1, r1, _c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if r2 <= r1 or r1 not in at:
            continue
        top = rows[at[r1]]
        value = top[c1 - 1] if c1 - 1 < len(top) else ""
        if value == "":
            continue
        done = False
        for r in range(r1 + 1, r2 + 1):
            if r not in at:
                continue
            row = rows[at[r]]
            if len(row) < c1:
                row.extend([""] * (c1 - len(row)))
            if row[c1 - 1] == "":
                row[c1 - 1] = value
                done = True
        if done:
            filled.append(ref)
    return filled


def _pick_sheet(wb, table: str):
    """The first sheet whose first lines hold a header of ``table`` (None: no sheet does)."""
    from crmlib.io._columns import HEADER_SEARCH_ROWS, header_score
    from crmlib.schemas import TABLES

    spec = TABLES.get(table)
    if spec is None:
        return None
    need = max(1, min(2, len(spec.required)))
    for ws in wb.worksheets:
        rows, _ = _sheet_rows(ws, limit=HEADER_SEARCH_ROWS)
        if any(header_score(r, spec, {}) >= need for r in rows):
            return ws
    return None


def excel_grid(source, *, sheet, table: str, name: str) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Read one worksheet into a grid of cells and sheet row numbers.

    Text cells stay text, empty cells are ``""``; real Excel dates become
    :class:`pandas.Timestamp`, numbers stay numbers (integral ones as ``int``),
    so the loader need not guess their format. Only rows holding a value are
    read, however large the sheet claims to be. Without ``sheet``, the first
    sheet whose first lines hold a header of ``table`` is used (a note names
    it when it is not the first). Vertically merged cells (one customer written
    over several lines) are filled down, with a note. Formulas saved without
    their results (by programs that write workbooks without computing them)
    are refused: they would read as empty cells.

    Returns ``(grid, lines, info)``; ``info`` holds ``sheet``, ``notes`` and
    ``date_system`` (1900, or 1904 for workbooks counting days from 1904).
    """
    import zipfile

    from crmlib.io._notes import Note, display

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a core dependency
        from crmlib.exceptions import MissingDependencyError
        raise MissingDependencyError("openpyxl", "dev", "Reading .xlsx files") from None
    try:
        src = source if isinstance(source, (str, Path)) else io.BytesIO(read_bytes(source,
                                                                                    table=table))
        wb = openpyxl.load_workbook(src, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DataError([DataProblem(table, None, f"file not found: {name}")],
                        source=name) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as err:
        raise DataError([DataProblem(table, None, f"is not a readable .xlsx workbook "
                                     f"({type(err).__name__}: {err})")], source=name) from None
    except Exception as err:  # noqa: BLE001 - openpyxl raises private types on corrupt files
        raise DataError([DataProblem(table, None, f"is not a readable .xlsx workbook "
                                     f"({type(err).__name__}: {err})")], source=name) from None
    notes = []
    try:
        try:
            if sheet is None:
                ws = wb.worksheets[0]
                if len(wb.worksheets) > 1:
                    found = _pick_sheet(wb, table)
                    if found is not None and found is not ws:
                        notes.append(Note("io.note.sheet", file=display(name), sheet=found.title,
                                          first=ws.title, table=table))
                        ws = found
            elif isinstance(sheet, int):
                ws = wb.worksheets[sheet]
            else:
                ws = wb[sheet]
        except (KeyError, IndexError):
            names = wb.sheetnames
            raise ParameterError(f"sheet must be one of {names} (or a 0-based position); "
                                 f"got {sheet!r}", parameter="sheet", allowed=tuple(names),
                                 value=sheet) from None
        try:
            rows, lines = _sheet_rows(ws)
            uncached, merges = _sheet_xml_facts(wb, ws)
        except Exception as err:  # noqa: BLE001 - a corrupt sheet fails while it is read
            raise DataError([DataProblem(table, None, f"is not a readable .xlsx workbook "
                                         f"({type(err).__name__}: {err})")],
                            source=name) from None
        title = ws.title
        sheets = list(wb.sheetnames)
        system = 1904 if getattr(wb, "epoch", None) is not None and wb.epoch.year == 1904 \
            else 1900
    finally:
        wb.close()
    if uncached:
        from openpyxl.utils.cell import coordinate_from_string

        by_row: dict[int, list] = {}
        for ref, formula in uncached:
            try:
                r = coordinate_from_string(ref)[1]
            except (ValueError, TypeError):
                r = 0
            by_row.setdefault(r, []).append(f"{ref}: ={formula}" if formula[:1] != "=" else
                                            f"{ref}: {formula}")
        examples = tuple((r, v[0]) for r, v in sorted(by_row.items())[:3])
        raise DataError([DataProblem(
            table, None, f"holds {len(uncached)} formula cell(s) on the sheet {title!r} "
            "without a saved result (the program that wrote the workbook did not compute "
            "them), which would read as empty; open and save the file in Excel or "
            "LibreOffice, or export it as CSV", len(by_row), max(len(rows), len(by_row)),
            examples, "line", name)], source=name)
    if merges:
        filled = _fill_merged(rows, lines, merges)
        if filled:
            notes.append(Note("io.note.merged", file=display(name), n=len(filled),
                              ranges=", ".join(filled[:3]) + (" ..." if len(filled) > 3 else "")))
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    grid = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else pd.DataFrame()
    meta = {"sheet": title, "notes": notes, "date_system": system}
    if len(sheets) > 1:
        meta["sheets"] = sheets
    return grid, np.asarray(lines, dtype=np.int64), meta


def drop_blank(grid: pd.DataFrame, lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop all-empty rows and all-empty trailing columns."""
    if grid.empty:
        return grid, lines
    filled = np.zeros(len(grid), dtype=bool)
    nonempty_cols = []
    for col in grid.columns:
        has = (grid[col] != "").to_numpy()
        filled |= has
        if has.any():
            nonempty_cols.append(col)
    grid = grid.loc[filled]
    lines = lines[filled]
    if nonempty_cols:
        last = grid.columns.get_loc(nonempty_cols[-1])
        grid = grid.iloc[:, : last + 1]
    else:
        grid = grid.iloc[:, :0]
    return grid.reset_index(drop=True), lines


def load_grid(source, *, table: str, encoding=None, sep=None, sheet=None,
              kind: str | None = None) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Grid of trimmed strings from a CSV/text or Excel source, blank rows dropped.

    Returns ``(grid, lines, info)`` with ``info`` holding ``encoding``, ``sep``
    and ``format``.
    """
    name = source_name(source)
    if kind is None:
        suffix = Path(name).suffix.lower()
        kind = "excel" if suffix in (".xlsx", ".xlsm") else "text"
    if kind == "excel":
        grid, lines, meta = excel_grid(source, sheet=sheet, table=table, name=name)
        info = {"format": "xlsx", "encoding": None, "sep": None, **meta}
    else:
        data = read_bytes(source, table=table)
        if data.startswith(b"PK\x03\x04"):
            # a workbook under another name (or an upload without a name): read it as one
            grid, lines, meta = excel_grid(io.BytesIO(data), sheet=sheet, table=table, name=name)
            grid = strip_grid(grid)
            grid, lines = drop_blank(grid, lines)
            return grid, lines, {"format": "xlsx", "encoding": None, "sep": None, **meta}
        text, used = decode(data, encoding=encoding, table=table, name=name)
        if sep is None:
            sep = sniff_separator(text)
        grid, lines = text_grid(text, sep=sep, table=table, name=name)
        info = {"format": "csv", "encoding": used, "sep": sep}
    grid = strip_grid(grid)
    grid, lines = drop_blank(grid, lines)
    return grid, lines, info
