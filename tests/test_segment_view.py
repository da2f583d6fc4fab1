"""The segments stage's verdicts in the customer view."""

from __future__ import annotations

import pandas as pd
import pytest
import view_support as S

from crmlib import segment as sg
from crmlib.exceptions import DataError
from crmlib.view import METHOD_COLUMNS, VIEW_COLUMNS, customer_view, join_method, method_view


@pytest.fixture(scope="module")
def method_tables():
    tx = S.transactions()
    base = sg.customer_base(S.customers(), tx)
    types = sg.customer_types(base, tx, as_of=S.AS_OF)
    buyers = sorted(tx["customer_id"].dropna().astype(str).unique())
    segments = pd.DataFrame({"customer_id": buyers[:2], "segment": [2, 1]})
    wallet = sg.share_of_wallet(tx, segments=segments, as_of=S.AS_OF)
    funnel = sg.funnel_steps(base, tx, interactions=S.interactions(), segments=segments,
                             wallet=wallet, as_of=S.AS_OF)
    return tx, types, segments, wallet, funnel


def test_customer_view_joins_segment_wallet_funnel_and_type_at_the_end(method_tables):
    tx, types, segments, wallet, funnel = method_tables
    plain = customer_view(tx, customers=S.customers(), as_of=S.AS_OF, clv_time_unit=None)
    view = customer_view(tx, customers=S.customers(), as_of=S.AS_OF, clv_time_unit=None,
                         segments=segments, wallet=wallet, funnel=funnel,
                         customer_types=types)
    added = [c for cols in METHOD_COLUMNS.values() for c in cols]
    assert list(view.columns) == list(plain.columns) + added
    pd.testing.assert_frame_equal(view[list(plain.columns)], plain)
    v = view.set_index("customer_id")
    for cid, seg in zip(segments["customer_id"], segments["segment"]):
        assert v.loc[cid, "needs_segment"] == seg
    others = v.index.difference(segments["customer_id"])
    assert v.loc[others, "needs_segment"].isna().all()
    w = wallet.set_index("customer_id")
    for cid in w.index.intersection(v.index):
        assert v.loc[cid, "share_of_wallet"] == pytest.approx(w.loc[cid, "share_of_wallet"])
    f = funnel.set_index("customer_id")["funnel_step"]
    assert (v["funnel_step"] == f.reindex(v.index)).all()
    ty = types.set_index("customer_id")["customer_type"]
    assert set(v["customer_type"]) <= {"active", "inactive"}  # the view lists buyers only
    assert (v["customer_type"] == ty.reindex(v.index)).all()
    assert plain.columns.tolist() == [c for cols in VIEW_COLUMNS.values() for c in cols]


def test_method_view_keeps_prospects_and_only_given_columns(method_tables):
    _, types, segments, _, funnel = method_tables
    out = method_view(types, segments=segments, funnel=funnel)
    assert len(out) == len(types)
    assert "share_of_wallet" not in out.columns
    assert {"needs_segment", "funnel_step", "customer_type"} <= set(out.columns)
    assert (out.loc[out["customer_type"] == "prospect", "needs_segment"].isna()).all()
    # a customer without a segment leaves the others whole: "1" in a report, not "1,00"
    assert out["needs_segment"].isna().any() and str(out["needs_segment"].dtype) == "Int64"
    from crmlib.i18n import format_table

    shown = format_table(out[["customer_id", "needs_segment"]].dropna(), "es")
    assert not shown.iloc[:, 1].str.contains(",").any()


def test_join_names_a_table_without_its_columns():
    view = pd.DataFrame({"customer_id": ["a"]})
    with pytest.raises(DataError, match="funnel_step"):
        join_method(view, funnel=pd.DataFrame({"customer_id": ["a"]}))
