"""Data contracts: the canonical tables every stage reads.

Each table is described once, as a :class:`TableSpec` of :class:`ColumnSpec`
items (name, type, whether it is required, its meaning, the header synonyms
clients use for it). :func:`validate` checks a frame against it, raising one
:class:`~crmlib.exceptions.DataError` that lists every problem with the rows
(or source-file lines) that break it; :func:`check` returns the same list
without raising, and :func:`describe` documents a table for the people who
prepare the files.

The checks are the workbook's own (``_validate``): every rule of a table is
run over the whole frame and every failure collected, with the client's file
and line numbers, in the words of the method. An earlier pandera form of the
contracts was dropped: validation never ran on it, it repeated these rules
in a second vocabulary whose messages would have to be translated back, and it
cost every notebook kernel a quarter of a second of imports.

Conventions: ids are text; money is in the client's currency as a float;
timestamps are naive ``datetime64[ns]`` in the client's local time; names are
snake_case and units are in the name (``*_at`` timestamps, ``*_days`` spans).
"""

# Importing the table modules registers their tables in TABLES; _answers imports
# _records, so the client records always come first.
from crmlib.schemas import _answers, _followup, _records, _segment, _subscriptions  # noqa: F401
from crmlib.schemas._spec import DTYPES as DTYPES
from crmlib.schemas._spec import TABLES, ColumnSpec, TableSpec, describe, table_spec
from crmlib.schemas._validate import check, validate

__all__ = [
    "TABLES",
    "ColumnSpec",
    "TableSpec",
    "check",
    "describe",
    "table_spec",
    "validate",
]
