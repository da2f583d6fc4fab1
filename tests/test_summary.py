"""The engagement summary: it reads what the stages recorded, points every finding and action
to a real section of a stage report, and shows the consistency check's result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import view_support as S

from crmlib import collections, personalize, store, summary
from crmlib import differentiate as dif
from crmlib.i18n import catalog, t
from crmlib.view import customer_view, most_valuable

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _stage(folder: Path, stage: str, values: dict, tables: dict) -> None:
    out = folder / stage
    out.mkdir(parents=True)
    (out / "results.json").write_text(json.dumps({"stage": stage, "values": values},
                                                 default=float), encoding="utf-8")
    store.write_tables(tables, out / store.TABLES_FOLDER)


def _record(folder: Path, *, plan_change=None) -> Path:
    """A client folder as an engagement run leaves it, from the constructed company."""
    tx, it, inv = S.transactions(), S.interactions(), S.invoices()
    view = customer_view(tx, customers=S.customers(), interactions=it, invoices=inv,
                         as_of=S.AS_OF, clv_time_unit=None)
    plan = personalize.treatment_plan(view, language="en")
    if plan_change is not None:
        plan = plan_change(plan)
    pareto = dif.pareto_table(tx, as_of=S.AS_OF)
    dec = dif.decliners(tx, as_of=S.AS_OF)
    _stage(folder, "02_differentiate",
           {"pareto": dict(dif.pareto_summary(pareto)),
            "decliners": dict(dif.decliners_summary(dec))},
           {"most_valuable": most_valuable(view),
            "growth_potential": dif.growth_potential(tx, as_of=S.AS_OF)})
    _stage(folder, "04_personalize", {}, {"customer_view": view, "treatment_plan": plan})
    _stage(folder, "07_collections", {},
           {"dunning_plan": collections.dunning_plan(inv, as_of=S.AS_OF, view=view)})
    return folder


def _real_sections(stage: str) -> set[str]:
    text = (NOTEBOOKS / f"{stage}.ipynb").read_text(encoding="utf-8")
    return set(re.findall(r'report\.section\(\\"([a-z_.0-9]+)\\"', text))


@pytest.mark.parametrize("language", ["es", "en"])
def test_findings_and_actions_point_to_sections_the_stage_reports_show(tmp_path, language):
    result = summary.engagement_summary(_record(tmp_path / "c"), language=language)
    assert result["stages"] == ["02_differentiate", "04_personalize", "07_collections"]
    assert len(result["findings"]) >= 3 and len(result["actions"]) >= 2
    for table in (result["findings"], result["actions"]):
        assert len(table) <= 10
        assert table["rank"].tolist() == list(range(1, len(table) + 1))
        for r in table.itertuples():
            assert r.section in _real_sections(r.stage), (r.stage, r.section)
            assert r.section_title == catalog()[f"{r.section}.title"][language]
    # the decliner is among the customers to visit, named with the name the client gave
    visit = result["actions"][result["actions"]["action"].str.contains(
        "Visit" if language == "en" else "Visitar")]
    assert len(visit) == 1 and "Cliente decl (decl)" in visit["action"].iloc[0]
    # the stages that did not run are said, not skipped silently
    assert result["missing"] == ["01_identify", "03_interact", "05_readiness", "06_servqual",
                                 "08_follow_up", "09_segments"]
    assert "Identif" in summary.stages_markdown(result, language=language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_follow_up_and_segments_stages_add_findings_and_actions(tmp_path, language):
    """Lost customers' reasons, the funnel, the share of wallet, the customers to win back and
    to reactivate reach the summary, pointing to the sections of 08 and 09 that show them."""
    folder = _record(tmp_path / "c")
    _stage(folder, "08_follow_up", {"n_worth_recovering": 2},
           {"lost_reasons": pd.DataFrame({"reason_category": ["price", "competitor"],
                                          "n_customers": [3, 5],
                                          "customer_share": [0.375, 0.625]}),
            "recovery_list": pd.DataFrame({"customer_id": ["decl", "a1"]})})
    _stage(folder, "09_segments",
           {"segments": {"share_of_wallet": 0.4, "n_wallet_estimated": 3,
                         "n_wallet_customers": 10, "funnel_loss_step": "loyal",
                         "funnel": {"registered": 12, "loyal": 4}}},
           {"reactivation_calls": pd.DataFrame({"customer_id": ["x", "y", "z"],
                                                "calls_from": ["2025-03-10"] * 3})})
    result = summary.engagement_summary(folder, language=language)
    found = result["findings"].set_index("section")["finding"]
    competitor = "Oferta de la competencia" if language == "es" else "Competitor's offer"
    assert competitor in found["followup.lost"] and "62" in found["followup.lost"]
    loyal = "Fidelizado" if language == "es" else "Loyal"
    assert loyal in found["segment.funnel"] and "12" in found["segment.funnel"]
    assert "40" in found["segment.wallet"] and "3" in found["segment.wallet"]
    actions = result["actions"].set_index("section")
    assert actions.loc["followup.recovery", "n_customers"] == 2
    assert "Cliente decl (decl)" in actions.loc["followup.recovery", "action"]
    assert actions.loc["segment.calendar", "n_customers"] == 3
    assert ("10 de marzo de 2025" if language == "es" else "10 March 2025") in \
        actions.loc["segment.calendar", "action"]
    for table in (result["findings"], result["actions"]):
        for r in table.itertuples():
            assert r.section in _real_sections(r.stage), (r.stage, r.section)
    assert "08_follow_up" not in result["missing"] and "09_segments" not in result["missing"]


def test_a_consistent_client_reads_as_such(tmp_path):
    result = summary.engagement_summary(_record(tmp_path / "c"), language="en")
    assert result["consistency"].empty
    assert "no contradiction" in result["consistency_note"]
    assert "decliner_grow" in result["consistency"].attrs["run"]


def test_a_constructed_contradiction_shows_up_in_the_summary(tmp_path):
    def grow_the_decliner(plan):
        return plan.assign(action=plan["action"].where(plan["customer_id"] != "decl", "grow"))

    result = summary.engagement_summary(_record(tmp_path / "c", plan_change=grow_the_decliner),
                                        language="en")
    found = result["consistency"]
    assert "decliner_grow" in set(found["check"])
    assert list(found.set_index("check").loc["decliner_grow", "items"]) == ["decl"]
    assert "contradictions found" in result["consistency_note"]
    assert "decl" in result["consistency_note"]
    figures = summary.key_figures(result)
    assert figures["n_contradictions"] == len(found) and "decliner_grow" in \
        figures["contradictions"]


def test_the_summary_records_reader_tables_only(tmp_path):
    from crmlib.report import Recorder

    result = summary.engagement_summary(_record(tmp_path / "c"), language="es")
    rec = Recorder(tmp_path / "out", client_id="c", stage="80_summary", language="es")
    summary.record(rec, result)
    rec.save()
    saved = store.read_tables(tmp_path / "out" / store.TABLES_FOLDER)
    assert set(saved) == {"summary_findings", "summary_actions", "consistency"}
    assert "section" not in saved["summary_findings"] and "stage" not in saved["summary_actions"]
    assert (tmp_path / "out" / "tables.xlsx").is_file()


def test_recorded_tables_keep_their_columns_and_attrs(tmp_path):
    view = customer_view(S.transactions(), as_of=S.AS_OF, clv_time_unit=None)
    mixed = pd.DataFrame({"a": [1, "x", None]})
    store.write_tables({"customer_view": view, "mixed": mixed}, tmp_path)
    back = store.read_tables(tmp_path)
    assert back["customer_view"]["customer_id"].tolist() == view["customer_id"].tolist()
    assert back["customer_view"].attrs["value_window"] == view.attrs["value_window"]
    assert back["mixed"]["a"].tolist()[:2] == ["1", "x"]


# --------------------------------------------------------------------------- the real run
# `crmlib run` on the three sample companies, once per language: the summary notebook ends
# each client's run and reads what the stages recorded.

SAMPLES_ENGAGEMENT = Path(__file__).resolve().parents[1] / "data_samples" / "engagement.yaml"
CLIENTS = ["movil-andina", "distribuidora-norte", "hotel-mirador"]
# checks over the SERVQUAL reading: 06's importance-performance grid is wired to the
# significance tests and the zone of tolerance in 06, not here
SERVQUAL_CHECKS = {"overkill_with_shortfall", "low_priority_below_adequate",
                   "low_priority_top_driver"}


@pytest.fixture(params=["es", "en"])
def engagement_run(request, sample_run):
    """The shared run of the sample engagement (``conftest.sample_run``) in each language:
    ``(language, out, manifest, outcome)``."""
    run = sample_run(request.param)
    manifest = pd.read_csv(run.out / "manifest.csv", keep_default_na=False, dtype=str)
    return request.param, run.out, manifest, run.outcome


def _summary_tables(out, client):
    return store.read_tables(out / client / "80_summary" / store.TABLES_FOLDER)


@pytest.mark.slow
@pytest.mark.notebook
def test_the_summary_ends_each_clients_run(engagement_run):
    language, out, manifest, done = engagement_run
    assert done["returncode"] == 0, done["output"]
    assert (manifest["status"] == "completed").all(), manifest[["client_id", "stage", "error"]]
    summaries = manifest[manifest["stage"] == "80_summary"]
    assert sorted(summaries["client_id"]) == sorted(CLIENTS)
    heading = "Diez hallazgos clave" if language == "es" else "Ten key findings"
    for client in CLIENTS:
        html = (out / client / "80_summary" / "80_summary.html").read_text(encoding="utf-8")
        assert heading in html
        tables = _summary_tables(out, client)
        assert len(tables["summary_findings"]) == 10
        assert 5 <= len(tables["summary_actions"]) <= 10


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_recovery_action_and_the_call_list_finding_give_one_count(tmp_path, language):
    """Móvil Andina's summary said "94 valuable customers ... are the call list" and then
    "Recover the complaints of 117 valuable customers": the plan also recovers class A or B
    customers with an open complaint who are not on 03's call list. The action now says so."""
    view = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"],
                         "value_rank": [1, 2, 3, 4],
                         "on_complaint_call_list": [True, True, False, False]})
    plan = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                         "rule_id": ["recover_valuable_complainer", "recover_slow_complaint",
                                     "recover_valuable_complainer", "serve_top"],
                         "action": ["recover", "recover", "recover", "retain"],
                         "channel": ["phone"] * 4, "owner": ["x"] * 4,
                         "due_by": pd.to_datetime(["2025-01-30"] * 4)})
    recorded = {"03_interact": {"values": {"n_valuable_complainers": 2}, "tables": {}},
                "04_personalize": {"values": {}, "tables": {"customer_view": view,
                                                             "treatment_plan": plan}}}
    finding = summary.key_findings(recorded, language=language)
    assert finding.set_index("section").loc["interact.valuable", "finding"].startswith("2 ")
    action = summary.first_actions(recorded, language=language)
    text = action[action["n_customers"] == 3]["action"].iloc[0]
    calls = "los 2 de la lista de llamadas y 1 más" if language == "es" else \
        "the 2 on the call list and 1 more"
    assert calls in text and "A (a)" in text
    # when the plan recovers the call list alone, one number says it all
    alone = dict(recorded, **{"04_personalize": {"values": {}, "tables": {
        "customer_view": view, "treatment_plan": plan[plan["customer_id"] != "c"]}}})
    text = summary.first_actions(alone, language=language)["action"].iloc[0]
    assert ("lista de llamadas" if language == "es" else "call list") not in text


