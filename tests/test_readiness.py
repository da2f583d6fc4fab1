"""One-to-one readiness scoring: hand-computed scores, missing and bad answers, import shapes."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import readiness as rd
from crmlib.exceptions import DataError, ParameterError
from crmlib.instruments import load_instrument
from crmlib.io import read_survey
from crmlib.questionnaire import forms_csv_header, from_survey_export, part_label

MINI = """
name: mini-readiness
title: {es: Mini, en: Mini}
scale: {min: 1, max: 5, anchors: {es: {1: "No lo hacemos", 5: "Siempre"}, en: {1: "Never", 5: "Always"}}}
parts: [current, preferred]
dimensions:
  a: {es: A, en: A, section: broad}
  b: {es: B, en: B, section: broad}
  c: {es: C, en: C, section: gap, stage: a}
items:
  - {id: A1, dimension: a, text: {es: a uno, en: a one}}
  - {id: A2, dimension: a, text: {es: a dos, en: a two}}
  - {id: B1, dimension: b, weight: 2, text: {es: b uno, en: b one}}
  - {id: B2, dimension: b, text: {es: b dos, en: b two}}
  - {id: C1, dimension: c, text: {es: c uno, en: c one}}
maturity:
  - {level: 1, key: l1, min: 1.0, es: {name: N1, meaning: M1}, en: {name: N1, meaning: M1}}
  - {level: 2, key: l2, min: 1.8, es: {name: N2, meaning: M2}, en: {name: N2, meaning: M2}}
  - {level: 3, key: l3, min: 2.6, es: {name: N3, meaning: M3}, en: {name: N3, meaning: M3}}
  - {level: 4, key: l4, min: 3.4, es: {name: N4, meaning: M4}, en: {name: N4, meaning: M4}}
  - {level: 5, key: l5, min: 4.2, es: {name: N5, meaning: M5}, en: {name: N5, meaning: M5}}
ladder:
  - {key: contact, min: 1.0, es: {name: C, meaning: c}, en: {name: C, meaning: c}}
  - {key: relate, min: 2.5, es: {name: R, meaning: r}, en: {name: R, meaning: r}}
  - {key: intimate, min: 3.5, es: {name: I, meaning: i}, en: {name: I, meaning: i}}
  - {key: trust, min: 4.3, es: {name: T, meaning: t}, en: {name: T, meaning: t}}
actions:
  - {id: XA1, stage: a, areas: [], es: "tarea a1", en: "task a1"}
  - {id: XA2, stage: a, areas: [], es: "tarea a2", en: "task a2"}
  - {id: XB1, stage: b, areas: [c], es: "tarea b1", en: "task b1"}
