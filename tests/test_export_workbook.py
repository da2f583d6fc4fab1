"""tables.xlsx finished for a reader: opened with openpyxl and inspected cell by cell."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from crmlib import report


def _tables():
    customers = pd.DataFrame({
        "customer_id": ["C-001", "=HYPERLINK(\"x\")", "C-003"],
        "kind": ["company", "person", None],
        "value": [1234567.891, 12.5, -3.25],
        "share": [0.7412, 0.25, 0.0088],
        "n_purchases": pd.Series([12, 3, 1], dtype="int64"),
        "percentile": [75.0, 50.0, 12.5],
        "first_purchase": pd.to_datetime(["2024-01-05", "2023-11-30", "2024-12-31"]),
        "opened_at": pd.to_datetime(["2024-01-05 10:30", "2024-02-01 08:00", None]).tz_localize(
            "Europe/Madrid"),
    })
    aging = pd.DataFrame({"risk": ["high", "low"], "balance": [1500.0, 20.0]})
    return {"customer_summary": customers, "customer_risk": aging}


@pytest.fixture(params=["es", "en"])
def workbook(request, tmp_path):
    rec = report.Recorder(tmp_path, client_id="c1", stage="02_differentiate",
                          language=request.param)
    for name, table in _tables().items():
        rec.table(name, table)
    rec.save()
    return request.param, load_workbook(tmp_path / report.TABLES_FILE)


TITLES = {"es": ["Índice", "Resumen por cliente", "Riesgo por cliente"],
          "en": ["Contents", "Customer summary", "Risk by customer"]}


def test_one_sheet_per_table_behind_a_contents_sheet_with_links(workbook):
    language, wb = workbook
    assert wb.sheetnames == TITLES[language]
    contents = wb[TITLES[language][0]]
    rows = [[c.value for c in row] for row in contents.iter_rows()]
    assert rows[1:] == [[TITLES[language][1], TITLES[language][1], 3],
                        [TITLES[language][2], TITLES[language][2], 2]]
    link = contents.cell(row=2, column=2).hyperlink
    assert link is not None and link.location == f"'{TITLES[language][1]}'!A1"
    assert contents.freeze_panes == "A2"


def test_headers_and_code_values_are_translated(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    headers = [c.value for c in ws[1]]
    expected = {"es": ["Cliente", "Tipo", "Valor", "Participación", "Días de compra", "Percentil",
                       "Primera compra", "Apertura"],
                "en": ["Customer", "Kind", "Value", "Share", "Purchase days", "Percentile",
                       "First purchase", "Opened"]}
    assert headers == expected[language]
    kinds = [ws.cell(row=r, column=2).value for r in (2, 3, 4)]
    assert kinds == ({"es": ["Empresa", "Persona", None], "en": ["Company", "Person", None]}
                     [language])
    risk = wb[TITLES[language][2]]
    assert [risk.cell(row=r, column=1).value for r in (2, 3)] == \
        ({"es": ["Alto", "Bajo"], "en": ["High", "Low"]}[language])


def test_numbers_keep_full_precision_and_carry_formats(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    value, share, count, pct = (ws.cell(row=2, column=j) for j in (3, 4, 5, 6))
    assert value.value == pytest.approx(1234567.891) and value.number_format == "#,##0.00"
    assert share.value == pytest.approx(0.7412) and share.number_format == "0.0%"
    assert count.value == 12 and count.number_format == "#,##0"
    # a 0-100 percentile is not a share: no percent format that would show 7500 %
    assert pct.value == 75 and pct.number_format != "0.0%"


def test_dates_are_dates_with_a_date_format(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    first = ws.cell(row=2, column=7)
    assert first.value == dt.datetime(2024, 1, 5)
    assert first.number_format == {"es": "dd/mm/yyyy", "en": "d mmm yyyy"}[language]
    opened = ws.cell(row=2, column=8)
    assert opened.value == dt.datetime(2024, 1, 5, 10, 30)  # wall time, zone dropped
    assert "hh:mm" in opened.number_format
    assert ws.cell(row=4, column=8).value is None


def test_header_is_bold_filled_frozen_and_filtered(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    for cell in ws[1]:
        assert cell.font.bold
        assert cell.fill.fill_type == "solid"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H4"


def test_column_widths_fit_their_content(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    for j, cell in enumerate(ws[1], start=1):
        width = ws.column_dimensions[cell.column_letter].width
        assert width >= len(cell.value), (cell.value, width)
    # 1,234,567.89 shown in the value column: 12 characters
    assert ws.column_dimensions["C"].width >= 12
    assert ws.column_dimensions["A"].width >= len("'=HYPERLINK(\"x\")")
    assert ws.column_dimensions["A"].width <= 60


def test_text_that_looks_like_a_formula_stays_text(workbook):
    language, wb = workbook
    ws = wb[TITLES[language][1]]
    cell = ws.cell(row=3, column=1)
    assert cell.data_type == "s" and cell.value == "'=HYPERLINK(\"x\")"


def test_a_title_can_be_given_and_long_titles_fit_a_sheet_name(tmp_path):
    rec = report.Recorder(tmp_path, client_id="c", stage="s", language="en")
    frame = pd.DataFrame({"customer_id": ["a"]})
    rec.table("one", frame, title="A very long title: with [forbidden] characters / and more")
    rec.table("two", frame, title="A very long title: with [forbidden] characters / and more")
    rec.save()
    wb = load_workbook(tmp_path / report.TABLES_FILE)
    names = wb.sheetnames[1:]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and not set("[]:*?/\\") & set(n) for n in names)
    contents = wb.worksheets[0]
    assert contents.cell(row=2, column=2).value == \
        "A very long title: with [forbidden] characters / and more"


def test_the_input_tables_are_not_changed(tmp_path):
    tables = _tables()
    before = {k: v.copy() for k, v in tables.items()}
    report.write_workbook(tables, tmp_path / "t.xlsx", language="es")
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, before[name])
