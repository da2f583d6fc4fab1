"""Plots for the SERVQUAL stage: gaps, scores, zone of tolerance, importance, IPA grid.

Each function takes a result table of :mod:`crmlib.servqual` and returns the Axes.
Dimension labels come from the instrument, so adapted instruments plot their own names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import t
from crmlib.instruments import load_instrument
from crmlib.plot._common import figure_png, get_ax, localize_axes, new_figure, replace_output

__all__ = [
    "plot_dimension_gaps",
    "plot_importance",
    "plot_ipa",
    "plot_item_gaps",
    "plot_segment_choice",
    "plot_segment_gaps",
    "plot_servqual_scores",
    "plot_zone_of_tolerance",
    "segment_explorer",
]

_NEG, _POS, _NEUTRAL = "#C44E52", "#4C72B0", "#8C8C8C"


def _labels(dims, instrument, language):
    inst = load_instrument(instrument)
    return [inst.dimension_label(d, language) for d in dims]


def _colors(values):
    return [_NEG if v < 0 else _POS for v in np.nan_to_num(values)]


def plot_dimension_gaps(table: pd.DataFrame, *, ax=None, language: str = "es",
                        instrument="servqual-1991"):
    """Horizontal bars of the mean gap (P - E) per dimension with confidence intervals.

    Takes :func:`crmlib.servqual.dimension_gaps` (``dimension``, ``gap``, ``ci_low``,
    ``ci_high``); the first dimension is drawn at the top, negative gaps in red.
    """
    ax = get_ax(ax)
    rows = table.iloc[::-1]
    gap = rows["gap"].to_numpy(dtype=float)
    err = np.vstack([gap - rows["ci_low"].to_numpy(dtype=float),
                     rows["ci_high"].to_numpy(dtype=float) - gap])
    ax.barh(_labels(rows["dimension"], instrument, language), gap, color=_colors(gap),
            xerr=np.nan_to_num(err), capsize=4, ecolor="#333333")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(t("servqual.plot.gap_axis", language))
    ax.set_title(t("servqual.plot.dimension_gaps", language))
    return localize_axes(ax, language)


def plot_item_gaps(table: pd.DataFrame, *, ax=None, language: str = "es",
                   instrument="servqual-1991"):
    """Horizontal bars of the mean gap per item, largest shortfall at the top.

    Takes :func:`crmlib.servqual.item_gaps`; bars are labelled ``item_id`` and the
    dimension, sorted by ``gap`` (ties by item id).
    """
    ax = get_ax(ax, figsize=(7, max(4, 0.28 * len(table) + 1)))
    inst = load_instrument(instrument)
    rows = table.sort_values(["gap", "item_id"], ascending=[False, False])
    names = [f"{i} · {inst.dimension_label(d, language)}"
             for i, d in zip(rows["item_id"].astype(str), rows["dimension"])]
    gap = rows["gap"].to_numpy(dtype=float)
    ax.barh(names, gap, color=_colors(gap))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel(t("servqual.plot.gap_axis", language))
    ax.set_title(t("servqual.plot.item_gaps", language))
    return localize_axes(ax, language)


def plot_servqual_scores(scores: pd.DataFrame, *, ax=None, language: str = "es",
                         instrument="servqual-1991"):
    """Mean gap per dimension (bars) against the overall unweighted and weighted scores (lines).

    Takes :func:`crmlib.servqual.servqual_scores`. Everything drawn is a mean
    gap on the same scale: a dimension's weighted contribution (its share of the
    weighted score) is not, so it is left to the table.
    """
    from crmlib.i18n import format_number

    ax = get_ax(ax)
    dims = scores[scores["dimension"] != "overall"]
    labels = [load_instrument(instrument).dimension_label(d, language) for d in dims["dimension"]]
    x = np.arange(len(dims))
    gaps = dims["gap"].to_numpy(dtype=float)
    ax.bar(x, gaps, width=0.6, color=_colors(gaps), label=t("servqual.plot.gap_axis", language))
    overall = scores[scores["dimension"] == "overall"]
    if len(overall):
        row = overall.iloc[0]
        for col, key, style, color in (("gap", "servqual.plot.unweighted", "--", _NEUTRAL),
                                       ("weighted_gap", "servqual.plot.weighted", "-", "black")):
            v = float(row[col]) if pd.notna(row[col]) else np.nan
            if np.isfinite(v):
                ax.axhline(v, linestyle=style, color=color, linewidth=1.5,
                           label=f"{t(key, language)}: {format_number(v, language, decimals=2)}")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylabel(t("servqual.plot.gap_axis", language))
    ax.set_title(t("servqual.plot.scores", language))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=3, fontsize=8,
              frameon=False)
    return localize_axes(ax, language)


def plot_zone_of_tolerance(zone: pd.DataFrame, *, ax=None, language: str = "es",
                           instrument="servqual-1991"):
    """The zone between adequate and desired service as a band, perception as a dot.

    Takes :func:`crmlib.servqual.zone_of_tolerance` (by dimension or by item); dots
    below the zone are red, inside grey, above blue.
    """
    ax = get_ax(ax, figsize=(7, max(4, 0.3 * len(zone) + 1)))
    rows = zone.iloc[::-1]
    if "item_id" in rows.columns:
        names = rows["item_id"].astype(str).tolist()
    else:
        names = _labels(rows["dimension"], instrument, language)
    y = np.arange(len(rows))
    lo = rows["adequate"].to_numpy(dtype=float)
    hi = rows["desired"].to_numpy(dtype=float)
    ax.barh(y, hi - lo, left=lo, height=0.5, color="#DDDDDD", edgecolor="#999999",
            label=t("servqual.plot.zone_band", language))
    colors = {"below": _NEG, "within": _NEUTRAL, "above": _POS}
    ax.scatter(rows["perception"].to_numpy(dtype=float), y, zorder=3,
               c=[colors.get(p, _NEUTRAL) for p in rows["position"]],
               label=t("servqual.column.perception", language))
    ax.set_yticks(y, names)
    # bars stick to their left edge: pad both sides so no band starts on the frame
    shown = np.concatenate([lo, hi, rows["perception"].to_numpy(dtype=float)])
    shown = shown[np.isfinite(shown)]
    if len(shown):
        pad = max(0.05, 0.05 * float(shown.max() - shown.min()))
        ax.set_xlim(float(shown.min()) - pad, float(shown.max()) + pad)
    ax.set_xlabel(t("servqual.plot.score_axis", language))
    ax.set_title(t("servqual.plot.zone", language))
    # below the axes: inside, the legend hid the bottom row (the last dimension)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize=8,
              frameon=False)
    return localize_axes(ax, language)


def plot_importance(regression: pd.DataFrame, *, ax=None, language: str = "es",
                    instrument="servqual-1991"):
    """Grouped bars: stated importance (points) against derived importance (regression).

    Takes :func:`crmlib.servqual.importance_regression`.
    """
    ax = get_ax(ax)
    x = np.arange(len(regression))
    ax.bar(x - 0.2, regression["stated_importance"].to_numpy(dtype=float), width=0.4,
           color=_NEUTRAL, label=t("servqual.plot.stated", language))
    ax.bar(x + 0.2, regression["derived_importance"].to_numpy(dtype=float), width=0.4,
           color=_POS, label=t("servqual.plot.derived", language))
    ax.set_xticks(x, _labels(regression["dimension"], instrument, language), rotation=20,
                  ha="right")
    ax.set_ylabel(t("servqual.plot.importance_axis", language))
    ax.set_title(t("servqual.plot.importance_compare", language))
    ax.legend()
    return localize_axes(ax, language)


def plot_ipa(ipa: pd.DataFrame, *, ax=None, language: str = "es", instrument="servqual-1991"):
    """Importance-performance grid: one labelled point per dimension, lines at the cuts.

    Takes :func:`crmlib.servqual.ipa_table`; x is ``performance``, y ``importance``, so
    the *concentrate here* quadrant is top left. Points are coloured by their reading
    (``quadrant``); where the evidence moves a dimension out of its grid quadrant (a
    significant shortfall, the zone of tolerance, a point on a cut) its label says the
    reading it gets.
    """
    ax = get_ax(ax, figsize=(6, 5))
    colors = {"concentrate": _NEG, "keep_up": _POS, "low_priority": _NEUTRAL,
              "overkill": "#DD8452"}
    perf = ipa["performance"].to_numpy(dtype=float)
    imp = ipa["importance"].to_numpy(dtype=float)
    ax.scatter(perf, imp, s=60, c=[colors[q] for q in ipa["quadrant"]], zorder=3)
    # where the evidence overrides the grid (ipa_table's basis), the point says its reading
    grid = ipa["grid_quadrant"] if "grid_quadrant" in ipa else ipa["quadrant"]
    for x, y, name, q, g in zip(perf, imp, _labels(ipa["dimension"], instrument, language),
                                ipa["quadrant"], grid):
        text = name if q == g else f"{name}\n→ {t(f'servqual.quadrant.{q}', language)}"
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(6, 4), fontsize=9,
                    color="black" if q == g else colors[q])
    ax.axvline(float(ipa["performance_cut"].iloc[0]), color="#555555", linestyle="--",
               linewidth=0.8)
    ax.axhline(float(ipa["importance_cut"].iloc[0]), color="#555555", linestyle="--",
               linewidth=0.8)
    xpad = max(0.2, 0.15 * (np.nanmax(perf) - np.nanmin(perf)))
    ypad = max(2.0, 0.15 * (np.nanmax(imp) - np.nanmin(imp)))
    ax.set_xlim(np.nanmin(perf) - xpad, np.nanmax(perf) + 2 * xpad)
    ax.set_ylim(np.nanmin(imp) - ypad, np.nanmax(imp) + ypad)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    corners = {"concentrate": (x0, y1, "left", "top"), "keep_up": (x1, y1, "right", "top"),
               "low_priority": (x0, y0, "left", "bottom"),
               "overkill": (x1, y0, "right", "bottom")}
    for q, (x, y, ha, va) in corners.items():
        ax.text(x, y, t(f"servqual.quadrant.{q}", language), ha=ha, va=va, fontsize=8,
                color=colors[q], alpha=0.9)
    ax.set_xlabel(t("servqual.plot.performance_axis", language))
    ax.set_ylabel(t("servqual.plot.importance_axis", language))
    ax.set_title(t("servqual.plot.ipa", language))
    return localize_axes(ax, language)


def plot_segment_gaps(table: pd.DataFrame, *, ax=None, language: str = "es",
                      instrument="servqual-1991"):
    """Grouped bars: mean gap per dimension, one bar per segment.

    Takes :func:`crmlib.servqual.segment_gaps`.
    """
    ax = get_ax(ax, figsize=(8, 4))
    dims = list(dict.fromkeys(table["dimension"]))
    segs = list(dict.fromkeys(table["segment"]))
    width = 0.8 / max(len(segs), 1)
    x = np.arange(len(dims))
    for j, seg in enumerate(segs):
        rows = table[table["segment"] == seg].set_index("dimension").reindex(dims)
        ax.bar(x - 0.4 + width * (j + 0.5), rows["gap"].to_numpy(dtype=float), width=width,
               label=str(seg))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, _labels(dims, instrument, language), rotation=20, ha="right")
    ax.set_ylabel(t("servqual.plot.gap_axis", language))
    ax.set_title(t("servqual.plot.segments", language))
    ax.legend(title=t("servqual.column.segment", language), fontsize=8)
    return localize_axes(ax, language)


def plot_segment_choice(segments: pd.DataFrame, overall: pd.DataFrame, segment: str = "", *,
                        ax=None, language: str = "es", instrument="servqual-1991"):
    """Dimension gaps with confidence intervals of one segment ("" = everyone).

    Takes :func:`crmlib.servqual.segment_gaps` and :func:`crmlib.servqual.dimension_gaps`;
    the title names the segment.
    """
    table = overall if not segment else \
        segments[segments["segment"].astype(str) == str(segment)]
    ax = plot_dimension_gaps(table, ax=ax, language=language, instrument=instrument)
    if segment:
        ax.set_title(f"{ax.get_title()} · {segment}")
    return localize_axes(ax, language)


def segment_explorer(segments: pd.DataFrame, overall: pd.DataFrame, *, language: str = "es",
                     instrument="servqual-1991"):
    """A dropdown (ipywidgets) that redraws the dimension gaps for one segment.

    Takes :func:`crmlib.servqual.segment_gaps` and :func:`crmlib.servqual.dimension_gaps`
    (shown for "all"). For JupyterLab only: widgets export blank to static reports.
    """
    import ipywidgets as widgets

    everyone = t("servqual.filter.all", language)
    options = [everyone, *dict.fromkeys(segments["segment"].astype(str))]
    choice = widgets.Dropdown(options=options, value=everyone,
                              description=t("servqual.filter.label", language))
    out = widgets.Output()

    def draw(*_):
        fig, ax = new_figure()
        plot_segment_choice(segments, overall, "" if choice.value == everyone
                            else choice.value, ax=ax, language=language, instrument=instrument)
        replace_output(out, figure_png(fig))

    choice.observe(draw, names="value")
    draw()
    return widgets.VBox([choice, out])
