"""Client headers: the column map, the header row, and matching headers to columns.

Private to :mod:`crmlib.io`. Headers are compared by a normalised key
(:func:`norm`); a ``column_map`` (a dict or YAML file) comes first, then each
column's canonical name, then its synonyms in the contract. In text and Excel
grids the header row is found among the first lines as the one naming the most
canonical columns, and the body below it is indexed by source-file line.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from crmlib.exceptions import DataProblem, ParameterError
from crmlib.io._notes import Note, display
from crmlib.schemas import TableSpec

HEADER_SEARCH_ROWS = 30
#: How far down a header is looked for when the first lines name no column.
HEADER_SEARCH_MAX = 1000


def norm(text) -> str:
    """Header key: lower case, no accents, runs of other characters as one ``_``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


# --------------------------------------------------------------------------- column maps


def load_column_map(column_map, spec: TableSpec) -> dict[str, str | None]:
    """``{normalised client header: canonical name or None}`` from a dict or YAML file.

    A YAML file may hold the map itself or ``{table: map}``; so may a dict.
    Targets must be columns of the table (``None`` drops the column).
    """
    if column_map is None:
        return {}
    if isinstance(column_map, (str, Path)):
        path = Path(column_map)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ParameterError(f"column_map file not found: {path}", parameter="column_map",
                                 value=str(column_map)) from None
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise ParameterError(f"column_map file {path.name} is not valid YAML: {err}",
                                 parameter="column_map", value=str(column_map)) from None
        column_map = loaded or {}
    if not isinstance(column_map, dict):
        raise ParameterError("column_map must be a dict {client header: canonical name} or a "
                             f"YAML file holding one; got {type(column_map).__name__}",
                             parameter="column_map", value=column_map)
    if spec.name in column_map and isinstance(column_map[spec.name], dict):
        column_map = column_map[spec.name]
    names = [c.name for c in spec.columns]
    out: dict[str, str | None] = {}
    for header, target in column_map.items():
        if target is not None and target not in names:
            raise ParameterError(
                f"column_map maps {header!r} to {target!r}, which is not a column of "
                f"{spec.name}; allowed: {names}", parameter="column_map", allowed=tuple(names),
                value=target)
        out[norm(header)] = target
    return out


#: Words left out when two headers are compared loosely: number marks (``Nº``, ``Nro.``,
#: ``Núm.``) and the articles and prepositions of Spanish and English headers.
_LOOSE_WORDS = frozenset({"n", "no", "nro", "nr", "num", "numero", "o", "de", "del", "la",
                          "el", "los", "las", "of", "the"})


def loose(key: str) -> str:
    """A normalised header without number marks and articles: ``n_pedido`` -> ``pedido``,
    ``fecha_de_cobro`` -> ``fecha_cobro``."""
    words = [w for w in key.split("_") if w not in _LOOSE_WORDS]
    return "_".join(words) if words else key


def _lookup(spec: TableSpec) -> dict[str, tuple[str, int]]:
    """``{normalised header: (canonical, rank)}``: rank 1 = canonical name, 2 = synonym,
    3 = a synonym read loosely (:func:`loose`)."""
    table: dict[str, tuple[str, int]] = {}
    for c in spec.columns:
        table[norm(c.name)] = (c.name, 1)
    for c in spec.columns:
        for syn in c.synonyms:
            table.setdefault(norm(syn), (c.name, 2))
    for c in spec.columns:
        for syn in (c.name, *c.synonyms):
            table.setdefault(loose(norm(syn)), (c.name, 3))
    return table


def _find(key: str, lookup: dict):
    if key in lookup:
        return lookup[key]
    hit = lookup.get(loose(key))
    return (hit[0], 3) if hit else None


#: Tables whose extra columns are meant to be kept (respondent attributes), not listed.
KEEPS_EXTRAS = frozenset({"servqual_respondents"})


def unrecognised(headers: list[str], used: set[int], dropped, spec: TableSpec,
                 claimed) -> list[dict]:
    """Headers that name no column of ``spec``: ``[{"header", "suggestion"}]``.

    ``suggestion`` is the canonical column whose name or synonym is closest to
    the header (rapidfuzz ratio of at least 75 on normalised keys), among the
    columns no other header gives; None when nothing is close.
    """
    if spec.name in KEEPS_EXTRAS:
        return []
    from rapidfuzz import fuzz, process

    lookup = _lookup(spec)
    choices = {k: v[0] for k, v in lookup.items() if v[0] not in claimed}
    out = []
    for pos, header in enumerate(headers):
        if pos in used or pos in dropped or not norm(header):
            continue
        key = norm(header)
        best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=75)
        out.append({"header": str(header), "suggestion": choices[best[0]] if best else None})
    return out


