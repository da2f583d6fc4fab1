"""Collections results for reading: key figures and one-sentence notes.

Small functions that turn the aging, DSO, risk and dunning tables into what a
notebook says first and what the results file records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.collections._aging import _BUCKET
from crmlib.i18n import t


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


def headline(aging: pd.DataFrame, dso: pd.DataFrame, language: str = "es", *,
             currency: str | None = None) -> str:
    """One sentence on the receivables: balance, share overdue, over 90 days, DSO.

    ``currency`` (ISO 4217) writes the balance with its symbol; without it, a plain number.
    """
    total = float(aging["open_balance"].sum())
    buckets = [c for c in aging.columns if _BUCKET.match(str(c)) and c != "not_due"]
    days_cols = [c for c in buckets if c.startswith("over_") or int(c.split("_")[-1]) > 90]
    old = float(aging[days_cols].sum().sum()) if days_cols else 0.0
    from crmlib.i18n import format_currency, format_duration, format_percent

    d = dso.iloc[0]
    return t("collections.headline", language,
             total=format_currency(total, language, currency=currency),
             overdue=format_percent(d["overdue_share"], language),
             old=format_percent(old / total if total else np.nan, language),
             old_days=format_duration(90, "days", language),
             dso=format_duration(round(float(d["dso_days"])) if pd.notna(d["dso_days"])
                                 else np.nan, "days", language),
             n=len(aging))
