"""Every table a client can send has words for the sentences that ask for it.

A locked section's sentence names the table in words ("the needs questionnaire answers");
a table added to the contracts without them stopped notebook 09 in the middle of a run.
"""

from __future__ import annotations

import pytest

from crmlib import schemas, stages
from crmlib.i18n import catalog


@pytest.mark.parametrize("table", sorted(schemas.TABLES))
def test_every_contract_table_has_words_in_both_languages(table):
    words = catalog().get(f"data.table.{table}")
    assert words and words.get("es") and words.get("en"), f"data.table.{table} is missing"


@pytest.mark.parametrize("name", sorted(stages.STAGES))
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_locked_section_of_every_stage_reads_as_a_sentence(name, language):
    st = stages.STAGES[name]
    for sec in st.sections:
        absent = sec.needs or (("transactions", None),)
        text = stages.locked_sentence(name, sec.key, absent, language)
        assert text and "{" not in text and "data.table" not in text, (name, sec.key, text)


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_column_a_section_asks_for_is_named_by_a_header_without_underscores(language):
    # notebook 09 asked Spanish readers for "category_spend (encabezado category spend)"
    for name, st in stages.STAGES.items():
        for sec in st.sections:
            for table, column in sec.needs:
                if column is None:
                    continue
                hint = stages.header_hint(table, column, language)
                assert "_" not in hint, (name, sec.key, table, column, hint)
                text = stages.locked_sentence(name, sec.key, ((table, column),), language)
                if "_" in column:
                    assert column not in text, (name, sec.key, text)