def header_score(cells, spec: TableSpec, explicit: dict) -> int:
    """How many distinct canonical columns a candidate header row names."""
    lookup = _lookup(spec)
    hits = set()
    for cell in cells:
        key = norm(cell)
        if not key:
            continue
        if explicit.get(key):
            hits.add(explicit[key])
        elif (hit := _find(key, lookup)) is not None:
            hits.add(hit[0])
    return len(hits)


# --------------------------------------------------------------------------- net or gross amounts

#: Words of an amount header saying it is the net base, VAT excluded (``Base imponible``,
#: ``Importe neto``, ``Subtotal``, ``Net amount``, ``Total sin IVA``, ``Amount excl. VAT``).
_NET_WORDS = frozenset({"base", "imponible", "imposable", "neto", "neta", "net", "subtotal",
                        "untaxed", "liquido"})
#: Word pairs saying the amount excludes VAT or tax.
_NET_PAIRS = frozenset({("sin", "iva"), ("sin", "impuestos"), ("sense", "iva"), ("excl", "vat"),
                        ("excl", "tax"), ("ex", "vat"), ("excluding", "vat"),
                        ("excluding", "tax"), ("before", "tax"), ("pre", "tax"),
                        ("without", "vat"), ("without", "tax")})
#: Word pairs saying the amount includes VAT or tax (``Total (IVA incl.)``, ``Total incl.
#: VAT``, ``Importe con IVA``, ``Total IVA incluido``, ``Gross amount``).
_GROSS_PAIRS = frozenset({("iva", "incl"), ("iva", "incluido"), ("iva", "inc"),
                          ("con", "iva"), ("incl", "vat"), ("inc", "vat"), ("incl", "tax"),
                          ("including", "vat"), ("including", "tax"), ("vat", "incl"),
                          ("vat", "included"), ("tax", "included"), ("with", "vat"),
                          ("with", "tax"), ("impuestos", "incluidos"), ("igv", "incl"),
                          ("con", "igv"), ("iva", "incluida"), ("amb", "iva"),
                          ("iva", "inclos")})
_GROSS_WORDS = frozenset({"gross"})
#: Which wording of the amount each table takes first when a file has several: a sale
#: is worth its net base (VAT goes to the tax office), a receivable is what the
#: customer owes, VAT included.
AMOUNT_PREFERENCE = {"transactions": ("net", "plain", "gross"),
                     "invoices": ("gross", "plain", "net")}


def amount_wording(header) -> str:
    """``"net"``, ``"gross"`` or ``"plain"``: what an amount header says about VAT."""
    words = norm(header).split("_")
    pairs = set(pairwise(words)) | set(zip(words, words[2:], strict=False))
    if pairs & _GROSS_PAIRS or set(words) & _GROSS_WORDS:
        return "gross"
    if pairs & _NET_PAIRS or set(words) & _NET_WORDS:
        return "net"
    return "plain"


def _settle_amount(table: str, headers, top: list[int]) -> tuple[int, list[int], str] | None:
    """Of several headers claiming ``amount``, the one this table takes by its wording:
    ``(position, positions left aside, wording)``; None when the wording does not settle it."""
    order = AMOUNT_PREFERENCE.get(table)
    if order is None:
        return None
    kinds = {p: amount_wording(headers[p]) for p in top}
    for wording in order:
        chosen = [p for p in top if kinds[p] == wording]
        if len(chosen) == 1:
            return chosen[0], [p for p in top if p != chosen[0]], wording
        if chosen:
            return None
    return None


