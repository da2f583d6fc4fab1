"""The client report as a browser shows it: headless Debian Chromium renders its figures."""

from __future__ import annotations

import re
import subprocess
import tempfile

import numpy as np
import pytest
from batch_support import make_engagement

from crmlib import batch, report
from crmlib.report import _chromium_base

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.xdist_group("browser")]

CHROMIUM = report.find_chromium()
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run installs "
                "it when missing)", allow_module_level=True)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    eng = make_engagement(base, [{"id": "shop", "name": "Tienda Sur"}], stages=("01_tiny",))
    out = base / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=True, progress=False)
    assert (manifest["status"] == "completed").all(), manifest["error"].tolist()
    return out / "shop" / "01_tiny"


def _chromium(*args, timeout=120):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(_chromium_base(CHROMIUM, profile) + list(args),
                              capture_output=True, timeout=timeout, check=False)


def test_report_renders_its_figure_in_chromium(report_page, tmp_path):
    shot = tmp_path / "shot.png"
    proc = _chromium("--hide-scrollbars", "--window-size=1200,2600",
                     f"--screenshot={shot}", (report_page / "01_tiny.html").as_uri())
    assert shot.is_file(), proc.stderr.decode(errors="replace")[-500:]
    import matplotlib.image as mpimg

    pixels = (mpimg.imread(shot)[..., :3] * 255).round().astype(int)
    # the bar chart of the tiny notebook uses matplotlib's first colour, #1f77b4
    blue = (np.abs(pixels - np.array([31, 119, 180])).max(axis=-1) <= 6).sum()
    assert blue > 500, f"only {blue} pixels of the figure's colour on the page"


def test_rendered_page_has_images_and_no_code_cells(report_page):
    proc = _chromium("--dump-dom", (report_page / "01_tiny.html").as_uri())
    dom = proc.stdout.decode("utf-8", errors="replace")
    assert dom.count("<img") >= 1 and "data:image/png;base64" in dom
    assert "Tienda Sur" in dom and 'id="crm-cover"' in dom
    # no element of a code cell's input (the class names appear only in the style sheet)
    assert not re.search(r'class="[^"]*(jp-InputArea|jp-CodeMirrorEditor|highlight)', dom)
    assert re.search(r'class="[^"]*jp-OutputArea', dom)
    assert "read_client_table" not in dom and "rec.save()" not in dom


def test_pdf_was_printed_by_chromium(report_page):
    data = (report_page / "01_tiny.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2  # cover + content
