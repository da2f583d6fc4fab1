"""Mystery shoppers (source 001, tool 4, "compradores espía"): people hired to act as
customers through a whole service cycle report, item by item of a checklist, what
they found. Compliance is the share of checklist items met, per site, item or visit.
"""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import check_choice
from crmlib.followup._base import _need, wilson_interval
from crmlib.instruments import load_instrument

_BY = ("site", "item", "visit")


def mystery_compliance(visits: pd.DataFrame, *, by: str = "site",
                       instrument="mystery-shopper", language: str = "es",
                       ci: float = 0.95) -> pd.DataFrame:
    """Checklist compliance per site, item or visit.

    Parameters
    ----------
    visits : DataFrame
        Contract ``mystery_shopper``; empty ``compliant`` cells (item not observed) are
        left out.
    by : {"site", "item", "visit"}, default "site"
    instrument : str, path or Instrument, default "mystery-shopper"
        The checklist: names each item's area (``dimension``) and text.
    language : {"es", "en"}
        Language of the item text (``by="item"``).
    ci : float, default 0.95
        Confidence level of the Wilson interval of the compliance share.

    Returns
    -------
    DataFrame
        ``by="site"``: ``site``, ``n_visits``; ``by="item"``: ``dimension``, ``item``
        (its text; the id when the checklist does not know it), ``n_visits``;
        ``by="visit"``: ``visit_id``, ``site``, ``visited_at``; then ``n_checks``,
        ``n_met``, ``compliance_rate``, ``ci_low_rate``, ``ci_high_rate`` (Wilson interval). Sites and visits by
        compliance ascending (the weakest first), items in checklist order.
    """
    check_choice("by", by, _BY)
    df = _need(visits, "mystery_shopper", ("visit_id", "site", "item_id", "compliant"))
    df = df[df["compliant"].notna()].copy()
    df["_met"] = df["compliant"].astype(bool)
    inst = load_instrument(instrument)
    items = inst.items.set_index("item_id")
    if by == "site":
        keys, front = ["site"], lambda g: {"n_visits": g["visit_id"].nunique()}
    elif by == "visit":
        if "visited_at" not in df.columns:
            df["visited_at"] = pd.NaT
        keys, front = ["visit_id", "site", "visited_at"], lambda g: {}
    else:
        keys, front = ["item_id"], lambda g: {"n_visits": g["visit_id"].nunique()}
    rows = []
    for key, g in df.groupby(keys, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        met, n = int(g["_met"].sum()), len(g)
        lo, hi = wilson_interval(met, n, ci)
        row = dict(zip(keys, key))
        if by == "item":
            iid = row.pop("item_id")
            known = iid in items.index
            row = {"dimension": items.at[iid, "dimension"] if known else None,
                   "item": items.at[iid, f"text_{language}"] if known else iid,
                   "_o": inst.item_ids.index(iid) if known else len(items)}
        row.update(front(g))
        row.update({"n_checks": n, "n_met": met, "compliance_rate": met / n, "ci_low_rate": lo,
                    "ci_high_rate": hi})
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    if by == "item":
        out = out.sort_values(["_o", "item"], kind="stable").drop(columns="_o")
    else:
        out = out.sort_values(["compliance_rate"] + keys[:1], kind="stable")
    return out.reset_index(drop=True)
