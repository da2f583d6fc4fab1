#!/usr/bin/env python
"""Regenerate the three fictional sample companies of ``data_samples/``.

Every company, person, e-mail address and phone number here is invented.
The script depends on numpy only (no crmlib), draws from one seeded
``numpy.random.Generator`` per company, formats every value explicitly and
writes rows in a fixed order, so two runs write the same bytes.

Usage::

    python data_samples/generate_samples.py            # rewrite the committed files
    python data_samples/generate_samples.py --out DIR  # write into DIR instead

Companies
---------
movil-andina
    Mobile operator, B2C, about 5,000 customers and 80,000 sale lines over
    2022-2024. Clean UTF-8 CSV, ``,`` separator, ISO dates, canonical headers.
distribuidora-norte
    Industrial distributor, B2B, about 400 accounts, invoices on 30/60/90-day
    credit. Exported the messy way: cp1252, ``;`` separator, decimal comma with
    thousands dots, day-first dates and Spanish headers (``dataset.yaml`` maps
    the headers the built-in synonyms do not cover).
hotel-mirador
    Lakeside hotel: guests, corporate accounts and agencies; stays with room,
    restaurant, spa and event lines. UTF-8, a few English header synonyms, and
    SERVQUAL with the adequate and desired service levels.
"""

from __future__ import annotations

import argparse
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BASE = date(2022, 1, 1)
N_DAYS = (date(2024, 12, 31) - BASE).days + 1  # 1096 days, 2022-01-01 .. 2024-12-31
LAST_DAY = N_DAYS - 1
DAY_MIN = 1440
END_MINUTE = N_DAYS * DAY_MIN - 1  # 2024-12-31 23:59
SEEDS = {"movil-andina": 20240101, "distribuidora-norte": 20240202, "hotel-mirador": 20240303}

# --------------------------------------------------------------------------- formatting


@dataclass(frozen=True)
class Style:
    """How one company's files are written."""

    sep: str = ","
    encoding: str = "utf-8"
    decimal_comma: bool = False
    day_first: bool = False

    def money(self, x) -> str:
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        text = f"{float(x):,.2f}" if self.decimal_comma else f"{float(x):.2f}"
        if self.decimal_comma:
            text = text.translate(str.maketrans({",": ".", ".": ","}))
        return "0.00" if text == "-0.00" else ("0,00" if text == "-0,00" else text)

    def number(self, x, digits: int = 1) -> str:
        """A plain number without thousands separators (minutes, scores, units)."""
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        if float(x) == int(x):
            return str(int(x))
        text = f"{float(x):.{digits}f}"
        return text.replace(".", ",") if self.decimal_comma else text

    def day(self, d) -> str:
        if d is None:
            return ""
        return _day_text(int(d), self.day_first)

    def stamp(self, minute) -> str:
        if minute is None:
            return ""
        minute = int(minute)
        d, m = divmod(minute, DAY_MIN)
        return f"{_day_text(d, self.day_first)} {m // 60:02d}:{m % 60:02d}"


@cache
def _day_text(offset: int, day_first: bool) -> str:
    d = BASE + timedelta(days=offset)
    return d.strftime("%d/%m/%Y") if day_first else d.isoformat()


CLEAN = Style()
MESSY = Style(sep=";", encoding="cp1252", decimal_comma=True, day_first=True)


def write_csv(path: Path, header: list[str], rows: list[list[str]], style: Style) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=style.sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(style.encoding))


# --------------------------------------------------------------------------- names

FIRST_M = ["José", "Luis", "Carlos", "Juan", "Miguel", "Jorge", "Andrés", "Fernando", "Ricardo",
           "Diego", "Javier", "Alejandro", "Pedro", "Raúl", "Óscar", "Manuel", "Sergio", "Pablo",
           "Víctor", "Hugo", "Martín", "Tomás", "Rubén", "Iván", "Gonzalo", "Ángel", "Eduardo",
           "Julio", "Marco", "Renato", "Álvaro", "Joaquín", "Emilio", "Nicolás", "Ignacio"]
