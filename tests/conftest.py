"""Shared fixtures: paths and a real papermill runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLES = ROOT / "data_samples"
SAMPLE_CLIENTS = ("movil-andina", "distribuidora-norte", "hotel-mirador")
SAMPLE_NAMES = {
    "movil-andina": "Móvil Andina",
    "distribuidora-norte": "Distribuidora Industrial del Norte",
    "hotel-mirador": "Hotel Mirador del Lago",
}

os.environ.setdefault("MPLBACKEND", "agg")

# Seconds one notebook cell may run in the tests: a stuck cell fails its test
# instead of holding the whole suite.
CELL_TIMEOUT = 600


def run_notebook(name: str, out_dir: Path, **parameters):
    """Execute ``notebooks/<name>.ipynb`` under papermill in a real ``python3`` kernel.

    Returns ``(executed notebook node, html text without code)``. Raises
    papermill's ``PapermillExecutionError`` (naming the cell) when a cell fails.
    """
    import nbformat
    import papermill as pm

    from crmlib.report import notebook_html

    src = NOTEBOOKS / name if name.endswith(".ipynb") else NOTEBOOKS / f"{name}.ipynb"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / src.name
    pm.execute_notebook(
        str(src), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(src.parent), progress_bar=False, log_output=False,
        execution_timeout=CELL_TIMEOUT,
    )
    nb = nbformat.read(out, as_version=4)
    return nb, notebook_html(out)


def sample_parameters(client_id: str, out_dir: Path, language: str = "es", **extra) -> dict:
    """Notebook parameters for a sample client, writing results under ``out_dir``."""
    return {
        "client_id": client_id,
        "client_name": SAMPLE_NAMES.get(client_id, client_id),
        "data_dir": str(SAMPLES / client_id),
        "output_dir": str(out_dir / "results"),
        "language": language,
        **extra,
    }


@pytest.fixture
def notebook_runner():
    return run_notebook
