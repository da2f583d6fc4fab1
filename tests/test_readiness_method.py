"""Readiness closer to the method (issue 13): the nine timely signals, answer words that fit
each statement, levels that agree with the shown score, the action plan, customers on the
relationship ladder."""

from __future__ import annotations

import csv
import html
import re

import numpy as np
import pandas as pd
import pytest

from crmlib import readiness as rd
from crmlib.i18n import format_number
from crmlib.instruments import load_instrument
from crmlib.io import read_survey
from crmlib.questionnaire import (
    forms_csv_header,
    from_survey_export,
    questionnaire_html,
    read_filled_excel,
    write_questionnaire_excel,
)

COLS = ["respondent_id", "group", "item_id", "current", "preferred"]
FREQ = {"es": ["Nunca", "Rara vez", "A veces", "Casi siempre", "Siempre"],
        "en": ["Never", "Rarely", "Sometimes", "Often", "Always"]}
AGREE = {"es": ["Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo",
                "De acuerdo", "Totalmente de acuerdo"],
         "en": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
                "Strongly agree"]}
WORDS = {"frequency": FREQ, "agreement": AGREE}


@pytest.fixture(scope="module")
def inst():
    return load_instrument("one-to-one")


def _answers(inst, n=5, seed=11):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        for item in inst.item_ids:
            cur = float(rng.integers(1, 5)) if rng.random() > 0.1 else np.nan
            rows.append((f"r{k + 1}", rd.GROUPS[k % 4], item, cur,
                         float(rng.integers(3, 6))))
    return pd.DataFrame(rows, columns=COLS)


# --------------------------------------------------------------- the nine timely signals

def test_nine_timely_signals_are_a_block_of_the_instrument(inst):
    # source 004 lists nine questions "para identificar señales oportunas"
    signals = inst.items[inst.items["dimension"] == "timely_signals"]
    assert signals["item_id"].tolist() == [f"TS{i}" for i in range(1, 10)]
    assert (signals["text_es"].str.len() > 20).all() and (signals["text_en"].str.len() > 20).all()
    info = rd.dimension_info(inst).set_index("dimension")
    assert info.loc["timely_signals", "section"] == "signals"
    # asked on every form, in both languages
    for language in ("es", "en"):
        page = questionnaire_html(inst, language=language)
        header = forms_csv_header(inst, language=language)
        for _, item in signals.iterrows():
            assert html.escape(item[f"text_{language}"]) in page
            assert sum(f"[{item['item_id']}. " in h for h in header) == 2  # current, preferred


def test_signals_stay_out_of_the_readiness_score(inst):
    answers = _answers(inst)
    areas = rd.area_scores(answers, instrument=inst)
    assert "timely_signals" not in set(areas["dimension"])
    overall_before = rd.overall_scores(areas)
    # changing only the signals' answers changes no score, only the signals' reading
    moved = answers.copy()
    ts = moved["item_id"].str.startswith("TS")
    moved.loc[ts, "current"] = 1.0
    moved.loc[ts, "preferred"] = 5.0
    pd.testing.assert_frame_equal(overall_before,
                                  rd.overall_scores(rd.area_scores(moved, instrument=inst)))
    sig = rd.timely_signals(moved, instrument=inst)
    assert len(sig) == 9 and sig["timely"].all() and (sig["gap"] == 4).all()


def test_timely_signal_rule_on_the_shown_gap():
    # two respondents; gaps exactly 1 (TS1), 0.995 (TS2, shown 1,00 -> timely), 0.99 (TS3)
    inst = load_instrument("one-to-one")
    base = _answers(inst, n=2)
    tab = base.copy()
    ts = tab["item_id"].isin(["TS1", "TS2", "TS3"])
    tab.loc[ts, "current"] = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    tab.loc[ts, "preferred"] = [3.0, 3.0, 2.995, 2.995, 2.99, 2.99]
    tab["preferred"] = tab["preferred"].astype(float)
    rest = tab["item_id"].isin([f"TS{i}" for i in range(4, 10)])  # no gap on the others
    tab.loc[rest, ["current", "preferred"]] = 3.0
    sig = rd.timely_signals(tab, instrument=inst).set_index("item_id")
    assert format_number(sig.loc["TS2", "gap"], "es", decimals=2) == "1,00"
    assert sig.loc["TS1", "timely"] and sig.loc["TS2", "timely"]
    assert not sig.loc["TS3", "timely"]
    text = rd.signals_text(rd.timely_signals(tab, instrument=inst), instrument=inst,
                           language="es")
    assert "propia del cuaderno" in text and text.startswith("2 de las 9 señales")


