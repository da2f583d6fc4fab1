"""The export room: the client report as HTML and PDF, tables as Excel and CSV.

What the runner (and printing questionnaire forms) needs, without the notebook
display: this module never imports IPython or :mod:`crmlib.report._display`.
The HTML report is a page without code and with a cover; printed, it is A4
(or Letter) with the client's name and page numbers in the footer and tables
that fit the page width.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import threading
from pathlib import Path

import pandas as pd

from crmlib._files import atomic_path, atomic_write_text
from crmlib.exceptions import CrmlibError, ParameterError
from crmlib.i18n import check_language

__all__ = [
    "PAPER_SIZES",
    "RESULTS_FILE",
    "TABLES_FILE",
    "ExportError",
    "check_paper",
    "excel_safe",
    "find_chromium",
    "html_to_pdf",
    "notebook_html",
    "prepare_export",
    "report_html",
    "to_csv",
    "to_excel",
    "write_report_html",
]

#: Paper a report prints on: its CSS ``@page`` size and the PDF page in points.
PAPER_SIZES = {"a4": ("A4", (595, 842)), "letter": ("letter", (612, 792))}

RESULTS_FILE = "results.json"
TABLES_FILE = "tables.xlsx"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells cannot run as spreadsheet formulas.

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a leading apostrophe (OWASP's advice against CSV injection);
    numbers are left as numbers.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    out.columns = [
        "'" + c if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in out.columns
    ]
    return out


def to_excel(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write ``{sheet name: table}`` to an .xlsx file atomically, formula-safe."""
    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, table in tables.items():
            sheet = _sheet_name(name, used)
            frame = table.copy()
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            excel_safe(frame).to_excel(writer, sheet_name=sheet, index=False)
    return path


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in str(name) if ch not in '[]:*?/\\')[:31] or "sheet"
    candidate, k = base, 1
    while candidate.lower() in used:
        k += 1
        candidate = f"{base[:28]}_{k}"
    used.add(candidate.lower())
    return candidate


def _html_exporter(template: str | None):
    """An nbconvert HTML exporter that leaves code out (cached: building one is slow)."""
    return _cached_exporter(template)


@functools.lru_cache(maxsize=4)
def _cached_exporter(template: str | None):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    cfg = Config()
    cfg.TagRemovePreprocessor.remove_cell_tags = ("remove_cell",)
    cfg.TagRemovePreprocessor.remove_all_outputs_tags = ("remove_output",)
    cfg.TagRemovePreprocessor.enabled = True
    options = {"config": cfg, "exclude_input": True, "exclude_input_prompt": True,
               "exclude_output_prompt": True}
    if template:
        options.update(template_name=template, extra_template_basedirs=[str(_TEMPLATES)])
    return HTMLExporter(**options)


_TEMPLATES = Path(__file__).parents[1] / "templates"
_export_lock = threading.Lock()


