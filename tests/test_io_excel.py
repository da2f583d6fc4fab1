"""Excel workbooks as clients' programs save them (issue 17).

Each workbook is built with openpyxl (or by editing its XML) in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from crmlib.exceptions import DataError
from crmlib.io import read_table

HEADER = ["customer_id", "date", "amount"]


def _book(path, rows, *, title="Sheet"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_stray_formatted_cell_in_the_far_corner_reads_only_real_data(tmp_path):
    """An 8 KB file whose sheet claims A1:XFD1048576: the reader must not build that grid.

    Run in a child process limited to 2 GB of address space, where a reader that
    fills the claimed size runs out of memory instead of returning the table.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [HEADER, ["C1", dt.datetime(2024, 1, 5), 10.5], ["C2", dt.datetime(2024, 2, 6), 3]]:
        ws.append(r)
    ws["XFD1048576"].font = Font(bold=True)
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert b'ref="A1:XFD1048576"' in z.read("xl/worksheets/sheet1.xml")
    assert path.stat().st_size < 20_000
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        from crmlib.io import read_table
        df = read_table({str(path)!r}, "transactions", as_of="2024-12-31")
        print(df.shape, df["customer_id"].tolist(), df["amount"].tolist())
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(2, 3) ['C1', 'C2'] [10.5, 3.0]"


def test_formulas_without_saved_results_are_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "date", "quantity", "price", "amount"])
    ws.append(["C1", dt.datetime(2024, 1, 5), 2, 3, "=C2*D2"])
    ws.append(["C2", dt.datetime(2024, 1, 6), 1, 4, "=C3*D3"])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)  # openpyxl saves formulas without their results, as such programs do
    with pytest.raises(DataError) as err:
        read_table(path, "transactions", as_of="2024-12-31")
    msg = str(err.value)
    assert "formula" in msg and "E2" in msg and "2 of" in msg
    assert "open and save" in msg and "CSV" in msg


def test_merged_customer_cells_are_filled_down_with_a_note(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["C1", dt.datetime(2024, 1, 5), 10])
    ws.append([None, dt.datetime(2024, 1, 6), 20])
    ws.append([None, dt.datetime(2024, 1, 7), 30])
    ws.append(["C2", dt.datetime(2024, 1, 8), 40])
    ws.merge_cells("A2:A4")
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    df = read_table(path, "transactions", as_of="2024-12-31")
    assert df["customer_id"].tolist() == ["C1", "C1", "C1", "C2"]
    assert any("merged" in n and "A2:A4" in n for n in df.attrs["notes"])


def test_horizontally_merged_title_does_not_duplicate_headers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ventas 2024", None, None])
    ws.merge_cells("A1:C1")
    ws.append(HEADER)
    ws.append(["C1", dt.datetime(2024, 1, 5), 10])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    df = read_table(path, "transactions", as_of="2024-12-31")
    assert df["customer_id"].tolist() == ["C1"]
    assert df.attrs["header_line"] == 2


def test_table_on_the_second_sheet_is_found_and_the_sheet_named(tmp_path):
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Portada"
    cover.append(["Informe de ventas"])
    cover.append(["Empresa", "Ferretería Sol"])
    data = wb.create_sheet("Ventas")
    for r in [HEADER, ["C1", dt.datetime(2024, 1, 5), 10.5]]:
        data.append(r)
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    df = read_table(path, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [10.5]
    assert df.attrs["sheet"] == "Ventas"
    assert any("Ventas" in n and "sheet" in n for n in df.attrs["notes"])


def test_chosen_sheet_is_still_read_as_told(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(["C1", dt.datetime(2024, 1, 5), 1])
    other = wb.create_sheet("Otra")
    other.append(HEADER)
    other.append(["C9", dt.datetime(2024, 1, 5), 9])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    assert read_table(path, "transactions", as_of="2024-12-31")["customer_id"].tolist() == ["C1"]
    assert read_table(path, "transactions", sheet="Otra",
                      as_of="2024-12-31")["customer_id"].tolist() == ["C9"]


def test_excel_cells_keep_their_sheet_rows(tmp_path):
    path = _book(tmp_path / "transactions.xlsx",
                 [HEADER, ["C1", dt.datetime(2024, 1, 5), 1], [None, None, None],
                  ["C2", dt.datetime(2024, 1, 6), "abc"]])
    with pytest.raises(DataError, match=r"'amount' is not a number.*line 4: 'abc'"):
        read_table(path, "transactions", as_of="2024-12-31")


def _with_saved_results(path, results):
    """Rewrite a workbook as Excel saves it: each formula followed by its result."""
    import re

    out = path.with_name("saved_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in results.items():
                    if value == "":  # Excel marks a formula giving "" as text
                        text = text.replace(f'<c r="{ref}"', f'<c r="{ref}" t="str"')
                    text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                                  rf"\g<1>\g<2><v>{value}</v>", text)
                data = text.encode()
            dst.writestr(item, data)
    return out


def test_formulas_with_saved_results_are_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "date", "quantity", "price", "amount"])
    ws.append(["C1", dt.datetime(2024, 1, 5), 2, 3, "=C2*D2"])
    ws.append(["C2", dt.datetime(2024, 1, 6), 1, 4, "=C3*D3"])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    saved = _with_saved_results(path, {"E2": 6, "E3": ""})
    with zipfile.ZipFile(saved) as z:
        assert "<v>6</v>" in z.read("xl/worksheets/sheet1.xml").decode()
    # E3's saved result is empty: read as an empty amount, reported as such, not refused
    with pytest.raises(DataError) as err:
        read_table(saved, "transactions", as_of="2024-12-31")
    assert "'amount' is empty" in str(err.value) and "formula cell" not in str(err.value)
    saved = _with_saved_results(path, {"E2": 6, "E3": 4})
    df = read_table(saved, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [6.0, 4.0]


def test_no_sheet_with_the_table_names_the_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Portada"
    wb.active.append(["Informe"])
    other = wb.create_sheet("Datos")
    other.append(["Código", "Día", "Total €"])
    other.append(["C1", "2024-01-05", 1])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    with pytest.raises(DataError) as err:
        read_table(path, "transactions", as_of="2024-12-31")
    msg = str(err.value)
    assert "'Portada'" in msg and "'Datos'" in msg and "sheet" in msg
