"""Sentences of the segments report, in Spanish and English."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import (
    check_language,
    format_count,
    format_currency,
    format_date,
    format_number,
    format_percent,
    t,
)


def stability_sentence(summary: pd.Series, suggested: bool, language: str = "es") -> str:
    """How many segments, whether suggested or chosen, and how stable they are."""
    check_language(language)
    if summary["stable"]:
        verdict = t("segment.stability.stable", language)
    elif summary["ari_mean"] >= 0.6:
        verdict = t("segment.stability.fair", language)
    else:
        verdict = t("segment.stability.weak", language)
    how = t("segment.stability.suggested" if suggested else "segment.stability.chosen",
            language)
    return t("segment.stability.sentence", language, k=format_count(summary["n_segments"],
                                                                    language),
             how=how, mean=format_number(summary["ari_mean"], language, decimals=2),
             low=format_number(summary["ari_low"], language, decimals=2),
             high=format_number(summary["ari_high"], language, decimals=2), verdict=verdict)


def wallet_sentence(wallet: pd.DataFrame, by_segment: pd.DataFrame, language: str = "es", *,
                    currency: str | None = None) -> str:
    """The headline of the share of wallet, saying when wallets are estimates."""
    check_language(language)
    spend, total = wallet["spend"].sum(), wallet["wallet"].sum()
    n_est = int((wallet["wallet_source"] == "estimate").sum())
    text = t("segment.wallet.headline", language, n=format_count(len(wallet), language),
             share=format_percent(spend / total if total else 0, language),
             gap=format_currency(wallet["wallet_gap"].sum(), language, currency=currency))
    if n_est == len(wallet):
        text += " " + t("segment.wallet.all_estimated", language)
    elif n_est:
        text += " " + t("segment.wallet.some_estimated", language,
                        n=format_count(n_est, language))
    else:
        text += " " + t("segment.wallet.none_estimated", language)
    below = int(wallet["wallet_below_spend"].sum())
    if below:
        text += " " + t("segment.wallet.below", language, n=format_count(below, language))
    return text


def funnel_sentence(loss: pd.Series, table: pd.DataFrame, language: str = "es") -> str:
    """Where the funnel loses most customers, and how many reach its end."""
    check_language(language)
    last = table.iloc[-1]
    return t("segment.funnel.headline", language,
             step=t(f"value.funnel_step.{loss['funnel_step']}", language),
             previous=t(f"value.funnel_step.{loss['previous_step']}", language),
             lost=format_count(loss["n_lost"], language),
             conversion=format_percent(loss["conversion_rate"], language),
             n_last=format_count(last["n_customers"], language),
             share_last=format_percent(last["share_of_first"], language, decimals=1))


def types_sentence(counts: pd.DataFrame, language: str = "es", *, active_days: int = 365,
                   winback_days: int = 730) -> str:
    """How many prospects, active and inactive customers, and how many can be won back."""
    check_language(language)
    c = counts.set_index("customer_type")
    return t("segment.types.headline", language,
             prospects=format_count(c.loc["prospect", "n_customers"], language),
             active=format_count(c.loc["active", "n_customers"], language),
             inactive=format_count(c.loc["inactive", "n_customers"], language),
             winback=format_count(c.loc["inactive", "n_winback"], language),
             active_days=format_count(active_days, language),
             winback_days=format_count(winback_days, language))


def calendar_sentence(calendar: pd.DataFrame, calls: pd.DataFrame, language: str = "es") -> str:
    """The reactivation waves in words."""
    check_language(language)
    held = int(calls.attrs.get("set_aside") or 0)
    aside = (" " + t("segment.calendar.set_aside", language, n=format_count(held, language))
             if held else "")
    if calendar.empty or calls.empty:
        return t("segment.calendar.nobody", language) + aside
    waves = _join([t("segment.calendar.wave", language,
                     month=format_date(r.month, language, form="month"),
                     start=format_date(r.calls_from, language),
                     n=format_count(int((calls["wave"] == r.wave).sum()), language))
                   for r in calendar.itertuples()], language)
    return t("segment.calendar.headline", language, n=format_count(len(calls), language),
             waves=waves) + aside


def season_sentence(pattern: pd.DataFrame, language: str = "es") -> str:
    """The peak months of the seasonal pattern, with their index."""
    from babel.dates import get_month_names

    from crmlib.i18n import locale_of

    check_language(language)
    names = get_month_names("wide", locale=locale_of(language))
    peaks = pattern[pattern["peak"]].sort_values("month")
    months = _join([t("segment.season.month", language, month=names[int(r.month)],
                      index=format_number(r.seasonal_index, language, decimals=2))
                    for r in peaks.itertuples()], language)
    return t("segment.season.headline", language, months=months)


def _join(items: list[str], language: str) -> str:
    """``a, b y c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("segment.profile.and", language) + items[-1]
