"""Tests of crmlib.personalize: rules, one action per customer, relationship stages, letters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlib import personalize as P
from crmlib.exceptions import DataError, ParameterError
from crmlib.i18n._leaks import find_leaks

RULES = [
    {"id": "vip_complaint", "when": {"pareto_class": ["A"], "n_open_complaints": {"ge": 1}},
     "action": "retain", "service_level": "A", "channel": "phone", "contact_every_days": 7},
    {"id": "lost_valuable", "when": {"pareto_class": ["A", "B"], "lifecycle": "lost"},
     "action": "win_back", "service_level": "A", "channel": "preferred",
     "contact_every_days": 30, "letter": "win_back"},
    {"id": "big_spender", "when": {"value": {"gt": 1000, "le": 5000}},
     "action": "grow", "service_level": "B", "channel": "email", "contact_every_days": 60},
    {"id": "no_segment", "when": {"segment": {"missing": True}},
     "action": "grow", "service_level": "C", "channel": "email", "contact_every_days": 90},
    {"id": "rest", "when": {}, "action": "reduce_cost", "service_level": "C",
     "channel": "email", "contact_every_days": 120},
]


@pytest.fixture
def customers():
    return pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "pareto_class": ["A", "A", "B", "C", "C", None],
        "lifecycle": ["active", "lost", "lost", "active", "active", "lost"],
        "n_open_complaints": [2, 0, np.nan, 0, 0, 0],
        "value": [9000.0, 8000.0, 1500.0, 5000.0, 100.0, 50.0],
        "segment": ["champions", "at_risk", "lost", None, "lost", "lost"],
        "preferred_channel": [None, "whatsapp", None, None, None, None],
    })


def test_first_matching_rule_wins(customers):
    plan = P.treatment_plan(customers, RULES, fallback_channel="mail").set_index("customer_id")
    assert plan["rule_id"].to_dict() == {"c1": "vip_complaint", "c2": "lost_valuable",
                                         "c3": "lost_valuable", "c4": "big_spender",
                                         "c5": "rest", "c6": "rest"}
    # channel "preferred": own channel, else the fallback
    assert plan.loc["c2", "channel"] == "whatsapp" and plan.loc["c3", "channel"] == "mail"
    assert plan.loc["c2", "letter"] == "win_back" and plan.loc["c1", "letter"] is None
    assert plan.loc["c4", "action"] == "grow" and plan.loc["c4", "contact_every_days"] == 60
    # a rule without a stated reason reads as a sentence with the columns' labels
    assert plan.loc["c1", "reason"] == "Clase ABC es A; Quejas abiertas de 1 o más."
    assert "ABC class" in P.treatment_plan(customers, RULES, language="en").loc[0, "reason"]
    # a reader sees the rule by its place in the order; the rule id stays for the data
    assert plan.loc["c1", "rule_label"] == "Regla 1" and plan.loc["c5", "rule_label"] == "Regla 5"
    from crmlib.i18n import format_table

    shown = format_table(plan.reset_index(), "es")
    assert "Regla" in shown.columns and "rule_id" not in shown.columns and \
        "Clave de acción" not in shown.columns


def test_condition_operators(customers):
    rules = [
        {"id": "missing_segment", "when": {"segment": {"missing": True}}, "action": "grow",
         "service_level": "B", "channel": "email", "contact_every_days": 1},
        {"id": "not_lost", "when": {"lifecycle": {"not_in": ["lost"]}, "value": {"lt": 200}},
         "action": "retain", "service_level": "B", "channel": "email", "contact_every_days": 1},
        {"id": "ne", "when": {"pareto_class": {"ne": "A"}}, "action": "grow",
         "service_level": "C", "channel": "email", "contact_every_days": 1},
        {"id": "rest", "when": {}, "action": "reduce_cost", "service_level": "C",
         "channel": "email", "contact_every_days": 1},
    ]
    plan = P.treatment_plan(customers, rules).set_index("customer_id")["rule_id"]
    # c6 has no pareto_class: a missing value never satisfies a comparison
    assert plan.to_dict() == {"c1": "rest", "c2": "rest", "c3": "ne", "c4": "missing_segment",
                              "c5": "not_lost", "c6": "rest"}


def test_rule_errors_name_what_is_wrong(customers):
    with pytest.raises(DataError) as err:
        P.treatment_plan(customers, RULES[:2])
    assert "matches no next-best-action rule" in str(err.value) and "c4" in str(err.value)
    with pytest.raises(DataError, match="tier"):
        P.treatment_plan(customers, [{**RULES[-1], "when": {"tier": "gold"}}])
    with pytest.raises(ParameterError, match="action must be one of"):
        P.treatment_plan(customers, [{**RULES[-1], "action": "pamper"}])
    with pytest.raises(ParameterError, match="unknown operator"):
        P.treatment_plan(customers, [{**RULES[-1], "when": {"value": {"between": 1}}}])
    with pytest.raises(DataError, match="duplicate"):
        P.treatment_plan(pd.concat([customers, customers.head(1)]), RULES)


def test_packaged_rules_load_and_cover_everyone(tmp_path):
    rules = P.load_rules()
    assert rules[-1]["when"] == {} and {r["action"] for r in rules} == set(P.ACTIONS)
    table = P.rules_table(language="en")
    assert table.iloc[-1]["conditions"] == "everyone else"
    own = tmp_path / "rules.yaml"
    own.write_text("rules:\n  - {id: all, when: {}, action: grow, service_level: B, "
                   "channel: email, contact_every_days: 10}\n", encoding="utf-8")
    plan = P.treatment_plan(pd.DataFrame({"customer_id": ["x", "y"]}), own)
    assert list(plan["rule_id"]) == ["all", "all"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", None]),
                          st.sampled_from(["new", "active", "inactive", "lost", None]),
                          st.one_of(st.none(), st.integers(0, 3)),
                          st.sampled_from(["champions", "at_risk", "lost", "promising", None])),
                min_size=1, max_size=40))
def test_every_customer_gets_exactly_one_action(rows):
    df = pd.DataFrame(rows, columns=["pareto_class", "lifecycle", "n_open_complaints",
                                     "segment"])
    df.insert(0, "customer_id", [f"c{i}" for i in range(len(df))])
    df["recent_closed_complaints"] = df["n_open_complaints"]
    # the other verdicts of the customer view the packaged rules read
    k = np.arange(len(df))
    df["pareto_class_all_time"] = df["pareto_class"]
    df["on_complaint_call_list"] = k % 5 == 1
    df["is_decliner"] = k % 3 == 0
    df["is_below_zero"] = k % 4 == 0
    df["days_since_last"] = (k * 97) % 1000
    df["is_most_valuable"] = k % 7 == 0
    df["collection_step"] = np.where(k % 6 == 2, "handover", "none")
    df.attrs["as_of"] = "2024-12-31"
    plan = P.treatment_plan(df)  # the packaged rules
    assert list(plan["customer_id"]) == list(df["customer_id"])
    assert plan["action"].isin(P.ACTIONS).all() and plan["rule_id"].notna().all()
    assert plan["service_level"].isin(["A", "B", "C"]).all()
    # class A is never served below A: the packaged rules state no reason to
    low_a = (df["pareto_class"] == "A").to_numpy() & (plan["service_level"] != "A").to_numpy()
    assert not low_a.any()
    # the chosen rule is the first one that holds
    rules = P.load_rules()
    ids = [r["id"] for r in rules]
    for i, rid in enumerate(plan["rule_id"]):
        k = ids.index(rid)
        for earlier in rules[:k]:
            holds = all(P._condition(df[c].iloc[[i]], cond)[0]
                        for c, cond in earlier["when"].items())
            assert not holds


def test_plan_summary(customers):
    plan = P.treatment_plan(customers, RULES)
    s = P.plan_summary(plan, customers, by="action")
    assert s.set_index("action")["n_customers"].to_dict() == {"win_back": 2, "reduce_cost": 2,
                                                             "retain": 1, "grow": 1}
    assert s["share"].sum() == pytest.approx(1) and s["value_share"].sum() == pytest.approx(1)
    by_seg = P.plan_summary(plan, customers, by=["segment", "action"])
    assert "-" in set(by_seg["segment"])  # missing segment shown as "-"


def test_customer_features_first_table_wins():
    a = pd.DataFrame({"customer_id": ["x", "y"], "value": [1.0, 2.0]})
    b = pd.DataFrame({"customer_id": ["y"], "value": [99.0], "segment": ["s"]})
    out = P.customer_features(a, b)
    assert list(out["value"]) == [1.0, 2.0] and out["segment"].isna().tolist() == [True, False]
    with pytest.raises(DataError, match="duplicate"):
        P.customer_features(a, pd.concat([b, b]))


# ----------------------------------------------------------------- contacts and stages

def test_contact_features_hand_example():
    inter = pd.DataFrame({
        "interaction_id": ["1", "2", "3", "4", "5"],
        "customer_id": ["a", "a", "a", "b", "b"],
        "opened_at": pd.to_datetime(["2024-12-01", "2024-12-10", "2024-12-20", "2023-01-01",
                                     "2024-06-01"]),
        "closed_at": pd.to_datetime(["2024-12-02", "2024-12-15", None, "2023-01-02",
                                     "2024-06-02"]),
        "kind": ["complaint", "complaint", "praise", "complaint", "request"],
        "channel": ["phone", "email", "email", "web", "web"],
        "category": ["billing", "network", None, "x", "y"],
    })
    f = P.contact_features(inter, as_of="2024-12-31", recent_days=30).set_index("customer_id")
    assert f.loc["a", "n_contacts"] == 3 and f.loc["a", "n_complaints"] == 2
    assert f.loc["a", "recent_closed_complaints"] == 2 and f.loc["a", "n_praise"] == 1
    assert f.loc["a", "n_open_complaints"] == 0
    assert f.loc["a", "last_complaint_category"] == "network"
    assert f.loc["a", "preferred_channel"] == "email"  # 2 emails vs 1 phone
    # b's 2023 complaint is outside the 365-day period
    assert f.loc["b", "n_contacts"] == 1 and f.loc["b", "n_complaints"] == 0


def _ladder(**more) -> pd.DataFrame:
    """Six customers, one on each rung of the relationship ladder or held back from one."""
    return pd.DataFrame({
        "customer_id": ["one_buy", "repeat", "intimate", "trusted", "unhappy", "complaining"],
        "days_since_first": [10, 100, 400, 900, 900, 900],
        "n_purchases": [1, 3, 8, 20, 20, 20],
        "n_contacts": [0, 0, 2, 3, 3, 3],
        "n_open_complaints": [0, 0, 0, 0, 0, 1],
        "satisfaction": [np.nan, np.nan, np.nan, np.nan, 4.0, np.nan],
        **more,
    })


def test_relationship_stages_ladder():
    df = _ladder()
    out = P.relationship_stages(df).set_index("customer_id")
    assert out["relationship_stage"].astype(str).to_dict() == {
        "one_buy": "contact", "repeat": "relate", "intimate": "intimate", "trusted": "trust",
        "unhappy": "intimate", "complaining": "relate"}
    # what is missing reads as a sentence, not as column names
    assert out.loc["repeat", "next_stage_gap"] == (
        "Al menos 365 días como cliente; al menos 6 días de compra; "
        "al menos 1 contacto(s) en el último año.")
    assert out.loc["unhappy", "next_stage_gap"] == "Una satisfacción de 6 o más (escala 1-7)."
    en = P.relationship_stages(df, language="en").set_index("customer_id")
    assert en.loc["complaining", "next_stage_gap"] == "No complaint open."
    assert out.loc["trusted", "next_stage_gap"] == ""
    for lang, frame in (("es", out), ("en", en)):
        assert find_leaks("\n".join(frame["next_stage_gap"]), lang) == []
    stricter = P.relationship_stages(df, thresholds={"trust": {"tenure_days": 1000}})
    assert (stricter["relationship_stage"] == "trust").sum() == 0
    with pytest.raises(ParameterError, match="thresholds"):
        P.relationship_stages(df, thresholds={"love": {}})
    summary = P.stage_summary(out.reset_index(), language="en")
    assert list(summary["stage_label"]) == ["Contact", "Relate", "Intimate", "Trust"]
    assert list(summary["n_customers"]) == [1, 2, 2, 1]


# ----------------------------------------------------------------- letters

@pytest.fixture
def recipients():
    return pd.DataFrame({"customer_id": ["c1", "c2"], "letter": ["welcome", "win_back"],
                         "name": ["Ana <script>alert(1)</script>", "Bruno & Hijos"]})


def test_letters_render_in_both_languages_autoescaped(recipients):
    es = P.render_letters(recipients, language="es", context={"sender": "Móvil Andina",
                                                                "date": "2024-12-31"})
    assert list(es["letter"]) == ["welcome", "win_back"]
    html = es.set_index("customer_id")["html"]
    assert "&lt;script&gt;" in html["c1"] and "<script>" not in html["c1"]
    assert "Bruno &amp; Hijos" in html["c2"] and 'lang="es"' in html["c2"]
    en = P.render_letters(recipients, letter="welcome", language="en",
                          context={"sender": "X", "date": "2024-12-31"})
    assert set(en["letter"]) == {"welcome"} and "Dear" in en["html"].iloc[0]


def test_missing_field_is_an_error_naming_customer_and_field(recipients):
    rec = recipients.assign(name=["Ana", None])
    with pytest.raises(DataError) as err:
        P.render_letters(rec, language="es", context={"sender": "X", "date": "2024-12-31"})
    msg = str(err.value)
    assert "c2" in msg and "name" in msg and "c1" not in msg
    with pytest.raises(DataError, match="sender"):
        P.render_letters(recipients, language="en", context={"date": "2024-12-31"})
    with pytest.raises(ParameterError, match="no letter template"):
        P.render_letters(recipients, letter="love_letter")


def test_own_templates_override_packaged_ones(recipients, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "welcome.html.j2").write_text(
        "<p>Hi {{ name }} from {{ sender }}</p>", encoding="utf-8")
    out = P.render_letters(recipients, language="en", templates=tmp_path,
                           context={"sender": "S", "date": "d"})
    html = out.set_index("customer_id")["html"]
    assert html["c1"].startswith("<p>Hi Ana &lt;script&gt;")
    assert "We miss you" in html["c2"]  # win_back still comes from the package


def test_write_letters_paths_and_safety(recipients, tmp_path):
    letters = P.render_letters(recipients, language="es", context={"sender": "X", "date": "d"})
    written = P.write_letters(letters, tmp_path)
    assert list(written["path"]) == ["letters/welcome/c1.html", "letters/win_back/c2.html"]
    assert (tmp_path / "letters" / "welcome" / "c1.html").read_text(encoding="utf-8") == \
        letters["html"].iloc[0]
    assert P.write_letters(letters, "").empty
    # an id that is a path gets a file name of its own, inside the letters folder
    evil = letters.assign(customer_id=["../../etc/passwd", "ok"])
    written = P.write_letters(evil, tmp_path / "evil")
    assert written["path"].iloc[1] == "letters/win_back/ok.html"
    assert (tmp_path / "evil" / written["path"].iloc[0]).parent == \
        tmp_path / "evil" / "letters" / "welcome"
    with pytest.raises(ParameterError, match="letter"):
        P.write_letters(letters.assign(letter=["../x", "welcome"]), tmp_path)


def test_letter_recipients_from_plan(customers):
    plan = P.treatment_plan(customers, RULES)
    names = pd.DataFrame({"customer_id": ["c2", "c3", "c3"], "name": ["Dos", None, "Tres"],
                          "source": ["crm", "crm", "erp"]})
    rec = P.letter_recipients(plan, names)
    assert list(rec["customer_id"]) == ["c2", "c3"] and list(rec["name"]) == ["Dos", "Tres"]
    assert set(rec["letter"]) == {"win_back"}


def test_plots_draw_the_summaries(customers):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib import plot

    plan = P.treatment_plan(customers, RULES)
    ax = plot.plot_plan_summary(P.plan_summary(plan, by=["action", "service_level"]),
                                language="en")
    assert sum(p.get_width() for p in ax.patches) == len(customers)
    assert ax.get_yticklabels()[0].get_text() == "Retain"
    df = pd.DataFrame({"customer_id": ["a", "b"], "days_since_first": [0, 800],
                       "n_purchases": [1, 30], "n_contacts": [0, 5], "value": [1.0, 3.0]})
    summary = P.stage_summary(P.relationship_stages(df), df, language="es")
    ax = plot.plot_relationship_stages(summary, language="es")
    assert [p.get_height() for p in ax.patches] == [1, 0, 0, 1]
    assert "75\u00a0% del valor" in [a.get_text() for a in ax.texts]  # es_ES percent spacing
    plt.close("all")


def test_editable_templates_match_the_packaged_ones():
    """templates/ at the repository root holds the copies a consultant edits; they start
    identical to the defaults shipped inside the package."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    packaged = P.templates_dir()
    files = ["nba_rules.yaml", "credit_4c.yaml"] + [
        str(p.relative_to(packaged)) for p in (packaged / "letters").rglob("*.html.j2")]
    assert len(files) == 2 + 2 * 13
    for name in files:
        assert (root / name).read_text(encoding="utf-8") == \
            (packaged / name).read_text(encoding="utf-8"), name


