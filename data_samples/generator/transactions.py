"""Sale and return lines, document numbers and the rows of ``transactions.csv``."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ._common import BASE, LAST_DAY, N_DAYS
from .formatting import Style


def assign_invoice_ids(lines, prefix_for_year):
    """Number purchase days per year in date order: one invoice per customer and day."""
    keys = sorted({(ln["day"], ln["cust"]) for ln in lines if ln["amount"] >= 0},
                  key=lambda k: (k[0], k[1]))
    counters: dict = {}
    ids = {}
    for day, cust in keys:
        year = (BASE + timedelta(days=day)).year
        counters[year] = counters.get(year, 0) + 1
        ids[(day, cust)] = prefix_for_year(year, counters[year])
    return ids


def top_share(values: dict, top=0.2) -> float:
    v = np.sort(np.array(list(values.values())))[::-1]
    k = int(np.ceil(top * len(v)))
    return float(v[:k].sum() / v.sum())


def build_lines(rng, customers, line_maker, *, return_p: dict, return_days=(1, 20),
                anonymous: int = 0, anonymous_maker=None):
    """Sale lines for every purchase day, return lines after some of them, and anonymous sales."""
    lines = []
    for c in customers:
        for day in c.days:
            for product, qty, amount, margin, channel in line_maker(rng, c, day):
                lines.append({"day": day, "cust": c, "product": product, "qty": qty, "amount": amount,
                                  "margin": margin, "channel": channel})
    returns = []
    for ln in lines:
        p = return_p.get(ln["product"], 0.0)
        if p and rng.random() < p:
            day = ln["day"] + int(rng.integers(return_days[0], return_days[1] + 1))
            if day > LAST_DAY:
                continue
            share = 1.0 if rng.random() < 0.6 else float(rng.uniform(0.2, 0.8))
            qty = -max(1, round(abs(ln["qty"]) * share))
            share = abs(qty) / abs(ln["qty"]) if ln["qty"] else share
            returns.append({"day": day, "cust": ln["cust"], "product": ln["product"], "qty": qty,
                                "amount": -round(ln["amount"] * share, 2),
                                "margin": None if ln["margin"] is None
                                else -round(ln["margin"] * share, 2),
                                "channel": ln["channel"], "is_return": True})
    for _ in range(anonymous):
        day = int(rng.integers(0, N_DAYS))
        product, qty, amount, margin, channel = anonymous_maker(rng, day)
        lines.append({"day": day, "cust": None, "product": product, "qty": qty, "amount": amount,
                          "margin": margin, "channel": channel})
    return lines, returns


def number_documents(lines, returns, sale_id, return_id):
    """Invoice ids: one per customer and purchase day (date order), credit notes for returns."""
    def cid(ln):
        return ln["cust"].cid if ln["cust"] is not None else ""

    keys = sorted({(ln["day"], cid(ln)) for ln in lines})
    counters: dict = {}
    ids = {}
    for day, c in keys:
        year = (BASE + timedelta(days=day)).year
        counters[year] = counters.get(year, 0) + 1
        ids[(day, c)] = sale_id(year, counters[year])
    for ln in lines:
        ln["invoice"] = ids[(ln["day"], cid(ln))]
    counters = {}
    for ln in sorted(returns, key=lambda r: (r["day"], cid(r), r["product"], r["amount"])):
        year = (BASE + timedelta(days=ln["day"])).year
        counters[year] = counters.get(year, 0) + 1
        ln["invoice"] = return_id(year, counters[year])
    allx = lines + returns
    allx.sort(key=lambda r: (r["day"], cid(r), r["invoice"], r["product"], r["amount"]))
    return allx


def transaction_rows(all_lines, style: Style, with_margin: bool):
    rows = []
    for ln in all_lines:
        row = [ln["cust"].cid if ln["cust"] is not None else "", style.day(ln["day"]),
               style.money(ln["amount"]), style.number(ln["qty"])]
        if with_margin:
            row.append(style.money(ln["margin"]))
        row += [ln["channel"], ln["product"], ln["invoice"]]
        rows.append(row)
    return rows
