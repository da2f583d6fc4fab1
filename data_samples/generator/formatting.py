"""How each company writes its files: separator, encoding, decimals, date order."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import numpy as np

from ._common import BASE, DAY_MIN


@dataclass(frozen=True)
class Style:
    """How one company's files are written."""

    sep: str = ","
    encoding: str = "utf-8"
    decimal_comma: bool = False
    day_first: bool = False

    def money(self, x) -> str:
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        text = f"{float(x):,.2f}" if self.decimal_comma else f"{float(x):.2f}"
        if self.decimal_comma:
            text = text.translate(str.maketrans({",": ".", ".": ","}))
        return "0.00" if text == "-0.00" else ("0,00" if text == "-0,00" else text)

    def number(self, x, digits: int = 1) -> str:
        """A plain number without thousands separators (minutes, scores, units)."""
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        if float(x) == int(x):
            return str(int(x))
        text = f"{float(x):.{digits}f}"
        return text.replace(".", ",") if self.decimal_comma else text

    def day(self, d) -> str:
        if d is None:
            return ""
        return _day_text(int(d), self.day_first)

    def stamp(self, minute) -> str:
        if minute is None:
            return ""
        minute = int(minute)
        d, m = divmod(minute, DAY_MIN)
        return f"{_day_text(d, self.day_first)} {m // 60:02d}:{m % 60:02d}"


@cache
def _day_text(offset: int, day_first: bool) -> str:
    d = BASE + timedelta(days=offset)
    return d.strftime("%d/%m/%Y") if day_first else d.isoformat()


CLEAN = Style()


MESSY = Style(sep=";", encoding="cp1252", decimal_comma=True, day_first=True)


def write_csv(path: Path, header: list[str], rows: list[list[str]], style: Style) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=style.sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(style.encoding))
