"""Notebook 01_identify runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Identificar: ¿quiénes son nuestros clientes?", "Informe de coincidencias",
           "Calidad de los datos", "Ficha de cliente"),
    "en": ("Identify: who are our customers?", "Match report", "Data quality",
           "Customer profile card"),
}


def _need_samples(client):
    folder = SAMPLES / client
    if not folder.exists() or not list(folder.glob("customers_*.csv")):
        pytest.skip(f"data_samples/{client} has no customer files yet")


def _overrides(client, tmp_path):
    """An override file keeping apart the first merged pair of the client's data."""
    from crmlib import identify, io

    pairs = identify.match_candidates(io.read_client_table(SAMPLES / client, "customers"))
    first = pairs[pairs["decision"] == "merge"].iloc[0]
    path = tmp_path / "overrides.csv"
    path.write_text("left_key,right_key,decision,note\n"
                    f"{first['right_key']},{first['left_key']},keep_apart,test\n",
                    encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("client,language,overrides", [
    ("movil-andina", "es", False),
    ("distribuidora-norte", "en", True),
    ("hotel-mirador", "es", False),
])
def test_identify_notebook(client, language, overrides, tmp_path, sample_report):
    _need_samples(client)
    extra = {"overrides_file": _overrides(client, tmp_path)} if overrides else {}
    if client == "hotel-mirador":
        extra["match_threshold"] = 95.0
    if extra:
        params = sample_parameters(client, tmp_path, language, **extra)
        _, html = run_notebook("01_identify", tmp_path, **params)
        out = tmp_path / "results"
    else:  # default parameters: the shared run of the sample engagement
        html, out = sample_report(client, "01_identify", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][1] not in html
    assert html.count("<table") >= 8
    assert html.count("<img") >= 3
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    values = results["values"]
    assert values["n_sources"] == 2
    assert 0 < values["n_master"] < values["n_records"]
    assert values["duplicate_rate"] == pytest.approx(1 - values["n_master"] / values["n_records"])
    assert 0 < values["identified_revenue_share"] <= 1
    assert values["n_overrides"] == (1 if overrides else 0)
    assert 0 <= values["quality"]["completeness_email"] <= 1
    assert {"master", "match_report", "quality", "links"} <= set(results["tables"])
    assert (out / "tables.xlsx").exists()
