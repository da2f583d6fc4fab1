"""The Excel answer sheet: writing a blank one and reading filled-in ones back.

:func:`write_questionnaire_excel` lays out one row per item with answer cells
limited to the scale and a hidden ``_meta`` sheet recording where everything
is; :func:`read_filled_excel` uses that sheet to find the respondent, group and
answers again, and names file and cell for anything it cannot read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crmlib._files import atomic_path
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, label, t
from crmlib.instruments import load_instrument
from crmlib.io._answers import _group_key, answer_values, part_label
from crmlib.questionnaire._labels import (
    _anchor_line,
    _anchor_set_label,
    _anchor_sets_used,
    _anchor_text,
    _is_servqual,
    _segment_label,
    _segments,
    group_label,
)

_META_SHEET = "_meta"


def write_questionnaire_excel(instrument, path, *, language: str = "es",
                              title: str | None = None) -> Path:
    """Write an Excel answer sheet for ``instrument`` to ``path`` (atomically).

    One row per item and one answer column per part. Answer cells accept only
    whole numbers within the scale (Excel data validation); the respondent and
    group cells are the only other editable cells (the group from a list when the
    instrument names groups); everything else is protected (no password). A second
    sheet lists the scale anchors (one column per answer kind when the items declare
    theirs, and then each item row also shows its own answer words right of the
    answer cells); a hidden ``_meta`` sheet lets
    :func:`read_filled_excel` find the answers again.

    SERVQUAL-style instruments (parts ``expectation`` and ``perception``) ask the
    *customer type* where other forms ask the group (from a list when the instrument
    has a ``segments`` section, else free text), and below the statements they add
    what the printed form asks too: importance points per dimension (whole numbers
    0-100, with a total cell that adds them up and a note that the sum must be 100)
    and the overall rating on the instrument's scale. Read those answers back with
    :func:`read_filled_excel_respondents`.

    Parameters
    ----------
    instrument : str, path or Instrument
    path : str or path
        Target ``.xlsx`` file.
    language : {"es", "en"}
    title : str, optional
        Heading; defaults to the instrument's title.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    check_language(language)
    inst = load_instrument(instrument)
    parts = list(inst.parts) or ["answer"]
    wb = Workbook()
    ws = wb.active
    ws.title = t("questionnaire.sheet", language)[:31]
    heading = title if title is not None else inst.title.get(language, inst.name)
    ws["A1"] = heading
    ws["A1"].font = Font(bold=True, size=14)
    servqual = _is_servqual(inst)
    ws["A2"] = t("questionnaire.respondent", language)
    ws["A3"] = t("questionnaire.customer_type" if servqual else "questionnaire.group", language)
    answer_fill = PatternFill("solid", fgColor="FFF6D5")
    unlocked = Protection(locked=False)
    for ref in ("C2", "C3"):
        ws[ref].fill = answer_fill
        ws[ref].protection = unlocked
    if servqual:
        choices = list(_segments(inst))
        labels = [_segment_label(inst, g, language) for g in choices]
        list_error = t("questionnaire.excel_segment_error", language)
    else:
        choices = list(inst.extra.get("groups") or {})
        labels = [group_label(inst, g, language) for g in choices]
        list_error = t("questionnaire.excel_group_error", language)
    if choices:
        dv_group = DataValidation(type="list", formula1='"' + ",".join(labels) + '"',
                                  allow_blank=True, showErrorMessage=True)
        dv_group.error = list_error
        ws.add_data_validation(dv_group)
        dv_group.add("C3")
        ws["D3"] = " / ".join(labels)
    ws["A4"] = t("questionnaire.excel_hint", language, low=inst.scale_min, high=inst.scale_max)
    ws["A4"].font = Font(italic=True, color="666666")
    header_row = 6
    headers = [label("item_id", language), t("questionnaire.dimension", language),
               t("questionnaire.statement", language)] + [part_label(inst, p, language)
                                                          for p in parts]
    kinds = _anchor_sets_used(inst)
    if kinds:  # the words each statement is answered in, right of the answer cells
        headers.append(t("questionnaire.answer_words", language))
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=j, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    dv = DataValidation(type="whole", operator="between", formula1=str(inst.scale_min),
                        formula2=str(inst.scale_max), allow_blank=True, showErrorMessage=True)
    dv.error = t("questionnaire.excel_scale_error", language, low=inst.scale_min,
                 high=inst.scale_max)
    dv.errorTitle = t("questionnaire.scale", language)
    ws.add_data_validation(dv)
    first = header_row + 1
    for i, (_, item) in enumerate(inst.items.iterrows()):
        r = first + i
        ws.cell(row=r, column=1, value=item["item_id"])
        ws.cell(row=r, column=2, value=inst.dimension_label(item["dimension"], language))
        text_cell = ws.cell(row=r, column=3, value=str(item[f"text_{language}"]))
        text_cell.alignment = Alignment(wrap_text=True, vertical="top")
        for k in range(len(parts)):
            cell = ws.cell(row=r, column=4 + k)
            cell.fill = answer_fill
            cell.protection = unlocked
        if kinds:
            words = ws.cell(row=r, column=4 + len(parts),
                            value=_anchor_line(inst, item["item_id"], language) or None)
            words.alignment = Alignment(wrap_text=True, vertical="top")
            words.font = Font(size=9, color="444444")
    last = first + len(inst.items) - 1
    if len(inst.items):
        from openpyxl.utils import get_column_letter

        dv.add(f"D{first}:{get_column_letter(3 + len(parts))}{last}")
    ws.column_dimensions["A"].width = 9
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 70
    for k in range(len(parts)):
        ws.column_dimensions[chr(ord("D") + k)].width = 18
    if kinds:
        ws.column_dimensions[chr(ord("D") + len(parts))].width = 60
    ws.freeze_panes = ws.cell(row=first, column=4)
    extra_meta = _write_respondent_section(ws, inst, language, last + 2) if servqual else ()
    ws.protection.sheet = True
    scale = wb.create_sheet(t("questionnaire.scale", language)[:31])
    if kinds:
        scale.append([t("questionnaire.point", language)]
                     + [_anchor_set_label(inst, k, language) for k in kinds])
        for p in range(inst.scale_min, inst.scale_max + 1):
            scale.append([p] + [inst.anchor_set(k, language).get(p, "") for k in kinds])
        for j in range(len(kinds)):
            scale.column_dimensions[chr(ord("B") + j)].width = 32
    else:
        scale.append([t("questionnaire.point", language), t("questionnaire.meaning", language)])
        for p in range(inst.scale_min, inst.scale_max + 1):
            scale.append([p, _anchor_text(inst, p, language)])
        scale.column_dimensions["B"].width = 50
    meta = wb.create_sheet(_META_SHEET)
    group_meta = () if servqual else (("group_cell", "C3"),)
    for row in (("instrument", inst.name), ("sheet", ws.title), ("respondent_cell", "C2"),
                *group_meta, ("first_row", first), ("last_row", last),
                ("parts", ",".join(parts)), ("language", language), *extra_meta):
        meta.append(list(row))
    meta.sheet_state = "hidden"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _write_respondent_section(ws, inst, language: str, top: int) -> tuple:
    """Importance points and overall rating below the statements of a SERVQUAL form.

    Writes from row ``top`` down and returns the ``_meta`` rows that locate the cells.
    """
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    answer_fill = PatternFill("solid", fgColor="FFF6D5")
    unlocked = Protection(locked=False)
    ws.cell(row=top, column=1, value=t("questionnaire.excel_points_title", language)).font = \
        Font(bold=True, size=12)
    hint = ws.cell(row=top + 1, column=1, value=t("questionnaire.excel_points_hint", language))
    hint.font = Font(italic=True, color="666666")
    header = top + 2
    for j, text in enumerate(["", t("questionnaire.dimension", language),
                              t("questionnaire.excel_covers", language),
                              t("questionnaire.excel_points", language)], start=1):
        cell = ws.cell(row=header, column=j, value=text or None)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    descriptions = inst.extra.get("dimension_descriptions") or {}
    dims = list(inst.dimensions)
    first = header + 1
    for i, dim in enumerate(dims):
        r = first + i
        ws.cell(row=r, column=1, value=dim).font = Font(color="888888")
        ws.cell(row=r, column=2, value=inst.dimension_label(dim, language))
        text = ws.cell(row=r, column=3, value=(descriptions.get(dim) or {}).get(language) or None)
        text.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=4).fill = answer_fill
        ws.cell(row=r, column=4).protection = unlocked
    last = first + len(dims) - 1
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                        allow_blank=True, showErrorMessage=True)
    dv.error = t("questionnaire.excel_points_error", language)
    dv.errorTitle = t("questionnaire.excel_points", language)
    ws.add_data_validation(dv)
    dv.add(f"D{first}:D{last}")
    total = last + 1
    ws.cell(row=total, column=2, value=t("common.total", language)).font = Font(bold=True)
    note = ws.cell(row=total, column=3, value=t("questionnaire.excel_total_note", language))
    note.font = Font(bold=True, color="C00000")
    ws.cell(row=total, column=4, value=f"=SUM(D{first}:D{last})").font = Font(bold=True)
    overall = total + 2
    ws.cell(row=overall, column=2, value=t("questionnaire.excel_overall", language,
                                           low=inst.scale_min, high=inst.scale_max))
    ws.cell(row=overall, column=4).fill = answer_fill
    ws.cell(row=overall, column=4).protection = unlocked
    dv_overall = DataValidation(type="whole", operator="between", formula1=str(inst.scale_min),
                                formula2=str(inst.scale_max), allow_blank=True,
                                showErrorMessage=True)
    dv_overall.error = t("questionnaire.excel_scale_error", language, low=inst.scale_min,
                         high=inst.scale_max)
    dv_overall.errorTitle = t("questionnaire.scale", language)
    ws.add_data_validation(dv_overall)
    dv_overall.add(f"D{overall}")
    return (("segment_cell", "C3"), ("points_first_row", first), ("points_last_row", last),
            ("points_column", "D"), ("overall_cell", f"D{overall}"))


