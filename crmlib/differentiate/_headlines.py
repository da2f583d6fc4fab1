"""Sentences and readable tables for the Differentiate notebook and report.

Each ``*_headline`` turns a result table into one sentence in ``es`` or
``en`` (texts in the i18n catalog, values written by the i18n formatting
layer); :func:`readable` writes every cell of a result table for reading,
keeping the canonical column names for the headers.
"""

from __future__ import annotations

import math

import pandas as pd


def summary_headline(summary: pd.DataFrame, language: str = "es", *,
                     currency: str | None = None) -> str:
    """One sentence on a :func:`customer_summary`: customers, repeat buyers, net value.

    ``currency`` (ISO 4217, e.g. ``"EUR"``) writes the value with its symbol;
    without it the value is a plain number.
    """
    from crmlib.i18n import t

    n = len(summary)
    n_repeat = int((summary["frequency"] > 0).sum())
    from crmlib.i18n import format_currency

    return t("differentiate.summary.headline", language, n_customers=n, n_repeat=n_repeat,
             repeat_share=n_repeat / n if n else 0,
             total=format_currency(float(summary["monetary"].sum()), language,
                                   currency=currency))


def pareto_headline(summary: pd.Series, language: str = "es") -> str:
    """The "x % of customers bring 80 % of the value" sentence, from :func:`pareto_summary`."""
    from crmlib.i18n import t

    return t("differentiate.pareto.headline", language,
             customer_share=summary["customer_share_for_value"],
             value_share=summary["value_share"], best=0.20, top20=summary["value_share_of_top"],
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
                       language: str = "es", currency: str | None = None) -> str:
    """Sentence on how many customers decline and the annual value at risk."""
    from crmlib.i18n import t

    value = float(decliners_table["value_at_risk_annual"].sum()) if len(decliners_table) else 0.0
    from crmlib.i18n import format_currency

    return t("differentiate.decliners.headline", language, n=len(decliners_table),
             threshold=threshold, value=format_currency(value, language, currency=currency))


def clv_headline(clv: pd.DataFrame, *, horizon: float, language: str = "es",
                 currency: str | None = None) -> str:
    """Sentence on the portfolio's expected value and its concentration (from ``clv_table``)."""
    from crmlib.i18n import t

    total = float(clv["clv"].sum())
    k = max(1, math.ceil(0.10 * len(clv)))
    top10 = float(clv["clv"].head(k).sum()) / total if total > 0 else 0.0
    from crmlib.i18n import format_currency, format_duration

    return t("differentiate.clv.headline", language,
             horizon=format_duration(horizon, "months", language),
             total=format_currency(total, language, currency=currency), top=0.10,
             top10=top10)


_PERCENT_COLUMNS = ("share", "cum_share", "cum_customer_share", "customer_share", "value_share",
                    "retention_rate", "churn_rate", "retention", "p_alive", "clv_share")


def readable(table: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """A copy of a result table for reading, every cell written in ``language``.

    Counts without decimals and with thousands separators, measures with two
    decimals, shares and rates (``share``, ``cum_share``, ``customer_share``,
    ``value_share``, ``retention_rate``, ``churn_rate``, ``retention``,
    ``p_alive``, ``clv_share``) as percentages, dates in the short form, yes/no
    for flags, segment, lifecycle, RFM variable and method codes as labels (a
    code column gives way to its ``*_label`` column). Column names stay
    canonical so ``report.show`` can translate the headers, except the
    BG/NBD ``recency`` and ``T`` of a :func:`customer_summary`, whose headers
    carry the summary's time unit (``Recencia (días)``).
    """
    from crmlib.i18n import format_table, t

    formats = {c: "percent" for c in _PERCENT_COLUMNS if c in table.columns}
    out = format_table(table, language, formats=formats, headers=False)
    unit = table.attrs.get("time_unit")
    if unit in ("D", "W", "M"):
        words = t(f"differentiate.unit.{unit}", language)
        out = out.rename(columns={
            c: t(f"differentiate.header.{c}", language, unit=words)
            for c in ("recency", "T") if c in out.columns})
    return out
