"""Charts write what they show in the reader's language (the plot tests inspect what was drawn)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlib import plot
from crmlib.i18n._leaks import find_leaks

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def ticks(axis):
    axis.figure.canvas.draw()
    return [tl.get_text() for tl in axis.get_ticklabels() if tl.get_text()]


def lifecycle_summary():
    return pd.DataFrame({"lifecycle": ["new", "active", "inactive", "lost"],
                         "n_customers": [120, 2400, 1500, 980],
                         "customer_share": [0.024, 0.48, 0.3, 0.196],
                         "monetary": [1e3, 9e4, 2e4, 5e3],
                         "value_share": [0.01, 0.78, 0.17, 0.04]})


def test_lifecycle_bars_are_labelled_with_customers_not_value():
    ax = plot.plot_lifecycle(lifecycle_summary(), language="es")
    texts = [a.get_text() for a in ax.texts]
    # 2.400 of 5.000 customers = 48 %; the value share (78 %) is not a label of a customer bar
    assert f"2.400 (48{NBSP}%)" in texts and not any("78" in x for x in texts)
    assert [p.get_height() for p in ax.patches] == [120, 2400, 1500, 980]
    assert "2.000" in ticks(ax.yaxis)  # a customer axis: counts, grouped the Spanish way


def test_percent_axes_follow_the_locale():
    retention = pd.DataFrame({"period": ["2023", "2024"], "retention_rate": [0.62, 0.55],
                              "churn_rate": [0.38, 0.45]})
    es = ticks(plot.plot_retention(retention, language="es").yaxis)
    en = ticks(plot.plot_retention(retention, language="en").yaxis)
    assert es and all(x.endswith(f"{NBSP}%") for x in es)
    assert en and all(x.endswith("%") and NBSP not in x for x in en)
    assert all(find_leaks(x, "es") == [] for x in es)


def test_number_axes_use_the_locale_separators():
    totals = pd.DataFrame({"bucket": ["not_due", "d1_30", "over_30"],
                           "amount": [125000.0, 43000.0, 9000.0], "share": [0.71, 0.24, 0.05]})
    ax = plot.plot_aging(totals, language="es")
    labels = ticks(ax.yaxis)
    assert any("." in x for x in labels) and not any("," in x for x in labels)
    assert f"71{NBSP}%" in [a.get_text() for a in ax.texts]
    en = ticks(plot.plot_aging(totals, language="en").yaxis)
    assert any("," in x for x in en)


def test_cohort_heatmap_annotations_are_locale_percentages():
    cohorts = pd.DataFrame({"cohort": ["2024-01", "2024-01", "2024-02"],
                            "period_index": [0, 1, 0], "retention": [1.0, 0.361, 1.0]})
    ax = plot.plot_cohort_heatmap(cohorts, language="es")
    texts = {t.get_text() for t in ax.texts}
    assert f"36{NBSP}%" in texts and f"100{NBSP}%" in texts


def test_rfm_heatmap_annotations_group_thousands_in_spanish():
    rng = np.random.default_rng(3)
    scores = pd.DataFrame({"r_score": rng.integers(1, 4, 60), "f_score": rng.integers(1, 4, 60),
                           "monetary": rng.uniform(3000, 4000, 60)})
    scores.attrs["bins"] = 3
    ax = plot.plot_rfm_heatmap(scores, language="es")
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert texts and all("." in x and "," not in x for x in texts)  # 3.612, never 3,612


def test_aging_trend_legend_sits_outside_the_bars():
    trend = pd.DataFrame({"as_of": pd.to_datetime(["2024-10-31", "2024-11-30", "2024-12-31"]),
                          "not_due": [100.0, 120.0, 90.0], "d1_30": [40.0, 30.0, 60.0],
                          "receivables": [140.0, 150.0, 150.0], "dso_days": [41.0, 39.5, 44.0]})
    ax = plot.plot_aging_trend(trend, language="es")
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 <= ax.get_window_extent().y0  # below the plot area, covering nothing
    assert [t.get_text() for t in ax.get_xticklabels()] == ["oct 2024", "nov 2024", "dic 2024"]


def test_relationship_ladder_uses_the_methods_terms():
    from crmlib.i18n import t

    es = [t(f"personalize.stage.{k}", "es") for k in ("contact", "relate", "intimate", "trust")]
    en = [t(f"personalize.stage.{k}", "en") for k in ("contact", "relate", "intimate", "trust")]
    # the method's four phases are verbs: contactar, relacionar, intimar y confiar
    assert es == ["Contactar", "Relacionar", "Intimar", "Confiar"]
    assert en == ["Contact", "Relate", "Intimate", "Trust"]


def test_zone_of_tolerance_legend_leaves_every_row_visible():
    zone = pd.DataFrame({"dimension": ["tangibles", "reliability", "responsiveness", "assurance",
                                       "empathy"],
                         "adequate": [4.0, 5.0, 4.5, 4.8, 4.2], "desired": [6.0, 6.5, 6.2, 6.4, 6.0],
                         "perception": [4.5, 4.6, 5.0, 5.5, 3.9],
                         "position": ["within", "below", "within", "within", "below"]})
    ax = plot.plot_zone_of_tolerance(zone, language="es")
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0
    assert ticks(ax.xaxis) and all("." not in x for x in ticks(ax.xaxis))


def test_complaint_volume_bars_name_channels_in_words():
    """Seen in the Spanish 03 report: the bars of complaints by channel were labelled
    `phone`, `in_person`, `web`, codes the reader does not use."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from crmlib.plot import plot_complaint_volume

    metrics = pd.DataFrame({"channel": ["phone", "in_person", "Mostrador"],
                            "n_contacts": [30, 20, 5], "share": [0.55, 0.36, 0.09]})
    ax = plot_complaint_volume(metrics, language="es")
    names = [tick.get_text() for tick in ax.get_yticklabels()]
    plt.close(ax.figure)
    assert names == ["Mostrador", "En persona", "Teléfono"]


