"""``distribuidora-norte``: industrial distributor, B2B, messy cp1252 exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import LAST_DAY, N_DAYS
from .customers import (
    Customer,
    customer_created,
    fold_duplicates,
    near_duplicate,
    simulate_purchase_days,
)
from .formatting import MESSY, write_csv
from .interactions import ContactSetup, common_interaction_rows, make_interactions
from .invoices import invoice_table, payment_profiles, working_days
from .names import (
    SURNAMES,
    ascii_fold,
    email_for,
    invalid_email,
    national_number,
    nif,
    person_name,
    phone_text,
    pick,
)
from .surveys import ServqualSetup, make_readiness, make_servqual, readiness_rows, servqual_rows
from .transactions import build_lines, number_documents, transaction_rows

NORTE_CITIES = (("Bilbao", 0.2), ("Vitoria-Gasteiz", 0.1), ("Donostia-San Sebastián", 0.09),
                ("Santander", 0.1), ("Oviedo", 0.08), ("Gijón", 0.08), ("Avilés", 0.04),
                ("Pamplona", 0.08), ("Logroño", 0.06), ("Burgos", 0.05), ("León", 0.05),
                ("Torrelavega", 0.03), ("Barakaldo", 0.04))


NORTE_TRADES = ["Talleres", "Construcciones", "Mecanizados", "Montajes", "Instalaciones",
                "Ferretería", "Suministros", "Estructuras Metálicas", "Calderería",
                "Electricidad", "Fontanería", "Hormigones", "Carpintería", "Mantenimientos",
                "Automatismos", "Reformas", "Fundiciones", "Climatización"]


NORTE_PLACES = ["del Cantábrico", "del Nervión", "Asturianos", "Navarros", "del Norte",
                "de Cantabria", "Riojanos", "del Ebro", "Bidasoa", "de la Ría", "Deusto",
                "Picos", "Arlanzón", "Urola", "Nalón"]


NORTE_PRODUCTS = {  # product: (unit price, margin rate)
    "Tornillería": (0.35, 0.38), "Rodamientos": (14.0, 0.28), "Herramienta eléctrica": (135.0, 0.18),
    "Herramienta manual": (18.0, 0.3), "EPI protección": (9.5, 0.33), "Soldadura": (22.0, 0.24),
    "Neumática": (48.0, 0.26), "Abrasivos": (3.2, 0.35), "Adhesivos y selladores": (7.5, 0.31),
    "Transmisión": (65.0, 0.22)}


def distribuidora(rng, out: Path):
    n = 400
    cities = [c for c, _ in NORTE_CITIES]
    city_p = np.array([p for _, p in NORTE_CITIES])
    city_p = city_p / city_p.sum()
    segments = (["Construcción", "Industria", "Instaladores", "Ferreterías", "Mantenimiento"],
                [0.28, 0.3, 0.18, 0.12, 0.12])
    customers, seen = [], set()
    for i in range(n):
        c = Customer(idx=i, cid=f"C{10010 + 3 * i:05d}", name="", kind="company", country="ES",
                     segment=pick(rng, *segments))
        if rng.random() < 0.08:
            c.kind = "person"
            c.first, c.last = person_name(rng)
            c.name = f"{c.first} {' '.join(c.last)}"
            c.tax_id = nif(rng)
            c.email = email_for(rng, c.first, c.last)
        else:
            while True:
                core = pick(rng, NORTE_PLACES) if rng.random() < 0.5 else pick(rng, SURNAMES)
                sa = rng.random() < 0.25
                name = f"{pick(rng, NORTE_TRADES)} {core} {'S.A.' if sa else 'S.L.'}"
                if name not in seen:
                    break
            seen.add(name)
            c.name = name
            c.tax_id = ("A" if sa else "B") + "".join(str(d) for d in rng.integers(0, 10, 8))
            slug = "".join(ch for ch in ascii_fold(name.rsplit(" ", 1)[0]).lower() if ch.isalnum())
            c.email = f"{pick(rng, ['compras', 'administracion', 'info', 'pedidos'])}@{slug}.example"
        c.phone_national = national_number(rng, "ES", mobile=c.kind == "person")
        c.phone = phone_text(rng, "ES", c.phone_national, 0 if rng.random() < 0.6 else 1)
        c.city = cities[int(rng.choice(len(cities), p=city_p))]
        c.terms = int(pick(rng, [30, 60, 90], [0.4, 0.4, 0.2]))
        customers.append(c)
    simulate_purchase_days(rng, customers, existing_share=0.8, lam_shape=0.8, lam_mean=1.2,
                           life_mean_months=80, decliner_share=0.12, spend_median=420.0,
                           spend_sigma=1.0, rate_spend_corr=0.3)
    for c in customers:
        c.created = customer_created(rng, c)
        c.days = working_days(c.days)
    value_rank = sorted(customers, key=lambda c: -c.rate * c.spend)
    for c in value_rank[:12]:
        c.special = True
    twins = fold_duplicates(rng, customers, 5, lambda j: f"C{19001 + 7 * j:05d}")
    customers += twins
    for c in customers:
        if c.email and rng.random() < 0.03:
            c.email = invalid_email(rng, c.email)
        elif rng.random() < 0.06:
            c.email = None
        if rng.random() < 0.02:
            c.phone = None
    for i in sorted(int(x) for x in rng.choice(len(customers), 6, replace=False)):
        customers[i].phone = pick(rng, ["0", "94 000", "pendiente", "985"])
    product_names = list(NORTE_PRODUCTS)
    product_p = np.array([0.16, 0.12, 0.07, 0.12, 0.12, 0.08, 0.08, 0.1, 0.08, 0.07])
    product_p = list(product_p / product_p.sum())
    channels = (["Comercial", "Teléfono", "Web", "Mostrador"], [0.45, 0.25, 0.15, 0.15])

    def line_maker(rng, c, day):
        k = 1 + int(rng.poisson(1.4))
        spend = c.spend * (0.3 if c.decliner and day >= LAST_DAY - 180 else 1.0)
        ch = pick(rng, *channels)
        out = []
        for prod in sorted({pick(rng, product_names, product_p) for _ in range(k)}):
            price, margin_rate = NORTE_PRODUCTS[prod]
            target = spend / 2.4 * float(rng.lognormal(0, 0.5))
            unit = price * float(rng.uniform(0.9, 1.1))
            qty = max(1, round(target / unit))
            amount = round(qty * unit, 2)
            margin = round(amount * margin_rate * float(rng.uniform(0.8, 1.15)), 2)
            out.append((prod, qty, amount, margin, ch))
        return out

    def anonymous_maker(rng, day):
        prod = pick(rng, ["Tornillería", "Herramienta manual", "Abrasivos", "EPI protección"])
        price, margin_rate = NORTE_PRODUCTS[prod]
        qty = int(rng.integers(1, 20))
        amount = round(qty * price, 2)
        return prod, qty, amount, round(amount * margin_rate, 2), "Mostrador"

    lines, returns = build_lines(rng, customers, line_maker,
                                 return_p={p: 0.025 for p in product_names}
                                 | {"Herramienta eléctrica": 0.05},
                                 return_days=(3, 40), anonymous=25, anonymous_maker=anonymous_maker)
    all_lines = number_documents(lines, returns,
                                 lambda y, k: f"FV{y % 100:02d}/{k:05d}",
                                 lambda y, k: f"AB{y % 100:02d}/{k:04d}")
    write_csv(out / "transactions.csv",
              ["Fecha", "Nº factura", "Cliente", "Producto", "Cantidad", "Importe", "Margen",
               "Canal"],
              [[r[1], r[7], r[0], r[6], r[3], r[2], r[4], r[5]]
               for r in transaction_rows(all_lines, MESSY, with_margin=True)], MESSY)

    payment_profiles(rng, customers, (0.5, 0.3, 0.13, 0.07))
    write_csv(out / "invoices.csv",
              ["Factura", "Cliente", "Emisión", "Vencimiento", "Fecha pago", "Importe",
               "Importe pagado"],
              invoice_table(rng, all_lines, first_day=0, terms_of=lambda c: c.terms,
                            payer_of=lambda c: c.payer, style=MESSY), MESSY)

    erp = []
    for c in sorted(customers, key=lambda c: c.cid):
        erp.append([c.cid, c.name, c.kind, c.tax_id or "", c.email or "", c.phone or "",
                    c.city or "", c.segment, MESSY.day(c.created), "Sí" if c.special else "No"])
    write_csv(out / "customers_erp.csv",
              ["Cliente", "Razón social", "Tipo", "CIF", "Correo", "Teléfono", "Población",
               "Segmento", "Fecha alta", "Especial"], erp, MESSY)

    crm = []
    for c in customers[:n]:
        if rng.random() < 0.75:
            rec = near_duplicate(rng, c, "", company_suffixes=True) if rng.random() < 0.6 else \
                {"name": c.name, "email": c.email, "phone": c.phone, "city": c.city, "tax_id": c.tax_id,
                     "created": c.created}
            rec["segment"] = c.segment
            crm.append(rec)
    for _ in range(90):  # prospects only in the CRM
        while True:
            name = f"{pick(rng, NORTE_TRADES)} {pick(rng, SURNAMES)} {pick(rng, ['S.L.', 'S.A.'])}"
            if name not in seen:
                break
        seen.add(name)
        slug = "".join(ch for ch in ascii_fold(name.rsplit(" ", 1)[0]).lower() if ch.isalnum())
        crm.append({"name": name, "email": f"info@{slug}.example" if rng.random() < 0.6 else None,
                        "phone": phone_text(rng, "ES", national_number(rng, "ES", mobile=False)),
                        "city": cities[int(rng.choice(len(cities), p=city_p))],
                        "tax_id": ("B" + "".join(str(d) for d in rng.integers(0, 10, 8)))
                        if rng.random() < 0.4 else None,
                        "created": int(rng.integers(0, N_DAYS)), "segment": pick(rng, *segments)})
    for i in sorted(int(x) for x in rng.choice(len(crm), 4, replace=False)):
        crm.append(dict(crm[i]))
    order = rng.permutation(len(crm))
    crm_rows = []
    for j, i in enumerate(order):
        rec = crm[int(i)]
        crm_rows.append([f"CUE-{j + 1:05d}", rec["name"], rec["tax_id"] or "", rec["email"] or "",
                         rec["phone"] or "", rec["city"] or "", rec["segment"] or "",
                         MESSY.day(rec["created"])])
    crm_rows.sort(key=lambda r: r[0])
    write_csv(out / "customers_crm.csv",
              ["Cuenta", "Nombre", "CIF", "Correo", "Teléfono", "Ciudad", "Sector", "Fecha alta"],
              crm_rows, MESSY)

    value = {}
    for ln in all_lines:
        if ln["cust"] is not None:
            value[ln["cust"].cid] = value.get(ln["cust"].cid, 0.0) + ln["amount"]
    top = set(sorted(value, key=lambda k: (-value[k], k))[: len(value) // 10])
    setup = ContactSetup(
        channels=(("phone", 0.45), ("email", 0.3), ("in_person", 0.15), ("web", 0.1)),
        categories={"complaint": ("Retraso en entrega", "Material defectuoso",
                                  "Error en factura", "Pedido incompleto", "Precio"),
                    "request": ("Presupuesto", "Ficha técnica", "Duplicado de factura",
                                "Cambio de condiciones"),
                    "suggestion": ("Catálogo", "Web de pedidos"),
                    "praise": ("Atención comercial", "Rapidez de entrega")},
        statuses={"closed": ("Cerrado", "Resuelto"), "open": "Abierto", "reopened": "Reabierto"},
        rate_per_month=0.11, churn_complaint_share=0.4,
        cost_per_contact={"phone": 6.0, "email": 4.0, "in_person": 35.0, "web": 2.0,
                          "chat": 3.0})
    rows = make_interactions(rng, customers, setup, top)
    write_csv(out / "interactions.csv",
              ["Nº incidencia", "Cliente", "Apertura", "Cierre", "Canal", "Tipo", "Contactos",
               "Estado", "Categoría", "Encuentro", "Tiempo respuesta", "Tiempo espera", "Coste"],
              [[r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]]
               for r in common_interaction_rows(rows, customers, MESSY, "INC-")], MESSY)

    sq = ServqualSetup(
        n=160,
        expectation={"tangibles": 5.6, "reliability": 6.5, "responsiveness": 6.3,
                     "assurance": 6.1, "empathy": 5.8},
        perception={"tangibles": 5.3, "reliability": 5.0, "responsiveness": 4.6,
                    "assurance": 5.6, "empathy": 5.2},
        importance={"tangibles": 9, "reliability": 34, "responsiveness": 25, "assurance": 18,
                    "empathy": 14},
        segments=tuple((s, p, {}) for s, p in zip(*segments)),
        overall_weights={"tangibles": 0.1, "reliability": 0.5, "responsiveness": 0.45,
                         "assurance": 0.15, "empathy": 0.15})
    responses, people = make_servqual(rng, sq)
    resp, ppl = servqual_rows(responses, people, MESSY)
    write_csv(out / "servqual_responses.csv", ["Encuestado", "Ítem", "Expectativa", "Percepción"],
              resp, MESSY)
    write_csv(out / "servqual_respondents.csv",
              ["Encuestado", "Segmento", "Valoración global", "Importancia tangibles",
               "Importancia fiabilidad", "Importancia capacidad respuesta",
               "Importancia seguridad", "Importancia empatía"], ppl, MESSY)

    ready = make_readiness(
        rng, {"manager": 5, "employee": 10, "customer": 9},
        current={"ID": 2.4, "DF": 3.0, "IN": 3.3, "PE": 2.6, "QA": 2.8, "BP": 2.5, "TE": 2.1,
                 "KS": 2.2, "PA": 3.1, "CR": 3.4, "EM": 2.9, "CS": 2.7},
        preferred={"ID": 4.2, "DF": 4.3, "IN": 4.1, "PE": 3.8, "QA": 4.0, "BP": 3.9, "TE": 4.0,
                   "KS": 3.7, "PA": 3.8, "CR": 4.4, "EM": 3.9, "CS": 4.1},
        bias={"manager": {"CR": 0.7, "DF": 0.7, "CS": 0.5, "TE": 0.4},
              "employee": {"TE": -0.7, "BP": -0.6},
              "customer": {"IN": -0.9, "PE": -0.7, "CR": -0.5}},
        signals={"seed": 5205,
                 "current": {"TS1": 2.2, "TS2": 2.0, "TS3": 2.4, "TS4": 1.7, "TS5": 2.1,
                            "TS6": 2.9, "TS7": 2.6, "TS8": 2.3, "TS9": 1.5},
                 "preferred": {"TS1": 3.9, "TS2": 3.8, "TS3": 3.7, "TS4": 3.0, "TS5": 3.9,
                              "TS6": 3.2, "TS7": 3.1, "TS8": 3.6, "TS9": 1.9}})
    write_csv(out / "readiness_responses.csv",
              ["Encuestado", "Grupo", "Ítem", "Actual", "Situación deseada"],
              readiness_rows(ready, MESSY), MESSY)
    (out / "dataset.yaml").write_bytes(DISTRIBUIDORA_DATASET.encode("utf-8"))
    return value


DISTRIBUIDORA_DATASET = """\
# How to read this client's export: headers the built-in synonyms do not cover.
# The files are cp1252 with ';', decimal comma and day-first dates; the loader detects that.
column_map:
  customers:
    "Población": city
  transactions:
    "Nº factura": invoice_id
  interactions:
    "Nº incidencia": interaction_id
  readiness_responses:
    "Situación deseada": preferred
"""
