"""Stage declarations: what each notebook needs, and the library working without optional data.

The crashes reproduced here come from a client's exports that ``crmlib validate`` passed:
interactions without ``cost``, customers without ``special``, interactions without
``response_minutes`` or ``closed_at``, and a stage listed with no data file.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from stage_clients import make_client

from crmlib import differentiate as dif
from crmlib import interact, io, stages
from crmlib.exceptions import DataError, ParameterError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
AS_OF = "2024-12-31"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_client(tmp_path_factory.mktemp("full") / "full", seed=1)


def _read(folder, table):
    return io.read_client_table(folder, table)


# --------------------------------------------------------------------------- library, optional inputs

def test_below_zero_with_interactions_without_cost(client):
    tx = _read(client, "transactions")
    it = _read(client, "interactions").drop(columns=["cost"])
    got = dif.below_zero(tx, costs=it, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, dif.below_zero(tx, costs=None, as_of=AS_OF))


def test_below_zero_still_uses_costs_when_present(client):
    tx = _read(client, "transactions").drop(columns=["margin"])
    it = _read(client, "interactions")
    with_cost = dif.contribution_table(tx, costs=it, as_of=AS_OF)
    assert with_cost["cost_to_serve"].sum() == pytest.approx(
        it.loc[it["customer_id"].isin(with_cost["customer_id"]), "cost"].sum())


def test_lifecycle_with_customers_without_special(client):
    tx = _read(client, "transactions")
    cu = _read(client, "customers")
    got = dif.lifecycle_table(tx, as_of=AS_OF, special=cu.drop(columns=["special"]))
    pd.testing.assert_frame_equal(got, dif.lifecycle_table(tx, as_of=AS_OF, special=None))
    flagged = dif.lifecycle_table(tx, as_of=AS_OF, special=cu)
    assert (flagged["lifecycle"] == "special").sum() == \
        cu.loc[cu["special"].fillna(False).astype(bool), "customer_id"].isin(tx["customer_id"]).sum()


def test_rates_without_close_dates_are_not_available(client):
    it = _read(client, "interactions").drop(columns=["closed_at"])
    m = interact.complaint_metrics(it, as_of=AS_OF)
    assert math.isnan(m.loc[0, "recovery_rate"]) and m.loc[0, "recovery_n"] == 0
    assert math.isnan(m.loc[0, "fcr_rate"])
    en = interact.headline(m, "en", recovery_window_days=30)
    es = interact.headline(m, "es", recovery_window_days=30)
    assert "0 %" not in en and "not available" in en
    assert "0 %" not in es and "no disponible" in es


def test_rates_with_close_dates_stay_measured(client):
    m = interact.complaint_metrics(_read(client, "interactions"), as_of=AS_OF)
    assert 0 < m.loc[0, "recovery_rate"] <= 1 and m.loc[0, "recovery_n"] > 0
    assert "not available" not in interact.headline(m, "en")


# --------------------------------------------------------------------------- declaration

def _columns(folder):
    return {t: set(io.read_client_table(folder, t).columns) for t in
            ("customers", "transactions", "interactions", "invoices", "readiness_responses",
             "servqual_responses", "servqual_respondents", "credit_answers",
             "lost_customers", "post_transaction_survey", "critical_incidents",
             "mystery_shopper", "soft_indicators", "suggestion_actions",
             "needs_responses", "customer_attributes")
            if io.has_client_table(folder, t)}


def test_check_full_client_has_nothing_missing_or_locked(client):
    cols = _columns(client)
    for name in stages.STAGES:
        got = stages.check(name, cols, parameters={"rfm_frequency": "invoices"})
        assert got.ok and got.locked == {}, name


def test_check_names_missing_required_table_and_optional_columns():
    got = stages.check("03_interact", {"transactions": {"customer_id", "date", "amount"}})
    assert not got.ok
    assert ("interactions", None) in got.missing
    got = stages.check("03_interact", {
        "transactions": {"customer_id", "date", "amount"},
        "interactions": {"interaction_id", "customer_id", "opened_at", "channel"}})
    assert got.ok
    assert set(got.locked) == {"kinds", "categories", "resolution", "response_times",
                               "contact_cost"}
    assert got.locked["response_times"] == (("interactions", "response_minutes"),)


def test_parameter_bound_section_only_when_wanted():
    cols = {"transactions": {"customer_id", "date", "amount"}}
    assert "rfm_invoices" not in stages.check("02_differentiate", cols).locked
    assert "rfm_invoices" in stages.check("02_differentiate", cols,
                                          parameters={"rfm_frequency": "invoices"}).locked


def test_unknown_stage_and_section_are_refused():
    with pytest.raises(ParameterError, match="stage must be one of"):
        stages.stage("08_nothing")
    with pytest.raises(ParameterError, match="section of 03_interact"):
        stages.stage("03_interact").section("nothing")


def test_declared_tables_and_columns_exist_in_the_contracts():
    from crmlib.schemas import table_spec

    for st in stages.STAGES.values():
        for table, cols in st.requires.items():
            names = {c.name for c in table_spec(table).columns}
            assert set(cols) <= names, (st.name, table)
        for sec in st.sections:
            for table, col in sec.needs:
                assert table in st.tables, (st.name, sec.key, table)
                assert col is None or col in {c.name for c in table_spec(table).columns}


def test_locked_sentence_in_both_languages_names_the_column():
    es = stages.locked_sentence("03_interact", "response_times",
                                (("interactions", "response_minutes"),), "es")
    en = stages.locked_sentence("03_interact", "response_times",
                                (("interactions", "response_minutes"),), "en")
    # words and a header the loader reads, the file by its name; no table or column key
    assert "`tiempo respuesta`" in es and "los contactos de los clientes" in es
    assert "`interactions.csv`" in es and "respuesta" in es
    assert "`Response minutes`" in en and "first response" in en
    assert "the customer contacts (`interactions.csv`)" in en
    assert "03_interact" not in es + en and "response_times" not in es + en
    assert "response_minutes" not in es + en and "`interactions`" not in es + en


def test_load_returns_none_for_absent_optional_tables(tmp_path):
    folder = make_client(tmp_path / "c", drop_tables=("interactions", "customers"))
    data = stages.load("02_differentiate", folder)
    assert data.interactions is None and data.customers is None
    assert len(data.transactions) > 0
    assert not data.unlocked("service_cost") and data.unlocked("clv")
    assert "the customer contacts" in data.sentence("service_cost", "en")
    assert "`interactions.csv`" in data.sentence("service_cost", "en")


def test_load_lists_every_missing_required_input_at_once(tmp_path):
    folder = make_client(tmp_path / "c", drop_tables=("interactions", "transactions"))
    with pytest.raises(DataError) as err:
        stages.load("03_interact", folder)
    text = str(err.value)
    assert "interactions" in text and "transactions" in text


def test_section_displays_sentence_when_locked(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(stages, "_display", shown.append)
    folder = make_client(tmp_path / "c", drop_columns={"interactions": ["response_minutes"]})
    data = stages.load("03_interact", folder)
    assert data.section("response_times", "en") is False
    assert data.section("resolution", "en") is True
    assert data.section("resolution", "en", available=False, otherwise="too few") is False
    assert shown == [data.sentence("response_times", "en"), "too few"]


# --------------------------------------------------------------------------- notebooks agree

_CALL = re.compile(r"data\.(?:section|note|unlocked)\(\s*\"([a-z_]+)\"")


def _notebook_code(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("name", sorted(stages.STAGES))
def test_notebook_loads_through_its_declaration(name):
    code = _notebook_code(name)
    assert f'stages.load("{name}", data_dir' in code
    assert "io.read_client_table" not in code


@pytest.mark.parametrize("name", sorted(stages.STAGES))
def test_every_gated_section_is_declared_and_every_declared_one_used(name):
    used = set(_CALL.findall(_notebook_code(name)))
    declared = {s.key for s in stages.STAGES[name].sections}
    assert used == declared


@pytest.mark.parametrize("name", sorted(stages.STAGES))
def test_notebook_reads_only_declared_tables(name):
    code = _notebook_code(name)
    # data.tables is every table the stage read (the follow-up overview counts them all)
    read = set(re.findall(r"data\.([a-z_]+)\b(?!\()", code)) - {"section", "note", "unlocked",
                                                                  "tables"}
    assert read <= set(stages.STAGES[name].tables), read


def test_notebooks_committed_without_outputs():
    for name in stages.STAGES:
        nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_requirements_table_covers_every_stage():
    table = stages.requirements_table("en")
    assert set(table["stage"]) == set(stages.STAGES)
    sections = table[table["kind"] == "section"]
    assert len(sections) == sum(len(s.sections) for s in stages.STAGES.values())
    assert sections["unlocks"].str.len().gt(0).all()



# --------------------------------------------------------------------------- RFM by invoices

def _invoice_tx():
    # A: two invoices on one day and a third later; B: one invoice split over two lines
    # on one day plus a fully returned invoice; C: a line with no invoice number.
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "B", "B", "B", "C"],
        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-03-01", "2024-02-01",
                                "2024-02-01", "2024-04-01", "2024-04-02", "2024-05-01"]),
        "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 30.0, -30.0, 12.0],
        "invoice_id": ["F1", "F2", "F3", "F4", "F4", "F5", "F5", None],
    })


def test_rfm_frequency_by_invoices_counts_distinct_invoices():
    tx = _invoice_tx()
    days = dif.rfm_scores(tx, as_of=AS_OF, bins=2).set_index("customer_id")["frequency"]
    inv = dif.rfm_scores(tx, as_of=AS_OF, bins=2, frequency="invoices")
    assert inv.attrs["frequency"] == "invoices"
    got = inv.set_index("customer_id")["frequency"].to_dict()
    # by hand: A F1, F2, F3 -> 3; B F4 (F5 nets to zero) -> 1; C one line without number -> 1
    assert got == {"A": 3, "B": 1, "C": 1}
    # distinct purchase days: A 2 (Jan 5, Mar 1); B counts its days with net purchases
    assert days["A"] == 2


def test_rfm_frequency_by_invoices_without_invoice_id_is_refused():
    with pytest.raises(DataError, match="invoice_id"):
        dif.rfm_scores(_invoice_tx().drop(columns=["invoice_id"]), as_of=AS_OF, bins=2,
                       frequency="invoices")
    with pytest.raises(ParameterError, match="frequency"):
        dif.rfm_scores(_invoice_tx(), as_of=AS_OF, bins=2, frequency="orders")


# --------------------------------------------------------------------------- small clients, honest CLV

def _small_tx():
    # eight customers, two of whom bought a second time
    return pd.DataFrame({
        "customer_id": list("ABCDEFGH") + ["A", "B"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01",
                                "2024-05-01", "2024-06-01", "2024-07-01", "2024-08-01",
                                "2024-09-01", "2024-10-01"]),
        "amount": [10.0] * 10,
    })


def test_clv_on_a_small_client_is_not_reported_and_says_why():
    from crmlib import clv

    fit = clv.fit_models(dif.customer_summary(_small_tx(), as_of=AS_OF, time_unit="W"),
                         time_unit="W")
    assert not fit.usable
    assert {"too_few_customers", "too_few_repeat_buyers"} <= set(fit.problems)
    assert fit.n_customers == 8 and fit.n_repeat_buyers == 2
    assert "8" in fit.note("en") and "2 customers bought again" in fit.note("en")
    assert "no se muestra" in fit.note("es")
    assert fit.record() == {"usable": False, "problems": list(fit.problems),
                            "n_customers": 8, "n_repeat_buyers": 2}


def test_clv_without_any_repeat_buyer_does_not_raise():
    from crmlib import clv

    tx = _small_tx().iloc[:8]
    fit = clv.fit_models(dif.customer_summary(tx, as_of=AS_OF, time_unit="W"), time_unit="W")
    assert fit.gamma_gamma is None and not fit.usable
    assert "too_few_repeat_buyers" in fit.problems


def test_clv_collapsed_bgnbd_is_flagged():
    from crmlib import clv

    # every customer bought exactly twice at the same spacing: no drop-out is ever seen
    ids = [f"C{i:02d}" for i in range(40)]
    tx = pd.DataFrame({"customer_id": ids * 2,
                       "date": pd.to_datetime(["2024-01-01"] * 40 + ["2024-02-01"] * 40),
                       "amount": [10.0] * 80})
    fit = clv.fit_models(dif.customer_summary(tx, as_of=AS_OF, time_unit="W"), time_unit="W")
    assert "bgnbd_at_bound" in fit.problems and not fit.usable


def test_clv_on_cdnow_is_usable():
    from crmlib import clv

    # CDNOW 39-week calibration sample (Fader, Hardie & Lee 2005): a fit known to be sound
    s = pd.read_csv(Path(__file__).parent / "data" / "cdnow_summary.csv").rename(
        columns={"ID": "customer_id", "x": "frequency", "t_x": "recency",
                 "zbar": "avg_repeat_value"})
    fit = clv.fit_models(s, time_unit="W")
    assert fit.usable and fit.note("en") == ""
    assert fit.bgnbd.params_["a"] == pytest.approx(0.793, abs=0.01)


# --------------------------------------------------------------------------- validate

ALL_STAGES = ("01_identify", "02_differentiate", "03_interact", "04_personalize",
              "05_readiness", "06_servqual", "07_collections")


def write_engagement(base: Path, clients: dict, *, stages=ALL_STAGES, stage_parameters=None):
    """``engagement.yaml`` over the workbook's own notebooks; ``clients`` maps id -> folder."""
    data = {"engagement": "stages-test", "title": "Stage requirements", "as_of": AS_OF,
            "language": "en", "notebooks": str(NOTEBOOKS), "stages": list(stages),
            "clients": [{"id": cid, "name": cid.title(), "industry": "retail",
                         "data_dir": str(folder),
                         "stage_parameters": (stage_parameters or {}).get(cid, {})}
                        for cid, folder in clients.items()]}
    path = base / "engagement.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_validate_refuses_a_listed_stage_without_its_data_file(tmp_path):
    from crmlib.batch import validate_engagement

    folder = make_client(tmp_path / "shop", drop_tables=("invoices",))
    problems = validate_engagement(write_engagement(tmp_path, {"shop": folder}))
    assert len(problems) == 1
    assert "client shop, stage 07_collections" in problems[0]
    assert "invoices" in problems[0] and "invoices.csv" in problems[0]


