"""Words every form and importer shares: part and group labels, anchors, name matching.

Labels come from the instrument's own sections (``part_labels``, ``groups``,
anchors) with the i18n catalog as fallback; :func:`_norm` reduces a header or
label to lower-case ASCII words so that accents, case and punctuation never
decide whether two names match.
"""

from __future__ import annotations

import re
import unicodedata

from crmlib.i18n import check_language, label
from crmlib.instruments import Instrument


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


def group_label(instrument: Instrument, group: str, language: str = "es") -> str:
    """Label of respondent ``group`` from the instrument's ``groups`` section."""
    check_language(language)
    return ((instrument.extra.get("groups") or {}).get(group) or {}).get(language, group)


def _anchor_text(instrument: Instrument, point: int, language: str) -> str:
    return (instrument.anchors.get(language) or {}).get(point, "")


def _is_servqual(instrument: Instrument) -> bool:
    """True for SERVQUAL-style instruments (parts ``expectation`` and ``perception``), whose
    forms also ask importance points, an overall rating and the customer type."""
    return {"expectation", "perception"} <= set(instrument.parts)


def _segments(instrument: Instrument) -> dict:
    """Customer types the instrument names (its ``segments`` section) as
    ``{key: {"es": label, "en": label}}``; empty when the customer type is free text."""
    raw = instrument.extra.get("segments") or {}
    if isinstance(raw, (list, tuple)):
        return {str(s): {} for s in raw}
    return {str(k): (v if isinstance(v, dict) else {"es": str(v), "en": str(v)})
            for k, v in raw.items()}


def _segment_label(instrument: Instrument, key: str, language: str) -> str:
    return (_segments(instrument).get(key) or {}).get(language, key)
