"""Plots for the identify stage: data completeness, match rules, match scores."""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Patch

from crmlib.i18n import format_percent, t
from crmlib.plot._common import LocaleFormatter, get_ax, localize_axes, nothing_to_draw

__all__ = ["plot_completeness", "plot_match_rules", "plot_match_scores"]

_DECISION_COLORS = {"merge": "#1B9E77", "review": "#E6AB02", "keep_apart": "#D95F02"}
_DECISIONS = ("merge", "review", "keep_apart")


def plot_completeness(quality: pd.DataFrame, *, ax=None, language: str = "es"):
    """Horizontal bars: share of records holding each field.

    Takes the table of :func:`crmlib.identify.quality_profile` and draws its
    ``completeness`` rows, in the table's order from the top, on a 0-100 % axis.
    """
    rows = quality[quality["check"] == "completeness"]
    names = [t(f"identify.field.{f}", language) for f in rows["field"]]
    shares = rows["share_ok"].to_numpy(dtype=float)
    ax = get_ax(ax)
    ax.barh(names[::-1], shares[::-1], color="#4C72B0")
    for y, value in enumerate(shares[::-1]):
        ax.text(value + 0.01, y, format_percent(value, language), va="center", fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(LocaleFormatter(language, "percent"))
    ax.set_xlabel(t("identify.plot.share_filled", language))
    ax.set_title(t("identify.plot.completeness", language))
    return localize_axes(ax, language)


def plot_match_rules(counts: pd.DataFrame, *, ax=None, language: str = "es"):
    """Horizontal bars: candidate pairs per rule, coloured by decision.

    Takes the table of :func:`crmlib.identify.rule_counts`; one bar per row, in
    the table's order from the top, length ``n_pairs``. Without any pair a
    sentence replaces the chart and None is returned (see ``nothing_to_draw``).
    """
    if nothing_to_draw(len(counts) > 0, ax, t("identify.plot.rules", language), language):
        return ax
    ax = get_ax(ax)
    names = [t(f"identify.rule.{r}", language) for r in counts["rule"]][::-1]
    values = counts["n_pairs"].to_numpy()[::-1]
    colors = [_DECISION_COLORS.get(d, "#999999") for d in counts["decision"]][::-1]
    ax.barh(names, values, color=colors)
    handles = [Patch(color=_DECISION_COLORS[d], label=t(f"identify.decision.{d}", language))
               for d in _DECISIONS if d in set(counts["decision"])]
    if handles:
        ax.legend(handles=handles, loc="lower right")
    ax.set_xlabel(t("identify.plot.n_pairs", language))
    ax.set_title(t("identify.plot.rules", language))
    return localize_axes(ax, language)


def plot_match_scores(pairs: pd.DataFrame, *, ax=None, language: str = "es", bins: int = 20):
    """Distribution of pair ``score`` (0-100): a histogram stacked by decision (seaborn).

    Takes the match report (``pairs`` of :func:`crmlib.identify.consolidate`);
    pairs without a score (added by hand) are left out. Without any scored
    pair a sentence replaces the chart and None is returned.
    """
    import seaborn as sns

    scored = pairs["score"].notna().any() if "score" in pairs else False
    if nothing_to_draw(bool(scored), ax, t("identify.plot.scores", language), language):
        return ax
    ax = get_ax(ax)
    rows = pairs.loc[pairs["score"].notna() & pairs["decision"].isin(_DECISIONS),
                     ["score", "decision"]]
    present = [d for d in _DECISIONS if (rows["decision"] == d).any()]
    if present:
        names = {d: t(f"identify.decision.{d}", language) for d in present}
        data = pd.DataFrame({"score": rows["score"].to_numpy(dtype=float),
                             "decision": rows["decision"].map(names).to_numpy()})
        sns.histplot(data=data, x="score", hue="decision", hue_order=list(names.values()),
                     palette={names[d]: _DECISION_COLORS[d] for d in present},
                     multiple="stack", bins=bins, binrange=(0, 100), edgecolor="white",
                     alpha=1.0, ax=ax)
        legend = ax.get_legend()
        if legend is not None:
            legend.set_title(None)
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("identify.plot.score", language))
    ax.set_ylabel(t("identify.plot.n_pairs", language))
    ax.set_title(t("identify.plot.scores", language))
    return localize_axes(ax, language)
