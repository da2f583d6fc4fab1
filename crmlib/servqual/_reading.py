"""Results for the reader: the headline sentence (:func:`headline`), a plain-language
reading of the findings (:func:`reading`), result tables with labels and headers in the
reader's language (:func:`display`) and the flat key figures of a report
(:func:`key_figures`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.i18n import check_language, t
from crmlib.servqual._base import _instrument


def _num(x: float, language: str, digits: int = 2) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if language == "es" else text


def _join(names: list[str], language: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    word = " y " if language == "es" else " and "
    return ", ".join(names[:-1]) + word + names[-1]


def headline(scores: pd.DataFrame, *, language: str = "es") -> str:
    """One sentence with the unweighted and weighted SERVQUAL scores.

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores`.
    """
    check_language(language)
    row = scores.set_index("dimension").loc["overall"]
    u, w = float(row["gap"]), float(row["weighted_gap"])
    key = "servqual.headline.short" if u < 0 else "servqual.headline.meets"
    text = t(key, language, gap=_num(abs(u) if u < 0 else u, language))
    if not np.isnan(w):
        text += " " + t("servqual.headline.weighted", language, weighted=_num(w, language))
    return text


def reading(scores: pd.DataFrame, tests: pd.DataFrame, *, ipa: pd.DataFrame | None = None,
            regression: pd.DataFrame | None = None, instrument="servqual-1991",
            language: str = "es") -> str:
    """A short plain-language reading of the results, built from the numbers.

    Says which dimensions show the largest *significant* shortfalls, what customers weigh
    most (stated points and, with a regression, what actually drives the overall rating),
    and where to act first (the IPA priority).

    Parameters
    ----------
    scores : DataFrame
        From :func:`servqual_scores`.
    tests : DataFrame
        From :func:`paired_tests` with ``level="dimension"``.
    ipa : DataFrame, optional
        From :func:`ipa_table`.
    regression : DataFrame, optional
        From :func:`importance_regression`.
    instrument : str, path or Instrument
        For dimension labels.
    language : {"es", "en"}

    Returns
    -------
    str
        Markdown: one bullet per finding.
    """
    check_language(language)
    inst = _instrument(instrument)

    def lab(d):
        return inst.dimension_label(d, language).lower() if language == "es" \
            else inst.dimension_label(d, language)

    lines = [headline(scores, language=language)]
    short = tests[(tests["significant"]) & (tests["mean_diff"] < 0)].sort_values(
        ["mean_diff", "dimension"])
    if len(short):
        top = short.head(2)
        lines.append(t("servqual.reading.largest_gaps", language, dimensions=_join(
            [f"{lab(r.dimension)} ({_num(r.mean_diff, language)})" for r in top.itertuples()],
            language)))
    else:
        lines.append(t("servqual.reading.no_gaps", language))
    dims = scores[scores["dimension"] != "overall"]
    if dims["importance"].notna().any():
        top = dims.sort_values(["importance", "dimension"], ascending=[False, True]).iloc[0]
        lines.append(t("servqual.reading.stated", language, dimension=lab(top["dimension"]),
                       points=_num(top["importance"], language, 0)))
    if regression is not None and regression["derived_importance"].notna().any():
        top = regression.sort_values(["derived_importance", "dimension"],
                                     ascending=[False, True]).iloc[0]
        lines.append(t("servqual.reading.derived", language, dimension=lab(top["dimension"]),
                       share=_num(top["derived_importance"], language, 0),
                       r2=_num(top["r_squared"], language)))
    if ipa is not None and len(ipa):
        first = ipa.sort_values("priority").iloc[0]
        basis = first.get("basis", "grid")
        if first["quadrant"] != "concentrate":
            key = "servqual.reading.act_first_none"
        elif basis in ("below_adequate", "top_driver", "on_cut"):
            key = f"servqual.reading.act_first_{basis}"
        else:
            key = "servqual.reading.act_first"
        lines.append(t(key, language, dimension=lab(first["dimension"])))
    return "\n".join(f"- {x}" for x in lines)


_DISPLAY_COLUMNS = (
    "respondent_id", "item_id", "item", "dimension", "segment", "n", "n_items", "n_respondents", "expectation",
    "perception", "gap", "gap_sd", "ci_low", "ci_high", "gap_rank", "importance", "n_weighted",
    "weighted_gap", "adequate", "desired", "zone_width", "msa", "mss", "position", "alpha",
    "item_total_r", "alpha_if_deleted", "dimension_alpha", "mean_diff", "effect_size", "t",
    "p_t", "w", "p_wilcoxon", "p_adjusted", "significant", "coef", "se", "p_value",
    "std_coef", "derived_importance", "stated_importance", "r_squared", "n_segments", "f",
    "p_anova", "h", "p_kruskal", "lowest_segment", "highest_segment", "performance",
    "quadrant", "priority", "n_complete", "n_only_expectations", "n_only_perceptions",
    "answered_share", "has_zone", "n_with_importance", "n_with_overall_rating",
    "importance_cut", "performance_cut",
)


def display(table: pd.DataFrame, *, instrument="servqual-1991",
            language: str = "es") -> pd.DataFrame:
    """A copy of a result table for reading: dimension labels, item texts, translated
    values (quadrant, position, overall, yes/no) and column headers in ``language``.

    Returns
    -------
    DataFrame
        Same rows; an ``item`` column (statement text) follows ``item_id`` where present.
    """
    check_language(language)
    inst = _instrument(instrument)
    out = table.copy()
    if "item_id" in out.columns:
        texts = inst.items.set_index("item_id")[f"text_{language}"]
        out.insert(list(out.columns).index("item_id") + 1, "item",
                   out["item_id"].astype("str").map(texts))
    dim_labels = {d: inst.dimension_label(d, language) for d in inst.dimensions}
    dim_labels.update({"overall": t("servqual.value.overall", language),
                       "all": t("servqual.value.all", language)})
    for col in ("dimension",):
        if col in out.columns:
            out[col] = out[col].astype("str").map(lambda v: dim_labels.get(v, v))
    for col, prefix in (("quadrant", "servqual.quadrant."), ("position", "servqual.position.")):
        if col in out.columns:
            out[col] = out[col].map(lambda v, p=prefix: t(p + v, language)
                                    if isinstance(v, str) else v)
    if "answered_share" in out.columns:  # its header is renamed here: say it is a share
        from crmlib.i18n import format_percent

        out["answered_share"] = out["answered_share"].map(
            lambda v: format_percent(v, language, decimals=1))
    for col in ("significant", "has_zone"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: t("common.yes" if v else "common.no", language))
    out = out.rename(columns={c: t(f"servqual.column.{c}", language)
                              for c in out.columns if c in _DISPLAY_COLUMNS})
    return out


def key_figures(scores: pd.DataFrame, reliability: pd.DataFrame | None = None,
                tests: pd.DataFrame | None = None) -> dict:
    """Flat ``{key: number}`` of the figures a report or a portfolio comparison needs.

    Keys: ``servqual_gap_<dimension>`` (unweighted), ``servqual_weighted_gap_<dimension>``,
    ``servqual_score_unweighted``, ``servqual_score_weighted``, ``servqual_n_respondents``,
    with ``reliability`` also ``servqual_alpha_<dimension>`` and ``servqual_alpha_all``, and
    with ``tests`` ``servqual_n_significant_shortfalls``. Missing values are ``None``.
    """
    def num(v):
        v = float(v)
        return None if np.isnan(v) else v

    out = {}
    dims = scores[scores["dimension"] != "overall"]
    for r in dims.itertuples():
        out[f"servqual_gap_{r.dimension}"] = num(r.gap)
        out[f"servqual_weighted_gap_{r.dimension}"] = num(r.weighted_gap)
    overall = scores.set_index("dimension").loc["overall"]
    out["servqual_score_unweighted"] = num(overall["gap"])
    out["servqual_score_weighted"] = num(overall["weighted_gap"])
    out["servqual_n_respondents"] = int(overall["n"])
    if reliability is not None:
        for r in reliability.itertuples():
            out[f"servqual_alpha_{r.dimension}"] = num(r.alpha)
    if tests is not None:
        out["servqual_n_significant_shortfalls"] = int(
            (tests["significant"] & (tests["mean_diff"] < 0)).sum())
    return out