def test_validate_refuses_a_column_the_stage_requires(tmp_path, monkeypatch):
    from crmlib.batch import validate_engagement

    # a stage that cannot do without a column the contract leaves optional
    monkeypatch.setitem(stages.STAGES, "05_readiness", stages.Stage(
        "05_readiness", requires={"readiness_responses": ("respondent_id", "group", "item_id",
                                                          "current", "preferred")}))
    folder = make_client(tmp_path / "shop", drop_columns={"readiness_responses": ["preferred"]})
    problems = validate_engagement(write_engagement(tmp_path, {"shop": folder}))
    assert problems == [
        ("client shop, stage 05_readiness: readiness_responses: column 'preferred' is required "
         "by this stage but missing (in readiness_responses.csv)")]


def test_validate_notes_the_sections_optional_data_would_unlock(tmp_path):
    from crmlib.batch import validate_engagement

    folder = make_client(tmp_path / "shop", drop_columns={
        "interactions": ["cost", "response_minutes", "closed_at"], "customers": ["special"]})
    found = validate_engagement(write_engagement(tmp_path, {"shop": folder}))
    assert list(found) == []
    notes = "\n".join(found.notes)
    for stage_name, key, column in (("02_differentiate", "service_cost", "cost"),
                                    ("02_differentiate", "special_customers", "special"),
                                    ("03_interact", "response_times", "response_minutes"),
                                    ("03_interact", "resolution", "closed_at"),
                                    ("03_interact", "contact_cost", "cost")):
        assert any(f"stage {stage_name}: section '{key}'" in n and f"`{column}`" in n
                   for n in found.notes), (key, notes)


