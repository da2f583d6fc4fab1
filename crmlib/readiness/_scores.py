"""Readiness scores, current and preferred: per item (:func:`item_scores`), per
dimension as weighted means of item scores (:func:`area_scores`), per section and overall
(:func:`overall_scores`), and all levels in one long table (:func:`score_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.instruments import Instrument
from crmlib.readiness._responses import _PARTS, SCORED_SECTIONS, _prepare, dimension_info


def item_scores(responses: pd.DataFrame, *, instrument="one-to-one",
                min_answered: float = 0.5) -> pd.DataFrame:
    """Score of every item of the instrument, current and preferred.

    Returns
    -------
    DataFrame
        One row per item in questionnaire order: ``item_id``, ``dimension``,
        ``section``, ``weight``, ``n_respondents`` (scored respondents), ``n_current`` and
        ``n_preferred`` (answers given), ``n_missing`` (scored respondents who left
        the current answer empty or had no row for the item), ``current`` and
        ``preferred`` (means of the answers), ``gap`` (preferred - current),
        ``current_sd`` and ``preferred_sd`` (sample standard deviations, ``NaN``
        under two answers).
    """
    inst, used, overview = _prepare(responses, instrument, min_answered)
    return _items(inst, used, int(overview["included"].sum()))


def _items(inst: Instrument, used: pd.DataFrame, n_resp: int) -> pd.DataFrame:
    g = used.groupby("item_id")
    stats = pd.DataFrame({
        "n_current": g["current"].count(),
        "n_preferred": g["preferred"].count(),
        "current": g["current"].mean(),
        "preferred": g["preferred"].mean(),
        "current_sd": g["current"].std(ddof=1),
        "preferred_sd": g["preferred"].std(ddof=1),
    })
    out = inst.items[["item_id", "dimension", "weight"]].copy()
    out.insert(2, "section", out["dimension"].map(
        dimension_info(inst).set_index("dimension")["section"]))
    out = out.merge(stats, left_on="item_id", right_index=True, how="left")
    for col in ("n_current", "n_preferred"):
        out[col] = out[col].fillna(0).astype(int)
    out["n_respondents"] = n_resp
    out["n_missing"] = n_resp - out["n_current"]
    out["gap"] = out["preferred"] - out["current"]
    return out[["item_id", "dimension", "section", "weight", "n_respondents", "n_current",
                "n_preferred",
                "n_missing", "current", "preferred", "gap", "current_sd",
                "preferred_sd"]].reset_index(drop=True)


def _weighted(frame: pd.DataFrame, keys: list[str], parts=_PARTS) -> pd.DataFrame:
    """Weighted mean of each part by ``keys``, over answered rows only (``NaN`` if none)."""
    tmp = frame[keys].copy()
    for part in parts:
        ok = frame[part].notna()
        tmp[f"_wx_{part}"] = (frame[part] * frame["weight"]).where(ok, 0.0)
        tmp[f"_w_{part}"] = frame["weight"].where(ok, 0.0)
    sums = tmp.groupby(keys, sort=True).sum()
    out = pd.DataFrame(index=sums.index)
    for part in parts:
        w = sums[f"_w_{part}"]
        out[part] = (sums[f"_wx_{part}"] / w).where(w > 0)
    return out.reset_index()


def _respondent_dims(used: pd.DataFrame) -> pd.DataFrame:
    """Per respondent and dimension: weighted mean of the answered items, per part."""
    if used.empty:
        return pd.DataFrame(columns=["respondent_id", "group", "dimension", *_PARTS])
    return _weighted(used, ["respondent_id", "group", "dimension"])


def _dims_from_items(items: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    means = _weighted(items, ["dimension"]).set_index("dimension")
    counts = items.groupby("dimension")[["n_current", "n_missing"]].sum()
    return pd.DataFrame({
        "current": info["dimension"].map(means["current"]).to_numpy(),
        "preferred": info["dimension"].map(means["preferred"]).to_numpy(),
        "n_answers": info["dimension"].map(counts["n_current"]).fillna(0).astype(int).to_numpy(),
        "n_missing": info["dimension"].map(counts["n_missing"]).fillna(0).astype(int).to_numpy(),
    }, index=info.index)


def area_scores(responses: pd.DataFrame, *, instrument="one-to-one",
                min_answered: float = 0.5) -> pd.DataFrame:
    """Score of every dimension: IDIC stage (broad view) or area (gap tool).

    The timely signals are not a dimension of the score: read them with
    :func:`timely_signals`.

    Returns
    -------
    DataFrame
        One row per dimension in questionnaire order: ``dimension``, ``section``
        (``broad``/``gap``), ``stage``, ``weight``, ``n_items``, ``n_respondents``,
        ``n_answers`` (current answers given), ``n_missing`` (current answers
        missing among scored respondents), ``current`` and ``preferred`` (weighted
        means of item scores), ``gap`` (preferred - current), ``current_sd`` and
        ``preferred_sd`` (standard deviation across respondents of their own
        dimension means).
    """
    inst, used, overview = _prepare(responses, instrument, min_answered)
    return _areas(inst, used, int(overview["included"].sum()))


def _scored_info(inst: Instrument) -> pd.DataFrame:
    """:func:`dimension_info` of the scored sections (the timely signals left out)."""
    info = dimension_info(inst)
    return info[info["section"].isin(SCORED_SECTIONS)].reset_index(drop=True)


def _areas(inst: Instrument, used: pd.DataFrame, n_resp: int) -> pd.DataFrame:
    info = _scored_info(inst)
    items = _items(inst, used, n_resp)
    out = info[["dimension", "section", "stage", "weight", "n_items"]].copy()
    out["n_respondents"] = n_resp
    out = pd.concat([out, _dims_from_items(items, info)], axis=1)
    out["gap"] = out["preferred"] - out["current"]
    per = _respondent_dims(used)
    sd = per.groupby("dimension")[["current", "preferred"]].std(ddof=1)
    out["current_sd"] = out["dimension"].map(sd["current"]) if len(sd) else np.nan
    out["preferred_sd"] = out["dimension"].map(sd["preferred"]) if len(sd) else np.nan
    return out.reset_index(drop=True)


def overall_scores(area_table: pd.DataFrame) -> pd.DataFrame:
    """Section and overall scores from :func:`area_scores`.

    Returns
    -------
    DataFrame
        Rows ``broad``, ``gap`` and ``overall`` (the mean of the two sections, or the
        one present): ``scope``, ``n_dimensions``, ``current``, ``preferred``,
        ``gap`` (preferred - current). A section's score is the plain mean of its
        dimension scores.
    """
    rows = []
    for section in SCORED_SECTIONS:
        d = area_table[area_table["section"] == section]
        if len(d):
            rows.append({"scope": section, "n_dimensions": len(d),
                         "current": d["current"].mean(), "preferred": d["preferred"].mean()})
    sec = pd.DataFrame(rows, columns=["scope", "n_dimensions", "current", "preferred"])
    total = {"scope": "overall", "n_dimensions": int(sec["n_dimensions"].sum()),
             "current": sec["current"].mean(), "preferred": sec["preferred"].mean()}
    out = pd.concat([sec, pd.DataFrame([total])], ignore_index=True)
    out["gap"] = out["preferred"] - out["current"]
    return out


def score_table(responses: pd.DataFrame, *, instrument="one-to-one",
                min_answered: float = 0.5) -> pd.DataFrame:
    """All readiness scores in one long table: items, dimensions, sections, overall.

    Parameters
    ----------
    responses : DataFrame
        Contract ``readiness_responses`` (answers as numbers or scale labels).
    instrument : str, path or Instrument, default "one-to-one"
    min_answered : float, default 0.5
        See :func:`response_overview`.

    Returns
    -------
    DataFrame
        ``level`` (``item``, ``dimension``, ``section``, ``overall``; the timely signals
        appear as items of section ``signals`` only), ``key`` (item id,
        dimension key, ``broad``/``gap`` or ``overall``), ``section``, ``current``,
        ``preferred``, ``gap`` (preferred - current), ``n_answers`` (current answers
        behind the score; for sections and overall the sum over dimensions),
        ``n_missing``.
    """
    inst, used, overview = _prepare(responses, instrument, min_answered)
    n_resp = int(overview["included"].sum())
    items = _items(inst, used, n_resp)
    areas = _areas(inst, used, n_resp)
    overall = overall_scores(areas)
    cols = ["level", "key", "section", "current", "preferred", "gap", "n_answers", "n_missing"]
    parts = [
        pd.DataFrame({"level": "item", "key": items["item_id"],
                      "section": items["section"],
                      "current": items["current"], "preferred": items["preferred"],
                      "gap": items["gap"], "n_answers": items["n_current"],
                      "n_missing": items["n_missing"]}),
        pd.DataFrame({"level": "dimension", "key": areas["dimension"],
                      "section": areas["section"], "current": areas["current"],
                      "preferred": areas["preferred"], "gap": areas["gap"],
                      "n_answers": areas["n_answers"], "n_missing": areas["n_missing"]}),
    ]
    sums = areas.groupby("section")[["n_answers", "n_missing"]].sum()
    for _, r in overall.iterrows():
        scope = r["scope"]
        n_a = int(sums["n_answers"].sum() if scope == "overall" else sums.loc[scope, "n_answers"])
        n_m = int(sums["n_missing"].sum() if scope == "overall" else sums.loc[scope, "n_missing"])
        parts.append(pd.DataFrame([{
            "level": "overall" if scope == "overall" else "section", "key": scope,
            "section": None if scope == "overall" else scope, "current": r["current"],
            "preferred": r["preferred"], "gap": r["gap"], "n_answers": n_a, "n_missing": n_m}]))
    return pd.concat(parts, ignore_index=True)[cols]
