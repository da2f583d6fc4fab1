"""Questionnaire forms made from an instrument, and importers for their answers.

Works for any :class:`crmlib.instruments.Instrument` (readiness, SERVQUAL or a
consultant's own file): every item is asked once per *part* of the instrument
(``current``/``preferred``, ``expectation``/``perception`` ...).

Forms
    :func:`questionnaire_html` (printable page), :func:`write_questionnaire_excel`
    (one sheet per respondent, answers limited to the scale) and
    :func:`forms_csv_header` (column names for an online form).
Importers
    :func:`read_filled_excel` reads filled-in Excel forms and
    :func:`from_survey_export` turns a wide survey export (one row per respondent,
    one column per item and part, as Google Forms, Qualtrics or SurveyMonkey
    give it once its header rows are merged) into the long response table.
    :func:`answer_values` turns answers written as numbers or as scale labels
    ("Totalmente de acuerdo", "4 - De acuerdo") into numbers.

Every importer returns the long table ``respondent_id``, [``group``], ``item_id``
and one float column per part; empty answers stay missing (``NaN``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from crmlib._files import atomic_path
from crmlib.exceptions import DataError, DataProblem, ParameterError
from crmlib.i18n import check_language, label, t
from crmlib.instruments import Instrument, load_instrument

__all__ = [
    "GROUP_COLUMNS",
    "ID_COLUMNS",
    "answer_values",
    "forms_csv_header",
    "from_survey_export",
    "group_label",
    "part_label",
    "questionnaire_html",
    "read_filled_excel",
    "write_questionnaire_excel",
    "write_questionnaire_set",
    "write_questionnaires",
]

#: Header names (normalised) taken as the respondent id of a survey export.
ID_COLUMNS = ("respondent_id", "respondent", "respondentid", "responseid", "response_id",
              "id_encuestado", "encuestado", "id_respuesta", "codigo_encuestado")
#: Header names (normalised) taken as the respondent group of a survey export.
GROUP_COLUMNS = ("group", "grupo", "rol", "role", "perfil", "respondent_group",
                 "grupo_encuestado", "tipo_de_encuestado", "respondent_type")
_META_SHEET = "_meta"


def _norm(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def part_label(instrument: Instrument, part: str, language: str = "es") -> str:
    """Label of answer ``part`` (``current``, ``perception`` ...) in ``language``.

    Taken from the instrument's ``part_labels`` section, else the column label
    of the i18n catalog, else the part name.
    """
    check_language(language)
    labels = (instrument.extra.get("part_labels") or {}).get(part) or {}
    return labels.get(language) or label(part, language)


def group_label(instrument: Instrument, group: str, language: str = "es") -> str:
    """Label of respondent ``group`` from the instrument's ``groups`` section."""
    check_language(language)
    return ((instrument.extra.get("groups") or {}).get(group) or {}).get(language, group)


def _anchor_text(instrument: Instrument, point: int, language: str) -> str:
    return (instrument.anchors.get(language) or {}).get(point, "")


