"""Next-best-action rules and the treatment plan they give.

The rules are data (``templates/nba_rules.yaml`` or the client's own), checked
by :func:`load_rules`; :func:`treatment_plan` gives each customer exactly one
action (retain, grow, win back, reduce cost to serve) with its service level,
channel, contact frequency, optional letter and the rule that chose it, and
:func:`plan_summary` counts the customers and value each treatment covers.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import LANGUAGES, check_language, label, t
from crmlib.personalize._letters import _PACKAGED, LETTERS
from crmlib.personalize._stages import RELATIONSHIP_STAGES

ACTIONS = ("retain", "grow", "win_back", "reduce_cost")
SERVICE_LEVELS = ("A", "B", "C")


_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "missing")


@lru_cache(maxsize=8)
def _read_yaml(path: str, mtime: float) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def load_rules(rules=None) -> list[dict]:
    """The next-best-action rules, checked.

    Parameters
    ----------
    rules : list, dict, str or path, optional
        A list of rule dicts, a dict with key ``rules``, or a YAML file holding
        one; default (None or "") the packaged ``crmlib/templates/nba_rules.yaml``
        (``templates/nba_rules.yaml`` in a clone is the copy to edit).

    Each rule has ``id``, ``when`` (conditions, all of which must hold; ``{}``
    always holds), ``action`` (one of :data:`ACTIONS`), ``service_level``
    (A/B/C), ``channel`` (a channel, or ``preferred`` for the customer's own
    ``preferred_channel`` falling back on ``fallback_channel``),
    ``contact_every_days`` and optionally ``letter`` (one of :data:`LETTERS`)
    and ``note`` (``{es: ..., en: ...}``). A condition is ``column: value``
    (equal), ``column: [values]`` (one of), or ``column: {op: value}`` with
    ``op`` among eq, ne, gt, ge, lt, le, in, not_in, missing (true/false).

    Returns
    -------
    list of dict
    """
    if rules is None or (isinstance(rules, str) and not rules.strip()):
        rules = _PACKAGED / "nba_rules.yaml"
    if isinstance(rules, (str, Path)):
        path = Path(rules)
        if not path.exists():
            raise ParameterError(f"rules file {path.name!r} does not exist", parameter="rules",
                                 value=str(rules))
        rules = _read_yaml(str(path), path.stat().st_mtime)
    if isinstance(rules, dict):
        rules = rules.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ParameterError("rules must be a non-empty list of rules (or a YAML file with "
                             "'rules:')", parameter="rules", value=type(rules).__name__)
    problems = []
    seen = set()
    for i, r in enumerate(rules):
        rid = r.get("id") if isinstance(r, dict) else None
        where = f"rule {i + 1} ({rid!r})"
        if not isinstance(r, dict) or not rid:
            problems.append(f"{where} needs an id")
            continue
        if rid in seen:
            problems.append(f"{where} repeats its id")
        seen.add(rid)
        if r.get("action") not in ACTIONS:
            problems.append(f"{where}: action must be one of {list(ACTIONS)}, "
                            f"got {r.get('action')!r}")
        if r.get("service_level") not in SERVICE_LEVELS:
            problems.append(f"{where}: service_level must be one of {list(SERVICE_LEVELS)}")
        if not r.get("channel"):
            problems.append(f"{where}: channel is missing")
        ced = r.get("contact_every_days")
        if not (isinstance(ced, (int, float)) and not isinstance(ced, bool) and ced > 0):
            problems.append(f"{where}: contact_every_days must be a number > 0")
        if r.get("letter") is not None and r["letter"] not in LETTERS:
            problems.append(f"{where}: letter must be one of {list(LETTERS)} or empty")
        for key in ("reason", "note", "owner", "below_a_reason"):
            text = r.get(key)
            if text is not None and not (isinstance(text, dict) and all(
                    isinstance(text.get(lang), str) and text[lang].strip()
                    for lang in LANGUAGES)):
                problems.append(f"{where}: {key} must give a text for each of "
                                f"{list(LANGUAGES)}, e.g. {{es: ..., en: ...}}")
        due = r.get("due_within_days")
        if due is not None and not (isinstance(due, int) and not isinstance(due, bool)
                                    and due > 0):
            problems.append(f"{where}: due_within_days must be a whole number of days > 0")
        when = r.get("when", {})
        if not isinstance(when, dict):
            problems.append(f"{where}: when must be a mapping of column: condition")
            continue
        for col, cond in when.items():
            if isinstance(cond, dict):
                bad = [op for op in cond if op not in _OPS]
                if bad:
                    problems.append(f"{where}: unknown operator(s) {bad} on {col!r}; "
                                    f"allowed {list(_OPS)}")
    if problems:
        raise ParameterError("next-best-action rules: " + "; ".join(problems),
                             parameter="rules", allowed=_OPS, value=None)
    return rules


def _condition(s: pd.Series, cond) -> np.ndarray:
    """Boolean mask of ``s`` meeting ``cond``; missing values never meet a comparison."""
    present = s.notna().to_numpy()
    if isinstance(cond, list):
        return present & s.isin(cond).to_numpy()
    if not isinstance(cond, dict):
        return present & (s == cond).fillna(False).to_numpy(dtype=bool)
    mask = np.ones(len(s), dtype=bool)
    for op, v in cond.items():
        if op == "missing":
            mask &= ~present if v else present
            continue
        if op in ("in", "not_in"):
            hit = s.isin(v if isinstance(v, list) else [v]).to_numpy()
            mask &= present & (hit if op == "in" else ~hit)
            continue
        num = pd.to_numeric(s, errors="coerce") if not isinstance(v, str) else s
        cmp = {"eq": num == v, "ne": num != v, "gt": num > v, "ge": num >= v,
               "lt": num < v, "le": num <= v}[op]
        mask &= present & cmp.fillna(False).to_numpy(dtype=bool)
    return mask


def _describe(when: dict, language: str) -> str:
    """The conditions of a rule as a sentence, with the columns' and values' reader
    labels in ``language``."""
    from crmlib.i18n import code_label, format_value

    def word(col, v):
        if isinstance(v, bool):
            return t("rules.value.yes" if v else "rules.value.no", language)
        if isinstance(v, str):
            return code_label(col, v, language) or v
        return format_value(v, language)

    if not when:
        return t("personalize.rule.always", language)
    parts = []
    for col, cond in when.items():
        name = label(col, language)
        if isinstance(cond, list):
            parts.append(t("rules.cond.in", language, column=name, values=t(
                "rules.or", language).join(word(col, v) for v in cond)))
        elif isinstance(cond, dict):
            for op, v in cond.items():
                if op == "missing":
                    parts.append(t("personalize.rule.missing" if v else
                                   "personalize.rule.present", language, column=name))
                elif op in ("in", "not_in"):
                    vals = v if isinstance(v, list) else [v]
                    parts.append(t(f"rules.cond.{op}", language, column=name, values=t(
                        "rules.or", language).join(word(col, x) for x in vals)))
                else:
                    parts.append(t(f"rules.cond.{op}", language, column=name,
                                   value=word(col, v)))
        else:
            parts.append(t("rules.cond.eq", language, column=name,
                           value=word(col, cond)))
    text = t("rules.and", language).join(parts)
    return text[:1].upper() + text[1:] + "."


def _reason(rule: dict, language: str) -> str:
    """The rule's own reason sentence, else its note, else its conditions in words."""
    for key in ("reason", "note"):
        text = (rule.get(key) or {}).get(language)
        if text:
            return text
    return _describe(rule.get("when") or {}, language)


