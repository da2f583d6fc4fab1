"""Needs-survey answers and customer attributes for the segments stage (notebook 09).

Drawn from a random stream of their own (:data:`SEG_SEEDS`), after every other file of the
company is written, so adding them changes no other file. Each company plants a few need
profiles among the customers who answered, so the segmentation has segments to find:

- ``movil-andina`` (B2C): answers of about a tenth of its buyers, and the consumer
  variables of every buyer (age band, region, data usage in GB per month); no category
  spend, so the share of wallet is estimated;
- ``distribuidora-norte`` (B2B): answers of about half its accounts, and their business
  variables (sector, size band) with the yearly spend on industrial supplies at every
  supplier, so the share of wallet uses the client's own figure;
- ``hotel-mirador``: answers of a sample of guests and accounts only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .formatting import CLEAN, MESSY, write_csv

SEG_SEEDS = {"movil-andina": 20240909, "distribuidora-norte": 20240910,
             "hotel-mirador": 20240911}

# Item ids of the needs instrument, by dimension, in questionnaire order.
ITEMS = (("ND01", "price"), ("ND02", "price"), ("ND03", "quality"), ("ND04", "quality"),
         ("ND05", "delivery"), ("ND06", "advice"), ("ND07", "advice"), ("ND08", "range"),
         ("ND09", "convenience"), ("ND10", "relationship"), ("ND11", "relationship"),
         ("ND12", "innovation"))
DIMS = ("price", "quality", "delivery", "advice", "range", "convenience", "relationship",
        "innovation")

# Planted need profiles (mean importance 1-5 per dimension in DIMS order) and their weight.
PROFILES = {
    "movil-andina": [
        ("price", 0.45, (4.7, 3.1, 2.6, 2.2, 3.0, 3.4, 2.0, 2.4)),
        ("tech", 0.30, (2.6, 4.5, 3.0, 3.6, 4.2, 3.2, 2.4, 4.7)),
        ("care", 0.25, (3.2, 3.6, 3.2, 4.5, 2.6, 4.4, 4.6, 2.2)),
    ],
    "distribuidora-norte": [
        ("price", 0.40, (4.8, 3.2, 3.4, 2.0, 3.6, 2.8, 2.2, 2.0)),
        ("service", 0.35, (2.8, 4.2, 4.8, 4.4, 3.2, 3.6, 4.0, 2.8)),
        ("range", 0.25, (3.4, 4.4, 3.0, 3.2, 4.8, 4.2, 2.6, 4.4)),
    ],
    "hotel-mirador": [
        ("value", 0.40, (4.8, 2.6, 2.4, 2.4, 3.6, 2.4, 2.4, 2.2)),
        ("experience", 0.35, (2.4, 4.7, 2.6, 3.4, 4.2, 2.6, 4.6, 3.8)),
        ("business", 0.25, (3.0, 3.4, 4.8, 2.4, 2.2, 4.8, 2.6, 2.0)),
    ],
}

RESPONDENT_SHARE = {"movil-andina": 0.10, "distribuidora-norte": 0.5, "hotel-mirador": 0.3}

MOVIL_REGIONS = ("Lima", "Arequipa", "La Libertad", "Piura", "Cusco", "Junín", "Puno")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
NORTE_SECTORS = ("Construcción", "Industria", "Instaladores", "Ferreterías", "Mantenimiento")
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")


def _answers(rng, ids, company):
    """Long rows (customer, item, answer or None) and the planted profile of each id."""
    names = [p[0] for p in PROFILES[company]]
    weights = np.array([p[1] for p in PROFILES[company]])
    means = np.array([p[2] for p in PROFILES[company]])
    chosen = rng.choice(len(names), size=len(ids), p=weights / weights.sum())
    rows = []
    for cid, k in zip(ids, chosen):
        for item, dim in ITEMS:
            if rng.random() < 0.02:
                rows.append((cid, item, None))
                continue
            mu = means[k, DIMS.index(dim)]
            rows.append((cid, item, int(np.clip(np.rint(mu + rng.normal(0, 0.55)), 1, 5))))
    return rows, dict(zip(ids, chosen))


def _respondents(rng, ids, company):
    n = max(30, int(round(RESPONDENT_SHARE[company] * len(ids))))
    return sorted(rng.choice(ids, size=min(n, len(ids)), replace=False).tolist())


def write_segment_data(company: str, value: dict, out: Path) -> None:
    """Write ``needs_responses.csv`` (and ``customer_attributes.csv`` where the company
    keeps attributes) into ``out`` from the company's buying customers ``value``."""
    rng = np.random.default_rng(SEG_SEEDS[company])
    buyers = sorted(value)
    ids = _respondents(rng, buyers, company)
    rows, planted = _answers(rng, ids, company)
    if company == "distribuidora-norte":
        write_csv(out / "needs_responses.csv", ["Cliente", "Ítem", "Importancia"],
                  [[c, i, "" if a is None else str(a)] for c, i, a in rows], MESSY)
        _distributor_attributes(rng, buyers, planted, value, out)
    else:
        write_csv(out / "needs_responses.csv", ["customer_id", "item_id", "importance"],
                  [[c, i, "" if a is None else str(a)] for c, i, a in rows], CLEAN)
    if company == "movil-andina":
        _operator_attributes(rng, buyers, planted, out)


