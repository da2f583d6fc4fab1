"""Tests of the collection rules that keep the relationship: dunning read with the customer view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crmlib import collections as C
from crmlib import io
from crmlib.exceptions import DataError
from crmlib.view import customer_view

AS_OF = "2024-12-31"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def _invoices():
    # both customers owe one invoice 100 days overdue: the hand-over is due by days
    return pd.DataFrame({
        "invoice_id": ["F1", "F2"], "customer_id": ["big", "small"],
        "issued_at": pd.to_datetime(["2024-08-23"] * 2),
        "due_at": pd.to_datetime(["2024-09-22"] * 2),
        "paid_at": pd.to_datetime([None, None]), "amount": [900.0, 40.0],
        "paid_amount": [0.0, 0.0]})


def _log():
    # reminder, second and final notice already sent to both
    rows = [(c, d, s, f"{s}_a") for c in ("big", "small")
            for d, s in (("2024-09-23", "reminder"), ("2024-10-08", "second_notice"),
                         ("2024-10-23", "final_notice"))]
    return pd.DataFrame(rows, columns=["customer_id", "sent_at", "stage", "letter_format"])


def _view(owner=None):
    v = pd.DataFrame({"customer_id": ["big", "small"], "pareto_class": ["A", "C"],
                      "is_most_valuable": [True, False]})
    if owner is not None:
        v["account_owner"] = [owner, None]
    return v


def test_a_high_value_customer_goes_to_the_owner_not_to_legal():
    without = C.dunning_plan(_invoices(), as_of=AS_OF, history=_log()).set_index("customer_id")
    assert (without["stage"] == "handover").all()  # the behaviour the view corrects
    plan = C.dunning_plan(_invoices(), as_of=AS_OF, history=_log(),
                          view=_view("Marta Ríos")).set_index("customer_id")
    assert plan.loc["big", "action"] == "owner_review"
    assert plan.loc["big", "owner"] == "Marta Ríos" and pd.isna(plan.loc["big", "stage"])
    assert plan.loc["small", "action"] == "send" and plan.loc["small", "stage"] == "handover"
    assert plan.loc["big", "history_source"] == "log"
    view = C.dunning_view(plan.reset_index(), language="en").set_index("customer_id")
    assert view.loc["big", "action_label"] == "Account owner's review"
    # an account without a named owner says the owner is still to be assigned
    plan = C.dunning_plan(_invoices(), as_of=AS_OF, history=_log(), view=_view())
    view = C.dunning_view(plan, language="en").set_index("customer_id")
    assert view.loc["big", "owner"] == "Owner to be assigned"
    assert "1 high-value accounts go to their owner's review" in C.dunning_note(
        plan, language="en")


def test_the_view_must_carry_the_value_class():
    with pytest.raises(DataError, match="pareto_class"):
        C.dunning_plan(_invoices(), as_of=AS_OF, view=pd.DataFrame({"customer_id": ["big"]}))


def test_without_a_letter_log_the_plan_starts_at_the_first_step_and_says_so():
    plan = C.dunning_plan(_invoices(), as_of=AS_OF, view=_view())
    assert (plan["stage"] == "reminder").all() and (plan["action"] == "send").all()
    assert (plan["history_source"] == "none").all()
    assert plan.attrs["history_source"] == "none"
    note = C.dunning_note(plan, language="en")
    assert "no log of letters sent" in note and "first step" in note
    view = C.dunning_view(plan, language="es")
    assert set(view["history_source"]) == {"Sin registro: primer paso"}


def test_simulated_history_is_labelled_wherever_it_appears():
    inv = _invoices()
    hist = C.simulate_dunning(inv, as_of=AS_OF, weeks=16, view=_view())
    assert len(hist) and hist["simulated"].all() and hist.attrs["simulated"]
    # the simulation follows the same rule: the high-value account is never handed over
    assert not ((hist["customer_id"] == "big") & (hist["stage"] == "handover")).any()
    plan = C.dunning_plan(inv, as_of=AS_OF, history=hist, view=_view())
    assert (plan["history_source"] == "simulated").all()
    assert "SIMULATED" in C.dunning_note(plan, language="en")
    assert set(C.dunning_view(plan, language="en")["history_source"]) == {"SIMULATED history"}
    # a log read back from a file keeps the label through its column
    reread = hist.copy()
    reread.attrs = {}
    assert (C.dunning_plan(inv, as_of=AS_OF, history=reread)["history_source"]
            == "simulated").all()
    customers = pd.DataFrame({"customer_id": ["big", "small"], "name": ["Big SA", "Small SL"]})
    # with letters a week apart allowed, the next letter is due on as_of
    plan = C.dunning_plan(inv, as_of=AS_OF, min_gap_days=5,
                          history=C.simulate_dunning(inv, as_of=AS_OF, weeks=3, min_gap_days=5))
    assert (plan["action"] == "send").any()
    letters = C.dunning_letters(plan, customers, as_of=AS_OF, language="en")
    assert len(letters)
    assert (letters["history_source"] == "simulated").all()
    real = C.dunning_letters(C.dunning_plan(inv, as_of=AS_OF), customers, as_of=AS_OF)
    assert "history_source" not in real


def test_movil_andina_top_customer_is_not_handed_to_legal():
    """Móvil Andina: the #1 customer by value (0024259) was handed to legal in 07 while
    04 retained it."""
    folder = SAMPLES / "movil-andina"
    tx = io.read_client_table(folder, "transactions")
    inv = io.read_client_table(folder, "invoices")
    old = C.dunning_plan(inv, as_of=AS_OF, history=C.simulate_dunning(inv, as_of=AS_OF))
    assert old.set_index("customer_id").loc["0024259", "action"] == "handed_over"
    view = customer_view(tx, invoices=inv, as_of=AS_OF, clv_time_unit=None)
    assert view.iloc[0]["customer_id"] == "0024259"
    hist = C.simulate_dunning(inv, as_of=AS_OF, view=view)
    plan = C.dunning_plan(inv, as_of=AS_OF, history=hist, view=view).set_index("customer_id")
    assert plan.loc["0024259", "action"] == "owner_review"
    valuable = set(view.loc[view["pareto_class"].isin(["A", "B"]), "customer_id"])
    legal = plan[(plan["action"] == "handed_over") | (plan["stage"] == "handover")]
    assert not (set(legal.index) & valuable)
