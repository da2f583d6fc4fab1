"""Questionnaire forms made from an instrument, and importers for their answers.

Works for any :class:`crmlib.instruments.Instrument` (readiness, SERVQUAL or a
consultant's own file): every item is asked once per *part* of the instrument
(``current``/``preferred``, ``expectation``/``perception`` ...).

Forms
    :func:`questionnaire_html` (printable page), :func:`write_questionnaire_excel`
    (one sheet per respondent, answers limited to the scale) and
    :func:`forms_csv_header` (column names for an online form).
Importers
    :func:`read_filled_excel` reads filled-in Excel forms (one file, a folder of
    them or a list), :func:`read_filled_excel_respondents` the importance points,
    overall rating and customer type of filled SERVQUAL forms, and
    :func:`from_survey_export` turns a wide survey export (one row per respondent,
    one column per item and part, as Google Forms, Qualtrics or SurveyMonkey
    give it once its header rows are merged) into the long response table;
    :func:`survey_table` makes any of the contract tables ``servqual_responses``,
    ``servqual_respondents`` and ``readiness_responses`` from an export read by
    :func:`crmlib.io.read_survey` (what :func:`crmlib.io.read_client_table` does with
    an export saved in a client folder).
    :func:`answer_values` turns answers written as numbers or as scale labels
    ("Totalmente de acuerdo", "4 - De acuerdo") into numbers.

Every importer of answers returns the long table ``respondent_id``, [``group``],
``item_id`` and one float column per part; empty answers stay missing (``NaN``).
:func:`read_filled_excel_respondents` returns one row per respondent instead.
"""

from __future__ import annotations

from crmlib.questionnaire._answers import _group_key as _group_key  # used by crmlib.readiness
from crmlib.questionnaire._answers import answer_values
from crmlib.questionnaire._excel import read_filled_excel, write_questionnaire_excel
from crmlib.questionnaire._forms import (
    forms_csv_header,
    questionnaire_html,
    write_questionnaire_set,
    write_questionnaires,
)
from crmlib.questionnaire._labels import group_label, part_label
from crmlib.questionnaire._respondents import read_filled_excel_respondents
from crmlib.questionnaire._survey import (
    GROUP_COLUMNS,
    ID_COLUMNS,
    NoItemColumns,
    from_survey_export,
    survey_table,
)

__all__ = [
    "GROUP_COLUMNS",
    "ID_COLUMNS",
    "NoItemColumns",
    "answer_values",
    "forms_csv_header",
    "from_survey_export",
    "group_label",
    "part_label",
    "questionnaire_html",
    "read_filled_excel",
    "read_filled_excel_respondents",
    "survey_table",
    "write_questionnaire_excel",
    "write_questionnaire_set",
    "write_questionnaires",
]
