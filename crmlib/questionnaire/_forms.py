"""The printable and online forms of an instrument, and writing whole form sets.

:func:`questionnaire_html` builds a printable page (print CSS, every text
escaped), :func:`forms_csv_header` the column names of an online form that
:func:`crmlib.questionnaire.from_survey_export` can read back, and
:func:`write_questionnaire_set` / :func:`write_questionnaires` write the HTML,
Excel and form-header files (and PDFs where Chromium is installed) of one or
several instruments per language.
"""

from __future__ import annotations

import html
from pathlib import Path

from crmlib.exceptions import ParameterError
from crmlib.i18n import check_language, label, t
from crmlib.instruments import Instrument, load_instrument
from crmlib.io._answers import part_label
from crmlib.questionnaire._excel import write_questionnaire_excel
from crmlib.questionnaire._labels import (
    _anchor_line,
    _anchor_range,
    _anchor_set_label,
    _anchor_sets_used,
    _anchor_text,
    _is_servqual,
    cover_date,
    group_label,
)

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5cm; color: #222; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 12pt; margin: 1.2em 0 0.3em; border-bottom: 1px solid #999; }
.meta td { padding: 0.3em 1em 0.3em 0; }
.meta .blank { border-bottom: 1px solid #444; min-width: 8cm; display: inline-block; }
.meta .blank.day { min-width: 1.2cm; } .meta .blank.month { min-width: 3.5cm; }
.meta .blank.year { min-width: 1.6cm; }
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
.anchors { font-size: 8pt; color: #444; margin-top: 0.2em; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } a { color: inherit; } }
"""


def questionnaire_html(instrument="one-to-one", *, language: str = "es",
                       title: str | None = None, date=None) -> str:
    """A printable HTML questionnaire for ``instrument``.

    Parameters
    ----------
    instrument : str, path or Instrument
        Instrument name, file or object (see :func:`crmlib.instruments.load_instrument`).
    language : {"es", "en"}
        Language of every text on the form.
    title : str, optional
        Heading; defaults to the instrument's title.
    date : str or date, optional
        Date of the fieldwork, written on the cover in the locale's long form
        ("2 de diciembre de 2026"); without it, blanks laid out in that form.

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
               f"<td>{cover_date(date, language)}</td></tr></table>")
    out.append(f"<h2>{esc(t('questionnaire.scale', language))}</h2>")
    sets = _anchor_sets_used(inst)
    if sets:
        out.append(f"<p>{esc(t('questionnaire.anchor_sets', language))}</p><ul class=\"scale\">")
        for kind in sets:
            words = " · ".join(f"{p} = {w}" for p, w in sorted(inst.anchor_set(kind, language).items()))
            out.append(f"<li><b>{esc(_anchor_set_label(inst, kind, language))}</b>: {esc(words)}</li>")
        out.append("</ul>")
    if not sets or inst.items["anchors"].isna().any():
        out.append('<ul class="scale">')
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
            words = _anchor_line(inst, item["item_id"], language) if sets else ""
            anchors = f'<div class="anchors">{esc(words)}</div>' if words else ""
            out.append(f'<tr><td class="id">{esc(item["item_id"])}</td>'
                       f"<td>{esc(str(item['text_' + language]))}{anchors}</td>"
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


def forms_csv_header(instrument="one-to-one", *, language: str = "es",
                     style: str = "grid") -> list[str]:
    """Column names of a survey form for ``instrument``, ready for a CSV header.

    Parameters
    ----------
    instrument : str, path or Instrument
    language : {"es", "en"}
    style : {"grid", "columns"}
        ``"grid"``: one multiple-choice grid per part, exported by Google Forms as
        ``"<part label> [<item id>. <item text>]"``; when the items declare their answer
        words (``anchors``), the grid title also gives the end words the item is
        answered in (``"Situación actual (Nunca … Siempre) [ID4. ...]"``), so items of
        each kind go in their own grid. ``"columns"``: one column per item and part,
        named ``"<item id>_<part>"``.

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
        # items answered in different words go in separate grids, titled with their words
        kinds = _anchor_sets_used(inst)
        for part in parts:
            for _, item in inst.items.iterrows():
                words = _anchor_range(inst, item["item_id"], language) if kinds else ""
                title = part_label(inst, part, language) + (f" ({words})" if words else "")
                cols.append(f"{title} [{item['item_id']}. {item['text_' + language]}]")
    else:
        cols += [f"{item_id}_{part}" for item_id in inst.item_ids for part in parts]
    return cols


def write_questionnaire_set(instrument, folder, *, languages=("es", "en"),
                            pdf: bool | str = "auto") -> list[Path]:
    """Write the printable, Excel and online-form versions of ``instrument`` to ``folder``.

    For each language: ``<name>_<lang>.html`` (:func:`questionnaire_html`),
    ``<name>_<lang>.xlsx`` (:func:`write_questionnaire_excel`) and
    ``<name>_forms_<lang>.csv`` (the :func:`forms_csv_header` grid columns as a
    one-line CSV, UTF-8 with BOM so spreadsheet programs read the accents), and
    with ``pdf`` ``<name>_<lang>.pdf``, the printable form printed by headless
    Chromium. SERVQUAL-style instruments (parts ``expectation`` and ``perception``)
    get the SERVQUAL printable form and form header
    (:func:`crmlib.servqual.questionnaire_html`, :func:`crmlib.servqual.forms_csv_header`),
    which also ask the importance points, overall rating and customer type.
    Files are written atomically and overwritten.

    Parameters
    ----------
    instrument : str, path or Instrument
    folder : str or path
        Created when missing.
    languages : sequence of {"es", "en"}
    pdf : {"auto", True, False}, default "auto"
        ``"auto"`` prints PDFs when Chromium is installed
        (:func:`crmlib.report.find_chromium`); ``True`` requires it.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> write_questionnaire_set("servqual-1991", "forms", pdf=False)  # doctest: +SKIP
    [PosixPath('forms/servqual-1991_es.html'), PosixPath('forms/servqual-1991_es.xlsx'), ...]
    """
    import csv
    import io as _io

    from crmlib._files import atomic_write_text

    inst = load_instrument(instrument)
    chromium = _pdf_printer(pdf)
    html_of, header_of = _form_makers(inst)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        check_language(language)
        stem = f"{inst.name}_{language}"
        page = atomic_write_text(folder / f"{stem}.html", html_of(inst, language=language))
        written.append(page)
        written.append(write_questionnaire_excel(inst, folder / f"{stem}.xlsx",
                                                 language=language))
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(header_of(inst, language=language))
        written.append(atomic_write_text(folder / f"{inst.name}_forms_{language}.csv",
                                         "\ufeff" + buf.getvalue()))
        if chromium:
            from crmlib.report.export import html_to_pdf

            written.append(html_to_pdf(page, folder / f"{stem}.pdf", chromium=chromium))
    return written


def _form_makers(inst: Instrument):
    """The printable-form and form-header functions for ``inst``: SERVQUAL's own for
    SERVQUAL-style instruments, the generic ones otherwise."""
    if _is_servqual(inst):
        from crmlib.questionnaire import _servqual_forms

        return _servqual_forms.questionnaire_html, _servqual_forms.forms_csv_header
    return questionnaire_html, forms_csv_header


def _pdf_printer(pdf) -> str | None:
    """The Chromium to print PDFs with, or ``None`` when ``pdf`` is off (or ``"auto"``
    without Chromium)."""
    if pdf not in ("auto", True, False):
        raise ParameterError(f"pdf must be 'auto', True or False; got {pdf!r}", parameter="pdf",
                             allowed=("auto", True, False), value=pdf)
    if pdf is False:
        return None
    from crmlib.report.export import ExportError, find_chromium

    chromium = find_chromium()
    if pdf is True and chromium is None:
        raise ExportError("PDF forms need Chromium (Debian: apt-get install chromium)")
    return chromium


def write_questionnaires(folder, *, instruments=None, languages=("es", "en"),
                         pdf: bool | str = "auto") -> list[Path]:
    """Questionnaire sets of several instruments, one subfolder per instrument name.

    ``instruments`` defaults to every instrument shipped with crmlib
    (:func:`crmlib.instruments.available_instruments`); ``languages`` and ``pdf`` as in
    :func:`write_questionnaire_set`.
    """
    from crmlib.instruments import available_instruments

    written = []
    for name in instruments or available_instruments():
        inst = load_instrument(name)
        written += write_questionnaire_set(inst, Path(folder) / inst.name, languages=languages,
                                           pdf=pdf)
    return written
