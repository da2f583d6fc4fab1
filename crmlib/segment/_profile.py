"""Each segment in words: what its customers value more or less than the average customer."""

from __future__ import annotations

import pandas as pd

from crmlib.i18n import check_language, format_count, format_number, format_percent, t
from crmlib.instruments import load_instrument

#: A need is named in a profile when the segment's mean differs from the overall mean by
#: at least this many scale points.
NEED_POINTS = 0.3
#: A category is named when it holds at least this share of the segment and 1.5 times its
#: overall share.
CATEGORY_SHARE = 0.4
#: A numeric attribute is named when the segment's mean is this many times the overall
#: mean or more (or its inverse or less).
NUMERIC_RATIO = 1.25


def _variable(col: str) -> tuple[str, str, str]:
    """``(kind, name, value)`` of a feature column."""
    kind, _, rest = str(col).partition(":")
    name, _, value = rest.partition("=")
    return kind, name, value


def variable_label(col: str, language: str = "es", *, instrument="needs") -> str:
    """Reader label of a feature column: the need's name from the instrument, the
    attribute's label, or "attribute: value" for a category."""
    kind, name, value = _variable(col)
    if kind == "need":
        return load_instrument(instrument).dimension_label(name, language)
    text = t(f"segment.variable.{name}", language)
    return f"{text}: {value or t('segment.blank', language)}" if kind == "cat" else text


def segment_means(features: pd.DataFrame, segments: pd.DataFrame, *,
                  language: str = "es", instrument="needs") -> pd.DataFrame:
    """Mean of every variable per segment beside its overall mean.

    Parameters
    ----------
    features : DataFrame
        :func:`segment_features`.
    segments : DataFrame
        ``customer_id``, ``segment`` (:meth:`NeedsSegmentation.segments`).

    Returns
    -------
    DataFrame
        One row per segment and variable: ``segment``, ``variable`` (feature column),
        ``variable_label`` (in ``language``), ``kind`` (``need`` 1-5 score, ``attr``
        numeric attribute, ``cat`` share of the segment in the category), ``mean``,
        ``overall`` (all segmented customers), ``difference`` (mean - overall).
    """
    check_language(language)
    seg = segments.set_index(segments["customer_id"].astype(str))["segment"]
    f = features.loc[features.index.intersection(seg.index)]
    lab = seg.reindex(f.index)
    means = f.groupby(lab.to_numpy()).mean()
    overall = f.mean()
    rows = []
    for s in sorted(means.index):
        for col in f.columns:
            rows.append({"segment": int(s), "variable": col,
                         "variable_label": variable_label(col, language, instrument=instrument),
                         "kind": _variable(col)[0], "mean": float(means.loc[s, col]),
                         "overall": float(overall[col]),
                         "difference": float(means.loc[s, col] - overall[col])})
    return pd.DataFrame(rows, columns=["segment", "variable", "variable_label", "kind", "mean",
                                       "overall", "difference"])


def segment_label(segment: int, language: str = "es") -> str:
    """``Segmento 3`` / ``Segment 3``."""
    return t("segment.name", language, n=int(segment))


def _need_phrase(rows: pd.DataFrame, language: str) -> str:
    return t("segment.profile.and", language).join(
        t("segment.profile.item", language, what=r.variable_label.lower() if language == "en"
          else r.variable_label[0].lower() + r.variable_label[1:],
          mean=format_number(r.mean, language, decimals=1),
          overall=format_number(r.overall, language, decimals=1))
        for r in rows.itertuples())


def profile_sentence(means: pd.DataFrame, segment: int, n: int, share: float,
                     language: str = "es", *, max_needs: int = 2) -> str:
    """The sentence describing one segment, from its rows of :func:`segment_means`.

    Names the (up to ``max_needs``) needs the segment values most above the average by
    :data:`NEED_POINTS` points or more, the one it values most below, the category of an
    attribute it concentrates in (:data:`CATEGORY_SHARE`) and a numeric attribute far from
    the average (:data:`NUMERIC_RATIO`), each with the segment's figure and the overall one.
    """
    check_language(language)
    m = means[means["segment"] == segment]
    parts = []
    needs = m[m["kind"] == "need"]
    above = needs[needs["difference"] >= NEED_POINTS].sort_values(
        ["difference", "variable"], ascending=[False, True]).head(max_needs)
    below = needs[needs["difference"] <= -NEED_POINTS].sort_values(
        ["difference", "variable"]).head(1)
    if not above.empty:
        parts.append(t("segment.profile.more", language, needs=_need_phrase(above, language)))
    if not below.empty:
        parts.append(t("segment.profile.less", language, needs=_need_phrase(below, language)))
    cats = m[(m["kind"] == "cat") & (m["mean"] >= CATEGORY_SHARE)
             & (m["mean"] >= 1.5 * m["overall"])]
    for r in cats.sort_values(["mean", "variable"], ascending=[False, True]).itertuples():
        what = r.variable_label[0].lower() + r.variable_label[1:]
        parts.append(t("segment.profile.category", language, what=what,
                       share=format_percent(r.mean, language),
                       overall=format_percent(r.overall, language)))
    nums = m[m["kind"] == "attr"]
    for r in nums.itertuples():
        if r.overall > 0 and (r.mean >= NUMERIC_RATIO * r.overall
                              or r.mean <= r.overall / NUMERIC_RATIO):
            key = "segment.profile.high" if r.mean > r.overall else "segment.profile.low"
            parts.append(t(key, language, what=r.variable_label.lower(),
                           mean=format_number(r.mean, language, decimals=1),
                           overall=format_number(r.overall, language, decimals=1)))
    if not parts:
        parts.append(t("segment.profile.average", language))
    head = t("segment.profile.head", language, name=segment_label(segment, language),
             n=format_count(n, language), share=format_percent(share, language))
    return head + "; ".join(parts) + "."


def segment_profiles(features: pd.DataFrame, segments: pd.DataFrame, *,
                     language: str = "es", instrument="needs") -> pd.DataFrame:
    """One row per segment with its size and its profile in words.

    Returns
    -------
    DataFrame
        ``segment_name`` ("Segmento 1", in segment order), ``n_customers``, ``share`` (of
        the segmented customers), ``profile`` (:func:`profile_sentence` in ``language``).
    """
    means = segment_means(features, segments, language=language, instrument=instrument)
    sizes = segments["segment"].value_counts().sort_index()
    total = int(sizes.sum())
    rows = []
    for s, n in sizes.items():
        rows.append({"segment_name": segment_label(s, language),
                     "n_customers": int(n), "share": n / total,
                     "profile": profile_sentence(means, int(s), int(n), n / total, language)})
    return pd.DataFrame(rows, columns=["segment_name", "n_customers", "share", "profile"])
