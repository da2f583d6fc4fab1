"""Customer lifetime value: purchase models, spend, and contract retention.

Non-contractual businesses (customers buy when they like and leave without
saying so) get the two purchase-count models of the "buy till you die"
family, both fitted by maximum likelihood:

* **Pareto/NBD** (Schmittlein, Morrison & Colombo 1987; the likelihood of
  Fader, Hardie & Lee's 2005 note): Poisson purchases while alive, an
  exponential lifetime, Gamma heterogeneity in both rates.

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy
  way", *Marketing Science* 24(2)): while alive, a customer buys as a Poisson
  process of rate ``lambda ~ Gamma(r, alpha)``; after each purchase the
  customer drops out with probability ``p ~ Beta(a, b)``.
* **Gamma-Gamma** (Fader & Hardie 2013, "The Gamma-Gamma model of monetary
  value"; Fader, Hardie & Lee 2005, "RFM and CLV", *JMR* 42): the value of a
  purchase is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)``, independent of
  the purchase process.

Contractual businesses (subscriptions, plans: a cancellation is observed)
get the **shifted beta-geometric** model (Fader & Hardie 2007, "How to
project customer retention"): a constant cancellation probability per
period, Beta-distributed across customers, giving the retention curve and
the discounted expected residual lifetime (Fader & Hardie 2010).

Every fitted model gives standard errors and intervals of its parameters
(``std_errors_``, ``confidence_intervals()``) from the observed information,
and its holdout check (:func:`holdout_check`) flags a poor forecast.

The purchase models take the summary table of :func:`crmlib.differentiate.customer_summary`:
``frequency`` (repeat purchase days), ``recency`` (first to last purchase) and
``T`` (first purchase to the valuation date) in one explicit time unit, and
``avg_repeat_value``. A customer with no repeat purchase has ``frequency 0``
and ``recency 0``: the BG/NBD likelihood handles it (no drop-out opportunity
has been observed); Gamma-Gamma leaves such customers out of the fit, as the
model only describes repeat purchases, and predicts the population mean for
them.

The log-likelihoods are written with ``gammaln``/``betaln``/``logsumexp`` so
they stay finite for heavy buyers, and parameters are optimised on the log
scale (they must be positive) from several starting points.
"""

from __future__ import annotations

from crmlib._purchases import TIME_UNIT_DAYS
from crmlib.clv._base import NotFittedError as NotFittedError  # raised by the models
from crmlib.clv._bgnbd import BetaGeoModel, probability_alive_matrix
from crmlib.clv._checks import PROBLEMS as FIT_PROBLEMS
from crmlib.clv._checks import ClvFit, fit_models
from crmlib.clv._choice import (
    BUSINESS,
    RETENTION_PROBLEMS,
    ModelChoice,
    RetentionFit,
    billing_contracts,
    choose_model,
    contract_value_sentence,
    contract_value_summary,
    contract_values,
    fit_retention,
    holdout_sentence,
    monthly_billing_share,
)
from crmlib.clv._gamma_gamma import GammaGammaModel
from crmlib.clv._holdout import VERDICTS, calibration_holdout, holdout_check, holdout_table
from crmlib.clv._pareto_nbd import ParetoNBDModel
from crmlib.clv._sbg import (
    PERIOD_MONTHS,
    ShiftedBetaGeoModel,
    cohort_lifetimes,
    observed_survival,
    retention_holdout,
    retention_holdout_table,
    subscription_lifetimes,
)
from crmlib.clv._value import (
    MODEL_NAMES,
    clv_summary,
    clv_table,
    customer_lifetime_value,
    parameters_table,
)

__all__ = [
    "BUSINESS",
    "FIT_PROBLEMS",
    "MODEL_NAMES",
    "PERIOD_MONTHS",
    "RETENTION_PROBLEMS",
    "TIME_UNIT_DAYS",
    "VERDICTS",
    "BetaGeoModel",
    "ClvFit",
    "GammaGammaModel",
    "ModelChoice",
    "ParetoNBDModel",
    "RetentionFit",
    "ShiftedBetaGeoModel",
    "billing_contracts",
    "calibration_holdout",
    "choose_model",
    "clv_summary",
    "clv_table",
    "cohort_lifetimes",
    "contract_value_sentence",
    "contract_value_summary",
    "contract_values",
    "customer_lifetime_value",
    "fit_models",
    "fit_retention",
    "holdout_check",
    "holdout_sentence",
    "holdout_table",
    "monthly_billing_share",
    "observed_survival",
    "parameters_table",
    "probability_alive_matrix",
    "retention_holdout",
    "retention_holdout_table",
    "subscription_lifetimes",
]