def rules_table(rules=None, *, language: str = "es") -> pd.DataFrame:
    """The rules as a table to read: ``rule_id``, ``rule_label`` (``Regla 3``: its
    place in the order, the name a reader sees), ``conditions`` (in words), ``action``,
    ``service_level``, ``channel``, ``contact_every_days``, ``letter``, ``reason`` (the
    sentence the plan shows), ``note``."""
    check_language(language)
    rows = []
    for r in load_rules(rules):
        rows.append({"rule_id": r["id"],
                     "rule_label": t("personalize.rule.number", language, n=len(rows) + 1),
                     "conditions": _describe(r.get("when") or {}, language),
                     "action": r["action"], "service_level": r["service_level"],
                     "channel": r["channel"], "contact_every_days": r["contact_every_days"],
                     "letter": r.get("letter"),
                     "reason": _reason(r, language),
                     "note": (r.get("note") or {}).get(language, "")})
    return pd.DataFrame(rows)


def treatment_plan(customers: pd.DataFrame, rules=None, *, fallback_channel: str = "email",
                   as_of=None, language: str = "es") -> pd.DataFrame:
    """Exactly one next best action per customer, from the first rule that matches.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (``customer_id`` unique) with the columns the
        rules test: the customer view (:func:`crmlib.view.customer_view`, or
        :func:`customer_table`), or any table with those columns.
    rules : see :func:`load_rules`
    fallback_channel : str, default "email"
        Channel for ``channel: preferred`` when the customer has no
        ``preferred_channel``.
    as_of : date, optional
        Day the plan starts, for ``due_by``; default the view's ``as_of``
        (``customers.attrs``).
    language : {"es", "en"}
        Language of ``action_label``, ``reason``, ``owner`` and ``service_note``.

    Class A is served at level A (source 004: the most valuable customers get
    the best service): when ``customers`` has ``pareto_class`` and a rule
    serves a class-A customer below A without a ``below_a_reason``, the level
    is raised to A and ``service_note`` says so; with a stated reason the level
    stays and ``service_note`` carries the reason.

    Returns
    -------
    DataFrame
        One row per customer, in input order: ``customer_id``, ``rule_id``,
        ``action``, ``action_label`` (in ``language``), ``service_level``,
        ``channel``, ``contact_every_days``, ``letter`` (empty when the rule
        sends none), ``reason`` (why, as a sentence: the rule's ``reason``,
        else its conditions in words), ``owner`` (for rules that name one: the
        customer's ``account_owner`` when known, else the rule's ``owner``
        role; empty otherwise), ``due_by`` (``as_of`` plus the rule's
        ``due_within_days``; empty otherwise), ``service_note`` (why the level
        differs from the rule's, or why class A is served below A; empty
        otherwise).

    Raises
    ------
    DataError
        When a rule tests a column the table lacks, or some customers match no
        rule (the rules need a final catch-all), naming them.
    """
    check_language(language)
    rules = load_rules(rules)
    if "customer_id" not in customers.columns:
        raise DataError([DataProblem("customers", "customer_id", "is required but missing")])
    df = customers.reset_index(drop=True)
    dup = df["customer_id"].duplicated()
    if dup.any():
        raise DataError([DataProblem("customers", "customer_id", "has duplicate values",
                                     int(dup.sum()), len(df),
                                     tuple(df.loc[dup, "customer_id"].head(3).items()))])
    needed = sorted({c for r in rules for c in (r.get("when") or {})} - set(df.columns))
    if needed:
        raise DataError([DataProblem("customers", c, "is tested by a rule but missing")
                         for c in needed])
    chosen = np.full(len(df), -1)
    for i, r in enumerate(rules):
        mask = np.ones(len(df), dtype=bool)
        for col, cond in (r.get("when") or {}).items():
            mask &= _condition(df[col], cond)
        chosen = np.where((chosen < 0) & mask, i, chosen)
    lost = chosen < 0
    if lost.any():
        raise DataError([DataProblem("customers", None,
                                     "matches no next-best-action rule (add a last rule with "
                                     "'when: {}')", int(lost.sum()), len(df),
                                     tuple(df.loc[lost, "customer_id"].head(3).items()))])
    table = pd.DataFrame([{"rule_id": r["id"],
                           "rule_label": t("personalize.rule.number", language, n=k + 1),
                           "action": r["action"],
                           "service_level": r["service_level"], "channel": r["channel"],
                           "contact_every_days": r["contact_every_days"],
                           "letter": r.get("letter"),
                           "reason": _reason(r, language),
                           "_owner": (r.get("owner") or {}).get(language),
                           "_due": r.get("due_within_days"),
                           "_below_a": (r.get("below_a_reason") or {}).get(language)}
                          for k, r in enumerate(rules)])
    plan = table.iloc[chosen].reset_index(drop=True)
    plan.insert(0, "customer_id", df["customer_id"].to_numpy())
    named = plan["_owner"].notna().to_numpy()
    owner = pd.Series(None, index=plan.index, dtype=object)
    if named.any():
        own = df["account_owner"].astype(object) if "account_owner" in df else owner
        own = own.where(own.notna() & (own.astype(str).str.strip() != ""), None)
        owner = own.where(own.notna(), plan["_owner"]).where(named, None)
    plan["owner"] = owner.astype(object)
    due = plan["_due"].astype(float)
    if due.notna().any():
        start = as_of if as_of is not None else customers.attrs.get("as_of")
        if start is None:
            raise ParameterError("rules with due_within_days need the day the plan starts: "
                                 "pass as_of (the customer view carries it)",
                                 parameter="as_of", value=None)
        start = pd.Timestamp(start).normalize()
        plan["due_by"] = start + pd.to_timedelta(due, unit="D")
    else:
        plan["due_by"] = pd.Series(pd.NaT, index=plan.index, dtype="datetime64[ns]")
    note = pd.Series(None, index=plan.index, dtype=object)
    if "pareto_class" in df:
        below = (df["pareto_class"] == "A").to_numpy() & (plan["service_level"] != "A").to_numpy()
        stated = plan["_below_a"].notna().to_numpy()
        raise_ = below & ~stated
        plan.loc[raise_, "service_level"] = "A"
        note[raise_] = t("rules.service.raised_class_a", language)
        note[below & stated] = plan.loc[below & stated, "_below_a"]
    plan["service_note"] = note.astype(object).where(note.notna(), None)
    plan = plan.drop(columns=["_owner", "_due", "_below_a"])
    if (plan["channel"] == "preferred").any():
        own = df["preferred_channel"] if "preferred_channel" in df else pd.Series(
            None, index=df.index, dtype=object)
        own = own.astype(object).where(own.notna(), fallback_channel)
        plan["channel"] = np.where(plan["channel"] == "preferred", own, plan["channel"])
    plan["letter"] = plan["letter"].astype(object).where(plan["letter"].notna(), None)
    plan.insert(3, "action_label", [t(f"personalize.action.{a}", language)
                                    for a in plan["action"]])
    return plan