def prepare_export() -> None:
    """Build the report exporter and render an empty page once.

    The first export in a process loads nbconvert and compiles its
    templates (most of a second); a batch worker calls this while its
    first kernel boots, so no notebook waits for it.
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = "-"
    with _export_lock:
        _html_exporter("report").from_notebook_node(nb, resources={"crm_cover": {}})


def notebook_html(notebook_path, *, title: str | None = None,
                  language: str | None = None) -> str:
    """HTML of an executed notebook without code cells, figures embedded.

    Cells tagged ``remove_cell`` are dropped and ``remove_output`` lose their
    output; input prompts and code never show. The page declares its
    ``language`` (``<html lang=...>``): by default the ``language`` parameter
    the notebook ran with, else English.
    """
    import nbformat

    from crmlib.i18n import LANGUAGES

    if language is not None:
        check_language(language)
    nb = nbformat.read(str(notebook_path), as_version=4)
    if language is None:
        ran_with = nb.metadata.get("papermill", {}).get("parameters", {}).get("language")
        language = ran_with if ran_with in LANGUAGES else "en"
    if title:
        nb.metadata["title"] = title
    with _export_lock:
        exporter = _html_exporter(None)
        exporter.language_code = language
        body, _ = exporter.from_notebook_node(nb)
    return body


_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_IMAGES = ("image/png", "image/jpeg")


def _describe_figures(nb, language: str) -> int:
    """Give every figure of ``nb`` an alt text: its number and the section it illustrates.

    The section is the last heading before the figure, in a Markdown cell or
    in Markdown a cell displayed (``report.section``). Cells tagged
    ``remove_cell`` are skipped. Returns the number of figures.
    """
    from crmlib.i18n import t

    heading, count = "", 0
    for cell in nb.cells:
        if "remove_cell" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            heading = found[-1] if found else heading
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            found = _HEADING.findall(str(data.get("text/markdown", "")))
            heading = found[-1] if found else heading
            if any(m in data for m in _IMAGES) and not output.get("metadata", {}).get("crm_alt"):
                count += 1
                title = re.sub(r"[*_`]", "", heading).strip()
                output.setdefault("metadata", {})["crm_alt"] = (
                    t("common.figure_of", language, n=count, section=title) if title
                    else t("common.figure", language, n=count))
    return count


#: A table with at least this many columns prints on a landscape page of its own.
WIDE_TABLE_COLUMNS = 12
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[hd]\b([^>]*)>", re.IGNORECASE)
_COLSPAN = re.compile(r"colspan\s*=\s*[\"']?(\d+)", re.IGNORECASE)


def _table_columns(html: str) -> int:
    """Columns of the widest row of the tables in an HTML output (colspans counted)."""
    widest = 0
    for row in _ROW.findall(html):
        n = 0
        for attrs in _CELL.findall(row):
            m = _COLSPAN.search(attrs)
            n += int(m.group(1)) if m else 1
        widest = max(widest, n)
    return widest


def _mark_wide_tables(nb, min_columns: int = WIDE_TABLE_COLUMNS) -> int:
    """Wrap every HTML output whose table has ``min_columns`` or more columns in a
    ``crm-wide`` block, printed on a landscape page; returns how many."""
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html = data.get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else str(html)
            if "<table" in text.lower() and _table_columns(text) >= min_columns:
                data["text/html"] = f'<div class="crm-wide">{text}</div>'
                count += 1
    return count


def check_paper(paper: str) -> str:
    """Return ``paper`` (lower case) if it is one of :data:`PAPER_SIZES`, else raise."""
    key = str(paper).lower()
    if key not in PAPER_SIZES:
        raise ParameterError(f"paper must be one of {sorted(PAPER_SIZES)}; got {paper!r}",
                             parameter="paper", allowed=tuple(PAPER_SIZES), value=paper)
    return key


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces hex-escaped,
    so no client name can close the string or the ``<style>`` element."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x}"
                         for ch in str(text)) + '"'


def report_html(notebook_path, *, client: str, stage: str, date: str, language: str = "es",
                engagement: str = "", title: str | None = None, paper: str = "a4") -> str:
    """Client-ready HTML page of an executed notebook: a cover, then its outputs.

    The page has no code, no scripts and no remote assets; figures are
    embedded as ``data:`` images. Every cover text is HTML-escaped.

    Parameters
    ----------
    notebook_path : str or path
        Executed notebook (``.ipynb``).
    client : str
        Client name shown on the cover.
    stage : str
        Stage id (``02_differentiate``); shown by its translated name when the
        catalog has one.
    date : str
        Valuation date shown on the cover (ISO).
    language : {"es", "en"}
        Language of the cover labels.
    engagement : str, optional
        Engagement title shown above the client name.
    title : str, optional
        Page title; by default "<stage> report for <client>".
    paper : {"a4", "letter"}, default "a4"
        Paper the page prints on. Printed, every page carries the client's
        name and "page n of m" in its footer, and tables wrap to the page
        width instead of scrolling; a table of :data:`WIDE_TABLE_COLUMNS` or
        more columns gets a landscape page of its own.

    Returns
    -------
    str
        A complete HTML document.
    """
    import nbformat

    from crmlib.i18n import catalog, format_date, t

    check_language(language)
    paper = check_paper(paper)
    stage_title = t(f"stage.{stage}", language) if f"stage.{stage}" in catalog() else stage
    nb = nbformat.read(str(notebook_path), as_version=4)
    nb.metadata["title"] = title or t("common.report_title", language, stage=stage_title,
                                      client=client)
    _describe_figures(nb, language)
    _mark_wide_tables(nb)
    resources = {"crm_cover": {
        "engagement": engagement or "",
        "client": client,
        "stage": stage_title,
        "date": format_date(date, language) if date else "",
        "client_label": t("common.client", language),
        "stage_label": t("common.stage", language),
        "date_label": t("common.as_of", language),
        "generated": t("common.generated_on", language,
                       date=format_date(_dt.date.today(), language)),
    }, "crm_print": {
        "size": PAPER_SIZES[paper][0],
        "footer_left": _css_string(client),
        "page": _css_string(t("report.page", language) + " "),
        "of": _css_string(" " + t("report.page_of", language) + " "),
    }}
    with _export_lock:
        exporter = _html_exporter("report")
        exporter.language_code = language  # the exporter writes it over resources["language_code"]
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def write_report_html(notebook_path, path, **cover) -> Path:
    """Write :func:`report_html` of ``notebook_path`` to ``path`` atomically.

    ``cover`` takes the keywords of :func:`report_html`, ``paper="a4"|"letter"``
    included; :func:`html_to_pdf` then prints on that paper.
    """
    return atomic_write_text(path, report_html(notebook_path, **cover))


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or ``None``.

    ``CRMLIB_CHROMIUM`` names one explicitly (an empty value disables PDF).
    """
    import os
    import shutil

    explicit = os.environ.get("CRMLIB_CHROMIUM")
    if explicit is not None:
        return shutil.which(explicit) if explicit else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class ExportError(CrmlibError, RuntimeError):
    """A report could not be exported (the browser failed or timed out)."""


