"""The tables of the segments stage: needs answers and the customer attributes.

``needs_responses`` holds the answers to the needs questionnaire
(:file:`crmlib/instruments/needs.yaml`) in long form, one row per customer and
item; ``customer_attributes`` the variables a client keeps about each customer
that segmentation and share of wallet use: business variables (sector, size,
usage rate) for companies, consumer variables (age band, region) for people,
and the customer's total spend in the category, at every supplier.
"""

from __future__ import annotations

from crmlib.schemas._records import _CUSTOMER_ID
from crmlib.schemas._spec import ColumnSpec, TableSpec, _add

C = ColumnSpec

_add(TableSpec(
    "needs_responses",
    "Needs questionnaire answers in long form: one row per customer and item.",
    (
        C("customer_id", "str", "Customer who answered (the respondent).",
          synonyms=(*_CUSTOMER_ID.synonyms, "respondent_id", "encuestado", "id_encuestado",
                    "respondent")),
        C("item_id", "str", "Item identifier of the needs instrument (e.g. 'ND01').",
          synonyms=("item", "ítem", "pregunta", "question")),
        C("importance", "float", "Importance of the attribute, 1 (not important) to 5 "
          "(decisive); empty when not answered.", nullable=True, ge=1, le=5,
          synonyms=("importancia", "respuesta", "valor", "answer", "score", "puntuacion",
                    "puntuación")),
    ),
    unique_together=(("customer_id", "item_id"),),
))

_add(TableSpec(
    "customer_attributes",
    "One row per customer: the variables segmentation and share of wallet use.",
    (
        C("customer_id", "str", "Customer, as the transactions name it.", unique=True,
          synonyms=_CUSTOMER_ID.synonyms),
        C("sector", "str", "Business sector of a company customer.", required=False,
          nullable=True, synonyms=("sector", "actividad", "rubro", "industria", "industry")),
        C("size_band", "str", "Size of a company customer (employees band as the client "
          "writes it).", required=False, nullable=True,
          synonyms=("tamaño", "tamano", "tamaño_empresa", "size", "company_size",
                    "empleados_tramo")),
        C("usage_rate", "float", "How much the customer uses the product per month, in the "
          "client's unit.", required=False, nullable=True, ge=0,
          synonyms=("tasa_uso", "uso", "uso_mensual", "consumo", "consumo_mensual", "usage")),
        C("age_band", "str", "Age band of a person customer.", required=False, nullable=True,
          synonyms=("edad", "rango_edad", "tramo_edad", "grupo_edad", "age", "age_group")),
        C("region", "str", "Region where the customer lives or works.", required=False,
          nullable=True, synonyms=("región", "zona", "provincia", "departamento", "area")),
        C("category_spend", "float", "What the customer spends on the category per year at "
          "every supplier, this company included (the 'wallet').", required=False,
          nullable=True, ge=0,
          synonyms=("gasto_categoria", "gasto categoría", "gasto_total_categoria",
                    "gasto anual categoría", "potencial_compra", "wallet", "category_wallet",
                    "total_category_spend", "gasto anual en la categoría",
                    "yearly category spend")),
    ),
))
