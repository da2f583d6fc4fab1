"""Segments, share of wallet, the loyalty funnel and the method's customer types.

The middle of the loyalty-building process of the source documents (the "inverted
pyramid" of source 003: register, identify, differentiate, interact, *segment*,
personalize, build loyalty, *grow the customer's share*), computed from the client's data:

* **needs-based segmentation**: the needs questionnaire (instrument ``needs``, forms and
  importers as every instrument: :func:`needs_from_export`, :func:`needs_from_excel`),
  :func:`needs_scores` per customer, :func:`segment_features` joining the B2B/B2C
  attributes the client keeps (sector, size, usage rate; age band, region),
  :class:`NeedsSegmentation` (k-means with a seed, a suggested number of segments and its
  bootstrap stability), :func:`segment_profiles` each segment in words;
* **share of wallet**: :func:`share_of_wallet`, :func:`wallet_by_segment`;
* **the loyalty funnel**: :func:`customer_base`, :func:`funnel_steps`,
  :func:`funnel_table`, :func:`funnel_loss`;
* **customer types**: :func:`customer_types` (prospect, active, inactive, win-back window
  of two years), :func:`monthly_pattern`, :func:`reactivation_calendar` and
  :func:`reactivation_list` (calls to inactive customers ahead of the seasonal peaks).

A stage module: it imports no plotting, report or batch code; figures are in
:mod:`crmlib.plot` (``plot_funnel``, ``plot_wallet``, ``plot_segments``, ``plot_season``).
"""

from __future__ import annotations

from crmlib.segment._cluster import (
    STABLE_ARI,
    WEAK_ARI,
    NeedsSegmentation,
    segment_customers,
)
from crmlib.segment._features import (
    CATEGORICAL_ATTRIBUTES,
    NUMERIC_ATTRIBUTES,
    segment_features,
)
from crmlib.segment._funnel import (
    EVIDENCE,
    STEPS,
    funnel_loss,
    funnel_steps,
    funnel_table,
)
from crmlib.segment._needs import needs_from_excel, needs_from_export, needs_scores
from crmlib.segment._profile import (
    profile_sentence,
    segment_label,
    segment_means,
    segment_profiles,
    variable_label,
)
from crmlib.segment._stage import (
    Segmentation,
    evidence_note,
    key_figures,
    label_segments,
    segment_client,
)
from crmlib.segment._text import (
    calendar_sentence,
    funnel_sentence,
    season_sentence,
    stability_sentence,
    types_sentence,
    wallet_sentence,
)
from crmlib.segment._types import (
    TYPES,
    customer_base,
    customer_types,
    monthly_pattern,
    reactivation_calendar,
    reactivation_list,
    type_counts,
)
from crmlib.segment._wallet import share_of_wallet, wallet_by_segment

__all__ = [
    "CATEGORICAL_ATTRIBUTES",
    "EVIDENCE",
    "NUMERIC_ATTRIBUTES",
    "STABLE_ARI",
    "STEPS",
    "TYPES",
    "WEAK_ARI",
    "NeedsSegmentation",
    "Segmentation",
    "calendar_sentence",
    "customer_base",
    "customer_types",
    "evidence_note",
    "funnel_loss",
    "funnel_sentence",
    "funnel_steps",
    "funnel_table",
    "key_figures",
    "label_segments",
    "monthly_pattern",
    "needs_from_excel",
    "needs_from_export",
    "needs_scores",
    "profile_sentence",
    "reactivation_calendar",
    "reactivation_list",
    "season_sentence",
    "segment_client",
    "segment_customers",
    "segment_features",
    "segment_label",
    "segment_means",
    "segment_profiles",
    "share_of_wallet",
    "stability_sentence",
    "type_counts",
    "types_sentence",
    "variable_label",
    "wallet_by_segment",
    "wallet_sentence",
]