def _chromium_base(chromium: str, profile: str) -> list[str]:
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--mute-audio",
            f"--user-data-dir={profile}"]


def html_to_pdf(html_path, pdf_path, *, chromium: str | None = None,
                timeout: float = 120.0) -> Path:
    """Print an HTML file to PDF with headless Chromium, atomically.

    Uses Debian's ``chromium --headless --print-to-pdf`` (nbconvert's
    ``webpdf`` wants a browser it downloads itself, which offline machines
    cannot do). Raises :class:`ExportError` when Chromium fails and
    :class:`~crmlib.exceptions.MissingDependencyError`-like ``ExportError``
    when none is installed.
    """
    import subprocess
    import tempfile

    chromium = chromium or find_chromium()
    if not chromium:
        raise ExportError("PDF export needs Chromium (Debian: apt-get install chromium)")
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="crmlib-chromium-") as profile, \
            atomic_path(pdf_path) as tmp:
        cmd = _chromium_base(chromium, profile) + [
            "--no-pdf-header-footer", f"--print-to-pdf={tmp}", html_path.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise ExportError(f"chromium did not print {html_path.name} within {timeout:g} s") \
                from None
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tail = proc.stderr.decode(errors="replace")[-400:]
            raise ExportError(f"chromium failed to print {html_path.name} "
                              f"(exit {proc.returncode}): {tail}")
    return pdf_path


def to_csv(table: pd.DataFrame, path: str | Path, **options) -> Path:
    """Write ``table`` to CSV atomically, formula-safe (see :func:`excel_safe`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        excel_safe(table).to_csv(tmp, index=False, **options)
    return path
