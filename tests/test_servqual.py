"""crmlib.servqual: known answers, invariants and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import servqual as sq
from crmlib.exceptions import DataError, ParameterError
from crmlib.instruments import load_instrument

DATA = Path(__file__).parent / "data" / "servqual"
DIMS = list(sq.DIMENSIONS)
ITEMS = [f"SQ{i:02d}" for i in range(1, 23)]
ITEM_DIM = ["tangibles"] * 4 + ["reliability"] * 5 + ["responsiveness"] * 4 \
    + ["assurance"] * 4 + ["empathy"] * 5


def synth(n=120, seed=0, zone=False, segments=("a", "b")):
    """A random but structured survey: reliability falls short most, drives the rating."""
    rng = np.random.default_rng(seed)
    dims = np.array([DIMS.index(d) for d in ITEM_DIM])
    shift = np.array([0.2, -1.0, -0.6, -0.1, -0.4])
    base = rng.normal(0, 0.7, (n, 5))
    e = np.clip(np.round(6 + rng.normal(0, .6, (n, 22))), 1, 7)
    p = np.clip(np.round(e + shift[dims] + base[:, dims] + rng.normal(0, .6, (n, 22))), 1, 7)
    rid = [f"R{i:05d}" for i in range(n)]
    df = pd.DataFrame({"respondent_id": np.repeat(rid, 22), "item_id": np.tile(ITEMS, n),
                       "expectation": e.ravel(), "perception": p.ravel()})
    if zone:
        df["adequate"] = np.clip(e - 2, 1, 7).ravel()
        df["desired"] = e.ravel()
    imp = rng.dirichlet([2, 5, 3, 3, 2], n) * 100
    gd = np.column_stack([(p - e)[:, dims == d].mean(1) for d in range(5)])
    overall = np.clip(np.round(5 + gd @ np.array([.1, .8, .4, .2, .3])
                               + rng.normal(0, .5, n)), 1, 7)
    resp = pd.DataFrame({"respondent_id": rid, "segment": rng.choice(segments, n),
                         "overall_rating": overall,
                         **{f"importance_{d}": imp[:, j] for j, d in enumerate(DIMS)}})
    return df, resp


# ----------------------------------------------------------------- hand-computed example

def _hand_example():
    """Two respondents, one or two items per dimension (worked out by hand below)."""
    rows = [
        # respondent, item, E, P
        ("R1", "SQ01", 7, 5), ("R1", "SQ02", 6, 6), ("R1", "SQ05", 7, 4), ("R1", "SQ10", 5, 6),
        ("R1", "SQ14", 6, 6), ("R1", "SQ18", 7, 5),
        ("R2", "SQ01", 5, 5), ("R2", "SQ02", 7, 4), ("R2", "SQ05", 6, 5), ("R2", "SQ10", 6, 4),
        ("R2", "SQ14", 7, 7), ("R2", "SQ18", 5, 6),
    ]
    responses = pd.DataFrame(rows, columns=["respondent_id", "item_id", "expectation",
                                            "perception"])
    respondents = pd.DataFrame({
        "respondent_id": ["R1", "R2"],
        "importance_tangibles": [10, 10], "importance_reliability": [40, 10],
        "importance_responsiveness": [20, 10], "importance_assurance": [20, 10],
        "importance_empathy": [10, 10],  # R2 gave 50 points in all: rescaled to 20 each
    })
    return responses, respondents


def test_gap_and_weighted_scores_hand_computed():
    # By hand:
    #   R1 dimension gaps: tangibles (-2+0)/2=-1, reliability -3, responsiveness +1,
    #      assurance 0, empathy -2; weights .1 .4 .2 .2 .1 -> weighted -1.3
    #   R2: tangibles (0-3)/2=-1.5, reliability -1, responsiveness -2, assurance 0,
    #      empathy +1; weights .2 each -> weighted -0.7
    #   unweighted by dimension: -1.25, -2, -0.5, 0, -0.5; overall -4.25/5 = -0.85
    #   weighted contributions: -0.2, -0.7, -0.1, 0, 0; weighted score -1.0
    responses, respondents = _hand_example()
    gaps = sq.gap_table(responses)
    assert gaps["gap"].tolist() == [-2, 0, -3, 1, 0, -2, 0, -3, -1, -2, 0, 1]
    scores = sq.servqual_scores(gaps, respondents).set_index("dimension")
    np.testing.assert_allclose(scores.loc[DIMS, "gap"], [-1.25, -2, -0.5, 0, -0.5])
    np.testing.assert_allclose(scores.loc[DIMS, "weighted_gap"], [-0.2, -0.7, -0.1, 0, 0],
                               atol=1e-12)
    np.testing.assert_allclose(scores.loc[DIMS, "importance"], [15, 30, 20, 20, 15])
    assert scores.loc["overall", "gap"] == pytest.approx(-0.85)
    assert scores.loc["overall", "weighted_gap"] == pytest.approx(-1.0)
    assert scores.loc["overall", "n_weighted"] == 2
    resp = sq.respondent_gaps(gaps).set_index(["respondent_id", "dimension"])
    assert resp.loc[("R2", "tangibles"), "gap"] == -1.5
    assert resp.loc[("R1", "tangibles"), "n_items"] == 2


def test_scores_without_importance_leave_weighted_empty():
    responses, _ = _hand_example()
    scores = sq.servqual_scores(sq.gap_table(responses))
    assert scores["weighted_gap"].isna().all()
    assert scores.set_index("dimension").loc["overall", "gap"] == pytest.approx(-0.85)


def test_item_and_dimension_gaps_hand_computed():
    responses, _ = _hand_example()
    gaps = sq.gap_table(responses)
    items = sq.item_gaps(gaps).set_index("item_id")
    assert items.loc["SQ02", "gap"] == -1.5  # (0 + -3) / 2
    assert items.loc["SQ02", "expectation"] == 6.5
    # t interval with n=2: mean -1.5, sd 2.1213, se 1.5, t(0.975, 1) = 12.706
    assert items.loc["SQ02", "ci_low"] == pytest.approx(-1.5 - 12.7062 * 1.5, abs=1e-3)
    assert items["gap_rank"].loc["SQ05"] == 1  # -2 is the largest shortfall
    dims = sq.dimension_gaps(gaps).set_index("dimension")
    assert dims.loc["tangibles", "gap"] == -1.25
    assert dims.loc["tangibles", "n_items"] == 2


def test_1988_negative_items_are_reverse_scored():
    # servqual-1988 flags the nine negatively worded statements (SQ10-SQ13, SQ18-SQ22;
    # Parasuraman, Zeithaml & Berry 1988, appendix). On a 1-7 scale x -> 8 - x.
    inst = load_instrument("servqual-1988")
    assert inst.items.loc[inst.items["reverse"], "item_id"].tolist() == \
        ["SQ10", "SQ11", "SQ12", "SQ13", "SQ18", "SQ19", "SQ20", "SQ21", "SQ22"]
    assert not load_instrument("servqual-1991").items["reverse"].any()
    responses = pd.DataFrame({"respondent_id": ["R1"] * 3, "item_id": ["SQ01", "SQ10", "SQ22"],
                              "expectation": [6, 2, 1], "perception": [5, 3, 7]})
    g88 = sq.gap_table(responses, instrument="servqual-1988")
    assert g88["expectation"].tolist() == [6, 6, 7]
    assert g88["perception"].tolist() == [5, 5, 1]
    assert g88["gap"].tolist() == [-1, -1, -6]
    g91 = sq.gap_table(responses, instrument="servqual-1991")
    assert g91["gap"].tolist() == [-1, 1, 6]


def test_adapted_instrument_on_five_point_scale(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("""
name: mine
title: {es: Mío, en: Mine}
scale: {min: 1, max: 5}
parts: [expectation, perception]
dimensions: {reliability: {es: Fiabilidad, en: Reliability}, speed: {es: Rapidez, en: Speed}}
items:
  - {id: A1, dimension: reliability, text: {es: uno, en: one}}
  - {id: A2, dimension: reliability, text: {es: dos, en: two}}
  - {id: B1, dimension: speed, reverse: true, text: {es: tres, en: three}}
