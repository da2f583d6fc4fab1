"""Plots for the readiness stage: radar, group heatmap and gap bars.

Each takes a table of :mod:`crmlib.readiness` and returns the Axes it drew on.
Dimension names are shown with their labels from the instrument.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from crmlib.exceptions import ParameterError, check_choice
from crmlib.i18n import check_language, format_number, t
from crmlib.instruments import load_instrument
from crmlib.plot._common import (
    LocaleFormatter,
    figure_png,
    get_ax,
    localize_axes,
    new_figure,
    replace_output,
)

__all__ = [
    "plot_group_heatmap",
    "plot_readiness_gaps",
    "plot_readiness_radar",
    "readiness_explorer",
]

_CURRENT = "#c0504d"
_PREFERRED = "#4f81bd"


def _labels(keys, instrument, language):
    inst = load_instrument(instrument)
    return [inst.dimension_label(k, language) for k in keys]


def _group_labels(keys, instrument, language):
    inst = load_instrument(instrument)
    groups = inst.extra.get("groups") or load_instrument("one-to-one").extra.get("groups") or {}
    return [(groups.get(k) or {}).get(language, k) for k in keys]


def _require(table, columns, name):
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(f"{name} must have columns {list(columns)}; missing {missing}",
                             parameter=name, allowed=tuple(columns), value=list(table.columns))


def plot_readiness_radar(area_scores, *, ax=None, language: str = "es",
                         instrument="one-to-one", section: str | None = None,
                         scale=(1, 5)):
    """Radar of current vs preferred score by dimension.

    Parameters
    ----------
    area_scores : DataFrame
        :func:`crmlib.readiness.area_scores`.
    ax : polar Axes, optional
        A new polar Axes when omitted.
    section : {"broad", "gap"}, optional
        Draw one section only; all dimensions by default.
    scale : (min, max)
        Radial limits.

    Returns
    -------
    Axes
        Two closed polygons (current, preferred), one spoke per dimension.
    """
    check_language(language)
    _require(area_scores, ("dimension", "current", "preferred"), "area_scores")
    table = area_scores
    if section is not None:
        check_choice("section", section, ("broad", "gap"))
        table = table[table["section"] == section]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6.5), subplot_kw={"projection": "polar"})
    elif getattr(ax, "name", "") != "polar":
        raise ParameterError("ax must be a polar Axes (subplot_kw={'projection': 'polar'})",
                             parameter="ax", value=getattr(ax, "name", type(ax).__name__))
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    n = len(table)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    for part, color in (("current", _CURRENT), ("preferred", _PREFERRED)):
        values = table[part].to_numpy(dtype=float)
        values = np.concatenate([values, values[:1]])
        ax.plot(closed, values, color=color, linewidth=2, label=t(f"readiness.plot.{part}",
                                                                   language))
        ax.fill(closed, values, color=color, alpha=0.15)
    ax.set_xticks(angles)
    ax.set_xticklabels(_labels(table["dimension"], instrument, language), fontsize=8)
    ax.set_ylim(*scale)
    ax.set_yticks(np.arange(scale[0], scale[1] + 1))
    ax.set_title(t("readiness.plot.radar_title", language), pad=20)
    ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=8)
    return localize_axes(ax, language)


def plot_group_heatmap(group_scores, *, ax=None, language: str = "es", instrument="one-to-one",
                       part: str = "current", scale=(1, 5), annotate: bool = True):
    """Heatmap of dimension scores by respondent group.

    Parameters
    ----------
    group_scores : DataFrame
        :func:`crmlib.readiness.group_scores`.
    part : {"current", "preferred", "gap"}
        The score shown.

    Returns
    -------
    Axes
        One row per group and one column per dimension (the instrument's order),
        the score written in each cell; the image's array is the group x dimension
        matrix.
    """
    check_language(language)
    check_choice("part", part, ("current", "preferred", "gap"))
    _require(group_scores, ("group", "dimension", part), "group_scores")
    groups = list(dict.fromkeys(group_scores["group"]))
    dims = list(dict.fromkeys(group_scores["dimension"]))
    matrix = (group_scores.pivot(index="group", columns="dimension", values=part)
              .reindex(index=groups, columns=dims).to_numpy(dtype=float))
    ax = get_ax(ax, figsize=(max(7, 0.8 * len(dims) + 2), 1 + 0.7 * max(len(groups), 1)))
    if part == "gap":
        lim = np.nanmax(np.abs(matrix)) if np.isfinite(matrix).any() else 1
        image = ax.imshow(matrix, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    else:
        image = ax.imshow(matrix, cmap="RdYlGn", vmin=scale[0], vmax=scale[1], aspect="auto")
    ax.set_xticks(range(len(dims)))
    ax.set_xticklabels(_labels(dims, instrument, language), rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels(_group_labels(groups, instrument, language))
    if annotate:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                if np.isfinite(matrix[i, j]):
                    ax.text(j, i, format_number(matrix[i, j], language), ha="center", va="center", fontsize=8)
    ax.figure.colorbar(image, ax=ax, fraction=0.03, pad=0.02, format=LocaleFormatter(language))
    ax.set_title(t(f"readiness.plot.heatmap_title_{part}", language))
    return localize_axes(ax, language)


def plot_readiness_gaps(area_scores, *, ax=None, language: str = "es",
                        instrument="one-to-one"):
    """Horizontal bars of the gap (preferred - current) by dimension, largest on top.

    Returns
    -------
    Axes
        One bar per dimension; bar widths are the gaps, coloured by section.
    """
    check_language(language)
    _require(area_scores, ("dimension", "gap"), "area_scores")
    table = area_scores.assign(_o=range(len(area_scores))).sort_values(
        ["gap", "_o"], ascending=[True, False], kind="stable")
    ax = get_ax(ax, figsize=(7, 0.35 * len(table) + 1.2))
    sections = table["section"] if "section" in table.columns else ["gap"] * len(table)
    colors = ["#4f81bd" if s == "broad" else "#9bbb59" for s in sections]
    ax.barh(_labels(table["dimension"], instrument, language), table["gap"], color=colors)
    ax.axvline(0, color="#444", linewidth=0.8)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#4f81bd", label=t("readiness.section.broad", language)),
                       Patch(color="#9bbb59", label=t("readiness.section.gap", language))],
              loc="lower right", fontsize=8)
    ax.set_xlabel(t("readiness.plot.gap_axis", language))
    ax.set_title(t("readiness.plot.gap_title", language))
    return localize_axes(ax, language)


def readiness_explorer(group_scores, area_scores, *, language: str = "es", instrument="one-to-one"):
    """A dropdown (ipywidgets) that redraws the readiness radar for one respondent group.

    Takes :func:`crmlib.readiness.group_scores` and :func:`crmlib.readiness.area_scores`
    (shown for "all groups"). For JupyterLab only: widgets export blank to static
    reports, so batch runs draw the static heatmap instead.
    """
    import ipywidgets as widgets

    check_language(language)
    everyone = t("readiness.plot.all_groups", language)
    keys = list(dict.fromkeys(group_scores["group"]))
    names = dict(zip(_group_labels(keys, instrument, language), keys))
    choice = widgets.Dropdown(options=[everyone, *names], value=everyone,
                              description=t("readiness.col.group", language))
    out = widgets.Output()

    def draw(*_):
        table = area_scores if choice.value == everyone else \
            group_scores[group_scores["group"] == names[choice.value]]
        fig, ax = new_figure((6, 6), projection="polar")
        plot_readiness_radar(table, ax=ax, language=language, instrument=instrument)
        ax.set_title(f"{ax.get_title()} - {choice.value}", pad=20)
        replace_output(out, figure_png(fig))

    choice.observe(draw, names="value")
    draw()
    return widgets.VBox([choice, out])
