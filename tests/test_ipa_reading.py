"""What a reader gets of the importance-performance reading: the table, the figure, the
sentence where to act first and the exported sheet, in words and never in codes.

Constructed case: five SERVQUAL dimensions with stated importance (points of 100) and
mean perceptions chosen so that, on the Martilla & James (1977) grid centred on the
means, assurance is "possible overkill" although its gap is significantly negative and
empathy is "low priority" although its perception is below adequate service (zone of
tolerance, Parasuraman, Zeithaml & Berry 1994).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import plot, servqual
from crmlib.i18n import format_table
from crmlib.i18n._leaks import find_leaks

DIMS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


@pytest.fixture
def case():
    scores = pd.DataFrame({
        "dimension": [*DIMS, "overall"],
        "importance": [10.0, 35.0, 25.0, 12.0, 18.0, 100.0],
        "perception": [6.0, 4.0, 6.0, 6.2, 4.3, 5.3],
        "gap": [0.1, -1.5, 0.2, -0.9, -1.2, -0.66],
        "weighted_gap": [np.nan] * 5 + [-0.8], "n": [100] * 6})
    tests = pd.DataFrame({
        "dimension": DIMS,
        "mean_diff": [0.1, -1.5, 0.2, -0.9, -1.2],
        "significant": [False, True, False, True, True]})
    zone = pd.DataFrame({"dimension": DIMS,
                         "position": ["within", "within", "above", "within", "below"]})
    return scores, tests, zone


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_reading_corrects_the_grid_and_says_why(case, language):
    scores, tests, zone = case
    ipa = servqual.ipa_table(scores, tests=tests, zone=zone, language=language)
    by = ipa.set_index("dimension")
    assert by.loc["assurance", "grid_quadrant"] == "overkill"
    assert by.loc["assurance", "quadrant"] == "low_priority"
    assert by.loc["empathy", "grid_quadrant"] == "low_priority"
    assert by.loc["empathy", "quadrant"] == "concentrate"

    table = servqual.ipa_reading(ipa, language=language)
    words = {"es": ("Dimensión", "Cuadrante", "Brecha negativa significativa",
                    "Zona de tolerancia", "Lectura", "Seguridad", "Empatía", "Sí",
                    "Por debajo del servicio adecuado", "Posible exceso", "Baja prioridad"),
             "en": ("Dimension", "Quadrant", "Significant shortfall", "Zone of tolerance",
                    "Reading", "Assurance", "Empathy", "Yes", "Below adequate service",
                    "Possible overkill", "Low priority")}[language]
    shown = format_table(table, language).to_csv(sep="|", index=False)
    for word in words:
        assert word in shown, word
    assert find_leaks(shown, language) == []
    rows = table.set_index(table.columns[1])
    dim = {"es": ("Seguridad", "Empatía"), "en": ("Assurance", "Empathy")}[language]
    quadrant = table.columns[6]
    overkill = {"es": "Posible exceso", "en": "Possible overkill"}[language]
    assert rows.loc[dim[0], quadrant] != overkill
    assert rows.loc[dim[1], quadrant] == {"es": "Concentrarse aquí",
                                         "en": "Concentrate here"}[language]
    # empathy's sentence says why it is where to concentrate
    assert {"es": "servicio adecuado", "en": "adequate service"}[language] in \
        rows.loc[dim[1], table.columns[-1]]


def test_without_tests_or_zone_the_reading_has_no_empty_columns(case):
    scores, _, _ = case
    table = servqual.ipa_reading(servqual.ipa_table(scores, language="en"), language="en")
    assert "Significant shortfall" not in table.columns
    assert "Zone of tolerance" not in table.columns
    assert list(table.columns)[-1] == "Reading"


@pytest.mark.parametrize("language", ["es", "en"])
def test_where_to_act_first_names_the_evidence(case, language):
    scores, tests, zone = case
    # reliability short by little: empathy, below adequate service, comes first
    scores.loc[scores["dimension"] == "reliability", "gap"] = -0.3
    ipa = servqual.ipa_table(scores, tests=tests, zone=zone, language=language)
    text = servqual.reading(scores, tests, ipa=ipa, language=language)
    first = [line for line in text.splitlines()
             if ("Por dónde empezar" if language == "es" else "Where to act first") in line]
    assert len(first) == 1
    assert {"es": "empatía", "en": "Empathy"}[language] in first[0]
    assert {"es": "por debajo del servicio adecuado",
            "en": "below adequate service"}[language] in first[0]


def test_the_grid_labels_a_point_whose_reading_differs_from_its_quadrant(case):
    scores, tests, zone = case
    ipa = servqual.ipa_table(scores, tests=tests, zone=zone, language="en")
    ax = plot.plot_ipa(ipa, language="en")
    labels = {a.get_text() for a in ax.texts if hasattr(a, "xy")}
    assert "Assurance\n→ Low priority" in labels
    assert "Empathy\n→ Concentrate here" in labels
    assert "Reliability" in labels  # the grid and the reading agree: the name alone
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_exported_sheet_has_headers_and_values_in_words(case, language, tmp_path):
    import openpyxl

    from crmlib.report import write_workbook

    scores, tests, zone = case
    ipa = servqual.ipa_table(scores, tests=tests, zone=zone, language=language)
    path = write_workbook({"ipa": ipa}, tmp_path / "t.xlsx", language=language,
                          stage="06_servqual")
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[1]
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    book.close()
    text = " | ".join(cells)
    assert find_leaks(text, language) == [], text
    for code in ("on_cut", "zone_position", "significant_shortfall", "overkill", "low_priority",
                 "shortfall_not_overkill", "below_adequate", "grid"):
        assert code not in cells
    expect = {"es": ("Sobre una línea de corte", "Brecha significativa: no es un exceso",
                     "Por debajo del servicio adecuado"),
              "en": ("On a cut", "Significant shortfall: not overkill",
                     "Below adequate service")}[language]
    for word in expect:
        assert word in cells, word
    assert not np.isnan(ipa["importance"]).any()


@pytest.mark.parametrize("language, shown", [("es", "99,1\u00a0%"), ("en", "99.1%")])
def test_the_answered_share_of_the_sample_reads_as_a_percentage(language, shown):
    # the sample table showed "Celdas respondidas 0,99"
    sample = pd.DataFrame({"n_respondents": [320], "answered_share": [0.9912]})
    table = servqual.display(sample, language=language)
    assert table.iloc[0, 1] == shown
