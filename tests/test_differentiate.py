"""crmlib.differentiate: worked examples, properties (Hypothesis) and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmlib import differentiate as d
from crmlib.exceptions import DataError, ParameterError

ROOT = Path(__file__).resolve().parents[1]


def tx(rows):
    """Transactions from (customer_id, date, amount) tuples."""
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    df["amount"] = df["amount"].astype(float)
    return df


@pytest.fixture
def small():
    return tx([
        ("A", "2024-01-05", 100), ("A", "2024-01-05", 50),     # same day: one purchase of 150
        ("A", "2024-03-01", 80), ("A", "2024-03-01", -30),     # return netted: 50
        ("A", "2024-06-10", 200),
        ("B", "2024-02-01", 40), ("B", "2024-05-01", -10),     # day of returns only
        ("C", "2024-06-01", 0.0),                              # free item is a purchase
        ("D", "2024-04-01", -20),                              # returns only: no purchase
        (None, "2024-04-01", 999),                             # anonymous sale
        ("E", "2025-01-01", 500),                              # after as_of
    ])


# ------------------------------------------------------------------ customer_summary
def test_customer_summary_worked_example(small):
    s = d.customer_summary(small, as_of="2024-06-30", time_unit="D")
    assert s["customer_id"].tolist() == ["A", "B", "C"]
    a = s.set_index("customer_id").loc["A"]
    assert a["n_purchases"] == 3 and a["frequency"] == 2
    assert a["first_purchase"] == pd.Timestamp("2024-01-05")
    assert a["last_purchase"] == pd.Timestamp("2024-06-10")
    assert a["recency"] == (pd.Timestamp("2024-06-10") - pd.Timestamp("2024-01-05")).days
    assert a["T"] == (pd.Timestamp("2024-06-30") - pd.Timestamp("2024-01-05")).days
    assert a["days_since_last"] == 20
    assert a["monetary"] == 150 + 50 + 200
    assert a["returns"] == 30
    assert a["avg_repeat_value"] == (50 + 200) / 2
    b = s.set_index("customer_id").loc["B"]
    assert b["n_purchases"] == 1 and b["monetary"] == 30 and b["avg_repeat_value"] == 0
    c = s.set_index("customer_id").loc["C"]
    assert c["n_purchases"] == 1 and c["monetary"] == 0
    assert s.attrs["time_unit"] == "D" and s.attrs["as_of"] == "2024-06-30"


def test_customer_summary_weeks(small):
    s = d.customer_summary(small, as_of="2024-06-30", time_unit="W").set_index("customer_id")
    assert s.loc["A", "recency"] == pytest.approx(157 / 7)


def test_customer_summary_default_as_of_is_last_date(small):
    s = d.customer_summary(small)
    assert s.attrs["as_of"] == "2025-01-01"
    assert "E" in set(s["customer_id"])


def test_customer_summary_parquet_matches_pandas(small, tmp_path):
    path = tmp_path / "tx.parquet"
    small.to_parquet(path)
    for unit in ("D", "W", "M"):
        a = d.customer_summary(small, as_of="2024-06-30", time_unit=unit)
        b = d.customer_summary_parquet(path, as_of="2024-06-30", time_unit=unit,
                                       memory_limit="256MB", threads=1)
        pd.testing.assert_frame_equal(a, b)
        assert b.attrs == a.attrs


def test_customer_summary_engines_agree():
    rng = np.random.default_rng(11)
    n = 20000
    df = pd.DataFrame({
        "customer_id": rng.integers(0, 900, n).astype(str),
        "date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D"),
        "amount": np.round(rng.normal(40, 50, n), 2),
    })
    a = d.customer_summary(df, as_of="2024-06-30", time_unit="M", engine="pandas")
    b = d.customer_summary(df, as_of="2024-06-30", time_unit="M", engine="duckdb")
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
    with pytest.raises(ParameterError, match="engine"):
        d.customer_summary(df, engine="spark")


def test_customer_summary_parquet_glob_matches_pandas(tmp_path):
    rng = np.random.default_rng(3)
    n = 5000
    df = pd.DataFrame({
        "customer_id": rng.integers(0, 400, n).astype(str),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
        + pd.to_timedelta(rng.integers(0, 86400, n), unit="s"),
        "amount": np.round(rng.normal(50, 40, n), 2),
    })
    df.iloc[:2500].to_parquet(tmp_path / "part1.parquet")
    df.iloc[2500:].to_parquet(tmp_path / "part2.parquet")
    a = d.customer_summary(df, time_unit="W")
    b = d.customer_summary_parquet(str(tmp_path / "*.parquet"), time_unit="W")
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
    # Split into passes by customer hash: same table.
    c = d.customer_summary_parquet(str(tmp_path / "*.parquet"), time_unit="W",
                                   rows_per_pass=700)
    pd.testing.assert_frame_equal(a, c, rtol=1e-9)


def test_customer_summary_parquet_reports_bad_rows(small, tmp_path):
    bad = small.copy()
    bad.loc[2, "amount"] = np.nan
    path = tmp_path / "bad.parquet"
    bad.to_parquet(path)
    with pytest.raises(DataError, match=r"amount' is empty or not finite - 1 of 10 rows"):
        d.customer_summary_parquet(path)
    small.to_parquet(tmp_path / "a.parquet")
    both = d.customer_summary_parquet([tmp_path / "a.parquet", tmp_path / "a.parquet"],
                                      as_of="2024-06-30")
    doubled = d.customer_summary(pd.concat([small, small]), as_of="2024-06-30")
    pd.testing.assert_frame_equal(both, doubled)


def test_customer_summary_names_bad_rows():
    bad = tx([("A", "2024-01-01", 10), ("B", "2024-01-02", 5)])
    bad.loc[1, "amount"] = np.nan
    with pytest.raises(DataError, match=r"amount.*row 1"):
        d.customer_summary(bad)
    with pytest.raises(DataError, match="date"):
        d.customer_summary(bad.assign(date="2024-01-01"))
    with pytest.raises(DataError, match="'amount' is required"):
        d.customer_summary(bad.drop(columns="amount"))
    with pytest.raises(ParameterError, match="time_unit"):
        d.customer_summary(bad.fillna(1), time_unit="Y")


# ------------------------------------------------------------------ value
def test_pareto_worked_example():
    # Values 50, 30, 10, 6, 4 (total 100): A closes once 80 % is reached (2 customers),
    # B at 95 % (customer 3 brings it to 90 %, customer 4 to 96 %), C the rest.
    t = tx([("c1", "2024-01-01", 50), ("c2", "2024-01-01", 30), ("c3", "2024-01-01", 10),
            ("c4", "2024-01-01", 6), ("c5", "2024-01-01", 4)])
    p = d.pareto_table(t)
    assert p["customer_id"].tolist() == ["c1", "c2", "c3", "c4", "c5"]
    np.testing.assert_allclose(p["cum_share"], [0.5, 0.8, 0.9, 0.96, 1.0])
    assert p["pareto_class"].tolist() == ["A", "A", "B", "B", "C"]
    s = d.pareto_summary(p)
    assert s["customer_share_for_value"] == pytest.approx(0.4)
    assert s["value_share_of_top"] == pytest.approx(0.5)
    abc = d.abc_table(p)
    assert abc["n_customers"].tolist() == [2, 2, 1]
    np.testing.assert_allclose(abc["value_share"], [0.8, 0.16, 0.04])


def test_pareto_negative_values_go_last_in_class_c():
    t = tx([("a", "2024-01-01", 100), ("b", "2024-01-01", -20), ("c", "2024-01-01", 0)])
    p = d.pareto_table(t)
    assert p["customer_id"].tolist() == ["a", "c", "b"]
    assert p["cum_share"].tolist() == [1.0, 1.0, 1.0]
    assert p["pareto_class"].tolist() == ["A", "C", "C"]


def test_gini_known_values():
    # Perfect equality gives 0; one customer holding everything of n gives (n-1)/n.
    assert d.gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert d.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    # Worked example: values 1, 2, 3, 4 -> G = sum((2i-n-1) x_i) / (n sum x) = 10 / 40.
    assert d.gini([4, 1, 3, 2]) == pytest.approx(0.25)
    assert np.isnan(d.gini([0, 0]))


def test_most_valuable_takes_ceil_share():
    t = tx([(f"c{i:02d}", "2024-01-01", 100 - i) for i in range(25)])
    p = d.pareto_table(t)
    top = d.most_valuable(p, top=0.10)
    assert top["customer_id"].tolist() == ["c00", "c01", "c02"]
    with pytest.raises(ParameterError, match="top"):
        d.most_valuable(p, top=0)


def test_below_zero_with_margin_and_costs():
    t = tx([("a", "2024-01-01", 100), ("b", "2024-01-01", 100), ("c", "2024-01-01", 50)])
    t["margin"] = [30.0, 5.0, 20.0]
    costs = pd.DataFrame({"customer_id": ["b", "b", "c", "z"], "cost": [4.0, 4.0, 1.0, 3.0]})
    table = d.contribution_table(t, costs=costs)
    got = table.set_index("customer_id")["contribution"].to_dict()
    assert got == {"a": 30.0, "b": -3.0, "c": 19.0, "z": -3.0}
    bz = d.below_zero(t, costs=costs)
    assert bz["customer_id"].tolist() == ["b", "z"]
    assert set(bz["basis"]) == {"margin"}


def test_below_zero_without_margin_uses_revenue():
    t = tx([("a", "2024-01-01", 100), ("b", "2024-01-01", 10), ("b", "2024-01-03", -25)])
    bz = d.below_zero(t)
    assert bz["customer_id"].tolist() == ["b"] and bz["contribution"].iloc[0] == -15
    assert bz["basis"].iloc[0] == "revenue"


def test_growth_and_decliners_windows():
    rows = []
    # g: grows from 100 to 300 a year; s: steady; dcl: from 1200 a year to 60 in last 90 days.
    for m in range(1, 13):
        rows.append(("s", f"2023-{m:02d}-15", 100))
        rows.append(("s", f"2024-{m:02d}-15", 100))
        rows.append(("dcl", f"2023-{m:02d}-10", 100))
    rows += [("g", "2023-06-01", 100), ("g", "2024-06-01", 300), ("n", "2024-11-01", 50)]
    rows += [("dcl", "2024-11-20", 60), ("dcl", "2024-03-01", 500)]
    t = tx(rows)
    growth = d.growth_potential(t, as_of="2024-12-31")
    # g: +200 against its usual year; n: new with 50; s (steady) and dcl do not grow.
    assert growth["customer_id"].tolist() == ["g", "n"]
    assert growth["change"].tolist() == [200, 50]
    assert growth.set_index("customer_id").loc["n", "new"]
    dec = d.decliners(t, as_of="2024-12-31", threshold=0.40, recent_days=90)
    assert dec["customer_id"].tolist() == ["dcl"]
    row = dec.iloc[0]
    # Baseline 2023-10-03 .. 2024-10-01 (365 days before the 90-day window): Oct-Dec 2023
    # (3 x 100) and 500 in March 2024 = 800; usual for 90 days = 800 * 90 / 365.
    assert row["value_baseline"] == 800
    assert row["usual_value"] == pytest.approx(800 * 90 / 365)
    assert row["value_recent"] == 60
    assert row["value_at_risk"] == pytest.approx(800 * 90 / 365 - 60)
    # A stricter threshold leaves it out (60 / 197.3 = 0.30).
    assert d.decliners(t, as_of="2024-12-31", threshold=0.25, recent_days=90).empty


# ------------------------------------------------------------------ RFM
def test_rfm_quantile_scores_on_distinct_values():
    t = tx([(f"c{i}", f"2024-01-{i + 1:02d}", 10 * (i + 1)) for i in range(10)])
    s = d.rfm_scores(t, as_of="2024-01-31", bins=5)
    # Monetary 10..100: pairs of customers per level.
    assert s.sort_values("monetary")["m_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Later purchase = fewer days = higher R.
    assert s.set_index("customer_id").loc["c9", "r_score"] == 5
    assert s.set_index("customer_id").loc["c0", "r_score"] == 1
    cuts = d.rfm_cut_points(s)
    m = cuts[cuts["variable"] == "monetary"]
    assert m["n_customers"].tolist() == [2, 2, 2, 2, 2]
    assert m["min"].tolist() == [10, 30, 50, 70, 90]


def test_rfm_ties_stay_together_and_empty_levels_are_reported():
    # 8 customers with one purchase, 2 with three: frequency ties cannot fill 5 levels.
    rows = [(f"c{i}", "2024-01-02", 10) for i in range(8)]
    rows += [("x", d_, 10) for d_ in ("2024-01-01", "2024-01-02", "2024-01-03")]
    rows += [("y", d_, 10) for d_ in ("2024-01-01", "2024-01-02", "2024-01-03")]
    s = d.rfm_scores(tx(rows), bins=5)
    f = s.set_index("customer_id")["f_score"]
    assert f[[f"c{i}" for i in range(8)]].nunique() == 1  # equal values, equal score
    cuts = d.rfm_cut_points(s)
    fcut = cuts[cuts["variable"] == "frequency"]
    assert len(fcut) == 5 and fcut["n_customers"].sum() == 10
    assert (fcut["n_customers"] == 0).any()  # the empty levels are listed, not dropped


def test_rfm_custom_cut_points():
    t = tx([("a", "2024-12-30", 100), ("b", "2024-10-01", 600), ("c", "2024-01-01", 50),
            ("b", "2024-11-01", 600)])
    cuts = {"recency": [30, 180], "frequency": [1, 2], "monetary": [100, 1000]}
    s = d.rfm_scores(t, as_of="2024-12-31", bins=3, cut_points=cuts).set_index("customer_id")
    assert s.loc["a", ["r_score", "f_score", "m_score"]].tolist() == [3, 1, 1]
    assert s.loc["b", ["r_score", "f_score", "m_score"]].tolist() == [2, 2, 3]
    assert s.loc["c", ["r_score", "f_score", "m_score"]].tolist() == [1, 1, 1]
    table = d.rfm_cut_points(d.rfm_scores(t, as_of="2024-12-31", bins=3, cut_points=cuts))
    mon = table[table["variable"] == "monetary"]
    assert mon["method"].unique().tolist() == ["custom"]
    assert mon["upper"].tolist()[:2] == [100, 1000]
    with pytest.raises(ParameterError, match="cut_points"):
        d.rfm_scores(t, bins=3, cut_points={"monetary": [5, 1]})
    with pytest.raises(ParameterError, match="bins"):
        d.rfm_scores(t, bins=1)


def test_rfm_segments_default_table_and_template_agree():
    template = pd.read_csv(ROOT / "templates" / "rfm_segments.csv")
    pd.testing.assert_frame_equal(template, d.RFM_SEGMENTS, check_dtype=False)


def test_rfm_segments_rules():
    s = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [1, 2, 300, 40],
                      "frequency": [9, 1, 9, 2], "monetary": [900.0, 10.0, 800.0, 50.0],
                      "r_score": [5, 5, 1, 2], "f_score": [5, 1, 5, 2], "m_score": [5, 1, 5, 1]})
    s.attrs["bins"] = 5
    seg = d.rfm_segments(s, language="en").set_index("customer_id")
    assert seg["segment"].to_dict() == {"a": "champions", "b": "new", "c": "cannot_lose",
                                        "d": "hibernating"}
    assert seg.loc["a", "segment_label"] == "Champions"
    summary = d.rfm_segment_summary(seg.reset_index())
    assert summary["n_customers"].sum() == 4
    custom = pd.DataFrame({"segment": ["top"], "r_min": [4], "r_max": [5], "fm_min": [4],
                           "fm_max": [5]})
    seg2 = d.rfm_segments(s, custom, language="es").set_index("customer_id")
    assert seg2.loc["a", "segment"] == "top" and seg2.loc["b", "segment"] == "other"
    with pytest.raises(DataError, match="r_min"):
        d.rfm_segments(s, custom.assign(r_min=9))


# ------------------------------------------------------------------ lifecycle
def test_lifecycle_classes():
    t = tx([("new", "2024-12-01", 10), ("act", "2023-01-01", 10), ("act", "2024-10-01", 10),
            ("ina", "2023-01-01", 10), ("ina", "2024-03-01", 10),
            ("lost", "2022-01-01", 10), ("vip", "2021-01-01", 10)])
    lc = d.lifecycle_table(t, as_of="2024-12-31", special=["vip"]).set_index("customer_id")
    assert lc["lifecycle"].to_dict() == {"act": "active", "ina": "inactive", "lost": "lost",
                                         "new": "new", "vip": "special"}
    summ = d.lifecycle_summary(lc.reset_index())
    assert summ["lifecycle"].tolist() == ["new", "active", "inactive", "lost", "special"]
    assert summ["n_customers"].tolist() == [1, 1, 1, 1, 1]
    customers = pd.DataFrame({"customer_id": ["lost"], "special": [True]})
    lc2 = d.lifecycle_table(t, as_of="2024-12-31", special=customers).set_index("customer_id")
    assert lc2.loc["lost", "lifecycle"] == "special"
    with pytest.raises(ParameterError, match="lost_days"):
        d.lifecycle_table(t, active_days=400, lost_days=365)


def test_retention_worked_example():
    # 2022: a, b, c. 2023: a, b, d (d new). 2024: a, c (c returns), e (new).
    t = tx([("a", "2022-02-01", 1), ("b", "2022-03-01", 1), ("c", "2022-04-01", 1),
            ("a", "2023-02-01", 1), ("b", "2023-03-01", 1), ("d", "2023-04-01", 1),
            ("a", "2024-02-01", 1), ("c", "2024-03-01", 1), ("e", "2024-04-01", 1)])
    r = d.retention_table(t, as_of="2024-12-31", period="Y").set_index("period")
    assert r.loc["2023", "customers_start"] == 3 and r.loc["2023", "retained"] == 2
    assert r.loc["2023", "retention_rate"] == pytest.approx(2 / 3)
    assert r.loc["2024", "retained"] == 1 and r.loc["2024", "returning"] == 1
    assert r.loc["2024", "new"] == 1 and r.loc["2024", "lost"] == 2
    assert r.loc["2024", "churn_rate"] == pytest.approx(2 / 3)
    assert np.isnan(r.loc["2022", "retention_rate"])
    assert r["complete"].all()


def test_cohort_table():
    t = tx([("a", "2024-01-15", 1), ("b", "2024-02-15", 1), ("a", "2024-05-01", 1),
            ("c", "2024-05-02", 1), ("a", "2024-07-01", 1), ("c", "2024-10-01", 1)])
    c = d.cohort_table(t, as_of="2024-12-31", period="Q")
    q1 = c[c["cohort"] == "2024Q1"].set_index("period_index")
    assert q1["cohort_size"].iloc[0] == 2
    assert q1["retention"].tolist() == [1.0, 0.5, 0.5, 0.0]
    q2 = c[c["cohort"] == "2024Q2"].set_index("period_index")
    assert q2["n_active"].tolist() == [1, 0, 1]


# ------------------------------------------------------------------ properties
amounts = st.integers(min_value=-50, max_value=500).map(float)
rows_strategy = st.lists(
    st.tuples(st.sampled_from([f"k{i}" for i in range(12)]),
              st.integers(min_value=0, max_value=400), amounts),
    min_size=1, max_size=60)


def _frame(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    df["date"] = pd.Timestamp("2023-06-01") + pd.to_timedelta(df.pop("day"), unit="D")
    return df[["customer_id", "date", "amount"]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy, st.floats(min_value=0.05, max_value=0.9),
       st.floats(min_value=0.05, max_value=0.5))
def test_property_pareto_shares_and_classes(rows, a, gap):
    df = _frame(rows)
    cut = (a, min(a + gap, 1.0))
    before = df.copy(deep=True)
    p = d.pareto_table(df, cutoffs=cut)
    pd.testing.assert_frame_equal(df, before)  # input never mutated
    cum = p["cum_share"].to_numpy()
    assert (np.diff(cum) >= -1e-12).all()
    assert cum[-1] == pytest.approx(1.0)
    assert (p["cum_customer_share"].diff().dropna() > 0).all()
    # ABC classes partition the customers.
    assert set(p["pareto_class"]) <= {"A", "B", "C"}
    assert p["customer_id"].is_unique
    assert set(p["customer_id"]) == set(df["customer_id"])
    abc = d.abc_table(p)
    assert abc["n_customers"].sum() == len(p)
    if (p["value"] > 0).any():
        assert abc["value_share"].sum() == pytest.approx(1.0)
        assert p["pareto_class"].iloc[0] == "A"
    order = {"A": 0, "B": 1, "C": 2}
    assert (np.diff(p["pareto_class"].map(order).to_numpy()) >= 0).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy, st.integers(min_value=2, max_value=7))
def test_property_rfm_scores_in_range(rows, bins):
    df = _frame(rows)
    if not (df["amount"] >= 0).any():
        return
    s = d.rfm_scores(df, bins=bins)
    for c in ("r_score", "f_score", "m_score"):
        assert s[c].between(1, bins).all()
    assert s["rfm_score"].between(3, 3 * bins).all()
    # Equal values get equal scores.
    assert (s.groupby("frequency")["f_score"].nunique() == 1).all()
    assert (s.groupby("recency_days")["r_score"].nunique() == 1).all()
    cuts = d.rfm_cut_points(s)
    assert len(cuts) == 3 * bins
    assert (cuts.groupby("variable")["n_customers"].sum() == len(s)).all()
    seg = d.rfm_segments(s)
    assert len(seg) == len(s) and seg["segment"].notna().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy, st.randoms(use_true_random=False))
def test_property_row_order_changes_nothing(rows, rnd):
    df = _frame(rows)
    if not (df["amount"] >= 0).any():
        return
    order = list(range(len(df)))
    rnd.shuffle(order)
    shuffled = df.iloc[order].reset_index(drop=True)
    as_of = "2024-08-01"
    for func in (lambda x: d.customer_summary(x, as_of=as_of),
                 lambda x: d.pareto_table(x, as_of=as_of),
                 lambda x: d.rfm_scores(x, as_of=as_of),
                 lambda x: d.lifecycle_table(x, as_of=as_of),
                 lambda x: d.retention_table(x, as_of=as_of, period="Q"),
                 lambda x: d.cohort_table(x, as_of=as_of, period="Q"),
                 lambda x: d.decliners(x, as_of=as_of, recent_days=60, baseline_days=120),
                 lambda x: d.growth_potential(x, as_of=as_of, recent_days=60,
                                              baseline_days=120)):
        before = shuffled.copy(deep=True)
        pd.testing.assert_frame_equal(func(df), func(shuffled))
        pd.testing.assert_frame_equal(shuffled, before)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_property_gini_in_unit_interval(values):
    g = d.gini(values)
    if sum(values) > 0:
        assert -1e-12 <= g <= 1 - 1 / len(values) + 1e-9


# ------------------------------------------------------------------ plots
@pytest.fixture
def five_customers():
    return tx([("c1", "2024-01-01", 50), ("c2", "2024-01-01", 30), ("c3", "2024-02-01", 10),
               ("c1", "2024-03-01", 20), ("c4", "2024-04-01", 6), ("c5", "2024-05-01", 4),
               ("c2", "2024-06-01", 15), ("c3", "2024-09-01", 5)])


def test_plot_pareto_and_abc_draw_the_tables(five_customers):
    import matplotlib.pyplot as plt

    from crmlib import plot

    p = d.pareto_table(five_customers)
    ax = plot.plot_pareto(p, cutoffs=(0.8, 0.95), language="en")
    x, y = ax.lines[0].get_data()
    assert (x[0], y[0]) == (0, 0) and x[-1] == pytest.approx(1) and y[-1] == pytest.approx(1)
    np.testing.assert_allclose(y[1:], p["cum_share"])
    assert ax.get_xlabel() == "Cumulative share of customers"
    plt.close(ax.figure)
    abc = d.abc_table(p)
    ax = plot.plot_abc(abc, language="es")
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, list(abc["customer_share"]) + list(abc["value_share"]))
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["A", "B", "C"]
    assert ax.get_title() == "Clases ABC"
    plt.close(ax.figure)


def test_plot_rfm_lifecycle_retention_cohort(five_customers):
    import matplotlib.pyplot as plt

    from crmlib import plot

    scores = d.rfm_scores(five_customers, as_of="2024-12-31", bins=3)
    ax = plot.plot_rfm_heatmap(scores, language="en")
    # a seaborn heatmap: one mesh whose array holds the cells, row by row
    image = np.asarray(ax.collections[0].get_array()).reshape(3, 3)
    expected = scores.groupby(["r_score", "f_score"])["monetary"].mean()
    for (r, f), v in expected.items():
        assert image[3 - r, f - 1] == pytest.approx(v)  # rows from R=3 (top) down to R=1
    plt.close(ax.figure)

    seg = d.rfm_segment_summary(d.rfm_segments(scores, language="en"))
    ax = plot.plot_rfm_segments(seg, language="en")
    assert len(ax.patches) == 2 * len(seg)
    plt.close(ax.figure)

    lc = d.lifecycle_summary(d.lifecycle_table(five_customers, as_of="2024-12-31"),
                             language="en")
    ax = plot.plot_lifecycle(lc, language="en")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["New", "Active", "Inactive",
                                                            "Lost", "Special"]
    assert [b.get_height() for b in ax.patches] == lc["n_customers"].tolist()
    plt.close(ax.figure)

    ret = d.retention_table(five_customers, as_of="2024-12-31", period="Q")
    ax = plot.plot_retention(ret, language="es")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ret["retention_rate"].dropna())
    plt.close(ax.figure)

    coh = d.cohort_table(five_customers, as_of="2024-12-31", period="Q")
    ax = plot.plot_cohort_heatmap(coh, language="es")
    # a seaborn heatmap of shares (labels as locale percentages): one mesh, row by row
    grid = np.ma.asarray(ax.collections[0].get_array()).reshape(coh["cohort"].nunique(), -1)
    first = coh[coh["cohort"] == "2024Q1"].sort_values("period_index")["retention"]
    np.testing.assert_allclose(np.asarray(grid[0, : len(first)]), first)
    plt.close(ax.figure)


def test_plot_decliners_and_clv_plots():
    import matplotlib.pyplot as plt

    from crmlib import clv, plot

    dec = pd.DataFrame({"customer_id": ["a", "b"], "value_at_risk_annual": [300.0, 100.0]})
    ax = plot.plot_decliners(dec, language="en")
    assert sorted(b.get_width() for b in ax.patches) == [100.0, 300.0]
    plt.close(ax.figure)

    model = clv.BetaGeoModel(time_unit="W")
    model.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    model.time_unit_ = "W"
    matrix = clv.probability_alive_matrix(model, max_frequency=5, T=39.0, n_recency=10)
    ax = plot.plot_p_alive(matrix, time_unit="W", language="en")
    assert ax.get_xlabel() == "Recency (weeks)"
    assert np.nanmax(ax.images[0].get_array()) <= 1
    plt.close(ax.figure)

    holdout = pd.DataFrame({"frequency": [0, 1, 2], "n_customers": [5, 3, 2],
                            "actual": [0.2, 0.5, 1.5], "expected": [0.25, 0.6, 1.2],
                            "difference": [0.05, 0.1, -0.3]})
    holdout.attrs["max_frequency"] = 2
    ax = plot.plot_holdout(holdout, language="en")
    assert [b.get_height() for b in ax.patches] == [0.2, 0.5, 1.5, 0.25, 0.6, 1.2]
    assert ax.get_xticklabels()[-1].get_text() == "2+"
    plt.close(ax.figure)


def test_plots_reject_raw_data():
    from crmlib import plot

    with pytest.raises(DataError, match="cum_share"):
        plot.plot_pareto(pd.DataFrame({"customer_id": ["a"], "amount": [1.0]}))


def test_headlines_in_both_languages(five_customers):
    p = d.pareto_table(five_customers)
    s = d.pareto_summary(p)
    # es_ES writes a no-break space before the percent sign (CLDR percent pattern "#,##0 %").
    assert d.pareto_headline(s, "es").startswith(
        "El 40\u00a0% de los clientes aporta el 80\u00a0% del valor")
    assert d.pareto_headline(s, "en").startswith("40% of customers bring 80% of the value")
    summary = d.customer_summary(five_customers)
    assert "5 customers with purchases; 3 (60%) came back" in d.summary_headline(summary, "en")


def test_explorer_widget_builds_and_updates(five_customers, capsys):
    from crmlib import plot

    box = plot.differentiate_explorer(five_customers, as_of="2024-12-31", language="en")
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["A cut-off", "RFM levels", "Threshold"]
    sliders[1].value = 3  # recomputes without error
    sliders[0].value = 0.6


def test_calibration_holdout_by_days():
    from crmlib import clv

    t = tx([("a", "2024-01-01", 10), ("a", "2024-03-01", 10), ("a", "2024-11-01", 10),
            ("a", "2024-11-01", 5), ("b", "2024-02-01", 10), ("b", "2024-12-20", -3),
            ("c", "2024-10-15", 10)])
    cal = clv.calibration_holdout(t, holdout_days=91, observation_end="2024-12-31",
                                  time_unit="D").set_index("customer_id")
    # Calibration ends 2024-10-01: c (first purchase 2024-10-15) is not in it.
    assert sorted(cal.index) == ["a", "b"]
    assert cal.loc["a", "frequency"] == 1 and cal.loc["a", "frequency_holdout"] == 1
    assert cal.loc["a", "value_holdout"] == 15
    assert cal.loc["b", "frequency_holdout"] == 0  # a day of returns only is no purchase
    assert cal["duration_holdout"].iloc[0] == 91
    with pytest.raises(ParameterError, match="exactly one"):
        clv.calibration_holdout(t, calibration_end="2024-06-30", holdout_days=30)


def test_readable_formats_dates_and_shares(five_customers):
    p = d.pareto_table(five_customers)
    es = d.readable(d.abc_table(p), "es")
    en = d.readable(d.abc_table(p), "en")
    # Class A = c1 (70) + c2 (45) of 140 in total: 82.1 %.
    assert es["value_share"].tolist()[0] == "82,1\u00a0%" and \
        en["value_share"].tolist()[0] == "82.1%"
    assert es["n_customers"].tolist() == [str(n) for n in d.abc_table(p)["n_customers"]]
    s = d.readable(d.customer_summary(five_customers), "en")
    assert s["first_purchase"].iloc[0] == "01/01/2024"  # short date, day first (en_GB)
    # BG/NBD recency and age carry the summary's time unit in their headers
    assert "Recency: first to last purchase (days)" in s.columns
    assert "Antigüedad desde la primera compra (días)" in \
        d.readable(d.customer_summary(five_customers), "es").columns
