"""The customer view: one row per customer with every stage's verdict.

Each stage of the method says something about a customer: how valuable they
are and in which class (Differentiate, on a stated window: the method's
"sales of the last year"), their RFM segment, lifecycle, whether they are a
decliner or below zero, their expected lifetime value, their complaints
(Interact), what they owe (collections) and where they stand on the
relationship ladder (Personalize). :func:`customer_view` joins those verdicts,
computed by the stage functions themselves, into one table; the treatment
plan, the next best actions, the dunning plan and the letters read it, so one
customer gets one consistent advice.
"""

from crmlib.view._method import METHOD_COLUMNS, join_method, method_view
from crmlib.view._stage import (
    VIEW_TABLES,
    debt_handed_over,
    decliners,
    for_stage,
    most_valuable,
)
from crmlib.view._view import VIEW_COLUMNS, customer_view, view_notes

__all__ = ["METHOD_COLUMNS", "VIEW_COLUMNS", "VIEW_TABLES", "customer_view",
           "debt_handed_over", "decliners", "for_stage", "join_method", "method_view",
           "most_valuable", "view_notes"]
