"""Invented people: names, e-mail addresses, phone numbers and typing slips."""

from __future__ import annotations

import unicodedata

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


NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def nif(rng) -> str:
    number = int(rng.integers(10_000_000, 80_000_000))
    return f"{number:08d}{NIF_LETTERS[number % 23]}"