@pytest.mark.parametrize("language", ["es", "en"])
def test_lists_that_name_a_customer_the_plan_already_wins_back_say_so(tmp_path, language):
    """Móvil Andina's summary asked to win back 443 valuable lost customers (04), contact 60
    lost customers (08) and call 937 inactive ones (09), without saying these overlap."""
    folder = _record(tmp_path / "c")
    plan = store.read_tables(folder / "04_personalize" / store.TABLES_FOLDER)["treatment_plan"]
    in_plan = plan["customer_id"].astype(str).head(2).tolist()
    plan.loc[plan["customer_id"].astype(str).isin(in_plan), "rule_id"] = "win_back_valuable"
    store.write_tables({"treatment_plan": plan},
                       folder / "04_personalize" / store.TABLES_FOLDER)
    _stage(folder, "08_follow_up", {"n_worth_recovering": 3},
           {"recovery_list": pd.DataFrame({"customer_id": in_plan + ["zz"]})})
    _stage(folder, "09_segments", {},
           {"reactivation_calls": pd.DataFrame({"customer_id": in_plan[:1] + ["y", "z"],
                                                "calls_from": ["2025-03-10"] * 3})})
    actions = summary.engagement_summary(folder, language=language)["actions"]
    by = actions.set_index("section")["action"]
    assert by["followup.recovery"].endswith(t("summary.action.in_plan", language, k="2"))
    assert by["segment.calendar"].endswith(t("summary.action.in_plan_one", language))
    assert ("Uno de ellos ya está" if language == "es" else "One of them is already") in \
        by["segment.calendar"]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_subscription_clients_contract_value_is_a_finding(tmp_path, language):
    """What 02 records of the active contracts (fee times discounted residual life) reaches
    the summary, pointing to the section that shows it; a client without contracts gets none."""
    folder = _record(tmp_path / "c")
    result = summary.engagement_summary(folder, language=language)
    assert "clv.contract_value" not in set(result["findings"]["section"])
    values = json.loads((folder / "02_differentiate" / "results.json").read_text("utf-8"))
    values["values"]["clv_contract_value"] = {"n_active": 797, "n_customers": 797,
                                              "total_value": 1455657.08,
                                              "mean_expected_months": 34.305,
                                              "top10_share": 0.205, "discount_rate": 0.1}
    (folder / "02_differentiate" / "results.json").write_text(json.dumps(values), "utf-8")
    found = summary.engagement_summary(folder, language=language)["findings"]
    row = found[found["section"] == "clv.contract_value"].iloc[0]
    number = "1.455.657" if language == "es" else "1,455,657"
    months = "34,3" if language == "es" else "34.3"
    assert number in row["finding"] and months in row["finding"] and "797" in row["finding"]
    assert row["section"] in _real_sections("02_differentiate")


