"""Figures of the segments stage: what is drawn, in the reader's language."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from crmlib import plot
from crmlib import segment as sg


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _funnel():
    steps = pd.DataFrame({"customer_id": list("abcd"), **{s: [True] * 4 for s in sg.STEPS}})
    steps.loc[1:, "interacted"] = False
    for s in sg.STEPS[sg.STEPS.index("interacted"):]:
        steps[s] = steps[s] & steps["interacted"]
    steps["funnel_step"] = "x"
    return sg.funnel_table(steps)


def test_funnel_bars_are_the_step_counts_and_the_worst_step_stands_out():
    table = _funnel()
    ax = plot.plot_funnel(table, language="es")
    widths = [p.get_width() for p in ax.patches]
    assert widths == table["n_customers"].tolist()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = dict(zip(labels, ax.get_yticks()))
    assert ticks["Registrado"] == max(ticks.values()) and "Interactuado" in labels
    colors = {p.get_facecolor() for p in ax.patches}
    assert len(colors) == 2  # the step that loses most is drawn apart


def test_wallet_bars_stack_spend_and_gap_and_name_the_share():
    by = pd.DataFrame({"segment": [1, 2], "n_customers": [3, 4], "spend": [100.0, 50.0],
                       "wallet": [400.0, 100.0], "share_of_wallet": [0.25, 0.5],
                       "wallet_gap": [300.0, 50.0], "gap_share": [0.857, 0.143],
                       "n_estimated": [0, 0]})
    ax = plot.plot_wallet(sg.label_segments(by, "en"), language="en")
    heights = [p.get_height() for p in ax.patches]
    assert heights == [100.0, 50.0, 300.0, 50.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Segment 1", "Segment 2"]
    assert {t.get_text() for t in ax.texts} == {"25%", "50%"}


def test_season_bars_are_the_index_with_peaks_highlighted():
    pattern = pd.DataFrame({"month": range(1, 13), "sales": [1.0] * 12, "n_years": 3,
                            "seasonal_index": [1.0] * 11 + [2.0],
                            "peak": [False] * 11 + [True]})
    ax = plot.plot_season(pattern, language="es")
    assert [p.get_height() for p in ax.patches] == pattern["seasonal_index"].tolist()
    assert ax.get_xticklabels()[11].get_text().startswith("dic")
    assert ax.patches[11].get_facecolor() != ax.patches[0].get_facecolor()


def test_profile_lines_are_the_segment_means():
    means = pd.DataFrame({"segment": [1, 1, 2, 2], "variable": ["need:price", "need:quality"] * 2,
                          "variable_label": ["Price", "Product quality"] * 2,
                          "kind": "need", "mean": [4.5, 2.0, 2.5, 4.0],
                          "overall": [3.5, 3.0, 3.5, 3.0], "difference": 0.0})
    ax = plot.plot_segment_profiles(means, language="en")
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines["Segment 1"] == [4.5, 2.0] and lines["Segment 2"] == [2.5, 4.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Price", "Product quality"]
