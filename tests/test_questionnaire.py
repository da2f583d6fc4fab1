"""Questionnaire forms from instruments, and importers of their filled-in versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from crmlib.exceptions import DataError, ParameterError
from crmlib.instruments import load_instrument
from crmlib.questionnaire import (
    answer_values,
    forms_csv_header,
    from_survey_export,
    questionnaire_html,
    read_filled_excel,
    write_questionnaire_excel,
)

TWO_PART = """
name: mini
title: {es: "Mini <b>encuesta</b>", en: "Mini survey"}
scale: {min: 1, max: 7, anchors: {es: {1: "Nada", 7: "Mucho"}, en: {1: "Not at all", 7: "Very much"}}}
parts: [expectation, perception]
dimensions: {a: {es: "Dim A", en: "Dim A"}, b: {es: "Dim B", en: "Dim B"}}
items:
  - {id: M1, dimension: a, text: {es: "Texto con <script>alert(1)</script> & más", en: "First & only"}}
  - {id: M2, dimension: b, text: {es: "Segundo", en: "Second"}}
"""


@pytest.fixture
def mini(tmp_path):
    p = tmp_path / "mini.yaml"
    p.write_text(TWO_PART, encoding="utf-8")
    return load_instrument(p)


def test_html_escapes_and_lists_every_item_and_part(mini):
    html = questionnaire_html(mini, language="es")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "&amp; más" in html
    assert "Mini &lt;b&gt;encuesta&lt;/b&gt;" in html
    assert "@media print" in html
    # one row per item, each with one block of 7 options per part (2 parts)
    assert html.count('<td class="id">') == 2
    assert html.count('<span class="opt">7</span>') == 4
    assert "Expectativa" in html and "Percepción" in html


def test_html_readiness_in_both_languages():
    es = questionnaire_html("one-to-one", language="es")
    en = questionnaire_html("one-to-one", language="en", title="Acme")
    # 36 statements and the nine timely signals
    assert es.count('<td class="id">') == 45 and en.count('<td class="id">') == 45
    assert "Situación preferida" in es and "Preferred scenario" in en
    assert "<title>Acme</title>" in en
    with pytest.raises(ParameterError, match="language"):
        questionnaire_html("one-to-one", language="fr")


def test_excel_form_validation_and_protection(tmp_path):
    path = write_questionnaire_excel("one-to-one", tmp_path / "form.xlsx", language="en")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.protection.sheet
    rules = ws.data_validations.dataValidation
    scale = [r for r in rules if r.type == "whole"]
    assert len(scale) == 1
    assert (scale[0].formula1, scale[0].formula2) == ("1", "5")
    assert str(scale[0].sqref) == "D7:E51"  # 45 items, two parts
    groups = [r for r in rules if r.type == "list"]
    assert groups and "Managers" in groups[0].formula1
    assert ws["A7"].value == "ID1" and ws["A42"].value == "CS4"
    assert ws["D7"].protection.locked is False and ws["A7"].protection.locked is True
    assert wb["_meta"].sheet_state == "hidden"


def _fill(path, respondent, group, answers):
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws["C2"], ws["C3"] = respondent, group
    for ref, value in answers.items():
        ws[ref] = value
    wb.save(path)


def test_read_filled_excel_round_trip(tmp_path, mini):
    folder = tmp_path / "filled"
    folder.mkdir()
    a = write_questionnaire_excel(mini, folder / "a.xlsx", language="es")
    b = write_questionnaire_excel(mini, folder / "b.xlsx", language="en")
    _fill(a, "R1", None, {"D7": 6, "E7": "7 - Mucho", "D8": "Nada"})
    _fill(b, None, None, {"E8": 3})
    long = read_filled_excel(folder, mini)
    assert list(long.columns) == ["respondent_id", "item_id", "expectation", "perception"]
    assert long["respondent_id"].tolist() == ["R1", "R1", "b", "b"]  # file name when blank
    assert long["expectation"].tolist()[:2] == [6.0, 1.0]
    assert long["perception"].iloc[0] == 7.0 and np.isnan(long["perception"].iloc[1])
    assert long["perception"].iloc[3] == 3.0


def test_read_filled_excel_bad_label_names_the_cell(tmp_path):
    path = write_questionnaire_excel("one-to-one", tmp_path / "x.xlsx", language="es")
    _fill(path, "R9", "Clientes", {"D9": "quizás"})
    with pytest.raises(DataError, match=r"cell D9: 'quizás'"):
        read_filled_excel(path)


def test_read_filled_excel_rejects_other_workbooks(tmp_path):
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "other.xlsx", index=False)
    with pytest.raises(DataError, match="not an answer sheet"):
        read_filled_excel(tmp_path / "other.xlsx")


def test_answer_values_numbers_and_labels():
    s = answer_values(["4", "2,0", "5 - Lo hacemos siempre, cliente por cliente", "Totalmente de acuerdo",
                       "STRONGLY DISAGREE", "", None, "we do not do this"], "one-to-one")
    assert s.tolist()[:5] == [4.0, 2.0, 5.0, 5.0, 1.0]
    assert np.isnan(s.iloc[5]) and np.isnan(s.iloc[6]) and s.iloc[7] == 1.0
    with pytest.raises(DataError, match=r"row 1: 'mucho mucho'"):
        answer_values(["3", "mucho mucho"], "one-to-one", column="current")


def test_forms_header_is_read_back_for_both_styles(mini):
    inst = load_instrument("one-to-one")
    for language in ("es", "en"):
        for style in ("grid", "columns"):
            cols = forms_csv_header(inst, language=language, style=style)
            assert len(cols) == 2 + 45 * 2
            rng = np.random.default_rng(1)
            wide = pd.DataFrame(rng.integers(1, 6, size=(3, len(cols))), columns=cols)
            wide[cols[0]] = ["a", "b", "c"]
            wide[cols[1]] = ["Directivos", "Employees", "socio"]
            long = from_survey_export(wide, inst)
            assert long["respondent_id"].unique().tolist() == ["a", "b", "c"]
            assert long["group"].unique().tolist() == ["manager", "employee", "partner"]
            assert len(long) == 3 * 45
            # the value in each (item, part) column lands on that item and part
            col = [c for c in cols if "PE3" in c][1]  # second part of PE3
            got = long.loc[(long["respondent_id"] == "b") & (long["item_id"] == "PE3"),
                           "preferred"].item()
            assert got == wide.loc[1, col]
    assert forms_csv_header(mini, language="en")[0] == "Respondent"
    with pytest.raises(ParameterError, match="style must be one of"):
        forms_csv_header(mini, style="matrix")


def test_survey_export_by_item_text_and_errors():
    inst = load_instrument("one-to-one")
    text = inst.item_text("TE2", "en")
    wide = pd.DataFrame({"Response ID": ["x1", "x2"],
                         f"Current scenario - {text}": ["Agree", "2"],
                         f"Situación preferida: {inst.item_text('TE2', 'es')}": [5, None],
                         "Comments": ["ok", "meh"]})
    long = from_survey_export(wide, inst)
    assert long["respondent_id"].tolist() == ["x1", "x2"]
    assert long["item_id"].tolist() == ["TE2", "TE2"]
    assert long["current"].tolist() == [4.0, 2.0]
    assert long["preferred"].iloc[0] == 5.0 and np.isnan(long["preferred"].iloc[1])
    with pytest.raises(DataError, match="no column naming an item"):
        from_survey_export(pd.DataFrame({"a": [1]}), inst)
    dup = pd.DataFrame({"ID1_current": [1], "ID1 current": [2]})
    with pytest.raises(DataError, match="same item and part"):
        from_survey_export(dup, inst)
    with pytest.raises(DataError, match="unique, non-empty respondent id"):
        from_survey_export(pd.DataFrame({"respondent_id": ["a", "a"], "ID1_current": [1, 2]}),
                           inst)
    with pytest.raises(ParameterError, match="id_column"):
        from_survey_export(pd.DataFrame({"ID1_current": [1]}), inst, id_column="nope")
    # rows without an id are numbered in row order
    auto = from_survey_export(pd.DataFrame({"ID1_current": [1, 2]}), inst)
    assert auto["respondent_id"].tolist() == ["R0001", "R0002"]


def test_committed_readiness_templates_match_the_instrument(tmp_path):
    """templates/questionnaires/readiness holds what the generator makes from the instrument."""
    from pathlib import Path

    from crmlib.questionnaire import write_questionnaire_set

    committed = Path(__file__).resolve().parents[1] / "templates" / "questionnaires" / "readiness"
    fresh = write_questionnaire_set("one-to-one", tmp_path, pdf=False)
    assert sorted(p.name for p in fresh) == sorted(p.name for p in committed.iterdir()
                                                  if p.suffix in (".html", ".xlsx", ".csv"))
    for path in fresh:
        if path.suffix in (".html", ".csv"):
            assert (committed / path.name).read_text(encoding="utf-8") == \
                path.read_text(encoding="utf-8"), f"{path.name} is stale: regenerate it"
    # the blank Excel form reads back as 45 unanswered items
    blank = read_filled_excel(committed / "one-to-one_es.xlsx")
    assert blank["item_id"].tolist() == load_instrument("one-to-one").item_ids
    assert blank[["current", "preferred"]].isna().all().all()
    header = (committed / "one-to-one_forms_en.csv").read_text(encoding="utf-8-sig")
    assert header.startswith("Respondent,Group,") and header.count("Preferred scenario (") == 45


def test_forms_work_for_a_servqual_style_instrument(tmp_path):
    """The machinery is generic: every shipped instrument gets its set of forms."""
    from crmlib.instruments import available_instruments
    from crmlib.questionnaire import write_questionnaires

    written = write_questionnaires(tmp_path, pdf=False)
    names = {p.parent.name for p in written}
    assert names == set(available_instruments())
    for name in names:
        inst = load_instrument(name)
        html = (tmp_path / name / f"{name}_en.html").read_text(encoding="utf-8")
        # SERVQUAL forms ask every statement twice: expectations, then perceptions
        asked = 2 if {"expectation", "perception"} <= set(inst.parts) else 1
        assert html.count('<td class="id">') == asked * len(inst.items)
        long = read_filled_excel(tmp_path / name / f"{name}_es.xlsx", inst)
        assert list(long.columns)[-len(inst.parts):] == list(inst.parts)
