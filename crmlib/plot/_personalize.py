"""Plots for the personalize stage: treatment plan and relationship stages."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import label, t
from crmlib.plot._common import get_ax

__all__ = ["plot_plan_summary", "plot_relationship_stages"]

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
    return ax


def plot_relationship_stages(summary: pd.DataFrame, *, ax=None, language: str = "es"):
    """Customers on each rung of the ladder contact -> trust (``stage_summary``),
    with the share of value each stage holds written on the bars when known."""
    ax = get_ax(ax)
    bars = ax.bar(summary["stage_label"], summary["n_customers"],
                  color=["#D1E5F0", "#92C5DE", "#4393C3", "#2166AC"][: len(summary)])
    if "value_share" in summary:
        for bar, share in zip(bars, summary["value_share"]):
            ax.annotate(t("personalize.plot.value_share", language, share=f"{share:.0%}"),
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                        va="bottom", fontsize="small")
    ax.set_ylabel(label("n_customers", language))
    ax.set_title(t("personalize.plot.stages", language))
    return ax
