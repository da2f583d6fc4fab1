"""The tables of the customer follow-up programme (notebook ``08_follow_up``).

The source documents list seven tools to follow customers' satisfaction: the
suggestion box (buzón de sugerencias), the customer panel, surveys, mystery
shoppers (compradores espía), the analysis of lost customers (clientes
perdidos), follow-up calls or post-transaction surveys (encuestas
post-transacción) and critical incident studies (incidentes críticos), next to
the soft indicators of service (indicadores subjetivos). Each tool that leaves
records has one table here; suggestions are the ``suggestion`` rows of
``interactions``, with ``suggestion_actions`` saying what was done with each.
"""

from __future__ import annotations

from crmlib.schemas._records import _CUSTOMER_ID
from crmlib.schemas._spec import ColumnSpec, TableSpec, _add

C = ColumnSpec
_CID = C("customer_id", "str", "Customer the record is about.", required=False, nullable=True,
         synonyms=tuple(x for x in _CUSTOMER_ID.synonyms if x != "id"))

_add(TableSpec(
    "lost_customers",
    "One row per lost customer interviewed: why they left, in their words and coded.",
    (
        C("customer_id", "str", "Customer who left.", unique=True,
          synonyms=tuple(x for x in _CUSTOMER_ID.synonyms if x != "id")),
        C("lost_at", "datetime", "When the customer was counted as lost (last purchase or "
          "cancellation).", required=False, nullable=True,
          synonyms=("fecha_baja", "fecha baja", "baja", "churned_at", "cancelled_at")),
        C("reason", "str", "Reason the customer gave, as noted in the interview.",
          nullable=True, synonyms=("motivo", "motivo_baja", "razon", "razón", "why")),
        C("reason_category", "str", "Category of the reason (price, service, product, "
          "competitor, moved, no_need, other); coded from the words when absent.",
          required=False, nullable=True,
          allowed=("price", "service", "product", "competitor", "moved", "no_need", "other"),
          aliases=(("precio", "price"), ("servicio", "service"), ("atencion", "service"),
                   ("producto", "product"), ("calidad", "product"),
                   ("competencia", "competitor"), ("mudanza", "moved"), ("traslado", "moved"),
                   ("sin necesidad", "no_need"), ("ya no lo necesita", "no_need"),
                   ("otro", "other"), ("otros", "other")),
          accepted="precio/price, servicio/service, producto/product, competencia/competitor, "
                   "mudanza/moved, sin necesidad/no_need, otro/other",
          synonyms=("categoria_motivo", "categoría motivo", "category", "categoria")),
        C("justified", "bool", "Whether the reason is justified (the company failed the "
          "customer); decided from the category when absent.", required=False, nullable=True,
          synonyms=("justificado", "justificable")),
        C("repairable", "bool", "Whether the company can repair the reason; decided from the "
          "category when absent.", required=False, nullable=True,
          synonyms=("reparable", "recuperable")),
    ),
))

_add(TableSpec(
    "post_transaction_survey",
    "Follow-up calls or post-transaction surveys: one row per answer after a transaction.",
    (
        C("response_id", "str", "Survey answer identifier.", unique=True,
          synonyms=("id_respuesta", "respuesta", "encuesta", "survey_id", "id")),
        _CID,
        C("answered_at", "datetime", "When the customer answered.",
          synonyms=("fecha", "fecha_respuesta", "date", "responded_at")),
        C("touchpoint", "str", "Point of contact the question is about (check-in, "
          "restaurant, shop, call centre ...).",
          synonyms=("punto_contacto", "punto de contacto", "momento", "contact_point")),
        C("channel", "str", "How the survey was answered (phone call, e-mail, SMS ...).",
          required=False, nullable=True, synonyms=("canal", "medio", "via")),
        C("score", "float", "Overall satisfaction with that contact on the survey's scale "
          "(1-5 by default).", nullable=True, ge=0, le=10,
          synonyms=("puntuacion", "puntuación", "nota", "satisfaccion", "satisfacción",
                    "rating")),
        C("comment", "str", "What the customer added in words.", required=False,
          nullable=True, synonyms=("comentario", "observaciones", "remarks")),
    ),
))