def plan_summary(plan: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                 by=("action", "service_level")) -> pd.DataFrame:
    """How many customers (and how much value) each treatment covers.

    Parameters
    ----------
    plan : DataFrame
        Result of :func:`treatment_plan`.
    customers : DataFrame, optional
        With ``customer_id`` and ``value``, to add the value each group holds,
        and any column named in ``by`` that the plan lacks (e.g. ``segment``).
    by : sequence of str
        Columns to group by.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n_customers``, ``share`` and, with ``value``,
        ``value`` and ``value_share``; by ``n_customers`` descending.
    """
    by = [by] if isinstance(by, str) else list(by)
    df = plan
    if customers is not None:
        extra = [c for c in [*by, "value"] if c in customers.columns and c not in plan.columns]
        df = plan.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise ParameterError(f"by names columns the plan lacks: {missing}", parameter="by",
                             value=by)
    df = df.assign(**{c: df[c].astype(object).where(df[c].notna(), "-") for c in by})
    agg = {"n_customers": ("customer_id", "size")}
    if "value" in df:
        agg["value"] = ("value", "sum")
    out = df.groupby(by, sort=True).agg(**agg).reset_index()
    out["share"] = out["n_customers"] / out["n_customers"].sum()
    if "value" in out:
        total = out["value"].sum()
        out["value_share"] = out["value"] / total if total else np.nan
    cols = [*by, "n_customers", "share"] + (["value", "value_share"] if "value" in out else [])
    return out.sort_values(["n_customers", *by], ascending=[False] + [True] * len(by),
                           kind="stable")[cols].reset_index(drop=True)


def key_figures(plan: pd.DataFrame, stages: pd.DataFrame | None = None,
                letters: pd.DataFrame | None = None) -> dict:
    """Counts for the results file: ``n_customers``, ``actions`` ({action: n}),
    ``service_levels`` ({level: n}) and, when given, ``stages`` ({stage: n}) and
    ``letters`` ({letter: n})."""
    out = {"n_customers": len(plan),
           "actions": {a: int((plan["action"] == a).sum()) for a in ACTIONS},
           "service_levels": {lv: int((plan["service_level"] == lv).sum())
                              for lv in SERVICE_LEVELS}}
    if stages is not None:
        key = stages["relationship_stage"].astype(str)
        out["stages"] = {st: int((key == st).sum()) for st in RELATIONSHIP_STAGES}
    if letters is not None:
        out["letters"] = {k: int(v) for k, v in letters["letter"].value_counts().items()}
    return out
