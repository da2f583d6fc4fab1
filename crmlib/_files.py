"""Small file helpers: atomic writes and paths that stay inside a folder."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from crmlib.exceptions import ParameterError

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Names Windows keeps for devices, with or without an extension (``nul.txt`` too).
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{kind}{n}" for kind in ("COM", "LPT") for n in (*"0123456789", "\u00b9", "\u00b2",
                                                         "\u00b3")])


def is_windows_reserved(name: str) -> bool:
    """True when ``name`` (any case, any extension) is a device name on Windows."""
    return name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED


def check_id(value: str, what: str = "client id") -> str:
    """Return ``value`` if it is a safe file-name id, else raise :class:`ParameterError`.

    Allowed: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or
    digit, not ending with ``.``, at most 100 characters, and not a Windows
    device name (``CON``, ``nul``, ``COM1``, ``PRN.txt`` ...). This keeps ids
    from naming a path outside the output folder, or a file some system
    cannot hold.
    """
    if not isinstance(value, str) or not _SAFE_ID.fullmatch(value) or value.endswith("."):
        raise ParameterError(
            f"{what} {value!r} is not allowed: use letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit, not ending with '.', at most 100 characters)",
            parameter=what, value=value,
        )
    if is_windows_reserved(value):
        raise ParameterError(
            f"{what} {value!r} is not allowed: {value.split('.', 1)[0]!r} is a device name "
            "on Windows, so no file or folder can carry it; choose another id",
            parameter=what, value=value,
        )
    return value


def _plain_name(value: str, max_len: int) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._- ")
    text = text[:max_len].rstrip("._- ") or "id"
    if is_windows_reserved(text):  # ``com1.txt`` is still the device COM1 on Windows
        head, dot, rest = text.partition(".")
        text = f"{head}_{dot}{rest}"
    return text


def safe_file_names(values, *, max_len: int = 80) -> dict[str, str]:
    """A safe, unique file-name stem for each of ``values`` (ids taken from client data).

    An id that is already a safe name (:func:`check_id`) and clashes with no
    other id keeps its own text. Any other id (``G11/3512``, ``CON``,
    ``cliente nº 7``, ids equal but for case) becomes its letters, digits,
    ``.``, ``_`` and ``-`` (the rest turned into ``_``) followed by ``-`` and
    eight hex digits of the SHA-256 of the exact id, so different ids never
    share a file, on case-insensitive systems (Windows, macOS) included. The
    result never holds a path separator, never starts with ``.`` and is never
    a Windows device name.

    Returns ``{id: stem}`` for the distinct ids, as text.
    """
    ids = list(dict.fromkeys(str(v) for v in values))
    folded: dict[str, int] = {}
    for v in ids:
        folded[v.casefold()] = folded.get(v.casefold(), 0) + 1
    out: dict[str, str] = {}
    for v in ids:
        try:
            ok = len(v) <= max_len and check_id(v) == v and folded[v.casefold()] == 1
        except ParameterError:
            ok = False
        if ok:
            out[v] = v
            continue
        digest = hashlib.sha256(v.encode("utf-8")).hexdigest()
        out[v] = f"{_plain_name(v, max_len - 9)}-{digest[:8]}"
    # a stem that copies an untouched id of another value (or a digest clash) gets a longer digest
    seen: dict[str, str] = {}
    for v in ids:
        stem = out[v]
        k = 8
        while stem.casefold() in seen and seen[stem.casefold()] != v:
            k += 8
            stem = f"{_plain_name(v, max_len - 1 - k)}-" \
                f"{hashlib.sha256(v.encode('utf-8')).hexdigest()[:k]}"
        out[v] = stem
        seen[stem.casefold()] = v
    return out


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
