"""The engagement summary: one client's key findings, first actions and consistency.

After a client's stages have run, :func:`engagement_summary` reads what each
stage recorded (``results.json`` and the tables kept beside it, see
:func:`crmlib.store.read_client_results`); nothing is analysed again. It
returns

* the **key findings** (:func:`key_findings`): at most ten sentences across
  the stages, the most telling first, each naming the stage report and the
  section of it where the finding is shown and explained;
* the **first actions** (:func:`first_actions`): at most ten things to do now,
  in the order the method puts them (recover valuable complainers within the
  recovery window, visit decliners, collect from high-value accounts through
  their owner, ...), each with who, by when where the plan says so, and the
  section that shows the detail;
* the **consistency check** (:func:`crmlib.consistency.check_client` on the
  recorded results): every contradiction between the stages, or a sentence
  saying there is none.

Which findings count most, and the order of the first actions, are the
workbook's own choice (the method lists what to do, not in which order across
stages); the summary says so in its text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib.i18n import (
    check_language,
    code_label,
    format_count,
    format_currency,
    format_date,
    format_number,
    format_percent,
    t,
)

__all__ = [
    "ACTION_ORDER",
    "STAGE_PREFIX",
    "engagement_summary",
    "first_actions",
    "key_findings",
    "section_pointer",
]

#: Catalog prefix of each stage notebook's texts (``<prefix>.intro.title`` names its report).
STAGE_PREFIX: dict[str, str] = {
    "01_identify": "identify", "02_differentiate": "differentiate", "03_interact": "interact",
    "04_personalize": "personalize", "05_readiness": "readiness", "06_servqual": "servqual",
    "07_collections": "collections", "08_follow_up": "followup", "09_segments": "segment",
}

FINDING_COLUMNS = ["rank", "stage", "report", "section", "section_title", "finding", "weight"]
ACTION_COLUMNS = ["rank", "action", "who", "due_by", "n_customers", "stage", "report",
                  "section", "section_title"]


def section_pointer(stage: str, section: str, language: str = "es") -> tuple[str, str]:
    """``(report title, section title)`` of ``section`` (a catalog key such as
    ``"personalize.plan"``) in stage ``stage``'s report, in ``language``."""
    report = t(f"{STAGE_PREFIX[stage]}.intro.title", language)
    return report, t(f"{section}.title", language)


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _num(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) \
        and np.isfinite(float(x))


def _values(recorded, stage) -> dict:
    return (recorded.get(stage) or {}).get("values") or {}


def _table(recorded, stage, name) -> pd.DataFrame | None:
    tb = ((recorded.get(stage) or {}).get("tables") or {}).get(name)
    return tb if isinstance(tb, pd.DataFrame) else None


# --------------------------------------------------------------------------- findings
# each: (weight, stage, section, function(recorded, language) -> sentence or None)

def _f_pareto(r, lang):
    v = _get(_values(r, "02_differentiate"), "pareto")
    if not v or not _num(v.get("customer_share_for_value")) or not _num(v.get("value_share")):
        return None
    return t("summary.finding.pareto", lang,
             customers=format_percent(v["customer_share_for_value"], lang),
             value=format_percent(v["value_share"], lang))


def _f_decliners(r, lang):
    v = _get(_values(r, "02_differentiate"), "decliners")
    if not v or not _num(v.get("n_decliners")) or not v["n_decliners"]:
        return None
    return t("summary.finding.decliners", lang, n=format_count(v["n_decliners"], lang),
             value=format_currency(v.get("value_at_risk_annual"), lang))


def _f_most_valuable(r, lang):
    mvc = _table(r, "02_differentiate", "most_valuable")
    if mvc is None or mvc.empty or "share" not in mvc:
        return None
    return t("summary.finding.most_valuable", lang, n=format_count(len(mvc), lang),
             share=format_percent(float(mvc["share"].sum()), lang))


def _f_below_zero(r, lang):
    n = _get(_values(r, "02_differentiate"), "value_groups", "n_below_zero")
    if not _num(n) or not n:
        return None
    return t("summary.finding.below_zero", lang, n=format_count(n, lang))


def _f_churn(r, lang):
    v = _get(_values(r, "02_differentiate"), "retention")
    if not v or not _num(v.get("churn_rate")):
        return None
    return t("summary.finding.churn", lang, churn=format_percent(v["churn_rate"], lang),
             period=str(v.get("period", "")))


