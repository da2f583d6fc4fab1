"""Warm kernels for papermill: a fresh kernel process for every notebook, without the wait.

Starting an IPython kernel and importing pandas, matplotlib and crmlib costs a
second or two before a notebook does any work. Two things remove that cost
without ever sharing a kernel between notebooks:

* a *kernel template* per worker (:mod:`crmlib.batch._zygote`, started and asked
  for kernels by :mod:`crmlib.batch._fork`): a process that has imported IPython,
  ipykernel, numpy, pandas, matplotlib and crmlib once and forks a new kernel
  process on request, so a kernel starts in a fraction of a second and almost
  without CPU. The template never runs notebook code;
  every kernel is a new process forked from the same clean state;
* a *pool* that keeps the next kernel starting in a background thread while
  the current notebook runs, so the start is off the critical path.

Every kernel runs exactly one notebook and is then shut down: isolation holds
by construction (a notebook never sees a process another notebook touched).
Kernels talk over IPC (Unix sockets), which avoids the TCP port race of
kernels started in parallel; a kernel exits when the worker that asked for it
disappears. Kernel specs that do not start this interpreter's ipykernel are
launched the ordinary way.

The engine is registered with papermill under the name ``crmlib-warm``::

    papermill.execute_notebook(src, dst, engine_name="crmlib-warm",
                               kernel_cwd="notebooks/", parameters={...})

The pool is per process and per thread. A kernel that fails to start is
retried (:data:`START_ATTEMPTS`); errors raised while cells run are never
retried.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
import time
from dataclasses import dataclass

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

from crmlib.batch._fork import KernelStartError, _fork_provisioner

__all__ = [
    "ENGINE_NAME",
    "NO_FORK_ENV",
    "PRELOAD",
    "START_ATTEMPTS",
    "KernelPool",
    "KernelStartError",
    "WarmKernel",
    "WarmKernelEngine",
    "end_all",
    "fork_available",
    "get_pool",
    "shutdown_pools",
]

ENGINE_NAME = "crmlib-warm"
START_ATTEMPTS = 3

#: Imported in every kernel while it waits for its notebook, so the notebook's
#: own imports are cache hits. Importing modules is the only thing done; no
#: name is left in the user namespace.
PRELOAD = """
def __crmlib_preload():
    import importlib
    for name in ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib_inline",
                 "crmlib", "crmlib.io", "crmlib.report", "crmlib.plot", "crmlib.i18n",
                 "crmlib.identify", "crmlib.differentiate", "crmlib.clv", "crmlib.interact",
                 "crmlib.personalize", "crmlib.readiness", "crmlib.servqual",
                 "crmlib.collections", "crmlib.store"):
        try:
            importlib.import_module(name)
        except Exception:
            pass
