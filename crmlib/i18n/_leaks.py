"""Find what a reader should never see: codes, program values and foreign number formats.

:func:`find_leaks` scans text a client reads (a report's visible text, the
cells of an exported table, a letter) and returns one :class:`Leak` per
offending token. Kinds:

``code``
    An identifier of the codebook (segment, status, channel, rule and
    parameter keys, template placeholders) that is not also a word of the
    reader's language in the catalogs: ``champions`` in Spanish, ``not_due``.
``snake_case``
    Any ``word_word`` token: a column name or key shown as is.
``boolean``
    ``True``/``False`` and program missing values (``nan``, ``NaT``, ``None`` in Spanish).
``path``
    A file-system path (``/home/…``, ``C:\\…``, ``~/…``).
``separator``
    A number written with the other language's separators (``0.73`` or
    ``1,234,567`` in Spanish; ``51,1`` in English).
``iso_date``
    A date written ``2024-12-31`` instead of the reader's form.
``long_float``
    A number with more than four decimals (``0.7312904``).

It depends on nothing but the catalogs, so it checks HTML reports, Excel
tables and letters alike; :func:`visible_text` extracts what a browser shows
from an HTML page.
"""

from __future__ import annotations

import html as _html
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from itertools import accumulate

__all__ = ["LEAK_KINDS", "Leak", "codebook", "find_leaks", "visible_text"]

LEAK_KINDS = ("code", "snake_case", "boolean", "path", "separator", "iso_date", "long_float")


@dataclass(frozen=True)
class Leak:
    """One token a reader should not see: its ``kind``, the ``token`` and some ``context``."""

    kind: str
    token: str
    context: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.token!r} in …{self.context}…"


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)")
# Catalog key segments that name the catalog's own structure, not a code of the method.
_STRUCTURE = {"title", "text", "headline", "plot", "col", "column", "value", "label", "one",
              "other", "unit", "note", "help", "legend", "xlabel", "ylabel"}


@lru_cache(maxsize=1)
def codebook() -> frozenset[str]:
    """Every identifier of the catalogs: key segments and template placeholders (3+ letters)."""
    from crmlib.i18n import LANGUAGES, catalog

    names: set[str] = set()
    for key, texts in catalog().items():
        names.update(key.split("."))
        for lang in LANGUAGES:
            names.update(_PLACEHOLDER.findall(str(texts[lang])))
    return frozenset(n for n in names
                     if len(n) >= 3 and not n.isdigit() and n not in _STRUCTURE
                     and re.fullmatch(r"[a-z][a-z0-9_+\-]*", n))


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_TEXT_LINE = re.compile(r"\b(es|en):\s*(\"[^\"]*\"|'[^']*'|[^,}\n]+)")


@lru_cache(maxsize=2)
def _vocabulary(language: str) -> frozenset[str]:
    """Lower-case words a reader may see in ``language``: every catalog text and the
    ``es``/``en`` texts of the packaged instruments and templates (questionnaires,
    the credit worksheet, the next-best-action notes)."""
    from pathlib import Path

    from crmlib.i18n import catalog

    texts = [str(v[language]) for v in catalog().values()]
    package = Path(__file__).resolve().parents[1]
    for path in [*package.glob("instruments/*.yaml"), *package.glob("templates/*.yaml")]:
        for lang, text in _TEXT_LINE.findall(path.read_text(encoding="utf-8")):
            if lang == language:
                texts.append(text)
    # The packaged letters are written in the reader's language: their words
    # ("to present it") are the reader's, even where one is also a key of ours.
    for path in package.glob(f"templates/letters/{language}/*"):
        text = path.read_text(encoding="utf-8")
        texts.append(_JINJA.sub(" ", _TAG.sub(" ", text)))
    words: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)))
    return frozenset(words)


# A file name the reader is asked to use ("match_overrides.csv") is not a leak.
_SNAKE = re.compile(r"(?<![\w./\\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/\\])"
                    r"(?!\.(?:csv|xlsx|yaml|yml|json|parquet|html|txt|md)\b)")
_BOOL_EN = re.compile(r"(?<![\w.])(True|False|nan|NaN|NaT|<NA>)(?![\w])")
_BOOL_ES = re.compile(r"(?<![\w.])(True|False|None|nan|NaN|NaT|<NA>)(?![\w])")
_PATH = re.compile(r"(?<![\w:/.])(?:/(?:home|tmp|work|usr|var|mnt|Users|root|opt)/[^\s<>\"']*"
                   r"|[A-Za-z]:\\[^\s<>\"']+|~/[^\s<>\"']+)")
