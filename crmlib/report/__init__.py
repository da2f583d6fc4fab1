"""What a notebook hands to the reader, and what the runner exports.

Two rooms:

* the notebook display (:mod:`crmlib.report._display`): :class:`Recorder`,
  :func:`show`, :func:`section`, :func:`markdown`;
* the export (:mod:`crmlib.report.export`): the client report as HTML and
  PDF, the Excel workbook of key tables, CSV.

Code that only exports (printing questionnaire forms, the runner) imports
:mod:`crmlib.report.export` and never loads the notebook display. Names are
loaded on first use, so ``crmlib.report.X`` works for every name of both rooms.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Recorder": "_display", "markdown": "_display", "section": "_display", "show": "_display",
    "RESULTS_FILE": "export", "TABLES_FILE": "export", "ExportError": "export",
    "PAPER_SIZES": "export", "check_paper": "export", "excel_safe": "export", "find_chromium": "export",
    "html_to_pdf": "export", "notebook_html": "export", "prepare_export": "export",
    "report_html": "export", "to_csv": "export", "to_excel": "export",
    "write_report_html": "export", "_chromium_base": "export",
    "write_workbook": "_workbook",
}

__all__ = [
    "PAPER_SIZES", "RESULTS_FILE", "TABLES_FILE", "ExportError", "Recorder", "check_paper",
    "excel_safe",
    "find_chromium", "html_to_pdf", "markdown", "notebook_html", "prepare_export", "report_html",
    "section", "show", "to_csv", "to_excel", "write_report_html", "write_workbook",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'crmlib.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"crmlib.report.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