def test_every_letter_renders_in_both_languages():
    from crmlib.collections import default_formats

    names = list(P.LETTERS) + [f for v in default_formats().values() for f in v]
    fields = {"customer_id": "c1", "name": "Ana", "invoice_ids": "F1, F2",
              "overdue_amount": 1234.5, "oldest_due_at": "2024-01-31"}
    rec = pd.DataFrame([{**fields, "letter": n} for n in names])
    for lang in ("es", "en"):
        out = P.render_letters(rec, language=lang, context={"sender": "S", "date": "d",
                                                             "currency": "EUR"})
        assert len(out) == len(names) and out["html"].str.contains("Ana").all()
        dunning = out[~out["letter"].isin(P.LETTERS)]
        amount = "1.234,50 EUR" if lang == "es" else "1,234.50 EUR"
        assert dunning["html"].str.contains(amount, regex=False).all()
    # two formats of one stage really differ
    es = P.render_letters(rec, language="es", context={"sender": "S", "date": "d",
                                                       "currency": ""}).set_index("letter")
    assert es.loc["reminder_a", "html"] != es.loc["reminder_b", "html"]


def test_plan_explorer_regroups_and_moves_thresholds():
    import matplotlib

    matplotlib.use("agg")
    from crmlib import plot

    df = _ladder(pareto_class=["C", "C", "B", "A", "A", "A"],
                 lifecycle=["new", "active", "active", "active", "lost", "active"],
                 value=[10.0, 20.0, 30.0, 40.0, 50.0, 60.0], segment=["lost"] * 6,
                 preferred_channel=[None] * 6)
    assert plot.plan_explorer(df, RULES, interactive=False) is None
    box = plot.plan_explorer(df, RULES, interactive=True, language="en")
    choose, sliders, out = box.children[0], box.children[1].children, box.children[2]
    # no segment_label column: that grouping is not offered
    assert [k for _, k in choose.options] == ["action", "service_level", "lifecycle"]
    assert [s.description for s in sliders][2] == "Intimate: purchases"
    assert box.stages["n_customers"].tolist() == [1, 2, 2, 1]  # as the ladder test
    assert [p.get_height() for p in box.figure.axes[0].patches] == [1, 2, 2, 1]
    first = out.outputs
    sliders[2].value = 24  # intimate now needs 24 purchase days: nobody has them
    assert box.thresholds["intimate"]["n_purchases"] == 24
    assert [p.get_height() for p in box.figure.axes[0].patches] == [1, 5, 0, 0]
    assert out.outputs != first and "image/png" in out.outputs[2]["data"]
    choose.value = "lifecycle"
    assert list(box.summary.columns[:2]) == ["lifecycle", "action_label"]
    assert "Lifecycle" in out.outputs[0]["data"]["text/html"] or \
        "lifecycle" in out.outputs[0]["data"]["text/html"]
    assert box.summary["n_customers"].sum() == len(df)
    with pytest.raises(ParameterError, match="thresholds"):
        plot.plan_explorer(df, RULES, thresholds={"love": {}}, interactive=True)


