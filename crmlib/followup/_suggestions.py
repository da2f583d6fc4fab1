"""The suggestion box (source 001, tool 1): every suggestion a customer left, whether
it was answered and how fast, and what was done with it.

Suggestions are the ``interactions`` of kind ``suggestion``; the optional table
``suggestion_actions`` records the decision on each (adopted, planned, declined,
under review) and when the customer was told.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.followup._base import _need

ACTIONS = ("adopted", "planned", "declined", "under_review", "not_recorded")


def suggestion_table(interactions: pd.DataFrame, actions: pd.DataFrame | None = None, *,
                     as_of=None) -> pd.DataFrame:
    """One row per suggestion: answered or open, days to answer, what was done.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions`` (needs ``kind``); rows of other kinds are left out.
    actions : DataFrame, optional
        Contract ``suggestion_actions``.
    as_of : date-like, optional
        Reference date for the age of open suggestions; default the last contact opened.

    Returns
    -------
    DataFrame
        By ``opened_at`` then ``interaction_id``: ``interaction_id``, ``customer_id``,
        ``opened_at``, ``category`` (empty without one), ``answered_at`` (the decision's
        date when recorded, else ``closed_at``), ``status`` (``answered`` | ``open``),
        ``days_to_answer`` (empty while open), ``days_open`` (age at ``as_of`` while
        open), ``decision`` (the ``action`` of ``suggestion_actions``, one of
        :data:`ACTIONS`; ``not_recorded`` when no decision is on file), ``note``.
    """
    df = _need(interactions, "interactions", ("interaction_id", "opened_at", "kind"))
    df = df[df["kind"] == "suggestion"].copy()
    when = pd.Timestamp(as_of) if as_of is not None else \
        pd.to_datetime(interactions["opened_at"]).max()
    out = pd.DataFrame({
        "interaction_id": df["interaction_id"].astype(str),
        "customer_id": df.get("customer_id", None),
        "opened_at": pd.to_datetime(df["opened_at"]),
        "category": df.get("category", None),
        "closed_at": pd.to_datetime(df["closed_at"]) if "closed_at" in df else pd.NaT,
    })
    out["decision"], out["note"], out["decided_at"] = "not_recorded", None, pd.NaT
    if actions is not None:
        a = _need(actions, "suggestion_actions", ("interaction_id", "action"))
        a = a.set_index(a["interaction_id"].astype(str))
        out["decision"] = out["interaction_id"].map(a["action"]).fillna("not_recorded")
        if "note" in a:
            out["note"] = out["interaction_id"].map(a["note"])
        if "answered_at" in a:
            out["decided_at"] = pd.to_datetime(out["interaction_id"].map(a["answered_at"]))
    out["answered_at"] = out["decided_at"].where(out["decided_at"].notna(), out["closed_at"])
    out["answered_at"] = out["answered_at"].where(out["answered_at"] <= when)
    answered = out["answered_at"].notna()
    out["status"] = np.where(answered, "answered", "open")
    out["days_to_answer"] = (out["answered_at"] - out["opened_at"]).dt.total_seconds() / 86400
    out["days_open"] = ((when - out["opened_at"]).dt.total_seconds() / 86400).where(~answered)
    out = out.sort_values(["opened_at", "interaction_id"], kind="stable")
    return out[["interaction_id", "customer_id", "opened_at", "category", "answered_at",
                "status", "days_to_answer", "days_open", "decision", "note"]
               ].reset_index(drop=True)


def suggestion_summary(table: pd.DataFrame) -> pd.DataFrame:
    """What was done with the suggestions: count, share and answer time per action.

    Parameters
    ----------
    table : DataFrame
        From :func:`suggestion_table`.

    Returns
    -------
    DataFrame
        One row per decision present, in :data:`ACTIONS` order: ``decision``,
        ``n_suggestions``, ``share``, ``n_open``, ``median_days_to_answer``.
    """
    df = _need(table, "suggestion table", ("decision", "status", "days_to_answer"))
    rows = []
    for action in ACTIONS:
        sub = df[df["decision"] == action]
        if sub.empty:
            continue
        rows.append({"decision": action, "n_suggestions": len(sub), "share": len(sub) / len(df),
                     "n_open": int((sub["status"] == "open").sum()),
                     "median_days_to_answer": float(sub["days_to_answer"].median())
                     if sub["days_to_answer"].notna().any() else np.nan})
    return pd.DataFrame(rows, columns=["decision", "n_suggestions", "share", "n_open",
                                       "median_days_to_answer"])


def open_suggestions(table: pd.DataFrame) -> pd.DataFrame:
    """The suggestions still waiting for an answer, oldest first.

    Takes :func:`suggestion_table`; returns ``interaction_id``, ``customer_id``,
    ``opened_at``, ``category``, ``days_open``, ``decision``.
    """
    df = _need(table, "suggestion table", ("status", "days_open"))
    out = df[df["status"] == "open"].sort_values(["days_open", "interaction_id"],
                                                 ascending=[False, True], kind="stable")
    return out[["interaction_id", "customer_id", "opened_at", "category", "days_open",
                "decision"]].reset_index(drop=True)
