"""Notebook 05_readiness under papermill on the sample companies, in Spanish and English."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLE_CLIENTS

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("client, language", [
    ("movil-andina", "es"),
    ("distribuidora-norte", "en"),
    ("hotel-mirador", "es"),
])
def test_readiness_notebook_runs(client, language, sample_report):
    assert client in SAMPLE_CLIENTS
    html, out = sample_report(client, "05_readiness", language)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    values = results["values"]
    assert results["stage"] == "05_readiness" and results["client_id"] == client
    for key in ("readiness_overall_current", "readiness_overall_preferred",
                "readiness_overall_gap", "readiness_maturity_level",
                "readiness_technology_current", "readiness_identify_preferred"):
        assert values[key] is not None, key
    assert 1 <= values["readiness_overall_current"] <= 5
    assert values["readiness_overall_gap"] == pytest.approx(
        values["readiness_overall_preferred"] - values["readiness_overall_current"])
    assert {"area_scores", "priorities", "group_scores", "consensus"} <= set(results["tables"])
    assert (out / "tables.xlsx").exists()
    # the report shows the radar, the gap bars and the group heatmap, plus tables
    assert html.count("<img") >= 3
    assert html.count("<table") >= 6
    assert "import " not in html  # no code in the report
    if language == "es":
        assert "Panorama general por etapa IDIC" in html
        assert "Plan de acción priorizado" in html and "Cómo lo ve cada grupo" in html
        assert "La escalera de la relación" in html and "Nivel de madurez" in html
        assert "Brecha" in html and "Tarea" in html
    else:
        assert "Broad view by IDIC stage" in html and "Ranked action plan" in html
        assert "How each group sees it" in html and "The relationship ladder" in html
        assert "Task" in html
        assert "Panorama general" not in html  # a report reads in one language