FIRST_F = ["María", "Ana", "Lucía", "Carmen", "Rosa", "Sofía", "Valeria", "Camila", "Patricia",
           "Elena", "Isabel", "Gabriela", "Daniela", "Paula", "Claudia", "Mónica", "Verónica",
           "Andrea", "Natalia", "Silvia", "Beatriz", "Julia", "Inés", "Raquel", "Teresa",
           "Milagros", "Rocío", "Lorena", "Noelia", "Adriana", "Begoña", "Ainhoa", "Nerea",
           "Fátima", "Irene"]
SURNAMES = ["García", "Rodríguez", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez",
            "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes",
            "Gutiérrez", "Ortiz", "Chávez", "Ramos", "Castillo", "Vargas", "Rojas", "Mendoza",
            "Quispe", "Huamán", "Mamani", "Herrera", "Medina", "Aguilar", "Castro", "Jiménez",
            "Ruiz", "Álvarez", "Romero", "Navarro", "Domínguez", "Vega", "Ibáñez", "Muñoz",
            "Salazar", "Paredes", "Cárdenas", "Espinoza", "Valdivia", "Zapata", "Cáceres",
            "Núñez", "Peña", "Soto", "Arriaga", "Etxeberria", "Goikoetxea", "Urrutia",
            "Larrañaga", "Fernández", "Iglesias", "Prieto", "Campos", "Benítez"]
