"""«Tienda Olmo»: a small neighbourhood shop sending the bare minimum.

What this client intentionally varies from the sample companies:

- Only the columns each contract requires, nothing optional: customers ``cliente``,
  ``nombre``; sales ``cliente``, ``fecha``, ``importe``; contacts ``caso``, ``cliente``,
  ``apertura`` (no close date, channel, kind or status); credit invoices ``factura``,
  ``cliente``, ``emision``, ``vencimiento``, ``importe`` (no payment columns).
- Dates as ``YYYYMMDD`` numbers (``20240315``).
- Sales compressed: ``transactions.csv.gz``.
- About forty customers, most of them buying once: too few repeat buyers for the
  purchase and value models to be fitted with confidence.
- Both surveys as SurveyMonkey CSV exports (two header rows; the question on the first
  column of each grid, the item below; ``Response`` under a single-choice question),
  asking only what the contracts require: SERVQUAL expectation and perception without
  importance points, overall rating or customer type; readiness current scenario only
  (no preferred scenario), answered with the scale's labels, group "Dirección",
  "Empleados", "Clientes".
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

from . import _surveys
from ._base import AS_OF, ClientTruth, buying_histories, make_rng, write_csv

KIND = "tienda-min"
CLIENT_ID = "tienda-min"
NAME = "Tienda Olmo"

_FIRST = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Raúl", "Sofía", "Diego", "Irene", "Pablo",
          "Clara", "Hugo", "Noelia", "Rubén"]
_LAST = ["Olmo", "Rey", "Vidal", "Prieto", "Cano", "Gil", "Lozano", "Mora", "Rubio", "Santos",
         "Nieto", "Marín"]


def _ymd(d) -> str:
    return d.strftime("%Y%m%d")


def make(folder: Path, seed: int) -> ClientTruth:
    rng = make_rng(seed, KIND)
    folder.mkdir(parents=True, exist_ok=True)
    n = 40
    ids = [f"{k + 1:03d}" for k in range(n)]
    names = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}" for _ in range(n)]
    write_csv(folder / "customers.csv", ["cliente", "nombre"], [[i, nm] for i, nm in zip(ids, names)])

    histories = buying_histories(rng, n, mean_rate=3, shape=0.8, one_time_share=0.6,
                                 churn_share=0.2, late_start_share=0.5)
    lines, total = [], 0.0
    for cid, hist in zip(ids, histories):
        for d in hist:
            amount = round(float(rng.gamma(2.0, 18.0)) + 0.99, 2)
            lines.append((d, cid, amount))
            total += amount
    lines.sort()
    header = "cliente,fecha,importe\n"
    body = "".join(f"{cid},{_ymd(d)},{amount:.2f}\n" for d, cid, amount in lines)
    # mtime fixed so the compressed bytes are the same on every run
    with open(folder / "transactions.csv.gz", "wb") as raw, \
            gzip.GzipFile(filename="transactions.csv", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write((header + body).encode("utf-8"))

    contacts = []
    for k in range(18):
        cid = ids[int(rng.integers(n))]
        opened = AS_OF - dt.timedelta(days=int(rng.integers(0, 700)))
        contacts.append((opened, cid))
    contacts.sort()
    write_csv(folder / "interactions.csv", ["caso", "cliente", "apertura"],
              [[f"{k + 1}", cid, _ymd(d)] for k, (d, cid) in enumerate(contacts)])

    invoices = []
    for k in range(24):
        cid = ids[int(rng.integers(0, 8))]  # a few neighbours buy on credit
        issued = AS_OF - dt.timedelta(days=int(rng.integers(5, 360)))
        invoices.append((issued, cid, round(float(rng.gamma(2.0, 40.0)), 2)))
    invoices.sort()
    write_csv(folder / "invoices.csv", ["factura", "cliente", "emision", "vencimiento", "importe"],
              [[f"T-{k + 1:04d}", cid, _ymd(d), _ymd(d + dt.timedelta(days=30)), f"{a:.2f}"]
               for k, (d, cid, a) in enumerate(invoices)])

    sq = _surveys.servqual_answers(
        rng, 31, gap_by_dimension={"tangibles": 0.8, "reliability": 0.4, "responsiveness": 0.6,
                                   "assurance": 0.2, "empathy": 0.1},
        segments=None, with_importance=False, with_overall=False, blanks=2)
    _surveys.surveymonkey_servqual(rng, sq, folder / "servqual_responses.csv", language="es")
    rd = _surveys.readiness_answers(rng, {"manager": 2, "employee": 4, "customer": 3},
                                    with_preferred=False, blanks=1)
    _surveys.surveymonkey_readiness(rng, rd, folder / "readiness_responses.csv", language="es",
                                    group_labels={"manager": "Dirección", "employee": "Empleados",
                                                  "customer": "Clientes", "partner": "Proveedores"})
    buyers = sum(1 for h in histories if h)
    return ClientTruth(
        kind=KIND, client_id=CLIENT_ID, name=NAME, language="es",
        n_customers=n, n_buyers=buyers, n_transaction_lines=len(lines), total_sales=round(total, 2),
        n_interactions=len(contacts), n_invoices=len(invoices), n_servqual_respondents=sq.n,
        n_readiness_respondents=rd.n, files=sorted(p.name for p in folder.iterdir()),
        extra={"servqual": _surveys.servqual_truth(sq),
               "readiness": _surveys.readiness_truth(rd),
               "one_time_buyers": sum(1 for h in histories if len(h) == 1)},
    )
