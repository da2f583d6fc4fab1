"""How a client's files were read reaches `validate` and the reports (issue 12).

The loader notes every reading it chose (day order, dates written as numbers,
an amount from quantity × unit price, headers it does not know). Before, those
notes stayed in ``DataFrame.attrs``: `validate` printed nothing and the report
said nothing, so a dropped ``NIF/CIF`` header was silent.
"""

from __future__ import annotations

import yaml

from crmlib import stages
from crmlib.batch import validate_engagement


def _client(folder):
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "customer_id,date,quantity,unit_price,Vendedor\n"
        "C1,20240105,2,10.5,Ana\nC2,20240207,1,99,Luis\nC1,20240310,3,4,Ana\n",
        encoding="utf-8")
    (folder / "customers.csv").write_text(
        "customer_id,name,NIF-CIF raro\nC1,Uno SL,B123\nC2,Dos SA,A456\n", encoding="utf-8")
    return folder


def test_stage_data_notes_say_how_each_file_was_read(tmp_path):
    data = stages.load("02_differentiate", _client(tmp_path / "c"))
    es = data.data_notes("es")
    en = data.data_notes("en")
    assert len(es) == len(en) >= 3
    joined = " ".join(en)
    assert "quantity x unit_price" in joined                  # amount worked out
    assert "Vendedor" in joined                               # header nobody takes
    assert "eight-digit number" in joined                     # the date reading is said
    assert es != en


def test_validate_lists_the_readings_as_notes_and_stays_green(tmp_path):
    _client(tmp_path / "c")
    eng = tmp_path / "engagement.yaml"
    eng.write_text(yaml.safe_dump({
        "engagement": "notes", "as_of": "2024-12-31",
        "stages": ["02_differentiate"],
        "clients": [{"id": "c", "name": "C", "data_dir": "c"}]}), encoding="utf-8")
    problems = validate_engagement(eng)
    assert list(problems) == []
    notes = "\n".join(problems.notes)
    assert "client c: transactions:" in notes
    assert "Vendedor" in notes
    assert "client c: customers:" in notes and "NIF-CIF raro" in notes


def test_a_misspelt_survey_setting_in_dataset_yaml_is_refused_with_the_closest_name(tmp_path):
    """``survey:`` joined the dataset.yaml keys; a misspelt setting under it would
    otherwise be ignored and the group question silently not found."""
    import pytest

    from crmlib.exceptions import DataError
    from crmlib.io import read_dataset_config

    (tmp_path / "dataset.yaml").write_text("survey:\n  group_colum: Grupo\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"survey: key 'group_colum'.*did you mean 'group_column'"):
        read_dataset_config(tmp_path)
    (tmp_path / "dataset.yaml").write_text("survey: servqual\n", encoding="utf-8")
    with pytest.raises(DataError, match="survey must be a mapping"):
        read_dataset_config(tmp_path)


def _survey_engagement(tmp_path, kind):
    from realistic_clients import make_engagement

    path, truths = make_engagement(tmp_path, kinds=[kind])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["stages"] = ["06_servqual"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, tmp_path / next(iter(truths))


def test_validate_counts_the_respondents_a_survey_export_carries(tmp_path):
    """Before, ``validate`` looked only at file names: a Qualtrics export with importance
    points, overall rating and customer type still got the notes "section 'regression'
    (and 'segments', 'ipa') will be replaced by a sentence", which the report then showed."""
    from crmlib import io

    path, folder = _survey_engagement(tmp_path, "saas-us")
    assert "servqual_respondents" in io.client_tables(folder)
    problems = validate_engagement(path)
    assert list(problems) == []
    locked = [n for n in problems.notes if "06_servqual" in n]
    assert not [n for n in locked if any(f"'{k}'" in n for k in ("regression", "segments",
                                                                   "ipa"))], locked
    assert any("'zone'" in n for n in locked)        # no adequate/desired grids: still said


def test_an_export_without_respondent_questions_derives_no_respondents(tmp_path):
    """A SurveyMonkey export with only the two grids: no respondents table is made up
    (an id column alone), so validate and the report both say what would unlock the
    importance and segment sections."""
    from crmlib import io

    path, folder = _survey_engagement(tmp_path, "tienda-min")
    assert "servqual_respondents" not in io.client_tables(folder)
    assert io.read_client_table(folder, "servqual_respondents", optional=True) is None
    data = stages.load("06_servqual", folder)
    assert data.servqual_respondents is None
    problems = validate_engagement(path)
    assert list(problems) == []
    assert any("'ipa'" in n and "servqual_respondents" in n for n in problems.notes)
