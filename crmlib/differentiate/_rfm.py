"""RFM: recency, frequency and monetary scores, their cut points and named segments.

Scores come from quantiles (mid-ranks, so ties never split) or custom cut
points (:func:`rfm_scores`); :func:`rfm_cut_points` reports each level's size
and range; :func:`rfm_segments` names segments from an editable rule table
(:data:`RFM_SEGMENTS`, also ``templates/rfm_segments.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlib._purchases import _clean_transactions
from crmlib.differentiate._summary import customer_summary
from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

_RFM_VARS = ("recency", "frequency", "monetary")


def rfm_scores(transactions: pd.DataFrame, *, as_of=None, bins: int = 5,
               cut_points: Mapping[str, Sequence[float]] | None = None,
               monetary: str = "total", frequency: str = "days") -> pd.DataFrame:
    """Recency, frequency and monetary scores per customer.

    Parameters
    ----------
    transactions : DataFrame
        Contract ``transactions``.
    as_of : date-like, optional
        Valuation date (recency is counted to it). Default: last transaction.
    bins : int, default 5
        Number of score levels for quantile scoring (2 to 10).
    cut_points : dict, optional
        Custom cut points ``{"recency": [...], "frequency": [...],
        "monetary": [...]}`` (any subset; others use quantiles), each an
        increasing list of ``bins - 1`` values. Intervals are closed on the
        right: a value equal to a cut point goes to the lower interval.
        Recency is in days since the last purchase; fewer days score higher.
    monetary : {"total", "average"}, default "total"
        Net value over the period, or average net value per purchase day.
    frequency : {"days", "invoices"}, default "days"
        What a purchase is: a distinct purchase day, or a distinct invoice
        (``invoice_id``; several invoices on one day count apart). With
        ``"invoices"`` the table must have ``invoice_id``; a line without one
        counts as one invoice per customer and day, and an invoice whose lines
        net to zero or less (a full return) is not a purchase.

    Returns
    -------
    DataFrame
        One row per customer with a purchase, by ``customer_id``:
        ``customer_id``, ``recency_days``, ``frequency`` (purchase days or
        invoices, see ``frequency``),
        ``monetary``, ``r_score``, ``f_score``, ``m_score`` (1 .. ``bins``, high is
        good), ``rfm_cell`` (e.g. ``"545"``), ``rfm_score`` (sum of the three).
        ``attrs["bins"]``, ``attrs["cut_points"]`` and ``attrs["frequency"]``
        record the scoring.

    Notes
    -----
    Quantile scores use mid-ranks: a customer's score is
    ``floor(bins * (average rank - 0.5) / n) + 1``. Equal values always get the
    same score, whatever the row order, and with distinct values the levels
    hold equal numbers of customers. When many customers share one value
    (very often "1 purchase") a level may stay empty instead of splitting equal
    customers arbitrarily; :func:`rfm_cut_points` shows each level's size and
    range, so an empty level is visible, never silent.
    """
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or not 2 <= bins <= 10:
        raise ParameterError(f"bins must be an integer from 2 to 10; got {bins!r}",
                             parameter="bins", allowed="2..10", value=bins)
    check_choice("monetary", monetary, ("total", "average"))
    check_choice("frequency", frequency, ("days", "invoices"))
    cut_points = dict(cut_points or {})
    for key, edges in cut_points.items():
        check_choice("cut_points key", key, _RFM_VARS)
        arr = np.asarray(edges, dtype=float)
        if arr.ndim != 1 or len(arr) != bins - 1 or not np.all(np.diff(arr) > 0) \
                or not np.isfinite(arr).all():
            raise ParameterError(
                f"cut_points[{key!r}] must be {bins - 1} increasing numbers (bins={bins}); "
                f"got {list(edges)!r}", parameter=f"cut_points[{key!r}]",
                allowed=f"{bins - 1} increasing numbers", value=list(edges))
    summary = customer_summary(transactions, as_of=as_of, time_unit="D")
    freq = summary["n_purchases"].to_numpy(dtype=float)
    if frequency == "invoices":
        freq = _invoice_counts(transactions, summary, as_of=as_of)
    mon = summary["monetary"].to_numpy(dtype=float)
    if monetary == "average":
        mon = mon / freq
    values = {"recency": summary["days_since_last"].to_numpy(dtype=float),
              "frequency": freq, "monetary": mon}
    scores = {}
    used = {}
    for var in _RFM_VARS:
        v = values[var]
        if var in cut_points:
            edges = np.asarray(cut_points[var], dtype=float)
            idx = np.searchsorted(edges, v, side="left")
            s = idx + 1
            used[var] = edges.tolist()
        else:
            s = _quantile_scores(v, bins)
            used[var] = "quantile"
        if var == "recency":
            s = bins + 1 - s
        scores[var] = s.astype("int64")
    out = pd.DataFrame({
        "customer_id": summary["customer_id"].to_numpy(),
        "recency_days": summary["days_since_last"].to_numpy(),
        "frequency": freq.astype("int64"),
        "monetary": mon,
        "r_score": scores["recency"],
        "f_score": scores["frequency"],
        "m_score": scores["monetary"],
    })
    out["rfm_cell"] = (out["r_score"].astype(str) + out["f_score"].astype(str)
                       + out["m_score"].astype(str))
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    out.attrs["bins"] = int(bins)
    out.attrs["cut_points"] = used
    out.attrs["frequency"] = frequency
    out.attrs["as_of"] = summary.attrs["as_of"]
    return out


def _invoice_counts(transactions: pd.DataFrame, summary: pd.DataFrame, *, as_of) -> np.ndarray:
    """Distinct invoices with a positive net amount per customer of ``summary``."""
    if "invoice_id" not in transactions.columns:
        raise DataError([DataProblem("transactions", "invoice_id",
                                     "is required for RFM frequency by invoices but missing")])
    tx = _clean_transactions(transactions, "rfm_scores", as_of=as_of,
                             columns=("customer_id", "date", "amount", "invoice_id"))
    tx = tx[tx["customer_id"].notna()]
    day = tx["date"].dt.normalize().dt.strftime("%Y-%m-%d")
    invoice = tx["invoice_id"].astype("str").where(tx["invoice_id"].notna(), "\0day " + day)
    net = tx.assign(_inv=invoice).groupby(["customer_id", "_inv"])["amount"].sum()
    counts = (net > 0).groupby(level="customer_id").sum()
    return summary["customer_id"].map(counts).fillna(0).to_numpy(dtype=float)


def _quantile_scores(v: np.ndarray, bins: int) -> np.ndarray:
    n = len(v)
    ranks = pd.Series(v).rank(method="average").to_numpy()
    return np.clip(np.floor(bins * (ranks - 0.5) / n).astype("int64") + 1, 1, bins)


def rfm_cut_points(scores: pd.DataFrame) -> pd.DataFrame:
    """The cut points behind RFM scores: size and value range of every level.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores`.

    Returns
    -------
    DataFrame
        One row per variable (``recency``, ``frequency``, ``monetary``) and
        score level (all levels 1 .. bins, empty ones included): ``variable``,
        ``score``, ``n_customers``, ``customer_share``, ``min``, ``max`` (of the
        variable among those customers; NaN for an empty level), ``lower``,
        ``upper`` (the custom cut points bounding the level, NaN for quantiles
        and open ends), ``method`` (``"quantile"`` or ``"custom"``).
    """
    for c in ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"):
        if c not in scores.columns:
            raise DataError([DataProblem("rfm_scores", c, "is required but missing")])
    bins = int(scores.attrs.get("bins", max(int(scores[["r_score", "f_score",
                                                          "m_score"]].max().max()), 2)))
    cuts = scores.attrs.get("cut_points", {})
    rows = []
    n = max(len(scores), 1)
    for var, col, sc in (("recency", "recency_days", "r_score"),
                         ("frequency", "frequency", "f_score"),
                         ("monetary", "monetary", "m_score")):
        edges = cuts.get(var, "quantile")
        custom = not isinstance(edges, str)
        g = scores.groupby(sc)[col].agg(["size", "min", "max"])
        for s in range(1, bins + 1):
            size = int(g["size"].get(s, 0))
            lower = upper = np.nan
            if custom:
                k = (bins + 1 - s) if var == "recency" else s  # interval index 1..bins
                lower = edges[k - 2] if k >= 2 else np.nan
                upper = edges[k - 1] if k <= bins - 1 else np.nan
            rows.append({"variable": var, "score": s, "n_customers": size,
                         "customer_share": size / n,
                         "min": float(g["min"].get(s, np.nan)) if size else np.nan,
                         "max": float(g["max"].get(s, np.nan)) if size else np.nan,
                         "lower": lower, "upper": upper,
                         "method": "custom" if custom else "quantile"})
    return pd.DataFrame(rows)


#: The default RFM segment table (also shipped as ``templates/rfm_segments.csv``).
#: Rules on 1-5 recency and frequency-monetary scores; the first matching row wins.
RFM_SEGMENTS = pd.DataFrame(
    [
        # segment, r_min, r_max, fm_min, fm_max, label_es, label_en
        ("champions", 5, 5, 4, 5, "Campeones", "Champions"),
        ("loyal", 3, 5, 4, 5, "Leales", "Loyal"),
        ("cannot_lose", 1, 2, 5, 5, "No se pueden perder", "Can't lose them"),
        ("at_risk", 1, 2, 3, 4, "En riesgo", "At risk"),
        ("potential_loyalist", 4, 5, 2, 3, "Leales potenciales", "Potential loyalists"),
        ("new", 5, 5, 1, 1, "Nuevos", "New customers"),
        ("promising", 4, 4, 1, 1, "Prometedores", "Promising"),
        ("need_attention", 3, 3, 2, 3, "Requieren atención", "Need attention"),
        ("about_to_sleep", 3, 3, 1, 1, "A punto de dormirse", "About to sleep"),
        ("hibernating", 2, 2, 1, 2, "Hibernando", "Hibernating"),
        ("lost", 1, 1, 1, 2, "Perdidos", "Lost"),
    ],
    columns=["segment", "r_min", "r_max", "fm_min", "fm_max", "label_es", "label_en"],
)


def rfm_segments(scores: pd.DataFrame, table: pd.DataFrame | None = None, *,
                 language: str = "es") -> pd.DataFrame:
    """Name each customer's RFM segment from an editable rule table.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores`.
    table : DataFrame, optional
        Segment rules: ``segment``, ``r_min``, ``r_max``, ``fm_min``, ``fm_max``
        (inclusive bounds on a 1-5 scale), optionally ``label_es`` /
        ``label_en``. Rows are tried in order and the first match wins;
        customers matching no row get ``"other"``. Default :data:`RFM_SEGMENTS`
        (the file ``templates/rfm_segments.csv`` holds the same rules to edit).
    language : {"es", "en"}, default "es"
        Language of ``segment_label``.

    Returns
    -------
    DataFrame
        ``scores`` plus ``fm_score`` (rounded mean of ``f_score`` and
        ``m_score``), ``r5`` and ``fm5`` (scores rescaled to 1-5 when ``bins``
        is not 5), ``segment`` and ``segment_label``.
    """
    from crmlib.i18n import check_language

    check_language(language)
    table = RFM_SEGMENTS if table is None else table
    need = ["segment", "r_min", "r_max", "fm_min", "fm_max"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError([DataProblem("rfm_segments table", c, "is required but missing")
                         for c in missing])
    for c in need[1:]:
        v = pd.to_numeric(table[c], errors="coerce")
        bad = v.isna() | (v < 1) | (v > 5)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())[:3]
            raise DataError([DataProblem("rfm_segments table", c, "is not a score from 1 to 5",
                                         int(bad.sum()), len(table),
                                         tuple((int(i), table[c].iloc[i]) for i in idx))])
    for c in ("r_score", "f_score", "m_score"):
        if c not in scores.columns:
            raise DataError([DataProblem("rfm_scores", c, "is required but missing")])
    bins = int(scores.attrs.get("bins", 5))
    out = scores.copy()
    fm = np.floor((out["f_score"].to_numpy() + out["m_score"].to_numpy()) / 2 + 0.5)
    out["fm_score"] = fm.astype("int64")

    def to5(s):
        return np.floor(1 + (np.asarray(s, dtype=float) - 1) * 4 / (bins - 1) + 0.5).astype(
            "int64")

    out["r5"] = to5(out["r_score"]) if bins != 5 else out["r_score"].astype("int64")
    out["fm5"] = to5(out["fm_score"]) if bins != 5 else out["fm_score"]
    seg = np.full(len(out), "other", dtype=object)
    label = np.full(len(out), None, dtype=object)
    done = np.zeros(len(out), dtype=bool)
    lab_col = f"label_{language}"
    r5, fm5 = out["r5"].to_numpy(), out["fm5"].to_numpy()
    for _, rule in table.iterrows():
        hit = (~done & (r5 >= float(rule["r_min"])) & (r5 <= float(rule["r_max"]))
               & (fm5 >= float(rule["fm_min"])) & (fm5 <= float(rule["fm_max"])))
        seg[hit] = str(rule["segment"])
        text = rule.get(lab_col) if lab_col in table.columns else None
        label[hit] = str(text) if text is not None and not pd.isna(text) else str(
            rule["segment"])
        done |= hit
    from crmlib.i18n import t

    label[~done] = t("differentiate.segment.other", language)
    out["segment"] = seg
    out["segment_label"] = label
    return out


def rfm_segment_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Size and value of each RFM segment.

    Returns
    -------
    DataFrame
        One row per segment, by value descending: ``segment``,
        ``segment_label``, ``n_customers``, ``customer_share``, ``monetary``
        (sum), ``value_share``, ``avg_recency_days``, ``avg_frequency``.
    """
    for c in ("segment", "segment_label", "monetary", "recency_days", "frequency"):
        if c not in segments.columns:
            raise DataError([DataProblem("rfm_segments", c, "is required but missing")])
    g = segments.groupby(["segment", "segment_label"], sort=True)
    out = g.agg(n_customers=("monetary", "size"), monetary=("monetary", "sum"),
                avg_recency_days=("recency_days", "mean"),
                avg_frequency=("frequency", "mean")).reset_index()
    out["customer_share"] = out["n_customers"] / max(len(segments), 1)
    pos = segments["monetary"].clip(lower=0).sum()
    out["value_share"] = out["monetary"].clip(lower=0) / pos if pos > 0 else 0.0
    out = out.sort_values(["monetary", "segment"], ascending=[False, True], kind="mergesort")
    return out[["segment", "segment_label", "n_customers", "customer_share", "monetary",
                "value_share", "avg_recency_days", "avg_frequency"]].reset_index(drop=True)
