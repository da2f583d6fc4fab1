"""A student's first hour: JupyterLab serves a stage notebook, a real browser runs it.

Starts JupyterLab on 127.0.0.1 with a token, opens a copy of a stage notebook
with ``interactive=True`` in headless Debian Chromium (driven by Playwright),
runs every cell from the Run menu, and checks that the cells render and a
widget appears. Skipped, with the reason, only where Chromium or Playwright
cannot be had.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed ([dev] extra)")
    work = tmp_path / "work"
    (work / "notebooks").mkdir(parents=True)
    os.symlink(ROOT / "data_samples", work / "data_samples")
    nb = nbformat.read(ROOT / "notebooks" / "01_identify.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "interactive: bool = False" in params.source
    params.source = params.source.replace("interactive: bool = False", "interactive: bool = True")
    nbformat.write(nb, work / "notebooks" / "first_hour.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    settings = tmp_path / "settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    # render every cell (JupyterLab otherwise draws only the cells in view)
    tracker.write_text('{"windowingMode": "none"}', encoding="utf-8")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--ServerApp.open_browser=False", "--allow-root", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail("JupyterLab did not start on 127.0.0.1")
                time.sleep(0.5)
        yield base, token, work
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_stage_notebook_runs_in_jupyterlab_with_a_widget(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    base, token, _work = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/notebooks/first_hour.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            # the kernel must be idle before running everything
            page.locator("text=/Kernel status: Idle/").first.wait_for(state="attached",
                                                                      timeout=90_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.jp-Notebook .jp-Cell').length >= 10",
                timeout=60_000)
            shot = tmp_path / "lab.png"
            started = ("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                       ".some(p => /\\[(\\d+|\\*)\\]/.test(p.textContent))")
            for _attempt in range(3):  # on a busy machine the first click may come too early
                page.click(".jp-Notebook .jp-Cell >> nth=0")
                page.click(".lm-MenuBar-itemLabel:text-is('Run')")
                page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
                try:
                    page.wait_for_function(started, timeout=60_000)
                    break
                except Exception:  # noqa: BLE001 - playwright's timeout: open the menu again
                    page.keyboard.press("Escape")
            else:
                page.screenshot(path=str(shot))
                pytest.fail(f"JupyterLab never started running the cells (screenshot: {shot})")
            widget = (".jp-OutputArea-output .widget-dropdown, "
                      ".jp-OutputArea-output .jupyter-widgets")
            error = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            deadline = time.time() + 600
            while page.locator(widget).count() == 0:
                tracebacks = [t for t in page.locator(error).all_inner_texts() if "Error" in t]
                if tracebacks:
                    page.screenshot(path=str(shot))
                    pytest.fail(f"a cell failed in JupyterLab: {tracebacks[0][-800:]}")
                if time.time() > deadline:
                    page.screenshot(path=str(shot))
                    pytest.fail(f"no widget after 10 minutes (screenshot: {shot})")
                page.wait_for_timeout(2000)
            page.screenshot(path=str(tmp_path / "lab.png"))
            assert page.locator(".jp-OutputArea-output img").count() >= 1
            assert page.locator(".jp-OutputArea-output table").count() >= 1
            errors = page.locator(".jp-OutputArea-output[data-mime-type="
                                  "'application/vnd.jupyter.stderr'] >> text=Traceback").count()
            assert errors == 0
        finally:
            browser.close()
    assert (tmp_path / "lab.png").stat().st_size > 10_000


# --------------------------------------------------------------------------- the make targets

def _make(*args, **kw):
    return subprocess.run(["make", "-C", str(ROOT), *args], capture_output=True, text=True,
                          timeout=120, check=False, **kw)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_starts_jupyterlab_even_as_root(tmp_path):
    """`make lab` in a container runs as root, where JupyterLab refuses to start
    unless given --allow-root. Runs the real target on this interpreter's
    environment (its stamp marked installed) on 127.0.0.1, then stops it."""
    venv = Path(sys.executable).parents[1]
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: nothing to install
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
            "--LabApp.news_url= --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    proc = subprocess.Popen(["make", "-C", str(ROOT), "lab", f"VENV={venv}",
                             f"RUN_STAMP={stamp}", f"LAB_ARGS={args}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                       timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"make lab ended: {proc.stdout.read()[-2000:]}")
                if time.time() > deadline:
                    pytest.fail("JupyterLab did not answer on 127.0.0.1")
                time.sleep(0.5)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    if os.geteuid() == 0:
        assert "--allow-root" in proc.stdout.read()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_installs_only_the_runtime_and_says_what_it_does(tmp_path):
    """The recipes make would run from a bare clone (a dry run: installing for real
    takes minutes and a network)."""
    venv = tmp_path / "venv"
    demo = _make("-n", "demo", f"VENV={venv}")
    test = _make("-n", "test", f"VENV={venv}")
    assert demo.returncode == 0 and test.returncode == 0, demo.stderr + test.stderr
    installs = [ln for ln in demo.stdout.splitlines() if "pip install" in ln and "-e" in ln]
    assert installs and all(ln.rstrip().endswith("-e .") for ln in installs)
    assert "[dev]" not in demo.stdout and "--quiet -e" not in demo.stdout
    assert f"touch {venv}/.installed-run" in demo.stdout
    assert "pip install -e '.[dev]'" in test.stdout
    assert f"{venv}/.installed-dev" in test.stdout
    for out in (demo.stdout, test.stdout):  # a line before each long step
        assert 'echo "==> creating' in out and 'echo "==> installing' in out
    assert "crmlib run data_samples/engagement.yaml" in demo.stdout
