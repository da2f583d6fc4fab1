"""The shipped plan follows each rule of the method on the three sample companies, read on the
customer view every stage builds with the same call (``crmlib.view.for_stage``)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from crmlib import personalize, stages
from crmlib.view import VIEW_COLUMNS, for_stage, view_notes

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
AS_OF = "2024-12-31"
NAMES = ["movil-andina", "distribuidora-norte", "hotel-mirador"]
RECOVERY = {"recover_valuable_complainer", "recover_slow_complaint"}


@pytest.fixture(scope="module", params=NAMES)
def sample(request):
    folder = SAMPLES / request.param
    data = stages.load("04_personalize", folder)
    view = for_stage(data, folder, as_of=AS_OF, language="en", clv_time_unit=None)
    plan = personalize.treatment_plan(view, language="en")
    return request.param, view, plan.set_index("customer_id")


def _rows(view, plan, mask):
    return plan.loc[view.loc[mask, "customer_id"]]


def test_decliners_are_visited_now_never_grown(sample):
    _, view, plan = sample
    acts = _rows(view, plan, view["is_decliner"].fillna(False).astype(bool))
    assert len(acts) > 0
    assert not (acts["action"] == "grow").any()
    # the exceptions the rules state: below zero, a complaint recovered by its owner, a
    # low-value debt in collection
    other = acts["rule_id"].isin(RECOVERY | {"reduce_cost_below_zero", "collect_first"})
    assert (acts.loc[~other, "channel"] == "visit").all()
    assert (acts.loc[~other, "due_by"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=14)).all()


def test_below_zero_customers_get_a_lower_cost_to_serve(sample):
    _, view, plan = sample
    acts = _rows(view, plan, view["is_below_zero"].fillna(False).astype(bool))
    assert len(acts) > 0
    kept = acts[~acts["rule_id"].isin(RECOVERY)]
    assert (kept["action"] == "reduce_cost").all()
    assert (kept["service_level"] != "A").all()


def test_valuable_complainers_get_a_named_owner_and_recovery_within_30_days(sample):
    _, view, plan = sample
    hit = view["pareto_class"].isin(["A", "B"]) & (view["n_open_complaints"] > 0)
    acts = _rows(view, plan, hit)
    assert len(acts) > 0
    assert acts["owner"].notna().all() and (acts["owner"].str.len() > 0).all()
    assert (acts["due_by"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=30)).all()


def test_valuable_customers_lost_within_two_years_get_a_win_back(sample):
    _, view, plan = sample
    hit = (view["pareto_class_all_time"].isin(["A", "B"]) & (view["lifecycle"] == "lost")
           & (view["days_since_last"] <= 730))
    acts = _rows(view, plan, hit)
    assert len(acts) > 0
    kept = acts[~acts["rule_id"].isin(RECOVERY | {"collect_first"})]
    assert (kept["action"] == "win_back").all()


def test_class_a_is_never_served_below_a_without_a_stated_reason(sample):
    _, view, plan = sample
    acts = _rows(view, plan, view["pareto_class"] == "A")
    assert len(acts) > 0
    below = acts[acts["service_level"] != "A"]
    assert below["service_note"].notna().all()


def test_every_reason_in_the_plan_reads_as_a_sentence(sample):
    _, _, plan = sample
    for reason in plan["reason"].unique():
        assert reason[0].isupper() and reason.endswith("."), reason
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", reason), reason


def test_every_stage_gets_the_same_view_from_its_own_tables():
    folder = SAMPLES / "hotel-mirador"
    built = [for_stage(stages.load(name, folder), folder, as_of=AS_OF, clv_time_unit=None)
             for name in ("02_differentiate", "03_interact", "04_personalize", "07_collections")]
    for other in built[1:]:
        pd.testing.assert_frame_equal(built[0], other)
        assert other.attrs["value_window"] == built[0].attrs["value_window"]


def test_without_interactions_complaints_are_not_available_and_said_so():
    folder = SAMPLES / "hotel-mirador"
    data = stages.load("02_differentiate", folder)
    tables = {k: v for k, v in data.tables.items() if k != "interactions"}
    tables["interactions"] = None
    v = for_stage(tables, None, as_of=AS_OF, language="en", clv_time_unit=None)
    assert len(v) > 0
    assert v["n_open_complaints"].isna().all() and v["n_complaints"].isna().all()
    assert "No interactions table" in view_notes(v, language="en")
    plan = personalize.treatment_plan(v)
    assert not plan["rule_id"].isin(RECOVERY).any()


def test_without_transactions_the_view_is_empty_and_says_why():
    v = for_stage({"invoices": None}, None, as_of=AS_OF, language="es")
    assert v.empty and list(v.columns) == [c for g in VIEW_COLUMNS.values() for c in g]
    assert "Sin tabla de transacciones" in view_notes(v, language="es")


def test_the_complaint_call_list_on_the_view_agrees_with_the_plan(sample):
    """03's call list reads the view's values (last year's sales), so its customers are those
    the plan recovers with a named owner within 30 days, first of all the #1."""
    from crmlib import interact

    name, view, plan = sample
    folder = SAMPLES / name
    interactions = stages.load("03_interact", folder).interactions
    calls = interact.valuable_complainers(interactions, view, as_of=AS_OF)
    assert len(calls) > 0
    acts = plan.loc[calls["customer_id"]]
    assert acts["rule_id"].isin(RECOVERY).all(), acts["rule_id"].value_counts()
    assert acts["owner"].notna().all()
    assert (acts["due_by"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=30)).all()
    first = calls.iloc[0]
    assert first["value"] == view.set_index("customer_id").loc[first["customer_id"], "value"]
    if name == "movil-andina":
        assert first["customer_id"] == "0029747"
