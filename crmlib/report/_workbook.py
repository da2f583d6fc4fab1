"""The Excel workbook of a client's key tables, finished for a reader.

One sheet per table behind a contents sheet; headers, codes and yes/no in the
reader's words through the formatting layer (:func:`crmlib.i18n.label_codes`);
number formats (thousands, two decimals, percentages, dates) applied to the
cells rather than rounding the data; bold filled header row, frozen, with a
filter; column widths fitting their content. Text cells that could run as
formulas are neutralised (:func:`crmlib.report.export.excel_safe`).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib._files import atomic_path
from crmlib.i18n import catalog, check_language, label_codes, labels, t
from crmlib.report.export import excel_safe

__all__ = ["table_title", "unique_labels", "write_workbook"]

_PERCENT = re.compile(r"(^|_)(share|shares|rate|ratio|pct|percent_of)($|_)")
_INT_FORMAT = "#,##0"
_FLOAT_FORMAT = "#,##0.00"
_PERCENT_FORMAT = "0.0%"
_DATE_FORMAT = {"es": "dd/mm/yyyy", "en": "d mmm yyyy"}
_DATETIME_FORMAT = {"es": "dd/mm/yyyy hh:mm", "en": "d mmm yyyy hh:mm"}
_HEADER_FILL = "D9E1F2"
_MAX_WIDTH = 60
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def unique_labels(columns, language: str, *, stage: str | None = None) -> dict:
    """Reader labels of ``columns`` (``stage``'s own headers first, see
    :func:`crmlib.i18n.label`); two columns sharing a label keep their names beside it."""
    names = labels(columns, language, stage=stage)
    counts = pd.Series(list(names.values())).value_counts()
    return {c: (f"{lab} ({c})" if counts[lab] > 1 else lab) for c, lab in names.items()}


def table_title(name: str, language: str = "es") -> str:
    """Reader title of a recorded table: ``table.<name>`` in the catalog, else the name."""
    entry = catalog().get(f"table.{name}")
    return entry[language] if entry else str(name)


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", str(title)).strip("' ")[:31] or "Sheet"
    candidate, k = base, 1
    while candidate.lower() in used:
        k += 1
        suffix = f" ({k})"
        candidate = base[:31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def _kind(s: pd.Series) -> str:
    """``int``, ``float``, ``percent``, ``date``, ``datetime``, ``bool`` or ``text``."""
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(s):
        ts = s.dropna()
        if ts.dt.tz is not None:
            ts = ts.dt.tz_localize(None)
        return "date" if (ts == ts.dt.normalize()).all() else "datetime"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        finite = s[np.isfinite(s.astype(float))]
        if _PERCENT.search(str(s.name)) and len(finite) and finite.abs().max() <= 1.0:
            return "percent"
        if len(finite) and (finite == finite.round()).all() and finite.abs().max() < 1e15:
            return "whole"
        return "float"
    non_null = s.dropna()
    if len(non_null) and non_null.map(lambda v: isinstance(v, (_dt.date, _dt.datetime))).all():
        return "date"
    return "text"


def _cell(value):
    """A value openpyxl can store: Python scalars, naive datetimes, None for missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) else (str(v) if math.isinf(v) else v)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, (_dt.date, str, int)):
        return value
    if isinstance(value, pd.Timedelta):
        return str(value)
    return str(value)


def _shown_width(value, kind: str) -> int:
    if value is None:
        return 0
    if kind in ("date",):
        return 11
    if kind == "datetime":
        return 17
    if kind == "percent":
        return len(f"{value:.1%}") if isinstance(value, float) else len(str(value))
    if kind in ("int", "whole", "float") and isinstance(value, (int, float)):
        text = f"{value:,.0f}" if kind != "float" else f"{value:,.2f}"
        return len(text)
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_workbook(tables: dict[str, pd.DataFrame], path, *, language: str = "es",
                   titles: dict[str, str] | None = None, stage: str | None = None) -> Path:
    """Write ``{table name: table}`` to a finished .xlsx workbook, atomically.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Tables in the order they get their sheets; columns with canonical names.
    path : str or path
        The .xlsx file; written through a temporary file, so a failure leaves
        the old file (or none).
    language : {"es", "en"}
        Language of headers, code values, sheet names and the contents sheet.
    titles : dict, optional
        Reader title per table name; default ``table.<name>`` from the
        catalog (:func:`table_title`).
    stage : str, optional
        The stage the tables come from (``"06_servqual"``); its own column
        labels come first (see :func:`crmlib.i18n.label`).

    Returns
    -------
    Path
        ``path``. The first sheet is the contents (sheet, title with a link,
        rows); each table sheet has a bold filled header row, frozen, with a
        filter, number formats by column (thousands, two decimals,
        percentages for shares and rates between -1 and 1, dates) and widths
        fitting the content.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    check_language(language)
    path = Path(path)
    titles = titles or {}
    wb = Workbook()
    contents = wb.active
    contents.title = _sheet_name(t("report.workbook.contents", language), used := set())
    bold = Font(bold=True)
    fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    header_align = Alignment(wrap_text=True, vertical="top")
    formats = {"int": _INT_FORMAT, "whole": _INT_FORMAT, "float": _FLOAT_FORMAT,
               "percent": _PERCENT_FORMAT, "date": _DATE_FORMAT[language],
               "datetime": _DATETIME_FORMAT[language]}

    def style_header(ws, headers):
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment = bold, fill, header_align
        ws.freeze_panes = "A2"

    index_rows = []
    for name, table in tables.items():
        title = titles.get(name) or table_title(name, language)
        sheet = _sheet_name(title, used)
        ws = wb.create_sheet(sheet)
        frame = label_codes(table, language, headers=False)
        kinds = [_kind(frame[c]) for c in frame.columns]
        headers = list(excel_safe(pd.DataFrame(columns=list(
            unique_labels(frame.columns, language, stage=stage).values()))).columns)
        style_header(ws, headers)
        safe = excel_safe(frame)
        widths = [len(str(h)) for h in headers]
        for row in safe.itertuples(index=False, name=None):
            values = [_cell(v) for v in row]
            ws.append(values)
            for j, v in enumerate(values):
                widths[j] = max(widths[j], _shown_width(v, kinds[j]))
        for j, kind in enumerate(kinds, start=1):
            letter = get_column_letter(j)
            if kind in formats:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if not isinstance(cell.value, str):
                        cell.number_format = formats[kind]
            ws.column_dimensions[letter].width = min(widths[j - 1] + 2, _MAX_WIDTH)
        if len(frame.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        index_rows.append((sheet, title, len(frame)))

    style_header(contents, [t("report.workbook.sheet", language),
                            t("report.workbook.table", language),
                            t("report.workbook.rows", language)])
    for sheet, title, n in index_rows:
        contents.append([sheet, title, n])
        link = contents.cell(row=contents.max_row, column=2)
        quoted = sheet.replace("'", "''")
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!A1")
        link.style = "Hyperlink"
        contents.cell(row=contents.max_row, column=3).number_format = _INT_FORMAT
    for j in (1, 2, 3):
        col = [contents.cell(row=i, column=j).value for i in range(1, contents.max_row + 1)]
        contents.column_dimensions[get_column_letter(j)].width = min(
            max(len(str(v)) for v in col) + 2, _MAX_WIDTH)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
