"""Customer lifetime value from the two fitted models, and the tables that report it.

:func:`customer_lifetime_value` values the purchases BG/NBD expects step by
step at the Gamma-Gamma value per purchase, discounted at an annual rate;
:func:`clv_table` puts it next to P(alive) and expected purchases per
customer, :func:`clv_summary` gives its key figures and
:func:`parameters_table` lists the fitted parameters of both models.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlib.clv._base import TIME_UNIT_DAYS, NotFittedError
from crmlib.clv._bgnbd import BetaGeoModel
from crmlib.clv._gamma_gamma import GammaGammaModel
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice


def _step_rate(discount_rate: float, step_days: float) -> float:
    return (1.0 + discount_rate) ** (step_days / 365.25) - 1.0


def customer_lifetime_value(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel,
                            summary: pd.DataFrame, *, horizon: float = 12,
                            time_unit: str = "M", discount_rate: float = 0.0) -> pd.Series:
    """Discounted expected value of each customer over ``horizon``.

    The horizon is cut into steps of one ``time_unit``; the purchases the
    BG/NBD model expects in step ``i`` (difference of equation (10) at the end
    and start of the step) are valued at the Gamma-Gamma expected value per
    purchase and discounted by ``(1 + d) ** i``, with ``d`` the per-step rate
    equivalent to the annual ``discount_rate``.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted; its ``time_unit_`` is the unit of ``summary``.
    gamma_gamma : GammaGammaModel
        Fitted.
    summary : DataFrame
        ``frequency``, ``recency``, ``T``, ``avg_repeat_value``.
    horizon : float, default 12
        Length of the horizon, in ``time_unit`` (a last partial step is kept).
    time_unit : {"D", "W", "M"}, default "M"
        Unit of ``horizon`` and of the discounting steps.
    discount_rate : float, default 0
        Annual discount rate (0.10 = 10 % a year), ``>= 0``.

    Returns
    -------
    Series
        Named ``clv``, same index as ``summary``.
    """
    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    if not (np.isfinite(horizon) and horizon > 0):
        raise ParameterError(f"horizon must be > 0; got {horizon!r}", parameter="horizon",
                             allowed="> 0", value=horizon)
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise ParameterError(f"discount_rate must be >= 0; got {discount_rate!r}",
                             parameter="discount_rate", allowed=">= 0", value=discount_rate)
    bgnbd._params()
    step_days = TIME_UNIT_DAYS[time_unit]
    model_days = TIME_UNIT_DAYS[bgnbd.time_unit_]
    rate = _step_rate(discount_rate, step_days)
    value = gamma_gamma.expected_average_value(summary).to_numpy()
    n_steps = math.ceil(horizon - 1e-12)
    total = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for i in range(1, n_steps + 1):
        end = min(i, horizon) * step_days / model_days
        cum = bgnbd.conditional_expected_purchases(end, summary).to_numpy()
        total += (cum - previous) * value / (1 + rate) ** i
        previous = cum
    return pd.Series(total, index=summary.index, name="clv")


def clv_table(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel, summary: pd.DataFrame, *,
              horizon: float = 12, time_unit: str = "M",
              discount_rate: float = 0.0) -> pd.DataFrame:
    """Per-customer predictions over a horizon, by CLV descending.

    Parameters
    ----------
    bgnbd, gamma_gamma : fitted models
    summary : DataFrame
        Output of :func:`crmlib.differentiate.customer_summary`.
    horizon, time_unit, discount_rate
        As in :func:`customer_lifetime_value`.

    Returns
    -------
    DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary``,
        ``p_alive``, ``expected_purchases`` (over the horizon),
        ``expected_avg_value``, ``clv`` (discounted), ``clv_share`` (of the total);
        ties in ``clv`` broken by ``customer_id``.
    """
    days = horizon * TIME_UNIT_DAYS[time_unit] if time_unit in TIME_UNIT_DAYS else None
    clv = customer_lifetime_value(bgnbd, gamma_gamma, summary, horizon=horizon,
                                  time_unit=time_unit, discount_rate=discount_rate)
    keep = [c for c in ("customer_id", "frequency", "recency", "T", "monetary")
            if c in summary.columns]
    out = summary[keep].copy()
    out["p_alive"] = bgnbd.probability_alive(summary).to_numpy()
    out["expected_purchases"] = bgnbd.conditional_expected_purchases(
        days / TIME_UNIT_DAYS[bgnbd.time_unit_], summary).to_numpy()
    out["expected_avg_value"] = gamma_gamma.expected_average_value(summary).to_numpy()
    out["clv"] = clv.to_numpy()
    total = out["clv"].sum()
    out["clv_share"] = out["clv"] / total if total > 0 else 0.0
    sort = ["clv", "customer_id"] if "customer_id" in out.columns else ["clv"]
    asc = [False, True] if "customer_id" in out.columns else [False]
    return out.sort_values(sort, ascending=asc, kind="mergesort").reset_index(drop=True)


#: Reader-facing model names and the codes their parameters carry in :func:`parameters_table`
#: (the sBG ``alpha``/``beta`` describe churn, not purchase rates: they get their own codes).
MODEL_NAMES = {"BetaGeoModel": "BG/NBD", "ParetoNBDModel": "Pareto/NBD",
               "GammaGammaModel": "Gamma-Gamma", "ShiftedBetaGeoModel": "sBG"}
_PARAMETER_CODES = {"ShiftedBetaGeoModel": {"alpha": "sbg_alpha", "beta": "sbg_beta"}}


def parameters_table(*models, level: float = 0.95) -> pd.DataFrame:
    """Fitted parameters of one or more models, with standard errors and intervals.

    Parameters
    ----------
    *models : fitted BetaGeoModel, ParetoNBDModel, GammaGammaModel or ShiftedBetaGeoModel
    level : float, default 0.95
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        ``model`` (``"BG/NBD"``, ``"Pareto/NBD"``, ``"Gamma-Gamma"``, ``"sBG"``),
        ``parameter`` (``r``, ``alpha``, ``a``, ``b``, ``s``, ``beta``, ``p``, ``q``,
        ``gamma``, ``sbg_alpha``, ``sbg_beta``, then ``log_likelihood`` and
        ``n_customers``), ``estimate``, ``std_error`` (from the observed information,
        see :meth:`confidence_intervals`), ``ci_low``, ``ci_high`` (Wald intervals on
        the log scale); the last three are empty for the log-likelihood, the count,
        and a fit at the edge of the search space.
    """
    rows = []
    for model in models:
        if not hasattr(model, "params_"):
            raise NotFittedError("parameters_table needs fitted models", parameter="models")
        kind = type(model).__name__
        name = MODEL_NAMES.get(kind, kind)
        codes = _PARAMETER_CODES.get(kind, {})
        ci = model.confidence_intervals(level)
        for key, row in ci.iterrows():
            rows.append({"model": name, "parameter": codes.get(key, key),
                         "estimate": float(row["estimate"]), "std_error": float(row["std_error"]),
                         "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"])})
        for key, value in (("log_likelihood", model.log_likelihood_),
                           ("n_customers", model.n_customers_)):
            rows.append({"model": name, "parameter": key, "estimate": float(value),
                         "std_error": math.nan, "ci_low": math.nan, "ci_high": math.nan})
    return pd.DataFrame(rows, columns=["model", "parameter", "estimate", "std_error", "ci_low",
                                       "ci_high"])


def clv_summary(clv: pd.DataFrame) -> pd.Series:
    """Key figures of a :func:`clv_table`.

    Returns
    -------
    Series
        ``n_customers``, ``clv_total``, ``clv_mean``, ``clv_top10_share`` (share
        of the total held by the 10 % of customers with the highest CLV),
        ``expected_purchases_total``, ``mean_p_alive``.
    """
    for c in ("clv", "expected_purchases", "p_alive"):
        if c not in clv.columns:
            raise DataError([DataProblem("clv", c, "is required but missing (use clv_table)")])
    n = len(clv)
    total = float(clv["clv"].sum())
    k = max(1, math.ceil(0.10 * n))
    top = float(clv["clv"].sort_values(ascending=False).head(k).sum())
    return pd.Series({
        "n_customers": n,
        "clv_total": total,
        "clv_mean": total / n if n else math.nan,
        "clv_top10_share": top / total if total > 0 else math.nan,
        "expected_purchases_total": float(clv["expected_purchases"].sum()),
        "mean_p_alive": float(clv["p_alive"].mean()) if n else math.nan,
    }, dtype=object)
