"""Write the four realistic clients and their engagement file into a folder.

    cd tests && python -m realistic_clients OUT [--seed N]

then ``crmlib validate OUT/engagement.yaml`` and ``crmlib run OUT/engagement.yaml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import DEFAULT_SEED, make_engagement


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m realistic_clients",
                                     description="Write the realistic clients into a folder.")
    parser.add_argument("out", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same bytes")
    args = parser.parse_args(argv)
    path, truths = make_engagement(args.out, seed=args.seed)
    for truth in truths.values():
        print(f"{truth.client_id}: {truth.n_customers} customers, {truth.n_transaction_lines} "
              f"sale lines, net sales {truth.total_sales:,.2f}; files: {', '.join(truth.files)}")
    print(f"engagement: {path}")


if __name__ == "__main__":
    main()
