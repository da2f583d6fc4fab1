"""The formatting layer: numbers, shares, money, dates and durations by locale.

Expected texts follow Babel's CLDR data for es_ES and en_GB (CLDR 46 number and
date patterns: es_ES decimal ``#,##0.###`` with ``.`` grouping and ``,`` decimal,
percent ``#,##0 %`` with a no-break space; en_GB ``#,##0.###``, ``#,##0%``,
long date ``d MMMM y``).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from crmlib.exceptions import ParameterError
from crmlib.i18n import (
    code_label,
    format_count,
    format_currency,
    format_date,
    format_duration,
    format_number,
    format_percent,
    format_table,
    format_value,
    t,
)

NBSP = "\u00a0"


@pytest.mark.parametrize("value, es, en", [
    (9215, "9.215", "9,215"),
    (1234567, "1.234.567", "1,234,567"),
    (114.0, "114", "114"),
    (np.int64(5670), "5.670", "5,670"),
    (0, "0", "0"),
])
def test_counts_have_separators_and_never_decimals(value, es, en):
    assert format_count(value, "es") == es
    assert format_count(value, "en") == en


def test_measures_use_the_locale_decimal_mark():
    assert format_number(51.06, "es") == "51,1"
    assert format_number(51.06, "en") == "51.1"
    assert format_number(0.7312, "es", decimals=2) == "0,73"
    assert format_number(12345.678, "es", decimals=2) == "12.345,68"
    assert format_number(-0.04, "es") == "0,0"  # no negative zero
    assert format_number(0.25, "en", decimals=2, signed=True) == "+0.25"
    assert format_number(2.5, "es", decimals=2, trim=True) == "2,5"


def test_percentages_take_the_locale_spacing():
    assert format_percent(0.231, "es", decimals=1) == f"23,1{NBSP}%"
    assert format_percent(0.231, "en", decimals=1) == "23.1%"
    assert format_percent(0.8, "es") == f"80{NBSP}%"
    assert format_percent(0.05, "en", signed=True) == "+5%"


def test_currency_only_when_the_client_states_one():
    assert format_currency(5670, "es") == "5.670"
    assert format_currency(5670, "es", currency="EUR") == f"5.670{NBSP}€"
    assert format_currency(5670.5, "en", currency="eur", decimals=2) == "€5,670.50"


def test_dates_long_short_and_month():
    assert format_date("2024-12-31", "es") == "31 de diciembre de 2024"
    assert format_date(pd.Timestamp("2024-12-31"), "en") == "31 December 2024"
    assert format_date(dt.date(2024, 1, 5), "es", form="short") == "05/01/2024"
    assert format_date(dt.datetime(2024, 12, 31, 10), "en", form="month") == "Dec 2024"
    with pytest.raises(ValueError, match="form must be one of"):
        format_date("2024-12-31", "es", form="iso")


def test_durations_carry_their_unit():
    assert format_duration(51.1, "hours", "es") == "51,1 horas"
    assert format_duration(51.1, "hours", "en") == "51.1 hours"
    assert format_duration(1, "days", "es") == "1 día"
    assert format_duration(30.0, "days", "en") == "30 days"
    with pytest.raises(ValueError, match="unit must be one of"):
        format_duration(3, "fortnights", "es")


def test_missing_values_read_as_a_dash_not_nan():
    for f in (format_number, format_count, format_percent):
        assert f(float("nan"), "es") == "–"
    assert format_date(pd.NaT, "en") == "–"


def test_unknown_language_is_refused():
    with pytest.raises(ParameterError):
        format_number(1.0, "fr")


def test_templates_keep_format_specs_but_follow_the_locale():
    # differentiate.pareto.headline uses {customer_share:.0%} and {gini:.2f}
    es = t("differentiate.pareto.headline", "es", customer_share=0.2, value_share=0.8, best=0.2,
           top20=0.75, gini=0.7312)
    en = t("differentiate.pareto.headline", "en", customer_share=0.2, value_share=0.8, best=0.2,
           top20=0.75, gini=0.7312)
    assert f"20{NBSP}%" in es and "0,73" in es and "0.73" not in es
    assert "20%" in en and "0.73" in en


def test_templates_write_iso_dates_and_booleans_for_readers():
    assert t("common.generated_on", "es", date="2024-12-31") == "Generado el 31 de diciembre de 2024"
    assert t("common.generated_on", "en", date=dt.date(2024, 12, 31)) == \
        "Generated on 31 December 2024"
    assert format_value(True, "es") == "Sí" and format_value(np.bool_(False), "en") == "No"


def test_format_table_writes_every_cell_and_header_for_the_reader():
    table = pd.DataFrame({
        "customer_id": ["C1", "C2"],
        "n_purchases": [1234.0, 2.0],  # counts stored as floats
        "value_share": [0.2346, np.nan],
        "first_purchase": pd.to_datetime(["2024-01-05", "2023-12-31"]),
        "special": [True, False],
        "monetary": [1234.5, 7.0],
        "segment": ["champions", "custom_x"],
        "segment_label": ["Campeones", "Mi segmento"],
        "risk": ["high", "low"],
    })
    es = format_table(table, "es")
    # the segment code column gives way to its label column
    assert list(es.columns) == ["Cliente", "Días de compra", "% del valor", "Primera compra",
                                "Especial", "Valor neto", "Segmento RFM", "Riesgo"]
    rows = es.to_dict("records")
    assert rows[0]["Días de compra"] == "1.234" and rows[1]["Días de compra"] == "2"
    assert rows[0]["Primera compra"] == "05/01/2024"
    assert rows[0]["Especial"] == "Sí" and rows[1]["Especial"] == "No"
    assert rows[0]["Riesgo"] == "Alto"
    en = format_table(table, "en", headers=False)
    assert en.loc[0, "value_share"] == "23.5%" and en.loc[1, "value_share"] == ""
    assert en.loc[0, "monetary"] == "1,234.50"
    assert en.loc[1, "risk"] == "Low"


def test_a_column_of_months_names_the_month_not_its_first_day():
    # notebook 09's reactivation calendar printed its months as "01/03/2025"
    table = pd.DataFrame({"month": pd.to_datetime(["2025-03-01", "2025-12-01"]),
                          "calls_from": pd.to_datetime(["2025-02-08", "2025-11-10"]),
                          "period": pd.period_range("2025-03", periods=2, freq="M")})
    es = format_table(table, "es")
    assert es["Mes"].tolist() == ["mar 2025", "dic 2025"]
    assert es.iloc[:, 1].tolist() == ["08/02/2025", "10/11/2025"]  # a day stays a day
    assert es.iloc[:, 2].tolist() == ["mar 2025", "abr 2025"]
    assert format_table(table, "en")["Month"].tolist() == ["Mar 2025", "Dec 2025"]


def test_code_label_knows_stage_catalogs_and_says_when_it_does_not():
    assert code_label("segment", "champions", "es") == "Campeones"
    assert code_label("encounter", "in_person", "en") == "In person"
    assert code_label("segment", "no_such_code", "es") is None


def test_long_tables_write_count_rows_as_counts():
    # crmlib.clv.parameters_table: one estimate column holding parameters and a count
    params = pd.DataFrame({"model": ["BG/NBD"] * 3, "parameter": ["r", "log_likelihood",
                                                                  "n_customers"],
                           "estimate": [0.2431, -166618.246, 5010.0]})
    es = format_table(params, "es", decimals=3, headers=False)
    assert es["estimate"].tolist() == ["0,243", "-166.618,246", "5.010"]
    assert es["parameter"].tolist()[0] == "r (forma de la tasa de compra)"
    assert es["parameter"].tolist()[2] == "Clientes en el ajuste"


def test_label_codes_keeps_numbers_for_workbooks_and_words_codes():
    from crmlib.i18n import label_codes

    table = pd.DataFrame({"customer_id": ["C1"], "channel": ["in_person"], "special": [True],
                          "segment": ["champions"], "segment_label": ["Campeones"],
                          "monetary": [1234.5], "note": ["texto libre"]})
    out = label_codes(table, "es")
    row = out.iloc[0].to_dict()
    assert row == {"Cliente": "C1", "Canal": "En persona", "Especial": "Sí",
                   "Segmento RFM": "Campeones", "Valor neto": 1234.5, "Nota": "texto libre"}
    # a nullable flag keeps its gaps empty
    flags = pd.DataFrame({"special": pd.array([True, pd.NA], dtype="boolean")})
    shown = label_codes(flags, "en")["Special"]
    assert shown.iloc[0] == "Yes" and pd.isna(shown.iloc[1])


def test_headers_fall_back_to_a_stages_own_column_labels():
    from crmlib.i18n import label

    assert label("master_id", "es") == "Cliente maestro"  # identify.col.master_id
    assert label("customer_id", "en") == "Customer"  # column.customer_id comes first
    assert label("no_such_column", "es") == "no_such_column"


def test_aging_bucket_columns_read_as_day_ranges():
    from crmlib.i18n import label

    assert label("d31_60", "es") == "31-60 días" and label("over_120", "en") == "Over 120 days"
    assert label("not_due", "es") == "Al día (no vencido)"


def test_codes_of_dunning_and_credit_tables_have_labels():
    assert code_label("stage", "second_notice", "es") == "Segundo aviso"
    assert code_label("stage", "lost", "es") == "Perdido"  # lifecycle stage first
    assert code_label("last_format", "handover_a", "en") == "Hand-over, form letter A"
    assert code_label("letter", "welcome", "es") == "Bienvenida"
    assert code_label("source", "ledger", "es") == "Del libro de facturas"
    assert code_label("category", "unknown", "en") == "No category"


def test_huge_values_are_written_not_refused():
    """A collapsed model fit gave a parameter near 1e30; Babel's rounding in the default
    decimal context (28 digits) raised InvalidOperation and stopped notebook 02."""
    from crmlib.i18n import format_count, format_number, format_percent

    assert format_number(1.5e30, "es", decimals=2).startswith("1.500.000")
    assert format_number(1.5e30, "en", decimals=2).endswith(".00")
    assert re.fullmatch(r"\d{1,3}(,\d{3}){9}", format_count(1e29, "en"))
    assert format_percent(1e28, "es").endswith("%")
