"""Questionnaires as data.

An instrument is a YAML file: a title, the answer scale with its anchors,
which answers each item collects (``parts``: e.g. ``[expectation, perception]``
or ``[current, preferred]``), named dimensions, and the items, each with an id,
its dimension, its text in Spanish and English, a reverse-scoring flag and an
optional weight::

    name: servqual-1991
    title: {es: "...", en: "..."}
    source: "Parasuraman, Zeithaml & Berry (1991)"
    scale: {min: 1, max: 7, anchors: {es: {1: "...", 7: "..."}, en: {1: "...", 7: "..."}}}
    parts: [expectation, perception]
    dimensions:
      tangibles: {es: "Elementos tangibles", en: "Tangibles"}
    items:
      - {id: SQ01, dimension: tangibles, reverse: false, weight: 1,
         text: {es: "...", en: "..."}}

The instruments shipped with crmlib live beside this file; a consultant passes
a path to their own file, or adds and replaces items with a CSV or YAML of items
(:meth:`Instrument.with_items`), without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from crmlib.exceptions import DataError, DataProblem, ParameterError

__all__ = [
    "ITEM_COLUMNS",
    "OPTIONAL_ITEM_COLUMNS",
    "SCORE_PARTS",
    "Instrument",
    "available_instruments",
    "load_instrument",
]

_HERE = Path(__file__).parent
ITEM_COLUMNS = ("item_id", "dimension", "text_es", "text_en", "reverse", "weight")
#: Item columns an instrument may add: ``anchors`` names the answer wording an item is
#: read with (a key of the instrument's ``anchor_sets``, e.g. ``frequency`` or
#: ``agreement``); empty for items read with the scale's own anchors.
OPTIONAL_ITEM_COLUMNS = ("anchors",)
#: Answer parts a SERVQUAL instrument may ask of each item, in table order (the expected
#: and perceived service, and the adequate and desired levels of the zone of tolerance).
SCORE_PARTS = ("expectation", "perception", "adequate", "desired")


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: scale, parts, dimensions and items.

    Attributes
    ----------
    name : str
        Short id (``servqual-1991``, ``one-to-one``).
    title : dict
        ``{"es": ..., "en": ...}``.
    scale_min, scale_max : int
        Inclusive answer range.
    anchors : dict
        ``{language: {point: meaning}}`` for at least the two ends.
    parts : tuple of str
        Answers collected per item, named as the response-table columns.
    dimensions : dict
        ``{dimension key: {"es": label, "en": label}}`` in display order.
    items : DataFrame
        ``item_id``, ``dimension``, ``text_es``, ``text_en``, ``reverse`` (bool),
        ``weight`` (float), in questionnaire order.
    source : str
        Citation of the instrument.
    extra : dict
        Any further keys of the file (importance section, maturity levels ...).
    """

    name: str
    title: dict
    scale_min: int
    scale_max: int
    anchors: dict
    parts: tuple
    dimensions: dict
    items: pd.DataFrame
    source: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def item_ids(self) -> list[str]:
        return self.items["item_id"].tolist()

    def dimension_label(self, key: str, language: str = "es") -> str:
        """Label of dimension ``key`` in ``language``."""
        return self.dimensions.get(key, {}).get(language, key)

    def item_text(self, item_id: str, language: str = "es") -> str:
        row = self.items.loc[self.items["item_id"] == item_id]
        if row.empty:
            raise ParameterError(f"item {item_id!r} is not in instrument {self.name!r}",
                                 parameter="item_id", value=item_id)
        return row.iloc[0][f"text_{language}"]

    def anchor_kind(self, item_id: str) -> str | None:
        """The anchor set item ``item_id`` is answered with (``frequency``,
        ``agreement`` ...), or ``None`` when it uses the scale's own anchors."""
        if "anchors" not in self.items.columns:
            return None
        row = self.items.loc[self.items["item_id"] == item_id, "anchors"]
        if row.empty:
            raise ParameterError(f"item {item_id!r} is not in instrument {self.name!r}",
                                 parameter="item_id", value=item_id)
        kind = row.iloc[0]
        return None if kind is None or pd.isna(kind) or not str(kind).strip() else str(kind)

    def item_anchors(self, item_id: str, language: str = "es") -> dict:
        """``{point: meaning}`` of the answers of item ``item_id`` in ``language``: its
        anchor set from the ``anchor_sets`` section, else the scale's anchors."""
        kind = self.anchor_kind(item_id)
        if kind is None:
            return dict(self.anchors.get(language) or {})
        return self.anchor_set(kind, language)

    def anchor_set(self, kind: str, language: str = "es") -> dict:
        """``{point: meaning}`` of the anchor set ``kind`` in ``language``."""
        sets = self.extra.get("anchor_sets") or {}
        if kind not in sets:
            raise ParameterError(f"anchor set must be one of {sorted(sets)}; got {kind!r}",
                                 parameter="anchors", allowed=tuple(sorted(sets)), value=kind)
        return {int(k): v for k, v in ((sets[kind].get("anchors") or {}).get(language)
                                       or {}).items()}

    def reverse_score(self, values, item_ids) -> pd.Series:
        """Reverse-scored values for items flagged ``reverse`` (x -> min + max - x)."""
        values = pd.Series(values, dtype=float).reset_index(drop=True)
        rev = pd.Series(item_ids).reset_index(drop=True).map(
            self.items.set_index("item_id")["reverse"]).fillna(False).astype(bool)
        return values.where(~rev, self.scale_min + self.scale_max - values)

    def with_items(self, items, *, replace_all: bool = False) -> Instrument:
        """A copy with ``items`` added (or replacing those with the same id).

        ``items`` is a DataFrame or a CSV/YAML/XLSX file with at least
        ``item_id``, ``dimension`` and ``text_es``/``text_en``. New dimensions must
        be declared in the instrument (or the items file gives ``dimension_es``/
        ``dimension_en`` labels). With ``replace_all`` the file is the whole item list.
        """
        new = _items_frame(items, source=str(items) if not isinstance(items, pd.DataFrame)
                           else "items")
        dims = dict(self.dimensions)
        for _, row in new.iterrows():
            if row["dimension"] not in dims:
                dims[row["dimension"]] = {
                    "es": row.get("dimension_es") or row["dimension"],
                    "en": row.get("dimension_en") or row["dimension"],
                }
        new = new[_item_columns(new)]
        if replace_all:
            merged = new
        else:
            kept = self.items[~self.items["item_id"].isin(new["item_id"])]
            order = {k: i for i, k in enumerate(self.items["item_id"])}
            merged = pd.concat([kept, new], ignore_index=True)
            merged["_o"] = merged["item_id"].map(order).fillna(len(order) + merged.index.to_series())
            merged = merged.sort_values("_o", kind="stable").drop(columns="_o")
        return replace(self, items=merged.reset_index(drop=True), dimensions=dims)


