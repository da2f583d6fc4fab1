"""``hotel-mirador``: lakeside hotel, English header synonyms, zone of tolerance."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ._common import BASE, N_DAYS
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
    FOREIGN,
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
from .surveys import (
    SERVQUAL_PEOPLE_HEADER,
    ServqualSetup,
    make_readiness,
    make_servqual,
    readiness_rows,
    servqual_rows,
)
from .transactions import build_lines, number_documents, transaction_rows

HOTEL_CITIES = {
    "ES": ["Madrid", "Barcelona", "Valencia", "Bilbao", "Zaragoza", "Sevilla", "Málaga", "Vigo",
           "Pamplona", "Logroño", "Valladolid", "A Coruña"],
    "FR": ["Paris", "Lyon", "Toulouse", "Bordeaux"],
    "GB": ["London", "Manchester", "Leeds", "Bristol"],
    "DE": ["München", "Köln", "Berlin", "Hamburg"],
    "US": ["New York", "Boston", "Chicago", "Seattle"],
}


HOTEL_COMPANIES = ["Laboratorios", "Ingeniería", "Consultores", "Grupo", "Seguros", "Energías",
                   "Viajes", "Eventos", "Farmacéutica", "Logística"]


# product: (price per unit, margin rate)
HOTEL_PRODUCTS = {"room_standard": (92.0, 0.62), "room_superior": (128.0, 0.64),
                  "suite": (210.0, 0.66), "restaurant": (34.0, 0.28), "spa": (55.0, 0.45),
                  "events": (1800.0, 0.35)}


# How the hotel's property-management system names segments (the generator draws with
# the short keys): readable English words, as this client's English-language exports hold them.
SEGMENT_NAMES = {"leisure": "Leisure", "business": "Business", "group": "Group",
                 "agency": "Travel agency", "corporate": "Corporate"}


def hotel(rng, out: Path):
    n_guests, n_corporate, n_agencies = 2700, 45, 12
    countries = (["ES", "FR", "GB", "DE", "US"], [0.68, 0.1, 0.09, 0.08, 0.05])
    customers, seen = [], set()
    for i in range(n_guests + n_corporate + n_agencies):
        c = Customer(idx=i, cid=f"G{100000 + 5 * i + int(rng.integers(5)):06d}", name="",
                     kind="person")
        if i < n_guests:
            c.country = pick(rng, *countries)
            if c.country == "ES":
                c.first, c.last = person_name(rng)
            else:
                firsts, lasts = FOREIGN[c.country]
                c.first, c.last = person_name(rng, firsts, lasts, two_surnames=False)
            c.name = f"{c.first} {' '.join(c.last)}"
            c.email = email_for(rng, c.first, c.last) if rng.random() < 0.9 else None
            c.segment = pick(rng, ["leisure", "business", "group"], [0.7, 0.2, 0.1])
            if c.country == "ES" and rng.random() < 0.5:
                c.tax_id = nif(rng)
        else:
            c.kind, c.country = "company", "ES"
            agency = i >= n_guests + n_corporate
            while True:
                base = "Viajes" if agency else pick(rng, HOTEL_COMPANIES)
                name = f"{base} {pick(rng, SURNAMES)} {pick(rng, ['S.L.', 'S.A.'])}"
                if name not in seen:
                    break
            seen.add(name)
            c.name = name
            c.segment = "agency" if agency else "corporate"
            c.tax_id = "B" + "".join(str(d) for d in rng.integers(0, 10, 8))
            slug = "".join(ch for ch in ascii_fold(name.rsplit(" ", 1)[0]).lower() if ch.isalnum())
            c.email = f"reservas@{slug}.example"
        c.phone_national = national_number(rng, c.country)
        c.phone = phone_text(rng, c.country, c.phone_national, 0 if rng.random() < 0.5 else None)
        c.city = pick(rng, HOTEL_CITIES[c.country])
        customers.append(c)
    guests, accounts = customers[:n_guests], customers[n_guests:]
    simulate_purchase_days(rng, guests, existing_share=0.25, lam_shape=0.3, lam_mean=0.055,
                           life_mean_months=36, decliner_share=0.05, spend_median=150.0,
                           spend_sigma=0.6, rate_spend_corr=0.2)
    simulate_purchase_days(rng, accounts, existing_share=0.7, lam_shape=1.2, lam_mean=1.1,
                           life_mean_months=60, decliner_share=0.15, spend_median=420.0,
                           spend_sigma=0.6, rate_spend_corr=0.2)
    for c in customers:
        c.created = customer_created(rng, c)
        c.special = c.kind == "person" and len(c.days) >= 4 and rng.random() < 0.6
        c.terms = 30 if c.kind == "company" else (45 if c.segment == "agency" else 0)
    for c in accounts:
        c.terms = 45 if c.segment == "agency" else 30
    twins = fold_duplicates(rng, guests, 8, lambda j: f"G{190001 + 13 * j:06d}")
    customers += twins
    no_stay = []  # guest records kept from before 2022 without a stay in the period
    for j in range(120):
        c = Customer(idx=len(customers) + j, cid=f"G{99000 + 7 * j:06d}", name="", kind="person")
        c.country = "ES"
        c.first, c.last = person_name(rng)
        c.name = f"{c.first} {' '.join(c.last)}"
        c.email = email_for(rng, c.first, c.last) if rng.random() < 0.8 else None
        c.phone_national = national_number(rng, "ES")
        c.phone = phone_text(rng, "ES", c.phone_national)
        c.city = pick(rng, HOTEL_CITIES["ES"])
        c.segment = "leisure"
        c.created = -int(rng.integers(30, 2500))
        no_stay.append(c)
    for c in customers + no_stay:
        if c.email and rng.random() < 0.02:
            c.email = invalid_email(rng, c.email)
        if rng.random() < 0.015:
            c.phone = pick(rng, ["0", "---", "123"])

    def line_maker(rng, c, day):
        out = []
        if c.kind == "company":
            ch = "travel_agency" if c.segment == "agency" else "corporate"
            rooms = 1 + int(rng.poisson(1.5 if c.segment == "agency" else 0.6))
        else:
            ch = pick(rng, ["direct", "booking_engine", "ota", "phone"], [0.3, 0.3, 0.3, 0.1])
            rooms = 1
        level = c.spend / 150.0
        room = pick(rng, ["room_standard", "room_superior", "suite"],
                    [0.7, 0.25, 0.05] if level < 1.3 else [0.35, 0.45, 0.2])
        nights = (1 + int(rng.poisson(1.2))) * rooms
        price, mrate = HOTEL_PRODUCTS[room]
        season = 1.25 if (BASE + timedelta(days=day)).month in (7, 8) else 1.0
        amount = round(nights * price * season * float(rng.uniform(0.85, 1.15)), 2)
        out.append((room, nights, amount, round(amount * mrate * float(rng.uniform(0.9, 1.1)), 2),
                    ch))
        extras = [("restaurant", 0.55), ("spa", 0.2 * min(2.0, level))]
        if c.kind == "company":
            extras.append(("events", 0.12))
        for prod, p in extras:
            if rng.random() < p:
                price, mrate = HOTEL_PRODUCTS[prod]
                qty = max(1, int(rng.poisson(2 * rooms))) if prod != "events" else 1
                amt = round(qty * price * level ** 0.5 * float(rng.lognormal(0, 0.3)), 2)
                out.append((prod, qty, amt, round(amt * mrate, 2), ch))
        return out

    def anonymous_maker(rng, day):
        qty = int(rng.integers(1, 6))
        amount = round(qty * 34.0 * float(rng.uniform(0.8, 1.3)), 2)
        return "restaurant", qty, amount, round(amount * 0.28, 2), "walk_in"

    lines, returns = build_lines(rng, customers, line_maker,
                                 return_p={"room_standard": 0.02, "room_superior": 0.02,
                                           "suite": 0.03, "spa": 0.03, "events": 0.05},
                                 return_days=(1, 30), anonymous=40,
                                 anonymous_maker=anonymous_maker)
    all_lines = number_documents(lines, returns,
                                 lambda y, k: f"H{y % 100:02d}-{k:05d}",
                                 lambda y, k: f"HR{y % 100:02d}-{k:04d}")
    write_csv(out / "transactions.csv",
              ["Customer", "Date", "Amount", "quantity", "margin", "channel", "product",
               "invoice_id"],
              transaction_rows(all_lines, CLEAN, with_margin=True), CLEAN)

    payment_profiles(rng, customers, (0.55, 0.27, 0.12, 0.06))
    write_csv(out / "invoices.csv",
              ["invoice_id", "customer_id", "issued_at", "due_at", "paid_at", "amount",
               "paid_amount"],
              invoice_table(rng, all_lines, first_day=0, terms_of=lambda c: c.terms,
                            payer_of=lambda c: c.payer if c.terms else "prompt", style=CLEAN),
              CLEAN)

    pms = []
    for c in sorted(customers + no_stay, key=lambda c: c.cid):
        pms.append([c.cid, c.name, c.kind, c.email or "", c.phone or "", c.tax_id or "",
                    c.country, c.city or "", SEGMENT_NAMES[c.segment], CLEAN.day(c.created),
                    "yes" if c.special else "no"])
    write_csv(out / "customers_pms.csv",
              ["Customer", "Full name", "kind", "email", "phone", "tax_id", "country", "city",
               "segment", "created_at", "VIP"], pms, CLEAN)

    booking = []
    for c in guests:
        if rng.random() < 0.6:
            rec = near_duplicate(rng, c, "") if rng.random() < 0.5 else \
                {"name": c.name, "email": c.email,
                     "phone": phone_text(rng, c.country, c.phone_national, 5), "city": c.city,
                     "created": c.created}
            booking.append(rec)
    for _ in range(400):  # booked online but never stayed (cancelled or no-show)
        country = pick(rng, *countries)
        if country == "ES":
            first, last = person_name(rng)
        else:
            first, last = person_name(rng, *FOREIGN[country], two_surnames=False)
        booking.append({"name": f"{first} {' '.join(last)}", "email": email_for(rng, first, last),
                            "phone": phone_text(rng, country, national_number(rng, country), 5)
                            if rng.random() < 0.8 else None,
                            "city": pick(rng, HOTEL_CITIES[country]) if rng.random() < 0.5 else None,
                            "created": int(rng.integers(0, N_DAYS))})
    for i in sorted(int(x) for x in rng.choice(len(booking), 6, replace=False)):
        booking.append(dict(booking[i]))
    order = rng.permutation(len(booking))
    rows = []
    for j, i in enumerate(order):
        rec = booking[int(i)]
        rows.append([f"BK{j + 1:07d}", rec["name"], rec["email"] or "", rec["phone"] or "",
                     rec["city"] or "", CLEAN.day(max(0, rec["created"]))])
    rows.sort(key=lambda r: r[0])
    write_csv(out / "customers_booking.csv",
              ["customer_id", "name", "email", "phone", "city", "created_at"], rows, CLEAN)

    value = {}
    for ln in all_lines:
        if ln["cust"] is not None:
            value[ln["cust"].cid] = value.get(ln["cust"].cid, 0.0) + ln["amount"]
    top = set(sorted(value, key=lambda k: (-value[k], k))[: len(value) // 10])
    setup = ContactSetup(
        channels=(("in_person", 0.45), ("phone", 0.2), ("email", 0.2), ("web", 0.1),
                  ("chat", 0.05)),
        categories={"complaint": ("Room", "Cleanliness", "Noise", "Restaurant", "Billing",
                                  "Front desk", "Wi-Fi"),
                    "request": ("Late check-out", "Room change", "Transfer", "Invoice copy"),
                    "suggestion": ("Breakfast", "Spa", "Parking"),
                    "praise": ("Staff", "View", "Restaurant")},
        statuses={"closed": "Closed", "open": "Open", "reopened": "Reopened"},
        rate_per_month=0.1, churn_complaint_share=0.3,
        cost_per_contact={"in_person": 6.0, "phone": 4.0, "email": 3.0, "web": 1.5,
                          "chat": 2.0})
    rows = make_interactions(rng, customers, setup, top)
    write_csv(out / "interactions.csv", INTERACTION_HEADER,
              common_interaction_rows(rows, customers, CLEAN, "HM"), CLEAN)

    sq = ServqualSetup(
        n=240,
        expectation={"tangibles": 6.2, "reliability": 6.5, "responsiveness": 6.2,
                     "assurance": 6.1, "empathy": 6.3},
        perception={"tangibles": 6.0, "reliability": 5.6, "responsiveness": 5.3,
                    "assurance": 5.9, "empathy": 4.8},
        importance={"tangibles": 18, "reliability": 27, "responsiveness": 20, "assurance": 15,
                    "empathy": 20},
        segments=(("Leisure", 0.62, {"tangibles": 0.2}), ("Business", 0.28,
                                                          {"responsiveness": -0.4}),
                  ("Group", 0.1, {"empathy": -0.3})),
        overall_weights={"tangibles": 0.3, "reliability": 0.35, "responsiveness": 0.3,
                         "assurance": 0.1, "empathy": 0.35},
        zone={"tangibles": 4.9, "reliability": 5.5, "responsiveness": 5.0, "assurance": 5.0,
              "empathy": 5.4})
    responses, people = make_servqual(rng, sq)
    resp, ppl = servqual_rows(responses, people, CLEAN)
    write_csv(out / "servqual_responses.csv",
              ["respondent_id", "item_id", "expectation", "perception", "adequate", "desired"],
              resp, CLEAN)
    write_csv(out / "servqual_respondents.csv", SERVQUAL_PEOPLE_HEADER, ppl, CLEAN)

    ready = make_readiness(
        rng, {"manager": 4, "employee": 12, "customer": 8, "partner": 4},
        current={"ID": 3.1, "DF": 2.6, "IN": 3.5, "PE": 3.0, "QA": 3.3, "BP": 2.9, "TE": 2.6,
                 "KS": 2.4, "PA": 3.2, "CR": 3.6, "EM": 3.1, "CS": 2.8},
        preferred={"ID": 4.3, "DF": 4.0, "IN": 4.4, "PE": 4.5, "QA": 4.2, "BP": 3.9, "TE": 4.0,
                   "KS": 3.8, "PA": 3.9, "CR": 4.6, "EM": 4.2, "CS": 4.0},
        bias={"manager": {"PE": 0.7, "TE": 0.6},
              "employee": {"EM": -0.8, "QA": -0.4},
              "customer": {"PE": -0.7, "CR": 0.3},
              "partner": {"PA": -0.7, "BP": -0.4}},
        signals={"seed": 5305,
                 "current": {"TS1": 2.9, "TS2": 2.4, "TS3": 2.3, "TS4": 1.9, "TS5": 2.5,
                            "TS6": 3.2, "TS7": 2.2, "TS8": 3.1, "TS9": 1.8},
                 "preferred": {"TS1": 4.4, "TS2": 3.1, "TS3": 3.9, "TS4": 3.2, "TS5": 3.0,
                              "TS6": 3.5, "TS7": 4.1, "TS8": 4.2, "TS9": 2.3}})
    write_csv(out / "readiness_responses.csv",
              ["respondent_id", "group", "item_id", "current", "preferred"],
              readiness_rows(ready, CLEAN), CLEAN)
    return value
