"""Self-checks for the coursework notebooks in ``notebooks/exercises/``.

Each ``check_*`` function takes the student's answer and the data the student
worked on, computes the right answer with crmlib itself, and returns a
:class:`CheckResult` that a notebook cell displays: a tick when the answer is
right, else a hint that points at the method without giving the number away.
Checks never raise on a wrong or missing answer, so a notebook runs to the end
and the student sees every result at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from crmlib.i18n import check_language, t

__all__ = [
    "CheckResult",
    "check_choice",
    "check_customer_share_for_80",
    "check_dso_days",
    "check_fcr_rate",
    "check_identified_share",
    "check_median_resolution_hours",
    "check_n_actions",
    "check_n_class_a",
    "check_n_decliners",
    "check_n_master",
    "check_n_records",
    "check_number",
    "check_oldest_bucket_customer",
    "check_overdue_share",
    "check_readiness_largest_gap_area",
    "check_readiness_maturity",
    "check_readiness_overall",
    "check_servqual_alpha",
    "check_servqual_unweighted",
    "check_servqual_worst_dimension",
    "check_stage_count",
    "check_top_customer_action",
    "check_top_valuable_complainer",
]


@dataclass
class CheckResult:
    """Outcome of one check.

    Attributes
    ----------
    task : str
        Short name of the task.
    passed : bool
        Whether the answer is right.
    message : str
        What the student reads (in the notebook's language).
    details : dict
        Expected value and tolerance, for tests and teachers (not displayed).
    """

    task: str
    passed: bool
    message: str
    details: dict = field(default_factory=dict, repr=False)

    def __bool__(self) -> bool:
        return self.passed

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.passed else "❌"
        return f"{mark} **{self.task}** — {self.message}"

    def __str__(self) -> str:
        return ("[OK] " if self.passed else "[X] ") + f"{self.task}: {self.message}"


def _missing(answer) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, float) and math.isnan(answer))


def check_number(answer, expected: float, *, task: str, hint: str, language: str = "es",
                 rel_tol: float = 0.01, abs_tol: float = 1e-9, share: bool = False) -> CheckResult:
    """Compare a numeric answer with ``expected``.

    Parameters
    ----------
    answer : number
        The student's answer.
    expected : float
        The right answer.
    task : str
        Name of the task shown to the student.
    hint : str
        Hint for a wrong answer (must not contain the answer).
    rel_tol, abs_tol : float
        Accepted error, as in :func:`math.isclose`.
    share : bool
        The answer is a share in [0, 1]: a percentage (e.g. 23 for 0.23) gets
        a specific hint.
    """
    check_language(language)
    details = {"expected": float(expected), "rel_tol": rel_tol, "abs_tol": abs_tol}
    if _missing(answer):
        return CheckResult(task, False, t("exercises.missing", language), details)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return CheckResult(task, False, t("exercises.not_a_number", language,
                                          kind=type(answer).__name__), details)
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        return CheckResult(task, True, t("exercises.right", language), details)
    if share and 1 < value <= 100 and math.isclose(value / 100, expected, rel_tol=rel_tol,
                                                    abs_tol=abs_tol):
        return CheckResult(task, False, t("exercises.as_share", language), details)
    direction = t("exercises.too_high" if value > expected else "exercises.too_low", language)
    return CheckResult(task, False, f"{direction} {hint}", details)


def check_choice(answer, expected, *, task: str, hint: str, language: str = "es",
                 allowed=None) -> CheckResult:
    """Compare a categorical answer (text, id) with ``expected``, ignoring case and spaces."""
    check_language(language)
    details = {"expected": expected}
    if _missing(answer) or (isinstance(answer, str) and not answer.strip()):
        return CheckResult(task, False, t("exercises.missing", language), details)

    def norm(v):
        return str(v).strip().casefold()

    if allowed is not None and norm(answer) not in {norm(a) for a in allowed}:
        return CheckResult(task, False, t("exercises.not_allowed", language,
                                          allowed=", ".join(map(str, allowed))), details)
    if norm(answer) == norm(expected):
        return CheckResult(task, True, t("exercises.right", language), details)
    return CheckResult(task, False, hint, details)


def _task(key: str, language: str) -> str:
    return t(f"exercises.{key}.task", language)


def _hint(key: str, language: str) -> str:
    return t(f"exercises.{key}.hint", language)


def _num(key, answer, expected, language, **kw) -> CheckResult:
    return check_number(answer, expected, task=_task(key, language), hint=_hint(key, language),
                        language=language, **kw)


def _choice(key, answer, expected, language, **kw) -> CheckResult:
    return check_choice(answer, expected, task=_task(key, language), hint=_hint(key, language),
                        language=language, **kw)


# --- Identify ---------------------------------------------------------------------------

def check_n_records(answer, customers: pd.DataFrame, *, language: str = "es") -> CheckResult:
    """How many customer records the sources hold together."""
    return _num("n_records", answer, len(customers), language, rel_tol=0, abs_tol=0.5)


def check_n_master(answer, customers: pd.DataFrame, *, threshold: float = 90,
                   language: str = "es") -> CheckResult:
    """How many distinct customers remain after consolidation."""
    from crmlib import identify

    expected = identify.consolidate(customers, threshold=threshold).n_master
    return _num("n_master", answer, expected, language, rel_tol=0, abs_tol=0.5)


def check_identified_share(answer, transactions: pd.DataFrame, customers: pd.DataFrame, *,
                           language: str = "es") -> CheckResult:
    """Share of net revenue bought by identified customers."""
    from crmlib import identify

    links = identify.consolidate(customers).links
    expected = identify.identified_revenue_share(transactions, links)
    return _num("identified_share", answer, expected, language, rel_tol=0, abs_tol=0.005,
                share=True)


# --- Differentiate ----------------------------------------------------------------------

def check_customer_share_for_80(answer, transactions: pd.DataFrame, *, as_of=None,
                                language: str = "es") -> CheckResult:
    """Smallest share of customers (from the top) that brings 80 % of the value."""
    from crmlib import differentiate

    pareto = differentiate.pareto_table(transactions, as_of=as_of)
    expected = differentiate.pareto_summary(pareto)["customer_share_for_value"]
    return _num("customer_share_for_80", answer, expected, language, rel_tol=0, abs_tol=0.005,
                share=True)


def check_n_class_a(answer, transactions: pd.DataFrame, *, as_of=None, cutoffs=(0.80, 0.95),
                    language: str = "es") -> CheckResult:
    """Number of class-A customers."""
    from crmlib import differentiate

    pareto = differentiate.pareto_table(transactions, as_of=as_of, cutoffs=tuple(cutoffs))
    expected = int((pareto["pareto_class"] == "A").sum())
    return _num("n_class_a", answer, expected, language, rel_tol=0, abs_tol=0.5)


def check_n_decliners(answer, transactions: pd.DataFrame, *, as_of=None, threshold: float = 0.40,
                      language: str = "es") -> CheckResult:
    """Number of decliners at the given threshold."""
    from crmlib import differentiate

    expected = len(differentiate.decliners(transactions, as_of=as_of, threshold=threshold))
    return _num("n_decliners", answer, expected, language, rel_tol=0, abs_tol=0.5)


# --- Interact ---------------------------------------------------------------------------

def _complaints(interactions, as_of):
    from crmlib import interact

    return interact.complaint_metrics(interactions, as_of=as_of).iloc[0]


def check_fcr_rate(answer, interactions: pd.DataFrame, *, as_of=None,
                   language: str = "es") -> CheckResult:
    """First-contact resolution rate of complaints."""
    expected = _complaints(interactions, as_of)["fcr_rate"]
    return _num("fcr_rate", answer, expected, language, rel_tol=0, abs_tol=0.005, share=True)


def check_median_resolution_hours(answer, interactions: pd.DataFrame, *, as_of=None,
                                  language: str = "es") -> CheckResult:
    """Median resolution time of closed complaints, in calendar hours."""
    expected = _complaints(interactions, as_of)["median_resolution_hours"]
    return _num("median_resolution_hours", answer, expected, language, rel_tol=0.02)


def check_top_valuable_complainer(answer, interactions: pd.DataFrame,
                                  transactions: pd.DataFrame, *, as_of=None,
                                  language: str = "es") -> CheckResult:
    """The customer at the top of the valuable-complainers call list."""
    from crmlib import differentiate, interact

    values = differentiate.pareto_table(transactions, as_of=as_of)
    calls = interact.valuable_complainers(interactions, values, as_of=as_of)
    expected = calls["customer_id"].iloc[0] if len(calls) else ""
    return _choice("top_valuable_complainer", answer, expected, language)


# --- Readiness --------------------------------------------------------------------------

def _readiness(responses):
    from crmlib import readiness

    areas = readiness.area_scores(responses)
    return areas, readiness.overall_scores(areas)


def check_readiness_overall(answer, responses: pd.DataFrame, *,
                            language: str = "es") -> CheckResult:
    """Overall readiness score of the current scenario."""
    _, overall = _readiness(responses)
    expected = overall.loc[overall["scope"] == "overall", "current"].iloc[0]
    return _num("readiness_overall", answer, expected, language, rel_tol=0, abs_tol=0.01)


def check_readiness_largest_gap_area(answer, responses: pd.DataFrame, *,
                                     language: str = "es") -> CheckResult:
    """Area of the personalization-gap tool with the largest preferred-current gap."""
    areas, _ = _readiness(responses)
    gap_areas = areas[areas["section"] == "gap"]
    expected = gap_areas.sort_values(["gap", "dimension"], ascending=[False, True])[
        "dimension"].iloc[0]
    return _choice("readiness_largest_gap_area", answer, expected, language,
                   allowed=gap_areas["dimension"].tolist())


def check_readiness_maturity(answer, responses: pd.DataFrame, *,
                             language: str = "es") -> CheckResult:
    """Maturity level (a number) of the current scenario."""
    from crmlib import readiness

    _, overall = _readiness(responses)
    mat = readiness.maturity(overall)
    expected = int(mat.loc[mat["scenario"] == "current", "level"].iloc[0])
    return _num("readiness_maturity", answer, expected, language, rel_tol=0, abs_tol=0)


# --- SERVQUAL ---------------------------------------------------------------------------

def _servqual(responses, respondents=None):
    from crmlib import servqual

    gaps = servqual.gap_table(responses)
    return gaps, servqual.servqual_scores(gaps, respondents)


def check_servqual_unweighted(answer, responses: pd.DataFrame, *,
                              language: str = "es") -> CheckResult:
    """Overall unweighted SERVQUAL score (mean of the dimension gaps)."""
    _, scores = _servqual(responses)
    expected = scores.loc[scores["dimension"] == "overall", "gap"].iloc[0]
    return _num("servqual_unweighted", answer, expected, language, rel_tol=0, abs_tol=0.01)


def check_servqual_worst_dimension(answer, responses: pd.DataFrame, *,
                                   language: str = "es") -> CheckResult:
    """Dimension with the most negative gap (P - E)."""
    _, scores = _servqual(responses)
    dims = scores[scores["dimension"] != "overall"]
    expected = dims.sort_values(["gap", "dimension"])["dimension"].iloc[0]
    return _choice("servqual_worst_dimension", answer, expected, language,
                   allowed=dims["dimension"].tolist())


def check_servqual_alpha(answer, responses: pd.DataFrame, *, dimension: str = "reliability",
                         language: str = "es") -> CheckResult:
    """Cronbach's alpha of the perception items of one dimension."""
    from crmlib import servqual

    gaps = servqual.gap_table(responses)
    rel = servqual.reliability_table(gaps, part="perception")
    expected = rel.loc[rel["dimension"] == dimension, "alpha"].iloc[0]
    return _num("servqual_alpha", answer, expected, language, rel_tol=0, abs_tol=0.005)


# --- Personalize ------------------------------------------------------------------------

def _customer_features(transactions, interactions, as_of):
    from crmlib import personalize

    return personalize.customer_table(transactions, interactions, as_of=as_of)


def check_n_actions(answer, transactions: pd.DataFrame, interactions: pd.DataFrame, *,
                    action: str, as_of=None, language: str = "es") -> CheckResult:
    """Number of customers whose next best action (packaged rules) is ``action``."""
    from crmlib import personalize

    plan = personalize.treatment_plan(_customer_features(transactions, interactions, as_of))
    expected = int((plan["action"] == action).sum())
    return _num("n_actions", answer, expected, language, rel_tol=0, abs_tol=0.5)


def check_top_customer_action(answer, transactions: pd.DataFrame, interactions: pd.DataFrame,
                              *, as_of=None, language: str = "es") -> CheckResult:
    """Next best action (its key) of the most valuable customer."""
    from crmlib import differentiate, personalize

    plan = personalize.treatment_plan(_customer_features(transactions, interactions, as_of))
    top = differentiate.pareto_table(transactions, as_of=as_of)["customer_id"].iloc[0]
    expected = plan.loc[plan["customer_id"] == top, "action"].iloc[0]
    return _choice("top_customer_action", answer, expected, language,
                   allowed=sorted(plan["action"].unique()))


def check_stage_count(answer, transactions: pd.DataFrame, interactions: pd.DataFrame, *,
                      stage: str, as_of=None, language: str = "es") -> CheckResult:
    """Customers at relationship ``stage`` (contact, relate, intimate or trust)."""
    from crmlib import personalize

    stages = personalize.relationship_stages(_customer_features(transactions, interactions,
                                                                as_of))
    expected = int((stages["relationship_stage"] == stage).sum())
    return _num("stage_count", answer, expected, language, rel_tol=0, abs_tol=0.5)


# --- Collections ------------------------------------------------------------------------

def check_dso_days(answer, invoices: pd.DataFrame, *, as_of, period_days: int = 90,
                   language: str = "es") -> CheckResult:
    """Days sales outstanding over the last ``period_days``."""
    from crmlib import collections

    expected = collections.dso_table(invoices, as_of=as_of, period_days=period_days)[
        "dso_days"].iloc[0]
    return _num("dso_days", answer, expected, language, rel_tol=0.01)


def check_overdue_share(answer, invoices: pd.DataFrame, *, as_of,
                        language: str = "es") -> CheckResult:
    """Share of the open balance that is past due."""
    from crmlib import collections

    expected = collections.dso_table(invoices, as_of=as_of)["overdue_share"].iloc[0]
    return _num("overdue_share", answer, expected, language, rel_tol=0, abs_tol=0.005,
                share=True)


def check_oldest_bucket_customer(answer, invoices: pd.DataFrame, *, as_of,
                                 language: str = "es") -> CheckResult:
    """Customer owing the most in the oldest aging bucket (over 120 days by default)."""
    from crmlib import collections

    aging = collections.aging_table(invoices, as_of=as_of)
    oldest = collections.bucket_labels()[-1]
    top = aging.sort_values([oldest, "customer_id"], ascending=[False, True])
    expected = top["customer_id"].iloc[0] if len(top) and top[oldest].iloc[0] > 0 else ""
    return _choice("oldest_bucket_customer", answer, expected, language)


def expected_values(results) -> pd.DataFrame:
    """Table of tasks, pass/fail and expected values from a list of results (for teachers)."""
    return pd.DataFrame([
        {"task": r.task, "passed": r.passed, "expected": r.details.get("expected")}
        for r in results
    ])

