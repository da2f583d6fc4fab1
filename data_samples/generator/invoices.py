"""Invoices on credit: payer profiles, settlement and the rows of ``invoices.csv``."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ._common import BASE, LAST_DAY
from .formatting import Style


def payment_profiles(rng, customers, shares=(0.6, 0.25, 0.1, 0.05)):
    kinds = ["prompt", "late", "slow", "bad"]
    draws = rng.choice(4, size=len(customers), p=list(shares))
    for c, k in zip(customers, draws):
        c.payer = kinds[int(k)]


def settle(rng, payer: str, issued: int, due: int, amount: float):
    """Payment outcome of one invoice as seen on 2024-12-31: (paid_day, paid_amount)."""
    if payer == "prompt":
        pay = due - int(rng.integers(0, max(1, min(10, due - issued) + 1)))
    elif payer == "late":
        pay = due + int(rng.lognormal(np.log(12), 0.6))
    elif payer == "slow":
        pay = due + int(rng.lognormal(np.log(45), 0.5))
    else:
        pay = due + int(rng.lognormal(np.log(90), 0.6)) if rng.random() < 0.55 else None
    pay = max(pay, issued) if pay is not None else None
    if pay is not None and pay <= LAST_DAY:
        return pay, round(amount, 2)
    # still open on the valuation date: nothing or part paid
    part = 0.0
    if payer in ("slow", "bad") and rng.random() < 0.35:
        part = round(amount * float(rng.uniform(0.2, 0.8)), 2)
    elif payer == "late" and rng.random() < 0.15:
        part = round(amount * float(rng.uniform(0.3, 0.6)), 2)
    return None, part


def invoice_table(rng, all_lines, *, first_day: int, terms_of, payer_of, style: Style):
    """Invoices from the sale lines (net positive documents issued on or after ``first_day``)."""
    docs: dict = {}
    for ln in all_lines:
        if ln.get("is_return") or ln["cust"] is None or ln["day"] < first_day:
            continue
        key = ln["invoice"]
        if key not in docs:
            docs[key] = [ln["day"], ln["cust"], 0.0]
        docs[key][2] += ln["amount"]
    rows = []
    for inv in sorted(docs, key=lambda k: (docs[k][0], k)):
        day, cust, amount = docs[inv]
        terms = terms_of(cust)
        if terms is None or amount <= 0:
            continue
        due = day + terms
        paid_day, paid_amount = settle(rng, payer_of(cust), day, due, amount)
        rows.append([inv, cust.cid, style.day(day), style.day(due), style.day(paid_day),
                     style.money(amount), style.money(paid_amount)])
    return rows


def working_days(days):
    """Move Saturday and Sunday purchases to the next Monday (B2B sells on working days)."""
    out = set()
    for d in days:
        weekday = (BASE + timedelta(days=d)).weekday()
        if weekday >= 5:
            d += 7 - weekday
        out.add(min(d, LAST_DAY))
    return sorted(out)
