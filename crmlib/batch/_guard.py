"""What keeps a run safe around its jobs: the output-folder lock, Ctrl-C, ending processes.

* :class:`OutputLock`: one run at a time per output folder (a shard of a job
  array locks only its slice). The lock is a file holding the pid, host and
  start of the run; a lock whose process is gone is taken over.
* :class:`Interrupt`: Ctrl-C (SIGINT, and SIGTERM) during a run stops it:
  no new job starts, running jobs are ended with their kernels, and the run
  still writes its manifest and summary.
* :func:`end_processes`: end processes and everything started under them
  (workers, kernel templates, kernels, the browser printing a PDF) and wait
  until they are gone.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

from crmlib.exceptions import CrmlibError

LOCK_NAME = ".crmlib-run.lock"
#: errno values meaning the disk (or the user's quota) is full
DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class OutputLockedError(CrmlibError):
    """Another run is writing to the same output folder."""


class DiskFullError(CrmlibError, OSError):
    """The disk holding the output folder (or the store) is full."""


def is_disk_full(exc: BaseException) -> bool:
    """True for an ``OSError`` (anywhere in the chain of causes) meaning no space is left."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        text = str(exc)
        if "No space left on device" in text or "Disk quota exceeded" in text:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# --------------------------------------------------------------------------- the lock

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_name(shard: tuple[int, int] | None) -> str:
    return LOCK_NAME if shard is None else f".crmlib-run.shard-{shard[0]}-of-{shard[1]}.lock"


class OutputLock:
    """Hold ``out`` for one run (or one shard of it) while the run lasts.

    A run without shards conflicts with any other run on the folder; a shard
    conflicts with a run without shards and with the same shard. The lock
    file records ``pid``, ``host``, ``started_at`` and ``run_id``; a lock left
    by a process that no longer exists on this host is taken over.
    """

    def __init__(self, out: Path, run_id: str, shard: tuple[int, int] | None = None):
        self.out = Path(out)
        self.path = self.out / _lock_name(shard)
        self.shard = shard
        self.info = {"pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id,
                     "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
        self.held = False
        self.took_over: dict | None = None

    def _read(self, path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    def _stale(self, info: dict | None) -> bool:
        if not info:
            return info == {}  # unreadable: left by a run killed while writing it
        if info.get("host") != socket.gethostname():
            return False  # a run on another machine: its pid cannot be checked here
        return not _alive(int(info.get("pid", -1)))

    def _refuse(self, path: Path, info: dict) -> OutputLockedError:
        where = f"pid {info.get('pid')} on {info.get('host')}" if info else "another run"
        return OutputLockedError(
            f"the output folder {str(self.out)!r} is in use by another crmlib run ({where}, "
            f"started {info.get('started_at', '?')}); wait for it to end or give another --out. "
            f"If no run is going on, delete {str(path)!r}")

    def acquire(self) -> OutputLock:
        self.out.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.info).encode()
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = self._read(self.path)
                if info is None:
                    continue  # released meanwhile
                if not self._stale(info):
                    raise self._refuse(self.path, info) from None
                # take the stale lock over: the rename is atomic, only one taker wins
                aside = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
                try:
                    os.replace(self.path, aside)
                    aside.unlink(missing_ok=True)
                except FileNotFoundError:
                    pass
                self.took_over = info
                continue
            try:
                os.write(fd, data)
            except OSError:
                os.close(fd)
                self.path.unlink(missing_ok=True)  # no empty lock left behind (a full disk)
                raise
            os.close(fd)
            self.held = True
            break
        else:
            raise self._refuse(self.path, self._read(self.path) or {})
        # the other kind of lock: the whole folder against shards, a shard against the whole
        others = [self.out / LOCK_NAME] if self.shard else \
            sorted(self.out.glob(".crmlib-run.shard-*.lock"))
        for other in others:
            info = self._read(other)
            if info is not None and not self._stale(info):
                self.release()
                raise self._refuse(other, info)
        return self

    def release(self) -> None:
        if self.held:
            info = self._read(self.path)
            if info and info.get("pid") == self.info["pid"] and \
                    info.get("run_id") == self.info["run_id"]:
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


# --------------------------------------------------------------------------- ending processes

def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return tree
    for stat in proc.glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(stat.parent.name))
    return tree


def descendants(pid: int | None = None) -> list[int]:
    """Every process started under ``pid`` (default this one), parents before children."""
    pid = os.getpid() if pid is None else pid
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess and the like
        return []
    tree, out, todo = _children_map(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(0), []):
            out.append(child)
            todo.append(child)
    return out


def _signal(pids, signum) -> None:
    if signum is None:  # a signal this system does not have (SIGSTOP, SIGKILL on Windows)
        return
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has ended
    except OSError:
        return not _alive(pid)


def end_processes(roots, *, grace: float = 3.0) -> list[int]:
    """End the processes ``roots`` and every process under them; wait until all are gone.

    All are stopped first (SIGSTOP, so a kernel template forks nothing new
    meanwhile), then sent SIGTERM, and SIGKILL when still there after
    ``grace`` seconds. What they leave in the temporary folder (kernel
    sockets named after them) is removed. Returns the pids ended.
    """
    roots = [int(r) for r in roots if r and int(r) != os.getpid()]
    pids: list[int] = []
    for _round in range(2):  # the second look finds what was forked before the first stop
        for pid in roots + [d for r in roots for d in descendants(r)]:
            if pid not in pids and not _gone(pid):
                pids.append(pid)
        _signal(pids, getattr(signal, "SIGSTOP", None))
    if not pids:
        return []
    _signal(pids, signal.SIGTERM)
    _signal(pids, getattr(signal, "SIGCONT", None))
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if all(_gone(p) for p in pids):
            break
        time.sleep(0.05)
    _signal([p for p in pids if not _gone(p)], getattr(signal, "SIGKILL", signal.SIGTERM))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_gone(p) for p in pids):
        time.sleep(0.05)  # a zombie counts as gone: its parent collects it
    _remove_sockets(pids)
    return pids


def _remove_sockets(pids) -> None:
    import tempfile

    tmp = Path(tempfile.gettempdir())
    for pid in pids:
        for path in tmp.glob(f"crmlib-k{pid}-*"):
            try:
                path.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------- Ctrl-C

class Interrupt:
    """Catch SIGINT and SIGTERM for the length of a run (main thread only).

    The first signal sets :attr:`requested`; while a job runs in this very
    process (one worker), it also raises :class:`KeyboardInterrupt` there, so
    the job stops at once. Later signals are absorbed: the run is already
    ending, and ends within seconds.
    """

    def __init__(self):
        self.event = threading.Event()
        self.signal_name = ""
        self.in_process_job = False
        self._reason = ""
        self._saved: dict = {}

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    @property
    def reason(self) -> str:
        """Why the run stopped early, in words ("" when it did not)."""
        if not self.event.is_set():
            return ""
        if self._reason:
            return self._reason
        return "Ctrl-C" if self.signal_name == "SIGINT" else f"{self.signal_name} received"

    def halt(self, reason: str) -> None:
        """Stop the run for ``reason`` (the disk is full ...), as Ctrl-C would."""
        if not self.event.is_set():
            self._reason = reason
            self.event.set()

    def _handler(self, signum, frame):
        first = not self.event.is_set()
        if first:
            self.signal_name = signal.Signals(signum).name
        self.event.set()
        if first and self.in_process_job:
            raise KeyboardInterrupt

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._saved[sig] = signal.signal(sig, self._handler)
                except (ValueError, OSError):
                    pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        self._saved.clear()