FOREIGN = {
    "FR": (["Camille", "Julien", "Élodie", "Mathieu", "Chloé", "Antoine", "Léa", "Nicolas"],
           ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"]),
    "GB": (["Oliver", "Emily", "Harry", "Charlotte", "George", "Sophie", "James", "Amelia"],
           ["Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes"]),
    "DE": (["Lukas", "Anna", "Jonas", "Lena", "Felix", "Hannah", "Maximilian", "Jana"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Koch"]),
    "US": (["Michael", "Jennifer", "David", "Jessica", "Daniel", "Ashley", "Ryan", "Megan"],
           ["Johnson", "Williams", "Miller", "Davis", "Anderson", "Thomas", "Moore", "Clark"]),
}
MAIL_DOMAINS = ["example.com", "example.net", "example.org", "correo.example", "mail.example"]


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def pick(rng, options, p=None):
    return options[int(rng.choice(len(options), p=p))]


def person_name(rng, first_names=None, surnames=None, two_surnames=True):
    if first_names is None:
        first_names = FIRST_M if rng.random() < 0.5 else FIRST_F
    surnames = surnames or SURNAMES
    first = pick(rng, first_names)
    last = [pick(rng, surnames)]
    if two_surnames:
        last.append(pick(rng, surnames))
    return first, last


def email_for(rng, first: str, last: list[str]) -> str:
    local = ascii_fold(first).lower()
    style = rng.integers(4)
    if style == 0:
        local = f"{local}.{ascii_fold(last[0]).lower()}"
    elif style == 1:
        local = f"{local[0]}{ascii_fold(last[0]).lower()}"
    elif style == 2:
        local = f"{local}.{ascii_fold(last[0]).lower()}{rng.integers(1, 99)}"
    else:
        local = f"{local}{ascii_fold(last[-1]).lower()}{rng.integers(60, 99)}"
    local = local.replace(" ", "")
    return f"{local}@{pick(rng, MAIL_DOMAINS)}"


def invalid_email(rng, email: str) -> str:
    kind = rng.integers(5)
    if kind == 0:
        return email.replace("@", "")
    if kind == 1:
        return email.split("@")[0] + "@"
    if kind == 2:
        return email.replace("@", "@@")
    if kind == 3:
        return "sin correo" if rng.random() < 0.5 else "n/a"
    return email.replace(".", ",", 1) if "." in email.split("@")[0] else email + " "


# phone numbers: national significant number (digits) per country
def national_number(rng, country: str, mobile=True) -> str:
    if country == "PE":
        return "9" + "".join(str(d) for d in rng.integers(0, 10, 8))
    if country == "ES":
        head = "6" if mobile else str(pick(rng, ["91", "94", "98", "942", "985"]))
        return head + "".join(str(d) for d in rng.integers(0, 10, 9 - len(head)))
    if country == "FR":
        return "6" + "".join(str(d) for d in rng.integers(0, 10, 8))
    if country == "GB":
        return "7" + "".join(str(d) for d in rng.integers(0, 10, 9))
    if country == "DE":
        return "15" + "".join(str(d) for d in rng.integers(0, 10, 9))
    return str(rng.integers(201, 989)) + "".join(str(d) for d in rng.integers(0, 10, 7))


PREFIX = {"PE": "51", "ES": "34", "FR": "33", "GB": "44", "DE": "49", "US": "1"}


def phone_text(rng, country: str, national: str, style: int | None = None) -> str:
    """One way of writing a phone number; styles differ in prefix, spaces and dashes."""
    cc = PREFIX[country]
    if style is None:
        style = int(rng.integers(6))
    n = national
    groups3 = " ".join(n[i:i + 3] for i in range(0, len(n), 3))
    if style == 0:
        return f"+{cc} {groups3}"
    if style == 1:
        return n
    if style == 2:
        return "-".join(n[i:i + 3] for i in range(0, len(n), 3))
    if style == 3:
        return f"00{cc}{n}"
    if style == 4:
        return f"(+{cc}) {n}"
    return f"+{cc}{n}"


def typo(rng, text: str) -> str:
    """One keyboard slip: swap, drop or double a letter inside a word."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = letters[int(rng.integers(1, len(letters) - 1))]
    kind = rng.integers(3)
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


# --------------------------------------------------------------------------- customers & purchases


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


# --------------------------------------------------------------------------- second source


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


# --------------------------------------------------------------------------- interactions


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


# --------------------------------------------------------------------------- SERVQUAL & readiness

DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
ITEMS = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}
ITEM_DIM = []
for _d in DIMENSIONS:
    ITEM_DIM += [_d] * ITEMS[_d]
ITEM_IDS = [f"SQ{i:02d}" for i in range(1, 23)]


@dataclass(frozen=True)
class ServqualSetup:
    n: int
    expectation: dict
    perception: dict
    importance: dict  # mean points per dimension
    segments: tuple  # (name, probability, perception shift per dimension dict)
    overall_weights: dict
    zone: dict | None = None  # adequate mean per dimension (hotel)


def clip_round(x, lo, hi):
    return np.clip(np.rint(x), lo, hi)


def make_servqual(rng, setup: ServqualSetup):
    n = setup.n
    seg_names = [s[0] for s in setup.segments]
    seg_p = [s[1] for s in setup.segments]
    seg = rng.choice(len(seg_names), size=n, p=seg_p)
    halo = rng.normal(0, 0.45, n)
    e_level = rng.normal(0, 0.3, n)
    responses = []  # respondent_id, item, E, P, adequate, desired
    respondents = []
    dims_gap = np.zeros((n, len(DIMENSIONS)))
    for r in range(n):
        rid = f"R{r + 1:04d}"
        shift = setup.segments[seg[r]][2]
        dim_factor = {d: rng.normal(0, 0.45) for d in DIMENSIONS}
        e_items, p_items, a_items, d_items = [], [], [], []
        for item, dim in zip(ITEM_IDS, ITEM_DIM):
            e = setup.expectation[dim] + e_level[r] + rng.normal(0, 0.45)
            p = (setup.perception[dim] + shift.get(dim, 0.0) + halo[r] + dim_factor[dim]
                 + rng.normal(0, 0.55))
            e_items.append(float(clip_round(e, 1, 7)))
            p_items.append(float(clip_round(p, 1, 7)))
            if setup.zone is not None:
                a = setup.zone[dim] + 0.6 * e_level[r] + rng.normal(0, 0.5)
                des = float(clip_round(e + rng.normal(0, 0.3), 1, 7))
                a_items.append(float(max(1.0, min(clip_round(a, 1, 7), des - 1))))
                d_items.append(des)
        for j, dim in enumerate(DIMENSIONS):
            sel = [k for k, dd in enumerate(ITEM_DIM) if dd == dim]
            dims_gap[r, j] = np.mean([p_items[k] - e_items[k] for k in sel])
        for k, item in enumerate(ITEM_IDS):
            e, p = e_items[k], p_items[k]
            if rng.random() < 0.006:
                e = None
            if rng.random() < 0.006:
                p = None
            row = [rid, item, e, p]
            if setup.zone is not None:
                a = a_items[k] if rng.random() > 0.004 else None
                row += [a, d_items[k]]
            responses.append(row)
        alpha = np.array([setup.importance[d] for d in DIMENSIONS]) * 0.35
        pts = rng.dirichlet(alpha) * 100
        respondents.append([rid, seg_names[seg[r]], pts])
    # overall rating driven by the gaps (centred on the company's mean gap)
    w = np.array([setup.overall_weights[d] for d in DIMENSIONS])
    centred = dims_gap - dims_gap.mean(axis=0)
    overall = clip_round(4.6 + centred @ w + 0.25 * dims_gap.mean() + rng.normal(0, 0.5, n), 1, 7)
    no_rating = {int(i) for i in rng.choice(n, size=max(2, n // 50), replace=False)}
    out = []
    for r, (rid, segment, pts) in enumerate(respondents):
        points = largest_remainder(pts, 100)
        rating = None if r in no_rating else float(overall[r])
        out.append([rid, segment, rating, *points])
    return responses, out


def largest_remainder(values, total: int) -> list[int]:
    floors = np.floor(values).astype(int)
    short = total - int(floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    floors[order[:short]] += 1
    return [int(v) for v in floors]


READINESS_AREAS = (("ID", 4), ("DF", 4), ("IN", 4), ("PE", 4), ("QA", 2), ("BP", 2), ("TE", 2),
                   ("KS", 2), ("PA", 2), ("CR", 4), ("EM", 2), ("CS", 4))
READINESS_ITEMS = [f"{a}{i}" for a, k in READINESS_AREAS for i in range(1, k + 1)]


def make_readiness(rng, groups: dict, current: dict, preferred: dict, bias: dict):
    """Long readiness answers; ``bias[group][area]`` shifts a group's view of an area."""
    rows = []
    r = 0
    for group, count in groups.items():
        for _ in range(count):
            r += 1
            rid = f"P{r:03d}"
            own = rng.normal(0, 0.35)
            for item in READINESS_ITEMS:
                area = item[:2]
                cur = current[area] + bias.get(group, {}).get(area, 0.0) + own + rng.normal(0, 0.55)
                pref = max(cur, preferred[area] + 0.5 * own + rng.normal(0, 0.45))
                c = float(clip_round(cur, 1, 5))
                p = float(clip_round(pref, 1, 5))
                if rng.random() < 0.015:
                    c = None
                if rng.random() < 0.015:
                    p = None
                rows.append([rid, group, item, c, p])
    return rows


# --------------------------------------------------------------------------- helpers


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


def servqual_rows(responses, respondents, style: Style):
    resp = [[r[0], r[1]] + [style.number(v) for v in r[2:]] for r in responses]
    people = [[r[0], r[1], style.number(r[2])] + [str(v) for v in r[3:]] for r in respondents]
    return resp, people


def readiness_rows(rows, style: Style):
    return [[r[0], r[1], r[2], style.number(r[3]), style.number(r[4])] for r in rows]


SERVQUAL_PEOPLE_HEADER = ["respondent_id", "segment", "overall_rating",
                          "importance_tangibles", "importance_reliability",
                          "importance_responsiveness", "importance_assurance",
                          "importance_empathy"]


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


def customer_created(rng, c: Customer):
    if c.arrival < 75 and rng.random() < 0.85:
        return c.arrival - int(rng.integers(30, 3200))
    return c.arrival - int(rng.integers(0, 4))


# --------------------------------------------------------------------------- movil-andina

PE_CITIES = (("Lima", 0.5), ("Arequipa", 0.1), ("Trujillo", 0.08), ("Cusco", 0.06),
             ("Chiclayo", 0.06), ("Piura", 0.05), ("Huancayo", 0.05), ("Iquitos", 0.03),
             ("Tacna", 0.03), ("Puno", 0.02), ("Cajamarca", 0.02))
PE_COMPANY = ["Comercial", "Inversiones", "Servicios", "Distribuidora", "Transportes",
              "Constructora", "Agroindustrias", "Consultora", "Importaciones", "Textil"]
PE_SUFFIX = ["S.A.C.", "E.I.R.L.", "S.R.L.", "S.A."]


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
                        c.city or "", c.segment, CLEAN.day(c.created),
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
                         rec["phone"] or "", rec["city"] or "", rec["segment"] or "",
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
        categories={"complaint": ("billing", "coverage", "data_speed", "device", "portability",
                                  "customer_service"),
                    "request": ("plan_change", "line_activation", "billing", "roaming",
                                "device"),
                    "suggestion": ("app", "store", "plans"),
                    "praise": ("customer_service", "store", "app")},
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
        segments=(("prepaid", 0.45, {"responsiveness": -0.3, "empathy": -0.2}),
                  ("postpaid", 0.42, {}),
                  ("business", 0.13, {"reliability": -0.3, "assurance": 0.2})),
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
              "partner": {"PA": -0.9}})
    write_csv(out / "readiness_responses.csv",
              ["respondent_id", "group", "item_id", "current", "preferred"],
              readiness_rows(ready, CLEAN), CLEAN)
    return value


# --------------------------------------------------------------------------- distribuidora-norte

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
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
NORTE_PRODUCTS = {  # product: (unit price, margin rate)
    "Tornillería": (0.35, 0.38), "Rodamientos": (14.0, 0.28), "Herramienta eléctrica": (135.0, 0.18),
    "Herramienta manual": (18.0, 0.3), "EPI protección": (9.5, 0.33), "Soldadura": (22.0, 0.24),
    "Neumática": (48.0, 0.26), "Abrasivos": (3.2, 0.35), "Adhesivos y selladores": (7.5, 0.31),
    "Transmisión": (65.0, 0.22)}


def nif(rng) -> str:
    number = int(rng.integers(10_000_000, 80_000_000))
    return f"{number:08d}{NIF_LETTERS[number % 23]}"


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
              "customer": {"IN": -0.9, "PE": -0.7, "CR": -0.5}})
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


