"""Letters that fit their reader: greeting by kind of customer, date in words, signature.

Rendered for a company and a person in Spanish and English from the packaged
templates, through the same path notebook 04 takes
(``letter_recipients`` -> ``render_letters``).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from crmlib.personalize import customer_names, letter_recipients, render_letters

PLAN = pd.DataFrame({
    "customer_id": ["CO1", "CO2", "PE1", "NK1"],
    "letter": ["welcome", "welcome", "welcome", "welcome"],
    "action": ["welcome"] * 4, "channel": ["email"] * 4, "service_level": ["standard"] * 4,
})


def _customers(**extra):
    base = pd.DataFrame({
        "customer_id": ["CO1", "CO2", "PE1", "NK1"],
        "name": ["Ferretería Norte S.L.", "Acme Ltd", "Juan Quispe González", "Sin Tipo"],
        "kind": ["company", "company", "person", None],
    })
    return base.assign(**extra)


def _letters(language, customers=None, **context):
    recipients = letter_recipients(PLAN, customers if customers is not None else _customers())
    context = {"sender": "Móvil Andina", "date": "2024-12-31", **context}
    out = render_letters(recipients, language=language, context=context)
    return dict(zip(out["customer_id"], out["html"]))


def _greeting(html: str) -> str:
    body = html[html.index("<body>"):]
    return re.findall(r"<p>(.*?)</p>", body, re.DOTALL)[0].strip()


@pytest.mark.parametrize("language,company,person,unknown", [
    ("es", "Estimados señores:", "Estimado/a Sr./Sra. Juan Quispe González:",
     "Estimado/a Sin Tipo:"),
    ("en", "Dear Sirs or Madams,", "Dear Juan Quispe González,", "Dear Sin Tipo,"),
])
def test_greeting_follows_the_kind_of_customer(language, company, person, unknown):
    letters = _letters(language)
    assert _greeting(letters["CO1"]) == company
    assert _greeting(letters["PE1"]) == person
    assert _greeting(letters["NK1"]) == unknown
    assert "Ferretería Norte" not in _greeting(letters["CO1"])


@pytest.mark.parametrize("language,expected", [
    ("es", "Estimado/a Sr./Sra. Ana Ruiz:"), ("en", "Dear Ana Ruiz,")])
def test_a_company_with_a_known_contact_is_greeted_through_them(language, expected):
    customers = _customers(contact_name=["Ana Ruiz", "", None, None])
    letters = _letters(language, customers)
    assert _greeting(letters["CO1"]) == expected
    # an empty contact cell is no contact: the company greeting stays
    assert _greeting(letters["CO2"]) == ("Estimados señores:" if language == "es"
                                         else "Dear Sirs or Madams,")


@pytest.mark.parametrize("language,date,expected", [
    ("es", "2024-12-31", "31 de diciembre de 2024"),
    ("en", "2024-12-31", "31 December 2024"),
    ("es", dt.date(2025, 1, 5), "5 de enero de 2025"),
    ("en", pd.Timestamp("2025-01-05"), "5 January 2025"),
])
def test_letters_are_dated_in_words_in_their_language(language, date, expected):
    html = _letters(language, date=date)["PE1"]
    assert f'<p class="date">{expected}</p>' in html
    assert "2024-12-31" not in html and "2025-01-05" not in html


def test_free_text_dates_are_kept_as_written():
    html = _letters("es", date="Lima, diciembre de 2024")["PE1"]
    assert '<p class="date">Lima, diciembre de 2024</p>' in html


def _signature(html: str) -> str:
    return re.search(r'<p class="sign">(.*?)</p>', html, re.DOTALL).group(1)


@pytest.mark.parametrize("column", ["account_owner", "owner"])
def test_the_account_owner_signs_when_known(column):
    customers = _customers(**{column: ["Lucía <Pérez>", None, "Marta Gil", ""]})
    letters = _letters("es", customers)
    assert _signature(letters["CO1"]) == "Un cordial saludo,<br>Lucía &lt;Pérez&gt;<br>Móvil Andina"
    assert _signature(letters["PE1"]).endswith("<br>Marta Gil<br>Móvil Andina")
    # no owner: the company signs alone
    assert _signature(letters["CO2"]) == "Un cordial saludo,<br>Móvil Andina"
    assert _signature(letters["NK1"]) == "Un cordial saludo,<br>Móvil Andina"


def test_english_signature_without_owner_is_the_company():
    assert _signature(_letters("en")["CO1"]) == "Kind regards,<br>Móvil Andina"


def test_customer_names_takes_the_first_filled_value_across_sources():
    customers = pd.DataFrame({
        "customer_id": ["A", "A", "B"],
        "source": ["crm", "billing", "crm"],
        "name": ["Acme", "ACME S.A.", "Bea"],
        "kind": ["", "company", "person"],
        "owner": [None, "Luis", None],
    })
    names = customer_names(customers).set_index("customer_id")
    assert names.loc["A", "name"] == "ACME S.A."  # billing sorts before crm
    assert names.loc["A", "kind"] == "company" and names.loc["A", "owner"] == "Luis"
    assert pd.isna(names.loc["B", "owner"])


@pytest.mark.parametrize("language", ["es", "en"])
def test_thank_you_letter_never_shows_a_category_code(language):
    recipients = pd.DataFrame({"customer_id": ["PE1"], "name": ["Juan"], "kind": ["person"],
                               "last_complaint_category": ["device"]})
    html = render_letters(recipients, letter="complaint_thanks", language=language,
                          context={"sender": "Móvil Andina", "date": "2024-12-31"})["html"][0]
    assert "device" not in html and "()" not in html
    labelled = recipients.assign(last_complaint_category_label=[
        "el equipo" if language == "es" else "the handset"])
    html = render_letters(labelled, letter="complaint_thanks", language=language,
                          context={"sender": "Móvil Andina", "date": "2024-12-31"})["html"][0]
    assert ("(el equipo)" if language == "es" else "(the handset)") in html
    assert "device" not in html


@pytest.mark.parametrize("language,expected", [
    ("es", "la más antigua venció el 15 de octubre de 2024"),
    ("en", "the oldest fell due on 15 October 2024"),
])
def test_collection_letters_write_the_due_date_in_words(language, expected):
    recipients = pd.DataFrame({"customer_id": ["CO1"], "name": ["Acme"], "kind": ["company"],
                               "invoice_ids": ["F-1, F-2"], "overdue_amount": [1234.5],
                               "oldest_due_at": ["2024-10-15"]})
    html = render_letters(recipients, letter="reminder_a", language=language,
                          context={"sender": "Móvil Andina", "date": "2024-12-31",
                                   "currency": "EUR"})["html"][0]
    assert expected in html
    assert _greeting(html) == ("Estimados señores:" if language == "es"
                               else "Dear Sirs or Madams,")
