"""Change in spend: customers whose spend grows and decliners.

Both compare a recent window with a baseline window just before it
(:func:`growth_table`): growing customers are candidates to develop
(:func:`growth_potential`); decliners buy well under their usual level, the
method's sign of a customer moving to a competitor (:func:`decliners`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib._purchases import _ONE_DAY, _clean_transactions, _purchase_days
from crmlib.differentiate._base import _as_of, _check_fraction, _check_positive_int, _need_rows
from crmlib.exceptions import ParameterError


def _window_values(tx: pd.DataFrame, as_of: pd.Timestamp, recent_days: int,
                   baseline_days: int) -> pd.DataFrame:
    end = as_of + _ONE_DAY
    recent_start = end - pd.Timedelta(days=recent_days)
    base_start = recent_start - pd.Timedelta(days=baseline_days)
    d = tx["date"]
    recent = tx[(d >= recent_start) & (d < end)]
    base = tx[(d >= base_start) & (d < recent_start)]
    out = pd.DataFrame({
        "value_recent": recent.groupby("customer_id")["amount"].sum(),
        "value_baseline": base.groupby("customer_id")["amount"].sum(),
        "purchases_recent": _n_days(recent),
        "purchases_baseline": _n_days(base),
    }).fillna(0.0)
    out["purchases_recent"] = out["purchases_recent"].astype("int64")
    out["purchases_baseline"] = out["purchases_baseline"].astype("int64")
    return out.rename_axis("customer_id")


def _n_days(tx):
    if len(tx) == 0:
        return pd.Series(dtype="int64")
    days = _purchase_days(tx)
    return days[days["purchase"]].groupby("customer_id").size()


def growth_table(transactions: pd.DataFrame, *, as_of=None, recent_days: int = 365,
                 baseline_days: int = 365) -> pd.DataFrame:
    """Value in a recent window against a baseline window just before it.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        End of the recent window (inclusive). Default: last transaction date.
    recent_days, baseline_days : int, default 365
        Window lengths in days; the baseline ends where the recent window starts.

    Returns
    -------
    DataFrame
        One row per customer who bought in either window, by ``customer_id``:
        ``customer_id``, ``value_recent``, ``value_baseline``,
        ``purchases_recent``, ``purchases_baseline`` (purchase days),
        ``usual_value`` (baseline value scaled to the recent window's length),
        ``change`` (``value_recent - usual_value``), ``ratio``
        (``value_recent / usual_value``; NaN when the usual value is not positive).
    """
    _check_positive_int("recent_days", recent_days)
    _check_positive_int("baseline_days", baseline_days)
    tx = _clean_transactions(transactions, "growth_table", as_of=as_of)
    as_of = _as_of(tx, as_of)
    _need_rows(tx, "growth_table")
    out = _window_values(tx, as_of, recent_days, baseline_days)
    out["usual_value"] = out["value_baseline"] * recent_days / baseline_days
    out["change"] = out["value_recent"] - out["usual_value"]
    usual = out["usual_value"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = np.where(usual > 0, out["value_recent"].to_numpy() / usual, np.nan)
    out = out.reset_index().sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    out["customer_id"] = out["customer_id"].astype("str")
    return out


def growth_potential(transactions: pd.DataFrame, *, as_of=None, min_growth: float = 0.20,
                     recent_days: int = 365, baseline_days: int = 365,
                     min_recent_share: float = 0.0, decliner_threshold: float = 0.40,
                     decliner_recent_days: int = 90) -> pd.DataFrame:
    """Customers whose spend is growing: candidates to develop.

    A customer qualifies when the recent window's value exceeds the usual
    (baseline) value by at least ``min_growth`` (0.20 = 20 % more), or when
    the customer is new in the recent window (no baseline purchases), and is
    not a decliner (:func:`decliners` with ``decliner_threshold`` and
    ``decliner_recent_days``): a year that grew overall but whose last months
    collapsed is a customer moving to a competitor, to be visited, not
    developed (source 004).

    Parameters
    ----------
    min_growth : float, default 0.20
        Minimum relative growth, ``>= 0``.
    min_recent_share : float, default 0
        Keep only customers whose recent value is at least this share of the
        largest recent value (filters out tiny new accounts), in ``[0, 1)``.
    as_of, recent_days, baseline_days
        As in :func:`growth_table`.
    decliner_threshold, decliner_recent_days
        As ``threshold`` and ``recent_days`` of :func:`decliners`; keep them
        equal to the decliner analysis of the same report.

    Returns
    -------
    DataFrame
        Rows of :func:`growth_table` plus ``new`` (bool), ranked by ``change``
        descending (ties by ``customer_id``). ``attrs["decliners_left_out"]``
        lists the growing customers left out as decliners.
    """
    if not (isinstance(min_growth, (int, float)) and np.isfinite(min_growth) and min_growth >= 0):
        raise ParameterError(f"min_growth must be >= 0; got {min_growth!r}",
                             parameter="min_growth", allowed=">= 0", value=min_growth)
    _check_fraction("min_recent_share", min_recent_share, closed_low=True)
    table = growth_table(transactions, as_of=as_of, recent_days=recent_days,
                         baseline_days=baseline_days)
    new = (table["purchases_baseline"] == 0) & (table["value_recent"] > 0)
    grows = table["ratio"] >= 1 + min_growth
    keep = (new | grows.fillna(False)) & (table["value_recent"] > 0)
    if min_recent_share > 0 and len(table):
        keep &= table["value_recent"] >= min_recent_share * table["value_recent"].max()
    declining = set(decliners(transactions, as_of=as_of, threshold=decliner_threshold,
                              recent_days=decliner_recent_days)["customer_id"])
    is_decliner = table["customer_id"].isin(declining)
    left_out = sorted(table.loc[keep & is_decliner, "customer_id"].astype(str))
    keep &= ~is_decliner
    out = table[keep].assign(new=new[keep])
    out = out.sort_values(["change", "customer_id"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)
    out.attrs["decliners_left_out"] = left_out
    return out


def decliners(transactions: pd.DataFrame, *, as_of=None, threshold: float = 0.40,
              recent_days: int = 90, baseline_days: int = 365,
              min_baseline_purchases: int = 2, require_active: bool = True) -> pd.DataFrame:
    """Customers buying well under their usual level, ranked by value at risk.

    A customer's usual value is the baseline window's value scaled to the
    length of the recent window. A decliner's recent value is below
    ``threshold`` times the usual one (the method's rule: under 40 % of what
    the customer used to buy, while still buying, means the customer is
    moving to a competitor).

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
    threshold : float, default 0.40
        Share of the usual value below which a customer is a decliner, in (0, 1].
    recent_days : int, default 90
        Length of the recent window, in days, ending at ``as_of``.
    baseline_days : int, default 365
        Length of the baseline window just before the recent one.
    min_baseline_purchases : int, default 2
        Purchase days needed in the baseline to establish a usual level.
    require_active : bool, default True
        Keep only customers who still bought in the recent window ("still
        alive"); those who stopped altogether show up as inactive or lost in
        :func:`lifecycle_table`.

    Returns
    -------
    DataFrame
        Rows of :func:`growth_table` for the decliners, plus
        ``value_at_risk`` (``usual_value - value_recent``) and
        ``value_at_risk_annual`` (the same over a year); by
        ``value_at_risk`` descending (ties by ``customer_id``).
    """
    _check_fraction("threshold", threshold, closed_high=True)
    _check_positive_int("min_baseline_purchases", min_baseline_purchases)
    table = growth_table(transactions, as_of=as_of, recent_days=recent_days,
                         baseline_days=baseline_days)
    usual = table["usual_value"]
    keep = (usual > 0) & (table["purchases_baseline"] >= min_baseline_purchases)
    keep &= table["value_recent"] < threshold * usual
    if require_active:
        keep &= table["purchases_recent"] > 0
    out = table[keep].copy()
    out["value_at_risk"] = out["usual_value"] - out["value_recent"]
    out["value_at_risk_annual"] = out["value_at_risk"] * 365.0 / recent_days
    return out.sort_values(["value_at_risk", "customer_id"], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


def decliners_summary(decliners_table: pd.DataFrame) -> pd.Series:
    """Key figures of :func:`decliners`: ``n_decliners``, ``value_at_risk``,
    ``value_at_risk_annual`` (sums)."""
    return pd.Series({
        "n_decliners": len(decliners_table),
        "value_at_risk": float(decliners_table["value_at_risk"].sum()),
        "value_at_risk_annual": float(decliners_table["value_at_risk_annual"].sum()),
    }, dtype=object)
