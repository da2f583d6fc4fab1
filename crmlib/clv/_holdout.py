"""Checking BG/NBD on a holdout period.

:func:`calibration_holdout` splits transactions at a date into a calibration
summary and the purchases each customer made afterwards; :func:`holdout_table`
compares those holdout purchases with what the model fitted on calibration
expects, by calibration frequency (Fader, Hardie & Lee 2005, figure 3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib._purchases import TIME_UNIT_DAYS, _clean_transactions, _purchase_days
from crmlib.differentiate import customer_summary
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice


def calibration_holdout(transactions: pd.DataFrame, *, calibration_end=None,
                        observation_end=None, holdout_days: int | None = None,
                        time_unit: str = "W") -> pd.DataFrame:
    """Split transactions into a calibration and a holdout period, per customer.

    Customers are those who bought by ``calibration_end``; their calibration
    summary is :func:`crmlib.differentiate.customer_summary` at that date, and
    their holdout purchases are counted the same way (distinct purchase days
    with a sale line) after it, up to ``observation_end``.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    calibration_end, observation_end : date-like
        End of calibration (inclusive); end of holdout (default: last transaction).
    holdout_days : int, optional
        Instead of ``calibration_end``: the holdout is the last ``holdout_days``
        days up to ``observation_end``. Give exactly one of the two.
    time_unit : {"D", "W", "M"}, default "W"

    Returns
    -------
    DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary``,
        ``avg_repeat_value`` (calibration), ``frequency_holdout``,
        ``value_holdout``, ``duration_holdout`` (holdout length in ``time_unit``).
        ``attrs`` hold ``time_unit``, ``calibration_end`` and ``observation_end``.
    """
    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    if (calibration_end is None) == (holdout_days is None):
        raise ParameterError("give exactly one of calibration_end and holdout_days",
                             parameter="calibration_end", allowed="one of the two",
                             value=(calibration_end, holdout_days))
    tx = _clean_transactions(transactions, "calibration_holdout")
    obs_end = (pd.Timestamp(observation_end).normalize() if observation_end is not None
               else tx["date"].max().normalize())
    if holdout_days is not None:
        if not isinstance(holdout_days, (int, np.integer)) or holdout_days < 1:
            raise ParameterError(f"holdout_days must be a positive integer; got {holdout_days!r}",
                                 parameter="holdout_days", allowed=">= 1", value=holdout_days)
        cal_end = obs_end - pd.Timedelta(days=int(holdout_days))
    else:
        cal_end = pd.Timestamp(calibration_end).normalize()
    if obs_end <= cal_end:
        raise ParameterError(
            f"observation_end ({obs_end.date()}) must come after calibration_end "
            f"({cal_end.date()})", parameter="observation_end", allowed=f"> {cal_end.date()}",
            value=str(obs_end.date()))
    cal = customer_summary(tx, as_of=cal_end, time_unit=time_unit)
    one_day = pd.Timedelta(days=1)
    days = _purchase_days(tx[(tx["date"] >= cal_end + one_day)
                             & (tx["date"] < obs_end + one_day)])
    bought = days[days["purchase"]]
    hold = bought.groupby("customer_id", sort=False).agg(
        frequency_holdout=("value", "size"), value_holdout=("value", "sum"))
    out = cal[["customer_id", "frequency", "recency", "T", "monetary", "avg_repeat_value"]].copy()
    out = out.merge(hold, left_on="customer_id", right_index=True, how="left")
    out["frequency_holdout"] = out["frequency_holdout"].fillna(0).astype("int64")
    out["value_holdout"] = out["value_holdout"].fillna(0.0)
    out["duration_holdout"] = (obs_end - cal_end).days / TIME_UNIT_DAYS[time_unit]
    out.attrs["time_unit"] = time_unit
    out.attrs["calibration_end"] = cal_end.date().isoformat()
    out.attrs["observation_end"] = obs_end.date().isoformat()
    return out


def holdout_table(bgnbd, cal_holdout: pd.DataFrame, *,
                  max_frequency: int = 7) -> pd.DataFrame:
    """Expected versus actual holdout purchases, by calibration frequency.

    The standard check of FHL (2005, figure 3): customers grouped by their
    number of repeat purchases in calibration (the last group is
    ``max_frequency`` and more), mean actual holdout purchases next to the
    mean the model expects.

    Parameters
    ----------
    bgnbd : BetaGeoModel or ParetoNBDModel
        Fitted on the calibration columns of ``cal_holdout``.
    cal_holdout : DataFrame
        Output of :func:`calibration_holdout`.

    Returns
    -------
    DataFrame
        ``frequency`` (group: 0 .. ``max_frequency``), ``n_customers``,
        ``actual`` (mean holdout purchases), ``expected`` (mean conditional
        expectation), ``difference`` (expected - actual).
    """
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ParameterError(f"max_frequency must be an integer >= 1; got {max_frequency!r}",
                             parameter="max_frequency", allowed=">= 1", value=max_frequency)
    duration = cal_holdout["duration_holdout"].to_numpy(dtype=float)
    if len(np.unique(duration)) != 1:
        raise DataError([DataProblem("cal_holdout", "duration_holdout",
                                     "must be the same for every customer")])
    expected = bgnbd.conditional_expected_purchases(float(duration[0]), cal_holdout)
    frame = pd.DataFrame({
        "frequency": np.minimum(cal_holdout["frequency"].to_numpy(dtype=int), max_frequency),
        "actual": cal_holdout["frequency_holdout"].to_numpy(dtype=float),
        "expected": expected.to_numpy(),
    })
    out = frame.groupby("frequency", sort=True).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"),
        expected=("expected", "mean")).reset_index()
    out["difference"] = out["expected"] - out["actual"]
    out.attrs["max_frequency"] = int(max_frequency)
    return out


#: Verdicts of :func:`holdout_check`
VERDICTS = ("good", "poor", "no_data")


def holdout_check(table: pd.DataFrame, *, tolerance: float = 0.20) -> dict:
    """Whether a model's holdout forecast is close enough to what happened.

    Works on any holdout table with ``n_customers`` and the group means
    ``actual`` and ``expected`` (:func:`holdout_table` for purchase models,
    :func:`crmlib.clv.retention_holdout_table` for the sBG). The totals over
    all customers are compared; the seeds of the method set no threshold, so
    the workbook calls a forecast ``poor`` when it misses the actual total by
    more than ``tolerance`` (20 % by default) either way.

    Returns
    -------
    dict
        ``actual`` and ``expected`` (totals), ``relative_error`` ((expected -
        actual) / actual), ``tolerance``, ``verdict`` (``good``, ``poor``, or
        ``no_data`` when nothing happened in the holdout to compare with).
    """
    for c in ("n_customers", "actual", "expected"):
        if c not in table.columns:
            raise DataError([DataProblem("holdout", c, "is required but missing")])
    if not (np.isfinite(tolerance) and tolerance > 0):
        raise ParameterError(f"tolerance must be > 0; got {tolerance!r}", parameter="tolerance",
                             allowed="> 0", value=tolerance)
    n = table["n_customers"].to_numpy(dtype=float)
    actual = float((n * table["actual"].to_numpy(dtype=float)).sum())
    expected = float((n * table["expected"].to_numpy(dtype=float)).sum())
    if actual <= 0:
        return {"actual": actual, "expected": expected, "relative_error": float("nan"),
                "tolerance": float(tolerance), "verdict": "no_data"}
    error = (expected - actual) / actual
    return {"actual": actual, "expected": expected, "relative_error": error,
            "tolerance": float(tolerance), "verdict": "good" if abs(error) <= tolerance else "poor"}
