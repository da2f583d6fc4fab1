"""«Ferreteria Garrotxa»: a Catalan hardware shop and trade counter sending the bare minimum.

What this client intentionally varies from the sample companies and the other realistic
clients:

- Catalan headers, as a Catalan ERP writes them: customers ``Codi client``, ``Nom``;
  sales ``Client``, ``Data``, ``Import``; tickets ``Núm. incidència``, ``Client``,
  ``Data obertura``; credit invoices ``Núm. factura``, ``Client``, ``Data factura``,
  ``Venciment``, ``Import``.
- Only the columns each contract requires, nothing optional (no close date, channel or
  kind on tickets, no payment columns on invoices, no quantity on sales).
- Dates as Excel serial numbers (``45366`` = 15 March 2024): number cells without a date
  format in the workbooks, and plain numbers in the one CSV file.
- Customers, sales and invoices as Excel workbooks (``.xlsx``); tickets as a Windows-1252
  CSV with ``;``.
- Both surveys as SurveyMonkey Excel exports (``.xlsx``, two header rows: the question on
  the first column of each grid, the item below; ``Response`` under a single-choice
  question), asking only what the contracts require: SERVQUAL expectation and perception
  (no importance points, overall rating or customer type), readiness current scenario
  only, answered with numbers, groups "Gerencia", "Personal", "Clientes" (the form was
  printed in Spanish).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import _surveys
from ._base import AS_OF, ClientTruth, buying_histories, make_rng, save_xlsx, write_csv

KIND = "ferreteria-cat"
CLIENT_ID = "ferreteria-cat"
NAME = "Ferreteria Garrotxa"

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FIRST = ["Jordi", "Montserrat", "Pere", "Núria", "Joan", "Mercè", "Josep", "Laia", "Marc",
          "Anna", "Oriol", "Roser", "Pau", "Meritxell", "Arnau", "Gemma"]
_LAST = ["Puig", "Vila", "Soler", "Serra", "Font", "Pujol", "Roca", "Casals", "Bosch", "Ferrer",
         "Vidal", "Camps", "Riera", "Batlle", "Sala", "Masó"]
_TRADES = ["Construccions", "Instal·lacions", "Fusteria", "Lampisteria", "Reformes", "Pintures"]


def serial(d) -> int:
    """Excel's day number of ``d`` (1900 date system)."""
    return (d - _EXCEL_EPOCH).days


def _workbook(path: Path, title: str, header: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    save_xlsx(wb, path)


def make(folder: Path, seed: int) -> ClientTruth:
    rng = make_rng(seed, KIND)
    folder.mkdir(parents=True, exist_ok=True)
    n = 90
    ids = [f"C{700 + 3 * k:05d}" for k in range(n)]
    names = []
    for _ in range(n):
        if rng.random() < 0.4:
            names.append(f"{rng.choice(_TRADES)} {rng.choice(_LAST)} SL")
        else:
            names.append(f"{rng.choice(_FIRST)} {rng.choice(_LAST)} i {rng.choice(_LAST)}")
    _workbook(folder / "customers.xlsx", "Clients", ["Codi client", "Nom"],
              [[i, nm] for i, nm in zip(ids, names)])

    histories = buying_histories(rng, n, mean_rate=9, shape=1.0, one_time_share=0.2,
                                 churn_share=0.25)
    lines, total = [], 0.0
    for cid, hist in zip(ids, histories):
        for d in hist:
            for _ in range(int(rng.integers(1, 3))):
                amount = round(float(rng.gamma(1.6, 45.0)) + 1.5, 2)
                if rng.random() < 0.02:
                    amount = -round(amount / 3, 2)   # a return at the counter
                lines.append((d, cid, amount))
                total += amount
    lines.sort()
    _workbook(folder / "transactions.xlsx", "Vendes", ["Client", "Data", "Import"],
              [[cid, serial(d), amount] for d, cid, amount in lines])

    tickets = []
    for k in range(35):
        cid = ids[int(rng.integers(n))]
        opened = AS_OF - dt.timedelta(days=int(rng.integers(0, 720)))
        tickets.append((opened, cid))
    tickets.sort()
    write_csv(folder / "interactions.csv", ["Núm. incidència", "Client", "Data obertura"],
              [[f"INC-{k + 1:04d}", cid, str(serial(d))] for k, (d, cid) in enumerate(tickets)],
              encoding="cp1252", sep=";", newline="\r\n")

    invoices = []
    trade = [i for i, nm in zip(ids, names) if nm.endswith(" SL")]
    for k in range(60):
        cid = trade[int(rng.integers(len(trade)))]
        issued = AS_OF - dt.timedelta(days=int(rng.integers(3, 400)))
        invoices.append((issued, cid, round(float(rng.gamma(2.0, 160.0)), 2)))
    invoices.sort()
    _workbook(folder / "invoices.xlsx", "Factures",
              ["Núm. factura", "Client", "Data factura", "Venciment", "Import"],
              [[f"F{d.year % 100:02d}-{k + 1:04d}", cid, serial(d),
                serial(d + dt.timedelta(days=60)), a]
               for k, (d, cid, a) in enumerate(invoices)])

    sq = _surveys.servqual_answers(
        rng, 40, gap_by_dimension={"tangibles": 0.5, "reliability": 0.9, "responsiveness": 0.3,
                                   "assurance": 0.2, "empathy": 0.6},
        segments=None, with_importance=False, with_overall=False, blanks=2)
    sq_ids = _surveys.surveymonkey_servqual(rng, sq, folder / "servqual_responses.xlsx",
                                            language="es")
    rd = _surveys.readiness_answers(rng, {"manager": 3, "employee": 7, "customer": 5},
                                    with_preferred=False, blanks=2)
    rd_ids = _surveys.surveymonkey_readiness(
        rng, rd, folder / "readiness_responses.xlsx", language="es",
        group_labels={"manager": "Gerencia", "employee": "Personal", "customer": "Clientes",
                      "partner": "Proveedores"}, use_anchor_labels=False)
    assert len(set(sq_ids)) == sq.n and len(set(rd_ids)) == rd.n
    return ClientTruth(
        kind=KIND, client_id=CLIENT_ID, name=NAME, language="es",
        n_customers=n, n_buyers=sum(1 for h in histories if h),
        n_transaction_lines=len(lines), total_sales=round(total, 2),
        n_interactions=len(tickets), n_invoices=len(invoices), n_servqual_respondents=sq.n,
        n_readiness_respondents=rd.n, files=sorted(p.name for p in folder.iterdir()),
        extra={"servqual": _surveys.servqual_truth(sq),
               "readiness": _surveys.readiness_truth(rd),
               "first_sale_serial": serial(lines[0][0]),
               "first_sale_date": lines[0][0].isoformat()},
    )
