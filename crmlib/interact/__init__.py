"""Interact: complaints, contacts and the hard indices of service.

The method behind this module: complaints are the last chance to keep a
customer, so a valuable complainer must be acted on within about 30 days, after
which the chance of recovering them falls below one in five; the right
complaint indicator is not "no complaints" but the share solved at the first
contact (Peppers & Rogers' Interact tasks, source 004). Service quality is
followed with hard indices (response time, waiting time, errors, number of
complaints, customers lost, transaction volume) and a response-time study by
type of service encounter: remote, by phone and in person (source 001).

Ticket exports are messy, so every function here goes through
:func:`ticket_table`, which

* parses timestamps given as text, naive or time-zone aware values mixed, and
  returns naive local time: an aware value keeps its own wall-clock time (its
  offset is dropped) unless ``timezone`` is given, in which case it is first
  converted to that zone; naive values are taken as local time already;
* decides whether a ticket is closed from its status label (configurable, with
  English and Spanish defaults such as ``closed``, ``resuelto``, ``cerrado``),
  falling back on the close date when there is no status;
* treats a reopened ticket as open, whatever close date it still carries;
* never returns a negative duration: a ticket closed before it was opened, or
  closed without a close date, is kept with a ``problem`` label and no
  resolution time, and :func:`ticket_problems` lists those rows.

Every public function returns a tidy DataFrame whose columns are listed in its
docstring. Nothing here draws; :mod:`crmlib.plot` does.
"""

from crmlib.interact._complaint_metrics import (
    complaint_metrics,
    repeat_complainers,
    valuable_complainers,
)
from crmlib.interact._customers import (
    contact_cost_by_segment,
    last_contacts,
    lost_after_complaint,
)
from crmlib.interact._indices import ENCOUNTERS as ENCOUNTERS
from crmlib.interact._indices import HARD_INDICES as HARD_INDICES
from crmlib.interact._indices import (
    hard_indices,
    hard_indices_table,
    p_chart,
    response_time_study,
    xmr_chart,
)
from crmlib.interact._summary import (
    headline,
    key_figures,
    lost_summary,
    metrics_view,
)
from crmlib.interact._tickets import (
    DEFAULT_CLOSED_STATUSES,
    DEFAULT_REOPENED_STATUSES,
    ticket_problems,
    ticket_table,
)
from crmlib.interact._timestamps import (
    BusinessHours,
    business_hours_between,
    local_timestamps,
)

__all__ = [
    "DEFAULT_CLOSED_STATUSES",
    "DEFAULT_REOPENED_STATUSES",
    "BusinessHours",
    "business_hours_between",
    "complaint_metrics",
    "contact_cost_by_segment",
    "hard_indices",
    "hard_indices_table",
    "headline",
    "key_figures",
    "last_contacts",
    "local_timestamps",
    "lost_after_complaint",
    "lost_summary",
    "metrics_view",
    "p_chart",
    "repeat_complainers",
    "response_time_study",
    "ticket_problems",
    "ticket_table",
    "valuable_complainers",
    "xmr_chart",
]
