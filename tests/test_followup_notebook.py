"""Notebook 08_follow_up runs under papermill on the samples in Spanish and English, and
through ``crmlib run``; what a reader sees is leak-free."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
import yaml
from batch_support import crmlib_cmd
from conftest import NOTEBOOKS, SAMPLES

from crmlib.i18n import t
from crmlib.i18n._leaks import find_leaks, visible_text

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

# The loader's note on a header no column takes names the dataset.yaml key to use
# (``column_map``): a note of crmlib.io shared by every stage report, not of this one.
_IO_NOTE = {"column_map"}


def _leaks(text: str, language: str):
    return [leak for leak in find_leaks(text, language) if leak.token not in _IO_NOTE]


def _sheet_text(path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(" | ".join(v for v in row if isinstance(v, str))
                         for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    finally:
        book.close()


def test_hotel_runs_the_programme_in_english(sample_report):
    html, out = sample_report("hotel-mirador", "08_follow_up", "en")
    text = visible_text(html)
    for heading in ("Customer follow-up programme", "Suggestion box",
                    "Post-transaction surveys", "Critical incidents", "Mystery shopper",
                    "Soft indicators of service", "SERVPERF"):
        assert heading in text
    assert "Seguimiento de clientes" not in text
    # the hotel sends no lost-customer interviews: one sentence says what would unlock them
    assert "lost_customers.csv" in text and t("stages.08_follow_up.lost_customers", "en") in text
    assert _leaks(text, "en") == []
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["values"]["tools_used"] == 6  # all but the panel and lost customers
    assert {"programme_overview", "soft_indicators", "mystery_by_site", "survey_trend",
            "critical_incidents", "suggestion_summary"} <= set(results["tables"])
    sheets = _sheet_text(out / "tables.xlsx")
    assert "Mystery shopper" in sheets and _leaks(sheets, "en") == []


def test_mobile_operator_recovers_lost_customers_in_spanish(sample_report):
    html, out = sample_report("movil-andina", "08_follow_up", "es")
    text = visible_text(html)
    for heading in ("Programa de seguimiento de clientes", "Clientes perdidos: ¿por qué se fueron?",
                    "¿A quién vale la pena recuperar?", "Buzón de sugerencias"):
        assert heading in text
    assert "Oferta de la competencia" in text and "Ya no lo necesita" in text
    assert "post_transaction_survey.csv" in text and \
        t("stages.08_follow_up.post_transaction", "es") in text
    assert _leaks(text, "es") == []
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["values"]["n_worth_recovering"] > 0
    assert "recovery_list" in results["tables"] and "lost_reasons" in results["tables"]


def test_crmlib_run_handles_the_stage_like_the_others(tmp_path):
    """A client with only some tools (the distributor: suggestions among its contacts, a
    SERVQUAL survey) gets those sections; validate and run treat stage 08 like any other."""
    eng = {"engagement": "follow-up", "title": "Follow-up", "as_of": "2024-12-31",
           "language": "es", "notebooks": str(NOTEBOOKS), "stages": ["08_follow_up"],
           "clients": [{"id": "norte", "name": "Distribuidora Industrial del Norte",
                        "industry": "industrial distribution",
                        "data_dir": str(SAMPLES / "distribuidora-norte")}]}
    path = tmp_path / "engagement.yaml"
    path.write_text(yaml.safe_dump(eng, sort_keys=False, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run(crmlib_cmd("validate", path), capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "reports"
    proc = subprocess.run(crmlib_cmd("run", path, "--out", out, "--jobs", "1", "--pdf", "no"),
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = pd.read_csv(out / "manifest.csv")
    row = manifest[manifest["stage"] == "08_follow_up"]
    assert row["status"].tolist() == ["completed"]
    results = json.loads((out / "norte" / "08_follow_up" / "results.json")
                         .read_text(encoding="utf-8"))
    assert results["values"]["tools_used"] == 2  # suggestion box and the SERVQUAL survey
    assert "servperf" in results["tables"] and "suggestions" in results["tables"]