def _items_frame(items, *, source: str) -> pd.DataFrame:
    if isinstance(items, pd.DataFrame):
        df = items.copy()
    else:
        path = Path(items)
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows = data["items"] if isinstance(data, dict) else data
            df = pd.DataFrame([_flatten_item(r) for r in rows])
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str)
        else:
            df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", sep=None, engine="python")
    df = df.rename(columns={"id": "item_id"})
    problems = []
    for col in ("item_id", "dimension"):
        if col not in df.columns:
            problems.append(DataProblem("instrument items", col, "is required but missing",
                                        source=source))
    if "text_es" not in df.columns and "text_en" not in df.columns:
        problems.append(DataProblem("instrument items", "text_es", "is required but missing "
                                    "(give text_es and/or text_en)", source=source))
    if problems:
        raise DataError(problems, source=source)
    dup = df["item_id"].duplicated(keep=False)
    if dup.any():
        raise DataError([DataProblem("instrument items", "item_id", "has duplicate values",
                                     int(dup.sum()), len(df),
                                     tuple(df.loc[dup, "item_id"].head(3).items()), "row",
                                     source)], source=source)
    df["item_id"] = df["item_id"].astype(str).str.strip()
    for lang, other in (("es", "en"), ("en", "es")):
        if f"text_{lang}" not in df.columns:
            df[f"text_{lang}"] = df[f"text_{other}"]
    df["reverse"] = (df["reverse"] if "reverse" in df.columns else False)
    df["reverse"] = df["reverse"].map(
        lambda v: str(v).strip().lower() in ("1", "true", "yes", "si", "sí", "x")
    ).astype(bool)
    weight = df["weight"] if "weight" in df.columns else 1.0
    df["weight"] = pd.to_numeric(pd.Series(weight, index=df.index), errors="coerce").fillna(1.0)
    return df