def _f_complainers(r, lang):
    n = _values(r, "03_interact").get("n_valuable_complainers")
    if not _num(n) or not n:
        return None
    return t("summary.finding.complainers", lang, n=format_count(n, lang))


def _f_lost_after_complaint(r, lang):
    v = _get(_values(r, "03_interact"), "lost_after_complaint")
    if not v or not _num(v.get("share_lost")) or not v.get("n_lost"):
        return None
    return t("summary.finding.lost_after_complaint", lang,
             share=format_percent(v["share_lost"], lang),
             value=format_currency(v.get("value_lost"), lang))


def _f_fcr(r, lang):
    v = _get(_values(r, "03_interact"), "complaints")
    if not v or not _num(v.get("fcr_rate")):
        return None
    return t("summary.finding.fcr", lang, fcr=format_percent(v["fcr_rate"], lang))


def _f_plan(r, lang):
    plan = _table(r, "04_personalize", "treatment_plan")
    if plan is None or plan.empty:
        return None
    n = len(plan)
    top = plan["service_level"].eq("A").sum() if "service_level" in plan else 0
    return t("summary.finding.plan", lang, n=format_count(n, lang),
             top=format_count(top, lang),
             win_back=format_count(plan["action"].eq("win_back").sum(), lang),
             visit=format_count(plan["channel"].eq("visit").sum() if "channel" in plan else 0,
                                lang))


def _f_maturity(r, lang):
    m = _table(r, "05_readiness", "maturity")
    if m is None or m.empty or "scenario" not in m or "name" not in m:
        return None
    by = m.set_index("scenario")
    if "current" not in by.index:
        return None
    cur = by.loc["current"]
    if "preferred" in by.index:
        return t("summary.finding.maturity", lang, current=str(cur["name"]),
                 preferred=str(by.loc["preferred", "name"]))
    return t("summary.finding.maturity_now", lang, current=str(cur["name"]))


def _f_servqual(r, lang):
    g = _table(r, "06_servqual", "dimension_gaps")
    if g is None or g.empty or "gap" not in g or "dimension" not in g:
        return None
    worst = g.sort_values(["gap", "dimension"]).iloc[0]
    if not worst["gap"] < 0:
        return t("summary.finding.servqual_met", lang)
    return t("summary.finding.servqual_gap", lang,
             dimension=code_label("dimension", worst["dimension"], lang) or
             str(worst["dimension"]),
             gap=format_number(worst["gap"], lang, decimals=2, signed=True))


def _f_receivables(r, lang):
    v = _get(_values(r, "07_collections"), "receivables")
    if not v or not _num(v.get("overdue_share")):
        return None
    return t("summary.finding.receivables", lang,
             share=format_percent(v["overdue_share"], lang),
             overdue=format_currency(v.get("overdue"), lang),
             high=format_count(v.get("n_high_risk") or 0, lang))


def _f_duplicates(r, lang):
    v = _values(r, "01_identify")
    if not _num(v.get("duplicate_rate")) or not _num(v.get("n_records")):
        return None
    return t("summary.finding.duplicates", lang, share=format_percent(v["duplicate_rate"], lang),
             records=format_count(v["n_records"], lang),
             master=format_count(v.get("n_master") or 0, lang))


def _f_lost_reasons(r, lang):
    reasons = _table(r, "08_follow_up", "lost_reasons")
    if reasons is None or reasons.empty or not {"reason_category", "customer_share"} <= \
            set(reasons.columns):
        return None
    top = reasons.sort_values(["n_customers", "reason_category"],
                              ascending=[False, True]).iloc[0]
    n = _values(r, "08_follow_up").get("n_worth_recovering")
    return t("summary.finding.lost_reasons", lang,
             reason=code_label("reason_category", top["reason_category"], lang) or
             str(top["reason_category"]),
             share=format_percent(top["customer_share"], lang),
             n=format_count(n if _num(n) else 0, lang))


def _f_funnel(r, lang):
    v = _get(_values(r, "09_segments"), "segments")
    if not v or not isinstance(v.get("funnel"), dict) or not v.get("funnel_loss_step"):
        return None
    step = v["funnel_loss_step"]
    return t("summary.finding.funnel", lang,
             step=code_label("funnel_step", step, lang) or str(step),
             loyal=format_count(v["funnel"].get("loyal", 0), lang),
             registered=format_count(v["funnel"].get("registered", 0), lang))


