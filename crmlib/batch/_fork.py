"""The kernel template's client side: starting it and having it fork kernels.

:mod:`crmlib.batch._zygote` is the template process itself (a kernel that has done
its imports and forks a fresh copy per notebook); this module starts one per
worker and interpreter flags, and gives jupyter_client a provisioner that asks
it for a kernel instead of starting a new interpreter. Used by
:mod:`crmlib.batch._kernels`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from crmlib.exceptions import CrmlibError


class KernelStartError(CrmlibError, RuntimeError):
    """A kernel did not start after :data:`crmlib.batch._kernels.START_ATTEMPTS` attempts."""


class _ForeignProcess:
    """The bits of ``subprocess.Popen`` jupyter_client uses, for a kernel forked by the zygote
    (a process this one did not start, so it is watched with signals, not ``wait``)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum):
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class Zygote:
    """Client of one ``python -m crmlib.batch._zygote`` process (see :mod:`crmlib.batch._zygote`)."""

    def __init__(self, start_timeout: float = 120.0, flags: tuple = ()):
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)
        self.proc = subprocess.Popen([sys.executable, *flags, "-m", "crmlib.batch._zygote"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True, bufsize=1)
        self.lock = threading.Lock()
        line = self._readline(start_timeout)
        if line.strip() != "ready":
            self.close()
            raise KernelStartError(f"kernel template process did not start ({line!r})")

    def _readline(self, timeout: float) -> str:
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise KernelStartError(f"kernel template process silent for {timeout:g} s")
        return self.proc.stdout.readline()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, argv, env, cwd) -> int:
        req = {"argv": list(argv), "env": dict(env), "cwd": str(cwd), "watch_pid": os.getpid()}
        with self.lock:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            line = self._readline(30.0)
        if not line:
            raise KernelStartError("kernel template process exited")
        return int(json.loads(line)["pid"])

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_ZYGOTES: dict[tuple, Zygote] = {}
_ZYGOTE_LOCK = threading.Lock()


def get_zygote(flags: tuple = ()) -> Zygote | None:
    """This process's kernel template for interpreter ``flags`` (started on first use).

    None when it cannot start: the kernel is then launched the ordinary way.
    """
    key = (os.getpid(), tuple(flags))
    with _ZYGOTE_LOCK:
        z = _ZYGOTES.get(key)
        if z is None or not z.alive():
            try:
                z = _ZYGOTES[key] = Zygote(flags=tuple(flags))
            except (OSError, KernelStartError):
                return None
        return z


def _forkable(cmd: list[str]) -> tuple[tuple, list[str]] | None:
    """How a zygote can stand in for ``cmd``, or None when it cannot.

    ``cmd`` must start this interpreter's ipykernel: ``python [flags] -m
    ipykernel_launcher ...``. Interpreter flags (``ipykernel install`` adds
    ``-Xfrozen_modules=off``) are kept: the zygote itself starts with them.
    Returns ``(flags, kernel arguments)``.
    """
    if len(cmd) < 3:
        return None
    try:
        m = cmd.index("-m")
    except ValueError:
        return None
    flags = tuple(cmd[1:m])
    if m + 1 >= len(cmd) or cmd[m + 1] != "ipykernel_launcher" or \
            not all(f.startswith("-") and f not in ("-c", "-m") for f in flags):
        return None
    try:
        same = os.path.realpath(shutil.which(cmd[0]) or cmd[0]) == \
            os.path.realpath(sys.executable)
    except OSError:
        same = False
    return (flags, cmd[m + 2:]) if same else None


def _fork_provisioner(km):
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            forkable = _forkable(cmd)
            zygote = get_zygote(forkable[0]) if forkable is not None else None
            if zygote is None:
                return await super().launch_kernel(cmd, **kwargs)
            env = kwargs.get("env") or dict(os.environ)
            pid = zygote.fork(forkable[1], env, kwargs.get("cwd") or os.getcwd())
            self.process = _ForeignProcess(pid)
            self.pid = pid
            self.pgid = pid
            self.cwd = kwargs.get("cwd", os.getcwd())
            return self.connection_info

    import uuid

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    return ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
