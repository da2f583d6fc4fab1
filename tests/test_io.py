"""Tests of crmlib.io: survey exports, Likert answers, table loaders and the messy corpus."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmlib.exceptions import DataError, ParameterError
from crmlib.io import (
    OPTIONS,
    client_files,
    parse_likert,
    read_client_table,
    read_dataset_config,
    read_match_overrides,
    read_survey,
    read_table,
)
from crmlib.schemas import TABLES

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
    grid = ("Please rate how much you agree with each statement. "
            "[The staff are always willing to help]")
    assert df.loc[0, grid] == "Strongly agree"
    other = "Which channels do you use to contact us? [Other (please specify)]"
    assert df.loc[1, other] == "WhatsApp"
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
    col = ("Please rate how much you agree with each statement. "
           "[The company keeps its records without errors]")
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
    assert ("column 'SQ03' is outside the scale 1-7 - 2 of 6 rows fail "
            "(row 2: '8'; row 3: '0')") in msg
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


# --------------------------------------------------------------------------- messy corpus



MESSY = DATA / "messy"
AS_OF = "2024-12-31"


def ts(text):
    return pd.Timestamp(text)


# Each corpus file: (table, options, expectation). An expectation is either a dict of
# checks on the loaded frame ("rows", "columns", "dtypes", "cells" {(row, column): value},
# "attrs") or a list of fragments that the DataError message must contain; every error
# names the table, the column (when the problem has one) and the offending line.
CORPUS = {
    "01_utf8_comma.csv": ("transactions", {}, {
        "rows": 3, "columns": ["customer_id", "date", "amount", "quantity", "channel", "product"],
        "cells": {(2, "amount"): -20.5, (2, "quantity"): -1.0, (0, "date"): ts("2024-03-01")},
        "attrs": {"encoding": "utf-8", "sep": ",", "decimal": "."}}),
    "02_utf8_bom_semicolon.csv": ("customers", {}, {
        "rows": 2, "cells": {(0, "customer_id"): "A-01", (0, "name"): "José Núñez",
                             (0, "kind"): "person", (1, "kind"): "company",
                             (1, "city"): "Medellín"},
        "attrs": {"encoding": "utf-8-sig", "sep": ";"}}),
    "03_latin1_decimal_comma.csv": ("transactions", {}, {
        "rows": 3, "cells": {(0, "amount"): 1234.56, (1, "amount"): 12.5, (2, "amount"): -300.0,
                             (0, "customer_id"): "00123", (0, "date"): ts("2024-12-31"),
                             (0, "product"): 'Válvula ½"', (2, "product"): "Devolución"},
        "attrs": {"encoding": "cp1252", "decimal": ","}}),
    "04_cp1252_euro_amounts.csv": ("invoices", {}, {
        "rows": 3, "cells": {(0, "invoice_id"): "F-001", (0, "amount"): 1234.5,
                             (1, "amount"): 980.0, (2, "amount"): 15000.0,
                             (1, "due_at"): ts("2025-01-20"), (2, "paid_amount"): None},
        "attrs": {"encoding": "cp1252"}}),
    "05_tab_separated.tsv": ("invoices", {}, {
        "rows": 2, "cells": {(1, "amount"): 750.25, (1, "paid_at"): None,
                             (0, "paid_at"): ts("2024-10-20")}, "attrs": {"sep": "\t"}}),
    "06_pipe_separated.txt": ("interactions", {}, {
        "rows": 3, "cells": {(0, "kind"): "complaint", (1, "kind"): "request",
                             (2, "kind"): "praise", (0, "closed_at"): ts("2024-05-01 17:30"),
                             (1, "closed_at"): None, (1, "contacts_to_resolve"): None,
                             (0, "channel"): "teléfono"}, "attrs": {"sep": "|"}}),
    "07_dayfirst_dashes.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-12-31"), (1, "date"): ts("2024-01-05")}}),
    "08_dayfirst_dots_time.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-12-31 23:15"), (1, "date"): ts("2024-06-01 08:05:09"),
                  (1, "amount"): 20.5}}),
    # month first, detected because a second field is above 12
    "09_monthfirst_us.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-12-31"), (1, "date"): ts("2024-01-05")}}),
    # no field above 12: read day first
    "10_ambiguous_dates.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-02-01"), (1, "date"): ts("2024-04-03")}}),
    "11_iso_datetime.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-12-31 10:30"), (1, "date"): ts("2024-06-01 08:00")}}),
    "12_header_synonyms_es.csv": ("transactions", {}, {
        "columns": ["customer_id", "date", "amount", "quantity", "channel", "product",
                    "invoice_id"],
        "cells": {(0, "amount"): 1500.0, (1, "amount"): 99.9, (0, "invoice_id"): "F100"}}),
    "13_header_synonyms_en.csv": ("transactions", {}, {
        "columns": ["customer_id", "date", "amount", "quantity", "channel", "product",
                    "invoice_id"],
        "cells": {(1, "amount"): 1250.75, (1, "quantity"): 5.0}}),
    "14_preamble_title_block.csv": ("transactions", {}, [
        "transactions: column 'amount' is not a number - 1 of 3 rows fail (line 8: 'mil')"]),
    "15_preamble_loads.csv": ("transactions", {}, {"rows": 2, "attrs": {"header_line": 4}}),
    "16_stray_blank_lines.csv": ("transactions", {}, {"rows": 2,
                                                      "cells": {(1, "amount"): 20.0}}),
    "17_stray_blank_lines_error.csv": ("transactions", {}, [
        "transactions: column 'amount' is not a number", "(line 6: 'diez')"]),
    "18_trailing_empty_columns.csv": ("transactions", {}, {
        "rows": 2, "columns": ["customer_id", "date", "amount"]}),
    "19_whitespace_padding.csv": ("transactions", {}, {
        "cells": {(0, "customer_id"): "C1", (1, "customer_id"): "C2", (0, "amount"): 10.5}}),
    "20_currency_symbols.csv": ("transactions", {}, {
        "cells": {(0, "amount"): 1234.5, (1, "amount"): -500.0, (2, "amount"): 12.0,
                  (3, "amount"): -75.0}}),
    "21_na_tokens_numeric.csv": ("transactions", {}, {
        "cells": {(0, "quantity"): None, (1, "quantity"): None, (2, "quantity"): 2.0,
                  (0, "margin"): None, (1, "margin"): 3.5}}),
    "22_empty.csv": ("transactions", {}, ["transactions:", "empty"]),
    "23_only_blank_lines.csv": ("transactions", {}, ["transactions:", "empty"]),
    "24_header_only.csv": ("transactions", {}, [
        "transactions: has no data rows below the header on line 1"]),
    "25_missing_required_column.csv": ("transactions", {}, [
        "transactions: column 'amount' is required but missing",
        "header on line 1: 'customer_id', 'date', 'quantity'"]),
    "26_text_in_number.csv": ("transactions", {}, [
        "transactions: column 'amount' is not a number - 1 of 4 rows fail (line 3: 'abc')",
        "transactions: column 'amount' is empty - 1 of 4 rows fail (line 5: '')"]),
    # 2024 is a leap year, 2023 is not
    "27_bad_dates.csv": ("transactions", {}, [
        "transactions: column 'date' is not a date",
        "3 of 4 rows fail (line 2: '2024-13-45'; line 3: 'ayer'; line 5: '2023-02-29')"]),
    "28_future_dates.csv": ("transactions", {"as_of": AS_OF}, [
        "transactions: column 'date' is in the future (after 2024-12-31",
        "1 of 2 rows fail (line 3: '2099-01-01')"]),
    "29_duplicate_invoice_ids.csv": ("invoices", {}, [
        ("invoices: column 'invoice_id' has duplicate values - 2 of 3 rows fail "
         "(line 2: 'F1'; line 4: 'F1')")]),
    "30_negative_invoice_amount.csv": ("invoices", {}, [
        "invoices: column 'amount' is below 0 - 1 of 2 rows fail (line 3: -50.0)"]),
    "31_header_mapped_twice.csv": ("transactions", {}, [
        "transactions: column 'amount' is given by 2 headers ('Monto', 'Importe')",
        "column_map", "(line 1: 'Monto')"]),
    # loaded as is: crmlib.interact reports such tickets and never counts a negative time
    "32_closed_before_opened.csv": ("interactions", {}, {
        "rows": 2, "cells": {(0, "closed_at"): ts("2024-05-01"),
                             (0, "opened_at"): ts("2024-05-02")}}),
    "33_readiness_groups.csv": ("readiness_responses", {}, [
        "readiness_responses: column 'group' is not one of", "(line 5: 'visitante')"]),
    "34_binary_junk.csv": ("transactions", {}, ["transactions:", "binary"]),
    "35_corrupt.xlsx": ("transactions", {}, ["transactions:", "not a readable .xlsx"]),
    "36_corrupt.parquet": ("transactions", {}, ["transactions:", "not a readable Parquet"]),
    # the quoted name spans lines 2-3, so the next record is on line 4
    "37_multiline_quoted.csv": ("customers", {}, [
        "customers: column 'created_at' is not a date", "(line 4: '2023-13-01')"]),
    "38_more_fields_than_header.csv": ("transactions", {}, [
        "transactions: has rows with more fields than the header on line 1 (3)",
        "(line 3: 'oops')"]),
    "39_utf16_tab.txt": ("transactions", {}, {
        "rows": 2, "cells": {(0, "amount"): 10.5}, "attrs": {"encoding": "utf-16"}}),
    "40_servqual_respondents_points.csv": ("servqual_respondents", {}, [
        "servqual_respondents: column 'importance_reliability' is above 100",
        "(line 3: 120.0)"]),
    "41_special_flags_and_kinds.csv": ("customers", {}, {
        "cells": {(0, "special"): True, (1, "special"): False, (2, "special"): True,
                  (3, "special"): None, (2, "kind"): "person", (1, "kind"): "company"},
        "dtypes": {"special": "boolean"}}),
    "42_duplicate_customer_ids.csv": ("customers", {}, [
        "customers: column 'customer_id' has duplicate", "(line 2: 'C1'; line 4: 'C1')"]),
    "43_leading_zero_ids.csv": ("transactions", {}, {
        "cells": {(0, "customer_id"): "000123"}, "dtypes": {"customer_id": "str"}}),
    "44_month_names.csv": ("transactions", {}, {
        "cells": {(0, "date"): ts("2024-12-31"), (1, "date"): ts("2024-03-05"),
                  (2, "date"): ts("2024-08-15")}}),
    "45_bad_flag.csv": ("customers", {}, [
        "customers: column 'special' is not yes/no", "(line 3: 'quizás')"]),
    "46_bad_kind_value.csv": ("interactions", {}, [
        "interactions: column 'kind' is not one of", "(line 3: 'rumor')"]),
    # Excel: a title row and a blank row above the header; real dates and numbers, and
    # one amount typed as text with a decimal comma
    "47_excel_title_row_real_dates.xlsx": ("transactions", {}, {
        "rows": 2, "cells": {(0, "date"): ts("2024-12-31"), (1, "date"): ts("2024-06-01 14:30"),
                             (0, "amount"): 1234.56, (1, "amount"): 99.9,
                             (1, "customer_id"): "123"},
        "attrs": {"header_line": 3, "format": "xlsx"}}),
    "48_excel_bad_cells.xlsx": ("transactions", {}, [
        "transactions: column 'date' is not a date", "(line 4: 'no es fecha')",
        "transactions: column 'amount' is not a number", "(line 5: 'n/d')"]),
    "49_typed.parquet": ("transactions", {}, {
        "rows": 2, "dtypes": {"date": "datetime64[ns]", "amount": "float64",
                              "quantity": "float64", "customer_id": "str"}}),
    # Parquet has no lines: 0-based rows
    "50_parquet_text_cells.parquet": ("invoices", {}, [
        "invoices: column 'amount' is not a number - 1 of 2 rows fail (row 1: 'abc')"]),
    # mostly UTF-8, one line written by a Windows-1252 system
    "51_mixed_utf8_cp1252.csv": ("customers", {}, {
        "cells": {(0, "name"): "José Núñez", (1, "name"): "María Peña", (1, "city"): "León"},
        "attrs": {"encoding": "utf-8+cp1252"}}),
    # a spreadsheet's total row below the data
    "52_total_row_at_end.csv": ("transactions", {}, [
        "transactions: column 'date' is empty - 1 of 3 rows fail (line 4: '')"]),
}


def test_corpus_is_complete():
    files = sorted(p.name for p in MESSY.iterdir())
    assert files == sorted(CORPUS)
    assert len(files) >= 30


def _same(actual, expected):
    if expected is None:
        return pd.isna(actual)
    if isinstance(expected, float):
        return actual == pytest.approx(expected)
    return actual == expected


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_loads_or_names_table_column_and_line(name):
    table, options, expected = CORPUS[name]
    path = MESSY / name
    if isinstance(expected, list):
        with pytest.raises(DataError) as info:
            read_table(path, table, **options)
        message = str(info.value)
        for fragment in expected:
            assert fragment in message, message
        assert message.startswith(str(path)), message
        for problem in info.value.problems:
            assert problem.table == table
        return
    df = read_table(path, table, **options)
    assert isinstance(df.index, pd.RangeIndex)
    if "rows" in expected:
        assert len(df) == expected["rows"]
    if "columns" in expected:
        assert list(df.columns) == expected["columns"]
    for col, dtype in expected.get("dtypes", {}).items():
        assert str(df[col].dtype) == dtype, (col, df[col].dtype)
    for (row, col), value in expected.get("cells", {}).items():
        assert _same(df.loc[row, col], value), (row, col, df.loc[row, col], value)
    for key, value in expected.get("attrs", {}).items():
        assert df.attrs[key] == value, (key, df.attrs)
    # canonical types whatever the file looked like
    for c in TABLES[table].columns:
        if c.name in df.columns:
            kind = {"str": "str", "float": "float64", "datetime": "datetime64[ns]",
                    "bool": "boolean", "int": "Int64"}[c.dtype]
            assert str(df[c.name].dtype) == kind, (c.name, df[c.name].dtype)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_read_as_any_table_raises_only_data_error(name):
    for table in TABLES:
        try:
            read_table(MESSY / name, table, as_of=AS_OF)
        except DataError:
            pass


# --------------------------------------------------------------------------- no other exception

_FIXTURE_OK = [HealthCheck.function_scoped_fixture]  # tmp_path is only a scratch folder



@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(data=st.binary(max_size=400), table=st.sampled_from(sorted(TABLES)),
       ext=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
def test_random_bytes_raise_data_error_or_load(tmp_path, data, table, ext):
    path = tmp_path / f"junk{ext}"
    path.write_bytes(data)
    try:
        df = read_table(path, table)
    except DataError as err:
        assert str(err)
    else:
        assert isinstance(df, pd.DataFrame)


_cell = st.text(alphabet=st.sampled_from(list("aé1,;.-/ \t\"\n0:9xX$€")), max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(rows=st.lists(st.lists(_cell, min_size=1, max_size=5), max_size=6),
       header=st.lists(st.sampled_from(["customer_id", "Fecha", "date", "importe", "amount",
                                        "cantidad", "", "x"]), min_size=1, max_size=5),
       sep=st.sampled_from([",", ";", "\t", "|"]))
def test_random_text_tables_raise_data_error_or_load(tmp_path, rows, header, sep):
    text = "\n".join(sep.join(r) for r in [header, *rows])
    path = tmp_path / "random.csv"
    path.write_text(text, encoding="utf-8")
    try:
        df = read_table(path, "transactions", as_of=AS_OF)
    except DataError as err:
        assert "transactions" in str(err)
    else:
        assert {"date", "amount"} <= set(df.columns)
        assert str(df["amount"].dtype) == "float64"


_amounts = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2))
_days = st.integers(min_value=0, max_value=1095)


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(values=st.lists(st.tuples(_amounts, _days, st.integers(1, 999)), min_size=1, max_size=25),
       style=st.sampled_from(["us", "es", "es_tab"]))
def test_round_trip_through_regional_csv_styles(tmp_path, values, style):
    """Writing a table in Spanish- or English-locale CSV and reading it back gives it back."""
    start = pd.Timestamp("2022-01-01")
    dates = [start + pd.Timedelta(days=d) for _, d, _ in values]
    ids = [f"{i:05d}" for _, _, i in values]
    amounts = [a for a, _, _ in values]
    if style == "us":
        lines = ["Customer,Order Date,Revenue"] + [
            f'{c},{d:%m/%d/%Y},"{a:,.2f}"' for c, d, a in zip(ids, dates, amounts)]
        data, options = "\n".join(lines).encode("utf-8"), {"dayfirst": False, "decimal": "."}
    else:
        sep = ";" if style == "es" else "\t"

        def es(a):
            return f"{a:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        lines = [sep.join(["Cliente", "Fecha", "Importe"])] + [
            sep.join([c, f"{d:%d/%m/%Y}", es(a)]) for c, d, a in zip(ids, dates, amounts)]
        data, options = "\r\n".join(lines).encode("cp1252"), {"dayfirst": True, "decimal": ","}
    path = tmp_path / "rt.csv"
    path.write_bytes(data)
    df = read_table(path, "transactions", **options)
    assert df["customer_id"].tolist() == ids
    assert df["date"].tolist() == dates
    np.testing.assert_allclose(df["amount"].to_numpy(), amounts)


# --------------------------------------------------------------------------- options


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_decimal_and_thousands_can_be_forced(tmp_path):
    # "1.234" alone is ambiguous: with a comma separator it reads as a decimal point ...
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,2024-01-05,1.234\n")
    assert read_table(path, "transactions")["amount"].iloc[0] == pytest.approx(1.234)
    # ... unless told the file uses a decimal comma and thousands dots
    df = read_table(path, "transactions", decimal=",", thousands=".")
    assert df["amount"].iloc[0] == 1234.0
    assert df.attrs["decimal"] == ","


def test_semicolon_file_with_only_ambiguous_numbers_uses_decimal_comma(tmp_path):
    path = write(tmp_path, "t.csv", "cliente;fecha;importe\nC1;05/01/2024;1.234\n")
    assert read_table(path, "transactions")["amount"].iloc[0] == 1234.0


def test_dayfirst_can_be_forced(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,01/02/2024,1\n")
    assert read_table(path, "transactions")["date"].iloc[0] == ts("2024-02-01")
    assert read_table(path, "transactions", dayfirst=False)["date"].iloc[0] == ts("2024-01-02")


def test_dayfirst_conflicting_values_report_the_inconsistent_rows(tmp_path):
    # 31/01 says day first; 01/31 then cannot be a date
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,31/01/2024,1\nC2,01/31/2024,2\n")
    with pytest.raises(DataError, match=r"column 'date' is not a date .*\(line 3: '01/31/2024'\)"):
        read_table(path, "transactions")


def test_header_row_and_sep_and_encoding_options(tmp_path):
    text = "a|b\ncustomer_id|date|amount\nC1|2024-01-05|3\n"
    path = write(tmp_path, "t.txt", text, "latin-1")
    df = read_table(path, "transactions", header_row=2, sep="|", encoding="latin-1")
    assert df["amount"].tolist() == [3.0]
    with pytest.raises(DataError, match="header_row 9"):
        read_table(path, "transactions", header_row=9)


def test_wrong_explicit_encoding_is_a_data_error(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nCÑ,2024-01-05,3\n", "latin-1")
    with pytest.raises(DataError, match="not valid utf-8"):
        read_table(path, "transactions", encoding="utf-8")


@pytest.mark.parametrize("options, parameter", [
    ({"delimiter": ";"}, "delimiter"), ({"decimal": ";"}, "decimal"),
    ({"thousands": "x"}, "thousands"), ({"dayfirst": "yes"}, "dayfirst"),
    ({"header_row": 0}, "header_row"), ({"as_of": "someday"}, "as_of"),
    ({"encoding": "klingon"}, "encoding"), ({"sep": ";;"}, "sep"),
])
def test_bad_options_are_parameter_errors(tmp_path, options, parameter):
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,2024-01-05,3\n")
    with pytest.raises(ParameterError) as info:
        read_table(path, "transactions", **options)
    assert info.value.parameter == parameter
    assert set(OPTIONS) >= {"encoding", "sep", "decimal", "thousands", "dayfirst", "as_of"}


def test_unknown_table_is_a_parameter_error(tmp_path):
    path = write(tmp_path, "t.csv", "a\n1\n")
    with pytest.raises(ParameterError, match="table must be one of"):
        read_table(path, "sales")


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv", "transactions")
    with pytest.raises(DataError, match="old .xls"):
        read_table(tmp_path / "nope.xls", "transactions")


def test_future_dates_follow_as_of_and_due_dates_may_be_future(tmp_path):
    path = write(tmp_path, "i.csv", "invoice_id,customer_id,issued_at,due_at,amount\n"
                 "F1,C1,2024-12-20,2025-01-19,10\n")
    df = read_table(path, "invoices", as_of="2024-12-31")
    assert df["due_at"].iloc[0] == ts("2025-01-19")
    with pytest.raises(DataError, match="column 'issued_at' is in the future"):
        read_table(path, "invoices", as_of="2024-12-01")
    # a time later on the as_of day is not in the future
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,2024-12-31 23:59,1\n")
    assert len(read_table(path, "transactions", as_of=dt.date(2024, 12, 31))) == 1


def test_one_error_lists_every_problem_with_counts(tmp_path):
    rows = ["customer_id,date,amount,quantity"] + [f"C{i},2024-01-{1 + i % 28:02d},{i},1"
                                                    for i in range(1, 1204)]
    rows[17] = "C17,2024-01-18,abc,1"  # line 18
    rows.append("C1204,2024-02-01,,x")  # line 1205
    path = write(tmp_path, "t.csv", "\n".join(rows) + "\n")
    with pytest.raises(DataError) as info:
        read_table(path, "transactions")
    msg = str(info.value)
    assert "3 problems found" in msg
    assert ("transactions: column 'amount' is not a number - 1 of 1,204 rows fail "
            "(line 18: 'abc')") in msg
    assert "column 'amount' is empty - 1 of 1,204 rows fail (line 1205: '')" in msg
    assert "column 'quantity' is not a number - 1 of 1,204 rows fail (line 1205: 'x')" in msg


def test_extra_columns_are_kept_as_text_and_duplicates_renamed(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount,Notas,Notas,\n"
                 "C1,2024-01-05,3,a,b,\n")
    df = read_table(path, "transactions")
    assert list(df.columns) == ["customer_id", "date", "amount", "Notas", "Notas (2)"]
    assert df["Notas (2)"].iloc[0] == "b"


def test_text_na_is_kept_in_text_columns(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount,channel\nNA,2024-01-05,3,NA\n")
    df = read_table(path, "transactions")
    assert df.loc[0, "customer_id"] == "NA" and df.loc[0, "channel"] == "NA"


# --------------------------------------------------------------------------- column maps


def test_column_map_dict_matches_headers_loosely_and_keeps_extras(tmp_path):
    path = write(tmp_path, "t.csv", "COD. CLIENTE;Día;Venta Neta (€);Observación\n"
                 "K1;05/01/2024;10,5;ok\n")
    df = read_table(path, "transactions",
                    column_map={"cod cliente": "customer_id", "dia": "date",
                                "venta neta €": "amount"})
    assert list(df.columns) == ["customer_id", "date", "amount", "Observación"]
    assert df["amount"].iloc[0] == 10.5


def test_column_map_from_yaml_file_and_dropping_a_column(tmp_path):
    cmap = tmp_path / "map.yaml"
    cmap.write_text("transactions:\n  Monto: amount\n  Total: null\n", encoding="utf-8")
    path = write(tmp_path, "t.csv", "Cliente;Fecha;Monto;Total\nC1;05/01/2024;10;12\n")
    df = read_table(path, "transactions", column_map=cmap)
    assert list(df.columns) == ["customer_id", "date", "amount"]
    assert df["amount"].iloc[0] == 10.0


def test_column_map_settles_two_synonyms(tmp_path):
    path = write(tmp_path, "t.csv", "Cliente;Fecha;Monto;Importe\nC1;05/01/2024;10;12\n")
    df = read_table(path, "transactions", column_map={"Importe": "amount"})
    assert df["amount"].iloc[0] == 12.0
    assert df["Monto"].iloc[0] == "10"  # the other synonym stays, as an extra column


def test_column_map_clash_with_canonical_header_is_a_data_error(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount,importe_neto\nC1,2024-01-05,1,2\n")
    with pytest.raises(DataError, match="column 'amount' is given twice"):
        read_table(path, "transactions", column_map={"importe_neto": "amount"})


def test_column_map_unknown_target_is_a_parameter_error(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount\nC1,2024-01-05,1\n")
    with pytest.raises(ParameterError, match="'monto' to 'importe', which is not a column"):
        read_table(path, "transactions", column_map={"monto": "importe"})
    with pytest.raises(ParameterError, match="column_map"):
        read_table(path, "transactions", column_map=["monto"])
    with pytest.raises(ParameterError, match="not found"):
        read_table(path, "transactions", column_map=tmp_path / "missing.yaml")


def test_duplicate_identical_headers_are_reported(tmp_path):
    path = write(tmp_path, "t.csv", "customer_id,date,amount,amount\nC1,2024-01-05,1,2\n")
    with pytest.raises(DataError, match=r"column 'amount' is given by 2 headers \('amount', "
                                        r"'amount'\)"):
        read_table(path, "transactions")


# --------------------------------------------------------------------------- other sources


def test_dataframe_source_is_typed_and_not_mutated():
    frame = pd.DataFrame({"Cliente": ["C1", "C2"], "Fecha": ["31/12/2024", "01/06/2024"],
                          "Importe": ["1.234,5", "2"]})
    before = frame.copy()
    df = read_table(frame, "transactions")
    pd.testing.assert_frame_equal(frame, before)
    assert df["amount"].tolist() == [1234.5, 2.0]
    assert df["date"].tolist() == [ts("2024-12-31"), ts("2024-06-01")]


def test_dataframe_errors_cite_rows():
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-01-01",
                                                                               "2024-01-02"]),
                          "amount": [1.0, None]})
    with pytest.raises(DataError,
                       match=r"column 'amount' is empty - 1 of 2 rows fail \(row 1: ''\)"):
        read_table(frame, "transactions")


def test_sql_source_with_query(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("create table ventas (cliente integer, fecha text, monto real, "
                             "canal text)"))
        conn.execute(sa.text("insert into ventas values (101, '2024-03-01', 10.5, 'web'), "
                             "(102, '2024-03-02 10:00:00', -2, 'store'), "
                             "(101, '2024-03-05', 7, null)"))
    engine.dispose()
    df = read_table(url, "transactions", query="select * from ventas order by fecha")
    assert df["customer_id"].tolist() == ["101", "102", "101"]  # ids as text, no ".0"
    assert df["date"].tolist() == [ts("2024-03-01"), ts("2024-03-02 10:00"), ts("2024-03-05")]
    assert df["amount"].tolist() == [10.5, -2.0, 7.0]
    assert df.attrs["format"] == "sql"
    # errors cite 0-based rows of the query result
    with pytest.raises(DataError, match=r"column 'date' is in the future .*\(row 0: "):
        read_table(url, "transactions", query="select cliente, '2099-01-01' as fecha, monto "
                                              "from ventas", as_of=AS_OF)
    with pytest.raises(DataError, match="the query failed") as info:
        read_table(url, "transactions", query="select * from missing_table")
    assert str(tmp_path / "crm.db") in str(info.value)
    with pytest.raises(ParameterError, match="query is only for database"):
        read_table(tmp_path / "x.csv", "transactions", query="select 1")


def test_sql_url_password_is_not_shown(tmp_path):
    with pytest.raises((DataError, ParameterError)) as info:
        read_table("postgresql+psycopg://user:s3cret@127.0.0.1:1/db", "transactions",
                   query="select 1")
    assert "s3cret" not in str(info.value)


def test_parquet_and_xlsx_round_trip(tmp_path):
    frame = pd.DataFrame({"invoice_id": ["F1", "F2"], "customer_id": ["C1", "C2"],
                          "issued_at": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                          "due_at": pd.to_datetime(["2024-01-31", "2024-03-02"]),
                          "amount": [10.0, 20.25]})
    frame.to_parquet(tmp_path / "i.parquet")
    frame.to_excel(tmp_path / "i.xlsx", index=False)
    for name in ("i.parquet", "i.xlsx"):
        df = read_table(tmp_path / name, "invoices")
        pd.testing.assert_frame_equal(df[frame.columns].astype({"invoice_id": object,
                                                                "customer_id": object}),
                                      frame.astype({"invoice_id": object, "customer_id": object}),
                                      check_dtype=False)
        assert str(df["issued_at"].dtype) == "datetime64[ns]"


def test_xlsx_sheet_option(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"a": [1]}).to_excel(xw, sheet_name="Notas", index=False)
        pd.DataFrame({"customer_id": ["C1"], "date": ["2024-01-05"], "amount": [3]}).to_excel(
            xw, sheet_name="Ventas", index=False)
    assert read_table(path, "transactions", sheet="Ventas")["amount"].tolist() == [3.0]
    assert read_table(path, "transactions", sheet=1)["amount"].tolist() == [3.0]
    with pytest.raises(ParameterError, match="sheet must be one of"):
        read_table(path, "transactions", sheet="Hoja9")


# --------------------------------------------------------------------------- client folders


def test_read_client_table_stacks_customer_sources_with_dataset_yaml(tmp_path):
    folder = tmp_path / "acme"
    folder.mkdir()
    write(folder, "customers_crm.csv", "Cuenta;Nombre;Población\nA1;Ana;Lima\nA2;Beto;Cusco\n",
          "cp1252")
    pd.DataFrame({"customer_id": ["A1"], "name": ["Ana R."], "source": [None]}).to_excel(
        folder / "customers_erp.xlsx", index=False)
    write(folder, "transactions.csv", "cliente;fecha;importe\nA1;05/01/2024;1.000\n")
    write(folder, "~$customers_tmp.csv", "junk")
    (folder / "dataset.yaml").write_text(
        "column_map:\n  customers:\n    Población: city\n"
        "options:\n  decimal: ','\n"
        "tables:\n  transactions:\n    decimal: '.'\n", encoding="utf-8")
    assert [p.name for p in client_files(folder, "customers")] == ["customers_crm.csv",
                                                                    "customers_erp.xlsx"]
    df = read_client_table(folder, "customers")
    assert df["source"].tolist() == ["crm", "crm", "erp"]
    assert df["city"].tolist()[:2] == ["Lima", "Cusco"]
    assert list(df.columns[:3]) == ["customer_id", "name", "city"]
    # per-table options override the folder-wide ones: '1.000' with a decimal point is 1.0
    assert read_client_table(folder, "transactions")["amount"].tolist() == [1.0]
    # call options override dataset.yaml
    assert read_client_table(folder, "transactions", decimal=",")["amount"].tolist() == [1000.0]
    assert read_dataset_config(folder)["options"] == {"decimal": ","}


def test_read_client_table_without_file_or_with_bad_yaml(tmp_path):
    with pytest.raises(DataError, match="invoices: has no file"):
        read_client_table(tmp_path, "invoices")
    (tmp_path / "dataset.yaml").write_text("column_map: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        read_client_table(tmp_path, "invoices")
    with pytest.raises(ParameterError, match="data_dir"):
        client_files(tmp_path / "missing", "invoices")


def test_read_client_table_reports_file_of_duplicate_ids(tmp_path):
    write(tmp_path, "customers_a.csv", "customer_id,name\nC1,Ana\nC1,Ana\n")
    with pytest.raises(DataError, match=r"customers_a.csv: customers: column 'customer_id' has "
                                        r"duplicate .*\(line 2: 'C1'; line 3: 'C1'\)"):
        read_client_table(tmp_path, "customers")


SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.mark.skipif(not (SAMPLES / "movil-andina" / "transactions.csv").exists(),
                    reason="sample data not generated")
@pytest.mark.parametrize("client", ["movil-andina", "distribuidora-norte", "hotel-mirador"])
def test_sample_clients_load_every_table(client):
    for table in TABLES:
        if not client_files(SAMPLES / client, table):
            continue
        df = read_client_table(SAMPLES / client, table)
        assert len(df) > 0
        assert set(TABLES[table].required) <= set(df.columns)


def test_a_column_that_can_only_be_read_one_way_keeps_its_own_decimal_mark(tmp_path):
    # the file uses decimal commas, but the quantity column was exported with points
    path = write(tmp_path, "t.csv", "cliente;fecha;importe;cantidad\n"
                 "C1;05/01/2024;1.234,50;1.5\nC2;06/01/2024;10,00;2.0\n")
    df = read_table(path, "transactions")
    assert df["amount"].tolist() == [1234.5, 10.0]
    assert df["quantity"].tolist() == [1.5, 2.0]
    # forcing the mark applies it to every column, and the odd column is reported
    with pytest.raises(DataError, match=r"column 'quantity' is not a number .*line 2: '1.5'"):
        read_table(path, "transactions", decimal=",")


def test_workbook_given_as_bytes_or_under_a_csv_name_is_read_as_excel(tmp_path):
    frame = pd.DataFrame({"Cliente": ["C1"], "Fecha": [pd.Timestamp("2024-03-01")],
                          "Importe": [12.5]})
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    df = read_table(io.BytesIO(buf.getvalue()), "transactions")
    assert df.attrs["format"] == "xlsx"
    assert df.loc[0, "date"] == ts("2024-03-01") and df.loc[0, "amount"] == 12.5
    (tmp_path / "export.csv").write_bytes(buf.getvalue())
    assert read_table(tmp_path / "export.csv", "transactions")["amount"].tolist() == [12.5]
    survey = read_survey(io.BytesIO(buf.getvalue()))
    assert survey.loc[0, "Importe"] == "12.5"


@pytest.mark.parametrize("cells, expected", [
    (["1.234.567", "12"], [1234567.0, 12.0]),  # several dot groups: thousands dots
    (["1,234,567", "12"], [1234567.0, 12.0]),  # several comma groups: thousands commas
    (["1.234", "0,5"], [1234.0, 0.5]),  # the unambiguous cell decides the ambiguous one
    (["1,234", "0.5"], [1234.0, 0.5]),
])
def test_decimal_mark_detection(tmp_path, cells, expected):
    lines = ["customer_id\tdate\tamount"] + [f"C{i}\t2024-01-05\t{c}" for i, c in enumerate(cells)]
    path = write(tmp_path, "t.tsv", "\n".join(lines) + "\n")
    assert read_table(path, "transactions")["amount"].tolist() == expected


def test_read_client_table_lists_problems_of_every_customer_file(tmp_path):
    write(tmp_path, "customers_a.csv", "customer_id,name\nC1,Ana\nC1,Ana\n")
    write(tmp_path, "customers_b.csv", "customer_id,name\nC2,\n")
    with pytest.raises(DataError) as info:
        read_client_table(tmp_path, "customers")
    msg = str(info.value)
    assert "2 problems found" in msg
    assert "column 'customer_id' has duplicate (customer_id) pairs in customers_a.csv" in msg
    assert "column 'name' is empty in customers_b.csv - 1 of 1 rows fail (line 2: '')" in msg



def test_read_match_overrides_numbers_rows_by_file_line(tmp_path):
    # the shipped template: a comment line and the header, no rows
    template = read_match_overrides(Path(__file__).parents[1] / "templates" / "match_overrides.csv")
    assert list(template.columns) == ["left_key", "right_key", "decision", "note"]
    assert template.empty
    # BOM, comments, a blank line, a short row and no note column
    path = tmp_path / "ov.csv"
    path.write_text("\ufeff# reviewed 2024-12\nleft_key, right_key ,decision\n\n"
                    "crm:1,erp:A1,merge\n# second thoughts\ncrm:4,erp:A4\n", encoding="utf-8")
    ov = read_match_overrides(path)
    assert list(ov.columns) == ["left_key", "right_key", "decision", "note"]
    assert ov.index.tolist() == [4, 6]
    assert ov.loc[4].tolist() == ["crm:1", "erp:A1", "merge", ""]
    assert ov.loc[6].tolist() == ["crm:4", "erp:A4", "", ""]
    assert ov.attrs == {"location_kind": "line", "source": "ov.csv"}
    with pytest.raises(ParameterError, match="overrides file 'missing.csv' does not exist"):
        read_match_overrides(tmp_path / "missing.csv")


def test_read_match_overrides_from_a_spanish_locale_spreadsheet(tmp_path):
    # saved back by a spreadsheet on Spanish Windows: cp1252, ';' between fields,
    # CRLF line ends, and commas inside the note
    path = tmp_path / "ov.csv"
    path.write_bytes("left_key;right_key;decision;note\r\n"
                     "crm:1;erp:A1;merge;misma persona, revisado por Núñez\r\n"
                     "crm:2;erp:B7;keep_apart;\"homónimos; distinta dirección\"\r\n"
                     .encode("cp1252"))
    ov = read_match_overrides(path)
    assert ov.index.tolist() == [2, 3]
    assert ov.loc[2].tolist() == ["crm:1", "erp:A1", "merge", "misma persona, revisado por Núñez"]
    assert ov.loc[3].tolist() == ["crm:2", "erp:B7", "keep_apart", "homónimos; distinta dirección"]


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300), shape=st.sampled_from(["auto", "wide", "google_forms",
                                                            "qualtrics", "surveymonkey"]))
def test_random_bytes_as_survey_raise_data_error_or_load(data, shape):
    try:
        df = read_survey(io.BytesIO(data), shape=shape)
    except DataError:
        return
    assert df.columns[0] == "respondent_id"
    assert len(df.attrs["lines"]) == len(df)


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(-3, 12), st.floats(allow_nan=True),
                                 st.text(max_size=12)), max_size=12),
       scale_max=st.sampled_from([5, 7, 10]))
def test_parse_likert_returns_scale_values_or_raises_data_error(values, scale_max):
    try:
        out = parse_likert(values, scale_max=scale_max)
    except DataError as err:
        assert "column 'answer'" in str(err)
        return
    present = out.dropna()
    assert ((present >= 1) & (present <= scale_max)).all()
    assert len(out) == len(values)
