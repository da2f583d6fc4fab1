"""Client headers as Spanish and Latin American ERPs write them (issue 12).

Each test builds the client's file in ``tmp_path``; the headers come from the
column names of real ERP exports (SAP Business One, Holded, A3, Sage, Odoo in
Spanish), which label the tax id ``NIF/CIF`` and the town ``Población``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib.exceptions import DataError
from crmlib.io import Note, read_client_table, read_dataset_config, read_notes, read_table


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_spanish_erp_customer_headers_are_recognised(tmp_path):
    f = _csv(tmp_path / "customers.csv",
             "Código cliente;Razón social;NIF/CIF;Población;Correo electrónico\n"
             "C1;Ferretería Sol SL;B12345678;Valencia;a@b.es\n"
             "C2;Luis Pérez;12345678Z;Madrid;\n")
    df = read_table(f, "customers")
    assert list(df.columns[:5]) == ["customer_id", "name", "email", "tax_id", "city"]
    assert df["tax_id"].tolist() == ["B12345678", "12345678Z"]
    assert df["city"].tolist() == ["Valencia", "Madrid"]
    assert df.attrs["unrecognised"] == []


@pytest.mark.parametrize("header", ["NIF/CIF", "CIF/NIF", "RUC", "RFC", "CUIT", "NIF-IVA",
                                    "CIF", "Nº identificación fiscal", "DNI/NIF"])
def test_tax_id_synonyms(tmp_path, header):
    f = _csv(tmp_path / "customers.csv", f"Cliente,Nombre,{header}\nC1,Ana,X1\n")
    assert read_table(f, "customers")["tax_id"].tolist() == ["X1"]


@pytest.mark.parametrize("header", ["Población", "Localidad", "Municipio", "Ciudad"])
def test_city_synonyms(tmp_path, header):
    f = _csv(tmp_path / "customers.csv", f"Cliente,Nombre,{header}\nC1,Ana,Lugo\n")
    assert read_table(f, "customers")["city"].tolist() == ["Lugo"]


def test_sales_export_headers_of_spanish_erps(tmp_path):
    f = _csv(tmp_path / "transactions.csv",
             "Nº pedido;Fecha factura;Código cliente;Descripción artículo;Cantidad;"
             "Base imponible\n"
             "P1;15/03/2024;C1;Tornillos;2;10,50\n")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["invoice_id"].tolist() == ["P1"]
    assert df["date"].tolist() == [pd.Timestamp("2024-03-15")]
    assert df["amount"].tolist() == [10.5]
    assert df["quantity"].tolist() == [2.0]
    assert df["product"].tolist() == ["Tornillos"]


def test_receivables_headers_of_spanish_erps(tmp_path):
    f = _csv(tmp_path / "invoices.csv",
             "Nº factura;Cliente;Fecha factura;Vencimiento;Fecha de cobro;Importe;Importe cobrado\n"
             "F1;C1;01/02/2024;03/03/2024;10/03/2024;100,00;100,00\n")
    df = read_table(f, "invoices", as_of="2024-12-31")
    assert df.loc[0, "paid_at"] == pd.Timestamp("2024-03-10")
    assert df.loc[0, "paid_amount"] == 100.0


def test_unrecognised_headers_are_listed_with_a_suggestion(tmp_path):
    f = _csv(tmp_path / "customers.csv",
             "Cliente,Nombre,Emial,Ruta de reparto\nC1,Ana,a@b.es,R2\n")
    df = read_table(f, "customers")
    # kept as text, and listed
    assert df["Emial"].tolist() == ["a@b.es"]
    found = {u["header"]: u["suggestion"] for u in df.attrs["unrecognised"]}
    assert found == {"Emial": "email", "Ruta de reparto": None}
    notes = df.attrs["notes"]
    assert any("Emial" in n and "email" in n and "column mapping of dataset.yaml" in n
               and "column_map" not in n for n in notes)
    assert all(isinstance(n, str) for n in notes)


def test_notes_read_in_spanish_and_english(tmp_path):
    f = _csv(tmp_path / "customers.csv", "Cliente,Nombre,Emial\nC1,Ana,a@b.es\n")
    df = read_table(f, "customers")
    en = read_notes(df, "en")
    es = read_notes(df, "es")
    assert en and es and en != es
    assert "Emial" in es[0] and "email" in es[0]
    assert isinstance(df.attrs["notes"][0], Note)
    # a copy of the frame keeps its notes readable in both languages
    assert read_notes(df.copy(), "es") == es


def test_client_folder_stacks_unrecognised_of_every_file(tmp_path):
    _csv(tmp_path / "customers_crm.csv", "Cliente,Nombre,Emial\nC1,Ana,a@b.es\n")
    _csv(tmp_path / "customers_erp.csv", "Cliente,Nombre,Movil2\nC9,Eva,600\n")
    df = read_client_table(tmp_path, "customers")
    files = {(u["file"], u["header"]) for u in df.attrs["unrecognised"]}
    assert files == {("customers_crm.csv", "Emial"), ("customers_erp.csv", "Movil2")}
    assert len(df.attrs["notes"]) == 2


# --------------------------------------------------------------------------- dataset.yaml keys


def test_dataset_yaml_column_map_key_that_is_no_table_is_refused(tmp_path):
    _csv(tmp_path / "customers.csv", "Cliente,Nombre\nC1,Ana\n")
    (tmp_path / "dataset.yaml").write_text(
        "column_map:\n  customers_crm:\n    Codigo: customer_id\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_client_table(tmp_path, "customers")
    msg = str(err.value)
    assert "dataset.yaml" in msg and "customers_crm" in msg and "'customers'" in msg


def test_dataset_yaml_misspelt_top_level_key_is_refused(tmp_path):
    _csv(tmp_path / "customers.csv", "Cliente,Nombre\nC1,Ana\n")
    (tmp_path / "dataset.yaml").write_text("colum_map:\n  customers: {Codigo: customer_id}\n",
                                           encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_dataset_config(tmp_path)
    msg = str(err.value)
    assert "colum_map" in msg and "did you mean 'column_map'" in msg


def test_dataset_yaml_tables_key_that_is_no_table_is_refused(tmp_path):
    _csv(tmp_path / "transactions.csv", "Cliente,Fecha,Importe\nC1,2024-01-02,3\n")
    (tmp_path / "dataset.yaml").write_text("tables:\n  transaction: {dayfirst: false}\n",
                                           encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_client_table(tmp_path, "transactions")
    assert "did you mean 'transactions'" in str(err.value)


def test_dataset_yaml_unknown_read_option_is_refused_with_suggestion(tmp_path):
    _csv(tmp_path / "transactions.csv", "Cliente,Fecha,Importe\nC1,2024-01-02,3\n")
    (tmp_path / "dataset.yaml").write_text("options:\n  day_first: false\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_dataset_config(tmp_path)
    assert "day_first" in str(err.value) and "dayfirst" in str(err.value)


def test_missing_required_column_points_at_the_header_that_is_close(tmp_path):
    f = _csv(tmp_path / "transactions.csv", "Cliente,Fecha,Importte\nC1,2024-01-02,3\n")
    with pytest.raises(DataError) as err:
        read_table(f, "transactions", as_of="2024-12-31")
    msg = str(err.value)
    assert "'amount' is required but missing" in msg and "did you mean 'Importte'" in msg


def test_unrecognised_columns_of_a_client_folder(tmp_path):
    from crmlib.io import unrecognised_columns

    _csv(tmp_path / "customers_crm.csv", "Cliente,Nombre,Emial\nC1,Ana,a@b.es\n")
    # a file with a data problem still has its headers listed
    _csv(tmp_path / "transactions.csv", "Cliente,Fecha,Importe,Vendedor\nC1,ayer,3,Pepe\n")
    _csv(tmp_path / "interactions.csv", "case_id,customer_id,activity,timestamp,Prioridad\n"
         "T1,C1,opened,2024-03-01 09:00,alta\nT1,C1,closed,2024-03-01 10:00,alta\n")
    table = unrecognised_columns(tmp_path)
    assert list(table.columns) == ["table", "file", "header", "suggestion"]
    rows = set(map(tuple, table.astype(object).where(table.notna(), None).to_numpy()))
    assert rows == {("customers", "customers_crm.csv", "Emial", "email"),
                    ("transactions", "transactions.csv", "Vendedor", None),
                    ("interactions", "interactions.csv", "Prioridad", None)}


def test_many_unused_columns_make_one_note(tmp_path):
    extras = [f"Campo libre {i}" for i in range(12)]
    f = _csv(tmp_path / "customers.csv",
             "Cliente,Nombre," + ",".join(extras) + "\nC1,Ana" + ",x" * 12 + "\n")
    df = read_table(f, "customers")
    assert len(df.attrs["unrecognised"]) == 12
    assert len(df.attrs["notes"]) == 1
    assert "12 columns" in df.attrs["notes"][0] and "'Campo libre 11'" in df.attrs["notes"][0]


def test_tax_id_completeness_counts_the_erp_nif_cif_column(tmp_path):
    """What users hit: the ERP's ``NIF/CIF`` and ``Población`` headers were dropped without a
    word and the quality profile said tax-id completeness was 23 % (only the CRM's ids
    counted). Every ERP record has its tax id: completeness of the ERP file is 100 %."""
    from crmlib import identify

    (tmp_path / "customers_erp.csv").write_bytes(
        ("Cód. Cliente;Razón Social;NIF/CIF;Población\r\n"
         + "".join(f"43{k:04d};Cliente {k} SL;B{10000000 + k};Valencia\r\n" for k in range(10))
         ).encode("cp1252"))
    (tmp_path / "customers_crm.csv").write_text(
        "ID,Nombre,CIF/NIF\n" + "".join(f"CLI-{k},Cliente {k} SL,{'B1' if k < 3 else ''}\n"
                                        for k in range(3)), encoding="utf-8")
    (tmp_path / "transactions.csv").write_text(
        "cliente,fecha,importe\n430000,2024-05-01,10\n", encoding="utf-8")
    customers = read_client_table(tmp_path, "customers")
    erp = customers[customers["source"] == "erp"]
    assert erp["tax_id"].notna().all() and (erp["city"] == "Valencia").all()
    tx = read_client_table(tmp_path, "transactions", as_of="2024-12-31")
    q = identify.quality_profile(customers, tx, as_of="2024-12-31").set_index(["check", "field"])
    assert q.loc[("completeness", "tax_id"), "n_ok"] == 13
    assert q.loc[("completeness", "tax_id"), "n_problem"] == 0


@pytest.mark.parametrize("table, header, row, expected", [
    ("customers", "Codi client;Nom;Correu electrònic;Telèfon;Població;Data d'alta",
     "C1;Fusteria Roca SL;a@b.cat;972000000;Olot;01/02/2023",
     ["customer_id", "name", "email", "phone", "city", "created_at"]),
    ("transactions", "Núm. factura;Data;Client;Article;Quantitat;Preu;Import",
     "F1;15/03/2024;C1;Cargols;2;1,50;3,00",
     ["customer_id", "date", "amount", "quantity", "unit_price", "product", "invoice_id"]),
    ("interactions", "Núm. incidència;Client;Data obertura;Data tancament;Canal;Tipus;Estat;Motiu",
     "I1;C1;15/03/2024;16/03/2024;Telèfon;Reclamació;Tancada;Entrega",
     ["interaction_id", "customer_id", "opened_at", "closed_at", "channel", "kind", "status",
      "category"]),
    ("invoices", "Núm. factura;Client;Data factura;Venciment;Data cobrament;Import;Cobrat",
     "F1;C1;01/02/2024;03/03/2024;10/03/2024;121,00;121,00",
     ["invoice_id", "customer_id", "issued_at", "due_at", "paid_at", "amount", "paid_amount"]),
])
def test_catalan_erp_headers(tmp_path, table, header, row, expected):
    f = tmp_path / f"{table}.csv"
    f.write_bytes(f"{header}\r\n{row}\r\n".encode("cp1252"))
    df = read_table(f, table, as_of="2024-12-31")
    assert set(expected) <= set(df.columns), list(df.columns)
    assert df.attrs["unrecognised"] == []
    if table == "interactions":
        assert df["kind"].tolist() == ["complaint"]


def test_catalan_net_base_beside_the_total_with_vat(tmp_path):
    f = tmp_path / "transactions.csv"
    f.write_text("Client;Data;Base imposable;Total amb IVA\nC1;15/03/2024;100,00;121,00\n",
                 encoding="utf-8")
    df = read_table(f, "transactions", as_of="2024-12-31")
    assert df["amount"].tolist() == [100.0]
    assert any("'Base imposable'" in n for n in df.attrs["notes"])
