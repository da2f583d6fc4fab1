"""The follow-up programme's analyses (crmlib.followup): each checked on a small table
whose answer is worked out by hand in the test, and SERVPERF reliability against a
published alpha."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlib import followup as f
from crmlib.exceptions import DataError, ParameterError

DATA = Path(__file__).parent / "data"


# --------------------------------------------------------------------------- lost customers

def _lost():
    return pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5"],
        "lost_at": pd.to_datetime(["2024-01-10"] * 5),
        "reason": ["La tarifa era muy cara", "Otro operador me ofreció más datos por el mismo precio",
                   "Me mudé a otra ciudad", "Sin comentarios", "Rude staff at the shop"],
    })


def _view():
    return pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4", "c5"],
                         "value_all_time": [1000.0, 500.0, 800.0, 50.0, 300.0],
                         "pareto_class_all_time": ["A", "B", "A", "C", "B"],
                         "clv": [10.0, 5.0, 8.0, 0.5, 3.0]})


def test_reasons_are_coded_by_words_competitor_before_price():
    assert [f.code_reason(r) for r in _lost()["reason"]] == \
        ["price", "competitor", "moved", "other", "service"]
    assert f.code_reason(None) == "other" and f.code_reason(np.nan) == "other"


def test_lost_table_judges_by_category_and_client_columns_win():
    lost = _lost()
    lost["repairable"] = [None, False, None, None, None]  # the client judged c2 unrepairable
    lost["reason_category"] = [None, None, None, "price", None]  # and coded c4 as price
    table = f.lost_customer_table(lost, view=_view())
    assert table["reason_category"].tolist() == ["price", "competitor", "moved", "price",
                                                 "service"]
    assert table["coded"].tolist() == [True, True, True, False, True]
    assert table["justified"].tolist() == [True, True, False, True, True]
    assert table["repairable"].tolist() == [True, False, False, True, True]
    assert table["value"].tolist() == [1000.0, 500.0, 800.0, 50.0, 300.0]


def test_value_lost_per_reason_by_hand():
    table = f.lost_customer_table(_lost(), view=_view())
    reasons = f.lost_reasons_table(table).set_index("reason_category")
    # price: c1 (1000); competitor: c2 (500); service: c5 (300); moved: c3 (800); other: c4 (50)
    assert reasons.index.tolist() == ["price", "service", "competitor", "moved", "other"]
    assert reasons["value_lost"].tolist() == [1000.0, 300.0, 500.0, 800.0, 50.0]
    assert reasons.loc["moved", "value_share"] == pytest.approx(800 / 2650)
    assert reasons["customer_share"].sum() == pytest.approx(1.0)
    assert reasons.loc["other", "n_justified"] == 0 and reasons.loc["price", "n_repairable"] == 1


def test_recovery_list_keeps_repairable_valuable_customers_by_value():
    table = f.lost_customer_table(_lost(), view=_view())
    rec = f.recovery_list(table)
    # c3 is class A but moved (not repairable); c4 is class C
    assert rec["customer_id"].tolist() == ["c1", "c2", "c5"]
    assert f.recovery_list(table, classes=("A",))["customer_id"].tolist() == ["c1"]


def test_lost_without_view_has_no_value_and_missing_column_is_named():
    table = f.lost_customer_table(_lost())
    assert table["value"].isna().all()
    with pytest.raises(DataError, match="reason"):
        f.lost_customer_table(_lost().drop(columns="reason"))


# --------------------------------------------------------------------------- post-transaction

def _survey():
    return pd.DataFrame({
        "response_id": [f"r{i}" for i in range(8)],
        "customer_id": ["a", "b", "c", "d", "e", None, "g", "h"],
        "answered_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10",
                                       "2024-03-01", "2024-03-02", "2024-03-15", "2024-03-20"]),
        "touchpoint": ["Desk", "Desk", "Desk", "Bar", "Desk", "Bar", "Bar", "Desk"],
        "channel": ["sms", "sms", "mail", "mail", "sms", "sms", "mail", "mail"],
        "score": [5.0, 4.0, 3.0, 2.0, 2.0, 1.0, 4.0, 1.0],
    })


def test_scores_by_touchpoint_by_hand():
    s = f.survey_scores(_survey()).set_index("touchpoint")
    # Desk: 5, 4, 3, 2, 1 -> mean 3, sd sqrt(2.5); below 3: 2 and 1
    assert s.loc["Desk", "n_answers"] == 5 and s.loc["Desk", "mean_score"] == 3.0
    half = 2.7764451051977987 * np.sqrt(2.5) / np.sqrt(5)  # t(0.975, 4)
    assert s.loc["Desk", "ci_low"] == pytest.approx(3 - half)
    assert s.loc["Desk", "share_below"] == pytest.approx(2 / 5)
    # Bar: 2, 1, 4 -> mean 7/3; below 3: 2 and 1
    assert s.loc["Bar", "mean_score"] == pytest.approx(7 / 3) and s.loc["Bar", "n_below"] == 2
    assert s.index.tolist() == ["Desk", "Bar"]  # most answers first


def test_scores_by_period_and_channel():
    by_month = f.survey_scores(_survey(), by="period")
    assert by_month["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01",
                                                               "2024-03-01"]))
    assert by_month["mean_score"].tolist() == [4.5, 2.5, 2.0]
    by_channel = f.survey_scores(_survey(), by="channel", threshold=2).set_index("channel")
    assert by_channel.loc["sms", "n_below"] == 1  # only the 1 is below 2
    with pytest.raises(ParameterError, match="by must be one of"):
        f.survey_scores(_survey(), by="week")


def test_trend_slope_by_hand():
    trend = f.survey_trend(_survey()).set_index("touchpoint")
    # all answers: monthly means 4.5, 2.5, 2.0 at x = 0, 1, 2 -> slope -1.25
    assert trend.loc["all", "slope"] == pytest.approx(-1.25)
    assert trend.loc["all", "first_mean"] == 4.5 and trend.loc["all", "last_mean"] == 2.0
    # Bar has answers in two months only: too short to judge
    assert trend.loc["Bar", "direction"] == "too_short"


def test_follow_up_calls_low_scores_with_a_customer_by_value():
    view = pd.DataFrame({"customer_id": ["d", "e", "h"], "value": [10.0, 300.0, 50.0],
                         "pareto_class": ["C", "A", "B"]})
    calls = f.follow_up_calls(_survey(), view=view, as_of="2024-03-31", within_days=90)
    # low answers: d (2), e (2), the anonymous 1 (no customer) and h (1)
    assert calls["customer_id"].tolist() == ["e", "h", "d"]
    recent = f.follow_up_calls(_survey(), as_of="2024-03-31", within_days=31)
    assert recent["customer_id"].tolist() == ["h", "e"]  # lowest score first, d is older
    # the window is the days up to as_of: 30 days start on 2024-03-02 and leave e out
    assert f.follow_up_calls(_survey(), as_of="2024-03-31", within_days=30)[
        "customer_id"].tolist() == ["h"]


# --------------------------------------------------------------------------- critical incidents

def test_incidents_counted_with_latest_examples():
    inc = pd.DataFrame({
        "incident_id": list("abcdef"),
        "reported_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-15",
                                       "2024-02-15", "2024-03-15"]),
        "valence": ["negative", "negative", "positive", "negative", "positive", "negative"],
        "category": ["Staff", "Staff", "Staff", "Waiting", "Food", "Staff"],
        "description": ["rude", "ignored", "kind", "queue", "great", "ignored"],
    })
    table = f.incident_table(inc)
    assert table[["valence", "category", "n_reports"]].values.tolist() == [
        ["negative", "Staff", 3], ["negative", "Waiting", 1],
        ["positive", "Food", 1], ["positive", "Staff", 1]]
    assert table.loc[0, "share"] == pytest.approx(3 / 4)
    # the two most recent distinct stories: "ignored" twice counts once
    assert table.loc[0, "examples"] == "ignored / rude"
    bal = f.incident_balance(inc).set_index("category")
    assert bal.loc["Staff", "negative_share"] == pytest.approx(3 / 4)


# --------------------------------------------------------------------------- suggestions

def test_suggestions_status_time_and_action():
    inter = pd.DataFrame({
        "interaction_id": ["s1", "s2", "s3", "q1"],
        "customer_id": ["a", "b", "c", "d"],
        "opened_at": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-03-01", "2024-01-02"]),
        "closed_at": pd.to_datetime(["2024-01-03", None, None, "2024-01-05"]),
        "kind": ["suggestion", "suggestion", "suggestion", "complaint"],
        "category": ["Spa", "Parking", "Spa", "Room"],
    })
    actions = pd.DataFrame({"interaction_id": ["s1", "s2"], "action": ["adopted", "declined"],
                            "answered_at": pd.to_datetime(["2024-01-11", "2024-01-20"])})
    table = f.suggestion_table(inter, actions, as_of="2024-03-31")
    assert table["interaction_id"].tolist() == ["s1", "s2", "s3"]
    assert table["status"].tolist() == ["answered", "answered", "open"]
    assert table["days_to_answer"].tolist()[:2] == [10.0, 10.0]  # decision date wins
    assert table.loc[2, "days_open"] == 30.0 and table.loc[2, "decision"] == "not_recorded"
    summary = f.suggestion_summary(table).set_index("decision")
    assert summary.index.tolist() == ["adopted", "declined", "not_recorded"]
    assert summary.loc["not_recorded", "n_open"] == 1
    assert summary["share"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- mystery shopper

def test_mystery_compliance_per_site_item_and_visit_with_wilson_interval():
    visits = pd.DataFrame({
        "visit_id": ["v1"] * 3 + ["v2"] * 3 + ["v3"] * 3,
        "site": ["North"] * 6 + ["South"] * 3,
        "visited_at": pd.to_datetime(["2024-01-01"] * 3 + ["2024-02-01"] * 3 + ["2024-01-15"] * 3),
        "item_id": ["MS01", "MS02", "MS03"] * 3,
        "compliant": [True, True, False, True, None, True, False, False, True],
    })
    site = f.mystery_compliance(visits).set_index("site")
    # North: 4 of 5 observed items met (v2's MS02 not observed); South: 1 of 3
    assert site.loc["North", "compliance_rate"] == pytest.approx(0.8)
    assert site.loc["South", "compliance_rate"] == pytest.approx(1 / 3)
    assert site.index.tolist() == ["South", "North"]  # weakest first
    # Wilson 95 % interval of 4/5, as R: prop.test(4, 5, correct = FALSE)$conf.int
    assert site.loc["North", "ci_low_rate"] == pytest.approx(0.3755, abs=1e-4)
    assert site.loc["North", "ci_high_rate"] == pytest.approx(0.9638, abs=1e-4)
    items = f.mystery_compliance(visits, by="item", language="en")
    assert items["item"].tolist()[0] == "Greeted within the first minute."
    assert items["compliance_rate"].tolist() == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    per_visit = f.mystery_compliance(visits, by="visit")
    assert per_visit["visit_id"].tolist() == ["v3", "v1", "v2"]


# --------------------------------------------------------------------------- SERVPERF

def _attitude_long():
    wide = pd.read_csv(DATA / "attitude.csv")
    wide.insert(0, "respondent_id", [f"d{i:02d}" for i in range(len(wide))])
    long = wide.melt(id_vars="respondent_id", var_name="item_id", value_name="perception")
    return wide, long


def _attitude_instrument(tmp_path, items):
    lines = ["name: attitude", "title: {es: Actitud, en: Attitude}",
             "scale: {min: 0, max: 100}", "parts: [perception]",
             "dimensions: {department: {es: Departamento, en: Department}}", "items:"]
    lines += [f"  - {{id: {i}, dimension: department, text: {{es: {i}, en: {i}}}}}"
              for i in items]
    path = tmp_path / "attitude.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_servperf_reproduces_the_published_alpha_of_the_attitude_survey(tmp_path):
    """R datasets::attitude (Chatterjee & Price 1977), a perception-only survey:
    psych::alpha(attitude) reports raw_alpha 0.843 and std.alpha 0.839 (average r 0.427),
    and 0.864 once `critical` is dropped."""
    wide, long = _attitude_long()
    items = list(wide.columns[1:])
    table = f.servperf_table(long, instrument=_attitude_instrument(tmp_path, items))
    overall = table.set_index("dimension").loc["all"]
    assert overall["alpha"] == pytest.approx(0.843, abs=5e-4)
    assert overall["n_items"] == 7 and overall["n_respondents"] == 30
    assert overall["alpha_ci_low"] < 0.843 < overall["alpha_ci_high"]
    # the same published standardized alpha from the correlation matrix alone
    corr = wide[items].corr().to_numpy()
    assert f.alpha_from_correlations(corr) == pytest.approx(0.839, abs=5e-4)
    no_critical = long[long["item_id"] != "critical"]
    dropped = f.servperf_table(no_critical, instrument=_attitude_instrument(
        tmp_path, [i for i in items if i != "critical"]))
    assert dropped.iloc[-1]["alpha"] == pytest.approx(0.864, abs=5e-4)
    # the score: mean over departments of their mean favourable share
    assert overall["score"] == pytest.approx(wide[items].mean(axis=1).mean())


def test_servperf_gives_numbers_where_the_gap_reliability_is_empty():
    """A SERVQUAL survey that asked perceptions only: the gap-based reliability of
    crmlib.servqual is empty (NaN), the perception-only score is not."""
    from crmlib import servqual

    rng = np.random.default_rng(3)
    rows = []
    for r in range(40):
        level = rng.normal(5, 0.8)
        for i in range(1, 23):
            rows.append({"respondent_id": f"r{r}", "item_id": f"SQ{i:02d}",
                         "expectation": np.nan,
                         "perception": float(np.clip(round(level + rng.normal(0, 0.6)), 1, 7))})
    resp = pd.DataFrame(rows)
    gap_alpha = servqual.reliability_table(servqual.gap_table(resp))
    assert gap_alpha["alpha"].isna().all()
    table = f.servperf_table(resp.drop(columns="expectation"), instrument="servqual-1991")
    assert table["dimension"].tolist() == ["tangibles", "reliability", "responsiveness",
                                           "assurance", "empathy", "all"]
    assert table["alpha"].notna().all() and (table["alpha"] > 0.5).all()
    assert (table["ci_low"] < table["score"]).all() and (table["score"] < table["ci_high"]).all()


def test_servperf_names_unknown_items():
    resp = pd.DataFrame({"respondent_id": ["a"], "item_id": ["XX"], "perception": [3.0]})
    with pytest.raises(DataError, match="not in instrument 'soft-indicators'"):
        f.servperf_table(resp)


def test_servperf_reverse_scores_flagged_items(tmp_path):
    path = tmp_path / "rev.yaml"
    path.write_text("name: rev\ntitle: {es: r, en: r}\nscale: {min: 1, max: 5}\n"
                    "parts: [perception]\ndimensions: {d: {es: D, en: D}}\nitems:\n"
                    "  - {id: A, dimension: d, text: {es: a, en: a}}\n"
                    "  - {id: B, dimension: d, reverse: true, text: {es: b, en: b}}\n",
                    encoding="utf-8")
    resp = pd.DataFrame({"respondent_id": ["x", "x", "y", "y"], "item_id": ["A", "B"] * 2,
                         "perception": [5.0, 1.0, 2.0, 4.0]})
    table = f.servperf_table(resp, instrument=path)
    # B reversed: x -> 5, 5; y -> 2, 2; means 5 and 2; alpha of two identical items = 1
    assert table.iloc[0]["score"] == pytest.approx(3.5)
    assert table.iloc[0]["alpha"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- overview

def test_programme_overview_counts_records_and_says_what_unlocks_the_rest():
    inter = pd.DataFrame({"interaction_id": ["s1", "s2", "q"], "kind": ["suggestion"] * 2 + ["complaint"],
                          "opened_at": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"])})
    tables = {"interactions": inter, "lost_customers": None,
              "mystery_shopper": pd.DataFrame({"visit_id": ["v1", "v1", "v2"],
                                               "visited_at": pd.to_datetime(["2024-01-01"] * 3)})}
    ov = f.programme_overview(tables, findings={"suggestion_box": "Two ideas."}, language="en")
    assert ov["tool"].tolist() == list(f.TOOLS)
    row = ov.set_index("tool")
    assert row.loc["suggestion_box", "n_records"] == 2 and row.loc["suggestion_box", "used"]
    assert row.loc["suggestion_box", "finding"] == "Two ideas."
    assert row.loc["suggestion_box", "per_month"] == pytest.approx(2 / (60 / 30.4375))
    assert row.loc["mystery_shopper", "n_records"] == 2  # visits, not checklist rows
    assert not row.loc["lost_customers", "used"]
    assert "lost_customers.csv" in row.loc["lost_customers", "finding"]


def test_findings_are_sentences_in_both_languages():
    reasons = pd.DataFrame({"reason_category": ["price", "moved"], "n_customers": [3, 1],
                            "customer_share": [0.75, 0.25]})
    assert f.finding("lost_customers", reasons, "es") == \
        "4 clientes perdidos entrevistados; el motivo más frecuente es Precio (75\u00a0%)."
    assert f.finding("lost_customers", reasons, "en") == \
        "4 lost customers interviewed; the most frequent reason is Price (75%)."
    assert f.finding("mystery_shopper", pd.DataFrame(), "en") == ""


# --------------------------------------------------------------------------- figures

def test_figures_draw_the_tables_with_labels_not_codes():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib import plot

    table = f.lost_customer_table(_lost(), view=_view())
    ax = plot.plot_lost_reasons(f.lost_reasons_table(table), language="es")
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["Otro motivo", "Cambio de residencia", "Oferta de la competencia",
                      "Servicio y atención", "Precio"]
    heights = [p.get_width() for p in ax.patches[:5]]  # repairable part, bottom to top
    assert heights == [0, 0, 1, 1, 1]
    # both parts are named, and the longest bar ends before the frame
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["Reparable", "No reparable"]
    longest = max(p.get_x() + p.get_width() for p in ax.patches)
    assert ax.get_xlim()[1] > longest
    plt.close("all")
    ax = plot.plot_survey_trend(f.survey_scores(_survey(), by="period"), language="en")
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["Jan 2024", "Feb 2024",
                                                                  "Mar 2024"]
    assert list(ax.lines[0].get_ydata()) == [4.5, 2.5, 2.0]
    plt.close("all")
    servperf = pd.DataFrame({"dimension": ["courtesy", "speed", "all"], "score": [6.0, 4.0, 5.0],
                             "ci_low": [5.5, 3.5, 4.5], "ci_high": [6.5, 4.5, 5.5]})
    ax = plot.plot_servperf(servperf, language="es")
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["Agilidad", "Cortesía"]
    plt.close("all")


# --------------------------------------------------------------------------- contracts

def test_follow_up_files_read_with_spanish_headers_and_words(tmp_path):
    from crmlib import stages

    (tmp_path / "lost_customers.csv").write_text(
        "cliente,fecha_baja,motivo,categoria_motivo,reparable\n"
        "c1,2024-03-01,muy caro,Precio,sí\nc2,2024-04-01,me mudé,,no\n", encoding="utf-8")
    (tmp_path / "critical_incidents.csv").write_text(
        "incidente,valencia,categoria,relato\ni1,Negativo,Personal,nos gritaron\n"
        "i2,positiva,Personal,nos ayudaron\n", encoding="utf-8")
    (tmp_path / "mystery_shopper.csv").write_text(
        "visita,sede,item,cumple\nv1,Centro,MS01,sí\nv1,Centro,MS02,no\n", encoding="utf-8")
    data = stages.load("08_follow_up", tmp_path)
    assert data.lost_customers["reason_category"].tolist()[0] == "price"
    assert data.critical_incidents["valence"].tolist() == ["negative", "positive"]
    assert data.mystery_shopper["compliant"].tolist() == [True, False]
    assert data.unlocked("lost_customers") and not data.unlocked("recovery")
    assert not data.unlocked("post_transaction") and data.post_transaction_survey is None
    table = f.lost_customer_table(data.lost_customers)
    assert table["reason_category"].tolist() == ["price", "moved"]
    assert table["repairable"].tolist() == [True, False]


def test_a_bad_follow_up_file_names_file_column_rule_and_rows(tmp_path):
    from crmlib import stages

    (tmp_path / "critical_incidents.csv").write_text(
        "incident_id,valence,category\ni1,negative,Staff\ni2,regular,Staff\ni3,meh,Food\n",
        encoding="utf-8")
    (tmp_path / "post_transaction_survey.csv").write_text(
        "response_id,answered_at,touchpoint,score\nr1,2024-01-01,Desk,4\nr2,2024-01-02,Desk,14\n",
        encoding="utf-8")
    with pytest.raises(DataError) as err:
        stages.load("08_follow_up", tmp_path)
    text = str(err.value)
    assert "critical_incidents" in text and "valence" in text and "'regular'" in text
    assert "2 of 3 rows" in text
    assert "post_transaction_survey" in text and "score" in text and "14" in text


# --------------------------------------------------------------------------- invariants

def test_row_order_does_not_change_results_and_inputs_are_not_mutated():
    from crmlib import stages

    data = stages.load("08_follow_up", Path(__file__).resolve().parents[1] / "data_samples"
                       / "hotel-mirador")
    cases = [
        (f.survey_scores, data.post_transaction_survey, {}),
        (f.survey_trend, data.post_transaction_survey, {}),
        (f.mystery_compliance, data.mystery_shopper, {"by": "item"}),
        (f.incident_balance, data.critical_incidents, {}),
        (f.servperf_table, data.soft_indicators, {}),
    ]
    for func, table, kw in cases:
        before = table.copy()
        shuffled = table.sample(frac=1, random_state=5)
        pd.testing.assert_frame_equal(func(table, **kw), func(shuffled, **kw),
                                      check_exact=False, rtol=1e-9)
        pd.testing.assert_frame_equal(table, before)


def test_value_view_is_the_customer_view_only_when_a_list_needs_it():
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
                       "date": pd.to_datetime(["2024-01-05", "2024-06-01", "2024-03-01",
                                               "2023-02-01"]),
                       "amount": [100.0, 50.0, 30.0, 500.0]})
    assert f.value_view(tx, as_of="2024-12-31", needed=False) is None
    assert f.value_view(None, as_of="2024-12-31") is None
    view = f.value_view(tx, as_of="2024-12-31").set_index("customer_id")
    # all-time value is every purchase; c bought nothing in the last 365 days
    assert view.loc["a", "value_all_time"] == 150.0 and view.loc["c", "value"] == 0.0
    table = f.lost_customer_table(pd.DataFrame({"customer_id": ["c"], "reason": ["caro"]}),
                                  view=view.reset_index())
    assert table.loc[0, "value"] == 500.0 and table.loc[0, "pareto_class"] == "A"
