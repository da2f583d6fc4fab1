"""The segmentation of one client in one call, for the stage notebook."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmlib.exceptions import DataError
from crmlib.i18n import check_language, t
from crmlib.segment._cluster import NeedsSegmentation
from crmlib.segment._features import segment_features
from crmlib.segment._needs import needs_scores
from crmlib.segment._profile import segment_means, segment_profiles


@dataclass
class Segmentation:
    """What :func:`segment_client` found.

    ``ok`` is False when there was nothing (or too little) to segment; ``note`` says what
    the segments rest on, or why there are none. ``segments`` is then empty (columns
    ``customer_id``, ``segment``) and the other tables None.
    """

    ok: bool
    note: str
    segments: pd.DataFrame
    features: pd.DataFrame | None = None
    model: NeedsSegmentation | None = None
    profiles: pd.DataFrame | None = None
    means: pd.DataFrame | None = None


def segment_client(needs_responses: pd.DataFrame | None = None,
                   attributes: pd.DataFrame | None = None, *, n_segments: int = 0,
                   k_range: tuple = (2, 6), seed: int = 0, n_bootstrap: int = 20,
                   language: str = "es") -> Segmentation:
    """Segments from whatever the client has: needs answers, attributes or both.

    Parameters
    ----------
    needs_responses : DataFrame, optional
        Contract ``needs_responses``.
    attributes : DataFrame, optional
        Contract ``customer_attributes``.
    n_segments : int, default 0
        The number of segments; 0 lets the workbook suggest one within ``k_range``.
    """
    check_language(language)
    empty = pd.DataFrame({"customer_id": pd.Series(dtype=str),
                          "segment": pd.Series(dtype=int)})
    needs = needs_scores(needs_responses) if needs_responses is not None else None
    if needs is not None and needs.empty:
        needs = None
    if needs is None and attributes is None:
        return Segmentation(False, t("segment.no_segments", language), empty)
    features = segment_features(needs, attributes)
    if features.shape[1] == 0:  # attributes without a variable that varies
        return Segmentation(False, t("segment.no_segments", language), empty)
    variables = sorted({c.split(":", 1)[1].split("=", 1)[0] for c in features.columns
                        if not c.startswith("need:")})
    names = ", ".join(t(f"segment.variable.{v}", language).lower() for v in variables)
    if needs is None:
        note = t("segment.attributes_only", language, variables=names)
    elif variables:
        note = t("segment.needs_and_attributes", language, variables=names)
    else:
        note = t("segment.needs_only", language)
    # with few customers the suggestion stops at the number they can fill (three each)
    lo, hi = k_range
    k_range = (lo, max(lo, min(hi, len(features) // 3)))
    model = NeedsSegmentation(n_segments or None, k_range=k_range, seed=seed,
                              n_bootstrap=n_bootstrap)
    try:
        model.fit(features)
    except DataError:
        need = 3 * (n_segments or k_range[0])
        return Segmentation(False, t("segment.too_few", language, n=len(features), need=need),
                            empty, features)
    segs = model.segments()
    return Segmentation(True, note, segs, features, model,
                        segment_profiles(features, segs, language=language),
                        segment_means(features, segs, language=language))


def label_segments(table: pd.DataFrame, language: str = "es") -> pd.DataFrame:
    """A copy of ``table`` for a reader, with ``segment_name`` in place of the ``segment``
    number: "Segmento 2", and for segment 0 (customers without a segment) "Todos" / "All"
    when it is the only one, else "Sin segmento" / "No segment"."""
    check_language(language)
    out = table.copy()
    only = set(out["segment"].unique()) == {0}
    out.insert(list(out.columns).index("segment"), "segment_name", [
        (t("segment.all", language) if only else t("segment.none", language)) if s == 0
        else t("segment.name", language, n=int(s)) for s in out["segment"]])
    return out.drop(columns="segment")


def evidence_note(language: str = "es", *, followup_days: int = 90,
                  loyal_min_purchases: int = 2, share_threshold: float = 0.5,
                  merged: bool = True) -> str:
    """What the workbook takes as evidence of each funnel step, in words (and, when the
    customer files were not merged, that one customer may count twice)."""
    from crmlib.i18n import format_count, format_percent

    check_language(language)
    text = t("segment.funnel.evidence", language, followup=format_count(followup_days, language),
             loyal=format_count(loyal_min_purchases, language),
             share=format_percent(share_threshold, language))
    return text if merged else text + " " + t("segment.funnel.no_links", language)


def key_figures(segmentation: Segmentation, wallet: pd.DataFrame, counts: pd.DataFrame,
                funnel: pd.DataFrame) -> dict:
    """The stage's key figures for the results store: number of segments and their mean
    bootstrap ARI, overall share of wallet and how many wallets are estimates, customers by
    type, customers at each funnel step and the step that loses most."""
    from crmlib.segment._funnel import funnel_loss

    spend, total = float(wallet["spend"].sum()), float(wallet["wallet"].sum())
    out = {
        "n_segments": int(segmentation.model.n_segments_) if segmentation.ok else 0,
        "segment_stability": (float(segmentation.model.stability_["ari"].mean())
                              if segmentation.ok else None),
        "share_of_wallet": spend / total if total else None,
        "n_wallet_customers": len(wallet),
        "n_wallet_estimated": int((wallet["wallet_source"] == "estimate").sum()),
        "customer_types": {str(k): int(v) for k, v in
                           zip(counts["customer_type"], counts["n_customers"])},
        "funnel": {str(k): int(v) for k, v in zip(funnel["funnel_step"],
                                                   funnel["n_customers"])},
    }
    if funnel["n_customers"].iloc[0]:
        out["funnel_loss_step"] = str(funnel_loss(funnel)["funnel_step"])
    return out
