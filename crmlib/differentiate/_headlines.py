"""Sentences and readable tables for the Differentiate notebook and report.

Each ``*_headline`` turns a result table into one sentence in ``es`` or
``en`` (texts in the i18n catalog); :func:`readable` formats dates and shares
of any result table for reading, keeping the canonical column names.
"""

from __future__ import annotations

import math

import pandas as pd


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