__crmlib_preload()
del __crmlib_preload
"""


def _kernel_env() -> dict:
    env = dict(os.environ)
    # A test runner's MPLBACKEND=agg would hide every inline figure.
    env.pop("MPLBACKEND", None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


#: Set (to anything but ``0`` or empty) to start every kernel as a new process
#: instead of forking it from the kernel template.
NO_FORK_ENV = "CRMLIB_NO_FORK"


def fork_available() -> bool:
    """Whether kernels are forked from a kernel template.

    False where the system has no ``fork`` (Windows) and when the environment
    variable :data:`NO_FORK_ENV` is set (``CRMLIB_NO_FORK=1``): kernels then
    start the ordinary way, still one per notebook and still started ahead.
    """
    if not hasattr(os, "fork"):
        return False
    return os.environ.get(NO_FORK_ENV, "").strip().lower() in ("", "0", "false", "no")


async def _boot(kernel_name: str, cwd: str | None, preload: str, timeout: float,
                fork: bool | None = None, env: dict | None = None):
    # IPC sockets (Unix domain) avoid the TCP port race of kernels started in parallel;
    # an absolute, unique, short socket path keeps them apart (the path limit is ~100 bytes).
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    if os.name == "posix":
        ip = os.path.join(tempfile.gettempdir(),
                          f"crmlib-k{os.getpid()}-{uuid.uuid4().hex[:10]}")
        km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=ip)
    else:  # no Unix sockets: TCP on the loopback interface
        km = AsyncKernelManager(kernel_name=kernel_name, transport="tcp", ip="127.0.0.1")
    if fork_available() if fork is None else fork:
        km.provisioner = _fork_provisioner(km)
    kwargs = {"env": {**_kernel_env(), **(env or {})}}
    if cwd:
        kwargs["cwd"] = cwd
    await km.start_kernel(**kwargs)
    kc = km.client()
    try:
        kc.start_channels()
        await kc.wait_for_ready(timeout=timeout)
        if preload:
            msg_id = kc.execute(preload, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while True:
                reply = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
    except BaseException:
        kc.stop_channels()
        try:
            await km.shutdown_kernel(now=True)
        finally:
            await km.cleanup_resources()
        raise
    # the client stays connected: a new one would wait out the IOPub subscription
    # handshake (about 0.2 s) while the notebook is waiting
    _track(km, True)
    return WarmKernel(km, kc)


def _kernel_pid(km) -> int | None:
    prov = getattr(km, "provisioner", None)
    return getattr(prov, "pid", None) or getattr(getattr(prov, "process", None), "pid", None)


def _track(km, alive: bool) -> None:
    pid = _kernel_pid(km)
    if pid:
        with _LIVE_LOCK:
            (_LIVE.add if alive else _LIVE.discard)(pid)


def _start_with_retries(kernel_name, cwd, preload, timeout, attempts, env=None):
    errors = []
    for attempt in range(attempts):
        try:
            return asyncio.run(_boot(kernel_name, cwd, preload, timeout, env=env))
        except Exception as exc:  # noqa: BLE001 - a lost port race, a kernel that died booting
            errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.2 * (attempt + 1))
    raise KernelStartError(
        f"kernel {kernel_name!r} did not start after {attempts} attempts: " + "; ".join(errors)
    )


@dataclass
class WarmKernel:
    """A started kernel (``km``) and a client already connected to it (``kc``)."""

    km: object
    kc: object


def _shutdown(kernel: WarmKernel) -> None:
    km = kernel.km
    pid = _kernel_pid(km)
    try:
        kernel.kc.stop_channels()
    except Exception:  # noqa: BLE001, S110 - channels already closed
        pass

    async def stop():
        try:
            if await km.is_alive():
                await km.shutdown_kernel(now=True)
        finally:
            await km.cleanup_resources()

    try:
        asyncio.run(stop())
    except Exception:  # noqa: BLE001, S110 - a kernel already gone is fine
        pass
    if pid:
        with _LIVE_LOCK:
            _LIVE.discard(pid)


@dataclass
class _Pending:
    thread: threading.Thread
    result: list


class KernelPool:
    """Keeps one kernel booting ahead; hands out each kernel once.

    Parameters
    ----------
    kernel_name : str
        Jupyter kernel spec.
    cwd : str, optional
        Working directory of the kernels (a kernel's cwd is fixed at start).
    preload : str
        Code run silently in each kernel before it is handed out.
    start_timeout : float
        Seconds a kernel may take to answer.
    attempts : int
        Start attempts before :class:`KernelStartError`.
    env : dict, optional
        Variables added to the kernels' environment.
    """

    def __init__(self, kernel_name: str = "python3", *, cwd: str | None = None,
                 preload: str = PRELOAD, start_timeout: float = 60.0,
                 attempts: int = START_ATTEMPTS, env: dict | None = None):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.preload = preload
        self.start_timeout = start_timeout
        self.attempts = attempts
        self.env = dict(env or {})
        self._next: _Pending | None = None
        self.started = 0

    def _spawn(self) -> _Pending:
        result: list = []

        def work():
            try:
                result.append(("ok", _start_with_retries(self.kernel_name, self.cwd, self.preload,
                                                         self.start_timeout, self.attempts,
                                                         self.env)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller of acquire()
                result.append(("error", exc))

        thread = threading.Thread(target=work, name="crmlib-kernel-boot", daemon=True)
        thread.start()
        self.started += 1
        return _Pending(thread, result)

    def prestart(self) -> None:
        """Begin booting a kernel now if none is on the way."""
        if self._next is None:
            self._next = self._spawn()

    def acquire(self) -> WarmKernel:
        """A started, ready kernel for one notebook: its manager and a connected client.

        Starts booting the following kernel before returning, so it is warm
        when the next notebook asks.
        """
        pending = self._next or self._spawn()
        self._next = None
        pending.thread.join()
        status, value = pending.result[0]
        self._next = self._spawn()
        if status == "error":
            raise value
        return value

    def release(self, kernel: WarmKernel) -> None:
        """Shut a used kernel down in the background; it is never reused."""
        threading.Thread(target=_shutdown, args=(kernel,), name="crmlib-kernel-stop",
                         daemon=True).start()

    def close(self) -> None:
        """Shut down the kernel booting ahead, if any."""
        pending, self._next = self._next, None
        if pending is not None:
            pending.thread.join()
            if pending.result and pending.result[0][0] == "ok":
                _shutdown(pending.result[0][1])


_POOLS: dict[tuple, KernelPool] = {}
#: pids of the kernels this process started and has not shut down
_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()
_POOLS_LOCK = threading.Lock()


def get_pool(kernel_name: str = "python3", cwd: str | None = None, *,
             preload: str = PRELOAD, start_timeout: float = 60.0,
             env: dict | None = None) -> KernelPool:
    """The calling thread's pool for ``(kernel_name, cwd, env)``, created on first use."""
    key = (threading.get_ident(), os.getpid(), kernel_name, cwd, preload,
           tuple(sorted((env or {}).items())))
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = KernelPool(kernel_name, cwd=cwd, preload=preload,
                                            start_timeout=start_timeout, env=env)
        return pool


def shutdown_pools() -> None:
    """Close every pool of this process (registered with :mod:`atexit`)."""
    with _POOLS_LOCK:
        pools = [p for k, p in _POOLS.items() if k[1] == os.getpid()]
        _POOLS.clear()
    for pool in pools:
        pool.close()


atexit.register(shutdown_pools)


def end_all() -> list[int]:
    """End at once every kernel and kernel template this process started (Ctrl-C).

    Unlike :func:`shutdown_pools`, nothing is asked politely: kernels still
    running a cell are ended too, and the call returns once they are gone.
    """
    from crmlib.batch import _fork
    from crmlib.batch._guard import end_processes

    with _POOLS_LOCK:
        _POOLS.clear()
    with _fork._ZYGOTE_LOCK:
        zygotes = [z for k, z in _fork._ZYGOTES.items() if k[0] == os.getpid()]
        for key in [k for k in _fork._ZYGOTES if k[0] == os.getpid()]:
            del _fork._ZYGOTES[key]
    with _LIVE_LOCK:
        kernels = [pid for pid in _LIVE if pid]
        _LIVE.clear()
    return end_processes([z.proc.pid for z in zygotes] + kernels)


class WarmKernelEngine(NBClientEngine):
    """papermill engine running each notebook in its own pre-started kernel.

    Extra keywords understood by :func:`papermill.execute_notebook`:
    ``kernel_cwd`` (working directory of the kernel; papermill's own ``cwd``
    changes the directory of the whole process and cannot apply to a kernel
    already running) and ``kernel_env`` (variables added to the kernel's
    environment, such as a password that must not be a saved parameter).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 kernel_cwd=None, kernel_env=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=__import__("papermill.log", fromlist=["logger"]).logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        cwd = str(kernel_cwd) if kernel_cwd else os.getcwd()
        pool = get_pool(kernel_name, cwd, start_timeout=start_timeout, env=kernel_env)
        kernel = pool.acquire()
        client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
        # what nbclient would do with a client of its own (start_new_kernel_client)
        kernel.kc.allow_stdin = False
        client.kc = kernel.kc
        try:
            return client.execute()
        finally:
            pool.release(kernel)


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
