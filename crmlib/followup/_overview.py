"""The programme overview: which follow-up tools the client uses, how often, and what
each one found, one row per tool of source 001's list (plus the soft indicators)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import check_language, format_count, format_number, format_percent, t

#: The tools of the follow-up programme, in source 001's order, then the soft indicators.
TOOLS = ("suggestion_box", "panel", "survey", "mystery_shopper", "lost_customers",
         "post_transaction", "critical_incidents", "soft_indicators")

#: The table each tool leaves (what :func:`programme_overview` reads) and its date column.
TOOL_TABLES = {
    "suggestion_box": ("interactions", "opened_at"),
    "panel": (None, None),
    "survey": ("servqual_responses", None),
    "mystery_shopper": ("mystery_shopper", "visited_at"),
    "lost_customers": ("lost_customers", "lost_at"),
    "post_transaction": ("post_transaction_survey", "answered_at"),
    "critical_incidents": ("critical_incidents", "reported_at"),
    "soft_indicators": ("soft_indicators", None),
}


def _records(tool: str, df: pd.DataFrame) -> pd.DataFrame:
    if tool == "suggestion_box":
        return df[df["kind"] == "suggestion"] if "kind" in df else df.iloc[0:0]
    if tool == "mystery_shopper":
        return df.drop_duplicates("visit_id")
    if tool in ("survey", "soft_indicators"):
        return df.drop_duplicates("respondent_id")
    return df


def programme_overview(tables: dict, *, findings: dict | None = None,
                       language: str = "es") -> pd.DataFrame:
    """Which tools are in use, how many records each left, how often, what it found.

    Parameters
    ----------
    tables : dict
        ``{table name: DataFrame or None}`` as :class:`crmlib.stages.StageData` holds
        them (``interactions``, ``servqual_responses``, ``mystery_shopper``,
        ``lost_customers``, ``post_transaction_survey``, ``critical_incidents``,
        ``soft_indicators``).
    findings : dict, optional
        ``{tool: sentence}``: what each tool found, as the notebook worked it out
        (:func:`finding` makes these sentences); a tool in use without one gets none.
    language : {"es", "en"}

    Returns
    -------
    DataFrame
        One row per tool of :data:`TOOLS`: ``tool``, ``used``, ``n_records``
        (suggestions, respondents, visits, lost customers, answers or reports),
        ``first_at``, ``last_at`` (empty when the records carry no date),
        ``per_month`` (records per month between the first and last date),
        ``finding`` (the sentence, or what would unlock the tool when unused).
    """
    check_language(language)
    findings = findings or {}
    rows = []
    for tool in TOOLS:
        table, date_col = TOOL_TABLES[tool]
        df = tables.get(table) if table else None
        recs = _records(tool, df) if df is not None else None
        used = recs is not None and len(recs) > 0
        row = {"tool": tool, "used": used, "n_records": len(recs) if used else 0,
               "first_at": pd.NaT, "last_at": pd.NaT, "per_month": np.nan}
        if used and date_col and date_col in recs:
            dates = pd.to_datetime(recs[date_col]).dropna()
            if len(dates):
                row["first_at"], row["last_at"] = dates.min(), dates.max()
                months = max((dates.max() - dates.min()).days / 30.4375, 1.0)
                row["per_month"] = len(dates) / months
        if used:
            row["finding"] = findings.get(tool, "")
        else:
            row["finding"] = t(f"followup.unlock.{tool}", language)
        rows.append(row)
    return pd.DataFrame(rows)


def finding(tool: str, result: pd.DataFrame, language: str = "es") -> str:
    """One sentence with what a tool's result table says.

    ``result`` is the table the notebook shows for the tool: :func:`suggestion_summary`
    (suggestion box), :func:`lost_reasons_table` (lost customers), :func:`survey_scores`
    by touchpoint (post-transaction), :func:`incident_table` (critical incidents),
    :func:`mystery_compliance` by site (mystery shopper), :func:`servperf_table`
    (soft indicators and the survey). An empty table gives an empty sentence.
    """
    check_language(language)
    if result is None or len(result) == 0:
        return ""
    key = f"followup.finding.{tool}"
    if tool == "suggestion_box":
        adopted = result.loc[result["decision"].isin(["adopted", "planned"]),
                             "n_suggestions"].sum()
        total = result["n_suggestions"].sum()
        return t(key, language, n=format_count(total, language),
                 share=format_percent(adopted / total, language))
    if tool == "lost_customers":
        top = result.sort_values(["n_customers", "reason_category"],
                                 ascending=[False, True]).iloc[0]
        from crmlib.i18n import value_label
        return t(key, language, n=format_count(result["n_customers"].sum(), language),
                 reason=value_label("reason_category", top["reason_category"], language),
                 share=format_percent(top["customer_share"], language))
    if tool == "post_transaction":
        worst = result.sort_values(["mean_score", "touchpoint"]).iloc[0]
        return t(key, language, touchpoint=str(worst["touchpoint"]),
                 score=format_number(worst["mean_score"], language, decimals=2),
                 share=format_percent(worst["share_below"], language))
    if tool == "critical_incidents":
        neg = result[result["valence"] == "negative"]
        if neg.empty:
            return t("followup.finding.critical_incidents_none", language)
        top = neg.iloc[0]
        return t(key, language, category=str(top["category"]),
                 share=format_percent(top["share"], language))
    if tool == "mystery_shopper":
        worst = result.iloc[0]
        return t(key, language, site=str(worst["site"]),
                 share=format_percent(worst["compliance_rate"], language))
    if tool in ("soft_indicators", "survey"):
        dims = result[result["dimension"] != "all"].sort_values(["score", "dimension"])
        if dims.empty:
            return ""
        from crmlib.i18n import code_label
        d = dims.iloc[0]
        name = code_label("dimension", d["dimension"], language) or str(d["dimension"])
        return t("followup.finding.soft_indicators", language, dimension=name,
                 score=format_number(d["score"], language, decimals=2))
    return ""


def unlock_sentence(tool: str, language: str = "es") -> str:
    """What a client would add to get the section of ``tool`` (one of :data:`TOOLS`,
    ``"recovery"`` or ``"suggestion_actions"``), naming the file to add."""
    check_language(language)
    return t(f"followup.unlock.{tool}", language)


def value_view(transactions: pd.DataFrame | None, *, customers: pd.DataFrame | None = None,
               interactions: pd.DataFrame | None = None, as_of=None, needed: bool = True,
               language: str = "es") -> pd.DataFrame | None:
    """The customer view the follow-up lists read their values from (None without sales).

    :func:`crmlib.view.customer_view` with its defaults (value on the last 365 days,
    all-time value and class, CLV): the lost customers worth recovering and the
    follow-up calls are ranked on the same values every other stage uses. ``needed``
    False (no list to rank) skips the work and returns None.
    """
    if transactions is None or not needed:
        return None
    from crmlib.view import customer_view

    return customer_view(transactions, customers=customers, interactions=interactions,
                         as_of=as_of, language=language)
