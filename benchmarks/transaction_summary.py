"""Benchmark: per-customer transaction summary at 1, 10 and 100 million rows.

Generates synthetic transactions as Parquet (seeded; under benchmarks/.data,
git-ignored), then times and measures peak memory (RSS) of:

* ``crmlib-pandas``  - ``pd.read_parquet`` + :func:`crmlib.differentiate.customer_summary`
  with ``engine="pandas"`` (NumPy codes and ``bincount``)
* ``crmlib-memory``  - the same with ``engine="duckdb"`` (DuckDB over the in-memory frame)
* ``crmlib-parquet`` - :func:`crmlib.differentiate.customer_summary_parquet` (out of core)
* ``lifetimes``      - ``pd.read_parquet`` +
  ``lifetimes.utils.summary_data_from_transaction_data`` (the peer)

Each engine runs in a fresh child process on the same file, so its peak RSS is
its own (``os.wait4``); "load s" is reading Parquet into pandas, "summary s"
the summary itself (imports excluded), "wall s" the whole child process. lifetimes 0.11 does not import with pandas 3 /
numpy 2; when it is missing here, point ``--peer-python`` (or the environment
variable ``CRMLIB_PEER_PYTHON``) at an interpreter that has ``lifetimes``,
``pandas<2.2`` and ``pyarrow``, e.g.::

    python -m venv /tmp/peer-venv
    /tmp/peer-venv/bin/pip install lifetimes==0.11.3 "pandas<2.2" "numpy<2" "scipy<1.14" pyarrow

Usage::

    python benchmarks/transaction_summary.py                    # 1, 10, 100 million rows
    python benchmarks/transaction_summary.py --sizes 1 10       # millions of rows
    python benchmarks/transaction_summary.py --peer-python /tmp/peer-venv/bin/python

Figures depend on the machine and on what else runs on it; on a shared
machine they are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2024-12-31"

# --------------------------------------------------------------------------- data


def generate(path: Path, n_rows: int, *, seed: int = 42, chunk: int = 5_000_000) -> Path:
    """Write ``n_rows`` synthetic transactions to ``path`` (Parquet), chunk by chunk."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    n_customers = max(1000, n_rows // 20)
    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-01-01", "s")
    schema = pa.schema([("customer_id", pa.string()), ("date", pa.timestamp("us")),
                        ("amount", pa.float64())])
    tmp = path.with_suffix(".part")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        done = 0
        while done < n_rows:
            k = min(chunk, n_rows - done)
            # Skewed customer activity: a few heavy buyers, many occasional ones.
            cust = np.minimum((rng.random(k) ** 1.5 * n_customers).astype(np.int64),
                              n_customers - 1)
            ids = np.char.add("C", np.char.zfill(cust.astype(str), 8))
            seconds = rng.integers(0, 3 * 365 * 86400, k)
            dates = start + seconds.astype("timedelta64[s]")
            amount = np.round(rng.gamma(2.0, 30.0, k), 2)
            returns = rng.random(k) < 0.03
            amount[returns] = -amount[returns]
            table = pa.table({"customer_id": pa.array(ids, pa.string()),
                              "date": pa.array(dates.astype("datetime64[us]")),
                              "amount": pa.array(amount)}, schema=schema)
            writer.write_table(table, row_group_size=1_000_000)
            done += k
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------- engines

CHILD = r'''
import json, sys, time
engine, path, as_of, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
import pandas as pd
if engine.startswith("crmlib-"):
    from crmlib.differentiate import customer_summary, customer_summary_parquet
else:
    from lifetimes.utils import summary_data_from_transaction_data
# Timing starts after the imports: only reading and summarising are measured.
t0 = time.perf_counter()
if engine == "crmlib-parquet":
    t1 = t0
    result = customer_summary_parquet(path, as_of=as_of, time_unit="D", memory_limit="2GB")
    freq = result.set_index("customer_id")["frequency"]
else:
    df = pd.read_parquet(path)
    t1 = time.perf_counter()
    if engine.startswith("crmlib-"):
        how = "pandas" if engine == "crmlib-pandas" else "duckdb"
        result = customer_summary(df, as_of=as_of, time_unit="D", engine=how)
        freq = result.set_index("customer_id")["frequency"]
    else:
        result = summary_data_from_transaction_data(
            df, "customer_id", "date", monetary_value_col="amount",
            observation_period_end=as_of, freq="D")
        freq = result["frequency"]
t2 = time.perf_counter()
if out != "-":
    freq.rename("frequency").astype("int64").to_frame().to_parquet(out)
print(json.dumps({"load_s": t1 - t0, "summary_s": t2 - t1, "rows": len(result)}))
'''


