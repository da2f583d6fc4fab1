"""Needs answers: from survey exports to one row of need scores per customer."""

from __future__ import annotations

import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.instruments import load_instrument

NEEDS_INSTRUMENT = "needs"


def needs_from_export(wide: pd.DataFrame, instrument=NEEDS_INSTRUMENT, *,
                      id_column: str | None = None) -> pd.DataFrame:
    """Contract ``needs_responses`` from a wide survey export or online form.

    The export of the online form whose columns :func:`crmlib.questionnaire.forms_csv_header`
    gives for the ``needs`` instrument (Google Forms, Qualtrics or SurveyMonkey with their
    header rows merged, as :func:`crmlib.io.read_survey` returns it). The respondent column
    holds the customer code.

    Returns
    -------
    DataFrame
        ``customer_id``, ``item_id``, ``importance`` (float, NaN when unanswered), one row
        per customer and item.
    """
    from crmlib.questionnaire import from_survey_export

    long = from_survey_export(wide, instrument, id_column=id_column)
    return _as_contract(long)


def needs_from_excel(path, instrument=NEEDS_INSTRUMENT) -> pd.DataFrame:
    """Contract ``needs_responses`` from filled Excel forms
    (:func:`crmlib.questionnaire.write_questionnaire_excel` of the ``needs`` instrument);
    the respondent cell holds the customer code."""
    from crmlib.questionnaire import read_filled_excel

    return _as_contract(read_filled_excel(path, instrument))


def _as_contract(long: pd.DataFrame) -> pd.DataFrame:
    out = long.rename(columns={"respondent_id": "customer_id"})
    return out[["customer_id", "item_id", "importance"]].reset_index(drop=True)


def needs_scores(responses: pd.DataFrame, *, instrument=NEEDS_INSTRUMENT,
                 min_answered: float = 0.5) -> pd.DataFrame:
    """Each customer's importance score per need (dimension of the instrument).

    Parameters
    ----------
    responses : DataFrame
        Contract ``needs_responses``: ``customer_id``, ``item_id``, ``importance``.
    instrument : str, path or Instrument, default "needs"
    min_answered : float, default 0.5
        Share of the instrument's items a customer must have answered to be scored;
        customers below it are left out (too few answers to place them).

    Returns
    -------
    DataFrame
        Index ``customer_id`` (sorted); one column per dimension of the instrument, in
        questionnaire order, holding the mean of the customer's answers to its items
        (reverse-scored items turned round first). A dimension a customer left blank takes
        the mean of the customers who answered it, so every row can be placed.

    Raises
    ------
    DataError
        Missing columns, item ids the instrument does not have, or answers off its scale,
        each naming the rows.
    """
    inst = load_instrument(instrument)
    problems = []
    for col in ("customer_id", "item_id", "importance"):
        if col not in responses.columns:
            problems.append(DataProblem("needs_responses", col, "is required but missing"))
    if problems:
        raise DataError(problems)
    df = responses[["customer_id", "item_id", "importance"]].reset_index(drop=True)
    df["customer_id"] = df["customer_id"].astype(str)
    df["item_id"] = df["item_id"].astype(str).str.strip()
    unknown = ~df["item_id"].isin(inst.item_ids)
    if unknown.any():
        rows = tuple((int(i), v) for i, v in df.loc[unknown, "item_id"].head(5).items())
        problems.append(DataProblem("needs_responses", "item_id",
                                    f"is not an item of instrument {inst.name!r}",
                                    int(unknown.sum()), len(df), rows, "row"))
    value = pd.to_numeric(df["importance"], errors="coerce")
    off = value.notna() & ((value < inst.scale_min) | (value > inst.scale_max))
    if off.any():
        rows = tuple((int(i), v) for i, v in df.loc[off, "importance"].head(5).items())
        problems.append(DataProblem("needs_responses", "importance",
                                    f"must be between {inst.scale_min} and {inst.scale_max}",
                                    int(off.sum()), len(df), rows, "row"))
    if problems:
        raise DataError(problems)
    df["importance"] = inst.reverse_score(value.to_numpy(), df["item_id"]).to_numpy()
    answered = df.dropna(subset=["importance"])
    counts = answered.groupby("customer_id")["item_id"].nunique()
    keep = counts.index[counts >= min_answered * len(inst.item_ids)]
    answered = answered[answered["customer_id"].isin(keep)]
    dim = inst.items.set_index("item_id")["dimension"]
    answered = answered.assign(dimension=answered["item_id"].map(dim))
    wide = answered.pivot_table(index="customer_id", columns="dimension", values="importance",
                                aggfunc="mean")
    dims = [d for d in inst.dimensions if d in wide.columns]
    wide = wide.reindex(columns=dims).sort_index()
    wide = wide.fillna(wide.mean())
    wide.columns.name = None
    return wide
