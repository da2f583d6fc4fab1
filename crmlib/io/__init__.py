"""Reading client data: the only module that opens files.

Tables (:func:`read_table`, :func:`read_client_table`) come from CSV as clients
really send it (UTF-8 with or without BOM, Windows-1252/Latin-1; ``,`` ``;`` tab
or ``|``; decimal comma and thousands dots; day-first dates; a title block
above the header), Excel, Parquet, a DataFrame or an SQL database. Client
headers are renamed once, here, to the canonical names of
:mod:`crmlib.schemas`, and every table is validated against its contract: bad
input raises one :class:`~crmlib.exceptions.DataError` listing every problem
with its source-file lines.

Survey exports (:func:`read_survey`) are read in their native layouts (Google
Forms, Qualtrics with three header rows, SurveyMonkey with two) and Likert
answers turned into numbers by :func:`parse_likert`. Saved in a client folder as
``servqual_responses`` or ``readiness_responses``, such an export is read by
:func:`read_client_table` as the long table (and ``servqual_respondents`` derived
from it); importance points written as percentages are read by
:func:`points_of_100`.

The consultant's match-override file of :mod:`crmlib.identify` is read by
:func:`read_match_overrides`, its rows numbered by file line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.io._overrides import read_match_overrides
from crmlib.io._survey import NO_ANSWER, likert_labels, parse_likert, read_survey
from crmlib.io._survey_folder import SURVEY_TABLES, points_of_100, read_client_survey
from crmlib.io._tables import OPTIONS, read_table
from crmlib.schemas import table_spec

__all__ = [
    "DATASET_FILE",
    "NO_ANSWER",
    "OPTIONS",
    "client_files",
    "has_client_table",
    "likert_labels",
    "parse_likert",
    "points_of_100",
    "read_client_table",
    "read_dataset_config",
    "read_match_overrides",
    "read_survey",
    "read_table",
]

DATASET_FILE = "dataset.yaml"
_EXTS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")


def client_files(data_dir, table: str) -> list[Path]:
    """Files in ``data_dir`` holding ``table``, sorted by name.

    ``<table>.<ext>`` for every table, and for ``customers`` also
    ``customers_<source>.<ext>`` (one file per source database); extensions
    ``.csv .txt .tsv .xlsx .xlsm .parquet``.
    """
    table_spec(table)
    folder = Path(data_dir)
    if not folder.is_dir():
        raise ParameterError(f"data_dir {str(folder)!r} is not a folder", parameter="data_dir",
                             value=str(folder))
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in _EXTS or path.name.startswith((".", "~$")):
            continue
        stem = path.stem
        if stem == table or (table == "customers" and stem.startswith("customers_")):
            found.append(path)
    return found


def read_dataset_config(data_dir) -> dict:
    """The ``dataset.yaml`` of a client folder as a dict (empty when there is none).

    Recognised keys: ``column_map`` (``{table: {client header: canonical}}``),
    ``options`` (read options for every table, see :func:`read_table`) and
    ``tables`` (``{table: {options}}``, overriding ``options`` for one table)
    and ``survey`` (for survey exports saved as the SERVQUAL or readiness
    tables: ``instrument`` -- one name or path, or ``{servqual: ...,
    readiness: ...}`` -- and the export's ``id_column`` / ``group_column``
    when they are not found by themselves).
    Other keys are left for other uses.
    """
    path = Path(data_dir) / DATASET_FILE
    if not path.exists():
        return {}
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError([DataProblem("dataset", None, f"is not valid YAML ({err})")],
                        source=str(path)) from None
    if not isinstance(config, dict):
        raise DataError([DataProblem("dataset", None, "must be a mapping of keys "
                                     "(column_map, options, tables)")], source=str(path))
    return config


def has_client_table(data_dir, table: str) -> bool:
    """Whether the client folder holds a file for ``table`` (see :func:`client_files`).

    For tables a client may or may not send (``credit_answers``, for one).
    An unknown table name is a :class:`ParameterError`, a missing folder too.
    """
    return bool(client_files(data_dir, table))


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
    spec = table_spec(table)
    files = client_files(folder, table)
    if not files and optional and table not in SURVEY_TABLES:
        return None
    config = read_dataset_config(folder)
    merged = {**(config.get("options") or {}), **((config.get("tables") or {}).get(table) or {}),
              **options}
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
        if table == "customers" and path.stem != table:
            label = path.stem.removeprefix("customers_")
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
    out.attrs = {"source": [str(p) for p in files]}
    return out
