"""Reading the consultant's match-override file of :mod:`crmlib.identify`.

The file (``templates/match_overrides.csv``) is a CSV with the header
``left_key,right_key,decision,note``, one row per pair of customer records;
lines starting with ``#`` are comments. Like client exports, it may come back
from a spreadsheet in Windows-1252 with ``;`` between fields. Rows keep the number of the file line
they come from, so the checks that :func:`crmlib.identify.apply_overrides` runs
on them name the file and its lines.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.io._text import decode, sniff_separator


def read_match_overrides(path) -> pd.DataFrame:
    """Read a consultant's match-override file.

    Parameters
    ----------
    path : str or path
        A CSV file in the format of ``templates/match_overrides.csv``, header
        ``left_key,right_key,decision,note``; blank lines and lines starting
        with ``#`` are skipped. The encoding (UTF-8 with or without BOM,
        Windows-1252) and the separator (``,`` ``;`` tab ``|``) are detected
        as for client tables, so a file saved by a Spanish-locale spreadsheet
        reads the same.

    Returns
    -------
    DataFrame
        The file's columns as text (``left_key``, ``right_key``, ``decision``,
        ``note``; ``note`` added empty when the file has none), indexed by the
        line number of each row in the file. ``attrs["source"]`` is the file
        name and ``attrs["location_kind"]`` is ``"line"``, so that a
        :class:`~crmlib.exceptions.DataError` raised on these rows names the
        file, the column, the rule and the lines. A file with no rows gives an
        empty table with the four columns.

    Raises
    ------
    ParameterError
        When ``path`` is not an existing file.

    Notes
    -----
    The rows are checked by :func:`crmlib.identify.apply_overrides`, which also
    needs the customers' record keys; it reports every problem in one error.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"overrides file {path.name!r} does not exist",
                             parameter="overrides", allowed="an existing CSV file",
                             value=str(path))
    text, _ = decode(path.read_bytes(), encoding=None, table="match_overrides", name=path.name)
    numbered = [(k, ln) for k, ln in enumerate(text.splitlines(), start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]
    sep = sniff_separator("\n".join(ln for _, ln in numbered))
    rows = list(csv.reader((ln for _, ln in numbered), delimiter=sep))
    if not rows:
        df = pd.DataFrame(columns=["left_key", "right_key", "decision", "note"], dtype=object)
    else:
        header = [h.strip() for h in rows[0]]
        body = [(r + [""] * (len(header) - len(r)))[: len(header)] for r in rows[1:]]
        df = pd.DataFrame(body, columns=header, dtype=object,
                          index=pd.Index([k for k, _ in numbered[1:]], dtype="int64"))
        if "note" not in df.columns:
            df["note"] = ""
    df.attrs.update(location_kind="line", source=path.name)
    return df
