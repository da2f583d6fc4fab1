"""Data messages name a client's files by their name in its folder, never by a full path
(issue 12).

Before, ``validate`` and the stage reports wrote ``/home/ana/clientes/acme/ventas.csv:
transactions: ...``: a path of the consultant's machine in a message that reaches the
client's report, a log or a student's screenshot. Files are now named as the client's
folder holds them (``transactions.csv``), the folder by its name.
"""

from __future__ import annotations

import gzip
import warnings

import pytest
import yaml

from crmlib import stages
from crmlib.batch import validate_engagement
from crmlib.exceptions import DataError
from crmlib.io import read_client_table, read_dataset_config


def _bad_client(folder):
    folder.mkdir(parents=True)
    (folder / "transactions.csv").write_text(
        "customer_id,date,amount\nC1,2024-03-15,abc\nC2,not a date,5\n", encoding="utf-8")
    (folder / "customers_crm.csv").write_text("customer_id,name\n,Ana\n", encoding="utf-8")
    (folder / "customers_erp.csv").write_text("customer_id,name\nC1,\n", encoding="utf-8")
    with gzip.open(folder / "invoices.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("invoice_id,customer_id,issued_at,due_at,amount\nF1,C1,2024-01-01,"
                 "2024-02-01,-5\n")
    return folder


def _no_path(text: str, tmp_path) -> None:
    for base in {str(tmp_path), str(tmp_path.resolve())}:
        assert base not in text, text
    assert "/" + tmp_path.name not in text


@pytest.mark.parametrize("table, name", [("transactions", "transactions.csv"),
                                         ("customers", "customers_crm.csv"),
                                         ("invoices", "invoices.csv.gz")])
def test_read_client_table_names_the_file_without_its_folders(tmp_path, table, name):
    folder = _bad_client(tmp_path / "acme")
    with pytest.raises(DataError) as err:
        read_client_table(folder, table, as_of="2024-12-31")
    text = str(err.value)
    _no_path(text, tmp_path)
    assert name in text
    for p in err.value.problems:
        _no_path(str(p.source), tmp_path)


def test_the_message_is_the_same_from_a_relative_folder(tmp_path, monkeypatch):
    _bad_client(tmp_path / "acme")
    with pytest.raises(DataError) as absolute:
        read_client_table(tmp_path / "acme", "transactions", as_of="2024-12-31")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as relative:
        read_client_table("acme", "transactions", as_of="2024-12-31")
    assert str(absolute.value) == str(relative.value)
    assert str(relative.value).startswith("transactions.csv: ")


def test_stage_load_names_files_and_the_folder_by_name(tmp_path):
    folder = _bad_client(tmp_path / "acme")
    with pytest.raises(DataError) as err:
        stages.load("01_identify", folder)
    text = str(err.value)
    _no_path(text, tmp_path)
    assert text.startswith("acme: ")
    assert "transactions.csv" in text and "customers_erp.csv" in text


def test_validate_lists_problems_with_file_names_only(tmp_path):
    _bad_client(tmp_path / "acme")
    eng = tmp_path / "engagement.yaml"
    eng.write_text(yaml.safe_dump({
        "engagement": "paths", "as_of": "2024-12-31",
        "stages": ["01_identify", "07_collections"],
        "clients": [{"id": "acme", "name": "Acme", "data_dir": "acme"}]}), encoding="utf-8")
    problems = validate_engagement(eng)
    assert problems, "the bad files must be reported"
    text = "\n".join([*problems, *problems.notes])
    _no_path(text, tmp_path)
    assert "transactions.csv" in text and "invoices.csv.gz" in text


def test_data_notes_and_survey_warnings_name_files_only(tmp_path):
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "cliente,fecha,importe,Ruta\nC1,20240315,10,R1\n", encoding="utf-8")
    (folder / "customers.csv").write_text("cliente,nombre\nC1,Ana\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = stages.load("01_identify", folder)
    notes = data.data_notes("es") + data.data_notes("en")
    assert notes
    for text in notes + [str(w.message) for w in caught]:
        _no_path(text, tmp_path)
    assert any(n.startswith("transactions.csv: ") for n in notes)


def test_a_bad_dataset_yaml_is_named_as_dataset_yaml(tmp_path):
    (tmp_path / "dataset.yaml").write_text("colum_map: {}\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_dataset_config(tmp_path)
    assert str(err.value).startswith("dataset.yaml: ")
    _no_path(str(err.value), tmp_path)
