"""One job in a worker: execute the notebook, export the report, move outputs into place."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

from crmlib import __version__
from crmlib._files import atomic_write_text, inside
from crmlib.batch._engagement import JOB_FILE
from crmlib.batch._jobs import Job

# --------------------------------------------------------------------------- one job (worker)

def _job_dir(job: Job) -> Path:
    return inside(job.out, job.client_id, job.stage)


def _read_job_record(job: Job) -> dict | None:
    path = _job_dir(job) / JOB_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_up_to_date(job: Job) -> bool:
    """True when the job completed before with the same inputs and its outputs are all there."""
    record = _read_job_record(job)
    if not record or record.get("status") != "completed" or \
            record.get("input_hash") != job.input_hash:
        return False
    folder = _job_dir(job)
    return all((folder / name).is_file() for name in (record.get("outputs") or {}).values())


def _failed_cell(nb_path: Path):
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001
        return None, ""
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            return index, first[:120]
    return None, ""


def _swap_into_place(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def execute_job(job: Job) -> dict:
    """Run one job: execute the notebook, export the report, move outputs into place.

    Never raises for a failing notebook: the returned record has
    ``status="failed"`` with the cell, the error and the executed notebook's
    path. Kernel start failures are retried; cell errors are not.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from crmlib import report
    from crmlib.batch import _kernels

    # parameters were checked by plan_jobs; papermill's own parser only adds noise
    logging.getLogger("papermill").setLevel(logging.ERROR)
    final = _job_dir(job)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{job.stage}.tmp-{uuid.uuid4().hex[:12]}")
    staging.mkdir()
    nb_out = staging / f"{job.stage}.ipynb"
    params = dict(job.parameters, output_dir=str(staging))
    started = time.time()
    record = {
        "client_id": job.client_id, "stage": job.stage, "industry": job.industry,
        "engagement": job.engagement, "status": "failed", "parameter_hash": job.parameter_hash,
        "input_hash": job.input_hash, "crmlib_version": __version__,
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "duration_s": None, "cells_s": None, "attempts": 0, "error": "", "error_cell": None,
        "error_source": "", "outputs": {}, "worker": f"{os.uname().nodename}:{os.getpid()}",
    }
    engine = job.engine if job.engine != "nbclient" else None
    if engine == _kernels.ENGINE_NAME:
        extra = {"kernel_cwd": str(Path(job.notebook).parent), "kernel_env": job.kernel_env}
    else:
        extra = {"cwd": str(Path(job.notebook).parent)}
    error = None
    timings = {}
    t_exec = time.time()
    for attempt in range(1 + job.start_retries):
        record["attempts"] = attempt + 1
        try:
            with _environment(job.kernel_env if engine is None else {}):
                pm.execute_notebook(job.notebook, str(nb_out), parameters=params,
                                    engine_name=engine, kernel_name=job.kernel_name,
                                    progress_bar=False, log_output=False,
                                    # one write at the end: the notebook is in a staging folder
                                    # anyway, and saving it after every cell costs seconds
                                    request_save_on_cell_execute=False,
                                    start_timeout=job.start_timeout,
                                    execution_timeout=job.execution_timeout, **extra)
            error = None
            break
        except PapermillExecutionError as exc:
            cell_index, source = _failed_cell(nb_out)
            record["error_cell"] = cell_index if cell_index is not None else exc.cell_index
            record["error_source"] = source
            error = f"{exc.ename}: {exc.evalue}"
            break
        except _kernels.KernelStartError as exc:  # the pool already retried the start
            error = f"kernel start failed: {exc}"
            break
        except TimeoutError as exc:
            if type(exc).__name__ != "CellTimeoutError":
                error = f"{type(exc).__name__}: {exc}"
                break
            cell_index, source = _last_started_cell(nb_out)
            if cell_index is None:  # papermill saves nothing on a timeout: find the cell
                cell_index, source = _cell_in_message(Path(job.notebook), str(exc))
            record["error_cell"] = cell_index
            record["error_source"] = source
            error = (f"timed out: the cell ran longer than the cell time limit of "
                     f"{_seconds(job.execution_timeout)} and was stopped (change the limit with "
                     f"--timeout or cell_timeout in the engagement)")
            break
        except Exception as exc:  # noqa: BLE001 - reported in the summary, never fatal
            msg = str(exc)
            if "Kernel died before replying to kernel_info" in msg or \
                    "Kernel didn't respond" in msg:
                error = f"kernel start failed: {type(exc).__name__}: {msg}"
                continue
            error = f"{type(exc).__name__}: {msg}"
            break
    timings["execute"] = round(time.time() - t_exec, 3)
    cells_s = _cell_seconds(nb_out)
    record["cells_s"] = cells_s
    outputs = {}
    if nb_out.exists():
        outputs["notebook"] = nb_out.name
    if error is None:
        try:
            t_html = time.time()
            html = staging / f"{job.stage}.html"
            report.write_report_html(nb_out, html, client=job.client_name, stage=job.stage,
                                     date=job.as_of, language=job.language,
                                     engagement=job.engagement_title)
            outputs["html"] = html.name
            timings["html"] = round(time.time() - t_html, 3)
            if (staging / report.RESULTS_FILE).exists():
                outputs["results"] = report.RESULTS_FILE
            else:
                rec = report.Recorder(staging, client_id=job.client_id, stage=job.stage,
                                      language=job.language)
                rec.save()
                outputs["results"] = report.RESULTS_FILE
            if (staging / report.TABLES_FILE).exists():
                outputs["tables"] = report.TABLES_FILE
            if job.pdf:
                t_pdf = time.time()
                pdf = staging / f"{job.stage}.pdf"
                report.html_to_pdf(html, pdf)
                outputs["pdf"] = pdf.name
                timings["pdf"] = round(time.time() - t_pdf, 3)
            record["status"] = "completed"
        except Exception as exc:  # noqa: BLE001
            error = f"export failed: {type(exc).__name__}: {exc}"
    record["error"] = error or ""
    record["outputs"] = outputs
    record["timings"] = timings
    record["duration_s"] = round(time.time() - started, 3)
    if error and is_disk_full_text(error):
        # files written while the disk filled up may be cut short: keep none of them
        return _discard(staging, record, error)
    try:
        atomic_write_text(staging / JOB_FILE, json.dumps(record, indent=2, sort_keys=True))
        _swap_into_place(staging, final)
    except OSError as exc:
        return _discard(staging, record, f"{type(exc).__name__}: {exc}")
    return record


