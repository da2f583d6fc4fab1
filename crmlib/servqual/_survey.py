"""Survey exports (Google Forms, SurveyMonkey, Qualtrics, read by
:func:`crmlib.io.read_survey`) turned into the canonical tables: question headers in Spanish
or English are matched to SERVQUAL parts, items, importance points, the overall rating and
the segment.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.servqual._base import SCORE_PARTS, _instrument
from crmlib.servqual._wide import _WIDE, responses_from_wide

#: Words (normalised: lower case, no accents) that name each SERVQUAL part in a question
#: header, so "Expectativas [SQ01 ...]", "Expectations - ..." or "E [..]" map to a part.
PART_WORDS = {
    "expectation": ("expectation", "expectations", "expectativa", "expectativas", "e",
                    "empresa excelente", "excellent company", "expected service",
                    "servicio esperado"),
    "perception": ("perception", "perceptions", "percepcion", "percepciones", "p",
                   "this company", "esta empresa", "servicio percibido", "perceived service"),
    "adequate": ("adequate", "adequate service", "adecuado", "servicio adecuado",
                 "minimum service", "servicio minimo", "minimo aceptable"),
    "desired": ("desired", "desired service", "deseado", "servicio deseado"),
}
_IMPORTANCE_WORDS = ("importance", "importancia", "puntos", "points", "importance points",
                     "puntos de importancia")
_OVERALL_WORDS = ("overall rating", "overall quality", "overall", "valoracion global",
                  "calidad global", "valoracion general", "overall service quality",
                  "calidad global del servicio", "valoracion global de la calidad del servicio")
_SEGMENT_WORDS = ("segment", "segmento", "tipo de cliente", "customer type", "customer segment",
                  "segmento de cliente")


def _words(text) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _split_question(header: str) -> tuple[str, str | None]:
    """``"Question [Row]"`` or ``"Question - Row"`` -> (question, row)."""
    m = re.match(r"^(.*?)\s*\[([^\[\]]*)\]\s*$", str(header))
    if m:
        return m.group(1), m.group(2)
    if " - " in str(header):
        q, r = str(header).split(" - ", 1)
        return q, r
    return str(header), None


def _part_of(question: str) -> str | None:
    words = _words(question)
    words = re.sub(r"\s*\(.*$", "", words) if "(" in str(question) else words
    for part, names in PART_WORDS.items():
        if words in names:
            return part
    for part, names in PART_WORDS.items():  # "Expectativas (empresa excelente)" and the like
        if any(len(n) > 2 and (words.startswith(n + " ") or words == n) for n in names):
            return part
    return None


def _canonical_headers(wide: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``wide`` whose SERVQUAL grid questions are renamed to the part keys the
    generic importer knows (``"Expectativas [SQ01 ...]"`` -> ``"expectation [SQ01 ...]"``);
    Qualtrics question texts (``attrs["question_text"]``) are rewritten the same way."""
    out = wide.copy()
    rename = {}
    for col in out.columns:
        q, row = _split_question(col)
        part = _part_of(q) if row is not None else None
        if part:
            rename[col] = f"{part} [{row}]"
    out = out.rename(columns=rename)
    texts = dict(wide.attrs.get("question_text") or {})
    for col, text in list(texts.items()):
        q, row = _split_question(text or "")
        part = _part_of(q) if row is not None else None
        if part:
            texts[rename.get(col, col)] = f"{part} [{row}]"
    out.attrs = {**wide.attrs, "question_text": texts}
    return out


def responses_from_survey(wide: pd.DataFrame, *, instrument="servqual-1991",
                          id_column: str | None = None) -> pd.DataFrame:
    """Long ``servqual_responses`` from a survey export read by :func:`crmlib.io.read_survey`.

    Recognised layouts: a wide sheet ``E1..E22``/``P1..P22`` (see
    :func:`responses_from_wide`); Google Forms grids ``"Expectativas [SQ01. ...]"``;
    SurveyMonkey ``"Question [Row]"`` after its two header rows are joined; Qualtrics short
    ids with the question text of its second header row (``"Expectation - SQ01 ..."``).
    The question names the part in Spanish or English (:data:`PART_WORDS`), the row names
    the item by id (``SQ01``) or by its exact text. Likert labels ("Totalmente de acuerdo",
    "6 - De acuerdo", "Strongly disagree") become numbers (:func:`crmlib.io.parse_likert`
    plus the instrument's anchors); blanks and "N/A" stay missing.

    Returns
    -------
    DataFrame
        ``respondent_id``, ``item_id``, ``expectation``, ``perception`` (and ``adequate``,
        ``desired`` when asked); validate and score it with :func:`gap_table`.

    Raises
    ------
    DataError
        When no column names a SERVQUAL item and part, ids repeat or are empty, or an
        answer is neither a number nor a known label (naming column and rows).
    """
    from dataclasses import replace

    from crmlib.questionnaire import from_survey_export

    inst = _instrument(instrument)
    if any(_WIDE.match(str(c).strip()) for c in wide.columns) and not any(
            "[" in str(c) for c in wide.columns):
        col = id_column or next((c for c in wide.columns if _words(c).replace(" ", "_") in
                                 ("respondent_id", "respondent", "encuestado", "id")),
                                "respondent_id")
        long = responses_from_wide(wide, instrument=inst, respondent_column=col)
        if len(set(long["respondent_id"])) * len(set(long["item_id"])) != len(long):
            raise DataError([DataProblem("survey export", str(col), "has repeated respondent "
                                         "ids")])
        for part in SCORE_PARTS:
            if part in long.columns and not pd.api.types.is_numeric_dtype(long[part]):
                from crmlib.questionnaire import answer_values

                long[part] = answer_values(long[part], inst, table="survey export",
                                           column=part).to_numpy()
        return long
    parts = tuple(p for p in SCORE_PARTS if p in inst.parts or any(
        _part_of(_split_question(c)[0]) == p for c in wide.columns
        if _split_question(c)[1] is not None) or any(
        _part_of(_split_question(x or "")[0]) == p
        for x in (wide.attrs.get("question_text") or {}).values()))
    full = replace(inst, parts=tuple(p for p in SCORE_PARTS if p in parts or p in inst.parts))
    canon = _canonical_headers(wide)
    original = dict(zip(map(str, canon.columns), map(str, wide.columns)))
    try:
        return from_survey_export(canon, full, id_column=id_column)
    except DataError as err:  # name the columns as the client's file does
        raise type(err)([replace(pr, column=original.get(pr.column, pr.column))
                         for pr in err.problems], source=err.source) from None


