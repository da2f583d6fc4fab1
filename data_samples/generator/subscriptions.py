"""Contracts of a subscription business: the ``subscriptions`` table.

Móvil Andina's postpaid and business customers hold a monthly plan. Each
contract starts when the customer record was created and is cancelled after
a number of months drawn from a shifted beta-geometric law (a monthly
cancellation chance that differs between customers, Beta-distributed), or
earlier if the customer leaves the operator altogether. The draws come from
their own seeded stream, so adding this table leaves every other file of the
company byte-identical.
"""

from __future__ import annotations

import numpy as np

from ._common import LAST_DAY, SEEDS
from .formatting import write_csv

#: offset of this table's random stream from the company seed
STREAM = 15

SUBSCRIPTION_HEADER = ["subscription_id", "customer_id", "started_at", "ended_at", "plan",
                       "monthly_fee"]

PLANS = {"postpaid": (("plan_basic", 29.90), ("plan_plus", 49.90), ("plan_max", 79.90)),
         "business": (("plan_plus", 49.90), ("plan_max", 79.90), ("plan_empresa", 119.90))}
PLAN_WEIGHTS = {"postpaid": (0.45, 0.4, 0.15), "business": (0.3, 0.45, 0.25)}

# cancellation chance per month ~ Beta(alpha, beta): mean about 2.5 % a month, varied
CHURN_ALPHA, CHURN_BETA = 0.9, 34.0


def subscription_rows(customers, style, *, company: str = "movil-andina") -> list[list[str]]:
    """One row per contract of the customers on a contract segment, by start then id."""
    rng = np.random.default_rng(SEEDS[company] + STREAM)
    contracts = []
    for c in customers:
        if c.segment not in PLANS:
            continue
        start = int(c.created)
        theta = rng.beta(CHURN_ALPHA, CHURN_BETA)
        months = int(rng.geometric(theta))  # the month in which the contract is cancelled
        end = start + int((months - 1) * 30.44) + int(rng.integers(1, 30))
        if c.churn_day is not None and c.churn_day >= start:
            end = min(end, int(c.churn_day))
        plans = PLANS[c.segment]
        k = int(rng.choice(len(plans), p=PLAN_WEIGHTS[c.segment]))
        contracts.append((start, c.cid, None if end > LAST_DAY else end, *plans[k]))
    contracts.sort(key=lambda r: (r[0], r[1]))
    return [[f"CT-{i + 1:06d}", cid, style.day(start), style.day(end), plan, f"{fee:.2f}"]
            for i, (start, cid, end, plan, fee) in enumerate(contracts)]


def write_subscriptions(path, customers, style, *, company: str = "movil-andina") -> None:
    write_csv(path, SUBSCRIPTION_HEADER, subscription_rows(customers, style, company=company),
              style)
