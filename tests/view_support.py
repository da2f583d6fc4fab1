"""A small constructed company for the customer view, rule and consistency tests.

Every customer is built to carry one verdict, so a test can name who must get what:

* ``steady``: buys 100 every two weeks through 2023-2024 (most valuable, class A), has a
  complaint opened on 2023-06-01 that was never closed, and an invoice 100 days overdue;
* ``old_big``: spent 2,000 a month in 2022-2023 and nothing since 2023-06-30 (lost within two
  years; class A all time, class C on the last year's sales);
* ``decl``: bought 60 a week until October 2024, then once for 10 (a decliner);
* ``bzc``: one purchase of 100 and a return of 300 (below zero);
* ``newbie``: first purchase on 2024-12-01 (new);
* ``small``: a few small purchases in 2024.
"""

from __future__ import annotations

import pandas as pd

AS_OF = "2024-12-31"


def _lines(cid, dates, amount):
    return [{"customer_id": cid, "date": pd.Timestamp(d), "amount": float(amount),
             "quantity": 1, "channel": "store", "invoice_id": f"{cid}-{i}"}
            for i, d in enumerate(dates)]


def transactions() -> pd.DataFrame:
    rows = []
    rows += _lines("steady", pd.date_range("2023-01-02", "2024-12-23", freq="14D"), 100)
    rows += _lines("old_big", pd.date_range("2022-01-31", "2023-06-30", freq="ME"), 2000)
    rows += _lines("decl", pd.date_range("2023-06-05", "2024-09-30", freq="7D"), 60)
    rows += _lines("decl", ["2024-11-15"], 10)
    rows += _lines("bzc", ["2024-03-01"], 100) + _lines("bzc", ["2024-03-05"], -300)
    rows += _lines("newbie", ["2024-12-01", "2024-12-20"], 80)
    rows += _lines("small", ["2024-02-01", "2024-05-01", "2024-08-01"], 5)
    for i, r in enumerate(rows):
        r["invoice_id"] = f"T{i:05d}"
    return pd.DataFrame(rows)


def interactions() -> pd.DataFrame:
    return pd.DataFrame([
        {"interaction_id": "I1", "customer_id": "steady", "opened_at": "2023-06-01 10:00",
         "closed_at": None, "channel": "phone", "kind": "complaint", "status": "open",
         "category": "billing", "contacts_to_resolve": 1, "cost": 5.0},
        {"interaction_id": "I2", "customer_id": "small", "opened_at": "2024-12-10 10:00",
         "closed_at": "2024-12-11 10:00", "channel": "email", "kind": "request",
         "status": "closed", "category": "info", "contacts_to_resolve": 1, "cost": 2.0},
    ]).assign(opened_at=lambda d: pd.to_datetime(d["opened_at"]),
              closed_at=lambda d: pd.to_datetime(d["closed_at"]))


def invoices() -> pd.DataFrame:
    return pd.DataFrame([
        {"invoice_id": "F1", "customer_id": "steady", "issued_at": "2024-08-23",
         "due_at": "2024-09-22", "paid_at": None, "amount": 500.0, "paid_amount": 0.0},
        {"invoice_id": "F2", "customer_id": "small", "issued_at": "2024-12-01",
         "due_at": "2024-12-31", "paid_at": None, "amount": 5.0, "paid_amount": 0.0},
    ]).assign(issued_at=lambda d: pd.to_datetime(d["issued_at"]),
              due_at=lambda d: pd.to_datetime(d["due_at"]),
              paid_at=lambda d: pd.to_datetime(d["paid_at"]))


def customers() -> pd.DataFrame:
    ids = ["steady", "old_big", "decl", "bzc", "newbie", "small"]
    return pd.DataFrame({"customer_id": ids, "name": [f"Cliente {c}" for c in ids],
                         "source": "erp", "special": False})
