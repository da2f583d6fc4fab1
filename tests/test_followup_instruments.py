"""The follow-up programme's instruments: each renders as a printable page, an Excel sheet
with validation and an online-form header, in Spanish and English, and each filled form
reads back to the answers written into it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from crmlib.instruments import available_instruments, load_instrument
from crmlib.questionnaire import (
    answer_values,
    forms_csv_header,
    from_survey_export,
    questionnaire_html,
    read_filled_excel,
    write_questionnaire_excel,
)

FOLLOW_UP = ("lost-customer", "post-transaction", "mystery-shopper", "soft-indicators",
             "critical-incident")


def _answers(inst, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {i: int(rng.integers(inst.scale_min, inst.scale_max + 1)) for i in inst.item_ids}


def test_the_follow_up_instruments_are_shipped():
    assert set(FOLLOW_UP) <= set(available_instruments())
    dims = load_instrument("soft-indicators").dimensions
    # source 001's subjective indicators, in its order
    assert [dims[d]["es"] for d in dims] == ["Satisfacción", "Disponibilidad", "Accesibilidad",
                                             "Cortesía", "Agilidad", "Confianza", "Competencia",
                                             "Comunicabilidad"]


@pytest.mark.parametrize("name", FOLLOW_UP)
@pytest.mark.parametrize("language", ["es", "en"])
def test_printable_form_lists_every_item_in_the_language(name, language):
    inst = load_instrument(name)
    page = questionnaire_html(name, language=language)
    assert page.count('<td class="id">') == len(inst.items)
    for text in inst.items[f"text_{language}"]:
        assert text.replace("'", "&#x27;") in page
    assert f'<span class="opt">{inst.scale_max}</span>' in page
    assert inst.title[language] in page


@pytest.mark.parametrize("name", FOLLOW_UP)
@pytest.mark.parametrize("language", ["es", "en"])
def test_excel_form_limits_answers_and_reads_back(name, language, tmp_path):
    inst = load_instrument(name)
    path = write_questionnaire_excel(name, tmp_path / f"{name}.xlsx", language=language)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rules = [r for r in ws.data_validations.dataValidation if r.type == "whole"]
    assert [(r.formula1, r.formula2) for r in rules] == [(str(inst.scale_min),
                                                          str(inst.scale_max))]
    answers = _answers(inst, seed=len(name))
    ws["C2"] = "R-07"
    for row in ws.iter_rows(min_col=1, max_col=1):
        cell = row[0]
        if cell.value in answers:
            ws.cell(row=cell.row, column=4, value=answers[cell.value])
    wb.save(path)
    long = read_filled_excel(path)
    assert long["respondent_id"].unique().tolist() == ["R-07"]
    assert long["item_id"].tolist() == inst.item_ids
    part = inst.parts[0]
    assert long[part].tolist() == [float(answers[i]) for i in inst.item_ids]


@pytest.mark.parametrize("name", FOLLOW_UP)
@pytest.mark.parametrize("style", ["grid", "columns"])
def test_online_form_export_reads_back(name, style):
    inst = load_instrument(name)
    for language in ("es", "en"):
        cols = forms_csv_header(name, language=language, style=style)
        assert len(cols) == 1 + len(inst.items)
        rows = [_answers(inst, seed) for seed in (1, 2, 3)]
        wide = pd.DataFrame([[f"r{k}"] + [row[i] for i in inst.item_ids]
                             for k, row in enumerate(rows)], columns=cols)
        long = from_survey_export(wide, inst)
        part = inst.parts[0]
        for k, row in enumerate(rows):
            got = long[long["respondent_id"] == f"r{k}"].set_index("item_id")[part]
            assert got.to_dict() == {i: float(v) for i, v in row.items()}


def test_mystery_checklist_reads_yes_and_no_words():
    got = answer_values(["Sí", "no", "Met", "not met", "1", "0"], "mystery-shopper",
                        column="compliant")
    assert got.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]


def test_a_google_forms_export_saved_as_soft_indicators_is_read_as_the_long_table(tmp_path):
    """The online form's export dropped in the client folder, as for SERVQUAL and readiness."""
    from crmlib import followup, stages

    inst = load_instrument("soft-indicators")
    cols = ["Marca temporal"] + forms_csv_header("soft-indicators", language="es")
    rows = [_answers(inst, seed) for seed in (4, 5, 6, 7)]
    wide = pd.DataFrame([[f"2024/05/0{k + 1} 10:00:00", f"r{k}"]
                         + [row[i] for i in inst.item_ids] for k, row in enumerate(rows)],
                        columns=cols)
    wide.to_csv(tmp_path / "soft_indicators.csv", index=False)
    data = stages.load("08_follow_up", tmp_path)
    long = data.soft_indicators
    assert list(long.columns[:3]) == ["respondent_id", "item_id", "perception"]
    assert len(long) == 4 * len(inst.items)
    got = long[long["respondent_id"] == "r2"].set_index("item_id")["perception"]
    assert got.to_dict() == {i: float(v) for i, v in rows[2].items()}
    table = followup.servperf_table(long)
    assert table["n_respondents"].tolist() == [4] * len(table)
