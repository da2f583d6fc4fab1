"""Personalize: treatment plan, next best action, relationship stage and letters.

The last IDIC stage turns what the company knows about each customer into a
different treatment: "treat different customers differently" (source 004).
This module

* evaluates an editable table of rules (``templates/nba_rules.yaml``) on a
  customer table, giving each customer exactly one next best action (retain,
  grow, win back, reduce cost to serve) with its service level (A/B/C),
  channel, contact frequency, optional letter and the rule that chose it;
* places each customer on the ladder contact -> relate -> intimate -> trust
  (source 004: a company keeps customers only once they have reached intimacy
  and trust) from tenure, purchase frequency, contacts and, where known, a
  satisfaction score;
* renders personalised letters from Jinja2 templates, in Spanish or English,
  autoescaped, and fails naming the customer and the field when a template
  needs a value the customer lacks.

Tables come in already built (values and segments from
:mod:`crmlib.differentiate`, contacts from :mod:`crmlib.interact`) and are
joined with :func:`customer_features`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib._files import atomic_write_text, check_id, inside
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t
from crmlib.interact import ticket_table

__all__ = [
    "ACTIONS",
    "LETTERS",
    "RELATIONSHIP_STAGES",
    "contact_features",
    "customer_features",
    "customer_names",
    "key_figures",
    "letter_recipients",
    "letters_note",
    "load_rules",
    "plan_summary",
    "relationship_stages",
    "render_letters",
    "rules_table",
    "stage_summary",
    "templates_dir",
    "treatment_plan",
    "write_letters",
]

ACTIONS = ("retain", "grow", "win_back", "reduce_cost")
SERVICE_LEVELS = ("A", "B", "C")
RELATIONSHIP_STAGES = ("contact", "relate", "intimate", "trust")
LETTERS = ("welcome", "win_back", "retention_offer", "complaint_thanks")
_PACKAGED = Path(__file__).parent / "templates"


def templates_dir() -> Path:
    """Folder of the packaged templates (letters, rules, credit worksheet)."""
    return _PACKAGED


# --------------------------------------------------------------------------- features

def customer_features(base: pd.DataFrame, *others: pd.DataFrame) -> pd.DataFrame:
    """Join customer tables on ``customer_id``, keeping every customer of ``base``.

    Parameters
    ----------
    base : DataFrame
        One row per customer (e.g. :func:`crmlib.differentiate.pareto_table`).
    *others : DataFrame
        More per-customer tables (RFM segments, lifecycle, contact features).
        A column already present is not taken again: the first table that has
        it wins, so ``monetary`` from two sources cannot clash.

    Returns
    -------
    DataFrame
        ``base`` in its order, with the new columns of each other table
        (empty where a customer is missing from that table).
    """
    for i, tbl in enumerate((base, *others)):
        if "customer_id" not in tbl.columns:
            raise DataError([DataProblem(f"table {i + 1}", "customer_id",
                                         "is required but missing")])
        dup = tbl["customer_id"].duplicated()
        if dup.any():
            raise DataError([DataProblem(f"table {i + 1}", "customer_id",
                                         "has duplicate values", int(dup.sum()), len(tbl),
                                         tuple(tbl.loc[dup, "customer_id"].head(3).items()))])
    out = base.reset_index(drop=True)
    for tbl in others:
        new = [c for c in tbl.columns if c not in out.columns]
        if new:
            out = out.merge(tbl[["customer_id", *new]], on="customer_id", how="left")
    return out


def customer_table(transactions: pd.DataFrame, interactions: pd.DataFrame, *, as_of=None,
                   period_days: float = 365, recent_days: float = 30,
                   language: str = "es") -> pd.DataFrame:
    """The per-customer table the rules and stages read, built from the raw tables.

    Joins (:func:`customer_features`) the Pareto value and class, the RFM scores and
    named segments, the lifecycle stage (all from :mod:`crmlib.differentiate`) and
    :func:`contact_features`, one row per customer who bought.

    Parameters
    ----------
    transactions, interactions : DataFrame
        Contracts ``transactions`` and ``interactions``.
    as_of : date, optional
        Valuation date.
    period_days, recent_days : float
        Passed to :func:`contact_features`.
    language : {"es", "en"}
        Language of the segment labels.

    Returns
    -------
    DataFrame
        The columns of :func:`crmlib.differentiate.pareto_table`, then those that
        :func:`crmlib.differentiate.rfm_segments`, :func:`crmlib.differentiate.lifecycle_table`
        and :func:`contact_features` add.
    """
    from crmlib import differentiate

    return customer_features(
        differentiate.pareto_table(transactions, as_of=as_of),
        differentiate.rfm_segments(differentiate.rfm_scores(transactions, as_of=as_of),
                                   language=language),
        differentiate.lifecycle_table(transactions, as_of=as_of),
        contact_features(interactions, as_of=as_of, period_days=period_days,
                         recent_days=recent_days),
    )


def contact_features(interactions: pd.DataFrame, *, as_of=None, period_days: float = 365,
                     recent_days: float = 30, closed_statuses=None) -> pd.DataFrame:
    """Per-customer contact facts for rules and relationship stages.

    Parameters
    ----------
    interactions : DataFrame
        Contract ``interactions``.
    as_of : date, optional
        Valuation date; default the end of the latest day in the data.
    period_days : float, default 365
        Contacts opened in this many days before ``as_of`` are counted.
    recent_days : float, default 30
        Window for ``recent_closed_complaints``.
    closed_statuses : list of str, optional
        See :func:`crmlib.interact.ticket_table`.

    Returns
    -------
    DataFrame
        One row per customer with a contact in the period, by ``customer_id``:
        ``customer_id``, ``n_contacts``, ``n_complaints``,
        ``n_open_complaints``, ``recent_closed_complaints`` (complaints closed in
        the last ``recent_days``), ``last_complaint_category``, ``n_praise``,
        ``last_contact_at``, ``preferred_channel`` (the channel used most;
        ties: most recent use, then alphabetical).
    """
    opts = {} if closed_statuses is None else {"closed_statuses": closed_statuses}
    tk = ticket_table(interactions, as_of=as_of, **opts)
    when = (pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            if as_of else tk["opened_at"].max())
    tk = tk[tk["customer_id"].notna() & (tk["opened_at"] <= when)
            & (tk["opened_at"] > when - pd.Timedelta(days=period_days))]
    for col in ("kind", "channel", "category"):
        if col not in tk:
            tk = tk.assign(**{col: None})
    is_c = tk["kind"] == "complaint"
    recent = is_c & tk["is_closed"] & (tk["closed_at"] > when - pd.Timedelta(days=recent_days))
    tk = tk.assign(_c=is_c, _oc=is_c & ~tk["is_closed"], _rc=recent,
                   _p=tk["kind"] == "praise")
    g = tk.groupby("customer_id")
    out = pd.DataFrame({
        "n_contacts": g.size(),
        "n_complaints": g["_c"].sum(),
        "n_open_complaints": g["_oc"].sum(),
        "recent_closed_complaints": g["_rc"].sum(),
        "n_praise": g["_p"].sum(),
        "last_contact_at": g["opened_at"].max(),
    }).astype({"n_contacts": int, "n_complaints": int, "n_open_complaints": int,
               "recent_closed_complaints": int, "n_praise": int})
    comp = tk[tk["_c"]].sort_values(["customer_id", "opened_at", "row"])
    out["last_complaint_category"] = comp.groupby("customer_id")["category"].last()
    ch = (tk.dropna(subset=["channel"]).groupby(["customer_id", "channel"])
          .agg(n=("row", "size"), last=("opened_at", "max")).reset_index()
          .sort_values(["customer_id", "n", "last", "channel"],
                       ascending=[True, False, False, True])
          .drop_duplicates("customer_id").set_index("customer_id")["channel"])
    out["preferred_channel"] = ch
    out = out.reset_index()
    out["last_complaint_category"] = out["last_complaint_category"].astype(object)
    out["preferred_channel"] = out["preferred_channel"].astype(object)
    return out.sort_values("customer_id").reset_index(drop=True)


# --------------------------------------------------------------------------- rules

_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "missing")
_PLAN_FIELDS = ("action", "service_level", "channel", "contact_every_days")


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
    if not when:
        return t("personalize.rule.always", language)
    parts = []
    for col, cond in when.items():
        if isinstance(cond, list):
            parts.append(f"{col} ∈ {{{', '.join(map(str, cond))}}}")
        elif isinstance(cond, dict):
            sym = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤",
                   "in": "∈", "not_in": "∉"}
            for op, v in cond.items():
                if op == "missing":
                    parts.append(t("personalize.rule.missing" if v else
                                   "personalize.rule.present", language, column=col))
                else:
                    parts.append(f"{col} {sym[op]} {v}")
        else:
            parts.append(f"{col} = {cond}")
    return " · ".join(parts)


def rules_table(rules=None, *, language: str = "es") -> pd.DataFrame:
    """The rules as a table to read: ``rule_id``, ``conditions``, ``action``,
    ``service_level``, ``channel``, ``contact_every_days``, ``letter``, ``note``."""
    check_language(language)
    rows = []
    for r in load_rules(rules):
        rows.append({"rule_id": r["id"], "conditions": _describe(r.get("when") or {}, language),
                     "action": r["action"], "service_level": r["service_level"],
                     "channel": r["channel"], "contact_every_days": r["contact_every_days"],
                     "letter": r.get("letter"),
                     "note": (r.get("note") or {}).get(language, "")})
    return pd.DataFrame(rows)


def treatment_plan(customers: pd.DataFrame, rules=None, *, fallback_channel: str = "email",
                   language: str = "es") -> pd.DataFrame:
    """Exactly one next best action per customer, from the first rule that matches.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (``customer_id`` unique) with the columns the
        rules test, e.g. :func:`customer_features` of ``pareto_class``,
        ``segment``, ``lifecycle``, contact features.
    rules : see :func:`load_rules`
    fallback_channel : str, default "email"
        Channel for ``channel: preferred`` when the customer has no
        ``preferred_channel``.
    language : {"es", "en"}
        Language of ``action_label`` and ``reason``.

    Returns
    -------
    DataFrame
        One row per customer, in input order: ``customer_id``, ``rule_id``,
        ``action``, ``action_label`` (in ``language``), ``service_level``, ``channel``, ``contact_every_days``,
        ``letter`` (empty when the rule sends none), ``reason`` (the rule's
        conditions in words).

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
    table = pd.DataFrame([{"rule_id": r["id"], "action": r["action"],
                           "service_level": r["service_level"], "channel": r["channel"],
                           "contact_every_days": r["contact_every_days"],
                           "letter": r.get("letter"),
                           "reason": _describe(r.get("when") or {}, language)} for r in rules])
    plan = table.iloc[chosen].reset_index(drop=True)
    plan.insert(0, "customer_id", df["customer_id"].to_numpy())
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


