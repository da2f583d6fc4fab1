"""Complaints, requests, suggestions and praise, and the rows of ``interactions.csv``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._common import DAY_MIN, END_MINUTE, LAST_DAY, N_DAYS
from .formatting import Style
from .names import pick


@dataclass(frozen=True)
class ContactSetup:
    channels: tuple  # (name, probability)
    categories: dict  # kind -> tuple of categories
    statuses: dict  # closed/open/reopened -> label (or tuple of labels for closed)
    rate_per_month: float
    churn_complaint_share: float
    cost_per_contact: dict
    anonymous_share: float = 0.01


KIND_P = (("complaint", 0.45), ("request", 0.35), ("suggestion", 0.1), ("praise", 0.1))


FCR = {"phone": 0.7, "chat": 0.65, "in_person": 0.75, "email": 0.5, "web": 0.45}


RESPONSE_MEDIAN = {"phone": 3, "chat": 2, "in_person": 6, "email": 240, "web": 420}


WAIT_MEDIAN = {"phone": 6, "chat": 3, "in_person": 11}


RESOLVE_HOURS = {"complaint": 40, "request": 8, "suggestion": 24, "praise": 1}


def make_interactions(rng, customers, setup: ContactSetup, top_ids: set):
    """Contacts over each customer's active span; churners often complain just before leaving."""
    events = []  # (minute, customer index or None, kind)
    for c in customers:
        if not c.days:
            continue
        start, end = c.days[0], min(c.days[-1] + 60, LAST_DAY)
        rate = setup.rate_per_month * (2.0 if c.cid in top_ids else 1.0)
        k = rng.poisson(rate * (end - start + 1) / 30.4)
        for d in rng.integers(start, end + 1, k):
            events.append((int(d), c.idx, None))
        if c.churn_day is not None and rng.random() < setup.churn_complaint_share:
            d = min(c.days[-1] + int(rng.integers(0, 25)), LAST_DAY)
            events.append((d, c.idx, "complaint"))
    n_anon = int(len(events) * setup.anonymous_share)
    for d in rng.integers(0, N_DAYS, n_anon):
        events.append((int(d), None, None))
    events.sort(key=lambda e: (e[0], -1 if e[1] is None else e[1], e[2] or ""))
    names = [k for k, _ in KIND_P]
    kp = [p for _, p in KIND_P]
    ch_names = [k for k, _ in setup.channels]
    ch_p = [p for _, p in setup.channels]
    rows = []
    for d, idx, kind in events:
        kind = kind or pick(rng, names, kp)
        channel = pick(rng, ch_names, ch_p)
        opened = d * DAY_MIN + int(rng.integers(8 * 60, 20 * 60))
        contacts = 1 if rng.random() < FCR[channel] else 2 + int(rng.poisson(0.8))
        if kind in ("praise", "suggestion"):
            contacts = 1
        hours = float(rng.lognormal(np.log(RESOLVE_HOURS[kind]), 0.9)) * (1 + 0.5 * (contacts - 1))
        closed = opened + max(1, int(hours * 60))
        reopened = False
        if closed > END_MINUTE or rng.random() < 0.01:
            closed = None
        elif kind == "complaint" and rng.random() < 0.05:
            reopened = True
            contacts = max(contacts, 2)
        if closed is None:
            status = setup.statuses["open"]
        elif reopened:
            status = setup.statuses["reopened"]
        else:
            labels = setup.statuses["closed"]
            status = labels if isinstance(labels, str) else pick(rng, labels, [0.75, 0.25])
        response = max(0.5, float(rng.lognormal(np.log(RESPONSE_MEDIAN[channel]), 0.7)))
        if closed is not None:
            response = min(response, (closed - opened))
        wait = None
        if channel in WAIT_MEDIAN:
            wait = round(float(rng.lognormal(np.log(WAIT_MEDIAN[channel]), 0.6)), 1)
        encounter = channel if channel in ("phone", "in_person") else "remote"
        cost = setup.cost_per_contact[channel] * contacts * float(rng.uniform(0.8, 1.3))
        category = pick(rng, setup.categories[kind])
        rows.append({"customer": idx, "opened": opened, "closed": closed, "channel": channel, "kind": kind,
                         "contacts": contacts, "status": status, "category": category,
                         "encounter": encounter, "response": round(response, 1), "wait": wait,
                         "cost": round(cost, 2)})
    return rows


def common_interaction_rows(rows, customers, style: Style, prefix: str):
    by_idx = {c.idx: c for c in customers}
    out = []
    for i, r in enumerate(rows, start=1):
        cid = by_idx[r["customer"]].cid if r["customer"] is not None else ""
        out.append([f"{prefix}{i:06d}", cid, style.stamp(r["opened"]), style.stamp(r["closed"]),
                    r["channel"], r["kind"], str(r["contacts"]), r["status"], r["category"],
                    r["encounter"], style.number(r["response"]), style.number(r["wait"]),
                    style.money(r["cost"])])
    return out


INTERACTION_HEADER = ["interaction_id", "customer_id", "opened_at", "closed_at", "channel", "kind",
                      "contacts_to_resolve", "status", "category", "encounter",
                      "response_minutes", "wait_minutes", "cost"]