# --------------------------------------------------------------------------------------------
# forms
# --------------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5cm; color: #222; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 12pt; margin: 1.2em 0 0.3em; border-bottom: 1px solid #999; }
.meta td { padding: 0.3em 1em 0.3em 0; }
.meta .blank { border-bottom: 1px solid #444; min-width: 8cm; display: inline-block; }
table.items { border-collapse: collapse; width: 100%; page-break-inside: auto; }
table.items th, table.items td { border: 1px solid #bbb; padding: 0.25em 0.4em; vertical-align: top; }
table.items th { background: #eee; font-weight: 600; }
table.items tr { page-break-inside: avoid; }
td.id { white-space: nowrap; font-family: monospace; }
td.box { text-align: center; white-space: nowrap; }
span.opt { display: inline-block; width: 1.4em; height: 1.4em; line-height: 1.4em; margin: 0 1px;
           border: 1px solid #555; border-radius: 50%; font-size: 8pt; text-align: center; }
.scale li { margin: 0.1em 0; }
.dimtext { font-size: 9pt; color: #555; margin: 0 0 0.4em; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } a { color: inherit; } }
"""


def questionnaire_html(instrument="one-to-one", *, language: str = "es",
                       title: str | None = None) -> str:
    """A printable HTML questionnaire for ``instrument``.

    Parameters
    ----------
    instrument : str, path or Instrument
        Instrument name, file or object (see :func:`crmlib.instruments.load_instrument`).
    language : {"es", "en"}
        Language of every text on the form.
    title : str, optional
        Heading; defaults to the instrument's title.

    Returns
    -------
    str
        A complete HTML document (print CSS included, all text escaped): blanks for
        respondent and group, the scale with its anchors, then one table per
        dimension with one row per item and, for each part, one circle per scale point.
    """
    check_language(language)
    inst = load_instrument(instrument)
    esc = html.escape
    heading = title if title is not None else inst.title.get(language, inst.name)
    points = list(range(inst.scale_min, inst.scale_max + 1))
    parts = list(inst.parts) or ["answer"]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language}"><head><meta charset="utf-8">',
        f"<title>{esc(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(heading)}</h1>",
    ]
    if inst.source:
        out.append(f'<p class="dimtext">{esc(t("questionnaire.source", language))}: '
                   f"{esc(inst.source)}</p>")
    out.append(f"<p>{esc(t('questionnaire.instructions', language, parts=_join_parts(inst, parts, language)))}</p>")
    out.append('<table class="meta">')
    out.append(f"<tr><td>{esc(t('questionnaire.respondent', language))}</td>"
               '<td><span class="blank">&nbsp;</span></td></tr>')
    groups = inst.extra.get("groups") or {}
    if groups:
        options = " &nbsp; ".join(f'<span class="opt">&nbsp;</span> {esc(group_label(inst, g, language))}'
                                  for g in groups)
        out.append(f"<tr><td>{esc(t('questionnaire.group', language))}</td><td>{options}</td></tr>")
    out.append(f"<tr><td>{esc(t('common.date', language))}</td>"
               '<td><span class="blank">&nbsp;</span></td></tr></table>')
    out.append(f"<h2>{esc(t('questionnaire.scale', language))}</h2><ul class=\"scale\">")
    for p in points:
        anchor = _anchor_text(inst, p, language)
        out.append(f"<li><b>{p}</b>{' = ' + esc(anchor) if anchor else ''}</li>")
    out.append("</ul>")
    for dim, dim_items in inst.items.groupby("dimension", sort=False):
        out.append(f"<h2>{esc(inst.dimension_label(dim, language))}</h2>")
        info = inst.dimensions.get(dim) or {}
        for end, point in (("low", inst.scale_min), ("high", inst.scale_max)):
            text = (info.get(end) or {}).get(language)
            if text:
                out.append(f'<p class="dimtext"><b>{point}</b>: {esc(text)}</p>')
        out.append('<table class="items"><thead><tr>'
                   f"<th>{esc(label('item_id', language))}</th>"
                   f"<th>{esc(t('questionnaire.statement', language))}</th>")
        for part in parts:
            out.append(f"<th>{esc(part_label(inst, part, language))}</th>")
        out.append("</tr></thead><tbody>")
        for _, item in dim_items.iterrows():
            boxes = "".join(f'<span class="opt">{p}</span>' for p in points)
            out.append(f'<tr><td class="id">{esc(item["item_id"])}</td>'
                       f"<td>{esc(str(item['text_' + language]))}</td>"
                       + "".join(f'<td class="box">{boxes}</td>' for _ in parts) + "</tr>")
        out.append("</tbody></table>")
    out.append(f"<p>{esc(t('questionnaire.thanks', language))}</p></body></html>")
    return "\n".join(out)


def _join_parts(inst: Instrument, parts, language: str) -> str:
    names = [f"«{part_label(inst, p, language)}»" for p in parts]
    if len(names) <= 1:
        return "".join(names)
    word = " y " if language == "es" else " and "
    return ", ".join(names[:-1]) + word + names[-1]


def write_questionnaire_excel(instrument, path, *, language: str = "es",
                              title: str | None = None) -> Path:
    """Write an Excel answer sheet for ``instrument`` to ``path`` (atomically).

    One row per item and one answer column per part. Answer cells accept only
    whole numbers within the scale (Excel data validation); the respondent and
    group cells are the only other editable cells (the group from a list when the
    instrument names groups); everything else is protected (no password). A second
    sheet lists the scale anchors; a hidden ``_meta`` sheet lets
    :func:`read_filled_excel` find the answers again.

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
    ws["A2"] = t("questionnaire.respondent", language)
    ws["A3"] = t("questionnaire.group", language)
    answer_fill = PatternFill("solid", fgColor="FFF6D5")
    unlocked = Protection(locked=False)
    for ref in ("C2", "C3"):
        ws[ref].fill = answer_fill
        ws[ref].protection = unlocked
    groups = list(inst.extra.get("groups") or {})
    if groups:
        labels = [group_label(inst, g, language) for g in groups]
        dv_group = DataValidation(type="list", formula1='"' + ",".join(labels) + '"',
                                  allow_blank=True, showErrorMessage=True)
        dv_group.error = t("questionnaire.excel_group_error", language)
        ws.add_data_validation(dv_group)
        dv_group.add("C3")
        ws["D3"] = " / ".join(labels)
    ws["A4"] = t("questionnaire.excel_hint", language, low=inst.scale_min, high=inst.scale_max)
    ws["A4"].font = Font(italic=True, color="666666")
    header_row = 6
    headers = [label("item_id", language), t("questionnaire.dimension", language),
               t("questionnaire.statement", language)] + [part_label(inst, p, language)
                                                          for p in parts]
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
    last = first + len(inst.items) - 1
    if len(inst.items):
        from openpyxl.utils import get_column_letter

        dv.add(f"D{first}:{get_column_letter(3 + len(parts))}{last}")
    ws.column_dimensions["A"].width = 9
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 70
    for k in range(len(parts)):
        ws.column_dimensions[chr(ord("D") + k)].width = 18
    ws.freeze_panes = ws.cell(row=first, column=4)
    ws.protection.sheet = True
    scale = wb.create_sheet(t("questionnaire.scale", language)[:31])
    scale.append([t("questionnaire.point", language), t("questionnaire.meaning", language)])
    for p in range(inst.scale_min, inst.scale_max + 1):
        scale.append([p, _anchor_text(inst, p, language)])
    scale.column_dimensions["B"].width = 50
    meta = wb.create_sheet(_META_SHEET)
    for row in (("instrument", inst.name), ("sheet", ws.title), ("respondent_cell", "C2"),
                ("group_cell", "C3"), ("first_row", first), ("last_row", last),
                ("parts", ",".join(parts)), ("language", language)):
        meta.append(list(row))
    meta.sheet_state = "hidden"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def forms_csv_header(instrument="one-to-one", *, language: str = "es",
                     style: str = "grid") -> list[str]:
    """Column names of a survey form for ``instrument``, ready for a CSV header.

    Parameters
    ----------
    instrument : str, path or Instrument
    language : {"es", "en"}
    style : {"grid", "columns"}
        ``"grid"``: one multiple-choice grid per part, exported by Google Forms as
        ``"<part label> [<item id>. <item text>]"``. ``"columns"``: one column per
        item and part, named ``"<item id>_<part>"``.

    Returns
    -------
    list of str
        Respondent and (when the instrument names groups) group columns first, then
        one column per item and part in questionnaire order. Item ids and parts can
        always be read back by :func:`from_survey_export`.
    """
    check_language(language)
    if style not in ("grid", "columns"):
        raise ParameterError(f"style must be one of ['columns', 'grid']; got {style!r}",
                             parameter="style", allowed=("grid", "columns"), value=style)
    inst = load_instrument(instrument)
    parts = list(inst.parts) or ["answer"]
    cols = [t("questionnaire.respondent", language)]
    if inst.extra.get("groups"):
        cols.append(t("questionnaire.group", language))
    if style == "grid":
        cols += [f"{part_label(inst, part, language)} [{item['item_id']}. {item['text_' + language]}]"
                 for part in parts for _, item in inst.items.iterrows()]
    else:
        cols += [f"{item_id}_{part}" for item_id in inst.item_ids for part in parts]
    return cols


def write_questionnaire_set(instrument, folder, *, languages=("es", "en")) -> list[Path]:
    """Write the printable, Excel and online-form versions of ``instrument`` to ``folder``.

    For each language: ``<name>_<lang>.html`` (:func:`questionnaire_html`),
    ``<name>_<lang>.xlsx`` (:func:`write_questionnaire_excel`) and
    ``<name>_forms_<lang>.csv`` (the :func:`forms_csv_header` grid columns as a
    one-line CSV, UTF-8 with BOM so spreadsheet programs read the accents).
    Files are written atomically and overwritten.

    Returns
    -------
    list of Path
        The files written.
    """
    import csv
    import io as _io

    from crmlib._files import atomic_write_text

    inst = load_instrument(instrument)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        check_language(language)
        stem = f"{inst.name}_{language}"
        written.append(atomic_write_text(folder / f"{stem}.html",
                                         questionnaire_html(inst, language=language)))
        written.append(write_questionnaire_excel(inst, folder / f"{stem}.xlsx",
                                                 language=language))
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(forms_csv_header(inst, language=language))
        written.append(atomic_write_text(folder / f"{inst.name}_forms_{language}.csv",
                                         "\ufeff" + buf.getvalue()))
    return written


def write_questionnaires(folder, *, instruments=None, languages=("es", "en")) -> list[Path]:
    """Questionnaire sets of several instruments, one subfolder per instrument name.

    ``instruments`` defaults to every instrument shipped with crmlib
    (:func:`crmlib.instruments.available_instruments`).
    """
    from crmlib.instruments import available_instruments

    written = []
    for name in instruments or available_instruments():
        inst = load_instrument(name)
        written += write_questionnaire_set(inst, Path(folder) / inst.name, languages=languages)
    return written


# --------------------------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------------------------

def _scale_labels(inst: Instrument) -> dict[str, float]:
    """``{label: point}`` from the instrument's anchors and ``scale_labels`` section."""
    labels: dict[str, float] = {}
    for point, texts in (inst.extra.get("scale_labels") or {}).items():
        for text in ([texts] if isinstance(texts, str) else texts):
            labels[str(text)] = float(point)
    for lang_anchors in inst.anchors.values():
        for point, text in lang_anchors.items():
            labels[str(text)] = float(point)
    return labels


def answer_values(values, instrument="one-to-one", *, table: str = "answers",
                  column: str = "answer", source: str | None = None) -> pd.Series:
    """Answers as numbers: numbers pass, labels of the scale become their point.

    A thin layer over :func:`crmlib.io.parse_likert` that adds the instrument's
    own words: its anchors in every language and its ``scale_labels`` section.
    Accepted: numbers, numeric text (``"4"``, ``"4,0"``), text starting with the
    point (``"4 - Lo hacemos casi siempre"``), the agreement labels ``parse_likert``
    knows (``"Totalmente de acuerdo"`` -> 5 on a five-point scale) and the
    instrument's labels, compared without case, accents or punctuation. Blank
    cells and explicit non-answers (``N/A``, ``No sabe`` ...) become ``NaN``.

    Parameters
    ----------
    values : sequence or Series
    instrument : str, path or Instrument
    table, column, source : str
        Named in the error message.

    Returns
    -------
    Series of float
        Same index as ``values``.

    Raises
    ------
    DataError
        Naming the rows whose text is neither a number nor a known label, and the
        numbers outside the instrument's scale.
    """
    from crmlib.io import parse_likert

    inst = load_instrument(instrument)
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if inst.scale_min == 1:
        return parse_likert(s, scale_max=inst.scale_max, labels=_scale_labels(inst),
                            source=source, column=column, table=table).astype(float)
    shift = 1 - inst.scale_min  # parse_likert counts from 1: shift the scale there and back
    labels = {k: v + shift for k, v in _scale_labels(inst).items()}
    numeric = pd.to_numeric(s, errors="coerce")
    shifted = s.where(numeric.isna(), numeric + shift)
    out = parse_likert(shifted, scale_max=inst.scale_max + shift, labels=labels, source=source,
                       column=column, table=table)
    return (out - shift).astype(float)


def _group_key(value, inst: Instrument):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = _norm(value)
    if not text:
        return None
    for key, labels in (inst.extra.get("groups") or {}).items():
        labels = labels or {}
        names = {_norm(key), *(_norm(labels[lang]) for lang in ("es", "en") if lang in labels),
                 *(_norm(a) for a in labels.get("aliases") or ())}
        # singular forms of the plural labels ("Directivos" -> "directivo")
        names |= {n[:-1] for n in list(names) if n.endswith("s")}
        names |= {n[:-2] for n in list(names) if n.endswith("es")}
        if text in names:
            return key
    return str(value).strip()


def read_filled_excel(path, instrument="one-to-one") -> pd.DataFrame:
    """Read filled-in answer sheets made by :func:`write_questionnaire_excel`.

    Parameters
    ----------
    path : str, path, or a sequence of them
        One ``.xlsx`` file, a folder (every ``.xlsx`` inside, by name), or a list.
    instrument : str, path or Instrument

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
        For a sheet without the form layout, unknown item ids, or answers that are
        neither numbers nor scale labels (naming file and cell).
    """
    from openpyxl import load_workbook

    inst = load_instrument(instrument)
    if isinstance(path, (list, tuple)):
        files = [Path(p) for p in path]
    elif Path(path).is_dir():
        files = sorted(p for p in Path(path).iterdir() if p.suffix.lower() == ".xlsx"
                       and not p.name.startswith("~$"))
    else:
        files = [Path(path)]
    frames = []
    for file in files:
        wb = load_workbook(file, data_only=True)
        if _META_SHEET not in wb.sheetnames:
            raise DataError([DataProblem("questionnaire", None,
                                         "is not an answer sheet made by crmlib "
                                         f"(no '{_META_SHEET}' sheet)", source=str(file))],
                            source=str(file))
        meta = {row[0]: row[1] for row in wb[_META_SHEET].iter_rows(values_only=True) if row[0]}
        ws = wb[meta["sheet"]]
        parts = str(meta["parts"]).split(",")
        first, last = int(meta["first_row"]), int(meta["last_row"])
        respondent = ws[meta["respondent_cell"]].value
        respondent = str(respondent).strip() if respondent not in (None, "") else file.stem
        group = _group_key(ws[meta["group_cell"]].value, inst)
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
            col = df[part].astype(object)
            col.index = [f"{chr(ord('D') + k)}{r}" for r in df["_row"]]
            try:
                df[part] = answer_values(col, inst, table="questionnaire",
                                         column=part).to_numpy()
            except DataError as err:
                raise DataError([
                    DataProblem(p.table, p.column, p.rule, p.n_failed, p.n_rows, p.examples,
                                "cell", str(file)) for p in err.problems], source=str(file)) \
                    from None
        df.insert(0, "respondent_id", respondent)
        if group is not None:
            df.insert(1, "group", group)
        frames.append(df.drop(columns="_row"))
    if not frames:
        raise DataError([DataProblem("questionnaire", None, "no .xlsx answer sheet found",
                                     source=str(path))], source=str(path))
    out = pd.concat(frames, ignore_index=True)
    return out


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
        or the group label of the forms. Group labels are mapped to the
        instrument's group keys (``Directivos`` -> ``manager``).

    Returns
    -------
    DataFrame
        ``respondent_id``, ``group`` (only when a group column exists), ``item_id``,
        one float column per part; one row per respondent and item that has a
        column, respondents in row order and items in questionnaire order.

    Raises
    ------
    DataError
        When no column names an item, two columns carry the same item and part,
        ids repeat, or answers are neither numbers nor scale labels (naming column
        and rows).
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
    candidates = [c for c in df.columns if c not in (id_col, group_col)]
    mapping = _item_column_map(candidates, inst)
    question_text = wide_df.attrs.get("question_text") or {}
    if question_text:
        # Qualtrics keeps short ids (Q1_1) as names and the question text apart
        unmapped = {question_text[c]: c for c in candidates
                    if c not in mapping and question_text.get(c)}
        for text, key in _item_column_map(list(unmapped), inst).items():
            mapping[unmapped[text]] = key
    if not mapping:
        raise DataError([DataProblem("survey export", None,
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
        out.insert(1, "group", np.repeat(groups.to_numpy(dtype=object), len(items)))
    for part in parts:
        cols = []
        for i in items:
            s = values.get((i, part))
            cols.append(s.to_numpy() if s is not None else np.full(n, np.nan))
        out[part] = np.column_stack(cols).reshape(-1) if cols else np.array([], dtype=float)
    return out