def _f_wallet(r, lang):
    v = _get(_values(r, "09_segments"), "segments")
    if not v or not _num(v.get("share_of_wallet")):
        return None
    key = "summary.finding.wallet_estimated" if v.get("n_wallet_estimated") else \
        "summary.finding.wallet"
    return t(key, lang, share=format_percent(v["share_of_wallet"], lang),
             estimated=format_count(v.get("n_wallet_estimated") or 0, lang),
             n=format_count(v.get("n_wallet_customers") or 0, lang))


def _f_contract_value(r, lang):
    v = _get(_values(r, "02_differentiate"), "clv_contract_value")
    if not v or not _num(v.get("total_value")) or not _num(v.get("n_active")) \
            or not _num(v.get("mean_expected_months")):
        return None
    return t("summary.finding.contract_value", lang,
             n=format_count(int(v["n_active"]), lang),
             total=format_number(v["total_value"], lang, decimals=0),
             months=format_number(v["mean_expected_months"], lang, decimals=1))


_FINDINGS: tuple[tuple[int, str, str, Callable], ...] = (
    (95, "02_differentiate", "differentiate.pareto", _f_pareto),
    (92, "02_differentiate", "differentiate.decliners", _f_decliners),
    (90, "03_interact", "interact.valuable", _f_complainers),
    (88, "07_collections", "collections.aging", _f_receivables),
    (86, "06_servqual", "servqual.dimension_gaps", _f_servqual),
    (84, "02_differentiate", "differentiate.value_groups", _f_most_valuable),
    (82, "04_personalize", "personalize.plan", _f_plan),
    (80, "05_readiness", "readiness.maturity", _f_maturity),
    (75, "03_interact", "interact.lost", _f_lost_after_complaint),
    (70, "02_differentiate", "differentiate.retention", _f_churn),
    (69, "02_differentiate", "clv.contract_value", _f_contract_value),
    (65, "02_differentiate", "differentiate.value_groups", _f_below_zero),
    (60, "01_identify", "identify.matching", _f_duplicates),
    (55, "03_interact", "interact.fcr", _f_fcr),
    (78, "08_follow_up", "followup.lost", _f_lost_reasons),
    (72, "09_segments", "segment.funnel", _f_funnel),
    (68, "09_segments", "segment.wallet", _f_wallet),
)


def key_findings(recorded: dict, *, language: str = "es", n: int = 10) -> pd.DataFrame:
    """The client's key findings across stages, read from what the stages recorded.

    Parameters
    ----------
    recorded : dict
        :func:`crmlib.store.read_client_results` of the client's folder.
    language : {"es", "en"}
    n : int, default 10
        At most this many findings.

    Returns
    -------
    DataFrame
        One row per finding, most telling first: ``rank``, ``stage`` (notebook),
        ``report`` (the stage report's title), ``section`` (catalog key),
        ``section_title``, ``finding`` (a sentence) and ``weight`` (the
        workbook's own ordering). A stage that did not run gives none.
    """
    check_language(language)
    rows = []
    for weight, stage, section, func in _FINDINGS:
        if stage not in recorded:
            continue
        text = func(recorded, language)
        if not text:
            continue
        report, title = section_pointer(stage, section, language)
        rows.append({"stage": stage, "report": report, "section": section,
                     "section_title": title, "finding": text, "weight": weight})
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS[1:])
    out = out.sort_values(["weight", "stage"], ascending=[False, True], kind="mergesort")
    out = out.head(n).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- actions

def _named(view: pd.DataFrame | None, ids, lang: str, k: int = 3) -> str:
    """The first ``k`` customers of ``ids`` as "Name (id)" (ids alone without a name)."""
    ids = [str(i) for i in ids][:k]
    names = {}
    if view is not None and "name" in view:
        names = dict(zip(view["customer_id"].astype(str), view["name"], strict=False))
    parts = []
    for i in ids:
        nm = names.get(i)
        parts.append(f"{nm} ({i})" if isinstance(nm, str) and nm.strip() else i)
    return ", ".join(parts)


def _by_value(rows: pd.DataFrame, view: pd.DataFrame | None) -> pd.DataFrame:
    if view is None or "value_rank" not in view:
        return rows.sort_values("customer_id", kind="mergesort")
    rank = dict(zip(view["customer_id"].astype(str), view["value_rank"], strict=False))
    return rows.assign(_r=rows["customer_id"].astype(str).map(rank)).sort_values(
        ["_r", "customer_id"], kind="mergesort").drop(columns="_r")


