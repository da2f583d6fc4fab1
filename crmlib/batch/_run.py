"""The run: manifest, summary, results store, and checking an engagement without running it."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pandas as pd

from crmlib import __version__
from crmlib._files import atomic_write_text
from crmlib.batch._engagement import (
    MANIFEST_FILE,
    PORTFOLIO_PREFIX,
    STORE_FILE,
    SUMMARY_FILE,
    SUMMARY_PREFIX,
    load_engagement,
)
from crmlib.batch._execute import _job_dir, _read_job_record, is_disk_full_text, is_up_to_date
from crmlib.batch._guard import DiskFullError, Interrupt, OutputLock, is_disk_full
from crmlib.batch._jobs import Job, _digest, parse_shard, plan_jobs
from crmlib.batch._workers import _dask_results, _LocalWorkers
from crmlib.exceptions import CrmlibError, ParameterError
from crmlib.store import duckdb_problem, open_store, set_aside

log = logging.getLogger("crmlib.batch")

# --------------------------------------------------------------------------- manifest, summary

_MANIFEST_COLUMNS = ["run_id", "engagement", "client_id", "industry", "stage", "status", "action",
                     "started_at", "duration_s", "cells_s", "attempts", "parameter_hash",
                     "input_hash", "crmlib_version", "notebook", "html", "pdf", "tables",
                     "results", "error_cell", "error_source", "error"]


def _manifest_row(run_id: str, job: Job, record: dict, action: str) -> dict:
    folder = _job_dir(job)
    outs = record.get("outputs") or {}
    row = {
        "run_id": run_id, "engagement": job.engagement, "client_id": job.client_id,
        "industry": job.industry, "stage": job.stage, "status": record.get("status", "failed"),
        "action": action, "started_at": record.get("started_at"),
        "duration_s": record.get("duration_s"), "cells_s": record.get("cells_s"),
        "attempts": record.get("attempts"), "parameter_hash": job.parameter_hash,
        "input_hash": job.input_hash, "crmlib_version": record.get("crmlib_version", __version__),
        "error_cell": record.get("error_cell"), "error_source": record.get("error_source", ""),
        "error": (record.get("error") or "")[:2000],
    }
    for kind in ("notebook", "html", "pdf", "tables", "results"):
        row[kind] = str(folder / outs[kind]) if kind in outs else ""
    return row


def _write_manifest(out: Path, run_id: str, rows: list[dict], all_jobs: list[Job]) -> pd.DataFrame:
    from crmlib.report import to_csv

    manifest = pd.DataFrame(rows, columns=_MANIFEST_COLUMNS)
    order = {j.key: i for i, j in enumerate(all_jobs)}
    manifest = manifest.assign(_o=[order.get(f"{c}/{s}", 1 << 30) for c, s in
                                   zip(manifest["client_id"], manifest["stage"])])
    manifest = manifest.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    to_csv(manifest, out / MANIFEST_FILE)
    to_csv(manifest, out / "runs" / f"{run_id}.csv")
    return manifest


def _label(row) -> str:
    return f"{row.client_id} / {row.stage}"


def _summary_text(run_id: str, manifest: pd.DataFrame, notes: list[str], wall: float,
                  stopped: str = "") -> str:
    counts = manifest.groupby(["status", "action"]).size() if len(manifest) else pd.Series()
    lines = [f"crmlib run {run_id}: {len(manifest)} job(s) in {wall:.1f} s"]
    for (status, action), n in counts.items():
        lines.append(f"  {status} ({action}): {n}")
    for note in notes:
        lines.append(f"note: {note}")
    failed = manifest[manifest["status"] == "failed"]
    if len(failed):
        lines.append("")
        lines.append(f"FAILED: {len(failed)}")
        for row in failed.itertuples():
            cell = "" if pd.isna(row.error_cell) or row.error_cell == "" else \
                f" cell {int(row.error_cell)}"
            src = f" [{row.error_source}]" if isinstance(row.error_source, str) and \
                row.error_source else ""
            lines.append(f"- {row.client_id} / {row.stage}:{cell}{src} {row.error}")
            if row.notebook:
                lines.append(f"  executed notebook: {row.notebook}")
    if stopped:
        done = manifest[manifest["status"].isin(["completed", "failed"])]
        cut = manifest[manifest["status"] == "interrupted"]
        lines.append("")
        lines.append(f"INTERRUPTED ({stopped}): {len(done)} of {len(manifest)} job(s) finished, "
                     f"{len(cut)} did not")
        if len(done):
            lines.append("  finished: " + ", ".join(_label(r) for r in done.itertuples()))
        for action, what in (("stopped", "stopped while running"), ("not started", "not started")):
            some = cut[cut["action"] == action]
            if len(some):
                lines.append(f"  {what}: " + ", ".join(_label(r) for r in some.itertuples()))
        lines.append("Run the same command again to finish them: finished jobs are kept and "
                     "not run again.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- store

def _store_rows(job: Job, record: dict) -> list[dict]:
    results = _job_dir(job) / (record.get("outputs") or {}).get("results", "results.json")
    try:
        values = json.loads(results.read_text(encoding="utf-8")).get("values") or {}
    except (OSError, ValueError):
        return []
    rows = []
    for key, value in _flatten(values).items():
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else (float(value) if isinstance(value, bool) else None)
        text = None if number is not None else (value if isinstance(value, str) else
                                                json.dumps(value, ensure_ascii=False))
        rows.append({"engagement": job.engagement, "client_id": job.client_id,
                     "industry": job.industry, "stage": job.stage, "key": key, "value": number,
                     "value_text": text})
    return rows


def _recorded_view(job: Job):
    """The client's customer view to store once ``job`` has ended, or None.

    It is the view notebook 04 recorded (``tables/customer_view.parquet``) with the
    verdicts of the segments stage joined (needs segment, share of wallet, funnel step,
    customer type: notebook 09's ``tables/customer_method.parquet``), so the store holds
    one view per client whichever of the two stages ended last. None when the job
    recorded neither table, or when the view itself is not there yet.
    """
    from crmlib.store import TABLES_FOLDER
    from crmlib.view import METHOD_COLUMNS

    own = _job_dir(job) / TABLES_FOLDER
    if not any((own / f"{n}.parquet").is_file() for n in ("customer_view", "customer_method")):
        return None
    client = _job_dir(job).parent

    def newest(name):
        found = sorted(client.glob(f"*/{TABLES_FOLDER}/{name}.parquet"),
                       key=lambda p: p.stat().st_mtime)
        return pd.read_parquet(found[-1]) if found else None

    view = newest("customer_view")
    if view is None:
        return None
    method = newest("customer_method")
    if method is not None and "customer_id" in method:
        cols = [c for group in METHOD_COLUMNS.values() for c in group if c in method]
        part = method[["customer_id", *cols]].drop_duplicates("customer_id")
        part = part.assign(customer_id=part["customer_id"].astype(str))
        view = view.drop(columns=[c for c in cols if c in view]).assign(
            customer_id=view["customer_id"].astype(str)).merge(part, on="customer_id",
                                                               how="left")
    return view


def _flatten(values: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in values.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


# --------------------------------------------------------------------------- the run

class _Lines:
    """Progress as one line per finished job on stderr (a log, a pipe, ``make`` in CI)."""

    def __init__(self, client: str, total: int, counter: list):
        self.client, self.total, self.counter = client, total, counter
        self.done = 0
        self._postfix = ""

    def set_postfix_str(self, text: str, refresh: bool = False) -> None:
        self._postfix = text

    def update(self, n: int = 1) -> None:
        self.done += n
        self.counter[0] += n
        print(f"[{self.counter[0]}/{self.counter[1]}] {self.client} {self._postfix} "
              f"({self.done}/{self.total} of this client)", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _progress(clients: list[str], stages_per_client: dict[str, int], enabled):
    from tqdm import tqdm

    if enabled == "lines":
        counter = [0, sum(stages_per_client.values())]
        return {cid: _Lines(cid, stages_per_client.get(cid, 0), counter) for cid in clients}
    if enabled is None:
        enabled = sys.stderr.isatty()
    bars = {}
    width = max((len(c) for c in clients), default=8)
    for pos, cid in enumerate(clients):
        bars[cid] = tqdm(total=stages_per_client.get(cid, 0), desc=cid.ljust(width),
                         position=pos, unit="stage", leave=True, disable=not enabled,
                         dynamic_ncols=True)
    return bars


def _clean_stale(jobs: list[Job], out: Path | None = None) -> None:
    """Remove what an interrupted run left: job staging folders, and the temporary
    files of the manifest and summary (``.<name>.<random>.part``) in ``out``."""
    if out is not None:
        for folder in (out, out / "runs"):
            if folder.is_dir():
                for p in folder.glob(".*.part"):
                    p.unlink(missing_ok=True)
    for folder in {Path(j.out) / j.client_id for j in jobs}:
        if folder.is_dir():
            stages = {j.stage for j in jobs if j.client_id == folder.name}
            for p in folder.iterdir():
                if p.name.startswith(".") and any(p.name.startswith(f".{s}.") for s in stages):
                    shutil.rmtree(p, ignore_errors=True)


def run_engagement(engagement, *, out=None, jobs: int | None = None, scheduler: str | None = None,
                   only=None, stages=None, language: str | None = None, shard=None,
                   pdf: str | bool = "auto", engine: str = "crmlib-warm", store: str | None = None,
                   portfolio: bool = True, force: bool = False, progress: bool | None = None,
                   notebooks=None, execution_timeout: float | None = None) -> pd.DataFrame:
    """Run every stage notebook for every client of an engagement.

    Parameters
    ----------
    engagement : str, path or dict
        Engagement file (see the module docstring).
    out : str or path, default "reports"
        Output folder.
    jobs : int, optional
        Worker processes; default the number of CPU cores.
    scheduler : str, optional
        ``tcp://host:port`` of a Dask distributed scheduler: the jobs run on
        its workers (which must see ``out`` and the data on a shared disk).
    only : list of str, optional
        Client ids to run.
    stages : list of str, optional
        Stages to run (a subset of the engagement's).
    language : {"es", "en"}, optional
        Report language for every client.
    shard : str, optional
        ``"i/n"``: run only the clients whose position in id order is ``i``
        modulo ``n`` (for job arrays; ``i`` counts from 0).
    pdf : {"auto", True, False}
        PDF through headless Chromium; ``"auto"`` when Chromium is installed.
    engine : str, default "crmlib-warm"
        papermill engine; ``"nbclient"`` starts a cold kernel per notebook.
    store : str, optional
        Results store: a DuckDB file path or a ``postgresql://`` URL; default
        ``<out>/results.duckdb``.
    portfolio : bool, default True
        Also run the portfolio notebooks (``9N_*.ipynb``) once the store is
        filled.
    force : bool, default False
        Re-run jobs even when complete and unchanged.
    progress : bool or "lines", optional
        Progress bars (one line per client); default when stderr is a
        terminal. ``"lines"`` prints a line on stderr as each job ends.
    execution_timeout : float, optional
        Seconds a single cell may run before its job is stopped and reported
        as timed out: default the engagement's ``cell_timeout``, else
        :data:`~crmlib.batch.DEFAULT_CELL_TIMEOUT` (30 min); ``0`` = no limit.

    A run holds its output folder (a lock file, ``.crmlib-run.lock``; a
    shard holds only its slice): a second run on the same folder is refused
    with :class:`~crmlib.batch.OutputLockedError`, and a lock left by a
    process that no longer exists is taken over. Ctrl-C (SIGINT) or SIGTERM
    stops the run: no job starts after it, running jobs are ended with their
    kernels, and the manifest and summary are still written
    (``manifest.attrs["interrupted"]`` says why). A full disk stops it the
    same way, keeping nothing half-written. A DuckDB store that cannot be read
    is set aside as ``results.duckdb.corrupt-<time>`` and a new one filled.

    Returns
    -------
    DataFrame
        The manifest, one row per job: ``run_id``, ``engagement``,
        ``client_id``, ``industry``, ``stage``, ``status`` (completed |
        failed | interrupted), ``action`` (executed | reused, and for an
        interrupted job stopped | not started), ``started_at``, ``duration_s``,
        ``cells_s`` (time spent in the notebook's cells), ``attempts``,
        ``parameter_hash``, ``input_hash``, ``crmlib_version``, the output
        paths ``notebook``, ``html``, ``pdf``, ``tables``, ``results`` (empty
        when absent), ``error_cell`` and ``error``.
    """
    from crmlib import report

    t0 = time.time()
    if engine not in ("crmlib-warm", "nbclient"):
        raise ParameterError(f"engine must be one of ['crmlib-warm', 'nbclient']; got {engine!r}",
                             parameter="engine", allowed=("crmlib-warm", "nbclient"),
                             value=engine)
    if pdf == "auto":
        pdf = report.find_chromium() is not None
    elif pdf not in (True, False):
        raise ParameterError(f"pdf must be 'auto', True or False; got {pdf!r}", parameter="pdf",
                             allowed=("auto", True, False), value=pdf)
    out_path = Path(out or "reports").resolve()
    stage_jobs, portfolio_jobs, notes = plan_jobs(
        engagement, out=out_path, only=only, stages=stages, language=language, shard=shard,
        pdf=bool(pdf), engine=engine, portfolio=portfolio, store=store, notebooks=notebooks,
        execution_timeout=execution_timeout)
    stage_jobs, skipped = _without_required_data(stage_jobs)
    notes = notes + skipped
    # a client's summary sums up several stages: a run of one stage for a client (or of
    # none, every other skipped) leaves the summary alone, unless it is asked for by name
    per_client = Counter(job.client_id for job in stage_jobs)
    asked = set(stages or ())
    portfolio_jobs = [job for job in portfolio_jobs
                      if not job.stage.startswith(SUMMARY_PREFIX) or job.stage in asked
                      or per_client[job.client_id] >= 2]
    eng = load_engagement(engagement, language=language, notebooks=notebooks)
    store_target = store or eng.store or str(out_path / STORE_FILE)
    run_id = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S") + \
        f"-{uuid.uuid4().hex[:6]}"
    try:
        out_path.mkdir(parents=True, exist_ok=True)
        lock = OutputLock(out_path, run_id, parse_shard(shard)).acquire()
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(f"the disk holding {str(out_path)!r} is full (No space left "
                                f"on device): nothing was run. Free some space or give "
                                f"another --out") from None
        raise
    try:
        if lock.took_over:
            notes.append(f"the output folder was locked by a run that no longer exists "
                         f"(pid {lock.took_over.get('pid')}, started "
                         f"{lock.took_over.get('started_at')}); this run took it over")
        return _run_locked(run_id, out_path, store_target, stage_jobs, portfolio_jobs, notes,
                           jobs=jobs, scheduler=scheduler, force=force, progress=progress, t0=t0)
    finally:
        lock.release()


def _prepare_store(store_target: str, notes: list[str]) -> bool:
    """Check a DuckDB store before any job: one that cannot be read is set aside.

    Returns True when the store starts empty because the old one was set aside.
    """
    if "://" in store_target:
        return False
    path = Path(store_target)
    problem = duckdb_problem(path)
    if problem is None:
        return False
    aside = set_aside(path)
    notes.append(f"the results store {path.name} could not be read ({problem}); it was set "
                 f"aside as {aside.name} and a new store started, filled again by this run "
                 f"(the old file is kept untouched: the figures it still holds can be "
                 f"recovered from it)")
    log.warning("results store %s unreadable; set aside as %s", path.name, aside.name)
    return True


def _run_locked(run_id, out_path, store_target, stage_jobs, portfolio_jobs, notes, *, jobs,
                scheduler, force, progress, t0) -> pd.DataFrame:
    all_jobs = stage_jobs + portfolio_jobs
    _clean_stale(all_jobs, out_path)
    per_client: dict[str, int] = {}
    for job in all_jobs:
        per_client[job.client_id] = per_client.get(job.client_id, 0) + 1
    clients = list(dict.fromkeys(j.client_id for j in all_jobs))
    n_workers = jobs or os.cpu_count() or 1
    rows: list[dict] = []
    settled: set[str] = set()
    lock = threading.Lock()
    stop = Interrupt()
    problems: dict[str, str] = {}  # once per kind: store, manifest

    def note_once(kind: str, text: str) -> None:
        if kind not in problems:
            problems[kind] = text
            notes.append(text)

    def finish(job: Job, record: dict, action: str, stored) -> None:
        with lock:
            rows.append(_manifest_row(run_id, job, record, action))
            settled.add(job.key)
            if stored is not None and record.get("status") == "completed" and \
                    not job.stage.startswith((PORTFOLIO_PREFIX, SUMMARY_PREFIX)) and \
                    (action == "executed" or fresh_store):
                try:
                    stored.upsert(_store_rows(job, record), run_at=record.get("started_at"))
                    view = _recorded_view(job)
                    if view is not None:
                        stored.put_view(job.client_id, view, engagement=job.engagement)
                except Exception as exc:  # noqa: BLE001 - the outputs are on disk; say so
                    note_once("store", f"figures not saved in the results store "
                                       f"({type(exc).__name__}: {str(exc)[:200]}); the reports "
                                       f"are complete, and a re-run with --force stores them")
                    if is_disk_full(exc):
                        stop.halt("the disk is full")
            if is_disk_full_text(record.get("error") or ""):
                stop.halt("the disk is full")
            bar = bars.get(job.client_id)
            if bar is not None:
                bar.set_postfix_str(f"{job.stage} {record.get('status')}", refresh=False)
                bar.update(1)
            log.info("%s %s %s (%s)", job.client_id, job.stage, record.get("status"), action)
            try:
                _write_manifest(out_path, run_id, rows, all_jobs)
            except OSError as exc:
                note_once("manifest", f"the manifest could not be written during the run "
                                      f"({exc}); it is written again at the end")
                if is_disk_full(exc):
                    stop.halt("the disk is full")

    try:
        fresh_store = _prepare_store(store_target, notes)
    except Exception as exc:  # noqa: BLE001 - a store that cannot even be looked at
        if is_disk_full(exc):
            raise DiskFullError(f"the disk holding the results store {store_target!r} is full "
                                f"(No space left on device): nothing was run. Free some "
                                f"space and run again") from None
        raise CrmlibError(f"the results store {store_target!r} cannot be opened "
                          f"({type(exc).__name__}: {str(exc)[:300]}): nothing was run") from None
    bars = _progress(clients, per_client, progress)
    workers = _LocalWorkers(
        min(n_workers, max(len(stage_jobs), len(portfolio_jobs), 1)),
        tuple(sorted({str(Path(j.notebook).parent) for j in all_jobs
                      if j.engine == "crmlib-warm"})))
    log.info("run %s: %d job(s), %d worker(s)%s", run_id, len(all_jobs), n_workers,
             f", scheduler {scheduler}" if scheduler else "")
    try:
        with stop:
            for phase in (stage_jobs, portfolio_jobs):
                if not phase or stop.requested:
                    continue
                if phase is portfolio_jobs:
                    # the portfolio reads what the stage jobs stored: its inputs are those results
                    done = sorted(r["input_hash"] for r in rows if r["status"] == "completed")
                    for job in phase:
                        job.input_hash = _digest([job.input_hash, done])
                todo = []
                try:
                    stored = open_store(store_target)
                except Exception as exc:  # noqa: BLE001
                    stored = None
                    note_once("store", f"the results store could not be opened "
                                       f"({type(exc).__name__}: {str(exc)[:200]}); figures of "
                                       f"this run are not stored")
                    if is_disk_full(exc):
                        stop.halt("the disk is full")
                try:
                    for job in phase:
                        if not force and is_up_to_date(job):
                            finish(job, _read_job_record(job), "reused", stored)
                        else:
                            todo.append(job)
                    results = _dask_results(todo, scheduler, stop) if scheduler else \
                        workers.results(todo, stop)
                    for job, record in results:
                        finish(job, record, "executed", stored)
                finally:
                    if stored is not None:
                        stored.close()
    finally:
        if stop.requested:
            workers.stop()
        workers.close()
        for bar in bars.values():
            bar.close()
    # a job that started has its staging folder (removed just below)
    started = {j.key for j in all_jobs if j.key not in settled and
               any((Path(j.out) / j.client_id).glob(f".{j.stage}.tmp-*"))}
    for job in all_jobs:
        if job.key not in settled:
            record = {"status": "interrupted", "error": f"run interrupted ({stop.reason})"
                      if job.key in started else ""}
            rows.append(_manifest_row(run_id, job, record,
                                      "stopped" if job.key in started else "not started"))
    _clean_stale(all_jobs)  # staging folders of workers that died (every job is settled now)
    manifest = pd.DataFrame(rows, columns=_MANIFEST_COLUMNS)
    unwritten = []
    try:
        manifest = _write_manifest(out_path, run_id, rows, all_jobs)
    except OSError as exc:
        unwritten.append(f"{MANIFEST_FILE} ({exc.strerror or exc})")
    summary = _summary_text(run_id, manifest, notes, time.time() - t0, stop.reason)
    try:
        atomic_write_text(out_path / SUMMARY_FILE, summary)
    except OSError as exc:
        unwritten.append(f"{SUMMARY_FILE} ({exc.strerror or exc})")
    if unwritten:
        summary += (f"NOT WRITTEN in {out_path}: {', '.join(unwritten)}"
                    f"{': the disk is full' if stop.reason == 'the disk is full' else ''}; "
                    f"this summary is the only record of the run\n")
    manifest.attrs["summary"] = summary
    manifest.attrs["notes"] = notes
    manifest.attrs["interrupted"] = stop.reason
    manifest.attrs["signal"] = stop.signal_name
    return manifest


def _without_required_data(jobs: list[Job]) -> tuple[list[Job], list[str]]:
    """Leave out the stage jobs whose required tables have no file, with a note for each."""
    from crmlib import stages

    keep, notes = [], []
    for job in jobs:
        absent = stages.missing_files(job.stage, job.parameters.get("data_dir", "")) \
            if job.stage in stages.STAGES else []
        if absent:
            notes.append(f"{job.client_id} / {job.stage} skipped: no file for "
                         f"{', '.join(absent)} in its data folder "
                         f"(expected <table>.csv, .xlsx or .parquet)")
        else:
            keep.append(job)
    return keep, notes


# --------------------------------------------------------------------------- validate

def validate_engagement(engagement, *, language: str | None = None, notebooks=None) -> list[str]:
    """Check an engagement and every client's data without running a notebook.

    Returns the list of problems (empty when everything is in order): the
    engagement and parameter checks of :func:`plan_jobs`; every table file in
    each client's folder read through :func:`crmlib.io.read_client_table`; and,
    for every client and listed stage, the tables and columns the stage
    requires (:mod:`crmlib.stages`), each missing one named with the client,
    the stage and the file expected. The list also has a ``notes`` attribute:
    per client and stage, the optional data that is absent and the sections
    of the report that a sentence will replace (information, not problems),
    and how each file was read (:func:`crmlib.io.read_notes`: the day order
    chosen, dates written as numbers, headers no column takes with the closest
    known name ...).
    A green result means every listed stage can run on the data as it is.
    """
    from crmlib import io, stages
    from crmlib.exceptions import DataError

    problems = stages.Findings()
    try:
        eng = load_engagement(engagement, language=language, notebooks=notebooks)
        jobs, _, plan_notes = plan_jobs(eng, out=Path.cwd() / "reports")
    except ParameterError as exc:
        problems.append(str(exc))
        return problems
    problems.notes.extend(plan_notes)
    by_client: dict[str, list[Job]] = {}
    for job in jobs:
        by_client.setdefault(job.client_id, []).append(job)
    for client in eng.clients:
        tables = io.client_tables(client.data_dir)
        if not tables:
            problems.append(f"client {client.id}: no table file in its data folder")
        columns: dict[str, set] = {}
        unreadable: set[str] = set()
        for table in tables:
            try:
                frame = io.read_client_table(client.data_dir, table)
                columns[table] = set(frame.columns)
                problems.notes.extend(f"client {client.id}: {table}: {note}"
                                      for note in io.read_notes(frame, "en"))
            except (DataError, CrmlibError) as exc:
                problems.append(f"client {client.id}: {exc}")
                unreadable.add(table)
            except Exception as exc:  # noqa: BLE001 - unreadable file
                problems.append(f"client {client.id}: {table}: {type(exc).__name__}: {exc}")
                unreadable.add(table)
        for job in by_client.get(client.id, []):
            if job.stage not in stages.STAGES:
                continue
            found = stages.check(job.stage, columns, parameters=job.parameters)
            where = f"client {client.id}, stage {job.stage}"
            for table, column in found.missing:
                if table in unreadable:
                    continue  # its own problem is already listed
                if column is None:
                    problems.append(f"{where}: needs {table} but {client.data_dir.name}/ has no "
                                    f"file for it (expected {table}.csv, .xlsx or .parquet)")
                else:
                    names = ", ".join(p.name for p in io.client_files(client.data_dir, table))
                    problems.append(f"{where}: {table}: column {column!r} is required by this "
                                    f"stage but missing (in {names})")
            for key, absent in found.locked.items():
                if any(table in unreadable for table, _ in absent):
                    continue
                problems.notes.append(
                    f"{where}: section {key!r} will be replaced by a sentence: "
                    f"{stages.describe_missing(absent, 'en', keys=True)}")
    return problems
