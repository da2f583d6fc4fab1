"""Collections: receivables aging, DSO, credit by the four Cs, dunning letters.

Source 001 (credit and overdue portfolio) grounds this module: credit is
granted on four bases, capacity, integrity (character), capital and
conditions; overdue accounts are followed with statements and a series of
collection letters that push for payment while keeping the relationship, and
standard letters must be watched so that one customer never gets the same
format twice; at the end of the series the account goes to the legal area or
an outside agency.

Conventions: an invoice is *open* at ``as_of`` when it was issued on or before
``as_of`` and not paid in full by then. Its open amount is ``amount`` minus
``paid_amount`` while ``paid_at`` is empty; when it was paid after ``as_of``
the whole amount counts as open at ``as_of`` (exports carry no dated partial
payments). Overpayments count as zero. Days overdue are whole days from
``due_at`` to ``as_of``; zero or less is *current*.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t
from crmlib.interact import local_timestamps

__all__ = [
    "DEFAULT_BUCKETS",
    "DUNNING_STAGES",
    "aging_table",
    "aging_totals",
    "aging_trend",
    "answer_sheet",
    "bucket_label",
    "bucket_labels",
    "credit_note",
    "customer_risk",
    "dso_table",
    "dunning_letters",
    "dunning_plan",
    "dunning_view",
    "headline",
    "history_note",
    "key_figures",
    "ledger_answers",
    "letters_note",
    "load_worksheet",
    "open_invoices",
    "parse_buckets",
    "score_credit",
    "simulate_dunning",
    "worksheet_answers",
    "worksheet_table",
]

DEFAULT_BUCKETS: tuple[int, ...] = (0, 30, 60, 90, 120)
DUNNING_STAGES: tuple[str, ...] = ("reminder", "second_notice", "final_notice", "handover")
_BUCKET = re.compile(r"^(not_due|d\d+_\d+|over_\d+)$")
_TEMPLATES = Path(__file__).parent / "templates"


# --------------------------------------------------------------------------- aging

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


def dso_table(invoices: pd.DataFrame, *, as_of, period_days: int = 90) -> pd.DataFrame:
    """Days sales outstanding: receivables over credit sales times the days of the period.

    DSO = open receivables at ``as_of`` / invoiced amount in the
    ``period_days`` ending at ``as_of`` x ``period_days`` (the usual
    period-end formula; e.g. 300 open after 900 invoiced in 90 days is 30 days).

    Returns
    -------
    DataFrame
        One row: ``as_of``, ``receivables``, ``overdue``, ``overdue_share``,
        ``credit_sales``, ``period_days``, ``dso_days`` (NaN without sales).
    """
    if not (isinstance(period_days, int) and period_days > 0):
        raise ParameterError(f"period_days must be a whole number > 0; got {period_days!r}",
                             parameter="period_days", allowed="> 0", value=period_days)
    when = _as_of(as_of)
    inv = _invoices(invoices)
    open_amt = _open_amounts(inv, when)
    overdue = float(open_amt[inv["due_at"].dt.normalize() < when.normalize()].sum())
    receivables = float(open_amt.sum())
    window = (inv["issued_at"] <= when) & (inv["issued_at"] > when - pd.Timedelta(
        days=period_days))
    sales = float(inv.loc[window, "amount"].sum())
    return pd.DataFrame([{
        "as_of": when.normalize(), "receivables": receivables, "overdue": overdue,
        "overdue_share": overdue / receivables if receivables else np.nan,
        "credit_sales": sales, "period_days": period_days,
        "dso_days": receivables / sales * period_days if sales else np.nan,
    }])


def aging_trend(invoices: pd.DataFrame, *, as_of, months: int = 12,
                buckets=DEFAULT_BUCKETS, period_days: int = 90) -> pd.DataFrame:
    """Aging, overdue share and DSO at each month end up to ``as_of``.

    Returns
    -------
    DataFrame
        One row per month end (the last is ``as_of`` itself), oldest first:
        ``as_of``, one column per bucket, ``receivables``, ``overdue``,
        ``overdue_share``, ``dso_days``.
    """
    if not (isinstance(months, int) and months >= 1):
        raise ParameterError(f"months must be a whole number >= 1; got {months!r}",
                             parameter="months", allowed=">= 1", value=months)
    when = _as_of(as_of)
    labels = bucket_labels(buckets)
    ends = [when] + [(when - pd.offsets.MonthEnd(k)).normalize() for k in range(1, months)]
    ends = sorted({e.normalize() if e != when else when for e in ends})[-months:]
    rows = []
    for end in ends:
        aging = aging_table(invoices, as_of=end, buckets=buckets)
        d = dso_table(invoices, as_of=end, period_days=period_days).iloc[0]
        row = {"as_of": end.normalize()}
        row.update({b: float(aging[b].sum()) for b in labels})
        row.update({"receivables": d["receivables"], "overdue": d["overdue"],
                    "overdue_share": d["overdue_share"], "dso_days": d["dso_days"]})
        rows.append(row)
    return pd.DataFrame(rows)


RISK_LEVELS = ("high", "medium", "low", "current")


def customer_risk(invoices: pd.DataFrame, *, as_of, high_days: int = 90, medium_days: int = 30,
                  history_days: int = 365, late_days: float = 30,
                  buckets=DEFAULT_BUCKETS) -> pd.DataFrame:
    """Customers with an open balance classed by collection risk.

    Rules, first that applies: ``high`` — something overdue more than
    ``high_days``; ``medium`` — something overdue more than ``medium_days``,
    or invoices paid in the last ``history_days`` were on average more than
    ``late_days`` late; ``low`` — something overdue; ``current`` — nothing due.

    Returns
    -------
    DataFrame
        ``customer_id``, ``open_balance``, ``overdue``, ``max_days_overdue``,
        ``avg_days_late`` (mean days between due and payment of the invoices
        paid in the history window; NaN if none), ``n_paid_late``, ``risk``;
        by risk (high first), then ``overdue`` descending, then ``customer_id``.
    """
    for name, v in (("high_days", high_days), ("medium_days", medium_days),
                    ("history_days", history_days)):
        if not (isinstance(v, int) and v >= 0):
            raise ParameterError(f"{name} must be a whole number >= 0; got {v!r}",
                                 parameter=name, allowed=">= 0", value=v)
    if medium_days > high_days:
        raise ParameterError(f"medium_days ({medium_days}) must not exceed high_days "
                             f"({high_days})", parameter="medium_days", value=medium_days)
    when = _as_of(as_of)
    aging = aging_table(invoices, as_of=when, buckets=buckets)
    inv = _invoices(invoices)
    paid = inv[inv["paid_at"].notna() & (inv["paid_at"] <= when)
               & (inv["paid_at"] > when - pd.Timedelta(days=history_days))]
    late = (paid["paid_at"].dt.normalize() - paid["due_at"].dt.normalize()).dt.days
    paid = paid.assign(_late=late.clip(lower=0), _is_late=late > 0)
    hist = paid.groupby("customer_id").agg(avg_days_late=("_late", "mean"),
                                           n_paid_late=("_is_late", "sum"))
    out = aging[["customer_id", "open_balance", "overdue", "max_days_overdue"]].merge(
        hist, left_on="customer_id", right_index=True, how="left")
    out["n_paid_late"] = out["n_paid_late"].fillna(0).astype(int)
    mx = out["max_days_overdue"]
    out["risk"] = np.select(
        [mx > high_days, (mx > medium_days) | (out["avg_days_late"] > late_days), mx > 0],
        ["high", "medium", "low"], "current")
    order = {r: i for i, r in enumerate(RISK_LEVELS)}
    out = out.assign(_o=out["risk"].map(order)).sort_values(
        ["_o", "overdue", "customer_id"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------- credit 4 Cs

_CS = ("capacity", "character", "capital", "conditions")


@lru_cache(maxsize=8)
def _read_worksheet(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_worksheet(worksheet=None) -> dict:
    """The credit worksheet definition: criteria, weights, scoring guide, bands.

    Parameters
    ----------
    worksheet : dict, str or path, optional
        A definition already loaded, or a YAML file; default the packaged
        ``crmlib/templates/credit_4c.yaml`` (``templates/credit_4c.yaml`` in a
        clone is the copy to edit).

    Returns
    -------
    dict
        The checked definition, with keys ``scale`` (``min``, ``max``),
        ``c_weights``, ``criteria`` (list of dicts with ``id``, ``c``,
        ``weight``, ``text``, ``guide`` and optionally ``ledger``) and ``bands``
        (``min`` total score and ``decision``, highest first).
    """
    if isinstance(worksheet, dict):
        ws = worksheet
    else:
        path = Path(worksheet) if worksheet else _TEMPLATES / "credit_4c.yaml"
        if not path.exists():
            raise ParameterError(f"worksheet file {path.name!r} does not exist",
                                 parameter="worksheet", value=str(worksheet))
        ws = _read_worksheet(str(path))
    problems = []
    crit = ws.get("criteria") or []
    ids = [c.get("id") for c in crit]
    if not crit:
        problems.append("has no criteria")
    if len(set(ids)) != len(ids):
        problems.append("repeats a criterion id")
    for c in crit:
        if c.get("c") not in _CS:
            problems.append(f"criterion {c.get('id')!r} has c={c.get('c')!r}, not one of {_CS}")
        if not (isinstance(c.get("weight"), (int, float)) and c["weight"] > 0):
            problems.append(f"criterion {c.get('id')!r} needs a weight > 0")
    cw = ws.get("c_weights") or {}
    if set(cw) != set(_CS) or any(not (isinstance(v, (int, float)) and v >= 0)
                                  for v in cw.values()) or not np.isclose(sum(cw.values()), 1):
        problems.append(f"c_weights must give each of {_CS} a weight >= 0, summing to 1")
    scale = ws.get("scale") or {}
    if not (isinstance(scale.get("min"), (int, float)) and isinstance(scale.get("max"),
                                                                       (int, float))
            and scale["min"] < scale["max"]):
        problems.append("scale needs min < max")
    bands = ws.get("bands") or []
    if not bands or min(b.get("min", 1) for b in bands) != 0:
        problems.append("bands need a last band with min 0")
    if problems:
        raise ParameterError("credit worksheet " + "; ".join(problems), parameter="worksheet",
                             value=worksheet if not isinstance(worksheet, dict) else "dict")
    ws = dict(ws)
    ws["bands"] = sorted(bands, key=lambda b: -b["min"])
    return ws


def worksheet_table(worksheet=None, *, language: str = "es") -> pd.DataFrame:
    """The worksheet as a table to print or fill in.

    Returns
    -------
    DataFrame
        One row per criterion, in worksheet order: ``criterion_id``, ``c``
        (the C it belongs to, translated), ``weight`` (within its C),
        ``question``, ``guide`` (what the low, middle and high scores mean),
        ``from_ledger`` (True when :func:`ledger_answers` scores it).
    """
    check_language(language)
    ws = load_worksheet(worksheet)
    rows = []
    for c in ws["criteria"]:
        guide = "; ".join(f"{k}: {v[language]}" for k, v in sorted(c.get("guide", {}).items()))
        rows.append({"criterion_id": c["id"], "c": t(f"collections.c.{c['c']}", language),
                     "weight": float(c["weight"]), "question": c["text"][language],
                     "guide": guide, "from_ledger": bool(c.get("ledger"))})
    return pd.DataFrame(rows)


def ledger_answers(invoices: pd.DataFrame, *, as_of, customers=None, top: int | None = None,
                   worksheet=None, history_days: int = 365) -> pd.DataFrame:
    """Scores for the criteria the invoice ledger can answer by itself.

    A criterion with ``ledger: on_time_share`` is scored from the share of
    invoices paid by their due date, and ``ledger: avg_days_late`` from the
    mean days late, both over invoices paid in the ``history_days`` before
    ``as_of``, using the thresholds listed in the worksheet (``cuts``: the
    minimum share, or maximum days, for each score from the top down).

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Valuation date.
    customers : list of str or DataFrame, optional
        Only these customers (a table needs a ``customer_id`` column), e.g. an
        :func:`aging_table`.
    top : int, optional
        Only the first ``top`` of ``customers`` (the largest balances of an
        aging table).
    worksheet : dict or path, optional
        See :func:`load_worksheet`.

    Returns
    -------
    DataFrame
        Long: ``customer_id``, ``criterion_id``, ``score``, ``basis`` (the
        measured share or days). Customers with no paid invoice in the window
        get no rows.
    """
    ws = load_worksheet(worksheet)
    when = _as_of(as_of)
    inv = _invoices(invoices)
    if top is not None and not (isinstance(top, int) and top >= 1):
        raise ParameterError(f"top must be a whole number >= 1; got {top!r}", parameter="top",
                             allowed=">= 1", value=top)
    if customers is not None:
        ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                   else customers)
        ids = ids[:top] if top else ids
        inv = inv[inv["customer_id"].isin(set(ids))]
    paid = inv[inv["paid_at"].notna() & (inv["paid_at"] <= when)
               & (inv["paid_at"] > when - pd.Timedelta(days=history_days))]
    late = (paid["paid_at"].dt.normalize() - paid["due_at"].dt.normalize()).dt.days
    per = paid.assign(_on_time=late <= 0, _late=late.clip(lower=0)).groupby("customer_id").agg(
        on_time_share=("_on_time", "mean"), avg_days_late=("_late", "mean"))
    rows = []
    for c in ws["criteria"]:
        kind = c.get("ledger")
        if not kind:
            continue
        if kind not in per.columns:
            raise ParameterError(f"criterion {c['id']!r}: ledger must be one of "
                                 f"{list(per.columns)}; got {kind!r}", parameter="worksheet",
                                 value=kind)
        cuts = c["cuts"]  # list of [score, threshold], best score first
        basis = per[kind]
        score = pd.Series(float(ws["scale"]["min"]), index=per.index)
        for s, limit in reversed(cuts):
            hit = basis >= limit if kind == "on_time_share" else basis <= limit
            score = score.where(~hit, float(s))
        rows.append(pd.DataFrame({"customer_id": per.index, "criterion_id": c["id"],
                                  "score": score.to_numpy(), "basis": basis.to_numpy()}))
    if not rows:
        return pd.DataFrame(columns=["customer_id", "criterion_id", "score", "basis"])
    return pd.concat(rows, ignore_index=True).sort_values(
        ["customer_id", "criterion_id"]).reset_index(drop=True)


def answer_sheet(customers, *, answers: pd.DataFrame | None = None, worksheet=None,
                 language: str = "es") -> pd.DataFrame:
    """Blank answer sheet for some customers, with any scores already known filled in.

    Parameters
    ----------
    customers : list of str or DataFrame
        Customers to assess (a table needs ``customer_id``), in order.
    answers : DataFrame, optional
        ``customer_id``, ``criterion_id``, ``score`` known so far (e.g. from
        :func:`ledger_answers`).

    Returns
    -------
    DataFrame
        One row per customer and criterion: ``customer_id``, ``criterion_id``,
        ``c``, ``question``, ``score`` (empty where still to be filled in).
    """
    ws = worksheet_table(worksheet, language=language)
    ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame) else customers)
    grid = pd.DataFrame({"customer_id": np.repeat(ids, len(ws)),
                         "criterion_id": np.tile(ws["criterion_id"].to_numpy(), len(ids))})
    grid = grid.merge(ws[["criterion_id", "c", "question"]], on="criterion_id", how="left")
    if answers is not None and len(answers):
        grid = grid.merge(answers[["customer_id", "criterion_id", "score"]],
                          on=["customer_id", "criterion_id"], how="left")
    else:
        grid["score"] = np.nan
    return grid


def worksheet_answers(invoices: pd.DataFrame, *, as_of, answers: pd.DataFrame | None = None,
                      customers=None, top: int | None = None, worksheet=None,
                      history_days: int = 365) -> pd.DataFrame:
    """The worksheet answers to score: the client's own, completed from the ledger.

    Without ``answers`` (no ``credit_answers`` file) this is
    :func:`ledger_answers` for ``customers`` (the first ``top`` of them). With
    ``answers`` the customers assessed are those in ``answers``, in their
    order, and every criterion they answer keeps that score; criteria they
    leave empty or out are filled in from the ledger where the ledger can
    score them. ``customers`` and ``top`` are then not used.

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Valuation date.
    answers : DataFrame, optional
        Contract ``credit_answers``: ``customer_id``, ``criterion_id``,
        ``score`` (empty while unanswered) and optionally ``note``.
    customers, top, worksheet, history_days
        As :func:`ledger_answers`.

    Returns
    -------
    DataFrame
        Long, one row per customer and answered criterion, by customer (in
        the order given) then worksheet order: ``customer_id``,
        ``criterion_id``, ``score``, ``source`` (``answers`` or ``ledger``),
        ``basis`` (the ledger's measured share or days; empty for answers),
        ``note`` (the answer's comment; empty for the ledger). Pass it to
        :func:`score_credit`.

    Raises
    ------
    DataError
        ``answers`` lacking ``customer_id``, ``criterion_id`` or ``score``.
    """
    ws = load_worksheet(worksheet)
    cols = ["customer_id", "criterion_id", "score", "source", "basis", "note"]
    if answers is None:
        led = ledger_answers(invoices, as_of=as_of, customers=customers, top=top,
                             worksheet=ws, history_days=history_days)
        if customers is not None:
            ids = list(customers["customer_id"] if isinstance(customers, pd.DataFrame)
                       else customers)
            ids = ids[:top] if top else ids
        else:
            ids = list(dict.fromkeys(led["customer_id"]))
        given = pd.DataFrame(columns=["customer_id", "criterion_id", "score", "note"])
    else:
        need = [c for c in ("customer_id", "criterion_id", "score") if c not in answers.columns]
        if need:
            raise DataError([DataProblem("credit_answers", c, "is required but missing")
                             for c in need])
        ids = list(dict.fromkeys(answers["customer_id"]))
        led = ledger_answers(invoices, as_of=as_of, customers=ids, worksheet=ws,
                             history_days=history_days)
        given = answers.assign(
            note=answers["note"] if "note" in answers.columns else np.nan)
        given = given[given["score"].notna()][["customer_id", "criterion_id", "score", "note"]]
    given = given.assign(source="answers", basis=np.nan)
    have = pd.MultiIndex.from_frame(given[["customer_id", "criterion_id"]].astype(object))
    key = pd.MultiIndex.from_frame(led[["customer_id", "criterion_id"]].astype(object))
    led = led[~key.isin(have)].assign(source="ledger", note=np.nan)
    out = pd.concat([given[cols].astype(object), led[cols].astype(object)], ignore_index=True)
    order = {c["id"]: i for i, c in enumerate(ws["criteria"])}
    rank = {cid: i for i, cid in enumerate(ids)}
    out = out.assign(_c=out["customer_id"].map(rank), _k=out["criterion_id"].map(order))
    out = out.sort_values(["_c", "_k", "criterion_id"], kind="stable", na_position="last")
    out = out[cols].reset_index(drop=True)
    out["score"] = pd.to_numeric(out["score"], errors="coerce") if len(out) else \
        out["score"].astype(float)
    out["basis"] = out["basis"].astype(float)
    for c in ("customer_id", "criterion_id", "source"):
        out[c] = out[c].astype("str")
    out["note"] = out["note"].astype("str").where(out["note"].notna())
    out.attrs["from_answers"] = answers is not None
    return out


def credit_note(answers: pd.DataFrame, *, language: str = "es") -> str:
    """One sentence: how many customers and criteria were scored from the
    client's answers and how many from the ledger (:func:`worksheet_answers`;
    a table made from an answers file says so even when the file holds no
    score yet)."""
    check_language(language)
    n_answers = int((answers["source"] == "answers").sum())
    n_ledger = int((answers["source"] == "ledger").sum())
    n = int(answers["customer_id"].nunique())
    from_file = answers.attrs.get("from_answers", n_answers > 0)
    key = "collections.credit_note.answers" if from_file else "collections.credit_note.ledger"
    return t(key, language, n=n, n_answers=n_answers, n_ledger=n_ledger)


def score_credit(answers: pd.DataFrame, worksheet=None, *, missing: str = "error",
                 language: str = "es") -> pd.DataFrame:
    """Score credit applicants on the four Cs and place them in a decision band.

    Each criterion is answered on the worksheet's scale (1-5 by default) and
    rescaled to 0-100; a C's score is the weighted mean of its criteria and the
    total the weighted mean of the four Cs (``c_weights``). The total falls in
    the first band whose ``min`` it reaches.

    Parameters
    ----------
    answers : DataFrame
        Long: ``customer_id``, ``criterion_id``, ``score``.
    worksheet : dict or path, optional
        See :func:`load_worksheet`.
    missing : {"error", "partial"}, default "error"
        ``error``: a customer lacking any criterion is a :class:`DataError`
        naming them. ``partial``: each C is scored on the criteria answered;
        a C with none leaves ``total`` empty and ``decision`` ``incomplete``.
    language : {"es", "en"}
        Language of ``decision_label``.

    Returns
    -------
    DataFrame
        One row per customer, by ``total`` descending then ``customer_id``:
        ``customer_id``, ``capacity``, ``character``, ``capital``,
        ``conditions`` (0-100), ``total`` (0-100), ``decision`` (band key, e.g.
        ``approve``/``review``/``decline``, or ``incomplete``),
        ``decision_label``, ``n_answered``, ``n_criteria``.

    Raises
    ------
    DataError
        Unknown criteria, scores off the scale or (with ``missing="error"``)
        unanswered criteria, naming customers and criteria.
    """
    if missing not in ("error", "partial"):
        raise ParameterError(f"missing must be one of ['error', 'partial']; got {missing!r}",
                             parameter="missing", allowed=("error", "partial"), value=missing)
    check_language(language)
    ws = load_worksheet(worksheet)
    need = [c for c in ("customer_id", "criterion_id", "score") if c not in answers.columns]
    if need:
        raise DataError([DataProblem("credit_answers", c, "is required but missing")
                         for c in need])
    crit = pd.DataFrame(ws["criteria"])[["id", "c", "weight"]].rename(
        columns={"id": "criterion_id"})
    lo, hi = float(ws["scale"]["min"]), float(ws["scale"]["max"])
    a = answers.reset_index(drop=True)
    score = pd.to_numeric(a["score"], errors="coerce")
    problems = []
    unknown = ~a["criterion_id"].isin(set(crit["criterion_id"]))
    if unknown.any():
        problems.append(DataProblem("credit_answers", "criterion_id", "is not in the worksheet",
                                    int(unknown.sum()), len(a),
                                    tuple(a.loc[unknown, "criterion_id"].head(3).items())))
    off = score.notna() & ((score < lo) | (score > hi))
    bad_text = score.isna() & a["score"].notna()
    if (off | bad_text).any():
        mask = off | bad_text
        problems.append(DataProblem("credit_answers", "score",
                                    f"is not a number from {lo:g} to {hi:g}", int(mask.sum()),
                                    len(a), tuple(a.loc[mask, "score"].head(3).items())))
    dup = a.duplicated(["customer_id", "criterion_id"], keep=False)
    if dup.any():
        problems.append(DataProblem("credit_answers", "criterion_id",
                                    "is answered twice for the same customer", int(dup.sum()),
                                    len(a), tuple(a.loc[dup, "criterion_id"].head(3).items())))
    a = a.assign(score=score)[~unknown & score.notna()]
    ids = list(dict.fromkeys(answers["customer_id"]))
    if not ids:
        return pd.DataFrame(columns=["customer_id", *_CS, "total", "decision", "decision_label",
                                     "n_answered", "n_criteria"])
    grid = pd.DataFrame({"customer_id": np.repeat(ids, len(crit)),
                         "criterion_id": np.tile(crit["criterion_id"].to_numpy(), len(ids))})
    grid = grid.merge(crit, on="criterion_id").merge(
        a[["customer_id", "criterion_id", "score"]], on=["customer_id", "criterion_id"],
        how="left")
    gaps = grid[grid["score"].isna()]
    if missing == "error" and len(gaps):
        per = gaps.groupby("customer_id", sort=False)["criterion_id"].agg(list)
        first, crits = next(iter(per.items()))
        examples = tuple((cid, f"{len(v)} missing") for cid, v in list(per.items())[:3])
        problems.append(DataProblem("credit_answers", "criterion_id",
                                    f"is unanswered for {len(per)} customer(s); customer "
                                    f"{first} lacks {', '.join(crits)}", len(gaps), len(grid),
                                    examples, location_kind="customer"))
    if problems:
        raise DataError(problems)
    grid["points"] = (grid["score"] - lo) / (hi - lo) * 100.0
    grid["w"] = grid["weight"].where(grid["score"].notna(), 0.0)
    grid["wp"] = grid["points"].fillna(0.0) * grid["w"]
    per_c = grid.groupby(["customer_id", "c"], sort=False)[["wp", "w"]].sum()
    c_scores = (per_c["wp"] / per_c["w"].where(per_c["w"] > 0)).unstack("c").reindex(
        columns=list(_CS))
    cw = pd.Series(ws["c_weights"]).reindex(list(_CS))
    total = (c_scores * cw).sum(axis=1, min_count=4)
    total = total.where(c_scores.notna().all(axis=1))
    out = c_scores.reindex(ids)
    out.columns.name = None
    out["total"] = total.reindex(ids)
    bands = ws["bands"]

    def band(x):
        if pd.isna(x):
            return "incomplete"
        for b in bands:
            if x >= b["min"]:
                return b["decision"]
        return bands[-1]["decision"]

    out["decision"] = out["total"].map(band).astype(object)
    out["decision_label"] = out["decision"].map(
        lambda d: t(f"collections.decision.{d}", language)
        if f"collections.decision.{d}" in _catalog_keys() else d)
    counts = grid.groupby("customer_id", sort=False)["score"].agg(["count", "size"])
    out["n_answered"] = counts["count"].reindex(ids).astype(int).to_numpy()
    out["n_criteria"] = counts["size"].reindex(ids).astype(int).to_numpy()
    out = out.rename_axis("customer_id").reset_index()
    return out.sort_values(["total", "customer_id"], ascending=[False, True],
                           na_position="last", kind="stable").reset_index(drop=True)


def _catalog_keys():
    from crmlib.i18n import catalog

    return catalog()


# --------------------------------------------------------------------------- dunning

def _check_stage_days(stage_days) -> tuple[int, ...]:
    ok = (isinstance(stage_days, (tuple, list)) and len(stage_days) == len(DUNNING_STAGES)
          and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                  for d in stage_days)
          and stage_days[0] >= 1 and all(a < b for a, b in pairwise(stage_days)))
    if not ok:
        raise ParameterError(
            f"stage_days must give, for {list(DUNNING_STAGES)}, increasing days overdue "
            f"starting at 1 or more, e.g. (1, 15, 30, 60); got {stage_days!r}",
            parameter="stage_days", allowed="4 increasing ints >= 1", value=stage_days)
    return tuple(int(d) for d in stage_days)


def default_formats() -> dict:
    """Letter formats per dunning stage: two per stage, ``<stage>_a`` and ``<stage>_b``."""
    return {s: [f"{s}_a", f"{s}_b"] for s in DUNNING_STAGES}


def _check_formats(formats) -> dict:
    formats = default_formats() if formats is None else formats
    ok = isinstance(formats, dict) and set(formats) == set(DUNNING_STAGES) and all(
        isinstance(v, (list, tuple)) and len(v) >= 2 and len(set(v)) == len(v)
        for v in formats.values())
    if not ok:
        raise ParameterError(
            f"formats must map each of {list(DUNNING_STAGES)} to a list of at least two different letter "
            f"formats; got {formats!r}", parameter="formats",
            allowed="{stage: [format, format, ...]}", value=formats)
    return {k: list(v) for k, v in formats.items()}


def _history(history) -> pd.DataFrame:
    cols = ["customer_id", "sent_at", "stage", "letter_format"]
    if history is None or len(history) == 0:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object),
                             "sent_at": pd.Series(dtype="datetime64[ns]"),
                             "stage": pd.Series(dtype=object),
                             "letter_format": pd.Series(dtype=object)})
    missing = [c for c in cols if c not in history.columns]
    if missing:
        raise DataError([DataProblem("dunning_history", c, "is required but missing")
                         for c in missing])
    h = history[cols].reset_index(drop=True)
    bad = ~h["stage"].isin(DUNNING_STAGES)
    if bad.any():
        raise DataError([DataProblem("dunning_history", "stage",
                                     f"is not one of {list(DUNNING_STAGES)}", int(bad.sum()),
                                     len(h), tuple(h.loc[bad, "stage"].head(3).items()))])
    return h.assign(sent_at=local_timestamps(h["sent_at"], table="dunning_history",
                                             column="sent_at"))


def dunning_plan(invoices: pd.DataFrame, *, as_of, history: pd.DataFrame | None = None,
                 stage_days=(1, 15, 30, 60), formats: dict | None = None,
                 min_gap_days: int = 10) -> pd.DataFrame:
    """Next collection letter for each customer with overdue invoices.

    A state machine per customer: the days overdue of their oldest overdue
    invoice say which stage is due (reminder, second notice, final notice,
    hand-over to the legal area or an agency, from ``stage_days``), but a
    customer never skips a stage: the next letter is at most one stage beyond
    the last one sent in the current overdue episode (letters sent since the
    earliest due date still unpaid). No letter goes out within
    ``min_gap_days`` of the previous one, and after the hand-over the
    customer gets no more letters. Each stage has several letter formats; the
    next format is the one after the last used for that stage, skipping the
    format of the customer's previous letter, so no customer receives the same
    format twice in a row (source 001).

    Parameters
    ----------
    invoices : DataFrame
        Contract ``invoices``.
    as_of : date
        Day the letters go out.
    history : DataFrame, optional
        Letters already sent: ``customer_id``, ``sent_at``, ``stage``,
        ``letter_format``. Empty or None for a first run.
    stage_days : 4 ints, default (1, 15, 30, 60)
        Days overdue from which each stage is due.
    formats : dict, optional
        ``{stage: [format, ...]}`` with at least two formats per stage;
        default :func:`default_formats`.
    min_gap_days : int, default 10
        Minimum days between two letters to the same customer.

    Returns
    -------
    DataFrame
        One row per customer with something overdue, letters to send first,
        then those waiting, then those handed over; within each, by
        ``max_days_overdue`` descending then ``customer_id``: ``customer_id``, ``n_overdue_invoices``,
        ``overdue_amount``, ``max_days_overdue``, ``oldest_due_at``,
        ``invoice_ids`` (comma-separated, oldest first), ``stage_by_days``,
        ``last_stage_sent`` (empty if none in the episode), ``last_sent_at``,
        ``last_format``, ``action`` (``send``, ``wait`` or ``handed_over``),
        ``stage`` and ``letter_format`` (of the letter to send; empty unless
        ``action`` is ``send``).
    """
    days = _check_stage_days(stage_days)
    fmts = _check_formats(formats)
    if not (isinstance(min_gap_days, int) and min_gap_days >= 0):
        raise ParameterError(f"min_gap_days must be a whole number >= 0; got {min_gap_days!r}",
                             parameter="min_gap_days", allowed=">= 0", value=min_gap_days)
    when = _as_of(as_of)
    inv = open_invoices(invoices, as_of=when)
    inv = inv[inv["days_overdue"] >= days[0]]
    hist = _history(history)
    hist = hist[hist["sent_at"] <= when]
    columns = ["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
               "oldest_due_at", "invoice_ids", "stage_by_days", "last_stage_sent",
               "last_sent_at", "last_format", "action", "stage", "letter_format"]
    if inv.empty:
        return pd.DataFrame(columns=columns)
    g = inv.sort_values(["customer_id", "due_at", "invoice_id"]).groupby("customer_id")
    per = g.agg(n_overdue_invoices=("invoice_id", "size"), overdue_amount=("open_amount", "sum"),
                max_days_overdue=("days_overdue", "max"), oldest_due_at=("due_at", "min"),
                invoice_ids=("invoice_id", lambda s: ", ".join(map(str, s)))).reset_index()
    level = np.searchsorted(np.asarray(days), per["max_days_overdue"].to_numpy(), side="right") - 1
    per["stage_by_days"] = np.asarray(DUNNING_STAGES, dtype=object)[level]

    stage_no = {s: i for i, s in enumerate(DUNNING_STAGES)}
    hist = hist.assign(_n=hist["stage"].map(stage_no), _o=np.arange(len(hist)))
    hist = hist.sort_values(["customer_id", "sent_at", "_o"])
    last_any = hist.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    episode = hist.merge(per[["customer_id", "oldest_due_at"]], on="customer_id")
    episode = episode[episode["sent_at"] >= episode["oldest_due_at"]]
    last_stage = episode.groupby("customer_id")["_n"].max().to_dict()
    last_sent = last_any["sent_at"].to_dict()
    last_fmt = last_any["letter_format"].to_dict()
    by_stage = hist.drop_duplicates(["customer_id", "stage"], keep="last")
    last_in_stage = dict(zip(zip(by_stage["customer_id"], by_stage["stage"]),
                             by_stage["letter_format"]))

    rows = []
    for rec in per.itertuples(index=False):
        cid = rec.customer_id
        sent_at = last_sent.get(cid)
        done = int(last_stage.get(cid, -1))
        by_days = stage_no[rec.stage_by_days]
        row = {"last_stage_sent": DUNNING_STAGES[done] if done >= 0 else None,
               "last_sent_at": sent_at if sent_at is not None else pd.NaT,
               "last_format": last_fmt.get(cid), "stage": None, "letter_format": None}
        if done == len(DUNNING_STAGES) - 1:
            row["action"] = "handed_over"
        elif sent_at is not None and (when - sent_at).days < min_gap_days:
            row["action"] = "wait"
        else:
            nxt = DUNNING_STAGES[min(by_days, done + 1)]
            options = fmts[nxt]
            used = last_in_stage.get((cid, nxt))
            start = options.index(used) + 1 if used in options else 0
            ordered = options[start:] + options[:start]
            choice = next(f for f in ordered if f != row["last_format"])
            row.update(action="send", stage=nxt, letter_format=choice)
        rows.append(row)
    out = pd.concat([per.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["last_sent_at"] = pd.to_datetime(out["last_sent_at"]).astype("datetime64[ns]")
    rank = out["action"].map({"send": 0, "wait": 1, "handed_over": 2})
    out = out.assign(_r=rank).sort_values(["_r", "max_days_overdue", "customer_id"],
                                          ascending=[True, False, True], kind="stable")
    return out[columns].reset_index(drop=True)


def simulate_dunning(invoices: pd.DataFrame, *, as_of, weeks: int = 12,
                     stage_days=(1, 15, 30, 60), formats: dict | None = None,
                     min_gap_days: int = 10) -> pd.DataFrame:
    """A letter log as if :func:`dunning_plan` had been run every week and followed.

    Useful to demonstrate the sequence, or to start a log, when a client keeps
    no record of the letters sent: runs the plan on each of the ``weeks``
    weeks before ``as_of`` (not on ``as_of`` itself), each run seeing the
    letters of the runs before it.

    Returns
    -------
    DataFrame
        The log, oldest first: ``customer_id``, ``sent_at``, ``stage``,
        ``letter_format`` (the ``history`` input of :func:`dunning_plan`).
    """
    if not (isinstance(weeks, int) and weeks >= 0):
        raise ParameterError(f"weeks must be a whole number >= 0; got {weeks!r}",
                             parameter="weeks", allowed=">= 0", value=weeks)
    when = _as_of(as_of).normalize()
    history = _history(None)
    for k in range(weeks, 0, -1):
        day = when - pd.Timedelta(days=7 * k)
        plan = dunning_plan(invoices, as_of=day, history=history, stage_days=stage_days,
                            formats=formats, min_gap_days=min_gap_days)
        sent = plan[plan["action"] == "send"]
        if len(sent):
            new = pd.DataFrame({"customer_id": sent["customer_id"].to_numpy(),
                                "sent_at": day, "stage": sent["stage"].to_numpy(),
                                "letter_format": sent["letter_format"].to_numpy()})
            history = pd.concat([history, new], ignore_index=True)
    history["sent_at"] = history["sent_at"].astype("datetime64[ns]")
    return history


def dunning_view(plan: pd.DataFrame, *, language: str = "es") -> pd.DataFrame:
    """A :func:`dunning_plan` for reading: stages and actions in words, invoices counted.

    Returns
    -------
    DataFrame
        ``customer_id``, ``n_overdue_invoices``, ``overdue_amount``,
        ``max_days_overdue``, ``oldest_due_at``, ``last_stage_sent``,
        ``last_sent_at``, ``action_label``, ``stage`` and ``letter_format``,
        with stages and actions as reader labels.
    """
    check_language(language)

    def stage(v):
        return t(f"collections.stage.{v}", language) if isinstance(v, str) else v

    view = plan[["customer_id", "n_overdue_invoices", "overdue_amount", "max_days_overdue",
                 "oldest_due_at", "last_stage_sent", "last_sent_at", "action", "stage",
                 "letter_format"]]
    view = view.rename(columns={"action": "action_label"})
    return view.assign(
        last_stage_sent=view["last_stage_sent"].map(stage).astype(object),
        stage=view["stage"].map(stage).astype(object),
        action_label=view["action_label"].map(lambda a: t(f"collections.action.{a}", language)),
        oldest_due_at=pd.to_datetime(view["oldest_due_at"]).dt.strftime("%Y-%m-%d"),
        last_sent_at=pd.to_datetime(view["last_sent_at"]).dt.strftime("%Y-%m-%d"))


def dunning_letters(plan: pd.DataFrame, customers: pd.DataFrame, *, as_of, language: str = "es",
                    sender: str = "", templates=None, currency: str = "") -> pd.DataFrame:
    """Render the collection letter of every customer whose ``action`` is ``send``.

    Parameters
    ----------
    plan : DataFrame
        Result of :func:`dunning_plan`.
    customers : DataFrame
        Contract ``customers``; the first non-empty ``name`` per
        ``customer_id`` addresses the letter (a customer without one is a
        :class:`DataError` naming them).
    as_of : date
        Date printed on the letters.
    language : {"es", "en"}
    sender : str
        Company signing the letters.
    templates : str or path, optional
        Folder of letter templates overriding the packaged ones (see
        :func:`crmlib.personalize.render_letters`).
    currency : str
        Symbol or code printed after amounts.

    Returns
    -------
    DataFrame
        As :func:`crmlib.personalize.render_letters`: ``customer_id``,
        ``letter`` (the format), ``language``, ``html``.
    """
    from crmlib.personalize import customer_names, render_letters

    send = plan[plan["action"] == "send"]
    if send.empty:
        return pd.DataFrame(columns=["customer_id", "letter", "language", "html"])
    names = customer_names(customers)
    recipients = send.merge(names, on="customer_id", how="left").assign(
        letter=send["letter_format"].to_numpy(),
        overdue_amount=send["overdue_amount"].round(2).to_numpy(),
        oldest_due_at=send["oldest_due_at"].dt.strftime("%Y-%m-%d").to_numpy())
    context = {"sender": sender, "date": _as_of(as_of).strftime("%Y-%m-%d"),
               "currency": currency}
    return render_letters(recipients, language=language, templates=templates, context=context)


def key_figures(aging: pd.DataFrame, dso: pd.DataFrame,
                risk: pd.DataFrame | None = None) -> dict:
    """Key receivables figures as a plain dict for the results file.

    Keys: ``n_customers`` (with an open balance), ``receivables``, ``overdue``,
    ``overdue_share``, ``dso_days`` and, with ``risk``, ``n_high_risk``,
    ``n_medium_risk``.
    """
    d = dso.iloc[0]
    out = {"n_customers": len(aging), "receivables": float(d["receivables"]),
           "overdue": float(d["overdue"]), "overdue_share": float(d["overdue_share"]),
           "dso_days": float(d["dso_days"])}
    if risk is not None:
        out["n_high_risk"] = int((risk["risk"] == "high").sum())
        out["n_medium_risk"] = int((risk["risk"] == "medium").sum())
    return out


def history_note(history: pd.DataFrame, *, simulated_weeks: int = 0,
                 language: str = "es") -> str:
    """One sentence saying where the letter log comes from and how long it is."""
    key = "collections.history.simulated" if simulated_weeks else "collections.history.given"
    return t(key, language, n=len(history), weeks=simulated_weeks)


def letters_note(letters: pd.DataFrame, written: pd.DataFrame, language: str = "es") -> str:
    """One sentence: how many letters were prepared and whether they were written."""
    key = "collections.letters.written" if len(written) else "collections.letters.not_written"
    return t(key, language, n=len(letters), n_written=len(written))


def headline(aging: pd.DataFrame, dso: pd.DataFrame, language: str = "es") -> str:
    """One sentence on the receivables: balance, share overdue, over 90 days, DSO."""
    total = float(aging["open_balance"].sum())
    buckets = [c for c in aging.columns if _BUCKET.match(str(c)) and c != "not_due"]
    days_cols = [c for c in buckets if c.startswith("over_") or int(c.split("_")[-1]) > 90]
    old = float(aging[days_cols].sum().sum()) if days_cols else 0.0
    d = dso.iloc[0]
    amount = f"{total:,.0f}"
    if language == "es":
        amount = amount.replace(",", ".")
    return t("collections.headline", language, total=amount,
             overdue=_pct(d["overdue_share"]), old=_pct(old / total if total else np.nan),
             dso="-" if pd.isna(d["dso_days"]) else f"{d['dso_days']:.0f}",
             n=len(aging))


def _pct(x) -> str:
    return "-" if pd.isna(x) else f"{100 * float(x):.0f} %"
