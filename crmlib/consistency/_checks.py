"""The checks, one function each, and :func:`check_client` that runs them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, code_label, t

SEVERITIES = ("high", "medium", "low")
_VALUABLE = ("A", "B")
_RESULT_KEYS = ("view", "plan", "dunning", "call_list", "most_valuable", "growth", "ipa",
                "tests", "zone", "regression", "method", "reactivation")


def _ids(s: pd.Series) -> set:
    return set(s.dropna().astype(str))


def _by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(customer_id=table["customer_id"].astype(str)).set_index("customer_id")


def _in_recovery(plan: pd.DataFrame) -> pd.Series:
    """Plan rows that give the customer a named owner and a deadline to act by."""
    owner = plan["owner"] if "owner" in plan else pd.Series(None, index=plan.index)
    due = plan["due_by"] if "due_by" in plan else pd.Series(pd.NaT, index=plan.index)
    return owner.notna() & pd.to_datetime(due).notna()


def _to_legal(dunning: pd.DataFrame) -> pd.Series:
    stage = dunning["stage"] if "stage" in dunning else pd.Series(None, index=dunning.index)
    return (dunning["action"] == "handed_over") | (
        (dunning["action"] == "send") & (stage == "handover"))


def _collected_by_legal(view: pd.DataFrame) -> pd.Series:
    """Customers of low value whose debt has reached the hand-over step: the method sends
    them to the legal area, so no commercial action is owed to them."""
    if "collection_step" not in view:
        return pd.Series(False, index=view.index)
    low = ~view["pareto_class"].isin(_VALUABLE)
    if "is_most_valuable" in view:
        low &= ~view["is_most_valuable"].fillna(False).astype(bool)
    return (view["collection_step"] == "handover") & low


# --- customer checks ------------------------------------------------------------------


def _legal_for_retained(r):
    """07 hands over to legal a customer that 04 retains or that is of high value."""
    dun, plan, view = r["dunning"], r.get("plan"), r.get("view")
    legal = _ids(dun.loc[_to_legal(dun), "customer_id"])
    keep = set()
    if plan is not None:
        keep |= _ids(plan.loc[plan["action"] == "retain", "customer_id"])
    if view is not None:
        high = view["pareto_class"].isin(_VALUABLE)
        if "is_most_valuable" in view:
            high |= view["is_most_valuable"].fillna(False).astype(bool)
        keep |= _ids(view.loc[high, "customer_id"])
    return sorted(legal & keep)


def _complaint_without_recovery(r):
    """03 puts a valuable complainer on the call list (or the view shows a valuable
    customer with an open complaint) but 04 gives no owner, or no deadline within the
    recovery window (30 days from the view's date)."""
    plan = r["plan"]
    flagged = set()
    if r.get("call_list") is not None:
        flagged |= _ids(r["call_list"]["customer_id"])
    view = r.get("view")
    if view is not None and "n_open_complaints" in view:
        hit = view["pareto_class"].isin(_VALUABLE) & (view["n_open_complaints"] > 0)
        flagged |= _ids(view.loc[hit, "customer_id"])
    on_time = _in_recovery(plan)
    if view is not None and view.attrs.get("as_of"):
        window = (view.attrs.get("parameters") or {}).get("recovery_window_days", 30)
        limit = pd.Timestamp(view.attrs["as_of"]) + pd.Timedelta(days=window)
        on_time &= pd.to_datetime(plan["due_by"]) <= limit
    recovering = _ids(plan.loc[on_time, "customer_id"])
    planned = _ids(plan["customer_id"])
    return sorted((flagged & planned) - recovering)


def _decliner_not_visited(r):
    """Decliners get no visit: the method says to visit them now (unless they are below
    zero, or of low value with their debt gone to the legal area)."""
    view, plan = r["view"], _by_id(r["plan"])
    dec = view["is_decliner"].fillna(False).astype(bool) & ~_collected_by_legal(view)
    if "is_below_zero" in view:
        dec &= ~view["is_below_zero"].fillna(False).astype(bool)
    ids = [c for c in _ids(view.loc[dec, "customer_id"]) if c in plan.index]
    p = plan.loc[ids]
    bad = (p["channel"] != "visit") & ~_in_recovery(p)
    return sorted(p.index[bad.to_numpy()])


def _decliner_grow(r):
    """Decliners offered a grow action, as if their spend were rising."""
    view, plan = r["view"], _by_id(r["plan"])
    ids = [c for c in _ids(view.loc[view["is_decliner"].fillna(False).astype(bool),
                                    "customer_id"]) if c in plan.index]
    p = plan.loc[ids]
    return sorted(p.index[(p["action"] == "grow").to_numpy()])


def _class_a_below_a(r):
    """Class-A customers served below level A with no reason stated."""
    view, plan = r["view"], _by_id(r["plan"])
    ids = [c for c in _ids(view.loc[view["pareto_class"] == "A", "customer_id"])
           if c in plan.index]
    p = plan.loc[ids]
    note = p["service_note"] if "service_note" in p else pd.Series(None, index=p.index)
    bad = (p["service_level"] != "A") & note.isna()
    return sorted(p.index[bad.to_numpy()])


def _lost_in_most_valuable(r):
    """The most-valuable list includes customers who are lost."""
    view = _by_id(r["view"])
    ids = [c for c in _ids(r["most_valuable"]["customer_id"]) if c in view.index]
    return sorted(c for c in ids if view.at[c, "lifecycle"] == "lost")


def _below_zero_served_high(r):
    """Below-zero customers served at level A or offered growth, at a loss."""
    view, plan = r["view"], _by_id(r["plan"])
    ids = [c for c in _ids(view.loc[view["is_below_zero"].fillna(False).astype(bool),
                                    "customer_id"]) if c in plan.index]
    p = plan.loc[ids]
    bad = ((p["service_level"] == "A") | (p["action"] == "grow")) & ~_in_recovery(p)
    return sorted(p.index[bad.to_numpy()])


def _valuable_lost_no_win_back(r):
    """Valuable customers lost within the last two years without a win-back (unless their
    debt has gone to the legal area)."""
    view, plan = r["view"], _by_id(r["plan"])
    cls = view["pareto_class_all_time"] if "pareto_class_all_time" in view else \
        view["pareto_class"]
    hit = cls.isin(_VALUABLE) & (view["lifecycle"] == "lost") & (view["days_since_last"] <= 730)
    hit &= ~_collected_by_legal(view)
    ids = [c for c in _ids(view.loc[hit, "customer_id"]) if c in plan.index]
    p = plan.loc[ids]
    bad = (p["action"] != "win_back") & ~_in_recovery(p)
    return sorted(p.index[bad.to_numpy()])


def _win_back_active(r):
    """Customers still buying (new or active) offered a win-back."""
    view, plan = _by_id(r["view"]), r["plan"]
    ids = [c for c in _ids(plan.loc[plan["action"] == "win_back", "customer_id"])
           if c in view.index]
    return sorted(c for c in ids if view.at[c, "lifecycle"] in ("new", "active"))


def _thanks_with_open_complaint(r):
    """A thank-you letter for a solved complaint while another complaint is still open."""
    view, plan = _by_id(r["view"]), r["plan"]
    if "n_open_complaints" not in view:
        return []
    ids = [c for c in _ids(plan.loc[plan["letter"] == "complaint_thanks", "customer_id"])
           if c in view.index]
    return sorted(c for c in ids if view.at[c, "n_open_complaints"] > 0)


def _retain_or_grow_lost(r):
    """Lost customers (no purchase for a year) given a retain or grow action, as if they
    were still buying: the method's treatment is a win-back."""
    view, plan = _by_id(r["view"]), r["plan"]
    p = plan[plan["action"].isin(["retain", "grow"]) & ~_in_recovery(plan)]
    ids = [c for c in _ids(p["customer_id"]) if c in view.index]
    return sorted(c for c in ids if view.at[c, "lifecycle"] == "lost")


def _growth_and_decline(r):
    """02 lists as growing (year on year) customers it also calls decliners (last months)."""
    view = r["view"]
    dec = _ids(view.loc[view["is_decliner"].fillna(False).astype(bool), "customer_id"])
    return sorted(_ids(r["growth"]["customer_id"]) & dec)


def _letter_to_legal(r):
    """A relationship letter (welcome, retention offer, win-back) to a customer the
    collections plan hands over to legal."""
    plan, dun = r["plan"], r["dunning"]
    sent = plan[plan["letter"].notna() & (plan["letter"] != "complaint_thanks")]
    legal = _ids(dun.loc[_to_legal(dun), "customer_id"])
    return sorted(_ids(sent["customer_id"]) & legal)


# --- segments-stage checks (notebook 09 against 04 and 07) -------------------------------


def _reactivation_to_legal(r):
    """09 puts on the reactivation call list a customer whose debt 07 hands over to legal."""
    dun = r["dunning"]
    legal = _ids(dun.loc[_to_legal(dun), "customer_id"])
    return sorted(_ids(r["reactivation"]["customer_id"]) & legal)


def _type_vs_lifecycle(r):
    """09 calls active a customer the view calls lost, or inactive one the view calls new or
    active: the two stages read the same purchases on different windows or dates."""
    view, method = _by_id(r["view"]), r["method"]
    if "customer_type" not in method:
        return []
    out = []
    for cid, kind in zip(method["customer_id"].astype(str), method["customer_type"],
                         strict=False):
        if cid not in view.index:
            continue
        life = view.at[cid, "lifecycle"]
        if (kind == "active" and life == "lost") or \
                (kind == "inactive" and life in ("new", "active")):
            out.append(cid)
    return sorted(out)


def _loyal_decliner(r):
    """09 places at the loyalty steps of the funnel a customer the view calls a decliner,
    whom 04 visits because their purchases fell."""
    view, method = r["view"], r["method"]
    if "funnel_step" not in method:
        return []
    dec = _ids(view.loc[view["is_decliner"].fillna(False).astype(bool), "customer_id"])
    top = _ids(method.loc[method["funnel_step"].isin(["loyal", "growing_share"]),
                          "customer_id"])
    return sorted(top & dec)


# --- SERVQUAL checks -------------------------------------------------------------------


def _short(tests: pd.DataFrame) -> set:
    return set(tests.loc[tests["significant"].fillna(False).astype(bool)
                         & (tests["mean_diff"] < 0), "dimension"])


def _overkill_with_shortfall(r):
    """IPA calls 'possible overkill' a dimension significantly below expectations."""
    ipa = r["ipa"]
    over = set(ipa.loc[ipa["quadrant"] == "overkill", "dimension"])
    return sorted(over & _short(r["tests"]))


def _low_priority_below_adequate(r):
    """IPA calls 'low priority' a dimension below the adequate service level."""
    ipa, zone = r["ipa"], r["zone"]
    low = set(ipa.loc[ipa["quadrant"].isin(["low_priority", "overkill"]), "dimension"])
    return sorted(low & set(zone.loc[zone["position"] == "below", "dimension"]))


def _low_priority_top_driver(r):
    """IPA calls 'low priority' or 'overkill' the dimension that drives the overall rating
    most (largest derived importance, significant coefficient) while it falls short."""
    ipa, reg = r["ipa"], r["regression"]
    reg = reg[reg["derived_importance"].notna()]
    if reg.empty:
        return []
    top = reg.sort_values(["derived_importance", "dimension"], ascending=[False, True]).iloc[0]
    if not (top["p_value"] < 0.05):
        return []
    row = ipa[ipa["dimension"] == top["dimension"]]
    if row.empty or row["quadrant"].iloc[0] not in ("low_priority", "overkill"):
        return []
    return [top["dimension"]] if row["gap"].iloc[0] < 0 else []


Check = tuple[str, str, tuple[str, ...], Callable]

#: Every check: (code, severity, results it needs, function returning the items).
CHECKS: tuple[Check, ...] = (
    ("legal_for_retained", "high", ("dunning",), _legal_for_retained),
    ("complaint_without_recovery", "high", ("plan",), _complaint_without_recovery),
    ("decliner_not_visited", "high", ("view", "plan"), _decliner_not_visited),
    ("decliner_grow", "high", ("view", "plan"), _decliner_grow),
    ("class_a_below_a", "high", ("view", "plan"), _class_a_below_a),
    ("lost_in_most_valuable", "medium", ("view", "most_valuable"), _lost_in_most_valuable),
    ("below_zero_served_high", "medium", ("view", "plan"), _below_zero_served_high),
    ("valuable_lost_no_win_back", "medium", ("view", "plan"), _valuable_lost_no_win_back),
    ("win_back_active", "low", ("view", "plan"), _win_back_active),
    ("letter_to_legal", "medium", ("plan", "dunning"), _letter_to_legal),
    ("thanks_with_open_complaint", "medium", ("view", "plan"), _thanks_with_open_complaint),
    ("retain_or_grow_lost", "medium", ("view", "plan"), _retain_or_grow_lost),
    ("growth_and_decline", "medium", ("view", "growth"), _growth_and_decline),
    ("overkill_with_shortfall", "high", ("ipa", "tests"), _overkill_with_shortfall),
    ("low_priority_below_adequate", "high", ("ipa", "zone"), _low_priority_below_adequate),
    ("low_priority_top_driver", "medium", ("ipa", "regression"), _low_priority_top_driver),
    ("reactivation_to_legal", "high", ("reactivation", "dunning"), _reactivation_to_legal),
    ("type_vs_lifecycle", "medium", ("view", "method"), _type_vs_lifecycle),
    ("loyal_decliner", "medium", ("view", "method"), _loyal_decliner),
)

_NEEDS_ONE_OF = {"legal_for_retained": ("plan", "view"),
                 "complaint_without_recovery": ("call_list", "view")}


def check_client(results: dict, *, language: str = "es", max_items: int = 20) -> pd.DataFrame:
    """Every contradiction between one client's results.

    Parameters
    ----------
    results : dict
        The client's result tables, by name; give those you have:
        ``view`` (:func:`crmlib.view.customer_view`), ``plan``
        (:func:`crmlib.personalize.treatment_plan`), ``dunning``
        (:func:`crmlib.collections.dunning_plan`), ``call_list``
        (:func:`crmlib.interact.valuable_complainers`), ``most_valuable``
        (:func:`crmlib.differentiate.most_valuable`), ``growth``
        (:func:`crmlib.differentiate.growth_potential`), ``ipa``
        (:func:`crmlib.servqual.ipa_table`), ``tests``
        (:func:`crmlib.servqual.paired_tests` by dimension), ``zone``
        (:func:`crmlib.servqual.zone_of_tolerance`), ``regression``
        (:func:`crmlib.servqual.importance_regression`), ``method``
        (:func:`crmlib.view.method_view`: customer type and funnel step of notebook 09),
        ``reactivation`` (:func:`crmlib.segment.reactivation_list`). None counts as absent.
    language : {"es", "en"}
        Language of ``check_label``, ``severity_label`` and ``message``.
    max_items : int, default 20
        How many items the message names (``items`` always holds them all).

    Returns
    -------
    DataFrame
        One row per check that found something, high severity first:
        ``check`` (code), ``check_label``, ``severity`` (high, medium, low),
        ``severity_label``, ``items`` (list of customer ids or dimensions),
        ``n_items``, ``message`` (what disagrees, naming the items). Empty when
        the results agree. ``attrs["run"]`` lists the checks run and
        ``attrs["skipped"]`` maps each check not run to the results it lacks.
    """
    check_language(language)
    if not isinstance(results, dict):
        raise ParameterError(f"results must be a dict of result tables by name; got "
                             f"{type(results).__name__}", parameter="results",
                             allowed=_RESULT_KEYS, value=type(results).__name__)
    unknown = sorted(set(results) - set(_RESULT_KEYS))
    if unknown:
        raise ParameterError(f"results has unknown names {unknown}; known: "
                             f"{list(_RESULT_KEYS)}", parameter="results",
                             allowed=_RESULT_KEYS, value=unknown)
    given = {k: v for k, v in results.items() if v is not None}
    problems = [DataProblem(k, None, "is not a table") for k, v in given.items()
                if not isinstance(v, pd.DataFrame)]
    if problems:
        raise DataError(problems)
    rows, run, skipped = [], [], {}
    for code, severity, needs, func in CHECKS:
        lacking = [k for k in needs if k not in given]
        alt = _NEEDS_ONE_OF.get(code)
        if alt and not any(k in given for k in alt):
            lacking.append(" | ".join(alt))
        if lacking:
            skipped[code] = lacking
            continue
        run.append(code)
        items = list(func(given))
        if not items:
            continue
        words = [(code_label("dimension", x, language) or str(x)) if "ipa" in needs else str(x)
                 for x in items[:max_items]]
        shown = ", ".join(words)
        if len(items) > max_items:
            shown += " " + t("consistency.more", language, n=len(items) - max_items)
        rows.append({"check": code, "check_label": t(f"consistency.{code}.label", language),
                     "severity": severity,
                     "severity_label": t(f"consistency.severity.{severity}", language),
                     "items": items, "n_items": len(items),
                     "message": t(f"consistency.{code}.message", language, n=len(items),
                                  items=shown)})
    out = pd.DataFrame(rows, columns=["check", "check_label", "severity", "severity_label",
                                      "items", "n_items", "message"])
    if len(out):
        out = out.assign(_s=out["severity"].map({s: i for i, s in enumerate(SEVERITIES)}))
        out = out.sort_values(["_s", "check"], kind="stable").drop(columns="_s")
    out = out.reset_index(drop=True)
    out["n_items"] = out["n_items"].astype(np.int64)
    out.attrs.update(run=run, skipped=skipped)
    return out