# --------------------------------------------------------------------------- relationship

DEFAULT_STAGE_RULES = {
    "relate": {"n_purchases": 2},
    "intimate": {"tenure_days": 365, "n_purchases": 6, "n_contacts": 1},
    "trust": {"tenure_days": 730, "n_purchases": 12, "n_contacts": 1, "satisfaction": 6.0},
}


def relationship_stages(customers: pd.DataFrame, *, thresholds: dict | None = None
                        ) -> pd.DataFrame:
    """Place each customer on the ladder contact, relate, intimate, trust.

    Source 004 adds *intimate* and *trust* to the usual *contact* and
    *relate*: a company only holds a portfolio of customers once they reach
    intimacy and trust. The stages are cumulative, each needing every
    condition of the one before:

    * **contact** — known to the company, at most one purchase;
    * **relate** — a repeat buyer (``n_purchases`` >= 2);
    * **intimate** — a customer for a year (``tenure_days`` >= 365), buying
      regularly (>= 6 purchase days) and talking to the company (>= 1 contact
      in the last year), and no complaint open;
    * **trust** — two years or more, >= 12 purchase days, no complaint open
      and, when a ``satisfaction`` score is known (1-7 scale), at least 6.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id``, ``n_purchases`` and a tenure column: ``tenure_days``
        or ``days_since_first`` (as :func:`crmlib.differentiate.lifecycle_table`
        names it); optionally ``n_contacts``, ``n_open_complaints`` and
        ``satisfaction``. Missing counts are taken as zero.
    thresholds : dict, optional
        Overrides of :data:`DEFAULT_STAGE_RULES`, e.g.
        ``{"trust": {"tenure_days": 1095}}``.

    Returns
    -------
    DataFrame
        ``customer_id``, ``tenure_days``, ``n_purchases``, ``n_contacts``,
        ``n_open_complaints``, ``satisfaction``, ``relationship_stage``
        (ordered categorical), ``next_stage_gap`` (what is missing to climb one
        stage, in words; empty at trust); input order.
    """
    rules = {k: dict(v) for k, v in DEFAULT_STAGE_RULES.items()}
    for stage, over in (thresholds or {}).items():
        if stage not in rules or not isinstance(over, dict) or set(over) - set(rules[stage]):
            raise ParameterError(
                f"thresholds must look like {DEFAULT_STAGE_RULES}; got {thresholds!r}",
                parameter="thresholds", allowed=DEFAULT_STAGE_RULES, value=thresholds)
        rules[stage].update(over)
    df = customers.reset_index(drop=True)
    tenure_col = "tenure_days" if "tenure_days" in df else "days_since_first"
    need = [c for c in ("customer_id", "n_purchases", tenure_col) if c not in df.columns]
    if need:
        raise DataError([DataProblem("customers", c, "is required but missing") for c in need])

    def num(col):
        return pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else \
            pd.Series(0.0, index=df.index)

    tenure, n_p, n_c, n_open = (num(tenure_col), num("n_purchases"), num("n_contacts"),
                                num("n_open_complaints"))
    sat = pd.to_numeric(df["satisfaction"], errors="coerce") if "satisfaction" in df else \
        pd.Series(np.nan, index=df.index)
    r, i, tr = rules["relate"], rules["intimate"], rules["trust"]
    relate = n_p >= r["n_purchases"]
    intimate = relate & (tenure >= i["tenure_days"]) & (n_p >= i["n_purchases"]) & (
        n_c >= i["n_contacts"]) & (n_open == 0)
    trust = intimate & (tenure >= tr["tenure_days"]) & (n_p >= tr["n_purchases"]) & (
        n_c >= tr["n_contacts"]) & (sat.isna() | (sat >= tr["satisfaction"]))
    level = relate.astype(int) + intimate.astype(int) + trust.astype(int)
    stage = pd.Categorical.from_codes(level.to_numpy(), categories=list(RELATIONSHIP_STAGES),
                                      ordered=True)

    def gap(k):
        if k == 3:
            return ""
        nxt = RELATIONSHIP_STAGES[k + 1]
        req = rules[nxt]
        have = {"n_purchases": n_p, "tenure_days": tenure, "n_contacts": n_c}
        return req, have, nxt

    gaps = np.full(len(df), "", dtype=object)
    for k in range(3):
        idx = np.flatnonzero(level.to_numpy() == k)
        if not len(idx):
            continue
        req, have, nxt = gap(k)
        parts = []
        for col, limit in req.items():
            if col in have:
                short = have[col].to_numpy()[idx] < limit
                parts.append(np.where(short, f"{col} >= {limit:g}", ""))
        if k >= 1:
            parts.append(np.where(n_open.to_numpy()[idx] > 0, "n_open_complaints = 0", ""))
        if nxt == "trust":
            low = (sat.to_numpy()[idx] < tr["satisfaction"])
            parts.append(np.where(low, f"satisfaction >= {tr['satisfaction']:g}", ""))
        joined = [", ".join(p for p in row if p) for row in zip(*parts)] if parts else \
            [""] * len(idx)
        gaps[idx] = joined
    return pd.DataFrame({
        "customer_id": df["customer_id"].to_numpy(),
        "tenure_days": tenure.to_numpy(),
        "n_purchases": n_p.to_numpy(),
        "n_contacts": n_c.to_numpy(),
        "n_open_complaints": n_open.to_numpy(),
        "satisfaction": sat.to_numpy(),
        "relationship_stage": stage,
        "next_stage_gap": gaps,
    })


