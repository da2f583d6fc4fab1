"""The customer view as every stage notebook builds it: one call, the same verdicts."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import check_language
from crmlib.personalize._features import VIEW_COLUMNS
from crmlib.view._view import customer_view

#: Tables the view reads from a client's folder, in the order it needs them.
VIEW_TABLES: tuple[str, ...] = ("transactions", "customers", "interactions", "invoices")


def for_stage(data, data_dir=None, *, as_of=None, language: str = "es",
              **parameters) -> pd.DataFrame:
    """The client's customer view, built the same way in every stage notebook.

    Every stage that speaks about customers (02 the most valuable, 03 the
    complaint call list, 04 the plan and letters, 07 the dunning plan) calls
    this one function, so they all read the same verdicts: the same value
    window, the same classes, the same decliners.

    Parameters
    ----------
    data : StageData or dict
        The stage's tables (:func:`crmlib.stages.load`, or ``{table: DataFrame}``).
        The tables of :data:`VIEW_TABLES` the stage did not read are read from
        ``data_dir`` when the client sent them.
    data_dir : str or path, optional
        The client's folder; None uses only ``data``.
    as_of : date, optional
        Valuation date, as in :func:`customer_view`.
    language : {"es", "en"}
        Language of the labels and notes.
    **parameters
        Other :func:`customer_view` settings. Leave them at their defaults
        unless every stage of the engagement gets the same values.

    Returns
    -------
    DataFrame
        :func:`customer_view`. Without transactions no verdict can be given:
        the view is empty, with all its columns, and ``attrs["missing"]`` says
        why.
    """
    from crmlib import io

    check_language(language)
    have = dict(getattr(data, "tables", data) or {})
    tables = {}
    for table in VIEW_TABLES:
        df = have.get(table)
        if df is None and data_dir is not None and table not in have:
            df = io.read_client_table(data_dir, table, optional=True)
        tables[table] = df
    if tables["transactions"] is None:
        return _empty_view(language)
    return customer_view(tables["transactions"], customers=tables["customers"],
                         interactions=tables["interactions"], invoices=tables["invoices"],
                         as_of=as_of, language=language, **parameters)


def _empty_view(language: str) -> pd.DataFrame:
    from crmlib.i18n import t

    cols = [c for group in VIEW_COLUMNS.values() for c in group]
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out.attrs["missing_keys"] = {"transactions": ["view.missing.transactions", {}]}
    out.attrs["missing"] = {"transactions": t("view.missing.transactions", language)}
    return out


def most_valuable(view: pd.DataFrame) -> pd.DataFrame:
    """The view's most valuable customers as a value table (the columns of
    :func:`crmlib.differentiate.most_valuable`).

    They are those the view marks ``is_most_valuable``: the top share by value on
    the stated window, so a customer lost for a year, with no sales in it, is
    never among them (all-time value would keep them).

    Returns
    -------
    DataFrame
        ``customer_id``, ``value``, ``share``, ``cum_share``,
        ``cum_customer_share`` and ``pareto_class``, by value descending;
        ``attrs["value_window"]`` is the view's window.
    """
    cols = ["customer_id", "value", "share", "cum_share", "cum_customer_share",
            "pareto_class"]
    if view.empty:
        return pd.DataFrame(columns=cols)
    ranked = view.sort_values(["value_rank", "customer_id"], kind="mergesort")
    n = len(ranked)
    share = ranked["value_share"].astype(float).fillna(0.0)
    table = pd.DataFrame({
        "customer_id": ranked["customer_id"].to_numpy(),
        "value": ranked["value"].astype(float).to_numpy(),
        "share": share.to_numpy(),
        "cum_share": share.cumsum().to_numpy(),
        "cum_customer_share": [(k + 1) / n for k in range(n)],
        "pareto_class": ranked["pareto_class"].to_numpy(),
    })
    keep = ranked["is_most_valuable"].fillna(False).astype(bool).to_numpy()
    out = table[keep].reset_index(drop=True)
    out.attrs["value_window"] = view.attrs.get("value_window")
    return out


def decliners(view: pd.DataFrame) -> list[str]:
    """The ids of the customers the view calls decliners (``is_decliner``): those whose
    purchases fell, whom notebook 04 visits."""
    if view.empty or "is_decliner" not in view:
        return []
    flag = view["is_decliner"].fillna(False).astype(bool)
    return sorted(view.loc[flag, "customer_id"].astype(str))


def debt_handed_over(view: pd.DataFrame) -> list[str]:
    """The ids of the customers whose overdue debt has reached the hand-over step of
    collections (the view's ``collection_step``): no commercial call is made to them
    before notebook 07's collections team has settled it."""
    if view.empty or "collection_step" not in view:
        return []
    hit = view["collection_step"].eq("handover")
    return sorted(view.loc[hit, "customer_id"].astype(str))