def test_p_alive_recency_axis_reads_round_values_where_they_fall():
    # the 02 report showed recency ticks 0, 25, 49, 74, 99, 123, 148 (grid columns)
    from crmlib import clv

    model = clv.BetaGeoModel(time_unit="W")
    model.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    model.time_unit_ = "W"
    matrix = clv.probability_alive_matrix(model, max_frequency=5, T=148.0, n_recency=40)
    cols = np.sort(matrix["recency"].unique())
    ax = plot.plot_p_alive(matrix, time_unit="W", language="es")
    labels = [int(x.get_text().replace(".", "")) for x in ax.get_xticklabels()]
    assert len(labels) >= 3 and all(v % 5 == 0 for v in labels), labels
    # each round value sits where it falls between the grid's columns
    for pos, value in zip(ax.get_xticks(), labels):
        assert np.interp(pos, np.arange(len(cols)), cols) == pytest.approx(value)


def test_run_chart_writes_months_in_words_and_a_rate_as_a_percentage():
    # the 03 report showed months as "2022-05" and first-contact resolution as 0.4-0.8
    from crmlib import interact

    counts = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=12, freq="MS"),
                           "solved": [6, 7, 5, 6, 8, 7, 6, 5, 7, 6, 8, 7],
                           "total": [10] * 12})
    chart = interact.p_chart(counts, successes="solved", trials="total")
    ax = plot.plot_run_chart(chart, index="fcr_rate", language="es")
    ax.figure.canvas.draw()
    months = [x.get_text() for x in ax.get_xticklabels() if x.get_text()]
    assert months and all(find_leaks(m, "es") == [] for m in months), months
    assert any("2024" in m and m.split()[0] in {"ene", "feb", "mar", "abr", "may", "jun", "jul",
                                               "ago", "sept", "sep", "oct", "nov", "dic"}
               for m in months), months
    rates = [y.get_text() for y in ax.get_yticklabels() if y.get_text()]
    assert rates and all(r.endswith("%") for r in rates), rates


@pytest.mark.parametrize("language, expected", [("es", ["4,75", "5,00", "5,25", "5,50"]),
                                                ("en", ["4.75", "5.00", "5.25", "5.50"])])
def test_ticks_a_quarter_apart_keep_two_decimals(language, expected):
    # the zone-of-tolerance axis read "4,8 5,0 5,2 5,5 5,8" for ticks 4.75 ... 5.75
    from crmlib.plot._common import LocaleFormatter

    assert LocaleFormatter(language).format_ticks([4.75, 5.0, 5.25, 5.5]) == expected
    tenths = ["4,8", "5,0", "5,2"] if language == "es" else ["4.8", "5.0", "5.2"]
    assert LocaleFormatter(language).format_ticks([4.8, 5.0, 5.2]) == tenths


def test_zone_of_tolerance_bands_do_not_start_on_the_frame():
    # Hotel Mirador: the tangibles band began at the left frame, its start cut off
    zone = pd.DataFrame({"dimension": ["tangibles", "empathy"], "adequate": [4.79, 5.05],
                         "desired": [6.14, 6.22], "perception": [6.08, 4.87],
                         "position": ["within", "below"]})
    ax = plot.plot_zone_of_tolerance(zone, language="es")
    left, right = ax.get_xlim()
    assert left < 4.79 and right > 6.22
