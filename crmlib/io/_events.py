"""Ticket event logs read as the ``interactions`` table.

Private to :mod:`crmlib.io`. Some ticket systems export an audit log, one row
per event of a case (``opened``, ``assigned``, ``customer contact``,
``closed`` ...), instead of one row per case. :func:`read_table` recognises
such a file by its columns (a case id, an activity and a timestamp, see the
``interaction_events`` contract) and turns it into one row per case:

- ``interaction_id``: the case id; ``customer_id``, ``channel``, ``kind`` and
  ``category``: the first non-empty value of the case, in time order;
- ``opened_at``: the time of the case's first event;
- ``closed_at``: the time of its last closing activity, when no reopening
  comes after it (else empty: the case is open);
- ``contacts_to_resolve``: the opening and the customer-contact events up to
  the close (all of them while the case is open);
- ``status``: the last event's activity, as written.

Activities are matched to roles ignoring case and accents, through
:data:`ACTIVITY_ROLES`; the read option ``activity_map``
(``{open|contact|close|reopen|other: [activity, ...]}``, also under
``tables: {interactions: {activity_map: ...}}`` in ``dataset.yaml``) adds
to it, and wins over it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.exceptions import ParameterError
from crmlib.io._columns import norm
from crmlib.io._notes import Note

#: The roles an activity can play, and the activity texts that play them by default
#: (compared after :func:`~crmlib.io._columns.norm`).
ACTIVITY_ROLES: dict[str, tuple[str, ...]] = {
    "open": ("opened", "open", "created", "create", "new", "received", "registered",
             "ticket opened", "case opened", "ticket created", "case created", "abierto",
             "abierta", "apertura", "alta", "creado", "creada", "nuevo", "nueva", "recibido",
             "recibida", "registrado", "registrada", "ticket abierto", "caso abierto",
             "ticket creado", "caso creado"),
    "contact": ("contact", "customer contact", "call", "inbound call", "email received",
                "customer reply", "customer replied", "customer message", "message received",
                "follow up", "follow-up", "contacto", "contacto cliente",
                "contacto del cliente", "llamada", "llamada entrante", "llamada cliente",
                "correo recibido", "mensaje cliente", "mensaje del cliente",
                "respuesta cliente", "respuesta del cliente", "seguimiento", "reclamo",
                "insistencia"),
    "close": ("closed", "close", "resolved", "solved", "completed", "done", "finished",
              "ticket closed", "case closed", "cerrado", "cerrada", "cierre", "resuelto",
              "resuelta", "solucionado", "solucionada", "finalizado", "finalizada",
              "completado", "completada", "ticket cerrado", "caso cerrado"),
    "reopen": ("reopened", "reopen", "reabierto", "reabierta", "reapertura"),
    "other": ("assigned", "reassigned", "escalated", "in progress", "pending", "on hold",
              "waiting", "updated", "comment", "note", "agent reply", "asignado", "asignada",
              "reasignado", "reasignada", "escalado", "escalada", "en curso", "en proceso",
              "pendiente", "en espera", "actualizado", "comentario", "nota",
              "respuesta agente", "respuesta del agente"),
}
ROLES = tuple(ACTIVITY_ROLES)
#: Columns a log must have to be read as one (canonical names of ``interaction_events``).
LOG_COLUMNS = ("case_id", "activity", "timestamp")


def check_activity_map(value) -> dict[str, list[str]]:
    """The ``activity_map`` read option, checked: ``{role: [activity text, ...]}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParameterError("activity_map must be a mapping {role: [activity, ...]} with "
                             f"roles {list(ROLES)}; got {type(value).__name__}",
                             parameter="activity_map", allowed=ROLES, value=value)
    out = {}
    for role, names in value.items():
        if role not in ROLES:
            raise ParameterError(f"activity_map role must be one of {list(ROLES)}; got "
                                 f"{role!r}", parameter="activity_map", allowed=ROLES,
                                 value=role)
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise ParameterError(f"activity_map: {role} must be a list of activity texts; got "
                                 f"{names!r}", parameter="activity_map", value=names)
        out[role] = list(names)
    return out


def events_to_interactions(events: pd.DataFrame, activity_map: dict, *, file: str
                           ) -> tuple[pd.DataFrame, list[Note]]:
    """One row per case from a typed ``interaction_events`` table (see the module text)."""
    roles: dict[str, str] = {}
    for role, names in ACTIVITY_ROLES.items():
        for name in names:
            roles[norm(name)] = role
    for role, names in activity_map.items():
        for name in names:
            roles[norm(name)] = role
    ev = events.reset_index(drop=True).copy()
    ev["_order"] = np.arange(len(ev))
    # cases in the order they first appear in the file; events of a case in time order
    ev["_first"] = ev.groupby("case_id", sort=False)["_order"].transform("min")
    ev = ev.sort_values(["_first", "timestamp", "_order"], kind="stable")
    keys = ev["activity"].fillna("").map(norm)
    ev["_role"] = keys.map(roles).fillna("unknown").to_numpy()
    notes = []
    unknown = ev.loc[ev["_role"] == "unknown", "activity"].dropna()
    if len(unknown):
        counts = unknown.value_counts()
        shown = ", ".join(f"'{a}' ({n})" for a, n in counts.head(5).items())
        notes.append(Note("io.note.events_unknown", file=file, activities=shown,
                          n=len(counts)))
    g = ev.groupby("case_id", sort=False)
    cases = ev["case_id"].drop_duplicates().to_numpy()
    out = pd.DataFrame({"interaction_id": pd.Series(cases, dtype="str")})
    out = out.set_index("interaction_id", drop=False)
    out["opened_at"] = g["timestamp"].min()
    # closed: the last opening/closing/reopening of the case is a closing
    marks = ev[ev["_role"].isin(("open", "close", "reopen"))]
    last = marks.groupby("case_id", sort=False).tail(1).set_index("case_id")
    closed = last["timestamp"].where(last["_role"] == "close")
    out["closed_at"] = closed.reindex(out.index)
    # contacts: the opening and the customer's contacts, up to the close
    until = ev["case_id"].map(out["closed_at"])
    counted = ev["_role"].isin(("open", "contact")) & (until.isna() | (ev["timestamp"] <= until))
    out["contacts_to_resolve"] = counted.groupby(ev["case_id"], sort=False).sum() \
        .reindex(out.index).clip(lower=1).astype("float64")
    out["status"] = ev.groupby("case_id", sort=False).tail(1).set_index("case_id")["activity"] \
        .reindex(out.index)
    for col in ("customer_id", "channel", "kind", "category"):
        if col in ev.columns:
            out[col] = g[col].first()
    out = out.reset_index(drop=True)
    order = ["interaction_id", "customer_id", "opened_at", "closed_at", "channel", "kind",
             "contacts_to_resolve", "status", "category"]
    out = out[[c for c in order if c in out.columns]]
    for col in ("opened_at", "closed_at"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    notes.insert(0, Note("io.note.events", file=file, events=len(ev),
                         cases=len(out)))
    return out, notes
