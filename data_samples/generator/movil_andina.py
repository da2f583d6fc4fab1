"""``movil-andina``: mobile operator, B2C, clean UTF-8 exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from ._common import BASE, LAST_DAY, N_DAYS
from .customers import (
    Customer,
    customer_created,
    fold_duplicates,
    near_duplicate,
    simulate_purchase_days,
)
from .formatting import CLEAN, write_csv
from .interactions import (
    INTERACTION_HEADER,
    ContactSetup,
    common_interaction_rows,
    make_interactions,
)
from .invoices import invoice_table, payment_profiles
from .names import (
    SURNAMES,
    ascii_fold,
    email_for,
    invalid_email,
    national_number,
    person_name,
    phone_text,
    pick,
)
from .subscriptions import write_subscriptions
from .surveys import (
    SERVQUAL_PEOPLE_HEADER,
    ServqualSetup,
    make_readiness,
    make_servqual,
    readiness_rows,
    servqual_rows,
)
from .transactions import build_lines, number_documents, transaction_rows

PE_CITIES = (("Lima", 0.5), ("Arequipa", 0.1), ("Trujillo", 0.08), ("Cusco", 0.06),
             ("Chiclayo", 0.06), ("Piura", 0.05), ("Huancayo", 0.05), ("Iquitos", 0.03),
             ("Tacna", 0.03), ("Puno", 0.02), ("Cajamarca", 0.02))


PE_COMPANY = ["Comercial", "Inversiones", "Servicios", "Distribuidora", "Transportes",
              "Constructora", "Agroindustrias", "Consultora", "Importaciones", "Textil"]


PE_SUFFIX = ["S.A.C.", "E.I.R.L.", "S.R.L.", "S.A."]

# How the operator's billing and CRM systems name segments: readable Spanish words, as a
# Peruvian operator's own exports hold them (the generator draws with the short keys).
SEGMENT_NAMES = {"prepaid": "Prepago", "postpaid": "Pospago", "business": "Empresas"}
CRM_SEGMENT_NAMES = {"customer": "Cliente", "former_customer": "Ex cliente", "lead": "Prospecto"}


def movil(rng, out: Path):
    n = 5000
    cities = [c for c, _ in PE_CITIES]
    city_p = np.array([p for _, p in PE_CITIES])
    city_p = city_p / city_p.sum()
    customers = []
    seen_names = set()
    for i in range(n):
        seg = pick(rng, ["prepaid", "postpaid", "business"], [0.48, 0.42, 0.10])
        kind = "company" if seg == "business" and rng.random() < 0.6 else "person"
        c = Customer(idx=i, cid=f"{1000 + 7 * i + int(rng.integers(7)):07d}", name="", kind=kind,
                     country="PE", segment=seg)
        if kind == "person":
            c.first, c.last = person_name(rng)
            c.name = f"{c.first} {' '.join(c.last)}"
            c.email = email_for(rng, c.first, c.last) if rng.random() < 0.85 else None
            if seg != "prepaid" or rng.random() < 0.3:
                c.tax_id = "".join(str(d) for d in rng.integers(0, 10, 8))
        else:
            while True:
                c.name = (f"{pick(rng, PE_COMPANY)} {pick(rng, SURNAMES)} "
                          f"{pick(rng, PE_SUFFIX)}")
                if c.name not in seen_names:
                    break
            seen_names.add(c.name)
            slug = ascii_fold(c.name.split()[1]).lower()
            c.email = f"contacto@{slug}{int(rng.integers(10, 99))}.example"
            c.tax_id = "20" + "".join(str(d) for d in rng.integers(0, 10, 9))
        c.phone_national = national_number(rng, "PE")
        c.phone = phone_text(rng, "PE", c.phone_national, 0 if rng.random() < 0.7 else 1)
        c.city = cities[int(rng.choice(len(cities), p=city_p))]
        c.special = bool(rng.random() < 0.01)
        customers.append(c)
    simulate_purchase_days(rng, customers, existing_share=0.55, lam_shape=0.9, lam_mean=0.72,
                           life_mean_months=40, decliner_share=0.1, spend_median=38.0,
                           spend_sigma=0.55, rate_spend_corr=0.15)
    seg_factor = {"prepaid": 0.6, "postpaid": 1.3, "business": 2.6}
    for c in customers:
        c.spend *= seg_factor[c.segment]
        c.created = customer_created(rng, c)
    twins = fold_duplicates(rng, customers, 14, lambda j: f"{9000000 + 11 * j:07d}")
    customers += twins
    # invalid contact data and missing fields in billing
    for c in customers:
        r = rng.random()
        if c.email and r < 0.02:
            c.email = invalid_email(rng, c.email)
        r = rng.random()
        if r < 0.01:
            c.phone = pick(rng, ["999", "000000000", "123456", "sin teléfono"])
        elif r < 0.04:
            c.phone = None
    products = {"prepaid": (["topup", "accessory", "handset", "roaming_pack"],
                            [0.82, 0.09, 0.06, 0.03]),
                "postpaid": (["plan_basic", "plan_plus", "plan_max", "handset", "accessory",
                              "insurance", "roaming_pack"],
                             [0.3, 0.3, 0.15, 0.08, 0.07, 0.05, 0.05]),
                "business": (["plan_plus", "plan_max", "handset", "accessory", "insurance",
                              "roaming_pack"], [0.3, 0.35, 0.12, 0.08, 0.05, 0.1])}
    factor = {"topup": 0.55, "plan_basic": 0.7, "plan_plus": 1.0, "plan_max": 1.5,
              "handset": 5.0, "accessory": 0.6, "insurance": 0.35, "roaming_pack": 0.8}
    channels = (["store", "web", "app", "call_center", "dealer"], [0.3, 0.15, 0.3, 0.1, 0.15])

    def line_maker(rng, c, day):
        k = 1 + int(rng.random() < 0.12) + int(rng.random() < 0.03)
        spend = c.spend * (0.35 if c.decliner and day >= LAST_DAY - 180 else 1.0)
        ch = pick(rng, *channels)
        out = []
        for _ in range(k):
            prod = pick(rng, *products[c.segment])
            qty = 1 if prod != "accessory" else 1 + int(rng.random() < 0.3)
            amount = round(max(1.0, spend * factor[prod] * float(rng.lognormal(0, 0.25))), 2)
            out.append((prod, qty, amount, None, ch))
        return out

    def anonymous_maker(rng, day):
        prod = pick(rng, ["accessory", "topup"])
        return prod, 1, round(float(rng.uniform(5, 60)), 2), None, "store"

    lines, returns = build_lines(rng, customers, line_maker,
                                 return_p={"handset": 0.08, "accessory": 0.06,
                                           "plan_max": 0.004, "plan_plus": 0.003},
                                 return_days=(1, 14), anonymous=35,
                                 anonymous_maker=anonymous_maker)
    all_lines = number_documents(lines, returns,
                                 lambda y, k: f"F{y % 100:02d}-{k:07d}",
                                 lambda y, k: f"NC{y % 100:02d}-{k:06d}")
    write_csv(out / "transactions.csv",
              ["customer_id", "date", "amount", "quantity", "channel", "product", "invoice_id"],
              transaction_rows(all_lines, CLEAN, with_margin=False), CLEAN)

    payment_profiles(rng, customers, (0.62, 0.24, 0.09, 0.05))
    terms = {"prepaid": None, "postpaid": 15, "business": 30}
    write_csv(out / "invoices.csv",
              ["invoice_id", "customer_id", "issued_at", "due_at", "paid_at", "amount",
               "paid_amount"],
              invoice_table(rng, all_lines, first_day=(date(2024, 1, 1) - BASE).days,
                            terms_of=lambda c: terms[c.segment], payer_of=lambda c: c.payer,
                            style=CLEAN), CLEAN)

    # billing source
    billing = []
    for c in sorted(customers, key=lambda c: c.cid):
        billing.append([c.cid, c.name, c.kind, c.email or "", c.phone or "", c.tax_id or "",
                        c.city or "", SEGMENT_NAMES[c.segment], CLEAN.day(c.created),
                        "true" if c.special else "false"])
    write_csv(out / "customers_billing.csv",
              ["customer_id", "name", "kind", "email", "phone", "tax_id", "city", "segment",
               "created_at", "special"], billing, CLEAN)

    # CRM source: most billing customers again (many written differently), prospects, and
    # a few records entered twice
    crm = []
    originals = [c for c in customers[:n]]
    in_crm = [c for c in originals if rng.random() < 0.7]
    next_id = iter(range(100001, 200000))
    for c in in_crm:
        if rng.random() < 0.55:
            rec = near_duplicate(rng, c, f"CRM-{next(next_id):06d}")
        else:
            rec = {"cid": f"CRM-{next(next_id):06d}", "name": c.name, "kind": c.kind, "email": c.email,
                       "phone": c.phone, "city": c.city, "created": c.created, "tax_id": None}
        rec["segment"] = "customer" if c.churn_day is None else "former_customer"
        crm.append(rec)
    for _ in range(700):
        first, last = person_name(rng)
        nat = national_number(rng, "PE")
        crm.append({"cid": f"CRM-{next(next_id):06d}", "name": f"{first} {' '.join(last)}",
                        "kind": "person",
                        "email": email_for(rng, first, last) if rng.random() < 0.7 else None,
                        "phone": phone_text(rng, "PE", nat) if rng.random() < 0.9 else None,
                        "city": cities[int(rng.choice(len(cities), p=city_p))],
                        "created": int(rng.integers(0, N_DAYS)), "segment": "lead", "tax_id": None})
    for rec in [crm[int(i)] for i in sorted(rng.choice(len(crm), 10, replace=False))]:
        twin = dict(rec)
        twin["cid"] = f"CRM-{next(next_id):06d}"
        crm.append(twin)
    order = rng.permutation(len(crm))
    crm_rows = []
    for j, i in enumerate(order):
        rec = crm[int(i)]
        crm_rows.append([f"CRM-{j + 1:06d}", rec["name"], rec["kind"], rec["email"] or "",
                         rec["phone"] or "", rec["city"] or "",
                         CRM_SEGMENT_NAMES.get(rec["segment"], rec["segment"] or ""),
                         CLEAN.day(max(-3650, rec["created"]))])
    crm_rows.sort(key=lambda r: r[0])
    write_csv(out / "customers_crm.csv",
              ["customer_id", "name", "kind", "email", "phone", "city", "segment", "created_at"],
              crm_rows, CLEAN)

    value = {}
    for ln in all_lines:
        if ln["cust"] is not None:
            value[ln["cust"].cid] = value.get(ln["cust"].cid, 0.0) + ln["amount"]
    top = set(sorted(value, key=lambda k: (-value[k], k))[: len(value) // 10])
    setup = ContactSetup(
        channels=(("phone", 0.4), ("chat", 0.2), ("web", 0.1), ("email", 0.15),
                  ("in_person", 0.15)),
        categories={"complaint": ("Facturación", "Cobertura", "Velocidad de datos", "Equipo",
                                  "Portabilidad", "Atención al cliente"),
                    "request": ("Cambio de plan", "Activación de línea", "Facturación",
                                "Roaming", "Equipo"),
                    "suggestion": ("App", "Tiendas", "Planes"),
                    "praise": ("Atención al cliente", "Tiendas", "App")},
        statuses={"closed": "closed", "open": "open", "reopened": "reopened"},
        rate_per_month=0.075, churn_complaint_share=0.35,
        cost_per_contact={"phone": 4.5, "chat": 2.5, "web": 1.5, "email": 3.0,
                          "in_person": 8.0})
    rows = make_interactions(rng, customers, setup, top)
    write_csv(out / "interactions.csv", INTERACTION_HEADER,
              common_interaction_rows(rows, customers, CLEAN, "TK"), CLEAN)

    sq = ServqualSetup(
        n=320,
        expectation={"tangibles": 5.9, "reliability": 6.6, "responsiveness": 6.4,
                     "assurance": 6.2, "empathy": 5.9},
        perception={"tangibles": 5.5, "reliability": 4.4, "responsiveness": 4.5,
                    "assurance": 5.2, "empathy": 4.9},
        importance={"tangibles": 11, "reliability": 31, "responsiveness": 22, "assurance": 19,
                    "empathy": 17},
        segments=(("Prepago", 0.45, {"responsiveness": -0.3, "empathy": -0.2}),
                  ("Pospago", 0.42, {}),
                  ("Empresas", 0.13, {"reliability": -0.3, "assurance": 0.2})),
        overall_weights={"tangibles": 0.1, "reliability": 0.55, "responsiveness": 0.4,
                         "assurance": 0.2, "empathy": 0.2})
    responses, people = make_servqual(rng, sq)
    resp, ppl = servqual_rows(responses, people, CLEAN)
    write_csv(out / "servqual_responses.csv",
              ["respondent_id", "item_id", "expectation", "perception"], resp, CLEAN)
    write_csv(out / "servqual_respondents.csv", SERVQUAL_PEOPLE_HEADER, ppl, CLEAN)

    ready = make_readiness(
        rng, {"manager": 6, "employee": 14, "customer": 8, "partner": 4},
        current={"ID": 3.5, "DF": 2.8, "IN": 2.6, "PE": 2.0, "QA": 3.0, "BP": 2.7, "TE": 3.4,
                 "KS": 2.3, "PA": 2.8, "CR": 2.5, "EM": 2.6, "CS": 2.9},
        preferred={"ID": 4.4, "DF": 4.3, "IN": 4.2, "PE": 4.0, "QA": 4.1, "BP": 4.0, "TE": 4.4,
                   "KS": 3.9, "PA": 3.6, "CR": 4.5, "EM": 4.0, "CS": 4.2},
        bias={"manager": {"TE": 0.8, "CR": 0.9, "IN": 0.5},
              "employee": {"EM": -0.7, "KS": -0.6, "TE": -0.3},
              "customer": {"CR": -0.8, "IN": -0.7, "PE": -0.4},
              "partner": {"PA": -0.9}},
        signals={"seed": 5105,
                 "current": {"TS1": 1.8, "TS2": 2.6, "TS3": 2.2, "TS4": 2.0, "TS5": 2.7,
                            "TS6": 2.1, "TS7": 1.9, "TS8": 2.8, "TS9": 1.6},
                 "preferred": {"TS1": 4.3, "TS2": 3.4, "TS3": 4.2, "TS4": 3.9, "TS5": 3.6,
                              "TS6": 3.2, "TS7": 4.4, "TS8": 3.3, "TS9": 2.2}})
    write_csv(out / "readiness_responses.csv",
              ["respondent_id", "group", "item_id", "current", "preferred"],
              readiness_rows(ready, CLEAN), CLEAN)
    # contracts of the postpaid and business lines, from a stream of their own
    write_subscriptions(out / "subscriptions.csv", customers[:n], CLEAN)
    return value
