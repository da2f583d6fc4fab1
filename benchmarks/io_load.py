"""Time crmlib.io.read_table on the largest sample file and on regional variants of it.

Run: python benchmarks/io_load.py [repeats]
Prints the best wall time of each case; nothing is asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from crmlib.io import read_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples" / "movil-andina" / "transactions.csv"


def best_of(path, repeats: int, **options) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        n = len(read_table(path, "transactions", **options))
        times.append(time.perf_counter() - start)
    return min(times), n


def main(repeats: int = 3) -> None:
    if not SAMPLE.exists():
        sys.exit(f"missing {SAMPLE.relative_to(ROOT)}: generate the sample data first")
    base = read_table(SAMPLE, "transactions")
    with tempfile.TemporaryDirectory() as tmp:
        es = base.copy()
        es["date"] = es["date"].dt.strftime("%d/%m/%Y")
        es["amount"] = es["amount"].map(lambda x: f"{x:,.2f}".replace(",", "_").replace(
            ".", ",").replace("_", "."))
        es_path = Path(tmp) / "transactions_es.csv"
        es.to_csv(es_path, sep=";", index=False, encoding="cp1252")
        xlsx_path = Path(tmp) / "transactions.xlsx"
        base.head(20_000).to_excel(xlsx_path, index=False)
        cases = [
            ("sample CSV (UTF-8, ',', ISO dates)", SAMPLE),
            ("same rows as cp1252, ';', decimal comma, dd/mm/yyyy", es_path),
            ("20,000 rows as .xlsx", xlsx_path),
        ]
        for label, path in cases:
            seconds, n = best_of(path, repeats)
            print(f"{label:<55} {n:>7,} rows  {seconds:6.2f} s  "
                  f"({n / seconds / 1000:,.0f}k rows/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