def run_engine(engine: str, python: str, path: Path, out: str = "-",
               timeout: float = 3600) -> dict:
    """Run one engine in a child process; return its timings and peak RSS (MB)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
        start = time.perf_counter()
        proc = subprocess.Popen([python, "-c", CHILD, engine, str(path), AS_OF, out],
                                stdout=fout, stderr=ferr, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage (peak RSS)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        fout.seek(0)
        ferr.seek(0)
        stdout, stderr = fout.read(), ferr.read()
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return {"engine": engine, "error": tail[0]}
    found = stdout.rfind('{"load_s"')
    if found < 0:
        return {"engine": engine, "error": f"no result printed: {stdout[-200:]!r}"}
    info = json.loads(stdout[found:].splitlines()[0])
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return {"engine": engine, "wall_s": wall, "peak_mb": peak_mb, **info}


def peer_python(arg: str | None) -> str | None:
    """An interpreter able to import lifetimes, or None."""
    candidates = [arg, os.environ.get("CRMLIB_PEER_PYTHON"), sys.executable,
                  "/tmp/peer-venv/bin/python"]
    for python in candidates:
        if not python or not Path(python).exists():
            continue
        ok = subprocess.run([python, "-c", "import lifetimes.utils, pyarrow"], check=False,
                            capture_output=True).returncode == 0
        if ok:
            return python
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1, 10, 100],
                        help="millions of rows (default: 1 10 100)")
    parser.add_argument("--data-dir", default=str(HERE / ".data"))
    parser.add_argument("--peer-python", default=None)
    parser.add_argument("--peer-max", type=float, default=10,
                        help="largest size (millions) given to lifetimes (default 10)")
    parser.add_argument("--pandas-max", type=float, default=10,
                        help="largest size (millions) loaded in memory for crmlib pandas")
    args = parser.parse_args(argv)

    peer = peer_python(args.peer_python)
    print(f"peer (lifetimes): {peer or 'not available - pass --peer-python'}")
    print(f"{'rows':>12} {'engine':<14} {'load s':>8} {'summary s':>10} {'wall s':>8} "
          f"{'peak MB':>9} {'customers':>10}  note")
    for size in args.sizes:
        n = int(size * 1_000_000)
        t0 = time.perf_counter()
        path = generate(Path(args.data_dir) / f"transactions_{n}.parquet", n)
        gen = time.perf_counter() - t0
        mb = path.stat().st_size / 2**20
        print(f"{n:>12,} {'(data)':<14} {'':>8} {'':>10} {gen:>8.1f} {'':>9} {'':>10}  "
              f"{mb:,.0f} MB Parquet")
        engines = [("crmlib-parquet", sys.executable)]
        if size <= args.pandas_max:
            engines += [("crmlib-pandas", sys.executable), ("crmlib-memory", sys.executable)]
        if peer and size <= args.peer_max:
            engines.append(("lifetimes", peer))
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            for engine, python in engines:
                out = str(Path(tmp) / f"{engine}.parquet") if size <= 1 else "-"
                r = run_engine(engine, python, path, out)
                results[engine] = r
                if "error" in r:
                    print(f"{n:>12,} {engine:<14} failed: {r['error']}")
                    continue
                print(f"{n:>12,} {engine:<14} {r['load_s']:>8.1f} {r['summary_s']:>10.1f} "
                      f"{r['wall_s']:>8.1f} {r['peak_mb']:>9,.0f} {r['rows']:>10,}", flush=True)
            if size <= 1 and all("error" not in r for r in results.values()):
                import pandas as pd

                freqs = {e: pd.read_parquet(Path(tmp) / f"{e}.parquet")["frequency"]
                         for e in results}
                import duckdb

                base = freqs.pop("crmlib-parquet")
                # lifetimes counts a day of returns only as a purchase day and crmlib does
                # not, so the fair comparison is on customers who never returned anything.
                with duckdb.connect() as con:
                    with_returns = con.execute(
                        "SELECT DISTINCT customer_id FROM read_parquet($p) WHERE amount < 0",
                        {"p": str(path)}).df()["customer_id"].tolist()
                for e, f in freqs.items():
                    a, b = base.align(f.astype("int64"), join="outer")
                    equal = float((a == b).mean())
                    clean = ~a.index.isin(with_returns)
                    equal_clean = float((a[clean] == b[clean]).mean())
                    print(f"{'':>12} check: frequency per customer, crmlib-parquet vs {e}: "
                          f"{equal:.1%} equal; {equal_clean:.1%} among the {clean.sum():,} "
                          "customers without returns")
        peer_r = results.get("lifetimes")
        for name in ("crmlib-pandas", "crmlib-memory", "crmlib-parquet"):
            r = results.get(name)
            if r and peer_r and "error" not in r and "error" not in peer_r:
                print(f"{'':>12} speed-up of {name} over lifetimes (summary step): "
                      f"{peer_r['summary_s'] / r['summary_s']:.1f}x; "
                      f"end to end from Parquet: {peer_r['wall_s'] / r['wall_s']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
