"""Identify: one master of customers from several sources, data quality, profile cards.

The first stage of the IDIC method (Peppers & Rogers) asks a company to know who
its customers are: gather the records that several systems keep (billing, CRM,
loyalty card, web shop), recognise the same customer across them, clean what is
stale or invalid, and build one profile card ("ficha") per customer. This module
does the computing part of that work:

* :func:`normalize_customers` prepares comparable keys (name without accents,
  punctuation, honorifics or legal suffixes; lower-case e-mail; phone digits
  without country or trunk prefix; tax id without separators);
* :func:`match_candidates` proposes pairs of records that may be the same
  customer, each with the rule that fired, the scores and a decision;
* :func:`apply_overrides` lets a consultant's review file win over the rules;
* :func:`consolidate` merges the records into masters (transitively, but never
  across a ``keep_apart`` decision or two different tax ids) and returns the
  master table, the record-to-master links and the match report;
* :func:`record_quality`, :func:`quality_profile`, :func:`revenue_identification`
  and :func:`identified_revenue_share` measure the quality of the data;
* :func:`profile_card` lays out one customer's card.

Sources: Peppers, D. & Rogers, M., *Enterprise One to One* (IDIC), as presented in
the one-to-one implementation guide (tasks of the Identify stage: grow and clean
the customer base, drop out-of-date records) and the customer-loyalty process
("register": merge every customer database of the company into one; "identify":
build each customer's card with personal or company data).
"""

from __future__ import annotations

from crmlib.identify._card import card_browser, card_table, profile_card
from crmlib.identify._consolidate import Consolidation, consolidate, source_counts
from crmlib.identify._headlines import (
    headline,
    match_report_table,
    readable,
    revenue_sentence,
    rule_counts,
)
from crmlib.identify._match import DECISIONS, RULES, match_candidates
from crmlib.identify._normalize import normalize_customers
from crmlib.identify._overrides import OVERRIDE_DECISIONS, apply_overrides, read_overrides
from crmlib.identify._quality import quality_figures, quality_profile, record_quality
from crmlib.identify._revenue import (
    identified_revenue_share,
    master_values,
    most_valuable_master,
    revenue_identification,
)

__all__ = [
    "DECISIONS",
    "OVERRIDE_DECISIONS",
    "RULES",
    "Consolidation",
    "apply_overrides",
    "card_browser",
    "card_table",
    "consolidate",
    "headline",
    "identified_revenue_share",
    "master_values",
    "match_candidates",
    "match_report_table",
    "most_valuable_master",
    "normalize_customers",
    "profile_card",
    "quality_figures",
    "quality_profile",
    "read_overrides",
    "readable",
    "record_quality",
    "revenue_identification",
    "revenue_sentence",
    "rule_counts",
    "source_counts",
]
