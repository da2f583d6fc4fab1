"""A small client folder built from a seed, with chosen optional data left out.

:func:`make_client` writes every table a stage notebook can read (customers,
transactions, interactions, invoices, readiness and SERVQUAL answers, credit
answers, the follow-up programme's records) for a few dozen customers, then drops the optional columns and
optional tables it is told to. The data are made here, not copied from the
sample companies, so the stage tests do not depend on them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crmlib.schemas import table_spec

AS_OF = "2024-12-31"

#: optional tables (a client may not send them) of the stage declarations
OPTIONAL_TABLES = ("servqual_respondents", "credit_answers", "lost_customers",
                   "post_transaction_survey", "critical_incidents", "mystery_shopper",
                   "soft_indicators", "suggestion_actions", "needs_responses",
                   "customer_attributes")


def optional_columns(table: str) -> tuple[str, ...]:
    """The contract's optional columns of ``table``."""
    return tuple(c.name for c in table_spec(table).columns if not c.required)


def _readiness_items() -> list[str]:
    from crmlib.instruments import load_instrument

    return [str(i) for i in load_instrument("one-to-one").item_ids]


def _tables(seed: int, n_customers: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(AS_OF)
    ids = [f"C{i:04d}" for i in range(1, n_customers + 1)]
    customers = pd.DataFrame({
        "customer_id": ids,
        "name": [f"Cliente {i}" for i in range(1, n_customers + 1)],
        "kind": rng.choice(["person", "company"], n_customers),
        "email": [f"c{i}@example.com" for i in range(1, n_customers + 1)],
        "phone": [f"+34 600 {i:06d}" for i in range(1, n_customers + 1)],
        "tax_id": [f"B{i:08d}" for i in range(1, n_customers + 1)],
        "city": rng.choice(["Lima", "Quito", "Sevilla"], n_customers),
        "segment": rng.choice(["retail", "wholesale"], n_customers),
        "created_at": [(end - pd.Timedelta(days=int(d))).date().isoformat()
                       for d in rng.integers(400, 1500, n_customers)],
        "special": rng.random(n_customers) < 0.1,
    })
    rows = []
    for cid in ids:
        n = int(rng.integers(1, 9))
        days = np.sort(rng.integers(0, 900, n))
        for k, d in enumerate(days):
            rows.append({"customer_id": cid,
                         "date": (end - pd.Timedelta(days=int(d))).date().isoformat(),
                         "amount": round(float(rng.gamma(2.0, 40.0)) + 1.0, 2),
                         "quantity": int(rng.integers(1, 4)),
                         "margin": round(float(rng.gamma(2.0, 10.0)), 2),
                         "channel": str(rng.choice(["web", "store"])),
                         "product": str(rng.choice(["plan", "device", "service"])),
                         "invoice_id": f"F-{cid}-{k:02d}"})
    transactions = pd.DataFrame(rows)
    rows = []
    for i in range(4 * n_customers):
        opened = end - pd.Timedelta(days=int(rng.integers(1, 700)), hours=int(rng.integers(0, 20)))
        closed = opened + pd.Timedelta(hours=float(rng.gamma(2.0, 30.0)))
        is_closed = closed < end and rng.random() < 0.9
        rows.append({
            "interaction_id": f"T{i:05d}", "customer_id": str(rng.choice(ids)),
            "opened_at": opened.strftime("%Y-%m-%d %H:%M"),
            "closed_at": closed.strftime("%Y-%m-%d %H:%M") if is_closed else "",
            "channel": str(rng.choice(["phone", "email", "in_person"])),
            "kind": str(rng.choice(["complaint", "request", "praise"], p=[0.6, 0.3, 0.1])),
            "contacts_to_resolve": int(rng.integers(1, 4)),
            "status": "closed" if is_closed else "open",
            "category": str(rng.choice(["billing", "coverage", "service"])),
            "encounter": str(rng.choice(["remote", "phone", "in_person"])),
            "response_minutes": round(float(rng.gamma(2.0, 5.0)), 1),
            "wait_minutes": round(float(rng.gamma(2.0, 3.0)), 1),
            "cost": round(float(rng.gamma(2.0, 4.0)), 2),
        })
    interactions = pd.DataFrame(rows)
    rows = []
    for i in range(3 * n_customers):
        issued = end - pd.Timedelta(days=int(rng.integers(5, 300)))
        due = issued + pd.Timedelta(days=30)
        amount = round(float(rng.gamma(2.0, 100.0)) + 1.0, 2)
        paid = rng.random() < 0.6 and due + pd.Timedelta(days=10) < end
        rows.append({"invoice_id": f"INV{i:05d}", "customer_id": str(rng.choice(ids)),
                     "issued_at": issued.date().isoformat(), "due_at": due.date().isoformat(),
                     "paid_at": (due + pd.Timedelta(days=int(rng.integers(0, 10)))).date()
                     .isoformat() if paid else "",
                     "amount": amount, "paid_amount": amount if paid else 0.0})
    invoices = pd.DataFrame(rows)
    rows = []
    groups = ["manager", "employee", "customer", "partner"]
    items = _readiness_items()
    for r in range(12):
        for item in items:
            current = int(rng.integers(1, 6))
            rows.append({"respondent_id": f"P{r:03d}", "group": groups[r % 4],
                         "item_id": item, "current": current,
                         "preferred": min(5, current + int(rng.integers(0, 3)))})
    readiness = pd.DataFrame(rows)
    rows = []
    for r in range(30):
        for k in range(1, 23):
            e = int(rng.integers(4, 8))
            rows.append({"respondent_id": f"R{r:03d}", "item_id": f"SQ{k:02d}",
                         "expectation": e, "perception": int(rng.integers(2, 8)),
                         "adequate": max(1, e - 2), "desired": e})
    servqual = pd.DataFrame(rows)
    pts = rng.dirichlet(np.ones(5), 30) * 100
    pts = np.round(pts).astype(int)
    # the rounding remainder goes to each row's largest share, so no point is negative
    pts[np.arange(len(pts)), pts.argmax(axis=1)] += 100 - pts.sum(axis=1)
    respondents = pd.DataFrame({
        "respondent_id": [f"R{r:03d}" for r in range(30)],
        "segment": ["retail" if r % 2 else "wholesale" for r in range(30)],
        "overall_rating": rng.integers(3, 8, 30),
        "importance_tangibles": pts[:, 0], "importance_reliability": pts[:, 1],
        "importance_responsiveness": pts[:, 2], "importance_assurance": pts[:, 3],
        "importance_empathy": pts[:, 4],
    })
    credit = pd.DataFrame([{"customer_id": ids[0], "criterion_id": "CHA1", "score": 4,
                            "note": "cliente desde hace años"}])
    needs, attributes = _segment_tables(seed, ids)
    return {"customers": customers, "transactions": transactions, "interactions": interactions,
            "invoices": invoices, "readiness_responses": readiness,
            "servqual_responses": servqual, "servqual_respondents": respondents,
            "credit_answers": credit, "needs_responses": needs,
            "customer_attributes": attributes, **_followup_tables(seed, ids, interactions)}


def _followup_tables(seed: int, ids: list, interactions: pd.DataFrame) -> dict:
    """The follow-up programme's tables, from a stream of their own (the other tables
    stay as they were for a given seed)."""
    rng = np.random.default_rng(seed + 100_000)
    days = pd.date_range("2024-01-01", AS_OF, freq="D")
    lost = pd.DataFrame({"customer_id": ids[-6:],
                         "lost_at": rng.choice(days, 6),
                         "reason": ["muy caro", "otro operador", "me mudé", "mala atención",
                                    "", "la calidad bajó"],
                         "reason_category": [None, None, None, None, "other", None],
                         "justified": [None, None, None, None, False, None],
                         "repairable": [None, None, None, None, False, None]})
    survey = pd.DataFrame({"response_id": [f"S{i:04d}" for i in range(60)],
                           "customer_id": rng.choice(ids, 60),
                           "answered_at": rng.choice(days, 60),
                           "touchpoint": rng.choice(["shop", "phone", "web"], 60),
                           "channel": rng.choice(["sms", "email"], 60),
                           "score": rng.integers(1, 6, 60),
                           "comment": rng.choice(["", "slow", "great"], 60)})
    incidents = pd.DataFrame({"incident_id": [f"I{i:03d}" for i in range(20)],
                              "customer_id": rng.choice(ids, 20),
                              "reported_at": rng.choice(days, 20),
                              "valence": rng.choice(["positive", "negative"], 20),
                              "category": rng.choice(["staff", "waiting", "billing"], 20),
                              "description": rng.choice(["story one", "story two"], 20)})
    visits = pd.DataFrame([{"visit_id": f"V{v:02d}", "site": ["north", "south"][v % 2],
                            "visited_at": days[10 * v], "item_id": f"MS{k:02d}",
                            "compliant": bool(rng.random() < 0.7)}
                           for v in range(8) for k in range(1, 13)])
    soft = pd.DataFrame([{"respondent_id": f"Q{r:02d}", "item_id": f"SI{k:02d}",
                          "perception": int(rng.integers(2, 8))}
                         for r in range(25) for k in range(1, 17)])
    actions = pd.DataFrame({"interaction_id": interactions["interaction_id"].head(3),
                            "action": ["adopted", "declined", "planned"],
                            "answered_at": [AS_OF] * 3, "note": ["a", "b", "c"]})
    return {"lost_customers": lost, "post_transaction_survey": survey,
            "critical_incidents": incidents, "mystery_shopper": visits,
            "soft_indicators": soft, "suggestion_actions": actions}


def _segment_tables(seed: int, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Needs answers and customer attributes (notebook 09), from a stream of their own so
    the other tables stay as they were."""
    from crmlib.instruments import load_instrument

    rng = np.random.default_rng(seed + 9090)
    items = load_instrument("needs").item_ids
    needs = pd.DataFrame([{"customer_id": c, "item_id": i, "importance": int(rng.integers(1, 6))}
                          for c in ids[: max(6, len(ids) * 3 // 4)] for i in items])
    attributes = pd.DataFrame({
        "customer_id": ids,
        "sector": rng.choice(["Industria", "Comercio", "Servicios"], len(ids)),
        "size_band": rng.choice(["1-9", "10-49", "50+"], len(ids)),
        "usage_rate": np.round(rng.gamma(2.0, 3.0, len(ids)), 1),
        "category_spend": np.round(rng.uniform(500, 5000, len(ids)), 2),
    })
    return needs, attributes


def make_client(folder, *, seed: int = 0, n_customers: int = 40, drop_columns=None,
                drop_tables=()) -> Path:
    """Write a client folder and return its path.

    ``drop_columns`` maps a table to the optional columns to leave out;
    ``drop_tables`` names tables to leave out altogether.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    drop_columns = drop_columns or {}
    for table, df in _tables(seed, n_customers).items():
        if table in drop_tables:
            continue
        gone = [c for c in drop_columns.get(table, ()) if c in df.columns]
        df.drop(columns=gone).to_csv(folder / f"{table}.csv", index=False)
    return folder
