"""Reading client data: the only module that opens files.

Tables (:func:`read_table`, :func:`read_client_table`) come from CSV as clients
really send it (UTF-8 with or without BOM, Windows-1252/Latin-1; ``,`` ``;`` tab
or ``|``; decimal comma and thousands dots; day-first dates; a title block
above the header), Excel, Parquet, a DataFrame or an SQL database. Client
headers are renamed once, here, to the canonical names of
:mod:`crmlib.schemas`, and every table is validated against its contract: bad
input raises one :class:`~crmlib.exceptions.DataError` listing every problem
with its source-file lines.

Whatever the loader settles that the file leaves open (the order of day and
month, numbers in a date column, an amount worked out from quantity and unit
price, the net base taken over the total with VAT, a name made of first name
and surname, merged cells filled down, the sheet used, a header it does not
know) is said in ``df.attrs["notes"]``, sentences readable in Spanish or English
with :func:`read_notes`; headers no column takes are also listed in
``df.attrs["unrecognised"]`` and, for a whole client folder, by
:func:`unrecognised_columns`. A ticket system's event log is read as the
``interactions`` table, one row per case.

Survey exports (:func:`read_survey`) are read in their native layouts (Google
Forms, Qualtrics with three header rows, SurveyMonkey with two) and Likert
answers turned into numbers by :func:`parse_likert`. Saved in a client folder as
``servqual_responses`` or ``readiness_responses``, such an export is read by
:func:`read_client_table` as the long table (and ``servqual_respondents`` derived
from it); importance points written as percentages are read by
:func:`points_of_100`.

Messages about a client folder (:func:`read_client_table`, and through it
``crmlib validate`` and the stage reports) name each file as the folder holds
it (``ventas.csv``), never by a full path.

The consultant's match-override file of :mod:`crmlib.identify` is read by
:func:`read_match_overrides`, its rows numbered by file line.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.io._notes import Note, read_notes
from crmlib.io._overrides import read_match_overrides
from crmlib.io._points import points_of_100
from crmlib.io._survey import NO_ANSWER, likert_labels, parse_likert, read_survey
from crmlib.io._survey_folder import SURVEY_TABLES, read_client_survey
from crmlib.io._tables import DATE_ORDERS, OPTIONS, read_table, unrecognised_headers
from crmlib.schemas import table_spec

__all__ = [
    "DATASET_FILE",
    "DATASET_KEYS",
    "NO_ANSWER",
    "OPTIONS",
    "Note",
    "client_files",
    "client_tables",
    "has_client_table",
    "likert_labels",
    "parse_likert",
    "points_of_100",
    "read_client_table",
    "read_dataset_config",
    "read_match_overrides",
    "read_notes",
    "read_survey",
    "read_table",
    "unrecognised_columns",
]

DATASET_FILE = "dataset.yaml"
_EXTS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".xls")


def _table_stem(path: Path) -> str | None:
    """The table part of a client file name (``transactions`` for ``transactions.csv.gz``),
    or None for a file that is no table file."""
    name = path.name
    low = name.lower()
    if low.endswith(".gz"):
        name, low = name[:-3], low[:-3]
        suffix = Path(low).suffix
        return name[: -len(suffix)] if suffix in _EXTS else None
    if low.endswith(".zip"):
        name, low = name[:-4], low[:-4]
        suffix = Path(low).suffix
        return name[: -len(suffix)] if suffix in _EXTS else name
    suffix = Path(low).suffix
    return name[: -len(suffix)] if suffix in _EXTS else None


def client_files(data_dir, table: str) -> list[Path]:
    """Files in ``data_dir`` holding ``table``, sorted by name.

    ``<table>.<ext>`` for every table, and for ``customers`` also
    ``customers_<source>.<ext>`` (one file per source database); extensions
    ``.csv .txt .tsv .xlsx .xlsm .parquet``, each also gzipped (``.csv.gz``),
    and ``.zip`` archives (``transactions.zip``, ``transactions.csv.zip``).
    Old ``.xls`` workbooks are listed too, so that reading them says they
    must be saved as ``.xlsx`` or CSV rather than that the table is missing,
    unless a file of the same name in another format is there.
    """
    table_spec(table)
    folder = Path(data_dir)
    if not folder.is_dir():
        raise ParameterError(f"data_dir {folder.name or str(folder)!r} is not a folder",
                             parameter="data_dir", value=str(folder))
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        stem = _table_stem(path)
        if stem is None:
            continue
        if stem == table or (table == "customers" and stem.startswith("customers_")):
            found.append(path)
    # an old .xls next to the copy saved from it (the advice its error gives) is left alone
    saved = {_table_stem(p) for p in found if not p.name.lower().endswith(".xls")}
    return [p for p in found if not (p.name.lower().endswith(".xls") and _table_stem(p) in saved)]


#: The keys a ``dataset.yaml`` may hold; any other is refused (a misspelt key would
#: otherwise be ignored without a word).
DATASET_KEYS = ("column_map", "options", "tables", "date_order", "survey")
_SURVEY_KEYS = ("instrument", "id_column", "group_column")


def _did_you_mean(value: str, choices) -> str:
    from rapidfuzz import fuzz, process

    best = process.extractOne(str(value), list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return f"; did you mean {best[0]!r}?" if best else ""


def _check_dataset(config: dict) -> list[DataProblem]:
    """Every key of a ``dataset.yaml`` that names no known key, table, option or column."""
    from crmlib.schemas import TABLES

    problems = []

    def bad(where: str, key, allowed) -> None:
        problems.append(DataProblem("dataset", None, f"{where} {key!r} is not known"
                                    f"{_did_you_mean(key, allowed)} (allowed: "
                                    f"{', '.join(map(str, allowed))})"))

    for key in config:
        if key not in DATASET_KEYS:
            bad("key", key, DATASET_KEYS)
    tables = sorted(TABLES)
    for section in ("column_map", "tables"):
        value = config.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(DataProblem("dataset", None, f"{section} must be a mapping "
                                        "{table: ...}"))
            continue
        for table, inner in value.items():
            if table not in TABLES:
                bad(f"{section}: table", table, tables)
            elif not isinstance(inner, dict):
                problems.append(DataProblem("dataset", None, f"{section}: {table} must be a "
                                            "mapping"))
            elif section == "tables":
                for opt in inner:
                    if opt not in OPTIONS:
                        bad(f"tables: {table}: read option", opt, OPTIONS)
    for section, allowed, what, example in (
            ("options", OPTIONS, "read option", "{read option: value}"),
            ("survey", _SURVEY_KEYS, "key", "{instrument: servqual-1991, group_column: Grupo}")):
        value = config.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(DataProblem("dataset", None, f"{section} must be a mapping such as "
                                        f"{example}"))
            continue
        for key in value:
            if key not in allowed:
                bad(f"{section}: {what}", key, allowed)
    order = config.get("date_order")
    if order is not None:
        if not isinstance(order, dict):
            problems.append(DataProblem("dataset", None, "date_order must be a mapping such "
                                        "as {transactions.date: MDY} or {invoices: DMY}"))
        else:
            for target, value in order.items():
                table, _, column = str(target).partition(".")
                if table not in TABLES:
                    bad("date_order: table", table, tables)
                elif column and column not in [c.name for c in TABLES[table].columns
                                               if c.dtype == "datetime"]:
                    bad(f"date_order: date column of {table}", column,
                        [c.name for c in TABLES[table].columns if c.dtype == "datetime"])
                if str(value).upper() not in DATE_ORDERS:
                    problems.append(DataProblem("dataset", None, f"date_order: {target} is "
                                                f"{value!r}; write DMY (day first) or MDY "
                                                "(month first)"))
    return problems


def read_dataset_config(data_dir) -> dict:
    """The ``dataset.yaml`` of a client folder as a dict (empty when there is none).

    Recognised keys (:data:`DATASET_KEYS`):

    - ``column_map``: ``{table: {client header: canonical}}``;
    - ``options``: read options for every table (see :func:`read_table`);
    - ``tables``: ``{table: {options}}``, overriding ``options`` for one table
      (``tables: {transactions: {dayfirst: false}}``; for a ticket event log,
      ``tables: {interactions: {activity_map: {close: [Solucionado]}}}``);
    - ``date_order``: the order of day and month where a file cannot tell,
      per table or per date column: ``{transactions.date: MDY, invoices: DMY}``;
    - ``survey``: for survey exports saved as the SERVQUAL or readiness tables,
      ``instrument`` (one name or path, or ``{servqual: ..., readiness: ...}``)
      and the export's ``id_column`` / ``group_column`` when they are not found
      by themselves.

    Any other key, a table name that is no table (``customers_crm`` under
    ``column_map``) or an unknown read option is refused with a
    :class:`~crmlib.exceptions.DataError` naming it and the closest known name.
    """
    path = Path(data_dir) / DATASET_FILE
    if not path.exists():
        return {}
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError([DataProblem("dataset", None, f"is not valid YAML ({err})")],
                        source=DATASET_FILE) from None
    if not isinstance(config, dict):
        raise DataError([DataProblem("dataset", None, "must be a mapping of keys "
                                     "(column_map, options, tables)")], source=DATASET_FILE)
    problems = _check_dataset(config)
    if problems:
        raise DataError(problems, source=DATASET_FILE)
    return config


def _table_options(config: dict, table: str) -> dict:
    """Read options of ``table`` from a checked ``dataset.yaml``."""
    merged = {**(config.get("options") or {}), **((config.get("tables") or {}).get(table) or {})}
    order = {}
    for target, value in (config.get("date_order") or {}).items():
        t, _, column = str(target).partition(".")
        if t == table:
            order[column or "*"] = str(value).upper()
    if order:
        merged["date_order"] = {**order, **(merged.get("date_order") or {})}
    return merged


def has_client_table(data_dir, table: str) -> bool:
    """Whether the client folder holds a file for ``table`` (see :func:`client_files`).

    For tables a client may or may not send (``credit_answers``, for one).
    An unknown table name is a :class:`ParameterError`, a missing folder too.
    """
    return bool(client_files(data_dir, table))


def _in_folder(text, folder: Path):
    """``text`` with every path inside ``folder`` written relative to it
    (``/…/acme/ventas.csv`` -> ``ventas.csv``) and the folder itself by its name."""
    if text is None:
        return None
    text = str(text)
    for base in dict.fromkeys((str(folder.resolve()), str(folder.absolute()), str(folder))):
        if base in ("", "."):
            continue
        for sep in dict.fromkeys((os.sep, "/")):
            text = text.replace(base + sep, "")
        if text == base:
            return folder.resolve().name
        text = text.replace(base, folder.resolve().name)
    return text


def _relative_error(err: DataError, folder: Path) -> DataError:
    """The same error with file names relative to the client's folder, never a full path:
    messages reach reports, logs and other people's screens."""
    problems = [replace(p, rule=_in_folder(p.rule, folder), source=_in_folder(p.source, folder),
                        examples=tuple(p.examples))
                if isinstance(p, DataProblem) else _in_folder(p, folder)
                for p in err.problems]
    out = type(err).__new__(type(err))
    DataError.__init__(out, problems, source=_in_folder(err.source, folder))
    return out


