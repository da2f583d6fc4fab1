"""Notes on how a file was read: which of several possible readings was chosen.

Private to :mod:`crmlib.io`. Whenever the loader settles something the file
leaves open (the order of day and month, what ``45366`` in a date column means,
an amount worked out from quantity and unit price, a header it does not know)
it says so in ``df.attrs["notes"]``: a list of :class:`Note`, each a plain
English sentence (a ``str``) that can also be read in Spanish with
:meth:`Note.text` or :func:`read_notes`. Notes never quote cell values, only
file names, headers and counts, so they can be logged without client data.
"""

from __future__ import annotations

from pathlib import Path

from crmlib.i18n import check_language, t


def display(name) -> str:
    """The file name a note shows: the last part of a path, never the folders above it."""
    return Path(str(name)).name or str(name)


def _make_note(key: str, values: dict) -> Note:
    return Note(key, **values)


def _words(values: dict, language: str) -> dict:
    """``values`` with ``table_words``: the table in the reader's words ("la lista de
    clientes"), so a sentence never shows the table key."""
    table = values.get("table")
    words = t(f"data.table.{table}", language) if table else ""
    return {**values, "table_words": words} if table else values


class Note(str):
    """One sentence about how a file was read; ``str(note)`` is the English text.

    Attributes
    ----------
    key : str
        The i18n key of the sentence (``io.note.*`` in ``crmlib/i18n/io.yaml``).
    values : dict
        The values filled into the sentence.
    """

    key: str
    values: dict

    def __new__(cls, key: str, **values):
        obj = super().__new__(cls, t(key, "en", **_words(values, "en")))
        obj.key = key
        obj.values = dict(values)
        return obj

    def text(self, language: str = "es") -> str:
        """The sentence in ``language`` (``"es"`` or ``"en"``)."""
        return t(self.key, check_language(language), **_words(self.values, language))

    def __reduce__(self):
        return _make_note, (self.key, self.values)

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def read_notes(df, language: str = "es") -> list[str]:
    """The notes of a table read by :mod:`crmlib.io`, in ``language``.

    Parameters
    ----------
    df : DataFrame
        A table from :func:`~crmlib.io.read_table` or
        :func:`~crmlib.io.read_client_table`.
    language : {"es", "en"}, default "es"

    Returns
    -------
    list of str
        One sentence per choice the loader made while reading (empty when the
        file left nothing open). Plain strings in ``attrs["notes"]`` (added by
        other code) are returned as they are.
    """
    check_language(language)
    return [n.text(language) if isinstance(n, Note) else str(n)
            for n in (getattr(df, "attrs", {}) or {}).get("notes", [])]
