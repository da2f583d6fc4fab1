"""Optional client tables: ``read_client_table(..., optional=True)`` and
``has_client_table``, with the ``credit_answers`` contract as the case in point."""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib import io
from crmlib.exceptions import DataError, ParameterError
from crmlib.schemas import TABLES, describe


def _answers_csv(folder, text, *, name="credit_answers.csv", encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding=encoding)
    return folder


def test_absent_optional_table_is_none_and_required_one_still_fails(tmp_path):
    assert io.has_client_table(tmp_path, "credit_answers") is False
    assert io.read_client_table(tmp_path, "credit_answers", optional=True) is None
    with pytest.raises(DataError, match="credit_answers") as info:
        io.read_client_table(tmp_path, "credit_answers")
    assert info.value.problems[0].table == "credit_answers"


def test_present_optional_table_is_read_with_spanish_headers(tmp_path):
    # Latin-1, ';' and Spanish headers, as the messy sample client writes its files.
    _answers_csv(tmp_path, "Cliente;Criterio;Puntuación;Comentario\n"
                           "C1;CAP1;4;buen flujo de caja\nC1;CHA1;;\nC2;CON1;2;sector en baja\n",
                 encoding="latin-1")
    assert io.has_client_table(tmp_path, "credit_answers") is True
    df = io.read_client_table(tmp_path, "credit_answers", optional=True)
    assert list(df.columns) == ["customer_id", "criterion_id", "score", "note"]
    assert df["customer_id"].tolist() == ["C1", "C1", "C2"]
    assert str(df["score"].dtype) == "float64"
    assert df["score"].tolist()[0] == 4.0 and pd.isna(df["score"].iloc[1])
    assert df["note"].iloc[0] == "buen flujo de caja"


def test_english_headers_and_no_note_column(tmp_path):
    _answers_csv(tmp_path, "customer,criterion,rating\nA,CAP1,5\nA,CAP2,3\n")
    df = io.read_client_table(tmp_path, "credit_answers")
    assert list(df.columns) == ["customer_id", "criterion_id", "score"]
    assert df["score"].tolist() == [5.0, 3.0]


def test_optional_does_not_hide_a_bad_file(tmp_path):
    _answers_csv(tmp_path, "cliente;criterio;puntaje\nC1;CAP1;4\nC1;CHA1;x\nC1;CAP1;3\n")
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "credit_answers", optional=True)
    by_column = {p.column: p for p in info.value.problems}
    assert by_column["score"].rule == "is not a number"
    assert by_column["score"].examples == ((3, "x"),)  # file line 3
    assert "duplicate" in by_column["criterion_id"].rule
    assert all(p.table == "credit_answers" for p in info.value.problems)


def test_bad_arguments_are_parameter_errors(tmp_path):
    with pytest.raises(ParameterError, match="optional"):
        io.read_client_table(tmp_path, "credit_answers", optional="yes")
    with pytest.raises(ParameterError):
        io.has_client_table(tmp_path, "credit_answerz")
    with pytest.raises(ParameterError, match="data_dir"):
        io.has_client_table(tmp_path / "nowhere", "credit_answers")


def test_credit_answers_contract_is_documented():
    spec = TABLES["credit_answers"]
    assert spec.required == ["customer_id", "criterion_id", "score"]
    assert not spec.column("note").required
    table = describe("credit_answers")
    assert table["column"].tolist() == ["customer_id", "criterion_id", "score", "note"]
    for c in spec.columns:
        assert c.description and c.synonyms
