"""Plots for the collections stage: aging, trend, risk and the dunning plan."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crmlib.i18n import format_date, format_percent, label, t
from crmlib.plot._common import get_ax, localize_axes

__all__ = ["aging_explorer", "plot_aging", "plot_aging_trend", "plot_dunning_plan", "plot_risk"]

_RANGE = re.compile(r"^d(\d+)_(\d+)$")
_OVER = re.compile(r"^over_(\d+)$")
_BUCKET = re.compile(r"^(not_due|d\d+_\d+|over_\d+)$")
_COLORS = ["#4C9F70", "#F2C14E", "#F29E4C", "#E4572E", "#B23A48", "#6D2E46", "#3D1F2D"]


def bucket_label(name: str, language: str = "es") -> str:
    """Reader label of an aging bucket column (``not_due``, ``d1_30``, ``over_120``)."""
    if name == "not_due":
        return t("collections.bucket.not_due", language)
    m = _RANGE.match(name)
    if m:
        return t("collections.bucket.range", language, lo=m.group(1), hi=m.group(2))
    m = _OVER.match(name)
    if m:
        return t("collections.bucket.over", language, days=m.group(1))
    return name


def plot_aging(totals: pd.DataFrame, *, ax=None, language: str = "es"):
    """Open balance per aging bucket, from ``collections.aging_totals``."""
    ax = get_ax(ax)
    names = [bucket_label(b, language) for b in totals["bucket"]]  # follows ``language``
    colors = _COLORS[: len(names)] if len(names) <= len(_COLORS) else None
    bars = ax.bar(names, totals["amount"], color=colors)
    for bar, share in zip(bars, totals["share"]):
        ax.annotate(format_percent(share, language), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize="small")
    ax.set_ylabel(label("open_balance", language))
    ax.set_title(t("collections.plot.aging", language))
    ax.tick_params(axis="x", labelrotation=20)
    return localize_axes(ax, language)


def plot_aging_trend(trend: pd.DataFrame, *, ax=None, language: str = "es"):
    """Month-end balances stacked by bucket, with DSO on a second axis (``aging_trend``)."""
    ax = get_ax(ax, figsize=(9, 4))
    buckets = [c for c in trend.columns if _BUCKET.match(str(c))]
    x = np.arange(len(trend))
    bottom = np.zeros(len(trend))
    for i, b in enumerate(buckets):
        vals = trend[b].to_numpy(dtype=float)
        ax.bar(x, vals, bottom=bottom, color=_COLORS[i % len(_COLORS)],
               label=bucket_label(b, language))
        bottom += vals
    ax.set_xticks(x, [format_date(d, language, form="month") for d in trend["as_of"]],
                  rotation=45, ha="right")
    ax.set_ylabel(label("receivables", language))
    ax2 = ax.twinx()
    ax2.plot(x, trend["dso_days"], color="black", marker="o", label=label("dso_days", language))
    ax2.set_ylabel(label("dso_days", language))
    ax2.set_ylim(bottom=0)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    # the legend sits below the plot, outside the axes, so it never covers a bar
    ax.legend(h1 + h2, l1 + l2, fontsize="small", loc="upper center",
              bbox_to_anchor=(0.5, -0.28), ncols=min(len(l1) + len(l2), 4), frameon=False)
    ax.set_title(t("collections.plot.trend", language))
    localize_axes(ax2, language)
    return localize_axes(ax, language)


def plot_risk(risk: pd.DataFrame, *, ax=None, language: str = "es"):
    """Customers and overdue amount by risk level (``customer_risk``)."""
    ax = get_ax(ax)
    levels = ["high", "medium", "low", "current"]
    g = risk.groupby("risk").agg(n=("customer_id", "size"), overdue=("overdue", "sum"))
    g = g.reindex(levels, fill_value=0)
    names = [t(f"collections.risk.{r}", language) for r in levels]
    bars = ax.bar(names, g["overdue"], color=["#B23A48", "#F29E4C", "#F2C14E", "#4C9F70"])
    for bar, n in zip(bars, g["n"]):
        ax.annotate(t("collections.plot.n_customers", language, n=int(n)),
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                    va="bottom", fontsize="small")
    ax.set_ylabel(label("overdue", language))
    ax.set_title(t("collections.plot.risk", language))
    return localize_axes(ax, language)


def plot_dunning_plan(plan: pd.DataFrame, *, ax=None, language: str = "es"):
    """Letters to send today by dunning stage (``dunning_plan``)."""
    from crmlib.collections import DUNNING_STAGES

    ax = get_ax(ax)
    send = plan[plan["action"] == "send"]
    counts = send["stage"].value_counts().reindex(list(DUNNING_STAGES), fill_value=0)
    ax.barh([t(f"collections.stage.{s}", language) for s in DUNNING_STAGES][::-1],
            counts.to_numpy()[::-1], color="#4C72B0")
    ax.set_xlabel(t("collections.plot.letters", language))
    ax.set_title(t("collections.plot.dunning", language))
    return localize_axes(ax, language)


from crmlib.plot._common import figure_png as _png


def aging_explorer(invoices: pd.DataFrame, *, as_of, buckets=(0, 30, 60, 90, 120),
                   interactive: bool = False, language: str = "es"):
    """Bucket edges and valuation date that redraw the aging totals (JupyterLab).

    A text field takes the bucket edges (``0, 30, 60, 90, 120``) and a date
    picker the valuation date; each change recomputes
    :func:`crmlib.collections.aging_totals` and redraws :func:`plot_aging` in
    an ``Output`` widget. Edges that are not increasing whole days from 0
    leave the last good view in place and say what is wrong.

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Starting valuation date.
    buckets : sequence of int, default (0, 30, 60, 90, 120)
        Starting bucket edges.
    interactive : bool, default False
        Without it nothing is built and None is returned, so a batch report
        keeps only its static table and chart.
    language : {"es", "en"}

    Returns
    -------
    ipywidgets.VBox or None
        Children: an ``HBox`` with the edges ``Text`` and the ``DatePicker``,
        an ``HTML`` message line and the ``Output``. Attributes ``totals``
        (the last aging totals table, columns as ``aging_totals``) and
        ``figure`` (the last matplotlib Figure) hold what is shown.
    """
    from crmlib import collections as col
    from crmlib.exceptions import ParameterError
    from crmlib.i18n import check_language

    check_language(language)
    if not interactive:
        return None
    import html

    import ipywidgets as w
    from matplotlib.figure import Figure

    from crmlib.report import show

    start = col.parse_buckets(buckets)
    edges = w.Text(value=", ".join(str(b) for b in start), continuous_update=False,
                   description=t("collections.widget.buckets", language))
    date = w.DatePicker(value=pd.Timestamp(as_of).date(),
                        description=t("collections.widget.as_of", language))
    message = w.HTML("")
    message.error = None
    out = w.Output()
    box = w.VBox([w.HBox([edges, date]), message, out])
    box.totals, box.figure = None, None

    def update(*_):
        try:
            cuts = col.parse_buckets(edges.value)
        except ParameterError as err:
            message.value = (f"<b>{html.escape(t('collections.widget.bad_buckets', language))}"
                             f"</b> ({html.escape(repr(edges.value))})")
            message.error = err
            return
        if date.value is None:
            message.value = f"<b>{html.escape(t('collections.widget.bad_date', language))}</b>"
            return
        message.value, message.error = "", None
        totals = col.aging_totals(col.aging_table(invoices, as_of=date.value, buckets=cuts),
                                  language=language)
        fig = Figure(figsize=(7, 4))
        plot_aging(totals, ax=fig.add_subplot(), language=language)
        box.totals, box.figure = totals, fig
        out.outputs = ()
        out.append_display_data(show(totals, language=language))
        out.append_display_data(_png(fig))

    edges.observe(update, names="value")
    date.observe(update, names="value")
    update()
    return box
