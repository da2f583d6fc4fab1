"""What a notebook hands to the reader: tables, headlines, key figures and exports.

A notebook creates one :class:`Recorder` and passes every key figure and key
table through it; :meth:`Recorder.save` writes ``results.json`` and
``tables.xlsx`` to the output folder atomically. The batch runner reads those
files to build the client report and fill the results store.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib import __version__
from crmlib._files import atomic_path, atomic_write_text
from crmlib.exceptions import CrmlibError
from crmlib.i18n import check_language, labels

__all__ = [
    "RESULTS_FILE",
    "TABLES_FILE",
    "Recorder",
    "excel_safe",
    "find_chromium",
    "html_to_pdf",
    "markdown",
    "notebook_html",
    "report_html",
    "section",
    "show",
    "to_csv",
    "to_excel",
    "write_report_html",
]

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

    def value(self, key: str, value):
        """Record a key figure (number, text, list or dict) and return it."""
        self.values[key] = _jsonable(value)
        return value

    def table(self, name: str, table: pd.DataFrame) -> pd.DataFrame:
        """Record a key table for the Excel workbook and return it."""
        self.tables[name] = table
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
        """Write ``results.json`` and ``tables.xlsx``; return the folder (None in memory)."""
        if self.output_dir is None:
            return None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if self.tables:
            translated = {
                name: t.rename(columns=_unique_labels(t.columns, self.language))
                for name, t in self.tables.items()
            }
            to_excel(translated, self.output_dir / TABLES_FILE)
        atomic_write_text(
            self.output_dir / RESULTS_FILE,
            json.dumps(self.results(), ensure_ascii=False, indent=2, sort_keys=True),
        )
        return self.output_dir


def _unique_labels(columns, language: str) -> dict:
    """Reader labels of ``columns``; two columns sharing a label keep their names beside it."""
    names = labels(columns, language)
    counts = pd.Series(list(names.values())).value_counts()
    return {c: (f"{lab} ({c})" if counts[lab] > 1 else lab) for c, lab in names.items()}


def show(table: pd.DataFrame, *, language: str = "es", max_rows: int = 20,
         index: bool = False, precision: int = 2):
    """A display-ready view of ``table`` with translated headers.

    Returns a pandas ``Styler`` (HTML-escaped, numbers formatted) limited to
    ``max_rows`` rows, so the notebook cell only has to put it last.
    """
    check_language(language)
    view = table.head(max_rows).rename(columns=_unique_labels(table.columns, language))
    styler = view.style.format(precision=precision, thousands=".", decimal=",", escape="html",
                               na_rep="") if language == "es" else \
        view.style.format(precision=precision, thousands=",", escape="html", na_rep="")
    if not index:
        styler = styler.hide(axis="index")
    return styler


def markdown(text: str):
    """Wrap library-made text for display as Markdown in a notebook."""
    from IPython.display import Markdown

    return Markdown(text)


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


_TEMPLATES = Path(__file__).parent / "templates"
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


def notebook_html(notebook_path, *, title: str | None = None) -> str:
    """HTML of an executed notebook without code cells, figures embedded.

    Cells tagged ``remove_cell`` are dropped and ``remove_output`` lose their
    output; input prompts and code never show.
    """
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    if title:
        nb.metadata["title"] = title
    with _export_lock:
        body, _ = _html_exporter(None).from_notebook_node(nb)
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


def report_html(notebook_path, *, client: str, stage: str, date: str, language: str = "es",
                engagement: str = "", title: str | None = None) -> str:
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

    Returns
    -------
    str
        A complete HTML document.
    """
    import nbformat

    from crmlib.i18n import catalog, t

    check_language(language)
    stage_title = t(f"stage.{stage}", language) if f"stage.{stage}" in catalog() else stage
    nb = nbformat.read(str(notebook_path), as_version=4)
    nb.metadata["title"] = title or t("common.report_title", language, stage=stage_title,
                                      client=client)
    _describe_figures(nb, language)
    resources = {"crm_cover": {
        "engagement": engagement or "",
        "client": client,
        "stage": stage_title,
        "date": date,
        "client_label": t("common.client", language),
        "stage_label": t("common.stage", language),
        "date_label": t("common.as_of", language),
        "generated": t("common.generated_on", language, date=_dt.date.today().isoformat()),
    }, "language_code": language}
    with _export_lock:
        body, _ = _html_exporter("report").from_notebook_node(nb, resources=resources)
    return body


def write_report_html(notebook_path, path, **cover) -> Path:
    """Write :func:`report_html` of ``notebook_path`` to ``path`` atomically."""
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


def section(key: str, language: str = "es", *, level: int = 2, **values):
    """Heading and explanation of a notebook section, from the i18n catalog.

    Reads ``<key>.title`` and ``<key>.text`` (formatted with ``values``) and
    returns them as Markdown, so the report a client reads is in one language.
    """
    from crmlib.i18n import t

    return markdown(f"{'#' * level} {t(key + '.title', language)}\n\n"
                    f"{t(key + '.text', language, **values)}")
