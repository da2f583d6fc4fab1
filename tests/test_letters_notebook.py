"""Letters written by notebook 04 on a sample company with both companies and persons."""

from __future__ import annotations

import re

import pytest
from conftest import SAMPLES

pytestmark = pytest.mark.notebook

CATEGORY_CODES = re.compile(r"\((customer_service|plans|billing|device|coverage|data_speed|"
                            r"store|app|roaming|portability|plan_change|line_activation)\)")


@pytest.mark.parametrize("client,language,date", [
    ("distribuidora-norte", "es", "31 de diciembre de 2024"),
])
def test_notebook_letters_fit_companies_and_persons(client, language, date, sample_run):
    if not (SAMPLES / client / "transactions.csv").exists():
        pytest.skip(f"data_samples/{client} has no transactions.csv yet")
    # default parameters: the letters of the shared run of the sample engagement
    out = sample_run(language).folder(client, "04_personalize")
    files = sorted((out / "letters").rglob("*.html"))
    assert files
    texts = [f.read_text(encoding="utf-8") for f in files]
    greetings = [re.search(r"<body>\s*<p class=\"date\">(.*?)</p>\s*<p>(.*?)</p>", t, re.DOTALL)
                 for t in texts]
    assert all(g is not None for g in greetings)
    assert {g.group(1) for g in greetings} == {date}
    openings = [g.group(2).strip() for g in greetings]
    assert "Estimados señores:" in openings  # the sample has companies
    assert any(o.startswith("Estimado/a Sr./Sra. ") for o in openings)  # and persons
    for text in texts:
        assert not CATEGORY_CODES.search(text)
        assert "2024-12-31" not in text
