"""The SERVQUAL Excel form: importance points, overall rating and customer type,
filled as a respondent would, read back and scored; the committed templates; PDF forms."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from crmlib import report
from crmlib import servqual as sq
from crmlib.exceptions import DataError, ParameterError
from crmlib.i18n import t
from crmlib.instruments import load_instrument
from crmlib.questionnaire import (
    read_filled_excel,
    read_filled_excel_respondents,
    write_questionnaire_excel,
    write_questionnaire_set,
)

INST = load_instrument("servqual-1991")
DIMS = list(INST.dimensions)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "questionnaires" / "servqual"


def _meta(ws_book):
    return {r[0]: r[1] for r in ws_book["_meta"].iter_rows(values_only=True) if r[0]}


def _fill(path, *, respondent, segment, e, p, points, rating):
    """Type answers into a blank form as a respondent would: ``e``/``p`` map a dimension to
    the answer given to each of its statements, ``points`` lists the importance points in
    dimension order (``None`` = left blank)."""
    wb = load_workbook(path)
    meta = _meta(wb)
    ws = wb[meta["sheet"]]
    ws[meta["respondent_cell"]] = respondent
    ws[meta["segment_cell"]] = segment
    dim_of = dict(zip(INST.items["item_id"], INST.items["dimension"]))
    for r in range(int(meta["first_row"]), int(meta["last_row"]) + 1):
        dim = dim_of[ws.cell(row=r, column=1).value]
        ws.cell(row=r, column=4, value=e[dim])
        ws.cell(row=r, column=5, value=p[dim])
    first = int(meta["points_first_row"])
    for k, value in enumerate(points):
        ws[f"D{first + k}"] = value
    ws[meta["overall_cell"]] = rating
    wb.save(path)
    return path


def _blank(folder, name, language="es"):
    return write_questionnaire_excel("servqual-1991", Path(folder) / f"{name}.xlsx",
                                     language=language)


def _each(value):
    return dict.fromkeys(DIMS, value)


# ----------------------------------------------------------------- the form


@pytest.mark.parametrize("language", ["es", "en"])
def test_form_asks_points_rating_and_customer_type(tmp_path, language):
    path = _blank(tmp_path, "form", language)
    wb = load_workbook(path)
    meta = _meta(wb)
    ws = wb[meta["sheet"]]
    assert ws["A3"].value == t("questionnaire.customer_type", language)
    assert "group_cell" not in meta  # SERVQUAL asks the customer type instead of a group
    first, last = int(meta["points_first_row"]), int(meta["points_last_row"])
    assert [ws[f"A{r}"].value for r in range(first, last + 1)] == DIMS
    assert [ws[f"B{r}"].value for r in range(first, last + 1)] == \
        [INST.dimension_label(d, language) for d in DIMS]
    assert ws[f"A{first - 3}"].value == t("questionnaire.excel_points_title", language)
    # the total adds up the five cells and says it must be 100
    assert ws[f"D{last + 1}"].value == f"=SUM(D{first}:D{last})"
    assert ws[f"C{last + 1}"].value == t("questionnaire.excel_total_note", language)
    overall = meta["overall_cell"]
    assert ws[f"B{overall[1:]}"].value == t("questionnaire.excel_overall", language, low=1,
                                            high=7)
    rules = {str(dv.sqref): (dv.type, str(dv.formula1), str(dv.formula2))
             for dv in ws.data_validations.dataValidation}
    assert rules[f"D{first}:D{last}"] == ("whole", "0", "100")
    assert rules[overall] == ("whole", "1", "7")  # the HTML form's overall rating: 1-7
    # only the answer cells can be edited
    assert ws.protection.sheet
    for ref in ("C2", "C3", f"D{first}", f"D{last}", overall):
        assert ws[ref].protection.locked is False, ref
    for ref in (f"D{last + 1}", f"B{first}", f"A{first}"):
        assert ws[ref].protection.locked is not False, ref


def test_form_lists_the_customer_types_an_instrument_names(tmp_path):
    from dataclasses import replace

    inst = replace(INST, extra={**INST.extra, "segments": {
        "business": {"es": "Empresa", "en": "Business"},
        "private": {"es": "Particular", "en": "Private customer"}}})
    path = write_questionnaire_excel(inst, tmp_path / "f.xlsx", language="es")
    ws = load_workbook(path).worksheets[0]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and str(lists[0].sqref) == "C3"
    assert lists[0].formula1 == '"Empresa,Particular"'
    _fill(path, respondent="r1", segment="Particular", e=_each(6), p=_each(5),
          points=[20] * 5, rating=5)
    assert read_filled_excel_respondents(path, inst)["segment"].tolist() == ["private"]


# ----------------------------------------------------------------- reading back


@pytest.fixture
def filled(tmp_path):
    """Three respondents, one file each (one form in English), as typed by hand."""
    folder = tmp_path / "filled"
    folder.mkdir()
    # ana: gap -2 on tangibles, -1 elsewhere
    _fill(_blank(folder, "01"), respondent="ana", segment="Empresa", e=_each(7),
          p={**_each(6), "tangibles": 5}, points=[10, 30, 20, 20, 20], rating=6)
    # ben: gap -3 on reliability, 0 elsewhere
    _fill(_blank(folder, "02"), respondent="ben", segment="Particular", e=_each(6),
          p={**_each(6), "reliability": 3}, points=[20, 40, 10, 10, 20], rating=4)
    # cris: gap -3 on empathy, 0 elsewhere; points add up to 90 (rescaled by the analysis)
    _fill(_blank(folder, "03", "en"), respondent="cris", segment="Empresa", e=_each(5),
          p={**_each(5), "empathy": 2}, points=[10, 20, 20, 20, 20], rating=5)
    return folder


def test_filled_forms_read_back_as_typed(filled):
    with pytest.warns(UserWarning, match=r"03\.xlsx: questionnaire: importance points in "
                                         r"cells D33:D37 add up to 90, not 100"):
        respondents = read_filled_excel_respondents(filled)
    expected = pd.DataFrame({
        "respondent_id": ["ana", "ben", "cris"],
        "segment": ["Empresa", "Particular", "Empresa"],
        "overall_rating": [6.0, 4.0, 5.0],
        "importance_tangibles": [10.0, 20.0, 10.0],
        "importance_reliability": [30.0, 40.0, 20.0],
        "importance_responsiveness": [20.0, 10.0, 20.0],
        "importance_assurance": [20.0, 10.0, 20.0],
        "importance_empathy": [20.0, 20.0, 20.0],
    })
    pd.testing.assert_frame_equal(respondents, expected)
    responses = read_filled_excel(filled, "servqual-1991")
    assert responses["respondent_id"].unique().tolist() == ["ana", "ben", "cris"]
    ana = responses[responses["respondent_id"] == "ana"]
    assert (ana["expectation"] == 7).all()
    assert ana["perception"].tolist() == [5.0] * 4 + [6.0] * 18


def test_weighted_score_of_filled_forms_matches_hand_computation(filled):
    """Weighted SERVQUAL score, Zeithaml, Parasuraman & Berry (1990, ch. 9): per respondent,
    sum over dimensions of (mean gap of the dimension) x (points / total points); then the
    mean over respondents. By hand, from the answers typed in ``filled``:
    ana  -2 x 10/100 + (-1) x (30+20+20+20)/100 = -0.2 - 0.9 = -1.1
    ben  -3 x 40/100                                         = -1.2
    cris -3 x 20/90 (points add up to 90: rescaled to 100)  = -2/3
    score = (-1.1 - 1.2 - 2/3) / 3 = -0.98888...
    Unweighted score: dimension means of the respondents' gaps, then their mean:
    tangibles -2/3, reliability -4/3, responsiveness -1/3, assurance -1/3, empathy -4/3,
    mean (-2 - 4 - 1 - 1 - 4) / 15 = -0.8."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        respondents = read_filled_excel_respondents(filled)
    gaps = sq.gap_table(read_filled_excel(filled, "servqual-1991"))
    scores = sq.servqual_scores(gaps, respondents).set_index("dimension")
    assert scores.loc["overall", "weighted_gap"] == pytest.approx((-1.1 - 1.2 - 2 / 3) / 3)
    assert scores.loc["overall", "n_weighted"] == 3
    assert scores.loc["tangibles", "weighted_gap"] == pytest.approx(-0.2 / 3)
    assert scores.loc["empathy", "weighted_gap"] == pytest.approx((-0.2 - 2 / 3) / 3)
    assert scores.loc["overall", "gap"] == pytest.approx(-0.8)
    # the segments compare: ana and cris are companies, ben a private customer
    # reliability gaps: ana -1 and cris 0 (mean -0.5), ben -3
    seg = sq.segment_gaps(gaps, respondents).set_index(["dimension", "segment"])
    assert seg.loc[("reliability", "Empresa"), "gap"] == pytest.approx(-0.5)
    assert seg.loc[("reliability", "Particular"), "gap"] == pytest.approx(-3.0)