def read_filled_excel(path, instrument=None) -> pd.DataFrame:
    """Read filled-in answer sheets made by :func:`write_questionnaire_excel`.

    Parameters
    ----------
    path : str, path, or a sequence of them
        One ``.xlsx`` file, a folder (every ``.xlsx`` inside, by name), or a list.
    instrument : str, path or Instrument, optional
        The instrument the forms were made for. By default the one each form
        names (a shipped instrument: ``one-to-one``, ``servqual-1991`` ...);
        give the file of an adapted instrument. Forms made for another
        instrument, or for different ones in one call, are refused.

    Returns
    -------
    DataFrame
        Long table, one row per respondent and item: ``respondent_id`` (the
        respondent cell, else the file name), ``group`` (the group key when the
        label matches the instrument's groups), ``item_id``, and one float column
        per part (``NaN`` when unanswered).

    Raises
    ------
    DataError
        For a sheet without the form layout, a form of another instrument, unknown
        item ids, or answers that are neither numbers nor scale labels (naming
        file and cell).
    """
    frames = []
    pick = _FormInstrument(instrument)
    for file, meta, ws in _answer_sheets(path):
        inst = pick(meta, file)
        parts = str(meta["parts"]).split(",")
        first, last = int(meta["first_row"]), int(meta["last_row"])
        respondent = _respondent_id(ws, meta, file)
        group = _group_key(ws[meta["group_cell"]].value, inst) if meta.get("group_cell") \
            else None
        rows = []
        for r in range(first, last + 1):
            item_id = ws.cell(row=r, column=1).value
            if item_id in (None, ""):
                continue
            rows.append([str(item_id).strip(), r]
                        + [ws.cell(row=r, column=4 + k).value for k in range(len(parts))])
        df = pd.DataFrame(rows, columns=["item_id", "_row", *parts])
        unknown = ~df["item_id"].isin(inst.item_ids)
        if unknown.any():
            raise DataError([DataProblem(
                "questionnaire", "item_id", f"is not an item of {inst.name}",
                int(unknown.sum()), len(df),
                tuple(df.loc[unknown, ["_row", "item_id"]].head(3).itertuples(index=False,
                                                                               name=None)),
                "line", str(file))], source=str(file))
        for k, part in enumerate(parts):
            df[part] = _cell_answers(df[part], [f"{chr(ord('D') + k)}{r}" for r in df["_row"]],
                                     inst, part, file)
        df.insert(0, "respondent_id", respondent)
        if group is not None:
            df.insert(1, "group", group)
        frames.append(df.drop(columns="_row"))
    return pd.concat(frames, ignore_index=True)


