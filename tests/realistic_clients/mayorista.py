"""«Comercial Levante Mayorista»: a small Spanish food and drink wholesaler.

What this client intentionally varies from the sample companies:

- Sales come as the ERP's line export ``transactions.csv``: Windows-1252, ``;``, CRLF,
  decimal comma with thousands dots, day-first dates, and the headers a Spanish ERP
  writes (``Nº Factura``, ``Fecha``, ``Cód. Cliente``, ``Razón Social``, ``NIF/CIF``,
  ``Población``, ``Artículo``, ``Descripción``, ``Cantidad``, ``Precio``, ``Dto. %``,
  ``Base imponible``, ``% IVA``, ``Cuota IVA``, ``Importe``). ``Base imponible`` is the
  line's net value; ``Importe`` includes VAT (21 % or 10 %), so the sales value is the
  base, not the column literally called "amount". Returns are negative lines on credit
  notes (``AB24/0007``).
- Two customer sources: the ERP's master ``customers_erp.csv`` (same encoding; tax id
  ``NIF/CIF``, postal code with leading zeros, payment terms) and the sales team's CRM
  list ``customers_crm.xlsx``, an Excel file with a title block above the header, its
  own ids, names written differently, prospects that never bought, dates as Excel dates.
- Helpdesk tickets ``interactions.csv`` from another tool (UTF-8, ``,``, ISO timestamps)
  with the minimal columns only: ticket, customer, opened, closed, channel, type (no
  status, contacts, response times or costs); recent tickets still open.
- Receivables ``invoices.csv`` (the ERP's "cartera"): credit customers only, gross
  amounts, a collection date column named ``Fecha cobro`` and partial payments.
- SERVQUAL as a raw Google Forms CSV saved under ``servqual_responses.csv``: timestamp,
  grid headers ``Expectativa [SQ01. ...]`` as the printed form words them, the end points
  answered as their labels ("Totalmente de acuerdo"), importance points, overall rating
  and "Tipo de cliente"; no respondent id and no separate respondents file.
- Readiness as the Google Forms answers downloaded as ``readiness_responses.xlsx``:
  group labels "Directivos", "Empleados", "Clientes", every answer a scale label
  ("Lo hacemos en parte, sin método").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from . import _surveys
from ._base import AS_OF, ClientTruth, buying_histories, es_number, make_rng, save_xlsx, write_csv

KIND = "mayorista"
CLIENT_ID = "mayorista"
NAME = "Comercial Levante Mayorista"

_TOWNS = [("Valencia", "Valencia", "46"), ("Alicante", "Alicante", "03"), ("Elche", "Alicante", "03"),
          ("Castellón de la Plana", "Castellón", "12"), ("Gandia", "Valencia", "46"),
          ("Torrent", "Valencia", "46"), ("Benidorm", "Alicante", "03"), ("Sagunto", "Valencia", "46"),
          ("Vila-real", "Castellón", "12"), ("Alcoy", "Alicante", "03"), ("Dénia", "Alicante", "03"),
          ("Xàtiva", "Valencia", "46"), ("Requena", "Valencia", "46"), ("Murcia", "Murcia", "30")]
_FIRST = ["José", "María", "Antonio", "Carmen", "Francisco", "Pilar", "Vicente", "Amparo", "Joaquín",
          "Rosa", "Salvador", "Inmaculada", "Ángel", "Begoña", "Íñigo", "Nuria", "Jesús", "Lucía"]
_LAST = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Navarro", "Ferrer", "Soler",
         "Ortí", "Peña", "Muñoz", "Ibáñez", "Castelló", "Monzó", "Llorens", "Andrés", "Cuñat"]
_BUSINESS = [("Bar", "Hostelería"), ("Restaurante", "Hostelería"), ("Cafetería", "Hostelería"),
             ("Hotel", "Hostelería"), ("Supermercado", "Alimentación"),
             ("Ultramarinos", "Alimentación"), ("Panadería", "Alimentación"),
             ("Carnicería", "Alimentación"), ("Catering", "Colectividades"),
             ("Residencia", "Colectividades")]
_PLACES = ["El Molino", "La Plaza", "Casa Pepe", "Els Arcs", "La Marina", "San Roque", "El Puerto",
           "L'Horta", "Mediterráneo", "La Lonja", "El Cid", "Santa Ana", "Los Naranjos", "Can Toni"]
_PRODUCTS = [("AC005", "Aceite de oliva virgen extra 5 L", 32.90, 0.10),
             ("CE030", "Cerveza barril 30 L", 68.50, 0.21), ("AG156", "Agua mineral 1,5 L pack 6", 2.35, 0.10),
             ("VT075", "Vino tinto D.O. Utiel-Requena 75 cl", 4.10, 0.21),
             ("AR005", "Arroz bomba 5 kg", 17.80, 0.10), ("CF001", "Café en grano 1 kg", 14.25, 0.10),
             ("RF033", "Refresco cola lata 33 cl caja 24", 11.60, 0.10),
             ("HV030", "Huevos camperos bandeja 30", 6.95, 0.10),
             ("PA010", "Papel de cocina industrial pack 6", 9.40, 0.21),
             ("DL005", "Detergente lavavajillas 5 L", 12.30, 0.21)]
_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _nif(rng) -> str:
    num = int(rng.integers(10_000_000, 99_999_999))
    return f"{num}{_LETTERS[num % 23]}"


def _cif(rng) -> str:
    return f"B{int(rng.integers(10_000_000, 99_999_999))}"


def _phone(rng) -> str:
    return f"{rng.choice(['96', '6', '7'])}{int(rng.integers(10**7, 10**8 - 1)):08d}"[:9]


def _customers(rng, n: int) -> list[dict]:
    out = []
    for k in range(n):
        town, prov, cp = _TOWNS[int(rng.integers(len(_TOWNS)))]
        biz, segment = _BUSINESS[int(rng.integers(len(_BUSINESS)))]
        person = rng.random() < 0.35  # self-employed owners invoiced by their own name
        first, last1, last2 = (str(rng.choice(_FIRST)), str(rng.choice(_LAST)), str(rng.choice(_LAST)))
        if person:
            name = f"{last1} {last2}, {first}"
            tax = _nif(rng)
        else:
            form = str(rng.choice(["S.L.", "S.L.", "S.A.", "C.B."]))
            name = f"{biz} {rng.choice(_PLACES)} {form}" if rng.random() < 0.6 else \
                f"{'Hnos. ' if rng.random() < 0.3 else ''}{last1} {biz} {form}"
            tax = _cif(rng)
        slug = "".join(ch for ch in last1.lower() if ch.isalpha() and ch.isascii()) or "cliente"
        out.append({
            "code": f"{430000 + 7 * k + 3:06d}", "name": name, "tax": tax, "town": town,
            "province": prov, "cp": f"{cp}{int(rng.integers(1, 999)):03d}",
            "phone": _phone(rng), "email": f"{slug}{k}@{slug}-{k % 7}.example",
            "segment": segment, "first": first, "last1": last1, "biz": biz,
            "terms": str(rng.choice(["Contado", "Recibo 30 días", "Recibo 30 días",
                                     "Transferencia 60 días"])),
            "weight": float(rng.lognormal(0.0, 0.9)),
        })
    return out


def make(folder: Path, seed: int) -> ClientTruth:
    rng = make_rng(seed, KIND)
    folder.mkdir(parents=True, exist_ok=True)
    customers = _customers(rng, 160)
    histories = buying_histories(rng, len(customers), mean_rate=14, shape=1.2,
                                 one_time_share=0.12, churn_share=0.3)

    # ------------------------------------------------------------------ ERP customer master
    erp_rows = []
    for c, hist in zip(customers, histories):
        created = hist[0] - dt.timedelta(days=int(rng.integers(0, 400)))
        erp_rows.append([c["code"], c["name"], c["tax"], f"C/ {rng.choice(_LAST)}, {int(rng.integers(1, 120))}",
                         c["town"], c["province"], c["cp"], c["phone"] if rng.random() > 0.1 else "",
                         c["email"] if rng.random() > 0.25 else "", c["terms"],
                         created.strftime("%d/%m/%Y")])
    write_csv(folder / "customers_erp.csv",
              ["Cód. Cliente", "Razón Social", "NIF/CIF", "Domicilio", "Población", "Provincia",
               "C.P.", "Teléfono", "E-mail", "Forma de pago", "Fecha alta"],
              erp_rows, encoding="cp1252", sep=";", newline="\r\n")

    # ------------------------------------------------------------------ sales lines
    lines, invoice_totals = [], []
    n_inv = {2022: 0, 2023: 0, 2024: 0}
    n_ab = {2022: 0, 2023: 0, 2024: 0}
    total = 0.0
    for ci, (c, hist) in enumerate(zip(customers, histories)):
        basket = rng.choice(len(_PRODUCTS), size=int(rng.integers(2, 6)), replace=False)
        dto = float(rng.choice([0, 0, 3, 5, 10]))
        for d in hist:
            y = d.year
            n_inv[y] += 1
            inv = f"FV{y % 100:02d}/{n_inv[y]:05d}"
            gross = 0.0
            picked = rng.choice(basket, size=int(rng.integers(1, len(basket) + 1)), replace=False)
            for p in sorted(int(x) for x in picked):
                code, desc, price, vat = _PRODUCTS[p]
                qty = int(np.ceil(rng.gamma(2.0, 4.0 * c["weight"])))
                base = round(qty * price * (1 - dto / 100), 2)
                cuota = round(base * vat, 2)
                lines.append((d, inv, c, code, desc, qty, price, dto, base, vat, cuota))
                total += base
                gross += base + cuota
            invoice_totals.append((inv, c, d, round(gross, 2)))
            if rng.random() < 0.03 and d < AS_OF - dt.timedelta(days=10):  # a return
                rd = d + dt.timedelta(days=int(rng.integers(1, 10)))
                n_ab[rd.year] += 1
                ab = f"AB{rd.year % 100:02d}/{n_ab[rd.year]:04d}"
                code, desc, price, vat = _PRODUCTS[int(picked[0])]
                qty = -int(rng.integers(1, 4))
                base = round(qty * price * (1 - dto / 100), 2)
                lines.append((rd, ab, c, code, desc, qty, price, dto, base, vat, round(base * vat, 2)))
                total += base
    lines.sort(key=lambda r: (r[0], r[1]))
    rows = [[d.strftime("%d/%m/%Y"), inv, c["code"], c["name"], c["tax"], c["town"], code, desc,
             es_number(qty, 0), es_number(price, 2), es_number(dto, 2), es_number(base),
             es_number(vat * 100, 0), es_number(cuota), es_number(base + cuota)]
            for d, inv, c, code, desc, qty, price, dto, base, vat, cuota in lines]
    write_csv(folder / "transactions.csv",
              ["Fecha", "Nº Factura", "Cód. Cliente", "Razón Social", "NIF/CIF", "Población",
               "Artículo", "Descripción", "Cantidad", "Precio", "Dto. %", "Base imponible",
               "% IVA", "Cuota IVA", "Importe"],
              rows, encoding="cp1252", sep=";", newline="\r\n")

    # ------------------------------------------------------------------ CRM list (xlsx)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Clientes"
    ws.append(["Listado de clientes — CRM comercial"])
    ws.append([f"Exportado el {AS_OF.strftime('%d/%m/%Y')} a las 18:05"])
    ws.append([])
    ws.append(["ID", "Nombre", "CIF/NIF", "Email", "Teléfono", "Localidad", "Sector",
               "Comercial", "Fecha de alta", "Estado"])
    reps = ["Marta Soler", "Pau Ferrer", "Elena Navarro"]
    n_crm = 0
    for k, c in enumerate(customers):
        if rng.random() > 0.7:
            continue
        n_crm += 1
        name = c["name"]
        if rng.random() < 0.3:
            name = name.upper()
        elif rng.random() < 0.3 and "," in name:
            last, first = name.split(", ", 1)
            name = f"{first} {last}"
        elif rng.random() < 0.2:
            name = name.replace(" S.L.", " SL").replace("á", "a").replace("é", "e")
        phone = c["phone"]
        if rng.random() < 0.3:
            phone = f"+34 {phone[:3]} {phone[3:6]} {phone[6:]}"
        ws.append([f"CLI-{n_crm:04d}", name, c["tax"] if rng.random() > 0.3 else None,
                   c["email"].upper() if rng.random() < 0.2 else c["email"], phone,
                   c["town"], c["segment"], reps[k % 3],
                   dt.datetime.combine(histories[k][0], dt.time()) - dt.timedelta(days=30),
                   "Cliente"])
    for j in range(25):  # prospects never invoiced
        first, last = str(rng.choice(_FIRST)), str(rng.choice(_LAST))
        n_crm += 1
        ws.append([f"CLI-{n_crm:04d}", f"{rng.choice(_BUSINESS)[0]} {rng.choice(_PLACES)}",
                   None, f"info{j}@prospecto{j}.example", _phone(rng),
                   _TOWNS[int(rng.integers(len(_TOWNS)))][0], "Hostelería", reps[j % 3],
                   dt.datetime(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 360))),
                   "Potencial"])
    for row in ws.iter_rows(min_row=5, min_col=9, max_col=9):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    save_xlsx(wb, folder / "customers_crm.xlsx")

    # ------------------------------------------------------------------ helpdesk tickets
    t_rows = []
    types = ["Reclamación", "Consulta", "Sugerencia", "Felicitación"]
    channels = ["Teléfono", "Email", "WhatsApp", "Comercial"]
    k = 0
    for c, hist in zip(customers, histories):
        n_t = int(rng.poisson(0.25 * len(hist) ** 0.6))
        for _ in range(n_t):
            k += 1
            d = hist[int(rng.integers(len(hist)))]
            opened = dt.datetime.combine(d, dt.time(8)) + dt.timedelta(minutes=int(rng.integers(0, 600)))
            if opened.date() > AS_OF:
                opened = dt.datetime.combine(AS_OF, dt.time(9))
            closed = opened + dt.timedelta(hours=float(rng.gamma(1.2, 30)))
            t_rows.append([opened, f"HD-{k:05d}", c["code"], closed if closed.date() < AS_OF
                           and rng.random() > 0.04 else None,
                           str(rng.choice(channels)),
                           str(rng.choice(types, p=[0.45, 0.4, 0.08, 0.07]))])
    t_rows.sort(key=lambda r: (r[0], r[1]))
    write_csv(folder / "interactions.csv", ["Ticket", "Cliente", "Abierto", "Cerrado", "Canal", "Tipo"],
              [[tid, cust, o.strftime("%Y-%m-%d %H:%M"), cl.strftime("%Y-%m-%d %H:%M") if cl else "",
                ch, ty] for o, tid, cust, cl, ch, ty in t_rows])

    # ------------------------------------------------------------------ receivables
    i_rows = []
    for inv, c, d, gross in invoice_totals:
        if c["terms"] == "Contado" or d.year < 2023:
            continue
        days = 60 if "60" in c["terms"] else 30
        due = d + dt.timedelta(days=days)
        delay = int(rng.choice([0, 0, 0, 5, 15, 40, 95]) + rng.integers(-3, 4))
        paid = due + dt.timedelta(days=delay)
        paid_amount = gross
        if paid > AS_OF:
            paid, paid_amount = None, (round(gross * 0.5, 2) if rng.random() < 0.15 else 0.0)
        i_rows.append([inv, c["code"], d.strftime("%d/%m/%Y"), due.strftime("%d/%m/%Y"),
                       paid.strftime("%d/%m/%Y") if paid else "", es_number(gross),
                       es_number(paid_amount)])
    write_csv(folder / "invoices.csv",
              ["Nº Factura", "Cód. Cliente", "Fecha factura", "Vencimiento", "Fecha cobro",
               "Importe", "Cobrado"], i_rows, encoding="cp1252", sep=";", newline="\r\n")

    # ------------------------------------------------------------------ surveys
    sq = _surveys.servqual_answers(
        rng, 58, gap_by_dimension={"tangibles": 0.3, "reliability": 1.4, "responsiveness": 1.1,
                                   "assurance": 0.5, "empathy": 0.7},
        segments={"Hostelería": 0.55, "Alimentación": 0.3, "Colectividades": 0.15},
        with_importance=True, with_overall=True)
    _surveys.google_forms_servqual(sq, folder / "servqual_responses.csv", language="es",
                                   anchors={1: "Totalmente en desacuerdo", 7: "Totalmente de acuerdo"})
    rd = _surveys.readiness_answers(rng, {"manager": 4, "employee": 11, "customer": 9},
                                    with_preferred=True)
    _surveys.google_forms_readiness(rd, folder / "readiness_responses.xlsx", language="es",
                                    group_labels={"manager": "Directivos", "employee": "Empleados",
                                                  "customer": "Clientes", "partner": "Proveedores"},
                                    use_anchor_labels=True)

    return ClientTruth(
        kind=KIND, client_id=CLIENT_ID, name=NAME, language="es",
        n_customers=len(customers), n_buyers=len(customers), n_transaction_lines=len(lines),
        total_sales=round(total, 2), n_interactions=len(t_rows), n_invoices=len(i_rows),
        n_servqual_respondents=sq.n, n_readiness_respondents=rd.n,
        files=sorted(p.name for p in folder.iterdir()),
        extra={"servqual": _surveys.servqual_truth(sq),
               "readiness": _surveys.readiness_truth(rd),
               "n_customer_records": len(customers) + n_crm,
               "total_with_vat": round(sum(b + q for *_, b, _v, q in lines), 2),
},
    )
