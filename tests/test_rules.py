"""Tests of the method's rules in the shipped next-best-action rules, read on the customer view."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import view_support as S

from crmlib import io
from crmlib import personalize as P
from crmlib.exceptions import ParameterError
from crmlib.view import customer_view

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.fixture(scope="module")
def view():
    return customer_view(S.transactions(), customers=S.customers(),
                         interactions=S.interactions(), invoices=S.invoices(), as_of=S.AS_OF,
                         clv_time_unit=None)


@pytest.fixture(scope="module")
def plan(view):
    return P.treatment_plan(view, language="en").set_index("customer_id")


def test_a_decliner_is_visited_now(plan):
    assert plan.loc["decl", "rule_id"] == "visit_decliner"
    assert plan.loc["decl", "channel"] == "visit" and plan.loc["decl", "action"] == "retain"
    assert plan.loc["decl", "due_by"] == pd.Timestamp("2025-01-14")


def test_a_below_zero_customer_costs_less_to_serve(plan):
    assert plan.loc["bzc", "action"] == "reduce_cost"
    assert plan.loc["bzc", "service_level"] == "C"


def test_a_valuable_complainer_gets_a_named_owner_and_30_days(view, plan):
    assert plan.loc["steady", "rule_id"] == "recover_valuable_complainer"
    assert plan.loc["steady", "owner"] == "Customer service manager"
    assert plan.loc["steady", "due_by"] == pd.Timestamp(S.AS_OF) + pd.Timedelta(days=30)
    # with an account owner in the view, the owner is that person
    owned = view.assign(account_owner=view["customer_id"].map({"steady": "Marta Ríos"}))
    owned.attrs = view.attrs
    again = P.treatment_plan(owned).set_index("customer_id")
    assert again.loc["steady", "owner"] == "Marta Ríos"
    # rules that name no owner leave it empty
    assert plan.loc["newbie", "owner"] is None and pd.isna(plan.loc["newbie", "due_by"])


def test_a_valuable_customer_lost_within_two_years_gets_a_win_back(view, plan):
    assert plan.loc["old_big", "rule_id"] == "win_back_valuable"
    assert plan.loc["old_big", "letter"] == "win_back"
    # the same customer lost for more than two years no longer qualifies
    later = view.assign(days_since_last=view["days_since_last"] + 365)
    later.attrs = view.attrs
    assert P.treatment_plan(later).set_index("customer_id").loc[
        "old_big", "rule_id"] == "win_back_lost"


def test_class_a_is_never_served_below_a_without_a_stated_reason(view):
    table = pd.DataFrame({"customer_id": ["a1", "b1"], "pareto_class": ["A", "B"]})
    rules = [{"id": "all", "when": {}, "action": "grow", "service_level": "B",
              "channel": "email", "contact_every_days": 30}]
    plan = P.treatment_plan(table, rules, language="en").set_index("customer_id")
    assert plan.loc["a1", "service_level"] == "A" and plan.loc["b1", "service_level"] == "B"
    assert "raised to A" in plan.loc["a1", "service_note"]
    assert plan.loc["b1", "service_note"] is None
    stated = [{**rules[0], "below_a_reason": {"es": "Cuenta en liquidación.",
                                              "en": "Account being wound up."}}]
    plan = P.treatment_plan(table, stated, language="en").set_index("customer_id")
    assert plan.loc["a1", "service_level"] == "B"
    assert plan.loc["a1", "service_note"] == "Account being wound up."


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_shipped_reason_reads_as_a_sentence(language):
    rules = P.load_rules()
    table = P.rules_table(language=language)
    for rule, reason in zip(rules, table["reason"]):
        assert reason == rule["reason"][language]
        assert reason[0].isupper() and reason.endswith(".")
        # no column names or codes: no snake_case word and no comparison sign
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", reason), reason
        assert not re.search(r"[<>=≥≤∈]", reason), reason


def test_a_rule_without_reason_reads_its_conditions_with_labels():
    rules = [{"id": "r", "when": {"pareto_class": ["A", "B"], "lifecycle": "lost",
                                  "days_since_last": {"le": 730}},
              "action": "win_back", "service_level": "A", "channel": "phone",
              "contact_every_days": 30},
             {"id": "rest", "when": {}, "action": "reduce_cost", "service_level": "C",
              "channel": "email", "contact_every_days": 90}]
    table = P.rules_table(rules, language="en")
    assert table.loc[0, "reason"] == ("ABC class is A or B; Lifecycle is Lost; "
                                      "Days since last purchase 730 or less.")
    assert P.rules_table(rules, language="es").loc[0, "reason"] == (
        "Clase ABC es A o B; Ciclo de vida es Perdido; "
        "Días desde la última compra de 730 o menos.")


def test_rule_fields_are_checked():
    base = {"id": "r", "when": {}, "action": "grow", "service_level": "B", "channel": "email",
            "contact_every_days": 30}
    with pytest.raises(ParameterError, match="reason must give a text for each of"):
        P.load_rules([{**base, "reason": "only one language"}])
    with pytest.raises(ParameterError, match="reason must give a text"):
        P.load_rules([{**base, "reason": {"es": "solo español"}}])
    with pytest.raises(ParameterError, match="due_within_days"):
        P.load_rules([{**base, "due_within_days": 0}])
    with pytest.raises(ParameterError, match="as_of"):
        P.treatment_plan(pd.DataFrame({"customer_id": ["x"]}), [{**base, "due_within_days": 5}])


@pytest.fixture(scope="module")
def movil():
    folder = SAMPLES / "movil-andina"
    tx = io.read_client_table(folder, "transactions")
    it = io.read_client_table(folder, "interactions")
    inv = io.read_client_table(folder, "invoices")
    v = customer_view(tx, interactions=it, invoices=inv, as_of=S.AS_OF, clv_time_unit=None)
    return v, P.treatment_plan(v)


def test_movil_andina_decliners_are_visited_not_grown(movil):
    """Móvil Andina: none of the 274 decliners got a visit and 123 got a grow action."""
    v, plan = movil
    p = plan.set_index("customer_id")
    dec = v[v["is_decliner"]]
    assert len(dec) == 274
    acts = p.loc[dec["customer_id"]]
    assert not (acts["action"] == "grow").any()
    # every decliner is visited, except those below zero, those whose complaint is being
    # recovered by a named owner, and low-value accounts whose debt went to legal
    other = acts["rule_id"].isin(["reduce_cost_below_zero", "recover_valuable_complainer",
                                  "recover_slow_complaint", "collect_first"])
    assert (acts.loc[~other, "channel"] == "visit").all()
    assert (acts["channel"] == "visit").sum() > 200


def test_movil_andina_complainer_0029747_is_recovered_not_served_as_top(movil):
    """Móvil Andina: 03 put 0029747 first on the complaint call list while 04 gave it
    "serve_top" as if it had no open complaint."""
    _, plan = movil
    row = plan.set_index("customer_id").loc["0029747"]
    assert row["rule_id"] == "recover_valuable_complainer"
    assert row["owner"] and row["due_by"] == pd.Timestamp("2025-01-30")


def test_movil_andina_lost_customers_are_won_back_not_retained_or_grown(movil):
    """Móvil Andina: lost customers got "retain" (RFM at risk) or "grow" (RFM potential)
    actions as if they were still buying."""
    v, plan = movil
    lost = plan[(v.set_index("customer_id").loc[plan["customer_id"], "lifecycle"]
                 == "lost").to_numpy()]
    assert len(lost) > 1000
    assert not lost["action"].isin(["retain", "grow"]).any()


def test_movil_andina_class_a_is_served_at_a(movil):
    """Móvil Andina: 35 class-A customers got service level B."""
    v, plan = movil
    a = plan[(v.set_index("customer_id").loc[plan["customer_id"], "pareto_class"]
              == "A").to_numpy()]
    assert len(a) > 0 and (a["service_level"] == "A").all()
