"""Interact results for reading: key figures, the short metrics view, the headline.

Small functions that turn the tables of :func:`complaint_metrics` and
:func:`lost_after_complaint` into what a notebook shows first and what the
results file records.
"""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import t
from crmlib.interact._complaint_metrics import _BY


def key_figures(metrics: pd.DataFrame) -> dict:
    """The key figures of an ungrouped :func:`complaint_metrics` row, as a plain dict.

    Keys: ``n_contacts``, ``n_open``, ``median_resolution_hours``,
    ``p90_resolution_hours``, ``fcr_rate``, ``recovery_rate``,
    ``n_problem_rows`` (floats, NaN where unknown; counts as int).
    """
    row = metrics.iloc[0]
    out = {}
    for key in ("n_contacts", "n_open", "n_problem_rows"):
        out[key] = int(row[key])
    for key in ("median_resolution_hours", "p90_resolution_hours", "fcr_rate",
                "recovery_rate"):
        out[key] = float(row[key])
    return out


_VIEW = ("n_contacts", "share", "n_open", "n_reopened", "median_resolution_hours",
         "p90_resolution_hours", "fcr_rate", "recovery_rate")


def metrics_view(metrics: pd.DataFrame) -> pd.DataFrame:
    """The columns of :func:`complaint_metrics` a reader needs first: the group
    columns, ``n_contacts``, ``share``, ``n_open``, ``n_reopened``,
    ``median_resolution_hours``, ``p90_resolution_hours``, ``fcr_rate``,
    ``recovery_rate``."""
    groups = [c for c in metrics.columns if c in _BY]
    return metrics[[*groups, *_VIEW]]


def lost_summary(lost: pd.DataFrame) -> dict:
    """Counts from :func:`lost_after_complaint`: ``n`` complainers, ``n_lost``,
    ``share_lost`` (NaN without complainers) and ``value_lost`` (sum of
    ``value_before`` of the lost ones)."""
    n = len(lost)
    n_lost = int(lost["lost"].sum())
    return {"n": n, "n_lost": n_lost, "share_lost": n_lost / n if n else float("nan"),
            "value_lost": float(lost.loc[lost["lost"], "value_before"].sum())}


def headline(metrics: pd.DataFrame, language: str = "es", *,
             recovery_window_days: float = 30) -> str:
    """One sentence summing up an ungrouped :func:`complaint_metrics` row."""
    from crmlib.i18n import format_duration, format_percent

    row = metrics.iloc[0]
    return t("interact.headline", language, n=int(row["n_contacts"]),
             fcr=format_percent(row["fcr_rate"], language),
             recovery=format_percent(row["recovery_rate"], language),
             median=format_duration(row["median_resolution_hours"], "hours", language),
             days=format_duration(recovery_window_days, "days", language))
