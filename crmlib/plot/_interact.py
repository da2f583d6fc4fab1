"""Plots for the interact stage: complaints, resolution times, run charts, contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import code_label, format_number, label, t
from crmlib.plot._common import (
    LocaleFormatter,
    figure_png,
    get_ax,
    localize_axes,
    new_figure,
    replace_output,
)

__all__ = [
    "plot_complaint_volume",
    "plot_contact_cost",
    "plot_resolution_times",
    "plot_response_times",
    "plot_run_chart",
    "run_chart_explorer",
]

_METRIC_COLUMNS = {"n_contacts", "share", "n_customers", "n_closed", "n_open", "n_reopened",
                   "n_problem_rows", "median_resolution_hours", "p90_resolution_hours",
                   "hours_basis", "fcr_n", "fcr_rate", "recovery_n", "recovery_rate"}


def plot_complaint_volume(metrics: pd.DataFrame, *, ax=None, language: str = "es"):
    """Horizontal bars of ``n_contacts`` per group of a grouped ``complaint_metrics`` table.

    The group column is the first column that is not a metric; bars follow the
    table's order, largest at the top.
    """
    group = next(c for c in metrics.columns if c not in _METRIC_COLUMNS)
    ax = get_ax(ax)
    # a code of ours (channel, kind, status) reads as its label; a client's own value as written
    names = [code_label(group, v, language) or str(v) for v in metrics[group]]
    ax.barh(names[::-1], metrics["n_contacts"].to_numpy()[::-1], color="#4C72B0")
    ax.set_xlabel(label("n_contacts", language))
    ax.set_ylabel(label(group, language))
    ax.set_title(t("interact.plot.volume", language, group=label(group, language).lower()))
    return localize_axes(ax, language)


def plot_resolution_times(tickets: pd.DataFrame, *, ax=None, language: str = "es",
                          bins: int = 30):
    """Distribution of resolution hours from ``ticket_table``: histogram and density
    curve (seaborn), with median and p90 lines.

    Uses ``resolution_business_hours`` when the table has it; the bars stop at
    the 99th percentile so the slowest tickets do not flatten the rest. The
    density curve is drawn when at least two different times are shown.
    """
    import seaborn as sns

    col = ("resolution_business_hours" if "resolution_business_hours" in tickets
           else "resolution_hours")
    hours = tickets[col].dropna().to_numpy(dtype=float)
    ax = get_ax(ax)
    if len(hours):
        # the long tail of slow tickets would squash the histogram: show up to the
        # 99th percentile (the median and p90 lines use every ticket)
        top = float(np.quantile(hours, 0.99)) or float(hours.max()) or 1.0
        shown = hours[hours <= top]
        sns.histplot(x=shown, bins=bins, binrange=(0, top), color="#8DA0CB",
                     edgecolor="white", alpha=1.0, ax=ax,
                     kde=len(np.unique(shown)) > 1,
                     line_kws={"color": "#4C5F8F", "lw": 1.5}, kde_kws={"cut": 0})
        med, p90 = np.median(hours), np.quantile(hours, 0.9)
        ax.axvline(med, color="#1B9E77", lw=2, label=t("interact.plot.median", language,
                                                      value=format_number(med, language)))
        ax.axvline(p90, color="#D95F02", lw=2, ls="--",
                   label=t("interact.plot.p90", language, value=format_number(p90, language)))
        ax.legend()
    ax.set_xlabel(label(col, language))
    ax.set_ylabel(t("interact.plot.tickets", language))
    ax.set_title(t("interact.plot.resolution", language))
    return localize_axes(ax, language)


def plot_run_chart(chart: pd.DataFrame, *, index: str | None = None, ax=None,
                   language: str = "es"):
    """Run chart with centre line and control limits from ``xmr_chart`` or ``p_chart``.

    ``index`` names what is charted (a hard index such as ``complaints``, or
    ``fcr_rate``) for the title. Points beyond a limit (``signal``) are marked
    in red.
    """
    ax = get_ax(ax, figsize=(8, 4))
    y = "p" if "p" in chart else "value"
    x = pd.to_datetime(chart["period"])
    ax.plot(x, chart[y], marker="o", color="#4C72B0", label=t("interact.plot.observed",
                                                              language))
    ax.plot(x, chart["center"], color="grey", lw=1, label=t("interact.plot.center", language))
    ax.plot(x, chart["ucl"], color="#D95F02", lw=1, ls="--",
            label=t("interact.plot.limits", language))
    ax.plot(x, chart["lcl"], color="#D95F02", lw=1, ls="--")
    sig = chart["signal"].astype(bool).to_numpy()
    if sig.any():
        ax.scatter(x[sig], chart[y].to_numpy()[sig], color="red", zorder=3, s=50,
                   label=t("interact.plot.signal", language))
    ax.set_title(t(f"interact.index.{index}", language) if index
                 else t("interact.plot.run_chart", language))
    ax.legend(loc="best", fontsize="small")
    # months in the reader's words ("ene 2024"), a rate as a percentage
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.ticker import FuncFormatter

    from crmlib.i18n import format_date

    ax.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=8))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: format_date(num2date(v).replace(tzinfo=None), language, form="month")))
    if y == "p":
        ax.yaxis.set_major_formatter(LocaleFormatter(language, "percent"))
    ax.figure.autofmt_xdate()
    return localize_axes(ax, language)


def plot_response_times(study: pd.DataFrame, *, ax=None, language: str = "es"):
    """Median response and waiting minutes by service encounter (``response_time_study``),
    as bars grouped by encounter (seaborn); an encounter without a time has no bar."""
    import seaborn as sns

    ax = get_ax(ax)
    names = [t(f"interact.encounter.{e}", language) for e in study["encounter"]]
    measures = {c: label(c, language) for c in ("response_median_minutes",
                                                "wait_median_minutes")}
    long = pd.DataFrame({
        "encounter": np.repeat(names, len(measures)),
        "measure": list(measures.values()) * len(study),
        "minutes": study[list(measures)].to_numpy(dtype=float).ravel(),
    })
    sns.barplot(data=long, x="encounter", y="minutes", hue="measure", order=names,
                hue_order=list(measures.values()), palette=["#4C72B0", "#DD8452"],
                errorbar=None, ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel(t("interact.plot.minutes", language))
    ax.set_title(t("interact.plot.response", language))
    ax.legend(title=None)
    return localize_axes(ax, language)


def plot_contact_cost(costs: pd.DataFrame, *, ax=None, language: str = "es"):
    """Segments placed by value per customer against contact effort per customer.

    The vertical axis is ``cost_per_customer`` when costs are known, else
    ``contacts_per_customer`` (``contact_cost_by_segment``).
    """
    ax = get_ax(ax)
    ycol = "cost_per_customer" if costs["cost_per_customer"].notna().any() else \
        "contacts_per_customer"
    ax.scatter(costs["value_per_customer"], costs[ycol], s=60 + 4 * np.sqrt(costs["n_customers"]),
               color="#55A868", alpha=0.8)
    for _, row in costs.iterrows():
        ax.annotate(str(row["segment"]), (row["value_per_customer"], row[ycol]),
                    textcoords="offset points", xytext=(5, 4), fontsize="small")
    ax.set_xlabel(label("value_per_customer", language))
    ax.set_ylabel(label(ycol, language))
    ax.set_title(t("interact.plot.cost", language))
    return localize_axes(ax, language)


def run_chart_explorer(indices: pd.DataFrame, *, interactive: bool = False,
                       language: str = "es"):
    """A dropdown over the hard indices that redraws their XmR chart (JupyterLab).

    Parameters
    ----------
    indices : DataFrame
        Result of ``interact.hard_indices``.
    interactive : bool, default False
        Without it nothing is built and None is returned, so a batch report
        keeps only its static charts.

    Returns
    -------
    ipywidgets.VBox or None
    """
    if not interactive:
        return None
    import ipywidgets as widgets

    from crmlib.interact import xmr_chart

    names = [n for n in dict.fromkeys(indices["index"]) if indices.loc[
        indices["index"] == n, "value"].notna().any()]
    choose = widgets.Dropdown(options=[(t(f"interact.index.{n}", language), n) for n in names],
                              description=t("interact.plot.choose_index", language))
    out = widgets.Output()

    def draw(_change=None):
        fig, ax = new_figure()
        plot_run_chart(xmr_chart(indices, index=choose.value), index=choose.value, ax=ax,
                       language=language)
        replace_output(out, figure_png(fig))

    choose.observe(draw, names="value")
    draw()
    return widgets.VBox([choose, out])
