"""SERVQUAL answers from survey exports: wide sheets, Google Forms, Qualtrics, SurveyMonkey."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlib import servqual as sq
from crmlib.exceptions import DataError
from crmlib.instruments import load_instrument
from crmlib.io import read_survey

INST = load_instrument("servqual-1991")
ITEMS = INST.item_ids
TEXT_ES = dict(zip(INST.items["item_id"], INST.items["text_es"]))
TEXT_EN = dict(zip(INST.items["item_id"], INST.items["text_en"]))


def _answers(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 8, (n, 22)), rng.integers(1, 8, (n, 22))


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _check(long, e, p, ids):
    assert list(long.columns[:4]) == ["respondent_id", "item_id", "expectation", "perception"]
    assert long["respondent_id"].unique().tolist() == ids
    assert long["item_id"].tolist()[:22] == ITEMS
    np.testing.assert_array_equal(long["expectation"].to_numpy().reshape(len(ids), 22), e)
    np.testing.assert_array_equal(long["perception"].to_numpy().reshape(len(ids), 22), p)
    gaps = sq.gap_table(long)
    np.testing.assert_array_equal(gaps["gap"].to_numpy().reshape(len(ids), 22), p - e)


def test_wide_sheet_e1_p22(tmp_path):
    e, p = _answers(4)
    header = ["respondent_id", "segment", "overall_rating",
              *[f"E{i}" for i in range(1, 23)], *[f"P{i}" for i in range(1, 23)],
              *[f"importance_{d}" for d in sq.DIMENSIONS]]
    rows = [header] + [[f"c{k}", "retail", 5, *e[k], *p[k], 10, 30, 20, 20, 20]
                       for k in range(4)]
    wide = read_survey(_write(tmp_path / "wide.csv", rows))
    assert wide.attrs["shape"] == "wide"
    long = sq.responses_from_survey(wide)
    _check(long, e, p, ["c0", "c1", "c2", "c3"])
    resp = sq.respondents_from_survey(wide)
    assert resp["importance_reliability"].tolist() == [30] * 4
    assert resp["overall_rating"].tolist() == [5] * 4
    assert resp["segment"].tolist() == ["retail"] * 4
    # the same sheet as a DataFrame with other spellings (SQ01_E, e_2, P03)
    frame = pd.DataFrame({"SQ01_E": [7, 6], "e_2": [5, 4], "P1": [6, 6], "p2": [3, 4]})
    out = sq.responses_from_wide(frame)
    assert out["respondent_id"].unique().tolist() == ["R0001", "R0002"]
    assert out["item_id"].unique().tolist() == ["SQ01", "SQ02"]
    assert sq.gap_table(out)["gap"].tolist() == [-1, -2, 0, 0]
    assert sq.respondents_from_wide(pd.DataFrame({"I1": [20], "I2": [80]})).iloc[0].tolist() \
        == ["R0001", 20, 80]


def test_google_forms_grid_with_likert_labels(tmp_path):
    header = ["Marca temporal", "Encuestado",
              *[f"Expectativas [{TEXT_ES[i]}]" for i in ITEMS],
              *[f"Percepciones [{TEXT_ES[i]}]" for i in ITEMS],
              *[f"Importancia (puntos de 100) [{INST.dimension_label(d, 'es')}]"
                for d in sq.DIMENSIONS],
              "Valoración global de la calidad del servicio (1-7)", "Tipo de cliente"]
    e, p = _answers(3, seed=1)
    labels = {7: "7 - Totalmente de acuerdo", 1: "Totalmente en desacuerdo",
              4: "Ni de acuerdo ni en desacuerdo"}
    rows = [header]
    for k in range(3):
        rows.append(["2024/11/05 10:23:45 a. m. GMT-5", f"h{k}",
                     *[labels.get(int(v), str(v)) for v in e[k]], *map(str, p[k]),
                     "15", "35", "20", "15", "15", "6 - De acuerdo", "Ocio"])
    wide = read_survey(_write(tmp_path / "forms.csv", rows))
    assert wide.attrs["shape"] == "google_forms"
    long = sq.responses_from_survey(wide)
    _check(long, e, p, ["h0", "h1", "h2"])
    resp = sq.respondents_from_survey(wide).set_index("respondent_id")
    assert resp.loc["h1", "importance_reliability"] == 35
    assert resp.loc["h1", "overall_rating"] == 6
    assert resp.loc["h2", "segment"] == "Ocio"


def test_forms_header_round_trip_with_zone(tmp_path):
    header = sq.forms_csv_header(language="en", zone=True)
    assert len(header) == 1 + 22 * 4 + 5 + 2
    rng = np.random.default_rng(3)
    answers = rng.integers(1, 8, (2, 88))
    rows = [["Timestamp", *header]] + [["2024-11-05 10:00:00", f"x{k}", *answers[k],
                                        20, 20, 20, 20, 20, 4, "B2B"] for k in range(2)]
    wide = read_survey(_write(tmp_path / "forms_en.csv", rows))
    long = sq.responses_from_survey(wide)
    assert {"adequate", "desired"} <= set(long.columns)
    np.testing.assert_array_equal(long["desired"].to_numpy().reshape(2, 22), answers[:, 66:])
    zone = sq.zone_of_tolerance(sq.gap_table(long))
    assert len(zone) == 5
    resp = sq.respondents_from_survey(wide)
    assert resp.filter(like="importance_").sum(axis=1).tolist() == [100, 100]


def test_qualtrics_three_header_rows(tmp_path):
    e, p = _answers(2, seed=2)
    short = [f"Q1_{k}" for k in range(1, 23)] + [f"Q2_{k}" for k in range(1, 23)]
    text = [f"Expectation - {i}. {TEXT_EN[i]}" for i in ITEMS] + \
        [f"Perception - {i}. {TEXT_EN[i]}" for i in ITEMS]
    rows = [["StartDate", "ResponseId", *short, "Q3"],
            ["Start Date", "Response ID", *text, "Overall rating"],
            [json.dumps({"ImportId": "startDate"}), json.dumps({"ImportId": "_recordId"}),
             *[json.dumps({"ImportId": f"QID{s}"}) for s in short],
             json.dumps({"ImportId": "QID3"})]]
    for k in range(2):
        rows.append(["2024-10-01 09:12:03", f"R_{k}abc", *e[k], *p[k], "Strongly agree"])
    wide = read_survey(_write(tmp_path / "qualtrics.csv", rows))
    assert wide.attrs["shape"] == "qualtrics"
    long = sq.responses_from_survey(wide)
    _check(long, e, p, ["R_0abc", "R_1abc"])
    assert sq.respondents_from_survey(wide)["overall_rating"].tolist() == [7, 7]


def test_surveymonkey_two_header_rows(tmp_path):
    e, p = _answers(2, seed=4)
    words = {1: "Strongly disagree", 7: "Strongly agree"}
    rows = [["Respondent ID", "Collector ID", "Expectations", *[""] * 21, "Perceptions",
             *[""] * 21],
            ["", "", *ITEMS, *ITEMS]]
    for k in range(2):
        rows.append([f"11422780{k}", "431", *[words.get(int(v), str(v)) for v in e[k]],
                     *p[k]])
    wide = read_survey(_write(tmp_path / "monkey.csv", rows))
    assert wide.attrs["shape"] == "surveymonkey"
    long = sq.responses_from_survey(wide)
    _check(long, e, p, ["114227800", "114227801"])


# ----------------------------------------------------------------- bad answers


def _forms(tmp_path, cells, ids=("a", "b")):
    header = ["Marca temporal", "Encuestado", f"Expectativa [{TEXT_ES['SQ01']}]",
              f"Percepción [{TEXT_ES['SQ01']}]"]
    rows = [header] + [["2024/11/05 10:23:45", i, *c] for i, c in zip(ids, cells)]
    return read_survey(_write(tmp_path / "bad.csv", rows))


def test_import_out_of_range_and_text_answers_name_column_and_rows(tmp_path):
    with pytest.raises(DataError) as err:
        sq.responses_from_survey(_forms(tmp_path, [["9", "5"], ["6", "mucho"]]))
    msg = str(err.value)
    assert "Expectativa [" in msg and "9" in msg
    assert "Percepción [" in msg and "mucho" in msg


def test_import_blank_and_no_answer_stay_missing(tmp_path):
    long = sq.responses_from_survey(_forms(tmp_path, [["", "5"], ["N/A", "4"]]))
    assert long["expectation"].isna().all()
    gaps = sq.gap_table(long)
    sample = sq.sample_table(gaps).iloc[0]
    # both answered only perceptions: kept and counted, but no gap
    assert sample["n_only_perceptions"] == 2 and sample["n_complete"] == 0
    with pytest.raises(DataError, match="only perceptions"):
        sq.gap_table(long, incomplete="raise")


def test_import_duplicated_respondent_fails(tmp_path):
    with pytest.raises(DataError, match="unique, non-empty respondent id"):
        sq.responses_from_survey(_forms(tmp_path, [["5", "5"], ["6", "4"]], ids=("a", "a")))
    wide = pd.DataFrame({"respondent_id": ["x", "x"], "E1": [5, 6], "P1": [5, 5]})
    with pytest.raises(DataError, match="repeated respondent ids"):
        sq.responses_from_survey(wide)


def test_import_without_servqual_columns_fails(tmp_path):
    frame = pd.DataFrame({"respondent_id": ["a"], "What else?": ["nothing"]})
    with pytest.raises(DataError, match="no column naming an item"):
        sq.responses_from_survey(frame)


# ----------------------------------------------------------------- templates

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "questionnaires" / "servqual"


@pytest.mark.parametrize("name", ["servqual-1991", "servqual-1988"])
@pytest.mark.parametrize("language", ["es", "en"])
def test_committed_templates_match_the_instrument(name, language):
    inst = load_instrument(name)
    html = (TEMPLATES / f"{name}_{language}.html").read_text(encoding="utf-8")
    assert html == sq.questionnaire_html(inst, language=language)
    for item in inst.items.itertuples():
        assert item.item_id in html
    header = (TEMPLATES / f"{name}_forms_{language}.csv").read_text(encoding="utf-8-sig")
    assert next(csv.reader([header])) == sq.forms_csv_header(inst, language=language)


def test_excel_template_validates_and_reads_back(tmp_path):
    import shutil

    from openpyxl import load_workbook

    from crmlib.questionnaire import read_filled_excel

    path = tmp_path / "filled.xlsx"
    shutil.copy(TEMPLATES / "servqual-1991_es.xlsx", path)
    wb = load_workbook(path)
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True) if r[0]}
    ws = wb[meta["sheet"]]
    rules = [dv for dv in ws.data_validations.dataValidation]
    assert any(dv.type == "whole" and str(dv.formula1) == "1" and str(dv.formula2) == "7"
               for dv in rules)
    ws[meta["respondent_cell"]] = "cliente-1"
    first = int(meta["first_row"])
    for k in range(22):
        ws.cell(row=first + k, column=4, value=7)
        ws.cell(row=first + k, column=5, value=5 if k < 4 else 6)
    wb.save(path)
    long = read_filled_excel(path, "servqual-1991")
    gaps = sq.gap_table(long)
    assert gaps["gap"].tolist() == [-2] * 4 + [-1] * 18
