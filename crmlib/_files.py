"""Small file helpers: atomic writes and paths that stay inside a folder."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from crmlib.exceptions import ParameterError

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def check_id(value: str, what: str = "client id") -> str:
    """Return ``value`` if it is a safe file-name id, else raise :class:`ParameterError`.

    Allowed: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or
    digit, at most 100 characters, and not ``.``/``..``. This keeps ids from
    naming a path outside the output folder.
    """
    if not isinstance(value, str) or not _SAFE_ID.match(value) or value in (".", ".."):
        raise ParameterError(
            f"{what} {value!r} is not allowed: use letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit, at most 100 characters)",
            parameter=what, value=value,
        )
    return value


def inside(root: str | os.PathLike, *parts: str) -> Path:
    """``root/parts...`` resolved, or :class:`ParameterError` if it leaves ``root``."""
    base = Path(root).resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise ParameterError(
            f"path {'/'.join(parts)!r} escapes the folder {base.name!r}", parameter="path",
            value="/".join(parts),
        )
    return path


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:  # no /proc: set and restore at once
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def default_mode(*, directory: bool = False) -> int:
    """Permissions a new file (``0o666``) or folder (``0o777``) gets under the user's umask."""
    return (0o777 if directory else 0o666) & ~current_umask()


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    A crash or exception leaves ``path`` as it was (absent or the old file),
    never half-written. The file gets the permissions any new file of the
    user gets (``0o666`` less the umask), not the private ``0o600`` of a
    temporary file; folders created on the way honour the umask too.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if os.path.exists(tmp):
            os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)
