"""Differentiate: which customers matter most, and how each one is doing.

The second IDIC stage ranks customers by the value they bring and follows
their buying behaviour. Everything starts from the transaction summary
(:func:`customer_summary`), one row per customer:

* **Value**: Pareto curve, ABC classes and Gini (:func:`pareto_table`,
  :func:`abc_table`, :func:`gini`); the most valuable customers, the 5-10 %
  at the top (:func:`most_valuable`); customers below zero, who cost more than
  they bring (:func:`below_zero`); customers whose spend is growing
  (:func:`growth_potential`).
* **RFM**: recency, frequency and monetary scores with quantile or custom
  cut points (:func:`rfm_scores`, :func:`rfm_cut_points`) and named segments
  from an editable table (:func:`rfm_segments`).
* **Lifecycle**: new, active, inactive, lost and special customers
  (:func:`lifecycle_table`), retention and churn per period
  (:func:`retention_table`), cohorts (:func:`cohort_table`) and decliners,
  customers buying well under their usual level (:func:`decliners`).

Conventions shared by every function here:

* Rows without ``customer_id`` (anonymous sales) are left out; rows dated
  after ``as_of`` are left out.
* Dates count by calendar day. All lines of a customer on one day, returns
  included, are netted into that day's value. A *purchase day* is a day with
  at least one sale line (amount zero or more; free items count); a day of
  returns only is not a purchase, but its amount still counts in the
  customer's net value (``monetary``). This follows the BG/NBD convention (Fader, Hardie & Lee
  2005) that several purchases on one day are one purchase.
* Ties are broken by ``customer_id`` so the same data give the same table
  whatever the row order.

Method: the Differentiate tasks of Peppers & Rogers' one-to-one programme
(most valuable 5-10 %, below-zero customers, customers buying less than 40 % of
their usual), the Pareto 80/20 principle, and RFM analysis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlib.clv import TIME_UNIT_DAYS
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

__all__ = [
    "RFM_SEGMENTS",
    "abc_table",
    "below_zero",
    "clv_headline",
    "cohort_table",
    "contribution_table",
    "customer_summary",
    "customer_summary_parquet",
    "customer_value",
    "decliners",
    "decliners_headline",
    "decliners_summary",
    "gini",
    "growth_potential",
    "growth_table",
    "lifecycle_summary",
    "lifecycle_table",
    "most_valuable",
    "pareto_headline",
    "pareto_summary",
    "pareto_table",
    "readable",
    "retention_headline",
    "retention_summary",
    "retention_table",
    "rfm_cut_points",
    "rfm_headline",
    "rfm_scores",
    "rfm_segment_summary",
    "rfm_segments",
    "summary_headline",
    "value_groups_headline",
]

_ONE_DAY = pd.Timedelta(days=1)


# ----------------------------------------------------------------------------- input checks
def _clean_transactions(transactions: pd.DataFrame, func: str, *, as_of=None,
                        columns=("customer_id", "date", "amount")) -> pd.DataFrame:
    """Validated copy of the needed columns: known customers, dates up to ``as_of``."""
    if not isinstance(transactions, pd.DataFrame):
        raise ParameterError(
            f"{func}: transactions must be a DataFrame; got {type(transactions).__name__}",
            parameter="transactions", allowed="DataFrame", value=type(transactions))
    problems = []
    for c in ("customer_id", "date", "amount"):
        if c not in transactions.columns:
            problems.append(DataProblem("transactions", c, "is required but missing"))
    if problems:
        raise DataError(problems)
    keep = [c for c in columns if c in transactions.columns]
    df = transactions[keep]
    n = len(df)
    date = df["date"]
    if not pd.api.types.is_datetime64_any_dtype(date):
        problems.append(DataProblem("transactions", "date", f"must be a date (dtype {date.dtype})",
                                    n, n))
    amount = df["amount"]
    if not pd.api.types.is_numeric_dtype(amount) or pd.api.types.is_bool_dtype(amount):
        problems.append(DataProblem("transactions", "amount",
                                    f"must be numeric (dtype {amount.dtype})", n, n))
    if problems:
        raise DataError(problems)
    if getattr(date.dt, "tz", None) is not None:
        date = date.dt.tz_localize(None)
    for col, values in (("date", date), ("amount", amount)):
        bad = values.isna().to_numpy()
        if col == "amount":
            bad = bad | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            idx = np.flatnonzero(bad)[:3]
            problems.append(DataProblem("transactions", col, "is empty or not finite",
                                        int(bad.sum()), n,
                                        tuple((df.index[i], values.iloc[i]) for i in idx)))
    if problems:
        raise DataError(problems)
    out = pd.DataFrame({
        "customer_id": df["customer_id"].astype("str").where(df["customer_id"].notna()),
        "date": date.astype("datetime64[ns]"),
        "amount": amount.astype(float),
    })
    for c in keep:
        if c not in out.columns:
            out[c] = df[c]
    out = out[out["customer_id"].notna()]
    if as_of is not None:
        out = out[out["date"] < pd.Timestamp(as_of).normalize() + _ONE_DAY]
    return out.reset_index(drop=True)


def _as_of(tx: pd.DataFrame, as_of) -> pd.Timestamp:
    if as_of is None:
        if len(tx) == 0:
            raise DataError([DataProblem("transactions", None, "has no rows with a customer")])
        return tx["date"].max().normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError):
        raise ParameterError(f"as_of must be a date; got {as_of!r}", parameter="as_of",
                             allowed="ISO date", value=as_of) from None


def _need_rows(tx: pd.DataFrame, func: str):
    if len(tx) == 0:
        raise DataError([DataProblem("transactions", None,
                                     f"has no rows with a customer up to as_of ({func})")])


def _check_fraction(name, value, *, low=0.0, high=1.0, closed_low=False, closed_high=False):
    ok = isinstance(value, (int, float, np.floating)) and np.isfinite(value)
    ok = ok and (value >= low if closed_low else value > low)
    ok = ok and (value <= high if closed_high else value < high)
    if not ok:
        lo = "[" if closed_low else "("
        hi = "]" if closed_high else ")"
        raise ParameterError(f"{name} must be in {lo}{low}, {high}{hi}; got {value!r}",
                             parameter=name, allowed=f"{lo}{low}, {high}{hi}", value=value)


def _check_positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ParameterError(f"{name} must be a positive integer; got {value!r}",
                             parameter=name, allowed="integer >= 1", value=value)


# ----------------------------------------------------------------------------- summary
def _purchase_days(tx: pd.DataFrame) -> pd.DataFrame:
    """Net value per customer and calendar day.

    Columns ``customer_id``, ``day``, ``value`` (net), ``returns`` (positive),
    ``sales`` (number of lines with amount >= 0) and ``purchase`` (bool: at
    least one sale line that day).
    """
    day = tx["date"].dt.normalize()
    amount = tx["amount"]
    frame = pd.DataFrame({"customer_id": tx["customer_id"], "day": day, "value": amount,
                          "returns": (-amount).clip(lower=0),
                          "sales": (amount >= 0).astype("int64")})
    out = frame.groupby(["customer_id", "day"], sort=True, observed=True).sum().reset_index()
    out["purchase"] = out["sales"] > 0
    return out


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


# ----------------------------------------------------------------------------- value
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
                     min_recent_share: float = 0.0) -> pd.DataFrame:
    """Customers whose spend is growing: candidates to develop.

    A customer qualifies when the recent window's value exceeds the usual
    (baseline) value by at least ``min_growth`` (0.20 = 20 % more), or when
    the customer is new in the recent window (no baseline purchases).

    Parameters
    ----------
    min_growth : float, default 0.20
        Minimum relative growth, ``>= 0``.
    min_recent_share : float, default 0
        Keep only customers whose recent value is at least this share of the
        largest recent value (filters out tiny new accounts), in ``[0, 1)``.
    as_of, recent_days, baseline_days
        As in :func:`growth_table`.

    Returns
    -------
    DataFrame
        Rows of :func:`growth_table` plus ``new`` (bool), ranked by ``change``
        descending (ties by ``customer_id``).
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
    out = table[keep].assign(new=new[keep])
    return out.sort_values(["change", "customer_id"], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


# ----------------------------------------------------------------------------- RFM
_RFM_VARS = ("recency", "frequency", "monetary")


def rfm_scores(transactions: pd.DataFrame, *, as_of=None, bins: int = 5,
               cut_points: Mapping[str, Sequence[float]] | None = None,
               monetary: str = "total") -> pd.DataFrame:
    """Recency, frequency and monetary scores per customer.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        Valuation date (recency is counted to it). Default: last transaction.
    bins : int, default 5
        Number of score levels for quantile scoring (2 to 10).
    cut_points : dict, optional
        Custom cut points ``{"recency": [...], "frequency": [...],
        "monetary": [...]}`` (any subset; others use quantiles), each an
        increasing list of ``bins - 1`` values. Intervals are closed on the
        right: a value equal to a cut point goes to the lower interval.
        Recency is in days since the last purchase; fewer days score higher.
    monetary : {"total", "average"}, default "total"
        Net value over the period, or average net value per purchase day.

    Returns
    -------
    DataFrame
        One row per customer with a purchase, by ``customer_id``:
        ``customer_id``, ``recency_days``, ``frequency`` (purchase days),
        ``monetary``, ``r_score``, ``f_score``, ``m_score`` (1 .. ``bins``, high is
        good), ``rfm_cell`` (e.g. ``"545"``), ``rfm_score`` (sum of the three).
        ``attrs["bins"]`` and ``attrs["cut_points"]`` record the scoring.

    Notes
    -----
    Quantile scores use mid-ranks: a customer's score is
    ``floor(bins * (average rank - 0.5) / n) + 1``. Equal values always get the
    same score, whatever the row order, and with distinct values the levels
    hold equal numbers of customers. When many customers share one value
    (very often "1 purchase") a level may stay empty instead of splitting equal
    customers arbitrarily; :func:`rfm_cut_points` shows each level's size and
    range, so an empty level is visible, never silent.
    """
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or not 2 <= bins <= 10:
        raise ParameterError(f"bins must be an integer from 2 to 10; got {bins!r}",
                             parameter="bins", allowed="2..10", value=bins)
    check_choice("monetary", monetary, ("total", "average"))
    cut_points = dict(cut_points or {})
    for key, edges in cut_points.items():
        check_choice("cut_points key", key, _RFM_VARS)
        arr = np.asarray(edges, dtype=float)
        if arr.ndim != 1 or len(arr) != bins - 1 or not np.all(np.diff(arr) > 0) \
                or not np.isfinite(arr).all():
            raise ParameterError(
                f"cut_points[{key!r}] must be {bins - 1} increasing numbers (bins={bins}); "
                f"got {list(edges)!r}", parameter=f"cut_points[{key!r}]",
                allowed=f"{bins - 1} increasing numbers", value=list(edges))
    summary = customer_summary(transactions, as_of=as_of, time_unit="D")
    freq = summary["n_purchases"].to_numpy(dtype=float)
    mon = summary["monetary"].to_numpy(dtype=float)
    if monetary == "average":
        mon = mon / freq
    values = {"recency": summary["days_since_last"].to_numpy(dtype=float),
              "frequency": freq, "monetary": mon}
    scores = {}
    used = {}
    for var in _RFM_VARS:
        v = values[var]
        if var in cut_points:
            edges = np.asarray(cut_points[var], dtype=float)
            idx = np.searchsorted(edges, v, side="left")
            s = idx + 1
            used[var] = edges.tolist()
        else:
            s = _quantile_scores(v, bins)
            used[var] = "quantile"
        if var == "recency":
            s = bins + 1 - s
        scores[var] = s.astype("int64")
    out = pd.DataFrame({
        "customer_id": summary["customer_id"].to_numpy(),
        "recency_days": summary["days_since_last"].to_numpy(),
        "frequency": summary["n_purchases"].to_numpy(),
        "monetary": mon,
        "r_score": scores["recency"],
        "f_score": scores["frequency"],
        "m_score": scores["monetary"],
    })
    out["rfm_cell"] = (out["r_score"].astype(str) + out["f_score"].astype(str)
                       + out["m_score"].astype(str))
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    out.attrs["bins"] = int(bins)
    out.attrs["cut_points"] = used
    out.attrs["as_of"] = summary.attrs["as_of"]
    return out


def _quantile_scores(v: np.ndarray, bins: int) -> np.ndarray:
    n = len(v)
    ranks = pd.Series(v).rank(method="average").to_numpy()
    return np.clip(np.floor(bins * (ranks - 0.5) / n).astype("int64") + 1, 1, bins)


def rfm_cut_points(scores: pd.DataFrame) -> pd.DataFrame:
    """The cut points behind RFM scores: size and value range of every level.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores`.

    Returns
    -------
    DataFrame
        One row per variable (``recency``, ``frequency``, ``monetary``) and
        score level (all levels 1 .. bins, empty ones included): ``variable``,
        ``score``, ``n_customers``, ``customer_share``, ``min``, ``max`` (of the
        variable among those customers; NaN for an empty level), ``lower``,
        ``upper`` (the custom cut points bounding the level, NaN for quantiles
        and open ends), ``method`` (``"quantile"`` or ``"custom"``).
    """
    for c in ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"):
        if c not in scores.columns:
            raise DataError([DataProblem("rfm_scores", c, "is required but missing")])
    bins = int(scores.attrs.get("bins", max(int(scores[["r_score", "f_score",
                                                          "m_score"]].max().max()), 2)))
    cuts = scores.attrs.get("cut_points", {})
    rows = []
    n = max(len(scores), 1)
    for var, col, sc in (("recency", "recency_days", "r_score"),
                         ("frequency", "frequency", "f_score"),
                         ("monetary", "monetary", "m_score")):
        edges = cuts.get(var, "quantile")
        custom = not isinstance(edges, str)
        g = scores.groupby(sc)[col].agg(["size", "min", "max"])
        for s in range(1, bins + 1):
            size = int(g["size"].get(s, 0))
            lower = upper = np.nan
            if custom:
                k = (bins + 1 - s) if var == "recency" else s  # interval index 1..bins
                lower = edges[k - 2] if k >= 2 else np.nan
                upper = edges[k - 1] if k <= bins - 1 else np.nan
            rows.append({"variable": var, "score": s, "n_customers": size,
                         "customer_share": size / n,
                         "min": float(g["min"].get(s, np.nan)) if size else np.nan,
                         "max": float(g["max"].get(s, np.nan)) if size else np.nan,
                         "lower": lower, "upper": upper,
                         "method": "custom" if custom else "quantile"})
    return pd.DataFrame(rows)


#: The default RFM segment table (also shipped as ``templates/rfm_segments.csv``).
#: Rules on 1-5 recency and frequency-monetary scores; the first matching row wins.
RFM_SEGMENTS = pd.DataFrame(
    [
        # segment, r_min, r_max, fm_min, fm_max, label_es, label_en
        ("champions", 5, 5, 4, 5, "Campeones", "Champions"),
        ("loyal", 3, 5, 4, 5, "Leales", "Loyal"),
        ("cannot_lose", 1, 2, 5, 5, "No se pueden perder", "Can't lose them"),
        ("at_risk", 1, 2, 3, 4, "En riesgo", "At risk"),
        ("potential_loyalist", 4, 5, 2, 3, "Leales potenciales", "Potential loyalists"),
        ("new", 5, 5, 1, 1, "Nuevos", "New customers"),
        ("promising", 4, 4, 1, 1, "Prometedores", "Promising"),
        ("need_attention", 3, 3, 2, 3, "Requieren atención", "Need attention"),
        ("about_to_sleep", 3, 3, 1, 1, "A punto de dormirse", "About to sleep"),
        ("hibernating", 2, 2, 1, 2, "Hibernando", "Hibernating"),
        ("lost", 1, 1, 1, 2, "Perdidos", "Lost"),
    ],
    columns=["segment", "r_min", "r_max", "fm_min", "fm_max", "label_es", "label_en"],
)


def rfm_segments(scores: pd.DataFrame, table: pd.DataFrame | None = None, *,
                 language: str = "es") -> pd.DataFrame:
    """Name each customer's RFM segment from an editable rule table.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores`.
    table : DataFrame, optional
        Segment rules: ``segment``, ``r_min``, ``r_max``, ``fm_min``, ``fm_max``
        (inclusive bounds on a 1-5 scale), optionally ``label_es`` /
        ``label_en``. Rows are tried in order and the first match wins;
        customers matching no row get ``"other"``. Default :data:`RFM_SEGMENTS`
        (the file ``templates/rfm_segments.csv`` holds the same rules to edit).
    language : {"es", "en"}, default "es"
        Language of ``segment_label``.

    Returns
    -------
    DataFrame
        ``scores`` plus ``fm_score`` (rounded mean of ``f_score`` and
        ``m_score``), ``r5`` and ``fm5`` (scores rescaled to 1-5 when ``bins``
        is not 5), ``segment`` and ``segment_label``.
    """
    from crmlib.i18n import check_language

    check_language(language)
    table = RFM_SEGMENTS if table is None else table
    need = ["segment", "r_min", "r_max", "fm_min", "fm_max"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError([DataProblem("rfm_segments table", c, "is required but missing")
                         for c in missing])
    for c in need[1:]:
        v = pd.to_numeric(table[c], errors="coerce")
        bad = v.isna() | (v < 1) | (v > 5)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())[:3]
            raise DataError([DataProblem("rfm_segments table", c, "is not a score from 1 to 5",
                                         int(bad.sum()), len(table),
                                         tuple((int(i), table[c].iloc[i]) for i in idx))])
    for c in ("r_score", "f_score", "m_score"):
        if c not in scores.columns:
            raise DataError([DataProblem("rfm_scores", c, "is required but missing")])
    bins = int(scores.attrs.get("bins", 5))
    out = scores.copy()
    fm = np.floor((out["f_score"].to_numpy() + out["m_score"].to_numpy()) / 2 + 0.5)
    out["fm_score"] = fm.astype("int64")

    def to5(s):
        return np.floor(1 + (np.asarray(s, dtype=float) - 1) * 4 / (bins - 1) + 0.5).astype(
            "int64")

    out["r5"] = to5(out["r_score"]) if bins != 5 else out["r_score"].astype("int64")
    out["fm5"] = to5(out["fm_score"]) if bins != 5 else out["fm_score"]
    seg = np.full(len(out), "other", dtype=object)
    label = np.full(len(out), None, dtype=object)
    done = np.zeros(len(out), dtype=bool)
    lab_col = f"label_{language}"
    r5, fm5 = out["r5"].to_numpy(), out["fm5"].to_numpy()
    for _, rule in table.iterrows():
        hit = (~done & (r5 >= float(rule["r_min"])) & (r5 <= float(rule["r_max"]))
               & (fm5 >= float(rule["fm_min"])) & (fm5 <= float(rule["fm_max"])))
        seg[hit] = str(rule["segment"])
        text = rule.get(lab_col) if lab_col in table.columns else None
        label[hit] = str(text) if text is not None and not pd.isna(text) else str(
            rule["segment"])
        done |= hit
    from crmlib.i18n import t

    label[~done] = t("differentiate.segment.other", language)
    out["segment"] = seg
    out["segment_label"] = label
    return out


def rfm_segment_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Size and value of each RFM segment.

    Returns
    -------
    DataFrame
        One row per segment, by value descending: ``segment``,
        ``segment_label``, ``n_customers``, ``customer_share``, ``monetary``
        (sum), ``value_share``, ``avg_recency_days``, ``avg_frequency``.
    """
    for c in ("segment", "segment_label", "monetary", "recency_days", "frequency"):
        if c not in segments.columns:
            raise DataError([DataProblem("rfm_segments", c, "is required but missing")])
    g = segments.groupby(["segment", "segment_label"], sort=True)
    out = g.agg(n_customers=("monetary", "size"), monetary=("monetary", "sum"),
                avg_recency_days=("recency_days", "mean"),
                avg_frequency=("frequency", "mean")).reset_index()
    out["customer_share"] = out["n_customers"] / max(len(segments), 1)
    pos = segments["monetary"].clip(lower=0).sum()
    out["value_share"] = out["monetary"].clip(lower=0) / pos if pos > 0 else 0.0
    out = out.sort_values(["monetary", "segment"], ascending=[False, True], kind="mergesort")
    return out[["segment", "segment_label", "n_customers", "customer_share", "monetary",
                "value_share", "avg_recency_days", "avg_frequency"]].reset_index(drop=True)


# ----------------------------------------------------------------------------- lifecycle
LIFECYCLE_CLASSES = ("new", "active", "inactive", "lost", "special")


def lifecycle_table(transactions: pd.DataFrame, *, as_of=None, new_days: int = 90,
                    active_days: int = 180, lost_days: int = 365,
                    special=None) -> pd.DataFrame:
    """Lifecycle class of each customer at ``as_of``.

    Classes (first that applies): ``special`` (listed in ``special``: staff,
    key accounts, customers treated apart); ``new`` (first purchase within
    ``new_days``); ``active`` (last purchase within ``active_days``);
    ``inactive`` (lapsed: last purchase within ``lost_days``); ``lost``.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
    new_days, active_days, lost_days : int
        Windows in days, ``new_days <= active_days < lost_days``.
    special : iterable of customer ids or DataFrame, optional
        Special customers; a ``customers`` table is accepted, its rows with
        ``special`` true are used.

    Returns
    -------
    DataFrame
        One row per customer with a purchase, by ``customer_id``:
        ``customer_id``, ``first_purchase``, ``last_purchase``,
        ``days_since_first``, ``days_since_last``, ``n_purchases``,
        ``monetary``, ``lifecycle``.
    """
    for name, v in (("new_days", new_days), ("active_days", active_days),
                    ("lost_days", lost_days)):
        _check_positive_int(name, v)
    if not new_days <= active_days < lost_days:
        raise ParameterError(
            f"windows must satisfy new_days <= active_days < lost_days; got {new_days}, "
            f"{active_days}, {lost_days}", parameter="active_days",
            allowed="new_days <= active_days < lost_days", value=active_days)
    summary = customer_summary(transactions, as_of=as_of, time_unit="D")
    as_of = pd.Timestamp(summary.attrs["as_of"])
    since_first = (as_of - summary["first_purchase"]).dt.days.to_numpy()
    since_last = summary["days_since_last"].to_numpy()
    ids = _special_ids(special)
    is_special = summary["customer_id"].isin(ids).to_numpy()
    cls = np.select(
        [is_special, since_first < new_days, since_last < active_days, since_last < lost_days],
        ["special", "new", "active", "inactive"], default="lost")
    return pd.DataFrame({
        "customer_id": summary["customer_id"],
        "first_purchase": summary["first_purchase"],
        "last_purchase": summary["last_purchase"],
        "days_since_first": since_first,
        "days_since_last": since_last,
        "n_purchases": summary["n_purchases"],
        "monetary": summary["monetary"],
        "lifecycle": cls,
    })


def _special_ids(special) -> set:
    if special is None:
        return set()
    if isinstance(special, pd.DataFrame):
        if "customer_id" not in special.columns or "special" not in special.columns:
            raise DataError([DataProblem("customers", c, "is required but missing")
                             for c in ("customer_id", "special")
                             if c not in special.columns])
        flag = special["special"].fillna(False).astype(bool)
        return set(special.loc[flag, "customer_id"].astype(str))
    if isinstance(special, str):
        return {special}
    return {str(x) for x in special}


def lifecycle_summary(lifecycle: pd.DataFrame, *, language: str = "es") -> pd.DataFrame:
    """Customers and value per lifecycle class.

    Parameters
    ----------
    lifecycle : DataFrame
        Output of :func:`lifecycle_table`.
    language : {"es", "en"}, default "es"
        Language of ``lifecycle_label``.

    Returns
    -------
    DataFrame
        One row per class in the order new, active, inactive, lost, special
        (all five): ``lifecycle`` (code), ``lifecycle_label``, ``n_customers``,
        ``customer_share``, ``monetary``, ``value_share`` (of the positive total).
    """
    from crmlib.i18n import t

    g = lifecycle.groupby("lifecycle")
    out = pd.DataFrame({"n_customers": g.size(), "monetary": g["monetary"].sum()}).reindex(
        list(LIFECYCLE_CLASSES))
    out["n_customers"] = out["n_customers"].fillna(0).astype("int64")
    out["monetary"] = out["monetary"].fillna(0.0)
    out["customer_share"] = out["n_customers"] / max(len(lifecycle), 1)
    pos = out["monetary"].clip(lower=0).sum()
    out["value_share"] = out["monetary"].clip(lower=0) / pos if pos > 0 else 0.0
    out = out.rename_axis("lifecycle").reset_index()
    out["lifecycle_label"] = [t(f"differentiate.lifecycle.{c}", language)
                              for c in out["lifecycle"]]
    return out[["lifecycle", "lifecycle_label", "n_customers", "customer_share", "monetary",
                "value_share"]]


_PERIODS = {"M": "M", "Q": "Q", "Y": "Y"}


def _period_frame(tx, period):
    days = _purchase_days(tx)
    days = days[days["purchase"]]
    p = days["day"].dt.to_period(_PERIODS[period])
    return pd.DataFrame({"customer_id": days["customer_id"].to_numpy(), "period": p.to_numpy(),
                         "value": days["value"].to_numpy()})


def retention_table(transactions: pd.DataFrame, *, as_of=None,
                    period: str = "Y") -> pd.DataFrame:
    """Retention and churn from one period to the next.

    Retention is the share of the customers who bought in one period who buy
    again in the next; churn is its complement.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        The last period is the one holding ``as_of``.
    period : {"M", "Q", "Y"}, default "Y"
        Month, quarter or year.

    Returns
    -------
    DataFrame
        One row per period from the first with purchases to the one holding
        ``as_of``: ``period`` (label, e.g. ``"2024"``, ``"2024Q3"``,
        ``"2024-07"``), ``period_start``, ``period_end``, ``complete`` (False
        when ``as_of`` falls before the period's end), ``active`` (customers
        buying), ``new`` (first purchase ever), ``retained`` (bought in the
        previous period too), ``returning`` (back after a gap),
        ``customers_start`` (active in the previous period), ``lost``
        (active in the previous period, not in this one), ``retention_rate``,
        ``churn_rate`` (NaN for the first period), ``value``.
    """
    check_choice("period", period, _PERIODS)
    tx = _clean_transactions(transactions, "retention_table", as_of=as_of)
    as_of = _as_of(tx, as_of)
    _need_rows(tx, "retention_table")
    pf = _period_frame(tx, period)
    first = pf.groupby("customer_id")["period"].min()
    periods = pd.period_range(pf["period"].min(), as_of.to_period(_PERIODS[period]),
                              freq=_PERIODS[period])
    sets = pf.groupby("period")["customer_id"].agg(lambda s: set(s))
    values = pf.groupby("period")["value"].sum()
    new_per = first.groupby(first).size()
    rows = []
    prev: set | None = None
    seen: set = set()
    for p in periods:
        cur = sets.get(p, set())
        n_new = int(new_per.get(p, 0))
        retained = len(cur & prev) if prev is not None else 0
        start = len(prev) if prev is not None else 0
        rate = retained / start if prev is not None and start else np.nan
        rows.append({
            "period": str(p), "period_start": p.start_time.normalize(),
            "period_end": p.end_time.normalize(),
            "complete": bool(as_of >= p.end_time.normalize()),
            "active": len(cur), "new": n_new, "retained": retained,
            "returning": len(cur) - n_new - retained,
            "customers_start": start, "lost": start - retained,
            "retention_rate": rate, "churn_rate": 1 - rate if not np.isnan(rate) else np.nan,
            "value": float(values.get(p, 0.0)),
        })
        seen |= cur
        prev = cur
    out = pd.DataFrame(rows)
    out["period_start"] = out["period_start"].astype("datetime64[ns]")
    out["period_end"] = out["period_end"].astype("datetime64[ns]")
    return out


def cohort_table(transactions: pd.DataFrame, *, as_of=None, period: str = "Q") -> pd.DataFrame:
    """Cohort retention: of the customers who first bought in a period, the
    share buying again k periods later.

    Parameters
    ----------
    transactions : DataFrame
    as_of : date-like, optional
    period : {"M", "Q", "Y"}, default "Q"

    Returns
    -------
    DataFrame
        Long table, one row per cohort and age up to ``as_of``: ``cohort``
        (label of the first-purchase period), ``period_index`` (0 = the cohort's
        own period), ``period`` (label), ``cohort_size``, ``n_active``,
        ``retention`` (``n_active / cohort_size``; 1 at index 0), ``value``.
    """
    check_choice("period", period, _PERIODS)
    tx = _clean_transactions(transactions, "cohort_table", as_of=as_of)
    as_of = _as_of(tx, as_of)
    _need_rows(tx, "cohort_table")
    pf = _period_frame(tx, period)
    first = pf.groupby("customer_id")["period"].min().rename("cohort")
    pf = pf.join(first, on="customer_id")
    last = as_of.to_period(_PERIODS[period])
    ordinal = pf["period"].map(lambda p: p.ordinal).to_numpy()
    cohort_ord = pf["cohort"].map(lambda p: p.ordinal).to_numpy()
    pf = pf.assign(period_index=ordinal - cohort_ord, cohort_ord=cohort_ord)
    act = pf.groupby(["cohort_ord", "period_index"]).agg(
        n_active=("customer_id", "nunique"), value=("value", "sum"))
    sizes = first.map(lambda p: p.ordinal).value_counts()
    freq = _PERIODS[period]
    rows = []
    for c_ord in sorted(sizes.index):
        size = int(sizes[c_ord])
        for k in range(last.ordinal - c_ord + 1):
            n_act = int(act["n_active"].get((c_ord, k), 0))
            rows.append({
                "cohort": str(pd.Period(ordinal=c_ord, freq=freq)),
                "period_index": k,
                "period": str(pd.Period(ordinal=c_ord + k, freq=freq)),
                "cohort_size": size, "n_active": n_act, "retention": n_act / size,
                "value": float(act["value"].get((c_ord, k), 0.0)),
            })
    return pd.DataFrame(rows)


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


def retention_summary(retention: pd.DataFrame) -> pd.Series:
    """Key figures of the last period of a :func:`retention_table` that has a rate.

    Returns
    -------
    Series
        ``period``, ``complete``, ``active``, ``retention_rate``, ``churn_rate``,
        ``mean_retention_rate`` (over all periods with a rate).
    """
    rated = retention.dropna(subset=["retention_rate"])
    if rated.empty:
        return pd.Series({"period": None, "complete": None, "active": None,
                          "retention_rate": math.nan, "churn_rate": math.nan,
                          "mean_retention_rate": math.nan})
    last = rated.iloc[-1]
    return pd.Series({"period": last["period"], "complete": bool(last["complete"]),
                      "active": int(last["active"]), "retention_rate": last["retention_rate"],
                      "churn_rate": last["churn_rate"],
                      "mean_retention_rate": float(rated["retention_rate"].mean())},
                     dtype=object)


def decliners_summary(decliners_table: pd.DataFrame) -> pd.Series:
    """Key figures of :func:`decliners`: ``n_decliners``, ``value_at_risk``,
    ``value_at_risk_annual`` (sums)."""
    return pd.Series({
        "n_decliners": len(decliners_table),
        "value_at_risk": float(decliners_table["value_at_risk"].sum()),
        "value_at_risk_annual": float(decliners_table["value_at_risk_annual"].sum()),
    }, dtype=object)


# ----------------------------------------------------------------------------- headlines
def _money(x: float, language: str) -> str:
    text = f"{x:,.0f}"
    return text.replace(",", ".") if language == "es" else text


def summary_headline(summary: pd.DataFrame, language: str = "es") -> str:
    """One sentence on a :func:`customer_summary`: customers, repeat buyers, net value."""
    from crmlib.i18n import t

    n = len(summary)
    n_repeat = int((summary["frequency"] > 0).sum())
    return t("differentiate.summary.headline", language, n_customers=_money(n, language),
             n_repeat=_money(n_repeat, language), repeat_share=n_repeat / n if n else 0,
             total=_money(float(summary["monetary"].sum()), language))


def pareto_headline(summary: pd.Series, language: str = "es") -> str:
    """The "x % of customers bring 80 % of the value" sentence, from :func:`pareto_summary`."""
    from crmlib.i18n import t

    return t("differentiate.pareto.headline", language,
             customer_share=summary["customer_share_for_value"],
             value_share=summary["value_share"], top20=summary["value_share_of_top"],
             gini=summary["gini"])


def value_groups_headline(mvc: pd.DataFrame, bzc: pd.DataFrame, growth: pd.DataFrame,
                          language: str = "es") -> str:
    """Sentence on most valuable, below-zero and growing customers."""
    from crmlib.i18n import t

    return t("differentiate.value_groups.headline", language, n_mvc=len(mvc),
             mvc_share=float(mvc["share"].sum()) if len(mvc) else 0.0, n_bzc=len(bzc),
             n_growth=len(growth))


def rfm_headline(segment_summary: pd.DataFrame, language: str = "es") -> str:
    """Sentence naming the largest and the most valuable RFM segment."""
    from crmlib.i18n import t

    largest = segment_summary.sort_values(["n_customers", "segment"],
                                          ascending=[False, True]).iloc[0]
    richest = segment_summary.iloc[0]
    return t("differentiate.rfm.headline", language, largest=largest["segment_label"],
             largest_share=largest["customer_share"], richest=richest["segment_label"],
             richest_share=richest["value_share"])


def retention_headline(retention: pd.DataFrame, language: str = "es") -> str:
    """Sentence on the retention of the last period with a retention rate."""
    from crmlib.i18n import t

    rated = retention.dropna(subset=["retention_rate"])
    if rated.empty:
        return ""
    last = rated.iloc[-1]
    return t("differentiate.retention.headline", language, period=last["period"],
             retention=last["retention_rate"], churn=last["churn_rate"])


def decliners_headline(decliners_table: pd.DataFrame, *, threshold: float,
                       language: str = "es") -> str:
    """Sentence on how many customers decline and the annual value at risk."""
    from crmlib.i18n import t

    value = float(decliners_table["value_at_risk_annual"].sum()) if len(decliners_table) else 0.0
    return t("differentiate.decliners.headline", language, n=len(decliners_table),
             threshold=threshold, value=_money(value, language))


def clv_headline(clv: pd.DataFrame, *, horizon: float, language: str = "es") -> str:
    """Sentence on the portfolio's expected value and its concentration (from ``clv_table``)."""
    from crmlib.i18n import t

    total = float(clv["clv"].sum())
    k = max(1, math.ceil(0.10 * len(clv)))
    top10 = float(clv["clv"].head(k).sum()) / total if total > 0 else 0.0
    return t("differentiate.clv.headline", language, horizon=f"{horizon:g}",
             total=_money(total, language), top10=top10)


_PERCENT_COLUMNS = ("share", "cum_share", "cum_customer_share", "customer_share", "value_share",
                    "retention_rate", "churn_rate", "retention", "p_alive", "clv_share")


def readable(table: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """A copy of a result table for reading: dates as ``YYYY-MM-DD``, shares as percentages.

    Shares and rates (``share``, ``cum_share``, ``customer_share``, ``value_share``,
    ``retention_rate``, ``churn_rate``, ``retention``, ``p_alive``, ``clv_share``)
    become text such as ``"23,1 %"`` (es) or ``"23.1%"`` (en); other columns are
    unchanged, so the table keeps its canonical column names for translation.
    """
    from crmlib.i18n import check_language

    check_language(language)
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif col in _PERCENT_COLUMNS and pd.api.types.is_numeric_dtype(s):
            text = s.map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}")
            out[col] = (text.str.replace(".", ",", regex=False) + " %").where(
                text != "", "") if language == "es" else (text + "%").where(text != "", "")
    return out
