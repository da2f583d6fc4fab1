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

    def _worker_pids(self) -> list[int]:
        procs = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in list(procs.values()) if p.pid]

    def stop(self) -> list[int]:
        """End the workers at once, with every kernel and browser they started."""
        from crmlib.batch._guard import end_processes

        ended = []
        if self._pool is not None:
            ended = end_processes(self._worker_pids())
            # the executor notices its workers are gone and fails every job it held; let it
            # finish that before shutting it down (cancelling meanwhile upsets its thread)
            manager = getattr(self._pool, "_executor_manager_thread", None)
            if manager is not None:
                manager.join(timeout=30)
            self._pool.shutdown(wait=True)
            self._pool = None
        return ended

    def results(self, jobs: list[Job], stop=None):
        """Yield ``(job, record)`` as jobs finish.

        ``stop`` (a :class:`crmlib.batch._guard.Interrupt`) ends the loop
        early: no job starts after it is set, and jobs running are ended with
        their kernels.
        """
        if self.n_workers <= 1 or (len(jobs) <= 1 and self._pool is None):
            yield from self._in_process(jobs, stop)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        pending = list(jobs)
        for _round in range(3):
            if not pending or (stop is not None and stop.requested):
                return
            broken = False
            futures = {self._executor().submit(execute_job, job): job for job in pending}
            done_keys = set()
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, timeout=0.2, return_when=FIRST_COMPLETED)
                if stop is not None and stop.requested:
                    self.stop()
                    return
                for fut in done:
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
            pending = [j for j in pending if j.key not in done_keys]
            if not broken:
                return
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for job in pending:  # a worker process died three times running these
            yield job, _crash_record(job, "worker process died")

    def _in_process(self, jobs: list[Job], stop):
        """Jobs run one after the other in this process (one worker, or a single job)."""
        for job in jobs:
            if stop is not None and stop.requested:
                return
            if stop is not None:
                stop.in_process_job = True
            try:
                record = execute_job(job)
            except Exception as exc:  # noqa: BLE001 - as a worker's crash is reported
                record = _crash_record(job, f"{type(exc).__name__}: {exc}")
            except KeyboardInterrupt:
                if stop is None:
                    raise
                from crmlib.batch import _kernels

                _kernels.end_all()
                return
            finally:
                if stop is not None:
                    stop.in_process_job = False
            yield job, record


def _crash_record(job: Job, error: str) -> dict:
    return {"client_id": job.client_id, "stage": job.stage, "industry": job.industry,
            "engagement": job.engagement, "status": "failed", "parameter_hash": job.parameter_hash,
            "input_hash": job.input_hash, "crmlib_version": __version__, "duration_s": None,
            "cells_s": None, "error": error, "error_cell": None, "error_source": "",
            "outputs": {}, "attempts": 1}


def _dask_results(jobs: list[Job], scheduler: str, stop=None):
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
            if stop is not None and stop.requested:
                for f in futures:
                    f.cancel()
                return
            job = futures[fut]
            try:
                record = fut.result()
            except Exception as exc:  # noqa: BLE001
                record = _crash_record(job, f"{type(exc).__name__}: {exc}")
            yield job, record
    finally:
        client.close()
