"""Where jobs run: local worker processes kept for a run, or a Dask cluster."""

from __future__ import annotations

import os
import threading
import time
import uuid

from crmlib import __version__
from crmlib.batch._execute import execute_job
from crmlib.batch._jobs import Job

# --------------------------------------------------------------------------- executors

def _watch_parent(parent_pid: int) -> None:
    """Exit this worker when the process that started it is gone (SIGKILL included)."""
    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                try:
                    from crmlib.batch import _kernels
                    _kernels.shutdown_pools()
                finally:
                    os._exit(3)

    threading.Thread(target=watch, name="crmlib-parent-watch", daemon=True).start()


def _worker_init(parent_pid: int, kernel_cwds: tuple) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
    from crmlib import report
    from crmlib.batch import _kernels

    for cwd in kernel_cwds:  # have a kernel booting before the first job arrives
        _kernels.get_pool("python3", cwd).prestart()
    report.prepare_export()  # while that kernel boots, not during the first job


class _LocalWorkers:
    """Worker processes kept for a whole run (stage jobs, then the portfolio).

    A worker that dies (a kernel taking the process down, the OOM killer)
    breaks the pool: the jobs it had not finished are run again on a fresh
    pool, at most three times in all, then reported as failed.
    """

    def __init__(self, n_workers: int, kernel_cwds: tuple):
        self.n_workers = n_workers
        self.kernel_cwds = kernel_cwds
        self._pool = None

    def _executor(self):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.n_workers,
                                             mp_context=mp.get_context("spawn"),
                                             initializer=_worker_init,
                                             initargs=(os.getpid(), self.kernel_cwds))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def results(self, jobs: list[Job]):
        """Yield ``(job, record)`` as jobs finish."""
        if self.n_workers <= 1 or (len(jobs) <= 1 and self._pool is None):
            for job in jobs:
                yield job, execute_job(job)
            return
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pending = list(jobs)
        for _round in range(3):
            if not pending:
                return
            broken = False
            futures = {self._executor().submit(execute_job, job): job for job in pending}
            done_keys = set()
            try:
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        record = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001
                        record = _crash_record(job, f"{type(exc).__name__}: {exc}")
                    done_keys.add(job.key)
                    yield job, record
            except BrokenProcessPool:
                broken = True
            pending = [j for j in pending if j.key not in done_keys]
            if not broken:
                return
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for job in pending:  # a worker process died three times running these
            yield job, _crash_record(job, "worker process died")


def _crash_record(job: Job, error: str) -> dict:
    return {"client_id": job.client_id, "stage": job.stage, "industry": job.industry,
            "engagement": job.engagement, "status": "failed", "parameter_hash": job.parameter_hash,
            "input_hash": job.input_hash, "crmlib_version": __version__, "duration_s": None,
            "cells_s": None, "error": error, "error_cell": None, "error_source": "",
            "outputs": {}, "attempts": 1}


def _dask_results(jobs: list[Job], scheduler: str):
    try:
        from distributed import Client, as_completed
    except ImportError:
        from crmlib.exceptions import MissingDependencyError
        raise MissingDependencyError("distributed", "distributed",
                                     "Running on a Dask cluster (--scheduler)") from None
    client = Client(scheduler, timeout="30s")
    try:
        futures = {}
        for job in jobs:
            key = f"crmlib-{job.client_id}-{job.stage}-{job.input_hash[:10]}-{uuid.uuid4().hex[:6]}"
            futures[client.submit(execute_job, job, key=key, pure=False, retries=2)] = job
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                record = fut.result()
            except Exception as exc:  # noqa: BLE001
                record = _crash_record(job, f"{type(exc).__name__}: {exc}")
            yield job, record
    finally:
        client.close()
