"""Where the company stands and what to do next: maturity levels (:func:`maturity_levels`,
:func:`maturity`), the relationship ladder (:func:`relationship_ladder`) and the ranked
action list joining the weakest dimensions to the method's tasks (:func:`priorities`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.i18n import check_language
from crmlib.instruments import Instrument
from crmlib.readiness._responses import _PARTS, _instrument, dimension_info


def _levels(inst: Instrument, key: str) -> list[dict]:
    levels = inst.extra.get(key) or []
    if not levels:
        raise ParameterError(f"instrument {inst.name!r} has no {key!r} section",
                             parameter="instrument", value=inst.name)
    return sorted(levels, key=lambda x: float(x["min"]))


def maturity_levels(instrument="one-to-one", *, language: str = "es") -> pd.DataFrame:
    """The maturity levels of the instrument.

    Returns
    -------
    DataFrame
        ``level``, ``maturity`` (key), ``name``, ``meaning`` (in ``language``),
        ``min_score`` (lowest mean current score of the level).
    """
    check_language(language)
    inst = _instrument(instrument)
    return pd.DataFrame([{"level": int(lv["level"]), "maturity": lv["key"],
                          "name": lv[language]["name"], "meaning": lv[language]["meaning"],
                          "min_score": float(lv["min"])} for lv in _levels(inst, "maturity")])


def _place(levels: list[dict], score: float):
    if score is None or np.isnan(score):
        return None
    chosen = levels[0]
    for lv in levels:
        if score >= float(lv["min"]) - 1e-12:
            chosen = lv
    return chosen


def maturity(overall_table: pd.DataFrame, *, instrument="one-to-one",
             language: str = "es") -> pd.DataFrame:
    """Maturity level of the current and of the preferred scenario.

    Parameters
    ----------
    overall_table : DataFrame
        :func:`overall_scores` (its ``overall`` row is used).

    Returns
    -------
    DataFrame
        Rows ``current`` and ``preferred``: ``scenario``, ``score``, ``level``,
        ``maturity`` (key), ``name``, ``meaning`` (in ``language``). A score sits on
        the highest level whose ``min_score`` it reaches.
    """
    check_language(language)
    inst = _instrument(instrument)
    levels = _levels(inst, "maturity")
    row = overall_table.loc[overall_table["scope"] == "overall"].iloc[0]
    out = []
    for scenario in _PARTS:
        lv = _place(levels, float(row[scenario]))
        out.append({"scenario": scenario, "score": float(row[scenario]),
                    "level": int(lv["level"]) if lv else None,
                    "maturity": lv["key"] if lv else None,
                    "name": lv[language]["name"] if lv else None,
                    "meaning": lv[language]["meaning"] if lv else None})
    return pd.DataFrame(out)


def relationship_ladder(overall_table: pd.DataFrame, *, instrument="one-to-one",
                        language: str = "es") -> pd.DataFrame:
    """The relationship ladder (contact, relate, intimate, trust) with the company on it.

    The overall current and preferred scores each sit on the highest rung whose
    ``min_score`` they reach.

    Returns
    -------
    DataFrame
        One row per rung, bottom first: ``step`` (1..4), ``rung`` (key), ``name``,
        ``meaning`` (in ``language``), ``min_score``, ``current`` and ``preferred``
        (bool: the scenario sits on this rung).
    """
    check_language(language)
    inst = _instrument(instrument)
    rungs = _levels(inst, "ladder")
    row = overall_table.loc[overall_table["scope"] == "overall"].iloc[0]
    here = {p: (_place(rungs, float(row[p])) or {}).get("key") for p in _PARTS}
    return pd.DataFrame([{"step": k + 1, "rung": r["key"], "name": r[language]["name"],
                          "meaning": r[language]["meaning"], "min_score": float(r["min"]),
                          "current": here["current"] == r["key"],
                          "preferred": here["preferred"] == r["key"]}
                         for k, r in enumerate(rungs)])


def priorities(area_table: pd.DataFrame, *, instrument="one-to-one", language: str = "es",
               top: int | None = 5, min_gap: float = 0.0,
               max_actions: int | None = None) -> pd.DataFrame:
    """Ranked action list: the weakest dimensions joined to the method's tasks.

    Dimensions are ranked by ``priority = gap x weight`` (largest first; ties by
    lower current score, then questionnaire order); only gaps above ``min_gap``
    count. Each ranked dimension gets the tasks of the instrument's ``actions``
    section that name it (a broad-view stage gets its stage's tasks, a gap-tool
    area the tasks listing it in ``areas``, else its stage's tasks).

    Parameters
    ----------
    area_table : DataFrame
        :func:`area_scores`.
    top : int or None, default 5
        Number of dimensions kept; ``None`` keeps all.
    min_gap : float, default 0.0
    max_actions : int or None, default None
        At most this many tasks per dimension (in the file's order); ``None`` keeps all.

    Returns
    -------
    DataFrame
        One row per (dimension, task), by rank: ``rank``, ``dimension``, ``label``,
        ``section``, ``current``, ``preferred``, ``gap``, ``weight``, ``priority``,
        ``action_id``, ``action`` (task text in ``language``).
    """
    check_language(language)
    inst = _instrument(instrument)
    if top is not None and (not isinstance(top, (int, np.integer)) or top < 1):
        raise ParameterError(f"top must be a positive integer or None; got {top!r}",
                             parameter="top", allowed="int >= 1 or None", value=top)
    info = dimension_info(inst, language=language).set_index("dimension")
    t = area_table.copy()
    t["priority"] = t["gap"] * t["weight"]
    t["_order"] = range(len(t))
    t = t[t["gap"] > min_gap].sort_values(["priority", "current", "_order"],
                                          ascending=[False, True, True], kind="stable")
    if top is not None:
        t = t.head(top)
    actions = inst.extra.get("actions") or []
    rows = []
    for rank, (_, a) in enumerate(t.iterrows(), start=1):
        dim = a["dimension"]
        stage = info.loc[dim, "stage"] if dim in info.index else None
        if a["section"] == "broad":
            chosen = [x for x in actions if x.get("stage") == dim]
        else:
            chosen = [x for x in actions if dim in (x.get("areas") or [])]
        if not chosen and stage:
            chosen = [x for x in actions if x.get("stage") == stage]
        if max_actions is not None:
            chosen = chosen[:max_actions]
        base = {"rank": rank, "dimension": dim,
                "label": info.loc[dim, "label"] if dim in info.index else dim,
                "section": a["section"], "current": a["current"], "preferred": a["preferred"],
                "gap": a["gap"], "weight": a["weight"], "priority": a["priority"]}
        for x in chosen or [{"id": None, language: None}]:
            rows.append({**base, "action_id": x.get("id"), "action": x.get(language)})
    return pd.DataFrame(rows, columns=["rank", "dimension", "label", "section", "current",
                                       "preferred", "gap", "weight", "priority", "action_id",
                                       "action"])
