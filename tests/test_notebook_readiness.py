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
    # the sample companies answered the timely signals; some call for a decision now
    assert values["readiness_timely_signals"] and all(
        s.startswith("TS") for s in values["readiness_timely_signals"])
    assert 0 < values["readiness_portfolio_share"] < 1
    assert sum(values[f"readiness_customers_{r}"] for r in
               ("contact", "relate", "intimate", "trust")) > 100
    assert values["readiness_overall_gap"] == pytest.approx(
        values["readiness_overall_preferred"] - values["readiness_overall_current"])
    assert {"area_scores", "priorities", "group_scores", "consensus", "timely_signals",
            "customer_ladder"} <= set(results["tables"])
    assert (out / "tables.xlsx").exists()
    # the plan goes to tables.xlsx with owner and due-date columns left to fill in
    from openpyxl import load_workbook

    wb = load_workbook(out / "tables.xlsx")
    owner, due = ("Responsable", "Fecha límite") if language == "es" else ("Owner", "Due date")
    plan_sheets = [ws for ws in wb.worksheets if owner in [c.value for c in ws[1]]]
    assert len(plan_sheets) == 1
    header = [c.value for c in plan_sheets[0][1]]
    assert due in header
    rows = list(plan_sheets[0].iter_rows(min_row=2, values_only=True))
    assert rows and all(r[header.index(owner)] in (None, "") for r in rows)
    # the report shows the radar, the gap bars and the group heatmap, plus tables
    assert html.count("<img") >= 3
    assert html.count("<table") >= 6
    assert "import " not in html  # no code in the report
    if language == "es":
        assert "Panorama general por etapa IDIC" in html
        assert "Plan de acción priorizado" in html and "Cómo lo ve cada grupo" in html
        assert "La escalera de la relación" in html and "Nivel de madurez" in html
        assert "Brecha" in html and "Tarea" in html
        assert "Señales oportunas" in html and "propia del cuaderno" in html
        assert "propios de este cuaderno" in html  # maturity levels: the workbook's own
        assert "forman la cartera de clientes" in html  # customers counted on the ladder
    else:
        assert "Broad view by IDIC stage" in html and "Ranked action plan" in html
        assert "How each group sees it" in html and "The relationship ladder" in html
        assert "Task" in html
        assert "Timely signals" in html and "this workbook's own" in html
        assert "make up the customer portfolio" in html
        assert "Panorama general" not in html  # a report reads in one language
