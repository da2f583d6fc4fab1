"""Figures of the CLV family: the retention curve of a contractual client."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from crmlib.exceptions import DataError, DataProblem
from crmlib.i18n import check_language, t
from crmlib.plot._common import get_ax, localize_axes

__all__ = ["plot_retention_curve"]


def plot_retention_curve(curve: pd.DataFrame, *, ax=None, language: str = "es"):
    """Share of contracts still active by months since sign-up: model, observed, projection.

    Parameters
    ----------
    curve : DataFrame
        Output of :meth:`crmlib.clv.ShiftedBetaGeoModel.retention_curve` (``period``,
        ``survival``, ``projected``, optionally ``observed``) of a monthly model.

    Returns
    -------
    Axes
        The fitted curve is solid where the data reach and dashed where it is
        a projection; the observed (Kaplan-Meier) shares are dots.
    """
    check_language(language)
    missing = [c for c in ("period", "survival", "projected") if c not in curve.columns]
    if missing:
        raise DataError([DataProblem("curve", c, "is required but missing") for c in missing])
    ax = get_ax(ax, figsize=(6, 4))
    period = curve["period"].to_numpy(dtype=float)
    survival = 100 * curve["survival"].to_numpy(dtype=float)
    projected = curve["projected"].to_numpy(dtype=bool)
    seen = ~projected
    ax.plot(period[seen], survival[seen], color="#1b6ca8", linewidth=2,
            label=t("clv.plot.fitted", language))
    if projected.any():
        first = max(int(np.argmax(projected)) - 1, 0)
        ax.plot(period[first:], survival[first:], color="#1b6ca8", linewidth=2,
                linestyle="--", label=t("clv.plot.projection", language))
    if "observed" in curve.columns:
        obs = 100 * curve["observed"].to_numpy(dtype=float)
        keep = np.isfinite(obs)
        ax.plot(period[keep], obs[keep], "o", color="#e07b39", markersize=4,
                label=t("clv.plot.observed", language))
    ax.set_ylim(0, 102)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlabel(t("clv.plot.months", language))
    ax.set_ylabel(t("clv.plot.share_active", language))
    ax.set_title(t("clv.plot.retention_curve", language))
    ax.legend()
    return localize_axes(ax, language)
