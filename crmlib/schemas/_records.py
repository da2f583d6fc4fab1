"""The tables of client records: customers, transactions, interactions, invoices.

These come from the client's ERP, CRM, ticket system and receivables ledger;
each column carries the Spanish and English header names clients use for it.
"""

from __future__ import annotations

from crmlib.schemas._spec import ColumnSpec, TableSpec, _add

C = ColumnSpec

_CUSTOMER_ID = C(
    "customer_id", "str", "Customer identifier as the source system writes it.",
    synonyms=("cliente", "id_cliente", "cod_cliente", "codigo_cliente", "código cliente",
              "customer", "client_id", "customer id", "account", "cuenta", "nro_cliente", "id"),
)


_add(TableSpec(
    "customers",
    "One row per customer record in a source database (several sources may overlap).",
    (
        C("customer_id", "str", "Customer identifier, unique within its source.",
          synonyms=_CUSTOMER_ID.synonyms),
        C("name", "str", "Person's full name or company's legal name.",
          synonyms=("nombre", "razon_social", "razón social", "nombre_cliente", "customer_name",
                    "full name", "company")),
        C("kind", "str", "'person' or 'company'.", required=False, nullable=True,
          allowed=("person", "company"), synonyms=("tipo", "tipo_cliente", "type", "customer_type"),
          aliases=(("persona", "person"), ("natural", "person"), ("persona natural", "person"),
                   ("particular", "person"), ("individual", "person"), ("b2c", "person"),
                   ("empresa", "company"), ("juridica", "company"),
                   ("persona juridica", "company"), ("sociedad", "company"),
                   ("business", "company"), ("b2b", "company"))),
        C("email", "str", "E-mail address as recorded (may be invalid).", required=False,
          nullable=True, synonyms=("correo", "e-mail", "mail", "correo_electronico",
                                   "correo electrónico", "email_address")),
        C("phone", "str", "Phone number as recorded.", required=False, nullable=True,
          synonyms=("telefono", "teléfono", "tel", "movil", "móvil", "celular", "phone_number",
                    "mobile")),
        C("tax_id", "str", "Tax identifier (NIF, CIF, RUT, RFC ...).", required=False,
          nullable=True, synonyms=("nif", "cif", "rut", "rfc", "cuit", "nit", "vat", "vat_id",
                                   "id_fiscal")),
        C("city", "str", "City.", required=False, nullable=True,
          synonyms=("ciudad", "localidad", "municipio", "town")),
        C("segment", "str", "Segment the client already uses, if any.", required=False,
          nullable=True, synonyms=("segmento", "sector", "categoria_cliente")),
        C("created_at", "datetime", "When the record was created.", required=False,
          nullable=True, synonyms=("fecha_alta", "alta", "fecha alta", "created", "signup_date",
                                   "fecha_registro")),
        C("source", "str", "Which source database the record comes from.", required=False,
          nullable=True, synonyms=("origen", "fuente", "sistema", "system")),
        C("special", "bool", "Flag for customers treated apart (staff, key accounts).",
          required=False, nullable=True, synonyms=("especial", "vip")),
    ),
    unique_together=(("source", "customer_id"),),
))

_add(TableSpec(
    "transactions",
    "One row per sale or return line.",
    (
        C("customer_id", "str", "Customer who bought; empty for anonymous sales.", nullable=True,
          synonyms=_CUSTOMER_ID.synonyms),
        C("date", "datetime", "Date (and time) of the sale.",
          synonyms=("fecha", "fecha_venta", "fecha venta", "fecha_compra", "order_date",
                    "purchase_date", "transaction_date", "fecha_factura")),
        C("amount", "float", "Net amount; negative for a return.",
          synonyms=("monto", "importe", "valor", "total", "venta", "ventas", "importe_neto",
                    "value", "revenue", "sales", "net_amount")),
        C("quantity", "float", "Units; negative for a return.", required=False, nullable=True,
          synonyms=("cantidad", "unidades", "uds", "qty", "units")),
        C("margin", "float", "Gross margin of the line, if known.", required=False,
          nullable=True, synonyms=("margen", "margen_bruto", "gross_margin", "profit")),
        C("channel", "str", "Sales channel.", required=False, nullable=True,
          synonyms=("canal", "canal_venta", "sales_channel")),
        C("product", "str", "Product or service.", required=False, nullable=True,
          synonyms=("producto", "articulo", "artículo", "servicio", "item", "sku")),
        C("invoice_id", "str", "Invoice or ticket the line belongs to.", required=False,
          nullable=True, synonyms=("factura", "nro_factura", "num_factura", "nº factura",
                                   "n° factura", "ticket", "order_id", "pedido")),
    ),
))