def match_columns(headers: list[str], spec: TableSpec, explicit: dict, *,
                  header_line, decided: list | None = None,
                  ) -> tuple[dict[int, str], list[int], list[DataProblem]]:
    """Decide the canonical name of each header position.

    Returns ``(renames {position: canonical}, dropped positions, problems)``.
    Priority: ``column_map``, then the canonical name itself, then synonyms.
    Two headers claiming the same column at the same priority is an error
    (the user settles it with ``column_map``), except for the ``amount`` of
    sales and receivables, where the wording settles it (see
    :data:`AMOUNT_PREFERENCE`: the net base for a sale, the total with VAT for
    an invoice); a header losing to a higher-priority one keeps its own name.

    ``decided``, when given, receives one dict per choice the wording made
    (``column``, ``chosen`` header, ``wording``, ``others`` headers and their
    ``positions``), and for a sales amount read from a header saying it
    includes VAT with no other to choose from, a dict with ``others`` empty.
    """
    lookup = _lookup(spec)
    claims: dict[str, list[tuple[int, int]]] = {}
    dropped = []
    for pos, header in enumerate(headers):
        key = norm(header)
        if key in explicit:
            if explicit[key] is None:
                dropped.append(pos)
                continue
            claims.setdefault(explicit[key], []).append((0, pos))
        elif (hit := _find(key, lookup)) is not None:
            target, rank = hit
            claims.setdefault(target, []).append((rank, pos))
    renames: dict[int, str] = {}
    problems = []
    for target, items in claims.items():
        best = min(r for r, _ in items)
        top = [p for r, p in items if r == best]
        settled = _settle_amount(spec.name, headers, top) \
            if target == "amount" and len(top) > 1 and best > 0 else None
        if settled is not None:
            top = [settled[0]]
            if decided is not None:
                decided.append({"column": target, "chosen": headers[settled[0]],
                                "wording": settled[2], "positions": settled[1],
                                "others": [headers[p] for p in settled[1]]})
        elif (target == "amount" and spec.name == "transactions" and len(top) == 1
              and best > 0 and decided is not None
              and amount_wording(headers[top[0]]) == "gross"):
            decided.append({"column": target, "chosen": headers[top[0]], "wording": "gross",
                            "positions": [], "others": []})
        if len(top) > 1:
            shown = ", ".join(repr(headers[p]) for p in top)
            problems.append(DataProblem(
                spec.name, target, f"is given by {len(top)} headers ({shown}); say which one "
                "with column_map", 0, 0, ((header_line, headers[top[0]]),), "line"
                if header_line is not None else "row"))
            continue
        renames[top[0]] = target
        for r, p in items:
            if r != best and norm(headers[p]) == norm(target):
                problems.append(DataProblem(
                    spec.name, target, f"is given twice: by {headers[top[0]]!r} (column_map) "
                    f"and by the header {headers[p]!r}", 0, 0, ((header_line, headers[p]),),
                    "line" if header_line is not None else "row"))
    return renames, dropped, problems


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n} ({seen[n]})")
        else:
            seen[n] = 1
            out.append(n)
    return out


# --------------------------------------------------------------------------- header row


def _frame_from_grid(grid: pd.DataFrame, lines: np.ndarray, spec: TableSpec, explicit: dict,
                     header_row, name: str):
    """Split a grid into header and body; index the body by source line."""
    table = spec.name
    if grid.empty or grid.shape[1] == 0:
        return None, None, [DataProblem(table, None, "the file is empty (no header, no rows)",
                                        source=name)]
    if header_row is not None:
        pos = np.flatnonzero(lines == header_row)
        if not len(pos):
            return None, None, [DataProblem(
                table, None, f"header_row {header_row} is blank or beyond the end of the file",
                source=name)]
        h = int(pos[0])
    else:
        scores = [header_score(grid.iloc[i], spec, explicit)
                  for i in range(min(HEADER_SEARCH_ROWS, len(grid)))]
        best = max(scores)
        if best < min(2, len(spec.required)) and len(grid) > HEADER_SEARCH_ROWS:
            # a long title block (report exports): look further down, row by row
            scores += [header_score(grid.iloc[i], spec, explicit)
                       for i in range(HEADER_SEARCH_ROWS, min(HEADER_SEARCH_MAX, len(grid)))]
            best = max(scores)
        need = max(1, min(2, best))
        h = next((i for i, s in enumerate(scores) if s >= need), 0) if best else 0
    header_cells = [str(v) for v in grid.iloc[h]]
    while header_cells and header_cells[-1] == "":
        header_cells.pop()
    width = len(header_cells)
    body = grid.iloc[h + 1:]
    body_lines = lines[h + 1:]
    header_line = int(lines[h])
    problems = []
    if h > 0 and header_row is None:
        frame_notes = [Note("io.note.header_below", file=display(name), line=header_line,
                            skipped=h)]
    else:
        frame_notes = []
    if body.shape[1] > width and len(body):
        extra = body.iloc[:, width:]
        long_rows = (extra != "").any(axis=1).to_numpy()
        if long_rows.any():
            idx = np.flatnonzero(long_rows)
            ex = tuple((int(body_lines[i]), "|".join(str(v) for v in extra.iloc[i] if v != ""))
                       for i in idx[:3])
            problems.append(DataProblem(
                table, None, f"has rows with more fields than the header on line "
                f"{header_line} ({width})", int(long_rows.sum()), len(body), ex, "line", name))
    names = [c if c != "" else f"unnamed_{i + 1}" for i, c in enumerate(header_cells)]
    frame = body.iloc[:, :width].copy()
    frame.columns = _dedupe(names) if len(set(names)) < len(names) else names
    if len(set(names)) < len(names):
        # identical headers: keep both, the matcher sees the original text
        frame.attrs["raw_headers"] = names
    frame.index = pd.Index(body_lines.astype(np.int64), name="line")
    frame.attrs["notes"] = frame_notes
    return frame, header_line, problems
