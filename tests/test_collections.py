"""Tests of crmlib.collections: aging, DSO, risk, credit 4 Cs and the dunning sequence."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import collections as C
from crmlib.exceptions import DataError, ParameterError

AS_OF = "2024-03-31"


def _inv(rows):
    cols = ["invoice_id", "customer_id", "issued_at", "due_at", "paid_at", "amount",
            "paid_amount"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("issued_at", "due_at", "paid_at"):
        df[c] = pd.to_datetime(df[c])
    return df


@pytest.fixture
def ledger():
    # Days overdue counted by hand from the due date to 2024-03-31 (2024 is a leap year).
    return _inv([
        ("I1", "c1", "2024-03-01", "2024-04-10", None, 100.0, None),          # not due
        ("I2", "c1", "2024-01-31", "2024-03-01", None, 200.0, 50.0),          # 30 days, 150 open
        ("I3", "c1", "2024-01-01", "2024-01-31", None, 300.0, None),          # 60 days
        ("I4", "c2", "2023-11-01", "2023-12-01", "2024-04-15", 400.0, 400.0),  # 121 days, paid later
        ("I5", "c2", "2023-12-01", "2024-01-01", "2024-03-15", 500.0, 500.0),  # paid before as_of
        ("I6", "c3", "2024-04-02", "2024-05-02", None, 999.0, None),          # issued after as_of
        ("I7", "c3", "2024-03-01", "2024-03-31", None, 70.0, None),           # due today: not due
        ("I8", "c2", "2023-12-01", "2024-01-01", None, 10.0, 0.0),            # 90 days
    ])


def test_open_invoices_days_and_buckets(ledger):
    inv = C.open_invoices(ledger, as_of=AS_OF).set_index("invoice_id")
    assert set(inv.index) == {"I1", "I2", "I3", "I4", "I7", "I8"}
    assert inv["days_overdue"].to_dict() == {"I1": -10, "I2": 30, "I3": 60, "I4": 121, "I7": 0,
                                             "I8": 90}
    assert inv["bucket"].to_dict() == {"I1": "not_due", "I2": "d1_30", "I3": "d31_60",
                                       "I4": "over_120", "I7": "not_due", "I8": "d61_90"}
    assert inv.loc["I2", "open_amount"] == 150.0 and inv.loc["I4", "open_amount"] == 400.0


def test_aging_table_hand_example(ledger):
    ag = C.aging_table(ledger, as_of=AS_OF)
    assert list(ag.columns[:7]) == ["customer_id", "not_due", "d1_30", "d31_60", "d61_90",
                                    "d91_120", "over_120"]
    by = ag.set_index("customer_id")
    assert list(ag["customer_id"]) == ["c1", "c2", "c3"]  # by open balance: 550, 410, 70
    assert by.loc["c1", ["not_due", "d1_30", "d31_60"]].tolist() == [100.0, 150.0, 300.0]
    assert by.loc["c1", "open_balance"] == 550.0 and by.loc["c1", "overdue"] == 450.0
    assert by.loc["c2", "over_120"] == 400.0 and by.loc["c2", "d61_90"] == 10.0
    assert by.loc["c2", "max_days_overdue"] == 121 and by.loc["c2", "n_open_invoices"] == 2
    assert by.loc["c3", "overdue_share"] == 0.0
    totals = C.aging_totals(ag)
    assert totals["amount"].sum() == pytest.approx(1030.0)
    assert totals.set_index("bucket").loc["not_due", "n_customers"] == 2


def test_custom_buckets_and_validation(ledger):
    ag = C.aging_table(ledger, as_of=AS_OF, buckets=(0, 45, 100))
    assert list(ag.columns[1:5]) == ["not_due", "d1_45", "d46_100", "over_100"]
    assert ag.set_index("customer_id").loc["c1", "d46_100"] == 300.0
    for bad in [(10, 20), (0, 30, 30), (0, 30.5), "0,30"]:
        with pytest.raises(ParameterError, match="buckets"):
            C.aging_table(ledger, as_of=AS_OF, buckets=bad)


def test_invoices_errors_name_column_and_rows(ledger):
    broken = ledger.assign(amount=ledger["amount"].astype(object))
    broken.loc[2, "amount"] = "abc"
    broken.loc[4, "amount"] = -5
    with pytest.raises(DataError) as err:
        C.aging_table(broken, as_of=AS_OF)
    assert "amount" in str(err.value) and "row 2" in str(err.value)
    with pytest.raises(DataError, match="due_at"):
        C.aging_table(ledger.drop(columns="due_at"), as_of=AS_OF)
    with pytest.raises(ParameterError, match="as_of"):
        C.aging_table(ledger, as_of="not a date")


def test_dso_known_answer():
    # DSO = receivables / credit sales x days: 300 open after 900 invoiced in 90 days -> 30 days
    inv = _inv([
        ("A", "x", "2024-02-01", "2024-03-01", "2024-02-20", 600.0, 600.0),
        ("B", "x", "2024-03-10", "2024-04-09", None, 300.0, None),
        ("C", "y", "2023-06-01", "2023-07-01", "2023-07-01", 5000.0, 5000.0),  # before window
    ])
    d = C.dso_table(inv, as_of=AS_OF, period_days=90).iloc[0]
    assert d["receivables"] == 300.0 and d["credit_sales"] == 900.0
    assert d["dso_days"] == pytest.approx(30.0)
    assert d["overdue"] == 0.0 and d["overdue_share"] == 0.0


def test_aging_trend_months(ledger):
    tr = C.aging_trend(ledger, as_of=AS_OF, months=3)
    assert list(tr["as_of"]) == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-29"),
                                 pd.Timestamp("2024-03-31")]
    last = tr.iloc[-1]
    assert last["receivables"] == pytest.approx(1030.0)
    buckets = C.bucket_labels()
    assert (tr[buckets].sum(axis=1) - tr["receivables"]).abs().max() < 1e-9


def test_customer_risk_classes(ledger):
    r = C.customer_risk(ledger, as_of=AS_OF).set_index("customer_id")
    assert r["risk"].to_dict() == {"c2": "high", "c1": "medium", "c3": "current"}
    # I5 (c2) paid 2024-03-15 against a 2024-01-01 due date: 74 days late
    assert r.loc["c2", "avg_days_late"] == 74.0 and r.loc["c2", "n_paid_late"] == 1
    with pytest.raises(ParameterError, match="medium_days"):
        C.customer_risk(ledger, as_of=AS_OF, medium_days=100, high_days=90)


def test_headline_languages(ledger):
    ag = C.aging_table(ledger, as_of=AS_OF)
    d = C.dso_table(ledger, as_of=AS_OF)
    es = C.headline(ag, d, "es")
    # 400 of 1030 over 90 days; es_ES writes a no-break space before %
    assert es.startswith("3 clientes deben 1.030") and "39\u00a0%" in es
    assert "más de 90 días vencido" in es and es.rstrip(".").endswith("días")
    en = C.headline(ag, d, "en")
    assert "days sales outstanding" in en and "1,030" in en
    from crmlib.i18n._leaks import find_leaks

    assert find_leaks(es, "es") == [] and find_leaks(en, "en") == []
    assert C.headline(ag, d, "es", currency="EUR").startswith("3 clientes deben 1.030\u00a0€")


# ----------------------------------------------------------------- credit

def _answers(cid, scores: dict):
    return pd.DataFrame({"customer_id": cid, "criterion_id": list(scores),
                         "score": list(scores.values())})


ALL_IDS = ["CAP1", "CAP2", "CAP3", "CHA1", "CHA2", "CHA3", "CAPT1", "CAPT2", "CON1", "CON2"]


def test_score_credit_extremes_and_hand_example():
    top = _answers("top", {i: 5 for i in ALL_IDS})
    low = _answers("low", {i: 1 for i in ALL_IDS})
    # Hand example on the packaged worksheet (scale 1-5 -> 0-100; C weights .35/.25/.25/.15):
    # capacity: CAP1=5 (w2) CAP2=3 (w1) CAP3=4 (w2) -> points 100, 50, 75 -> (200+50+150)/5 = 80
    # character: 3, 3, 3 -> 50; capital: CAPT1=2 (w2), CAPT2=5 (w1) -> (50+100)/3 = 50
    # conditions: 4, 2 -> (75+25)/2 = 50; total = .35*80 + .25*50 + .25*50 + .15*50 = 60.5
    mid = _answers("mid", {"CAP1": 5, "CAP2": 3, "CAP3": 4, "CHA1": 3, "CHA2": 3, "CHA3": 3,
                           "CAPT1": 2, "CAPT2": 5, "CON1": 4, "CON2": 2})
    out = C.score_credit(pd.concat([low, mid, top]), language="en").set_index("customer_id")
    assert out.loc["top", "total"] == pytest.approx(100) and out.loc["top", "decision"] == "approve"
    assert out.loc["low", "total"] == pytest.approx(0) and out.loc["low", "decision"] == "decline"
    assert out.loc["mid", "capacity"] == pytest.approx(80)
    assert out.loc["mid", "capital"] == pytest.approx(50)
    assert out.loc["mid", "total"] == pytest.approx(60.5)
    assert out.loc["mid", "decision"] == "review" and out.loc["mid", "decision_label"] == "Review"
    assert list(out.index) == ["top", "mid", "low"]


def test_score_credit_reports_missing_and_bad_answers():
    partial = _answers("p1", {"CAP1": 5, "CHA1": 3})
    with pytest.raises(DataError) as err:
        C.score_credit(partial)
    msg = str(err.value)
    assert "p1" in msg and "CAP2" in msg and "CON2" in msg
    out = C.score_credit(partial, missing="partial").iloc[0]
    assert out["decision"] == "incomplete" and np.isnan(out["total"])
    assert out["capacity"] == 100.0 and out["n_answered"] == 2 and out["n_criteria"] == 10
    bad = pd.concat([_answers("b", {i: 3 for i in ALL_IDS}), _answers("b", {"XX9": 3})])
    bad.iloc[0, 2] = 7
    with pytest.raises(DataError) as err:
        C.score_credit(bad)
    assert "XX9" in str(err.value) and "from 1 to 5" in str(err.value)


def test_worksheet_and_ledger_answers(ledger, tmp_path):
    ws = C.worksheet_table(language="es")
    assert list(ws["criterion_id"]) == ALL_IDS
    assert ws.set_index("criterion_id").loc["CAP1", "from_ledger"]
    assert ws.set_index("criterion_id").loc["CHA1", "c"] == "Integridad"
    la = C.ledger_answers(ledger, as_of=AS_OF).set_index(["customer_id", "criterion_id"])
    # c2 paid one invoice (I5), 74 days late: on-time share 0 -> score 1; days late 74 -> 1
    assert la.loc[("c2", "CAP1"), "score"] == 1 and la.loc[("c2", "CAP2"), "basis"] == 74
    sheet = C.answer_sheet(["c2", "c1"], answers=la.reset_index())
    assert len(sheet) == 20 and sheet["score"].notna().sum() == 2
    bad = tmp_path / "ws.yaml"
    bad.write_text("criteria: []\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="credit worksheet"):
        C.load_worksheet(bad)


# ----------------------------------------------------------------- dunning

@pytest.fixture
def overdue():
    return _inv([
        ("A1", "a", "2024-01-01", "2024-01-31", None, 100.0, None),  # 60 days -> handover by days
        ("B1", "b", "2024-03-01", "2024-03-21", None, 50.0, None),   # 10 days -> reminder
        ("B2", "b", "2024-03-10", "2024-03-30", None, 20.0, None),   # 1 day
        ("C1", "c", "2024-03-01", "2024-04-30", None, 80.0, None),   # not due
    ])


def test_first_run_never_skips_stages(overdue):
    plan = C.dunning_plan(overdue, as_of=AS_OF).set_index("customer_id")
    assert set(plan.index) == {"a", "b"}
    assert plan.loc["a", "stage_by_days"] == "handover"
    assert plan.loc["a", "stage"] == "reminder" and plan.loc["a", "letter_format"] == "reminder_a"
    assert plan.loc["b", "n_overdue_invoices"] == 2 and plan.loc["b", "overdue_amount"] == 70.0
    assert plan.loc["b", "invoice_ids"] == "B1, B2"


def test_sequence_advances_one_stage_and_respects_gap(overdue):
    hist = pd.DataFrame({"customer_id": ["a", "a", "b"],
                         "sent_at": pd.to_datetime(["2024-02-05", "2024-03-01", "2024-03-25"]),
                         "stage": ["reminder", "second_notice", "reminder"],
                         "letter_format": ["reminder_a", "second_notice_a", "reminder_a"]})
    plan = C.dunning_plan(overdue, as_of=AS_OF, history=hist).set_index("customer_id")
    assert plan.loc["a", "last_stage_sent"] == "second_notice"
    assert plan.loc["a", "action"] == "send" and plan.loc["a", "stage"] == "final_notice"
    assert plan.loc["b", "action"] == "wait" and pd.isna(plan.loc["b", "stage"])  # 6 days ago
    later = C.dunning_plan(overdue, as_of="2024-04-10", history=hist).set_index("customer_id")
    # b: 20 days overdue -> second notice is due, one stage after the reminder sent
    assert later.loc["b", "stage"] == "second_notice"


def test_same_stage_again_changes_format_and_handover_stops(overdue):
    hist = pd.DataFrame({"customer_id": ["b"], "sent_at": pd.to_datetime(["2024-03-21"]),
                         "stage": ["reminder"], "letter_format": ["reminder_a"]})
    plan = C.dunning_plan(overdue, as_of=AS_OF, history=hist, min_gap_days=5)
    b = plan.set_index("customer_id").loc["b"]
    assert b["stage"] == "reminder" and b["letter_format"] == "reminder_b"
    done = pd.DataFrame({"customer_id": ["a"] * 4,
                         "sent_at": pd.to_datetime(["2024-02-01", "2024-02-15", "2024-03-01",
                                                    "2024-03-15"]),
                         "stage": list(C.DUNNING_STAGES),
                         "letter_format": ["reminder_a", "second_notice_a", "final_notice_a",
                                           "handover_a"]})
    plan = C.dunning_plan(overdue, as_of=AS_OF, history=done).set_index("customer_id")
    assert plan.loc["a", "action"] == "handed_over"
    with pytest.raises(ParameterError, match="formats"):
        C.dunning_plan(overdue, as_of=AS_OF, formats={s: ["only"] for s in C.DUNNING_STAGES})
    with pytest.raises(ParameterError, match="stage_days"):
        C.dunning_plan(overdue, as_of=AS_OF, stage_days=(0, 15, 30, 60))
    with pytest.raises(DataError, match="stage"):
        C.dunning_plan(overdue, as_of=AS_OF, history=done.assign(stage="shout"))


def test_dunning_letters_render_and_escape(overdue):
    customers = pd.DataFrame({"customer_id": ["a", "b", "b"], "name": ["<Acme>", None, "Beta"],
                              "source": ["erp", "crm", "erp"]})
    plan = C.dunning_plan(overdue, as_of=AS_OF)
    letters = C.dunning_letters(plan, customers, as_of=AS_OF, language="es", sender="Norte",
                                currency="EUR")
    html = letters.set_index("customer_id")["html"]
    assert "&lt;Acme&gt;" in html["a"] and "<Acme>" not in html["a"]
    assert "Beta" in html["b"] and "70,00 EUR" in html["b"]
    # dates in letters are written as Spanish readers write them, never ISO
    from crmlib.i18n import format_date
    from crmlib.i18n._leaks import find_leaks, visible_text

    assert format_date(AS_OF, "es") in html["b"]
    assert [x.kind for x in find_leaks(visible_text(html["b"]), "es")
            if x.kind in ("iso_date", "separator")] == []
    with pytest.raises(DataError) as err:
        C.dunning_letters(plan, customers.iloc[1:2], as_of=AS_OF)
    assert "name" in str(err.value) and "customer a" in str(err.value)


# ----------------------------------------------------------------- properties

_day = st.integers(0, 400)


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 30))
    rows = []
    for i in range(n):
        issued = draw(_day)
        due = issued + draw(st.integers(0, 90))
        amount = draw(st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 2)))
        state = draw(st.sampled_from(["open", "partial", "paid", "paid_late"]))
        paid_at = None if state in ("open", "partial") else issued + draw(st.integers(0, 300))
        paid_amount = {"open": None, "partial": round(amount * draw(st.floats(0, 1.2)), 2),
                       "paid": amount, "paid_late": amount}[state]
        base = pd.Timestamp("2023-06-01")
        rows.append((f"I{i}", f"c{draw(st.integers(0, 5))}", base + pd.Timedelta(days=issued),
                     base + pd.Timedelta(days=due),
                     None if paid_at is None else base + pd.Timedelta(days=paid_at),
                     amount, paid_amount))
    return _inv(rows)


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.sampled_from([(0, 30, 60, 90, 120), (0, 15), (0, 7, 14, 28, 56, 112)]))
def test_aging_buckets_sum_to_open_balance(inv, buckets):
    as_of = "2024-05-15"
    ag = C.aging_table(inv, as_of=as_of, buckets=buckets)
    labels = C.bucket_labels(buckets)
    assert np.allclose(ag[labels].sum(axis=1), ag["open_balance"])
    assert (ag[labels] >= 0).all().all()
    expected = C.open_invoices(inv, as_of=as_of)["open_amount"].sum()
    assert ag["open_balance"].sum() == pytest.approx(expected)
    assert C.aging_totals(ag)["amount"].sum() == pytest.approx(expected)
    assert C.dso_table(inv, as_of=as_of).iloc[0]["receivables"] == pytest.approx(expected)


@settings(max_examples=25, deadline=None)
@given(ledgers(), st.integers(3, 10), st.integers(0, 12))
def test_no_customer_gets_the_same_format_twice_in_a_row(inv, weeks, gap):
    hist = C.simulate_dunning(inv, as_of="2024-06-30", weeks=weeks, min_gap_days=gap)
    order = {s: i for i, s in enumerate(C.DUNNING_STAGES)}
    for _, g in hist.sort_values("sent_at", kind="stable").groupby("customer_id"):
        fmts = list(g["letter_format"])
        assert all(a != b for a, b in pairwise(fmts))
        stages = [order[s] for s in g["stage"]]
        # a letter is at most one stage beyond the previous one
        assert all(b <= a + 1 for a, b in pairwise(stages))
        assert stages[0] == 0


def test_plots_draw_the_tables(ledger, overdue):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib import plot

    ag = C.aging_table(ledger, as_of=AS_OF)
    ax = plot.plot_aging(C.aging_totals(ag), language="en")
    assert [p.get_height() for p in ax.patches][:3] == [170.0, 150.0, 300.0]
    assert ax.get_xticklabels()[0].get_text() == "Current"
    assert ax.get_xticklabels()[-1].get_text() == "Over 120 days"
    ax = plot.plot_aging_trend(C.aging_trend(ledger, as_of=AS_OF, months=2), language="es")
    assert len(ax.patches) == 12  # 6 buckets x 2 months
    ax = plot.plot_risk(C.customer_risk(ledger, as_of=AS_OF), language="es")
    assert [p.get_height() for p in ax.patches] == [410.0, 450.0, 0.0, 0.0]
    ax = plot.plot_dunning_plan(C.dunning_plan(overdue, as_of=AS_OF), language="en")
    assert sorted(p.get_width() for p in ax.patches) == [0, 0, 0, 2]
    plt.close("all")


def test_nothing_open_gives_empty_tables_not_errors():
    inv = _inv([("1", "a", "2024-01-01", "2024-01-31", "2024-01-20", 10.0, 10.0)])
    ag = C.aging_table(inv, as_of=AS_OF)
    assert ag.empty and C.aging_totals(ag)["amount"].sum() == 0
    answers = C.ledger_answers(inv, as_of=AS_OF, customers=ag, top=5)
    assert C.score_credit(answers, missing="partial").empty
    plan = C.dunning_plan(inv, as_of=AS_OF)
    assert plan.empty and C.dunning_view(plan).empty
    assert C.simulate_dunning(inv, as_of=AS_OF, weeks=3).empty


def test_dunning_view_reads_in_words(overdue):
    view = C.dunning_view(C.dunning_plan(overdue, as_of=AS_OF), language="es")
    assert set(view["action_label"]) == {"Enviar"} and set(view["stage"]) == {"Recordatorio"}
    assert "invoice_ids" not in view and view["oldest_due_at"].iloc[0] == "31/01/2024"
    assert not view["letter_format"].str.contains("_").any()  # form letters in words


# ----------------------------------------------------------------- credit answers file

def test_parse_buckets_text_and_errors():
    assert C.parse_buckets("0, 30,60;90 120") == (0, 30, 60, 90, 120)
    assert C.parse_buckets([0, 45]) == (0, 45)
    with pytest.raises(ParameterError, match="'x' is not a whole number"):
        C.parse_buckets("0, 30, x")
    with pytest.raises(ParameterError, match="increasing whole days starting at 0"):
        C.parse_buckets("30, 60")
    with pytest.raises(ParameterError, match="increasing"):
        C.parse_buckets("0, 60, 30")
    with pytest.raises(ParameterError, match="got nothing"):
        C.parse_buckets(" , ")


def _file_answers():
    # c2 answers every criterion but CAP2 and overrides the ledger's CAP1; "new" has no
    # invoices and leaves both ledger criteria to a ledger that cannot answer them.
    c2 = {"CAP1": 4, "CAP2": None, "CAP3": 4, "CHA1": 3, "CHA2": 3, "CHA3": 3, "CAPT1": 2,
          "CAPT2": 5, "CON1": 4, "CON2": 2}
    new = {i: 5 for i in ALL_IDS if i not in ("CAP1", "CAP2")}
    out = pd.concat([_answers("c2", c2), _answers("new", new)], ignore_index=True)
    out["score"] = out["score"].astype(float)
    out["note"] = ["seen the books"] + [None] * (len(out) - 1)
    return out


def test_worksheet_answers_fill_the_file_from_the_ledger(ledger):
    answers = _file_answers()
    before = answers.copy()
    both = C.worksheet_answers(ledger, as_of=AS_OF, answers=answers)
    pd.testing.assert_frame_equal(answers, before)  # input not mutated
    assert list(both.columns) == ["customer_id", "criterion_id", "score", "source", "basis",
                                  "note"]
    assert list(dict.fromkeys(both["customer_id"])) == ["c2", "new"]  # c1 is not assessed
    by = both.set_index(["customer_id", "criterion_id"])
    # the file wins over the ledger (which scores c2's CAP1 as 1: nothing paid on time)
    assert by.loc[("c2", "CAP1"), "score"] == 4 and by.loc[("c2", "CAP1"), "source"] == "answers"
    assert by.loc[("c2", "CAP1"), "note"] == "seen the books"
    # the empty CAP2 comes from the ledger: I5 paid 74 days late -> score 1
    assert by.loc[("c2", "CAP2"), "source"] == "ledger" and by.loc[("c2", "CAP2"), "score"] == 1
    assert by.loc[("c2", "CAP2"), "basis"] == 74
    assert list(both.loc[both["customer_id"] == "c2", "criterion_id"]) == ALL_IDS
    assert len(both) == 10 + 8  # c2: 9 from the file + CAP2 from the ledger; new: 8
    scores = C.score_credit(both, missing="partial", language="en").set_index("customer_id")
    # Hand: capacity CAP1=4 (w2) CAP2=1 (w1) CAP3=4 (w2) -> (2*75 + 0 + 2*75)/5 = 60;
    # character 50, capital (2*25 + 100)/3 = 50, conditions (75 + 25)/2 = 50;
    # total .35*60 + .25*50 + .25*50 + .15*50 = 53.5 -> review (50 <= total < 70).
    assert scores.loc["c2", "capacity"] == pytest.approx(60)
    assert scores.loc["c2", "total"] == pytest.approx(53.5)
    assert scores.loc["c2", "decision"] == "review"
    # "new": the ledger cannot fill CAP1/CAP2; partial scoring rates capacity on CAP3 alone
    assert scores.loc["new", "n_answered"] == 8 and scores.loc["new", "n_criteria"] == 10
    assert scores.loc["new", "total"] == pytest.approx(100)
    text = C.credit_note(both, language="en")
    assert "2 customers" in text and "17 scores from the file" in text and "1 worked out" in text
    assert "17 puntuaciones del archivo" in C.credit_note(both, language="es")


def test_worksheet_answers_without_a_file_is_the_ledger(ledger):
    aging = C.aging_table(ledger, as_of=AS_OF)  # c1, c2, c3 by balance
    only = C.worksheet_answers(ledger, as_of=AS_OF, customers=aging, top=2)
    led = C.ledger_answers(ledger, as_of=AS_OF, customers=aging, top=2)
    assert set(only["source"]) == {"ledger"} and only["note"].isna().all()
    pd.testing.assert_frame_equal(only[["customer_id", "criterion_id", "score", "basis"]], led)
    assert "ledger criteria" in C.credit_note(only, language="en")
    blank = _file_answers().assign(score=np.nan)  # a file with nothing scored yet
    none_yet = C.worksheet_answers(ledger, as_of=AS_OF, answers=blank)
    assert set(none_yet["source"]) == {"ledger"} and set(none_yet["customer_id"]) == {"c2"}
    assert "from the answers file: 0 scores from the file and 2" in \
        C.credit_note(none_yet, language="en")
    with pytest.raises(DataError, match="score"):
        C.worksheet_answers(ledger, as_of=AS_OF, answers=_file_answers().drop(columns="score"))


# ----------------------------------------------------------------- aging explorer widget

def test_aging_explorer_redraws_on_new_edges_and_date(ledger):
    import datetime as dt

    import matplotlib

    matplotlib.use("agg")
    from crmlib import plot

    assert plot.aging_explorer(ledger, as_of=AS_OF, interactive=False) is None
    box = plot.aging_explorer(ledger, as_of=AS_OF, interactive=True, language="en")
    edges, date = box.children[0].children
    message, out = box.children[1], box.children[2]
    assert edges.value == "0, 30, 60, 90, 120"

    def drawn():
        return [p.get_height() for p in box.figure.axes[0].patches]

    assert drawn()[:3] == [170.0, 150.0, 300.0]
    first = out.outputs
    edges.value = "0, 90"
    # by hand from the ledger fixture: not due 100 + 70; 1-90 days 150 + 300 + 10; over 90: 400
    assert drawn() == [170.0, 460.0, 400.0]
    assert box.totals["bucket"].tolist() == ["not_due", "d1_90", "over_90"]
    assert out.outputs != first
    html = out.outputs[0]["data"]["text/html"]
    assert "1-90 days" in html and "Over 90 days" in html and "Over 120 days" not in html
    assert "image/png" in out.outputs[1]["data"]
    edges.value = "0, 90, 60"  # not increasing: the message says so, the view stays
    assert "Invalid buckets" in message.value and "0, 90, 60" in message.value
    assert drawn() == [170.0, 460.0, 400.0]
    edges.value = "0 90"
    assert message.value == ""
    date.value = dt.date(2024, 1, 15)
    # at 2024-01-15: I3 (due 01-31) not due 300; I4 45 days, I5 14 days (paid later)
    # and I8 14 days: 400 + 500 + 10 in 1-90; nothing over 90.
    assert drawn() == [300.0, 910.0, 0.0]
    es = plot.aging_explorer(ledger, as_of=AS_OF, buckets=[0, 60], interactive=True)
    assert es.children[0].children[0].description == "Tramos (días)"
    assert "Más de 60 días" in es.children[2].outputs[0]["data"]["text/html"]
