"""The notebook room: what a notebook shows and records.

A notebook creates one :class:`Recorder` and passes every key figure and key
table through it; :meth:`Recorder.save` writes ``results.json`` and
``tables.xlsx`` to the output folder atomically. :func:`show`,
:func:`section` and :func:`markdown` put tables and library-made text on
the page. Exporting the finished notebook is :mod:`crmlib.report.export`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib import __version__
from crmlib._files import atomic_write_text
from crmlib.i18n import check_language
from crmlib.report._workbook import write_workbook
from crmlib.report.export import RESULTS_FILE, TABLES_FILE

__all__ = ["Recorder", "markdown", "section", "show"]


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, _dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Series):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class _QuietDict(dict):
    """A recorded dict: the same keys and values, shown as nothing in a notebook."""

    def _ipython_display_(self) -> None:
        return None


class _QuietList(list):
    """A recorded list: the same items, shown as nothing in a notebook."""

    def _ipython_display_(self) -> None:
        return None


class Recorder:
    """Collects the key figures and tables of one client and stage.

    Parameters
    ----------
    output_dir : str or path, optional
        Folder for ``results.json`` and ``tables.xlsx``. Empty or ``None``
        keeps everything in memory (a notebook opened by hand).
    client_id, stage : str
        Recorded in ``results.json``.
    language : {"es", "en"}
        Language of the labels in exported tables.

    Examples
    --------
    >>> rec = Recorder(None, client_id="demo", stage="02_differentiate")
    >>> rec.value("top20_value_share", 0.74)
    0.74
    """

    def __init__(self, output_dir=None, *, client_id: str = "", stage: str = "",
                 language: str = "es"):
        self.output_dir = Path(output_dir) if output_dir else None
        self.client_id = client_id
        self.stage = stage
        self.language = check_language(language)
        self.values: dict[str, object] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.titles: dict[str, str] = {}

    def value(self, key: str, value):
        """Record a key figure (number, text, list or dict) and return it.

        A dict or list comes back as one that a notebook does not display: a cell
        ending with ``rec.value("clv_model", choice.record())`` would otherwise print
        its machine keys (``{'n_contracts': 0, ...}``) into the client's report.
        """
        self.values[key] = _jsonable(value)
        if type(value) is dict:
            return _QuietDict(value)
        if type(value) is list:
            return _QuietList(value)
        return value

    def table(self, name: str, table: pd.DataFrame, *, title: str | None = None
              ) -> pd.DataFrame:
        """Record a key table for the Excel workbook and return it.

        ``title`` names its sheet and contents line; by default the catalog's
        ``table.<name>``.
        """
        self.tables[name] = table
        if title:
            self.titles[name] = title
        return table

    def results(self) -> dict:
        """The content of ``results.json``."""
        return {
            "client_id": self.client_id,
            "stage": self.stage,
            "language": self.language,
            "crmlib_version": __version__,
            "values": self.values,
            "tables": sorted(self.tables),
        }

    def save(self) -> Path | None:
        """Write ``results.json``, ``tables.xlsx`` (for readers) and the tables as recorded
        (``tables/<name>.parquet``, for the engagement summary and the results store);
        return the folder (None in memory)."""
        if self.output_dir is None:
            return None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if self.tables:
            from crmlib.store import TABLES_FOLDER, write_tables

            write_workbook(self.tables, self.output_dir / TABLES_FILE, language=self.language,
                           titles=self.titles, stage=self.stage or None)
            write_tables(self.tables, self.output_dir / TABLES_FOLDER)
        atomic_write_text(
            self.output_dir / RESULTS_FILE,
            json.dumps(self.results(), ensure_ascii=False, indent=2, sort_keys=True),
        )
        return self.output_dir


def show(table: pd.DataFrame, *, language: str = "es", max_rows: int = 20,
         index: bool = False, precision: int = 2):
    """A display-ready view of ``table``, written for a reader of ``language``.

    Cells go through the formatting layer (:func:`crmlib.i18n.format_table`):
    codes become their labels, numbers, shares and dates follow the locale,
    headers are column labels. Returns a pandas ``Styler`` (HTML-escaped)
    limited to ``max_rows`` rows, so the notebook cell only has to put it last.
    ``precision`` is the number of decimals of measures. A table with no row
    is not drawn as bare headers: a short sentence says there is nothing to list.
    """
    from crmlib.i18n import format_table, t

    check_language(language)
    if len(table) == 0:
        return markdown(t("report.empty_table", language))
    head = table.head(max_rows)
    view = format_table(head, language, decimals=precision)
    styler = view.style.format(escape="html", na_rep="")
    # words read from the left, figures line up on the right; a sentence gets room
    texts = [v for c, v in zip(_kept(head, view), view.columns)
             if c is not None and _is_text(head[c])]
    long = [v for v in texts if view[v].str.len().max() > 60]
    if texts:
        styler = styler.set_properties(subset=texts, **{"text-align": "left"})
        # a words column's header sits over its words, not at the far right of a wide cell
        styler = styler.set_table_styles(
            {v: [{"selector": "th.col_heading", "props": [("text-align", "left")]}]
             for v in texts}, overwrite=False)
    if long:
        styler = styler.set_properties(subset=long, **{"min-width": "16em"})
    if not index:
        styler = styler.hide(axis="index")
    return styler


# a figure already written for a reader: "1.455.657", "34,3", "-0,25", "21 %", "−1.5%"
_WRITTEN_FIGURE = re.compile(r"^[+\-\u2212]?\d[\d.,\u00a0\u202f ]*(\s?%)?$")


def _is_text(s: pd.Series) -> bool:
    """Whether a column holds words (labels, names, sentences) rather than figures.

    A column of strings that are all figures written for a reader (a table already put
    into words by a stage's ``readable``) is a column of figures: it lines up on the right.
    Identifiers such as customer ids are words whatever they look like; their column is
    named ``*_id``."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) \
            or pd.api.types.is_datetime64_any_dtype(s):
        return False
    if str(s.name).endswith("_id") or str(s.name) == "id":
        return True
    values = s.dropna().astype(str).str.strip()
    values = values[values != ""]
    return values.empty or not values.str.match(_WRITTEN_FIGURE).all()


def _kept(table: pd.DataFrame, view: pd.DataFrame) -> list:
    """The source column of each column of ``view`` (format_table may drop code columns
    that have a label beside them; the order is kept)."""
    from crmlib.i18n._format import _has_label

    kept = [c for c in table.columns if not _has_label(c, table.columns)]
    return kept if len(kept) == len(view.columns) else [None] * len(view.columns)


def markdown(text: str):
    """Wrap library-made text for display as Markdown in a notebook."""
    from IPython.display import Markdown

    return Markdown(text)


def section(key: str, language: str = "es", *, level: int = 2, **values):
    """Heading and explanation of a notebook section, from the i18n catalog.

    Reads ``<key>.title`` and ``<key>.text`` (formatted with ``values``) and
    returns them as Markdown, so the report a client reads is in one language.
    """
    from crmlib.i18n import t

    return markdown(f"{'#' * level} {t(key + '.title', language)}\n\n"
                    f"{t(key + '.text', language, **values)}")