def read_client_table(data_dir, table: str, *, optional: bool = False,
                      **options) -> pd.DataFrame | None:
    """Read ``table`` from a client folder, applying its ``dataset.yaml`` if present.

    Parameters
    ----------
    data_dir : str or path
        The client's folder.
    table : str
        Canonical table name.
    optional : bool, default False
        True for a table the client may not have: with no file for it the
        result is None instead of an error. A file that is there is read and
        checked as usual.
    **options
        Read options (see :func:`read_table`), over those of ``dataset.yaml``.

    Returns
    -------
    DataFrame or None
        As :func:`read_table`. A survey export (Google Forms, Qualtrics,
        SurveyMonkey; CSV or Excel) saved as ``servqual_responses`` or
        ``readiness_responses`` becomes the long table, and
        ``servqual_respondents`` without a file of its own is derived from
        the SERVQUAL export (see :func:`crmlib.io._survey_folder.read_client_survey`).
        Several customer files
        (``customers_<source>.csv``) are stacked, with ``source`` set from the
        file name where the file has no such column or leaves it empty. None
        only with ``optional=True`` and no file for the table.

    Raises
    ------
    DataError
        No file for the table (unless ``optional``), or any problem
        :func:`read_table` finds; when several customer files have problems,
        one error lists them all, each naming its file.
    """
    if not isinstance(optional, bool):
        raise ParameterError(f"optional must be True or False; got {optional!r}",
                             parameter="optional", allowed=(True, False), value=optional)
    folder = Path(data_dir)
    try:
        return _read_client_table(folder, table, optional, options)
    except DataError as err:
        raise _relative_error(err, folder) from None


