"""A survey export turned into one contract table (:func:`survey_table`, public as
:func:`crmlib.questionnaire.survey_table`): ``servqual_responses``,
``servqual_respondents`` or ``readiness_responses``, as :func:`crmlib.io.read_client_table`
reads an export saved in a client folder.
"""

from __future__ import annotations

import re

import pandas as pd

from crmlib.exceptions import DataError, DataProblem
from crmlib.i18n import t
from crmlib.instruments import Instrument, load_instrument
from crmlib.io._answers import _option_labels
from crmlib.io._servqual_survey import respondents_from_survey, responses_from_survey
from crmlib.io._survey_export import NoItemColumns, from_survey_export


def survey_table(wide: pd.DataFrame, table: str, *, instrument=None,
                 id_column: str | None = None, group_column: str | None = None) -> pd.DataFrame:
    """One contract table from a survey export read by :func:`crmlib.io.read_survey`.

    Parameters
    ----------
    wide : DataFrame
        One row per response, as :func:`crmlib.io.read_survey` returns it (Google Forms,
        Qualtrics, SurveyMonkey or a plain wide sheet).
    table : {"servqual_responses", "servqual_respondents", "readiness_responses", "soft_indicators",
             "needs_responses"}
    instrument : str, path or Instrument, optional
        Default ``servqual-1991`` for the SERVQUAL tables, ``one-to-one`` for readiness,
        ``soft-indicators`` for the soft-indicator survey.
    id_column, group_column : str, optional
        As in :func:`from_survey_export`; found by name, question text or (the group) by
        answers when omitted.

    Returns
    -------
    DataFrame
        ``servqual_responses``: see :func:`crmlib.servqual.responses_from_survey`;
        ``servqual_respondents``: :func:`crmlib.servqual.respondents_from_survey`;
        ``readiness_responses``: ``respondent_id``, ``group`` (key), ``item_id``,
        ``current``, ``preferred``; ``soft_indicators``: ``respondent_id``, ``item_id``,
        ``perception``; ``needs_responses``: ``customer_id`` (the respondent),
        ``item_id``, ``importance``.

    Raises
    ------
    NoItemColumns
        No column names an item of the instrument with its part.
    DataError
        Answers that are no number or label of the scale, unknown or blank groups,
        repeated ids (naming columns and rows).
    """
    from crmlib.exceptions import check_choice

    check_choice("table", table, ("servqual_responses", "servqual_respondents",
                                  "readiness_responses", "soft_indicators", "needs_responses"))
    if table == "soft_indicators":  # the follow-up programme's perception-only survey
        inst = load_instrument(instrument or "soft-indicators")
        _warn_unknown_items(wide, inst)
        long = from_survey_export(wide, inst, id_column=id_column)
        return long[["respondent_id", "item_id", "perception"]]
    if table == "needs_responses":  # the respondent of the needs questionnaire is a customer
        inst = load_instrument(instrument or "needs")
        _warn_unknown_items(wide, inst)
        long = from_survey_export(wide, inst, id_column=id_column)
        return long.rename(columns={"respondent_id": "customer_id"})[
            ["customer_id", "item_id", "importance"]]
    if table.startswith("servqual"):
        inst = load_instrument(instrument or "servqual-1991")
        if table == "servqual_respondents":
            return respondents_from_survey(wide, instrument=inst, id_column=id_column)
        _warn_unknown_items(wide, inst)
        try:
            return responses_from_survey(wide, instrument=inst, id_column=id_column)
        except NoItemColumns:
            raise
        except DataError as err:
            if any("has no expectation" in p.rule or "has no perception" in p.rule
                   for p in err.problems):
                raise NoItemColumns(err.problems, source=err.source) from None
            raise
    inst = load_instrument(instrument or "one-to-one")
    _warn_unknown_items(wide, inst)
    long = from_survey_export(wide, inst, id_column=id_column, group_column=group_column)
    if "group" not in long.columns:
        raise DataError([DataProblem(
            "survey export", None, "has no group question: ask it as the form does ("
            f"{t('questionnaire.group', 'es')!r} / {t('questionnaire.group', 'en')!r}) with "
            f"the answers {', '.join(_option_labels(inst.extra.get('groups') or {}))}")])
    return long


_ITEM_ROW = re.compile(r"(?:\[|\s-\s)\s*([A-Za-z]{1,4}\d{1,3})[.):\s]")


def _warn_unknown_items(wide: pd.DataFrame, inst: Instrument) -> None:
    """Warn about questions that carry an item code the instrument does not have
    (``"Expectativa [SQ23. ...]"`` read with the 22 items of servqual-1991): their
    answers would be left out without a word."""
    import warnings

    texts = wide.attrs.get("question_text") or {}
    known = {i.lower() for i in inst.item_ids}
    unknown = []
    for col in wide.columns:
        for text in (str(col), str(texts.get(col) or "")):
            m = _ITEM_ROW.search(text)
            if m and m.group(1).lower() not in known and \
                    m.group(1).upper() not in unknown:
                prefix = re.match(r"[A-Za-z]+", m.group(1)).group(0).lower()
                if any(i.startswith(prefix) for i in known):  # the same code family (SQ, ID)
                    unknown.append(m.group(1).upper())
    if unknown:
        warnings.warn(f"questions on items {', '.join(unknown[:5])}"
                      f"{' ...' if len(unknown) > 5 else ''} are left out: instrument "
                      f"{inst.name!r} has no such items (name the instrument the form was made "
                      "from, e.g. in dataset.yaml: survey: {instrument: ...})", UserWarning,
                      stacklevel=3)
