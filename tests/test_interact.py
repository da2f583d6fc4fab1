"""Tests of crmlib.interact on hand-computed tickets and messy exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import interact
from crmlib.exceptions import DataError, ParameterError


def _tickets(rows):
    cols = ["interaction_id", "customer_id", "opened_at", "closed_at", "status", "kind",
            "channel", "category", "contacts_to_resolve"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def messy():
    # A ticket export as it arrives: Spanish statuses, an aware/naive mix, a reopened ticket,
    # one closed before it was opened and one "closed" with no close date.
    return _tickets([
        ("T1", "C1", "2024-03-04 09:00", "2024-03-04 10:00", "Cerrado", "complaint", "Teléfono",
         "billing", 1),
        ("T2", "C1", "2024-03-05T09:00:00-05:00", "2024-03-05T12:00:00-05:00", "RESUELTO",
         "complaint", "email", "billing", 2),
        ("T3", "C2", "2024-03-06 09:00", "2024-03-05 09:00", "finalizado", "complaint", "web",
         "delivery", 1),
        ("T4", "C2", "2024-03-07 09:00", None, "Resuelto", "complaint", "web", "delivery", 1),
        ("T5", "C3", "2024-03-08 09:00", "2024-03-09 09:00", "Reabierto", "complaint", "tienda",
         None, 1),
        ("T6", "C3", "2024-03-10 09:00Z", None, "abierto", "complaint", None, "billing", None),
        ("T7", "C4", "2024-03-11 09:00", "2024-03-11 09:30", "closed", "request", "phone",
         "info", 1),
    ])


# ----------------------------------------------------------------- timestamps and tickets

def test_local_timestamps_keep_wall_clock_or_convert():
    s = pd.Series(["2024-03-01T09:30:00-05:00", "2024-03-01 09:30", "2024-03-01T14:30Z", None])
    wall = interact.local_timestamps(s)
    assert list(wall[:3]) == [pd.Timestamp("2024-03-01 09:30"), pd.Timestamp("2024-03-01 09:30"),
                              pd.Timestamp("2024-03-01 14:30")]
    assert pd.isna(wall[3])
    utc = interact.local_timestamps(s, timezone="UTC")
    # -05:00 09:30 is 14:30 UTC; naive values stay as written
    assert list(utc[:3]) == [pd.Timestamp("2024-03-01 14:30"), pd.Timestamp("2024-03-01 09:30"),
                             pd.Timestamp("2024-03-01 14:30")]
    assert str(wall.dtype) == "datetime64[ns]"


def test_local_timestamps_accept_aware_timestamp_objects():
    s = pd.Series([pd.Timestamp("2024-01-01 10:00", tz="Europe/Madrid"),
                   pd.Timestamp("2024-01-01 10:00")], dtype=object)
    out = interact.local_timestamps(s, timezone="UTC")
    assert list(out) == [pd.Timestamp("2024-01-01 09:00"), pd.Timestamp("2024-01-01 10:00")]


def test_local_timestamps_report_bad_text():
    with pytest.raises(DataError) as err:
        interact.local_timestamps(pd.Series(["2024-01-01", "not a date"]), column="closed_at")
    msg = str(err.value)
    assert "closed_at" in msg and "not a date" in msg and "row 1" in msg


def test_ticket_table_on_messy_export(messy):
    tt = interact.ticket_table(messy, as_of="2024-03-31")
    by = tt.set_index("interaction_id")
    assert by["is_closed"].to_dict() == {"T1": True, "T2": True, "T3": True, "T4": True,
                                         "T5": False, "T6": False, "T7": True}
    assert by.loc["T5", "reopened"] and not by["reopened"].drop("T5").any()
    assert by.loc["T1", "resolution_hours"] == 1.0
    assert by.loc["T2", "resolution_hours"] == 3.0  # both ends -05:00, wall clock kept
    assert by.loc["T3", "problem"] == "closed_before_opened"
    assert by.loc["T4", "problem"] == "closed_without_date"
    assert np.isnan(by.loc["T3", "resolution_hours"]) and np.isnan(by.loc["T4", "resolution_hours"])
    # reopened: open although it carries a close date, and not a first-contact resolution
    assert np.isnan(by.loc["T5", "resolution_hours"])
    assert by.loc["T5", "first_contact_resolution"] is np.False_ or \
        by.loc["T5", "first_contact_resolution"] == False
    assert by.loc["T1", "first_contact_resolution"] == True
    assert by.loc["T2", "first_contact_resolution"] == False
    assert pd.isna(by.loc["T6", "first_contact_resolution"])
    # T6 open since 2024-03-10 09:00 -> as_of end of 2024-03-31: 21 days 15 h minus 1 us
    assert by.loc["T6", "age_days"] == pytest.approx(21 + 15 / 24, abs=1e-6)
    assert by.loc["T1", "channel"] == "telefono"
    probs = interact.ticket_problems(tt)
    assert list(probs["interaction_id"]) == ["T3", "T4"]
    assert list(probs["row"]) == [2, 3]


def test_closed_statuses_are_configurable(messy):
    tt = interact.ticket_table(messy, closed_statuses=["cerrado"], as_of="2024-03-31")
    assert tt.set_index("interaction_id")["is_closed"].to_dict()["T2"] is np.False_ or \
        not tt.set_index("interaction_id").loc["T2", "is_closed"]
    with pytest.raises(ParameterError, match="closed_statuses"):
        interact.ticket_table(messy, closed_statuses="cerrado")


def test_without_status_the_close_date_decides():
    df = pd.DataFrame({"interaction_id": ["a", "b"], "opened_at": ["2024-01-01", "2024-01-01"],
                       "closed_at": ["2024-01-02", None]})
    tt = interact.ticket_table(df)
    assert list(tt["is_closed"]) == [True, False]
    assert tt.loc[0, "resolution_hours"] == 24.0


def test_missing_required_columns_are_named():
    with pytest.raises(DataError, match="opened_at"):
        interact.ticket_table(pd.DataFrame({"interaction_id": ["x"]}))


# ----------------------------------------------------------------- business hours

@pytest.mark.parametrize("start,end,hours", [
    ("2024-03-08 17:00", "2024-03-11 10:00", 2.0),   # Friday 17:00 -> Monday 10:00
    ("2024-03-09 12:00", "2024-03-11 10:00", 1.0),   # Saturday -> Monday 10:00
    ("2024-03-11 07:00", "2024-03-11 20:00", 9.0),   # before opening to after closing
    ("2024-03-11 10:00", "2024-03-11 12:30", 2.5),
    ("2024-03-11 10:00", "2024-03-18 10:00", 45.0),  # one full week: 5 days x 9 h
])
def test_business_hours_between_hand_counts(start, end, hours):
    got = interact.business_hours_between(pd.Series([start]), pd.Series([end]))
    assert got.iloc[0] == pytest.approx(hours)


def test_business_hours_skip_holidays_and_custom_hours():
    bh = interact.BusinessHours(start=8, end=12, holidays=("2024-03-11",))
    got = interact.business_hours_between(pd.Series(["2024-03-08 11:00"]),
                                          pd.Series(["2024-03-12 09:00"]), business_hours=bh)
    # Friday 11-12 (1 h), Monday is a holiday, Tuesday 8-9 (1 h)
    assert got.iloc[0] == pytest.approx(2.0)
    with pytest.raises(ParameterError, match="business hours"):
        interact.BusinessHours(start=18, end=9)


def test_ticket_table_business_hours_column(messy):
    tt = interact.ticket_table(messy, business_hours=True, as_of="2024-03-31")
    by = tt.set_index("interaction_id")
    assert by.loc["T1", "resolution_business_hours"] == 1.0
    assert by.loc["T2", "resolution_business_hours"] == 3.0


# ----------------------------------------------------------------- complaint metrics

def _five_closed():
    # resolution hours 1, 2, 3, 4, 10; contacts 1, 1, 2, 1, 3
    opened = pd.Timestamp("2024-01-01 00:00")
    rows = []
    for i, (h, c, ch) in enumerate([(1, 1, "phone"), (2, 1, "phone"), (3, 2, "email"),
                                    (4, 1, "email"), (10, 3, "phone")]):
        rows.append((f"T{i}", f"C{i % 3}", opened, opened + pd.Timedelta(hours=h), "closed",
                     "complaint", ch, "x", c))
    return _tickets(rows)


def test_complaint_metrics_hand_computed():
    m = interact.complaint_metrics(_five_closed(), as_of="2024-03-01").iloc[0]
    assert m["n_contacts"] == 5 and m["n_closed"] == 5 and m["n_open"] == 0
    assert m["median_resolution_hours"] == 3.0
    # numpy/pandas linear quantile (Hyndman & Fan type 7): position 0.9*4 = 3.6 -> 4 + 0.6*(10-4)
    assert m["p90_resolution_hours"] == pytest.approx(7.6)
    assert m["fcr_rate"] == pytest.approx(3 / 5)
    assert m["recovery_rate"] == 1.0 and m["recovery_n"] == 5
    assert m["n_customers"] == 3


def test_complaint_metrics_by_channel_sorted_and_shares():
    m = interact.complaint_metrics(_five_closed(), by="channel", as_of="2024-03-01")
    assert list(m["channel"]) == ["phone", "email"]
    assert list(m["n_contacts"]) == [3, 2]
    assert m["share"].sum() == pytest.approx(1.0)
    # phone: hours 1, 2, 10 -> median 2; email: 3, 4 -> median 3.5
    assert list(m["median_resolution_hours"]) == [2.0, 3.5]


def test_complaint_metrics_recovery_window_counts_only_due_cases(messy):
    m = interact.complaint_metrics(messy, as_of="2024-03-31", recovery_window_days=30).iloc[0]
    # complaints: T1..T6 (T7 is a request). Closed and sound: T1, T2 (within 30 days).
    # Open: T5 (opened 03-08, 23.6 days old) and T6 (21.6 days): window not over, not counted.
    assert m["n_contacts"] == 6 and m["n_problem_rows"] == 2 and m["n_reopened"] == 1
    assert m["recovery_n"] == 2 and m["recovery_rate"] == 1.0
    later = interact.complaint_metrics(messy, as_of="2024-04-30").iloc[0]
    # a month later both open complaints are past the window and count as missed
    assert later["recovery_n"] == 4 and later["recovery_rate"] == 0.5


def test_complaint_metrics_by_segment_needs_customers(messy):
    with pytest.raises(ParameterError, match="customers"):
        interact.complaint_metrics(messy, by="segment")
    seg = pd.DataFrame({"customer_id": ["C1", "C2"], "segment": ["gold", "silver"]})
    m = interact.complaint_metrics(messy, by="segment", customers=seg, as_of="2024-03-31")
    assert dict(zip(m["segment"], m["n_contacts"])) == {"gold": 2, "silver": 2, "unknown": 2}
    with pytest.raises(ParameterError, match="by must be"):
        interact.complaint_metrics(messy, by="colour")


def test_complaint_metrics_by_month_and_p_chart():
    df = _five_closed()
    df.loc[3:, "opened_at"] = pd.Timestamp("2024-02-01")
    df.loc[3:, "closed_at"] = pd.Timestamp("2024-02-01 05:00")
    m = interact.complaint_metrics(df, by="month", as_of="2024-03-01")
    assert list(m["month"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    pc = interact.p_chart(m, successes="fcr_rate", trials="fcr_n", period="month")
    # January: contacts 1, 1, 2 -> 2 of 3; February: contacts 1, 3 -> 1 of 2; p-bar = 3/5
    assert list(pc["successes"]) == [2, 1] and list(pc["trials"]) == [3, 2]
    assert pc["center"].iloc[0] == pytest.approx(0.6)
    assert pc["ucl"].iloc[0] == pytest.approx(min(1, 0.6 + 3 * np.sqrt(0.24 / 3)))
    assert pc["lcl"].iloc[1] == pytest.approx(max(0, 0.6 - 3 * np.sqrt(0.24 / 2)))


def test_input_not_mutated_and_row_order_irrelevant(messy):
    before = messy.copy()
    a = interact.complaint_metrics(messy, by="category", as_of="2024-03-31")
    pd.testing.assert_frame_equal(messy, before)
    b = interact.complaint_metrics(messy.iloc[::-1], by="category", as_of="2024-03-31")
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------- customers

def test_valuable_complainers_ranked_call_list(messy):
    values = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C5"],
                           "value": [100.0, 500.0, 900.0, 50.0, 10.0],
                           "segment": ["b", "a", "a", "c", "c"]})
    out = interact.valuable_complainers(messy, values, top_share=0.6, slow_days=7,
                                        as_of="2024-03-31")
    # top 60 % of 5 customers = 3: C3, C2, C1. C3 has open T5/T6; C2 only problem rows:
    # T3 (closed before opened, age NaN) and T4 (closed without date) -> neither open nor slow.
    # C1's complaints closed in 1 h and 3 h -> not slow.
    assert list(out["customer_id"]) == ["C3"]
    row = out.iloc[0]
    assert row["rank"] == 1 and row["n_open"] == 2 and row["reason"] == "open+slow"
    assert row["value_rank"] == 1
    # oldest open complaint T5 opened 03-08 09:00; window 30 days -> 30 - 23.625 (minus 1 us)
    assert row["days_left_in_window"] == pytest.approx(30 - (23 + 15 / 24), abs=1e-6)
    with pytest.raises(ParameterError, match="top_share"):
        interact.valuable_complainers(messy, values, top_share=0)


def test_repeat_complainers(messy):
    out = interact.repeat_complainers(messy, min_complaints=2, as_of="2024-03-31")
    assert list(out["customer_id"]) == ["C1", "C2", "C3"]
    by = out.set_index("customer_id")
    assert by.loc["C1", "top_category"] == "billing" and by.loc["C1", "n_open"] == 0
    assert by.loc["C3", "n_open"] == 2 and by.loc["C3", "top_category"] == "billing"
    assert by.loc["C2", "n_categories"] == 1


def test_lost_after_complaint_hand_example():
    inter = _tickets([
        ("A", "lost", "2024-01-10", "2024-01-11", "closed", "complaint", "web", "x", 1),
        ("B", "stayed", "2024-01-10", "2024-01-11", "closed", "complaint", "web", "x", 1),
        ("C", "recent", "2024-11-01", None, "open", "complaint", "web", "x", None),
        ("D", "never", "2024-01-10", None, "open", "complaint", "web", "x", None),
    ])
    tx = pd.DataFrame({
        "customer_id": ["lost", "lost", "stayed", "stayed", "recent", "lost"],
        "date": pd.to_datetime(["2023-06-01", "2024-01-10", "2023-06-01", "2024-05-01",
                                "2024-10-01", "2022-01-01"]),
        "amount": [100.0, 50.0, 80.0, 30.0, 10.0, 999.0],
    })
    out = interact.lost_after_complaint(inter, tx, inactive_days=180, as_of="2024-12-31")
    by = out.set_index("customer_id")
    assert by["lost"].to_dict() == {"lost": True, "stayed": False, "recent": False,
                                    "never": False}
    assert out.iloc[0]["customer_id"] == "lost"
    # purchases within 365 days up to the complaint day: 100 + 50 (the 2022 one is older)
    assert by.loc["lost", "value_before"] == 150.0
    assert by.loc["lost", "last_purchase_at"] == pd.Timestamp("2024-01-10")


# ----------------------------------------------------------------- indices and charts

def test_hard_indices_counts():
    inter = _tickets([
        ("A", "c1", "2024-01-05", "2024-01-06", "closed", "complaint", "web", "x", 1),
        ("B", "c1", "2024-01-20", "2024-01-21", "reopened", "complaint", "web", "x", 1),
        ("C", "c2", "2024-03-02", None, "open", "request", "web", "x", None),
    ]).assign(response_minutes=[10.0, 20.0, 60.0])
    tx = pd.DataFrame({"customer_id": ["c1", "c2", "c2"],
                       "date": pd.to_datetime(["2024-01-03", "2024-02-01", "2024-03-01"]),
                       "amount": [1.0, 2.0, 3.0]})
    hi = interact.hard_indices(inter, tx, inactive_days=30, as_of="2024-03-31")
    get = hi.set_index(["index", "period"])["value"]
    jan, feb, mar = (pd.Timestamp(f"2024-0{m}-01") for m in (1, 2, 3))
    assert get[("complaints", jan)] == 2 and get[("complaints", mar)] == 0
    assert get[("errors", jan)] == 1
    assert get[("response_minutes", jan)] == 15.0 and get[("response_minutes", mar)] == 60.0
    assert np.isnan(get[("response_minutes", feb)])
    assert get[("transactions", feb)] == 1
    # c1 last bought 2024-01-03, 88 days before as_of -> lost in January; c2 bought in March
    assert get[("customers_lost", jan)] == 1 and get[("customers_lost", feb)] == 0
    # March ends 0 days before as_of: cannot be judged yet
    assert np.isnan(get[("customers_lost", mar)])
    assert set(hi["index"]) == {"response_minutes", "resolution_hours", "errors", "complaints",
                                "customers_lost", "transactions"}


def test_xmr_chart_wheeler_constants():
    # Wheeler & Chambers: limits = mean +/- 2.66 * mean moving range
    v = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=5, freq="MS"),
                      "value": [10.0, 12.0, 11.0, 15.0, 30.0]})
    ch = interact.xmr_chart(v)
    mean, mr = 15.6, (2 + 1 + 4 + 15) / 4
    assert ch["center"].iloc[0] == pytest.approx(mean)
    assert ch["ucl"].iloc[0] == pytest.approx(mean + 2.66 * mr)
    assert ch["lcl"].iloc[0] == pytest.approx(mean - 2.66 * mr)
    assert not ch["signal"].any()
    assert ch["lcl"].iloc[0] > 0
    low = interact.xmr_chart(v.assign(value=[1.0, 9.0, 1.0, 9.0, 1.0]))
    assert low["lcl"].iloc[0] == 0.0  # floored at zero
    with pytest.raises(ParameterError, match="index"):
        interact.xmr_chart(v.assign(index="a"), index="b")


def test_response_time_study_derives_encounters():
    df = _tickets([
        ("1", "a", "2024-01-01", "2024-01-01 02:00", "closed", "request", "Teléfono", "x", 1),
        ("2", "a", "2024-01-01", "2024-01-01 04:00", "closed", "request", "phone", "x", 1),
        ("3", "b", "2024-01-01", None, "open", "request", "Sucursal", "x", 1),
        ("4", "b", "2024-01-01", None, "open", "request", "app", "x", 1),
    ]).assign(response_minutes=[5.0, 15.0, 1.0, 60.0], wait_minutes=[2.0, 4.0, 10.0, None])
    out = interact.response_time_study(df, language="en")
    assert list(out["encounter"]) == ["remote", "phone", "in_person"]
    assert list(out["encounter_label"]) == ["Remote", "Phone", "In person"]
    by = out.set_index("encounter")
    assert by.loc["phone", "n_contacts"] == 2
    assert by.loc["phone", "response_median_minutes"] == 10.0
    assert by.loc["phone", "resolution_median_hours"] == 3.0
    assert by.loc["in_person", "wait_mean_minutes"] == 10.0
    assert np.isnan(by.loc["remote", "wait_mean_minutes"])


def test_last_contacts_and_cost_by_segment(messy):
    lc = interact.last_contacts(messy, n=2, as_of="2024-03-31")
    c3 = lc[lc["customer_id"] == "C3"]
    assert list(c3["interaction_id"] if "interaction_id" in c3 else c3["opened_at"]) == [
        pd.Timestamp("2024-03-10 09:00"), pd.Timestamp("2024-03-08 09:00")]
    assert list(c3["order"]) == [1, 2]
    assert lc["customer_id"].iloc[0] == "C4"  # latest contact first
    only = interact.last_contacts(messy, customers=["C2", "C1"], as_of="2024-03-31")
    assert list(only["customer_id"].unique()) == ["C2", "C1"]

    values = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C9"],
                           "value": [100.0, 100.0, 50.0, 0.0, 50.0],
                           "segment": ["gold", "gold", "silver", "silver", "silver"]})
    cost = interact.contact_cost_by_segment(messy, values, cost_per_contact={"web": 2.0},
                                            as_of="2024-03-31")
    by = cost.set_index("segment")
    assert by.loc["gold", "n_contacts"] == 4 and by.loc["gold", "n_customers"] == 2
    assert by.loc["gold", "cost"] == 4.0  # T3, T4 on web at 2 each; phone/email unknown
    assert by.loc["silver", "contacts_per_customer"] == pytest.approx(3 / 3)
    assert by.loc["silver", "value_per_customer"] == pytest.approx(100 / 3)
    assert by.loc["gold", "cost_per_100_value"] == pytest.approx(100 * 4 / 200)


def test_headline_in_both_languages():
    m = interact.complaint_metrics(_five_closed(), as_of="2024-03-01")
    es = interact.headline(m, "es")
    assert "60\u00a0%" in es and "primer contacto" in es  # es_ES: no-break space before %
    en = interact.headline(m, "en")
    assert "first contact" in en
    # the median carries its unit and the window its days, each in the reader's language
    assert " horas." in es and "ventana de 30 días" in es
    assert " hours." in en and "window of 30 days" in en
    from crmlib.i18n._leaks import find_leaks

    assert find_leaks(es, "es") == [] and find_leaks(en, "en") == []


# ----------------------------------------------------------------- properties

_stamp = st.datetimes(min_value=pd.Timestamp("2023-01-01").to_pydatetime(),
                      max_value=pd.Timestamp("2024-12-31").to_pydatetime())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_stamp, st.one_of(st.none(), _stamp),
                          st.sampled_from(["cerrado", "Resuelto", "abierto", "reabierto", None])),
                min_size=1, max_size=25),
       st.booleans())
def test_resolution_times_never_negative_and_bad_rows_reported(rows, business):
    df = pd.DataFrame({"interaction_id": [str(i) for i in range(len(rows))],
                       "opened_at": [r[0] for r in rows], "closed_at": [r[1] for r in rows],
                       "status": [r[2] for r in rows]})
    tt = interact.ticket_table(df, business_hours=business or None, as_of="2025-01-01")
    assert (tt["resolution_hours"].dropna() >= 0).all()
    if business:
        assert (tt["resolution_business_hours"].dropna() >= 0).all()
    closed_before = [i for i, (o, c, s) in enumerate(rows)
                     if c is not None and c < o and tt.loc[i, "is_closed"]]
    reported = set(interact.ticket_problems(tt)["row"])
    assert set(closed_before) <= reported
    # every closed, unreported ticket has a duration; every reported one has none
    ok = tt["is_closed"] & tt["problem"].isna()
    assert tt.loc[ok, "resolution_hours"].notna().all()
    assert tt.loc[tt["problem"].notna(), "resolution_hours"].isna().all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 72)), min_size=1, max_size=30),
       st.randoms())
def test_complaint_metrics_do_not_depend_on_row_order(rows, rnd):
    base = pd.Timestamp("2024-01-01")
    df = pd.DataFrame({
        "interaction_id": [str(i) for i in range(len(rows))],
        "customer_id": [f"c{i % 4}" for i in range(len(rows))],
        "opened_at": [base + pd.Timedelta(hours=o) for o, _ in rows],
        "closed_at": [base + pd.Timedelta(hours=o + d) for o, d in rows],
        "channel": [["web", "phone"][i % 2] for i in range(len(rows))],
    })
    order = list(range(len(rows)))
    rnd.shuffle(order)
    a = interact.complaint_metrics(df, by="channel", as_of="2024-06-01")
    b = interact.complaint_metrics(df.iloc[order], by="channel", as_of="2024-06-01")
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------- plots

def test_plots_draw_what_the_tables_hold():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib import plot

    df = _five_closed()
    m = interact.complaint_metrics(df, by="channel", as_of="2024-03-01")
    ax = plot.plot_complaint_volume(m, language="en")
    assert sorted(p.get_width() for p in ax.patches) == [2, 3]
    ax = plot.plot_resolution_times(interact.ticket_table(df), language="es")
    assert ax.get_legend_handles_labels()[1] == ["Mediana: 3,0 h", "Percentil 90: 7,6 h"]
    v = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=6, freq="MS"),
                      "value": [5.0, 5.0, 6.0, 5.0, 6.0, 40.0]})
    ax = plot.plot_run_chart(interact.xmr_chart(v), language="en")
    labels = ax.get_legend_handles_labels()[1]
    assert "Out of control" in labels
    study = interact.response_time_study(df.assign(response_minutes=[1.0, 2, 3, 4, 5]))
    ax = plot.plot_response_times(study, language="en")
    assert [x.get_text() for x in ax.get_xticklabels()] == ["Remote", "Phone"]
    plt.close("all")


def test_summaries_for_the_notebook(messy):
    m = interact.complaint_metrics(_five_closed(), as_of="2024-03-01")
    figs = interact.key_figures(m)
    assert figs["n_contacts"] == 5 and figs["p90_resolution_hours"] == pytest.approx(7.6)
    lost = pd.DataFrame({"lost": [True, False, True], "value_before": [10.0, 99.0, 5.0]})
    assert interact.lost_summary(lost) == {"n": 3, "n_lost": 2, "share_lost": 2 / 3,
                                           "value_lost": 15.0}
    idx = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                        "index": ["complaints", "complaints", "errors", "errors"],
                        "value": [1.0, 2.0, 0.0, 1.0]})
    wide = interact.hard_indices_table(idx, months=1)
    assert list(wide.columns) == ["period", "errors", "complaints"]
    assert wide["period"].tolist() == ["2024-02"]
    assert wide.iloc[0].tolist()[1:] == [1.0, 2.0]
    only = interact.ticket_table(messy, kind="request", as_of="2024-03-31")
    assert list(only["interaction_id"]) == ["T7"] and list(only["row"]) == [6]


def test_messy_csv_through_the_loader(tmp_path):
    """A Spanish ticket export read by crmlib.io: ';', day-first and ISO dates, an aware
    timestamp, a reopened ticket, one open and one 'Cerrado' without close date."""
    from crmlib import io

    path = tmp_path / "interactions.csv"
    path.write_text(
        "Nº incidencia;Cliente;Apertura;Cierre;Estado;Tipo;Contactos\n"
        "A1;C1;2024-03-05T09:00:00-05:00;2024-03-05T12:00:00-05:00;Resuelto;complaint;1\n"
        "A2;C2;05/03/2024 10:00;;Abierto;complaint;\n"
        "A3;C3;2024-03-05 08:00;2024-03-06 08:00;Reabierto;complaint;2\n"
        "A4;C3;2024-03-07 08:00;;Cerrado;complaint;1\n", encoding="utf-8")
    df = io.read_table(path, "interactions", column_map={"Nº incidencia": "interaction_id"})
    tt = interact.ticket_table(df, as_of="2024-03-31").set_index("interaction_id")
    assert tt["is_closed"].to_dict() == {"A1": True, "A2": False, "A3": False, "A4": True}
    assert tt.loc["A1", "resolution_hours"] == 3.0 and tt.loc["A3", "reopened"]
    assert tt.loc["A4", "problem"] == "closed_without_date"
    m = interact.complaint_metrics(df, as_of="2024-03-31").iloc[0]
    assert m["n_contacts"] == 4 and m["n_open"] == 2 and m["fcr_rate"] == 0.5


def test_run_chart_explorer_only_when_interactive():
    import matplotlib

    matplotlib.use("agg")
    from crmlib import plot

    idx = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                        "index": ["complaints", "complaints", "wait_minutes", "wait_minutes"],
                        "value": [3.0, 4.0, np.nan, np.nan]})
    assert plot.run_chart_explorer(idx, interactive=False) is None
    box = plot.run_chart_explorer(idx, interactive=True, language="en")
    dropdown = box.children[0]
    # indices without any value are not offered
    assert list(dropdown.options) == [("Complaints", "complaints")]


def test_no_complaints_gives_empty_tables_not_errors():
    df = pd.DataFrame({"interaction_id": ["1"], "customer_id": ["a"],
                       "opened_at": [pd.Timestamp("2024-01-01")],
                       "closed_at": [pd.Timestamp("2024-01-02")], "kind": ["praise"],
                       "channel": ["web"]})
    by = interact.complaint_metrics(df, by="channel", as_of="2024-12-31")
    assert by.empty and "fcr_rate" in by.columns
    month = interact.complaint_metrics(df, by="month", as_of="2024-12-31")
    assert interact.p_chart(month, successes="fcr_rate", trials="fcr_n", period="month").empty
    assert interact.complaint_metrics(df, as_of="2024-12-31").iloc[0]["n_contacts"] == 0


def test_categories_keep_the_clients_own_words():
    # variants in case, accents or spacing are one category, shown as the client writes it
    # most often; a reader never sees "atencion al cliente" for "Atención al cliente"
    from crmlib.interact import ticket_table

    raw = pd.DataFrame({
        "interaction_id": ["T1", "T2", "T3", "T4", "T5"],
        "opened_at": ["2024-01-02 09:00"] * 5,
        "category": ["Atención al cliente", "atencion al  cliente", "Atención al cliente",
                     "App", None],
    })
    out = ticket_table(raw)
    assert out["category"].tolist()[:4] == ["Atención al cliente"] * 3 + ["App"]
    assert pd.isna(out["category"].iloc[4])