def _plan_rows(r, rules=None, channel=None, action=None):
    plan = _table(r, "04_personalize", "treatment_plan")
    if plan is None or plan.empty:
        return None
    keep = pd.Series(True, index=plan.index)
    if rules is not None:
        keep &= plan["rule_id"].isin(rules)
    if channel is not None:
        keep &= plan["channel"].eq(channel)
    if action is not None:
        keep &= plan["action"].eq(action)
    rows = plan[keep]
    return rows if len(rows) else None


def _common(series: pd.Series | None):
    if series is None:
        return None
    s = series.dropna()
    return s.mode().iloc[0] if len(s) else None


def _a_recover(r, lang):
    view = _table(r, "04_personalize", "customer_view")
    rows = _plan_rows(r, rules=("recover_valuable_complainer", "recover_slow_complaint"))
    if rows is None:
        return None
    rows = _by_value(rows, view)
    due = pd.to_datetime(rows["due_by"]).min() if "due_by" in rows else None
    first = _named(view, rows["customer_id"], lang)
    text = t("summary.action.recover", lang, n=format_count(len(rows), lang), first=first)
    if view is not None and "on_complaint_call_list" in view:
        # the plan recovers the call list of 03 and the class A or B customers with an open
        # complaint beside it: say both, so that 03's count and this one read as one answer
        listed = set(view.loc[view["on_complaint_call_list"].fillna(False).astype(bool),
                              "customer_id"].astype(str))
        n_calls = int(rows["customer_id"].astype(str).isin(listed).sum())
        if n_calls < len(rows):
            text = t("summary.action.recover_split", lang, n=format_count(len(rows), lang),
                     calls=format_count(n_calls, lang),
                     other=format_count(len(rows) - n_calls, lang), first=first)
    return text, _common(rows.get("owner")), due, len(rows)


def _a_visit(r, lang):
    view = _table(r, "04_personalize", "customer_view")
    rows = _plan_rows(r, channel="visit")
    if rows is None:
        return None
    rows = _by_value(rows, view)
    return (t("summary.action.visit", lang, n=format_count(len(rows), lang),
              first=_named(view, rows["customer_id"], lang)),
            _common(rows.get("owner")), pd.to_datetime(rows.get("due_by")).min()
            if "due_by" in rows else None, len(rows))


def _a_owner_review(r, lang):
    dun = _table(r, "07_collections", "dunning_plan")
    if dun is None or dun.empty:
        return None
    rows = dun[dun["action"].eq("owner_review")]
    if rows.empty:
        return None
    view = _table(r, "04_personalize", "customer_view")
    return (t("summary.action.owner_review", lang, n=format_count(len(rows), lang),
              first=_named(view, rows["customer_id"], lang)),
            _common(rows.get("owner")), None, len(rows))


def _a_letters(r, lang):
    dun = _table(r, "07_collections", "dunning_plan")
    if dun is None or dun.empty:
        return None
    rows = dun[dun["action"].eq("send")]
    if rows.empty:
        return None
    source = dun.attrs.get("history_source") or _common(dun.get("history_source")) or "none"
    return (t(f"summary.action.letters.{source}", lang, n=format_count(len(rows), lang)),
            None, None, len(rows))


def _a_win_back(r, lang):
    view = _table(r, "04_personalize", "customer_view")
    rows = _plan_rows(r, rules=("win_back_valuable",))
    if rows is None:
        return None
    rows = _by_value(rows, view)
    return (t("summary.action.win_back", lang, n=format_count(len(rows), lang),
              first=_named(view, rows["customer_id"], lang)),
            _common(rows.get("owner")), None, len(rows))


def _a_below_zero(r, lang):
    rows = _plan_rows(r, rules=("reduce_cost_below_zero",))
    if rows is None:
        return None
    return (t("summary.action.below_zero", lang, n=format_count(len(rows), lang)),
            _common(rows.get("owner")), None, len(rows))


def _a_servqual(r, lang):
    ipa = _table(r, "06_servqual", "ipa")
    if ipa is None or ipa.empty or "dimension" not in ipa:
        return None
    order = ipa.sort_values(["priority", "dimension"]) if "priority" in ipa else ipa
    dim = order.iloc[0]["dimension"]
    return (t("summary.action.servqual", lang,
              dimension=code_label("dimension", dim, lang) or str(dim)), None, None, None)


