"""What each stage notebook needs from a client, declared once.

For every stage notebook (``01_identify`` … ``09_segments``) a :class:`Stage`
lists the tables and columns the notebook cannot run without, the tables it
reads when the client sends them, and its optional *sections*: the parts of
the report that need more data (a close date, a cost column, a second table).

Three readers use the same declaration, so a green ``crmlib validate`` means
the run completes:

- the notebooks load their data with :func:`load` and gate each optional
  section with :meth:`StageData.section`, which, when the data is missing,
  shows one sentence saying what to add instead of failing;
- ``crmlib validate`` (:func:`crmlib.batch.validate_engagement`) calls
  :func:`check` per client and stage: missing required data is a problem,
  missing optional data a note naming the sections that become a sentence;
- the engagement runner refuses a stage whose required data is missing.

The declaration sits beside :mod:`crmlib.io` and :mod:`crmlib.schemas`, below
:mod:`crmlib.report`; it imports no stage module and draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, t

__all__ = [
    "STAGES",
    "Findings",
    "Section",
    "Stage",
    "StageCheck",
    "StageData",
    "check",
    "describe_missing",
    "load",
    "locked_sentence",
    "missing_files",
    "requirements_markdown",
    "requirements_table",
    "stage",
    "update_readme",
]


@dataclass(frozen=True)
class Section:
    """An optional part of a stage report and the data that unlocks it.

    Attributes
    ----------
    key : str
        Short name used by the notebook: ``data.section("response_times", language)``.
    needs : tuple of (str, str or None)
        ``(table, column)`` pairs that must all be present; ``column`` None
        means the table itself (a file for it in the client's folder).
    parameter : tuple of (str, object) or None
        ``(name, value)``: the section is only wanted when the stage parameter
        ``name`` has that value (``("rfm_frequency", "invoices")``); otherwise
        a missing input is no concern.
    """

    key: str
    needs: tuple
    parameter: tuple | None = None

    def wanted(self, parameters: dict | None) -> bool:
        """Whether the section is wanted with these stage parameters."""
        if self.parameter is None:
            return True
        name, value = self.parameter
        return (parameters or {}).get(name) == value


@dataclass(frozen=True)
class Stage:
    """What one stage notebook reads.

    Attributes
    ----------
    name : str
        Notebook stem, e.g. ``"02_differentiate"``.
    requires : dict
        ``{table: (columns …)}``: tables that must have a file and the columns
        the notebook reads from them (the contract's required columns and any
        optional ones this stage cannot do without).
    optional : tuple of str
        Tables read when present; absent ones are None in :class:`StageData`.
    sections : tuple of Section
        Optional sections, in notebook order.
    """

    name: str
    requires: dict
    optional: tuple = ()
    sections: tuple = ()

    @property
    def tables(self) -> tuple:
        """Every table the stage reads, required first."""
        return tuple(self.requires) + tuple(t for t in self.optional if t not in self.requires)

    def section(self, key: str) -> Section:
        """The :class:`Section` called ``key``; :class:`ParameterError` otherwise."""
        for s in self.sections:
            if s.key == key:
                return s
        keys = [s.key for s in self.sections]
        raise ParameterError(f"section of {self.name} must be one of {keys}; got {key!r}",
                             parameter="section", allowed=tuple(keys), value=key)


S = Section
_TX = ("customer_id", "date", "amount")

STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage(
        "01_identify",
        requires={"customers": ("customer_id", "name"), "transactions": _TX},
        optional=("interactions",),
        sections=(S("card_contacts", (("interactions", None),)),),
    ),
    Stage(
        "02_differentiate",
        requires={"transactions": _TX},
        optional=("interactions", "customers", "subscriptions"),
        sections=(
            S("service_cost", (("interactions", "cost"),)),
            S("clv", ()),
            S("clv_contracts", ()),
            S("rfm_invoices", (("transactions", "invoice_id"),),
              parameter=("rfm_frequency", "invoices")),
            S("special_customers", (("customers", "special"),)),
        ),
    ),
    Stage(
        "03_interact",
        requires={"interactions": ("interaction_id", "customer_id", "opened_at"),
                  "transactions": _TX},
        sections=(
            S("kinds", (("interactions", "kind"),)),
            S("channels", (("interactions", "channel"),)),
            S("categories", (("interactions", "category"),)),
            S("resolution", (("interactions", "closed_at"),)),
            S("response_times", (("interactions", "response_minutes"),)),
            S("contact_cost", (("interactions", "cost"),)),
        ),
    ),
    Stage(
        "04_personalize",
        requires={"transactions": _TX, "customers": ("customer_id", "name")},
        optional=("interactions",),
        sections=(S("contacts", (("interactions", None),)),),
    ),
    Stage(
        "05_readiness",
        requires={"readiness_responses": ("respondent_id", "group", "item_id", "current")},
        optional=("transactions", "interactions", "customers", "invoices"),
        sections=(S("preferred", (("readiness_responses", "preferred"),)),
                  # the relationship ladder counts customers: it needs their purchases
                  S("customer_ladder", (("transactions", None),))),
    ),
    Stage(
        "06_servqual",
        requires={"servqual_responses": ("respondent_id", "item_id", "expectation",
                                         "perception")},
        optional=("servqual_respondents",),
        sections=(
            S("zone", (("servqual_responses", "adequate"), ("servqual_responses", "desired"))),
            S("regression", (("servqual_respondents", "overall_rating"),)),
            S("segments", (("servqual_respondents", "segment"),)),
            S("ipa", (("servqual_respondents", None),)),
        ),
    ),
    Stage(
        "07_collections",
        requires={"invoices": ("invoice_id", "customer_id", "issued_at", "due_at", "amount"),
                  "customers": ("customer_id", "name")},
        optional=("credit_answers",),
        sections=(S("credit_answers", (("credit_answers", None),)),),
    ),
    # The follow-up programme: every tool is optional, so a client with only some tools
    # gets the sections of those tools and a sentence for each missing one.
    Stage(
        "08_follow_up",
        requires={},
        optional=("interactions", "suggestion_actions", "lost_customers",
                  "post_transaction_survey", "critical_incidents", "mystery_shopper",
                  "soft_indicators", "servqual_responses", "transactions", "customers"),
        sections=(
            S("suggestions", (("interactions", "kind"),)),
            S("suggestion_actions", (("suggestion_actions", None),)),
            S("lost_customers", (("lost_customers", None),)),
            S("recovery", (("lost_customers", None), ("transactions", None))),
            S("post_transaction", (("post_transaction_survey", None),)),
            S("survey_channels", (("post_transaction_survey", "channel"),)),
            S("follow_up_calls", (("post_transaction_survey", "customer_id"),)),
            S("critical_incidents", (("critical_incidents", None),)),
            S("mystery_shopper", (("mystery_shopper", None),)),
            S("soft_indicators", (("soft_indicators", None),)),
            S("servperf", (("servqual_responses", None),)),
        ),
    ),
    Stage(
        "09_segments",
        requires={"transactions": _TX, "customers": ("customer_id", "name")},
        optional=("interactions", "needs_responses", "customer_attributes"),
        sections=(
            S("needs", (("needs_responses", None),)),
            S("attributes", (("customer_attributes", None),)),
            S("category_spend", (("customer_attributes", "category_spend"),)),
            S("interactions", (("interactions", None),)),
        ),
    ),
)}


def stage(name: str) -> Stage:
    """The declaration of stage ``name``; :class:`ParameterError` for an unknown one."""
    try:
        return STAGES[name]
    except KeyError:
        raise ParameterError(f"stage must be one of {sorted(STAGES)}; got {name!r}",
                             parameter="stage", allowed=tuple(STAGES), value=name) from None


# --------------------------------------------------------------------------- checking

@dataclass(frozen=True)
class StageCheck:
    """What :func:`check` finds for one client and stage.

    ``missing`` lists required ``(table, column)`` pairs that are absent
    (column None: no file for the table); ``locked`` maps each wanted section
    whose data is absent to its missing ``(table, column)`` pairs.
    """

    stage: str
    missing: tuple = ()
    locked: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the stage can run."""
        return not self.missing


def _absent(needs, columns: dict) -> list[tuple]:
    out = []
    for table, column in needs:
        have = columns.get(table)
        if have is None:
            if (table, None) not in out:
                out.append((table, None))
        elif column is not None and column not in have:
            out.append((table, column))
    return out


def check(name: str, columns: dict, *, parameters: dict | None = None) -> StageCheck:
    """Check the columns a client has against stage ``name``.

    Parameters
    ----------
    name : str
        Stage notebook name.
    columns : dict
        ``{table: set of column names}`` for every table the client has a file
        for; a table that is absent is missing from the dict (or None).
    parameters : dict, optional
        The stage's parameters for this client (decides parameter-bound
        sections such as ``rfm_invoices``).

    Returns
    -------
    StageCheck
    """
    st = stage(name)
    missing = _absent([(tb, None) for tb in st.requires] +
                      [(tb, c) for tb, cols in st.requires.items() for c in cols], columns)
    locked = {}
    for sec in st.sections:
        if sec.wanted(parameters):
            absent = _absent(sec.needs, columns)
            if absent:
                locked[sec.key] = tuple(absent)
    return StageCheck(name, tuple(missing), locked)


def _file_hint(table: str) -> str:
    return f"{table}.csv, .xlsx or .parquet"


def header_hint(table: str, column: str, language: str = "es") -> str:
    """A header the loader reads as ``column`` of ``table``, written as words.

    The column's reader label when the loader takes it as a header, else the
    first of its Spanish synonyms (``es``) or its own name, with ``_`` as
    spaces: ``Servicio adecuado``, ``tiempo respuesta``, ``response minutes``
    (headers are compared without case, accents or punctuation).
    """
    from crmlib.i18n import label
    from crmlib.io._columns import _lookup, norm
    from crmlib.schemas import table_spec

    spec = table_spec(table)
    lookup = _lookup(spec)
    col = next(c for c in spec.columns if c.name == column)
    candidates = [label(column, language), *(col.synonyms if language == "es" else ()),
                  column]
    for name in candidates:
        if lookup.get(norm(name), (None,))[0] == column:
            return str(name).replace("_", " ")
    return column.replace("_", " ")


def describe_missing(absent, language: str = "en", *, keys: bool = False) -> str:
    """The ``(table, column)`` pairs of ``absent`` as words for a reader: the table
    in words with the file to bring (``servqual_responses.csv``), a column by its
    label with a header the loader reads (:func:`header_hint`); never a bare key.
    ``keys=True`` (messages to the person setting up the files, such as
    ``crmlib validate``) gives the column's canonical name as the header."""
    from crmlib.i18n import label

    check_language(language)
    parts = []
    for table, column in absent:
        words = t(f"data.table.{table}", language)
        if column is None:
            parts.append(t("stages.needs.table", language, table=words, file=f"{table}.csv"))
        else:
            name = label(column, language)
            header = column if keys else header_hint(table, column, language)
            key = "stages.needs.column_named" if header.lower() == name.lower() \
                else "stages.needs.column"
            parts.append(t(key, language, table=words, file=f"{table}.csv", header=header,
                           column=name.lower() if language == "es" else name))
    return t("stages.needs.and", language).join(parts)


def locked_sentence(name: str, key: str, absent, language: str = "es") -> str:
    """The sentence shown in place of a locked section: what it shows, what to add."""
    return t("stages.locked", language, what=t(f"stages.{name}.{key}", language),
             needs=describe_missing(absent, language))


class Findings(list):
    """Problems found by a check (a list of sentences) with informational ``notes`` beside them."""

    def __init__(self, problems=(), notes=()):
        super().__init__(problems)
        self.notes: list[str] = list(notes)


def missing_files(name: str, data_dir) -> list[str]:
    """The tables stage ``name`` requires that have no file in ``data_dir``.

    A cheap check (no file is read) for the runner before it starts a notebook.
    """
    from crmlib import io

    folder = Path(data_dir)
    if not folder.is_dir():
        return list(stage(name).requires)
    return [table for table in stage(name).requires if not io.client_files(folder, table)]


# --------------------------------------------------------------------------- loading

class StageData:
    """A stage's tables for one client, with the gate for each optional section.

    Tables are attributes and items: ``data.transactions``,
    ``data["interactions"]``; an optional table the client did not send is
    None. Build it with :func:`load`.
    """

    def __init__(self, name: str, tables: dict, *, parameters: dict | None = None):
        self.stage = stage(name)
        self.tables = dict(tables)
        self.parameters = dict(parameters or {})
        columns = {tb: set(df.columns) for tb, df in self.tables.items() if df is not None}
        self.check = check(name, columns, parameters=self.parameters)

    def __getitem__(self, table: str):
        if table not in self.tables:
            raise KeyError(f"{self.stage.name} does not read table {table!r}; "
                           f"it reads {list(self.tables)}")
        return self.tables[table]

    def __getattr__(self, table: str):
        tables = self.__dict__.get("tables", {})
        if table in tables:
            return tables[table]
        raise AttributeError(table)

    def unlocked(self, key: str) -> bool:
        """Whether the data for section ``key`` is there (no display)."""
        sec = self.stage.section(key)
        columns = {tb: set(df.columns) for tb, df in self.tables.items() if df is not None}
        return not _absent(sec.needs, columns)

    def sentence(self, key: str, language: str = "es") -> str:
        """The sentence that replaces section ``key`` when its data is missing."""
        sec = self.stage.section(key)
        columns = {tb: set(df.columns) for tb, df in self.tables.items() if df is not None}
        return locked_sentence(self.stage.name, key, _absent(sec.needs, columns), language)

    def section(self, key: str, language: str = "es", *, available: bool = True,
                otherwise: str | None = None) -> bool:
        """Gate for an optional section: True when it can be shown.

        When the data it needs is missing, displays one sentence saying what to
        add (see :func:`locked_sentence`) and returns False. ``available``
        False (the data is there but not enough: too few answers, a model that
        cannot be fitted) displays ``otherwise`` instead and returns False.
        """
        check_language(language)
        if not self.unlocked(key):
            _display(self.sentence(key, language))
            return False
        if not available:
            if otherwise:
                _display(otherwise)
            return False
        return True

    def data_notes(self, language: str = "es") -> list[str]:
        """How the client's files were read: every choice the loader made.

        The notes of :func:`crmlib.io.read_notes` for each table the stage
        read (day and month order settled, dates written as numbers, an amount
        worked out from quantity and unit price, headers no column takes with
        the closest known name ...), each once, in ``language``.
        """
        from crmlib.io import read_notes

        check_language(language)
        out: list[str] = []
        for df in self.tables.values():
            if df is None:
                continue
            for text in read_notes(df, language):
                if text not in out:
                    out.append(text)
        return out

    def show_notes(self, language: str = "es") -> None:
        """Display :meth:`data_notes` as a short list under a heading (nothing
        when the files left nothing open)."""
        notes = self.data_notes(language)
        if notes:
            _display(f"**{t('stages.data_notes', language)}**\n\n"
                     + "\n".join(f"- {n}" for n in notes))

    def note(self, key: str, language: str = "es") -> None:
        """Like :meth:`section` for a refinement that does not hide anything:
        shows the sentence when its data is missing, returns nothing."""
        self.section(key, language)

    def __repr__(self) -> str:
        have = ", ".join(f"{tb}={'None' if df is None else len(df)}"
                         for tb, df in self.tables.items())
        return f"StageData({self.stage.name}: {have})"


def _display(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def _in_file(problem, source):
    """A problem of one table, saying which file it is in (one error lists several tables)."""
    if not isinstance(problem, DataProblem):
        return problem
    where = problem.source or source
    if not where or str(where) in problem.rule:
        return problem
    return replace(problem, rule=f"{problem.rule} in {where}")


def load(name: str, data_dir, *, parameters: dict | None = None) -> StageData:
    """Read every table stage ``name`` uses from a client folder.

    Required tables are read with :func:`crmlib.io.read_client_table`; optional
    ones are None when the client sent no file. Every problem (a missing file,
    a missing column the stage needs, a file that breaks its contract) is
    raised together in one :class:`~crmlib.exceptions.DataError`.

    Parameters
    ----------
    name : str
        Stage notebook name, e.g. ``"03_interact"``.
    data_dir : str or path
        The client's folder.
    parameters : dict, optional
        The notebook's parameters that decide which sections are wanted
        (``{"rfm_frequency": "invoices"}``).
    """
    from crmlib import io

    st = stage(name)
    tables, problems = {}, []
    for table in st.tables:
        required = table in st.requires
        try:
            tables[table] = io.read_client_table(data_dir, table, optional=not required)
        except DataError as err:
            problems.extend(_in_file(p, err.source) for p in err.problems)
            tables[table] = None
    for table, cols in st.requires.items():
        df = tables.get(table)
        if df is None:
            continue
        for col in cols:
            if col not in df.columns:
                problems.append(DataProblem(
                    table, col, f"is required by {name} but missing "
                    f"(add the column to {_file_hint(table)})"))
    if problems:
        raise DataError(problems, source=Path(data_dir).resolve().name)
    return StageData(name, tables, parameters=parameters)


def requirements_table(language: str = "en") -> pd.DataFrame:
    """The declaration as a table for reading: one row per stage and need.

    Columns ``stage``, ``kind`` (``required`` | ``optional table`` |
    ``section``), ``section`` (key, empty otherwise), ``needs`` (tables and
    columns, e.g. ``interactions.closed_at``) and ``unlocks`` (what the section
    shows, in ``language``).
    """
    check_language(language)
    rows = []
    for st in STAGES.values():
        for table, cols in st.requires.items():
            rows.append({"stage": st.name, "kind": "required", "section": "",
                         "needs": f"{table}: " + ", ".join(cols), "unlocks": ""})
        for table in st.optional:
            rows.append({"stage": st.name, "kind": "optional table", "section": "",
                         "needs": table, "unlocks": ""})
        for sec in st.sections:
            needs = ", ".join(tb if c is None else f"{tb}.{c}" for tb, c in sec.needs)
            if sec.parameter:
                needs += f" (with {sec.parameter[0]}={sec.parameter[1]})"
            rows.append({"stage": st.name, "kind": "section", "section": sec.key,
                         "needs": needs, "unlocks": t(f"stages.{st.name}.{sec.key}", language)})
    return pd.DataFrame(rows, columns=["stage", "kind", "section", "needs", "unlocks"])


def requirements_markdown(language: str = "en") -> str:
    """The declaration as a Markdown table (the README's "The data you bring" is made from it).

    One row per stage: what it requires, and each optional input with what it unlocks.
    Sections that need no extra data (they depend on how much data there is) are left out.
    """
    check_language(language)
    head = {"en": ("Stage", "Needs", "Optional data and what it adds"),
            "es": ("Etapa", "Necesita", "Datos opcionales y lo que agregan")}[language]
    lines = [f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---|---|"]
    for st in STAGES.values():
        needs = "; ".join(f"`{tb}` ({', '.join(cols)})" for tb, cols in st.requires.items())
        extra = []
        for sec in st.sections:
            if not sec.needs:
                continue
            what = ", ".join(f"`{tb}`" if c is None else f"`{tb}.{c}`" for tb, c in sec.needs)
            if sec.parameter:
                what += f" (with `{sec.parameter[0]}: {sec.parameter[1]}`)"
            extra.append(f"{what}: {t(f'stages.{st.name}.{sec.key}', language)}")
        lines.append(f"| `{st.name}` | {needs or '-'} | {'<br>'.join(extra) or '-'} |")
    return "\n".join(lines) + "\n"


#: Markers around the table of :func:`requirements_markdown` in the README.
README_MARKERS = ("<!-- stage-requirements:start -->\n", "<!-- stage-requirements:end -->")


def update_readme(path, language: str = "en") -> bool:
    """Write :func:`requirements_markdown` between the README's markers.

    ``path`` is the README (its "The data you bring" section holds the two lines of
    :data:`README_MARKERS`); what lies between them is replaced. Returns True when the
    file changed. A README without the markers is a :class:`ParameterError`.

    >>> stages.update_readme("README.md")                          # doctest: +SKIP
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = README_MARKERS
    if start not in text or end not in text.split(start, 1)[1]:
        raise ParameterError(f"{path.name} has no block between {start.strip()} and {end}",
                             parameter="path", value=path.name)
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    new = head + start + requirements_markdown(language) + end + tail
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
