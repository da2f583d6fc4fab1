"""Survey exports saved in a client folder under the table's name are read as they come.

A Google Forms, Qualtrics or SurveyMonkey export of the workbook's own SERVQUAL or
readiness form, saved as ``servqual_responses.csv`` / ``readiness_responses.csv`` (or
``.xlsx``), becomes the long contract tables through ``crmlib.io.read_client_table``;
``servqual_respondents`` is derived from the same export when there is no file of its own.
The exports are built in ``survey_exports.py`` with the question texts the workbook's forms
print, and every check compares what is read with the numbers that were put in.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import survey_exports as sx

from crmlib import io, readiness, servqual
from crmlib.exceptions import DataError


def _check_servqual(folder, truth):
    long = io.read_client_table(folder, "servqual_responses")
    n = len(truth.ids)
    assert list(long.columns[:4]) == ["respondent_id", "item_id", "expectation", "perception"]
    assert long["respondent_id"].unique().tolist() == truth.ids
    assert long["item_id"].tolist()[:22] == sx.SQ.item_ids
    np.testing.assert_array_equal(long["expectation"].to_numpy().reshape(n, 22),
                                  truth.expectation)
    np.testing.assert_array_equal(long["perception"].to_numpy().reshape(n, 22),
                                  truth.perception)
    gaps = servqual.gap_table(long)
    np.testing.assert_array_equal(gaps["gap"].to_numpy().reshape(n, 22),
                                  truth.perception - truth.expectation)
    resp = io.read_client_table(folder, "servqual_respondents")
    assert resp["respondent_id"].tolist() == truth.ids
    np.testing.assert_array_equal(resp[[f"importance_{d}" for d in sx.DIMS]].to_numpy(),
                                  truth.importance)
    assert resp["overall_rating"].tolist() == truth.overall
    assert resp["segment"].tolist() == truth.segment
    # the two tables feed the weighted score together
    scores = servqual.servqual_scores(gaps, resp)
    assert scores["weighted_gap"].notna().all()
    return long, resp


@pytest.mark.parametrize("language", ["es", "en"])
def test_google_forms_servqual_csv(tmp_path, language):
    _, truth = sx.servqual_google_forms(tmp_path, language)
    _check_servqual(tmp_path, truth)


def test_google_forms_servqual_as_xlsx(tmp_path):
    _, truth = sx.servqual_google_forms(tmp_path, "es", xlsx=True, seed=5)
    _check_servqual(tmp_path, truth)


@pytest.mark.parametrize("language", ["en", "es"])
def test_qualtrics_servqual_three_header_rows(tmp_path, language):
    _, truth = sx.servqual_qualtrics(tmp_path, language)
    _check_servqual(tmp_path, truth)


def test_qualtrics_servqual_as_xlsx(tmp_path):
    _, truth = sx.servqual_qualtrics(tmp_path, "es", seed=9, xlsx=True)
    _check_servqual(tmp_path, truth)


@pytest.mark.parametrize("language", ["es", "en"])
def test_surveymonkey_servqual_two_header_rows(tmp_path, language):
    _, truth = sx.servqual_surveymonkey(tmp_path, language)
    _check_servqual(tmp_path, truth)


def test_zone_of_tolerance_grids_come_through(tmp_path):
    header = servqual.forms_csv_header(language="en", zone=True)
    rng = np.random.default_rng(21)
    answers = rng.integers(1, 8, (3, 88))
    rows = [["Timestamp", *header]] + [["2024-11-05 10:00:00", f"z{k}", *answers[k],
                                        20, 20, 20, 20, 20, 4, "B2B"] for k in range(3)]
    sx.write_csv(tmp_path / "servqual_responses.csv", rows)
    long = io.read_client_table(tmp_path, "servqual_responses")
    for j, part in enumerate(("expectation", "perception", "adequate", "desired")):
        np.testing.assert_array_equal(long[part].to_numpy().reshape(3, 22),
                                      answers[:, 22 * j:22 * (j + 1)])
    assert len(servqual.zone_of_tolerance(servqual.gap_table(long))) == 5


def test_validate_engagement_reads_the_exports(tmp_path):
    import yaml

    from crmlib import batch

    sx.servqual_qualtrics(tmp_path / "data" / "c1", "en")
    sx.readiness_google_forms(tmp_path / "data" / "c1", "es")
    eng = {"engagement": "e", "title": "t", "as_of": "2024-12-31", "language": "es",
           "stages": ["05_readiness", "06_servqual"],
           "clients": [{"id": "c1", "name": "C1", "industry": "retail", "data_dir": "data/c1"}]}
    path = tmp_path / "engagement.yaml"
    path.write_text(yaml.safe_dump(eng), encoding="utf-8")
    assert batch.validate_engagement(path) == []
    # a bad group label makes validate say so, as the run would
    sx.readiness_google_forms(tmp_path / "data" / "c1", "es",
                              group_words=dict(sx.GROUP_WORDS["es"], customer="Vecinos"))
    problems = batch.validate_engagement(path)
    assert len(problems) == 1 and "'Vecinos'" in problems[0]


def test_separate_respondents_file_is_still_read_as_is(tmp_path):
    _, truth = sx.servqual_google_forms(tmp_path, "es", n=3)
    (tmp_path / "servqual_respondents.csv").write_text(
        "respondent_id,segment,importance_tangibles,importance_reliability,"
        "importance_responsiveness,importance_assurance,importance_empathy\n"
        + "".join(f"{r},otro,20,20,20,20,20\n" for r in truth.ids), encoding="utf-8")
    resp = io.read_client_table(tmp_path, "servqual_respondents")
    assert resp["segment"].tolist() == ["otro"] * 3
    assert resp["importance_reliability"].tolist() == [20] * 3


def test_long_tables_are_read_as_before(tmp_path):
    (tmp_path / "servqual_responses.csv").write_text(
        "respondent_id,item_id,expectation,perception\nr1,SQ01,7,5\nr1,SQ02,6,6\n",
        encoding="utf-8")
    long = io.read_client_table(tmp_path, "servqual_responses")
    assert long["perception"].tolist() == [5, 6]
    # a title block above the header does not make it an export
    (tmp_path / "servqual_responses.csv").write_text(
        "Encuesta de calidad - sucursal centro\n\nEncuestado,Ítem,Expectativa,Percepción\n"
        "r1,SQ01,7,5\nr1,SQ02,6,6\n", encoding="utf-8")
    long = io.read_client_table(tmp_path, "servqual_responses")
    assert long["expectation"].tolist() == [7, 6] and long["item_id"].tolist() == ["SQ01",
                                                                                  "SQ02"]
    # no export to derive the respondents from: the usual "no file" error, or None
    with pytest.raises(DataError, match="servqual_respondents"):
        io.read_client_table(tmp_path, "servqual_respondents")
    assert io.read_client_table(tmp_path, "servqual_respondents", optional=True) is None


# --------------------------------------------------------------------------- readiness

def _check_readiness(folder, truth):
    long = io.read_client_table(folder, "readiness_responses")
    n, k = len(truth.ids), len(sx.RD.item_ids)
    assert list(long.columns) == ["respondent_id", "group", "item_id", "current", "preferred"]
    assert long["respondent_id"].unique().tolist() == truth.ids
    assert long.groupby("respondent_id", sort=False)["group"].first().tolist() == truth.group
    assert long["item_id"].tolist()[:k] == sx.RD.item_ids
    np.testing.assert_array_equal(long["current"].to_numpy().reshape(n, k), truth.current)
    np.testing.assert_array_equal(long["preferred"].to_numpy().reshape(n, k), truth.preferred)
    scores = readiness.group_scores(long)
    assert set(scores["group"]) == set(truth.group)
    return long


@pytest.mark.parametrize("language", ["es", "en"])
def test_google_forms_readiness_csv(tmp_path, language):
    _, truth = sx.readiness_google_forms(tmp_path, language)
    _check_readiness(tmp_path, truth)


def test_google_forms_readiness_as_xlsx(tmp_path):
    _, truth = sx.readiness_google_forms(tmp_path, "en", xlsx=True, seed=7)
    _check_readiness(tmp_path, truth)


@pytest.mark.parametrize("language", ["en", "es"])
def test_qualtrics_readiness_group_found_by_question_text(tmp_path, language):
    _, truth = sx.readiness_qualtrics(tmp_path, language)
    _check_readiness(tmp_path, truth)


def test_qualtrics_readiness_group_found_by_its_answers(tmp_path):
    # the group question worded by the consultant, not as the workbook's form prints it
    _, truth = sx.readiness_qualtrics(tmp_path, "es",
                                      group_question="¿En qué lado de la empresa está usted?")
    _check_readiness(tmp_path, truth)


@pytest.mark.parametrize("language", ["es", "en"])
def test_surveymonkey_readiness_two_header_rows(tmp_path, language):
    _, truth = sx.readiness_surveymonkey(tmp_path, language)
    _check_readiness(tmp_path, truth)


# --------------------------------------------------------------------------- group labels

# every wording the workbook's forms print (es/en) and the usual variants
VARIANTS = {
    "manager": ["Directivos", "directivo", "DIRECTIVOS", "Dirección", "Direccion", "Gerencia",
                "Gerentes", "Gerente", "Mandos", "Mandos medios", "Management", "Managers",
                "manager", "Directors", "Director", "Directores", "Jefes"],
    "employee": ["Empleados", "empleado", "Personal", "Staff", "Employees", "Colaboradores",
                 "Trabajadores"],
    "customer": ["Clientes", "Cliente", "Customers", "customer", "Clients"],
    "partner": ["Socios y aliados", "Socios", "Aliados", "Proveedores", "Distribuidores",
                "Partners", "Suppliers", "Socio"],
}
PAIRS = [(label, key) for key, labels in VARIANTS.items() for label in labels]


@pytest.mark.parametrize("label,key", PAIRS)
def test_every_group_wording_is_accepted(label, key):
    frame = pd.DataFrame({"respondent_id": ["r1"], "group": [label], "item_id": ["ID1"],
                          "current": [3], "preferred": [4]})
    assert readiness.validate_responses(frame)["group"].tolist() == [key]


def test_group_wordings_in_a_long_file_and_in_an_export(tmp_path):
    long_dir, export_dir = tmp_path / "long", tmp_path / "export"
    long_dir.mkdir()
    rows = "".join(f"r{i},{label},ID1,3,4\n" for i, (label, _) in enumerate(PAIRS))
    (long_dir / "readiness_responses.csv").write_text(
        "respondent_id,group,item_id,current,preferred\n" + rows, encoding="utf-8")
    got = io.read_client_table(long_dir, "readiness_responses")
    assert got["group"].tolist() == [key for _, key in PAIRS]
    words = {"manager": "Gerencia", "employee": "Personal", "customer": "Clientes",
             "partner": "Proveedores"}
    _, truth = sx.readiness_google_forms(export_dir, "es", group_words=words)
    _check_readiness(export_dir, truth)


def test_unknown_group_label_is_refused_with_a_short_message(tmp_path):
    words = dict(sx.GROUP_WORDS["es"], partner="Vecinos")
    path, _ = sx.readiness_google_forms(tmp_path, "es", group_words=words)
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "readiness_responses")
    text = str(info.value)
    assert len(text.splitlines()) <= 6, text
    assert "'Vecinos'" in text and "'Grupo'" in text and path.name in text
    # rows of the file: partners are respondents 4 and 8, on lines 5 and 9
    assert "line 5" in text and "line 9" in text
    assert "Directivos" in text and "Partners" in text   # the accepted labels are listed
    # the same in a long table: the label, the column, the line and the accepted labels
    (tmp_path / "readiness_responses.xlsx").unlink(missing_ok=True)
    (tmp_path / "readiness_responses.csv").write_text(
        "respondent_id,group,item_id,current\nr1,Directivos,ID1,3\nr2,Vecinos,ID1,4\n",
        encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "readiness_responses")
    text = str(info.value)
    assert len(text.splitlines()) <= 2, text
    assert "column 'group'" in text and "line 3: 'vecinos'" in text
    assert "Directivos/Managers" in text and "Socios y aliados/Partners" in text
    frame = pd.DataFrame({"respondent_id": ["a", "b"], "group": ["Directivos", "Vecinos"],
                          "item_id": ["ID1", "ID1"], "current": [3, 4]})
    with pytest.raises(DataError, match=r"'Vecinos'.*Directivos") as info:
        readiness.validate_responses(frame)
    assert "row 1" in str(info.value)


# --------------------------------------------------------------------------- short errors

def test_unrecognised_wide_export_gives_a_short_error(tmp_path):
    header = ["Marca temporal", "Dirección de correo electrónico"] + \
        [f"Pregunta libre número {i} sobre el servicio que recibió" for i in range(1, 61)]
    rows = [header] + [["2024/11/05 10:00:00", f"x{k}@example.com", *range(60)]
                       for k in range(3)]
    sx.write_csv(tmp_path / "servqual_responses.csv", rows)
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "servqual_responses")
    text = str(info.value)
    assert len(text.splitlines()) < 15 and len(text) < 1500, text
    assert "servqual_responses.csv" in text
    assert "62 columns" in text and "Pregunta libre número 1 sobre" in text
    assert "crmlib templates" in text  # says what to do


def test_wide_answers_that_are_not_numbers_name_column_and_line(tmp_path):
    path, _ = sx.servqual_google_forms(tmp_path, "es", n=3)
    text = path.read_text(encoding="utf-8-sig").splitlines()
    cells = text[2].split(",")   # answer rows hold no commas; the quoted header does
    cells[-3] = "muchísimo"      # the importance points of empathy
    text[2] = ",".join(cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "servqual_respondents")
    message = str(info.value)
    assert len(message.splitlines()) < 15
    assert "muchísimo" in message and "Empatía" in message


def test_bad_answers_in_every_column_still_give_a_short_error(tmp_path):
    truth = sx.servqual_truth(3, 4)
    path, _ = sx.servqual_google_forms(tmp_path, "es", truth=truth)
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    for j in range(1, len(rows)):
        cells = rows[j].split(",")
        cells[24:46] = ["bastante"] * 22          # every perception answer
        rows[j] = ",".join(cells)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_client_table(tmp_path, "servqual_responses")
    text = str(info.value)
    assert len(text.splitlines()) < 15, text
    assert "servqual_responses.csv" in text and "'bastante'" in text
    assert "Percepción [SQ01" in text and "line 2" in text
    assert "and 21 more columns like it" in text and "Percepción [SQ22" in text
    assert len(text.splitlines()) == 1


# --------------------------------------------------------------------------- issue 17: 25%

def _percent_export(folder, points):
    truth = sx.servqual_truth(len(points), 3)
    truth.importance = np.array([[0] * 5] * len(points))
    path, _ = sx.servqual_google_forms(folder, "es", truth=truth)
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    out = [rows[0]]
    for line, row_points in zip(rows[1:], points):
        cells = line.split(",")
        cells[-7:-2] = row_points
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return truth


def test_importance_written_as_percentages_summing_to_100_is_read_with_a_notice(tmp_path):
    _percent_export(tmp_path, [["25%", "25%", "20%", "15%", "15%"],
                               ["10", "30", "20", "20", "20"]])
    with pytest.warns(UserWarning, match=r"%.*line 2"):
        resp = io.read_client_table(tmp_path, "servqual_respondents")
    assert resp.filter(like="importance_").iloc[0].tolist() == [25, 25, 20, 15, 15]
    assert resp.filter(like="importance_").iloc[1].tolist() == [10, 30, 20, 20, 20]


def test_importance_percentages_not_summing_to_100_are_refused_naming_the_rows(tmp_path):
    _percent_export(tmp_path, [["25%", "25%", "20%", "15%", "15%"],
                               ["30%", "30%", "20%", "15%", "15%"],
                               ["10", "30", "20", "20", "20"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError, match=r"%.*line 3") as info:
            io.read_client_table(tmp_path, "servqual_respondents")
    assert "line 2" not in str(info.value) and "line 4" not in str(info.value)


def test_respondents_file_with_percent_points(tmp_path):
    head = "respondent_id,segmento," + ",".join(f"importance_{d}" for d in sx.DIMS) + "\n"
    (tmp_path / "servqual_respondents.csv").write_text(
        head + "r1,Empresa,25%,25%,20%,15%,15%\nr2,Particular,10,30,20,20,20\n",
        encoding="utf-8")
    with pytest.warns(UserWarning, match=r"servqual_respondents.csv.*%.*line 2"):
        resp = io.read_client_table(tmp_path, "servqual_respondents")
    assert resp["segment"].tolist() == ["Empresa", "Particular"]
    assert resp.filter(like="importance_").to_numpy().tolist() == [[25, 25, 20, 15, 15],
                                                                   [10, 30, 20, 20, 20]]
    (tmp_path / "servqual_respondents.csv").write_text(
        head + "r1,Empresa,25%,25%,20%,15%,15%\nr2,Particular,10%,30%,20%,20%,10%\n",
        encoding="utf-8")
    with pytest.raises(DataError, match=r"do not add up to 100%.*line 3: '90%'") as info:
        io.read_client_table(tmp_path, "servqual_respondents")
    assert "line 2" not in str(info.value)


def test_forms_respondents_who_leave_their_name_blank_are_numbered(tmp_path):
    truth = sx.servqual_truth(4, 8)
    truth.ids = ["Ana", "", "Luis", ""]
    sx.servqual_google_forms(tmp_path, "es", truth=truth)
    with pytest.warns(UserWarning, match=r"2 responses leave 'Encuestado' blank.*line 3: r0002"):
        long = io.read_client_table(tmp_path, "servqual_responses")
    assert long["respondent_id"].unique().tolist() == ["Ana", "r0002", "Luis", "r0004"]
    np.testing.assert_array_equal(long["perception"].to_numpy().reshape(4, 22),
                                  truth.perception)
    with pytest.warns(UserWarning):
        resp = io.read_client_table(tmp_path, "servqual_respondents")
    assert resp["respondent_id"].tolist() == ["Ana", "r0002", "Luis", "r0004"]
    # nobody answered it: every response numbered, nothing to warn about
    truth.ids = [""] * 4
    sx.servqual_google_forms(tmp_path, "es", truth=truth)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long = io.read_client_table(tmp_path, "servqual_responses")
    assert long["respondent_id"].unique().tolist() == ["r0001", "r0002", "r0003", "r0004"]


def test_dataset_yaml_names_the_group_and_id_questions(tmp_path):
    # the consultant's own id question (Q0) instead of Qualtrics' ResponseId, and the group
    # question named outright
    path, truth = sx.readiness_qualtrics(tmp_path, "en", group_question="Where do you work?")
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    rows[0] = rows[0].replace("ResponseId", "ResponseId,Q0")
    rows[1] = rows[1].replace("Response ID", "Response ID,Your staff number")
    rows[2] = rows[2].replace('"{""ImportId"": ""_recordId""}"',
                              '"{""ImportId"": ""_recordId""}",Q0')
    for j in range(3, len(rows)):
        rows[j] = rows[j].replace(f"{truth.ids[j - 3]},", f"{truth.ids[j - 3]},E{j},", 1)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "dataset.yaml").write_text("survey:\n  id_column: Q0\n  group_column: Q1\n",
                                           encoding="utf-8")
    long = io.read_client_table(tmp_path, "readiness_responses")
    assert long["respondent_id"].unique().tolist() == [f"E{j}" for j in range(3, 9)]
    assert long.groupby("respondent_id", sort=False)["group"].first().tolist() == truth.group
    (tmp_path / "dataset.yaml").write_text("survey:\n  group: Q1\n", encoding="utf-8")
    with pytest.raises(DataError, match="survey.*instrument, id_column, group_column"):
        io.read_client_table(tmp_path, "readiness_responses")


def test_questions_on_items_the_instrument_lacks_are_not_dropped_silently(tmp_path):
    path, truth = sx.servqual_google_forms(tmp_path, "es", n=3)
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    rows[0] += ",Expectativa [SQ23. Ofrece aparcamiento gratuito.]"
    rows[1:] = [r + ",6" for r in rows[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"SQ23 are left out.*servqual-1991.*dataset.yaml"):
        long = io.read_client_table(tmp_path, "servqual_responses")
    np.testing.assert_array_equal(long["expectation"].to_numpy().reshape(3, 22),
                                  truth.expectation)
