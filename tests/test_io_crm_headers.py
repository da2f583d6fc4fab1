"""Customer lists as CRMs export them (issue 12).

Header wordings of the CRMs consultants meet, from their own export files:
Salesforce accounts (``Account ID``, ``Account Name``, ``Account Owner``, ``Phone``,
``Created Date``, ``Billing City``), HubSpot companies and contacts (``Record ID``,
``Company name``, ``Email``, ``Phone Number``, ``Create Date``, ``Company owner`` /
``Contact owner``), Zoho CRM (``Account Name``, ``Created Time``, ``Account Owner``) and
Pipedrive organizations and people (``Organization - ID``, ``Organization - Name``,
``Organization - Owner``, ``Person - Email - Work``, ``Person - Phone - Work``,
``Organization - Add time``). Before, ``Account ID`` and ``Account Name`` were not
recognised and the saas-us client could not be read at all.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmlib.io import read_table

CRM_EXPORTS = {
    "salesforce": ["Account ID", "Account Name", "Email", "Phone", "Created Date",
                   "Account Owner", "Billing City"],
    "hubspot": ["Record ID", "Company name", "Email", "Phone Number", "Create Date",
                "Company owner", "City"],
    "hubspot-contacts": ["Record ID", "Full Name", "Email", "Phone Number", "Create Date",
                         "Contact owner", "City"],
    "zoho": ["Record Id", "Account Name", "Email", "Phone", "Created Time", "Account Owner",
             "Billing City"],
    "pipedrive": ["Organization - ID", "Organization - Name", "Person - Email - Work",
                  "Person - Phone - Work", "Organization - Add time", "Organization - Owner",
                  "City"],
}
CANONICAL = ["customer_id", "name", "email", "phone", "created_at", "account_owner", "city"]


@pytest.mark.parametrize("crm", sorted(CRM_EXPORTS))
def test_crm_customer_exports_are_read_without_a_column_map(tmp_path, crm):
    headers = CRM_EXPORTS[crm]
    f = tmp_path / "customers.csv"
    pd.DataFrame([["A-1", "Summit Labs Inc.", "ops@summit.example", "555-0100",
                   "2023-04-05", "Dana Reyes", "Denver"],
                  ["A-2", "Cedar Foods LLC", "", "555-0101", "2024-01-09", "", "Austin"]],
                 columns=headers).to_csv(f, index=False)
    df = read_table(f, "customers", as_of="2024-12-31")
    assert set(CANONICAL) <= set(df.columns), df.columns
    assert df["customer_id"].tolist() == ["A-1", "A-2"]
    assert df["name"].tolist() == ["Summit Labs Inc.", "Cedar Foods LLC"]
    assert df["account_owner"].tolist()[0] == "Dana Reyes"
    assert df["created_at"].tolist()[0] == pd.Timestamp("2023-04-05")
    assert df.attrs["unrecognised"] == []


@pytest.mark.parametrize("table, headers", [
    ("transactions", "Invoice Number,Invoice Date,Account ID,Amount"),
    ("invoices", "Invoice Number,Account ID,Invoice Date,Due Date,Amount"),
    ("interactions", "Ticket ID,Account ID,Created At"),
])
def test_account_id_names_the_customer_in_sales_receivables_and_tickets(tmp_path, table,
                                                                       headers):
    values = {"transactions": "INV-1,03/15/2024,ACC-7,10.00",
              "invoices": "INV-1,ACC-7,03/15/2024,04/14/2024,10.00",
              "interactions": "T-1,ACC-7,03/15/2024 10:00"}[table]
    f = tmp_path / f"{table}.csv"
    f.write_text(f"{headers}\n{values}\n", encoding="utf-8")
    df = read_table(f, table, as_of="2024-12-31")
    assert df["customer_id"].tolist() == ["ACC-7"]


def test_a_crm_record_id_is_no_customer_in_a_ticket_file(tmp_path):
    """HubSpot's ticket export has its own ``Record ID`` (the ticket's): it must not be
    taken for the customer there, only in a customer list."""
    f = tmp_path / "interactions.csv"
    f.write_text("Ticket ID,Record ID,Cliente,Create date\nT-1,99,C1,2024-03-15\n",
                 encoding="utf-8")
    df = read_table(f, "interactions", as_of="2024-12-31")
    assert df["customer_id"].tolist() == ["C1"]


def test_receivables_paid_columns_of_billing_tools(tmp_path):
    f = tmp_path / "invoices.csv"
    f.write_text("Invoice Number,Account ID,Invoice Date,Due Date,Paid Date,Amount,Amount Paid\n"
                 "INV-1,ACC-7,03/15/2024,04/14/2024,04/20/2024,\"1,500.00\",\"1,500.00\"\n",
                 encoding="utf-8")
    df = read_table(f, "invoices", as_of="2024-12-31")
    assert df["paid_at"].tolist() == [pd.Timestamp("2024-04-20")]
    assert df["paid_amount"].tolist() == [1500.0]
    assert df.attrs["unrecognised"] == []


def test_a_contact_list_with_a_company_column_keeps_the_person_as_name(tmp_path):
    """A CRM contact list names the person and, beside, the company they work for: the
    company is no second claim on ``name`` (the file would be refused as ambiguous)."""
    f = tmp_path / "customers.csv"
    f.write_text("ID,Nombre,Apellidos,Empresa\nC1,Ana,Puig,Fusteria Roca SL\n",
                 encoding="utf-8")
    df = read_table(f, "customers")
    assert df["name"].tolist() == ["Ana Puig"]
    assert df["Empresa"].tolist() == ["Fusteria Roca SL"]


@pytest.mark.parametrize("first, last", [("First Name", "Last Name"), ("Nombre", "Apellidos"),
                                         ("Nom", "Cognoms")])
def test_first_name_and_surname_make_the_customer_name(tmp_path, first, last):
    """HubSpot, Salesforce and Zoho contact lists (and Spanish and Catalan ones) give the
    first name and the surname apart: before, ``First Name`` was no name (the file was
    refused) and ``Nombre`` beside ``Apellidos`` kept the first name alone."""
    f = tmp_path / "customers.csv"
    f.write_text(f"Record ID,{first},{last},Email\n1,Ana,Puig Serra,a@b.cat\n2,Joan,,j@b.cat\n"
                 f"3,,Vidal,v@b.cat\n", encoding="utf-8")
    df = read_table(f, "customers")
    assert df["name"].tolist() == ["Ana Puig Serra", "Joan", "Vidal"]
    assert first not in df.columns and last not in df.columns
    assert df.attrs["unrecognised"] == []
    assert any(f"'{first}'" in n and f"'{last}'" in n for n in df.attrs["notes"])


def test_a_column_map_to_name_is_not_overridden_by_the_join(tmp_path):
    f = tmp_path / "customers.csv"
    f.write_text("ID,First Name,Last Name,Display\n1,Ana,Puig,Ana P.\n", encoding="utf-8")
    df = read_table(f, "customers", column_map={"Display": "name"})
    assert df["name"].tolist() == ["Ana P."]
