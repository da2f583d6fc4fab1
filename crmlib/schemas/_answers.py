"""The tables of questionnaire and worksheet answers, in long form.

SERVQUAL answers (one row per respondent and item) and respondents (importance
points and attributes), one-to-one readiness answers, and the four Cs credit
worksheet answers of :mod:`crmlib.collections`.
"""

from __future__ import annotations

from crmlib.schemas._records import _CUSTOMER_ID
from crmlib.schemas._spec import ColumnSpec, TableSpec, _add

C = ColumnSpec


def _groups() -> dict:
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[1] / "instruments" / "one-to-one.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]


def _group_labels() -> str:
    """The group labels the forms print, for the error on an unknown group."""
    names = ", ".join(f"{v['es']}/{v['en']}" for v in _groups().values())
    return f"{names} (any case or accents, singular or plural)"


def _group_aliases() -> tuple:
    """``(spelling, group)`` pairs for the respondent groups: every label and alias of the
    readiness instrument's ``groups`` section, word by word in singular and plural, in the
    lower-case unaccented form the loader compares (``"mandos medios"``, ``"directores"``)."""
    import itertools
    import unicodedata

    pairs = {}
    for key, labels in _groups().items():
        for name in (key, labels.get("es"), labels.get("en"), *(labels.get("aliases") or ())):
            text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
            words = text.lower().split()
            options = [{w, w + "s", w + "es", w.removesuffix("s")} for w in words]
            for combo in itertools.product(*options):
                pairs.setdefault(" ".join(combo), key)
    return tuple(sorted(pairs.items()))

_SERVQUAL_SCORE = {"dtype": "float", "required": False, "nullable": True}
_add(TableSpec(
    "servqual_responses",
    "SERVQUAL answers in long form: one row per respondent and item.",
    (
        C("respondent_id", "str", "Respondent identifier.",
          synonyms=("encuestado", "id_encuestado", "respondent", "respuesta", "response_id")),
        C("item_id", "str", "Item identifier of the instrument (e.g. 'SQ01').",
          synonyms=("item", "ítem", "pregunta", "question")),
        C("expectation", "float", "Expectation of an excellent company (E).", required=True,
          nullable=True, synonyms=("expectativa", "e")),
        C("perception", "float", "Perception of this company (P).", required=True,
          nullable=True, synonyms=("percepcion", "percepción", "p")),
        C(name="adequate", description="Minimum adequate service level.",
          synonyms=("adecuado", "servicio_adecuado"), **_SERVQUAL_SCORE),
        C(name="desired", description="Desired service level.",
          synonyms=("deseado", "servicio_deseado"), **_SERVQUAL_SCORE),
    ),
    unique_together=(("respondent_id", "item_id"),),
))

_add(TableSpec(
    "servqual_respondents",
    "One row per SERVQUAL respondent: importance points and attributes.",
    (
        C("respondent_id", "str", "Respondent identifier.", unique=True,
          synonyms=("encuestado", "id_encuestado", "respondent", "response_id")),
        C("segment", "str", "Customer segment of the respondent.", required=False,
          nullable=True, synonyms=("segmento", "tipo_cliente")),
        C("overall_rating", "float", "Overall quality rating of the company.", required=False,
          nullable=True, synonyms=("valoracion_global", "valoración global", "calidad_global",
                                   "overall", "overall_quality")),
        C("importance_tangibles", "float", "Importance points for tangibles (of 100).",
          required=False, nullable=True, ge=0, le=100,
          synonyms=("importancia_tangibles", "puntos_tangibles")),
        C("importance_reliability", "float", "Importance points for reliability (of 100).",
          required=False, nullable=True, ge=0, le=100,
          synonyms=("importancia_fiabilidad", "puntos_fiabilidad")),
        C("importance_responsiveness", "float",
          "Importance points for responsiveness (of 100).", required=False, nullable=True,
          ge=0, le=100, synonyms=("importancia_capacidad_respuesta", "puntos_capacidad_respuesta")),
        C("importance_assurance", "float", "Importance points for assurance (of 100).",
          required=False, nullable=True, ge=0, le=100,
          synonyms=("importancia_seguridad", "puntos_seguridad")),
        C("importance_empathy", "float", "Importance points for empathy (of 100).",
          required=False, nullable=True, ge=0, le=100,
          synonyms=("importancia_empatia", "importancia_empatía", "puntos_empatia")),
    ),
))

_add(TableSpec(
    "readiness_responses",
    "One-to-one readiness answers in long form: one row per respondent and item.",
    (
        C("respondent_id", "str", "Respondent identifier.",
          synonyms=("encuestado", "id_encuestado", "respondent", "response_id")),
        C("group", "str", "manager, employee, customer or partner.",
          allowed=("manager", "employee", "customer", "partner"),
          aliases=_group_aliases(), accepted=_group_labels(),
          synonyms=("grupo", "rol", "perfil", "role")),
        C("item_id", "str", "Item identifier of the instrument.",
          synonyms=("item", "ítem", "pregunta", "question")),
        C("current", "float", "Score for the current situation.", nullable=True,
          synonyms=("actual", "situacion_actual", "situación actual", "hoy")),
        C("preferred", "float", "Score for the preferred situation.", required=False,
          nullable=True, synonyms=("preferido", "preferida", "deseado", "situacion_preferida",
                                   "situación preferida", "target")),
    ),
    unique_together=(("respondent_id", "item_id"),),
))


_add(TableSpec(
    "credit_answers",
    "Four Cs credit worksheet answers in long form: one row per customer and criterion.",
    (
        C("customer_id", "str", "Customer assessed.", synonyms=_CUSTOMER_ID.synonyms),
        C("criterion_id", "str", "Criterion id of the credit worksheet (e.g. 'CAP1').",
          synonyms=("criterio", "id_criterio", "codigo_criterio", "código criterio",
                    "criterion", "question", "pregunta", "item", "ítem")),
        C("score", "float", "Score on the worksheet scale (1-5 by default); empty while "
          "still to be answered.", nullable=True,
          synonyms=("puntaje", "puntuacion", "puntuación", "nota", "calificacion",
                    "calificación", "valor", "rating", "points")),
        C("note", "str", "Free comment by whoever scored the criterion.", required=False,
          nullable=True, synonyms=("comentario", "observacion", "observación",
                                   "observaciones", "comment", "remarks")),
    ),
    unique_together=(("customer_id", "criterion_id"),),
))
