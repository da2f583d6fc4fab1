"""Readable tables and sentences for the Identify notebook and report.

:func:`readable` translates codes and headers of any identify result table,
:func:`match_report_table` and :func:`rule_counts` present the match report, and
:func:`headline` and :func:`revenue_sentence` state the key figures in ``es``
or ``en``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import check_language, label, t
from crmlib.identify._consolidate import Consolidation
from crmlib.identify._match import DECISIONS, RULES

_VALUE_KEYS = {"rule": "identify.rule.", "decision": "identify.decision.",
               "check": "identify.check.", "field": "identify.field.",
               "status": "identify.status.", "kind": "identify.kind."}


def readable(table: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """Copy of an identify result table for a reader: codes and headers translated.

    Codes in ``rule``, ``decision``, ``check``, ``field``, ``status`` and ``kind`` become
    words in ``language``; column headers come from the identify catalog, then
    from the shared column labels; every other cell is written by the i18n
    formatting layer (counts, measures, shares, short dates, yes/no).

    Returns
    -------
    DataFrame
        Same rows and columns as ``table``, relabelled.
    """
    from crmlib.i18n import catalog, format_table

    check_language(language)
    texts = catalog()
    out = format_table(table, language, headers=False, drop_codes=False)
    for col, prefix in _VALUE_KEYS.items():
        if col in out.columns:
            out[col] = [t(prefix + str(v), language) if (prefix + str(v)) in texts else f
                        for v, f in zip(table[col], out[col])]
    names = {}
    for col in out.columns:
        key = f"identify.col.{col}"
        names[col] = t(key, language) if key in texts else label(col, language)
    return out.rename(columns=names)


def match_report_table(pairs: pd.DataFrame, language: str = "es", *,
                       decisions=DECISIONS, max_rows: int | None = None) -> pd.DataFrame:
    """The match report for reading: main columns, translated.

    Returns
    -------
    DataFrame
        ``left_key``, ``left_name``, ``right_key``, ``right_name``, ``rule``,
        ``decision``, ``score``, ``name_score``, ``override`` (headers and codes
        translated by :func:`readable`); rows limited to ``decisions`` and to
        ``max_rows``, in the order of ``pairs``.
    """
    check_language(language)
    view = pairs[pairs["decision"].isin(list(decisions))]
    if max_rows is not None:
        view = view.head(max_rows)
    view = view[["left_key", "left_name", "right_key", "right_name", "rule", "decision",
                 "score", "name_score", "override"]]
    return readable(view.reset_index(drop=True), language)


def rule_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Candidate pairs per rule and decision.

    Returns
    -------
    DataFrame
        One row per rule that fired, in the order of :data:`RULES`: ``rule``,
        ``decision``, ``n_pairs``, ``n_merged`` (pairs whose records share a
        master; equals ``n_pairs`` minus guarded pairs for merge rules),
        ``mean_score``.
    """
    same = pairs["same_master"] if "same_master" in pairs.columns else \
        pairs["decision"].eq("merge")
    frame = pairs.assign(_same=same.astype(bool))
    out = frame.groupby(["rule", "decision"], sort=False).agg(
        n_pairs=("left_key", "size"), n_merged=("_same", "sum"), mean_score=("score", "mean"),
    ).reset_index()
    order = {r: k for k, r in enumerate(RULES)}
    out["_o"] = out["rule"].map(order)
    out = out.sort_values(["_o", "decision"], kind="mergesort").drop(columns="_o")
    out["n_merged"] = out["n_merged"].astype(int)
    return out.reset_index(drop=True)


def revenue_sentence(share: float, language: str = "es") -> str:
    """The sentence stating the share of revenue from identified customers."""
    check_language(language)
    return t("identify.headline.revenue", language, share=float(share))


def headline(result: Consolidation, language: str = "es", *,
             revenue_share: float | None = None) -> str:
    """One sentence summing up the consolidation (and the identified revenue share)."""
    check_language(language)
    s = result.summary()
    text = t("identify.headline.master", language, n_records=s["n_records"],
             n_sources=s["n_sources"], n_master=s["n_master"],
             duplicate_rate=float(s["duplicate_rate"]), n_review=s["n_review"])
    if revenue_share is not None and not np.isnan(revenue_share):
        text += " " + t("identify.headline.revenue", language,
                        share=float(revenue_share))
    return text
