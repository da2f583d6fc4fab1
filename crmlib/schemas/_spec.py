"""Column and table specifications, the registry of tables, and their lookup.

A canonical table is a :class:`TableSpec` holding :class:`ColumnSpec` items;
the tables themselves are defined in the sibling modules and registered in
:data:`TABLES` with :func:`_add`. :func:`table_spec` fetches one by name and
:func:`describe` prints its contract as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from crmlib.exceptions import ParameterError

DTYPES = ("str", "float", "int", "datetime", "bool")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a canonical table.

    Attributes
    ----------
    name : str
        Canonical snake_case name.
    dtype : {"str", "float", "int", "datetime", "bool"}
        Logical type after loading.
    description : str
        What the column means, in one sentence.
    required : bool
        Whether the column must be present.
    nullable : bool
        Whether a present column may have empty cells.
    unique : bool
        Whether values must be unique within the table.
    allowed : tuple or None
        Closed set of allowed values (after lower-casing for text).
    ge, le : float or None
        Inclusive bounds for numbers.
    synonyms : tuple of str
        Client header names (Spanish and English) that mean this column.
    aliases : tuple of (str, str)
        For columns with ``allowed`` values: client spellings and the allowed
        value they stand for (``("queja", "complaint")``), matched after
        lower-casing and removing accents.
    accepted : str
        For columns with ``allowed`` values: the labels a client may write, as the
        error for an unknown value lists them (``"Directivos/Managers, ..."``).
    future_ok : bool
        For timestamps: whether values after the valuation date are legitimate
        (due dates); otherwise the loader rejects dates in the future.
    """

    name: str
    dtype: str
    description: str
    required: bool = True
    nullable: bool = False
    unique: bool = False
    allowed: tuple | None = None
    ge: float | None = None
    le: float | None = None
    synonyms: tuple = ()
    aliases: tuple = ()
    future_ok: bool = False
    accepted: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns and the rules that span several columns.

    ``unique_together`` names column sets whose combination must be unique;
    ``ordered`` lists ``(earlier, later)`` timestamp pairs where ``later`` may
    not come before ``earlier``; ``allow_extra`` keeps columns the contract
    does not name (respondent attributes, for instance).
    """

    name: str
    description: str
    columns: tuple
    unique_together: tuple = ()
    ordered: tuple = ()
    allow_extra: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: dict[str, TableSpec] = {}


def _add(spec: TableSpec) -> None:
    TABLES[spec.name] = spec


def table_spec(table: str) -> TableSpec:
    """The :class:`TableSpec` of ``table``; :class:`ParameterError` for an unknown name."""
    try:
        return TABLES[table]
    except KeyError:
        raise ParameterError(
            f"table must be one of {sorted(TABLES)}; got {table!r}",
            parameter="table", allowed=tuple(TABLES), value=table,
        ) from None


def describe(table: str) -> pd.DataFrame:
    """The contract of ``table`` as a DataFrame: ``column``, ``type``, ``required``,
    ``nullable``, ``description``, ``synonyms``."""
    spec = table_spec(table)
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "type": c.dtype,
                "required": c.required,
                "nullable": c.nullable,
                "description": c.description,
                "synonyms": ", ".join(c.synonyms),
            }
            for c in spec.columns
        ]
    )
