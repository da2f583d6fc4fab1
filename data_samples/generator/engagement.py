"""The engagement file, the whole run and the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ._common import SEEDS

#: The folder ``generate_samples.py`` writes into by default (``data_samples/``).
HERE = Path(__file__).resolve().parents[1]
from .distribuidora_norte import distribuidora
from .followup import generate_followup
from .hotel_mirador import hotel
from .movil_andina import movil
from .segments import write_segment_data
from .transactions import top_share

ENGAGEMENT = """\
# The sample engagement: three fictional companies run through every stage of the workbook.
engagement: demo-2024
title: "Taller de relación con clientes: tres empresas de ejemplo"
as_of: "2024-12-31"
language: es
stages: [01_identify, 02_differentiate, 03_interact, 04_personalize, 05_readiness, 06_servqual,
         07_collections, 08_follow_up, 09_segments]
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
        write_segment_data(name, values[name], folder)
    generate_followup(out, values)
    (out / "engagement.yaml").write_bytes(ENGAGEMENT.encode("utf-8"))
    return values


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the three fictional sample "
                                                 "companies of data_samples/.")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write into (default: this script's folder)")
    args = parser.parse_args(argv)
    values = generate(args.out)
    for name, value in values.items():
        print(f"{name}: {len(value)} buying customers, top 20 % hold "
              f"{100 * top_share(value):.1f} % of net value")
