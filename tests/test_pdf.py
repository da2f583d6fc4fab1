"""The client report printed by real headless Chromium: paper, footer, tables that fit.

A real stage notebook (07_collections on the sample company
distribuidora-norte, from the shared run of the sample engagement in conftest);
its report is printed on A4
and on Letter. Page sizes are read from the PDF's MediaBox (A4 = 595 x 842 pt,
Letter = 612 x 792 pt, ISO 216 and ANSI); the footer text from pdftotext
(poppler-utils) when installed; table widths from the page laid out at the
printable width with print media emulated (Playwright driving the same
Chromium) when available.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import SAMPLES

from crmlib import report
from crmlib.exceptions import ParameterError

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.xdist_group("browser")]

CHROMIUM = report.find_chromium()
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium)",
                allow_module_level=True)

CLIENT = 'Distribuidora "Norte" </style><script>x</script>'
MM = 96 / 25.4  # CSS pixels per millimetre
PRINTABLE_WIDTH_MM = {"a4": 210 - 24, "letter": 215.9 - 24}  # the template's 12 mm side margins


@pytest.fixture(scope="module")
def executed(tmp_path_factory, sample_run):
    base = tmp_path_factory.mktemp("pdf")
    if not (SAMPLES / "distribuidora-norte" / "invoices.csv").exists():
        pytest.skip("data_samples/distribuidora-norte has no invoices.csv")
    # the shared run of the sample engagement (currency="EUR"), copied: the pages printed
    # here must not land among that run's outputs
    notebook = base / "07_collections.ipynb"
    shutil.copy(sample_run("es").notebook("distribuidora-norte", "07_collections"), notebook)
    return notebook


@pytest.fixture(scope="module")
def printed(executed):
    """``{paper: (html path, pdf path)}`` of the report printed on each paper."""
    out = {}
    for paper, language in (("a4", "es"), ("letter", "en")):
        html = executed.parent / f"report_{paper}.html"
        report.write_report_html(executed, html, client=CLIENT, stage="07_collections",
                                 date="2024-12-31", language=language, paper=paper)
        out[paper] = (html, report.html_to_pdf(html, executed.parent / f"report_{paper}.pdf"))
    return out


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]",
                       pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.mark.parametrize("paper,size", [("a4", (595, 842)), ("letter", (612, 792))])
def test_every_page_has_the_chosen_paper_size(printed, paper, size):
    boxes = _media_boxes(printed[paper][1].read_bytes())
    assert len(boxes) >= 3, "the report should span several pages"
    portrait = [(w, h) for w, h in boxes if h > w]
    assert boxes[0] in portrait and len(portrait) >= len(boxes) / 2
    for width, height in boxes:  # very wide tables turn their page: same paper, landscape
        short, long = sorted((width, height))
        assert short == pytest.approx(size[0], abs=1.5) and long == pytest.approx(size[1],
                                                                                 abs=1.5)
    assert report.PAPER_SIZES[paper][1] == size


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext is not installed (Debian: apt-get install poppler-utils)")
@pytest.mark.parametrize("paper,words", [("a4", ("Página", "de")), ("letter", ("Page", "of"))])
def test_footer_carries_the_client_and_page_numbers(printed, paper, words):
    pdf = printed[paper][1]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode()
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    n = len(pages)
    assert n == len(_media_boxes(pdf.read_bytes()))
    for i, page in enumerate(pages, start=1):
        assert f"{words[0]} {i} {words[1]} {n}" in page, page[-300:]
        assert 'Distribuidora "Norte"' in page


def test_client_name_cannot_break_out_of_the_print_styles(printed):
    html = printed["a4"][0].read_text(encoding="utf-8")
    head = html[:html.index("</head>")]
    assert "<script>x</script>" not in html
    style = head[head.index("@page"):]
    assert "\\00003c\\00002fstyle\\00003e" in style  # the client's </style>, escaped in CSS


def test_report_declares_its_language(printed):
    assert '<html lang="es">' in printed["a4"][0].read_text(encoding="utf-8")
    assert '<html lang="en">' in printed["letter"][0].read_text(encoding="utf-8")


def test_unknown_paper_is_refused_naming_the_choices(executed, tmp_path):
    with pytest.raises(ParameterError, match=r"paper must be one of \['a4', 'letter'\]"):
        report.report_html(executed, client="c", stage="07_collections", date="2024-12-31",
                           paper="a3")


_MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('table')]
      .map(t => t.getBoundingClientRect().right);
  const scrolling = [...document.querySelectorAll('*')].filter(e => {
      const s = getComputedStyle(e);
      return /(auto|scroll)/.test(s.overflowX + ' ' + s.overflowY)
             && e.scrollWidth > e.clientWidth + 1; }).map(e => e.className || e.tagName);
  return {width, page: document.documentElement.scrollWidth, tables, scrolling};
}"""


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_table_is_wider_than_the_printed_page(printed, paper):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed ([dev] extra)")
    width = int(PRINTABLE_WIDTH_MM[paper] * MM)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(printed[paper][0].resolve().as_uri())
            page.emulate_media(media="print")
            found = page.evaluate(_MEASURE)
        finally:
            browser.close()
    assert found["width"] == width
    assert len(found["tables"]) >= 6
    assert max(found["tables"]) <= width + 0.5, found["tables"]
    assert found["page"] <= width, "the page scrolls sideways"
    assert found["scrolling"] == [], "scroll bars would print"


