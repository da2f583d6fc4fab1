"""«Brightline Analytics, Inc.»: a US B2B software-subscription company.

What this client intentionally varies from the sample companies:

- English everywhere, UTF-8, ``,`` separated, ``.`` decimals (prices over 999 written
  ``"1,500.00"`` inside quotes, as spreadsheet programs save them).
- Dates month first, ``MM/DD/YYYY`` (and ``MM/DD/YYYY HH:MM`` for tickets). Accounts bill
  on their anniversary day, so days above 12 occur in every file and settle the order.
- Sales lines ``transactions.csv`` carry ``Quantity`` (seats) and ``Unit Price`` but no
  amount: the line's value is quantity × unit price. Monthly and annual billing, seat
  changes, cancelled accounts, one-off onboarding packages.
- Customers ``customers.csv`` hold only an id and a name (``Account ID``, ``Account Name``).
- Tickets ``interactions.csv`` (Zendesk-like headers ``Ticket ID``, ``Created At``,
  ``Solved At``, ``Type``, ``Status``, ``Subject``) without any handling ``cost``;
  customers have no ``special`` flag anywhere.
- Receivables ``invoices.csv`` for 2024 on net-30 terms.
- Both surveys as Qualtrics CSV exports (UTF-8 with BOM, CRLF, three header rows: short
  question ids, question texts as the printed forms word them, ``{"ImportId": ...}``).
  SERVQUAL answers are Qualtrics' own seven agreement labels ("Somewhat agree"),
  readiness answers are numbers and the group question's answers "Managers",
  "Employees", "Customers", "Partners".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import _surveys
from ._base import AS_OF, START, ClientTruth, make_rng, write_csv

KIND = "saas-us"
CLIENT_ID = "saas-us"
NAME = "Brightline Analytics, Inc."

_WORDS = ["Summit", "Harbor", "Pioneer", "Cedar", "Granite", "Lakeside", "Redwood", "Beacon",
          "Northstar", "Prairie", "Bluegrass", "Keystone", "Evergreen", "Copper", "Liberty",
          "Magnolia", "Sierra", "Hudson", "Atlas", "Frontier"]
_SUFFIX = ["Logistics", "Health", "Foods", "Labs", "Capital", "Retail", "Dental Group",
           "Manufacturing", "Realty", "Partners", "Outfitters", "Media", "Energy", "Systems"]
_FORM = ["Inc.", "LLC", "Co.", "Corp.", "LLP", ""]
_PLANS = [("Starter seat", 29.0), ("Pro seat", 79.0), ("Enterprise seat", 149.0)]
_ONBOARDING = ("Onboarding package", 1500.0)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _us(d) -> str:
    return d.strftime("%m/%d/%Y")


def _usd(x: float) -> str:
    return f"{x:,.2f}"


def make(folder: Path, seed: int) -> ClientTruth:
    rng = make_rng(seed, KIND)
    folder.mkdir(parents=True, exist_ok=True)
    n = 240
    accounts = []
    used = set()
    for k in range(n):
        while True:
            name = f"{rng.choice(_WORDS)} {rng.choice(_SUFFIX)} {rng.choice(_FORM)}".strip()
            if name not in used:
                used.add(name)
                break
        start = START + dt.timedelta(days=int(rng.integers(0, 1000)))
        accounts.append({"id": f"ACC-{10000 + 13 * k}", "name": name, "start": start,
                         "plan": int(rng.choice(3, p=[0.5, 0.35, 0.15])),
                         "seats": int(rng.integers(1, 8) * (1 + 4 * (rng.random() < 0.2))),
                         "annual": rng.random() < 0.2,
                         "churn": rng.random() < 0.3})
    write_csv(folder / "customers.csv", ["Account ID", "Account Name"],
              [[a["id"], a["name"]] for a in accounts])

    lines, total, k_inv = [], 0.0, 0
    invoices = []
    for a in accounts:
        step = 12 if a["annual"] else 1
        end = AS_OF
        if a["churn"]:
            end = min(AS_OF, a["start"] + dt.timedelta(days=int(rng.integers(60, 900))))
        d, m, seats = a["start"], 0, a["seats"]
        first = True
        while d <= end:
            k_inv += 1
            inv = f"INV-{k_inv:06d}"
            product, price = _PLANS[a["plan"]]
            qty = seats * (12 if a["annual"] else 1)
            inv_lines = [(d, inv, a["id"], product, qty, price)]
            if first and a["plan"] > 0:
                inv_lines.append((d, inv, a["id"], _ONBOARDING[0], 1, _ONBOARDING[1]))
            first = False
            for line in inv_lines:
                total += line[4] * line[5]
            lines.extend(inv_lines)
            invoices.append((inv, a["id"], d, sum(q * p for *_, q, p in inv_lines)))
            if rng.random() < 0.08:
                seats = max(1, seats + int(rng.choice([-2, -1, 1, 2, 3])))
            m += step
            d = _add_months(a["start"], m)
    lines.sort(key=lambda r: (r[0], r[1]))
    write_csv(folder / "transactions.csv",
              ["Invoice Number", "Invoice Date", "Account ID", "Product", "Quantity", "Unit Price"],
              [[inv, _us(d), acc, prod, str(q), _usd(p)] for d, inv, acc, prod, q, p in lines])

    # tickets: Zendesk-like, no cost
    subjects = {"Complaint": ["Dashboard not loading", "Invoice charged twice", "Data sync delayed",
                              "Export broken"],
                "Request": ["Add seats", "SSO setup", "Change billing contact", "API key reset"],
                "Suggestion": ["Dark mode", "More chart types"],
                "Compliment": ["Great onboarding", "Thanks for the quick fix"]}
    t_rows, k_t = [], 0
    for a in accounts:
        life = ((AS_OF if not a["churn"] else min(AS_OF, a["start"] + dt.timedelta(days=400)))
                - a["start"]).days
        for _ in range(int(rng.poisson(1 + life / 300))):
            k_t += 1
            opened = dt.datetime.combine(a["start"], dt.time(7)) + dt.timedelta(
                minutes=int(rng.integers(0, max(life, 1) * 1440)))
            if opened.date() > AS_OF:
                continue
            ty = str(rng.choice(list(subjects), p=[0.4, 0.45, 0.08, 0.07]))
            solved = opened + dt.timedelta(hours=float(rng.gamma(1.1, 20)))
            is_open = solved.date() > AS_OF or rng.random() < 0.03
            t_rows.append([f"{40000 + k_t}", a["id"], opened.strftime("%m/%d/%Y %H:%M"),
                           "" if is_open else solved.strftime("%m/%d/%Y %H:%M"),
                           str(rng.choice(["Email", "Web form", "Chat", "Phone"])), ty,
                           "Open" if is_open else "Solved", str(rng.choice(subjects[ty]))])
    write_csv(folder / "interactions.csv",
              ["Ticket ID", "Account ID", "Created At", "Solved At", "Channel", "Type", "Status",
               "Subject"], t_rows)

    i_rows = []
    for inv, acc, d, amount in invoices:
        if d.year < 2024:
            continue
        due = d + dt.timedelta(days=30)
        paid = due + dt.timedelta(days=int(rng.choice([-20, -10, -2, 0, 3, 12, 45, 120])))
        if paid > AS_OF:
            i_rows.append([inv, acc, _us(d), _us(due), "", _usd(amount), "0.00"])
        else:
            i_rows.append([inv, acc, _us(d), _us(due), _us(paid), _usd(amount), _usd(amount)])
    write_csv(folder / "invoices.csv",
              ["Invoice Number", "Account ID", "Invoice Date", "Due Date", "Paid Date", "Amount",
               "Amount Paid"], i_rows)

    sq = _surveys.servqual_answers(
        rng, 72, gap_by_dimension={"tangibles": 0.2, "reliability": 0.9, "responsiveness": 1.3,
                                   "assurance": 0.4, "empathy": 1.0},
        segments={"Startup": 0.4, "Mid-market": 0.4, "Enterprise": 0.2},
        with_importance=True, with_overall=True)
    sq_ids = _surveys.qualtrics_servqual(rng, sq, folder / "servqual_responses.csv")
    rd = _surveys.readiness_answers(rng, {"manager": 5, "employee": 14, "customer": 8, "partner": 4},
                                    with_preferred=True)
    rd_ids = _surveys.qualtrics_readiness(rng, rd, folder / "readiness_responses.csv",
                                          group_labels={"manager": "Managers", "employee": "Employees",
                                                        "customer": "Customers", "partner": "Partners"})
    assert len(set(sq_ids)) == sq.n and len(set(rd_ids)) == rd.n
    return ClientTruth(
        kind=KIND, client_id=CLIENT_ID, name=NAME, language="en",
        n_customers=n, n_buyers=n, n_transaction_lines=len(lines), total_sales=round(total, 2),
        n_interactions=len(t_rows), n_invoices=len(i_rows), n_servqual_respondents=sq.n,
        n_readiness_respondents=rd.n, files=sorted(p.name for p in folder.iterdir()),
        extra={"servqual": _surveys.servqual_truth(sq),
               "readiness": _surveys.readiness_truth(rd),
               "line_values": [round(q * p, 2) for *_, q, p in lines],
               "servqual_response_ids": sq_ids},
    )
