"""The leak check: what a reader must never see in a report, table or letter.

The seeded tests plant each kind of leak in otherwise clean text and expect the
checker to name it; the clean tests make sure correct text in each language
passes. The slow tests scan every report of the three sample companies in Spanish
and English (the shared run of the sample engagement, see ``conftest.sample_run``)
and expect no finding at all.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLE_STAGES

from crmlib.i18n import format_count, format_date, format_number, format_percent
from crmlib.i18n._leaks import LEAK_KINDS, codebook, find_leaks, visible_text


def kinds(text, language="es"):
    return [(leak.kind, leak.token) for leak in find_leaks(text, language)]


# Each seeded leak is a defect seen in the Spanish reports before the formatting layer.
SEEDED_ES = [
    ("Segmento: champions | Campeones", ("code", "champions"), set()),
    ("Canal: phone", ("code", "phone"), set()),
    ("Estado del caso: reopened", ("code", "reopened"), set()),
    ("Riesgo: high", ("code", "high"), set()),
    ("Tramo: not_due", ("snake_case", "not_due"), set()),
    ("Acción: retention_offer", ("snake_case", "retention_offer"), set()),
    ("Especial: True", ("boolean", "True"), set()),
    ("Especial: False", ("boolean", "False"), set()),
    ("Margen: nan", ("boolean", "nan"), set()),
    ("Archivo /home/ana/clientes/ventas.csv leído", ("path", "/home/ana/clientes/ventas.csv"),
     set()),
    ("Archivo C:\\Datos\\ventas.xlsx leído", ("path", "C:\\Datos\\ventas.xlsx"), set()),
    ("Gini: 0.73.", ("separator", "0.73"), set()),
    ("Mediana de 51.1 horas", ("separator", "51.1"), set()),
    ("Cartera de 1,234,567", ("separator", "1,234,567"), set()),
    ("Eje 5.0%", ("separator", "5.0"), set()),
    ("Importe 5,670.25", ("separator", "5,670.25"), set()),
    ("Corte al 2024-12-31", ("iso_date", "2024-12-31"), set()),
    ("Gini: 0,7312904", ("long_float", "0,7312904"), set()),
]


@pytest.mark.parametrize("text, expected, _keys", SEEDED_ES, ids=[s[1][0] + ":" + s[1][1]
                                                                     for s in SEEDED_ES])
def test_each_seeded_leak_is_caught_in_spanish(text, expected, _keys):
    assert expected in kinds(text, "es")


SEEDED_EN = [
    ("Median of 51,1 hours", ("separator", "51,1")),
    ("Receivables 1.234.567", ("separator", "1.234.567")),
    ("Amount 5.670,25", ("separator", "5.670,25")),
    ("Special: True", ("boolean", "True")),
    ("Channel: in_person", ("snake_case", "in_person")),
    ("As of 2024-12-31", ("iso_date", "2024-12-31")),
    ("Gini 0.73129044", ("long_float", "0.73129044")),
    ("Saved to /tmp/run/report.html", ("path", "/tmp/run/report.html")),
]


@pytest.mark.parametrize("text, expected", SEEDED_EN, ids=[s[1][0] for s in SEEDED_EN])
def test_each_seeded_leak_is_caught_in_english(text, expected):
    assert expected in kinds(text, "en")


def test_every_kind_of_leak_is_seeded():
    seeded = {e[0] for _, e, _ in SEEDED_ES} | {e[0] for _, e in SEEDED_EN}
    assert seeded == set(LEAK_KINDS)


def test_a_code_that_is_an_english_word_passes_in_english_only():
    # "high" is a risk code; in an English report it is the label High.
    assert ("code", "high") in kinds("Riesgo: high", "es")
    assert kinds("Risk: high", "en") == []


def test_text_written_by_the_layer_is_clean_in_both_languages():
    for lang in ("es", "en"):
        text = (f"{format_count(9215, lang)} registros; Gini {format_number(0.7312, lang, decimals=2)}; "
                f"{format_percent(0.231, lang, decimals=1)}; {format_number(1234567.5, lang)}; "
                f"{format_date('2024-12-31', lang)} ({format_date('2024-12-31', lang, form='short')})")
        assert find_leaks(text, lang) == [], text


def test_spanish_grouping_and_decimals_pass():
    assert kinds("9.215 registros, 12.345,6 euros, 0,73, 1.234.567 y 30 días; 1-30 días", "es") == []


def test_codebook_holds_the_catalog_codes():
    book = codebook()
    assert {"not_due", "reopened", "in_person", "high"} <= book


def test_visible_text_drops_styles_scripts_and_keeps_cells_and_alt_text():
    page = ("<html><head><style>.x{width:1.5em}</style><title>t_t</title></head><body>"
            "<script>var a_b = 0.5;</script><table><tr><td>not_due</td><td>5,1 %</td></tr>"
            "</table><img alt='Figura 1: Cartera' src='data:image/png;base64,AAAA'></body></html>")
    text = visible_text(page)
    assert "width" not in text and "a_b" not in text and "t_t" not in text
    assert "not_due" in text and "Figura 1: Cartera" in text
    assert kinds(text, "es") == [("snake_case", "not_due")]


def test_language_is_checked():
    from crmlib.exceptions import ParameterError

    with pytest.raises(ParameterError):
        find_leaks("x", "fr")


# ---------------------------------------------------------------- every report, rendered

#: every stage report of the sample engagement, and each client's engagement summary
STAGES = (*SAMPLE_STAGES, "80_summary")


def _table_text(path) -> str:
    """The text cells and headers of every sheet of an exported workbook."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(" | ".join(v for v in row if isinstance(v, str))
                         for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True))
    finally:
        book.close()


