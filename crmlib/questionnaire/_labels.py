"""Words every form shares: group labels, anchors, customer types.

Labels come from the instrument's own sections (``part_labels``, ``groups``,
anchors) with the i18n catalog as fallback. :func:`crmlib.io._answers.part_label` and
:func:`crmlib.io._answers._norm` (a header or label reduced to lower-case ASCII words) live
in :mod:`crmlib.io`, whose survey readers match headers with them.
"""

from __future__ import annotations

from crmlib.i18n import check_language
from crmlib.instruments import Instrument


def group_label(instrument: Instrument, group: str, language: str = "es") -> str:
    """Label of respondent ``group`` from the instrument's ``groups`` section."""
    check_language(language)
    return ((instrument.extra.get("groups") or {}).get(group) or {}).get(language, group)


def _anchor_text(instrument: Instrument, point: int, language: str) -> str:
    return (instrument.anchors.get(language) or {}).get(point, "")


def _item_anchors(instrument: Instrument, item_id: str, language: str) -> dict:
    """``{point: meaning}`` the answers of ``item_id`` are given in (its anchor set, else
    the scale's anchors)."""
    return instrument.item_anchors(item_id, language)


def _anchor_line(instrument: Instrument, item_id: str, language: str) -> str:
    """Every answer word of ``item_id`` on one line: ``1 = Nunca · 2 = Rara vez · ...``;
    empty when the scale has no words."""
    anchors = _item_anchors(instrument, item_id, language)
    return " · ".join(f"{p} = {anchors[p]}" for p in sorted(anchors))


def _anchor_range(instrument: Instrument, item_id: str, language: str) -> str:
    """The two end words of ``item_id``'s answers: ``Nunca … Siempre``; empty without words."""
    anchors = _item_anchors(instrument, item_id, language)
    lo, hi = anchors.get(instrument.scale_min), anchors.get(instrument.scale_max)
    return f"{lo} … {hi}" if lo and hi else ""


def _anchor_sets_used(instrument: Instrument) -> list[str]:
    """Anchor sets the items use, in the order of the ``anchor_sets`` section."""
    if "anchors" not in instrument.items.columns:
        return []
    used = set(instrument.items["anchors"].dropna().astype(str))
    return [k for k in (instrument.extra.get("anchor_sets") or {}) if k in used]


def _anchor_set_label(instrument: Instrument, kind: str, language: str) -> str:
    sets = instrument.extra.get("anchor_sets") or {}
    return ((sets.get(kind) or {}).get("label") or {}).get(language, kind)


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


# A date no real form carries, so its parts can be told apart when formatted.
_SENTINEL = "2099-11-23"


def cover_date(date=None, language: str = "es") -> str:
    """The date line of a form's cover, as HTML, in the locale's long form.

    With ``date`` (ISO text or a date) the date written out: ``23 de noviembre de
    2026`` / ``23 November 2026``. Without it, blanks laid out in that same form
    (``____ de ________ de ____``), so the hand-written date reads the way the
    report writes dates.
    """
    import html

    from crmlib.i18n import check_language, format_date

    check_language(language)
    if date not in (None, ""):
        return html.escape(format_date(date, language))
    text = html.escape(format_date(_SENTINEL, language))
    from babel.dates import get_month_names

    from crmlib.i18n import locale_of

    month = html.escape(get_month_names("wide", locale=locale_of(language))[11])
    blanks = {"23": '<span class="blank day">&nbsp;</span>',
              "2099": '<span class="blank year">&nbsp;</span>',
              month: '<span class="blank month">&nbsp;</span>'}
    for part, blank in blanks.items():
        if part not in text:
            raise RuntimeError(f"cannot lay out a blank date from {text!r}")
        text = text.replace(part, blank)
    return text