def _a_readiness(r, lang):
    pr = _table(r, "05_readiness", "priorities")
    if pr is None or pr.empty or "action" not in pr:
        return None
    first = pr.sort_values(["rank"], kind="mergesort").iloc[0] if "rank" in pr else pr.iloc[0]
    return (t("summary.action.readiness", lang, task=str(first["action"]).rstrip(".")),
            None, None, None)


def _a_duplicates(r, lang):
    n = _values(r, "01_identify").get("n_pairs_review")
    if not _num(n) or not n:
        return None
    return (t("summary.action.duplicates", lang, n=format_count(n, lang)), None, None, None)


def _in_plan_note(r, ids, lang) -> str:
    """" k of them the Personalize plan already wins back": the lists of 08 and 09 and the
    plan's win-back name some customers twice; the summary says so, one call per customer."""
    rows = _plan_rows(r, rules=("win_back_valuable", "recover_valuable_complainer",
                                "recover_slow_complaint"))
    if rows is None or not len(ids):
        return ""
    k = int(pd.Index(pd.Series(ids).astype(str)).isin(
        set(rows["customer_id"].astype(str))).sum())
    if not k:
        return ""
    key = "summary.action.in_plan_one" if k == 1 else "summary.action.in_plan"
    return " " + t(key, lang, k=format_count(k, lang))


def _a_recover_lost(r, lang):
    rows = _table(r, "08_follow_up", "recovery_list")
    if rows is None or rows.empty:
        return None
    view = _table(r, "04_personalize", "customer_view")
    ids = rows["customer_id"].tolist() if "customer_id" in rows else []
    return (t("summary.action.recover_lost", lang, n=format_count(len(rows), lang),
              first=_named(view, ids, lang)) + _in_plan_note(r, ids, lang),
            None, None, len(rows))


def _a_reactivate(r, lang):
    rows = _table(r, "09_segments", "reactivation_calls")
    if rows is None or rows.empty:
        return None
    text = t("summary.action.reactivate", lang, n=format_count(len(rows), lang))
    if "calls_from" in rows and rows["calls_from"].notna().any():
        start = format_date(pd.to_datetime(rows["calls_from"]).min(), lang)
        text = t("summary.action.reactivate_from", lang, n=format_count(len(rows), lang),
                 start=start)
    if "customer_id" in rows:
        text += _in_plan_note(r, rows["customer_id"].tolist(), lang)
    return (text, None, None, len(rows))


#: The order of the first actions (the workbook's own): what loses a valuable customer
#: soonest first: an unresolved complaint (30-day window), a decliner going to a
#: competitor, a high-value debt, then the rest.
ACTION_ORDER: tuple[tuple[str, str, Callable], ...] = (
    ("04_personalize", "personalize.customers", _a_recover),
    ("04_personalize", "personalize.plan", _a_visit),
    ("07_collections", "collections.dunning", _a_owner_review),
    ("04_personalize", "personalize.plan", _a_win_back),
    ("07_collections", "collections.dunning", _a_letters),
    ("06_servqual", "servqual.ipa", _a_servqual),
    ("04_personalize", "personalize.plan", _a_below_zero),
    ("08_follow_up", "followup.recovery", _a_recover_lost),
    ("09_segments", "segment.calendar", _a_reactivate),
    ("05_readiness", "readiness.priorities", _a_readiness),
    ("01_identify", "identify.matching", _a_duplicates),
)


def first_actions(recorded: dict, *, language: str = "es", n: int = 10) -> pd.DataFrame:
    """The first things to do for the client, across stages, in the method's urgency.

    Returns
    -------
    DataFrame
        ``rank``, ``action`` (a sentence naming the first customers where it
        concerns customers), ``who`` (the owner the plan names, empty if
        none), ``due_by`` (the plan's deadline, empty if none),
        ``n_customers``, ``stage``, ``report``, ``section`` and
        ``section_title`` (where the detail is).
    """
    check_language(language)
    rows = []
    for stage, section, func in ACTION_ORDER:
        if stage not in recorded:
            continue
        got = func(recorded, language)
        if not got:
            continue
        text, who, due, count = got
        report, title = section_pointer(stage, section, language)
        rows.append({"action": text, "who": who, "due_by": due if due is not None and
                     not pd.isna(due) else None, "n_customers": count, "stage": stage,
                     "report": report, "section": section, "section_title": title})
    out = pd.DataFrame(rows, columns=ACTION_COLUMNS[1:]).head(n).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- the summary

