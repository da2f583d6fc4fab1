"""The date on a questionnaire's cover reads the way the reports write dates: the
locale's long form (CLDR via Babel: "2 de diciembre de 2026" / "2 December 2026")."""

from __future__ import annotations

import pytest

from crmlib.i18n._leaks import find_leaks, visible_text
from crmlib.questionnaire import questionnaire_html
from crmlib.servqual import questionnaire_html as servqual_html

FORMS = [("one-to-one", questionnaire_html), ("servqual-1991", servqual_html)]
LONG = {"es": "2 de diciembre de 2026", "en": "2 December 2026"}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("name, make", FORMS, ids=[f[0] for f in FORMS])
def test_a_given_date_is_written_in_the_long_form(name, make, language):
    page = make(name, language=language, date="2026-12-02")
    assert LONG[language] in page
    assert "2026-12-02" not in page and "02/12/2026" not in page
    dates = [leak for leak in find_leaks(visible_text(page), language)
             if leak.kind in ("iso_date", "separator")]
    assert dates == []


@pytest.mark.parametrize("name, make", FORMS, ids=[f[0] for f in FORMS])
def test_without_a_date_the_blanks_follow_the_long_form(name, make):
    es = make(name, language="es")
    # day, month and year blanks in the Spanish order, joined by "de"
    assert ('<span class="blank day">&nbsp;</span> de <span class="blank month">&nbsp;</span>'
            ' de <span class="blank year">&nbsp;</span>') in es
    en = make(name, language="en")
    assert ('<span class="blank day">&nbsp;</span> <span class="blank month">&nbsp;</span>'
            ' <span class="blank year">&nbsp;</span>') in en
    assert "2099" not in es + en


def test_a_cover_date_is_escaped_and_checked():
    from crmlib.questionnaire._labels import cover_date

    with pytest.raises(ValueError):
        cover_date("not a date", "es")