def test_signals_without_answers_say_so(inst):
    answers = _answers(inst)
    answers = answers[~answers["item_id"].str.startswith("TS")]
    sig = rd.timely_signals(answers, instrument=inst)
    assert (sig["n_answers"] == 0).all() and not sig["timely"].any()
    assert rd.signals_text(sig, instrument=inst, language="en").startswith("Nobody answered")


# --------------------------------------------------------------- answer words per statement

def test_every_statement_declares_frequency_or_agreement_words(inst):
    assert set(inst.items["anchors"]) == {"frequency", "agreement"}
    for kind, words in WORDS.items():
        for language in ("es", "en"):
            assert list(inst.anchor_set(kind, language).values()) == words[language]
    # a statement of how often something is done gets frequency words, and vice versa
    assert inst.anchor_kind("ID4") == "frequency"  # "Depuramos ... con regularidad"
    assert inst.anchor_kind("KS1") == "agreement"  # "Tenemos una estrategia ..."
    assert rd.anchor_kind_conflicts(inst).empty


def test_wording_check_fires_on_mismatched_statements(inst):
    wrong = pd.DataFrame({
        "item_id": ["X1", "X2", "X3"], "dimension": ["identify"] * 3,
        "text_es": ["Siempre revisamos los pedidos.", "Tenemos un registro de quejas.",
                    "Llamamos al cliente tras la entrega."],
        "text_en": ["We always check orders.", "We have a complaints log.",
                    "We call customers after delivery."],
        "anchors": ["agreement", "frequency", "frequency"]})
    found = rd.anchor_kind_conflicts(inst.with_items(wrong))
    assert set(found["item_id"]) == {"X1", "X2"}
    assert set(found.loc[found["item_id"] == "X1", "marker"]) == {"siempre", "always"}
    assert set(found.loc[found["item_id"] == "X2", "marker"]) == {"tenemos", "we have"}


def test_undeclared_anchor_set_is_refused(tmp_path):
    from crmlib.exceptions import DataError

    bad = pd.DataFrame({"item_id": ["X1"], "dimension": ["identify"], "text_es": ["x"],
                        "text_en": ["x"], "anchors": ["satisfaction"]})
    path = tmp_path / "items.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match="anchor set not declared.*X1"):
        load_instrument("one-to-one", items=path)


@pytest.mark.parametrize("language", ["es", "en"])
def test_printable_form_shows_each_statement_with_its_own_words(inst, language):
    page = questionnaire_html(inst, language=language)
    rows = re.findall(r'<tr><td class="id">([A-Z]{2}\d)</td><td>(.*?)</td>', page)
    assert len(rows) == len(inst.items)
    for item_id, cell in rows:
        kind = inst.anchor_kind(item_id)
        other = "agreement" if kind == "frequency" else "frequency"
        words = re.search(r'<div class="anchors">(.*?)</div>', cell).group(1)
        shown = [w.split(" = ", 1)[1] for w in html.unescape(words).split(" · ")]
        assert shown == WORDS[kind][language], item_id
        assert not set(shown) & set(WORDS[other][language]), item_id


@pytest.mark.parametrize("language", ["es", "en"])
def test_excel_form_shows_each_statement_with_its_own_words(inst, language, tmp_path):
    from openpyxl import load_workbook

    path = write_questionnaire_excel(inst, tmp_path / "form.xlsx", language=language)
    ws = load_workbook(path).active
    seen = 0
    for row in ws.iter_rows(min_row=7, values_only=True):
        if row[0] in inst.item_ids:
            kind = inst.anchor_kind(row[0])
            other = "agreement" if kind == "frequency" else "frequency"
            shown = [w.split(" = ", 1)[1] for w in row[5].split(" · ")]
            assert shown == WORDS[kind][language], row[0]
            assert not set(shown) & set(WORDS[other][language])
            seen += 1
    assert seen == len(inst.items)
    scale = load_workbook(path).worksheets[1]
    columns = list(zip(*scale.iter_rows(min_row=2, values_only=True)))
    assert list(columns[1]) == FREQ[language] and list(columns[2]) == AGREE[language]


