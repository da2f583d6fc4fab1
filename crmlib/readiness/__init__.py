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

The nine **timely signals** (señales oportunas) are asked like every other statement
but read one by one (:func:`timely_signals`), never averaged into a score. Each
statement is answered in the words that fit it: frequency (nunca ... siempre) or
agreement (totalmente en desacuerdo ... totalmente de acuerdo), as the instrument
declares per item. Maturity levels are the workbook's own (the method gives none) and
are placed on the score as shown (:func:`shown_score`); the relationship ladder counts
customers on each rung (:func:`relationship_ladder`), and :func:`priorities` is the
action plan, one row per task, with empty owner and due-date columns.

Functions return tidy tables keyed by ``dimension`` (and ``group``); the texts
(labels, maturity meanings, tasks) come from the instrument in ``es`` or ``en``.
"""

from __future__ import annotations

from crmlib.readiness._groups import consensus, group_scores
from crmlib.readiness._maturity import (
    PLAN_COLUMNS,
    SCORE_DECIMALS,
    maturity,
    maturity_levels,
    maturity_source,
    priorities,
    relationship_ladder,
    shown_score,
)
from crmlib.readiness._reading import (
    disagreement_text,
    display,
    group_overview,
    key_figures,
    ladder_figures,
    ladder_text,
    maturity_text,
    overview_text,
)
from crmlib.readiness._responses import (
    GROUPS,
    SCORED_SECTIONS,
    SECTIONS,
    dimension_info,
    response_overview,
    validate_responses,
)
from crmlib.readiness._scores import area_scores, item_scores, overall_scores, score_table
from crmlib.readiness._signals import signals_text, timely_signals
from crmlib.readiness._wording import anchor_kind_conflicts

__all__ = [
    "GROUPS",
    "PLAN_COLUMNS",
    "SCORED_SECTIONS",
    "SCORE_DECIMALS",
    "SECTIONS",
    "anchor_kind_conflicts",
    "area_scores",
    "consensus",
    "dimension_info",
    "disagreement_text",
    "display",
    "group_overview",
    "group_scores",
    "item_scores",
    "key_figures",
    "ladder_figures",
    "ladder_text",
    "maturity",
    "maturity_levels",
    "maturity_source",
    "maturity_text",
    "overall_scores",
    "overview_text",
    "priorities",
    "relationship_ladder",
    "response_overview",
    "score_table",
    "shown_score",
    "signals_text",
    "timely_signals",
    "validate_responses",
]
