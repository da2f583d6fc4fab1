"""Consistency checks: where one client's results contradict each other.

Each stage of the method gives its own advice; read side by side they must
agree. A customer handed to the legal area while the plan works to retain
them, a valuable complainer on the call list whose plan forgets the
complaint, a decliner offered growth instead of a visit, a class-A customer
served at level B, lost customers among the "most valuable", a SERVQUAL
dimension called overkill while customers say it falls significantly short:
:func:`check_client` finds every such contradiction in the results of one
client and returns them as a tidy table, each with the customers or
dimensions involved and what disagrees, in Spanish or English.

The checks are listed in :data:`CHECKS`; each runs when the results it needs
are given and is listed in ``attrs["skipped"]`` otherwise.
"""

from crmlib.consistency._checks import CHECKS, check_client
from crmlib.consistency._recorded import (
    RECORDED,
    consistency_note,
    recorded_results,
    stage_note,
)

__all__ = ["CHECKS", "RECORDED", "check_client", "consistency_note", "recorded_results",
           "stage_note"]
