"""Customers, their purchase days, and the second source that repeats them differently."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._common import LAST_DAY, N_DAYS
from .names import ascii_fold, phone_text, typo


@dataclass
class Customer:
    idx: int
    cid: str
    name: str
    kind: str  # person | company
    first: str = ""
    last: list = field(default_factory=list)
    email: str | None = None
    phone: str | None = None
    phone_national: str = ""
    country: str = "ES"
    tax_id: str | None = None
    city: str | None = None
    segment: str | None = None
    created: int = 0  # day offset (may be negative: before 2022)
    special: bool = False
    arrival: int = 0
    churn_day: int | None = None
    decliner: bool = False
    rate: float = 0.0  # purchases per month
    spend: float = 0.0  # mean value of one purchase
    payer: str = "prompt"
    terms: int = 0
    days: list = field(default_factory=list)  # purchase days


def simulate_purchase_days(rng, customers, *, existing_share, lam_shape, lam_mean,
                           life_mean_months, decliner_share, spend_median, spend_sigma,
                           rate_spend_corr=0.0):
    """Give every customer an arrival, a purchase rate, a lifetime and purchase days.

    Purchases follow a Poisson process at the customer's monthly rate from arrival
    until churn (exponential lifetime) or the end of 2024; decliners buy at a quarter
    of their rate during the last 180 days.
    """
    n = len(customers)
    existing = rng.random(n) < existing_share
    arrival = np.where(existing, rng.integers(0, 75, n), rng.integers(0, N_DAYS - 20, n))
    z = rng.standard_normal(n)
    rates = rng.gamma(lam_shape, lam_mean / lam_shape, n)
    # spend may go with the (log) purchase rate: heavy buyers also buy bigger
    log_rate = np.log(rates + 1e-9)
    rate_z = (log_rate - log_rate.mean()) / log_rate.std()
    spend_z = rate_spend_corr * rate_z + np.sqrt(1 - rate_spend_corr ** 2) * z
    spend = spend_median * np.exp(spend_sigma * spend_z)
    life = rng.exponential(life_mean_months * 30.4, n)
    decl_draw = rng.random(n)
    for i, c in enumerate(customers):
        c.arrival = int(arrival[i])
        c.rate = float(rates[i])
        c.spend = float(spend[i])
        churn = c.arrival + int(life[i])
        c.churn_day = churn if churn < LAST_DAY - 30 else None
        end = c.churn_day if c.churn_day is not None else LAST_DAY
        c.decliner = (c.churn_day is None and c.arrival < LAST_DAY - 400
                      and decl_draw[i] < decliner_share)
        per_day = c.rate / 30.4
        span = end - c.arrival
        k = rng.poisson(per_day * span) if span > 0 else 0
        days = rng.integers(c.arrival, end + 1, k) if k else np.array([], dtype=int)
        if c.decliner:
            late = days >= LAST_DAY - 180
            keep = ~late | (rng.random(len(days)) < 0.25)
            days = days[keep]
        days = np.concatenate([[c.arrival], days]).astype(int)
        c.days = sorted({int(d) for d in days})


def near_duplicate(rng, c: Customer, new_id: str, *, company_suffixes=False) -> dict:
    """A second-source record of the same person or company, written differently."""
    name = c.name
    r = rng.random()
    if c.kind == "person":
        if r < 0.12:
            name = name.upper()
        elif r < 0.24:
            name = ascii_fold(name)
        elif r < 0.36:
            name = typo(rng, name)
        elif r < 0.48:
            name = f"{' '.join(c.last)}, {c.first}" if rng.random() < 0.5 else \
                f"{' '.join(c.last)} {c.first}"
        elif r < 0.56:
            name = f"{c.first} {c.last[0]}"
        elif r < 0.62:
            name = name.lower()
    else:
        if r < 0.2:
            name = name.upper()
        elif r < 0.35:
            name = name.replace("S.L.", "SL").replace("S.A.", "SA")
        elif r < 0.5:
            name = typo(rng, name)
        elif r < 0.6:
            name = ascii_fold(name)
        elif r < 0.7 and company_suffixes:
            name = name.replace(" S.L.", "").replace(" S.A.", "")
    email = c.email
    r = rng.random()
    if email:
        if r < 0.2:
            email = email.upper() if rng.random() < 0.3 else email[0].upper() + email[1:]
        elif r < 0.32:
            email = None
    phone = None
    if c.phone_national:
        r = rng.random()
        phone = None if r < 0.12 else phone_text(rng, c.country, c.phone_national)
    city = c.city
    r = rng.random()
    if city:
        if r < 0.1:
            city = city.upper()
        elif r < 0.2:
            city = ascii_fold(city)
        elif r < 0.27:
            city = None
    tax = c.tax_id
    if tax:
        r = rng.random()
        if r < 0.25:
            tax = None
        elif r < 0.4 and tax[0].isalpha():
            tax = f"{tax[0]}-{tax[1:]}"
        elif r < 0.5:
            tax = tax.lower()
    created = c.created + int(rng.integers(-20, 200))
    return {"cid": new_id, "name": name, "kind": c.kind, "email": email, "phone": phone, "city": city,
                "tax_id": tax, "created": min(created, LAST_DAY), "segment": None}


def fold_duplicates(rng, customers, n, id_for):
    """Copy ``n`` customers under a second id of the same source; move part of their history."""
    extra = []
    idx = rng.choice(len(customers), size=n, replace=False)
    for j, i in enumerate(sorted(int(x) for x in idx)):
        c = customers[i]
        twin = Customer(idx=len(customers) + j, cid=id_for(j), name=c.name, kind=c.kind,
                        first=c.first, last=c.last, email=c.email, phone=c.phone,
                        phone_national=c.phone_national, country=c.country, tax_id=c.tax_id,
                        city=c.city, segment=c.segment, created=c.created + 400,
                        special=c.special, payer=c.payer, terms=c.terms)
        twin.spend, twin.rate, twin.churn_day = c.spend, c.rate, c.churn_day
        if len(c.days) > 3:
            cut = len(c.days) // 2
            twin.days = c.days[cut:]
            c.days = c.days[:cut]
            twin.arrival = twin.days[0]
            twin.created = min(twin.days[0], c.created + 400)
        extra.append(twin)
    return extra


def customer_created(rng, c: Customer):
    if c.arrival < 75 and rng.random() < 0.85:
        return c.arrival - int(rng.integers(30, 3200))
    return c.arrival - int(rng.integers(0, 4))
