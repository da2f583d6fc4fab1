"""The answers and who is scored: the group, section and part names, the instrument's
dimensions (:func:`dimension_info`), the checked ``readiness_responses`` table
(:func:`validate_responses`) and, per respondent, how much they answered and whether they
count (:func:`response_overview`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language
from crmlib.instruments import Instrument, load_instrument
from crmlib.io._answers import _option_labels
from crmlib.questionnaire import _group_key, answer_values

GROUPS = ("manager", "employee", "customer", "partner")
#: Sections of the instrument: the broad view by IDIC stage, the personalization-gap tool by
#: area, and the nine timely signals (read one by one, outside every readiness score).
SECTIONS = ("broad", "gap", "signals")
#: The sections averaged into the readiness score and the maturity level.
SCORED_SECTIONS = ("broad", "gap")
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
        ``section`` (``broad``, ``gap`` or ``signals``; ``gap`` when the file does not
        say),
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
        report("group", _unknown_group_rule(df["group"][bad_group], named), bad_group)
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


def _unknown_group_rule(labels: pd.Series, inst: Instrument) -> str:
    """``has a label that is no respondent group ('Vecinos'); accepted: Directivos, ...``."""
    shown = [repr(str(v)) for v in dict.fromkeys(labels.dropna())][:3]
    blank = " or is empty" if labels.isna().any() else ""
    accepted = _option_labels({g: (inst.extra.get("groups") or {}).get(g) for g in GROUPS})
    return (f"has a label that is no respondent group ({', '.join(shown) or 'empty'}){blank}; "
            f"accepted (any case, accents, singular or plural): {', '.join(accepted)}")


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