@pytest.mark.parametrize("language", ["es", "en"])
def test_online_form_grids_name_each_statements_words(inst, language):
    for col in forms_csv_header(inst, language=language)[2:]:
        item_id = re.search(r"\[([A-Z]{2}\d)\. ", col).group(1)
        kind = inst.anchor_kind(item_id)
        other = "agreement" if kind == "frequency" else "frequency"
        words = WORDS[kind][language]
        assert f"({words[0]} … {words[-1]})" in col
        assert WORDS[other][language][0] not in col.split("[")[0]


# --------------------------------------------------------------- filled forms read back

def _as_words(value, kind, language):
    return "" if pd.isna(value) else WORDS[kind][language][int(value) - 1]


def test_filled_excel_forms_read_back_to_the_same_answers(inst, tmp_path):
    from openpyxl import load_workbook

    answers = _answers(inst, n=3, seed=5)
    for k, (rid, d) in enumerate(answers.groupby("respondent_id", sort=False)):
        language = ("es", "en")[k % 2]
        path = write_questionnaire_excel(inst, tmp_path / f"{rid}.xlsx", language=language)
        wb = load_workbook(path)
        ws = wb.active
        ws["C2"] = rid
        ws["C3"] = {"manager": "Directivos", "employee": "Employees",
                    "customer": "Clientes"}[d["group"].iloc[0]]
        d = d.set_index("item_id")
        for r in range(7, 7 + len(inst.items)):
            item = ws.cell(row=r, column=1).value
            for j, part in enumerate(("current", "preferred")):
                v = d.loc[item, part]
                # the first respondent writes the words of each statement, others numbers
                ws.cell(row=r, column=4 + j,
                        value=_as_words(v, inst.anchor_kind(item), language) if k == 0
                        else (None if pd.isna(v) else int(v)))
        wb.save(path)
    back = read_filled_excel(tmp_path)
    pd.testing.assert_frame_equal(rd.score_table(back, instrument=inst),
                                  rd.score_table(answers, instrument=inst))
    pd.testing.assert_frame_equal(rd.timely_signals(back, instrument=inst),
                                  rd.timely_signals(answers, instrument=inst))


@pytest.mark.parametrize("language", ["es", "en"])
def test_online_form_export_reads_back_to_the_same_answers(inst, language, tmp_path):
    answers = _answers(inst, n=4, seed=8)
    header = forms_csv_header(inst, language=language)
    groups = {"es": {"manager": "Directivos", "employee": "Empleados", "customer": "Clientes",
                     "partner": "Socios y aliados"},
              "en": {"manager": "Managers", "employee": "Employees", "customer": "Customers",
                     "partner": "Partners"}}[language]
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Timestamp"] + header)
        for k, (rid, d) in enumerate(answers.groupby("respondent_id", sort=False)):
            d = d.set_index("item_id")
            row = [f"2024/11/{k + 1:02d} 10:00:00", rid, groups[d["group"].iloc[0]]]
            for part in ("current", "preferred"):
                row += [_as_words(d.loc[i, part], inst.anchor_kind(i), language)
                        for i in inst.item_ids]
            w.writerow(row)
    wide = read_survey(path)
    back = from_survey_export(wide, inst, id_column=header[0])
    pd.testing.assert_frame_equal(rd.score_table(back, instrument=inst),
                                  rd.score_table(answers, instrument=inst))


# --------------------------------------------------------------- levels agree with the figures

def _overall(score):
    return pd.DataFrame({"scope": ["overall"], "current": [score], "preferred": [score],
                         "gap": [0.0]})