# ----------------------------------------------------------------- bad fills


def test_points_not_adding_up_to_100_warn_or_fail_with_file_and_cells(tmp_path):
    path = _fill(_blank(tmp_path, "r90"), respondent="r90", segment="", e=_each(6),
                 p=_each(5), points=[10, 20, 20, 20, 20], rating=5)
    with pytest.warns(UserWarning) as record:
        out = read_filled_excel_respondents(path)
    message = str(record[0].message)
    assert "r90.xlsx" in message and "D33:D37" in message and "add up to 90, not 100" in message
    assert "rescales points to 100" in message
    assert out.filter(like="importance_").sum(axis=1).tolist() == [90.0]  # kept as typed
    assert out["segment"].isna().all()  # a blank customer type stays missing
    with pytest.raises(DataError, match=r"r90\.xlsx: questionnaire: importance points in cells "
                                        r"D33:D37 add up to 90, not 100"):
        read_filled_excel_respondents(path, strict=True)


def test_rating_out_of_range_names_file_and_cell(tmp_path):
    path = _fill(_blank(tmp_path, "r9"), respondent="r9", segment="x", e=_each(6),
                 p=_each(5), points=[20] * 5, rating=9)
    with pytest.raises(DataError, match=r"r9\.xlsx: questionnaire: column 'overall_rating' is "
                                        r"outside the scale 1-7 .*cell D40: 9"):
        read_filled_excel_respondents(path)
    # a scale label is read as its point
    _fill(path, respondent="r9", segment="x", e=_each(6), p=_each(5), points=[20] * 5,
          rating="Totalmente de acuerdo")
    assert read_filled_excel_respondents(path)["overall_rating"].tolist() == [7.0]


