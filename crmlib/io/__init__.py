"""Reading client data: the only module that opens files.

First version: canonical headers or built-in synonyms, CSV/Excel/Parquet,
validated against :mod:`crmlib.schemas`. (Hardening for messy exports follows.)
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem
from crmlib.io._survey import likert_labels, parse_likert, read_survey
from crmlib.schemas import TABLES, table_spec, validate

__all__ = ["read_table", "read_client_table", "client_files", "DATASET_FILE", "read_survey",
           "parse_likert", "likert_labels"]

DATASET_FILE = "dataset.yaml"
_EXTS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _rename_map(columns, table: str, column_map: dict | None) -> dict:
    spec = table_spec(table)
    lookup = {}
    for c in spec.columns:
        for name in (c.name, *c.synonyms):
            lookup.setdefault(_norm(name), c.name)
    explicit = {_norm(k): v for k, v in (column_map or {}).items()}
    out = {}
    taken = set()
    for col in columns:
        key = _norm(col)
        target = explicit.get(key) or lookup.get(key)
        if target and target not in taken:
            out[col] = target
            taken.add(target)
    return out


def read_table(source, table: str, *, column_map=None, query: str | None = None,
               **options) -> pd.DataFrame:
    """Read one canonical table from a file or database and validate it.

    Parameters
    ----------
    source : str or path
        ``.csv``, ``.xlsx`` or ``.parquet`` file, or an SQLAlchemy URL.
    table : str
        Canonical table name (see :data:`crmlib.schemas.TABLES`).
    column_map : dict or str, optional
        ``{client header: canonical name}``, or a YAML file holding it.
    query : str, optional
        SQL query, when ``source`` is a URL.

    Returns
    -------
    DataFrame
        Canonical columns, typed; raises :class:`DataError` listing every problem.
    """
    spec = table_spec(table)
    if isinstance(column_map, (str, Path)):
        column_map = yaml.safe_load(Path(column_map).read_text(encoding="utf-8")) or {}
    path = Path(str(source))
    ext = path.suffix.lower()
    if ext in (".csv", ".txt", ".tsv"):
        raw = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig",
                          keep_default_na=False)
        raw.index = raw.index + 2
        kind = "line"
    elif ext in (".xlsx", ".xlsm"):
        raw = pd.read_excel(path, dtype=str, keep_default_na=False)
        raw.index = raw.index + 2
        kind = "line"
    elif ext == ".parquet":
        raw = pd.read_parquet(path)
        kind = "row"
    else:
        raw = pd.read_sql(query, str(source))
        kind = "row"
    df = raw.rename(columns=_rename_map(raw.columns, table, column_map))
    problems = []
    for c in spec.columns:
        if c.name not in df.columns:
            continue
        s = df[c.name]
        if c.dtype == "str":
            df[c.name] = s.astype(object).where(s.notna() & (s.astype(str).str.strip() != ""))
        elif c.dtype in ("float", "int"):
            num = pd.to_numeric(s.replace("", None), errors="coerce")
            bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
            if bad.any():
                problems.append(DataProblem(table, c.name, "is not a number", int(bad.sum()),
                                            len(df), tuple(s[bad].head(3).items()), kind,
                                            str(source)))
            df[c.name] = num.astype(float)
        elif c.dtype == "datetime":
            txt = s.replace("", None)
            dt = pd.to_datetime(txt, errors="coerce", format="mixed")
            bad = dt.isna() & txt.notna()
            if bad.any():
                problems.append(DataProblem(table, c.name, "is not a date", int(bad.sum()),
                                            len(df), tuple(s[bad].head(3).items()), kind,
                                            str(source)))
            df[c.name] = dt.astype("datetime64[ns]")
        elif c.dtype == "bool":
            df[c.name] = s.map(lambda v: str(v).strip().lower() in ("1", "true", "si", "sí",
                                                                      "yes", "x", "s", "y")
                               if str(v).strip() else None).astype("boolean")
    if problems:
        raise DataError(problems, source=str(source))
    try:
        validate(df, table, location_kind=kind, source=str(source))
    except DataError as err:
        raise DataError(err.problems, source=str(source)) from None
    return df.reset_index(drop=True)


def client_files(data_dir, table: str) -> list[Path]:
    """Files in ``data_dir`` holding ``table``: ``<table>.<ext>``, and for customers
    also ``customers_<source>.<ext>``."""
    table_spec(table)
    folder = Path(data_dir)
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in _EXTS:
            continue
        stem = path.stem
        if stem == table or (table == "customers" and stem.startswith("customers_")):
            found.append(path)
    return found


def read_client_table(data_dir, table: str) -> pd.DataFrame:
    """Read ``table`` from a client folder, applying its ``dataset.yaml`` if present.

    ``dataset.yaml`` may hold ``column_map: {table: {header: canonical}}`` and
    ``options: {...}`` passed to :func:`read_table`. Several customer files
    (``customers_<source>.csv``) are stacked, with ``source`` set from the name
    where the file has no such column.
    """
    folder = Path(data_dir)
    config = {}
    if (folder / DATASET_FILE).exists():
        config = yaml.safe_load((folder / DATASET_FILE).read_text(encoding="utf-8")) or {}
    column_map = (config.get("column_map") or {}).get(table)
    options = config.get("options") or {}
    files = client_files(folder, table)
    if not files:
        raise DataError([DataProblem(table, None, f"has no file in {folder.name}/ "
                                     f"(expected {table}.csv, .xlsx or .parquet)")])
    frames = []
    for path in files:
        df = read_table(path, table, column_map=column_map, **options)
        if table == "customers" and "source" not in df.columns:
            df["source"] = path.stem.removeprefix("customers_") if path.stem != table else None
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
