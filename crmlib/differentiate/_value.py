"""Customer value: net value per customer, Pareto/ABC classes, Gini, most valuable
and below-zero customers.

Value is net revenue or gross margin per customer (:func:`customer_value`);
the Pareto table ranks customers by it, and contribution (margin or revenue
minus the cost to serve) finds the customers who cost more than they bring.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlib._purchases import _clean_transactions
from crmlib.differentiate._base import _check_fraction, _need_rows
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice


def customer_value(transactions: pd.DataFrame, *, as_of=None,
                   value: str = "amount") -> pd.DataFrame:
    """Net value per customer: ``customer_id``, ``value`` (sum of ``value`` column).

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        Rows after it are ignored.
    value : {"amount", "margin"}, default "amount"
        Revenue or gross margin (the latter needs a ``margin`` column).

    Returns
    -------
    DataFrame
        ``customer_id``, ``value``; sorted by ``customer_id``.
    """
    check_choice("value", value, ("amount", "margin"))
    cols = ("customer_id", "date", "amount") + (("margin",) if value == "margin" else ())
    if value == "margin" and "margin" not in transactions.columns:
        raise DataError([DataProblem("transactions", "margin",
                                     "is required for value='margin' but missing")])
    tx = _clean_transactions(transactions, "customer_value", as_of=as_of, columns=cols)
    _need_rows(tx, "customer_value")
    if value == "margin":
        m = pd.to_numeric(tx["margin"], errors="coerce")
        if m.isna().any():
            bad = np.flatnonzero(m.isna().to_numpy())
            raise DataError([DataProblem("transactions", "margin", "is empty or not a number",
                                         len(bad), len(tx),
                                         tuple((int(i), tx["margin"].iloc[i]) for i in bad[:3]))])
        tx = tx.assign(amount=m.astype(float))
    out = tx.groupby("customer_id", sort=True)["amount"].sum().rename("value").reset_index()
    return out


def pareto_table(transactions: pd.DataFrame, *, cutoffs: tuple[float, float] = (0.80, 0.95),
                 as_of=None, value: str = "amount") -> pd.DataFrame:
    """Rank customers by value and assign Pareto (ABC) classes.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    cutoffs : tuple of float, default (0.80, 0.95)
        Cumulative value share closing class A and class B; ``0 < a < b <= 1``.
    as_of : date-like, optional
        Rows after it are ignored.
    value : {"amount", "margin"}, default "amount"
        What value means: net revenue or gross margin.

    Returns
    -------
    DataFrame
        One row per customer, by value descending (ties by ``customer_id``):
        ``rank`` (1 = most valuable), ``customer_id``, ``value``, ``share``
        (of the total positive value), ``cum_share`` (non-decreasing, last row
        1), ``cum_customer_share`` (``rank / n``), ``pareto_class`` (A/B/C).

    Notes
    -----
    Shares are taken over the customers with positive value, so the curve
    rises to exactly 1; customers with zero or negative value add nothing to
    it and fall in class C (see :func:`below_zero`). Class A is the smallest
    set of top customers that reaches the first cut-off: the customer who
    crosses it belongs to A. If every value is zero or less, every share is 0
    and ``cum_share`` is 1 throughout.
    """
    _check_cutoffs(cutoffs)
    values = customer_value(transactions, as_of=as_of, value=value)
    return _pareto_from_values(values, cutoffs)


def _check_cutoffs(cutoffs):
    ok = (isinstance(cutoffs, (tuple, list)) and len(cutoffs) == 2
          and all(isinstance(c, (int, float)) and np.isfinite(c) for c in cutoffs)
          and 0 < cutoffs[0] < cutoffs[1] <= 1)
    if not ok:
        raise ParameterError(
            f"cutoffs must be two shares with 0 < a < b <= 1; got {cutoffs!r}",
            parameter="cutoffs", allowed="(a, b) with 0 < a < b <= 1", value=cutoffs)


def _pareto_from_values(values: pd.DataFrame, cutoffs) -> pd.DataFrame:
    df = values.sort_values(["value", "customer_id"], ascending=[False, True],
                            kind="mergesort").reset_index(drop=True)
    positive = df["value"].clip(lower=0).to_numpy()
    total = positive.sum()
    n = len(df)
    if total > 0:
        share = positive / total
        cum = np.minimum(np.cumsum(share), 1.0)
        cum[positive.nonzero()[0].max():] = 1.0
    else:
        share = np.zeros(n)
        cum = np.ones(n)
    before = cum - share
    cls = np.where(before < cutoffs[0] - 1e-12, "A", np.where(before < cutoffs[1] - 1e-12,
                                                              "B", "C"))
    cls = np.where(positive > 0, cls, "C")
    out = pd.DataFrame({
        "rank": np.arange(1, n + 1),
        "customer_id": df["customer_id"].to_numpy(),
        "value": df["value"].to_numpy(),
        "share": share,
        "cum_share": cum,
        "cum_customer_share": np.arange(1, n + 1) / n,
        "pareto_class": cls,
    })
    return out


def pareto_summary(pareto: pd.DataFrame, *, value_share: float = 0.80,
                   customer_share: float = 0.20) -> pd.Series:
    """Headline figures of a Pareto table.

    Parameters
    ----------
    pareto : DataFrame
        Output of :func:`pareto_table`.
    value_share : float, default 0.80
        Share of value whose customers are counted.
    customer_share : float, default 0.20
        Share of top customers whose value is measured.

    Returns
    -------
    Series
        ``n_customers``; ``total_value``; ``customer_share_for_value`` (the
        smallest share of customers, from the top, bringing ``value_share`` of
        the value); ``value_share_of_top`` (value share of the top
        ``customer_share`` of customers, interpolated); ``value_share`` and
        ``customer_share`` (the parameters); ``gini``.
    """
    _check_fraction("value_share", value_share, closed_high=True)
    _check_fraction("customer_share", customer_share, closed_high=True)
    _pareto_columns(pareto)
    cum = pareto["cum_share"].to_numpy(dtype=float)
    n = len(cum)
    k = int(np.searchsorted(cum, value_share - 1e-12, side="left")) + 1
    x = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    y = np.concatenate([[0.0], cum])
    top = float(np.interp(customer_share, x, y))
    return pd.Series({
        "n_customers": n,
        "total_value": float(pareto["value"].sum()),
        "customer_share_for_value": min(k, n) / n if n else math.nan,
        "value_share_of_top": top,
        "value_share": value_share,
        "customer_share": customer_share,
        "gini": gini(pareto["value"]),
    }, dtype=object)


def _pareto_columns(pareto):
    need = ["customer_id", "value", "share", "cum_share", "pareto_class"]
    missing = [c for c in need if c not in getattr(pareto, "columns", [])]
    if missing:
        raise DataError([DataProblem("pareto", c, "is required but missing (use pareto_table)")
                         for c in missing])


def abc_table(pareto: pd.DataFrame) -> pd.DataFrame:
    """Size and value of each Pareto class.

    Returns
    -------
    DataFrame
        One row per class A, B, C (all three, even if empty): ``pareto_class``,
        ``n_customers``, ``customer_share``, ``value``, ``value_share`` (of the
        positive value), ``avg_value``.
    """
    _pareto_columns(pareto)
    g = pareto.groupby("pareto_class")
    out = pd.DataFrame({
        "n_customers": g.size(),
        "value": g["value"].sum(),
        "value_share": g["share"].sum(),
    }).reindex(["A", "B", "C"])
    out["n_customers"] = out["n_customers"].fillna(0).astype("int64")
    out[["value", "value_share"]] = out[["value", "value_share"]].fillna(0.0)
    n = max(len(pareto), 1)
    out["customer_share"] = out["n_customers"] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        out["avg_value"] = np.where(out["n_customers"] > 0,
                                    out["value"] / out["n_customers"].clip(lower=1), np.nan)
    out = out.rename_axis("pareto_class").reset_index()
    return out[["pareto_class", "n_customers", "customer_share", "value", "value_share",
                "avg_value"]]


def gini(values) -> float:
    """Gini coefficient of customer values (0 = all equal, towards 1 = concentrated).

    Negative values are set to 0 (the Pareto convention above). Computed as
    ``sum((2i - n - 1) x_i) / (n sum x)`` over values sorted ascending, the
    sample Gini of a Lorenz curve (Dorfman 1979). Returns NaN when the total is 0.
    """
    x = np.sort(np.clip(np.asarray(values, dtype=float), 0, None))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return math.nan
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))


def most_valuable(pareto: pd.DataFrame, *, top: float = 0.10) -> pd.DataFrame:
    """The top ``top`` share of customers by value (MVC; 5-10 % in the method).

    Parameters
    ----------
    pareto : DataFrame
        Output of :func:`pareto_table`.
    top : float, default 0.10
        Share of customers to keep, ``0 < top <= 1``; at least one customer,
        ``ceil(top * n)`` in general. Only customers with positive value qualify.

    Returns
    -------
    DataFrame
        The first rows of ``pareto`` (same columns).
    """
    _check_fraction("top", top, closed_high=True)
    _pareto_columns(pareto)
    k = max(1, math.ceil(top * len(pareto) - 1e-9))
    out = pareto.head(k)
    return out[out["value"] > 0].reset_index(drop=True)


def contribution_table(transactions: pd.DataFrame, *, costs: pd.DataFrame | None = None,
                       as_of=None) -> pd.DataFrame:
    """What each customer contributes: margin (or revenue) minus the cost to serve.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``; when it has a ``margin`` column with
        values, contribution starts from margin, else from net revenue.
    costs : DataFrame, optional
        Cost to serve: ``customer_id``, ``cost`` (several rows per customer are
        added up), e.g. the ``interactions`` table with its handling ``cost``,
        or visits and logistics. Rows without customer and empty costs are
        skipped; text that is not a number is an error.
    as_of : date-like, optional

    Returns
    -------
    DataFrame
        One row per customer (with transactions or costs), by contribution
        ascending: ``customer_id``, ``revenue``, ``margin`` (NaN without
        margin data), ``cost_to_serve``, ``contribution``, ``basis``
        (``"margin"`` or ``"revenue"``).
    """
    has_margin = "margin" in transactions.columns and transactions["margin"].notna().any()
    cols = ("customer_id", "date", "amount") + (("margin",) if has_margin else ())
    tx = _clean_transactions(transactions, "contribution_table", as_of=as_of, columns=cols)
    g = tx.groupby("customer_id", sort=True)
    out = pd.DataFrame({"revenue": g["amount"].sum()})
    if has_margin:
        out["margin"] = g["margin"].apply(
            lambda s: pd.to_numeric(s, errors="coerce").sum(min_count=1)).astype(float)
    else:
        out["margin"] = np.nan
    cost = pd.Series(0.0, index=out.index, name="cost")
    if costs is not None:
        for c in ("customer_id", "cost"):
            if c not in costs.columns:
                raise DataError([DataProblem("costs", c, "is required but missing")])
        raw = costs["cost"]
        cc = pd.to_numeric(raw, errors="coerce")
        bad = (cc.isna() & raw.notna()).to_numpy()
        if bad.any():
            idx = np.flatnonzero(bad)[:3]
            raise DataError([DataProblem("costs", "cost", "is not a number",
                                         int(bad.sum()), len(costs),
                                         tuple((int(i), raw.iloc[i]) for i in idx))])
        known = costs["customer_id"].notna().to_numpy()
        per = cc[known].fillna(0.0).groupby(
            costs.loc[known, "customer_id"].astype("str")).sum()
        out = out.reindex(out.index.union(per.index))
        out["revenue"] = out["revenue"].fillna(0.0)
        cost = per.reindex(out.index).fillna(0.0)
    out["cost_to_serve"] = cost.reindex(out.index).fillna(0.0).to_numpy()
    base = out["margin"] if has_margin else out["revenue"]
    out["contribution"] = base.fillna(0.0) - out["cost_to_serve"]
    out["basis"] = "margin" if has_margin else "revenue"
    out = out.rename_axis("customer_id").reset_index()
    out["customer_id"] = out["customer_id"].astype("str")
    return out.sort_values(["contribution", "customer_id"], kind="mergesort").reset_index(
        drop=True)[["customer_id", "revenue", "margin", "cost_to_serve", "contribution",
                    "basis"]]


def below_zero(transactions: pd.DataFrame, *, costs: pd.DataFrame | None = None,
               as_of=None) -> pd.DataFrame:
    """Below-zero customers (BZC): those whose contribution is negative.

    Contribution is margin minus cost to serve when margin is known, else net
    revenue minus cost to serve (see :func:`contribution_table`). Without
    margin or costs only customers whose returns exceed their purchases are
    below zero.

    Returns
    -------
    DataFrame
        The rows of :func:`contribution_table` with ``contribution < 0``, most
        negative first.
    """
    table = contribution_table(transactions, costs=costs, as_of=as_of)
    return table[table["contribution"] < 0].reset_index(drop=True)
