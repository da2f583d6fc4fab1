"""The customer follow-up programme (notebook ``08_follow_up``).

Source 001 lists seven ways to follow customers' satisfaction beyond the complaint
desk: the suggestion box, the customer panel, surveys, mystery shoppers, the analysis
of lost customers, follow-up calls or post-transaction surveys, and critical incident
studies; and the soft (subjective) indicators of service next to the hard indices of
:mod:`crmlib.interact`. Each analysis here is one function returning a tidy table;
the figures are in :mod:`crmlib.plot`.

::

    lost_customer_table(lost, view=view)   # reason coded, justified/repairable, value
    lost_reasons_table(table)              # customers and value lost per reason
    recovery_list(table)                   # lost customers worth recovering
    survey_scores(survey, by="touchpoint") # post-transaction scores, share below threshold
    survey_trend(survey)                   # trend of each touchpoint
    follow_up_calls(survey, view=view)     # whom to call back
    incident_table(incidents)              # critical incidents: counts and examples
    incident_balance(incidents)            # positive vs negative per category
    suggestion_table(interactions, actions)  # each suggestion: answered? how fast? what done?
    suggestion_summary(table)
    mystery_compliance(visits, by="site")  # checklist compliance per site, item, visit
    servperf_table(responses)              # perception-only scores, alpha, intervals
    programme_overview(tables, findings=...)  # tools used, how often, what each found
    unlock_sentence(tool, language)        # what a missing tool needs
    value_view(transactions, ...)          # the customer view the lists rank by
"""

from crmlib.followup._design import (
    FREQUENCIES,
    check_programme_design,
    check_worst_touchpoint,
    programme_design_problems,
)
from crmlib.followup._incidents import incident_balance, incident_table
from crmlib.followup._lost import (
    JUDGEMENT,
    REASON_CATEGORIES,
    REASON_WORDS,
    code_reason,
    lost_customer_table,
    lost_reasons_table,
    recovery_list,
)
from crmlib.followup._mystery import mystery_compliance
from crmlib.followup._overview import (
    TOOLS,
    finding,
    programme_overview,
    unlock_sentence,
    value_view,
)
from crmlib.followup._servperf import alpha_from_correlations, servperf_table
from crmlib.followup._suggestions import (
    ACTIONS,
    open_suggestions,
    suggestion_summary,
    suggestion_table,
)
from crmlib.followup._survey import follow_up_calls, survey_scores, survey_trend

__all__ = [
    "ACTIONS",
    "FREQUENCIES",
    "JUDGEMENT",
    "REASON_CATEGORIES",
    "REASON_WORDS",
    "TOOLS",
    "alpha_from_correlations",
    "check_programme_design",
    "check_worst_touchpoint",
    "code_reason",
    "finding",
    "follow_up_calls",
    "incident_balance",
    "incident_table",
    "lost_customer_table",
    "lost_reasons_table",
    "mystery_compliance",
    "open_suggestions",
    "programme_design_problems",
    "programme_overview",
    "recovery_list",
    "servperf_table",
    "suggestion_summary",
    "suggestion_table",
    "survey_scores",
    "survey_trend",
    "unlock_sentence",
    "value_view",
]
