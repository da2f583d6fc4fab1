"""Clients nobody on the team has seen: four realistic client folders run end to end.

The folders come from ``tests/realistic_clients`` (a generator written apart from
the sample companies'). Each client is validated and then run through all seven stages
with the real ``crmlib`` command, and what the reports say is checked against what the
generator wrote. The generator's own promises (determinism, the quirks each client is
meant to have) are checked first, without running notebooks.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from realistic_clients import KINDS, STAGES, make_client, make_engagement

ROOT = Path(__file__).resolve().parents[1]


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- the generator


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path, kind):
    a = make_client(kind, tmp_path / "a", seed=11)
    b = make_client(kind, tmp_path / "b", seed=11)
    c = make_client(kind, tmp_path / "c", seed=12)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert a == b
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert a.total_sales != c.total_sales


def test_unknown_kind_is_refused_naming_the_kinds(tmp_path):
    with pytest.raises(ValueError, match="mayorista"):
        make_client("hotel", tmp_path)


def test_mayorista_writes_a_spanish_erp_export(tmp_path):
    truth = make_client("mayorista", tmp_path)
    raw = (tmp_path / "transactions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # Windows-1252, as the ERP writes it
    text = raw.decode("cp1252")
    assert "\r\n" in text
    header = text.splitlines()[0].split(";")
    for col in ("Nº Factura", "Fecha", "Cód. Cliente", "Razón Social", "NIF/CIF", "Población",
                "Cantidad", "Precio", "Importe", "Base imponible"):
        assert col in header
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    base = [float(r[header.index("Base imponible")].replace(".", "").replace(",", "."))
            for r in rows]
    gross = [float(r[header.index("Importe")].replace(".", "").replace(",", "."))
             for r in rows]
    assert len(rows) == truth.n_transaction_lines
    assert round(sum(base), 2) == pytest.approx(truth.total_sales, abs=0.005)
    assert sum(gross) > 1.09 * sum(base)  # Importe carries VAT; the sales value is the base
    assert any("." in r[header.index("Importe")] for r in rows)  # thousands dots occur
    assert any(float(r[header.index("Cantidad")].replace(",", ".")) < 0 for r in rows)  # returns
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "customers_crm.xlsx", read_only=True).active
    first = [row for row in ws.iter_rows(max_row=4, values_only=True)]
    assert first[0][0].startswith("Listado de clientes") and first[3][0] == "ID"
    sq = (tmp_path / "servqual_responses.csv").read_text(encoding="utf-8").splitlines()[0]
    assert sq.startswith("Marca temporal,") and "Expectativa [SQ01. " in sq
    assert "Totalmente de acuerdo" in (tmp_path / "servqual_responses.csv").read_text("utf-8")
    ws = load_workbook(tmp_path / "readiness_responses.xlsx", read_only=True).active
    groups = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert groups == {"Directivos", "Empleados", "Clientes"}


def test_saas_us_writes_month_first_dates_and_no_amount(tmp_path):
    truth = make_client("saas-us", tmp_path)
    tx = pd.read_csv(tmp_path / "transactions.csv", dtype=str, keep_default_na=False)
    assert "Amount" not in tx.columns and {"Quantity", "Unit Price"} <= set(tx.columns)
    days = tx["Invoice Date"].str.split("/").str[1].astype(int)
    months = tx["Invoice Date"].str.split("/").str[0].astype(int)
    assert (days > 12).any() and (months <= 12).all()
    values = tx["Quantity"].astype(float) * tx["Unit Price"].str.replace(",", "").astype(float)
    assert round(values.sum(), 2) == pytest.approx(truth.total_sales)
    assert list(pd.read_csv(tmp_path / "customers.csv").columns) == ["Account ID", "Account Name"]
    tickets = pd.read_csv(tmp_path / "interactions.csv")
    assert not any("cost" in c.lower() for c in tickets.columns)
    lines = (tmp_path / "servqual_responses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("StartDate,") and '"ImportId"' in lines[2]
    assert len(lines) == 3 + truth.n_servqual_respondents


def test_tienda_min_sends_only_required_columns(tmp_path):
    truth = make_client("tienda-min", tmp_path)
    with gzip.open(tmp_path / "transactions.csv.gz", "rt", encoding="utf-8") as fh:
        tx = pd.read_csv(fh, dtype=str)
    assert list(tx.columns) == ["cliente", "fecha", "importe"]
    assert tx["fecha"].str.fullmatch(r"20\d{6}").all()
    assert round(tx["importe"].astype(float).sum(), 2) == pytest.approx(truth.total_sales)
    per_customer = tx["cliente"].value_counts()
    assert truth.n_customers == 40 and (per_customer == 1).sum() >= 15
    assert list(pd.read_csv(tmp_path / "interactions.csv").columns) == ["caso", "cliente", "apertura"]
    top = next(csv.reader((tmp_path / "servqual_responses.csv").open(encoding="utf-8")))
    assert top[0] == "Respondent ID" and "Expectativa" in top and "Percepción" in top
    assert not any("Importancia" in c or "global" in c for c in top)


def test_ferreteria_cat_sends_catalan_minimum_columns_and_excel_serial_dates(tmp_path):
    from openpyxl import load_workbook

    truth = make_client("ferreteria-cat", tmp_path)
    assert truth.files == ["customers.xlsx", "interactions.csv", "invoices.xlsx",
                           "readiness_responses.xlsx", "servqual_responses.xlsx",
                           "transactions.xlsx"]

    def rows(name):
        return list(load_workbook(tmp_path / name, read_only=True).active.iter_rows(
            values_only=True))

    assert rows("customers.xlsx")[0] == ("Codi client", "Nom")
    sales = rows("transactions.xlsx")
    assert sales[0] == ("Client", "Data", "Import")
    assert all(isinstance(r[1], int) and 44_000 < r[1] < 46_000 for r in sales[1:])
    assert sales[1][1] == truth.extra["first_sale_serial"]      # 1900 date system
    assert round(sum(r[2] for r in sales[1:]), 2) == pytest.approx(truth.total_sales)
    assert rows("invoices.xlsx")[0] == ("Núm. factura", "Client", "Data factura", "Venciment",
                                        "Import")
    tickets = (tmp_path / "interactions.csv").read_bytes().decode("cp1252").splitlines()
    assert tickets[0] == "Núm. incidència;Client;Data obertura"
    assert tickets[1].split(";")[2].isdigit()
    for name in ("servqual_responses.xlsx", "readiness_responses.xlsx"):
        top, sub, first = rows(name)[:3]
        assert top[0] == "Respondent ID" and sub[0] is None      # SurveyMonkey's two rows
        assert isinstance(first[0], int)
    top, sub = rows("servqual_responses.xlsx")[:2]
    assert "Expectativa" in top and "Percepción" in top
    assert not any("Importancia" in str(c) or "global" in str(c) for c in top)
    top, sub = rows("readiness_responses.xlsx")[:2]
    assert "Grupo" in top and "Response" in sub and "Situación preferida" not in top


def test_engagement_lists_all_seven_stages_for_every_client(tmp_path):
    import yaml

    path, truths = make_engagement(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["stages"] == STAGES and len(STAGES) == 7
    assert [c["id"] for c in data["clients"]] == ["mayorista", "saas-us", "tienda-min",
                                                  "ferreteria-cat"]
    for c in data["clients"]:
        assert (tmp_path / c["data_dir"]).is_dir() and c["id"] in truths


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_survey_exports_read_back_to_the_answers_given(tmp_path, kind):
    """The library's own survey importers (``io.read_survey`` and the SERVQUAL and
    readiness converters) read each raw export back to exactly the answers drawn:
    sums and counts per part, importance points, overall ratings, segments, groups."""
    from crmlib import io as cio
    from crmlib import questionnaire, servqual

    truth = make_client(kind, tmp_path)
    sq_file = next(f for f in truth.files if f.startswith("servqual_responses"))
    rd_file = next(f for f in truth.files if f.startswith("readiness_responses"))
    expected = truth.extra["servqual"]
    wide = cio.read_survey(tmp_path / sq_file)
    long = servqual.responses_from_survey(wide)
    assert long["respondent_id"].nunique() == expected["n"]
    for part in ("expectation", "perception"):
        total, count = expected[part]
        assert (long[part].sum(), long[part].notna().sum()) == (total, count), part
    people = servqual.respondents_from_survey(wide)
    for d, points in expected.get("importance", {}).items():
        assert people[f"importance_{d}"].sum() == points, d
    if "overall" in expected:
        assert people["overall_rating"].sum() == expected["overall"]
    if "segments" in expected:
        assert people["segment"].value_counts().to_dict() == expected["segments"]
    expected = truth.extra["readiness"]
    answers = questionnaire.from_survey_export(cio.read_survey(tmp_path / rd_file), "one-to-one")
    assert answers["respondent_id"].nunique() == expected["n"]
    for part in ("current", "preferred"):
        if part in expected:
            total, count = expected[part]
            assert (answers[part].sum(), answers[part].notna().sum()) == (total, count), part
    assert "group" in answers.columns, "the respondent group question was not found"
    groups = answers.drop_duplicates("respondent_id")["group"].value_counts().to_dict()
    assert groups == expected["groups"]


# --------------------------------------------------------------------------- end to end


def _crmlib(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]), "MPLBACKEND": "agg"}
    return subprocess.run([sys.executable, "-m", "crmlib.cli", *map(str, args)], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=3600)


def _short(text: str, *, lines: int = 12, width: int = 300) -> str:
    """A long message cut to its first lines, each to ``width`` characters."""
    out = [ln if len(ln) <= width else ln[:width] + " ..." for ln in text.strip().splitlines()]
    more = len(out) - lines
    return "\n    ".join(out[:lines] + ([f"... {more} more lines"] if more > 0 else []))


def _stage_values(out: Path, client: str, stage: str) -> dict:
    path = out / client / stage / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))["values"] if path.exists() else {}


def _known_answers(kind: str, folder: Path, truth, out: Path) -> list[str]:
    """What the library reads and the reports state, against what the generator wrote."""
    from crmlib import io as cio
    from crmlib.exceptions import CrmlibError

    wrong = []
    try:
        tx = cio.read_client_table(folder, "transactions", as_of="2024-12-31")
    except CrmlibError as exc:
        return [f"transactions not read: {_short(str(exc), lines=6)}"]
    if len(tx) != truth.n_transaction_lines:
        wrong.append(f"{len(tx)} sale lines read, {truth.n_transaction_lines} written")
    if round(float(tx["amount"].sum()), 2) != pytest.approx(truth.total_sales, abs=0.01):
        wrong.append(f"total sales read {tx['amount'].sum():.2f}, written {truth.total_sales:.2f}")
    if kind == "saas-us":
        written = np.array(truth.extra["line_values"])  # quantity x unit price, file order
        if len(tx) != len(written) or not np.allclose(tx["amount"].to_numpy(), written):
            wrong.append("amount is not quantity x unit price line by line")
        if tx["date"].dt.day.max() <= 12:
            wrong.append("dates read day first (no day above 12)")
    try:
        customers = cio.read_client_table(folder, "customers", as_of="2024-12-31")
    except CrmlibError as exc:
        wrong.append(f"customers not read: {_short(str(exc), lines=6)}")
    else:
        expected = truth.extra.get("n_customer_records", truth.n_customers)
        if len(customers) != expected:
            wrong.append(f"{len(customers)} customer records read, {expected} written")
    for table, n in (("servqual_responses", truth.n_servqual_respondents),
                     ("readiness_responses", truth.n_readiness_respondents)):
        try:
            got = cio.read_client_table(folder, table)["respondent_id"].nunique()
        except CrmlibError as exc:
            wrong.append(f"{table} not read: {_short(str(exc), lines=6)}")
            continue
        if got != n:
            wrong.append(f"{table}: {got} respondents read, {n} answered")
    values = _stage_values(out, truth.client_id, "02_differentiate")
    if values and values.get("n_customers") != truth.n_buyers:
        wrong.append(f"02_differentiate reports {values.get('n_customers')} customers, "
                     f"{truth.n_buyers} bought")
    values = _stage_values(out, truth.client_id, "01_identify")
    expected = truth.extra.get("n_customer_records", truth.n_customers)
    if values and values.get("n_records") != expected:
        wrong.append(f"01_identify reports {values.get('n_records')} records, {expected} written")
    return wrong


def _report_texts(kind: str, manifest: pd.DataFrame, base: Path) -> list[str]:
    """What the reports say about how the files were read: no folder of this machine in
    them, and for the wholesaler the net base named as the sales amount."""
    import html

    wrong = []
    texts = {}
    for stage, path in zip(manifest["stage"], manifest["html"]):
        if path and Path(path).exists():
            texts[stage] = html.unescape(Path(path).read_text(encoding="utf-8"))
    for stage, text in texts.items():
        for folder in {str(base), str(base.resolve())}:
            if folder in text:
                wrong.append(f"{stage}: the report shows a path of this machine ({folder})")
    if kind == "mayorista":
        text = texts.get("02_differentiate", "")
        if "«Base imponible»" not in text or "'Importe'" not in text:
            wrong.append("02_differentiate does not say the sales amount is the net base")
    return wrong


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_realistic_client_runs_every_stage(tmp_path, kind):
    """validate is clean, every stage completes, and the figures match what was written.

    Every problem is collected before failing, so one run lists them all.
    """
    engagement, truths = make_engagement(tmp_path / "eng", kinds=[kind])
    truth = next(iter(truths.values()))
    folder = tmp_path / "eng" / truth.client_id
    out = tmp_path / "out"
    problems = []

    validated = _crmlib("validate", engagement, cwd=tmp_path)
    if validated.returncode != 0:
        problems.append("validate: " + _short(validated.stdout + validated.stderr, lines=30))

    ran = _crmlib("run", engagement, "--out", out, "--no-portfolio", "--pdf", "no", "--jobs", "1",
                  cwd=tmp_path)
    manifest_path = out / "manifest.csv"
    if not manifest_path.exists():
        problems.append("run wrote no manifest: " + _short(ran.stdout + ran.stderr))
    else:
        manifest = pd.read_csv(manifest_path, dtype=str, keep_default_na=False)
        done = dict(zip(manifest["stage"], manifest["status"]))
        for stage in STAGES:
            if done.get(stage) != "completed":
                row = manifest[manifest["stage"] == stage]
                error = row["error"].iloc[0] if len(row) else "not in the manifest"
                problems.append(f"{stage}: {done.get(stage, 'missing')}: {_short(error)}")
        problems += _report_texts(kind, manifest, tmp_path)
    problems += _known_answers(kind, folder, truth, out)
    assert not problems, f"{kind}:\n- " + "\n- ".join(problems)
