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

from crmlib.personalize._features import contact_features, customer_features
from crmlib.personalize._features import customer_table as customer_table
from crmlib.personalize._letters import (
    LETTERS,
    customer_names,
    letter_recipients,
    letters_note,
    render_letters,
    templates_dir,
    write_letters,
)
from crmlib.personalize._plan import (
    ACTIONS,
    key_figures,
    load_rules,
    plan_summary,
    rules_table,
    treatment_plan,
)
from crmlib.personalize._plan import SERVICE_LEVELS as SERVICE_LEVELS
from crmlib.personalize._plan import _condition as _condition
from crmlib.personalize._stages import DEFAULT_STAGE_RULES as DEFAULT_STAGE_RULES
from crmlib.personalize._stages import RELATIONSHIP_STAGES, relationship_stages, stage_summary

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
