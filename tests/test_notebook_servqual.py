"""Notebook 06_servqual runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Calidad de servicio según sus clientes", "¿Qué dimensiones fallan?",
           "Zona de tolerancia", "Matriz importancia-desempeño", "Lectura de los resultados"),
    "en": ("Service quality as your customers see it", "Which dimensions fall short?",
           "Zone of tolerance", "Importance-performance grid", "What the results say"),
}
DIMS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


def _need_samples(client):
    if not (SAMPLES / client / "servqual_responses.csv").exists():
        pytest.skip(f"data_samples/{client} has no servqual_responses.csv yet")


@pytest.mark.parametrize("client,language,zone", [
    ("movil-andina", "es", False),
    ("distribuidora-norte", "en", False),
    ("hotel-mirador", "en", True),
])
def test_servqual_notebook(client, language, zone, sample_report):
    _need_samples(client)
    html, out = sample_report(client, "06_servqual", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][0] not in html
    # without adequate/desired answers the zone is replaced by the sentence asking for them
    missing_zone = "<code>adequate</code>"
    assert (missing_zone in html) is not zone
    assert ("<code>desired</code>" in html) is not zone
    assert html.count("<table") >= 10
    assert html.count("<img") >= 6 + zone
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    values = results["values"]
    for d in DIMS:
        assert -6 <= values[f"servqual_gap_{d}"] <= 6
        assert values[f"servqual_alpha_{d}"] is not None
    assert values["servqual_score_weighted"] is not None
    assert values["servqual_score_unweighted"] == pytest.approx(
        sum(values[f"servqual_gap_{d}"] for d in DIMS) / 5)
    expected = {"item_gaps", "dimension_gaps", "servqual_scores", "reliability",
                "dimension_tests", "ipa"} | ({"zone_of_tolerance"} if zone else set())
    assert expected <= set(results["tables"])
    assert (out / "tables.xlsx").exists()


def test_servqual_notebook_segment_filter(tmp_path):
    _need_samples("movil-andina")
    params = sample_parameters("movil-andina", tmp_path, "en", segment_filter="Prepago",
                               instrument="servqual-1991")
    run_notebook("06_servqual", tmp_path, **params)
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["values"]["servqual_segment_filter"] == "Prepago"
    assert 0 < results["values"]["servqual_n_respondents"] < 320


def test_servqual_notebook_declares_its_parameters():
    # papermill must parse every line of the parameters cell: a comment containing "=" made
    # it skip segment_filter, and the engagement runner validates against this list
    import papermill as pm
    from conftest import NOTEBOOKS

    params = pm.inspect_notebook(str(NOTEBOOKS / "06_servqual.ipynb"))
    expected = {"client_id": "str", "client_name": "str", "data_dir": "str", "output_dir": "str",
                "language": "str", "as_of": "str", "interactive": "bool", "instrument": "str",
                "segment_filter": "str", "alpha_level": "float", "ci_level": "float"}
    assert {k: v["inferred_type_name"] for k, v in params.items()} == expected
