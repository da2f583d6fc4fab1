"""Shared helpers of the segments stage: clean transactions and the valuation date."""

from __future__ import annotations

import pandas as pd

from crmlib._purchases import _clean_transactions
from crmlib.exceptions import ParameterError


def _tx(transactions: pd.DataFrame, func: str, as_of) -> tuple[pd.DataFrame, pd.Timestamp]:
    tx = _clean_transactions(transactions, func, as_of=as_of)
    if as_of is None:
        stamp = tx["date"].max().normalize() if len(tx) else pd.Timestamp.today().normalize()
    else:
        try:
            stamp = pd.Timestamp(as_of).normalize()
        except (TypeError, ValueError):
            raise ParameterError(f"as_of must be a date; got {as_of!r}", parameter="as_of",
                                 allowed="ISO date", value=as_of) from None
    return tx, stamp


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{name} must be a whole number of 1 or more; got {value!r}",
                             parameter=name, value=value)
    return value


def _fraction(name: str, value, *, open_low: bool = True) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (
        (0 < value <= 1) if open_low else (0 <= value <= 1))
    if not ok:
        raise ParameterError(f"{name} must be a share between 0 and 1; got {value!r}",
                             parameter=name, value=value)
    return float(value)