@pytest.mark.parametrize("score", [1.795, 1.7949999, 1.8, 2.5949, 2.595, 2.59999999, 2.6,
                                   2.6 - 1e-12, 0.1 * 26, 3.395, 3.3949, 3.4, 4.195, 4.1949,
                                   4.2, 4.2049, 1.0, 5.0, 2.7761])
def test_level_never_contradicts_the_shown_score(score, inst):
    m = rd.maturity(_overall(score), instrument=inst, language="es").iloc[0]
    levels = rd.maturity_levels(inst, language="es")
    for language in ("es", "en"):
        shown = format_number(score, language, decimals=rd.SCORE_DECIMALS)
        value = float(shown.replace(",", "X").replace(".", "").replace("X", ".")
                      if language == "es" else shown)
        # the level's range, as the table shows it, holds the figure printed beside it
        lv = levels[levels["level"] == m["level"]].iloc[0]
        assert lv["min_score"] <= value <= lv["max_score"], (score, shown, m["level"])
    assert m["score_shown"] == pytest.approx(value)


def test_level_ranges_tile_the_scale_without_gaps(inst):
    levels = rd.maturity_levels(inst, language="en")
    assert levels["min_score"].iloc[0] == 1 and levels["max_score"].iloc[-1] == 5
    step = 10 ** -rd.SCORE_DECIMALS
    assert np.allclose(levels["min_score"].iloc[1:].to_numpy(),
                       levels["max_score"].iloc[:-1].to_numpy() + step)


def test_maturity_levels_say_they_are_the_workbooks_own(inst):
    # source 004 has the questionnaire but no maturity scale: the report must say so
    assert rd.maturity_source(inst) == "workbook"
    assert set(rd.maturity_levels(inst)["source"]) == {"workbook"}
    overall = _overall(2.7)
    for language, words in (("es", "propios de este cuaderno"), ("en", "this workbook's own")):
        m = rd.maturity(overall, instrument=inst, language=language)
        assert words in rd.maturity_text(overall, m, language=language)


# --------------------------------------------------------------- the action plan

def _areas(inst, **current):
    info = rd.dimension_info(inst)
    info = info[info["section"].isin(rd.SCORED_SECTIONS)]
    cur = info["dimension"].map(lambda d: current.get(d, 4.0))
    return pd.DataFrame({"dimension": info["dimension"], "section": info["section"],
                         "stage": info["stage"], "weight": 1.0, "current": cur,
                         "preferred": 4.5, "gap": 4.5 - cur}).reset_index(drop=True)


def test_plan_ranks_by_gap_and_weight_without_duplicates(inst):
    areas = _areas(inst, personalize=2.0, customer_relationships=2.5, knowledge_strategy=3.0)
    areas.loc[areas["dimension"] == "knowledge_strategy", "weight"] = 2.0  # 1.5 x 2 = 3
    plan = rd.priorities(areas, instrument=inst, language="en", top=3)
    ranked = plan.drop_duplicates("rank")["dimension"].tolist()
    assert ranked == ["knowledge_strategy", "personalize", "customer_relationships"]
    assert plan["action_id"].dropna().is_unique and plan["action"].is_unique
    assert plan["task_no"].tolist() == list(range(1, len(plan) + 1))
    assert list(plan.columns) == rd.PLAN_COLUMNS
    assert (plan["owner"] == "").all() and (plan["due_date"] == "").all()
    # A-PE3 serves personalize and knowledge strategy: listed once, under the higher rank
    pe3 = plan[plan["action_id"] == "A-PE3"]
    assert pe3["dimension"].tolist() == ["knowledge_strategy"]
    assert pe3["also_serves"].iloc[0] == "Personalize"


def test_plan_puts_the_lowest_items_tasks_first(inst):
    areas = _areas(inst, customer_relationships=2.0)
    items = inst.items[["item_id", "dimension"]].copy()
    items["current"] = 4.0
    # within customer relationships, the tasks serving the weakest statement come first:
    # CR2 is weakest, but A-ID3 also serves identify, whose ID1 is weaker still
    items.loc[items["item_id"] == "CR2", "current"] = 1.5
    items.loc[items["item_id"] == "ID1", "current"] = 1.2
    plan = rd.priorities(areas, item_table=items, instrument=inst, language="es", top=1)
    assert plan["weakest_current"].is_monotonic_increasing
    first = plan.iloc[0]
    assert first["weakest_item"] == "ID1" and first["action_id"].startswith("A-ID")
    assert set(plan.loc[plan["weakest_item"] == "CR2", "action_id"]) == {
        "A-DF1", "A-DF2", "A-DF4", "A-DF5", "A-DF7", "A-IN7", "A-PE4", "A-PE6"}