_add(TableSpec(
    "interactions",
    "One row per contact: complaint, request, suggestion or praise.",
    (
        C("interaction_id", "str", "Ticket identifier.", unique=True,
          synonyms=("id_interaccion", "ticket", "ticket_id", "caso", "id_caso", "incidencia",
                    "case_id", "id")),
        C("customer_id", "str", "Customer who made contact.", nullable=True,
          synonyms=tuple(x for x in _CUSTOMER_ID.synonyms if x != "id")),
        C("opened_at", "datetime", "When the contact was opened.",
          synonyms=("apertura", "fecha_apertura", "fecha apertura", "abierto", "created_at",
                    "opened", "fecha")),
        C("closed_at", "datetime", "When it was closed; empty while open.", required=False,
          nullable=True, synonyms=("cierre", "fecha_cierre", "fecha cierre", "cerrado", "closed",
                                   "resolved_at", "solved_at")),
        C("channel", "str", "Channel: phone, email, in person, web, chat ...", required=False,
          nullable=True, synonyms=("canal", "medio", "via", "vía")),
        C("kind", "str", "complaint, request, suggestion or praise.", required=False,
          nullable=True, allowed=("complaint", "request", "suggestion", "praise"),
          aliases=(("queja", "complaint"), ("reclamo", "complaint"), ("reclamacion", "complaint"),
                   ("solicitud", "request"), ("peticion", "request"), ("pedido", "request"),
                   ("consulta", "request"), ("sugerencia", "suggestion"),
                   ("felicitacion", "praise"), ("elogio", "praise"), ("agradecimiento", "praise"),
                   ("compliment", "praise")),
          synonyms=("tipo", "tipo_interaccion", "type")),
        C("contacts_to_resolve", "float", "Contacts the customer needed until resolution.",
          required=False, nullable=True, ge=0,
          synonyms=("contactos", "contactos_hasta_resolver", "n_contactos", "contacts")),
        C("status", "str", "Status label as the ticket system writes it.", required=False,
          nullable=True, synonyms=("estado", "situacion", "situación", "state")),
        C("category", "str", "Topic of the contact.", required=False, nullable=True,
          synonyms=("categoria", "categoría", "motivo", "asunto", "topic", "reason")),
        C("encounter", "str", "Service encounter type: remote, phone or in_person.",
          required=False, nullable=True, synonyms=("encuentro", "tipo_encuentro")),
        C("response_minutes", "float", "Minutes until the first response.", required=False,
          nullable=True, ge=0, synonyms=("tiempo_respuesta", "minutos_respuesta",
                                         "first_response_minutes")),
        C("wait_minutes", "float", "Minutes the customer waited before being served.",
          required=False, nullable=True, ge=0, synonyms=("tiempo_espera", "minutos_espera",
                                                         "waiting_minutes")),
        C("cost", "float", "Cost of handling the contact.", required=False, nullable=True,
          ge=0, synonyms=("costo", "coste", "handling_cost")),
    ),
    # A ticket closed before it was opened is a bad row of the ticket system, not of the
    # file: crmlib.interact reports such rows and leaves them out of resolution times,
    # so the loader keeps them rather than rejecting the whole export.
))

_add(TableSpec(
    "invoices",
    "One row per invoice issued on credit.",
    (
        C("invoice_id", "str", "Invoice number.", unique=True,
          synonyms=("factura", "nro_factura", "num_factura", "numero_factura",
                    "número factura", "nº factura", "n° factura", "no_factura", "invoice",
                    "invoice_number", "invoice no", "documento")),
        C("customer_id", "str", "Customer invoiced.", synonyms=_CUSTOMER_ID.synonyms),
        C("issued_at", "datetime", "Issue date.",
          synonyms=("emision", "emisión", "fecha_emision", "fecha emisión", "fecha_factura",
                    "invoice_date", "issued", "fecha")),
        C("due_at", "datetime", "Due date.", future_ok=True,
          synonyms=("vencimiento", "fecha_vencimiento", "fecha vencimiento", "due", "due_date")),
        C("paid_at", "datetime", "Date paid in full; empty while open.", required=False,
          nullable=True, synonyms=("pago", "fecha_pago", "fecha pago", "paid", "payment_date")),
        C("amount", "float", "Invoice amount.", ge=0,
          synonyms=("monto", "importe", "total", "valor", "invoice_amount")),
        C("paid_amount", "float", "Amount paid so far.", required=False, nullable=True, ge=0,
          synonyms=("pagado", "importe_pagado", "monto_pagado", "abonado", "cobrado")),
    ),
    ordered=(("issued_at", "due_at"),),
))
