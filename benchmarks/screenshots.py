"""Render one client report per stage to PNG with headless Chromium, to look at.

Run: python benchmarks/screenshots.py [OUT_FOLDER] [--client movil-andina] [--language es]
     [--stages 01_identify,06_servqual] [--reuse]

``OUT_FOLDER`` defaults to ``reports/screenshots`` (git-ignored).

For each stage notebook it runs the notebook on a sample client under papermill, writes the
client report page (cover, no code) and saves, in ``OUT_FOLDER``:

* ``<stage>.png``: the whole page as a reader scrolls it (A4 width);
* ``<stage>_fig<k>.png``: each figure of the page at the size it is printed, to read labels,
  legends and axes.

``--reuse`` keeps an executed notebook already in ``OUT_FOLDER/runs`` (to re-shoot after a
change to the export only). Prints one line per file written. Needs Chromium (Debian's
``chromium``, or ``CRMLIB_CHROMIUM``) and Playwright's Python package, which drives that
browser; no browser is downloaded. Nothing is asserted: the pictures are for people to look at.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLES = ROOT / "data_samples"
STAGES = ("01_identify", "02_differentiate", "03_interact", "04_personalize", "05_readiness",
          "06_servqual", "07_collections", "08_follow_up", "09_segments")
NAMES = {"movil-andina": "Móvil Andina", "distribuidora-norte": "Distribuidora Industrial del Norte",
         "hotel-mirador": "Hotel Mirador del Lago"}
AS_OF = "2024-12-31"
# A4 at 96 dpi is 794 px wide; the page's own print margins are part of the report.
WIDTH = 900


def run_stage(stage: str, client: str, language: str, runs: Path, reuse: bool) -> Path:
    """Execute one stage notebook for ``client``; return the executed notebook."""
    import papermill as pm

    folder = runs / stage
    out = folder / f"{stage}.ipynb"
    if reuse and out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(NOTEBOOKS / f"{stage}.ipynb"), str(out), kernel_name="python3",
        cwd=str(NOTEBOOKS), progress_bar=False, log_output=False,
        parameters={"client_id": client, "client_name": NAMES.get(client, client),
                    "data_dir": str(SAMPLES / client), "output_dir": str(folder / "results"),
                    "language": language})
    return out


def shoot(page_path: Path, out: Path, stage: str, browser) -> list[Path]:
    """The whole page and each figure of ``page_path`` as PNG files in ``out``."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 1200})
    try:
        page.goto(page_path.resolve().as_uri())
        page.wait_for_load_state("load")
        written = [out / f"{stage}.png"]
        page.screenshot(path=str(written[0]), full_page=True)
        for k, img in enumerate(page.query_selector_all("img"), start=1):
            path = out / f"{stage}_fig{k}.png"
            img.scroll_into_view_if_needed()
            img.screenshot(path=str(path))
            written.append(path)
        return written
    finally:
        page.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "reports" / "screenshots",
                        help="folder for the PNG files (default: reports/screenshots)")
    parser.add_argument("--client", default="movil-andina", choices=sorted(NAMES))
    parser.add_argument("--language", default="es", choices=("es", "en"))
    parser.add_argument("--stages", default=",".join(STAGES),
                        help="comma-separated stage notebooks (default: every stage)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep notebooks already executed in OUT/runs")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from crmlib.report import find_chromium, write_report_html

    chromium = find_chromium()
    if chromium is None:
        print("Chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        print(f"unknown stages {unknown}; choose from {list(STAGES)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    runs = args.out / "runs"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            for stage in stages:
                notebook = run_stage(stage, args.client, args.language, runs, args.reuse)
                html = write_report_html(notebook, notebook.with_suffix(".html"),
                                         client=NAMES.get(args.client, args.client),
                                         stage=stage, date=AS_OF, language=args.language)
                for path in shoot(Path(html), args.out, stage, browser):
                    print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
