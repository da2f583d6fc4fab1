"""Dates as clients' systems write them (issues 12 and 17).

The US-client case of issue 17: a file whose dates are all ambiguous
(``03/04/2024``) was read day first without a word. The order of day and month
is now decided from the whole file, or from ``dataset.yaml``, and otherwise
read with a note that says which order was used and how to change it.
Excel serial numbers count days from 1899-12-30 (Excel's 1900 date system:
45366 is 2024-03-15, as ``=DATE(2024,3,15)`` shows formatted as a number).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.io import read_client_table, read_dataset_config, read_notes, read_table

TS = pd.Timestamp


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _notes(df, word):
    return [n for n in df.attrs["notes"] if word in n]


# --------------------------------------------------------------------------- day and month


def test_all_ambiguous_dates_are_read_with_a_note_saying_how(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount\nC1,03/04/2024,1\nC2,05/06/2024,2\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-04-03"), TS("2024-06-05")]
    notes = _notes(df, "date_order")
    assert len(notes) == 1 and "day first" in notes[0] and "transactions.date: MDY" in notes[0]
    assert "date" in read_notes(df, "es")[0]


def test_dataset_yaml_settles_ambiguous_dates_per_column(tmp_path):
    _csv(tmp_path / "transactions.csv",
         "customer_id,date,amount\nC1,03/04/2024,1\nC2,05/06/2024,2\n")
    (tmp_path / "dataset.yaml").write_text("date_order:\n  transactions.date: MDY\n",
                                           encoding="utf-8")
    df = read_client_table(tmp_path, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-04"), TS("2024-05-06")]
    assert not _notes(df, "date_order")


def test_dataset_yaml_settles_ambiguous_dates_per_table(tmp_path):
    _csv(tmp_path / "transactions.csv",
         "customer_id,date,amount\nC1,03/04/2024,1\nC2,05/06/2024,2\n")
    (tmp_path / "dataset.yaml").write_text("tables:\n  transactions: {dayfirst: false}\n",
                                           encoding="utf-8")
    df = read_client_table(tmp_path, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-04"), TS("2024-05-06")]
    (tmp_path / "dataset.yaml").write_text("date_order: {transactions: MDY}\n", encoding="utf-8")
    df = read_client_table(tmp_path, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-04"), TS("2024-05-06")]


def test_dataset_yaml_date_order_must_be_dmy_or_mdy(tmp_path):
    (tmp_path / "dataset.yaml").write_text("date_order: {invoices.due_at: YDM}\n",
                                           encoding="utf-8")
    with pytest.raises(DataError, match="DMY"):
        read_dataset_config(tmp_path)
    (tmp_path / "dataset.yaml").write_text("date_order: {invoices.due: MDY}\n",
                                           encoding="utf-8")
    with pytest.raises(DataError, match="did you mean 'due_at'"):
        read_dataset_config(tmp_path)


def test_month_first_proven_in_one_column_holds_for_the_whole_file(tmp_path):
    # paid_at proves month first (12/25); issued_at and due_at alone could be either
    f = _csv(tmp_path / "invoices.csv",
             "invoice_id,customer_id,issued_at,due_at,paid_at,amount\n"
             "F1,C1,03/04/2024,04/05/2024,12/25/2024,10\n"
             "F2,C2,01/02/2024,02/03/2024,,20\n")
    df = read_table(f, "invoices", as_of="2024-12-31")
    assert df["issued_at"].tolist() == [TS("2024-03-04"), TS("2024-01-02")]
    assert df["due_at"].tolist() == [TS("2024-04-05"), TS("2024-02-03")]
    assert not _notes(df, "date_order")


def test_day_first_proven_anywhere_in_the_file_counts_not_only_the_head(tmp_path):
    rows = "".join(f"C{i},0{1 + i % 9}/0{1 + i % 8}/2024,1\n" for i in range(3000))
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount\n" + rows + "C9,03/04/2024,1\nC9,25/04/2024,1\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["date"].iloc[-2] == TS("2024-04-03")
    assert not _notes(df, "date_order")


def test_columns_proving_opposite_orders_are_refused(tmp_path):
    f = _csv(tmp_path / "invoices.csv",
             "invoice_id,customer_id,issued_at,due_at,amount\n"
             "F1,C1,25/01/2024,01/26/2024,10\n")
    with pytest.raises(DataError) as err:
        read_table(f, "invoices", as_of="2024-12-31")
    msg = str(err.value)
    assert "issued_at" in msg and "due_at" in msg and "date_order" in msg


# --------------------------------------------------------------------------- numbers as dates


def test_yyyymmdd_dates_as_text_and_as_numbers(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount\nC1,20240315,1\nC2,20231231,2\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-15"), TS("2023-12-31")]
    assert _notes(df, "year, month, day")
    frame = pd.DataFrame({"customer_id": ["C1"], "date": [20240315], "amount": [1.0]})
    df = read_table(frame, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-15")]
    assert _notes(df, "year, month, day")


def test_impossible_yyyymmdd_is_a_bad_date(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount\nC1,20241345,1\nC2,20231231,2\n")
    with pytest.raises(DataError, match=r"column 'date' is not a date.*line 2"):
        read_table(f, "transactions", as_of="2024-12-31")


def test_excel_serial_numbers_in_a_csv_date_column(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount\nC1,45366,1\nC2,45366.75,2\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-15"), TS("2024-03-15 18:00")]
    assert _notes(df, "Excel")


def test_excel_serial_numbers_in_an_xlsx_date_column_are_read_not_empty(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "date", "amount"])
    ws.append(["C1", 45366, 1])           # a date cell formatted as a number
    ws.append(["C2", dt.datetime(2024, 3, 16), 2])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    df = read_table(path, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-15"), TS("2024-03-16")]
    assert _notes(df, "Excel")


def test_small_numbers_in_a_date_column_are_not_dates(tmp_path):
    f = _csv(tmp_path / "transactions.csv", "customer_id,date,amount\nC1,3,1\n")
    with pytest.raises(DataError, match=r"column 'date' is not a date.*line 2: '3'"):
        read_table(f, "transactions", as_of="2024-12-31")


def test_date_order_option_is_checked(tmp_path):
    from crmlib.exceptions import ParameterError

    f = _csv(tmp_path / "transactions.csv", "customer_id,date,amount\nC1,03/04/2024,1\n")
    with pytest.raises(ParameterError, match="date_order must be 'DMY'"):
        read_table(f, "transactions", date_order="YMD")
    df = read_table(f, "transactions", date_order={"date": "mdy"}, as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-04")]


def test_serial_numbers_of_a_1904_workbook(tmp_path):
    """Workbooks saved with the 1904 date system (old Excel for Mac) count days from
    1904-01-01: 43904 is 2024-03-15 there (45366 - 1462, the days between the epochs)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["customer_id", "date", "amount"])
    ws.append(["C1", 43904, 1])
    path = tmp_path / "transactions.xlsx"
    wb.save(path)
    df = read_table(path, "transactions", as_of="2024-12-31")
    assert df["date"].tolist() == [TS("2024-03-15")]
    assert any("1904" in n for n in df.attrs["notes"])
