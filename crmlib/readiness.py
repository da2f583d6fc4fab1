"""One-to-one readiness: how ready is a company to treat each customer differently?

The instrument (``crmlib/instruments/one-to-one.yaml``) follows the readiness
questionnaire for one-to-one marketing of Peppers, Rogers and Dorf, as presented
in Gaynor Butterfield's CRM implementation workshop (2004): a *broad view* of how
well the company identifies, differentiates, interacts with and personalizes for
its customers, and a *personalization-gap tool* by area (quality assurance,
customer-based processes, technology, knowledge strategy, partnerships, customer
relationships, employee management, competitive strategy). Every item is answered
twice on a 1-5 scale: for the **current** scenario and for the **preferred** one.
Respondents belong to groups (managers, employees, customers, partners), so the
assessment also shows where groups see the company differently.

Scoring rules (the same in every function):

- **Answers.** Numbers or scale labels; a label is turned into its point
  (:func:`crmlib.questionnaire.answer_values`). An empty answer is *missing*: it is
  left out of every mean and counted in ``n_missing``.
- **Respondents.** A respondent who answered (current scenario) fewer than
  ``min_answered`` (default half) of the instrument's items is listed by
  :func:`response_overview` with ``included=False`` and left out of every score:
  such a form is more likely abandoned than answered.
- **Item score**: mean over included respondents who answered it, per part.
- **Dimension (stage or area) score**: mean of its item scores weighted by item
  ``weight`` (items nobody answered drop out).
- **Section score** (broad view, gap tool): plain mean of its dimension scores;
  the **overall** score is the mean of the two section scores, so both halves of
  the questionnaire count the same whatever their number of areas.
- **Gap** = preferred - current (positive: room to improve).

Functions return tidy tables keyed by ``dimension`` (and ``group``); the texts
(labels, maturity meanings, tasks) come from the instrument in ``es`` or ``en``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice
from crmlib.i18n import check_language
from crmlib.instruments import Instrument, load_instrument
from crmlib.questionnaire import _group_key, answer_values

__all__ = [
    "GROUPS",
    "SECTIONS",
    "area_scores",
    "consensus",
    "dimension_info",
    "disagreement_text",
    "display",
    "group_overview",
    "group_scores",
    "item_scores",
    "key_figures",
    "maturity",
    "maturity_levels",
    "maturity_text",
    "overall_scores",
    "overview_text",
    "priorities",
    "relationship_ladder",
    "response_overview",
    "score_table",
    "validate_responses",
]

GROUPS = ("manager", "employee", "customer", "partner")
SECTIONS = ("broad", "gap")
_TABLE = "readiness_responses"
_PARTS = ("current", "preferred")


def _instrument(instrument) -> Instrument:
    inst = load_instrument(instrument)
    missing = [p for p in _PARTS if p not in inst.parts]
    if missing:
        raise ParameterError(
            f"instrument {inst.name!r} must collect the parts {list(_PARTS)}; it has "
            f"{list(inst.parts)}", parameter="instrument", allowed=_PARTS, value=inst.name)
    return inst


def dimension_info(instrument="one-to-one", *, language: str = "es") -> pd.DataFrame:
    """The dimensions of the instrument in questionnaire order.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension`` (key), ``label`` (in ``language``),
        ``section`` (``broad`` or ``gap``; ``gap`` when the file does not say),
        ``stage`` (the IDIC stage whose tasks serve it), ``n_items``, ``weight``
        (the dimension's own ``weight``, else the mean weight of its items),
        ``low`` and ``high`` (what a 1 and a 5 look like).
    """
    check_language(language)
    inst = _instrument(instrument)
    rows = []
    used = list(dict.fromkeys(inst.items["dimension"]))
    for key in [k for k in inst.dimensions if k in used] + [k for k in used
                                                            if k not in inst.dimensions]:
        info = inst.dimensions.get(key) or {}
        items = inst.items[inst.items["dimension"] == key]
        section = info.get("section", "gap")
        rows.append({
            "dimension": key,
            "label": inst.dimension_label(key, language),
            "section": section if section in SECTIONS else "gap",
            "stage": info.get("stage", key if section == "broad" else None),
            "n_items": len(items),
            "weight": float(info.get("weight", items["weight"].mean())),
            "low": (info.get("low") or {}).get(language, ""),
            "high": (info.get("high") or {}).get(language, ""),
        })
    return pd.DataFrame(rows, columns=["dimension", "label", "section", "stage", "n_items",
                                       "weight", "low", "high"])


def validate_responses(responses: pd.DataFrame, *, instrument="one-to-one") -> pd.DataFrame:
    """Check a ``readiness_responses`` table and return a clean copy.

    Parameters
    ----------
    responses : DataFrame
        Contract ``readiness_responses``: ``respondent_id``, ``group``, ``item_id``,
        ``current``, ``preferred`` (optional). Answers may be numbers or scale
        labels; group labels (``Directivos``, ``Customers``) become group keys.
    instrument : str, path or Instrument

    Returns
    -------
    DataFrame
        ``respondent_id`` and ``item_id`` as text, ``group`` as a key of
        :data:`GROUPS`, ``current`` and ``preferred`` as floats (``NaN`` when
        missing); extra columns dropped; row order kept.

    Raises
    ------
    DataError
        One error listing every problem with its rows: missing columns, empty ids,
        unknown item ids, unknown groups, a respondent in two groups, repeated
        (respondent, item) pairs, answers that are not numbers or scale labels, and
        answers outside the scale.
    """
    inst = _instrument(instrument)
    if not isinstance(responses, pd.DataFrame):
        raise ParameterError("responses must be a DataFrame (contract readiness_responses)",
                             parameter="responses", value=type(responses).__name__)
    n = len(responses)
    problems: list[DataProblem] = []
    for col in ("respondent_id", "group", "item_id", "current"):
        if col not in responses.columns:
            problems.append(DataProblem(_TABLE, col, "is required but missing"))
    if problems:
        raise DataError(problems)
    if n == 0:
        raise DataError([DataProblem(_TABLE, None, "has no rows")])
    df = responses.reset_index(drop=True)
    out = pd.DataFrame(index=df.index)

    def report(column, rule, mask, values=None):
        mask = np.asarray(mask, dtype=bool)
        vals = (values if values is not None else df[column]).to_numpy(dtype=object)
        idx = np.flatnonzero(mask)
        problems.append(DataProblem(_TABLE, column, rule, int(mask.sum()), n,
                                    tuple((int(i), "" if pd.isna(vals[i]) else vals[i])
                                          for i in idx[:3]), "row"))

    for col in ("respondent_id", "item_id"):
        s = df[col].astype(object)
        blank = s.isna() | (s.astype(str).str.strip() == "")
        out[col] = s.map(lambda v: None if pd.isna(v) else str(v).strip()).astype(object)
        if blank.any():
            report(col, "is empty", blank)
    unknown = out["item_id"].notna() & ~out["item_id"].isin(inst.item_ids)
    if unknown.any():
        report("item_id", f"is not an item of instrument {inst.name!r}", unknown)
    # group labels and aliases come from the instrument, else from the shipped one
    named = inst if inst.extra.get("groups") else load_instrument("one-to-one")
    # resolve each distinct label once: answers repeat a handful of group labels
    keys = {v: _group_key(v, named) for v in df["group"].dropna().unique()}
    groups = df["group"].map(lambda v: keys.get(v) if pd.notna(v) else None).astype(object)
    bad_group = ~groups.isin(GROUPS)
    if bad_group.any():
        report("group", f"is not one of {list(GROUPS)}", bad_group)
    out["group"] = groups
    ok = out["respondent_id"].notna() & ~bad_group
    two = out[ok].groupby("respondent_id")["group"].transform("nunique") > 1
    if two.any():
        mask = pd.Series(False, index=out.index)
        mask[two[two].index] = True
        report("group", "differs between rows of the same respondent", mask)
    dup = out.duplicated(subset=["respondent_id", "item_id"], keep=False) & \
        out["respondent_id"].notna() & out["item_id"].notna()
    if dup.any():
        report("item_id", "has duplicate (respondent_id, item_id) pairs", dup)
    for part in _PARTS:
        if part not in df.columns:
            out[part] = np.nan
            continue
        try:
            out[part] = answer_values(df[part], inst, table=_TABLE, column=part).to_numpy()
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return out[["respondent_id", "group", "item_id", "current", "preferred"]]


def _prepare(responses, instrument, min_answered):
    """(instrument, clean responses of included respondents, overview)."""
    inst = _instrument(instrument)
    if not 0 <= float(min_answered) <= 1:
        raise ParameterError(f"min_answered must be a share between 0 and 1; got {min_answered!r}",
                             parameter="min_answered", allowed="0 <= x <= 1", value=min_answered)
    clean = validate_responses(responses, instrument=inst)
    overview = _overview(clean, inst, float(min_answered))
    keep = set(overview.loc[overview["included"], "respondent_id"])
    used = clean[clean["respondent_id"].isin(keep)].copy()
    items = inst.items.set_index("item_id")
    used["dimension"] = used["item_id"].map(items["dimension"])
    used["weight"] = used["item_id"].map(items["weight"]).astype(float)
    return inst, used, overview


def _overview(clean: pd.DataFrame, inst: Instrument, min_answered: float) -> pd.DataFrame:
    n_items = len(inst.items)
    g = clean.groupby("respondent_id", sort=False)
    ov = pd.DataFrame({
        "group": g["group"].first(),
        "n_items": n_items,
        "answered_current": g["current"].count(),
        "answered_preferred": g["preferred"].count(),
    })
    ov["share_answered"] = ov["answered_current"] / n_items if n_items else 0.0
    ov["included"] = (ov["share_answered"] >= min_answered) & (ov["answered_current"] > 0)
    ov = ov.reset_index().sort_values("respondent_id", kind="stable").reset_index(drop=True)
    return ov


def response_overview(responses: pd.DataFrame, *, instrument="one-to-one",
                      min_answered: float = 0.5) -> pd.DataFrame:
    """One row per respondent: how much they answered and whether they are scored.

    Parameters
    ----------
    responses : DataFrame
        Contract ``readiness_responses``.
    instrument : str, path or Instrument
    min_answered : float, default 0.5
        Share of the instrument's items a respondent must answer (current scenario)
        to be scored.

    Returns
    -------
    DataFrame
        By ``respondent_id``: ``respondent_id``, ``group``, ``n_items`` (items in
        the instrument), ``answered_current``, ``answered_preferred``,
        ``share_answered`` (answered_current / n_items), ``included`` (bool).
    """
    return _prepare(responses, instrument, min_answered)[2]


def _wmean(values: pd.Series, weights: pd.Series) -> float:
    ok = values.notna()
    w = weights[ok]
    return float((values[ok] * w).sum() / w.sum()) if ok.any() and w.sum() > 0 else np.nan


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


def _areas(inst: Instrument, used: pd.DataFrame, n_resp: int) -> pd.DataFrame:
    info = dimension_info(inst)
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
    for section in SECTIONS:
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


def group_scores(responses: pd.DataFrame, *, instrument="one-to-one",
                 min_answered: float = 0.5) -> pd.DataFrame:
    """Dimension scores computed within each respondent group.

    Returns
    -------
    DataFrame
        One row per group (in :data:`GROUPS` order, groups with respondents only)
        and dimension: ``group``, ``dimension``, ``section``, ``n_respondents``,
        ``n_answers``, ``current``, ``preferred``, ``gap`` -- scored exactly as
        :func:`area_scores` but on that group's respondents.
    """
    inst, used, _ = _prepare(responses, instrument, min_answered)
    return _groups(inst, used)


def _groups(inst: Instrument, used: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for group in GROUPS:
        d = used[used["group"] == group]
        if d.empty:
            continue
        a = _areas(inst, d, d["respondent_id"].nunique())
        a.insert(0, "group", group)
        frames.append(a[["group", "dimension", "section", "n_respondents", "n_answers",
                         "current", "preferred", "gap"]])
    if not frames:
        return pd.DataFrame(columns=["group", "dimension", "section", "n_respondents",
                                     "n_answers", "current", "preferred", "gap"])
    return pd.concat(frames, ignore_index=True)


def consensus(responses: pd.DataFrame, *, instrument="one-to-one", part: str = "current",
              threshold: float = 1.0, alpha: float | None = 0.05,
              min_answered: float = 0.5) -> pd.DataFrame:
    """Agreement within the company and disagreement between groups, per dimension.

    Each scored respondent gets one score per dimension (the weighted mean of the
    items they answered). Within: standard deviation and interquartile range of
    those scores. Between: the range of the group scores of :func:`group_scores`
    and a Kruskal-Wallis test of the respondent scores across groups
    (``scipy.stats.kruskal``; needs two groups with answers and some spread).

    Parameters
    ----------
    part : {"current", "preferred"}
    threshold : float, default 1.0
        A range of group scores at or above this many scale points flags disagreement.
    alpha : float or None, default 0.05
        A Kruskal-Wallis p-value below ``alpha`` also flags it; ``None`` uses the
        range only.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``section``, ``n_respondents``,
        ``sd``, ``iqr``, ``n_groups`` (groups with answers), ``lowest_group``,
        ``low``, ``highest_group``, ``high``, ``group_range`` (high - low),
        ``kruskal_h``, ``kruskal_p`` (``NaN`` when the test cannot run),
        ``disagreement`` (bool).
    """
    from scipy import stats

    check_choice("part", part, _PARTS)
    if not threshold > 0:
        raise ParameterError(f"threshold must be a positive number of scale points; got "
                             f"{threshold!r}", parameter="threshold", allowed="> 0",
                             value=threshold)
    if alpha is not None and not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1 or None; got {alpha!r}",
                             parameter="alpha", allowed="0 < alpha < 1 or None", value=alpha)
    inst, used, _ = _prepare(responses, instrument, min_answered)
    info = dimension_info(inst)
    per = _respondent_dims(used)
    grp = _groups(inst, used)
    rows = []
    for _, d in info.iterrows():
        dim = d["dimension"]
        vals = per.loc[per["dimension"] == dim, ["group", part]].dropna()
        gs = grp[(grp["dimension"] == dim)].dropna(subset=[part])
        gs = gs.assign(_o=gs["group"].map({g: i for i, g in enumerate(GROUPS)}))
        row = {"dimension": dim, "section": d["section"], "n_respondents": len(vals),
               "sd": vals[part].std(ddof=1) if len(vals) > 1 else np.nan,
               "iqr": (vals[part].quantile(0.75) - vals[part].quantile(0.25))
               if len(vals) else np.nan,
               "n_groups": len(gs)}
        if len(gs):
            lo = gs.sort_values([part, "_o"], kind="stable").iloc[0]
            hi = gs.sort_values([part, "_o"], ascending=[False, True], kind="stable").iloc[0]
            row.update(lowest_group=lo["group"], low=lo[part], highest_group=hi["group"],
                       high=hi[part], group_range=hi[part] - lo[part])
        else:
            row.update(lowest_group=None, low=np.nan, highest_group=None, high=np.nan,
                       group_range=np.nan)
        samples = [v[part].to_numpy() for _, v in vals.groupby("group")]
        h = p = np.nan
        if len(samples) >= 2 and vals[part].nunique() > 1:
            try:
                h, p = stats.kruskal(*samples)
            except ValueError:
                pass
        row.update(kruskal_h=float(h), kruskal_p=float(p))
        flag = bool(row["n_groups"] >= 2 and row["group_range"] >= threshold - 1e-12)
        if alpha is not None and not np.isnan(p):
            flag = flag or bool(p < alpha)
        row["disagreement"] = flag
        rows.append(row)
    return pd.DataFrame(rows, columns=["dimension", "section", "n_respondents", "sd", "iqr",
                                       "n_groups", "lowest_group", "low", "highest_group",
                                       "high", "group_range", "kruskal_h", "kruskal_p",
                                       "disagreement"])


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
        ``level`` (``item``, ``dimension``, ``section``, ``overall``), ``key`` (item id,
        dimension key, ``broad``/``gap`` or ``overall``), ``section``, ``current``,
        ``preferred``, ``gap`` (preferred - current), ``n_answers`` (current answers
        behind the score; for sections and overall the sum over dimensions),
        ``n_missing``.
    """
    inst, used, overview = _prepare(responses, instrument, min_answered)
    n_resp = int(overview["included"].sum())
    items = _items(inst, used, n_resp)
    areas = _areas(inst, used, n_resp)
    section_of = areas.set_index("dimension")["section"]
    overall = overall_scores(areas)
    cols = ["level", "key", "section", "current", "preferred", "gap", "n_answers", "n_missing"]
    parts = [
        pd.DataFrame({"level": "item", "key": items["item_id"],
                      "section": items["dimension"].map(section_of),
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


# --------------------------------------------------------------------------------------------
# reader-facing views and sentences
# --------------------------------------------------------------------------------------------

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
    their statement alongside; yes/no flags become words; a ``label`` column
    replaces ``dimension``; ``stage`` is dropped. Headers come from the catalog
    (``readiness.col.<name>``, else the shared column labels).
    """
    from crmlib.i18n import catalog, t
    from crmlib.i18n import label as column_label

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
    if "item_id" in out.columns and "text" not in out.columns:
        texts = inst.items.set_index("item_id")[f"text_{language}"]
        out.insert(out.columns.get_loc("item_id") + 1, "text", out["item_id"].map(texts))
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
    return t("readiness.maturity.headline", language, current=float(row["current"]),
             preferred=float(row["preferred"]), gap=float(row["gap"]),
             level=m.loc["current", "level"], name=m.loc["current", "name"],
             meaning=m.loc["current", "meaning"], target_level=m.loc["preferred", "level"],
             target_name=m.loc["preferred", "name"])


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
                overview: pd.DataFrame | None = None) -> dict:
    """Key figures for ``results.json``, JSON-ready (``None`` for missing numbers).

    Keys: ``readiness_overall_current``/``_preferred``/``_gap``,
    ``readiness_broad_*`` and ``readiness_gap_tool_*`` (section scores),
    ``readiness_maturity_level``, ``readiness_maturity_target``,
    ``readiness_<dimension>_current``/``_preferred``/``_gap`` for every dimension,
    and when given ``readiness_disagreements`` (list of dimensions),
    ``readiness_respondents``, ``readiness_respondents_scored``.
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
    return out
