"""Lost customers: why they left, whether the reason is justified and repairable,
the value lost per reason and the customers worth recovering.

Source 001 (recovery): know the customer's value, find the reasons for leaving and
decide whether each is *justifiable* and *repairable*, then prepare an offer fitted
to the customer. The coding rules and the default judgement per category below are
the workbook's own decision (the sources name the questions, not the answers);
a client's own ``reason_category``, ``justified`` and ``repairable`` columns win.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from crmlib.followup._base import _need

#: Reason categories, in report order.
REASON_CATEGORIES = ("price", "service", "product", "competitor", "moved", "no_need", "other")

#: Words (lower case, without accents) that code a reason into a category; the first
#: category with a matching word wins, in this order.
REASON_WORDS = {
    "competitor": ("competencia", "competidor", "otra compania", "otro operador",
                   "otra empresa", "se cambio a", "me cambie a", "oferta de", "portabilidad",
                   "competitor", "switched to", "another provider", "other company"),
    "price": ("precio", "caro", "tarifa", "cuota", "coste", "costo", "barato", "descuento",
              "price", "expensive", "cheaper", "fee", "tariff", "cost"),
    "service": ("atencion", "trato", "servicio", "espera", "queja", "reclamo", "no me resolv",
                "no resolvieron", "descortes", "mala atencion", "personal", "service", "rude",
                "waiting", "wait", "complaint", "staff", "unresolved", "support"),
    "product": ("calidad", "cobertura", "fallo", "averia", "producto", "habitacion",
                "limpieza", "ruido", "senal", "velocidad", "quality", "coverage", "fault",
                "product", "room", "noise", "dirty", "signal", "speed"),
    "moved": ("mudanza", "me mude", "traslado", "cambio de ciudad", "otra ciudad", "extranjero",
              "moved", "relocat", "abroad"),
    "no_need": ("ya no necesito", "ya no lo necesito", "no lo necesito", "ya no viajo",
                "no necesita", "jubil", "cerro el negocio", "no longer need", "don't need",
                "no need", "retired", "closed the business"),
}

#: The workbook's default judgement per category: (justified, repairable). A reason is
#: *justified* when it points at what the company did or offered, *repairable* when the
#: company can act on it with an offer; "other" stays undecided (empty).
JUDGEMENT = {
    "price": (True, True),
    "service": (True, True),
    "product": (True, True),
    "competitor": (True, True),
    "moved": (False, False),
    "no_need": (False, False),
    "other": (None, None),
}


def _fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text.lower()).strip()


def code_reason(reason) -> str:
    """The category of a reason in words (``"Me cobraban demasiado"`` → ``"price"``).

    The first category of :data:`REASON_WORDS` whose word appears in the folded text
    (lower case, no accents) wins; no match, or no text, is ``"other"``.
    """
    if reason is None or (isinstance(reason, float) and np.isnan(reason)):
        return "other"
    text = _fold(reason)
    for category, words in REASON_WORDS.items():
        if any(w in text for w in words):
            return category
    return "other"


def lost_customer_table(lost: pd.DataFrame, *, view: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per lost customer with the reason coded and judged, and its value.

    Parameters
    ----------
    lost : DataFrame
        Contract ``lost_customers``.
    view : DataFrame, optional
        The customer view (:func:`crmlib.view.customer_view`), read only: brings each
        customer's all-time value, class and CLV.

    Returns
    -------
    DataFrame
        ``customer_id``, ``lost_at``, ``reason``, ``reason_category``, ``coded`` (True when
        the category was coded from the words), ``justified``, ``repairable`` (the client's
        own answers where given, else :data:`JUDGEMENT`; empty when undecided),
        ``value`` (all-time net value from the view; empty without a view or for a
        customer the view does not know), ``pareto_class`` (all-time A/B/C), ``clv``.
    """
    df = _need(lost, "lost_customers", ("customer_id", "reason"))
    given = df["reason_category"] if "reason_category" in df.columns else \
        pd.Series(None, index=df.index, dtype=object)
    coded = given.isna()
    category = given.where(~coded, df["reason"].map(code_reason))
    out = pd.DataFrame({
        "customer_id": df["customer_id"].astype(str),
        "lost_at": df["lost_at"] if "lost_at" in df.columns else pd.NaT,
        "reason": df["reason"],
        "reason_category": category.astype(str),
        "coded": coded.astype(bool),
    })
    for i, col in enumerate(("justified", "repairable")):
        default = out["reason_category"].map(lambda c, i=i: JUDGEMENT.get(c, (None, None))[i])
        if col in df.columns:
            own = df[col].astype(object)
            out[col] = own.where(own.notna(), default)
        else:
            out[col] = default
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    if view is not None:
        v = _need(view, "customer view", ("customer_id",))
        v = v.assign(_key=v["customer_id"].astype(str)).drop_duplicates("_key").set_index("_key")
        out["value"] = out["customer_id"].map(v["value_all_time"]) if "value_all_time" in v \
            else np.nan
        out["pareto_class"] = out["customer_id"].map(v["pareto_class_all_time"]) \
            if "pareto_class_all_time" in v else None
        out["clv"] = out["customer_id"].map(v["clv"]) if "clv" in v else np.nan
    else:
        out["value"], out["pareto_class"], out["clv"] = np.nan, None, np.nan
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["clv"] = pd.to_numeric(out["clv"], errors="coerce")
    return out.reset_index(drop=True)


