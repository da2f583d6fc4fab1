"""The loyalty funnel (the "inverted pyramid" of source 003): each customer placed on the
steps of the loyalty-building process from the data that evidence each step.

register -> identify -> differentiate -> interact -> segment -> personalize -> build
loyalty -> grow the share ("rentabilice"). A customer reaches a step when the data show
that step *and* every step before it, so each step is a subset of the one before and the
counts can only fall. The seeds name the steps; what counts as evidence of each is the
workbook's reading, stated in :data:`EVIDENCE` and in the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.segment._base import _fraction, _positive_int, _tx

#: The steps in order (codes; labels in the catalog ``value.funnel_step.<code>``).
STEPS = ("registered", "identified", "differentiated", "interacted", "segmented",
         "personalized", "loyal", "growing_share")

#: What the workbook takes as evidence of each step.
EVIDENCE = {
    "registered": "a record in one of the client's customer files",
    "identified": "a card: a name and an e-mail or a phone",
    "differentiated": "net purchases above zero, so the customer is ranked by value",
    "interacted": "at least one contact in the interactions file",
    "segmented": "a needs segment (answered the needs questionnaire or has the attributes)",
    "personalized": "a purchase within followup_days after a contact",
    "loyal": "bought on loyal_min_purchases days or more in the last active_days, and is "
             "not a decliner",
    "growing_share": "share of wallet at or above share_threshold",
}


def funnel_steps(base: pd.DataFrame, transactions: pd.DataFrame, *,
                 interactions: pd.DataFrame | None = None,
                 segments: pd.DataFrame | None = None, wallet: pd.DataFrame | None = None,
                 as_of=None, active_days: int = 365, loyal_min_purchases: int = 2,
                 followup_days: int = 90, share_threshold: float = 0.5,
                 decliners=None) -> pd.DataFrame:
    """Each customer's position on the loyalty funnel.

    Parameters
    ----------
    base : DataFrame
        :func:`customer_base`: ``customer_id``, ``registered``, ``identified``.
    transactions : DataFrame
        Contract ``transactions``.
    interactions : DataFrame, optional
        Contract ``interactions``; without it no customer shows an interaction.
    segments : DataFrame, optional
        ``customer_id``, ``segment``; without it no customer is segmented.
    wallet : DataFrame, optional
        :func:`share_of_wallet`; without it no customer shows a growing share.
    active_days, loyal_min_purchases : int
        Loyal: purchases on at least ``loyal_min_purchases`` distinct days within the last
        ``active_days`` days.
    decliners : iterable of customer ids, optional
        Customers whose purchases fell (the customer view's ``is_decliner``, as notebook 04
        reads them): they do not count as loyal, whatever their purchase days, so the
        funnel never calls loyal a customer the plan visits because they buy less.
    followup_days : int, default 90
        Personalized: a purchase within this many days after a contact.
    share_threshold : float, default 0.5
        Growing share: the client holds at least this share of the customer's wallet
        (source 003: more than the customer buys from the competition).

    Returns
    -------
    DataFrame
        ``customer_id``, one boolean column per step of :data:`STEPS` (each True only when
        the one before is), and ``funnel_step``: the last step reached (``none`` when not
        even registered).
    """
    active_days = _positive_int("active_days", active_days)
    loyal_min_purchases = _positive_int("loyal_min_purchases", loyal_min_purchases)
    followup_days = _positive_int("followup_days", followup_days)
    share_threshold = _fraction("share_threshold", share_threshold)
    tx, stamp = _tx(transactions, "funnel_steps", as_of)
    ids = base["customer_id"].astype(str)
    daily = tx.assign(day=tx["date"].dt.normalize()).groupby(
        ["customer_id", "day"])["amount"].sum().reset_index()
    bought = daily[daily["amount"] > 0]
    value = tx.groupby("customer_id")["amount"].sum()
    recent = bought[bought["day"] > stamp - pd.Timedelta(days=active_days)]
    n_recent = recent.groupby("customer_id").size()

    contacted = set()
    personalized = set()
    if interactions is not None and len(interactions):
        it = interactions.dropna(subset=["customer_id"])
        it = it.assign(customer_id=it["customer_id"].astype(str))
        if "opened_at" in it.columns:
            it = it[pd.to_datetime(it["opened_at"]) <= stamp + pd.Timedelta(days=1)]
        contacted = set(it["customer_id"])
        if "opened_at" in it.columns and len(it):
            first = it.assign(day=pd.to_datetime(it["opened_at"]).dt.normalize())[
                ["customer_id", "day"]].rename(columns={"day": "contact"})
            pair = first.merge(bought[["customer_id", "day"]], on="customer_id")
            gap = (pair["day"] - pair["contact"]).dt.days
            personalized = set(pair.loc[(gap > 0) & (gap <= followup_days), "customer_id"])
    seg = set() if segments is None else set(segments["customer_id"].astype(str))
    falling = set() if decliners is None else {str(c) for c in decliners}
    grow = set()
    if wallet is not None:
        grow = set(wallet.loc[wallet["share_of_wallet"] >= share_threshold,
                              "customer_id"].astype(str))

    evidence = {
        "registered": base["registered"].astype(bool).to_numpy(),
        "identified": base["identified"].astype(bool).to_numpy(),
        "differentiated": (ids.map(value).fillna(0) > 0).to_numpy(),
        "interacted": ids.isin(contacted).to_numpy(),
        "segmented": ids.isin(seg).to_numpy(),
        "personalized": ids.isin(personalized).to_numpy(),
        "loyal": ((ids.map(n_recent).fillna(0) >= loyal_min_purchases)
                  & ~ids.isin(falling)).to_numpy(),
        "growing_share": ids.isin(grow).to_numpy(),
    }
    out = pd.DataFrame({"customer_id": ids.to_numpy()})
    reached = np.ones(len(out), dtype=bool)
    last = np.full(len(out), "none", dtype=object)
    for step in STEPS:
        reached = reached & evidence[step]
        out[step] = reached
        last = np.where(reached, step, last)
    out["funnel_step"] = last
    return out


def funnel_table(steps: pd.DataFrame) -> pd.DataFrame:
    """Counts and conversion per step of :func:`funnel_steps`.

    Returns
    -------
    DataFrame
        One row per step of :data:`STEPS`: ``funnel_step``, ``n_customers``,
        ``share_of_first`` (of the customers registered), ``conversion_rate`` (of the step
        before; 1 for the first), ``n_lost`` (customers of the step before who do not reach
        this one; 0 for the first).
    """
    counts = [int(steps[s].sum()) for s in STEPS]
    first = counts[0]
    rows = []
    for i, (step, n) in enumerate(zip(STEPS, counts)):
        prev = counts[i - 1] if i else n
        rows.append({"funnel_step": step, "n_customers": n,
                     "share_of_first": n / first if first else 0.0,
                     "conversion_rate": (n / prev if prev else 0.0) if i else 1.0,
                     "n_lost": prev - n if i else 0})
    return pd.DataFrame(rows)


def funnel_loss(table: pd.DataFrame) -> pd.Series:
    """Where the client loses most customers: the step with the most customers lost from
    the step before (ties: the earlier step). ``funnel_step``, ``previous_step``,
    ``n_lost``, ``conversion_rate``."""
    t = table.iloc[1:]
    i = int(np.argmax(t["n_lost"].to_numpy()))
    row = t.iloc[i]
    prev = table["funnel_step"].iloc[i]
    return pd.Series({"funnel_step": row["funnel_step"], "previous_step": prev,
                      "n_lost": int(row["n_lost"]),
                      "conversion_rate": float(row["conversion_rate"])})
