"""SERVQUAL's own forms: the column titles of an online form (:func:`forms_csv_header`)
and a printable HTML questionnaire in the method's parts (:func:`questionnaire_html`).

They live with the other forms so that writing questionnaires needs no analysis
module; :mod:`crmlib.servqual` offers them under the same names.
"""

from __future__ import annotations

from crmlib.i18n import check_language, t
from crmlib.instruments import load_instrument as _instrument
from crmlib.questionnaire._labels import cover_date


def forms_csv_header(instrument="servqual-1991", *, language: str = "es",
                     zone: bool = False) -> list[str]:
    """Column titles for an online form (Google Forms, Microsoft Forms ...) of SERVQUAL.

    The generic grid columns (``"Expectativa [SQ01. ...]"``, ``"Percepción [SQ01. ...]"``,
    from :func:`crmlib.questionnaire.forms_csv_header`), then with ``zone`` the adequate and
    desired grids, then one importance column per dimension (``"Importancia [Fiabilidad]"``,
    points of 100), the overall rating and the customer segment. An export of a form built
    from these titles is read back by :func:`crmlib.servqual.responses_from_survey`
    and :func:`crmlib.servqual.respondents_from_survey`.
    """
    from dataclasses import replace

    from crmlib.questionnaire._forms import forms_csv_header as generic

    check_language(language)
    inst = _instrument(instrument)
    parts = tuple(inst.parts) + (("adequate", "desired") if zone else ())
    header = list(generic(replace(inst, parts=parts), language=language))
    header += [f"{t('servqual.form.importance', language)} "
               f"[{inst.dimension_label(d, language)}]" for d in inst.dimensions]
    header += [t("servqual.form.overall", language), t("servqual.form.segment", language)]
    return header


def questionnaire_html(instrument="servqual-1991", *, language: str = "es",
                       company: str = "", zone: bool = False, date=None) -> str:
    """A printable SERVQUAL questionnaire in the method's three parts.

    1. Expectations of an excellent company of the sector (every item, 1-7);
    2. importance: 100 points shared among the five dimensions;
    3. perceptions of ``company`` (every item), then the overall rating and segment.
    With ``zone`` a fourth part asks the adequate and desired service levels of every item
    (Parasuraman, Zeithaml & Berry 1994). The cover carries the respondent and the date:
    ``date`` (the fieldwork's, ISO text or a date) in the locale's long form, or blanks
    laid out in that form.

    Returns
    -------
    str
        A complete HTML document with print CSS, all text escaped.
    """
    import html as _html

    check_language(language)
    inst = _instrument(instrument)
    esc = _html.escape
    name = company or t("servqual.form.the_company", language)
    sections = inst.extra.get("sections") or {}
    descriptions = inst.extra.get("dimension_descriptions") or {}
    points = list(range(inst.scale_min, inst.scale_max + 1))
    boxes = "".join(f'<span class="opt">{p}</span>' for p in points)
    lo_anchor = (inst.anchors.get(language) or {}).get(inst.scale_min, "")
    hi_anchor = (inst.anchors.get(language) or {}).get(inst.scale_max, "")

    def section_text(key):
        text = (sections.get(key) or {}).get(language, "")
        return text.replace("{company}", name)

    def items_table(columns):
        rows = ['<table class="items"><thead><tr>'
                f"<th>{esc(t('servqual.column.item_id', language))}</th>"
                f"<th>{esc(t('servqual.column.item', language))}</th>"
                + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
        for _, item in inst.items.iterrows():
            rows.append(f'<tr><td class="id">{esc(item["item_id"])}</td>'
                        f"<td>{esc(str(item['text_' + language]))}</td>"
                        + "".join(f'<td class="box">{boxes}</td>' for _ in columns) + "</tr>")
        rows.append("</tbody></table>")
        return "\n".join(rows)

    title = inst.title.get(language, inst.name)
    out = ["<!DOCTYPE html>", f'<html lang="{language}"><head><meta charset="utf-8">',
           f"<title>{esc(title)}</title><style>{_FORM_CSS}</style></head><body>",
           f"<h1>{esc(title)}</h1>",
           f'<p class="small">{esc(inst.source)}</p>' if inst.source else "",
           "<p>" + esc(t("servqual.form.scale", language, low=inst.scale_min,
                         high=inst.scale_max, low_anchor=lo_anchor,
                         high_anchor=hi_anchor)) + "</p>",
           (f"<p>{esc(t('servqual.column.respondent_id', language))}: "
            '<span class="blank">&nbsp;</span></p>'),
           f"<p>{esc(t('common.date', language))}: {cover_date(date, language)}</p>",
           f"<h2>1. {esc(t('servqual.form.part1', language))}</h2>",
           f"<p>{esc(section_text('expectation'))}</p>",
           items_table([t("servqual.column.expectation", language)]),
           f"<h2>2. {esc(t('servqual.form.part2', language))}</h2>",
           f"<p>{esc(section_text('importance'))}</p>",
           ('<table class="items"><thead><tr>'
            f"<th>{esc(t('servqual.column.dimension', language))}</th>"
            f"<th>{esc(t('servqual.form.points', language))}</th></tr></thead><tbody>")]
    for d in inst.dimensions:
        desc = (descriptions.get(d) or {}).get(language, "")
        out.append(f"<tr><td><b>{esc(inst.dimension_label(d, language))}</b>"
                   f"{': ' + esc(desc) if desc else ''}</td>"
                   '<td class="points">&nbsp;</td></tr>')
    out.append(f"<tr><td><b>{esc(t('common.total', language))}</b></td>"
               '<td class="points">100</td></tr></tbody></table>')
    out += [f"<h2>3. {esc(t('servqual.form.part3', language, company=name))}</h2>",
            f"<p>{esc(section_text('perception'))}</p>",
            items_table([t("servqual.column.perception", language)]),
            f"<p>{esc(t('servqual.form.overall', language))}: {boxes}</p>",
            (f"<p>{esc(t('servqual.form.segment', language))}: "
             '<span class="blank">&nbsp;</span></p>')]
    if zone:
        out += [f"<h2>4. {esc(t('servqual.form.part4', language))}</h2>",
                f"<p>{esc(section_text('adequate'))} {esc(section_text('desired'))}</p>",
                items_table([t("servqual.column.adequate", language),
                             t("servqual.column.desired", language)])]
    out.append(f"<p>{esc(t('servqual.form.thanks', language))}</p></body></html>")
    return "\n".join(x for x in out if x)


_FORM_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 1.5cm; color: #222; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.4em; border-bottom: 1px solid #999; }
table.items { border-collapse: collapse; width: 100%; }
table.items th, table.items td { border: 1px solid #bbb; padding: 0.25em 0.4em; vertical-align: top; }
table.items th { background: #eee; } table.items tr { page-break-inside: avoid; }
td.id { font-family: monospace; white-space: nowrap; } td.box { white-space: nowrap; text-align: center; }
td.points { width: 5em; text-align: center; }
span.opt { display: inline-block; width: 1.4em; height: 1.4em; line-height: 1.4em; margin: 0 1px;
           border: 1px solid #555; border-radius: 50%; font-size: 8pt; text-align: center; }
.blank { border-bottom: 1px solid #444; min-width: 8cm; display: inline-block; }
.blank.day { min-width: 1.2cm; } .blank.month { min-width: 3.5cm; } .blank.year { min-width: 1.6cm; }
.small { font-size: 8.5pt; color: #555; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
"""
