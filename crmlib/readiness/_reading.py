"""Results for the reader: respondents by group (:func:`group_overview`), tables with
labels and headers in the reader's language (:func:`display`), the sentences of the report
(:func:`overview_text`, :func:`maturity_text`, :func:`disagreement_text`) and the key
figures of ``results.json`` (:func:`key_figures`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError, check_choice
from crmlib.i18n import check_language
from crmlib.instruments import load_instrument
from crmlib.readiness._responses import GROUPS, SECTIONS, _instrument


def group_overview(overview: pd.DataFrame) -> pd.DataFrame:
    """Respondents and answers by group, from :func:`response_overview`.

    Returns
    -------
    DataFrame
        One row per group in :data:`GROUPS` order, plus a ``total`` row:
        ``group``, ``n_respondents``, ``n_included``, ``n_excluded``,
        ``answered_current``, ``answered_preferred``, ``n_missing`` (current answers
        missing among scored respondents), ``share_answered`` (answered current /
        items asked, all respondents).
    """
    rows = []
    order = [g for g in GROUPS if g in set(overview["group"])]
    for group in order + ["total"]:
        d = overview if group == "total" else overview[overview["group"] == group]
        inc = d[d["included"]]
        rows.append({
            "group": group, "n_respondents": len(d), "n_included": len(inc),
            "n_excluded": int((~d["included"]).sum()),
            "answered_current": int(d["answered_current"].sum()),
            "answered_preferred": int(d["answered_preferred"].sum()),
            "n_missing": int((inc["n_items"] - inc["answered_current"]).sum()),
            "share_answered": float(d["answered_current"].sum() / d["n_items"].sum())
            if len(d) else np.nan,
        })
    return pd.DataFrame(rows)


def display(table: pd.DataFrame, *, instrument="one-to-one", language: str = "es",
            section: str | None = None, columns=None) -> pd.DataFrame:
    """A copy of a readiness table for the reader: labels for keys, headers translated.

    With ``section`` (``broad``/``gap``) only the rows of that section are kept;
    with ``columns`` only those columns, in that order.

    Dimension, section, group and scenario keys become their labels; item ids get
    their statement alongside, and the plan's weakest item is written as its statement; yes/no flags become words; a ``label`` column
    replaces ``dimension``; ``stage`` is dropped. Headers come from the catalog
    (``readiness.col.<name>``, else the shared column labels).
    """
    from crmlib.i18n import catalog, format_percent, t
    from crmlib.i18n import label as column_label
    from crmlib.i18n._format import _is_share

    check_language(language)
    inst = _instrument(instrument)
    out = table.copy()
    if section is not None:
        check_choice("section", section, SECTIONS)
        out = out[out["section"] == section].reset_index(drop=True)
    if columns is not None:
        missing = [c for c in columns if c not in out.columns]
        if missing:
            raise ParameterError(f"columns {missing} are not in the table; it has "
                                 f"{list(out.columns)}", parameter="columns",
                                 allowed=tuple(out.columns), value=list(columns))
        out = out[list(columns)]
    groups = inst.extra.get("groups") or load_instrument("one-to-one").extra.get("groups") or {}

    def group_name(v):
        return (groups.get(v) or {}).get(language, v) if isinstance(v, str) else v

    if "label" in out.columns and "dimension" in out.columns:
        out["dimension"] = out["label"]
        out = out.drop(columns="label")
    elif "dimension" in out.columns:
        out["dimension"] = out["dimension"].map(lambda k: inst.dimension_label(k, language))
    for col in ("section", "scope"):
        if col in out.columns:
            out[col] = out[col].map(
                lambda v: t(f"readiness.section.{v}", language)
                if isinstance(v, str) and f"readiness.section.{v}" in catalog() else v)
    for col in ("group", "lowest_group", "highest_group"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: t("common.total", language) if v == "total"
                                    else group_name(v))
    if "scenario" in out.columns:
        out["scenario"] = out["scenario"].map(lambda v: t(f"readiness.scenario.{v}", language))
    if "weakest_item" in out.columns:  # the statement, never its code
        texts = inst.items.set_index("item_id")[f"text_{language}"]
        out["weakest_item"] = out["weakest_item"].map(
            lambda v: texts.get(v, v) if isinstance(v, str) else "")
    for col in ("owner", "due_date"):
        if col in out.columns:
            out[col] = out[col].fillna("")
    if "rung" in out.columns and "name" in out.columns:
        out = out.drop(columns="rung")
    if "item_id" in out.columns and "text" not in out.columns:
        texts = inst.items.set_index("item_id")[f"text_{language}"]
        out.insert(out.columns.get_loc("item_id") + 1, "text", out["item_id"].map(texts))
    for col in out.columns:  # shares as percentages while the column name still says so
        if _is_share(col) and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v)
                                    else format_percent(v, language, decimals=1))
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(lambda v: t("common.yes", language) if v
                                    else t("common.no", language))
    out = out.drop(columns=[c for c in ("stage", "_o") if c in out.columns])
    names = {}
    for col in out.columns:
        key = f"readiness.col.{col}"
        names[col] = t(key, language) if key in catalog() else column_label(col, language)
    return out.rename(columns=names)


def _join(words, language):
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + (" y " if language == "es" else " and ") + words[-1]


def _list(words):
    return "; ".join(words)


def overview_text(overview: pd.DataFrame, *, instrument="one-to-one",
                  language: str = "es") -> str:
    """Sentences on who answered, who is left out and how many answers are missing."""
    from crmlib.i18n import t

    check_language(language)
    inst = _instrument(instrument)
    groups = inst.extra.get("groups") or load_instrument("one-to-one").extra.get("groups") or {}
    by = group_overview(overview)
    total = by[by["group"] == "total"].iloc[0]
    parts = [f"{(groups.get(r['group']) or {}).get(language, r['group'])}: {int(r['n_respondents'])}"
             for _, r in by[by["group"] != "total"].iterrows()]
    included = overview[overview["included"]]
    expected = int(included["n_items"].sum())
    text = t("readiness.overview.headline", language, n_respondents=int(total["n_respondents"]),
             groups=_list(parts), n_included=int(total["n_included"]),
             n_missing=int(total["n_missing"]), n_expected=expected,
             missing_share=(total["n_missing"] / expected) if expected else 0.0)
    out = overview.loc[~overview["included"], "respondent_id"].astype(str).tolist()
    text += " " + (t("readiness.overview.excluded", language, who=", ".join(out)) if out
                   else t("readiness.overview.none_excluded", language))
    return text


def maturity_text(overall_table: pd.DataFrame, maturity_table: pd.DataFrame, *,
                  language: str = "es") -> str:
    """One paragraph: overall scores, current maturity level with its meaning, the target."""
    from crmlib.i18n import t

    check_language(language)
    row = overall_table.loc[overall_table["scope"] == "overall"].iloc[0]
    m = maturity_table.set_index("scenario")
    text = t("readiness.maturity.headline", language, current=float(row["current"]),
             preferred=float(row["preferred"]), gap=float(row["gap"]),
             level=m.loc["current", "level"], name=m.loc["current", "name"],
             meaning=m.loc["current", "meaning"], target_level=m.loc["preferred", "level"],
             target_name=m.loc["preferred", "name"])
    source = str(m.loc["current", "source"]) if "source" in m.columns else "workbook"
    if source == "workbook":
        return text + " " + t("readiness.maturity.own_levels", language)
    return text + " " + t("readiness.maturity.cited_levels", language, source=source)


def ladder_text(ladder: pd.DataFrame, *, language: str = "es") -> str:
    """Sentences on the customers on the ladder: how many, how many sit on the two upper
    rungs (the method's real portfolio) and, with values, what share of value they bring."""
    from crmlib.i18n import t

    check_language(language)
    total = int(ladder["n_customers"].sum())
    if total == 0:
        return t("readiness.ladder.no_customers", language)
    by = ladder.set_index("rung")
    upper = by.loc[["intimate", "trust"]]
    text = t("readiness.ladder.headline", language, n=total,
             contact=int(by.loc["contact", "n_customers"]),
             relate=int(by.loc["relate", "n_customers"]),
             intimate=int(by.loc["intimate", "n_customers"]),
             trust=int(by.loc["trust", "n_customers"]),
             portfolio=int(upper["n_customers"].sum()),
             portfolio_share=float(upper["n_customers"].sum()) / total)
    if "value_share" in ladder.columns and not upper["value_share"].isna().all():
        text += " " + t("readiness.ladder.value", language,
                        value_share=float(upper["value_share"].sum()))
    return text


def disagreement_text(consensus_table: pd.DataFrame, *, instrument="one-to-one",
                      language: str = "es") -> str:
    """One sentence naming the dimensions where groups disagree (or saying none do)."""
    from crmlib.i18n import t

    check_language(language)
    inst = _instrument(instrument)
    if consensus_table.empty or consensus_table["n_groups"].max() < 2:
        return t("readiness.groups.one_group", language)
    flagged = consensus_table[consensus_table["disagreement"]]
    if flagged.empty:
        return t("readiness.groups.no_flags", language)
    return t("readiness.groups.flags", language, areas=_join(
        [inst.dimension_label(d, language) for d in flagged["dimension"]], language))


def key_figures(area_table: pd.DataFrame, overall_table: pd.DataFrame,
                maturity_table: pd.DataFrame, consensus_table: pd.DataFrame | None = None,
                overview: pd.DataFrame | None = None,
                signals: pd.DataFrame | None = None) -> dict:
    """Key figures for ``results.json``, JSON-ready (``None`` for missing numbers).

    Keys: ``readiness_overall_current``/``_preferred``/``_gap``,
    ``readiness_broad_*`` and ``readiness_gap_tool_*`` (section scores),
    ``readiness_maturity_level``, ``readiness_maturity_target``,
    ``readiness_<dimension>_current``/``_preferred``/``_gap`` for every dimension,
    and when given ``readiness_disagreements`` (list of dimensions),
    ``readiness_respondents``, ``readiness_respondents_scored``, and from ``signals``
    (:func:`timely_signals`) ``readiness_timely_signals`` (the timely ones' item ids,
    largest gap first).
    """
    def num(v):
        return None if v is None or pd.isna(v) else float(v)

    out: dict = {}
    names = {"overall": "overall", "broad": "broad", "gap": "gap_tool"}
    for _, r in overall_table.iterrows():
        for part in ("current", "preferred", "gap"):
            out[f"readiness_{names[r['scope']]}_{part}"] = num(r[part])
    m = maturity_table.set_index("scenario")
    out["readiness_maturity_level"] = None if pd.isna(m.loc["current", "level"]) \
        else int(m.loc["current", "level"])
    out["readiness_maturity_target"] = None if pd.isna(m.loc["preferred", "level"]) \
        else int(m.loc["preferred", "level"])
    for _, r in area_table.iterrows():
        for part in ("current", "preferred", "gap"):
            out[f"readiness_{r['dimension']}_{part}"] = num(r[part])
    if consensus_table is not None:
        out["readiness_disagreements"] = consensus_table.loc[
            consensus_table["disagreement"], "dimension"].tolist()
    if overview is not None:
        out["readiness_respondents"] = len(overview)
        out["readiness_respondents_scored"] = int(overview["included"].sum())
    if signals is not None:
        out["readiness_timely_signals"] = signals.loc[signals["timely"], "item_id"].tolist()
    return out


def ladder_figures(ladder: pd.DataFrame) -> dict:
    """Key figures of :func:`relationship_ladder` for ``results.json``:
    ``readiness_customers_<rung>`` (counts) and ``readiness_portfolio_share`` (share of
    customers at intimate or trust; ``None`` without customers)."""
    out = {f"readiness_customers_{r}": int(n) for r, n in zip(ladder["rung"],
                                                              ladder["n_customers"])}
    total = int(ladder["n_customers"].sum())
    upper = int(ladder.loc[ladder["rung"].isin(["intimate", "trust"]), "n_customers"].sum())
    out["readiness_portfolio_share"] = upper / total if total else None
    return out
