"""Notebook 06_servqual runs under papermill on the three sample companies."""

from __future__ import annotations

import json
from html.parser import HTMLParser

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
    # without adequate/desired answers the zone is replaced by the sentence asking for them,
    # in words, with a header the loader reads and the file by its name
    headers = {"es": ("Servicio adecuado", "Servicio deseado"),
               "en": ("adequate", "desired")}[language]
    assert (f"<code>{headers[0]}</code>" in html) is not zone
    assert (f"<code>{headers[1]}</code>" in html) is not zone
    assert ("<code>servqual_responses.csv</code>" in html) is not zone
    if client in IPA_CASES:
        check_ipa_reading(client, language, html)
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


class _Tables(HTMLParser):
    """Every HTML table of a page as a list of rows of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def ipa_rows(html: str, language: str) -> dict[str, dict[str, str]]:
    """The importance-performance reading table of a report: ``{dimension: {header: cell}}``."""
    parser = _Tables()
    parser.feed(html)
    reading = {"es": "Lectura", "en": "Reading"}[language]
    found = [tb for tb in parser.tables if tb and reading in tb[0]]
    assert len(found) == 1, "no importance-performance reading table"
    head, *rows = found[0]
    return {row[1]: dict(zip(head, row)) for row in rows}  # priority, dimension, ...


# Issue 13: Móvil Andina's Seguridad and Elementos tangibles fall significantly short of
# expectations yet sat in "possible overkill"; Hotel Mirador's Empatía is the only dimension
# below adequate service and the top driver of the overall rating yet read "low priority".
IPA_CASES = {
    "movil-andina": {"es": (("Seguridad", "Elementos tangibles"), "Posible exceso"),
                     "en": (("Assurance", "Tangibles"), "Possible overkill")},
    "hotel-mirador": {"es": (("Empatía",), "Baja prioridad"),
                      "en": (("Empathy",), "Low priority")},
}


def check_ipa_reading(client: str, language: str, html: str) -> None:
    dims, wrong = IPA_CASES[client][language]
    rows = ipa_rows(html, language)
    quadrant = {"es": "Cuadrante", "en": "Quadrant"}[language]
    grid = {"es": "Cuadrante en la matriz", "en": "Grid quadrant"}[language]
    for dim in dims:
        assert rows[dim][quadrant] != wrong, (dim, rows[dim])
        assert rows[dim][grid] == wrong  # the grid alone says it; the reading corrects it
    if client == "movil-andina":
        for dim in dims:
            assert rows[dim][quadrant] == {"es": "Baja prioridad", "en": "Low priority"}[language]
            short = {"es": "Brecha negativa significativa",
                     "en": "Significant shortfall"}[language]
            assert rows[dim][short] == {"es": "Sí", "en": "Yes"}[language]
    else:
        (dim,) = dims
        assert rows[dim][quadrant] == {"es": "Concentrarse aquí",
                                       "en": "Concentrate here"}[language]
        assert rows[dim][{"es": "Prioridad", "en": "Priority"}[language]] == "1"
        assert {"es": "servicio adecuado", "en": "adequate service"}[language] in \
            rows[dim][{"es": "Lectura", "en": "Reading"}[language]]
        first = {"es": "Por dónde empezar: empatía", "en": "Where to act first: Empathy"}
        assert first[language] in html


@pytest.mark.slow
@pytest.mark.parametrize("client,language", [("movil-andina", "en"), ("hotel-mirador", "es")])
def test_servqual_report_reads_the_grid_with_the_tests_and_the_zone(client, language,
                                                                    tmp_path):
    # the other two cases run in test_servqual_notebook (movil-andina es, hotel-mirador en)
    _need_samples(client)
    _, html = run_notebook("06_servqual", tmp_path, **sample_parameters(client, tmp_path,
                                                                          language))
    check_ipa_reading(client, language, html)


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
