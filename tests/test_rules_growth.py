"""Growth potential never lists a decliner: a customer whose spend collapsed in the last months
is to be visited (source 004: the decliner is moving to a competitor), not developed."""

from __future__ import annotations

import pandas as pd

from crmlib import differentiate as dif

AS_OF = "2024-12-31"


def _tx():
    rows = []
    # grew a lot over the year, then bought almost nothing in the last three months
    for d in pd.date_range("2023-01-05", "2023-12-28", freq="14D"):
        rows.append(("slump", d, 50.0))
    for d in pd.date_range("2024-01-04", "2024-09-26", freq="7D"):
        rows.append(("slump", d, 120.0))
    rows.append(("slump", pd.Timestamp("2024-11-20"), 5.0))
    # grows steadily to the end: real growth potential
    for d in pd.date_range("2023-01-05", "2023-12-28", freq="14D"):
        rows.append(("riser", d, 50.0))
    for d in pd.date_range("2024-01-04", "2024-12-26", freq="7D"):
        rows.append(("riser", d, 80.0))
    return pd.DataFrame([{"customer_id": c, "date": d, "amount": a, "quantity": 1,
                          "channel": "store", "invoice_id": f"T{i}"}
                         for i, (c, d, a) in enumerate(rows)])


def test_a_decliner_is_not_growth_potential():
    tx = _tx()
    assert "slump" in set(dif.decliners(tx, as_of=AS_OF)["customer_id"])
    growth = dif.growth_potential(tx, as_of=AS_OF)
    assert set(growth["customer_id"]) == {"riser"}
    assert growth.attrs["decliners_left_out"] == ["slump"]


def test_the_decliner_rule_follows_the_decliner_parameters():
    tx = _tx()
    # with a threshold no recent spend falls under, nobody is a decliner and both grow
    loose = dif.growth_potential(tx, as_of=AS_OF, decliner_threshold=0.001)
    assert set(loose["customer_id"]) == {"slump", "riser"}
    assert loose.attrs["decliners_left_out"] == []
