"""Answers as numbers and groups as keys, whatever words the respondent used.

:func:`answer_values` reads numbers, numeric text and scale labels (the
agreement labels of :func:`crmlib.io.parse_likert` plus the instrument's own
anchors and ``scale_labels``) on any scale; :func:`_group_key` maps a written
group label (``Directivos``) to the instrument's group key (``manager``);
:func:`part_label` names an answer part as the forms do, and :func:`_norm` reduces a
header or label to lower-case ASCII words so that accents, case and punctuation never
decide whether two names match.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from crmlib.i18n import check_language, label
from crmlib.instruments import Instrument, load_instrument
from crmlib.io._survey import parse_likert


def _norm(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def part_label(instrument: Instrument, part: str, language: str = "es") -> str:
    """Label of answer ``part`` (``current``, ``perception`` ...) in ``language``.

    Taken from the instrument's ``part_labels`` section, else the column label
    of the i18n catalog, else the part name.
    """
    check_language(language)
    labels = (instrument.extra.get("part_labels") or {}).get(part) or {}
    return labels.get(language) or label(part, language)


def _scale_labels(inst: Instrument) -> dict[str, float]:
    """``{label: point}`` from the instrument's anchors, its ``anchor_sets`` (the words of
    each kind of statement) and its ``scale_labels`` section."""
    labels: dict[str, float] = {}
    for point, texts in (inst.extra.get("scale_labels") or {}).items():
        for text in ([texts] if isinstance(texts, str) else texts):
            labels[str(text)] = float(point)
    for lang_anchors in inst.anchors.values():
        for point, text in lang_anchors.items():
            labels[str(text)] = float(point)
    for answer_set in (inst.extra.get("anchor_sets") or {}).values():
        for lang_anchors in ((answer_set or {}).get("anchors") or {}).values():
            for point, text in lang_anchors.items():
                labels[str(text)] = float(point)
    return labels


def answer_values(values, instrument="one-to-one", *, table: str = "answers",
                  column: str = "answer", source: str | None = None) -> pd.Series:
    """Answers as numbers: numbers pass, labels of the scale become their point.

    A thin layer over :func:`crmlib.io.parse_likert` that adds the instrument's
    own words: its anchors in every language and its ``scale_labels`` section.
    Accepted: numbers, numeric text (``"4"``, ``"4,0"``), text starting with the
    point (``"4 - Lo hacemos casi siempre"``), the agreement labels ``parse_likert``
    knows (``"Totalmente de acuerdo"`` -> 5 on a five-point scale) and the
    instrument's labels, compared without case, accents or punctuation. Blank
    cells and explicit non-answers (``N/A``, ``No sabe`` ...) become ``NaN``.

    Parameters
    ----------
    values : sequence or Series
    instrument : str, path or Instrument
    table, column, source : str
        Named in the error message.

    Returns
    -------
    Series of float
        Same index as ``values``.

    Raises
    ------
    DataError
        Naming the rows whose text is neither a number nor a known label, and the
        numbers outside the instrument's scale.
    """
    inst = load_instrument(instrument)
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if inst.scale_min == 1:
        return parse_likert(s, scale_max=inst.scale_max, labels=_scale_labels(inst),
                            source=source, column=column, table=table).astype(float)
    shift = 1 - inst.scale_min  # parse_likert counts from 1: shift the scale there and back
    labels = {k: v + shift for k, v in _scale_labels(inst).items()}
    numeric = pd.to_numeric(s, errors="coerce")
    shifted = s.where(numeric.isna(), numeric + shift)
    out = parse_likert(shifted, scale_max=inst.scale_max + shift, labels=labels, source=source,
                       column=column, table=table)
    return (out - shift).astype(float)


def _group_key(value, inst: Instrument):
    return _option_key(value, inst.extra.get("groups") or {})


def _forms(text: str) -> set[str]:
    """Singular and plural readings of a normalised label, word by word
    (``"mandos medios"`` -> ``"mando medio"``, ``"directores"`` -> ``"director"``)."""
    per_word = []
    for w in text.split():
        options = {w}
        if len(w) > 3 and w.endswith("s"):
            options.add(w[:-1])
            if w.endswith("es"):
                options.add(w[:-2])
        per_word.append(options)
    forms = {""}
    for options in per_word:
        forms = {f"{f} {o}".strip() for f in forms for o in options}
        if len(forms) > 64:  # long free text is no label: keep it as written
            return {text}
    return forms


def _option_names(key, labels) -> set[str]:
    labels = labels or {}
    names = {_norm(key), *(_norm(labels[lang]) for lang in ("es", "en") if lang in labels),
             *(_norm(a) for a in labels.get("aliases") or ())}
    return set().union(*(_forms(n) for n in names if n))


def _option_key(value, options: dict):
    """The key of ``options`` (``{key: {"es": label, "en": label, "aliases": [...]}}``)
    whose key, label or alias matches ``value`` -- without case, accents or punctuation,
    in singular or plural -- else ``value`` stripped; ``None`` if blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = _norm(value)
    if not text:
        return None
    forms = _forms(text)
    for key, labels in options.items():
        if forms & _option_names(key, labels):
            return key
    return str(value).strip()


def _option_labels(options: dict) -> list[str]:
    """The printed labels of ``options`` (es and en) for an error message."""
    out = []
    for key, labels in options.items():
        for lang in ("es", "en"):
            text = (labels or {}).get(lang)
            if text and text not in out:
                out.append(text)
        if not labels:
            out.append(str(key))
    return out