def render_findings(run, client: str) -> dict[str, list]:
    """Scan what the reader of a sample client gets from every stage of the shared run.

    Scans the client report page of each stage (as the runner wrote it: cover and
    outputs, no code), the tables the Recorder writes and every letter; returns
    ``{"<stage> <what>": [leaks]}`` for the places with findings.
    """
    language = run.language
    findings: dict[str, list] = {}
    for stage in STAGES:
        folder = run.folder(client, stage)
        found = {"report": find_leaks(visible_text(run.report(client, stage)), language)}
        for book in sorted(folder.rglob("*.xlsx")):
            found[book.name] = find_leaks(_table_text(book), language)
        letters = [visible_text(p.read_text(encoding="utf-8"))
                   for p in sorted(folder.rglob("*.html")) if p != folder / f"{stage}.html"]
        letters += [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]
        found[f"letters ({len(letters)})"] = [leak for text in letters
                                              for leak in find_leaks(text, language)]
        findings.update({f"{stage} {k}": v for k, v in found.items() if v})
    return findings


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("client", ["movil-andina", "distribuidora-norte", "hotel-mirador"])
def test_no_report_of_a_sample_client_leaks(client, language, sample_run):
    findings = render_findings(sample_run(language), client)
    summary = "\n".join(
        f"{where}: {len(leaks)} — " + "; ".join(sorted({f"{x.kind} {x.token!r}" for x in leaks})[:8])
        for where, leaks in findings.items())
    assert findings == {}, f"{client} ({language}) shows a reader:\n{summary}"


def test_a_file_name_the_reader_must_use_is_not_a_leak_but_a_column_name_is():
    assert kinds("Anote la decisión en el archivo match_overrides.csv.", "es") == []
    assert kinds("Columna match_overrides vacía", "es") == [("snake_case", "match_overrides")]


def test_an_email_address_or_a_written_file_is_not_a_leak_but_the_same_code_alone_is():
    # the domain word "mail" is a channel code of ours; in a customer's address it is theirs
    assert kinds("Correo: ana_lopez@mail.example", "es") == []
    assert kinds("Canal: mail", "es") == [("code", "mail")]
    # where the reader finds a letter the run wrote
    assert kinds("Carta: letters/welcome/0001115.html", "es") == []
    assert kinds("Carta: welcome", "es") == [("code", "welcome")]


def test_the_words_of_a_packaged_letter_are_the_readers():
    # "present" is a rule key of ours and a word of the English retention letter
    assert kinds("We will get in touch to present it.", "en") == []