def engagement_summary(results_dir, *, language: str = "es") -> dict:
    """Everything the summary notebook shows for one client.

    Parameters
    ----------
    results_dir : str or path
        The client's folder of an engagement run (``<out>/<client_id>``), with
        one folder per stage.
    language : {"es", "en"}

    Returns
    -------
    dict
        ``stages`` (the stages found, in order), ``findings``
        (:func:`key_findings`), ``actions`` (:func:`first_actions`),
        ``consistency`` (:func:`crmlib.consistency.check_client` on the
        recorded results), ``consistency_note`` (its reading) and ``missing``
        (stages of the method with no recorded results).
    """
    from crmlib.consistency import check_client, consistency_note, recorded_results
    from crmlib.store import read_client_results

    check_language(language)
    recorded = {k: v for k, v in read_client_results(Path(results_dir)).items()
                if k in STAGE_PREFIX}
    found = check_client(recorded_results(recorded), language=language)
    return {
        "stages": [s for s in STAGE_PREFIX if s in recorded],
        "findings": key_findings(recorded, language=language),
        "actions": first_actions(recorded, language=language),
        "consistency": found,
        "consistency_note": consistency_note(found, language=language),
        "missing": [s for s in STAGE_PREFIX if s not in recorded],
    }


def findings_markdown(table: pd.DataFrame, *, language: str = "es") -> str:
    """Findings or actions as a numbered list, each with where to read more."""
    check_language(language)
    if table.empty:
        return t("summary.none", language)
    lines = []
    for r in table.itertuples():
        text = getattr(r, "finding", None) or getattr(r, "action", "")
        extra = []
        who = getattr(r, "who", None)
        if isinstance(who, str) and who:
            extra.append(t("summary.who", language, who=who))
        due = getattr(r, "due_by", None)
        if due is not None and not pd.isna(due):
            extra.append(t("summary.due", language, date=format_date(due, language)))
        tail = f" ({'; '.join(extra)})" if extra else ""
        see = t("summary.see", language, report=r.report, section=r.section_title)
        lines.append(f"{r.rank}. {text}{tail} — *{see}*")
    return "\n".join(lines)


def stages_markdown(summary: dict, *, language: str = "es") -> str:
    """Which stage reports the summary rests on, and which are missing."""
    check_language(language)
    found = ", ".join(t(f"{STAGE_PREFIX[s]}.intro.title", language) for s in summary["stages"])
    text = t("summary.based_on", language, reports=found or t("summary.nothing", language))
    if summary["missing"]:
        gone = ", ".join(t(f"{STAGE_PREFIX[s]}.intro.title", language)
                         for s in summary["missing"])
        text += " " + t("summary.missing", language, reports=gone)
    return text


def record_tables(summary: dict) -> dict[str, pd.DataFrame]:
    """The summary's tables for the report's Excel workbook: reader columns only
    (``summary_findings``, ``summary_actions``, ``consistency``)."""
    found = summary["consistency"]
    return {
        "summary_findings": summary["findings"][["rank", "finding", "report", "section_title"]],
        "summary_actions": summary["actions"][["rank", "action", "who", "due_by",
                                               "n_customers", "report", "section_title"]],
        "consistency": found[["severity_label", "check_label", "n_items", "message"]],
    }


def key_figures(summary: dict) -> dict:
    """Counts for ``results.json``: findings, actions, contradictions (by check code)."""
    found = summary["consistency"]
    return {"n_findings": len(summary["findings"]), "n_actions": len(summary["actions"]),
            "n_contradictions": len(found), "contradictions": list(found["check"]),
            "checks_run": list(found.attrs.get("run") or []),
            "stages": list(summary["stages"]), "missing_stages": list(summary["missing"])}


def record(recorder, summary: dict) -> dict:
    """Pass the summary's tables (:func:`record_tables`) and figures (:func:`key_figures`)
    to a notebook's :class:`crmlib.report.Recorder`; returns the figures."""
    for name, table in record_tables(summary).items():
        recorder.table(name, table)
    return recorder.value("summary", key_figures(summary))


__all__ += ["findings_markdown", "key_figures", "record", "record_tables", "stages_markdown"]
