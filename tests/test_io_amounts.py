"""Sales exports that give quantity and unit price but no line amount (issue 12)."""

from __future__ import annotations

import pytest

from crmlib.exceptions import DataError
from crmlib.io import read_notes, read_table


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_amount_is_quantity_times_unit_price_with_a_note(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "Cliente;Fecha;Cantidad;Precio unitario\n"
             "C1;15/03/2024;3;2,50\nC2;16/03/2024;-1;10,00\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [7.5, -10.0]
    assert df["unit_price"].tolist() == [2.5, 10.0]
    assert list(df.columns[:4]) == ["customer_id", "date", "amount", "quantity"]
    assert any("quantity" in n and "unit_price" in n for n in df.attrs["notes"])
    assert any("precio" in n for n in read_notes(df, "es"))


def test_amount_given_is_kept_even_with_quantity_and_price(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,amount,quantity,unit_price\nC1,2024-03-15,7,3,2.5\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [7.0]
    assert not any("unit_price" in n for n in df.attrs["notes"])


def test_neither_amount_nor_both_parts_is_refused_clearly(tmp_path):
    f = _csv(tmp_path / "transactions.csv", "customer_id,date,quantity\nC1,2024-03-15,3\n")
    with pytest.raises(DataError) as err:
        read_table(f, "transactions", as_of="2024-12-31")
    msg = str(err.value)
    assert "'amount' is required but missing" in msg
    assert "unit_price" in msg and "quantity" in msg


def test_empty_quantity_or_price_names_the_lines(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "customer_id,date,quantity,unit_price\nC1,2024-03-15,3,2\nC2,2024-03-15,,2\n")
    with pytest.raises(DataError) as err:
        read_table(f, "transactions", as_of="2024-12-31")
    msg = str(err.value)
    assert "amount" in msg and "line 3" in msg and "quantity" in msg
    assert msg.count("line 3") == 1
