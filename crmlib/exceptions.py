"""Exceptions raised by crmlib.

Every error a user can cause is a :class:`CrmlibError`. Errors about input data
also subclass :class:`ValueError` so generic ``except ValueError`` handlers keep
working, in the way scikit-learn's ``NotFittedError`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CrmlibError",
    "DataError",
    "DataProblem",
    "MissingDependencyError",
    "ParameterError",
]


class CrmlibError(Exception):
    """Base class of every error crmlib raises on purpose."""


@dataclass(frozen=True)
class DataProblem:
    """One rule broken by some rows of one column of one table.

    Attributes
    ----------
    table : str
        Canonical table name (``transactions``, ``customers`` ...).
    column : str or None
        Canonical column name, or ``None`` for a problem with the whole table.
    rule : str
        What was expected, in plain words (``is not a number``).
    n_failed : int
        How many rows break the rule.
    n_rows : int
        How many rows the table has.
    examples : tuple of (location, value)
        Up to a few offending rows: ``location`` is a source-file line number
        when the data came from a text file, else the 0-based row position.
    location_kind : str
        ``"line"`` or ``"row"``, telling how to read ``examples``.
    source : str or None
        The file or URL the table came from.
    """

    table: str
    column: str | None
    rule: str
    n_failed: int = 0
    n_rows: int = 0
    examples: tuple = field(default_factory=tuple)
    location_kind: str = "row"
    source: str | None = None

    def __str__(self) -> str:
        where = f"column '{self.column}' " if self.column else ""
        text = f"{self.table}: {where}{self.rule}"
        if self.n_rows:
            text += f" - {self.n_failed:,} of {self.n_rows:,} rows fail"
        if self.examples:
            shown = "; ".join(
                f"{self.location_kind} {loc}: {_short(val)}" for loc, val in self.examples
            )
            text += f" ({shown})"
        return text


def _short(value, limit: int = 40) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class DataError(CrmlibError, ValueError):
    """Input data break the contract of a table.

    One ``DataError`` carries every problem found, so a user fixes a file once
    rather than once per error. ``problems`` holds :class:`DataProblem` items.
    """

    def __init__(self, problems, *, source: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.source = source
        lines = [str(p) for p in self.problems]
        head = f"{source}: " if source else ""
        if len(lines) == 1:
            message = head + lines[0]
        else:
            message = head + f"{len(lines)} problems found\n" + "\n".join(f"  - {x}" for x in lines)
        super().__init__(message)


class ParameterError(CrmlibError, ValueError):
    """A function or notebook parameter has a wrong name, type or value.

    Attributes
    ----------
    parameter : str or None
        Name of the offending parameter.
    allowed : object
        What would have been accepted.
    value : object
        What was passed.
    """

    def __init__(self, message: str, *, parameter=None, allowed=None, value=None):
        self.parameter = parameter
        self.allowed = allowed
        self.value = value
        super().__init__(message)


class MissingDependencyError(CrmlibError, ImportError):
    """An optional dependency is not installed; the message gives the install command."""

    def __init__(self, package: str, extra: str, purpose: str):
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs the optional package '{package}'. "
            f"Install it with: pip install 'crm-workbook[{extra}]'"
        )


def check_choice(name: str, value, allowed) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ParameterError(
            f"{name} must be one of {sorted(map(str, allowed))}; got {value!r}",
            parameter=name,
            allowed=tuple(allowed),
            value=value,
        )