_add(TableSpec(
    "critical_incidents",
    "Critical incident reports: one row per story a customer told about a service contact.",
    (
        C("incident_id", "str", "Report identifier.", unique=True,
          synonyms=("id_incidente", "incidente", "report_id", "id")),
        _CID,
        C("reported_at", "datetime", "When the story was collected.", required=False,
          nullable=True, synonyms=("fecha", "fecha_reporte", "date")),
        C("valence", "str", "Whether the customer remembers it as positive or negative.",
          allowed=("positive", "negative"),
          aliases=(("positivo", "positive"), ("positiva", "positive"), ("buena", "positive"),
                   ("satisfactorio", "positive"), ("negativo", "negative"),
                   ("negativa", "negative"), ("mala", "negative"),
                   ("insatisfactorio", "negative")),
          accepted="positivo/positive, negativo/negative",
          synonyms=("valencia", "tipo", "signo", "sentido", "kind")),
        C("category", "str", "What the story is about (staff, waiting, facilities, billing, "
          "recovery ...).", synonyms=("categoria", "categoría", "tema", "topic")),
        C("description", "str", "The story in the customer's words.", required=False,
          nullable=True, synonyms=("descripcion", "descripción", "relato", "story", "text")),
    ),
))

_add(TableSpec(
    "mystery_shopper",
    "Mystery shopper (comprador espía) checklists: one row per visit and checklist item.",
    (
        C("visit_id", "str", "Visit identifier.", synonyms=("visita", "id_visita", "visit")),
        C("site", "str", "Site, branch or channel visited.",
          synonyms=("sede", "sucursal", "local", "tienda", "branch", "store")),
        C("visited_at", "datetime", "Date of the visit.", required=False, nullable=True,
          synonyms=("fecha", "fecha_visita", "date")),
        C("item_id", "str", "Checklist item (an item id of the mystery-shopper checklist).",
          synonyms=("item", "ítem", "punto", "criterio", "check")),
        C("compliant", "bool", "Whether the item was met on that visit.", nullable=True,
          synonyms=("cumple", "cumplido", "ok", "met", "passed")),
    ),
    unique_together=(("visit_id", "item_id"),),
))

_add(TableSpec(
    "soft_indicators",
    "Soft indicator survey answers in long form: one row per respondent and item.",
    (
        C("respondent_id", "str", "Respondent identifier.",
          synonyms=("encuestado", "id_encuestado", "respondent", "respuesta", "response_id")),
        C("item_id", "str", "Item of the soft-indicator questionnaire (e.g. 'SI01').",
          synonyms=("item", "ítem", "pregunta", "question")),
        C("perception", "float", "How the customer rates the company on the item.",
          nullable=True, synonyms=("percepcion", "percepción", "score", "p")),
    ),
    unique_together=(("respondent_id", "item_id"),),
))

_add(TableSpec(
    "suggestion_actions",
    "What was done with each suggestion (an interaction of kind 'suggestion').",
    (
        C("interaction_id", "str", "The suggestion's ticket identifier.", unique=True,
          synonyms=("id_interaccion", "ticket", "ticket_id", "caso", "id")),
        C("action", "str", "Decision: adopted, planned, declined or under_review.",
          allowed=("adopted", "planned", "declined", "under_review"),
          aliases=(("adoptada", "adopted"), ("implantada", "adopted"),
                   ("aplicada", "adopted"), ("implemented", "adopted"),
                   ("planificada", "planned"), ("prevista", "planned"),
                   ("rechazada", "declined"), ("descartada", "declined"),
                   ("rejected", "declined"), ("en estudio", "under_review"),
                   ("en revision", "under_review"), ("pendiente", "under_review")),
          accepted="adoptada/adopted, planificada/planned, rechazada/declined, "
                   "en estudio/under_review",
          synonyms=("accion", "acción", "decision", "decisión", "outcome")),
        C("answered_at", "datetime", "When the customer was told what was done.",
          required=False, nullable=True,
          synonyms=("fecha_respuesta", "respondido", "replied_at")),
        C("note", "str", "What was done, in words.", required=False, nullable=True,
          synonyms=("nota", "detalle", "comentario", "detail")),
    ),
))
