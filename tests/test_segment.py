"""Needs-based segments, share of wallet, the loyalty funnel and customer types."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from crmlib import segment as sg
from crmlib.exceptions import DataError, ParameterError
from crmlib.i18n import format_number, format_percent
from crmlib.instruments import load_instrument

DIMS = ["price", "quality", "delivery", "advice", "range", "convenience", "relationship",
        "innovation"]
# Three planted need profiles (1-5 importance per dimension).
PLANTED = np.array([
    [4.8, 3.0, 3.2, 2.0, 3.0, 3.5, 2.0, 2.2],   # price buyers
    [2.5, 4.7, 3.0, 4.6, 3.2, 2.8, 3.5, 4.2],   # quality and advice seekers
    [3.0, 3.2, 4.8, 2.6, 4.5, 4.6, 4.3, 2.8],   # convenience and relationship
])


def planted_needs(n_per=(120, 80, 60), noise=0.45, seed=7) -> tuple[pd.DataFrame, np.ndarray]:
    """Long needs answers of customers drawn from PLANTED, and their true segment."""
    rng = np.random.default_rng(seed)
    inst = load_instrument("needs")
    items = inst.items[["item_id", "dimension"]]
    rows, truth = [], []
    k = 0
    for seg, n in enumerate(n_per):
        for _ in range(n):
            cid = f"C{k:04d}"
            k += 1
            truth.append(seg)
            for item_id, dim in items.itertuples(index=False):
                mu = PLANTED[seg, DIMS.index(dim)]
                rows.append((cid, item_id, float(np.clip(np.rint(mu + rng.normal(0, noise)),
                                                         1, 5))))
    return pd.DataFrame(rows, columns=["customer_id", "item_id", "importance"]), np.array(truth)


@pytest.fixture(scope="module")
def planted():
    long, truth = planted_needs()
    features = sg.segment_features(sg.needs_scores(long))
    model = sg.NeedsSegmentation(seed=3, n_bootstrap=10).fit(features)
    return long, truth, features, model


# --------------------------------------------------------------------------- segmentation

def test_planted_segments_are_recovered_and_their_number_suggested(planted):
    # Known answer by construction: three need profiles planted with noise sd 0.45 on a
    # 1-5 scale; k-means must find three segments agreeing with the truth (ARI > 0.9).
    _, truth, features, model = planted
    assert model.suggested_ and model.n_segments_ == 3
    ari = adjusted_rand_score(truth, model.labels_.loc[features.index].to_numpy())
    assert ari > 0.9
    assert set(model.k_table_["n_segments"]) == {2, 3, 4, 5, 6}


def test_planted_segments_are_stable_by_bootstrap(planted):
    _, _, _, model = planted
    summary = model.stability_summary()
    assert summary["ari_mean"] >= sg.STABLE_ARI and bool(summary["stable"])
    assert len(model.stability_) == 10
    assert summary["ari_low"] <= summary["ari_mean"] <= summary["ari_high"] <= 1


def test_same_seed_same_segments_and_row_order_does_not_matter(planted):
    long, _, features, model = planted
    again = sg.NeedsSegmentation(seed=3, n_bootstrap=10).fit(features)
    pd.testing.assert_series_equal(model.labels_, again.labels_)
    shuffled = sg.segment_features(sg.needs_scores(long.sample(frac=1, random_state=1)))
    third = sg.NeedsSegmentation(seed=3, n_bootstrap=10).fit(shuffled.iloc[::-1])
    pd.testing.assert_series_equal(model.labels_, third.labels_)


def test_segments_are_numbered_by_size(planted):
    _, _, _, model = planted
    sizes = model.labels_.value_counts().sort_index()
    assert list(sizes.index) == [1, 2, 3]
    assert list(sizes) == sorted(sizes, reverse=True) == [120, 80, 60]


def test_chosen_number_of_segments_is_kept(planted):
    _, _, features, _ = planted
    model = sg.NeedsSegmentation(4, seed=0, n_bootstrap=5).fit(features)
    assert model.n_segments_ == 4 and not model.suggested_
    assert model.labels_.nunique() == 4 and len(model.k_table_) == 1


def test_too_few_customers_and_bad_numbers_are_refused(planted):
    _, _, features, _ = planted
    with pytest.raises(DataError, match="three per segment"):
        sg.NeedsSegmentation(5).fit(features.head(10))
    with pytest.raises(ParameterError, match="n_segments"):
        sg.NeedsSegmentation(1).fit(features)
    with pytest.raises(ParameterError, match="k_range"):
        sg.NeedsSegmentation(k_range=(1, 3)).fit(features)


def _numbers(sentence: str, language: str) -> list[str]:
    return re.findall(r"\((\d+[.,]\d) (?:frente a|against) (\d+[.,]\d)\)", sentence)


@pytest.mark.parametrize("language", ["es", "en"])
def test_profile_sentences_match_the_segment_means(planted, language):
    _, _, features, model = planted
    segs = model.segments()
    means = sg.segment_means(features, segs, language=language)
    profiles = sg.segment_profiles(features, segs, language=language)
    assert profiles["n_customers"].sum() == len(features)
    assert profiles["segment_name"].tolist() == [sg.segment_label(k, language) for k in (1, 2, 3)]
    for k, row in enumerate(profiles.itertuples(), start=1):
        m = means[means["segment"] == k].set_index("variable")
        pairs = _numbers(row.profile, language)
        assert pairs, row.profile
        needs = m[m["kind"] == "need"]
        above = needs[needs["difference"] >= 0.3].sort_values("difference", ascending=False)
        expected_first = (format_number(above["mean"].iloc[0], language, decimals=1),
                          format_number(above["overall"].iloc[0], language, decimals=1))
        assert pairs[0] == expected_first
        # every pair quoted is the mean and overall of one need of this segment
        quoted = {(format_number(r.mean, language, decimals=1),
                   format_number(r.overall, language, decimals=1)) for r in needs.itertuples()}
        assert set(pairs) <= quoted
        # the need named first is the one the segment values most above the average
        assert above["variable_label"].iloc[0].lower() in row.profile.lower()


def test_planted_price_segment_is_described_as_price_buyers(planted):
    _, truth, features, model = planted
    segs = model.segments()
    price_seg = int(model.labels_.iloc[np.flatnonzero(truth == 0)[0]])
    text = sg.segment_profiles(features, segs, language="en")["profile"].iloc[price_seg - 1]
    assert text.startswith("Segment 1 (120 customers")
    assert "values more than the average customer price (4.8" in text


def test_attributes_join_needs_and_name_their_categories():
    long, truth = planted_needs((40, 40, 40), seed=2)
    needs = sg.needs_scores(long)
    ids = needs.index
    attrs = pd.DataFrame({"customer_id": ids,
                          "sector": np.where(truth == 0, "Construcción", "Industria"),
                          "usage_rate": np.where(truth == 2, 50.0, 5.0)})
    f = sg.segment_features(needs, attrs)
    assert {"cat:sector=Construcción", "cat:sector=Industria", "attr:usage_rate"} <= set(f)
    model = sg.NeedsSegmentation(3, seed=0, n_bootstrap=5).fit(f)
    prof = sg.segment_profiles(f, model.segments(), language="es")
    whole = format_percent(1.0, "es")
    assert prof["profile"].str.contains(f"sector: Construcción en el {whole}").any()
    assert prof["profile"].str.contains("tasa de uso alta").any()
    with pytest.raises(ParameterError, match="variables"):
        sg.segment_features(needs, attrs, variables=["shoe_size"])
    with pytest.raises(DataError, match="region"):
        sg.segment_features(needs, attrs, variables=["region"])


# --------------------------------------------------------------------------- needs answers

def test_needs_scores_reverse_items_and_fill_blank_dimensions():
    inst = load_instrument("needs")
    items = inst.items.copy()
    items.loc[items["item_id"] == "ND02", "reverse"] = True
    from dataclasses import replace
    rev = replace(inst, items=items)
    long = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B", "B"],
                         "item_id": ["ND01", "ND02", "ND03", "ND01", "ND02", "ND12"],
                         "importance": [5, 1, 4, 3, 3, 2]})
    scores = sg.needs_scores(long, instrument=rev, min_answered=0.2)
    assert scores.loc["A", "price"] == 5  # (5 + (6 - 1)) / 2
    assert scores.loc["B", "price"] == 3
    assert scores.loc["B", "quality"] == 4  # B left quality blank: the mean of those who answered
    assert scores.loc["A", "innovation"] == 2


def test_needs_scores_name_unknown_items_and_answers_off_the_scale():
    long = pd.DataFrame({"customer_id": ["A", "A", "B"], "item_id": ["ND01", "XX9", "ND01"],
                         "importance": [5, 3, 9]})
    with pytest.raises(DataError) as err:
        sg.needs_scores(long)
    text = str(err.value)
    assert "item_id" in text and "XX9" in text and "importance" in text and "9" in text


def test_customers_with_few_answers_are_left_out():
    long = pd.DataFrame({"customer_id": ["A"] * 12 + ["B"],
                         "item_id": [f"ND{i:02d}" for i in range(1, 13)] + ["ND01"],
                         "importance": [3.0] * 13})
    assert list(sg.needs_scores(long).index) == ["A"]


def test_online_form_export_reads_back_to_the_same_answers():
    from crmlib.questionnaire import forms_csv_header

    long, _ = planted_needs((3, 2, 2), seed=1)
    wide = long.pivot(index="customer_id", columns="item_id", values="importance")
    for language in ("es", "en"):
        header = forms_csv_header("needs", language=language)
        export = pd.DataFrame([[cid, *wide.loc[cid].tolist()] for cid in wide.index],
                              columns=header)
        back = sg.needs_from_export(export)
        merged = back.merge(long, on=["customer_id", "item_id"], suffixes=("", "_sent"))
        assert len(merged) == len(long)
        assert (merged["importance"] == merged["importance_sent"]).all()


def test_filled_excel_form_reads_back_to_the_same_answers(tmp_path):
    import openpyxl

    from crmlib.questionnaire import write_questionnaire_excel

    path = write_questionnaire_excel("needs", tmp_path / "C0042.xlsx", language="es")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    sent = {}
    for row in ws.iter_rows():
        cell = row[0]
        if isinstance(cell.value, str) and re.fullmatch(r"ND\d\d", cell.value):
            sent[cell.value] = (int(cell.value[2:]) % 5) + 1
            ws.cell(row=cell.row, column=4, value=sent[cell.value])
    ws["C2"] = "C0042"
    wb.save(path)
    back = sg.needs_from_excel(path)
    assert set(back["customer_id"]) == {"C0042"}
    assert dict(zip(back["item_id"], back["importance"])) == sent


# --------------------------------------------------------------------------- share of wallet

def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


def test_share_of_wallet_by_hand():
    # Hand computation: window 365 days to 2024-12-31.
    # A bought 300 + 100 - 50 = 350 of a 1,000 wallet: share 0.35, gap 650.
    # B bought 200 of a 150 wallet (below spend): share capped at 1, gap 0, flagged.
    # C bought 100 in the window (its 2022 purchase is outside), no wallet: estimate.
    tx = _tx([("A", "2024-02-01", 300), ("A", "2024-06-01", 100), ("A", "2024-07-01", -50),
              ("B", "2024-03-01", 200), ("C", "2022-05-01", 900), ("C", "2024-05-01", 100)])
    wallet = pd.DataFrame({"customer_id": ["A", "B"], "category_spend": [1000.0, 150.0]})
    out = sg.share_of_wallet(tx, wallet=wallet, as_of="2024-12-31").set_index("customer_id")
    assert out.loc["A", "spend"] == 350 and out.loc["A", "wallet"] == 1000
    assert out.loc["A", "share_of_wallet"] == pytest.approx(0.35)
    assert out.loc["A", "wallet_gap"] == pytest.approx(650)
    assert out.loc["B", "share_of_wallet"] == 1 and out.loc["B", "wallet_gap"] == 0
    assert bool(out.loc["B", "wallet_below_spend"])
    # C's estimate: the 90th percentile of spend among all buyers (350, 200, 100) is
    # 200 + 0.8 * (350 - 200) = 320 (linear interpolation).
    assert out.loc["C", "wallet_source"] == "estimate"
    assert out.loc["C", "wallet"] == pytest.approx(320)
    assert out.loc["C", "share_of_wallet"] == pytest.approx(100 / 320)
    assert list(out.sort_values("growth_rank").index) == ["A", "C", "B"]
    by = sg.wallet_by_segment(out.reset_index())
    assert by.loc[0, "spend"] == 650 and by.loc[0, "wallet"] == pytest.approx(1470)
    assert by.loc[0, "share_of_wallet"] == pytest.approx(650 / 1470)
    assert by.loc[0, "n_estimated"] == 1


def test_wallet_estimate_is_per_segment_and_a_window_scales_the_wallet():
    tx = _tx([("A", "2024-10-01", 100), ("B", "2024-10-01", 1000), ("C", "2024-10-01", 10),
              ("D", "2024-10-01", 20)])
    segs = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "segment": [1, 1, 2, 2]})
    out = sg.share_of_wallet(tx, segments=segs, as_of="2024-12-31").set_index("customer_id")
    assert out.loc["A", "wallet"] == pytest.approx(100 + 0.9 * 900)
    assert out.loc["C", "wallet"] == pytest.approx(10 + 0.9 * 10)
    wallet = pd.DataFrame({"customer_id": ["A"], "category_spend": [730.0]})
    half = sg.share_of_wallet(tx, wallet=wallet, as_of="2024-12-31", window_days=182)
    assert half.set_index("customer_id").loc["A", "wallet"] == pytest.approx(730 * 182 / 365)


def test_negative_category_spend_is_refused_with_its_row():
    tx = _tx([("A", "2024-10-01", 100)])
    wallet = pd.DataFrame({"customer_id": ["A"], "category_spend": [-5.0]})
    with pytest.raises(DataError, match="category_spend"):
        sg.share_of_wallet(tx, wallet=wallet, as_of="2024-12-31")


# --------------------------------------------------------------------------- customer types

def test_customer_types_and_the_two_year_win_back_window():
    customers = pd.DataFrame({"customer_id": ["P", "A", "I1", "I2"],
                              "name": ["Pía", "Ana", "Iker", "Inés"],
                              "email": ["p@x.example", None, "i@x.example", None],
                              "phone": [None, "600", None, None]})
    tx = _tx([("A", "2024-06-01", 50), ("I1", "2023-06-01", 80), ("I2", "2022-06-01", 90),
              ("X", "2024-02-01", 10)])
    base = sg.customer_base(customers, tx)
    assert list(base["customer_id"]) == ["A", "I1", "I2", "P", "X"]
    assert list(base["registered"]) == [True, True, True, True, False]
    assert list(base["identified"]) == [True, True, False, True, False]
    types = sg.customer_types(base, tx, as_of="2024-12-31").set_index("customer_id")
    assert types.loc["P", "customer_type"] == "prospect"
    assert types.loc["A", "customer_type"] == "active"
    assert types.loc["I1", "customer_type"] == "inactive"
    assert bool(types.loc["I1", "in_winback_window"])          # 579 days
    assert not bool(types.loc["I2", "in_winback_window"])      # 944 days: past two years
    counts = sg.type_counts(types.reset_index())
    assert counts["n_customers"].tolist() == [1, 2, 2]
    assert counts["n_winback"].tolist() == [0, 0, 1]


def test_links_merge_records_of_one_customer_under_the_buying_id():
    customers = pd.DataFrame({"source": ["erp", "crm", "crm"],
                              "customer_id": ["C1", "K9", "K10"],
                              "name": ["Ana", "ANA", "Berta"], "email": [None, "a@x.example", None]})
    links = pd.DataFrame({"source": ["erp", "crm", "crm"], "customer_id": ["C1", "K9", "K10"],
                          "master_id": ["M1", "M1", "M2"]})
    tx = _tx([("C1", "2024-06-01", 50)])
    base = sg.customer_base(customers, tx, links=links).set_index("customer_id")
    assert list(base.index) == ["C1", "K10"]
    assert base.loc["C1", "n_records"] == 2 and bool(base.loc["C1", "identified"])
    types = sg.customer_types(base.reset_index(), tx, as_of="2024-12-31")
    assert types["customer_type"].tolist() == ["active", "prospect"]


def test_monthly_pattern_finds_the_planted_peak_and_the_calendar_calls_ahead():
    rows = []
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            amount = 300 if month in (7, 8) else 100
            rows.append(("A", f"{year}-{month:02d}-15", amount))
    pattern = sg.monthly_pattern(_tx(rows), as_of="2024-12-31", n_peaks=2)
    assert pattern.loc[pattern["peak"], "month"].tolist() == [7, 8]
    assert pattern["seasonal_index"].mean() == pytest.approx(1)
    assert pattern.set_index("month").loc[7, "seasonal_index"] == pytest.approx(300 / (1600 / 12))
    cal = sg.reactivation_calendar(pattern, as_of="2024-12-31", lead_days=21)
    assert cal["month"].dt.strftime("%Y-%m").tolist() == ["2025-07", "2025-08", "2025-12"]
    assert cal["reason"].tolist() == ["peak", "peak", "year_end"]
    assert cal.loc[0, "calls_from"] == pd.Timestamp("2025-06-10")
    assert cal.loc[0, "calls_until"] == pd.Timestamp("2025-06-30")


def test_reactivation_list_calls_the_most_valuable_first_and_fills_waves():
    types = pd.DataFrame({"customer_id": list("abcde"), "name": list("ABCDE"),
                          "customer_type": ["inactive"] * 4 + ["active"],
                          "last_purchase": pd.to_datetime(["2023-05-01"] * 5),
                          "days_since_last": [600] * 5, "n_purchases": [3] * 5,
                          "value_all_time": [10.0, 50.0, 30.0, 20.0, 99.0],
                          "in_winback_window": [True, True, True, True, False]})
    cal = pd.DataFrame({"wave": [1, 2], "month": pd.to_datetime(["2025-03-01", "2025-12-01"]),
                        "calls_from": pd.to_datetime(["2025-02-08", "2025-11-10"])})
    calls = sg.reactivation_list(types, cal)
    assert calls["customer_id"].tolist() == ["b", "c", "d", "a"]
    assert calls["wave"].tolist() == [1, 1, 2, 2]
    short = sg.reactivation_list(types, cal, per_wave=1)
    assert short["wave"].tolist() == [1, 2, 0, 0]


def test_reactivation_list_leaves_off_debts_handed_over_and_says_so():
    # b (the most valuable inactive customer) owes a debt past the hand-over step: the
    # collections team deals with it first, so the list starts with c.
    types = pd.DataFrame({"customer_id": list("abc"), "name": list("ABC"),
                          "customer_type": ["inactive"] * 3,
                          "last_purchase": pd.to_datetime(["2023-05-01"] * 3),
                          "days_since_last": [600] * 3, "n_purchases": [3] * 3,
                          "value_all_time": [10.0, 50.0, 30.0],
                          "in_winback_window": [True] * 3})
    cal = pd.DataFrame({"wave": [1], "month": pd.to_datetime(["2025-03-01"]),
                        "calls_from": pd.to_datetime(["2025-02-08"])})
    calls = sg.reactivation_list(types, cal, set_aside=["b", "zz"])
    assert calls["customer_id"].tolist() == ["c", "a"]
    assert calls["priority"].tolist() == [1, 2]
    assert calls.attrs["set_aside"] == 1  # zz is not on the list to begin with
    es = sg.calendar_sentence(cal, calls, "es")
    en = sg.calendar_sentence(cal, calls, "en")
    assert "Se dejan fuera 1 clientes" in es and "1 inactive customers" in en
    assert "set_aside" not in sg.calendar_sentence(cal, sg.reactivation_list(types, cal), "en")
    nobody = sg.reactivation_list(types, cal, set_aside=list("abc"))
    assert nobody.empty and nobody.attrs["set_aside"] == 3
    assert "3 inactive customers" in sg.calendar_sentence(cal, nobody, "en")


# --------------------------------------------------------------------------- funnel

@st.composite
def funnel_world(draw):
    n = draw(st.integers(1, 25))
    ids = [f"C{i:02d}" for i in range(n)]
    registered = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    identified = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    base = pd.DataFrame({"customer_id": ids, "registered": registered,
                         "identified": identified})
    day = st.integers(0, 1000)
    tx_rows = draw(st.lists(st.tuples(st.sampled_from(ids), day,
                                      st.floats(-50, 500, allow_nan=False)), max_size=60))
    tx = pd.DataFrame(tx_rows, columns=["customer_id", "day", "amount"]).astype(
        {"day": int, "amount": float})
    tx["date"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(tx["day"], unit="D")
    tx = tx[["customer_id", "date", "amount"]]
    it_rows = draw(st.lists(st.tuples(st.sampled_from(ids), day), max_size=20))
    it = pd.DataFrame(it_rows, columns=["customer_id", "day"]).astype({"day": int})
    it["opened_at"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(it["day"], unit="D")
    segs = pd.DataFrame({"customer_id": draw(st.lists(st.sampled_from(ids), unique=True)),
                         "segment": 1})
    wallet = pd.DataFrame({"customer_id": ids,
                           "share_of_wallet": draw(st.lists(st.floats(0, 1), min_size=n,
                                                            max_size=n))})
    falling = draw(st.lists(st.sampled_from(ids), unique=True))
    return base, tx, it[["customer_id", "opened_at"]], segs, wallet, falling


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(funnel_world())
def test_funnel_steps_are_nested_and_counts_add_up(world):
    base, tx, it, segs, wallet, falling = world
    steps = sg.funnel_steps(base, tx, interactions=it, segments=segs, wallet=wallet,
                            as_of="2024-12-31", decliners=falling)
    assert not steps.loc[steps["customer_id"].isin(falling), "loyal"].any()
    assert len(steps) == len(base)
    for before, after in zip(sg.STEPS, sg.STEPS[1:]):
        assert not (steps[after] & ~steps[before]).any()
    table = sg.funnel_table(steps)
    counts = table["n_customers"].tolist()
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == int(base["registered"].sum())
    assert table["n_lost"].sum() == counts[0] - counts[-1]
    # every customer sits on exactly one last step, and the counts of last steps add up
    reached = steps["funnel_step"].value_counts()
    for i, step in enumerate(sg.STEPS):
        beyond = sum(reached.get(s, 0) for s in sg.STEPS[i:])
        assert beyond == counts[i]
    assert reached.get("none", 0) == len(base) - counts[0]
    if counts[0]:
        loss = sg.funnel_loss(table)
        assert loss["n_lost"] == table["n_lost"].max()


def test_funnel_evidence_by_hand():
    base = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "registered": True,
                         "identified": [True, True, True, False]})
    tx = _tx([("a", "2024-03-10", 100), ("a", "2024-09-10", 100), ("b", "2024-03-10", 100),
              ("c", "2024-05-01", 100), ("d", "2024-05-01", 100)])
    it = pd.DataFrame({"customer_id": ["a", "b", "c"],
                       "opened_at": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-04-20"])})
    segs = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "segment": 1})
    wallet = pd.DataFrame({"customer_id": ["a", "c"], "share_of_wallet": [0.6, 0.9]})
    steps = sg.funnel_steps(base, tx, interactions=it, segments=segs, wallet=wallet,
                            as_of="2024-12-31").set_index("customer_id")
    # a: contact 1 March, bought 10 March (9 days later) and again: loyal, 60 % share.
    assert steps.loc["a", "funnel_step"] == "growing_share"
    # b: contact 1 January, bought 10 March (69 days) once: personalized, not loyal.
    assert steps.loc["b", "funnel_step"] == "personalized"
    # c: contact 20 April, bought 1 May once: personalized; its 90 % share is not reached.
    assert steps.loc["c", "funnel_step"] == "personalized"
    # d: no e-mail or phone: stops at registered.
    assert steps.loc["d", "funnel_step"] == "registered"
    table = sg.funnel_table(steps.reset_index())
    assert table.set_index("funnel_step")["n_customers"].tolist() == [4, 3, 3, 3, 3, 3, 1, 1]
    loss = sg.funnel_loss(table)
    assert (loss["funnel_step"], loss["previous_step"], loss["n_lost"]) == \
        ("loyal", "personalized", 2)
    # a decliner (the view's verdict) is never loyal, however many purchase days it has
    held = sg.funnel_steps(base, tx, interactions=it, segments=segs, wallet=wallet,
                           as_of="2024-12-31", decliners=["a"]).set_index("customer_id")
    assert held.loc["a", "funnel_step"] == "personalized"
    assert held.drop(index="a")["funnel_step"].equals(steps.drop(index="a")["funnel_step"])


# --------------------------------------------------------------------------- sample data

SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "data_samples"


@pytest.mark.parametrize("client", ["movil-andina", "distribuidora-norte", "hotel-mirador"])
def test_sample_needs_answers_load_and_cover_the_instrument(client):
    from crmlib.io import read_client_table

    answers = read_client_table(SAMPLES / client, "needs_responses")
    assert set(answers["item_id"]) == set(load_instrument("needs").item_ids)
    assert answers["importance"].dropna().between(1, 5).all()
    assert 0 < answers["importance"].isna().mean() < 0.05  # a few blanks
    assert answers["customer_id"].nunique() >= 150
    tx = read_client_table(SAMPLES / client, "transactions")
    assert set(answers["customer_id"]) <= set(tx["customer_id"].dropna())


def test_sample_attributes_b2b_for_the_distributor_and_b2c_for_the_operator():
    from crmlib.io import read_client_table

    norte = read_client_table(SAMPLES / "distribuidora-norte", "customer_attributes")
    assert {"sector", "size_band", "category_spend"} <= set(norte.columns)
    spend = norte["category_spend"].dropna()
    assert len(spend) > 0.8 * len(norte) and spend.median() > 1000  # decimal comma read right
    movil = read_client_table(SAMPLES / "movil-andina", "customer_attributes")
    assert {"age_band", "region", "usage_rate"} <= set(movil.columns)
    assert "category_spend" not in movil.columns
    from crmlib.io import has_client_table
    assert not has_client_table(SAMPLES / "hotel-mirador", "customer_attributes")


def test_committed_needs_forms_match_the_instrument(tmp_path):
    """templates/questionnaires/needs holds what the generator makes from the instrument."""
    from crmlib.questionnaire import write_questionnaire_set

    committed = SAMPLES.parent / "templates" / "questionnaires" / "needs"
    fresh = write_questionnaire_set("needs", tmp_path, pdf=False)
    assert sorted(p.name for p in fresh) == sorted(p.name for p in committed.iterdir()
                                                  if p.suffix in (".html", ".xlsx", ".csv"))
    for path in fresh:
        if path.suffix in (".html", ".csv"):
            assert (committed / path.name).read_text(encoding="utf-8") == \
                path.read_text(encoding="utf-8"), f"{path.name} is stale: regenerate it"
    blank = sg.needs_from_excel(committed / "needs_en.xlsx")
    assert blank["item_id"].tolist() == load_instrument("needs").item_ids
    assert blank["importance"].isna().all()


def test_a_survey_export_saved_as_needs_responses_reads_as_the_long_table(tmp_path):
    """A Google Forms export of the needs form in the client folder is the contract table."""
    from crmlib.io import read_client_table
    from crmlib.questionnaire import forms_csv_header

    long, _ = planted_needs((4, 3, 3), seed=5)
    wide = long.pivot(index="customer_id", columns="item_id", values="importance")
    header = ["Marca temporal", *forms_csv_header("needs", language="es")]
    rows = [[f"2024/11/0{1 + i % 9} 10:00:00", cid,
             *[{1: "Nada importante", 5: "Decisivo"}.get(int(v), int(v)) for v in wide.loc[cid]]]
            for i, cid in enumerate(wide.index)]
    pd.DataFrame(rows, columns=header).to_csv(tmp_path / "needs_responses.csv", index=False)
    back = read_client_table(tmp_path, "needs_responses")
    merged = back.merge(long, on=["customer_id", "item_id"], suffixes=("", "_sent"))
    assert len(back) == len(long) == len(merged)
    assert (merged["importance"] == merged["importance_sent"]).all()


def test_segment_client_says_why_there_are_no_segments():
    none = sg.segment_client(None, None, language="en")
    assert not none.ok and none.segments.empty and "no segmentation" in none.note
    flat = pd.DataFrame({"customer_id": [f"C{i}" for i in range(30)], "sector": "Industria"})
    assert not sg.segment_client(None, flat, language="es").ok  # nothing varies
    long, _ = planted_needs((5, 4, 3), seed=4)
    few = sg.segment_client(long, None, n_segments=6, language="en", n_bootstrap=3)
    assert not few.ok and "12 customers" in few.note
    ok = sg.segment_client(long, None, language="en", n_bootstrap=3)
    assert ok.ok and ok.model.k_table_["n_segments"].max() == 4  # 12 customers: 3 each at most
