"""Tests of crmlib.io: survey exports, Likert answers, table loaders and the messy corpus."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import DataError, ParameterError
from crmlib.io import parse_likert, read_survey

DATA = Path(__file__).parent / "data"
SURVEYS = DATA / "surveys"


# --------------------------------------------------------------------------- surveys


def test_google_forms_export_keeps_grid_names_and_numbers_rows():
    df = read_survey(SURVEYS / "google_forms.csv")
    assert df.attrs["shape"] == "google_forms"
    assert list(df.columns[:3]) == ["respondent_id", "Marca temporal", "Nombre del hotel visitado"]
    assert "Expectativas [Tiene equipos de aspecto moderno]" in df.columns
    assert "Percepciones [Cumple lo que promete]" in df.columns
    assert df["respondent_id"].tolist() == ["r0001", "r0002", "r0003", "r0004"]
    assert df.attrs["lines"] == [2, 3, 4, 5]  # the trailing blank line is dropped
    # a blank answer is missing, not ""
    assert pd.isna(df.loc[3, "Expectativas [Tiene equipos de aspecto moderno]"])
    assert df.loc[2, "Comentarios"] == 'La habitación, "fría"'


def test_qualtrics_export_uses_short_ids_and_keeps_question_text():
    df = read_survey(SURVEYS / "qualtrics.csv")
    assert df.attrs["shape"] == "qualtrics"
    assert len(df) == 3
    assert df.columns[0] == "respondent_id"
    assert df["respondent_id"].tolist() == ["R_1a2B3c4D5e6F7g8", "R_9h8G7f6E5d4C3b2",
                                            "R_3xYzAbCdEfGhIjK"]
    assert {"Q1", "Q2_1", "Q2_2", "Q2_3", "Q3", "ResponseId"} <= set(df.columns)
    assert df.attrs["question_text"]["Q2_2"].endswith(
        "We can recognise a customer at every contact point")
    assert df.attrs["import_ids"]["Q2_1"] == "QID2_1"
    # the second response has a line break inside a quoted answer: lines follow the file
    assert df.attrs["lines"] == [4, 5, 7]
    assert df.loc[1, "Q3"] == "The form was long,\nbut fine"
    assert pd.isna(df.loc[1, "Q2_2"])


def test_surveymonkey_export_joins_two_header_rows():
    df = read_survey(SURVEYS / "surveymonkey.csv")
    assert df.attrs["shape"] == "surveymonkey"
    assert len(df) == 3  # two blank lines at the end dropped
    assert df["respondent_id"].tolist() == ["114227809123", "114227811456", "114227815789"]
    assert "What is your role?" in df.columns  # sub label "Response" dropped
    assert "Any comments?" in df.columns  # "Open-Ended Response" dropped
    grid = "Please rate how much you agree with each statement. [The staff are always willing to help]"
    assert df.loc[0, grid] == "Strongly agree"
    assert df.loc[1, "Which channels do you use to contact us? [Other (please specify)]"] == "WhatsApp"
    assert df.attrs["question_text"][grid] == "Please rate how much you agree with each statement."


def test_wide_latin1_semicolon_export_takes_id_column():
    df = read_survey(SURVEYS / "wide_latin1.csv")
    assert df.attrs["shape"] == "wide"
    assert df["respondent_id"].tolist() == ["E01", "E02", "E03"]
    assert df["grupo"].tolist() == ["Gerente", "Empleado", "Cliente"]
    assert pd.isna(df.loc[1, "DF1_actual"])


def test_forced_shape_that_does_not_fit_is_a_data_error():
    with pytest.raises(DataError, match="Google Forms"):
        read_survey(SURVEYS / "wide_latin1.csv", shape="google_forms")


def test_unknown_shape_is_a_parameter_error():
    with pytest.raises(ParameterError, match="shape"):
        read_survey(SURVEYS / "wide_latin1.csv", shape="typeform")


def test_survey_from_file_object_and_empty_file():
    text = "Timestamp,Q [A],Q [B]\n2024-01-01 10:00,1,2\n"
    df = read_survey(io.BytesIO(text.encode()))
    assert df.attrs["shape"] == "google_forms"
    assert df["Q [B]"].tolist() == ["2"]
    with pytest.raises(DataError, match="empty"):
        read_survey(io.BytesIO(b"\n\n"))


def test_survey_round_trip_through_likert():
    df = read_survey(SURVEYS / "surveymonkey.csv")
    col = "Please rate how much you agree with each statement. [The company keeps its records without errors]"
    # 5-point agreement scale: Agree = 4, Strongly disagree = 1, blank = missing
    scores = parse_likert(df[col], scale_max=5)
    assert scores.tolist()[:2] == [4.0, 1.0]
    assert math.isnan(scores.iloc[2])


# --------------------------------------------------------------------------- Likert


@pytest.mark.parametrize(
    "value, scale_max, expected",
    [
        ("4", 5, 4.0), (4, 5, 4.0), ("4.0", 5, 4.0), (4.0, 5, 4.0), ("4 - De acuerdo", 5, 4.0),
        ("7 = Strongly agree", 7, 7.0), ("  6 ", 7, 6.0), ("3,0", 5, 3.0),
        ("Totalmente de acuerdo", 5, 5.0), ("TOTALMENTE  de ACUERDO", 7, 7.0),
        ("Strongly agree", 7, 7.0), ("strongly disagree", 5, 1.0),
        ("Totalmente en desacuerdo", 7, 1.0), ("Ni de acuerdo ni en desacuerdo", 5, 3.0),
        ("ni de acuérdo ni en désacuerdo", 7, 4.0), ("Neither agree nor disagree", 7, 4.0),
        ("De acuerdo", 5, 4.0), ("De acuerdo", 7, 6.0), ("Agree", 7, 6.0),
        ("En desacuerdo", 5, 2.0), ("Somewhat agree", 7, 5.0), ("Algo en desacuerdo", 7, 3.0),
    ],
)
def test_parse_likert_reads_numbers_and_labels(value, scale_max, expected):
    assert parse_likert([value], scale_max=scale_max).iloc[0] == expected


@pytest.mark.parametrize("value", ["", "   ", None, float("nan"), "N/A", "No aplica", "Don't know"])
def test_parse_likert_blank_and_non_answers_are_missing(value):
    assert math.isnan(parse_likert([value], scale_max=5).iloc[0])


def test_parse_likert_keeps_index_and_name():
    s = pd.Series(["1", "Agree"], index=[10, 20], name="Q7")
    out = parse_likert(s, scale_max=5)
    assert out.index.tolist() == [10, 20] and out.name == "Q7" and out.dtype == "float64"


def test_parse_likert_error_names_column_rule_and_rows():
    s = pd.Series(["5", "muy bien", "8", "0", "2", "bad"], name="SQ03")
    with pytest.raises(DataError) as info:
        parse_likert(s, scale_max=7, source="answers.csv", table="servqual_responses")
    msg = str(info.value)
    assert msg.startswith("answers.csv: 2 problems found")
    assert ("servqual_responses: column 'SQ03' is not a number or a known Likert label of a "
            "1-7 scale - 2 of 6 rows fail (row 1: 'muy bien'; row 5: 'bad')") in msg
    assert "column 'SQ03' is outside the scale 1-7 - 2 of 6 rows fail (row 2: '8'; row 3: '0')" in msg
    kinds = [p.rule for p in info.value.problems]
    assert len(kinds) == 2


def test_parse_likert_cites_source_lines_when_given():
    df = read_survey(SURVEYS / "qualtrics.csv")
    bad = df["Q1"]  # group names, not scores
    with pytest.raises(DataError, match=r"column 'Q1' .* \(line 4: 'Manager'; line 5: 'Employee'; "
                                        r"line 7: 'Customer'\)"):
        parse_likert(bad, scale_max=5, lines=df.attrs["lines"])


def test_parse_likert_custom_labels_extend_and_override():
    out = parse_likert(["Siempre", "Nunca", "A veces", "No sé", "De acuerdo"], scale_max=5,
                       labels={"Siempre": 5, "Nunca": 1, "A veces": 3, "No sé": None,
                               "de acuerdo": 5})
    assert out.iloc[:3].tolist() == [5.0, 1.0, 3.0]
    assert math.isnan(out.iloc[3])
    assert out.iloc[4] == 5.0  # overridden


def test_parse_likert_has_no_labels_for_other_scale_sizes():
    with pytest.raises(DataError, match="known Likert label of a 1-10 scale"):
        parse_likert(["Strongly agree"], scale_max=10)
    assert parse_likert(["10"], scale_max=10).iloc[0] == 10.0


def test_parse_likert_bad_parameters():
    with pytest.raises(ParameterError, match="scale_max"):
        parse_likert(["1"], scale_max=1)
    with pytest.raises(ParameterError, match="scale_max"):
        parse_likert(["1"], scale_max=True)
    with pytest.raises(ParameterError, match="labels"):
        parse_likert(["1"], scale_max=5, labels={"x": "high"})


def test_parse_likert_does_not_mutate_input():
    s = pd.Series(["Agree", "4", None], name="Q")
    before = s.copy()
    parse_likert(s, scale_max=5)
    pd.testing.assert_series_equal(s, before)


def test_parse_likert_many_values_uses_distinct_answers():
    rng = np.random.default_rng(0)
    values = rng.choice(["1", "2", "Agree", "Strongly agree", ""], size=20_000)
    out = parse_likert(values, scale_max=5)
    expected = pd.Series(values).map({"1": 1.0, "2": 2.0, "Agree": 4.0, "Strongly agree": 5.0,
                                      "": np.nan})
    np.testing.assert_array_equal(out.to_numpy(), expected.to_numpy())
