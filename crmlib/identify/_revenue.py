"""Revenue by identified customers, and purchase figures per master customer.

Transactions are matched to the master through the record links:
:func:`revenue_identification` splits revenue into identified, ambiguous,
unknown and anonymous buyers; :func:`master_values` pools the purchases of
every record of a master customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib import differentiate
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.identify._checks import _as_of, _check_transactions
from crmlib.identify._normalize import normalize_customers


def _id_map(links_or_customers: pd.DataFrame, source: str | None) -> pd.DataFrame:
    """customer_id -> master_id (or record_key), restricted to ``source`` if given."""
    df = links_or_customers
    if "master_id" not in df.columns:
        df = normalize_customers(df)
        df = df.assign(master_id=df["record_key"])
    if source is not None:
        if source not in set(df["source"]):
            raise ParameterError(
                f"source must be one of {sorted(set(df['source']))}; got {source!r}",
                parameter="source", allowed=tuple(sorted(set(df["source"]))), value=source)
        df = df[df["source"] == source]
    ids = df[["customer_id", "master_id"]].astype({"customer_id": str}).drop_duplicates()
    n_masters = ids.groupby("customer_id")["master_id"].transform("nunique")
    ids = ids.assign(ambiguous=n_masters > 1).drop_duplicates("customer_id")
    return ids.set_index("customer_id")


def revenue_identification(transactions: pd.DataFrame, links: pd.DataFrame, *,
                           source: str | None = None) -> pd.DataFrame:
    """Revenue split by whether the buyer is an identified customer.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    links : DataFrame
        ``links`` of :func:`consolidate`, or a ``customers`` table.
    source : str, optional
        Source whose ``customer_id`` the transactions use; by default an id is
        looked up in every source (an id naming different masters in different
        sources counts as ``ambiguous``).

    Returns
    -------
    DataFrame
        Rows ``identified`` (id found in the master), ``ambiguous``, ``unknown``
        (id given but found nowhere) and ``anonymous`` (no id), each with
        ``status``, ``n_lines``, ``n_customer_ids``, ``revenue`` (sum of
        ``amount``, returns netted) and ``share`` (of total revenue; missing when
        the total is 0).
    """
    _check_transactions(transactions)
    ids = _id_map(links, source)
    cid = transactions["customer_id"]
    key = cid.astype(object).where(cid.notna(), None)
    key = key.map(lambda v: None if v is None else str(v))
    found = key.map(ids["ambiguous"]) if len(ids) else pd.Series(np.nan, index=key.index)
    status = np.where(key.isna(), "anonymous",
                      np.where(found.isna(), "unknown",
                               np.where(found.fillna(False).astype(bool), "ambiguous",
                                        "identified")))
    frame = pd.DataFrame({"status": status, "amount": transactions["amount"].to_numpy(),
                          "customer_id": key.to_numpy()})
    grouped = frame.groupby("status")
    out = pd.DataFrame({"status": ["identified", "ambiguous", "unknown", "anonymous"]})
    out["n_lines"] = out["status"].map(grouped.size()).fillna(0).astype(int)
    out["n_customer_ids"] = out["status"].map(grouped["customer_id"].nunique()).fillna(0) \
        .astype(int)
    out["revenue"] = out["status"].map(grouped["amount"].sum()).fillna(0.0).astype(float)
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total != 0 else np.nan
    return out


def identified_revenue_share(transactions: pd.DataFrame, links: pd.DataFrame, *,
                             source: str | None = None) -> float:
    """Share of revenue (net of returns) bought by identified customers.

    Parameters are those of :func:`revenue_identification`; the result is its
    ``share`` on the ``identified`` row (NaN when total revenue is 0).
    """
    table = revenue_identification(transactions, links, source=source)
    return float(table.loc[table["status"] == "identified", "share"].iloc[0])


def master_values(transactions: pd.DataFrame, links: pd.DataFrame, *, as_of=None,
                  source: str | None = None) -> pd.DataFrame:
    """Purchase figures per master customer.

    The transactions of every record of a master are pooled and summarised
    with :func:`crmlib.differentiate.customer_summary` (purchases are distinct
    purchase days; value is net of returns; rows after ``as_of`` are left out).

    Returns
    -------
    DataFrame
        One row per master customer with at least one purchase day, by
        ``net_value`` descending then ``master_id``: ``master_id``,
        ``n_purchases``, ``net_value``, ``first_purchase``, ``last_purchase``,
        ``days_since_last`` (to ``as_of``, or to the last transaction date).
    """
    _check_transactions(transactions)
    ids = _id_map(links, source)
    usable = ids[~ids["ambiguous"]]["master_id"]
    tx = transactions[transactions["customer_id"].notna()]
    mapped = tx["customer_id"].astype(str).map(usable)
    tx = tx.assign(customer_id=mapped)[mapped.notna().to_numpy()]
    columns = ["master_id", "n_purchases", "net_value", "first_purchase", "last_purchase",
               "days_since_last"]
    if as_of is not None:
        tx = tx[tx["date"] < _as_of(as_of).normalize() + pd.Timedelta(days=1)]
    if tx.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    summary = differentiate.customer_summary(tx, as_of=as_of)
    out = summary.rename(columns={"customer_id": "master_id", "monetary": "net_value"})[columns]
    return out.sort_values(["net_value", "master_id"], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


def most_valuable_master(transactions: pd.DataFrame, links: pd.DataFrame, *, as_of=None,
                         source: str | None = None) -> str:
    """``master_id`` of the customer with the largest net value (ties: smallest id).

    Raises
    ------
    DataError
        When no transaction belongs to an identified customer.
    """
    values = master_values(transactions, links, as_of=as_of, source=source)
    if values.empty:
        raise DataError([DataProblem("transactions", "customer_id",
                                     "matches no customer of the master")])
    return str(values["master_id"].iloc[0])