def _distributor_attributes(rng, buyers, planted, value, out: Path) -> None:
    # Price buyers are mostly small builders and hardware shops; service buyers larger
    # industrial accounts; range buyers installers and maintenance firms.
    sector_p = {0: (0.45, 0.1, 0.1, 0.3, 0.05), 1: (0.1, 0.55, 0.1, 0.05, 0.2),
                2: (0.1, 0.15, 0.4, 0.05, 0.3)}
    size_p = {0: (0.55, 0.35, 0.08, 0.02), 1: (0.1, 0.35, 0.4, 0.15),
              2: (0.3, 0.45, 0.2, 0.05)}
    share_ab = {0: (2.0, 5.0), 1: (6.0, 3.0), 2: (3.0, 3.0)}
    rows = []
    for cid in buyers:
        k = planted.get(cid, int(rng.integers(0, 3)))
        sector = NORTE_SECTORS[rng.choice(5, p=sector_p[k])]
        size = SIZE_BANDS[rng.choice(4, p=size_p[k])]
        # the accounts buy more in their best year than on average over three
        yearly = 1.6 * max(float(value[cid]), 0.0) / 3
        if yearly <= 0 or rng.random() < 0.08:
            spend = ""
        else:
            share = float(np.clip(rng.beta(*share_ab[k]), 0.05, 0.98))
            spend = MESSY.money(round(yearly / share, -1))
        rows.append([cid, sector, size, spend])
    write_csv(out / "customer_attributes.csv",
              ["Cliente", "Sector", "Tamaño", "Gasto anual categoría"], rows, MESSY)


def _operator_attributes(rng, buyers, planted, out: Path) -> None:
    age_p = {0: (0.3, 0.3, 0.2, 0.1, 0.06, 0.04), 1: (0.25, 0.4, 0.2, 0.1, 0.04, 0.01),
             2: (0.03, 0.1, 0.17, 0.25, 0.25, 0.2)}
    usage_mu = {0: 1.0, 1: 2.6, 2: 0.6}  # log GB per month
    rows = []
    for cid in buyers:
        k = planted.get(cid, int(rng.choice(3, p=(0.45, 0.3, 0.25))))
        age = AGE_BANDS[rng.choice(6, p=age_p[k])]
        region = MOVIL_REGIONS[rng.choice(7, p=(0.4, 0.12, 0.1, 0.1, 0.1, 0.1, 0.08))]
        usage = round(float(np.exp(rng.normal(usage_mu[k], 0.5))), 1)
        rows.append([cid, age, region, "" if rng.random() < 0.03 else f"{usage:.1f}"])
    write_csv(out / "customer_attributes.csv",
              ["customer_id", "age_band", "region", "usage_rate"], rows, CLEAN)