# --------------------------------------------------------------------------- hotel-mirador

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
                    c.country, c.city or "", c.segment, CLEAN.day(c.created),
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
        categories={"complaint": ("room", "cleanliness", "noise", "restaurant", "billing",
                                  "reception", "wifi"),
                    "request": ("late_checkout", "room_change", "transfer", "invoice_copy"),
                    "suggestion": ("breakfast", "spa", "parking"),
                    "praise": ("staff", "view", "restaurant")},
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
        segments=(("leisure", 0.62, {"tangibles": 0.2}), ("business", 0.28,
                                                          {"responsiveness": -0.4}),
                  ("group", 0.1, {"empathy": -0.3})),
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
              "partner": {"PA": -0.7, "BP": -0.4}})
    write_csv(out / "readiness_responses.csv",
              ["respondent_id", "group", "item_id", "current", "preferred"],
              readiness_rows(ready, CLEAN), CLEAN)
    return value


# --------------------------------------------------------------------------- engagement

ENGAGEMENT = """\
# The sample engagement: three fictional companies run through every stage of the workbook.
engagement: demo-2024
title: "Taller de relación con clientes: tres empresas de ejemplo"
as_of: "2024-12-31"
language: es
stages: [01_identify, 02_differentiate, 03_interact, 04_personalize, 05_readiness, 06_servqual,
         07_collections]
clients:
  - id: movil-andina
    name: Móvil Andina
    industry: telecom
    data_dir: movil-andina
    language: es
    parameters: {}
    stage_parameters: {}
  - id: distribuidora-norte
    name: Distribuidora Industrial del Norte
    industry: industrial distribution
    data_dir: distribuidora-norte
    language: es
    parameters: {}
    stage_parameters: {}
  - id: hotel-mirador
    name: Hotel Mirador del Lago
    industry: hospitality
    data_dir: hotel-mirador
    language: en
    parameters: {}
    stage_parameters: {}
"""

COMPANIES = {"movil-andina": movil, "distribuidora-norte": distribuidora, "hotel-mirador": hotel}


def generate(out: Path) -> dict:
    """Write every sample file under ``out``; return the net value per customer by company."""
    out.mkdir(parents=True, exist_ok=True)
    values = {}
    for name, build in COMPANIES.items():
        folder = out / name
        folder.mkdir(exist_ok=True)
        values[name] = build(np.random.default_rng(SEEDS[name]), folder)
    (out / "engagement.yaml").write_bytes(ENGAGEMENT.encode("utf-8"))
    return values


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write into (default: this script's folder)")
    args = parser.parse_args(argv)
    values = generate(args.out)
    for name, value in values.items():
        print(f"{name}: {len(value)} buying customers, top 20 % hold "
              f"{100 * top_share(value):.1f} % of net value")


if __name__ == "__main__":
    main()
