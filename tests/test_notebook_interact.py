"""Notebook 03_interact runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Interactuar: contactos y quejas", "¿A quién llamar primero?",
           "Indicadores duros del servicio"),
    "en": ("Interact: contacts and complaints", "Whom to call first?", "Hard service indices"),
}


def _need_samples(client):
    if not (SAMPLES / client / "interactions.csv").exists():
        pytest.skip(f"data_samples/{client} has no interactions.csv yet")


@pytest.mark.parametrize("client,language,extra", [
    ("movil-andina", "es", {}),
    ("distribuidora-norte", "en", {}),
    ("hotel-mirador", "es", {"business_hours": True}),
])
def test_interact_notebook(client, language, extra, tmp_path, sample_report):
    _need_samples(client)
    if extra:
        params = sample_parameters(client, tmp_path, language, **extra)
        _, html = run_notebook("03_interact", tmp_path, **params)
        out = tmp_path / "results"
    else:  # default parameters: the shared run of the sample engagement
        html, out = sample_report(client, "03_interact", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][0] not in html
    assert html.count("<table") >= 9
    assert html.count("<img") >= 6
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    figures = results["values"]["complaints"]
    assert figures["n_contacts"] > 0
    assert 0 <= figures["fcr_rate"] <= 1 and 0 <= figures["recovery_rate"] <= 1
    assert figures["median_resolution_hours"] <= figures["p90_resolution_hours"]
    assert {"complaint_metrics", "valuable_complainers", "hard_indices"} <= set(results["tables"])
    assert (out / "tables.xlsx").exists()
