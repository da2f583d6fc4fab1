"""Soft indicators of service and SERVPERF: perception-only scores per dimension with
their reliability and intervals.

Source 001 lists the subjective (soft) indicators of service quality: satisfaction,
availability, accessibility, courtesy, speed (agilidad), trust, competence and
communication. Cronin & Taylor (1992) showed that the perception half of SERVQUAL on its
own (SERVPERF) measures service quality as well as the gaps do; a survey that asks
perceptions only has no gap, so the gap-based reliability of :mod:`crmlib.servqual` is
empty for it. :func:`servperf_table` scores such a survey from the perceptions alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.followup._base import _need, mean_interval
from crmlib.instruments import load_instrument
from crmlib.servqual import cronbach_alpha


def servperf_table(responses: pd.DataFrame, *, instrument="soft-indicators",
                   ci: float = 0.95) -> pd.DataFrame:
    """Perception-only scores per dimension, with Cronbach's alpha and intervals.

    Parameters
    ----------
    responses : DataFrame
        Long answers: ``respondent_id``, ``item_id``, ``perception`` (contract
        ``soft_indicators``, or ``servqual_responses`` with or without expectations).
    instrument : str, path or Instrument, default "soft-indicators"
        Names each item's dimension (``"servqual-1991"`` for SERVPERF on SERVQUAL items).
    ci : float, default 0.95
        Confidence level of the score interval (Student t over respondents' dimension
        means) and of alpha (Feldt, see :func:`crmlib.servqual.cronbach_alpha`).

    Returns
    -------
    DataFrame
        One row per dimension in instrument order, then ``dimension == "all"``:
        ``dimension``, ``n_items``, ``n_respondents``, ``score`` (mean of the
        respondents' mean perception over the dimension's items), ``ci_low``,
        ``ci_high``, ``alpha``, ``alpha_ci_low``, ``alpha_ci_high`` (empty for a
        dimension of one item).
    """
    df = _need(responses, "responses", ("respondent_id", "item_id", "perception"))
    inst = load_instrument(instrument)
    dims = inst.items.set_index("item_id")["dimension"]
    unknown = sorted(set(df["item_id"].astype(str)) - set(dims.index))
    if unknown:
        raise DataError([DataProblem("responses", "item_id",
                                     f"names items that are not in instrument {inst.name!r}",
                                     sum(df["item_id"].astype(str).isin(unknown)), len(df),
                                     tuple((i, u) for i, u in enumerate(unknown[:3])))])
    df["item_id"] = df["item_id"].astype(str)
    df["perception"] = inst.reverse_score(df["perception"].to_numpy(dtype=float),
                                          df["item_id"]).to_numpy()
    wide = df.pivot_table(index="respondent_id", columns="item_id", values="perception",
                          aggfunc="mean")
    order = [i for i in inst.item_ids if i in wide.columns]
    wide = wide[order]
    rows = []
    for dim in [*[d for d in inst.dimensions if (dims[order] == d).any()], "all"]:
        cols = order if dim == "all" else [i for i in order if dims[i] == dim]
        sub = wide[cols]
        m, lo, hi, n = mean_interval(sub.mean(axis=1, skipna=True), ci)
        row = {"dimension": dim, "n_items": len(cols), "n_respondents": n, "score": m,
               "ci_low": lo, "ci_high": hi, "alpha": np.nan, "alpha_ci_low": np.nan,
               "alpha_ci_high": np.nan}
        if len(cols) >= 2 and n >= 2:
            a = cronbach_alpha(sub, ci=ci)
            row.update({"alpha": a["alpha"], "alpha_ci_low": a["ci_low"],
                        "alpha_ci_high": a["ci_high"]})
        rows.append(row)
    return pd.DataFrame(rows)


def alpha_from_correlations(corr, *, standardized: bool = True) -> float:
    """Cronbach's alpha from an item correlation (or covariance) matrix.

    With a correlation matrix this is the standardized alpha
    ``k * r̄ / (1 + (k - 1) * r̄)`` (``r̄`` the mean inter-item correlation), the value
    studies report when they publish only correlations; with ``standardized=False`` the
    matrix is read as covariances: ``k / (k - 1) * (1 - trace / sum)``.
    """
    c = np.asarray(corr, dtype=float)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 2:
        raise DataError([DataProblem("correlations", None,
                                     f"must be a square matrix of 2 items or more; got shape "
                                     f"{c.shape}")])
    k = c.shape[0]
    if standardized:
        rbar = (c.sum() - np.trace(c)) / (k * (k - 1))
        return float(k * rbar / (1 + (k - 1) * rbar))
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))
