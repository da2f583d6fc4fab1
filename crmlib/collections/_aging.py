"""Open invoices and receivables aging (cartera por edades).

An invoice is open at ``as_of`` when it was issued by then and not paid in
full (see the package conventions); :func:`open_invoices` gives each one its
days overdue and bucket, :func:`aging_table` adds them up per customer and
:func:`aging_totals` per bucket. The bucket edges, their names and reader
labels, and the reading of the invoice table shared by the other modules,
live here.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t
from crmlib.interact import local_timestamps

DEFAULT_BUCKETS: tuple[int, ...] = (0, 30, 60, 90, 120)


_BUCKET = re.compile(r"^(not_due|d\d+_\d+|over_\d+)$")


def _check_buckets(buckets) -> tuple[int, ...]:
    ok = (isinstance(buckets, (tuple, list)) and len(buckets) >= 1
          and all(isinstance(b, (int, np.integer)) and not isinstance(b, bool) for b in buckets)
          and buckets[0] == 0 and all(a < b for a, b in pairwise(buckets)))
    if not ok:
        raise ParameterError(
            f"buckets must be increasing whole days starting at 0, e.g. (0, 30, 60, 90, 120); "
            f"got {buckets!r}", parameter="buckets", allowed="increasing ints from 0",
            value=buckets)
    return tuple(int(b) for b in buckets)


def bucket_labels(buckets=DEFAULT_BUCKETS) -> list[str]:
    """Column names of the aging buckets: ``not_due``, ``d1_30`` ... ``over_120``.

    ``buckets`` are the upper edges in days overdue; the first must be 0 (the
    current bucket, ``not_due``: not yet due) and the last opens the final
    bucket.
    """
    b = _check_buckets(buckets)
    names = ["not_due"] + [f"d{lo + 1}_{hi}" for lo, hi in pairwise(b)]
    return names + [f"over_{b[-1]}"]


def parse_buckets(text) -> tuple[int, ...]:
    """Aging bucket edges typed as text, e.g. ``"0, 30, 60, 90, 120"``.

    Commas, semicolons or spaces separate the edges. A list or tuple is
    checked as it is.

    Returns
    -------
    tuple of int
        The edges, checked as :func:`bucket_labels` needs them.

    Raises
    ------
    ParameterError
        A piece that is not a whole number of days, or edges that do not
        start at 0 and increase; the message names the piece or the edges.
    """
    if isinstance(text, (list, tuple)):
        return _check_buckets(list(text))
    pieces = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    bad = [p for p in pieces if not re.fullmatch(r"\d+", p)]
    if bad or not pieces:
        raise ParameterError(
            f"buckets must be whole days separated by commas, e.g. '0, 30, 60, 90, 120'; "
            f"{bad[0]!r} is not a whole number" if bad else
            "buckets must be whole days separated by commas, e.g. '0, 30, 60, 90, 120'; "
            "got nothing", parameter="buckets", allowed="increasing ints from 0", value=text)
    return _check_buckets([int(p) for p in pieces])


def _as_of(as_of) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ParameterError(f"as_of must be a date such as '2024-12-31'; got {as_of!r}",
                             parameter="as_of", allowed="ISO date", value=as_of)
    return ts.tz_localize(None) if ts.tzinfo else ts


def _invoices(invoices: pd.DataFrame) -> pd.DataFrame:
    need = ["invoice_id", "customer_id", "issued_at", "due_at", "amount"]
    missing = [c for c in need if c not in invoices.columns]
    if missing:
        raise DataError([DataProblem("invoices", c, "is required but missing") for c in missing])
    df = invoices.reset_index(drop=True)
    out = pd.DataFrame({"invoice_id": df["invoice_id"].astype(object),
                        "customer_id": df["customer_id"].astype(object)})
    for col in ("issued_at", "due_at", "paid_at"):
        if col in df:
            out[col] = local_timestamps(df[col], table="invoices", column=col)
        else:
            out[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    problems = []
    for col in ("amount", "paid_amount"):
        s = df[col] if col in df else pd.Series(np.nan, index=df.index)
        num = pd.to_numeric(s, errors="coerce")
        bad = (num.isna() & s.notna()) | (num < 0)
        if bad.any():
            problems.append(DataProblem("invoices", col, "is not a number >= 0", int(bad.sum()),
                                        len(df), tuple(s[bad].head(3).items())))
        out[col] = num.astype(float)
    for col in ("customer_id", "issued_at", "due_at", "amount"):
        bad = out[col].isna()
        if bad.any():
            problems.append(DataProblem("invoices", col, "is empty", int(bad.sum()), len(df),
                                        tuple((i, "") for i in out.index[bad][:3])))
    if problems:
        raise DataError(problems)
    return out


def _open_amounts(inv: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    paid_by_then = inv["paid_at"].notna() & (inv["paid_at"] <= when)
    unpaid = inv["paid_at"].isna()
    remaining = (inv["amount"] - inv["paid_amount"].fillna(0.0)).clip(lower=0.0)
    amount = np.where(paid_by_then, 0.0, np.where(unpaid, remaining, inv["amount"]))
    amount = np.where(inv["issued_at"] <= when, amount, 0.0)
    return pd.Series(amount, index=inv.index, dtype=float)


def open_invoices(invoices: pd.DataFrame, *, as_of, buckets=DEFAULT_BUCKETS) -> pd.DataFrame:
    """Invoices open at ``as_of`` with their days overdue and aging bucket.

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``: ``invoice_id``, ``customer_id``, ``issued_at``,
        ``due_at``, ``amount`` and optionally ``paid_at``, ``paid_amount``.
    as_of : date
        Valuation date.
    buckets : sequence of int, default (0, 30, 60, 90, 120)
        Upper edges of the buckets in days overdue (see :func:`bucket_labels`).

    Returns
    -------
    DataFrame
        One row per invoice with an open amount, by ``customer_id`` then
        ``due_at`` then ``invoice_id``: ``invoice_id``, ``customer_id``,
        ``issued_at``, ``due_at``, ``amount``, ``open_amount``,
        ``days_overdue`` (int; 0 or less = not yet due), ``bucket``.
    """
    labels = bucket_labels(buckets)
    edges = _check_buckets(buckets)
    when = _as_of(as_of)
    inv = _invoices(invoices)
    inv["open_amount"] = _open_amounts(inv, when)
    inv = inv[inv["open_amount"] > 0]
    days = (when.normalize() - inv["due_at"].dt.normalize()).dt.days.astype(int)
    idx = np.searchsorted(np.asarray(edges), days.to_numpy(), side="left")
    inv = inv.assign(days_overdue=days, bucket=np.asarray(labels, dtype=object)[idx])
    inv = inv.sort_values(["customer_id", "due_at", "invoice_id"], kind="stable")
    return inv[["invoice_id", "customer_id", "issued_at", "due_at", "amount", "open_amount",
                "days_overdue", "bucket"]].reset_index(drop=True)


def aging_table(invoices: pd.DataFrame, *, as_of, buckets=DEFAULT_BUCKETS) -> pd.DataFrame:
    """Receivables aging per customer (cartera por edades).

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Valuation date.
    buckets : sequence of int, default (0, 30, 60, 90, 120)
        Upper edges in days overdue: the default gives current, 1-30, 31-60,
        61-90, 91-120 and over 120 days.

    Returns
    -------
    DataFrame
        One row per customer with an open balance, by ``open_balance``
        descending then ``customer_id``: ``customer_id``, one column per
        bucket (:func:`bucket_labels`; they add up to ``open_balance``),
        ``open_balance``, ``overdue`` (everything but ``current``),
        ``overdue_share``, ``max_days_overdue``, ``n_open_invoices``.
    """
    labels = bucket_labels(buckets)
    inv = open_invoices(invoices, as_of=as_of, buckets=buckets)
    wide = inv.pivot_table(index="customer_id", columns="bucket", values="open_amount",
                           aggfunc="sum", fill_value=0.0, observed=False)
    wide = wide.reindex(columns=labels, fill_value=0.0).astype(float)
    wide.columns.name = None
    g = inv.groupby("customer_id")
    out = wide.assign(
        open_balance=g["open_amount"].sum(),
        max_days_overdue=g["days_overdue"].max(),
        n_open_invoices=g.size(),
    )
    out["overdue"] = out[labels[1:]].sum(axis=1)
    out["overdue_share"] = out["overdue"] / out["open_balance"]
    out = out.reset_index().sort_values(["open_balance", "customer_id"],
                                        ascending=[False, True], kind="stable")
    return out[["customer_id", *labels, "open_balance", "overdue", "overdue_share",
                "max_days_overdue", "n_open_invoices"]].reset_index(drop=True)


def bucket_label(name: str, language: str = "es") -> str:
    """Reader label of an aging bucket (``not_due``, ``d1_30``, ``over_120``)."""
    if name == "not_due":
        return t("collections.bucket.not_due", language)
    m = re.match(r"^d(\d+)_(\d+)$", name)
    if m:
        return t("collections.bucket.range", language, lo=m.group(1), hi=m.group(2))
    m = re.match(r"^over_(\d+)$", name)
    if m:
        return t("collections.bucket.over", language, days=m.group(1))
    return name


def aging_totals(aging: pd.DataFrame, *, language: str = "es") -> pd.DataFrame:
    """Totals per bucket of an :func:`aging_table`.

    Returns
    -------
    DataFrame
        One row per bucket, in bucket order: ``bucket``, ``bucket_label`` (in
        ``language``), ``amount``, ``share`` (of the total open balance),
        ``n_customers`` (with some amount in it).
    """
    check_language(language)
    labels = [c for c in aging.columns if _BUCKET.match(str(c))]
    total = float(aging["open_balance"].sum())
    amounts = aging[labels].sum()
    return pd.DataFrame({
        "bucket": labels,
        "bucket_label": [bucket_label(b, language) for b in labels],
        "amount": amounts.to_numpy(dtype=float),
        "share": (amounts / total).to_numpy(dtype=float) if total else np.zeros(len(labels)),
        "n_customers": (aging[labels] > 0).sum().to_numpy(dtype=int),
    })
