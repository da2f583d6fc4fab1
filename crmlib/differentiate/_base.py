"""Input checks shared by every Differentiate function.

The cleaned transactions and the purchase-day table every function starts from
live in :mod:`crmlib._purchases` (shared with :mod:`crmlib.clv`); here are
``as_of`` resolution and the ``_check_*`` helpers that validate parameters with
errors naming the parameter, the allowed values and the value passed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError


def _as_of(tx: pd.DataFrame, as_of) -> pd.Timestamp:
    if as_of is None:
        if len(tx) == 0:
            raise DataError([DataProblem("transactions", None, "has no rows with a customer")])
        return tx["date"].max().normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError):
        raise ParameterError(f"as_of must be a date; got {as_of!r}", parameter="as_of",
                             allowed="ISO date", value=as_of) from None


def _need_rows(tx: pd.DataFrame, func: str):
    if len(tx) == 0:
        raise DataError([DataProblem("transactions", None,
                                     f"has no rows with a customer up to as_of ({func})")])


def _check_fraction(name, value, *, low=0.0, high=1.0, closed_low=False, closed_high=False):
    ok = isinstance(value, (int, float, np.floating)) and np.isfinite(value)
    ok = ok and (value >= low if closed_low else value > low)
    ok = ok and (value <= high if closed_high else value < high)
    if not ok:
        lo = "[" if closed_low else "("
        hi = "]" if closed_high else ")"
        raise ParameterError(f"{name} must be in {lo}{low}, {high}{hi}; got {value!r}",
                             parameter=name, allowed=f"{lo}{low}, {high}{hi}", value=value)


def _check_positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ParameterError(f"{name} must be a positive integer; got {value!r}",
                             parameter=name, allowed="integer >= 1", value=value)
