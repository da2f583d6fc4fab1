"""Plots for the personalize stage: treatment plan and relationship stages."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import format_percent, label, t
from crmlib.plot._common import get_ax, localize_axes

__all__ = ["plan_explorer", "plot_plan_summary", "plot_relationship_stages"]

_LEVEL_COLORS = {"A": "#1B7837", "B": "#7FBC41", "C": "#C2A5CF"}


def plot_plan_summary(summary: pd.DataFrame, *, ax=None, language: str = "es"):
    """Customers per next best action, stacked by service level (``plan_summary``).

    Needs ``action`` and ``n_customers``; ``service_level`` is used for the
    stacks when present.
    """
    from crmlib.personalize import ACTIONS

    ax = get_ax(ax)
    names = [t(f"personalize.action.{a}", language) for a in ACTIONS]
    levels = (sorted(summary["service_level"].dropna().unique())
              if "service_level" in summary else [None])
    left = pd.Series(0.0, index=list(ACTIONS))
    for lvl in levels:
        part = summary if lvl is None else summary[summary["service_level"] == lvl]
        n = part.groupby("action")["n_customers"].sum().reindex(list(ACTIONS), fill_value=0)
        ax.barh(names, n.to_numpy(), left=left.to_numpy(),
                color=_LEVEL_COLORS.get(lvl, "#4C72B0"),
                label=None if lvl is None else t("personalize.plot.level", language, level=lvl))
        left = left + n
    ax.invert_yaxis()
    ax.set_xlabel(label("n_customers", language))
    ax.set_title(t("personalize.plot.plan", language))
    if levels != [None]:
        ax.legend(fontsize="small")
    return localize_axes(ax, language)


def plot_relationship_stages(summary: pd.DataFrame, *, ax=None, language: str = "es"):
    """Customers on each rung of the ladder contact -> trust (``stage_summary``),
    with the share of value each stage holds written on the bars when known."""
    ax = get_ax(ax)
    bars = ax.bar(summary["stage_label"], summary["n_customers"],
                  color=["#D1E5F0", "#92C5DE", "#4393C3", "#2166AC"][: len(summary)])
    if "value_share" in summary:
        for bar, share in zip(bars, summary["value_share"]):
            ax.annotate(t("personalize.plot.value_share", language, share=format_percent(share, language)),
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                        va="bottom", fontsize="small")
    ax.set_ylabel(label("n_customers", language))
    ax.set_title(t("personalize.plot.stages", language))
    return localize_axes(ax, language)


_STAGE_SLIDERS = (  # (stage, condition, min, max, step)
    ("relate", "n_purchases", 1, 12, 1),
    ("intimate", "tenure_days", 30, 1095, 15),
    ("intimate", "n_purchases", 1, 24, 1),
    ("trust", "tenure_days", 180, 1825, 15),
    ("trust", "n_purchases", 2, 48, 1),
)
_GROUPINGS = (  # (option key, columns of plan_summary)
    ("action", ["action_label"]),
    ("segment", ["segment_label", "action_label"]),
    ("service_level", ["service_level", "action_label"]),
    ("lifecycle", ["lifecycle", "action_label"]),
)


def plan_explorer(customers: pd.DataFrame, rules=None, *, fallback_channel: str = "email",
                  thresholds: dict | None = None, interactive: bool = False,
                  language: str = "es"):
    """A grouping dropdown and the relationship-stage thresholds as sliders (JupyterLab).

    The dropdown regroups the treatment plan summary (by action, segment,
    service level or lifecycle, whichever the customer table has); each slider
    moves one threshold of :data:`crmlib.personalize.DEFAULT_STAGE_RULES` and
    recomputes :func:`crmlib.personalize.stage_summary`, redrawing
    :func:`plot_relationship_stages` in an ``Output`` widget.

    Parameters
    ----------
    customers : DataFrame
        One row per customer, as for :func:`crmlib.personalize.treatment_plan`
        and :func:`crmlib.personalize.relationship_stages` (e.g.
        :func:`crmlib.personalize.customer_features`).
    rules, fallback_channel
        As :func:`crmlib.personalize.treatment_plan`.
    thresholds : dict, optional
        Starting overrides of the stage thresholds.
    interactive : bool, default False
        Without it nothing is built and None is returned, so a batch report
        keeps only its static tables and charts.
    language : {"es", "en"}

    Returns
    -------
    ipywidgets.VBox or None
        Children: the ``Dropdown``, an ``HBox`` of ``IntSlider`` (relate
        purchases, intimate days and purchases, trust days and purchases), the
        ``Output``. Attributes ``summary`` (last plan summary), ``stages``
        (last stage summary, columns as ``stage_summary``), ``thresholds``
        (the thresholds used) and ``figure`` (the last Figure) hold what is
        shown.
    """
    from crmlib import personalize as pz
    from crmlib.i18n import check_language

    check_language(language)
    if not interactive:
        return None
    import ipywidgets as w
    from matplotlib.figure import Figure

    from crmlib.plot._collections import _png
    from crmlib.report import show

    plan = pz.treatment_plan(customers, rules, fallback_channel=fallback_channel,
                             language=language)
    start = {k: dict(v) for k, v in pz.DEFAULT_STAGE_RULES.items()}
    for stage, over in (thresholds or {}).items():
        start.setdefault(stage, {}).update(over)
    pz.relationship_stages(customers.head(0), thresholds=thresholds)  # checks the overrides
    have = set(plan.columns) | set(customers.columns)
    options = [(t(f"personalize.widget.by_{key}", language), key)
               for key, cols in _GROUPINGS if set(cols) <= have]
    groupings = dict(_GROUPINGS)
    choose = w.Dropdown(options=options, value=options[0][1],
                        description=t("personalize.widget.by", language))
    sliders = []
    for stage, cond, lo, hi, step in _STAGE_SLIDERS:
        value = start[stage][cond]
        sliders.append(w.IntSlider(
            value=int(min(max(value, lo), hi)), min=lo, max=hi, step=step,
            description=t(f"personalize.widget.{stage}_{cond}", language),
            continuous_update=False, style={"description_width": "initial"}))
    out = w.Output()
    box = w.VBox([choose, w.HBox(sliders, layout=w.Layout(flex_flow="row wrap")), out])
    box.summary = box.stages = box.thresholds = box.figure = None

    def update(*_):
        chosen = {k: dict(v) for k, v in start.items()}
        for (stage, cond, *_rest), slider in zip(_STAGE_SLIDERS, sliders):
            chosen[stage][cond] = slider.value
        summary = pz.plan_summary(plan, customers, by=groupings[choose.value])
        stages = pz.stage_summary(pz.relationship_stages(customers, thresholds=chosen),
                                  customers, language=language)
        fig = Figure(figsize=(7, 4))
        plot_relationship_stages(stages, ax=fig.add_subplot(), language=language)
        box.summary, box.stages, box.thresholds, box.figure = summary, stages, chosen, fig
        out.outputs = ()
        out.append_display_data(show(summary, language=language, max_rows=30))
        out.append_display_data(show(stages, language=language))
        out.append_display_data(_png(fig))

    choose.observe(update, names="value")
    for slider in sliders:
        slider.observe(update, names="value")
    update()
    return box
