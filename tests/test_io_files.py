"""Files as clients send them: compressed, old formats, odd encodings (issues 12 and 17).

Every file is built here, byte by byte where the problem is in the bytes.
"""

from __future__ import annotations

import gzip
import zipfile

import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.io import client_files, read_client_table, read_table

SALES = "customer_id,date,amount\nC1,2024-01-05,10.5\nC2,2024-02-06,3\n"


def _check_sales(df):
    assert df["customer_id"].tolist() == ["C1", "C2"]
    assert df["amount"].tolist() == [10.5, 3.0]
    assert df["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-02-06")]


# --------------------------------------------------------------------------- archives


def test_gzipped_csv_is_read(tmp_path):
    path = tmp_path / "transactions.csv.gz"
    path.write_bytes(gzip.compress(SALES.encode("utf-8")))
    _check_sales(read_table(path, "transactions"))


def test_zip_with_one_table_file_is_read(tmp_path):
    path = tmp_path / "transactions.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("export/ventas.csv", SALES)
        z.writestr("__MACOSX/export/._ventas.csv", b"\x00\x05\x16\x07")
    df = read_table(path, "transactions")
    _check_sales(df)
    assert any("ventas.csv" in n for n in df.attrs["notes"])


def test_zip_with_an_xlsx_inside_is_read(tmp_path):
    inner = tmp_path / "inner.xlsx"
    pd.DataFrame({"customer_id": ["C1", "C2"], "date": ["2024-01-05", "2024-02-06"],
                  "amount": [10.5, 3]}).to_excel(inner, index=False)
    path = tmp_path / "transactions.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.write(inner, "ventas.xlsx")
    _check_sales(read_table(path, "transactions"))


def test_zip_with_several_table_files_is_refused_naming_them(tmp_path):
    path = tmp_path / "transactions.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ventas_2023.csv", SALES)
        z.writestr("ventas_2024.csv", SALES)
    with pytest.raises(DataError) as err:
        read_table(path, "transactions")
    msg = str(err.value)
    assert "ventas_2023.csv" in msg and "ventas_2024.csv" in msg and "one" in msg


def test_corrupt_gzip_is_refused_clearly(tmp_path):
    path = tmp_path / "transactions.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DataError, match="gzip"):
        read_table(path, "transactions")


def test_client_files_finds_compressed_tables(tmp_path):
    (tmp_path / "transactions.csv.gz").write_bytes(gzip.compress(SALES.encode()))
    with zipfile.ZipFile(tmp_path / "customers_erp.zip", "w") as z:
        z.writestr("clientes.csv", "customer_id,name\nC1,Ana\n")
    assert [p.name for p in client_files(tmp_path, "transactions")] == ["transactions.csv.gz"]
    assert [p.name for p in client_files(tmp_path, "customers")] == ["customers_erp.zip"]
    _check_sales(read_client_table(tmp_path, "transactions"))
    assert read_client_table(tmp_path, "customers")["source"].tolist() == ["erp"]


def test_old_xls_in_a_client_folder_is_named_not_missing(tmp_path):
    (tmp_path / "transactions.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    assert [p.name for p in client_files(tmp_path, "transactions")] == ["transactions.xls"]
    with pytest.raises(DataError) as err:
        read_client_table(tmp_path, "transactions")
    msg = str(err.value)
    assert "transactions.xls" in msg and ".xls" in msg and "save it as .xlsx or CSV" in msg
    assert "has no file" not in msg


# --------------------------------------------------------------------------- bytes


def test_utf16_without_bom_is_read(tmp_path):
    text = "customer_id\tdate\tamount\nC1\t2024-01-05\t10.5\nC2\t2024-02-06\t3\nÑu\t2024-02-07\t1\n"
    for enc in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"t_{enc}.csv"
        path.write_bytes(text.encode(enc))
        df = read_table(path, "transactions")
        assert df["customer_id"].tolist() == ["C1", "C2", "Ñu"]
        assert df.attrs["encoding"] == enc


def test_one_nul_byte_names_its_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(SALES.encode().replace(b"C2,", b"C\x002,"))
    with pytest.raises(DataError) as err:
        read_table(path, "transactions")
    msg = str(err.value)
    assert "line 3" in msg and "NUL" in msg
    assert "binary data" not in msg


def test_header_after_35_title_lines_is_found(tmp_path):
    title = "".join(f"Informe de ventas - página {i}\n" for i in range(35))
    path = tmp_path / "t.csv"
    path.write_text(title + "\n" + SALES, encoding="utf-8")
    df = read_table(path, "transactions")
    _check_sales(df)
    assert df.attrs["header_line"] == 37
    assert any("line 37" in n for n in df.attrs["notes"])
    # told where the header is, the loader has nothing to say about it
    df = read_table(path, "transactions", header_row=37)
    _check_sales(df)
    assert not any("line 37" in n for n in df.attrs["notes"])


def test_no_header_anywhere_says_so(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("".join(f"a{i},b{i},c{i}\n" for i in range(60)), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_table(path, "transactions")
    msg = str(err.value)
    assert "is required but missing (header on line 1" in msg and "header_row" in msg


# --------------------------------------------------------------------------- percentages


def test_percent_in_a_percentage_point_column_reads_the_number_with_a_note(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,importance_tangibles,importance_reliability,"
                    "importance_responsiveness,importance_assurance,importance_empathy\n"
                    "R1,25%,25%,20%,15%,15%\n", encoding="utf-8")
    df = read_table(path, "servqual_respondents")
    assert df.loc[0, "importance_tangibles"] == 25.0
    assert any("%" in n and "importance_tangibles" in n for n in df.attrs["notes"])


def test_percent_in_an_amount_column_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("customer_id,date,amount\nC1,2024-01-05,25%\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_table(path, "transactions")
    msg = str(err.value)
    assert "amount" in msg and "percentage" in msg and "line 2" in msg


def test_archive_unpacking_past_the_size_limit_is_refused(tmp_path, monkeypatch):
    import crmlib.io._tables as tables

    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 1000)
    big = SALES + "".join(f"C{i},2024-01-05,1\n" for i in range(200))
    gz = tmp_path / "transactions.csv.gz"
    gz.write_bytes(gzip.compress(big.encode()))
    with pytest.raises(DataError, match="unpacks to more than"):
        read_table(gz, "transactions")
    zp = tmp_path / "transactions.zip"
    with zipfile.ZipFile(zp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ventas.csv", big)
    with pytest.raises(DataError, match="unpacks to more than"):
        read_table(zp, "transactions")
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 10**6)
    assert len(read_table(gz, "transactions")) == 202


def test_old_xls_next_to_its_saved_copy_is_left_alone(tmp_path):
    (tmp_path / "transactions.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    (tmp_path / "transactions.csv").write_text(SALES, encoding="utf-8")
    assert [p.name for p in client_files(tmp_path, "transactions")] == ["transactions.csv"]
    _check_sales(read_client_table(tmp_path, "transactions"))
