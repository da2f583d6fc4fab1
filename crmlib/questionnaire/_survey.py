"""Wide survey exports (one row per respondent) turned into the long response table.

Answer columns are recognised by item id or exact item text together with the
part key or label in either language; the respondent id and group columns by
the names in :data:`ID_COLUMNS` and :data:`GROUP_COLUMNS` or the form labels.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import t
from crmlib.instruments import Instrument, load_instrument
from crmlib.questionnaire._answers import _group_key, _option_labels, answer_values
from crmlib.questionnaire._labels import _norm, part_label


class NoItemColumns(DataError):
    """A survey export none of whose columns names an item of the instrument with its part."""

#: Header names (normalised) taken as the respondent id of a survey export.
ID_COLUMNS = ("respondent_id", "respondent", "respondentid", "responseid", "response_id",
              "id_encuestado", "encuestado", "id_respuesta", "codigo_encuestado")
#: Header names (normalised) taken as the respondent group of a survey export.
GROUP_COLUMNS = ("group", "grupo", "rol", "role", "perfil", "respondent_group",
                 "grupo_encuestado", "tipo_de_encuestado", "respondent_type")


def _item_column_map(columns, inst: Instrument) -> dict:
    """``{column: (item_id, part)}`` for the columns that carry an answer."""
    parts = list(inst.parts) or ["answer"]
    ids = sorted(inst.item_ids, key=len, reverse=True)
    id_patterns = [(i, re.compile(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![0-9A-Za-z])",
                                  re.IGNORECASE)) for i in ids]
    texts = []
    for _, item in inst.items.iterrows():
        for lang in ("es", "en"):
            text = _norm(item[f"text_{lang}"])
            if text:
                texts.append((text, item["item_id"]))
    texts.sort(key=lambda x: len(x[0]), reverse=True)
    part_names = []
    for part in parts:
        names = {_norm(part)}
        for lang in ("es", "en"):
            names.add(_norm(part_label(inst, part, lang)))
        for name in names:
            if name:
                part_names.append((name, part))
    part_names.sort(key=lambda x: len(x[0]), reverse=True)
    out = {}
    for col in columns:
        raw = str(col)
        norm = _norm(raw)
        item = None
        for i, pat in id_patterns:
            if pat.search(raw):
                item = i
                break
        if item is None:
            for text, i in texts:
                if text and (norm == text or f" {text} " in f" {norm} "):
                    item = i
                    break
        if item is None:
            continue
        rest = f" {norm} "
        for text, i in texts:
            if i == item:
                rest = rest.replace(f" {text} ", " ")
        part = None
        for name, p in part_names:
            if f" {name} " in rest:
                part = p
                break
        if part is None and len(parts) == 1:
            part = parts[0]
        if part is None:
            continue
        out[col] = (item, part)
    return out


def from_survey_export(wide_df: pd.DataFrame, instrument="one-to-one", *,
                       id_column: str | None = None,
                       group_column: str | None = None) -> pd.DataFrame:
    """Long response table from a wide survey export.

    Parameters
    ----------
    wide_df : DataFrame
        One row per respondent. Answer columns are recognised by the item id
        (``ID1_current``, ``"Situación actual [ID1. ...]"``, ``"Q3 - ID1 ..."``) or by
        the exact item text in Spanish or English, together with the part key or its
        label in either language (``current``, ``Situación actual``, ``Preferred
        scenario`` ...). Columns that name no item are ignored.
    instrument : str, path or Instrument
    id_column : str, optional
        Respondent id column; by default the first column whose name is one of
        :data:`ID_COLUMNS` or the respondent label of the forms, else respondents
        are numbered ``R0001``, ``R0002`` ... in row order.
    group_column : str, optional
        Respondent group column; by default one named as in :data:`GROUP_COLUMNS`
        or the group label of the forms, or whose question text is (Qualtrics keeps
        it apart from the ``Q1`` name), else the first column whose answers are all
        group labels. Group labels are mapped to the instrument's group keys
        (``Directivos``, ``Gerencia``, ``Managers`` -> ``manager``), ignoring case,
        accents and plural; an unknown or blank group is an error.

    Returns
    -------
    DataFrame
        ``respondent_id``, ``group`` (only when a group column exists), ``item_id``,
        one float column per part; one row per respondent and item that has a
        column, respondents in row order and items in questionnaire order.

    Raises
    ------
    DataError
        When no column names an item (:class:`NoItemColumns`), two columns carry the
        same item and part, ids repeat, answers are neither numbers nor scale labels,
        or a group label is unknown or blank (naming the label, column and rows, and
        listing the accepted labels).
    """
    inst = load_instrument(instrument)
    if not isinstance(wide_df, pd.DataFrame):
        raise ParameterError("wide_df must be a DataFrame", parameter="wide_df",
                             value=type(wide_df).__name__)
    df = wide_df.reset_index(drop=True)
    parts = list(inst.parts) or ["answer"]
    known_ids = set(ID_COLUMNS) | {_norm(t("questionnaire.respondent", lang)).replace(" ", "_")
                                   for lang in ("es", "en")}
    known_groups = set(GROUP_COLUMNS) | {_norm(t("questionnaire.group", lang)).replace(" ", "_")
                                         for lang in ("es", "en")}

    def find(explicit, known, what):
        if explicit is not None:
            if explicit not in df.columns:
                raise ParameterError(f"{what} {explicit!r} is not a column of the export; "
                                     f"columns: {list(map(str, df.columns))[:8]}...",
                                     parameter=what, allowed=tuple(df.columns), value=explicit)
            return explicit
        for col in df.columns:
            if _norm(col).replace(" ", "_") in known:
                return col
        return None

    id_col = find(id_column, known_ids, "id_column")
    group_col = find(group_column, known_groups, "group_column")
    question_text = wide_df.attrs.get("question_text") or {}
    groups_named = inst.extra.get("groups") or {}
    if group_col is None and groups_named:
        # Qualtrics keeps the question text apart (Q1 = "Grupo"); else the column whose
        # answers are all group labels
        group_col = next((c for c in df.columns if c != id_col and _norm(
            question_text.get(c) or "").replace(" ", "_") in known_groups), None) \
            or _group_column_by_answers(df, [c for c in df.columns if c != id_col], inst)
    candidates = [c for c in df.columns if c not in (id_col, group_col)]
    mapping = _item_column_map(candidates, inst)
    if question_text:
        # Qualtrics keeps short ids (Q1_1) as names and the question text apart
        unmapped = {question_text[c]: c for c in candidates
                    if c not in mapping and question_text.get(c)}
        for text, key in _item_column_map(list(unmapped), inst).items():
            mapping[unmapped[text]] = key
    if not mapping:
        raise NoItemColumns([DataProblem("survey export", None,
                                     f"has no column naming an item of {inst.name} "
                                     "(by id code or item text) with its part",
                                     0, len(df), tuple(enumerate(list(df.columns)[:3])),
                                     "column")])
    seen: dict = {}
    for col, key in mapping.items():
        if key in seen:
            raise DataError([DataProblem("survey export", str(col),
                                         f"carries the same item and part {key} as column "
                                         f"{seen[key]!r}", 0, len(df))])
        seen[key] = col
    if id_col is None:
        ids = pd.Series([f"R{k + 1:04d}" for k in range(len(df))])
    else:
        ids = df[id_col].astype(object).map(lambda v: None if pd.isna(v) else str(v).strip())
        bad = ids.isna() | ids.duplicated(keep=False)
        if bad.any():
            raise DataError([DataProblem("survey export", str(id_col),
                                         "must be a unique, non-empty respondent id",
                                         int(bad.sum()), len(df),
                                         tuple(df.loc[bad, id_col].head(3).items()), "row")])
    values = {}
    problems = []
    for col, key in mapping.items():
        try:
            values[key] = answer_values(df[col], inst, table="survey export", column=str(col))
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    order = {i: k for k, i in enumerate(inst.item_ids)}
    items = sorted({i for i, _ in mapping.values()}, key=order.get)
    n = len(df)
    out = pd.DataFrame({
        "respondent_id": np.repeat(ids.to_numpy(dtype=object), len(items)),
        "item_id": np.tile(np.array(items, dtype=object), n),
    })
    if group_col is not None:
        groups = df[group_col].map(lambda v: _group_key(v, inst)).astype(object)
        if groups_named:
            _check_groups(df[group_col], groups, inst, question_text.get(group_col) or
                          str(group_col))
        out.insert(1, "group", np.repeat(groups.to_numpy(dtype=object), len(items)))
    for part in parts:
        cols = []
        for i in items:
            s = values.get((i, part))
            cols.append(s.to_numpy() if s is not None else np.full(n, np.nan))
        out[part] = np.column_stack(cols).reshape(-1) if cols else np.array([], dtype=float)
    return out


def _group_column_by_answers(df: pd.DataFrame, columns, inst: Instrument):
    """The first column whose answers are all group labels of ``inst`` (at least one
    answered, blanks allowed), or None."""
    groups = inst.extra.get("groups") or {}
    for col in columns:
        values = df[col].dropna()
        values = values[values.astype(str).str.strip() != ""]
        if values.empty or values.nunique() > 2 * len(groups):
            continue
        if all(_group_key(v, inst) in groups for v in values.unique()):
            return col
    return None


def _check_groups(raw: pd.Series, keys: pd.Series, inst: Instrument, column: str) -> None:
    """Refuse group answers that are no group of ``inst`` or are blank, naming the labels,
    the column and the rows, and listing the accepted labels."""
    groups = inst.extra.get("groups") or {}
    blank = keys.isna().to_numpy()
    unknown = ~blank & ~keys.isin(list(groups)).to_numpy()
    problems = []
    if unknown.any():
        labels = [repr(str(v)) for v in dict.fromkeys(raw[unknown])][:3]
        rule = (f"has a label that is no respondent group ({', '.join(labels)}); accepted "
                f"(any case, accents, singular or plural): {', '.join(_option_labels(groups))}")
        idx = np.flatnonzero(unknown)
        problems.append(DataProblem("survey export", column, rule, int(unknown.sum()),
                                    len(raw), tuple((int(i), raw.iloc[i]) for i in idx[:3]),
                                    "row"))
    if blank.any():
        idx = np.flatnonzero(blank)
        problems.append(DataProblem("survey export", column, "is empty: every respondent "
                                    "needs a group", int(blank.sum()), len(raw),
                                    tuple((int(i), "") for i in idx[:3]), "row"))
    if problems:
        raise DataError(problems)


def survey_table(wide: pd.DataFrame, table: str, *, instrument=None,
                 id_column: str | None = None, group_column: str | None = None) -> pd.DataFrame:
    """One contract table from a survey export read by :func:`crmlib.io.read_survey`.

    Parameters
    ----------
    wide : DataFrame
        One row per response, as :func:`crmlib.io.read_survey` returns it (Google Forms,
        Qualtrics, SurveyMonkey or a plain wide sheet).
    table : {"servqual_responses", "servqual_respondents", "readiness_responses"}
    instrument : str, path or Instrument, optional
        Default ``servqual-1991`` for the SERVQUAL tables, ``one-to-one`` for readiness.
    id_column, group_column : str, optional
        As in :func:`from_survey_export`; found by name, question text or (the group) by
        answers when omitted.

    Returns
    -------
    DataFrame
        ``servqual_responses``: see :func:`crmlib.servqual.responses_from_survey`;
        ``servqual_respondents``: :func:`crmlib.servqual.respondents_from_survey`;
        ``readiness_responses``: ``respondent_id``, ``group`` (key), ``item_id``,
        ``current``, ``preferred``.

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
                                  "readiness_responses"))
    if table.startswith("servqual"):
        from crmlib.servqual._survey import respondents_from_survey, responses_from_survey

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
