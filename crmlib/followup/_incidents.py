"""Critical incident studies (source 001, tool 7): customers tell the stories of
service contacts that pleased or annoyed them; the reports are classified as
positive or negative and by category, counted, and a few examples kept per category.
"""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.followup._base import _need


def incident_table(incidents: pd.DataFrame, *, examples: int = 2) -> pd.DataFrame:
    """Counts and examples of critical incidents per valence and category.

    Parameters
    ----------
    incidents : DataFrame
        Contract ``critical_incidents``.
    examples : int, default 2
        Distinct stories kept per category (the most recent first when ``reported_at`` is
        given, else in file order).

    Returns
    -------
    DataFrame
        One row per valence and category, negative first, then by count descending and
        category: ``valence``, ``category``, ``n_reports``, ``share`` (of the reports of
        that valence), ``examples`` (the stories joined by `` / ``; empty without a
        ``description`` column).
    """
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ParameterError(f"examples must be a whole number >= 0; got {examples!r}",
                             parameter="examples", value=examples)
    df = _need(incidents, "critical_incidents", ("valence", "category"))
    df["_order"] = range(len(df))
    if "reported_at" in df.columns:
        df = df.sort_values(["reported_at", "_order"], ascending=[False, True],
                            na_position="last", kind="stable")
    has_text = "description" in df.columns
    rows = []
    for valence in ("negative", "positive"):
        sub = df[df["valence"] == valence]
        total = len(sub)
        for category, g in sub.groupby(sub["category"].astype(str), sort=True):
            text = ""
            if has_text and examples:
                stories = list(dict.fromkeys(str(s) for s in g["description"].dropna()))[:examples]
                text = " / ".join(stories)
            rows.append({"valence": valence, "category": category, "n_reports": len(g),
                         "share": len(g) / total, "examples": text})
    out = pd.DataFrame(rows, columns=["valence", "category", "n_reports", "share", "examples"])
    out["_v"] = out["valence"].map({"negative": 0, "positive": 1})
    out = out.sort_values(["_v", "n_reports", "category"], ascending=[True, False, True],
                          kind="stable")
    return out.drop(columns="_v").reset_index(drop=True)


def incident_balance(incidents: pd.DataFrame) -> pd.DataFrame:
    """Positive and negative reports per category side by side.

    Returns
    -------
    DataFrame
        One row per category, by total descending then category: ``category``,
        ``n_positive``, ``n_negative``, ``n_reports``, ``negative_share``.
    """
    df = _need(incidents, "critical_incidents", ("valence", "category"))
    counts = pd.crosstab(df["category"].astype(str), df["valence"])
    out = pd.DataFrame({
        "category": counts.index,
        "n_positive": counts["positive"].to_numpy() if "positive" in counts else 0,
        "n_negative": counts["negative"].to_numpy() if "negative" in counts else 0,
    })
    out["n_reports"] = out["n_positive"] + out["n_negative"]
    out["negative_share"] = out["n_negative"] / out["n_reports"]
    return out.sort_values(["n_reports", "category"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