class _FormInstrument:
    """The instrument of each form read in one call: the one given, else the one the
    form names in its ``_meta`` sheet; every form of the call must share it."""

    def __init__(self, instrument=None):
        self.given = None if instrument is None else load_instrument(instrument)
        self.inst = self.given
        self.first = None

    def __call__(self, meta: dict, file: Path):
        named = str(meta.get("instrument") or "")
        if self.given is not None:
            if named and named != self.given.name:
                raise DataError([DataProblem(
                    "questionnaire", None, f"is a form of instrument {named!r}, not "
                    f"{self.given.name!r}", source=str(file))], source=str(file))
            return self.given
        if self.inst is None:
            try:
                self.inst = load_instrument(named)
            except ParameterError:
                raise DataError([DataProblem(
                    "questionnaire", None, f"was made for instrument {named!r}, which is not "
                    "shipped with crmlib: pass instrument= the file it was made from",
                    source=str(file))], source=str(file)) from None
            self.first = file
        elif named != self.inst.name:
            raise DataError([DataProblem(
                "questionnaire", None, f"is a form of instrument {named!r}, but "
                f"{self.first.name} is one of {self.inst.name!r}; read each instrument's "
                "forms separately", source=str(file))], source=str(file))
        return self.inst


def _answer_files(path) -> list[Path]:
    """One file, every ``.xlsx`` of a folder (by name, Excel lock files skipped), or a list."""
    if isinstance(path, (list, tuple)):
        files = [Path(p) for p in path]
    elif Path(path).is_dir():
        files = sorted(p for p in Path(path).iterdir() if p.suffix.lower() == ".xlsx"
                       and not p.name.startswith("~$"))
    else:
        files = [Path(path)]
    if not files:
        raise DataError([DataProblem("questionnaire", None, "no .xlsx answer sheet found",
                                     source=str(path))], source=str(path))
    return files