def stage_summary(stages: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                  language: str = "es") -> pd.DataFrame:
    """Customers per relationship stage, in ladder order.

    Returns
    -------
    DataFrame
        ``relationship_stage``, ``stage_label``, ``n_customers``, ``share`` and,
        when ``customers`` has ``value``, ``value`` and ``value_share``. All
        four stages appear, with zero where empty.
    """
    check_language(language)
    df = stages
    if customers is not None and "value" in customers and "value" not in stages:
        df = stages.merge(customers[["customer_id", "value"]], on="customer_id", how="left")
    key = df["relationship_stage"].astype(str)
    n = key.value_counts().reindex(list(RELATIONSHIP_STAGES), fill_value=0)
    out = pd.DataFrame({"relationship_stage": list(RELATIONSHIP_STAGES),
                        "stage_label": [t(f"personalize.stage.{s}", language)
                                        for s in RELATIONSHIP_STAGES],
                        "n_customers": n.to_numpy(dtype=int)})
    out["share"] = out["n_customers"] / max(int(out["n_customers"].sum()), 1)
    if "value" in df:
        v = df.groupby(key)["value"].sum().reindex(list(RELATIONSHIP_STAGES), fill_value=0.0)
        out["value"] = v.to_numpy(dtype=float)
        total = out["value"].sum()
        out["value_share"] = out["value"] / total if total else np.nan
    return out


