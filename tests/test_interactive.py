"""Stage notebooks with ``interactive=True``: widgets are created in a real kernel.

Students move the cut-offs, bins, thresholds, buckets and filters with
ipywidgets; batch runs pass ``interactive=False`` and get static output (the
stage notebook tests check that). Here each stage notebook runs under
papermill in a real kernel with ``interactive=True`` and must show at least one
widget and no error.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
from conftest import CELL_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("0*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.notebook


def _widgets(nb) -> int:
    return sum(
        1
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if WIDGET in out.get("data", {})
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_interactive_run_creates_widgets(name, tmp_path):
    out = tmp_path / f"{name}.ipynb"
    client = "hotel-mirador"
    pm.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"), str(out),
        parameters={"interactive": True, "client_id": client,
                    "data_dir": str(ROOT / "data_samples" / client), "language": "en"},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False,
        execution_timeout=CELL_TIMEOUT,
    )
    nb = nbformat.read(out, as_version=4)
    assert _widgets(nb) >= 1, f"{name} shows no widget with interactive=True"
    assert nb.metadata.get("widgets"), "widget state is saved with the notebook"
