"""Notebook 07_collections runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Cartera y cobranza", "¿Cuánto nos deben y desde cuándo?",
           "Evaluación de crédito: las cuatro C"),
    "en": ("Receivables and collections", "How much are we owed, and since when?",
           "Credit assessment: the four Cs"),
}


@pytest.mark.parametrize("client,language", [
    ("movil-andina", "en"),
    ("distribuidora-norte", "es"),
    ("hotel-mirador", "en"),
])
def test_collections_notebook(client, language, tmp_path):
    if not (SAMPLES / client / "invoices.csv").exists():
        pytest.skip(f"data_samples/{client} has no invoices.csv yet")
    params = sample_parameters(client, tmp_path, language, currency="EUR")
    _, html = run_notebook("07_collections", tmp_path, **params)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][1] not in html
    assert html.count("<table") >= 6 and html.count("<img") >= 4
    out = tmp_path / "results"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    figures = results["values"]["receivables"]
    assert figures["receivables"] > 0 and 0 <= figures["overdue_share"] <= 1
    n_letters = results["values"]["n_dunning_letters"]
    files = sorted((out / "letters").rglob("*.html"))
    assert n_letters > 0 and len(files) == n_letters
    text = files[0].read_text(encoding="utf-8")
    assert f'lang="{language}"' in text and "EUR" in text
