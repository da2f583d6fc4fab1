"""Personalised letters: recipients, Jinja2 rendering, writing the files.

Letters come from Jinja2 templates, packaged under
``crmlib/templates/letters/<language>/`` or in a folder of the client's own,
rendered autoescaped; a template that needs a field a customer lacks fails
naming the customer, the letter and the field. Files are written atomically
under the report folder.

A letter greets a company as a company ("Estimados señores:") or its contact
person when one is known, and a person as a person (``customers.kind``); it is
dated in words in its own language and signed by the account owner when the
customers table names one, else by the company.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from crmlib._files import atomic_write_text, check_id, inside
from crmlib._locale import long_date
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import catalog, check_language, t

LETTERS = ("welcome", "win_back", "retention_offer", "complaint_thanks")

#: Customers columns naming who signs a customer's letters, and whom a company's letter greets;
#: the first present wins and reaches the templates as ``owner`` and ``contact``.
OWNER_COLUMNS = ("account_owner", "owner")
CONTACT_COLUMNS = ("contact_name", "contact_person", "contact")


_PACKAGED = Path(__file__).parents[1] / "templates"


def templates_dir() -> Path:
    """Folder of the packaged templates (letters, rules, credit worksheet)."""
    return _PACKAGED


def customer_names(customers: pd.DataFrame) -> pd.DataFrame:
    """One ``name`` per ``customer_id``, with what a letter needs besides.

    Also ``email``, ``city`` and ``kind`` (person or company) when present,
    ``owner`` (from ``account_owner`` or ``owner``: who signs) and
    ``contact`` (from ``contact_name``, ``contact_person`` or ``contact``:
    whom a company's letter greets). Several source records may share an id;
    the first non-empty value of each field wins, taking sources in
    alphabetical order.
    """
    if "customer_id" not in customers.columns or "name" not in customers.columns:
        raise DataError([DataProblem("customers", c, "is required but missing")
                         for c in ("customer_id", "name") if c not in customers.columns])
    df = customers
    renames = {}
    for canonical, options in (("owner", OWNER_COLUMNS), ("contact", CONTACT_COLUMNS)):
        found = next((c for c in options if c in df.columns), None)
        if found is not None and found != canonical:
            renames[found] = canonical
    if renames:
        df = df.drop(columns=[c for c in renames.values() if c in df.columns]).rename(
            columns=renames)
    cols = [c for c in ("name", "email", "city", "kind", "owner", "contact") if c in df.columns]
    if "source" in df:
        df = df.sort_values(["customer_id", "source"], kind="stable", na_position="last")
    blank = df[cols].apply(lambda s: s.map(_is_missing))
    return df[cols].mask(blank).groupby(df["customer_id"], sort=True).first().reset_index()


def letter_recipients(plan: pd.DataFrame, customers: pd.DataFrame,
                      features: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers whose next best action comes with a letter, with their fields.

    Parameters
    ----------
    plan : DataFrame
        Result of :func:`treatment_plan`.
    customers : DataFrame
        Contract ``customers`` (for ``name``; see :func:`customer_names`).
    features : DataFrame, optional
        More per-customer fields templates may use (e.g. ``last_purchase``,
        ``last_complaint_category``).

    Returns
    -------
    DataFrame
        One row per letter: ``customer_id``, ``letter``, ``action``,
        ``channel``, ``service_level``, ``name`` (and ``email``/``city``) plus
        the columns of ``features``; by ``letter`` then ``customer_id``.
    """
    sel = plan[plan["letter"].notna()][["customer_id", "letter", "action", "channel",
                                        "service_level"]]
    out = sel.merge(customer_names(customers), on="customer_id", how="left")
    if features is not None:
        extra = [c for c in features.columns if c not in out.columns]
        out = out.merge(features[["customer_id", *extra]], on="customer_id", how="left")
    return out.sort_values(["letter", "customer_id"], kind="stable").reset_index(drop=True)


def _environment(templates, language: str):
    import jinja2

    folders = []
    if templates:
        base = Path(templates)
        if not base.is_dir():
            raise ParameterError(f"templates folder {base.name!r} does not exist",
                                 parameter="templates", value=str(templates))
        folders += [base / language, base] if (base / language).is_dir() else [base]
    folders.append(_PACKAGED / "letters" / language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["money"] = _money_filter(language)
    env.filters["long_date"] = lambda value: _letter_date(value, language)
    return env


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?$")


def _letter_date(value, language: str):
    """A date or ISO date written out in words (``31 de diciembre de 2024``); other text as is."""
    import datetime as _dt

    if isinstance(value, (_dt.date, pd.Timestamp)) or (isinstance(value, str)
                                                        and _ISO_DATE.match(value.strip())):
        return long_date(value, language)
    return value


def _complaint_topic(fields: dict, language: str):
    """The reason of the last complaint in the reader's words, or None.

    ``last_complaint_category_label`` when given, else the catalog's
    ``interact.category.<code>``; a bare code (``device``) never reaches a letter.
    """
    label = fields.get("last_complaint_category_label")
    if label is not None:
        return label
    code = fields.get("last_complaint_category")
    entry = catalog().get(f"interact.category.{code}") if isinstance(code, str) else None
    return entry[language] if entry else None


def _money_filter(language):
    from crmlib.i18n import format_number

    def money(x):
        return format_number(float(x), language, decimals=2)
    return money


_UNDEFINED = re.compile(r"'(?:[^']*? object' has no attribute '([^']+)'|([^']+)' is undefined)")


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def render_letters(recipients: pd.DataFrame, *, letter: str | None = None,
                   language: str = "es", templates=None, context: dict | None = None
                   ) -> pd.DataFrame:
    """Render one letter per row from Jinja2 templates, autoescaped.

    Parameters
    ----------
    recipients : DataFrame
        One row per letter with ``customer_id``, a ``letter`` column naming the
        template (unless ``letter`` is given) and any fields the template uses.
        Empty cells count as missing, never as blanks.
    letter : str, optional
        Template for every row, overriding the ``letter`` column.
    language : {"es", "en"}
        Which language's templates to use.
    templates : str or path, optional
        Folder with your own templates (``<name>.html.j2``, optionally under
        ``es/`` and ``en/``); templates not found there come from
        ``crmlib/templates/letters/<language>/``.
    context : dict, optional
        Fields shared by all letters (``sender``, ``date`` ...); unlike
        customer fields, an empty string here is a legitimate value. A
        ``date`` given as a date or ISO text is written out in the letter's
        language (the ISO text stays available as ``date_iso``).

    Templates also get, per row when known: ``kind`` (``person`` or
    ``company``: the packaged greeting follows it), ``contact`` (greeted
    instead of the company), ``owner`` (signs above the company) and
    ``last_complaint_topic`` (the reason of the last complaint in words).

    Returns
    -------
    DataFrame
        ``customer_id``, ``letter``, ``language``, ``html``; input order.

    Raises
    ------
    DataError
        When a template needs a field a customer lacks: names the customer,
        the letter and the field.
    ParameterError
        For an unknown template.
    """
    import jinja2

    check_language(language)
    if "customer_id" not in recipients.columns:
        raise DataError([DataProblem("recipients", "customer_id", "is required but missing")])
    if letter is None and "letter" not in recipients.columns:
        raise ParameterError("say which letter: pass letter= or give recipients a 'letter' "
                             "column", parameter="letter", value=None)
    env = _environment(templates, language)
    shared = {k: _for_reader(v, language) for k, v in (context or {}).items()
              if v is not None and not (isinstance(v, float) and math.isnan(v))}
    out, problems = [], []
    cache = {}
    for rec in recipients.to_dict("records"):
        name = letter or rec.get("letter")
        if name not in cache:
            try:
                cache[name] = env.get_template(f"{name}.html.j2")
            except jinja2.TemplateNotFound:
                raise ParameterError(
                    f"no letter template {name!r} for language {language!r}",
                    parameter="letter", allowed=LETTERS, value=name) from None
        fields = {**shared, **{k: _for_reader(v, language) for k, v in rec.items()
                               if not _is_missing(v)}}
        fields.setdefault("language", language)
        if "date" in fields:
            fields["date_iso"] = fields["date"]
            fields["date"] = _letter_date(fields["date"], language)
        topic = _complaint_topic(fields, language)
        if topic is not None:
            fields["last_complaint_topic"] = topic
        try:
            html = cache[name].render(**fields)
        except jinja2.UndefinedError as err:
            m = _UNDEFINED.search(str(err))
            field = (m.group(1) or m.group(2)) if m else str(err)
            problems.append((rec["customer_id"], name, field))
            continue
        out.append({"customer_id": rec["customer_id"], "letter": name, "language": language,
                    "html": html})
    if problems:
        examples = tuple((cid, f"{ltr}: {fld}") for cid, ltr, fld in problems[:5])
        raise DataError([DataProblem("recipients", problems[0][2],
                                     "is needed by the letter template but missing",
                                     len(problems), len(recipients), examples,
                                     location_kind="customer")])
    return pd.DataFrame(out, columns=["customer_id", "letter", "language", "html"])


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")


def _for_reader(value, language: str):
    """Dates (and ISO date strings) as the reader writes them; other values unchanged."""
    import datetime as dt

    from crmlib.i18n import format_date

    if isinstance(value, (pd.Timestamp, dt.date)) or \
            (isinstance(value, str) and _ISO_DAY.match(value)):
        return format_date(value, language)
    return value


def write_letters(letters: pd.DataFrame, output_dir) -> pd.DataFrame:
    """Write rendered letters to ``<output_dir>/letters/<letter>/<customer_id>.html``.

    Files are written atomically; customer ids and letter names must be safe
    file names (letters, digits, ``.``, ``_``, ``-``), so none can point
    outside the folder.

    Parameters
    ----------
    letters : DataFrame
        Result of :func:`render_letters`.
    output_dir : str, path or None
        Report folder; empty or None writes nothing (a notebook opened by
        hand) and returns an empty table.

    Returns
    -------
    DataFrame
        ``customer_id``, ``letter``, ``path`` (relative to ``output_dir``).
    """
    if not output_dir:
        return pd.DataFrame(columns=["customer_id", "letter", "path"])
    root = Path(output_dir)
    rows = []
    for rec in letters.to_dict("records"):
        cid = check_id(str(rec["customer_id"]), "customer id")
        name = check_id(str(rec["letter"]), "letter")
        path = inside(root, "letters", name, f"{cid}.html")
        atomic_write_text(path, rec["html"])
        rows.append({"customer_id": cid, "letter": name,
                     "path": str(Path("letters") / name / f"{cid}.html")})
    return pd.DataFrame(rows, columns=["customer_id", "letter", "path"])


def letters_note(letters: pd.DataFrame, written: pd.DataFrame, language: str = "es") -> str:
    """One sentence: how many letters were prepared and whether they were written."""
    key = "personalize.letters.written" if len(written) else "personalize.letters.not_written"
    return t(key, language, n=len(letters))
