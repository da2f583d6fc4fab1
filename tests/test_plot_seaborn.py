"""The statistical figures drawn with seaborn: what is on the axes, and in the reader's locale.

Each test builds a small table whose histogram, bars or curve can be worked out by hand (or
with ``numpy.histogram``) and reads back the artists seaborn drew: bar heights, the density
curve, the reference lines, legend and tick labels in Spanish and English.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from crmlib import plot
from crmlib.i18n import t


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _tick_texts(axis) -> list[str]:
    axis.axes.figure.canvas.draw()
    return [tk.get_text() for tk in axis.get_ticklabels() if tk.get_text()]


# ------------------------------------------------------------------ resolution times


def _tickets(hours) -> pd.DataFrame:
    return pd.DataFrame({"resolution_hours": np.asarray(hours, dtype=float)})


def test_resolution_histogram_counts_every_ticket_up_to_the_99th_percentile():
    rng = np.random.default_rng(7)
    hours = np.concatenate([rng.gamma(2.0, 300.0, 400), [50_000.0]])  # one extreme ticket
    ax = plot.plot_resolution_times(_tickets(hours), language="en", bins=25)
    top = np.quantile(hours, 0.99)
    expected, _ = np.histogram(hours[hours <= top], bins=25, range=(0, top))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 25
    assert heights == expected.tolist()
    assert sum(heights) < len(hours)  # the extreme ticket is off the bars ...
    median = ax.lines[-2].get_xdata()[0]
    assert median == pytest.approx(np.median(hours))  # ... but in the median and p90 lines
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(np.quantile(hours, 0.9))


def test_resolution_density_curve_is_drawn_within_the_shown_range():
    hours = np.linspace(1.0, 40.0, 60) ** 1.5
    ax = plot.plot_resolution_times(_tickets(hours), language="es")
    assert len(ax.lines) == 3  # density curve, median, p90
    curve = ax.lines[0]
    x, y = curve.get_xdata(), curve.get_ydata()
    shown = hours[hours <= np.quantile(hours, 0.99)]
    assert x.min() >= shown.min() - 1e-9 and x.max() <= shown.max() + 1e-9  # cut at the data
    assert np.all(y >= 0) and y.max() > 0
    # scaled to counts: the curve's area is about the number of tickets times the bin width
    width = ax.patches[0].get_width()
    assert np.trapezoid(y, x) / width == pytest.approx(len(shown), rel=0.15)


@pytest.mark.parametrize("language, thousands", [("es", "1.000"), ("en", "1,000")])
def test_resolution_axes_read_in_the_locale(language, thousands):
    hours = np.linspace(0.0, 3000.0, 301)
    ax = plot.plot_resolution_times(_tickets(hours), language=language)
    assert thousands in _tick_texts(ax.xaxis)
    labels = ax.get_legend_handles_labels()[1]
    median = "1.500,0" if language == "es" else "1,500.0"
    assert labels[0] == t("interact.plot.median", language, value=median)
    assert ax.get_title() == t("interact.plot.resolution", language)
    assert ax.get_ylabel() == t("interact.plot.tickets", language)


def test_resolution_times_that_are_all_equal_draw_one_bar_and_no_curve():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "0 variance" warning from the density
        ax = plot.plot_resolution_times(_tickets([4.0] * 6), language="en", bins=10)
    assert max(p.get_height() for p in ax.patches) == 6
    assert sum(p.get_height() for p in ax.patches) == 6
    assert len(ax.lines) == 2  # median and p90 only


# ------------------------------------------------------------------ match scores


PAIRS = pd.DataFrame({
    "score": [96.0, 97.5, 99.0, 91.0, 82.0, 86.0, 41.0, np.nan],
    "decision": ["merge", "merge", "merge", "merge", "review", "review", "keep_apart", "merge"],
})


@pytest.mark.parametrize("language", ["es", "en"])
def test_match_scores_stack_one_histogram_per_decision(language):
    ax = plot.plot_match_scores(PAIRS, language=language, bins=20)
    assert len(ax.patches) == 3 * 20
    colors = {"merge": "#1B9E77", "review": "#E6AB02", "keep_apart": "#D95F02"}
    for decision, color in colors.items():
        bars = [p for p in ax.patches if p.get_facecolor() == pytest.approx(to_rgba(color))]
        scores = PAIRS.loc[PAIRS["decision"] == decision, "score"].dropna()
        expected, _ = np.histogram(scores, bins=20, range=(0, 100))
        assert [b.get_height() for b in bars] == expected.tolist(), decision
    # stacked: in the 95-100 bin the merge bar starts where nothing else is, and in 80-85
    # and 85-90 the review bars stand on the ground
    tops = {}
    for p in ax.patches:
        if p.get_height():
            tops.setdefault(round(p.get_x()), []).append((p.get_y(), p.get_height()))
    assert sorted(tops[95]) == [(0.0, 3.0)]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == [t(f"identify.decision.{d}", language) for d in colors]
    assert ax.get_legend().get_title().get_text() == ""
    assert ax.get_xlim() == (0, 100)
    assert ax.get_xlabel() == t("identify.plot.score", language)


def test_match_scores_without_a_decision_present_leave_it_out_of_the_legend():
    pairs = PAIRS[PAIRS["decision"] != "review"]
    ax = plot.plot_match_scores(pairs, language="en", bins=10)
    assert len(ax.patches) == 2 * 10
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["Merge", "Keep apart"]


# ------------------------------------------------------------------ response times


STUDY = pd.DataFrame({"encounter": ["remote", "phone", "in_person"],
                      "response_median_minutes": [2.5, 1200.0, 30.0],
                      "wait_median_minutes": [0.5, 3400.0, np.nan]})


@pytest.mark.parametrize("language, thousands", [("es", "3.000"), ("en", "3,000")])
def test_response_times_group_two_bars_per_encounter(language, thousands):
    ax = plot.plot_response_times(STUDY, language=language)
    bars = sorted((round(p.get_x() + p.get_width() / 2, 1), p.get_height())
                  for p in ax.patches if np.isfinite(p.get_height()) and p.get_height() > 0)
    assert [h for _, h in bars] == [2.5, 0.5, 1200.0, 3400.0, 30.0]
    # each encounter's pair straddles its tick
    centres = [c for c, _ in bars]
    assert centres[0] < 0 < centres[1] and centres[2] < 1 < centres[3] and 1.5 < centres[4] < 2
    assert _tick_texts(ax.xaxis) == [t(f"interact.encounter.{e}", language)
                                     for e in STUDY["encounter"]]
    assert thousands in _tick_texts(ax.yaxis)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == [t("column.response_median_minutes", language),
                      t("column.wait_median_minutes", language)]
    assert ax.get_xlabel() == ""