# --------------------------------------------------------------------------- letters

def customer_names(customers: pd.DataFrame) -> pd.DataFrame:
    """One ``name`` (and ``email``, ``city`` when present) per ``customer_id``.

    Several source records may share an id; the first non-empty value of each
    field wins, taking sources in alphabetical order.
    """
    if "customer_id" not in customers.columns or "name" not in customers.columns:
        raise DataError([DataProblem("customers", c, "is required but missing")
                         for c in ("customer_id", "name") if c not in customers.columns])
    cols = [c for c in ("name", "email", "city") if c in customers.columns]
    df = customers
    if "source" in df:
        df = df.sort_values(["customer_id", "source"], kind="stable", na_position="last")
    return df.groupby("customer_id", sort=True)[cols].first().reset_index()


def letter_recipients(plan: pd.DataFrame, customers: pd.DataFrame,
                      features: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers whose next best action comes with a letter, with their fields.

    Parameters
    ----------
    plan : DataFrame
        Result of :func:`treatment_plan`.
    customers : DataFrame
        Contract ``customers`` (for ``name``; see :func:`customer_names`).
    features : DataFrame, optional
        More per-customer fields templates may use (e.g. ``last_purchase``,
        ``last_complaint_category``).

    Returns
    -------
    DataFrame
        One row per letter: ``customer_id``, ``letter``, ``action``,
        ``channel``, ``service_level``, ``name`` (and ``email``/``city``) plus
        the columns of ``features``; by ``letter`` then ``customer_id``.
    """
    sel = plan[plan["letter"].notna()][["customer_id", "letter", "action", "channel",
                                        "service_level"]]
    out = sel.merge(customer_names(customers), on="customer_id", how="left")
    if features is not None:
        extra = [c for c in features.columns if c not in out.columns]
        out = out.merge(features[["customer_id", *extra]], on="customer_id", how="left")
    return out.sort_values(["letter", "customer_id"], kind="stable").reset_index(drop=True)


def _environment(templates, language: str):
    import jinja2

    folders = []
    if templates:
        base = Path(templates)
        if not base.is_dir():
            raise ParameterError(f"templates folder {base.name!r} does not exist",
                                 parameter="templates", value=str(templates))
        folders += [base / language, base] if (base / language).is_dir() else [base]
    folders.append(_PACKAGED / "letters" / language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["money"] = _money_filter(language)
    return env


def _money_filter(language):
    def money(x):
        x = float(x)
        text = f"{x:,.2f}"
        return text.translate(str.maketrans(",.", ".,")) if language == "es" else text
    return money


_UNDEFINED = re.compile(r"'(?:[^']*? object' has no attribute '([^']+)'|([^']+)' is undefined)")


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def render_letters(recipients: pd.DataFrame, *, letter: str | None = None,
                   language: str = "es", templates=None, context: dict | None = None
                   ) -> pd.DataFrame:
    """Render one letter per row from Jinja2 templates, autoescaped.

    Parameters
    ----------
    recipients : DataFrame
        One row per letter with ``customer_id``, a ``letter`` column naming the
        template (unless ``letter`` is given) and any fields the template uses.
        Empty cells count as missing, never as blanks.
    letter : str, optional
        Template for every row, overriding the ``letter`` column.
    language : {"es", "en"}
        Which language's templates to use.
    templates : str or path, optional
        Folder with your own templates (``<name>.html.j2``, optionally under
        ``es/`` and ``en/``); templates not found there come from
        ``crmlib/templates/letters/<language>/``.
    context : dict, optional
        Fields shared by all letters (``sender``, ``date`` ...); unlike
        customer fields, an empty string here is a legitimate value.

    Returns
    -------
    DataFrame
        ``customer_id``, ``letter``, ``language``, ``html``; input order.

    Raises
    ------
    DataError
        When a template needs a field a customer lacks: names the customer,
        the letter and the field.
    ParameterError
        For an unknown template.
    """
    import jinja2

    check_language(language)
    if "customer_id" not in recipients.columns:
        raise DataError([DataProblem("recipients", "customer_id", "is required but missing")])
    if letter is None and "letter" not in recipients.columns:
        raise ParameterError("say which letter: pass letter= or give recipients a 'letter' "
                             "column", parameter="letter", value=None)
    env = _environment(templates, language)
    shared = {k: v for k, v in (context or {}).items()
              if v is not None and not (isinstance(v, float) and math.isnan(v))}
    out, problems = [], []
    cache = {}
    for rec in recipients.to_dict("records"):
        name = letter or rec.get("letter")
        if name not in cache:
            try:
                cache[name] = env.get_template(f"{name}.html.j2")
            except jinja2.TemplateNotFound:
                raise ParameterError(
                    f"no letter template {name!r} for language {language!r}",
                    parameter="letter", allowed=LETTERS, value=name) from None
        fields = {**shared, **{k: v for k, v in rec.items() if not _is_missing(v)}}
        fields.setdefault("language", language)
        try:
            html = cache[name].render(**fields)
        except jinja2.UndefinedError as err:
            m = _UNDEFINED.search(str(err))
            field = (m.group(1) or m.group(2)) if m else str(err)
            problems.append((rec["customer_id"], name, field))
            continue
        out.append({"customer_id": rec["customer_id"], "letter": name, "language": language,
                    "html": html})
    if problems:
        examples = tuple((cid, f"{ltr}: {fld}") for cid, ltr, fld in problems[:5])
        raise DataError([DataProblem("recipients", problems[0][2],
                                     "is needed by the letter template but missing",
                                     len(problems), len(recipients), examples,
                                     location_kind="customer")])
    return pd.DataFrame(out, columns=["customer_id", "letter", "language", "html"])


def write_letters(letters: pd.DataFrame, output_dir) -> pd.DataFrame:
    """Write rendered letters to ``<output_dir>/letters/<letter>/<customer_id>.html``.

    Files are written atomically; customer ids and letter names must be safe
    file names (letters, digits, ``.``, ``_``, ``-``), so none can point
    outside the folder.

    Parameters
    ----------
    letters : DataFrame
        Result of :func:`render_letters`.
    output_dir : str, path or None
        Report folder; empty or None writes nothing (a notebook opened by
        hand) and returns an empty table.

    Returns
    -------
    DataFrame
        ``customer_id``, ``letter``, ``path`` (relative to ``output_dir``).
    """
    if not output_dir:
        return pd.DataFrame(columns=["customer_id", "letter", "path"])
    root = Path(output_dir)
    rows = []
    for rec in letters.to_dict("records"):
        cid = check_id(str(rec["customer_id"]), "customer id")
        name = check_id(str(rec["letter"]), "letter")
        path = inside(root, "letters", name, f"{cid}.html")
        atomic_write_text(path, rec["html"])
        rows.append({"customer_id": cid, "letter": name,
                     "path": str(Path("letters") / name / f"{cid}.html")})
    return pd.DataFrame(rows, columns=["customer_id", "letter", "path"])


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


def letters_note(letters: pd.DataFrame, written: pd.DataFrame, language: str = "es") -> str:
    """One sentence: how many letters were prepared and whether they were written."""
    key = "personalize.letters.written" if len(written) else "personalize.letters.not_written"
    return t(key, language, n=len(letters))
