"""Data quality of the customer records: completeness, validity, staleness, duplicates.

:func:`record_quality` flags every record (missing, invalid or valid fields;
last activity; stale), :func:`quality_profile` counts the problems per check
and :func:`quality_figures` flattens the profile into key figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.identify._checks import _as_of, _check_transactions, _column
from crmlib.identify._consolidate import consolidate
from crmlib.identify._normalize import normalize_customers

_FIELDS = ("name", "email", "phone", "tax_id", "city")


def _check_months(stale_months) -> int:
    if isinstance(stale_months, bool) or not isinstance(stale_months, int) or stale_months < 1:
        raise ParameterError(f"stale_months must be a positive integer; got {stale_months!r}",
                             parameter="stale_months", allowed=">= 1", value=stale_months)
    return stale_months


def _status(raw: pd.Series, norm: pd.Series) -> pd.Series:
    present = raw.notna() & (raw.astype(object).astype(str).str.strip() != "")
    return pd.Series(np.where(~present, "missing", np.where(norm.notna(), "valid", "invalid")),
                     index=raw.index, dtype=object)


def record_quality(customers: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                   as_of, stale_months: int = 12,
                   links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quality flags of every customer record.

    A record's last activity is the later of its last transaction (matched on
    ``customer_id``) and its ``created_at``; it is stale when that date is more than
    ``stale_months`` months before ``as_of``, or unknown (no recorded activity
    at all). With ``links``, a record shares the latest activity of its master
    customer: a CRM record of someone who still buys under a billing id is not
    stale. The method's cleaning task: drop or refresh out-of-date records.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``.
    transactions : DataFrame, optional
        Contract ``transactions``.
    as_of : date-like
        Valuation date.
    stale_months : int, default 12
        Months without activity after which a record is stale.
    links : DataFrame, optional
        ``links`` of :func:`consolidate`.

    Returns
    -------
    DataFrame
        One row per record, sorted by ``record_key``: ``record_key``, ``source``,
        ``customer_id``, ``name_status``, ``email_status``, ``phone_status``,
        ``tax_id_status``, ``city_status`` (missing | invalid | valid; see
        :func:`normalize_customers` for validity), ``last_activity``,
        ``months_inactive`` (whole months from last activity to ``as_of``),
        ``stale`` (bool).
    """
    as_of = _as_of(as_of)
    stale_months = _check_months(stale_months)
    norm = normalize_customers(customers)
    out = norm[["record_key", "source", "customer_id"]].copy()
    for field in _FIELDS:
        out[f"{field}_status"] = _status(_column(norm, field), norm[f"{field}_norm"])
    last = pd.Series(pd.NaT, index=norm.index, dtype="datetime64[ns]")
    if transactions is not None:
        _check_transactions(transactions)
        tx = transactions[transactions["customer_id"].notna() & (transactions["date"] <= as_of)]
        last_tx = tx.groupby(tx["customer_id"].astype(str))["date"].max()
        last = norm["customer_id"].map(last_tx).astype("datetime64[ns]")
    if "created_at" in norm.columns:
        created = pd.to_datetime(norm["created_at"]).astype("datetime64[ns]")
        created = created.where(created <= as_of)
        last = pd.concat([last, created], axis=1).max(axis=1).astype("datetime64[ns]")
    if links is not None:
        master = norm["record_key"].map(links.set_index("record_key")["master_id"])
        master = master.where(master.notna(), norm["record_key"])
        last = last.groupby(master.to_numpy()).transform("max").astype("datetime64[ns]")
    out["last_activity"] = last
    months = ((as_of.year - last.dt.year) * 12 + (as_of.month - last.dt.month)
              - (as_of.day < last.dt.day).astype(float))
    out["months_inactive"] = months.astype("Float64")
    cutoff = as_of - pd.DateOffset(months=stale_months)
    out["stale"] = (last.isna() | (last < cutoff)).to_numpy(dtype=bool)
    return out


def quality_profile(customers: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                    as_of, stale_months: int = 12,
                    links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Data-quality profile of the customer records.

    Parameters
    ----------
    customers : DataFrame
        Contract ``customers``.
    transactions : DataFrame, optional
        Contract ``transactions``, for the last activity of each record.
    as_of : date-like
        Valuation date.
    stale_months : int, default 12
        See :func:`record_quality`.
    links : DataFrame, optional
        ``links`` of :func:`consolidate`, to count duplicates and share the
        last activity within a master customer; computed with the default
        settings when not given.

    Returns
    -------
    DataFrame
        One row per check: ``check`` (``completeness`` for each of name, e-mail,
        phone, tax id, city, kind, segment, created_at present in the data;
        ``validity`` for e-mail, phone and tax id; ``stale``; ``duplicate``),
        ``field`` (the column checked, empty for record-level checks),
        ``n_checked`` (records looked at: all records, or for validity the
        records holding a value), ``n_ok``, ``n_problem`` (empty, invalid, stale
        or redundant records; a duplicate problem is a record beyond the first
        of its master) and ``share_ok`` (``n_ok / n_checked``).
    """
    if links is None:
        links = consolidate(customers).links
    rq = record_quality(customers, transactions, as_of=as_of, stale_months=stale_months,
                        links=links)
    norm = normalize_customers(customers)
    n = len(rq)
    rows = []
    for field in ("name", "email", "phone", "tax_id", "city", "kind", "segment", "created_at"):
        if field not in customers.columns:
            continue
        raw = _column(norm, field)
        filled = int((raw.notna() & (raw.astype(str).str.strip() != "")).sum())
        rows.append(("completeness", field, n, filled, n - filled))
    for field in ("email", "phone", "tax_id"):
        if field not in customers.columns:
            continue
        status = rq[f"{field}_status"]
        checked = int((status != "missing").sum())
        ok = int((status == "valid").sum())
        rows.append(("validity", field, checked, ok, checked - ok))
    stale = int(rq["stale"].sum())
    rows.append(("stale", "", n, n - stale, stale))
    n_master = int(links["master_id"].nunique())
    rows.append(("duplicate", "", n, n_master, n - n_master))
    out = pd.DataFrame(rows, columns=["check", "field", "n_checked", "n_ok", "n_problem"])
    out["share_ok"] = np.where(out["n_checked"] > 0,
                               out["n_ok"] / out["n_checked"].where(out["n_checked"] > 0, 1),
                               np.nan)
    return out


def quality_figures(quality: pd.DataFrame) -> dict:
    """Key figures of a :func:`quality_profile` table as a flat dict.

    Returns
    -------
    dict
        ``completeness_<field>`` (share filled), ``invalid_<field>`` (count),
        ``stale_records``, ``stale_share``, ``duplicate_records``.
    """
    out = {}
    for row in quality.itertuples(index=False):
        if row.check == "completeness":
            out[f"completeness_{row.field}"] = float(row.share_ok)
        elif row.check == "validity":
            out[f"invalid_{row.field}"] = int(row.n_problem)
        elif row.check == "stale":
            out["stale_records"] = int(row.n_problem)
            out["stale_share"] = float(row.n_problem / row.n_checked) if row.n_checked else None
        elif row.check == "duplicate":
            out["duplicate_records"] = int(row.n_problem)
    return out
