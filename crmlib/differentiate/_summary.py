"""The transaction summary: one row per customer, in memory or out of core.

:func:`customer_summary` aggregates a transactions frame with NumPy (or DuckDB
over the in-memory frame); :func:`customer_summary_parquet` streams Parquet
files through DuckDB so the transactions never enter Python. Both end in the
same table, the input of RFM, lifecycle and the CLV models.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlib._purchases import _ONE_DAY, TIME_UNIT_DAYS, _clean_transactions
from crmlib.differentiate._base import _as_of, _check_positive_int, _need_rows
from crmlib.exceptions import DataError, DataProblem, check_choice


def customer_summary(transactions: pd.DataFrame, *, as_of=None, time_unit: str = "D",
                     engine: str = "pandas") -> pd.DataFrame:
    """One row per customer: the purchase history every analysis builds on.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions`` (``customer_id``, ``date``, ``amount``).
    as_of : date-like, optional
        Valuation date; later rows are ignored. Default: the last transaction date.
    time_unit : {"D", "W", "M"}, default "D"
        Unit of ``recency`` and ``T`` (days, weeks of 7 days, months of
        365.25/12 days). Stored in ``attrs["time_unit"]`` for the CLV models.
    engine : {"pandas", "duckdb"}, default "pandas"
        How to aggregate: NumPy/pandas (integer codes and ``bincount``), or
        DuckDB's hash aggregation over the in-memory frame (may pay off with
        many cores). Both give the same table.

    Returns
    -------
    DataFrame
        One row per customer with at least one purchase day, by ``customer_id``:
        ``customer_id``; ``first_purchase``, ``last_purchase`` (dates);
        ``n_purchases`` (distinct purchase days); ``frequency`` (repeat
        purchase days, ``n_purchases - 1``); ``recency`` (first to last
        purchase) and ``T`` (first purchase to ``as_of``), in ``time_unit``;
        ``days_since_last`` (RFM recency, days from last purchase to
        ``as_of``); ``monetary`` (net value, returns deducted); ``returns``
        (value of returned lines, positive); ``avg_repeat_value`` (mean net
        value of the repeat purchase days; 0 without repeats).

    Notes
    -----
    Two meanings of recency coexist: ``recency`` here is the BG/NBD one
    (first to last purchase); RFM recency is ``days_since_last``. Customers
    with returns only have no purchase day and are left out. Row order only affects sums at the level of
    floating-point rounding. For data that do not fit in memory use
    :func:`customer_summary_parquet`, which gives the same table.
    """
    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    tx = _clean_transactions(transactions, "customer_summary", as_of=as_of)
    as_of = _as_of(tx, as_of)
    check_choice("engine", engine, ("pandas", "duckdb"))
    _need_rows(tx, "customer_summary")
    if engine == "duckdb":
        return _finish_summary(_summary_duckdb(tx, as_of), as_of, time_unit)
    return _finish_summary(_summary_arrays(tx), as_of, time_unit)


def _summary_arrays(tx: pd.DataFrame) -> pd.DataFrame:
    """Per-customer aggregates with integer codes and ``bincount`` (fast for large frames).

    Returns the raw per-customer frame :func:`_finish_summary` expects.
    """
    codes, uniques = pd.factorize(tx["customer_id"], sort=False)
    day = tx["date"].to_numpy().astype("datetime64[D]").astype("int64")
    d0 = int(day.min())
    span = int(day.max()) - d0 + 1
    amount = tx["amount"].to_numpy(dtype=float)
    key = codes.astype("int64") * span + (day - d0)
    # Sorting the (customer, day) key groups a customer's days together, in date order;
    # it is cheaper than hashing once the table outgrows the CPU cache.
    order = np.argsort(key, kind="stable")
    sk = key[order]
    amt = amount[order]
    starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
    value = np.add.reduceat(amt, starts)
    returns = np.add.reduceat(np.where(amt < 0, -amt, 0.0), starts)
    sales = np.add.reduceat((amt >= 0).astype("int64"), starts)
    day_key = sk[starts]
    cust = day_key // span
    doff = day_key % span
    n_cust = len(uniques)
    monetary = np.bincount(cust, weights=value, minlength=n_cust)
    ret = np.bincount(cust, weights=returns, minlength=n_cust)
    buy = sales > 0
    bc, bd, bv = cust[buy], doff[buy], value[buy]
    n = np.bincount(bc, minlength=n_cust)
    # Days are sorted within each customer: the first purchase day comes first.
    first_pos = np.flatnonzero(np.concatenate([[True], bc[1:] != bc[:-1]])) if len(bc) else \
        np.array([], dtype="int64")
    last_pos = np.concatenate([first_pos[1:] - 1, [len(bc) - 1]]) if len(bc) else first_pos
    first = np.zeros(n_cust, dtype="int64")
    last = np.zeros(n_cust, dtype="int64")
    first_value = np.zeros(n_cust)
    first[bc[first_pos]] = bd[first_pos]
    last[bc[last_pos]] = bd[last_pos]
    first_value[bc[first_pos]] = bv[first_pos]
    purchase_value = np.bincount(bc, weights=bv, minlength=n_cust)
    keep = n > 0
    base = np.datetime64("1970-01-01", "D")
    return pd.DataFrame({
        "customer_id": pd.Index(uniques)[keep].astype("str"),
        "first_purchase": (base + (first[keep] + d0).astype("timedelta64[D]")),
        "last_purchase": (base + (last[keep] + d0).astype("timedelta64[D]")),
        "n_purchases": n[keep],
        "purchase_value": purchase_value[keep],
        "first_value": first_value[keep],
        "monetary": monetary[keep],
        "returns": ret[keep],
    })


def _finish_summary(per: pd.DataFrame, as_of: pd.Timestamp, time_unit: str) -> pd.DataFrame:
    unit = TIME_UNIT_DAYS[time_unit]
    first = pd.to_datetime(per["first_purchase"]).astype("datetime64[ns]")
    last = pd.to_datetime(per["last_purchase"]).astype("datetime64[ns]")
    n = per["n_purchases"].to_numpy(dtype="int64")
    freq = n - 1
    repeat_value = per["purchase_value"].to_numpy(dtype=float) - per["first_value"].to_numpy(
        dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_repeat = np.where(freq > 0, repeat_value / np.maximum(freq, 1), 0.0)
    out = pd.DataFrame({
        "customer_id": per["customer_id"].astype("str").to_numpy(),
        "first_purchase": first.to_numpy(),
        "last_purchase": last.to_numpy(),
        "n_purchases": n,
        "frequency": freq,
        "recency": (last - first).dt.days.to_numpy(dtype=float) / unit,
        "T": (as_of - first).dt.days.to_numpy(dtype=float) / unit,
        "days_since_last": (as_of - last).dt.days.to_numpy(dtype="int64"),
        "monetary": per["monetary"].to_numpy(dtype=float),
        "returns": per["returns"].to_numpy(dtype=float),
        "avg_repeat_value": avg_repeat,
    })
    out = out.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    out.attrs["time_unit"] = time_unit
    out.attrs["as_of"] = as_of.date().isoformat()
    return out


def customer_summary_parquet(source, *, as_of=None, time_unit: str = "D",
                             memory_limit: str = "2GB", threads: int | None = None,
                             temp_directory: str | None = None,
                             rows_per_pass: int = 10_000_000) -> pd.DataFrame:
    """:func:`customer_summary` computed out of core by DuckDB from Parquet files.

    The transactions are never loaded into Python: DuckDB streams the files,
    aggregates per customer and day, then per customer, spilling to disk
    beyond ``memory_limit``. Only the per-customer result comes back.

    Parameters
    ----------
    source : str or path
        A Parquet file, a glob (``"sales/*.parquet"``) or a list of files, with
        canonical columns ``customer_id``, ``date`` (timestamp or date) and
        ``amount``.
    as_of, time_unit
        As in :func:`customer_summary`.
    memory_limit : str, default "2GB"
        DuckDB memory limit.
    threads : int, optional
        DuckDB worker threads (default: DuckDB's choice).
    temp_directory : str, optional
        Where DuckDB spills; default: a fresh folder in the system's temporary
        directory, removed afterwards (never the current working directory).
    rows_per_pass : int, default 10,000,000
        Above this many rows the customers are split by a hash of
        ``customer_id`` into several passes over the files, each aggregating
        its share of customers, so the day-level hash table stays within
        ``memory_limit`` (10 million rows use about 1.2 GB).

    Returns
    -------
    DataFrame
        The same columns and rows as :func:`customer_summary`.
    """
    import tempfile

    check_choice("time_unit", time_unit, TIME_UNIT_DAYS)
    if threads is not None:
        _check_positive_int("threads", threads)
    _check_positive_int("rows_per_pass", rows_per_pass)
    if temp_directory is None:
        with tempfile.TemporaryDirectory(prefix="crmlib-duckdb-") as spill:
            return customer_summary_parquet(source, as_of=as_of, time_unit=time_unit,
                                            memory_limit=memory_limit, threads=threads,
                                            temp_directory=spill, rows_per_pass=rows_per_pass)
    import duckdb

    files = [str(s) for s in source] if isinstance(source, (list, tuple)) else str(source)
    con = duckdb.connect(config={"memory_limit": memory_limit,
                                 "preserve_insertion_order": False})
    try:
        con.execute("SET enable_progress_bar = false")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET temp_directory = {_sql_text(temp_directory)}")
        quoted = ("[" + ", ".join(_sql_text(f) for f in files) + "]"
                  if isinstance(files, list) else _sql_text(files))
        con.execute("CREATE TEMP VIEW tx AS SELECT customer_id::VARCHAR AS customer_id, "
                    "CAST(date AS TIMESTAMP) AS date, amount::DOUBLE AS amount "
                    f"FROM read_parquet({quoted}) WHERE customer_id IS NOT NULL")
        bad = con.execute("SELECT count(*) FILTER (WHERE date IS NULL), "
                          "count(*) FILTER (WHERE amount IS NULL OR NOT isfinite(amount)), "
                          "count(*), max(date) FROM tx").fetchone()
        problems = []
        if bad[0]:
            problems.append(DataProblem("transactions", "date", "is empty", bad[0], bad[2],
                                        source=str(source)))
        if bad[1]:
            problems.append(DataProblem("transactions", "amount", "is empty or not finite",
                                        bad[1], bad[2], source=str(source)))
        if problems:
            raise DataError(problems, source=str(source))
        if bad[2] == 0 or bad[3] is None:
            raise DataError([DataProblem("transactions", None, "has no rows with a customer")],
                            source=str(source))
        as_of = pd.Timestamp(bad[3]).normalize() if as_of is None else _as_of(None, as_of)
        end = (as_of + _ONE_DAY).to_pydatetime()
        passes = max(1, math.ceil(bad[2] / rows_per_pass))
        if passes == 1:
            per = con.execute(_SUMMARY_SQL.format(part=""), [end]).df()
        else:
            part = f"AND hash(customer_id) % {passes} = ?"
            per = pd.concat([con.execute(_SUMMARY_SQL.format(part=part), [end, k]).df()
                             for k in range(passes)], ignore_index=True)
    finally:
        con.close()
    return _finish_summary(per, as_of, time_unit)


_SUMMARY_SQL = """
WITH days AS (
    SELECT customer_id, CAST(date AS DATE) AS day, sum(amount) AS value,
           sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS returns,
           count(*) FILTER (WHERE amount >= 0) > 0 AS purchase
    FROM tx WHERE date < ? {part} GROUP BY ALL
)
SELECT customer_id,
       min(day) FILTER (WHERE purchase) AS first_purchase,
       max(day) FILTER (WHERE purchase) AS last_purchase,
       count(*) FILTER (WHERE purchase) AS n_purchases,
       coalesce(sum(value) FILTER (WHERE purchase), 0) AS purchase_value,
       arg_min(value, day) FILTER (WHERE purchase) AS first_value,
       sum(value) AS monetary, sum(returns) AS returns
FROM days GROUP BY customer_id HAVING count(*) FILTER (WHERE purchase) > 0
"""


def _summary_duckdb(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The per-customer aggregates of a cleaned in-memory frame, by DuckDB."""
    import duckdb

    con = duckdb.connect(config={"preserve_insertion_order": False})
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("tx", tx[["customer_id", "date", "amount"]])
        return con.execute(_SUMMARY_SQL.format(part=""),
                           [(as_of + _ONE_DAY).to_pydatetime()]).df()
    finally:
        con.close()


def _sql_text(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"
