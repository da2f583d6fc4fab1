"""The sample companies of ``data_samples/``: reproducible, loadable, and shaped as promised.

Every property the sample README states is checked here on the committed files, read the
way users read them (``crmlib.io.read_client_table``); measures are computed with plain
pandas so the checks do not depend on the stage modules they feed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SAMPLE_CLIENTS, SAMPLES

from crmlib.io import read_client_table

AS_OF = pd.Timestamp("2024-12-31")
FIRST_SOURCE = {"movil-andina": "billing", "distribuidora-norte": "erp", "hotel-mirador": "pms"}
SECOND_SOURCE = {"movil-andina": "crm", "distribuidora-norte": "crm", "hotel-mirador": "booking"}
TABLES = ("customers", "transactions", "interactions", "invoices", "servqual_responses",
          "servqual_respondents", "readiness_responses")
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
ITEM_DIMENSION = {f"SQ{i:02d}": d for d, (a, b) in zip(
    DIMENSIONS, ((1, 4), (5, 9), (10, 13), (14, 17), (18, 22))) for i in range(a, b + 1)}
READINESS_AREAS = {"ID": 4, "DF": 4, "IN": 4, "PE": 4, "QA": 2, "BP": 2, "TE": 2, "KS": 2,
                   "PA": 2, "CR": 4, "EM": 2, "CS": 4}


@cache
def _load(client: str, table: str) -> pd.DataFrame:
    return read_client_table(SAMPLES / client, table)


def load(client: str, table: str) -> pd.DataFrame:
    return _load(client, table).copy()


def committed_files():
    return sorted(p for p in SAMPLES.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts
                  and p.relative_to(SAMPLES).parts[0] != "generator"
                  and p.name not in ("generate_samples.py", "README.md"))


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.slow
def test_generator_rewrites_every_committed_file_byte_for_byte(tmp_path):
    out = tmp_path / "samples"
    subprocess.run([sys.executable, str(SAMPLES / "generate_samples.py"), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=300)
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = [p.relative_to(SAMPLES) for p in committed_files()]
    assert written == committed
    differing = [str(rel) for rel in written
                 if (out / rel).read_bytes() != (SAMPLES / rel).read_bytes()]
    assert differing == []


def test_whole_folder_is_under_15_mb():
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts)
    assert total < 15 * 1024 * 1024


def test_generator_uses_no_crmlib():
    files = [SAMPLES / "generate_samples.py", *sorted((SAMPLES / "generator").glob("*.py"))]
    assert len(files) > 10  # the entry point and the package's modules
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+crmlib", source, flags=re.MULTILINE), path.name


def test_generator_is_a_package_of_small_modules_behind_a_thin_entry_point():
    # issue 17: one module per table kind and company instead of one 1,600-line file
    package = SAMPLES / "generator"
    modules = {p.stem for p in package.glob("*.py")}
    assert {"customers", "transactions", "interactions", "invoices", "surveys",
            "engagement"} <= modules
    assert max(len(p.read_text(encoding="utf-8").splitlines())
               for p in package.glob("*.py")) < 400
    assert len((SAMPLES / "generate_samples.py").read_text(encoding="utf-8").splitlines()) < 40


def test_generator_command_line_still_answers_help():
    done = subprocess.run([sys.executable, str(SAMPLES / "generate_samples.py"), "--help"],
                          check=True, capture_output=True, text=True, timeout=120)
    assert "--out" in done.stdout


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
@pytest.mark.parametrize("table", TABLES)
def test_every_table_loads_through_the_client_loader(client, table):
    df = load(client, table)
    assert len(df) > 0


def test_sizes_match_the_issue():
    """~5,000 operator customers and ~80,000 lines; ~400 distributor accounts."""
    movil = load("movil-andina", "transactions")
    assert 75_000 <= len(movil) <= 90_000
    billing = load("movil-andina", "customers").query("source == 'billing'")
    assert 4_800 <= len(billing) <= 5_200
    erp = load("distribuidora-norte", "customers").query("source == 'erp'")
    assert 380 <= len(erp) <= 420
    assert movil["date"].min() >= pd.Timestamp("2022-01-01")
    for client in SAMPLE_CLIENTS:
        tx = load(client, "transactions")
        assert tx["date"].max() <= AS_OF
        assert tx["date"].min().year == 2022 and tx["date"].max().year == 2024


def test_messy_company_is_written_the_messy_way():
    folder = SAMPLES / "distribuidora-norte"
    raw = (folder / "transactions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    header = text.split("\n", 1)[0]
    assert header.count(";") >= 5 and "," not in header
    assert "Fecha" in header and "Importe" in header
    assert re.search(r";-?\d{1,3}(\.\d{3})+,\d{2};", text), "no amount like 1.234,56"
    assert re.search(r"^(1[3-9]|2\d|3[01])/\d{2}/20\d{2};", text, flags=re.MULTILINE)
    erp = (folder / "customers_erp.csv").read_bytes().decode("cp1252")
    assert "Razón social" in erp.split("\n", 1)[0]
    mapped = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))["column_map"]
    assert mapped["transactions"]["Nº factura"] == "invoice_id"
    # the decimal comma is read as a decimal: amounts keep their cents and their thousands
    tx = load("distribuidora-norte", "transactions")
    assert (tx["amount"].abs() >= 1000).any()
    assert (tx["amount"] % 1 != 0).mean() > 0.5


def test_day_first_dates_are_read_day_first():
    """The distributor sells on working days only, so a month-first reading would show up as
    weekend sales (e.g. 03/01/2022, a Monday, read as 1 March 2022, a Tuesday, is harmless, but
    across 20,000 lines roughly 2 in 7 would land on a weekend)."""
    tx = load("distribuidora-norte", "transactions")
    sales = tx[(tx["amount"] > 0) & tx["customer_id"].notna()]
    assert (sales["date"].dt.day_of_week < 5).all()
    assert sales["date"].dt.day.le(12).mean() > 0.3


def test_clean_companies_are_utf8_with_iso_dates():
    for client in ("movil-andina", "hotel-mirador"):
        text = (SAMPLES / client / "transactions.csv").read_text(encoding="utf-8")
        second = text.split("\n")[1]
        assert re.search(r",20\d{2}-\d{2}-\d{2},", second)
    hotel_header = (SAMPLES / "hotel-mirador" / "transactions.csv").read_text(
        encoding="utf-8").split("\n", 1)[0]
    assert hotel_header.startswith("Customer,Date,Amount")


# --------------------------------------------------------------------------- transactions


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_top_fifth_of_customers_hold_70_to_80_percent_of_net_value(client):
    tx = load(client, "transactions").dropna(subset=["customer_id"])
    value = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = int(np.ceil(0.2 * len(value)))
    share = value.iloc[:top].sum() / value.sum()
    assert 0.70 <= share <= 0.80, share


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_returns_anonymous_sales_and_same_day_baskets_are_present(client):
    tx = load(client, "transactions")
    returns = tx[tx["amount"] < 0]
    assert len(returns) >= 50
    assert (returns["quantity"] < 0).all()
    # a return carries its own credit-note number, never a sale invoice number
    assert not set(returns["invoice_id"]) & set(tx.loc[tx["amount"] > 0, "invoice_id"])
    anonymous = tx["customer_id"].isna().sum()
    assert 10 <= anonymous <= 100
    lines_per_day = tx.dropna(subset=["customer_id"]).groupby(["customer_id", "date"]).size()
    assert (lines_per_day > 1).sum() >= 100


@pytest.mark.parametrize("client", ["distribuidora-norte", "hotel-mirador"])
def test_margin_is_given_and_below_the_amount(client):
    tx = load(client, "transactions")
    assert tx["margin"].notna().all()
    sales = tx[tx["amount"] > 0]
    assert ((sales["margin"] > 0) & (sales["margin"] < sales["amount"])).all()


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_customers_arrive_churn_and_decline(client):
    tx = load(client, "transactions").dropna(subset=["customer_id"])
    per = tx.groupby("customer_id")["date"].agg(["min", "max"])
    n = len(per)
    new_2024 = (per["min"] >= pd.Timestamp("2024-01-01")).sum()
    gone = (per["max"] < AS_OF - pd.Timedelta(days=365)).sum()
    assert new_2024 >= 0.03 * n
    assert gone >= 0.05 * n
    # decliners: steady buyers before the last 180 days, far less since
    recent = tx["date"] > AS_OF - pd.Timedelta(days=180)
    early = tx["date"] <= AS_OF - pd.Timedelta(days=180)
    old_value = tx[early].groupby("customer_id")["amount"].sum()
    old_days = (AS_OF - pd.Timedelta(days=180) - per["min"]).dt.days.clip(lower=1)
    recent_value = tx[recent].groupby("customer_id")["amount"].sum()
    frame = pd.DataFrame({"old": old_value, "recent": recent_value,
                          "days": old_days}).fillna({"recent": 0.0})
    frame = frame[(frame["days"] >= 360) & (frame["old"] > 0)]
    expected = frame["old"] / frame["days"] * 180
    decliners = ((frame["recent"] > 0) & (frame["recent"] < 0.4 * expected)).sum()
    assert decliners >= 10


# --------------------------------------------------------------------------- customers


def _digits(phone: pd.Series) -> pd.Series:
    return phone.fillna("").str.replace(r"\D", "", regex=True).str[-9:]


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_transactions_interactions_and_invoices_use_first_source_ids(client):
    customers = load(client, "customers")
    first = set(customers.loc[customers["source"] == FIRST_SOURCE[client], "customer_id"])
    for table in ("transactions", "interactions", "invoices"):
        ids = set(load(client, table)["customer_id"].dropna())
        assert ids <= first, (table, sorted(ids - first)[:5])


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_second_source_overlaps_with_near_duplicates_and_adds_prospects(client):
    customers = load(client, "customers")
    a = customers[customers["source"] == FIRST_SOURCE[client]].copy()
    b = customers[customers["source"] == SECOND_SOURCE[client]].copy()
    for df in (a, b):
        df["mail"] = df["email"].str.strip().str.lower()
        df["tel"] = _digits(df["phone"])
    by_mail = b.merge(a, on="mail", suffixes=("_b", "_a")).query("mail.notna() and mail != ''")
    by_tel = b.merge(a, on="tel", suffixes=("_b", "_a")).query("tel.str.len() == 9")
    matched = pd.concat([by_mail[["customer_id_b", "customer_id_a", "name_b", "name_a",
                                  "email_b", "email_a", "phone_b", "phone_a"]],
                         by_tel[["customer_id_b", "customer_id_a", "name_b", "name_a",
                                 "email_b", "email_a", "phone_b", "phone_a"]]])
    matched = matched.drop_duplicates(["customer_id_b", "customer_id_a"])
    assert matched["customer_id_b"].nunique() >= 0.4 * len(b)
    # the same person or company written differently
    assert (matched["name_b"] != matched["name_a"]).sum() >= 0.1 * len(matched)
    assert (matched["name_b"].str.lower() == matched["name_a"].str.lower()).sum() > \
        (matched["name_b"] == matched["name_a"]).sum()
    assert ((matched["email_b"] != matched["email_a"])
            & (matched["email_b"].str.lower() == matched["email_a"].str.lower())).sum() >= 5
    assert ((matched["phone_b"] != matched["phone_a"]) & matched["phone_b"].notna()).sum() >= 10
    # records found only in the second source
    assert len(set(b["customer_id"]) - set(matched["customer_id_b"])) >= 0.1 * len(b)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_a_few_customers_are_entered_twice_in_one_source(client):
    customers = load(client, "customers")
    for source in (FIRST_SOURCE[client], SECOND_SOURCE[client]):
        part = customers[customers["source"] == source]
        twice = part.duplicated(subset=["name", "email", "phone"], keep=False)
        assert 2 <= twice.sum() // 2 <= 30, (source, twice.sum())


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_some_contact_data_are_invalid_or_missing(client):
    customers = load(client, "customers")
    email = customers["email"].dropna()
    invalid = ~email.str.fullmatch(r"[^@\s,]+@[^@\s,]+\.[a-z]+")
    assert 5 <= invalid.sum() <= 0.05 * len(customers)
    assert customers["email"].isna().sum() >= 10
    digits = _digits(customers["phone"])
    assert (customers["phone"].notna() & (digits.str.len() < 9)).sum() >= 3


def test_tax_ids_for_companies_and_some_persons():
    erp = load("distribuidora-norte", "customers").query("source == 'erp'")
    companies = erp[erp["kind"] == "company"]
    assert companies["tax_id"].str.fullmatch(r"[AB]\d{8}").all()
    persons = load("movil-andina", "customers").query("source == 'billing' and kind == 'person'")
    assert 0.3 < persons["tax_id"].notna().mean() < 0.95


# --------------------------------------------------------------------------- interactions


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_interactions_cover_kinds_channels_and_open_or_reopened_tickets(client):
    it = load(client, "interactions")
    assert set(it["kind"]) == {"complaint", "request", "suggestion", "praise"}
    assert {"phone", "email", "in_person", "web"} <= set(it["channel"])
    assert set(it["encounter"]) == {"remote", "phone", "in_person"}
    assert it["closed_at"].isna().sum() >= 3
    closed = it.dropna(subset=["closed_at"])
    assert (closed["closed_at"] >= closed["opened_at"]).all()
    assert it["status"].str.lower().str.contains("reab|reop").sum() >= 2
    assert (it["contacts_to_resolve"] == 1).mean() > 0.4
    assert (it["contacts_to_resolve"] >= 2).sum() > 0
    for column in ("response_minutes", "cost"):
        assert it[column].notna().all() and (it[column] > 0).all()
    assert it["wait_minutes"].notna().any() and it["wait_minutes"].isna().any()


def test_status_labels_as_each_company_writes_them():
    assert set(load("movil-andina", "interactions")["status"]) == {"closed", "open", "reopened"}
    assert set(load("distribuidora-norte", "interactions")["status"]) == {
        "Cerrado", "Resuelto", "Abierto", "Reabierto"}


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_valuable_customers_complain_and_complainers_leave(client):
    tx = load(client, "transactions").dropna(subset=["customer_id"])
    it = load(client, "interactions")
    complaints = it[it["kind"] == "complaint"].dropna(subset=["customer_id"])
    value = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = set(value.index[: max(1, len(value) // 10)])
    assert len(top & set(complaints["customer_id"])) >= 0.1 * len(top)
    last = tx.groupby("customer_id")["date"].max()
    churned = last[last < AS_OF - pd.Timedelta(days=180)]
    joined = complaints.merge(churned.rename("last").reset_index(), on="customer_id")
    after_last = joined[(joined["opened_at"] >= joined["last"])
                        & (joined["opened_at"] <= joined["last"] + pd.Timedelta(days=30))]
    assert after_last["customer_id"].nunique() >= 0.15 * len(churned)


# --------------------------------------------------------------------------- invoices


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_every_aging_bucket_has_open_invoices(client):
    inv = load(client, "invoices")
    assert (inv["due_at"] >= inv["issued_at"]).all()
    paid = inv.dropna(subset=["paid_at"])
    assert (paid["paid_amount"] == paid["amount"]).all()
    assert (paid["paid_at"] > paid["due_at"]).any(), "nobody pays late"
    open_ = inv[inv["paid_at"].isna() & (inv["issued_at"] <= AS_OF)]
    overdue = (AS_OF - open_["due_at"]).dt.days
    buckets = pd.cut(overdue, [-10_000, 0, 30, 60, 90, 120, 10_000])
    counts = buckets.value_counts()
    assert (counts > 0).all(), counts
    partial = open_[(open_["paid_amount"] > 0) & (open_["paid_amount"] < open_["amount"])]
    assert len(partial) >= 3


def test_distributor_sells_on_30_60_90_day_credit():
    inv = load("distribuidora-norte", "invoices")
    terms = (inv["due_at"] - inv["issued_at"]).dt.days
    assert set(terms) == {30, 60, 90}
    tx = load("distribuidora-norte", "transactions")
    sales = tx[(tx["amount"] > 0) & tx["customer_id"].notna()]
    total = sales.groupby("invoice_id")["amount"].sum().round(2)
    joined = inv.set_index("invoice_id")["amount"].round(2)
    assert np.allclose(total.reindex(joined.index), joined, atol=0.011)


# --------------------------------------------------------------------------- SERVQUAL


def _gaps(client):
    sq = load(client, "servqual_responses")
    sq["dimension"] = sq["item_id"].map(ITEM_DIMENSION)
    sq["gap"] = sq["perception"] - sq["expectation"]
    return sq


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_servqual_has_all_items_blanks_and_higher_expectations(client):
    sq = _gaps(client)
    people = load(client, "servqual_respondents")
    assert 150 <= people["respondent_id"].nunique() <= 400
    assert set(sq["item_id"]) == set(ITEM_DIMENSION)
    assert sq.groupby("respondent_id").size().eq(22).all()
    assert set(sq["respondent_id"]) == set(people["respondent_id"])
    values = sq[["expectation", "perception"]]
    assert values.stack().dropna().between(1, 7).all()
    assert 1 <= values.isna().sum().sum() <= 0.02 * values.size
    assert sq["expectation"].mean() > sq["perception"].mean()
    points = people[[f"importance_{d}" for d in DIMENSIONS]]
    assert (points.sum(axis=1) == 100).all()
    assert points.mean().idxmax() == "importance_reliability"


def test_operator_gaps_are_largest_in_reliability_and_responsiveness():
    by_dim = _gaps("movil-andina").groupby("dimension")["gap"].mean().sort_values()
    assert set(by_dim.index[:2]) == {"reliability", "responsiveness"}
    assert (by_dim < 0).all()


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_overall_rating_follows_the_gaps(client):
    """Least squares of overall rating on the five mean gaps explains a real share of variance."""
    sq = _gaps(client)
    wide = sq.pivot_table(index="respondent_id", columns="dimension", values="gap")
    people = load(client, "servqual_respondents").set_index("respondent_id")
    frame = wide.join(people["overall_rating"]).dropna()
    x = np.column_stack([np.ones(len(frame)), frame[list(DIMENSIONS)].to_numpy()])
    y = frame["overall_rating"].to_numpy()
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    r2 = 1 - ((y - x @ coef) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert r2 > 0.3, r2
    assert coef[1 + DIMENSIONS.index("reliability")] > 0
    assert 1 <= people["overall_rating"].min() and people["overall_rating"].max() <= 7
    assert people["overall_rating"].isna().any()


def test_hotel_has_a_zone_of_tolerance():
    sq = load("hotel-mirador", "servqual_responses")
    both = sq.dropna(subset=["adequate", "desired"])
    assert (both["adequate"] <= both["desired"]).all()
    assert (both["adequate"] < both["desired"]).mean() > 0.95
    assert (sq["perception"] < sq["adequate"]).any()
    assert ((sq["perception"] >= sq["adequate"]) & (sq["perception"] <= sq["desired"])).mean() > 0.4
    sq["dimension"] = sq["item_id"].map(ITEM_DIMENSION)
    means = sq.groupby("dimension")[["adequate", "perception"]].mean()
    assert means.loc["empathy", "perception"] < means.loc["empathy", "adequate"]
    assert (means["perception"] > means["adequate"]).sum() >= 3
    for client in ("movil-andina", "distribuidora-norte"):
        assert "adequate" not in load(client, "servqual_responses").columns


# --------------------------------------------------------------------------- readiness


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_readiness_respondents_groups_and_disagreement(client):
    rd = load(client, "readiness_responses")
    people = rd.drop_duplicates("respondent_id")
    assert 20 <= len(people) <= 40
    assert 3 <= people["group"].nunique() <= 4
    expected = {f"{a}{i}" for a, k in READINESS_AREAS.items() for i in range(1, k + 1)}
    signals = {f"TS{i}" for i in range(1, 10)}  # the nine timely signals, asked of everyone
    assert len(expected) == 36 and set(rd["item_id"]) == expected | signals
    assert rd.groupby("respondent_id").size().eq(45).all()
    assert rd.loc[rd["item_id"].isin(signals), "current"].notna().mean() > 0.9
    scores = rd[["current", "preferred"]]
    assert scores.stack().dropna().between(1, 5).all()
    assert 1 <= scores.isna().sum().sum() <= 0.05 * scores.size
    assert rd["preferred"].mean() > rd["current"].mean() + 0.5
    rd = rd[~rd["item_id"].isin(signals)].copy()
    rd["area"] = rd["item_id"].str[:2]
    means = rd.groupby(["area", "group"])["current"].mean().unstack()
    spread = means.max(axis=1) - means.min(axis=1)
    assert (spread >= 0.8).sum() >= 2, spread


# --------------------------------------------------------------------------- engagement


def test_engagement_lists_the_three_companies():
    path = SAMPLES / "engagement.yaml"
    eng = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert eng["as_of"] == "2024-12-31" and eng["language"] in ("es", "en")
    assert eng["stages"] == ["01_identify", "02_differentiate", "03_interact", "04_personalize",
                             "05_readiness", "06_servqual", "07_collections", "08_follow_up",
                             "09_segments"]
    ids = [c["id"] for c in eng["clients"]]
    assert ids == list(SAMPLE_CLIENTS)
    names = {c["id"]: c["name"] for c in eng["clients"]}
    assert names == {"movil-andina": "Móvil Andina",
                     "distribuidora-norte": "Distribuidora Industrial del Norte",
                     "hotel-mirador": "Hotel Mirador del Lago"}
    for c in eng["clients"]:
        assert (path.parent / c["data_dir"]).is_dir()
        assert c["industry"]