def test_plan_goes_to_the_workbook_with_owner_and_due_date_to_fill(inst, tmp_path):
    from openpyxl import load_workbook

    from crmlib.report import write_workbook

    plan = rd.priorities(_areas(inst, interact=2.0), instrument=inst, language="es", top=1)
    path = write_workbook({"priorities": plan}, tmp_path / "tables.xlsx", language="es",
                          stage="05_readiness")
    ws = load_workbook(path).worksheets[1]
    header = [c.value for c in ws[1]]
    assert "Responsable" in header and "Fecha límite" in header
    j, k = header.index("Responsable"), header.index("Fecha límite")
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(body) == len(plan) and all(r[j] in (None, "") and r[k] in (None, "")
                                          for r in body)


# --------------------------------------------------------------- customers on the ladder

def test_ladder_counts_customers_per_rung_from_the_view():
    view = pd.DataFrame({"customer_id": list("abcdefg"),
                         "relationship_stage": ["contact", "contact", "relate", "relate",
                                                "relate", "intimate", "trust"],
                         "value": [10.0, 0.0, 20.0, 30.0, 40.0, 100.0, 300.0]})
    ladder = rd.relationship_ladder(view, language="en")
    assert ladder["rung"].tolist() == ["contact", "relate", "intimate", "trust"]
    assert ladder["n_customers"].tolist() == [2, 3, 1, 1]
    assert ladder["value"].tolist() == [10.0, 90.0, 100.0, 300.0]
    assert ladder["share_at_or_above"].tolist() == pytest.approx([1, 5 / 7, 2 / 7, 1 / 7])
    text = rd.ladder_text(ladder, language="en")
    assert "2 (29%)" in text and "80%" in text  # 400 of 500 value


def test_ladder_places_customers_from_their_data_when_no_stage_is_given():
    # crmlib.personalize.relationship_stages: relate from 2 purchase days; intimate from a
    # year, 6 purchase days and a contact; trust from two years and 12 purchase days
    data = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "n_purchases": [1, 3, 8, 20],
                         "tenure_days": [30, 200, 400, 800], "n_contacts": [0, 0, 2, 3]})
    ladder = rd.relationship_ladder(data, language="es")
    assert ladder["n_customers"].tolist() == [1, 1, 1, 1]
    assert ladder["name"].tolist() == ["Contactar", "Relacionar", "Intimar", "Confiar"]


def test_ladder_refuses_an_unknown_rung():
    from crmlib.exceptions import DataError

    with pytest.raises(DataError, match="relationship_stage.*not a rung"):
        rd.relationship_ladder(pd.DataFrame({"customer_id": ["a"],
                                             "relationship_stage": ["loyal"]}))


@pytest.mark.parametrize("spread, shown_range, flagged", [(1.0, "1.00", True),
                                                          (0.996, "1.00", True),
                                                          (0.994, "0.99", False)])
def test_disagreement_flag_agrees_with_the_shown_range(spread, shown_range, flagged, inst):
    # one manager and one customer answer every statement; the customer sits `spread`
    # points higher on identify only: the range shown with two decimals decides the flag
    rows = []
    for rid, group, shift in (("m", "manager", 0.0), ("c", "customer", spread)):
        for item in inst.item_ids:
            bump = shift if item.startswith("ID") else 0.0
            rows.append((rid, group, item, 2.0 + bump, 4.0))
    c = rd.consensus(pd.DataFrame(rows, columns=COLS), instrument=inst, alpha=None)
    row = c.set_index("dimension").loc["identify"]
    assert format_number(row["group_range"], "en", decimals=rd.SCORE_DECIMALS) == shown_range
    assert bool(row["disagreement"]) is flagged
