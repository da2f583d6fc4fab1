"""crmlib.report: Recorder, exports (HTML with a cover, PDF, Excel, CSV)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from crmlib import report


@pytest.fixture
def executed_notebook(tmp_path):
    """A small executed notebook: code with a figure output, a table and a removable note."""
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
           "RU5ErkJggg==")
    code = new_code_cell("secret_code_line = 1\nplt.show()", execution_count=1)
    code.outputs = [new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    table = new_code_cell("show(t)", execution_count=2)
    table.outputs = [new_output("execute_result", data={
        "text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "42"},
        execution_count=2)]
    note = new_markdown_cell("EDITOR ONLY")
    note.metadata["tags"] = ["remove_cell"]
    nb = new_notebook(cells=[note, new_markdown_cell("## Visible heading"), code, table],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_report_html_has_escaped_cover_and_no_code(executed_notebook):
    html = report.report_html(executed_notebook, client="Acme <i>&</i>", stage="02_differentiate",
                              date="2024-12-31", language="en", engagement="Q4 <review>")
    assert "Acme &lt;i&gt;&amp;&lt;/i&gt;" in html and "<i>&</i>" not in html
    assert "Q4 &lt;review&gt;" in html
    # the cover date is written for the reader, never in ISO form
    assert "Differentiate" in html and "Valuation date" in html and "31 December 2024" in html
    assert "2024-12-31" not in html
    assert "Visible heading" in html and "<table>" in html and "data:image/png;base64" in html
    assert "secret_code_line" not in html and "EDITOR ONLY" not in html
    assert "<script" not in html  # no remote assets or scripts in a client report
    spanish = report.report_html(executed_notebook, client="Acme", stage="05_readiness",
                                 date="2024-12-31", language="es")
    assert "Preparación uno a uno" in spanish and "Fecha de corte" in spanish
    assert "31 de diciembre de 2024" in spanish and "2024-12-31" not in spanish


def _alt_texts(html: str) -> list[str]:
    """The alt attribute of every image, unescaped, as a browser reads it."""
    from html.parser import HTMLParser

    found = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs).get("alt"))

    Images().feed(html)
    return found


def test_figures_get_alt_text_in_the_report_language(executed_notebook):
    nb = nbformat.read(executed_notebook, as_version=4)
    # a second figure after a heading displayed by a cell, as report.section does
    more = new_code_cell("report.section(...)\nplot()", execution_count=3)
    more.outputs = [new_output("display_data", data={"text/markdown": "## Ventas por *mes*\n\nTexto",
                                                     "text/plain": "<Markdown>"}),
                    nb.cells[2].outputs[0]]
    nb.cells.append(more)
    nbformat.write(nb, executed_notebook)
    spanish = report.report_html(executed_notebook, client="Acme", stage="02_differentiate",
                                 date="2024-12-31", language="es")
    assert 'alt="Figura 1: Visible heading"' in spanish
    assert 'alt="Figura 2: Ventas por mes"' in spanish
    assert "No description has been provided" not in spanish
    english = report.report_html(executed_notebook, client="Acme", stage="02_differentiate",
                                 date="2024-12-31", language="en")
    assert 'alt="Figure 1: Visible heading"' in english
    # the alt text is escaped like every other text
    nb.cells[1].source = '## Sales "<b>" & more'
    nbformat.write(nb, executed_notebook)
    html = report.report_html(executed_notebook, client="Acme", stage="02_differentiate",
                              date="2024-12-31", language="en")
    assert _alt_texts(html) == ['Figure 1: Sales "<b>" & more', "Figure 2: Ventas por mes"]
    assert "alt='Figure 1: Sales \"&lt;b&gt;\" &amp; more'" in html


def test_notebook_html_keeps_its_old_behaviour(executed_notebook):
    html = report.notebook_html(executed_notebook)
    assert "Visible heading" in html and "secret_code_line" not in html
    assert "crm-cover" not in html


def test_recorder_writes_results_and_tables(tmp_path):
    rec = report.Recorder(tmp_path / "o", client_id="c1", stage="01_x", language="en")
    rec.value("share", 0.5)
    rec.value("nan", float("nan"))
    rec.table("t", pd.DataFrame({"customer_id": ["=evil"], "amount": [1.0]}))
    rec.save()
    data = json.loads((tmp_path / "o" / report.RESULTS_FILE).read_text())
    assert data["values"] == {"share": 0.5, "nan": None} and data["tables"] == ["t"]
    frame = pd.read_excel(tmp_path / "o" / report.TABLES_FILE, sheet_name="t")  # after contents
    assert list(frame.columns) == ["Customer", "Amount"]
    assert frame.iloc[0, 0] == "'=evil"


@pytest.mark.browser
def test_html_to_pdf_with_headless_chromium(executed_notebook, tmp_path):
    chromium = report.find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does)")
    html = report.write_report_html(executed_notebook, tmp_path / "r.html", client="Acme",
                                    stage="01_identify", date="2024-12-31")
    pdf = report.html_to_pdf(html, tmp_path / "r.pdf")
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF-") and len(head) > 2000
    assert not list(tmp_path.glob(".*.part"))


def test_pdf_without_chromium_says_how_to_install(executed_notebook, tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLIB_CHROMIUM", "")
    assert report.find_chromium() is None
    with pytest.raises(report.ExportError, match="apt-get install chromium"):
        report.html_to_pdf(tmp_path / "x.html", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_failing_browser_leaves_no_pdf(tmp_path, monkeypatch):
    fake = tmp_path / "fakechrome"
    fake.write_text("#!/bin/sh\necho boom >&2\nexit 7\n")
    fake.chmod(0o755)
    (tmp_path / "x.html").write_text("<p>x</p>")
    with pytest.raises(report.ExportError, match="exit 7"):
        report.html_to_pdf(tmp_path / "x.html", tmp_path / "x.pdf", chromium=str(fake))
    assert not (tmp_path / "x.pdf").exists()
    assert not list(tmp_path.glob(".*.part"))
    assert shutil.which(str(fake))


def test_columns_sharing_a_label_stay_apart(tmp_path):
    import pandas as pd

    from crmlib.report import Recorder, show

    # 'customer_id' and 'client' would both read "Cliente" in Spanish
    table = pd.DataFrame({"customer_id": ["A"], "cliente_x": [1]}).rename(
        columns={"cliente_x": "Cliente"})
    rec = Recorder(tmp_path, client_id="c", stage="s", language="es")
    rec.table("t", table)
    rec.save()
    back = pd.read_excel(tmp_path / "tables.xlsx", sheet_name="t")
    assert list(back.columns) == ["Cliente (customer_id)", "Cliente (Cliente)"]
    assert "Cliente (customer_id)" in show(table, language="es").to_html()


def test_show_writes_codes_numbers_and_flags_for_the_reader():
    import pandas as pd

    from crmlib.i18n._leaks import find_leaks, visible_text
    from crmlib.report import show

    table = pd.DataFrame({"customer_id": ["C1", "C2"], "segment": ["champions", "at_risk"],
                          "value_share": [0.231, 0.05], "monetary": [1234.5, 12.25],
                          "special": [True, False], "margin": [None, 3.0]})
    es = show(table, language="es").to_html()
    assert "Campeones" in es and "23,1\xa0%" in es and "1.234,50" in es and "Sí" in es
    assert find_leaks(visible_text(es), "es") == []
    en = show(table, language="en").to_html()
    assert "Champions" in en and "23.1%" in en and "1,234.50" in en and "Yes" in en
    assert find_leaks(visible_text(en), "en") == []


def test_workbook_cells_carry_labels_and_stay_numbers(tmp_path):
    import openpyxl
    import pandas as pd

    from crmlib.report import Recorder

    table = pd.DataFrame({"stage": ["trust", "reminder"], "risk_level": ["high", "low"],
                          "special": [True, False], "monetary": [1234.5, 12.25]})
    rec = Recorder(tmp_path, client_id="c", stage="s", language="es")
    rec.table("t", table)
    rec.save()
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")["t"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("Confiar", "Alto", "Sí") and rows[2][:3] == ("Recordatorio", "Bajo", "No")
    assert rows[1][3] == 1234.5 and ws.cell(row=2, column=4).number_format == "#,##0.00"


def test_show_of_an_empty_table_is_a_sentence_not_bare_headers():
    """Seen in the Spanish 03 report: the ticket-quality table with no problem row was
    drawn as a row of headers over nothing."""
    import pandas as pd

    from crmlib import report

    empty = pd.DataFrame({"interaction_id": pd.Series([], dtype="str"),
                          "problem": pd.Series([], dtype="str")})
    shown = report.show(empty, language="es")
    assert shown.data == "_No hay filas que mostrar._"
    assert report.show(empty, language="en").data == "_There are no rows to show._"