def lost_reasons_table(table: pd.DataFrame) -> pd.DataFrame:
    """Lost customers and value lost per reason category.

    Parameters
    ----------
    table : DataFrame
        From :func:`lost_customer_table`.

    Returns
    -------
    DataFrame
        One row per category present, in :data:`REASON_CATEGORIES` order:
        ``reason_category``, ``n_customers``, ``customer_share`` (of all lost customers),
        ``n_justified``, ``n_repairable``, ``value_lost`` (sum of known values; empty when
        no value is known), ``value_share`` (of all value lost).
    """
    df = _need(table, "lost customer table", ("reason_category", "justified", "repairable",
                                              "value"))
    n = len(df)
    total_value = df["value"].sum(min_count=1)
    rows = []
    order = list(REASON_CATEGORIES) + sorted(set(df["reason_category"]) - set(REASON_CATEGORIES))
    for cat in order:
        sub = df[df["reason_category"] == cat]
        if sub.empty:
            continue
        value = sub["value"].sum(min_count=1)
        rows.append({
            "reason_category": cat,
            "n_customers": len(sub),
            "customer_share": len(sub) / n,
            "n_justified": int((sub["justified"] == True).sum()),
            "n_repairable": int((sub["repairable"] == True).sum()),
            "value_lost": value,
            "value_share": value / total_value if pd.notna(total_value) and total_value else
            np.nan,
        })
    return pd.DataFrame(rows, columns=["reason_category", "n_customers", "customer_share",
                                       "n_justified", "n_repairable", "value_lost",
                                       "value_share"])


def recovery_list(table: pd.DataFrame, *, classes=("A", "B"), min_value: float = 0.0
                  ) -> pd.DataFrame:
    """The lost customers worth recovering: a repairable reason and enough value.

    Parameters
    ----------
    table : DataFrame
        From :func:`lost_customer_table` built with the customer view.
    classes : tuple of str, default ("A", "B")
        All-time value classes worth an offer.
    min_value : float, default 0
        Value a customer must exceed.

    Returns
    -------
    DataFrame
        The rows of ``table`` whose reason is repairable, class in ``classes`` and value
        above ``min_value``, by value descending (ties by ``customer_id``):
        ``customer_id``, ``reason_category``, ``reason``, ``pareto_class``, ``value``, ``clv``.
    """
    df = _need(table, "lost customer table", ("customer_id", "reason_category", "reason",
                                              "repairable", "pareto_class", "value", "clv"))
    keep = (df["repairable"] == True) & df["pareto_class"].isin(classes) & \
        (df["value"] > min_value)
    out = df.loc[keep, ["customer_id", "reason_category", "reason", "pareto_class", "value",
                        "clv"]]
    return out.sort_values(["value", "customer_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
