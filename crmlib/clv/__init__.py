"""Customer lifetime value: BG/NBD for purchase counts, Gamma-Gamma for spend.

The two models of the "buy till you die" family, fitted by maximum likelihood:

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy
  way", *Marketing Science* 24(2)): while alive, a customer buys as a Poisson
  process of rate ``lambda ~ Gamma(r, alpha)``; after each purchase the
  customer drops out with probability ``p ~ Beta(a, b)``.
* **Gamma-Gamma** (Fader & Hardie 2013, "The Gamma-Gamma model of monetary
  value"; Fader, Hardie & Lee 2005, "RFM and CLV", *JMR* 42): the value of a
  purchase is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)``, independent of
  the purchase process.

Both take the summary table of :func:`crmlib.differentiate.customer_summary`:
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
from crmlib.clv._gamma_gamma import GammaGammaModel
from crmlib.clv._holdout import calibration_holdout, holdout_table
from crmlib.clv._value import clv_summary, clv_table, customer_lifetime_value, parameters_table

__all__ = [
    "TIME_UNIT_DAYS",
    "BetaGeoModel",
    "GammaGammaModel",
    "calibration_holdout",
    "clv_summary",
    "clv_table",
    "customer_lifetime_value",
    "holdout_table",
    "parameters_table",
    "probability_alive_matrix",
]
