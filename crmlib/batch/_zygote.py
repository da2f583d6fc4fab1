"""A template process that forks IPython kernels with the heavy modules already imported.

Run as ``python -m crmlib.batch._zygote`` by :mod:`crmlib.batch._kernels`. It imports
IPython, ipykernel, numpy, pandas, matplotlib and crmlib once, prints
``ready`` and then reads one JSON request per line on stdin::

    {"argv": ["-f", "/path/kernel-x.json"], "cwd": "...", "env": {...}, "watch_pid": 123}

For each request it forks; the child becomes a kernel (``IPKernelApp``) in its
own process group and the zygote answers ``{"pid": <child pid>}``. The zygote
never runs notebook code, so every kernel starts from the same clean state: a
fresh process per notebook, without paying for interpreter start-up and imports
each time. A kernel exits when the process ``watch_pid`` (the worker that
asked for it) disappears; the zygote exits when its stdin closes.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import threading
import time

PRELOAD = ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
           "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
           "crmlib", "crmlib.io", "crmlib.schemas", "crmlib.report", "crmlib.plot", "crmlib.i18n",
           "crmlib.identify", "crmlib.differentiate", "crmlib.clv", "crmlib.interact",
           "crmlib.personalize", "crmlib.readiness", "crmlib.servqual", "crmlib.collections",
           "crmlib.store")

INLINE = "module://matplotlib_inline.backend_inline"


def _reap(*_):
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _watch(pid: int) -> None:
    def loop():
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=loop, name="crmlib-watch-worker", daemon=True).start()


def _become_kernel(req: dict, reply_fd: int) -> None:
    """In the forked child: set up the process like a fresh kernel and run ipykernel."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh interpreter
        os.setpgid(0, 0)
        os.close(reply_fd)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # the kernel's own console notes; cell output goes over ZMQ
        os.close(devnull)
        sys.stdin = open(os.devnull)  # noqa: SIM115
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        os.environ.setdefault("MPLBACKEND", INLINE)
        sys.path[0] = req["cwd"]
        if "numpy" in sys.modules:  # a forked generator would repeat the zygote's stream
            sys.modules["numpy"].random.seed()
        _watch(int(req["watch_pid"]))
        sys.argv = ["ipykernel_launcher", *req["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=req["argv"])
    except BaseException:  # noqa: BLE001 - a kernel that cannot start just dies
        import traceback

        traceback.print_exc()
    finally:
        os._exit(0)


def main() -> None:
    # Ctrl-C in the terminal reaches this process too; the run that started it decides
    # what stops, and the template ends when its stdin closes
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints from imports must not corrupt the replies
    sys.stdout = sys.stderr
    os.environ["MPLBACKEND"] = INLINE
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S110 - a missing optional module is not fatal
            pass
    signal.signal(signal.SIGCHLD, _reap)
    reply = os.fdopen(reply_fd, "w", buffering=1)
    reply.write("ready\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_kernel(req, reply_fd)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child did it first
        reply.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    main()
