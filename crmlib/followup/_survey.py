"""Follow-up calls and post-transaction surveys (source 001, tool 6): scores by
touchpoint, channel and period, the trend of each touchpoint, the share of answers
below a threshold, and the list of customers to call back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.exceptions import ParameterError, check_choice
from crmlib.followup._base import _need, mean_interval

_BY = ("touchpoint", "channel", "period")
_PERIODS = ("M", "Q", "Y")


def _check_threshold(threshold) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ParameterError(f"threshold must be a number; got {threshold!r}",
                             parameter="threshold", value=threshold)
    return float(threshold)


def _periods(dates: pd.Series, period: str) -> pd.Series:
    """The first day of each date's period (a timestamp, so readers see a date)."""
    return pd.to_datetime(dates).dt.to_period(period).dt.start_time


def survey_scores(survey: pd.DataFrame, *, by: str = "touchpoint", threshold: float = 3,
                  period: str = "M", ci: float = 0.95) -> pd.DataFrame:
    """Mean score, its interval and the share of low scores per group.

    Parameters
    ----------
    survey : DataFrame
        Contract ``post_transaction_survey``.
    by : {"touchpoint", "channel", "period"}, default "touchpoint"
        Grouping; ``period`` groups by the month (quarter, year) the answer was given,
        shown as the period's first day.
    threshold : float, default 3
        A score *below* it is a low score (on a 1-5 scale: 1 and 2).
    period : {"M", "Q", "Y"}, default "M"
        Period length for ``by="period"``.
    ci : float, default 0.95
        Confidence level of the Student-t interval of the mean.

    Returns
    -------
    DataFrame
        One row per group (touchpoints and channels by number of answers, then name;
        periods in time order): the ``by`` column, ``n_answers`` (answers with a score),
        ``mean_score``, ``ci_low``, ``ci_high``, ``n_below``, ``share_below``.
    """
    check_choice("by", by, _BY)
    check_choice("period", period, _PERIODS)
    threshold = _check_threshold(threshold)
    need = ["score", "answered_at"] + ([by] if by != "period" else [])
    df = _need(survey, "post_transaction_survey", need)
    df = df[df["score"].notna()]
    key = _periods(df["answered_at"], period) if by == "period" else df[by].astype(str)
    rows = []
    for name, sub in df.groupby(key, sort=True):
        m, lo, hi, n = mean_interval(sub["score"], ci)
        below = int((sub["score"] < threshold).sum())
        rows.append({by: name, "n_answers": n, "mean_score": m, "ci_low": lo, "ci_high": hi,
                     "n_below": below, "share_below": below / n})
    out = pd.DataFrame(rows, columns=[by, "n_answers", "mean_score", "ci_low", "ci_high",
                                      "n_below", "share_below"])
    if by != "period":
        out = out.sort_values(["n_answers", by], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def survey_trend(survey: pd.DataFrame, *, period: str = "M", alpha: float = 0.05
                 ) -> pd.DataFrame:
    """The trend of each touchpoint's mean score over time.

    A least-squares line through the period means (periods numbered 0, 1, ...;
    ``scipy.stats.linregress``) per touchpoint, and for all answers together.

    Returns
    -------
    DataFrame
        One row per touchpoint, then ``touchpoint == "all"``: ``touchpoint``,
        ``n_periods``, ``first_mean``, ``last_mean`` (means of the first and last period),
        ``slope`` (score points per period), ``p_value``, ``direction``
        (``improving``/``worsening`` when the slope differs from 0 at ``alpha``,
        ``stable`` otherwise, ``too_short`` with fewer than 3 periods).
    """
    check_choice("period", period, _PERIODS)
    df = _need(survey, "post_transaction_survey", ("score", "answered_at", "touchpoint"))
    df = df[df["score"].notna()].copy()
    df["_p"] = pd.to_datetime(df["answered_at"]).dt.to_period(period)
    groups = [(str(k), g) for k, g in df.groupby(df["touchpoint"].astype(str), sort=True)]
    groups.append(("all", df))
    rows = []
    for name, g in groups:
        means = g.groupby("_p")["score"].mean().sort_index()
        row = {"touchpoint": name, "n_periods": len(means),
               "first_mean": float(means.iloc[0]) if len(means) else np.nan,
               "last_mean": float(means.iloc[-1]) if len(means) else np.nan,
               "slope": np.nan, "p_value": np.nan, "direction": "too_short"}
        if len(means) >= 3:
            x = np.array([(p - means.index[0]).n for p in means.index], dtype=float)
            fit = stats.linregress(x, means.to_numpy(dtype=float))
            row["slope"], row["p_value"] = float(fit.slope), float(fit.pvalue)
            row["direction"] = ("stable" if not fit.pvalue < alpha
                                else "improving" if fit.slope > 0 else "worsening")
        rows.append(row)
    return pd.DataFrame(rows, columns=["touchpoint", "n_periods", "first_mean", "last_mean",
                                       "slope", "p_value", "direction"])


def follow_up_calls(survey: pd.DataFrame, *, threshold: float = 3,
                    view: pd.DataFrame | None = None, as_of=None,
                    within_days: int | None = 90) -> pd.DataFrame:
    """Customers to call back: answers below ``threshold``.

    Parameters
    ----------
    survey : DataFrame
        Contract ``post_transaction_survey``.
    threshold : float, default 3
    view : DataFrame, optional
        Customer view: adds each customer's window ``value`` and ``pareto_class`` and ranks
        the list by value.
    as_of : date-like, optional
        Reference date; default the last answer.
    within_days : int or None, default 90
        Only answers of the last ``within_days`` days up to ``as_of`` (None: all).

    Returns
    -------
    DataFrame
        One row per low answer with a customer: ``customer_id``, ``answered_at``,
        ``touchpoint``, ``channel``, ``score``, ``comment``, ``value``, ``pareto_class``;
        by value (when known) then lowest score, then most recent, then ``customer_id``.
    """
    threshold = _check_threshold(threshold)
    df = _need(survey, "post_transaction_survey", ("score", "answered_at", "touchpoint",
                                                   "customer_id"))
    when = pd.Timestamp(as_of) if as_of is not None else pd.to_datetime(df["answered_at"]).max()
    at = pd.to_datetime(df["answered_at"])
    keep = (df["score"] < threshold) & df["customer_id"].notna() & (at <= when)
    if within_days is not None:
        keep &= at > when - pd.Timedelta(days=int(within_days))
    out = df.loc[keep].copy()
    for col in ("channel", "comment"):
        if col not in out.columns:
            out[col] = None
    out["customer_id"] = out["customer_id"].astype(str)
    if view is not None:
        v = _need(view, "customer view", ("customer_id",)).drop_duplicates("customer_id")
        v = v.assign(_key=v["customer_id"].astype(str)).drop_duplicates("_key").set_index("_key")
        out["value"] = out["customer_id"].map(v["value"]) if "value" in v else np.nan
        out["pareto_class"] = out["customer_id"].map(v["pareto_class"]) \
            if "pareto_class" in v else None
    else:
        out["value"], out["pareto_class"] = np.nan, None
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out = out.sort_values(["value", "score", "answered_at", "customer_id"],
                          ascending=[False, True, False, True], na_position="last",
                          kind="stable")
    return out[["customer_id", "answered_at", "touchpoint", "channel", "score", "comment",
                "value", "pareto_class"]].reset_index(drop=True)
