"""The customer profile card ("ficha"): one customer's identity, contacts and history.

:func:`profile_card` lays out the card from the master, its records, purchases
and interactions; :func:`card_table` translates and formats it for reading;
:func:`card_browser` lets a user pick a customer in an interactive session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, label, t
from crmlib.identify._checks import _as_of
from crmlib.identify._revenue import master_values


def profile_card(key: str, master: pd.DataFrame, links: pd.DataFrame,
                 transactions: pd.DataFrame | None = None,
                 interactions: pd.DataFrame | None = None, *, as_of,
                 source: str | None = None, n_contacts: int = 3) -> pd.DataFrame:
    """The profile card ("ficha") of one customer, from the master and its history.

    Parameters
    ----------
    key : str
        A ``master_id`` or a record key ``"<source>:<customer_id>"``.
    master, links : DataFrame
        From :func:`consolidate`.
    transactions, interactions : DataFrame, optional
        Contracts ``transactions`` and ``interactions``, matched on ``customer_id``.
    as_of : date-like
        Valuation date; later history is left out.
    source : str, optional
        Source whose ``customer_id`` the history uses (default: any source).
    n_contacts : int, default 3
        How many of the latest contacts to list.

    Returns
    -------
    DataFrame
        One row per item: ``section`` (identity | contact | sources | purchases |
        contacts), ``field`` and ``value`` (object). Identity and contact items are
        the master's values; ``sources`` lists the record keys; ``purchases``
        gives ``first_purchase``, ``last_purchase``, ``n_purchases`` (distinct
        purchase days), ``net_value``, ``avg_purchase_value``, ``days_since_last``
        (from :func:`master_values`; only ``n_purchases`` = 0 without purchases);
        ``contacts`` gives ``n_interactions``, ``n_complaints``, ``n_open`` and
        ``last_contact_<k>`` (``date · kind · channel · status``). Empty fields
        are left out.

    Raises
    ------
    ParameterError
        When ``key`` is neither a master id nor a record key.
    """
    as_of = _as_of(as_of)
    if key in set(master["master_id"]):
        master_id = key
    elif key in set(links["record_key"]):
        master_id = links.loc[links["record_key"] == key, "master_id"].iloc[0]
    else:
        raise ParameterError(f"key must be a master_id or a record key of the links; got {key!r}",
                             parameter="key", allowed="master_id or <source>:<customer_id>",
                             value=key)
    row = master.loc[master["master_id"] == master_id].iloc[0]
    items: list[tuple[str, str, object]] = [("identity", "master_id", master_id)]
    for field in ("name", "kind", "tax_id", "segment", "created_at"):
        items.append(("identity", field, row.get(field)))
    for field in ("email", "phone", "city"):
        items.append(("contact", field, row.get(field)))
    mine = links[links["master_id"] == master_id]
    items.append(("sources", "sources", row.get("sources")))
    items.append(("sources", "record_keys", ";".join(sorted(mine["record_key"]))))
    if source is not None:
        mine = mine[mine["source"] == source]
    ids = set(mine["customer_id"].astype(str))
    if transactions is not None:
        values = master_values(transactions, links[links["master_id"] == master_id],
                               as_of=as_of, source=source)
        if len(values):
            v = values.iloc[0]
            n_purchases = int(v["n_purchases"])
            items += [
                ("purchases", "first_purchase", pd.Timestamp(v["first_purchase"])),
                ("purchases", "last_purchase", pd.Timestamp(v["last_purchase"])),
                ("purchases", "n_purchases", n_purchases),
                ("purchases", "net_value", float(v["net_value"])),
                ("purchases", "avg_purchase_value", float(v["net_value"]) / n_purchases),
                ("purchases", "days_since_last", int(v["days_since_last"])),
            ]
        else:
            items.append(("purchases", "n_purchases", 0))
    if interactions is not None:
        if "customer_id" not in interactions.columns or "opened_at" not in interactions.columns:
            raise DataError([DataProblem("interactions", c, "is required but missing")
                             for c in ("customer_id", "opened_at")
                             if c not in interactions.columns])
        it = interactions[interactions["customer_id"].notna()
                          & interactions["customer_id"].astype(str).isin(ids)
                          & (interactions["opened_at"] <= as_of)]
        it = it.sort_values(["opened_at"], ascending=False, kind="mergesort")
        items.append(("contacts", "n_interactions", len(it)))
        if "kind" in it.columns:
            items.append(("contacts", "n_complaints", int((it["kind"] == "complaint").sum())))
        if "closed_at" in it.columns:
            items.append(("contacts", "n_open", int(it["closed_at"].isna().sum())))
        for k, rec in enumerate(it.head(n_contacts).itertuples(index=False), start=1):
            parts = [pd.Timestamp(rec.opened_at).strftime("%Y-%m-%d")]
            for col in ("kind", "channel", "status"):
                value = getattr(rec, col, None)
                if isinstance(value, str) and value:
                    parts.append(value)
            items.append(("contacts", f"last_contact_{k}", " · ".join(parts)))
    card = pd.DataFrame(items, columns=["section", "field", "value"])
    keep = [v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NaT
            and not (isinstance(v, str) and v == "") for v in card["value"]]
    card = card[keep].reset_index(drop=True)
    card["value"] = card["value"].astype(object)
    return card


def _format_value(value, language: str, field: str = ""):
    from crmlib.i18n import code_label, format_value

    if field.startswith("last_contact_") and isinstance(value, str):
        # "date · kind · channel · status" as profile_card joins it
        day, *codes = value.split(" · ")
        words = [code_label(col, code, language) or code
                 for col, code in zip(("kind", "channel", "status"), codes)]
        return " · ".join([format_value(pd.Timestamp(day), language), *words])
    return format_value(value, language)


def card_table(card: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """A :func:`profile_card` ready to read: translated labels, formatted values.

    Returns
    -------
    DataFrame
        ``section``, ``field`` (both translated) and ``value`` (text).
    """
    check_language(language)
    return pd.DataFrame({
        "section": [t(f"identify.card.section.{s}", language) for s in card["section"]],
        "field": [_field_label(f, language) for f in card["field"]],
        "value": [t(f"identify.kind.{v}", language) if f == "kind" else _format_value(v, language, f)
                  for f, v in zip(card["field"], card["value"])],
    }).rename(columns={c: t(f"identify.card.{c}", language)
                       for c in ("section", "field", "value")})


def _field_label(field: str, language: str) -> str:
    if field.startswith("last_contact_"):
        return t("identify.card.field.last_contact", language, k=field.rsplit("_", 1)[1])
    key = f"identify.card.field.{field}"
    from crmlib.i18n import catalog

    return t(key, language) if key in catalog() else label(field, language)


def card_browser(master: pd.DataFrame, links: pd.DataFrame,
                 transactions: pd.DataFrame | None = None,
                 interactions: pd.DataFrame | None = None, *, as_of, language: str = "es",
                 source: str | None = None, options: int = 200):
    """An ipywidgets box to pick a customer and see its :func:`profile_card`.

    Only for interactive sessions (widgets export blank to static reports). The
    drop-down lists the ``options`` most valuable customers, then the rest of
    the master up to that number.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    check_language(language)
    ranked = list(master_values(transactions, links, as_of=as_of, source=source)["master_id"]) \
        if transactions is not None else []
    rest = [m for m in master["master_id"] if m not in set(ranked)]
    ids = (ranked + rest)[:options]
    names = master.set_index("master_id")["name"]
    choice = widgets.Dropdown(options=[(f"{names.get(m) or ''} ({m})", m) for m in ids],
                              description=t("identify.card.pick", language))
    out = widgets.Output()

    def render(change=None):
        card = profile_card(choice.value, master, links, transactions, interactions,
                            as_of=as_of, source=source)
        # set on the widget, not captured with `with out:` (see crmlib.plot.replace_output)
        out.outputs = ()
        out.append_display_data(card_table(card, language).style.hide(axis="index"))

    choice.observe(render, names="value")
    if ids:
        render()
    return widgets.VBox([choice, out])