def test_customer_table_is_the_customer_view_without_clv():
    from pathlib import Path

    from crmlib import io, personalize
    from crmlib.view import customer_view

    folder = Path(__file__).resolve().parents[1] / "data_samples" / "hotel-mirador"
    tx = io.read_client_table(folder, "transactions")
    it = io.read_client_table(folder, "interactions")
    got = personalize.customer_table(tx, it, as_of="2024-12-31", period_days=180,
                                     language="en")
    expected = customer_view(tx, interactions=it, as_of="2024-12-31", contact_period_days=180,
                             clv_time_unit=None, language="en")
    pd.testing.assert_frame_equal(got, expected)
    assert got["clv"].isna().all() and "clv" in got.attrs["missing"]
    assert got["customer_id"].is_unique and len(got) == tx["customer_id"].nunique()


def test_letters_write_dates_as_the_reader_does():
    from crmlib.i18n._leaks import find_leaks, visible_text

    rec = pd.DataFrame([{"customer_id": "c1", "name": "Ana", "invoice_ids": "F1",
                         "overdue_amount": 1234.5, "oldest_due_at": pd.Timestamp("2024-01-31"),
                         "letter": "reminder_a"}])
    for lang, day, amount in (("es", "31 de enero de 2024", "1.234,50"),
                              ("en", "31 January 2024", "1,234.50")):
        html = P.render_letters(rec, language=lang, context={
            "sender": "S", "date": "2024-12-31", "currency": "EUR"}).loc[0, "html"]
        assert day in html and amount in html
        assert [x for x in find_leaks(visible_text(html), lang)
                if x.kind in ("iso_date", "separator")] == []
