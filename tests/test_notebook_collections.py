"""Notebook 07_collections runs under papermill on the three sample companies."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_notebook, sample_parameters

pytestmark = pytest.mark.notebook

HEADINGS = {
    "es": ("Cartera y cobranza", "¿Cuánto nos deben y desde cuándo?",
           "Evaluación de crédito: las cuatro C"),
    "en": ("Receivables and collections", "How much are we owed, and since when?",
           "Credit assessment: the four Cs"),
}


@pytest.mark.parametrize("client,language", [
    ("movil-andina", "en"),
    ("distribuidora-norte", "es"),
    ("hotel-mirador", "en"),
])
def test_collections_notebook(client, language, sample_report):
    if not (SAMPLES / client / "invoices.csv").exists():
        pytest.skip(f"data_samples/{client} has no invoices.csv yet")
    # the shared run of the sample engagement passes currency="EUR" to this stage
    html, out = sample_report(client, "07_collections", language)
    for heading in HEADINGS[language]:
        assert heading in html
    other = "en" if language == "es" else "es"
    assert HEADINGS[other][1] not in html
    assert html.count("<table") >= 6 and html.count("<img") >= 4
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    figures = results["values"]["receivables"]
    assert figures["receivables"] > 0 and 0 <= figures["overdue_share"] <= 1
    n_letters = results["values"]["n_dunning_letters"]
    files = sorted((out / "letters").rglob("*.html"))
    assert n_letters > 0 and len(files) == n_letters
    text = files[0].read_text(encoding="utf-8")
    assert f'lang="{language}"' in text and "EUR" in text
    # no letter log was given: the plan starts at the first step and says so
    assert {"es": "No hay registro de cartas enviadas",
            "en": "There is no log of letters sent"}[language] in html
    import pandas as pd

    plan = pd.read_parquet(out / "tables" / "dunning_plan.parquet")
    assert set(plan["history_source"]) == {"none"}
    assert set(plan.loc[plan["action"] == "send", "stage"]) == {"reminder"}


def test_collections_notebook_scores_a_credit_answers_file(tmp_path):
    """A client folder with credit_answers.csv gets the full worksheet for those customers."""
    import shutil

    import pandas as pd

    client = "movil-andina"
    src = SAMPLES / client
    if not (src / "invoices.csv").exists():
        pytest.skip(f"data_samples/{client} has no invoices.csv yet")
    data = tmp_path / "client"
    data.mkdir()
    for f in ["invoices.csv", *sorted(p.name for p in src.glob("customers_*.csv"))]:
        shutil.copy(src / f, data / f)
    inv = pd.read_csv(data / "invoices.csv", dtype=str)
    paid = inv[inv["paid_at"].notna() & (inv["paid_at"] > "2024-06-30")]
    b = paid["customer_id"].iloc[0]  # paid in the last year: the ledger scores CAP1, CAP2
    a = next(c for c in inv["customer_id"] if c != b)
    ids = ["CAP1", "CAP2", "CAP3", "CHA1", "CHA2", "CHA3", "CAPT1", "CAPT2", "CON1", "CON2"]
    rows = [(a, i, 4, "visita" if i == "CAP3" else "") for i in ids]
    rows += [(b, i, 5, "") for i in ids if i not in ("CAP1", "CAP2")]
    lines = ["cliente;criterio;puntuación;comentario"] + [";".join(map(str, r)) for r in rows]
    (data / "credit_answers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    params = sample_parameters(client, tmp_path, "en", data_dir=str(data), credit_top=3)
    _, html = run_notebook("07_collections", tmp_path, **params)
    assert "Four Cs worksheet for 2 customers from the answers file" in html
    tables = tmp_path / "results" / "tables.xlsx"
    # the workbook has the reader's (English) sheet titles, headers and values
    scores = pd.read_excel(tables, sheet_name="Credit scores", dtype={"Customer": str})
    scores = scores.set_index("Customer")
    assert sorted(scores.index) == sorted([a, b])  # the file's customers, not the top 3
    # a answered every criterion with 4: each C and the total are (4-1)/(5-1) = 75 -> approve
    assert scores.loc[a, "Total"] == pytest.approx(75) and scores.loc[a, "Decision"] == "Approve"
    assert scores.loc[b, "Answered"] == 10 and scores.loc[b, "Decision"] != "Incomplete"
    answers = pd.read_excel(tables, sheet_name="Credit worksheet (answers)",
                            dtype={"Customer": str})
    from_ledger = answers[answers["Source"] == "From the ledger"]
    assert set(from_ledger["Customer"]) == {b}
    assert sorted(from_ledger["Criterion"]) == ["CAP1", "CAP2"]
    assert answers.loc[answers["Note"].notna(), "Note"].tolist() == ["visita"]
