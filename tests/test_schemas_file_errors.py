"""A client file that breaks several rules is refused once, with every failure listed.

Validation runs on the workbook's own checks (``crmlib.schemas.check``); this is the
promise issue 17 asked of it: lazy, every failure of the file collected into one
``DataError`` naming the file, the column, the rule and the lines.
"""

from __future__ import annotations

import pytest

from crmlib import io
from crmlib.exceptions import DataError

# line 1 is the header; each later line breaks one rule (line 2 is clean)
BAD_INVOICES = """invoice_id,customer_id,issued_at,due_at,paid_at,amount,paid_amount
F1,C1,2024-01-05,2024-02-05,2024-02-01,100,100
F2,C2,2024-01-06,2024-02-06,,abc,0
F3,,2024-01-07,2024-02-07,,50,0
F4,C4,2024-03-07,2024-02-07,,70,0
F1,C5,2024-01-08,2024-02-08,,80,0
F6,C6,2024-01-09,2024-02-09,,-5,0
F7,C7,fecha,2024-02-09,,15,0
"""


def test_every_failure_of_a_bad_file_is_collected_in_one_error(tmp_path):
    path = tmp_path / "facturas.csv"
    path.write_text(BAD_INVOICES, encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_table(path, "invoices")
    error = info.value
    found = {(p.column, p.rule.split(" (")[0], tuple(line for line, _ in p.examples))
             for p in error.problems}
    assert found == {
        ("amount", "is not a number", (3,)),
        ("customer_id", "is empty", (4,)),
        ("due_at", "is before issued_at", (5,)),
        ("invoice_id", "has duplicate values", (2, 6)),
        ("amount", "is below 0", (7,)),
        ("issued_at", "is not a date", (8,)),
    }
    assert all(p.table == "invoices" and p.location_kind == "line" for p in error.problems)
    text = str(error)
    assert text.startswith(f"{path}: 6 problems found")
    for line in ("line 3: 'abc'", "line 4: ''", "line 7: -5.0", "line 8: 'fecha'"):
        assert line in text
    # the non-number in line 3 is reported once, not again as an empty amount
    assert sum("column 'amount'" in row for row in text.splitlines()) == 2


def test_the_clean_lines_of_the_same_file_load(tmp_path):
    path = tmp_path / "facturas.csv"
    path.write_text("\n".join(BAD_INVOICES.splitlines()[:2]) + "\n", encoding="utf-8")
    invoices = io.read_table(path, "invoices")
    assert invoices["invoice_id"].tolist() == ["F1"]
    assert invoices["amount"].tolist() == [100.0]
