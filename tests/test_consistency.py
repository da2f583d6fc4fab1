"""Tests of crmlib.consistency: each check fires on a constructed contradiction, and the
three sample companies, run through the library, show none."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crmlib import (
    collections,
    differentiate,
    identify,
    interact,
    io,
    personalize,
    segment,
    servqual,
)
from crmlib.consistency import CHECKS, check_client
from crmlib.exceptions import DataError, ParameterError
from crmlib.i18n import code_label
from crmlib.view import customer_view, debt_handed_over, decliners, method_view

AS_OF = "2024-12-31"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def _view(**cols):
    base = {"customer_id": ["c1"], "pareto_class": ["C"], "pareto_class_all_time": ["C"],
            "is_most_valuable": [False], "lifecycle": ["active"], "days_since_last": [10],
            "is_decliner": [False], "is_below_zero": [False], "n_open_complaints": [0],
            "collection_step": ["none"]}
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def _plan(**cols):
    base = {"customer_id": ["c1"], "rule_id": ["r"], "action": ["reduce_cost"],
            "service_level": ["C"], "channel": ["email"], "letter": [None], "owner": [None],
            "due_by": [pd.NaT], "service_note": [None]}
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def _dunning(action="send", stage="handover"):
    return pd.DataFrame({"customer_id": ["c1"], "action": [action], "stage": [stage]})


_DIMS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


def _ipa(quadrants):
    return pd.DataFrame({"dimension": _DIMS, "quadrant": quadrants,
                         "gap": [-0.5, -1.0, -1.0, -0.5, -1.5]})


def _tests(significant):
    return pd.DataFrame({"dimension": _DIMS, "mean_diff": [-0.5, -1.0, -1.0, -0.5, -1.5],
                         "significant": significant})


RECOVERING = {"action": "retain", "owner": "Ana", "due_by": pd.Timestamp("2025-01-30"),
              "service_level": "A", "channel": "phone"}

# check -> (results that contradict each other, items found, the same results made consistent)
CASES = {
    "legal_for_retained": (
        {"plan": _plan(action="retain"), "dunning": _dunning()}, ["c1"],
        {"plan": _plan(action="retain"), "dunning": _dunning("owner_review", None)}),
    "complaint_without_recovery": (
        {"view": _view(pareto_class="A", n_open_complaints=1),
         "plan": _plan(action="retain", service_level="A")}, ["c1"],
        {"view": _view(pareto_class="A", n_open_complaints=1), "plan": _plan(**RECOVERING)}),
    "decliner_not_visited": (
        {"view": _view(is_decliner=True), "plan": _plan(action="retain")}, ["c1"],
        {"view": _view(is_decliner=True), "plan": _plan(action="retain", channel="visit")}),
    "decliner_grow": (
        {"view": _view(is_decliner=True), "plan": _plan(action="grow", channel="visit")},
        ["c1"],
        {"view": _view(is_decliner=True), "plan": _plan(action="retain", channel="visit")}),
    "class_a_below_a": (
        {"view": _view(pareto_class="A"), "plan": _plan(service_level="B")}, ["c1"],
        {"view": _view(pareto_class="A"),
         "plan": _plan(service_level="B", service_note="Account being wound up.")}),
    "lost_in_most_valuable": (
        {"view": _view(lifecycle="lost"), "most_valuable": pd.DataFrame({"customer_id": ["c1"]})},
        ["c1"],
        {"view": _view(lifecycle="active"),
         "most_valuable": pd.DataFrame({"customer_id": ["c1"]})}),
    "below_zero_served_high": (
        {"view": _view(is_below_zero=True), "plan": _plan(action="grow", service_level="B")},
        ["c1"], {"view": _view(is_below_zero=True), "plan": _plan()}),
    "valuable_lost_no_win_back": (
        {"view": _view(pareto_class_all_time="A", lifecycle="lost", days_since_last=500),
         "plan": _plan()}, ["c1"],
        {"view": _view(pareto_class_all_time="A", lifecycle="lost", days_since_last=800),
         "plan": _plan()}),
    "win_back_active": (
        {"view": _view(lifecycle="active"), "plan": _plan(action="win_back")}, ["c1"],
        {"view": _view(lifecycle="lost"), "plan": _plan(action="win_back")}),
    "letter_to_legal": (
        {"plan": _plan(letter="retention_offer"), "dunning": _dunning("handed_over", None)},
        ["c1"],
        {"plan": _plan(letter=None), "dunning": _dunning("handed_over", None)}),
    "thanks_with_open_complaint": (
        {"view": _view(n_open_complaints=1), "plan": _plan(letter="complaint_thanks")}, ["c1"],
        {"view": _view(n_open_complaints=0), "plan": _plan(letter="complaint_thanks")}),
    "retain_or_grow_lost": (
        {"view": _view(lifecycle="lost"), "plan": _plan(action="grow")}, ["c1"],
        {"view": _view(lifecycle="lost"), "plan": _plan(action="win_back")}),
    "growth_and_decline": (
        {"view": _view(is_decliner=True), "growth": pd.DataFrame({"customer_id": ["c1"]})},
        ["c1"],
        {"view": _view(is_decliner=False), "growth": pd.DataFrame({"customer_id": ["c1"]})}),
    "overkill_with_shortfall": (
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "keep_up"]),
         "tests": _tests([True] * 5)}, ["tangibles"],
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "keep_up"]),
         "tests": _tests([False, True, True, True, True])}),
    "low_priority_below_adequate": (
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "low_priority"]),
         "zone": pd.DataFrame({"dimension": _DIMS,
                               "position": ["within"] * 4 + ["below"]})}, ["empathy"],
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "concentrate"]),
         "zone": pd.DataFrame({"dimension": _DIMS,
                               "position": ["within"] * 4 + ["below"]})}),
    "low_priority_top_driver": (
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "low_priority"]),
         "regression": pd.DataFrame({"dimension": _DIMS,
                                     "derived_importance": [10, 20, 20, 10, 40.0],
                                     "p_value": [0.5, 0.01, 0.01, 0.5, 0.001]})}, ["empathy"],
        {"ipa": _ipa(["overkill", "concentrate", "concentrate", "low_priority", "low_priority"]),
         "regression": pd.DataFrame({"dimension": _DIMS,
                                     "derived_importance": [10, 20, 20, 10, 40.0],
                                     "p_value": [0.5, 0.01, 0.01, 0.5, 0.30]})}),
    "reactivation_to_legal": (
        {"reactivation": pd.DataFrame({"customer_id": ["c1"]}), "dunning": _dunning()}, ["c1"],
        {"reactivation": pd.DataFrame({"customer_id": ["c1"]}),
         "dunning": _dunning("owner_review", None)}),
    "type_vs_lifecycle": (
        {"view": _view(lifecycle="lost"),
         "method": pd.DataFrame({"customer_id": ["c1"], "customer_type": ["active"]})}, ["c1"],
        {"view": _view(lifecycle="lost"),
         "method": pd.DataFrame({"customer_id": ["c1"], "customer_type": ["inactive"]})}),
    "loyal_decliner": (
        {"view": _view(is_decliner=True),
         "method": pd.DataFrame({"customer_id": ["c1"], "funnel_step": ["loyal"]})}, ["c1"],
        {"view": _view(is_decliner=True),
         "method": pd.DataFrame({"customer_id": ["c1"], "funnel_step": ["personalized"]})}),
}


def test_an_inactive_customer_the_view_calls_active_is_a_contradiction_too():
    found = check_client({"view": _view(lifecycle="new"), "method": pd.DataFrame(
        {"customer_id": ["c1", "c9"], "customer_type": ["inactive", "inactive"]})})
    assert found["items"].tolist() == [["c1"]]  # c9 is not in the view: nothing to compare


def test_every_check_has_a_case():
    assert sorted(CASES) == sorted(code for code, *_ in CHECKS)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_check_fires_on_its_contradiction_and_not_once_resolved(code):
    bad, items, good = CASES[code]
    found = check_client(bad, language="en")
    assert code in found.attrs["run"]
    row = found.set_index("check").loc[code]
    assert row["items"] == items and row["n_items"] == len(items)
    # customers by their id; SERVQUAL dimensions by their name in the reader's language
    def shown(i, language):
        return code_label("dimension", i, language) if i in _DIMS else str(i)

    assert all(shown(i, "en") in row["message"] for i in items)
    assert "_" not in row["check_label"] and row["severity_label"] in ("High", "Medium", "Low")
    es = check_client(bad, language="es").set_index("check").loc[code]
    assert es["message"] != row["message"] and all(shown(i, "es") in es["message"]
                                                   for i in items)
    if any(i in _DIMS for i in items):
        assert not any(i in row["message"] for i in items)  # no code reaches the reader
    assert code not in set(check_client(good)["check"])


def test_valuable_complainer_on_the_call_list_needs_recovery():
    """Móvil Andina: 0029747 was first on 03's call list while 04 served it as a top
    customer with no owner or deadline for its complaint."""
    calls = pd.DataFrame({"customer_id": ["0029747"]})
    plan = _plan(action="retain", service_level="A", rule_id="serve_top").assign(
        customer_id="0029747")
    found = check_client({"call_list": calls, "plan": plan})
    assert found.set_index("check").loc["complaint_without_recovery", "items"] == ["0029747"]


def test_a_complaint_recovery_planned_too_late_is_no_recovery():
    view = _view(pareto_class="A", n_open_complaints=1)
    view.attrs.update(as_of=AS_OF, parameters={"recovery_window_days": 30})
    late = _plan(**{**RECOVERING, "due_by": pd.Timestamp("2025-03-31")})
    assert check_client({"view": view, "plan": late}).set_index("check").loc[
        "complaint_without_recovery", "items"] == ["c1"]
    assert check_client({"view": view, "plan": _plan(**RECOVERING)}).empty


def test_checks_without_their_results_are_listed_as_skipped():
    found = check_client({"view": _view(), "plan": _plan()})
    assert found.empty
    skipped = found.attrs["skipped"]
    assert skipped["legal_for_retained"] == ["dunning"]
    assert skipped["overkill_with_shortfall"] == ["ipa", "tests"]
    assert "decliner_not_visited" in found.attrs["run"]
    assert list(found.columns) == ["check", "check_label", "severity", "severity_label",
                                   "items", "n_items", "message"]


def test_results_are_checked():
    with pytest.raises(ParameterError, match="unknown names"):
        check_client({"plans": _plan()})
    with pytest.raises(ParameterError, match="dict"):
        check_client([_plan()])
    with pytest.raises(DataError, match="plan"):
        check_client({"plan": [1, 2]})


def test_high_severity_comes_first_and_long_lists_are_cut_in_the_message():
    ids = [f"c{i:02d}" for i in range(30)]
    view = pd.concat([_view(is_decliner=True, lifecycle="active").assign(customer_id=c)
                      for c in ids], ignore_index=True)
    plan = pd.concat([_plan(action="win_back").assign(customer_id=c) for c in ids],
                     ignore_index=True)
    found = check_client({"view": view, "plan": plan}, language="en", max_items=5)
    assert list(found["check"]) == ["decliner_not_visited", "win_back_active"]
    assert found.loc[0, "n_items"] == 30 and len(found.loc[0, "items"]) == 30
    assert "and 25 more" in found.loc[0, "message"]


def _client_results(name: str) -> dict:
    """Every result the checks read, built with the library on one sample company."""
    folder = SAMPLES / name

    def read(table):
        return io.read_client_table(folder, table)

    tx, it, inv = read("transactions"), read("interactions"), read("invoices")
    view = customer_view(tx, customers=read("customers"), interactions=it, invoices=inv,
                         as_of=AS_OF, clv_time_unit=None)
    plan = personalize.treatment_plan(view)
    history = collections.simulate_dunning(inv, as_of=AS_OF, view=view)
    sq = servqual.servqual_analysis(read("servqual_responses"), read("servqual_respondents"))
    # notebook 09 on its default parameters: types, funnel and the reactivation list
    customers = read("customers")
    needs = io.read_client_table(folder, "needs_responses", optional=True)
    seg = segment.segment_client(needs, None, seed=0, n_bootstrap=2, language="en")
    base = segment.customer_base(customers, tx, links=identify.consolidate(customers).links)
    types = segment.customer_types(base, tx, as_of=AS_OF)
    wallet = segment.share_of_wallet(tx, segments=seg.segments, as_of=AS_OF)
    steps = segment.funnel_steps(base, tx, interactions=it, segments=seg.segments,
                                 wallet=wallet, as_of=AS_OF, decliners=decliners(view))
    calendar = segment.reactivation_calendar(segment.monthly_pattern(tx, as_of=AS_OF),
                                             as_of=AS_OF)
    return {
        "view": view, "plan": plan,
        "dunning": collections.dunning_plan(inv, as_of=AS_OF, history=history, view=view),
        "call_list": interact.valuable_complainers(
            it, view[["customer_id", "value", "pareto_class"]], as_of=AS_OF),
        "most_valuable": view[view["is_most_valuable"]],
        "growth": differentiate.growth_potential(tx, as_of=AS_OF),
        "ipa": sq["ipa"], "tests": sq["dimension_tests"], "zone": sq.get("zone_of_tolerance"),
        "regression": sq.get("importance_regression"),
        "method": method_view(types, segments=seg.segments, wallet=wallet, funnel=steps),
        "reactivation": segment.reactivation_list(types, calendar,
                                                  set_aside=debt_handed_over(view)),
    }


@pytest.mark.parametrize("name", ["movil-andina", "hotel-mirador", "distribuidora-norte"])
def test_the_samples_agree_with_themselves(name):
    results = _client_results(name)
    found = check_client(results, language="en")
    assert found.empty, found["message"].tolist()
    assert len(found.attrs["run"]) >= len(CHECKS) - 1
    expected_skips = {} if results["zone"] is not None else {
        "low_priority_below_adequate": ["zone"]}
    assert found.attrs["skipped"] == expected_skips
