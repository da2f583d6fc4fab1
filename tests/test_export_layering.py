"""The two rooms of crmlib.report: the notebook display and the export.

Scoring, forms and instruments print PDFs through the export room only; the
export room never loads the notebook display (IPython, Recorder, show). Every
name ``crmlib.report`` offered before the split still works.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "crmlib"
EXPORT_ONLY = ["questionnaire", "instruments", "servqual", "readiness"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _files(module: str) -> list[Path]:
    return [PKG / f"{module}.py"] if (PKG / f"{module}.py").exists() \
        else sorted((PKG / module).glob("*.py"))


@pytest.mark.parametrize("module", EXPORT_ONLY)
def test_scoring_and_forms_reach_report_only_through_the_export_room(module):
    files = _files(module)
    assert files, f"crmlib/{module} does not exist"
    for path in files:
        used = {n for n in _imports(path) if n.startswith("crmlib.report")}
        bad = sorted(n for n in used if not n.startswith("crmlib.report.export"))
        assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


def test_forms_use_the_export_room():
    used = {n for n in _imports(PKG / "questionnaire" / "_forms.py")
            if n.startswith("crmlib.report")}
    assert "crmlib.report.export.html_to_pdf" in used


@pytest.mark.parametrize("path", ["export.py", "_workbook.py"])
def test_export_room_does_not_import_the_display(path):
    used = _imports(PKG / "report" / path)
    bad = sorted(n for n in used if n.startswith(("crmlib.report._display", "IPython",
                                                  "crmlib.plot", "matplotlib")))
    assert bad == [], f"report/{path} imports {bad}"


def test_printing_a_form_does_not_load_the_notebook_display(tmp_path):
    script = (
        "import json, sys\n"
        "from crmlib.questionnaire import _forms\n"
        "from crmlib.report.export import html_to_pdf, find_chromium\n"
        "_forms._pdf_printer('auto')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('crmlib.report', "
        "'IPython')))))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH",
                                                                                   "")]))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "crmlib.report.export" in loaded
    assert "crmlib.report._display" not in loaded
    assert not [m for m in loaded if m.startswith("IPython")], loaded


def test_every_name_of_the_old_module_still_works():
    from crmlib import report
    from crmlib.report import _chromium_base  # used by the browser tests

    old = ["RESULTS_FILE", "TABLES_FILE", "Recorder", "excel_safe", "find_chromium", "html_to_pdf",
           "markdown", "notebook_html", "report_html", "section", "show", "to_csv", "to_excel",
           "write_report_html", "ExportError", "prepare_export"]
    for name in old:
        assert getattr(report, name) is not None, name
    assert set(old) - {"ExportError", "prepare_export"} <= set(report.__all__)
    assert report.Recorder.__module__ == "crmlib.report._display"
    assert report.html_to_pdf.__module__ == "crmlib.report.export"
    assert callable(_chromium_base)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        report.nothing  # noqa: B018