# An e-mail address is the customer's own contact data, shown as written: the
# words of its domain ("mail.example") are not codes of ours.
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A relative path to a file the run wrote for the reader ("letters/welcome/0001.html")
# is where the reader finds it, like a file name they are asked to use.
_FILE = re.compile(r"(?<![\w/.\\])(?:[\w\-]+/)+[\w\-.]+\.(?:csv|xlsx|yaml|yml|json|parquet|html|txt|md|pdf)\b")
_ISO_DATE = re.compile(r"(?<![\d\-/.])\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?![\d])")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w]|[.,]\d)")
_LONG = re.compile(r"\d[.,]\d{5,}$")


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return " ".join(text[max(0, start - width):end + width].split())


def _number_leak(token: str, language: str) -> bool:
    """Whether a number token is written with the other language's separators."""
    dec, grp = (",", ".") if language == "es" else (".", ",")
    if token.count(dec) > 1:
        return True  # 1.234.567 in English: the decimal mark used as grouping
    if "." in token and "," in token:
        # both marks: the last one is the decimal mark
        return token.rfind(dec) < token.rfind(grp)
    if grp in token:
        whole = token.split(dec)[0]
        groups = whole.split(grp)
        grouped = re.fullmatch(r"[1-9]\d{0,2}", groups[0]) is not None and \
            all(len(g) == 3 for g in groups[1:])
        return not grouped  # 1.234 is grouping; 0.73 and 51.1 are decimal points
    # A lone "3,612" (es) or "3.612" (en) may be three decimals or a thousand
    # grouped the other way; text alone cannot tell, so it passes (charts are
    # checked on what they draw instead).
    return False


def find_leaks(text: str, language: str = "es") -> list[Leak]:
    """Every token of ``text`` a reader of ``language`` should not see (see module doc).

    Parameters
    ----------
    text : str
        Plain text a reader sees (use :func:`visible_text` for HTML).
    language : {"es", "en"}
        The language the text is written in.

    Returns
    -------
    list of Leak
        In order of appearance; empty when the text is clean.
    """
    from crmlib.i18n import check_language

    check_language(language)
    found: list[tuple[int, Leak]] = []

    def add(kind, m, group=0):
        found.append((m.start(group), Leak(kind, m.group(group),
                                           _context(text, m.start(group), m.end(group)))))

    path_spans = []
    for m in _PATH.finditer(text):
        found.append((m.start(), Leak("path", m.group(0).rstrip(".,;:)"),
                                      _context(text, m.start(), m.end()))))
        path_spans.append((m.start(), m.end()))

    kept = [(m.start(), m.end()) for rx in (_EMAIL, _FILE) for m in rx.finditer(text)]
    path_spans = sorted(path_spans + kept)  # what they hold is not checked below
    starts = [a for a, _ in path_spans]
    reach = list(accumulate((b for _, b in path_spans), max))

    def in_path(pos):
        k = bisect_right(starts, pos) - 1
        return k >= 0 and pos < reach[k]

    for m in _SNAKE.finditer(text):
        if not in_path(m.start()):
            add("snake_case", m)
    book, vocab = codebook(), _vocabulary(language)
    for m in re.finditer(r"(?<![\w\-])[a-z][a-z0-9]*(?:[+\-][a-z]+)?(?![\w\-])", text):
        token = m.group(0)
        if token in book and "_" not in token and token not in vocab and not in_path(m.start()):
            add("code", m)
    for m in (_BOOL_ES if language == "es" else _BOOL_EN).finditer(text):
        add("boolean", m, 1)
    iso_spans = []
    for m in _ISO_DATE.finditer(text):
        add("iso_date", m)
        iso_spans.append((m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        token = m.group(0)
        if in_path(m.start()) or any(a <= m.start() < b for a, b in iso_spans):
            continue
        if _LONG.search(token):
            add("long_float", m)
        elif _number_leak(token, language):
            add("separator", m)
    found.sort(key=lambda p: p[0])
    return [leak for _, leak in found]


class _Visible(HTMLParser):
    _HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._skip += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"\n{alt}\n")
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "td", "th"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self._skip:
            self._skip -= 1
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The text a browser shows of an HTML page (and the alt text of its images)."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    return _html.unescape("".join(parser.parts))
