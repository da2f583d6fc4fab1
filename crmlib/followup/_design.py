"""Self-checks of the follow-up exercise (``notebooks/exercises/ex08_follow_up``).

The student designs the follow-up programme of a case company: which tools, how often,
who is in charge. :func:`check_programme_design` looks at the structure of that plan,
never at a number: known tools, no tool twice, enough tools to hear customers in several
ways, the ones the case calls for, a frequency from the list and a named owner per tool.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from crmlib.exercises import CheckResult, check_choice
from crmlib.followup._overview import TOOLS
from crmlib.followup._survey import survey_scores
from crmlib.i18n import catalog, check_language, t, value_label

#: How often a tool runs; the Spanish and English words a student may write for each.
FREQUENCIES = {
    "per_transaction": ("per_transaction", "after each transaction", "after every transaction",
                        "tras cada transaccion", "despues de cada transaccion",
                        "cada transaccion", "after each sale", "tras cada venta"),
    "continuous": ("continuous", "always", "permanent", "continua", "continuo", "permanente",
                   "siempre"),
    "weekly": ("weekly", "semanal", "cada semana"),
    "monthly": ("monthly", "mensual", "cada mes"),
    "quarterly": ("quarterly", "trimestral", "cada trimestre"),
    "half_yearly": ("half_yearly", "half-yearly", "twice a year", "semestral", "cada semestre"),
    "yearly": ("yearly", "annual", "annually", "anual", "cada ano"),
}
#: The frequencies as the hint lists them.
FREQUENCY_WORDS = {
    "es": ["tras cada transacción", "continua", "semanal", "mensual", "trimestral", "semestral",
           "anual"],
    "en": ["after each transaction", "continuous", "weekly", "monthly", "quarterly",
           "half-yearly", "yearly"],
}
#: Short names a student may write for each tool, besides its code and its labels.
TOOL_ALIASES = {
    "suggestion_box": ("buzon", "sugerencias", "suggestions", "suggestion box"),
    "panel": ("panel", "panel de clientes", "customer panel"),
    "survey": ("encuesta", "encuestas", "servqual", "survey", "surveys"),
    "mystery_shopper": ("cliente misterioso", "comprador misterioso", "compradores espia",
                        "comprador espia", "mystery shopper", "mystery guest"),
    "lost_customers": ("clientes perdidos", "analisis de clientes perdidos", "lost customers"),
    "post_transaction": ("encuesta post-transaccion", "encuesta post transaccion",
                         "encuestas post-transaccion", "llamadas de seguimiento",
                         "follow-up calls", "post-transaction survey",
                         "post-transaction surveys"),
    "critical_incidents": ("incidentes criticos", "estudio de incidentes criticos",
                           "critical incidents", "critical incident study"),
    "soft_indicators": ("indicadores blandos", "soft indicators"),
}
_COLUMNS = {"tool": ("tool", "herramienta"), "frequency": ("frequency", "frecuencia"),
            "owner": ("owner", "responsable", "dueño", "dueno")}
_PLACEHOLDERS = {"", "?", "-", "tbd", "todo", "n/a", "na", "nadie", "nobody", "none", "x"}


def _fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").split())


def _tool_key(value) -> str | None:
    names = {}
    for tool in TOOLS:
        names[_fold(tool)] = tool
        for lang in ("es", "en"):
            names[_fold(catalog()[f"value.tool.{tool}"][lang])] = tool
        for alias in TOOL_ALIASES[tool]:
            names[_fold(alias)] = tool
    return names.get(_fold(value))


def _frequency_key(value) -> str | None:
    folded = _fold(value)
    for key, words in FREQUENCIES.items():
        if folded in {_fold(w) for w in words}:
            return key
    return None


def _rows(plan) -> list[dict] | None:
    if isinstance(plan, pd.DataFrame):
        plan = plan.to_dict("records")
    if isinstance(plan, dict):
        plan = [plan]
    if not isinstance(plan, (list, tuple)) or not all(isinstance(r, dict) for r in plan):
        return None
    out = []
    for row in plan:
        folded = {_fold(k): v for k, v in row.items()}
        out.append({col: next((folded[_fold(a)] for a in names if _fold(a) in folded), None)
                    for col, names in _COLUMNS.items()})
    return out


def programme_design_problems(plan, *, required=(), min_tools: int = 3) -> list[tuple]:
    """What is wrong with a follow-up programme plan, as ``(problem, detail)`` pairs.

    ``plan`` is a list of ``{"tool", "frequency", "owner"}`` rows (or a DataFrame;
    Spanish column names ``herramienta``, ``frecuencia``, ``responsable`` are accepted).
    Problems: ``not_a_plan``, ``unknown_tool`` (the value), ``repeated_tool``,
    ``too_few_tools`` (how many distinct), ``missing_tool`` (a required tool),
    ``unknown_frequency`` (the tool), ``no_owner`` (the tool). Empty when the plan holds.
    """
    rows = _rows(plan)
    if not rows:
        return [("not_a_plan", "")]
    problems, seen = [], []
    for row in rows:
        tool = _tool_key(row["tool"]) if row["tool"] is not None else None
        if tool is None:
            problems.append(("unknown_tool", str(row["tool"])))
            continue
        if tool in seen:
            problems.append(("repeated_tool", tool))
            continue
        seen.append(tool)
        if row["frequency"] is None or _frequency_key(row["frequency"]) is None:
            problems.append(("unknown_frequency", tool))
        owner = row["owner"]
        if owner is None or _fold(owner) in _PLACEHOLDERS:
            problems.append(("no_owner", tool))
    if len(seen) < min_tools:
        problems.append(("too_few_tools", str(len(seen))))
    for tool in required:
        if tool not in seen:
            problems.append(("missing_tool", tool))
    return problems


def check_programme_design(plan, *, required=("lost_customers",), min_tools: int = 3,
                           language: str = "es") -> CheckResult:
    """Self-check of a designed follow-up programme (structure only, see module doc).

    ``required`` are the tools the case calls for (by default the analysis of lost
    customers: the case company is losing repeat customers). The message lists every
    problem, naming the tool concerned, so the student can fix them all at once.
    """
    check_language(language)
    task = t("exercises.programme_design.task", language)
    problems = programme_design_problems(plan, required=required, min_tools=min_tools)
    details = {"expected": {"required": tuple(required), "min_tools": min_tools},
               "problems": problems}
    if problems == [("not_a_plan", "")] and plan in (None, [], ()):
        return CheckResult(task, False, t("exercises.missing", language), details)
    if not problems:
        return CheckResult(task, True, t("exercises.right", language), details)
    texts = []
    for problem, detail in problems:
        if problem in ("repeated_tool", "unknown_frequency", "no_owner", "missing_tool"):
            detail = value_label("tool", detail, language)
        texts.append(t(f"exercises.programme_design.{problem}", language, detail=detail,
                       n=min_tools, words=", ".join(FREQUENCY_WORDS[language])))
    return CheckResult(task, False, " ".join(dict.fromkeys(texts)), details)


def check_worst_touchpoint(answer, survey: pd.DataFrame, *, threshold: float = 3,
                           language: str = "es") -> CheckResult:
    """The touchpoint with the lowest mean post-transaction score (ties: by name)."""
    scores = survey_scores(survey, by="touchpoint", threshold=threshold)
    expected = scores.sort_values(["mean_score", "touchpoint"])["touchpoint"].iloc[0]
    return check_choice(answer, expected, task=t("exercises.worst_touchpoint.task", language),
                        hint=t("exercises.worst_touchpoint.hint", language), language=language,
                        allowed=scores["touchpoint"].tolist())