def _item_columns(frame: pd.DataFrame) -> list[str]:
    """The item columns kept: :data:`ITEM_COLUMNS` and the optional ones present."""
    return list(ITEM_COLUMNS) + [c for c in OPTIONAL_ITEM_COLUMNS if c in frame.columns]


def _flatten_item(item: dict) -> dict:
    out = {k: v for k, v in item.items() if k != "text"}
    for lang, text in (item.get("text") or {}).items():
        out[f"text_{lang}"] = text
    return out


def available_instruments() -> list[str]:
    """Names of the instruments shipped with crmlib."""
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


def load_instrument(instrument, *, items=None) -> Instrument:
    """Load a shipped instrument by name, or an instrument file by path.

    Parameters
    ----------
    instrument : str, path or Instrument
        Name from :func:`available_instruments`, a YAML path, or an
        :class:`Instrument` (returned as is).
    items : DataFrame or path, optional
        Items to add or replace (see :meth:`Instrument.with_items`).
    """
    if isinstance(instrument, Instrument):
        inst = instrument
    else:
        path = Path(str(instrument))
        if not path.suffix:
            path = _HERE / f"{instrument}.yaml"
            if not path.exists():
                raise ParameterError(
                    f"instrument must be one of {available_instruments()} or a file path; "
                    f"got {instrument!r}", parameter="instrument",
                    allowed=tuple(available_instruments()), value=instrument)
        elif not path.exists():
            raise ParameterError(f"instrument file {str(instrument)!r} does not exist",
                                 parameter="instrument", value=instrument)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        scale = data.get("scale") or {}
        known = {"name", "title", "scale", "parts", "dimensions", "items", "source"}
        inst = Instrument(
            name=data.get("name", path.stem),
            title=data.get("title") or {"es": path.stem, "en": path.stem},
            scale_min=int(scale.get("min", 1)),
            scale_max=int(scale.get("max", 5)),
            anchors={lang: {int(k): v for k, v in a.items()}
                     for lang, a in (scale.get("anchors") or {}).items()},
            parts=tuple(data.get("parts") or ()),
            dimensions=data.get("dimensions") or {},
            items=_items_frame(pd.DataFrame([_flatten_item(r) for r in data["items"]]),
                               source=str(path)).pipe(lambda f: f[_item_columns(f)]),
            source=data.get("source", ""),
            extra={k: v for k, v in data.items() if k not in known},
        )
        unknown = set(inst.items["dimension"]) - set(inst.dimensions)
        if unknown:
            raise DataError([DataProblem("instrument items", "dimension",
                                         f"names dimensions not declared: {sorted(unknown)}",
                                         source=str(path))], source=str(path))
    if items is not None:
        inst = inst.with_items(items)
    _check_anchor_kinds(inst)
    return inst


def _check_anchor_kinds(inst: Instrument) -> None:
    """Every item's ``anchors`` must name a set of the ``anchor_sets`` section."""
    if "anchors" not in inst.items.columns:
        return
    sets = set(inst.extra.get("anchor_sets") or {})
    kinds = inst.items["anchors"]
    given = kinds.notna() & (kinds.astype(str).str.strip() != "")
    bad = given & ~kinds.astype(str).isin(sets)
    if bad.any():
        raise DataError([DataProblem(
            "instrument items", "anchors", f"names an anchor set not declared in "
            f"anchor_sets (declared: {sorted(sets)})", int(bad.sum()), len(kinds),
            tuple(inst.items.loc[bad, ["item_id", "anchors"]].head(3).itertuples(
                index=False, name=None)), "item", inst.name)], source=inst.name)