def test_validate_notes_rfm_invoices_only_when_asked(tmp_path):
    from crmlib.batch import validate_engagement

    folder = make_client(tmp_path / "shop", drop_columns={"transactions": ["invoice_id"]})
    plain = validate_engagement(write_engagement(tmp_path, {"shop": folder},
                                                 stages=("02_differentiate",)))
    assert not any("rfm_invoices" in n for n in plain.notes)
    asked = validate_engagement(write_engagement(
        tmp_path, {"shop": folder}, stages=("02_differentiate",),
        stage_parameters={"shop": {"02_differentiate": {"rfm_frequency": "invoices"}}}))
    assert list(asked) == [] and any("rfm_invoices" in n for n in asked.notes)


def test_cli_validate_prints_notes_and_stays_green(tmp_path, capsys):
    from crmlib import cli

    folder = make_client(tmp_path / "shop", drop_columns={"interactions": ["cost"]})
    assert cli.main(["validate", str(write_engagement(tmp_path, {"shop": folder},
                                                      stages=("03_interact",)))]) == 0
    out = capsys.readouterr().out
    assert "note(s)" in out and "contact_cost" in out and "valid" in out


# --------------------------------------------------------------------------- README

def test_readme_data_table_is_the_declaration():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- stage-requirements:start -->\n")[1].split(
        "<!-- stage-requirements:end -->")[0]
    assert block == stages.requirements_markdown("en"), \
        "README out of date: run stages.update_readme('README.md')"
    for name in stages.STAGES:
        assert f"| `{name}` |" in block


