"""Data contracts: the canonical tables every stage reads.

Each table is described once, as a :class:`TableSpec` of :class:`ColumnSpec`
items (name, type, whether it is required, its meaning, the header synonyms
clients use for it). :func:`schema` builds the pandera schema from that spec
and :func:`validate` checks a frame against it, raising one
:class:`~crmlib.exceptions.DataError` that lists every problem with the rows
(or source-file lines) that break it.

Conventions: ids are text; money is in the client's currency as a float;
timestamps are naive ``datetime64[ns]`` in the client's local time; names are
snake_case and units are in the name (``*_at`` timestamps, ``*_days`` spans).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from crmlib.exceptions import DataError, DataProblem, ParameterError, check_choice

__all__ = [
    "TABLES",
    "ColumnSpec",
    "TableSpec",
    "check",
    "describe",
    "schema",
    "table_spec",
    "validate",
]

DTYPES = ("str", "float", "int", "datetime", "bool")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a canonical table.

    Attributes
    ----------
    name : str
        Canonical snake_case name.
    dtype : {"str", "float", "int", "datetime", "bool"}
        Logical type after loading.
    description : str
        What the column means, in one sentence.
    required : bool
        Whether the column must be present.
    nullable : bool
        Whether a present column may have empty cells.
    unique : bool
        Whether values must be unique within the table.
    allowed : tuple or None
        Closed set of allowed values (after lower-casing for text).
    ge, le : float or None
        Inclusive bounds for numbers.
    synonyms : tuple of str
        Client header names (Spanish and English) that mean this column.
    aliases : tuple of (str, str)
        For columns with ``allowed`` values: client spellings and the allowed
        value they stand for (``("queja", "complaint")``), matched after
        lower-casing and removing accents.
    future_ok : bool
        For timestamps: whether values after the valuation date are legitimate
        (due dates); otherwise the loader rejects dates in the future.
    """

    name: str
    dtype: str
    description: str
    required: bool = True
    nullable: bool = False
    unique: bool = False
    allowed: tuple | None = None
    ge: float | None = None
    le: float | None = None
    synonyms: tuple = ()
    aliases: tuple = ()
    future_ok: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns and the rules that span several columns.

    ``unique_together`` names column sets whose combination must be unique;
    ``ordered`` lists ``(earlier, later)`` timestamp pairs where ``later`` may
    not come before ``earlier``; ``allow_extra`` keeps columns the contract
    does not name (respondent attributes, for instance).
    """

    name: str
    description: str
    columns: tuple
    unique_together: tuple = ()
    ordered: tuple = ()
    allow_extra: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = ColumnSpec

_CUSTOMER_ID = C(
    "customer_id", "str", "Customer identifier as the source system writes it.",
    synonyms=("cliente", "id_cliente", "cod_cliente", "codigo_cliente", "código cliente",
              "customer", "client_id", "customer id", "account", "cuenta", "nro_cliente", "id"),
)

TABLES: dict[str, TableSpec] = {}


def _add(spec: TableSpec) -> None:
    TABLES[spec.name] = spec


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
          aliases=(("gerente", "manager"), ("directivo", "manager"), ("direccion", "manager"),
                   ("gerencia", "manager"), ("jefe", "manager"), ("empleado", "employee"),
                   ("colaborador", "employee"), ("personal", "employee"), ("staff", "employee"),
                   ("cliente", "customer"), ("client", "customer"), ("socio", "partner"),
                   ("aliado", "partner"), ("proveedor", "partner"), ("distribuidor", "partner")),
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


def table_spec(table: str) -> TableSpec:
    """The :class:`TableSpec` of ``table``; :class:`ParameterError` for an unknown name."""
    try:
        return TABLES[table]
    except KeyError:
        raise ParameterError(
            f"table must be one of {sorted(TABLES)}; got {table!r}",
            parameter="table", allowed=tuple(TABLES), value=table,
        ) from None


def describe(table: str) -> pd.DataFrame:
    """The contract of ``table`` as a DataFrame: ``column``, ``type``, ``required``,
    ``nullable``, ``description``, ``synonyms``."""
    spec = table_spec(table)
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "type": c.dtype,
                "required": c.required,
                "nullable": c.nullable,
                "description": c.description,
                "synonyms": ", ".join(c.synonyms),
            }
            for c in spec.columns
        ]
    )


_PA_DTYPES = {"str": object, "float": "float64", "int": "Int64", "datetime": "datetime64[ns]",
              "bool": "boolean"}


def schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of ``table``, built from its :class:`TableSpec`.

    Column types are checked loosely for text (object or string dtype) and
    strictly for numbers and timestamps.
    """
    spec = table_spec(table)
    columns = {}
    for c in spec.columns:
        checks = []
        if c.allowed is not None:
            checks.append(pa.Check.isin(list(c.allowed), error=f"is one of {list(c.allowed)}"))
        if c.ge is not None:
            checks.append(pa.Check.ge(c.ge, error=f"is at least {c.ge:g}"))
        if c.le is not None:
            checks.append(pa.Check.le(c.le, error=f"is at most {c.le:g}"))
        columns[c.name] = pa.Column(
            None if c.dtype == "str" else _PA_DTYPES[c.dtype],
            checks=checks,
            nullable=c.nullable,
            unique=c.unique,
            required=c.required,
            description=c.description,
            title=c.name,
        )
    return pa.DataFrameSchema(
        columns,
        strict=not spec.allow_extra,
        name=spec.name,
        description=spec.description,
    )


