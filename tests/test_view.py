"""Tests of crmlib.view: one row per customer with every stage's verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import view_support as S

from crmlib import differentiate, interact, io, personalize
from crmlib.exceptions import DataError, ParameterError
from crmlib.view import VIEW_COLUMNS, customer_view, view_notes

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.fixture(scope="module")
def view():
    return customer_view(S.transactions(), customers=S.customers(),
                         interactions=S.interactions(), invoices=S.invoices(), as_of=S.AS_OF,
                         owners=pd.DataFrame({"customer_id": ["steady"],
                                              "account_owner": ["Marta Ríos"]}),
                         clv_time_unit=None)


def test_one_row_per_buyer_with_every_verdict(view):
    assert sorted(view["customer_id"]) == sorted(S.transactions()["customer_id"].unique())
    assert view["customer_id"].is_unique
    assert list(view.columns) == [c for cols in VIEW_COLUMNS.values() for c in cols]
    assert view["clv"].isna().all()  # left out on request
    assert list(view["value_rank"]) == list(range(1, len(view) + 1))


def test_value_is_measured_on_the_last_year_and_the_window_is_stated(view):
    v = view.set_index("customer_id")
    # old_big spent 36,000 in 2022-2023 and nothing in the window: value 0, class C;
    # the all-time reading keeps class A for the win-back rule
    assert v.loc["old_big", "value"] == 0 and v.loc["old_big", "pareto_class"] == "C"
    assert v.loc["old_big", "value_all_time"] == 36000
    assert v.loc["old_big", "pareto_class_all_time"] == "A"
    assert not v.loc["old_big", "is_most_valuable"]
    # steady buys 100 every 14 days: 2024-01-01 falls just before the window, and the
    # 25 purchases from 2024-01-15 to 2024-12-16 fall in it
    assert v.loc["steady", "value"] == pytest.approx(100 * 25)
    assert view.attrs["value_window"] == {"start": "2024-01-02", "end": "2024-12-31",
                                          "days": 365}
    assert set(view["value_window"]) == {"02/01/2024 – 31/12/2024"}  # the view is in Spanish
    notes = view_notes(view, language="en")
    assert "2 January 2024" in notes and "31 December 2024" in notes
    assert "were not computed" in notes  # notes follow the language asked, not the view's


def test_a_shorter_window_changes_the_value_classes():
    short = customer_view(S.transactions(), as_of=S.AS_OF, value_window_days=30,
                          clv_time_unit=None).set_index("customer_id")
    # in December only steady and newbie bought
    assert set(short.index[short["value"] > 0]) == {"steady", "newbie"}
    assert short.attrs["value_window"]["start"] == "2024-12-02"


def test_each_verdict_comes_from_its_stage(view):
    v = view.set_index("customer_id")
    assert v.loc["decl", "is_decliner"] and v.loc["decl", "value_at_risk"] > 0
    assert v["is_decliner"].sum() == 1
    assert v.loc["bzc", "is_below_zero"] and v["is_below_zero"].sum() == 1
    assert v.loc["newbie", "lifecycle"] == "new" and v.loc["old_big", "lifecycle"] == "lost"
    assert v.loc["steady", "overdue_status"] == "high"
    assert v.loc["steady", "collection_step"] == "handover"
    assert v.loc["steady", "overdue_amount"] == 500
    assert v.loc["decl", "overdue_status"] == "none"
    assert v.loc["steady", "account_owner"] == "Marta Ríos"
    assert pd.isna(v.loc["decl", "account_owner"])
    assert v.loc["steady", "name"] == "Cliente steady"


def test_an_open_complaint_counts_whatever_its_age(view):
    """Móvil Andina: customer 0029747 tops 03's call list with a complaint opened 655 days
    before as_of, yet 04 saw no open complaint because it only looked at the last year."""
    v = view.set_index("customer_id")
    assert v.loc["steady", "n_open_complaints"] == 1
    assert v.loc["steady", "oldest_open_complaint_days"] > 365
    assert v.loc["steady", "n_complaints"] == 0  # none opened within the contact period
    assert v.loc["steady", "on_complaint_call_list"]


def test_absent_inputs_leave_their_columns_empty_and_say_why():
    v = customer_view(S.transactions(), as_of=S.AS_OF, clv_time_unit=None, language="en")
    assert list(v.columns) == [c for cols in VIEW_COLUMNS.values() for c in cols]
    for col in ("n_open_complaints", "on_complaint_call_list", "overdue_status",
                "collection_step", "name", "account_owner", "clv", "p_alive"):
        assert v[col].isna().all(), col
    missing = v.attrs["missing"]
    assert set(missing) == {"complaints", "collections", "clv", "owner"}
    assert "interactions" in missing["complaints"] and "invoices" in missing["collections"]
    notes = view_notes(v, language="en")
    assert all(text in notes for text in missing.values())
    # the stages that need nothing else are there
    for col in ("pareto_class", "segment", "lifecycle", "is_decliner", "relationship_stage"):
        assert v[col].notna().all(), col
    # and a rule testing an empty verdict simply does not hold
    plan = personalize.treatment_plan(v)
    assert not plan["rule_id"].isin(["recover_valuable_complainer", "collect_first"]).any()


def test_owners_are_checked():
    with pytest.raises(DataError, match="account_owner"):
        customer_view(S.transactions(), as_of=S.AS_OF, clv_time_unit=None,
                      owners=pd.DataFrame({"customer_id": ["steady"]}))
    with pytest.raises(DataError, match="duplicate"):
        customer_view(S.transactions(), as_of=S.AS_OF, clv_time_unit=None,
                      owners=pd.DataFrame({"customer_id": ["steady", "steady"],
                                           "account_owner": ["a", "b"]}))
    with pytest.raises(ParameterError, match="value_window_days"):
        customer_view(S.transactions(), as_of=S.AS_OF, value_window_days=0)


def test_the_view_does_not_change_its_inputs():
    tx, it, inv = S.transactions(), S.interactions(), S.invoices()
    before = (tx.copy(), it.copy(), inv.copy())
    customer_view(tx, interactions=it, invoices=inv, as_of=S.AS_OF, clv_time_unit=None)
    for a, b in zip((tx, it, inv), before):
        pd.testing.assert_frame_equal(a, b)


def test_clv_columns_come_from_the_fitted_models():
    tx = io.read_client_table(SAMPLES / "hotel-mirador", "transactions")
    v = customer_view(tx, as_of=S.AS_OF, clv_time_unit="W")
    assert {"p_alive", "expected_purchases", "clv"} <= set(v.columns)
    assert v["p_alive"].between(0, 1).all() and (v["clv"] >= 0).all()
    assert "clv" not in v.attrs["missing"]


@pytest.fixture(scope="module")
def movil():
    folder = SAMPLES / "movil-andina"
    tx = io.read_client_table(folder, "transactions")
    it = io.read_client_table(folder, "interactions")
    return tx, it, customer_view(tx, interactions=it, as_of=S.AS_OF, clv_time_unit=None)


def test_most_valuable_on_all_time_value_includes_lost_customers_the_view_does_not(movil):
    """Móvil Andina: "501 most valuable customers" included 75 lost ones because value was
    all-time; on the last year's sales none of the most valuable is lost."""
    tx, _, v = movil
    life = differentiate.lifecycle_table(tx, as_of=S.AS_OF).set_index("customer_id")
    all_time = differentiate.most_valuable(differentiate.pareto_table(tx, as_of=S.AS_OF))
    assert (life.loc[all_time["customer_id"], "lifecycle"] == "lost").sum() == 75
    top = v[v["is_most_valuable"]]
    assert len(top) > 0 and not (top["lifecycle"] == "lost").any()


