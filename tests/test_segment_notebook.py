"""Notebook 09_segments runs on every sample company in Spanish and English, through
papermill and through ``crmlib run``, and what its reader gets holds no code."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
import yaml
from conftest import SAMPLES

from crmlib.i18n import t
from crmlib.i18n._leaks import find_leaks, visible_text
from crmlib.segment import STEPS

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

HEADINGS = {
    "es": ("Segmentos, participación en el gasto y embudo de lealtad",
           "¿Qué grupos de clientes buscan lo mismo?",
           "¿Dónde se quedan los clientes en el proceso de lealtad?",
           "Calendario de reactivación"),
    "en": ("Segments, share of wallet and the loyalty funnel",
           "Which groups of customers look for the same things?",
           "Where do customers stop in the loyalty process?",
           "Reactivation calendar"),
}


def _shared_names() -> set[str]:
    """Table and column names the shared data-request and data-reading sentences print."""
    from crmlib.schemas import TABLES
    from crmlib.stages import STAGES

    columns = {c for sec in STAGES["09_segments"].sections for _, c in sec.needs if c}
    return set(TABLES) | columns | {"column_map"}


TABLE_NAMES = _shared_names()


def _workbook_text(path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(" | ".join(v for v in row if isinstance(v, str))
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _leaks(text: str, language: str) -> list:
    # Known open (issue 14): the shared sentences that ask for a missing file or column, or
    # say how a file was read, name the table, the column or the dataset.yaml key; the
    # segments stage's own text must be clean.
    return [leak for leak in find_leaks(text, language) if leak.token not in TABLE_NAMES]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("client", ["movil-andina", "distribuidora-norte", "hotel-mirador"])
def test_segments_notebook_on_every_sample_company(client, language, sample_run):
    run = sample_run(language)  # the shared run of the sample engagement (n_bootstrap=8)
    html = run.html(client, "09_segments")
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][1] not in html
    assert html.count("<img") >= 4  # profiles, wallet, funnel, season
    out = run.folder(client, "09_segments")
    values = json.loads((out / "results.json").read_text(encoding="utf-8"))["values"]
    figures = values["segments"]
    # every sample company answered the needs questionnaire with three planted profiles
    assert figures["n_segments"] == 3 and figures["segment_stability"] >= 0.75
    funnel = [figures["funnel"][step] for step in STEPS]  # results.json sorts its keys
    assert funnel == sorted(funnel, reverse=True) and funnel[0] > funnel[-1] > 0
    assert sum(figures["customer_types"].values()) == funnel[0]
    assert 0 < figures["share_of_wallet"] < 1
    # the distributor sends its category spend; the hotel sends none and is told so
    estimated = "estima" if language == "es" else "estimate"
    if client == "distribuidora-norte":
        assert figures["n_wallet_estimated"] < 0.1 * figures["n_wallet_customers"]
    if client == "hotel-mirador":
        assert "customer_attributes" in html and estimated in html
    tables = pd.ExcelFile(out / "tables.xlsx")
    assert len(tables.sheet_names) >= 12
    page = run.report(client, "09_segments")
    assert t("stage.09_segments", language) in page  # the report's title, in words
    assert _leaks(visible_text(page), language) == []
    assert _leaks(_workbook_text(out / "tables.xlsx"), language) == []


def test_profiles_in_the_report_quote_the_segment_means(sample_report):
    """The sentences the distributor's report prints carry the means of its table."""
    html, out = sample_report("distribuidora-norte", "09_segments", "en")
    means = pd.read_excel(out / "tables.xlsx", sheet_name="Means by segment")
    pairs = re.findall(r"\((\d\.\d) against (\d\.\d)\)", html)
    assert len(pairs) >= 6
    needs = means[means["Kind of variable"] == "Need (1-5)"]
    quoted = {(f"{m:.1f}", f"{o:.1f}") for m, o in zip(needs["Segment mean"], needs["Overall"])}
    assert set(pairs) <= quoted


def test_crmlib_run_treats_the_segments_stage_like_the_others(tmp_path):
    """``crmlib run`` on the distributor and on a client with only customers and sales:
    both complete; the bare one reads a sentence for each section its data cannot unlock."""
    from crmlib import batch
    from crmlib.store import open_store

    bare = tmp_path / "bare"
    bare.mkdir()
    src = SAMPLES / "hotel-mirador"
    for f in ["transactions.csv", *sorted(p.name for p in src.glob("customers_*.csv"))]:
        shutil.copy(src / f, bare / f)
    eng = yaml.safe_load((SAMPLES / "engagement.yaml").read_text(encoding="utf-8"))
    assert "09_segments" in eng["stages"]
    eng["stages"] = ["09_segments"]
    eng["notebooks"] = str(SAMPLES.parent / "notebooks")
    norte = next(c for c in eng["clients"] if c["id"] == "distribuidora-norte")
    norte["data_dir"] = str(SAMPLES / "distribuidora-norte")
    norte["stage_parameters"] = {"09_segments": {"n_bootstrap": 5}}
    eng["clients"] = [norte, {"id": "bare", "name": "Bare", "industry": "hospitality",
                              "data_dir": str(bare), "language": "en", "parameters": {},
                              "stage_parameters": {"09_segments": {"n_bootstrap": 5}}}]
    path = tmp_path / "engagement.yaml"
    path.write_text(yaml.safe_dump(eng, allow_unicode=True, sort_keys=False), encoding="utf-8")
    check = batch.validate_engagement(path)
    assert not list(check), list(check)
    out = tmp_path / "out"
    manifest = batch.run_engagement(path, out=out, jobs=1, pdf=False, progress=False)
    assert (manifest["status"] == "completed").all(), manifest
    for client in ("distribuidora-norte", "bare"):
        assert (out / client / "09_segments" / "tables.xlsx").is_file()
    html = (out / "bare" / "09_segments" / "09_segments.html").read_text(encoding="utf-8")
    assert "needs questionnaire" in html and "customer_attributes" in html
    assert "There are no answers to the needs questionnaire" not in html
    assert "Without answers to the needs questionnaire or customer variables" in html
    rows = open_store(out / "results.duckdb", read_only=True).read(stage="09_segments")
    keys = set(rows["key"])
    assert {"segments.n_segments", "segments.share_of_wallet",
            "segments.funnel.registered"} <= keys
    norte_rows = rows[rows["client_id"] == "distribuidora-norte"].set_index("key")
    assert norte_rows.loc["segments.n_segments", "value"] == 3