def validate(
    df: pd.DataFrame,
    table: str,
    *,
    location_kind: str = "row",
    source: str | None = None,
    max_examples: int = 3,
) -> pd.DataFrame:
    """Check ``df`` against the contract of ``table``; return it unchanged.

    Parameters
    ----------
    df : DataFrame
        Frame with canonical column names. Its index is used to name the
        offending rows, so a loader that sets the index to source-file line
        numbers gets line numbers in the message.
    table : str
        Canonical table name.
    location_kind : {"row", "line"}
        How to call an index value in messages.
    source : str, optional
        File or URL named in the message.
    max_examples : int, default 3
        Offending rows quoted per problem.

    Returns
    -------
    DataFrame
        ``df`` itself, when it meets the contract.

    Raises
    ------
    DataError
        Listing every broken rule with counts and example rows.
    """
    problems = check(df, table, location_kind=location_kind, source=source,
                     max_examples=max_examples)
    if problems:
        raise DataError(problems, source=source)
    return df


def check(
    df: pd.DataFrame,
    table: str,
    *,
    location_kind: str = "row",
    source: str | None = None,
    max_examples: int = 3,
    skip: dict | None = None,
) -> list[DataProblem]:
    """Every way ``df`` breaks the contract of ``table``, as a list (empty when none).

    The rules: required columns present; a table with rows; numbers and
    timestamps typed as such; no empty cell in a non-nullable column; values in
    ``allowed``; numbers within ``ge``/``le``; unique columns and
    ``unique_together`` sets without duplicates (every copy is reported);
    ``ordered`` timestamp pairs in order.

    ``skip`` maps a column to a boolean mask of cells already reported (for
    instance text that did not parse as a number and is now missing), so the
    same cell is not reported twice as "is empty". Other parameters as in
    :func:`validate`.
    """
    spec = table_spec(table)
    check_choice("location_kind", location_kind, ("row", "line"))
    skip = skip or {}
    problems: list[DataProblem] = []
    n = len(df)

    def problem(column, rule, mask):
        bad = df.index[mask]
        values = (df.loc[mask, column] if column in df.columns
                  else pd.Series(index=bad, dtype=object))
        examples = tuple(
            (_loc(loc), "" if pd.isna(v) else _plain(v))
            for loc, v in list(zip(bad, values))[:max_examples]
        )
        problems.append(DataProblem(table, column, rule, int(mask.sum()), n, examples,
                                    location_kind, source))

    missing = [c for c in spec.required if c not in df.columns]
    for name in missing:
        problems.append(DataProblem(table, name, "is required but missing", 0, 0, (),
                                    location_kind, source))
    if n == 0 and not missing:
        problems.append(DataProblem(table, None, "has no rows", 0, 0, (), location_kind, source))

    for c in spec.columns:
        if c.name not in df.columns or n == 0:
            continue
        s = df[c.name]
        if isinstance(s, pd.DataFrame):
            problems.append(DataProblem(table, c.name, "appears more than once", 0, 0, (),
                                        location_kind, source))
            continue
        if c.dtype in ("float", "int") and not (pd.api.types.is_numeric_dtype(s)
                                                and not pd.api.types.is_bool_dtype(s)):
            problems.append(DataProblem(table, c.name, f"must be numeric (dtype {s.dtype})",
                                        n, n, (), location_kind, source))
            continue
        if c.dtype == "datetime" and not pd.api.types.is_datetime64_any_dtype(s):
            problems.append(DataProblem(table, c.name, f"must be a date (dtype {s.dtype})",
                                        n, n, (), location_kind, source))
            continue
        isna = s.isna().to_numpy()
        already = skip.get(c.name)
        if not c.nullable and isna.any():
            mask = isna if already is None else isna & ~np.asarray(already, dtype=bool)
            if mask.any():
                problem(c.name, "is empty", mask)
        present = ~isna
        if c.allowed is not None:
            mask = present & ~s.isin(c.allowed).to_numpy()
            if mask.any():
                problem(c.name, f"is not one of {list(c.allowed)}", mask)
        if c.ge is not None:
            mask = present & (s.to_numpy(dtype=float, na_value=float("nan")) < c.ge)
            if mask.any():
                problem(c.name, f"is below {c.ge:g}", mask)
        if c.le is not None:
            mask = present & (s.to_numpy(dtype=float, na_value=float("nan")) > c.le)
            if mask.any():
                problem(c.name, f"is above {c.le:g}", mask)
        if c.unique:
            mask = present & s.duplicated(keep=False).to_numpy()
            if mask.any():
                problem(c.name, "has duplicate values", mask)

    for cols in spec.unique_together:
        cols = [c for c in cols if c in df.columns]
        if len(cols) >= 1 and n and not any(c in missing for c in cols):
            mask = df.duplicated(subset=cols, keep=False).to_numpy()
            if mask.any():
                problem(cols[-1], f"has duplicate ({', '.join(cols)}) pairs", mask)

    for early, late in spec.ordered:
        if early in df.columns and late in df.columns and n:
            a, b = df[early], df[late]
            if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
                mask = (b < a).fillna(False).to_numpy()
                if mask.any():
                    problem(late, f"is before {early}", mask)
    return problems


def _loc(value):
    return int(value) if isinstance(value, (int, np.integer)) else value


def _plain(value):
    """Numpy scalars and timestamps as plain Python values for messages."""
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
