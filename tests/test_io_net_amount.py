"""A sales export with both the net base and the total with VAT (issue 12).

Spanish ERPs (A3, Sage, Holded, SAP Business One) print a line's ``Base imponible``
beside its ``Importe`` or ``Total (IVA incl.)``; English-language tools print
``Net amount`` or ``Subtotal`` beside ``Total incl. VAT``. Before, both headers
claimed ``amount`` and the file was refused (or, with one of them mapped by hand,
sales were read with VAT). A sale is worth its net base: the loader takes it, says
so in a note, and keeps the other column as text. A receivable is what the customer
owes, VAT included, so for ``invoices`` the total with VAT is taken.
"""

from __future__ import annotations

import pytest

from crmlib.exceptions import DataError
from crmlib.io import read_client_table, read_notes, read_table, unrecognised_columns
from crmlib.io._columns import amount_wording

NET = ["Base imponible", "Importe neto", "Subtotal", "Net amount", "Total sin IVA",
       "Amount excl. VAT"]
GROSS = ["Importe", "Total", "Total (IVA incl.)", "Total incl. VAT", "Importe con IVA",
         "Total IVA incluido", "Gross amount"]


def _sales(path, net: str, gross: str, *, sep=";"):
    # net 100 + 21 % VAT = 121; a return of -10 net = -12.10
    rows = [["Cliente", "Fecha", net, gross], ["C1", "15/03/2024", "100,00", "121,00"],
            ["C2", "16/03/2024", "-10,00", "-12,10"]]
    path.write_text("\n".join(sep.join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("net", NET)
@pytest.mark.parametrize("gross", GROSS)
def test_the_net_base_is_the_sales_amount_whatever_the_wording(tmp_path, net, gross):
    df = read_table(_sales(tmp_path / "transactions.csv", net, gross), "transactions",
                    as_of="2024-12-31")
    assert df["amount"].tolist() == [100.0, -10.0]
    assert df[gross].tolist() == ["121,00", "-12,10"]      # kept as text, as written
    en = " ".join(read_notes(df, "en"))
    es = " ".join(read_notes(df, "es"))
    assert f"'{net}'" in en and "net base" in en and f"'{gross}'" in en
    assert f"«{net}»" in es and "base imponible sin IVA" in es
    # the column left aside is explained by that note, not listed as unknown
    assert gross not in [u["header"] for u in df.attrs["unrecognised"]]


def test_column_order_does_not_change_the_choice(tmp_path):
    f = tmp_path / "transactions.csv"
    f.write_text("Cliente;Fecha;Total (IVA incl.);Base imponible\nC1;15/03/2024;121;100\n",
                 encoding="utf-8")
    assert read_table(f, "transactions", as_of="2024-12-31")["amount"].tolist() == [100.0]


def test_a_plain_amount_beside_a_total_with_vat_is_taken_with_a_note(tmp_path):
    f = tmp_path / "transactions.csv"
    f.write_text("Cliente;Fecha;Importe;Total incl. VAT\nC1;15/03/2024;100;121\n",
                 encoding="utf-8")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [100.0]
    assert any("'Total incl. VAT'" in n and "VAT included" in n for n in df.attrs["notes"])


def test_only_a_total_with_vat_is_read_and_the_report_is_told_it_includes_vat(tmp_path):
    f = tmp_path / "transactions.csv"
    f.write_text("Cliente;Fecha;Total (IVA incl.)\nC1;15/03/2024;121\n", encoding="utf-8")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [121.0]
    es = " ".join(read_notes(df, "es"))
    assert "incluye el IVA" in es and "correspondencia de columnas" in es


@pytest.mark.parametrize("a, b", [("Importe", "Total"), ("Base imponible", "Importe neto")])
def test_two_amounts_of_the_same_wording_are_still_refused(tmp_path, a, b):
    f = tmp_path / "transactions.csv"
    f.write_text(f"Cliente;Fecha;{a};{b}\nC1;15/03/2024;100;121\n", encoding="utf-8")
    with pytest.raises(DataError, match="'amount' is given by 2 headers"):
        read_table(f, "transactions", as_of="2024-12-31")


def test_a_column_map_still_decides_over_the_wording(tmp_path):
    f = _sales(tmp_path / "transactions.csv", "Base imponible", "Importe")
    df = read_table(f, "transactions", column_map={"Importe": "amount"}, as_of="2024-12-31")
    assert df["amount"].tolist() == [121.0, -12.1]
    assert not any("net base" in n for n in df.attrs["notes"])


def test_an_invoice_amount_is_what_the_customer_owes_vat_included(tmp_path):
    f = tmp_path / "invoices.csv"
    f.write_text("Factura;Cliente;Fecha factura;Vencimiento;Importe;Total (IVA incl.)\n"
                 "F1;C1;01/02/2024;03/03/2024;100,00;121,00\n", encoding="utf-8")
    df = read_table(f, "invoices", as_of="2024-12-31")
    assert df["amount"].tolist() == [121.0]
    assert any("what the customer owes" in n and "'Importe'" in n for n in df.attrs["notes"])


def test_a_client_folder_lists_no_set_aside_amount_as_unknown(tmp_path):
    _sales(tmp_path / "transactions.csv", "Base imponible", "Importe")
    (tmp_path / "transactions.csv").write_text(
        (tmp_path / "transactions.csv").read_text(encoding="utf-8").replace(
            "Importe\n", "Importe;Ruta\n").replace("121,00\n", "121,00;R1\n")
        .replace("-12,10\n", "-12,10;R2\n"), encoding="utf-8")
    found = unrecognised_columns(tmp_path)
    assert found["header"].tolist() == ["Ruta"]
    df = read_client_table(tmp_path, "transactions", as_of="2024-12-31")
    assert df["amount"].sum() == pytest.approx(90.0)


@pytest.mark.parametrize("header, wording", [
    ("Base imponible", "net"), ("Importe neto", "net"), ("Subtotal", "net"),
    ("Net amount", "net"), ("Total sin IVA", "net"), ("Amount excl. VAT", "net"),
    ("Total (IVA incl.)", "gross"), ("Total incl. VAT", "gross"), ("Importe con IVA", "gross"),
    ("Total IVA incluido", "gross"), ("Gross amount", "gross"), ("Amount incl. tax", "gross"),
    ("Importe", "plain"), ("Total", "plain"), ("Amount", "plain"), ("Importe total", "plain"),
])
def test_amount_wording(header, wording):
    assert amount_wording(header) == wording
