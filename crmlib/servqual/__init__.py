"""SERVQUAL: service quality as the gap between what customers expect and what they get.

The method (Parasuraman, Zeithaml & Berry 1988; revised 1991; zone of tolerance 1994) asks
each customer three things: how an *excellent* company of the sector would perform on 22
statements (expectations, E), how many of 100 points each of the five dimensions deserves
(importance), and how *this* company performs on the same statements (perceptions, P).
Service quality on an item is the gap ``P - E``: negative means the company falls short.
Where the survey also asked for the *adequate* (minimum acceptable) and *desired* service
levels, the perception is placed inside or outside that zone of tolerance.

Dimensions and items (1991 numbering): tangibles SQ01-SQ04, reliability SQ05-SQ09,
responsiveness SQ10-SQ13, assurance SQ14-SQ17, empathy SQ18-SQ22. Instruments are data
(:mod:`crmlib.instruments`): ``servqual-1991`` (positive wording), ``servqual-1988`` (nine
negatively worded items, reverse scored), or a consultant's own file with items added,
removed or reworded and any scale (1-5, 1-9 ...).

Workflow::

    gaps = gap_table(responses)                 # long: one row per respondent and item
    item_gaps(gaps); dimension_gaps(gaps)       # means with confidence intervals
    servqual_scores(gaps, respondents)          # unweighted and importance-weighted score
    zone_of_tolerance(gaps)                     # when adequate/desired were asked
    reliability_table(gaps); item_reliability_table(gaps)
    paired_tests(gaps, level="dimension")       # P vs E, with multiple-testing correction
    importance_regression(gaps, respondents)    # derived vs stated importance
    segment_comparison(gaps, respondents)       # ANOVA and Kruskal-Wallis across segments
    ipa_table(servqual_scores(...), tests=..., zone=...)  # importance-performance grid
    ipa_reading(ipa)                            # the grid's reading for the client
    reading(...)                                # plain-language summary (es/en)
    servqual_analysis(responses, respondents)   # all of the above from one pivot

Survey exports (read with :func:`crmlib.io.read_survey`) become the two canonical tables with
:func:`responses_from_survey` and :func:`respondents_from_survey`; :func:`questionnaire_html`
and :func:`forms_csv_header` make the forms to hand out.

Every function takes tables and returns a tidy DataFrame; nothing is printed or drawn here.
"""

from __future__ import annotations

from crmlib.io._servqual_survey import PART_WORDS as PART_WORDS
from crmlib.io._servqual_survey import respondents_from_survey, responses_from_survey
from crmlib.io._servqual_wide import respondents_from_wide, responses_from_wide
from crmlib.questionnaire._servqual_forms import forms_csv_header, questionnaire_html
from crmlib.servqual._analysis import available, select_segment, servqual_analysis
from crmlib.servqual._base import DIMENSIONS, SCORE_PARTS
from crmlib.servqual._base import QUADRANTS as QUADRANTS
from crmlib.servqual._gaps import (
    dimension_gaps,
    gap_table,
    item_gaps,
    respondent_gaps,
    sample_table,
)
from crmlib.servqual._reading import display, headline, key_figures, reading
from crmlib.servqual._regression import (
    importance_regression,
    ipa_importance,
    ipa_missing,
    ipa_reading,
    ipa_table,
)
from crmlib.servqual._reliability import (
    cronbach_alpha,
    item_reliability_table,
    reliability_table,
)
from crmlib.servqual._scores import servqual_scores, zone_of_tolerance
from crmlib.servqual._significance import _adjust as _adjust  # tests check the Holm step
from crmlib.servqual._significance import paired_tests, segment_comparison, segment_gaps

__all__ = [
    "DIMENSIONS",
    "SCORE_PARTS",
    "available",
    "cronbach_alpha",
    "dimension_gaps",
    "display",
    "forms_csv_header",
    "gap_table",
    "headline",
    "importance_regression",
    "ipa_importance",
    "ipa_missing",
    "ipa_reading",
    "ipa_table",
    "item_gaps",
    "item_reliability_table",
    "key_figures",
    "paired_tests",
    "questionnaire_html",
    "reading",
    "reliability_table",
    "respondent_gaps",
    "respondents_from_survey",
    "respondents_from_wide",
    "responses_from_survey",
    "responses_from_wide",
    "sample_table",
    "segment_comparison",
    "segment_gaps",
    "select_segment",
    "servqual_analysis",
    "servqual_scores",
    "zone_of_tolerance",
]
