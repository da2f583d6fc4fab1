"""The pandera form of a contract.

:func:`schema` turns a :class:`~crmlib.schemas.TableSpec` into a
``pandera.DataFrameSchema`` with the same types, checks and column
descriptions, for users who validate with pandera themselves.
"""

from __future__ import annotations

import pandera.pandas as pa

from crmlib.schemas._spec import table_spec

_PA_DTYPES = {"str": object, "float": "float64", "int": "Int64", "datetime": "datetime64[ns]",
              "bool": "boolean"}


def schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of ``table``, built from its :class:`TableSpec`.

    Column types are checked loosely for text (object or string dtype) and
    strictly for numbers and timestamps.
    """
    spec = table_spec(table)
    columns = {}
    for c in spec.columns:
        checks = []
        if c.allowed is not None:
            checks.append(pa.Check.isin(list(c.allowed), error=f"is one of {list(c.allowed)}"))
        if c.ge is not None:
            checks.append(pa.Check.ge(c.ge, error=f"is at least {c.ge:g}"))
        if c.le is not None:
            checks.append(pa.Check.le(c.le, error=f"is at most {c.le:g}"))
        columns[c.name] = pa.Column(
            None if c.dtype == "str" else _PA_DTYPES[c.dtype],
            checks=checks,
            nullable=c.nullable,
            unique=c.unique,
            required=c.required,
            description=c.description,
            title=c.name,
        )
    return pa.DataFrameSchema(
        columns,
        strict=not spec.allow_extra,
        name=spec.name,
        description=spec.description,
    )
