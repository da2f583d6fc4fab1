"""The variables segments are made from: need scores and the client's own attributes."""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError

#: Attribute columns of ``customer_attributes`` that segmentation may use, by kind.
NUMERIC_ATTRIBUTES = ("usage_rate",)
CATEGORICAL_ATTRIBUTES = ("sector", "size_band", "age_band", "region")


def segment_features(needs: pd.DataFrame | None = None,
                     attributes: pd.DataFrame | None = None, *,
                     variables=None) -> pd.DataFrame:
    """One row per customer with every variable segmentation uses.

    Parameters
    ----------
    needs : DataFrame, optional
        :func:`needs_scores`: index ``customer_id``, one column per need (1-5).
    attributes : DataFrame, optional
        Contract ``customer_attributes``: business variables (``sector``, ``size_band``,
        ``usage_rate``) or consumer variables (``age_band``, ``region``).
    variables : sequence of str, optional
        The attribute columns to use; by default every one of
        :data:`NUMERIC_ATTRIBUTES` and :data:`CATEGORICAL_ATTRIBUTES` the table has with
        at least two distinct values.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (sorted). Need columns ``need:<dimension>`` (1-5),
        numeric attributes ``attr:<column>`` as given (the clustering reads them as
        log(1 + x), so a few heavy users do not make a segment alone), and one 0/1 column ``cat:<column>=<value>``
        per category of each categorical attribute. With both tables, only customers in
        both are kept (a segment is read from all its variables). Empty numeric cells
        take the column median; empty categories are their own category ``""``.
    """
    if needs is None and attributes is None:
        raise ParameterError("segment_features needs needs scores, customer attributes or "
                             "both; got neither", parameter="needs", value=None)
    parts = []
    if needs is not None:
        n = needs.copy()
        n.index = n.index.astype(str)
        n.columns = [f"need:{c}" for c in n.columns]
        parts.append(n)
    if attributes is not None:
        parts.append(_attribute_features(attributes, variables))
    out = parts[0]
    for p in parts[1:]:
        out = out.join(p, how="inner")
    out.index.name = "customer_id"
    return out.sort_index()


def _attribute_features(attributes: pd.DataFrame, variables) -> pd.DataFrame:
    if "customer_id" not in attributes.columns:
        raise DataError([DataProblem("customer_attributes", "customer_id",
                                     "is required but missing")])
    known = NUMERIC_ATTRIBUTES + CATEGORICAL_ATTRIBUTES
    if variables is None:
        variables = [c for c in known if c in attributes.columns
                     and attributes[c].dropna().nunique() >= 2]
    else:
        variables = list(variables)
        bad = [v for v in variables if v not in known]
        if bad:
            raise ParameterError(f"variables must be among {list(known)}; got {bad}",
                                 parameter="variables", allowed=known, value=bad)
        missing = [v for v in variables if v not in attributes.columns]
        if missing:
            raise DataError([DataProblem("customer_attributes", v,
                                         "is asked for segmentation but missing")
                             for v in missing])
    df = attributes.drop_duplicates("customer_id").set_index(
        attributes.drop_duplicates("customer_id")["customer_id"].astype(str))
    cols = {}
    for v in variables:
        if v in NUMERIC_ATTRIBUTES:
            x = pd.to_numeric(df[v], errors="coerce")
            cols[f"attr:{v}"] = x.fillna(x.median()).clip(lower=0)
        else:
            x = df[v].astype("string").fillna("").str.strip()
            for value in sorted(x.unique()):
                cols[f"cat:{v}={value}"] = (x == value).astype(float)
    out = pd.DataFrame(cols, index=df.index)
    out.index.name = "customer_id"
    return out
