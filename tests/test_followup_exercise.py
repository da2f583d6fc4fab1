"""The follow-up exercise's self-checks look at the structure of the student's programme
(tools, frequency, owner), never at a number."""

from __future__ import annotations

import pandas as pd

from crmlib import followup as f

GOOD = [
    {"tool": "Llamadas de seguimiento", "frequency": "tras cada transacción",
     "owner": "Jefa de recepción"},
    {"tool": "Clientes perdidos", "frequency": "trimestral", "owner": "Director comercial"},
    {"tool": "mystery_shopper", "frequency": "Monthly", "owner": "Quality manager"},
]


def test_a_complete_plan_passes_in_either_language_and_either_column_names():
    assert f.check_programme_design(GOOD, language="es").passed
    spanish = pd.DataFrame(GOOD).rename(columns={"tool": "Herramienta",
                                                 "frequency": "Frecuencia",
                                                 "owner": "Responsable"})
    assert f.check_programme_design(spanish, language="en").passed


def test_each_structural_problem_is_named():
    plan = [dict(r) for r in GOOD]
    plan[2]["owner"] = "?"
    plan[0]["frequency"] = "a veces"
    plan.append({"tool": "Cliente misterioso", "frequency": "mensual", "owner": "Ana"})
    problems = f.programme_design_problems(plan)
    assert problems == [("unknown_frequency", "post_transaction"), ("no_owner", "mystery_shopper"),
                        ("repeated_tool", "mystery_shopper")]
    result = f.check_programme_design(plan, language="en")
    assert not result.passed
    assert "Say how often Follow-up calls and post-transaction surveys runs" in result.message
    assert "Mystery shopper has no owner" in result.message
    assert "Mystery shopper appears twice" in result.message


def test_too_few_tools_and_the_tool_the_case_calls_for():
    plan = [GOOD[0], {"tool": "buzón de sugerencias", "frequency": "continua", "owner": "Eva"}]
    assert f.programme_design_problems(plan, required=("lost_customers",)) == [("too_few_tools", "2"),
                                                 ("missing_tool", "lost_customers")]
    hint = f.check_programme_design(plan, language="es").message
    # the hint sends the student back to the case without naming the tool
    assert "Relea el caso" in hint and "perdidos" not in hint
    assert f.programme_design_problems(plan, required=(), min_tools=2) == []


def test_not_a_plan_and_no_answer():
    assert f.programme_design_problems("encuestas") == [("not_a_plan", "")]
    assert "No answer yet" in f.check_programme_design(None, language="en").message
    unknown = f.programme_design_problems([{"tool": "horóscopo", "frequency": "anual",
                                            "owner": "Luis"}], min_tools=1, required=())
    assert unknown == [("unknown_tool", "horóscopo"), ("too_few_tools", "0")]


def test_worst_touchpoint_check():
    survey = pd.DataFrame({"answered_at": pd.to_datetime(["2024-01-01"] * 4),
                           "touchpoint": ["Bar", "Bar", "Desk", "Desk"],
                           "score": [2.0, 3.0, 4.0, 5.0]})
    assert f.check_worst_touchpoint(" bar ", survey).passed
    wrong = f.check_worst_touchpoint("Desk", survey, language="en")
    assert not wrong.passed and "lowest" in wrong.message
