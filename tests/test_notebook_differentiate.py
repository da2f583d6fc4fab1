"""Notebook 02_differentiate runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("¿Qué clientes importan más y cómo le va a cada uno?",
           "Concentración del valor (Pareto 80/20)", "Análisis RFM: recencia, frecuencia y valor",
           "Retención y deserción por período", "Clientes que compran menos que de costumbre",
           "Valor de vida del cliente (CLV)", "Validación: compras esperadas frente a reales"),
    "en": ("Which customers matter most, and how is each one doing?",
           "Concentration of value (Pareto 80/20)",
           "RFM analysis: recency, frequency and monetary value", "Retention and churn per period",
           "Customers buying less than usual", "Customer lifetime value (CLV)",
           "Validation: expected versus actual purchases"),
}


def _need_samples(client):
    for table in ("transactions", "interactions"):
        if not (SAMPLES / client / f"{table}.csv").exists():
            pytest.skip(f"data_samples/{client} has no {table}.csv yet")


@pytest.mark.parametrize("client,language,extra", [
    ("movil-andina", "es", {}),
    ("movil-andina", "en", {}),
    ("distribuidora-norte", "en", {"pareto_cutoffs": [0.7, 0.9], "rfm_bins": 4}),
    ("hotel-mirador", "es", {"time_unit": "D", "retention_period": "Q",
                             "decliner_threshold": 0.5}),
])
def test_differentiate_notebook(client, language, extra, tmp_path, sample_report):
    _need_samples(client)
    if extra:
        params = sample_parameters(client, tmp_path, language, **extra)
        _, html = run_notebook("02_differentiate", tmp_path, **params)
        out = tmp_path / "results"
    else:  # default parameters: the shared run of the sample engagement
        html, out = sample_report(client, "02_differentiate", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    for heading in HEADINGS[other]:
        assert heading not in html
    assert html.count("<table") >= 12
    assert html.count("<img") >= 10
    assert "Traceback" not in html

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["stage"] == "02_differentiate" and results["client_id"] == client
    values = results["values"]
    pareto = values["pareto"]
    assert 0 < pareto["customer_share_for_value"] <= 1
    assert 0 < pareto["value_share_of_top"] <= 1 and 0 <= pareto["gini"] < 1
    assert 0 <= values["retention"]["churn_rate"] <= 1
    assert values["retention"]["retention_rate"] + values["retention"]["churn_rate"] == \
        pytest.approx(1)
    assert values["decliners"]["n_decliners"] >= 0
    assert values["clv"]["clv_total"] > 0 and 0 < values["clv"]["mean_p_alive"] <= 1
    assert {"pareto", "abc", "rfm_scores", "rfm_cut_points", "rfm_segments", "lifecycle",
            "retention", "cohorts", "decliners", "clv", "clv_holdout"} <= set(results["tables"])
    assert (out / "tables.xlsx").exists()

    # the CLV model follows the business: Móvil Andina sends contracts, the others do not
    contractual = client == "movil-andina"
    assert ("Modelo elegido" if language == "es" else "Model chosen") in html
    assert values["clv_model"]["business"] == ("contractual" if contractual else "non_contractual")
    assert values["clv_holdout_check"]["verdict"] in ("good", "poor", "no_data")
    retention_heading = "Retención de contratos" if language == "es" else "Contract retention"
    assert (retention_heading in html) == contractual
    if contractual:
        assert values["clv_retention"]["usable"]
        assert values["clv_retention"]["holdout"]["verdict"] == "good"
        assert {"clv_retention_parameters", "clv_retention_holdout"} <= set(results["tables"])
        bound = "Límite inferior (95 %)" if language == "es" else "Lower bound (95%)"
        assert "sbg_alpha" not in html and bound in html
        # what the active contracts are still worth: fee times discounted residual life
        worth = ("Lo que valen los contratos activos" if language == "es"
                 else "What the active contracts are worth")
        assert worth in html and "clv_contract_values" in results["tables"]
        value = values["clv_contract_value"]
        assert value["n_active"] > 0 and value["total_value"] > 0
        assert 0 < value["top10_share"] <= 1 and value["mean_expected_months"] > 0
        # the purchase-model values are framed as a ranking, not as the contracts' value
        assert ("modelos de compra" if language == "es" else "purchase models") in html
    else:
        assert "clv_contract_values" not in results["tables"]
