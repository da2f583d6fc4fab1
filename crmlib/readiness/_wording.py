"""Does each statement's wording fit the answer words it is declared with?

A statement of how often something is done ("Depuramos la base con regularidad") is
answered *nunca ... siempre*; a statement of how things are ("Tenemos una estrategia")
is answered *totalmente en desacuerdo ... totalmente de acuerdo*. Answering one kind
with the other's words makes the answer ambiguous ("Siempre: tenemos una estrategia").
:func:`anchor_kind_conflicts` flags the statements whose wording points to the other
kind, so a consultant's own items are checked like the shipped ones.
"""

from __future__ import annotations

import re

import pandas as pd

from crmlib.readiness._responses import _instrument

#: Words that make a statement one of frequency (answer it nunca ... siempre).
FREQUENCY_MARKERS = {
    "es": ("siempre", "nunca", "con regularidad", "regularmente", "a menudo", "cada vez que",
           "con frecuencia", "a veces", "rara vez"),
    "en": ("always", "never", "regularly", "often", "every time", "sometimes", "rarely",
           "frequently"),
}
#: Openings that make a statement one of state or capacity (answer it in agreement words).
STATE_OPENINGS = {
    "es": ("podemos", "tenemos", "contamos con", "sabemos", "conocemos", "entendemos",
           "hemos", "existe", "hay "),
    "en": ("we can", "we have", "we know", "we understand", "there is", "there are"),
}


def _has(text: str, marker: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(marker.strip())}(?!\w)", text) is not None


def anchor_kind_conflicts(instrument="one-to-one") -> pd.DataFrame:
    """Statements whose wording contradicts the answer words they are declared with.

    An item declared ``agreement`` whose text (either language) uses a frequency word
    (*siempre*, *nunca*, *con regularidad* ...), and an item declared ``frequency``
    whose text opens with a statement of state or capacity (*Tenemos*, *Podemos*,
    *We have* ...) are listed. Items without a declared kind are not checked.

    Returns
    -------
    DataFrame
        One row per conflict: ``item_id``, ``declared`` (its ``anchors``), ``language``,
        ``marker`` (the words that point to the other kind). Empty when every statement
        fits its words.
    """
    inst = _instrument(instrument)
    rows = []
    if "anchors" not in inst.items.columns:
        return pd.DataFrame(columns=["item_id", "declared", "language", "marker"])
    for _, item in inst.items.iterrows():
        kind = item["anchors"]
        for lang in ("es", "en"):
            text = str(item[f"text_{lang}"]).lower().strip()
            if kind == "agreement":
                found = [m for m in FREQUENCY_MARKERS[lang] if _has(text, m)]
            elif kind == "frequency":
                found = [m for m in STATE_OPENINGS[lang] if text.startswith(m)]
            else:
                found = []
            for m in found:
                rows.append({"item_id": item["item_id"], "declared": kind, "language": lang,
                             "marker": m.strip()})
    return pd.DataFrame(rows, columns=["item_id", "declared", "language", "marker"])