"""

NAN = np.nan
# respondent, group, item, current, preferred
HAND = [
    ("m1", "manager", "A1", 2, 4), ("m1", "manager", "A2", 4, 5), ("m1", "manager", "B1", 1, 3),
    ("m1", "manager", "B2", 3, 3), ("m1", "manager", "C1", 2, 5),
    ("m2", "manager", "A1", 4, 4), ("m2", "manager", "A2", NAN, 5), ("m2", "manager", "B1", 3, 5),
    ("m2", "manager", "B2", 3, 4), ("m2", "manager", "C1", 4, 4),
    ("c1", "customer", "A1", 1, 3), ("c1", "customer", "A2", 1, 2), ("c1", "customer", "B1", 2, 2),
    ("c1", "customer", "B2", 5, 5), ("c1", "customer", "C1", 1, 5),
    # answers 1 of 5 items: under half, reported and left out of every score
    ("x1", "employee", "A1", 3, 3),
]
COLS = ["respondent_id", "group", "item_id", "current", "preferred"]


@pytest.fixture
def mini(tmp_path):
    p = tmp_path / "mini.yaml"
    p.write_text(MINI, encoding="utf-8")
    return load_instrument(p)


@pytest.fixture
def hand():
    return pd.DataFrame(HAND, columns=COLS)


# Expected values worked out by hand from HAND (respondents m1, m2, c1; x1 excluded):
#   A1 cur (2+4+1)/3, pref (4+4+3)/3; A2 cur (4+1)/2 (m2 blank), pref (5+5+2)/3
#   B1 cur (1+3+2)/3, pref (3+5+2)/3; B2 cur (3+3+5)/3, pref (3+4+5)/3; C1 cur (2+4+1)/3, pref 14/3
A_CUR, A_PREF = (7 / 3 + 5 / 2) / 2, (11 / 3 + 4) / 2
B_CUR, B_PREF = (2 * 2 + 1 * 11 / 3) / 3, (2 * 10 / 3 + 1 * 4) / 3  # B1 weighs 2
C_CUR, C_PREF = 7 / 3, 14 / 3


def test_item_scores_by_hand(hand, mini):
    items = rd.item_scores(hand, instrument=mini).set_index("item_id")
    assert items.loc["A1", "current"] == pytest.approx(7 / 3)
    assert items.loc["A2", "current"] == pytest.approx(2.5)
    assert items.loc["A2", "preferred"] == pytest.approx(4.0)
    assert items.loc["A2", "n_missing"] == 1 and items.loc["A2", "n_current"] == 2
    assert items.loc["A2", "n_preferred"] == 3
    assert (items["n_respondents"] == 3).all()
    assert items.loc["B2", "gap"] == pytest.approx(4 - 11 / 3)
    assert items.loc["B2", "current_sd"] == pytest.approx(np.std([3, 3, 5], ddof=1))


def test_area_section_overall_by_hand(hand, mini):
    areas = rd.area_scores(hand, instrument=mini).set_index("dimension")
    assert areas.loc["a", "current"] == pytest.approx(A_CUR)
    assert areas.loc["a", "preferred"] == pytest.approx(A_PREF)
    assert areas.loc["b", "current"] == pytest.approx(B_CUR)
    assert areas.loc["b", "preferred"] == pytest.approx(B_PREF)
    assert areas.loc["c", "gap"] == pytest.approx(C_PREF - C_CUR)
    assert areas.loc["a", "n_answers"] == 5 and areas.loc["a", "n_missing"] == 1
    # sd across respondents of their own dimension-a means: m1 (2+4)/2, m2 4 (A2 blank), c1 1
    assert areas.loc["a", "current_sd"] == pytest.approx(np.std([3, 4, 1], ddof=1))
    overall = rd.overall_scores(areas.reset_index()).set_index("scope")
    broad = (A_CUR + B_CUR) / 2
    assert overall.loc["broad", "current"] == pytest.approx(broad)
    assert overall.loc["gap", "current"] == pytest.approx(C_CUR)
    assert overall.loc["overall", "current"] == pytest.approx((broad + C_CUR) / 2)
    assert overall.loc["overall", "preferred"] == pytest.approx(((A_PREF + B_PREF) / 2 + C_PREF) / 2)
    table = rd.score_table(hand, instrument=mini)
    row = table[(table["level"] == "overall")].iloc[0]
    assert row["current"] == pytest.approx((broad + C_CUR) / 2)
    assert row["n_answers"] == 14 and row["n_missing"] == 1
    assert list(table["level"].unique()) == ["item", "dimension", "section", "overall"]


def test_missing_answers_reported_and_respondents_excluded(hand, mini):
    ov = rd.response_overview(hand, instrument=mini).set_index("respondent_id")
    assert ov.loc["x1", "share_answered"] == pytest.approx(1 / 5)
    assert not ov.loc["x1", "included"] and ov.loc["m2", "included"]
    assert ov.loc["m2", "answered_current"] == 4 and ov.loc["m2", "answered_preferred"] == 5
    # with no threshold, x1 counts: A1 current becomes (2+4+1+3)/4
    items = rd.item_scores(hand, instrument=mini, min_answered=0).set_index("item_id")
    assert items.loc["A1", "current"] == pytest.approx(10 / 4)
    assert items.loc["A2", "n_missing"] == 2  # m2 blank, x1 has no row
    with pytest.raises(ParameterError, match="min_answered"):
        rd.item_scores(hand, instrument=mini, min_answered=50)
    # a row with no answer at all and a respondent with no row for an item are both missing
    dropped = hand[~((hand["respondent_id"] == "c1") & (hand["item_id"] == "C1"))]
    items = rd.item_scores(dropped, instrument=mini).set_index("item_id")
    assert items.loc["C1", "n_missing"] == 1 and items.loc["C1", "current"] == pytest.approx(3.0)


def test_groups_and_disagreement_by_hand(hand, mini):
    g = rd.group_scores(hand, instrument=mini).set_index(["group", "dimension"])
    assert list(g.index.get_level_values(0).unique()) == ["manager", "customer"]
    assert g.loc[("manager", "a"), "current"] == pytest.approx((3 + 4) / 2)  # A1 (2+4)/2, A2 4
    assert g.loc[("customer", "a"), "current"] == pytest.approx(1.0)
    assert g.loc[("manager", "b"), "current"] == pytest.approx((2 * 2 + 3) / 3)
    assert g.loc[("customer", "b"), "current"] == pytest.approx((2 * 2 + 5) / 3)
    c = rd.consensus(hand, instrument=mini, alpha=None).set_index("dimension")
    assert c.loc["a", "group_range"] == pytest.approx(2.5)
    assert c.loc["a", "lowest_group"] == "customer" and c.loc["a", "highest_group"] == "manager"
    assert c.loc["b", "group_range"] == pytest.approx(3 - 7 / 3)
    assert c.loc["a", "disagreement"] and not c.loc["b", "disagreement"]
    assert c.loc["c", "disagreement"]  # 3 vs 1
    # IQR of respondent means for a: [3, 4, 1] -> q75 3.5, q25 2 (linear, like R type 7)
    assert c.loc["a", "iqr"] == pytest.approx(1.5)
    # stricter threshold: nothing flagged on the range alone
    c3 = rd.consensus(hand, instrument=mini, alpha=None, threshold=3)
    assert not c3["disagreement"].any()
    with pytest.raises(ParameterError, match="part must be one of"):
        rd.consensus(hand, instrument=mini, part="future")


def test_kruskal_matches_scipy_and_flags(mini):
    # two clearly separated groups of four respondents each, all items answered
    # managers answer 4 or 5, employees 1 or 2, four respondents each
    rows = []
    for k in range(8):
        group, score = ("manager", 4 + k % 2) if k < 4 else ("employee", 1 + k % 2)
        for item in ("A1", "A2", "B1", "B2", "C1"):
            rows.append((f"r{k}", group, item, score, 5))
    df = pd.DataFrame(rows, columns=COLS)
    from scipy import stats

    per = df[df["item_id"].isin(["C1"])].groupby(["group", "respondent_id"])["current"].mean()
    h, p = stats.kruskal(per["employee"].to_numpy(), per["manager"].to_numpy())
    c = rd.consensus(df, instrument=mini, threshold=10).set_index("dimension")
    assert c.loc["c", "kruskal_h"] == pytest.approx(h) and c.loc["c", "kruskal_p"] == pytest.approx(p)
    assert p < 0.05 and c.loc["c", "disagreement"]  # flagged by the test, not the range


def test_maturity_ladder_priorities(hand, mini):
    areas = rd.area_scores(hand, instrument=mini)
    overall = rd.overall_scores(areas)
    m = rd.maturity(overall, instrument=mini, language="en").set_index("scenario")
    # overall current ((A+B)/2 + C)/2 = 2.41 -> level 2 (from 1.8); preferred 4.18 -> level 4
    assert m.loc["current", "level"] == 2 and m.loc["preferred", "level"] == 4
    assert m.loc["current", "meaning"] == "M2"
    pr = rd.priorities(areas, instrument=mini, language="en")
    # priority = gap x weight: c 7/3 x 1; b 1 x 1.5 (mean item weight); a 1.42 x 1
    ranked = pr.drop_duplicates("dimension")
    assert ranked["dimension"].tolist() == ["c", "b", "a"]
    assert ranked["priority"].tolist() == pytest.approx([C_PREF - C_CUR, (B_PREF - B_CUR) * 1.5,
                                                         A_PREF - A_CUR])
    # c is a gap-tool area: tasks that list it; a is a stage: the tasks of its stage
    assert pr.loc[pr["dimension"] == "c", "action_id"].tolist() == ["XB1"]
    assert pr.loc[pr["dimension"] == "a", "action"].tolist() == ["task a1", "task a2"]
    # b's only task (XB1) is already listed under c: said once, not repeated
    assert pr.loc[pr["dimension"] == "b", "action_id"].isna().all()
    assert pr["action_id"].dropna().is_unique
    assert rd.priorities(areas, instrument=mini, top=1)["dimension"].unique().tolist() == ["c"]
    assert len(rd.priorities(areas, instrument=mini, max_actions=1)) == 3
    assert rd.priorities(areas, instrument=mini, min_gap=2).dimension.tolist() == ["c"]


def test_text_labels_are_read(hand, mini):
    labelled = hand.astype({"current": object, "preferred": object})
    labelled.loc[0, "current"] = "2 - a veces"  # leading number
    labelled.loc[1, "current"] = "De acuerdo"  # agreement label -> 4
    labelled.loc[2, "current"] = "No lo hacemos"  # the instrument's own anchor -> 1
    labelled.loc[3, "preferred"] = "Totalmente de acuerdo"  # -> 5
    labelled.loc[5, "group"] = "Directivos"
    clean = rd.validate_responses(labelled, instrument=mini)
    assert clean["current"].tolist()[:3] == [2.0, 4.0, 1.0]
    assert clean.loc[3, "preferred"] == 5.0 and clean.loc[5, "group"] == "manager"
    assert rd.item_scores(labelled, instrument=mini)["current"].notna().all()


def test_bad_answers_items_and_groups_name_rows(hand, mini):
    bad = hand.astype({"current": object})
    bad.loc[4, "current"] = 6
    bad.loc[7, "current"] = 0
    bad.loc[8, "current"] = "quizás mañana"
    bad.loc[9, "item_id"] = "ZZ9"
    bad.loc[10, "group"] = "alien"
    with pytest.raises(DataError) as err:
        rd.score_table(bad, instrument=mini)
    text = str(err.value)
    assert "column 'current' is outside the scale 1-5 - 2 of 16 rows fail (row 4: 6; row 7: 0)" in text
    assert "row 8: 'quizás mañana'" in text
    assert "column 'item_id' is not an item of instrument 'mini-readiness'" in text
    assert "row 9: 'ZZ9'" in text
    assert "column 'group' has a label that is no respondent group ('alien')" in text
    assert "Directivos" in text and "row 10: 'alien'" in text
    dup = pd.concat([hand, hand.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match=r"duplicate \(respondent_id, item_id\).*row 0"):
        rd.score_table(dup, instrument=mini)
    two = hand.copy()
    two.loc[1, "group"] = "partner"
    with pytest.raises(DataError, match="differs between rows of the same respondent"):
        rd.score_table(two, instrument=mini)
    with pytest.raises(DataError, match="'item_id' is required but missing"):
        rd.score_table(hand.drop(columns="item_id"), instrument=mini)


def test_input_not_mutated(hand, mini):
    before = hand.copy()
    rd.score_table(hand, instrument=mini)
    rd.consensus(hand, instrument=mini)
    pd.testing.assert_frame_equal(hand, before)


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_reordering_respondents_or_items_changes_no_score(rand):
    inst = load_instrument("one-to-one")
    rng = np.random.default_rng(7)
    rows = []
    for k in range(9):
        for item in inst.item_ids:
            cur = rng.integers(1, 6) if rng.random() > 0.1 else np.nan
            rows.append((f"r{k}", rd.GROUPS[k % 4], item, cur, rng.integers(1, 6)))
    df = pd.DataFrame(rows, columns=COLS)
    base = rd.score_table(df, instrument=inst).set_index(["level", "key"]).sort_index()
    order = list(range(len(df)))
    rand.shuffle(order)
    shuffled_rows = df.iloc[order]
    items = inst.items.sample(frac=1, random_state=rand.randint(0, 10_000))
    shuffled_inst = inst.with_items(items, replace_all=True)
    got = rd.score_table(shuffled_rows, instrument=shuffled_inst).set_index(
        ["level", "key"]).sort_index()
    pd.testing.assert_frame_equal(base, got, check_exact=False, rtol=1e-12)
    c1 = rd.consensus(df, instrument=inst).set_index("dimension").sort_index()
    c2 = rd.consensus(shuffled_rows, instrument=shuffled_inst).set_index("dimension").sort_index()
    pd.testing.assert_frame_equal(c1.drop(columns="section"), c2.drop(columns="section"),
                                  check_exact=False, rtol=1e-9)


def test_shipped_instrument_ids_and_sections():
    inst = load_instrument("one-to-one")
    expected = ([f"{p}{i}" for p in ("ID", "DF", "IN", "PE") for i in range(1, 5)]
                + ["QA1", "QA2", "BP1", "BP2", "TE1", "TE2", "KS1", "KS2", "PA1", "PA2"]
                + [f"CR{i}" for i in range(1, 5)] + ["EM1", "EM2"]
                + [f"CS{i}" for i in range(1, 5)] + [f"TS{i}" for i in range(1, 10)])
    assert inst.item_ids == expected
    assert (inst.scale_min, inst.scale_max, inst.parts) == (1, 5, ("current", "preferred"))
    info = rd.dimension_info(inst, language="en")
    assert info.loc[info["section"] == "broad", "dimension"].tolist() == [
        "identify", "differentiate", "interact", "personalize"]
    assert (info["section"] == "gap").sum() == 8
    assert info.loc[info["section"] == "signals", "dimension"].tolist() == ["timely_signals"]
    assert (info["low"] != "").all() and (info["high"] != "").all()
    levels = rd.maturity_levels(inst, language="es")
    assert levels["level"].tolist() == [1, 2, 3, 4, 5]
    for key in ("maturity", "ladder", "actions"):
        assert inst.extra[key]
    for action in inst.extra["actions"]:
        assert action["es"] and action["en"]
        assert action["stage"] in ("identify", "differentiate", "interact", "personalize")
        assert set(action["areas"]) <= set(info.loc[info["section"] == "gap", "dimension"])
    # every gap area has at least one task that names it
    named = {a for x in inst.extra["actions"] for a in x["areas"]}
    assert set(info.loc[info["section"] == "gap", "dimension"]) <= named


def test_consultant_items_file_adds_a_scored_area(tmp_path, hand):
    extra = tmp_path / "mine.csv"
    pd.DataFrame({"item_id": ["XX1"], "dimension": ["digital"], "text_es": ["Web"],
                  "text_en": ["Web"], "dimension_en": ["Digital"], "weight": [2]}).to_csv(
        extra, index=False)
    inst = load_instrument("one-to-one", items=extra)
    df = pd.DataFrame([("r1", "manager", i, 3, 4) for i in inst.item_ids], columns=COLS)
    areas = rd.area_scores(df, instrument=inst).set_index("dimension")
    assert areas.loc["digital", "section"] == "gap" and areas.loc["digital", "current"] == 3


# ------------------------------------------------------------------ survey export shapes

def _canonical(inst, n=6, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        for item in inst.item_ids:
            cur = float(rng.integers(1, 6)) if rng.random() > 0.08 else np.nan
            rows.append((f"resp{k + 1}", rd.GROUPS[k % 4], item, cur, float(rng.integers(2, 6))))
    return pd.DataFrame(rows, columns=COLS)


def _answer(value, inst, language, as_label):
    if pd.isna(value):
        return ""
    v = int(value)
    return inst.anchors[language][v] if as_label else str(v)


def _assert_same_scores(long, canonical, inst):
    a = rd.score_table(canonical, instrument=inst)
    b = rd.score_table(long, instrument=inst)
    pd.testing.assert_frame_equal(a, b)


def test_google_forms_export(tmp_path):
    inst = load_instrument("one-to-one")
    canon = _canonical(inst)
    header = forms_csv_header(inst, language="es")  # Encuestado, Grupo, grids per part
    path = tmp_path / "google.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Marca temporal"] + header)
        for k, (rid, d) in enumerate(canon.groupby("respondent_id", sort=False)):
            d = d.set_index("item_id")
            label = {"manager": "Directivos", "employee": "Empleados", "customer": "Clientes",
                     "partner": "Socios y aliados"}[d["group"].iloc[0]]
            row = [f"2024/11/{k + 1:02d} 10:00:00", rid, label]
            for part in inst.parts:
                row += [_answer(d.loc[i, part], inst, "es", as_label=k % 2 == 0)
                        for i in inst.item_ids]
            w.writerow(row)
    wide = read_survey(path)
    assert wide.attrs["shape"] == "google_forms"
    long = from_survey_export(wide, inst, id_column="Encuestado")
    _assert_same_scores(long, canon, inst)


def test_qualtrics_export(tmp_path):
    inst = load_instrument("one-to-one")
    canon = _canonical(inst, seed=4)
    ids, texts, imports = ["StartDate", "ResponseId", "Q1"], ["Start Date", "Response ID",
                                                              "Which group are you in?"], [
        {"ImportId": "startDate"}, {"ImportId": "_recordId"}, {"ImportId": "QID1"}]
    for q, part in enumerate(inst.parts, start=2):
        for j, item in enumerate(inst.item_ids, start=1):
            ids.append(f"Q{q}_{j}")
            texts.append(f"{part_label(inst, part, 'en')} - {inst.item_text(item, 'en')}")
            imports.append({"ImportId": f"QID{q}_{j}"})
    path = tmp_path / "qualtrics.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ids)
        w.writerow(texts)
        w.writerow([json.dumps(x) for x in imports])
        for rid, d in canon.groupby("respondent_id", sort=False):
            d = d.set_index("item_id")
            row = ["2024-11-02 09:00:00", rid, {"manager": "Manager", "employee": "Employee",
                                                "customer": "Customer",
                                                "partner": "Partner"}[d["group"].iloc[0]]]
            for part in inst.parts:
                row += [_answer(d.loc[i, part], inst, "en", as_label=False) for i in inst.item_ids]
            w.writerow(row)
    wide = read_survey(path)
    assert wide.attrs["shape"] == "qualtrics"
    long = from_survey_export(wide, inst, group_column="Q1")
    _assert_same_scores(long, canon, inst)


def test_surveymonkey_export(tmp_path):
    inst = load_instrument("one-to-one")
    canon = _canonical(inst, seed=5)
    top = ["Respondent ID", "Collector ID", "Group"]
    sub = ["", "", "Response"]
    for part in inst.parts:
        for j, item in enumerate(inst.item_ids):
            top.append(part_label(inst, part, "en") if j == 0 else "")
            sub.append(inst.item_text(item, "en"))
    path = tmp_path / "monkey.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(top)
        w.writerow(sub)
        for k, (rid, d) in enumerate(canon.groupby("respondent_id", sort=False)):
            d = d.set_index("item_id")
            row = [rid, "4321", {"manager": "Managers", "employee": "Employees",
                                 "customer": "Customers", "partner": "Partners"}[d["group"].iloc[0]]]
            for part in inst.parts:
                row += [_answer(d.loc[i, part], inst, "en", as_label=True) for i in inst.item_ids]
            w.writerow(row)
    wide = read_survey(path)
    assert wide.attrs["shape"] == "surveymonkey"
    long = from_survey_export(wide, inst)
    _assert_same_scores(long, canon, inst)


# ------------------------------------------------------------------ plots

def test_radar_draws_current_and_preferred(hand, mini):
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_readiness_radar

    areas = rd.area_scores(hand, instrument=mini)
    ax = plot_readiness_radar(areas, instrument=mini, language="en")
    assert ax.name == "polar"
    current, preferred = ax.get_lines()[:2]
    # closed polygons: the first dimension repeated at the end
    assert current.get_ydata().tolist() == pytest.approx([A_CUR, B_CUR, C_CUR, A_CUR])
    assert preferred.get_ydata().tolist() == pytest.approx([A_PREF, B_PREF, C_PREF, A_PREF])
    assert [x.get_text() for x in ax.get_xticklabels()] == ["A", "B", "C"]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["Current scenario",
                                                                  "Preferred scenario"]
    only_broad = plot_readiness_radar(areas, instrument=mini, section="broad")
    assert len(only_broad.get_lines()[0].get_ydata()) == 3
    _, flat = plt.subplots()
    with pytest.raises(ParameterError, match="polar"):
        plot_readiness_radar(areas, ax=flat)
    plt.close("all")


def test_group_heatmap_matrix_and_labels(hand, mini):
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_group_heatmap

    groups = rd.group_scores(hand, instrument=mini)
    ax = plot_group_heatmap(groups, instrument=mini, language="es")
    matrix = ax.get_images()[0].get_array()
    assert matrix.shape == (2, 3)
    assert matrix[0, 0] == pytest.approx(3.5) and matrix[1, 0] == pytest.approx(1.0)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Directivos", "Clientes"]
    assert "3,5" in [x.get_text() for x in ax.texts]  # Spanish decimal comma
    gap = plot_group_heatmap(groups, instrument=mini, part="gap")
    assert gap.get_images()[0].get_array()[1, 0] == pytest.approx(
        groups.set_index(["group", "dimension"]).loc[("customer", "a"), "gap"])
    with pytest.raises(ParameterError, match="part must be one of"):
        plot_group_heatmap(groups, part="mean")
    plt.close("all")


def test_gap_bars_sorted_largest_on_top(hand, mini):
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_readiness_gaps

    areas = rd.area_scores(hand, instrument=mini)
    ax = plot_readiness_gaps(areas, instrument=mini, language="en")
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx(sorted([A_PREF - A_CUR, B_PREF - B_CUR, C_PREF - C_CUR]))
    assert [x.get_text() for x in ax.get_yticklabels()] == ["B", "A", "C"]  # bottom to top
    plt.close("all")


def test_explorer_widget_switches_group(hand, mini):
    import matplotlib.pyplot as plt

    from crmlib.plot import readiness_explorer

    box = readiness_explorer(rd.group_scores(hand, instrument=mini),
                             rd.area_scores(hand, instrument=mini), instrument=mini,
                             language="en")
    dropdown = box.children[0]
    assert list(dropdown.options) == ["All groups", "Managers", "Customers"]
    dropdown.value = "Customers"  # redraws without error
    plt.close("all")


def test_display_and_texts(hand, mini):
    areas = rd.area_scores(hand, instrument=mini)
    view = rd.display(areas, instrument=mini, language="en", section="gap",
                      columns=["dimension", "current", "gap"])
    assert list(view.columns) == ["Stage or area", "Current", "Gap"]
    assert view.iloc[0, 0] == "C" and len(view) == 1
    ov = rd.response_overview(hand, instrument=mini)
    text = rd.overview_text(ov, instrument=mini, language="en")
    assert "4 people answered (Managers: 2; Employees: 1; Customers: 1); 3 are scored" in text
    assert "x1" in text
    assert "1 of 15 current-scenario answers are missing (7%)" in text
    cons = rd.consensus(hand, instrument=mini, alpha=None)
    assert rd.disagreement_text(cons, instrument=mini, language="es") == \
        "Áreas con desacuerdo entre grupos: A y C."
    overall = rd.overall_scores(areas)
    level = rd.maturity(overall, instrument=mini, language="en")
    assert "level 2 “N2”: M2" in rd.maturity_text(overall, level, language="en")
    figures = rd.key_figures(areas, overall, level, cons, ov)
    assert figures["readiness_c_current"] == pytest.approx(C_CUR)
    assert figures["readiness_overall_gap"] == pytest.approx(
        overall.set_index("scope").loc["overall", "gap"])
    assert figures["readiness_disagreements"] == ["a", "c"]
    assert figures["readiness_respondents_scored"] == 3
    with pytest.raises(ParameterError, match="columns"):
        rd.display(areas, instrument=mini, columns=["nope"])