@pytest.mark.slow
@pytest.mark.notebook
def test_summary_findings_name_sections_the_stage_reports_show(engagement_run):
    language, out, _, _ = engagement_run
    import html as html_lib

    titles = {s: t(f"{p}.intro.title", language) for s, p in summary.STAGE_PREFIX.items()}
    for client in CLIENTS:
        tables = _summary_tables(out, client)
        for table in (tables["summary_findings"], tables["summary_actions"]):
            for r in table.itertuples():
                stage = next(s for s, title in titles.items() if title == r.report)
                page = html_lib.unescape(
                    (out / client / stage / f"{stage}.html").read_text(encoding="utf-8"))
                assert r.section_title in page, (client, stage, r.section_title)


@pytest.mark.slow
@pytest.mark.notebook
def test_on_the_samples_the_stages_do_not_contradict_each_other(engagement_run):
    _, out, _, _ = engagement_run
    for client in CLIENTS:
        results = json.loads((out / client / "80_summary" / "results.json").read_text())
        figures = results["values"]["summary"]
        assert len(figures["checks_run"]) >= 13, figures["checks_run"]
        customer_side = set(figures["contradictions"]) - SERVQUAL_CHECKS
        assert customer_side == set(), (client, figures["contradictions"])


@pytest.mark.slow
@pytest.mark.notebook
def test_on_the_samples_servqual_priorities_agree_with_the_tests(engagement_run):
    _, out, _, _ = engagement_run
    for client in CLIENTS:
        results = json.loads((out / client / "80_summary" / "results.json").read_text())
        assert results["values"]["summary"]["contradictions"] == [], client


@pytest.mark.slow
@pytest.mark.notebook
def test_the_store_keeps_each_sample_clients_customer_view(engagement_run):
    _, out, _, _ = engagement_run
    with store.open_store(out / "results.duckdb", read_only=True) as st:
        for client in CLIENTS:
            back = st.read_view(client_id=client)
            view = store.read_tables(out / client / "04_personalize" /
                                     store.TABLES_FOLDER)["customer_view"]
            assert back["customer_id"].tolist() == view["customer_id"].tolist()
            assert back["pareto_class"].tolist() == view["pareto_class"].tolist()