def respondents_from_survey(wide: pd.DataFrame, *, instrument="servqual-1991",
                            id_column: str | None = None) -> pd.DataFrame:
    """``servqual_respondents`` from the same export: importance points, overall rating and
    segment, found by their headers in Spanish or English.

    Importance columns are ``"Importancia [Fiabilidad]"``, ``"Importance - Reliability"``,
    ``importance_reliability`` ... (the row is the dimension key or its label); the overall
    rating is a column named like "Valoración global" / "Overall rating" (numbers or scale
    labels); the segment a column named "Segmento" / "Segment" / "Tipo de cliente".

    Returns
    -------
    DataFrame
        ``respondent_id`` and whichever of ``segment``, ``overall_rating`` and
        ``importance_<dimension>`` the export has.
    """
    from crmlib.questionnaire import ID_COLUMNS, answer_values

    inst = _instrument(instrument)
    # Qualtrics names columns by short ids (Q3_1) and keeps the text apart; the other tools
    # already name them "Question [Row]"
    texts = (wide.attrs.get("question_text") or {}) if wide.attrs.get("shape") == "qualtrics" \
        else {}
    names = {c: (texts.get(c) or str(c)) for c in wide.columns}
    id_col = id_column or next((c for c in wide.columns
                                if _words(c).replace(" ", "_") in ID_COLUMNS
                                or _words(c) == "id"), None)
    ids = wide[id_col].astype("str").str.strip().to_numpy() if id_col is not None else \
        np.array([f"R{i + 1:04d}" for i in range(len(wide))], dtype=object)
    out = pd.DataFrame({"respondent_id": ids})
    importance: dict[str, object] = {}
    dim_names = {}
    for d in inst.dimensions:
        for lang in ("es", "en"):
            dim_names[_words(inst.dimension_label(d, lang))] = d
        dim_names[_words(d)] = d
    for col, text in names.items():
        q, row = _split_question(text)
        wq = _words(q)
        if row is not None and (wq in _IMPORTANCE_WORDS or wq.startswith(("importan", "puntos",
                                                                          "points"))):
            d = dim_names.get(_words(row))
        else:
            m = re.match(r"^(?:importance|importancia|puntos|points)[ _]+(.+)$", _words(text))
            d = dim_names.get(m.group(1)) if m else None
        if d is not None:
            importance[d] = col
            continue
        w = _words(text)
        if w in _OVERALL_WORDS or w.replace(" ", "_") == "overall_rating" or \
                w.startswith(("valoracion global", "overall rating", "overall quality")):
            out["overall_rating"] = answer_values(wide[col], inst, table="survey export",
                                                  column=str(col)).to_numpy()
        elif w in _SEGMENT_WORDS:
            seg = wide[col]
            out["segment"] = seg.astype("str").str.strip().where(seg.notna()).to_numpy()
    if importance:
        points = _importance_points(wide, importance, inst)
        for d in inst.dimensions:
            if d in points:
                out[f"importance_{d}"] = points[d].to_numpy()
    return out


def _importance_points(wide: pd.DataFrame, columns: dict, inst) -> dict:
    """``{dimension: points}`` from the importance columns of an export (see
    :func:`crmlib.io.points_of_100`: ``"25%"`` rows adding up to 100 are read as points)."""
    from crmlib.io import points_of_100

    lines = wide.attrs.get("lines")
    return points_of_100({d: wide[col] for d, col in columns.items()},
                         names={d: str(col) for d, col in columns.items()},
                         lines=lines, table="survey export")
