"""Plots of the portfolio report (one client against the results store)."""

from __future__ import annotations

import numpy as np

from crmlib.i18n import label, t
from crmlib.plot._common import get_ax, localize_axes

__all__ = ["plot_portfolio_percentiles"]


def plot_portfolio_percentiles(table, *, ax=None, language: str = "es", max_figures: int = 25):
    """Horizontal bars of the client's percentile per figure, with the median line at 50.

    ``table`` is :func:`crmlib.store.portfolio_table`; figures without a
    percentile are left out, and at most ``max_figures`` are drawn (in table
    order); with none, the axes say so in words. Returns the Axes.
    """
    shown = table[table["percentile"].notna()].head(max_figures)
    ax = get_ax(ax, figsize=(7, max(2.0, 0.3 * len(shown) + 1)))
    if shown.empty:  # nothing compared: say so instead of drawing empty axes
        ax.set_axis_off()
        ax.text(0.5, 0.5, t("portfolio.plot_empty", language), ha="center", va="center",
                transform=ax.transAxes, color="#555")
        ax.set_title(t("portfolio.plot_title", language))
        return ax
    y = np.arange(len(shown))
    ax.barh(y, shown["percentile"].to_numpy(dtype=float), color="#1f77b4")
    ax.set_yticks(y, [str(f) for f in shown["figure"]])
    ax.invert_yaxis()
    ax.axvline(50, color="#888", linestyle="--", linewidth=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel(label("percentile", language))
    ax.set_title(t("portfolio.plot_title", language))
    return localize_axes(ax, language)