def _wide_notebook(path):
    """An executed notebook (no kernel needed): a narrow table, a 20-column one, text after."""
    import nbformat
    import pandas as pd
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    narrow = pd.DataFrame({"customer_id": ["A", "B"], "value": [1.0, 2.0]})
    wide = pd.DataFrame({f"column_{i:02d}": [f"value {i}"] for i in range(20)})
    cells = [new_markdown_cell("## Narrow"),
             new_code_cell("x", outputs=[new_output("execute_result", execution_count=1,
                                                    data={"text/html": narrow.to_html()})]),
             new_markdown_cell("## Wide"),
             new_code_cell("y", outputs=[new_output("execute_result", execution_count=2,
                                                    data={"text/html": wide.to_html()})]),
             new_markdown_cell("## After the wide table")]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                            "display_name": "Python 3"}})
    nbformat.write(nb, path)
    return path


def test_a_very_wide_table_gets_a_landscape_page(tmp_path):
    nb = _wide_notebook(tmp_path / "wide.ipynb")
    html = report.write_report_html(nb, tmp_path / "wide.html", client="Acme",
                                    stage="02_differentiate", date="2024-12-31", language="en")
    assert html.read_text(encoding="utf-8").count('class="crm-wide"') == 1
    pdf = report.html_to_pdf(html, tmp_path / "wide.pdf")
    boxes = [(round(w), round(h)) for w, h in _media_boxes(pdf.read_bytes())]
    assert (842, 595) in boxes or (843, 595) in boxes, boxes  # the wide table, landscape
    assert boxes[0] in ((595, 842), (595, 843))  # the cover stays portrait
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              check=True, timeout=60).stdout.decode()
        landscape = text.split("\f")[boxes.index(next(b for b in boxes if b[0] > b[1]))]
        # the last column is on the page (its header may wrap: "column" / "_19")
        assert "_19" in landscape and re.search(r"\b19\b", landscape.split("_19")[1])


def test_plain_notebook_page_declares_the_language_it_ran_with(executed, tmp_path):
    # executed ran with language="es" (papermill keeps its parameters in the metadata)
    assert '<html lang="es">' in report.notebook_html(executed)
    assert '<html lang="en">' in report.notebook_html(executed, language="en")
    with pytest.raises(ParameterError, match="language"):
        report.notebook_html(executed, language="fr")