def is_disk_full_text(error: str) -> bool:
    return "No space left on device" in error or "Disk quota exceeded" in error or \
        "[Errno 28]" in error


def _discard(staging: Path, record: dict, error: str) -> dict:
    """A job whose outputs could not be written whole: remove them all, say why."""
    shutil.rmtree(staging, ignore_errors=True)
    if is_disk_full_text(error):
        error = (f"the disk is full (No space left on device) while writing this job's "
                 f"outputs; none of them was kept ({error})")
    record.update(status="failed", error=error, outputs={})
    return record


def _seconds(value) -> str:
    if value is None:
        return "none"
    value = float(value)
    if value >= 120 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:g} s"


def _cell_in_message(notebook: Path, message: str):
    """Index (in the executed notebook) and first line of the cell a timeout message shows.

    nbclient quotes the cell between two lines of dashes; papermill puts its
    injected-parameters cell right after the ``parameters`` cell, which moves
    every later cell down by one.
    """
    import nbformat

    parts = message.split("-------------------")
    if len(parts) < 3:
        return None, ""
    shown = parts[1].strip()
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception:  # noqa: BLE001
        return None, ""
    tagged = next((i for i, c in enumerate(nb.cells)
                   if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    # the whole cell is quoted; a cell of 11 lines or more only by its first and last five
    found = [i for i, src in code if src.strip() == shown] or \
        [i for i, src in code if src.strip() and repr(src.strip().split("\n")[:5]) in shown]
    if len(found) != 1:
        return None, ""
    index = found[0]
    first = next((ln for ln in nb.cells[index].source.splitlines() if ln.strip()), "")
    shift = 1 if tagged is not None and index > tagged else 0
    return index + shift, first[:120]


def _last_started_cell(nb_path: Path):
    """Index and first line of the last cell that started (the one a timeout stopped)."""
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001
        return None, ""
    found = None, ""
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.cell_type == "code" and meta.get("start_time"):
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            found = index, first[:120]
    return found


@contextlib.contextmanager
def _environment(extra: dict):
    """``os.environ`` with ``extra`` set, restored afterwards (for kernels started cold)."""
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cell_seconds(nb_path: Path) -> float | None:
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001
        return None
    total = 0.0
    for cell in nb.cells:
        total += cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
    return round(total, 3)
