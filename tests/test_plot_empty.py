"""A chart with nothing to draw is replaced by a sentence, never drawn empty."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from crmlib import plot
from crmlib.plot import _common

EMPTY = {
    "plot_decliners": pd.DataFrame(columns=["customer_id", "value_at_risk_annual"]),
    "plot_match_rules": pd.DataFrame(columns=["rule", "decision", "n_pairs"]),
    "plot_match_scores": pd.DataFrame(columns=["score", "decision"]),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_table_gives_a_sentence_and_no_figure(name, monkeypatch):
    shown = []
    monkeypatch.setattr(_common, "_display_text", shown.append)
    plt.close("all")
    for language, word in (("en", "Nothing to chart"), ("es", "Nada que graficar")):
        got = getattr(plot, name)(EMPTY[name], language=language)
        assert got is None
        assert plt.get_fignums() == []
        assert word in shown[-1]


def test_empty_table_on_a_given_axes_says_so_on_it():
    fig, ax = plt.subplots()
    got = plot.plot_decliners(EMPTY["plot_decliners"], ax=ax, language="en")
    assert got is ax
    assert [t.get_text() for t in ax.texts] and not ax.patches
    plt.close(fig)


def test_non_empty_table_is_still_drawn():
    plt.close("all")
    d = pd.DataFrame({"customer_id": ["A", "B"], "value_at_risk_annual": [30.0, 10.0]})
    ax = plot.plot_decliners(d, language="en")
    assert sorted(round(p.get_width(), 6) for p in ax.patches) == [10.0, 30.0]
    plt.close("all")
