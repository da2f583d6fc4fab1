"""Differentiate: which customers matter most, and how each one is doing.

The second IDIC stage ranks customers by the value they bring and follows
their buying behaviour. Everything starts from the transaction summary
(:func:`customer_summary`), one row per customer:

* **Value**: Pareto curve, ABC classes and Gini (:func:`pareto_table`,
  :func:`abc_table`, :func:`gini`); the most valuable customers, the 5-10 %
  at the top (:func:`most_valuable`); customers below zero, who cost more than
  they bring (:func:`below_zero`); customers whose spend is growing
  (:func:`growth_potential`).
* **RFM**: recency, frequency and monetary scores with quantile or custom
  cut points (:func:`rfm_scores`, :func:`rfm_cut_points`) and named segments
  from an editable table (:func:`rfm_segments`).
* **Lifecycle**: new, active, inactive, lost and special customers
  (:func:`lifecycle_table`), retention and churn per period
  (:func:`retention_table`), cohorts (:func:`cohort_table`) and decliners,
  customers buying well under their usual level (:func:`decliners`).

Conventions shared by every function here:

* Rows without ``customer_id`` (anonymous sales) are left out; rows dated
  after ``as_of`` are left out.
* Dates count by calendar day. All lines of a customer on one day, returns
  included, are netted into that day's value. A *purchase day* is a day with
  at least one sale line (amount zero or more; free items count); a day of
  returns only is not a purchase, but its amount still counts in the
  customer's net value (``monetary``). This follows the BG/NBD convention (Fader, Hardie & Lee
  2005) that several purchases on one day are one purchase.
* Ties are broken by ``customer_id`` so the same data give the same table
  whatever the row order.

Method: the Differentiate tasks of Peppers & Rogers' one-to-one programme
(most valuable 5-10 %, below-zero customers, customers buying less than 40 % of
their usual), the Pareto 80/20 principle, and RFM analysis.
"""

from __future__ import annotations

# Besides the names of __all__ the package keeps LIFECYCLE_CLASSES and the two private
# helpers crmlib.clv uses for its calibration/holdout split.
from crmlib._purchases import _clean_transactions as _clean_transactions
from crmlib._purchases import _purchase_days as _purchase_days
from crmlib.differentiate._change import (
    decliners,
    decliners_summary,
    growth_potential,
    growth_table,
)
from crmlib.differentiate._headlines import (
    clv_headline,
    decliners_headline,
    pareto_headline,
    readable,
    retention_headline,
    rfm_headline,
    summary_headline,
    value_groups_headline,
)
from crmlib.differentiate._lifecycle import LIFECYCLE_CLASSES as LIFECYCLE_CLASSES
from crmlib.differentiate._lifecycle import (
    cohort_table,
    lifecycle_summary,
    lifecycle_table,
    retention_summary,
    retention_table,
)
from crmlib.differentiate._rfm import (
    RFM_SEGMENTS,
    rfm_cut_points,
    rfm_scores,
    rfm_segment_summary,
    rfm_segments,
)
from crmlib.differentiate._summary import customer_summary, customer_summary_parquet
from crmlib.differentiate._value import (
    abc_table,
    below_zero,
    contribution_table,
    customer_value,
    gini,
    most_valuable,
    pareto_summary,
    pareto_table,
)

__all__ = [
    "RFM_SEGMENTS",
    "abc_table",
    "below_zero",
    "clv_headline",
    "cohort_table",
    "contribution_table",
    "customer_summary",
    "customer_summary_parquet",
    "customer_value",
    "decliners",
    "decliners_headline",
    "decliners_summary",
    "gini",
    "growth_potential",
    "growth_table",
    "lifecycle_summary",
    "lifecycle_table",
    "most_valuable",
    "pareto_headline",
    "pareto_summary",
    "pareto_table",
    "readable",
    "retention_headline",
    "retention_summary",
    "retention_table",
    "rfm_cut_points",
    "rfm_headline",
    "rfm_scores",
    "rfm_segment_summary",
    "rfm_segments",
    "summary_headline",
    "value_groups_headline",
]