""", encoding="utf-8")
    responses = pd.DataFrame({"respondent_id": ["x", "x", "x"], "item_id": ["A1", "A2", "B1"],
                              "expectation": [5, 4, 2], "perception": [3, 4, 1]})
    gaps = sq.gap_table(responses, instrument=path)
    # B1 reversed on 1-5: x -> 6 - x: E 4, P 5
    assert gaps["gap"].tolist() == [-2, 0, 1]
    assert sq.dimension_gaps(gaps)["dimension"].tolist() == ["reliability", "speed"]
    with pytest.raises(DataError, match="outside the scale 1-5"):
        sq.gap_table(responses.assign(perception=[6, 4, 1]), instrument=path)
    # consultant removes items: SQ01 missing from responses is fine, an unknown item is not
    inst = load_instrument("servqual-1991").with_items(
        pd.DataFrame({"item_id": ["SQ23"], "dimension": ["empathy"],
                      "text_es": ["extra"], "text_en": ["extra"]}))
    extra = pd.DataFrame({"respondent_id": ["r"], "item_id": ["SQ23"], "expectation": [7],
                          "perception": [6]})
    assert sq.gap_table(extra, instrument=inst)["dimension"].tolist() == ["empathy"]


# ----------------------------------------------------------------- Cronbach's alpha


def test_cronbach_alpha_pairwise_matches_pingouin_and_psych():
    # pingouin 0.7 docs, cronbach_alpha example: pg.cronbach_alpha(data) on
    # cronbach_wide_missing -> (0.732660835214447, [0.435, 0.909]); in R:
    # psych::alpha(data, use="pairwise").
    data = pd.read_csv(DATA / "cronbach_wide_missing.csv", encoding="utf-8-sig")
    res = sq.cronbach_alpha(data)
    assert res["alpha"] == pytest.approx(0.732660835214447, abs=1e-9)
    assert (round(res["ci_low"], 3), round(res["ci_high"], 3)) == (0.435, 0.909)
    assert res["n_items"] == 11 and res["n_respondents"] == 12


def test_cronbach_alpha_listwise_matches_pingouin_and_psych():
    # pingouin docs: cronbach_alpha(data, nan_policy="listwise") -> 0.8016949152542373;
    # in R: psych::alpha(data, use="complete.obs"). pingouin prints the interval
    # [0.581, 0.933] computed with n = 12 (all rows, before deletion); we use the 9
    # complete rows actually analysed, which gives Feldt's [0.533, 0.947]:
    # 1 - (1 - a) * F.isf(0.025, 8, 80) and 1 - (1 - a) * F.isf(0.975, 8, 80).
    data = pd.read_csv(DATA / "cronbach_wide_missing.csv", encoding="utf-8-sig")
    res = sq.cronbach_alpha(data, nan_policy="listwise")
    assert res["alpha"] == pytest.approx(0.8016949152542373, abs=1e-9)
    assert res["n_respondents"] == 9
    assert (round(res["ci_low"], 3), round(res["ci_high"], 3)) == (0.533, 0.947)


def test_cronbach_alpha_long_example_matches_pingouin():
    # pingouin docs: cronbach_alpha(data=df, items='Items', scores='Scores', subject='Subj')
    # on its cronbach_alpha dataset -> (0.5917188485995826, [0.195, 0.84]).
    long = pd.read_csv(DATA / "cronbach_long.csv")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    res = sq.cronbach_alpha(wide)
    assert res["alpha"] == pytest.approx(0.5917188485995826, abs=1e-9)
    assert (round(res["ci_low"], 3), round(res["ci_high"], 3)) == (0.195, 0.84)


def test_cronbach_alpha_bad_input():
    with pytest.raises(DataError, match="at least 2 items"):
        sq.cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(DataError, match="must be numeric"):
        sq.cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))
    with pytest.raises(ParameterError, match="nan_policy"):
        sq.cronbach_alpha(pd.DataFrame({"a": [1, 2], "b": [1, 2]}), nan_policy="drop")


def test_item_reliability_against_direct_computation():
    responses, _ = synth(80, seed=3)
    gaps = sq.gap_table(responses)
    table = sq.item_reliability_table(gaps).set_index("item_id")
    wide = gaps.astype({"respondent_id": str, "item_id": str}).pivot(
        index="respondent_id", columns="item_id", values="gap")
    rel = wide[ITEMS[4:9]]  # reliability items, complete data
    for item in rel.columns:
        others = rel.drop(columns=item)
        r = np.corrcoef(rel[item], others.sum(axis=1))[0, 1]
        assert table.loc[item, "item_total_r"] == pytest.approx(r)
        assert table.loc[item, "alpha_if_deleted"] == pytest.approx(
            sq.cronbach_alpha(others)["alpha"])
    dims = sq.reliability_table(gaps).set_index("dimension")
    assert dims.loc["reliability", "alpha"] == pytest.approx(sq.cronbach_alpha(rel)["alpha"])
    assert dims.loc["all", "n_items"] == 22


# ----------------------------------------------------------------- zone of tolerance


def test_zone_of_tolerance_hand_computed():
    responses = pd.DataFrame({
        "respondent_id": ["a", "a", "b", "b"], "item_id": ["SQ01", "SQ05", "SQ01", "SQ05"],
        "expectation": [6, 6, 6, 6], "perception": [3, 7, 5, 6],
        "adequate": [4, 4, 4, 4], "desired": [6, 6, 6, 6]})
    zone = sq.zone_of_tolerance(sq.gap_table(responses), by="item").set_index("item_id")
    # SQ01: P mean 4, A 4, D 6 -> MSA 0, MSS -2: within; SQ05: P 6.5 -> MSS +0.5: above
    assert zone.loc["SQ01", ["msa", "mss", "zone_width"]].tolist() == [0, -2, 2]
    assert zone.loc["SQ01", "position"] == "within"
    assert zone.loc["SQ05", "position"] == "above"
    below = sq.zone_of_tolerance(sq.gap_table(responses.assign(perception=[3, 3, 3, 3])))
    assert set(below["position"]) == {"below"}
    with pytest.raises(DataError, match="zone of tolerance"):
        sq.zone_of_tolerance(sq.gap_table(responses.drop(columns=["adequate", "desired"])))


# ----------------------------------------------------------------- tests and models


def test_paired_tests_hand_computed():
    # differences P - E = 1, 2, 3, 4 on SQ05: mean 2.5, sd 1.2910, t = 2.5 / (1.2910 / 2)
    # = 3.873 on 3 df, two-sided p = 0.0305; 95% CI 2.5 -/+ 3.1824 * 0.6455
    responses = pd.DataFrame({"respondent_id": list("abcd"), "item_id": ["SQ05"] * 4,
                              "expectation": [3, 3, 3, 3], "perception": [4, 5, 6, 7]})
    res = sq.paired_tests(sq.gap_table(responses), level="item").iloc[0]
    assert res["t"] == pytest.approx(3.873, abs=1e-3)
    assert res["p_t"] == pytest.approx(0.0305, abs=1e-4)
    assert res["ci_low"] == pytest.approx(2.5 - 3.1824 * 0.6455, abs=1e-3)
    assert res["effect_size"] == pytest.approx(2.5 / 1.2910, abs=1e-3)
    # Wilcoxon: all four differences positive -> W = 0 (smaller rank sum), exact p = 0.125
    assert res["w"] == 0 and res["p_wilcoxon"] == pytest.approx(0.125)


def test_paired_tests_correct_for_multiple_testing():
    responses, _ = synth(60, seed=1)
    gaps = sq.gap_table(responses)
    items = sq.paired_tests(gaps, level="item", correction="bonferroni")
    np.testing.assert_allclose(items["p_adjusted"], np.minimum(items["p_t"] * 22, 1))
    dims = sq.paired_tests(gaps).set_index("dimension")
    assert dims.loc["reliability", "significant"]
    assert dims.loc["reliability", "mean_diff"] < 0
    with pytest.raises(ParameterError, match="correction"):
        sq.paired_tests(gaps, correction="magic")


def test_holm_adjustment_hand_computed_and_as_statsmodels():
    # Holm (1979): p = .01, .04, .03, .005 -> sorted .005 .01 .03 .04 times 4 3 2 1
    # = .02 .03 .06 .04 -> running max .02 .03 .06 .06
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, 0.04, 0.03, 0.005])
    adj, rej = sq._adjust(p, "holm", 0.05)
    np.testing.assert_allclose(adj, [0.03, 0.06, 0.06, 0.02])
    assert rej.tolist() == [True, False, False, True]
    rng = np.random.default_rng(7)
    for _ in range(20):
        q = rng.uniform(0, 0.2, rng.integers(1, 30))
        ref_rej, ref_adj, _, _ = multipletests(q, alpha=0.05, method="holm")
        adj, rej = sq._adjust(q, "holm", 0.05)
        np.testing.assert_allclose(adj, ref_adj)
        assert rej.tolist() == ref_rej.tolist()


def test_importance_regression_recovers_exact_relation():
    responses, respondents = synth(150, seed=2)
    gaps = sq.gap_table(responses)
    gd = sq.respondent_gaps(gaps).pivot(index="respondent_id", columns="dimension",
                                        values="gap")[DIMS]
    beta = np.array([0.0, 1.0, 0.5, 0.25, 0.25])
    y = 4 + gd.to_numpy() @ beta
    respondents = respondents.set_index("respondent_id").loc[gd.index].reset_index()
    respondents["overall_rating"] = y
    reg = sq.importance_regression(gaps, respondents).set_index("dimension")
    np.testing.assert_allclose(reg.loc[DIMS, "coef"], beta, atol=1e-9)
    assert reg["r_squared"].iloc[0] == pytest.approx(1.0)
    std = beta * gd.std().to_numpy() / y.std(ddof=1)
    np.testing.assert_allclose(reg.loc[DIMS, "derived_importance"],
                               np.clip(std, 0, None) / np.clip(std, 0, None).sum() * 100,
                               atol=1e-6)
    assert reg["derived_importance"].sum() == pytest.approx(100)
    with pytest.raises(DataError, match="overall_rating"):
        sq.importance_regression(gaps, respondents.drop(columns="overall_rating"))


def test_segment_comparison_hand_computed_anova():
    # one item per respondent on SQ01; gaps: segment a: -1, -2, -3; segment b: 1, 0, 2
    # grand mean -0.5; SSB = 3*(-2+0.5)^2 + 3*(1+0.5)^2 = 13.5; SSW = 2 + 2 = 4
    # F = (13.5 / 1) / (4 / 4) = 13.5
    responses = pd.DataFrame({"respondent_id": list("uvwxyz"), "item_id": ["SQ01"] * 6,
                              "expectation": [5] * 6, "perception": [4, 3, 2, 6, 5, 7]})
    respondents = pd.DataFrame({"respondent_id": list("uvwxyz"),
                                "segment": ["a", "a", "a", "b", "b", "b"]})
    gaps = sq.gap_table(responses)
    res = sq.segment_comparison(gaps, respondents).iloc[0]
    assert res["f"] == pytest.approx(13.5)
    assert res["n_segments"] == 2
    assert (res["lowest_segment"], res["highest_segment"]) == ("a", "b")
    by_seg = sq.segment_gaps(gaps, respondents).set_index("segment")
    assert by_seg.loc["a", "gap"] == -2 and by_seg.loc["b", "gap"] == 1


def test_ipa_quadrants_hand_made():
    scores = pd.DataFrame({
        "dimension": [*DIMS, "overall"],
        "importance": [10, 35, 25, 15, 15, 100],
        "perception": [6.0, 4.0, 6.0, 4.5, 6.5, 5.4],
        "gap": [0.1, -1.5, 0.2, -0.8, 0.3, -0.3]})
    ipa = sq.ipa_table(scores).set_index("dimension")
    # cuts: importance 20, performance 5.4
    assert ipa.loc["reliability", "quadrant"] == "concentrate"
    assert ipa.loc["responsiveness", "quadrant"] == "keep_up"
    assert ipa.loc["assurance", "quadrant"] == "low_priority"
    assert ipa.loc["empathy", "quadrant"] == "overkill"
    assert ipa.loc["reliability", "priority"] == 1
    assert sorted(ipa["priority"]) == [1, 2, 3, 4, 5]
    with pytest.raises(ParameterError, match="regression"):
        sq.ipa_table(scores, importance="derived")


def test_ipa_without_stated_or_positive_derived_importance_is_a_sentence_not_a_crash():
    """A survey found by the stage property test: importance points for three of the five
    dimensions (so no respondent has all five) and an overall rating that falls as every
    gap improves. The regression runs but gives no derived importance (every coefficient
    negative), and 06 stopped in ipa_table; now there is no grid and a sentence says why."""
    responses, respondents = synth(120, seed=5)
    gaps = sq.gap_table(responses)
    dims = gaps.groupby(["respondent_id", "dimension"])["gap"].mean().unstack()[DIMS]
    respondents = respondents.drop(columns=["importance_tangibles",
                                            "importance_responsiveness", "segment"])
    respondents["overall_rating"] = np.clip(np.round(
        4 - dims.reindex(respondents["respondent_id"]).sum(axis=1).to_numpy()), 1, 7)
    have = sq.available(gaps, respondents)
    assert not have["importance"] and have["regression"]
    reg = sq.importance_regression(gaps, respondents)
    assert (reg["std_coef"] <= 0).all() and reg["derived_importance"].isna().all()
    scores = sq.servqual_scores(gaps, respondents)
    with pytest.raises(DataError, match="importance"):  # what 06 used to call
        sq.ipa_table(scores, regression=reg, importance="derived")
    assert sq.ipa_importance(have, reg) is None
    assert "importance points for all five dimensions" in sq.ipa_missing(have, reg, "en")
    assert "cinco dimensiones" in sq.ipa_missing(have, reg, "es")
    # with the points, or with a regression that gives some importance, the grid is drawn
    stated_resp, stated_people = synth(60, seed=1)
    assert sq.ipa_importance(sq.available(sq.gap_table(stated_resp), stated_people)) == "stated"
    full = synth(120, seed=4)
    full_reg = sq.importance_regression(sq.gap_table(full[0]), full[1].drop(
        columns=[f"importance_{d}" for d in DIMS]))
    assert sq.ipa_importance({"importance": False}, full_reg) == "derived"
    assert sq.ipa_importance({"importance": False}, None) is None
    assert "neither" in sq.ipa_missing({"importance": False}, None, "en")


# ----------------------------------------------------------------- reading


@pytest.mark.parametrize("language,words", [("es", ["fiabilidad", "por debajo"]),
                                            ("en", ["Reliability", "short"])])
def test_reading_names_the_largest_significant_gap(language, words):
    responses, respondents = synth(200, seed=4)
    gaps = sq.gap_table(responses)
    scores = sq.servqual_scores(gaps, respondents)
    tests = sq.paired_tests(gaps)
    reg = sq.importance_regression(gaps, respondents)
    text = sq.reading(scores, tests, ipa=sq.ipa_table(scores), regression=reg,
                      language=language)
    for w in words:
        assert w in text
    assert text.count("\n- ") >= 3
    table = sq.display(sq.item_gaps(gaps), language=language)
    assert ("Afirmación" if language == "es" else "Statement") in table.columns


# ----------------------------------------------------------------- bad answers


def _frame(**over):
    base = {"respondent_id": ["r1", "r1", "r2", "r2"], "item_id": ["SQ01", "SQ02"] * 2,
            "expectation": [7, 6, 5, 4], "perception": [6, 6, 5, 5]}
    base.update(over)
    return pd.DataFrame(base)


def test_out_of_range_answers_name_rows_and_values():
    with pytest.raises(DataError) as err:
        sq.gap_table(_frame(perception=[6, 9, 5, 0]))
    msg = str(err.value)
    assert "servqual_responses: column 'perception' is outside the scale 1-7" in msg
    assert "2 of 4 rows fail" in msg and "row 1: 9.0" in msg


def test_text_answers_are_reported():
    with pytest.raises(DataError, match="'expectation' is not a number .*row 2: 'mucho'"):
        sq.gap_table(_frame(expectation=["7", "6", "mucho", "4"]))
    # numbers as text (decimal comma too) are read
    g = sq.gap_table(_frame(expectation=["7", "6,0", "5", " 4 "]))
    assert g["expectation"].tolist() == [7, 6, 5, 4]


def test_blank_answers_become_missing_gaps_and_blank_ids_fail():
    g = sq.gap_table(_frame(perception=[6, None, 5, ""]) .astype({"perception": object}))
    assert g["gap"].isna().tolist() == [False, True, False, True]
    with pytest.raises(DataError, match="'respondent_id' is empty"):
        sq.gap_table(_frame(respondent_id=["r1", " ", "r2", "r2"]))


def test_duplicated_respondent_item_pairs_fail():
    with pytest.raises(DataError, match=r"duplicate \(respondent_id, item_id\) pairs.*r1 / SQ01"):
        sq.gap_table(_frame(item_id=["SQ01", "SQ01", "SQ01", "SQ02"]))
    with pytest.raises(DataError, match="respondent_id' has duplicate values"):
        sq.servqual_scores(sq.gap_table(_frame()), pd.DataFrame(
            {"respondent_id": ["r1", "r1"], "importance_tangibles": [50, 50]}))


def test_unknown_items_and_missing_columns_fail():
    with pytest.raises(DataError, match="items not in instrument 'servqual-1991' \\(Q99\\)"):
        sq.gap_table(_frame(item_id=["SQ01", "Q99", "SQ01", "SQ02"]))
    with pytest.raises(DataError, match="'perception' is required but missing"):
        sq.gap_table(_frame().drop(columns="perception"))
    with pytest.raises(ParameterError, match="incomplete must be one of"):
        sq.gap_table(_frame(), incomplete="ignore")


def test_respondent_with_only_expectations():
    df = _frame(perception=[None, None, 5, 5])
    kept = sq.gap_table(df)  # default: kept, counted, excluded from means
    sample = sq.sample_table(kept).iloc[0]
    assert sample["n_respondents"] == 2 and sample["n_complete"] == 1
    assert sample["n_only_expectations"] == 1
    assert sq.dimension_gaps(kept).loc[0, "n"] == 1
    dropped = sq.gap_table(df, incomplete="drop")
    assert set(dropped["respondent_id"]) == {"r2"}
    with pytest.raises(DataError, match="answered only one of .*respondent r1: 'only expectations'"):
        sq.gap_table(df, incomplete="raise")


def test_importance_points_out_of_range_fail():
    with pytest.raises(DataError, match="importance_reliability' is outside 0-100"):
        sq.servqual_scores(sq.gap_table(_frame()), pd.DataFrame(
            {"respondent_id": ["r1", "r2"], "importance_reliability": [120, 50]}))


# ----------------------------------------------------------------- invariants


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_gap_is_perception_minus_expectation_and_order_free(data):
    n = data.draw(st.integers(2, 6))
    cells = n * 22
    e = data.draw(st.lists(st.integers(1, 7), min_size=cells, max_size=cells))
    p = data.draw(st.lists(st.integers(1, 7), min_size=cells, max_size=cells))
    df = pd.DataFrame({"respondent_id": np.repeat([f"r{i}" for i in range(n)], 22),
                       "item_id": np.tile(ITEMS, n), "expectation": e, "perception": p})
    before = df.copy()
    gaps = sq.gap_table(df)
    pd.testing.assert_frame_equal(df, before)  # input not mutated
    np.testing.assert_array_equal(gaps["gap"], gaps["perception"] - gaps["expectation"])
    shuffled = df.sample(frac=1, random_state=data.draw(st.integers(0, 1000)))
    g2 = sq.gap_table(shuffled)
    d1 = sq.dimension_gaps(gaps)
    d2 = sq.dimension_gaps(g2)
    pd.testing.assert_frame_equal(d1, d2)
    assert sq.item_gaps(gaps)["gap"].tolist() == sq.item_gaps(g2)["gap"].tolist()
    assert ((d1["gap"] >= -6) & (d1["gap"] <= 6)).all()


# ----------------------------------------------------------------- plots


def test_plots_draw_the_tables():
    import matplotlib.pyplot as plt

    from crmlib import plot

    responses, respondents = synth(80, seed=5, zone=True)
    gaps = sq.gap_table(responses)
    dims = sq.dimension_gaps(gaps)
    ax = plot.plot_dimension_gaps(dims, language="en")
    heights = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(heights, dims["gap"][::-1])
    assert [tl.get_text() for tl in ax.get_yticklabels()][-1] == "Tangibles"
    items = sq.item_gaps(gaps)
    ax = plot.plot_item_gaps(items, language="es")
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths, reverse=True)  # largest shortfall drawn at the top
    assert len(widths) == 22
    zone = sq.zone_of_tolerance(gaps)
    ax = plot.plot_zone_of_tolerance(zone, language="en")
    np.testing.assert_allclose([p.get_x() for p in ax.patches], zone["adequate"][::-1])
    scores = sq.servqual_scores(gaps, respondents)
    ax = plot.plot_servqual_scores(scores, language="es")
    # bars are the five dimension mean gaps; the overall unweighted and weighted scores are
    # lines on the same scale (a weighted contribution is not a mean, so it is not drawn)
    dims_only = scores[scores["dimension"] != "overall"]
    np.testing.assert_allclose([p.get_height() for p in ax.patches], dims_only["gap"])
    overall = scores.set_index("dimension").loc["overall"]
    levels = sorted(line.get_ydata()[0] for line in ax.get_lines())
    np.testing.assert_allclose(levels, sorted([0.0, overall["gap"], overall["weighted_gap"]]))
    ipa = sq.ipa_table(scores)
    ax = plot.plot_ipa(ipa, language="en")
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 0], ipa["performance"])
    reg = sq.importance_regression(gaps, respondents)
    ax = plot.plot_importance(reg, language="en")
    np.testing.assert_allclose([p.get_height() for p in ax.patches][5:],
                               reg["derived_importance"])
    plt.close("all")


def test_notebook_helpers_select_available_key_figures():
    responses, respondents = synth(60, seed=6, segments=("a", "b", "c"))
    gaps = sq.gap_table(responses)
    only_a = sq.select_segment(gaps, respondents, segment="a")
    n_a = int((respondents["segment"] == "a").sum())
    assert sq.sample_table(only_a).loc[0, "n_respondents"] == n_a
    assert sq.select_segment(gaps, respondents, segment="") is gaps
    with pytest.raises(ParameterError, match="segment must be one of"):
        sq.select_segment(gaps, respondents, segment="zz")
    have = sq.available(gaps, respondents)
    assert have == {"zone": False, "importance": True, "regression": True, "segments": True}
    assert not sq.available(gaps, respondents.drop(columns=["overall_rating", "segment"]))[
        "regression"]
    scores = sq.servqual_scores(gaps, respondents)
    figures = sq.key_figures(scores, sq.reliability_table(gaps), sq.paired_tests(gaps))
    assert figures["servqual_gap_reliability"] == pytest.approx(
        scores.set_index("dimension").loc["reliability", "gap"])
    assert figures["servqual_score_weighted"] == pytest.approx(
        sum(figures[f"servqual_weighted_gap_{d}"] for d in DIMS))
    assert {"servqual_alpha_all", "servqual_n_significant_shortfalls"} <= set(figures)


def test_segment_explorer_redraws_on_choice():
    import matplotlib.pyplot as plt

    from crmlib import plot

    responses, respondents = synth(60, seed=8)
    gaps = sq.gap_table(responses)
    box = plot.segment_explorer(sq.segment_gaps(gaps, respondents), sq.dimension_gaps(gaps),
                                language="en")
    choice, _ = box.children
    assert choice.options == ("All", "a", "b")
    choice.value = "b"  # redraws without error
    segs = sq.segment_gaps(gaps, respondents)
    ax = plot.plot_segment_choice(segs, sq.dimension_gaps(gaps), "b", language="en")
    np.testing.assert_allclose([p.get_width() for p in ax.patches],
                               segs.loc[segs["segment"] == "b", "gap"][::-1])
    assert ax.get_title().endswith("· b")
    plt.close("all")


def test_servqual_analysis_equals_the_step_by_step_tables():
    responses, respondents = synth(90, seed=9, zone=True, segments=("a", "b", "c"))
    tables = sq.servqual_analysis(responses, respondents)
    gaps = sq.gap_table(responses)
    steps = {
        "gaps": gaps, "sample": sq.sample_table(gaps, respondents),
        "item_gaps": sq.item_gaps(gaps), "dimension_gaps": sq.dimension_gaps(gaps),
        "servqual_scores": sq.servqual_scores(gaps, respondents),
        "reliability": sq.reliability_table(gaps),
        "item_reliability": sq.item_reliability_table(gaps),
        "dimension_tests": sq.paired_tests(gaps), "item_tests": sq.paired_tests(gaps, level="item"),
        "zone_of_tolerance": sq.zone_of_tolerance(gaps),
        "importance_regression": sq.importance_regression(gaps, respondents),
        "segment_gaps": sq.segment_gaps(gaps, respondents),
        "segment_tests": sq.segment_comparison(gaps, respondents),
    }
    steps["ipa"] = sq.ipa_table(steps["servqual_scores"],
                                regression=steps["importance_regression"],
                                tests=steps["dimension_tests"], zone=steps["zone_of_tolerance"])
    assert set(tables) == set(steps)
    for name, expected in steps.items():
        pd.testing.assert_frame_equal(tables[name], expected, obj=name)
    # without respondents: no weighted score, regression, segments or grid
    plain = sq.servqual_analysis(responses)
    assert {"importance_regression", "segment_tests", "ipa"}.isdisjoint(plain)
    assert plain["servqual_scores"]["weighted_gap"].isna().all()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=22, max_size=22))
def test_1988_reversal_flips_the_gap_of_negative_items(answers):
    # on a reversed item, (8 - P) - (8 - E) = -(P - E); other items keep their gap
    df = pd.DataFrame({"respondent_id": "r", "item_id": ITEMS,
                       "expectation": [a for a, _ in answers],
                       "perception": [b for _, b in answers]})
    g88 = sq.gap_table(df, instrument="servqual-1988")["gap"].to_numpy()
    g91 = sq.gap_table(df, instrument="servqual-1991")["gap"].to_numpy()
    reverse = np.isin(ITEMS, [f"SQ{i}" for i in (10, 11, 12, 13, 18, 19, 20, 21, 22)])
    np.testing.assert_array_equal(g88[reverse], -g91[reverse])
    np.testing.assert_array_equal(g88[~reverse], g91[~reverse])
