"""Engagement runner against a plain serial loop of the papermill and nbconvert commands.

Builds an engagement of N synthetic clients (copies of the three sample
companies under new ids), then, in the same run:

1. ``crmlib.batch.run_engagement`` (warm kernels, parallel workers, HTML, Excel,
   results.json, results store; PDF off, as the loop makes none);
2. the loop a consultant would write by hand: for every client and stage,
   ``papermill NB OUT -f params.yaml`` then ``jupyter nbconvert --to html --no-input OUT``.

Prints wall times, the speed-up, and the overhead per notebook beyond its own
work (the seconds spent in its cells, from papermill's per-cell timings):

    runner overhead/notebook = (wall x workers - sum of cell seconds) / notebooks

which charges every idle or non-cell second of every worker to the notebooks.

Usage::

    python benchmarks/batch.py                      # 20 clients, every stage notebook
    python benchmarks/batch.py --clients 4 --stages 03_interact 05_readiness
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crmlib import batch

SAMPLES = ("movil-andina", "distribuidora-norte", "hotel-mirador")


def make_engagement(base: Path, n_clients: int, stages: list[str]) -> Path:
    sample_eng = yaml.safe_load((ROOT / "data_samples" / "engagement.yaml").read_text())
    by_id = {c["id"]: c for c in sample_eng["clients"]}
    clients = []
    for i in range(n_clients):
        sample = SAMPLES[i % len(SAMPLES)]
        cid = f"client-{i + 1:02d}"
        shutil.copytree(ROOT / "data_samples" / sample, base / "data" / cid)
        clients.append({"id": cid, "name": f"{by_id[sample]['name']} {i + 1}",
                        "industry": by_id[sample]["industry"], "data_dir": f"data/{cid}",
                        "language": by_id[sample].get("language", "es")})
    eng = {"engagement": "bench", "title": "Benchmark", "as_of": sample_eng["as_of"],
           "language": "es", "notebooks": str(ROOT / "notebooks"), "stages": stages,
           "clients": clients}
    path = base / "engagement.yaml"
    path.write_text(yaml.safe_dump(eng, allow_unicode=True, sort_keys=False))
    return path


def cell_seconds(nb_path: Path) -> float:
    nb = nbformat.read(nb_path, as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)


def serial_loop(jobs: list[batch.Job], out: Path) -> tuple[float, float, int]:
    bindir = Path(sys.executable).parent
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    cells, failures = 0.0, 0
    t0 = time.perf_counter()
    for job in jobs:
        folder = out / job.client_id / job.stage
        folder.mkdir(parents=True, exist_ok=True)
        params = folder / "params.yaml"
        params.write_text(yaml.safe_dump(dict(job.parameters, output_dir=str(folder)),
                                         allow_unicode=True))
        nb_out = folder / f"{job.stage}.ipynb"
        run = subprocess.run([str(bindir / "papermill"), job.notebook, str(nb_out), "-f",
                              str(params), "-k", "python3", "--cwd",
                              str(Path(job.notebook).parent), "--no-progress-bar"],
                             capture_output=True, env=env, check=False)
        if run.returncode != 0:
            failures += 1
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(nb_out)], capture_output=True, env=env, check=False)
        cells += cell_seconds(nb_out) if nb_out.exists() else 0.0
    return time.perf_counter() - t0, cells, failures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--stages", nargs="+", default=None,
                        help="stages to run (default: every stage notebook that exists)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--skip-serial", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    sample_stages = yaml.safe_load((ROOT / "data_samples" / "engagement.yaml").read_text())["stages"]
    stages = args.stages or [s for s in sample_stages if (ROOT / "notebooks" / f"{s}.ipynb").exists()]
    work = Path(tempfile.mkdtemp(prefix="crmlib-bench-"))
    try:
        eng = make_engagement(work, args.clients, stages)
        jobs, _, _ = batch.plan_jobs(eng, out=work / "batch", portfolio=False)
        n = len(jobs)
        print(f"{args.clients} clients x {len(stages)} stages = {n} notebooks; "
              f"{os.cpu_count()} cores; runner workers: {args.jobs}")
        print(f"stages: {' '.join(stages)}")

        t0 = time.perf_counter()
        manifest = batch.run_engagement(eng, out=work / "batch", jobs=args.jobs, pdf=False,
                                        portfolio=False, progress=False)
        wall_b = time.perf_counter() - t0
        cells_b = manifest["cells_s"].astype(float).sum()
        failed_b = int((manifest["status"] != "completed").sum())
        over_b = (wall_b * args.jobs - cells_b) / n
        per_job = (manifest["duration_s"].astype(float) - manifest["cells_s"].astype(float)).mean()
        print(f"crmlib run     : {wall_b:8.1f} s wall, {cells_b:8.1f} s in cells, "
              f"{failed_b} failed")
        print(f"  overhead per notebook beyond its cells: {over_b:.2f} s "
              f"(wall x workers - cell seconds, / notebooks); "
              f"per job outside cells: {per_job:.2f} s")
        if args.skip_serial:
            return
        wall_s, cells_s, failed_s = serial_loop(jobs, work / "serial")
        over_s = (wall_s - cells_s) / n
        print(f"serial loop    : {wall_s:8.1f} s wall, {cells_s:8.1f} s in cells, "
              f"{failed_s} failed  (papermill + jupyter nbconvert --no-input per notebook)")
        print(f"  overhead per notebook beyond its cells: {over_s:.2f} s")
        print(f"speed-up       : {wall_s / wall_b:.2f}x")
    finally:
        if args.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