def _answer_sheets(path):
    """``(file, meta, sheet)`` for every answer sheet in ``path`` (see :func:`_answer_files`);
    ``meta`` is the ``_meta`` sheet as a dict. Values are read as last saved (formulas as
    their cached result)."""
    from openpyxl import load_workbook

    for file in _answer_files(path):
        wb = load_workbook(file, data_only=True)
        if _META_SHEET not in wb.sheetnames:
            raise DataError([DataProblem("questionnaire", None,
                                         "is not an answer sheet made by crmlib "
                                         f"(no '{_META_SHEET}' sheet)", source=str(file))],
                            source=str(file))
        meta = {row[0]: row[1] for row in wb[_META_SHEET].iter_rows(values_only=True) if row[0]}
        yield file, meta, wb[meta["sheet"]]


def _cell_answers(values, cells, inst, column: str, file: Path):
    """:func:`answer_values` of sheet cells, errors naming ``file`` and the cells."""
    col = pd.Series(list(values), index=list(cells), dtype=object)
    try:
        return answer_values(col, inst, table="questionnaire", column=column).to_numpy()
    except DataError as err:
        raise DataError([DataProblem(p.table, p.column, p.rule, p.n_failed, p.n_rows,
                                     p.examples, "cell", str(file)) for p in err.problems],
                        source=str(file)) from None


def _respondent_id(ws, meta, file: Path) -> str:
    """The respondent cell, else the file name without extension."""
    value = ws[meta["respondent_cell"]].value
    return str(value).strip() if value not in (None, "") and str(value).strip() else file.stem
