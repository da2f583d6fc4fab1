"""Small file helpers: atomic writes and paths that stay inside a folder."""

from __future__ import annotations

import os
import re
import tempfile
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


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    A crash or exception leaves ``path`` as it was (absent or the old file),
    never half-written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
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
