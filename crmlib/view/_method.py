"""The segments stage's verdicts in the customer view: needs segment, share of wallet,
funnel step and customer type (:mod:`crmlib.segment`)."""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import DataError, DataProblem

#: Columns this join adds, each only when its table is given.
METHOD_COLUMNS = {
    "segments": ("needs_segment",),
    "wallet": ("share_of_wallet", "wallet_gap", "wallet_source"),
    "funnel": ("funnel_step",),
    "customer_types": ("customer_type", "in_winback_window"),
}
_SOURCE = {"segments": {"segment": "needs_segment"}, "wallet": {}, "funnel": {},
           "customer_types": {}}


def join_method(view: pd.DataFrame, *, segments: pd.DataFrame | None = None,
                wallet: pd.DataFrame | None = None, funnel: pd.DataFrame | None = None,
                customer_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """``view`` with the columns of :data:`METHOD_COLUMNS` for every table given.

    ``segments`` (:meth:`crmlib.segment.NeedsSegmentation.segments`), ``wallet``
    (:func:`crmlib.segment.share_of_wallet`), ``funnel`` (:func:`crmlib.segment.funnel_steps`)
    and ``customer_types`` (:func:`crmlib.segment.customer_types`) are joined on
    ``customer_id``; a customer missing from a table gets an empty cell (no segment: did not
    answer the survey; no share of wallet: bought nothing in the window). Rows and order of
    ``view`` are kept.
    """
    out = view.copy()
    given = {"segments": segments, "wallet": wallet, "funnel": funnel,
             "customer_types": customer_types}
    for name, table in given.items():
        if table is None:
            continue
        src = {v: k for k, v in _SOURCE[name].items()}
        need = ["customer_id"] + [src.get(c, c) for c in METHOD_COLUMNS[name]]
        missing = [c for c in need if c not in table.columns]
        if missing:
            raise DataError([DataProblem(name, c, "is required to join the customer view but "
                                         "missing") for c in missing])
        part = table[need].drop_duplicates("customer_id").rename(columns=_SOURCE[name])
        part = part.assign(customer_id=part["customer_id"].astype(str))
        out = out.drop(columns=[c for c in METHOD_COLUMNS[name] if c in out.columns])
        out = out.merge(part, on="customer_id", how="left")
    seg = out.get("needs_segment")
    if seg is not None and pd.api.types.is_float_dtype(seg) and \
            (seg.dropna() == seg.dropna().round()).all():
        # a customer who did not answer has no segment: the numbers stay whole (1, not 1.00)
        out["needs_segment"] = seg.astype("Int64")
    out.attrs.update(view.attrs)
    return out


def method_view(customer_types: pd.DataFrame, *, segments: pd.DataFrame | None = None,
                wallet: pd.DataFrame | None = None,
                funnel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every customer of :func:`crmlib.segment.customer_types` (prospects included) with
    the segments stage's verdicts: ``customer_id``, ``name`` and the columns of
    :data:`METHOD_COLUMNS` for the tables given."""
    base = customer_types[["customer_id", "name"]]
    return join_method(base, segments=segments, wallet=wallet, funnel=funnel,
                       customer_types=customer_types)
