"""Shared pieces of the realistic-client generator: seeds, dates, buying histories, writers.

Nothing here imports the sample generator of ``data_samples``: these clients are drawn
independently, so a reader or a stage that only copes with the samples shows up here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

#: Valuation date of every realistic client (the engagement's ``as_of``).
AS_OF = dt.date(2024, 12, 31)
#: First day any realistic client has data for.
START = dt.date(2022, 1, 1)


@dataclass
class ClientTruth:
    """What the generator wrote, for known-answer checks.

    ``n_customers`` counts the distinct customers of the master customer file (the
    first source); ``total_sales`` is the net value of every sale and return line
    (VAT excluded), rounded to cents as written; ``files`` lists the files of the folder.
    """

    kind: str
    client_id: str
    name: str
    language: str
    n_customers: int
    n_buyers: int
    n_transaction_lines: int
    total_sales: float
    n_interactions: int
    n_invoices: int
    n_servqual_respondents: int
    n_readiness_respondents: int
    files: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def make_rng(seed: int, kind: str) -> np.random.Generator:
    """A generator of its own for each client kind and seed."""
    return np.random.default_rng([int(seed), zlib.crc32(kind.encode("utf-8"))])


def instrument(name: str) -> dict:
    """A shipped questionnaire (item ids and texts, scale anchors, group labels) as data.

    The clients answered the workbook's own printed forms, so their exports carry the
    item texts of these files.
    """
    text = (resources.files("crmlib.instruments") / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=int(offset))


N_DAYS = (AS_OF - START).days + 1


def buying_histories(rng: np.random.Generator, n: int, *, mean_rate: float, shape: float,
                     one_time_share: float = 0.0, churn_share: float = 0.25,
                     late_start_share: float = 0.4) -> list[list[dt.date]]:
    """Distinct purchase days per customer over ``START``..``AS_OF``.

    Each customer has a yearly purchase rate drawn from a gamma (``shape``, mean
    ``mean_rate``), a first purchase spread over the period (``late_start_share`` join
    in the last two years), and some stop buying (``churn_share``). ``one_time_share``
    of the customers buy exactly once. Every customer buys at least once.
    """
    out = []
    for _ in range(n):
        first = int(rng.integers(0, N_DAYS // 3)) if rng.random() > late_start_share else \
            int(rng.integers(N_DAYS // 3, N_DAYS - 20))
        if rng.random() < one_time_share:
            out.append([day(first)])
            continue
        last = N_DAYS - 1
        if rng.random() < churn_share:
            last = int(rng.integers(first, N_DAYS))
        rate = rng.gamma(shape, mean_rate / shape) / 365.0
        days = {first}
        t = first
        while rate > 0:
            t += int(np.ceil(rng.exponential(1.0 / rate)))
            if t > last:
                break
            days.add(t)
        out.append([day(d) for d in sorted(days)])
    return out


def money(x: float) -> float:
    return float(np.round(x + 0.0, 2))


def es_number(x: float, decimals: int = 2, thousands: bool = True) -> str:
    """``1234.5`` -> ``"1.234,50"`` as a Spanish ERP prints it."""
    s = f"{x:,.{decimals}f}" if thousands else f"{x:.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding: str = "utf-8",
              sep: str = ",", newline: str = "\n", bom: bool = False,
              quoting: int = csv.QUOTE_MINIMAL) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)


def write_rows(path: Path, rows: list[list], *, encoding: str = "utf-8", sep: str = ",",
               newline: str = "\n", bom: bool = False) -> bytes:
    """Every row as given (several header rows); returns the bytes written."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    return data


_STAMP = dt.datetime(2025, 1, 2, 9, 0, 0)


def save_xlsx(workbook, path: Path) -> None:
    """Save an openpyxl workbook with pinned document and zip-entry times, so the same
    seed writes the same bytes."""
    import re
    import zipfile

    workbook.properties.created = _STAMP
    workbook.properties.creator = "export"
    buf = io.BytesIO()
    workbook.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                              rb"\g<1>2025-01-02T09:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def likert_answers(rng: np.random.Generator, centre: np.ndarray, *, lo: int, hi: int,
                   spread: float = 0.9) -> np.ndarray:
    """Integer answers around ``centre`` (same shape), clipped to the scale."""
    raw = centre + rng.normal(0.0, spread, size=np.shape(centre))
    return np.clip(np.rint(raw), lo, hi).astype(int)


def points_of_100(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` rows of five whole importance points summing exactly to 100, multiples of 5."""
    rows = []
    for _ in range(n):
        share = rng.dirichlet(weights * 6.0)
        pts = np.floor(share * 20).astype(int)
        while pts.sum() < 20:
            pts[int(np.argmax(share * 20 - pts))] += 1
        rows.append(pts * 5)
    return np.array(rows)
