"""The table of contracts of a subscription business (plans, memberships, service contracts).

A contractual client (a mobile operator, a gym, a software vendor) knows when
each contract began and when it was cancelled; that is what the retention
model of :mod:`crmlib.clv` (shifted beta-geometric) needs.
"""

from __future__ import annotations

from crmlib.schemas._records import _CUSTOMER_ID
from crmlib.schemas._spec import ColumnSpec, TableSpec, _add

C = ColumnSpec

_add(TableSpec(
    "subscriptions",
    "One row per contract: when it began and, once cancelled, when it ended.",
    (
        C("subscription_id", "str", "Contract or line number.", required=False, unique=True,
          synonyms=("contrato", "id_contrato", "nro_contrato", "numero_contrato",
                    "número de contrato", "n.º contrato", "suscripcion", "suscripción",
                    "id_suscripcion", "contract", "contract_id", "subscription", "linea",
                    "línea", "line_id")),
        C("customer_id", "str", "Customer holding the contract.", synonyms=_CUSTOMER_ID.synonyms),
        C("started_at", "datetime", "Start of the contract (activation, sign-up).",
          synonyms=("alta", "fecha_alta", "fecha alta", "fecha de alta", "inicio",
                    "fecha_inicio", "fecha inicio", "fecha de inicio", "activacion",
                    "activación", "fecha_activacion", "fecha activación", "start", "start_date",
                    "started", "activation_date", "signup_date", "contract_start")),
        C("ended_at", "datetime", "Cancellation date; empty while the contract is active.",
          nullable=True,
          synonyms=("baja", "fecha_baja", "fecha baja", "fecha de baja", "fin", "fecha_fin",
                    "fecha fin", "fecha de fin", "cancelacion", "cancelación",
                    "fecha_cancelacion", "fecha cancelación", "end", "end_date", "ended",
                    "cancelled_at", "canceled_at", "cancellation_date", "churn_date",
                    "contract_end")),
        C("plan", "str", "Plan or tariff of the contract.", required=False, nullable=True,
          synonyms=("tarifa", "plan_tarifario", "producto", "tariff", "product", "package",
                    "paquete")),
        C("monthly_fee", "float", "Fee per month of the contract.", required=False,
          nullable=True, ge=0,
          synonyms=("cuota", "cuota_mensual", "cuota mensual", "renta", "renta_mensual",
                    "renta mensual", "fee", "monthly fee", "mrr", "precio_mensual")),
    ),
    ordered=(("started_at", "ended_at"),),
))