def test_blank_points_leave_the_respondent_out_of_the_weighted_score(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    _fill(_blank(folder, "a"), respondent="a", segment="x", e=_each(7), p=_each(5),
          points=[20] * 5, rating=5)
    _fill(_blank(folder, "b"), respondent="b", segment="x", e=_each(7), p=_each(6),
          points=[20, None, 30, 30, 20], rating=5)
    with pytest.warns(UserWarning, match=r"b\.xlsx: questionnaire: column "
                                         r"'importance_reliability' is blank \(cell D34\): this "
                                         r"respondent is left out of the importance-weighted"):
        respondents = read_filled_excel_respondents(folder)
    assert np.isnan(respondents.loc[1, "importance_reliability"])
    scores = sq.servqual_scores(sq.gap_table(read_filled_excel(folder, "servqual-1991")),
                                respondents).set_index("dimension")
    assert scores.loc["overall", "n_weighted"] == 1  # only a
    assert scores.loc["overall", "weighted_gap"] == pytest.approx(-2.0)
    with pytest.raises(DataError, match=r"b\.xlsx: .*'importance_reliability' is blank "
                                        r"\(cell D34\)"):
        read_filled_excel_respondents(folder, strict=True)


def test_points_that_are_not_numbers_or_outside_0_100_fail_together(tmp_path):
    path = _fill(_blank(tmp_path, "bad"), respondent="bad", segment="x", e=_each(6),
                 p=_each(5), points=[150, "veinte", 20, 20, -5], rating=5)
    with pytest.raises(DataError) as err:
        read_filled_excel_respondents(path)
    text = str(err.value)
    assert text.startswith(str(path)) and "3 problems found" in text
    assert "'importance_tangibles' must be from 0 to 100 points (cell D33: 150)" in text
    assert "'importance_reliability' is not a number of points (cell D34: 'veinte')" in text
    assert "'importance_empathy' must be from 0 to 100 points (cell D37: -5)" in text


def test_respondents_need_a_servqual_form_and_distinct_ids(tmp_path):
    readiness = write_questionnaire_excel("one-to-one", tmp_path / "r.xlsx")
    with pytest.raises(DataError, match=r"r\.xlsx: questionnaire: has no importance points"):
        read_filled_excel_respondents(readiness)
    folder = tmp_path / "twice"
    folder.mkdir()
    for name in ("a", "b"):
        _fill(_blank(folder, name), respondent="same", segment="x", e=_each(6), p=_each(5),
              points=[20] * 5, rating=5)
    with pytest.raises(DataError, match=r"b\.xlsx: questionnaire: column 'respondent_id' repeats "
                                        r"respondent 'same' of a\.xlsx"):
        read_filled_excel_respondents(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .xlsx answer sheet found"):
        read_filled_excel_respondents(tmp_path / "empty")


def test_forms_are_read_with_the_instrument_they_name(filled, tmp_path):
    import shutil
    from dataclasses import replace

    pd.testing.assert_frame_equal(read_filled_excel(filled),
                                  read_filled_excel(filled, "servqual-1991"))
    with pytest.raises(DataError, match=r"01\.xlsx: questionnaire: is a form of instrument "
                                        r"'servqual-1991', not 'one-to-one'"):
        read_filled_excel(filled, "one-to-one")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(filled / "01.xlsx", mixed / "01.xlsx")
    write_questionnaire_excel("one-to-one", mixed / "02.xlsx")
    with pytest.raises(DataError, match=r"02\.xlsx: .*instrument 'one-to-one', but 01\.xlsx is "
                                        r"one of 'servqual-1991'; read each instrument's forms"):
        read_filled_excel(mixed)
    # an adapted instrument is not shipped: its file must be given
    adapted = replace(INST, name="hotel-servqual")
    path = write_questionnaire_excel(adapted, tmp_path / "h.xlsx")
    _fill(path, respondent="r1", segment="x", e=_each(6), p=_each(5), points=[20] * 5, rating=5)
    with pytest.raises(DataError, match="'hotel-servqual', which is not shipped with crmlib: "
                                        "pass instrument="):
        read_filled_excel_respondents(path)
    assert read_filled_excel_respondents(path, adapted)["respondent_id"].tolist() == ["r1"]


# ----------------------------------------------------------------- committed templates


def _workbook_content(path):
    wb = load_workbook(path)
    return [(ws.title, ws.sheet_state, ws.protection.sheet,
             [tuple(r) for r in ws.iter_rows(values_only=True)],
             sorted((dv.type, str(dv.formula1), str(dv.formula2), str(dv.sqref))
                    for dv in ws.data_validations.dataValidation))
            for ws in wb.worksheets]


def test_committed_servqual_templates_are_what_the_code_writes(tmp_path):
    """templates/questionnaires/servqual is write_questionnaire_set of both versions (pdf off)
    plus the zone-of-tolerance variant of 1991; the README names every kind of file."""
    fresh = []
    for name in ("servqual-1991", "servqual-1988"):
        fresh += write_questionnaire_set(name, tmp_path, pdf=False)
    for path in fresh:
        committed = TEMPLATES / path.name
        assert committed.exists(), f"{path.name} is not committed"
        if path.suffix == ".xlsx":
            assert _workbook_content(committed) == _workbook_content(path), \
                f"{path.name} is stale: regenerate it"
        else:
            assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), \
                f"{path.name} is stale: regenerate it"
    for language in ("es", "en"):
        zone = (TEMPLATES / f"servqual-1991_zone_{language}.html").read_text(encoding="utf-8")
        assert zone == sq.questionnaire_html("servqual-1991", language=language, zone=True)
    assert not list(TEMPLATES.glob("*.pdf"))
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    assert "read_filled_excel_respondents" in readme and "write_questionnaire_set" in readme


# ----------------------------------------------------------------- PDF forms


def test_pdf_option_is_checked(tmp_path):
    with pytest.raises(ParameterError, match="pdf must be 'auto', True or False; got 'yes'"):
        write_questionnaire_set("servqual-1991", tmp_path, pdf="yes")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(report.find_chromium() is None,
                    reason="Chromium is not installed (Debian: apt-get install chromium); "
                           "PDF forms are printed with it")
def test_pdf_forms_are_printed_with_chromium(tmp_path):
    written = write_questionnaire_set("servqual-1991", tmp_path, languages=("es",), pdf=True)
    pdf = tmp_path / "servqual-1991_es.pdf"
    assert pdf in written
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages > 1, "the SERVQUAL form (44 statements, points, rating) fills several pages"
