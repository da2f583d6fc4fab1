"""Plots for the differentiate stage: value concentration, RFM, lifecycle, CLV.

Each function takes a result table of :mod:`crmlib.differentiate` or
:mod:`crmlib.clv` and returns the matplotlib ``Axes`` it drew on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from crmlib.exceptions import DataError, DataProblem
from crmlib.i18n import check_language, format_count, format_percent, t
from crmlib.plot._common import (
    LocaleFormatter,
    figure_png,
    get_ax,
    localize_axes,
    new_figure,
    nothing_to_draw,
    replace_output,
)

__all__ = [
    "differentiate_explorer",
    "plot_abc",
    "plot_cohort_heatmap",
    "plot_decliners",
    "plot_holdout",
    "plot_lifecycle",
    "plot_p_alive",
    "plot_pareto",
    "plot_retention",
    "plot_rfm_heatmap",
    "plot_rfm_segments",
]

_CLASS_COLORS = {"A": "#1b6ca8", "B": "#6aa4d1", "C": "#c9d9e8"}


def _need(table, columns, name):
    missing = [c for c in columns if c not in getattr(table, "columns", [])]
    if missing:
        raise DataError([DataProblem(name, c, "is required but missing") for c in missing])


def _heatmap(ax, matrix: pd.DataFrame, *, language: str, kind: str = "number",
             decimals: int = 0, cmap: str = "Blues", vmin=None, vmax=None):
    """Draw ``matrix`` as a seaborn heatmap whose cell labels and colour bar
    follow the locale (``kind``: ``"number"``, ``"count"`` or ``"percent"``)."""
    import seaborn as sns

    from crmlib.i18n import format_count, format_number, format_percent

    values = matrix.to_numpy(dtype=float)

    def write(v):
        if not np.isfinite(v):
            return ""
        if kind == "percent":
            return format_percent(v, language, decimals=decimals)
        if kind == "count":
            return format_count(v, language)
        return format_number(v, language, decimals=decimals)

    annot = np.vectorize(write, otypes=[object])(values) if matrix.size <= 200 else False
    sns.heatmap(matrix.astype(float), ax=ax, cmap=cmap, vmin=vmin, vmax=vmax,
                annot=annot, fmt="", annot_kws={"fontsize": 7},
                cbar_kws={"fraction": 0.046, "pad": 0.04,
                          "format": LocaleFormatter(language, kind)},
                linewidths=0.5, linecolor="white")
    ax.set_xticklabels([str(c) for c in matrix.columns], rotation=0)
    ax.set_yticklabels([str(i) for i in matrix.index], rotation=0)
    return ax


def plot_pareto(pareto: pd.DataFrame, *, cutoffs=None, ax=None, language: str = "es"):
    """Pareto (Lorenz-type) curve: cumulative value share against cumulative customer share.

    Parameters
    ----------
    pareto : DataFrame
        Output of :func:`crmlib.differentiate.pareto_table`.
    cutoffs : tuple of float, optional
        Class cut-offs drawn as horizontal guides.
    """
    check_language(language)
    _need(pareto, ["cum_customer_share", "cum_share", "pareto_class"], "pareto")
    ax = get_ax(ax, figsize=(6, 4.5))
    x = np.concatenate([[0.0], pareto["cum_customer_share"].to_numpy(dtype=float)])
    y = np.concatenate([[0.0], pareto["cum_share"].to_numpy(dtype=float)])
    ax.plot(x, y, color="#1b6ca8", lw=2, label=t("differentiate.plot.pareto", language))
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1,
            label=t("differentiate.axis.equality", language))
    for cls in ("A", "B"):
        members = pareto["pareto_class"] == cls
        if members.any():
            last = np.flatnonzero(members.to_numpy())[-1]
            ax.axvline(pareto["cum_customer_share"].iloc[last], color=_CLASS_COLORS[cls],
                       ls="--", lw=1)
            ax.text(pareto["cum_customer_share"].iloc[last], 0.03, f" {cls}",
                    color=_CLASS_COLORS[cls])
    for c in cutoffs or ():
        ax.axhline(c, color="grey", ls="--", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("differentiate.axis.customer_share", language))
    ax.set_ylabel(t("differentiate.axis.value_share", language))
    ax.set_title(t("differentiate.plot.pareto", language))
    ax.legend(loc="lower right")
    return localize_axes(ax, language)


def plot_abc(abc: pd.DataFrame, *, ax=None, language: str = "es"):
    """Share of customers and share of value of each ABC class, side by side.

    Parameters
    ----------
    abc : DataFrame
        Output of :func:`crmlib.differentiate.abc_table`.
    """
    check_language(language)
    _need(abc, ["pareto_class", "customer_share", "value_share"], "abc")
    ax = get_ax(ax, figsize=(6, 4))
    x = np.arange(len(abc))
    w = 0.38
    ax.bar(x - w / 2, abc["customer_share"], w, color="#c9d9e8",
           label=t("differentiate.legend.customers", language))
    ax.bar(x + w / 2, abc["value_share"], w, color="#1b6ca8",
           label=t("differentiate.legend.value", language))
    ax.set_xticks(x, abc["pareto_class"].astype(str).tolist())
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("differentiate.axis.class", language))
    ax.set_ylabel(t("differentiate.axis.share", language))
    ax.set_title(t("differentiate.plot.abc", language))
    ax.legend()
    return localize_axes(ax, language)


def plot_rfm_heatmap(scores: pd.DataFrame, *, ax=None, language: str = "es"):
    """Mean monetary value per recency score (rows) and frequency score (columns).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`crmlib.differentiate.rfm_scores`.
    """
    check_language(language)
    _need(scores, ["r_score", "f_score", "monetary"], "rfm_scores")
    bins = int(scores.attrs.get("bins", max(scores["r_score"].max(), scores["f_score"].max())))
    grid = scores.pivot_table(index="r_score", columns="f_score", values="monetary",
                              aggfunc="mean")
    grid = grid.reindex(index=range(bins, 0, -1), columns=range(1, bins + 1))
    ax = get_ax(ax, figsize=(6, 4.5))
    _heatmap(ax, grid, language=language, kind="number", decimals=0, cmap="Blues")
    ax.set_xlabel(t("column.f_score", language))
    ax.set_ylabel(t("column.r_score", language))
    ax.set_title(t("differentiate.plot.rfm_heatmap", language))
    return localize_axes(ax, language)


def plot_rfm_segments(segment_summary: pd.DataFrame, *, ax=None, language: str = "es"):
    """Share of customers and of value per RFM segment (horizontal bars).

    Parameters
    ----------
    segment_summary : DataFrame
        Output of :func:`crmlib.differentiate.rfm_segment_summary`.
    """
    check_language(language)
    _need(segment_summary, ["segment_label", "customer_share", "value_share"], "segments")
    data = segment_summary.iloc[::-1]
    ax = get_ax(ax, figsize=(7, max(3, 0.45 * len(data) + 1)))
    y = np.arange(len(data))
    h = 0.4
    ax.barh(y + h / 2, data["customer_share"], h, color="#c9d9e8",
            label=t("differentiate.legend.customers", language))
    ax.barh(y - h / 2, data["value_share"], h, color="#1b6ca8",
            label=t("differentiate.legend.value", language))
    ax.set_yticks(y, data["segment_label"].astype(str).tolist())
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("differentiate.axis.share", language))
    ax.set_title(t("differentiate.plot.segments", language))
    ax.legend(loc="lower right")
    return localize_axes(ax, language)


def plot_lifecycle(lifecycle_summary: pd.DataFrame, *, ax=None, language: str = "es"):
    """Customers per lifecycle class (bars), each labelled with its customer count.

    The bars are customers, so their labels are customers too (count and share
    of customers); the value share belongs to the lifecycle table.

    Parameters
    ----------
    lifecycle_summary : DataFrame
        Output of :func:`crmlib.differentiate.lifecycle_summary`.
    """
    check_language(language)
    _need(lifecycle_summary, ["lifecycle", "n_customers", "value_share"], "lifecycle")
    ax = get_ax(ax, figsize=(6, 4))
    names = [t(f"differentiate.lifecycle.{c}", language) for c in lifecycle_summary["lifecycle"]]
    bars = ax.bar(names, lifecycle_summary["n_customers"], color="#6aa4d1")
    total = float(lifecycle_summary["n_customers"].sum())
    for bar, n in zip(bars, lifecycle_summary["n_customers"]):
        text = format_count(n, language)
        if total > 0:
            text += f" ({format_percent(n / total, language)})"
        ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_formatter(LocaleFormatter(language, "count"))
    ax.margins(y=0.12)
    ax.set_ylabel(t("differentiate.axis.customers", language))
    ax.set_title(t("differentiate.plot.lifecycle", language))
    return localize_axes(ax, language)


def plot_retention(retention: pd.DataFrame, *, ax=None, language: str = "es"):
    """Retention and churn rate per period (lines).

    Parameters
    ----------
    retention : DataFrame
        Output of :func:`crmlib.differentiate.retention_table`.
    """
    check_language(language)
    _need(retention, ["period", "retention_rate", "churn_rate"], "retention")
    data = retention.dropna(subset=["retention_rate"])
    ax = get_ax(ax, figsize=(6, 4))
    ax.plot(data["period"].astype(str), data["retention_rate"], marker="o", color="#1b6ca8",
            label=t("differentiate.legend.retention", language))
    ax.plot(data["period"].astype(str), data["churn_rate"], marker="o", color="#d1495b",
            label=t("differentiate.legend.churn", language))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("differentiate.axis.period", language))
    ax.set_ylabel(t("differentiate.axis.rate", language))
    ax.set_title(t("differentiate.plot.retention", language))
    ax.legend()
    return localize_axes(ax, language)


def plot_cohort_heatmap(cohorts: pd.DataFrame, *, ax=None, language: str = "es"):
    """Retention of each cohort (rows) by periods since first purchase (columns).

    Parameters
    ----------
    cohorts : DataFrame
        Output of :func:`crmlib.differentiate.cohort_table`.
    """
    check_language(language)
    _need(cohorts, ["cohort", "period_index", "retention"], "cohorts")
    grid = cohorts.pivot(index="cohort", columns="period_index", values="retention")
    ax = get_ax(ax, figsize=(8, max(3, 0.35 * len(grid) + 1)))
    _heatmap(ax, grid, language=language, kind="percent", decimals=0, cmap="Blues",
             vmin=0, vmax=1)
    ax.set_xlabel(t("differentiate.axis.periods_since", language))
    ax.set_ylabel(t("differentiate.axis.cohort", language))
    ax.set_title(t("differentiate.plot.cohort", language))
    return localize_axes(ax, language)


def plot_decliners(decliners: pd.DataFrame, *, top: int = 15, ax=None, language: str = "es"):
    """Annual value at risk of the ``top`` declining customers (horizontal bars).

    Parameters
    ----------
    decliners : DataFrame
        Output of :func:`crmlib.differentiate.decliners`. Without decliners a
        sentence replaces the chart and None is returned.
    """
    check_language(language)
    _need(decliners, ["customer_id", "value_at_risk_annual"], "decliners")
    if nothing_to_draw(len(decliners) > 0, ax, t("differentiate.plot.decliners", language),
                       language):
        return ax
    data = decliners.head(top).iloc[::-1]
    ax = get_ax(ax, figsize=(7, max(3, 0.35 * len(data) + 1)))
    ax.barh(data["customer_id"].astype(str), data["value_at_risk_annual"], color="#d1495b")
    ax.set_xlabel(t("column.value_at_risk_annual", language))
    ax.set_title(t("differentiate.plot.decliners", language))
    return localize_axes(ax, language)


def plot_p_alive(matrix: pd.DataFrame, *, ax=None, language: str = "es", time_unit=None):
    """P(alive) heatmap over frequency (rows) and recency (columns).

    Parameters
    ----------
    matrix : DataFrame
        Output of :func:`crmlib.clv.probability_alive_matrix`.
    time_unit : {"D", "W", "M"}, optional
        Unit of recency, for the axis label.
    """
    check_language(language)
    _need(matrix, ["frequency", "recency", "p_alive"], "p_alive_matrix")
    grid = matrix.pivot(index="frequency", columns="recency", values="p_alive")
    grid = grid.sort_index(ascending=False)
    grid.index = grid.index.astype(int)
    ax = get_ax(ax, figsize=(7, 5))
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    cols = grid.columns.to_numpy(dtype=float)
    # round recency values (0, 25, 50 ...) placed where they fall between the grid's columns
    from matplotlib.ticker import MaxNLocator

    if len(cols) > 1 and cols[-1] > cols[0]:
        nice = [v for v in MaxNLocator(nbins=6, integer=True).tick_values(cols[0], cols[-1])
                if cols[0] <= v <= cols[-1]]
        ax.set_xticks(np.interp(nice, cols, np.arange(len(cols))),
                      [format_count(v, language) for v in nice])
    else:
        ax.set_xticks(range(len(cols)), [format_count(c, language) for c in cols])
    rows = grid.index.to_numpy()
    rstep = max(1, len(rows) // 10)
    ax.set_yticks(range(0, len(rows), rstep), [str(r) for r in rows[::rstep]])
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                      format=LocaleFormatter(language, "percent"))
    unit = t(f"differentiate.unit.{time_unit}", language) if time_unit else ""
    ax.set_xlabel(t("differentiate.axis.recency", language, unit=unit))
    ax.set_ylabel(t("differentiate.axis.frequency", language))
    ax.set_title(t("differentiate.plot.p_alive", language))
    return localize_axes(ax, language)


def plot_holdout(holdout: pd.DataFrame, *, ax=None, language: str = "es"):
    """Mean actual against expected holdout purchases per calibration frequency.

    Parameters
    ----------
    holdout : DataFrame
        Output of :func:`crmlib.clv.holdout_table`.
    """
    check_language(language)
    _need(holdout, ["frequency", "actual", "expected"], "holdout")
    ax = get_ax(ax, figsize=(6, 4))
    x = np.arange(len(holdout))
    w = 0.38
    ax.bar(x - w / 2, holdout["actual"], w, color="#c9d9e8",
           label=t("differentiate.legend.actual", language))
    ax.bar(x + w / 2, holdout["expected"], w, color="#1b6ca8",
           label=t("differentiate.legend.expected", language))
    labels = [str(int(f)) for f in holdout["frequency"]]
    cap = holdout.attrs.get("max_frequency")
    if labels and cap is not None and int(holdout["frequency"].iloc[-1]) == int(cap):
        labels[-1] = labels[-1] + "+"
    ax.set_xticks(x, labels)
    ax.set_xlabel(t("differentiate.axis.repeat_calibration", language))
    ax.set_ylabel(t("differentiate.axis.purchases_holdout", language))
    ax.set_title(t("differentiate.plot.holdout", language))
    ax.legend()
    return localize_axes(ax, language)


def differentiate_explorer(transactions: pd.DataFrame, *, as_of=None, language: str = "es",
                           cutoff_a: float = 0.80, bins: int = 5, threshold: float = 0.40):
    """Sliders for the Pareto cut-off, RFM levels and decliner threshold (JupyterLab).

    Moving a slider recomputes the ABC table and Pareto curve, the RFM
    cut-point table and the decliner count. Widgets export blank to static
    reports: notebooks call this only when ``interactive=True``.

    Returns
    -------
    ipywidgets.VBox
    """

    from crmlib.exceptions import MissingDependencyError

    try:
        import ipywidgets as w
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover - ipywidgets is a core dependency
        raise MissingDependencyError("ipywidgets", "dev", "The interactive explorer") from None
    from crmlib import differentiate as d
    from crmlib.report import show

    check_language(language)
    a = w.FloatSlider(value=cutoff_a, min=0.5, max=0.9, step=0.05,
                      description=t("differentiate.widget.cutoff_a", language),
                      readout_format=".0%")
    b = w.IntSlider(value=bins, min=2, max=10, description=t("differentiate.widget.bins",
                                                               language))
    thr = w.FloatSlider(value=threshold, min=0.1, max=0.9, step=0.05,
                        description=t("differentiate.widget.threshold", language),
                        readout_format=".0%")
    out = w.Output()

    def update(*_):
        cut = (a.value, 0.95)  # the slider stops at 0.90
        pareto = d.pareto_table(transactions, cutoffs=cut, as_of=as_of)
        fig, ax = new_figure((6, 4))
        plot_pareto(pareto, cutoffs=cut, ax=ax, language=language)
        scores = d.rfm_scores(transactions, as_of=as_of, bins=b.value)
        dec = d.decliners(transactions, as_of=as_of, threshold=thr.value)
        replace_output(out, show(d.abc_table(pareto), language=language), figure_png(fig),
                       show(d.rfm_cut_points(scores), language=language, max_rows=30),
                       Markdown(d.decliners_headline(dec, threshold=thr.value,
                                                     language=language)))

    for slider in (a, b, thr):
        slider.observe(update, names="value")
    update()
    return w.VBox([w.HBox([a, b, thr]), out])
