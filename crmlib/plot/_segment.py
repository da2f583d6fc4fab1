"""Plots for the segments stage: the loyalty funnel, share of wallet, segment profiles and
the seasonal pattern behind the reactivation calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import format_count, format_percent, label, t
from crmlib.plot._common import get_ax, localize_axes, nothing_to_draw

__all__ = ["needs_explorer", "plot_funnel", "plot_season", "plot_segment_profiles", "plot_wallet"]


def plot_funnel(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """The loyalty funnel as centred horizontal bars, widest at the top, each bar naming
    its customers and the share that passed from the step before (``funnel_table``)."""
    if nothing_to_draw(len(table) > 0 and table["n_customers"].iloc[0] > 0, ax,
                       t("table.funnel", language), language):
        return None
    ax = get_ax(ax, figsize=(8, 4.5))
    n = table["n_customers"].to_numpy(dtype=float)
    y = np.arange(len(table))[::-1]
    worst = int(np.argmax(table["n_lost"].to_numpy()))
    colors = ["#B23A48" if i == worst and i > 0 else "#4C72B0" for i in range(len(table))]
    ax.barh(y, n, left=-n / 2, color=colors, height=0.7)
    for yi, row in zip(y, table.itertuples()):
        text = format_count(row.n_customers, language)
        if row.Index:
            text += f" ({format_percent(row.conversion_rate, language)})"
        ax.annotate(text, (0, yi), ha="center", va="center", fontsize="small",
                    color="black", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8,
                                         "lw": 0})
    ax.set_yticks(y, [t(f"value.funnel_step.{s}", language) for s in table["funnel_step"]])
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(t("table.funnel", language))
    return localize_axes(ax, language)


def plot_wallet(by_segment: pd.DataFrame, *, ax=None, language: str = "es",
                names: dict | None = None):
    """Spend with the client and the gap to the category spend per segment, stacked
    (``wallet_by_segment``, or its :func:`crmlib.segment.label_segments` copy); each bar
    names its share of wallet. ``names`` maps segment numbers to reader names (segment 0,
    no segment, reads "all")."""
    if nothing_to_draw(len(by_segment) > 0, ax, t("table.wallet_by_segment", language),
                       language):
        return None
    ax = get_ax(ax)
    if "segment_name" in by_segment.columns:  # already labelled (segment.label_segments)
        data = by_segment
        ticks = list(data["segment_name"])
    else:
        data = by_segment.sort_values("segment")
        names = names or {}
        ticks = [names.get(s) or (t("segment.name", language, n=int(s)) if s else
                                  t("segment.all", language)) for s in data["segment"]]
    x = np.arange(len(data))
    ax.bar(x, data["spend"], color="#4C72B0", label=label("spend", language))
    ax.bar(x, data["wallet_gap"], bottom=data["spend"], color="#D9D9D9",
           label=label("wallet_gap", language))
    for xi, row in zip(x, data.itertuples()):
        ax.annotate(format_percent(row.share_of_wallet, language),
                    (xi, row.spend + row.wallet_gap), ha="center", va="bottom",
                    fontsize="small")
    ax.set_xticks(x, ticks)
    ax.set_ylabel(label("wallet", language))
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(t("table.wallet_by_segment", language))
    return localize_axes(ax, language)


def plot_segment_profiles(means: pd.DataFrame, *, ax=None, language: str = "es"):
    """Need scores per segment against the overall mean, one line per segment
    (``segment_means``, rows of kind ``need``)."""
    needs = means[means["kind"] == "need"]
    if nothing_to_draw(len(needs) > 0, ax, t("table.segment_means", language), language):
        return None
    ax = get_ax(ax, figsize=(8, 4.5))
    order = list(dict.fromkeys(needs["variable"]))
    labels = list(dict.fromkeys(needs["variable_label"]))
    x = np.arange(len(order))
    overall = needs.drop_duplicates("variable").set_index("variable")["overall"].reindex(order)
    ax.plot(x, overall.to_numpy(), color="black", linestyle="--", linewidth=1,
            label=label("overall", language))
    for seg, rows in needs.groupby("segment"):
        y = rows.set_index("variable")["mean"].reindex(order).to_numpy()
        ax.plot(x, y, marker="o", label=t("segment.name", language, n=int(seg)))
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylim(1, 5)
    ax.set_ylabel(t("segment.plot.importance", language))
    ax.legend(fontsize="small", loc="best")
    ax.set_title(t("table.segment_means", language))
    return localize_axes(ax, language)


def plot_season(pattern: pd.DataFrame, *, ax=None, language: str = "es"):
    """Seasonal index per calendar month (``monthly_pattern``), peaks highlighted."""
    from crmlib.i18n import format_date

    if nothing_to_draw(len(pattern) > 0, ax, t("table.season", language), language):
        return None
    ax = get_ax(ax)
    months = [format_date(pd.Timestamp(2024, int(m), 1), language, form="month").split()[0]
              for m in pattern["month"]]
    colors = ["#E4572E" if p else "#4C72B0" for p in pattern["peak"]]
    ax.bar(months, pattern["seasonal_index"], color=colors)
    ax.axhline(1, color="black", linewidth=1, linestyle="--")
    ax.set_ylabel(label("seasonal_index", language))
    ax.set_title(t("table.season", language))
    return localize_axes(ax, language)


def needs_explorer(means: pd.DataFrame, *, language: str = "es"):
    """A dropdown (ipywidgets) that redraws the need profile of one segment (or of all)
    against the overall mean. Takes ``segment_means``; for JupyterLab only: batch runs draw
    the static chart instead."""
    import ipywidgets as widgets

    from crmlib.plot._common import figure_png, new_figure, replace_output

    everyone = t("segment.plot.all_segments", language)
    segs = sorted(means.loc[means["kind"] == "need", "segment"].unique())
    names = {t("segment.name", language, n=int(s)): s for s in segs}
    choice = widgets.Dropdown(options=[everyone, *names], value=everyone,
                              description=t("segments.col.segment_name", language))
    out = widgets.Output()

    def draw(*_):
        rows = means if choice.value == everyone else \
            means[means["segment"] == names[choice.value]]
        fig, ax = new_figure((8, 4.5))
        plot_segment_profiles(rows, ax=ax, language=language)
        replace_output(out, figure_png(fig))

    choice.observe(draw, names="value")
    draw()
    return widgets.VBox([choice, out])
