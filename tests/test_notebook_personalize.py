"""Notebook 04_personalize runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Personalizar: qué hacemos con cada cliente", "Plan de tratamiento",
           "¿En qué etapa de la relación está cada cliente?", "Cartas personalizadas"),
    "en": ("Personalize: what we do with each customer", "Treatment plan",
           "Where does each customer stand in the relationship?", "Personal letters"),
}


@pytest.mark.parametrize("client,language", [
    ("movil-andina", "es"),
    ("distribuidora-norte", "en"),
    ("hotel-mirador", "es"),
])
def test_personalize_notebook(client, language, sample_report):
    if not (SAMPLES / client / "transactions.csv").exists():
        pytest.skip(f"data_samples/{client} has no transactions.csv yet")
    html, out = sample_report(client, "04_personalize", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][0] not in html
    assert html.count("<table") >= 6 and html.count("<img") >= 2
    figures = json.loads((out / "results.json").read_text(encoding="utf-8"))["values"]
    figures = figures["personalize"]
    # every customer has exactly one action
    assert sum(figures["actions"].values()) == figures["n_customers"] > 0
    assert sum(figures["stages"].values()) == figures["n_customers"]
    files = sorted((out / "letters").rglob("*.html"))
    assert len(files) == sum(figures["letters"].values()) > 0
    assert {f.parent.name for f in files} <= {"welcome", "win_back", "retention_offer",
                                              "complaint_thanks"}
    assert f'lang="{language}"' in files[0].read_text(encoding="utf-8")
    # the plan reads the one customer view, which is recorded for the workbook and the store
    import pandas as pd

    view_title = {"es": "Vista única de clientes", "en": "One customer view"}[language]
    assert view_title in html
    assert {"es": "Comprobación de coherencia", "en": "Consistency check"}[language] in html
    assert view_title in pd.ExcelFile(out / "tables.xlsx").sheet_names
    view = pd.read_parquet(out / "tables" / "customer_view.parquet")
    plan = pd.read_parquet(out / "tables" / "treatment_plan.parquet")
    assert len(view) == figures["n_customers"] == len(plan)
    assert set(plan["customer_id"]) == set(view["customer_id"])
