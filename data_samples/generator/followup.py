"""The follow-up programme of two sample companies (notebook 08_follow_up).

hotel-mirador runs most of the programme: post-stay surveys by touchpoint, mystery guests
at three sites, a critical incident study, a soft-indicator survey and decisions on the
suggestions its guests leave (the ``suggestion`` rows of its interactions).
movil-andina interviews the customers it lost, in Spanish words the workbook codes.

Each company draws from its own generator seeded apart from the company's main one, so
adding these files leaves every other sample file byte-identical.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np

from ._common import BASE, DAY_MIN, LAST_DAY
from .formatting import CLEAN, write_csv
from .names import pick

#: Seeds of the follow-up streams, apart from the companies' own seeds.
FOLLOWUP_SEEDS = {"hotel-mirador": 20240808, "movil-andina": 20240809}

# touchpoint: (mean score at the start, change per year)
HOTEL_TOUCHPOINTS = {"Check-in": (4.2, 0.0), "Room": (4.0, 0.05), "Restaurant": (3.9, -0.35),
                     "Spa": (4.4, 0.0), "Check-out": (4.1, 0.1)}
HOTEL_SURVEY_CHANNELS = (("E-mail", 0.6), ("SMS", 0.25), ("Phone call", 0.15))
LOW_COMMENTS = {
    "Check-in": ["Esperé demasiado en recepción", "La habitación no estaba lista a la hora de llegada"],
    "Room": ["El aire acondicionado hacía ruido", "El baño no estaba bien limpio"],
    "Restaurant": ["El desayuno se acabó pronto", "Servicio lento en la cena", "Comida fría"],
    "Spa": ["El tratamiento empezó tarde"],
    "Check-out": ["Error en la factura", "Cola en la salida"],
}
HIGH_COMMENTS = ["Personal encantador", "Gran vista del lago", "Volveremos", ""]

MYSTERY_SITES = {"Front desk": 0.86, "Restaurant": 0.68, "Phone reservations": 0.78}
MYSTERY_ITEMS = [f"MS{i:02d}" for i in range(1, 13)]
# how much harder each item is to meet than the site's average
MYSTERY_ITEM_SHIFT = dict(zip(MYSTERY_ITEMS, [0.6, -0.2, -0.9, 0.8, -1.1, -0.3, 0.4, 0.0, 0.7,
                                              0.2, -0.6, 0.3]))

INCIDENTS = {
    ("Staff", "positive"): ["La recepcionista nos mejoró la habitación por nuestro aniversario",
                            "Un camarero recordó mi alergia del año anterior"],
    ("Staff", "negative"): ["El conserje de noche fue grosero cuando pedimos ayuda",
                            "Nadie en recepción nos atendió durante diez minutos"],
    ("Waiting", "negative"): ["Cuarenta minutos esperando mesa en el desayuno",
                              "La habitación estuvo lista dos horas después de la hora de entrada"],
    ("Room", "positive"): ["La camarera de pisos dejó una nota y flores para mi hija"],
    ("Room", "negative"): ["Goteras en el techo y ninguna otra habitación ofrecida",
                           "La calefacción no funcionó una noche fría"],
    ("Billing", "negative"): ["Nos cobraron dos veces el spa y tardaron semanas en devolverlo"],
    ("Recovery", "positive"): ["Tras una noche ruidosa nos cambiaron de habitación y nos invitaron a cenar",
                               "El director llamó para disculparse por el error en la factura"],
    ("Food", "positive"): ["El chef preparó un menú especial para nuestro grupo"],
    ("Food", "negative"): ["Comida fría en la cena de la boda"],
}
INCIDENT_WEIGHTS = {("Staff", "positive"): 0.14, ("Staff", "negative"): 0.12,
                    ("Waiting", "negative"): 0.16, ("Room", "positive"): 0.05,
                    ("Room", "negative"): 0.12, ("Billing", "negative"): 0.07,
                    ("Recovery", "positive"): 0.12, ("Food", "positive"): 0.1,
                    ("Food", "negative"): 0.12}

SOFT_DIMENSIONS = ("satisfaction", "availability", "accessibility", "courtesy", "speed",
                   "trust", "competence", "communication")
SOFT_MEANS = {"satisfaction": 5.4, "availability": 5.0, "accessibility": 5.6,
              "courtesy": 6.0, "speed": 4.6, "trust": 5.7, "competence": 5.5,
              "communication": 4.9}

ACTIONS = (("adopted", 0.3), ("planned", 0.2), ("declined", 0.25), ("under_review", 0.25))
ACTION_NOTES = {
    "Breakfast": {"adopted": "Rincón sin gluten en el bufé",
                  "planned": "Horario de desayuno más amplio desde la próxima temporada",
                  "declined": "Desayuno en la habitación inviable con la plantilla actual",
                  "under_review": "Productos locales en el bufé"},
    "Spa": {"adopted": "Apertura por la tarde los viernes",
            "planned": "Sala de tratamientos para parejas en la reforma",
            "declined": "Un horario infantil molestaría a otros huéspedes",
            "under_review": "Reserva de tratamientos por internet"},
    "Parking": {"adopted": "Cargador para coches eléctricos instalado",
                "planned": "Aparcamiento cubierto para motos",
                "declined": "Aparcacoches gratuito",
                "under_review": "Aparcamiento incluido en los paquetes de fin de semana"},
}

LOST_REASONS = (
    ("La tarifa era demasiado cara para lo que usaba", 0.2),
    ("Otro operador me ofreció el doble de datos por el mismo precio", 0.22),
    ("Mala atención en la tienda, nadie resolvió mi reclamo", 0.16),
    ("Poca cobertura en mi casa y en el trabajo", 0.14),
    ("Me mudé a otra ciudad", 0.09),
    ("Ya no necesito la segunda línea", 0.07),
    ("Cobros que no entendía en la factura y una queja sin respuesta", 0.05),
    ("Prefiero no decirlo", 0.07),
)


def _clip_score(x: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(x))))


def _read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def hotel_followup(rng, out: Path, value: dict) -> None:
    guests = sorted(value)
    # post-stay survey: 1,400 answers over the three years
    rows = []
    names = list(HOTEL_TOUCHPOINTS)
    for k in range(1400):
        day = int(rng.integers(0, LAST_DAY + 1))
        tp = pick(rng, names, [0.28, 0.26, 0.22, 0.1, 0.14])
        start, per_year = HOTEL_TOUCHPOINTS[tp]
        score = _clip_score(rng.normal(start + per_year * day / 365.25, 0.9), 1, 5)
        ch = pick(rng, [c for c, _ in HOTEL_SURVEY_CHANNELS], [p for _, p in HOTEL_SURVEY_CHANNELS])
        cust = guests[int(rng.integers(len(guests)))] if rng.random() < 0.93 else ""
        comment = pick(rng, LOW_COMMENTS[tp]) if score <= 2 else \
            (pick(rng, HIGH_COMMENTS) if score == 5 and rng.random() < 0.3 else "")
        minute = day * DAY_MIN + int(rng.integers(8 * 60, 22 * 60))
        rows.append([f"PS{k + 1:05d}", cust, CLEAN.stamp(minute), tp, ch, str(score), comment])
    rows.sort(key=lambda r: (r[2], r[0]))
    write_csv(out / "post_transaction_survey.csv",
              ["response_id", "customer_id", "answered_at", "touchpoint", "channel", "score",
               "comment"], rows, CLEAN)

    # mystery guests: one visit per site and month in 2023-2024
    rows, v = [], 0
    first = (date(2023, 1, 1) - BASE).days
    for month in range(24):
        for site, level in MYSTERY_SITES.items():
            v += 1
            day = first + int(month * 30.4) + int(rng.integers(0, 28))
            logit_site = np.log(level / (1 - level)) + 0.02 * month
            for item in MYSTERY_ITEMS:
                p = 1 / (1 + np.exp(-(logit_site + MYSTERY_ITEM_SHIFT[item])))
                met = "yes" if rng.random() < p else "no"
                if rng.random() < 0.02:
                    met = ""  # not observed on that visit
                rows.append([f"V{v:04d}", site, CLEAN.day(day), item, met])
    write_csv(out / "mystery_shopper.csv",
              ["visit_id", "site", "visited_at", "item_id", "compliant"], rows, CLEAN)

    # critical incident study: 150 stories collected in 2024
    keys = list(INCIDENT_WEIGHTS)
    weights = np.array([INCIDENT_WEIGHTS[k] for k in keys])
    rows = []
    start24 = (date(2024, 1, 1) - BASE).days
    for k in range(150):
        cat, val = keys[int(rng.choice(len(keys), p=weights / weights.sum()))]
        story = pick(rng, INCIDENTS[(cat, val)])
        cust = guests[int(rng.integers(len(guests)))]
        rows.append([f"CI{k + 1:04d}", cust, CLEAN.day(start24 + int(rng.integers(0, 366))),
                     val, cat, story])
    rows.sort(key=lambda r: (r[2], r[0]))
    write_csv(out / "critical_incidents.csv",
              ["incident_id", "customer_id", "reported_at", "valence", "category",
               "description"], rows, CLEAN)

    # soft-indicator survey: 180 respondents, 16 items (two per indicator), 1-7
    rows = []
    for r in range(180):
        general = rng.normal(0, 0.7)
        for d, dim in enumerate(SOFT_DIMENSIONS):
            latent = SOFT_MEANS[dim] + general + rng.normal(0, 0.6)
            for j in range(2):
                item = f"SI{2 * d + j + 1:02d}"
                answer = "" if rng.random() < 0.015 else \
                    str(_clip_score(latent + rng.normal(0, 0.55), 1, 7))
                rows.append([f"S{r + 1:04d}", item, answer])
    write_csv(out / "soft_indicators.csv", ["respondent_id", "item_id", "perception"], rows,
              CLEAN)

    # decisions on the suggestions of the interactions file
    rows = []
    for rec in _read_rows(out / "interactions.csv"):
        if rec["kind"] != "suggestion" or rng.random() < 0.12:
            continue
        action = pick(rng, [a for a, _ in ACTIONS], [p for _, p in ACTIONS])
        opened = date.fromisoformat(rec["opened_at"][:10])
        answered = (opened - BASE).days + int(rng.gamma(2.0, 6.0)) + 1
        answered_text = CLEAN.day(answered) if answered <= LAST_DAY and \
            rng.random() < 0.9 else ""
        note = ACTION_NOTES.get(rec["category"], {}).get(action, "")
        rows.append([rec["interaction_id"], action, answered_text, note])
    write_csv(out / "suggestion_actions.csv", ["interaction_id", "action", "answered_at", "note"],
              rows, CLEAN)


def movil_followup(rng, out: Path) -> None:
    last = {}
    for rec in _read_rows(out / "transactions.csv"):
        cid = rec["customer_id"]
        if cid:
            last[cid] = max(last.get(cid, ""), rec["date"][:10])
    cutoff = "2024-06-30"
    gone = sorted(c for c, d in last.items() if d < cutoff)
    chosen = sorted(str(c) for c in rng.choice(gone, size=min(260, len(gone)), replace=False))
    texts = [r for r, _ in LOST_REASONS]
    probs = [p for _, p in LOST_REASONS]
    rows = []
    for cid in chosen:
        lost_day = (date.fromisoformat(last[cid]) - BASE).days + int(rng.integers(20, 60))
        rows.append([cid, CLEAN.day(min(lost_day, LAST_DAY)), pick(rng, texts, probs)])
    write_csv(out / "lost_customers.csv", ["customer_id", "lost_at", "reason"], rows, CLEAN)


def generate_followup(out: Path, values: dict) -> None:
    """Write the follow-up files of the companies that run the programme."""
    hotel_followup(np.random.default_rng(FOLLOWUP_SEEDS["hotel-mirador"]),
                   out / "hotel-mirador", values["hotel-mirador"])
    movil_followup(np.random.default_rng(FOLLOWUP_SEEDS["movil-andina"]), out / "movil-andina")