def _read_client_table(folder: Path, table: str, optional: bool, options: dict):
    spec = table_spec(table)
    files = client_files(folder, table)
    if not files and optional and table not in SURVEY_TABLES:
        return None
    config = read_dataset_config(folder)
    merged = {**_table_options(config, table), **options}
    if table in SURVEY_TABLES:  # survey exports saved under the table's name
        survey = read_client_survey(folder, table, files, options=merged, config=config)
        if survey is not None:
            return survey
    if not files and optional:
        return None
    column_map = (config.get("column_map") or {}).get(table)
    if not files:
        raise DataError([DataProblem(table, None, f"has no file in {folder.name}/ "
                                     f"(expected {table}.csv, .xlsx or .parquet)")])
    frames, failures = [], []
    for path in files:
        try:
            df = read_table(path, table, column_map=column_map, **merged)
        except DataError as err:
            failures.append((path, err))
            continue
        stem = _table_stem(path)
        if table == "customers" and stem != table:
            label = stem.removeprefix("customers_")
            if "source" in df.columns:
                df["source"] = df["source"].fillna(label)
            else:
                df["source"] = pd.Series(label, index=df.index, dtype="str")
                order = [c.name for c in spec.columns if c.name in df.columns]
                df = df[order + [c for c in df.columns if c not in order]]
        frames.append(df)
    if len(failures) == 1:
        raise failures[0][1]
    if failures:
        # every file's problems in one error, each saying which file it is about
        problems = [replace(p, rule=f"{p.rule} in {path.name}", source=str(path))
                    for path, err in failures for p in err.problems]
        raise DataError(problems, source=str(folder))
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    order = [c.name for c in spec.columns if c.name in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    out.attrs = {"source": [str(p) for p in files],
                 "notes": [n for f in frames for n in f.attrs.get("notes", [])],
                 "unrecognised": [u for f in frames for u in f.attrs.get("unrecognised", [])]}
    return out


def client_tables(data_dir) -> list[str]:
    """The tables a client folder provides, in contract order.

    Every table with a file (:func:`client_files`), and the tables derived from a
    survey export: ``servqual_respondents`` when the export saved as
    ``servqual_responses`` carries respondent questions (importance points,
    overall rating, customer type) and there is no file of its own. This is
    what a stage can read, so ``validate`` checks stages against it rather than
    against the file names alone.
    """
    from crmlib.schemas import TABLES

    folder = Path(data_dir)
    out = []
    for table in TABLES:
        if client_files(folder, table):
            out.append(table)
        elif table in SURVEY_TABLES and SURVEY_TABLES[table] != table \
                and client_files(folder, SURVEY_TABLES[table]):
            try:
                derived = read_client_table(folder, table, optional=True)
            except DataError:
                continue  # the export's own problem is reported under its table
            if derived is not None:
                out.append(table)
    return out


def unrecognised_columns(data_dir, tables=None) -> pd.DataFrame:
    """Headers of a client's files that name no column of their table.

    Parameters
    ----------
    data_dir : str or path
        The client's folder (its ``dataset.yaml`` column maps and read options
        apply).
    tables : list of str, optional
        Tables to look at; by default every table with a file in the folder.

    Returns
    -------
    DataFrame
        One row per unrecognised header: ``table``, ``file`` (file name),
        ``header`` (as written), ``suggestion`` (the canonical column closest
        to it, to map in ``column_map``; missing when none is close). Only the
        header rows are read, so files whose rows break the contract are
        listed too. Such columns are kept as text by :func:`read_table` and
        used by no stage; the same list is in ``attrs["unrecognised"]`` of
        every table read.
    """
    from crmlib.schemas import TABLES

    folder = Path(data_dir)
    config = read_dataset_config(folder)
    rows = []
    for table in tables if tables is not None else sorted(TABLES):
        column_map = (config.get("column_map") or {}).get(table)
        options = {k: v for k, v in _table_options(config, table).items() if k != "as_of"}
        for path in client_files(folder, table):
            for u in unrecognised_headers(path, table, column_map=column_map, **options):
                rows.append({"table": table, "file": u["file"], "header": u["header"],
                             "suggestion": u["suggestion"]})
    return pd.DataFrame(rows, columns=["table", "file", "header", "suggestion"]).astype("str")
