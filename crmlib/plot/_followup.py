"""Plots for the follow-up programme (notebook 08): lost-customer reasons, post-transaction
scores and trend, critical incidents, mystery shopper compliance and perception scores.

Each function takes a result table of :mod:`crmlib.followup` and returns the Axes; every
label on it comes from the catalogs (codes never reach the chart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import code_label, format_date, t, value_label
from crmlib.plot._common import (
    figure_png,
    get_ax,
    localize_axes,
    new_figure,
    nothing_to_draw,
    replace_output,
)

__all__ = [
    "plot_incidents",
    "plot_lost_reasons",
    "plot_mystery_compliance",
    "plot_servperf",
    "plot_survey_scores",
    "plot_survey_trend",
    "survey_explorer",
]

_NEG, _POS, _GREY = "#C44E52", "#4C72B0", "#8C8C8C"


def _interval(ax, rows: pd.DataFrame, value: str, low: str, high: str, labels, title: str,
              xlabel: str, language: str):
    v = rows[value].to_numpy(dtype=float)
    err = np.vstack([v - rows[low].to_numpy(dtype=float), rows[high].to_numpy(dtype=float) - v])
    ax.barh(labels, v, color=_POS, xerr=np.nan_to_num(np.clip(err, 0, None)), capsize=4,
            ecolor="#333333")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return localize_axes(ax, language)


def plot_lost_reasons(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Lost customers per reason, repairable part in blue, the rest in grey.

    Takes :func:`crmlib.followup.lost_reasons_table`; the first reason is drawn at the top.
    """
    title = t("followup.plot.reasons.title", language)
    if nothing_to_draw(len(table) > 0, ax, title, language):
        return ax
    ax = get_ax(ax)
    rows = table.iloc[::-1]
    labels = [value_label("reason_category", c, language) for c in rows["reason_category"]]
    rep = rows["n_repairable"].to_numpy(dtype=float)
    rest = rows["n_customers"].to_numpy(dtype=float) - rep
    ax.barh(labels, rep, color=_POS, label=t("follow_up.col.repairable", language))
    ax.barh(labels, rest, left=rep, color=_GREY,
            label=t("followup.plot.reasons.not_repairable", language))
    # room past the longest bar, so that it does not end on the frame
    ax.set_xlim(0, max(float((rep + rest).max()), 1.0) * 1.08)
    ax.legend(loc="lower right")
    ax.set_title(title)
    ax.set_xlabel(t("followup.plot.reasons.xlabel", language))
    return localize_axes(ax, language)


def plot_survey_scores(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Mean post-transaction score per touchpoint with its confidence interval.

    Takes :func:`crmlib.followup.survey_scores` by touchpoint (or channel).
    """
    title = t("followup.plot.scores.title", language)
    if nothing_to_draw(len(table) > 0, ax, title, language):
        return ax
    ax = get_ax(ax)
    rows = table.iloc[::-1]
    key = "touchpoint" if "touchpoint" in rows else "channel"
    return _interval(ax, rows, "mean_score", "ci_low", "ci_high", rows[key].astype(str).tolist(),
                     title, t("followup.plot.scores.xlabel", language), language)


def plot_survey_trend(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Mean post-transaction score per period, a line with its interval band.

    Takes :func:`crmlib.followup.survey_scores` with ``by="period"``.
    """
    title = t("followup.plot.trend.title", language)
    if nothing_to_draw(len(table) > 0, ax, title, language):
        return ax
    ax = get_ax(ax, figsize=(8, 4))
    x = np.arange(len(table))
    ax.plot(x, table["mean_score"].to_numpy(dtype=float), marker="o", color=_POS)
    ax.fill_between(x, table["ci_low"].to_numpy(dtype=float),
                    table["ci_high"].to_numpy(dtype=float), color=_POS, alpha=0.15)
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([format_date(d, language, form="month") for d in table["period"]][::step],
                       rotation=45, ha="right")
    ax.set_title(title)
    ax.set_ylabel(t("followup.plot.trend.ylabel", language))
    return localize_axes(ax, language)


def plot_incidents(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Positive and negative critical incidents per category, side by side.

    Takes :func:`crmlib.followup.incident_balance`.
    """
    title = t("followup.plot.incidents.title", language)
    if nothing_to_draw(len(table) > 0, ax, title, language):
        return ax
    ax = get_ax(ax)
    rows = table.iloc[::-1]
    y = np.arange(len(rows))
    ax.barh(y - 0.2, rows["n_negative"].to_numpy(dtype=float), height=0.4, color=_NEG,
            label=value_label("valence", "negative", language))
    ax.barh(y + 0.2, rows["n_positive"].to_numpy(dtype=float), height=0.4, color=_POS,
            label=value_label("valence", "positive", language))
    ax.set_yticks(y)
    ax.set_yticklabels(rows["category"].astype(str).tolist())
    ax.legend(loc="lower right")
    ax.set_title(title)
    ax.set_xlabel(t("followup.plot.incidents.xlabel", language))
    return localize_axes(ax, language)


def plot_mystery_compliance(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Checklist compliance per site with its Wilson interval, as a share.

    Takes :func:`crmlib.followup.mystery_compliance` by site.
    """
    title = t("followup.plot.mystery.title", language)
    if nothing_to_draw(len(table) > 0, ax, title, language):
        return ax
    ax = get_ax(ax)
    rows = table.iloc[::-1]
    ax = _interval(ax, rows, "compliance_rate", "ci_low_rate", "ci_high_rate",
                   rows["site"].astype(str).tolist(), title,
                   t("followup.plot.mystery.xlabel", language), language)
    ax.set_xlim(0, 1)
    from matplotlib.ticker import FuncFormatter

    from crmlib.i18n import format_percent
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_percent(v, language)))
    return ax


def plot_servperf(table: pd.DataFrame, *, ax=None, language: str = "es"):
    """Mean perception per dimension with its interval (the overall row left out).

    Takes :func:`crmlib.followup.servperf_table`; dimension names from the instruments.
    """
    title = t("followup.plot.servperf.title", language)
    rows = table[table["dimension"] != "all"]
    if nothing_to_draw(len(rows) > 0, ax, title, language):
        return ax
    ax = get_ax(ax)
    rows = rows.iloc[::-1]
    labels = [code_label("dimension", d, language) or str(d) for d in rows["dimension"]]
    return _interval(ax, rows, "score", "ci_low", "ci_high", labels, title,
                     t("followup.plot.servperf.xlabel", language), language)


def survey_explorer(tables: dict, *, language: str = "es"):
    """A dropdown (ipywidgets) that redraws the post-transaction scores by touchpoint or by
    channel.

    ``tables`` maps ``"touchpoint"`` / ``"channel"`` to :func:`crmlib.followup.survey_scores`
    by that key (absent or None when the survey has no such column). For JupyterLab only:
    batch runs draw the static chart instead.
    """
    import ipywidgets as widgets

    words = {"touchpoint": "follow_up.col.touchpoint", "channel": "column.channel"}
    names = {t(words[key], language): table for key, table in tables.items()
             if table is not None}
    choice = widgets.Dropdown(options=list(names), description=t("followup.plot.by", language))
    out = widgets.Output()

    def draw(*_):
        fig, ax = new_figure((7, 4))
        plot_survey_scores(names[choice.value], ax=ax, language=language)
        replace_output(out, figure_png(fig))

    choice.observe(draw, names="value")
    if names:
        draw()
    return widgets.VBox([choice, out])