def test_view_agrees_with_the_stage_functions_on_a_sample(movil):
    tx, it, v = movil
    v = v.set_index("customer_id")
    dec = differentiate.decliners(tx, as_of=S.AS_OF)
    assert set(v.index[v["is_decliner"]]) == set(dec["customer_id"])
    assert len(dec) == 274
    life = differentiate.lifecycle_table(tx, as_of=S.AS_OF).set_index("customer_id")
    assert (v.loc[life.index, "lifecycle"] == life["lifecycle"]).all()
    window = tx[tx["date"] >= "2024-01-02"]
    pw = differentiate.pareto_table(window, as_of=S.AS_OF).set_index("customer_id")
    assert (v.loc[pw.index, "pareto_class"] == pw["pareto_class"]).all()
    assert np.allclose(v.loc[pw.index, "value"], pw["value"])
    calls = interact.valuable_complainers(it, v.reset_index()[["customer_id", "value",
                                                                 "pareto_class"]],
                                          as_of=S.AS_OF)
    assert set(v.index[v["on_complaint_call_list"]]) == set(calls["customer_id"])
    # 0029747 heads 03's call list and has an open complaint in the view
    assert v.loc["0029747", "n_open_complaints"] >= 1
    stages = personalize.relationship_stages(v.reset_index())
    assert list(stages["relationship_stage"].astype(str)) == \
        list(v["relationship_stage"].astype(str))
    assert list(stages["next_stage_gap"]) == list(v["next_stage_gap"])
    assert not v["next_stage_gap"].str.contains("_").any()
