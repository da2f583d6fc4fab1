"""Share of wallet: what each customer buys from the client out of all they spend on the
category, the gap left to the competition and who has most room to grow.

Source 003 ("Rentabilice a sus clientes"): a loyal customer is not a profitable one if they
buy from the competitor three or four times as often; the company must check that the
customer buys from it a greater share of what they spend than from the competition over a
stated period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.segment._base import _fraction, _positive_int, _tx

WALLET_COLUMNS = ["customer_id", "segment", "spend", "wallet", "wallet_source",
                  "share_of_wallet", "wallet_gap", "wallet_below_spend", "growth_rank"]


def share_of_wallet(transactions: pd.DataFrame, *, wallet: pd.DataFrame | None = None,
                    segments: pd.DataFrame | None = None, as_of=None,
                    window_days: int = 365, estimate_quantile: float = 0.9) -> pd.DataFrame:
    """Each buying customer's share of wallet, wallet gap and rank of growth potential.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    wallet : DataFrame, optional
        ``customer_id``, ``category_spend``: what the customer spends on the category in a
        year at every supplier (contract ``customer_attributes``, or the answer to a survey
        question). Scaled to ``window_days``.
    segments : DataFrame, optional
        ``customer_id``, ``segment``: the group whose best customers set the estimate.
    as_of : date, optional
        Valuation date; default the last transaction date.
    window_days : int, default 365
        The period the spend and the wallet are measured over (the seed's "período de
        tiempo determinado").
    estimate_quantile : float, default 0.9
        For a customer without a known wallet, the wallet is estimated as the spend at this
        quantile among the buying customers of the same segment (all buyers without
        segments), or the customer's own spend when higher: what a customer of that kind
        can spend, as its best customers show. This is the workbook's rule, not the seeds';
        ``wallet_source`` says which customers it applies to.

    Returns
    -------
    DataFrame
        One row per customer with net spend above zero in the window, by ``growth_rank``:
        ``customer_id``, ``segment`` (0 when none), ``spend`` (net, in the window),
        ``wallet``, ``wallet_source`` (``client`` | ``estimate``), ``share_of_wallet``
        (spend / wallet, at most 1), ``wallet_gap`` (wallet - spend, at least 0: what the
        customer spends elsewhere), ``wallet_below_spend`` (the known wallet is below what
        the customer bought here: a figure to check), ``growth_rank`` (1 = largest gap;
        ties by customer id).
    """
    window_days = _positive_int("window_days", window_days)
    q = _fraction("estimate_quantile", estimate_quantile)
    tx, stamp = _tx(transactions, "share_of_wallet", as_of)
    start = stamp - pd.Timedelta(days=window_days - 1)
    recent = tx[tx["date"] >= start]
    spend = recent.groupby("customer_id")["amount"].sum()
    spend = spend[spend > 0].sort_index()
    out = pd.DataFrame({"customer_id": spend.index.astype(str), "spend": spend.to_numpy()})
    seg = pd.Series(0, index=out["customer_id"], dtype=int)
    if segments is not None:
        s = segments.drop_duplicates("customer_id").set_index(
            segments.drop_duplicates("customer_id")["customer_id"].astype(str))["segment"]
        seg = s.reindex(out["customer_id"]).fillna(0).astype(int)
    out["segment"] = seg.to_numpy()
    known = pd.Series(np.nan, index=out["customer_id"])
    if wallet is not None:
        for col in ("customer_id", "category_spend"):
            if col not in wallet.columns:
                raise DataError([DataProblem("customer_attributes", col,
                                             "is required for the share of wallet but missing")])
        w = wallet.dropna(subset=["category_spend"]).drop_duplicates("customer_id")
        values = pd.to_numeric(w["category_spend"], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            rows = tuple((int(i), v) for i, v in w.loc[bad, "category_spend"].head(3).items())
            raise DataError([DataProblem("customer_attributes", "category_spend",
                                         "must be a number of 0 or more", int(bad.sum()),
                                         len(w), rows)])
        known = pd.Series(values.to_numpy() * window_days / 365,
                          index=w["customer_id"].astype(str)).reindex(out["customer_id"])
    have = known.notna().to_numpy()
    estimate = out.groupby("segment")["spend"].transform(lambda v: v.quantile(q)).to_numpy()
    estimate = np.maximum(estimate, out["spend"].to_numpy())
    out["wallet"] = np.where(have, known.to_numpy(), estimate)
    out["wallet_source"] = np.where(have, "client", "estimate")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out["wallet"] > 0, out["spend"] / out["wallet"], 1.0)
    out["share_of_wallet"] = np.minimum(share, 1.0)
    out["wallet_gap"] = np.maximum(out["wallet"] - out["spend"], 0.0)
    out["wallet_below_spend"] = have & (out["wallet"].to_numpy() < out["spend"].to_numpy())
    out = out.sort_values(["wallet_gap", "customer_id"], ascending=[False, True])
    out["growth_rank"] = np.arange(1, len(out) + 1)
    return out[WALLET_COLUMNS].reset_index(drop=True)


def wallet_by_segment(wallet_table: pd.DataFrame) -> pd.DataFrame:
    """Share of wallet per segment from :func:`share_of_wallet`.

    Returns
    -------
    DataFrame
        ``segment``, ``n_customers``, ``spend``, ``wallet``, ``share_of_wallet`` (spend
        over wallet of the segment, summed), ``wallet_gap``, ``gap_share`` (the segment's
        part of the whole gap), ``n_estimated`` (customers whose wallet is an estimate);
        by gap, largest first.
    """
    g = wallet_table.groupby("segment")
    out = pd.DataFrame({
        "n_customers": g.size(),
        "spend": g["spend"].sum(),
        "wallet": g["wallet"].sum(),
        "wallet_gap": g["wallet_gap"].sum(),
        "n_estimated": g["wallet_source"].apply(lambda s: int((s == "estimate").sum())),
    }).reset_index()
    out["share_of_wallet"] = np.where(out["wallet"] > 0, out["spend"] / out["wallet"], 1.0)
    total = out["wallet_gap"].sum()
    out["gap_share"] = out["wallet_gap"] / total if total > 0 else 0.0
    out = out.sort_values(["wallet_gap", "segment"], ascending=[False, True])
    return out[["segment", "n_customers", "spend", "wallet", "share_of_wallet", "wallet_gap",
                "gap_share", "n_estimated"]].reset_index(drop=True)