def test_update_readme_rewrites_only_the_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- stage-requirements:start -->\nold table\n"
                      "<!-- stage-requirements:end -->\n\nAfter.\n", encoding="utf-8")
    assert stages.update_readme(readme) is True
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and stages.requirements_markdown("en") in text
    assert text.startswith("# Title\n\n") and text.endswith("-->\n\nAfter.\n")
    assert stages.update_readme(readme) is False
    readme.write_text("# No markers\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="stage-requirements"):
        stages.update_readme(readme)


def test_runner_skips_a_stage_without_its_data_file_with_a_summary_line(tmp_path):
    from crmlib.batch import run_engagement

    folder = make_client(tmp_path / "shop", drop_tables=("invoices",))
    manifest = run_engagement(write_engagement(tmp_path, {"shop": folder},
                                               stages=("07_collections",)),
                              out=tmp_path / "out", jobs=1, pdf=False, portfolio=False,
                              progress=False)
    assert manifest.empty
    summary = (tmp_path / "out" / "summary.txt").read_text(encoding="utf-8")
    assert "shop / 07_collections skipped: no file for invoices" in summary


def test_response_time_chart_without_the_column_names_it(client):
    it = _read(client, "interactions").drop(columns=["response_minutes"])
    indices = interact.hard_indices(it, _read(client, "transactions"), as_of=AS_OF)
    with pytest.raises(DataError, match="interactions: column 'response_minutes'"):
        interact.xmr_chart(indices, index="response_minutes")
    with pytest.raises(ParameterError, match="index must be one of"):
        interact.xmr_chart(indices, index="nothing")
    full = interact.hard_indices(_read(client, "interactions"), as_of=AS_OF)
    assert len(interact.xmr_chart(full, index="response_minutes")) > 0


@pytest.mark.slow
@pytest.mark.notebook
def test_personalize_runs_on_customers_and_sales_alone(tmp_path):
    """04 required ``interactions``: a client with customers and sales only was refused by
    ``validate`` and got no plan. Now the plan is made from purchases and one sentence
    says what the contact history would add."""
    from conftest import run_notebook

    from crmlib.batch import validate_engagement

    folder = make_client(tmp_path / "shop", seed=5,
                         drop_tables=("interactions", "invoices", "readiness_responses",
                                      "servqual_responses", "servqual_respondents",
                                      "credit_answers"))
    problems = validate_engagement(write_engagement(tmp_path, {"shop": folder},
                                                    stages=("04_personalize",)))
    assert list(problems) == []
    assert any("04_personalize" in n and "'contacts'" in n for n in problems.notes)
    _, html = run_notebook("04_personalize", tmp_path / "run", client_id="shop",
                            client_name="Shop", data_dir=str(folder),
                            output_dir=str(tmp_path / "results"), language="en")
    assert "complaints in the plan" in html and "<code>interactions.csv</code>" in html
    saved = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    plan = pd.read_excel(tmp_path / "results" / "tables.xlsx", sheet_name=None)
    assert saved["values"] and len(plan) > 0
