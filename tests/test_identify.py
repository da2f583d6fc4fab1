"""Tests of crmlib.identify: normalising, matching, overrides, master, quality, card.

The expected merges are worked out by hand from the rules documented in
``crmlib.identify.match_candidates`` on small tables built here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmlib import identify as idf
from crmlib.exceptions import DataError, ParameterError

ROOT = Path(__file__).resolve().parents[1]


def _customers() -> pd.DataFrame:
    """Two sources with known duplicates.

    Same customer: crm:1 / erp:A1 (e-mail case, phone with country code, name order),
    crm:3 / erp:A3 (legal suffix and tax id punctuation), crm:2 / erp:A2 (typo in
    name, same city). Different: crm:4 / erp:A4 (namesakes in other cities),
    crm:5 (alone), crm:6 / erp:A6 (similar companies with different tax ids).
    """
    return pd.DataFrame({
        "customer_id": ["1", "2", "3", "4", "5", "6", "A1", "A2", "A3", "A4", "A6"],
        "source": ["crm"] * 6 + ["erp"] * 5,
        "name": ["Juan Pérez", "María García", "Ferretería López S.A.", "Andrea Torres",
                 "Pedro Soto", "Comercial Sur Ltda.", "PEREZ, JUAN", "Maria Garsia",
                 "Ferreteria Lopez SA", "Andrea Torres", "Comercial Sur S.A."],
        "kind": ["person", "person", "company", "person", "person", "company", "person",
                 "person", "company", "person", "company"],
        "email": ["JUAN@MAIL.COM", "maria@x.com", None, "andrea@a.com", "pedro@@x",
                  "info@sur.cl", "juan@mail.com", None, "ventas@lopez.cl", "andrea2@b.com",
                  None],
        "phone": ["+56 9 8765 4321", None, "22 345 6789", None, "12", None, "987654321",
                  "555-1234567", None, None, None],
        "tax_id": [None, None, "76.123.456-7", None, None, "77.777.001-1", None, None,
                   "761234567", None, "78.888.002-2"],
        "city": ["Santiago", "Lima", "Santiago", "Quito", "Lima", "Temuco", "Santiago", "Lima",
                 "Santiago", "Cuenca", "Temuco"],
        "created_at": pd.to_datetime(["2020-01-01", "2021-03-01", "2019-05-05", "2022-01-01",
                                      "2018-01-01", "2020-06-06", "2023-01-01", "2021-04-01",
                                      "2023-02-02", "2022-02-02", "2020-07-07"]),
    })


def _partition(links: pd.DataFrame) -> set[frozenset]:
    return {frozenset(g["record_key"]) for _, g in links.groupby("master_id")}


# --------------------------------------------------------------------------- normalising


def test_normalize_keys():
    norm = idf.normalize_customers(_customers()).set_index("record_key")
    assert norm.loc["crm:1", "email_norm"] == "juan@mail.com"
    assert norm.loc["crm:1", "phone_norm"] == norm.loc["erp:A1", "phone_norm"] == "987654321"
    assert norm.loc["crm:3", "name_norm"] == norm.loc["erp:A3", "name_norm"] == \
        "ferreteria lopez"
    assert norm.loc["crm:3", "tax_id_norm"] == norm.loc["erp:A3", "tax_id_norm"] == "761234567"
    assert norm.loc["erp:A1", "name_norm"] == "perez juan"
    # invalid values become missing keys
    assert norm.loc["crm:5", "email_norm"] is None
    assert norm.loc["crm:5", "phone_norm"] is None
    assert list(norm.index) == sorted(norm.index)


@pytest.mark.parametrize("raw, expected", [
    ("Comercial Andes S.A. de C.V.", "comercial andes"),
    ("Textiles Norte, S. L.", "textiles norte"),
    ("Agro Sur SRL", "agro sur"),
    ("Importadora Pacífico Ltda.", "importadora pacifico"),
    ("Acme Inc.", "acme"),
    ("Lopez y Cía.", "lopez"),
])
def test_legal_suffixes_removed_for_companies(raw, expected):
    df = pd.DataFrame({"customer_id": ["1"], "name": [raw]})
    norm = idf.normalize_customers(df)
    assert norm["name_norm"].iloc[0] == expected
    assert norm["kind_filled"].iloc[0] == "company"


def test_person_names_keep_suffix_like_tokens_and_lose_honorifics():
    df = pd.DataFrame({"customer_id": ["1", "2"], "name": ["Ana Sa", "Sra. Ana Ruiz"],
                       "kind": ["person", "person"]})
    norm = idf.normalize_customers(df)
    assert list(norm["name_norm"]) == ["ana sa", "ana ruiz"]


@pytest.mark.parametrize("a, b", [
    ("+56 9 8765 4321", "98765-4321"),
    ("0034 612 345 678", "612345678"),
    ("(+57) 300 123 4567", "3001234567"),
])
def test_phone_prefixes_do_not_block_a_match(a, b):
    df = pd.DataFrame({"customer_id": ["1", "2"], "name": ["X Uno", "X Uno"], "phone": [a, b]})
    norm = idf.normalize_customers(df)
    assert norm["phone_norm"].iloc[0] == norm["phone_norm"].iloc[1] is not None


def test_source_defaults_and_record_keys():
    df = pd.DataFrame({"customer_id": [7, 8], "name": ["A Uno", "B Dos"]})
    norm = idf.normalize_customers(df)
    assert list(norm["record_key"]) == ["customers:7", "customers:8"]


# --------------------------------------------------------------------------- matching


def test_known_duplicates_give_the_expected_partition():
    result = idf.consolidate(_customers())
    assert _partition(result.links) == {
        frozenset({"crm:1", "erp:A1"}), frozenset({"crm:2", "erp:A2"}),
        frozenset({"crm:3", "erp:A3"}), frozenset({"crm:4"}), frozenset({"erp:A4"}),
        frozenset({"crm:5"}), frozenset({"crm:6"}), frozenset({"erp:A6"}),
    }
    pairs = result.pairs.set_index(["left_key", "right_key"])
    assert pairs.loc[("crm:1", "erp:A1"), "rule"] == "same_email"
    assert pairs.loc[("crm:3", "erp:A3"), "rule"] == "same_tax_id"
    assert pairs.loc[("crm:2", "erp:A2"), "rule"] == "similar_name_same_city"
    assert pairs.loc[("crm:4", "erp:A4"), "decision"] == "keep_apart"
    assert pairs.loc[("crm:6", "erp:A6"), "rule"] == "different_tax_id"
    s = result.summary()
    assert (s["n_records"], s["n_master"], s["n_duplicates"]) == (11, 8, 3)
    assert result.duplicate_rate == pytest.approx(3 / 11)


def test_namesakes_in_different_cities_stay_apart():
    # Rule documented in match_candidates: a name-only match needs the same city.
    df = pd.DataFrame({"customer_id": ["1", "2", "3"], "name": ["Luis Rojas"] * 3,
                       "city": ["Lima", "Cusco", "Lima"]})
    result = idf.consolidate(df)
    assert _partition(result.links) == {frozenset({"customers:1", "customers:3"}),
                                        frozenset({"customers:2"})}
    rules = set(result.pairs["rule"])
    assert rules == {"similar_name_other_city", "similar_name_same_city"}


def test_shared_mailbox_with_other_name_goes_to_review():
    df = pd.DataFrame({"customer_id": ["1", "2"], "name": ["Juan Perez", "Maria Perez"],
                       "email": ["casa@mail.com", "casa@mail.com"]})
    result = idf.consolidate(df)
    assert result.pairs["rule"].tolist() == ["same_email_other_name"]
    assert result.pairs["decision"].tolist() == ["review"]
    assert result.n_master == 2


def test_namesakes_with_other_contacts_stay_apart_and_one_conflict_is_reviewed():
    df = pd.DataFrame({"customer_id": ["1", "2", "3"], "name": ["Harry Taylor"] * 3,
                       "city": ["York"] * 3,
                       "email": ["h1@x.com", "h2@x.com", "h3@x.com"],
                       "phone": ["+44 7700 900111", "+44 7700 900222", None]})
    pairs = idf.consolidate(df).pairs.set_index(["left_key", "right_key"])["rule"]
    assert pairs[("customers:1", "customers:2")] == "similar_name_other_contacts"
    assert pairs[("customers:1", "customers:3")] == "similar_name_contact_conflict"
    assert pairs[("customers:2", "customers:3")] == "similar_name_contact_conflict"


def test_similar_name_without_city_goes_to_review():
    df = pd.DataFrame({"customer_id": ["1", "2"], "name": ["Carolina Vega", "Carolina Vega"],
                       "city": ["Lima", None]})
    result = idf.consolidate(df)
    assert result.pairs["rule"].tolist() == ["similar_name_no_city"]
    assert result.n_master == 2


def test_too_common_value_is_not_evidence():
    df = pd.DataFrame({"customer_id": [str(k) for k in range(4)],
                       "name": ["Ana Uno", "Beto Dos", "Ciro Tres", "Dora Cuatro"],
                       "email": ["ventas@empresa.com"] * 4})
    result = idf.consolidate(df, max_group=3)
    assert result.n_master == 4
    assert result.pairs.attrs["too_common"] == {"email": ["ventas@empresa.com"]}


def test_transitive_matches_merge():
    # A~B share an e-mail, B~C share a phone, A and C share nothing: one customer.
    df = pd.DataFrame({
        "customer_id": ["A", "B", "C"], "source": ["web", "crm", "erp"],
        "name": ["Rosa Díaz", "Rosa Díaz Soto", "Díaz Soto, R."],
        "email": ["rosa@d.com", "rosa@d.com", None],
        "phone": [None, "+51 987 111 222", "987111222"],
    })
    result = idf.consolidate(df)
    merges = set(zip(*result.pairs.loc[result.pairs["decision"] == "merge",
                                       ["left_key", "right_key"]].T.values))
    assert merges == {("crm:B", "web:A"), ("crm:B", "erp:C")}
    assert result.n_master == 1
    assert result.master["n_records"].iloc[0] == 3
    assert result.master["sources"].iloc[0] == "crm;erp;web"


def test_chain_never_joins_two_tax_ids():
    # B has no tax id and matches both A and C by e-mail / phone; A and C differ in tax id.
    df = pd.DataFrame({
        "customer_id": ["A", "B", "C"],
        "name": ["Lácteos del Valle", "Lacteos del Valle", "Lacteos del Valle"],
        "tax_id": ["76.543.210-K", None, "79.876.543-2"],
        "email": ["compras@valle.cl", "compras@valle.cl", None],
        "phone": [None, "223334444", "223334444"],
        "city": ["Osorno", "Osorno", "Osorno"],
    })
    result = idf.consolidate(df)
    taxes = result.master["tax_id"].dropna()
    assert taxes.is_unique and len(taxes) == 2
    assert result.n_master == 2


# --------------------------------------------------------------------------- overrides


def test_override_keep_apart_flips_a_merge():
    ov = pd.DataFrame({"left_key": ["erp:A1"], "right_key": ["crm:1"],
                       "decision": ["keep_apart"], "note": ["father and son"]})
    result = idf.consolidate(_customers(), overrides=ov)
    assert frozenset({"crm:1", "erp:A1"}) not in _partition(result.links)
    row = result.pairs.set_index(["left_key", "right_key"]).loc[("crm:1", "erp:A1")]
    assert row["decision"] == "keep_apart" and bool(row["override"]) and \
        row["note"] == "father and son" and not row["same_master"]
    assert row["rule"] == "same_email"


def test_override_merge_joins_review_and_unproposed_pairs():
    df = pd.DataFrame({"customer_id": ["1", "2", "3"],
                       "name": ["Juan Perez", "Maria Perez", "Compañía Minera"],
                       "email": ["casa@mail.com", "casa@mail.com", None]})
    ov = pd.DataFrame({"left_key": ["customers:1", "customers:3"],
                       "right_key": ["customers:2", "customers:1"],
                       "decision": ["merge", "MERGE"]})
    result = idf.consolidate(df, overrides=ov)
    assert result.n_master == 1
    manual = result.pairs[result.pairs["rule"] == "manual"]
    assert manual[["left_key", "right_key"]].values.tolist() == [["customers:1", "customers:3"]]


def test_keep_apart_override_blocks_a_transitive_chain():
    # A~B and B~C would merge all three; the consultant keeps A and C apart.
    df = pd.DataFrame({
        "customer_id": ["A", "B", "C"], "name": ["Rosa Díaz"] * 3,
        "email": ["rosa@d.com", "rosa@d.com", None],
        "phone": [None, "987111222", "987111222"],
    })
    ov = pd.DataFrame({"left_key": ["customers:A"], "right_key": ["customers:C"],
                       "decision": ["keep_apart"]})
    result = idf.consolidate(df, overrides=ov)
    where = result.links.set_index("record_key")["master_id"]
    assert where["customers:A"] != where["customers:C"]
    assert result.n_master == 2


def test_bad_overrides_name_column_rule_and_rows():
    bad = pd.DataFrame({"left_key": ["crm:1", "crm:9"], "right_key": ["erp:A1", "erp:A1"],
                        "decision": ["join", "merge"]})
    with pytest.raises(DataError) as err:
        idf.consolidate(_customers(), overrides=bad)
    text = str(err.value)
    assert "match_overrides: column 'decision' is not one of ['merge', 'keep_apart']" in text
    assert "'join'" in text
    assert "column 'left_key' is not a record key" in text and "'crm:9'" in text


def test_template_override_file_reads_empty(tmp_path):
    ov = idf.read_overrides(ROOT / "templates" / "match_overrides.csv")
    assert list(ov.columns) == ["left_key", "right_key", "decision", "note"]
    assert ov.empty
    path = tmp_path / "ov.csv"
    path.write_text((ROOT / "templates" / "match_overrides.csv").read_text(encoding="utf-8")
                    + "crm:4,erp:A4,merge,same person who moved\n", encoding="utf-8")
    result = idf.consolidate(_customers(), overrides=idf.read_overrides(path))
    assert frozenset({"crm:4", "erp:A4"}) in _partition(result.links)
    # errors in a file name its lines (line 1 is the comment, 2 the header)
    path.write_text("# comment\nleft_key,right_key,decision,note\ncrm:4,erp:A4,merge,\n"
                    "crm:5,crm:5,maybe,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        idf.consolidate(_customers(), overrides=str(path))
    text = str(err.value)
    assert text.startswith("ov.csv: 2 problems found")
    assert "column 'decision' is not one of ['merge', 'keep_apart'] - 1 of 2 rows fail " \
        "(line 4: 'maybe')" in text
    assert "column 'right_key' equals left_key - 1 of 2 rows fail (line 4: 'crm:5')" in text


# --------------------------------------------------------------------------- master


def test_master_values_follow_the_documented_rule():
    df = pd.DataFrame({
        "customer_id": ["1", "2"], "source": ["a", "b"],
        "name": ["Rosa Díaz", "ROSA DIAZ"],
        "email": ["rosa@d.com", "rosa@d.com"],
        "phone": [None, "987111222"],
        "city": ["Lima", None],
        "segment": [None, "gold"],
        "created_at": pd.to_datetime(["2020-01-01", "2023-01-01"]),
    })
    result = idf.consolidate(df)
    m = result.master.iloc[0]
    # both hold 3 valid fields; the more recent record (b:2) leads, gaps come from a:1
    assert m["primary_key"] == "b:2"
    assert (m["name"], m["phone"], m["city"], m["segment"]) == ("ROSA DIAZ", "987111222",
                                                                 "Lima", "gold")
    assert m["created_at"] == pd.Timestamp("2020-01-01")
    assert result.links.set_index("record_key")["is_primary"].to_dict() == {"a:1": False,
                                                                            "b:2": True}


def test_input_not_mutated():
    df = _customers()
    before = df.copy()
    ov = pd.DataFrame({"left_key": ["erp:A1"], "right_key": ["crm:1"],
                       "decision": ["keep_apart"]})
    ov_before = ov.copy()
    result = idf.consolidate(df, overrides=ov)
    idf.quality_profile(df, as_of="2024-12-31", links=result.links)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(ov, ov_before)


def test_bad_customers_and_parameters():
    df = _customers()
    df.loc[1, "customer_id"] = "1"
    with pytest.raises(DataError, match=r"customers: column 'customer_id' has duplicate"):
        idf.consolidate(df)
    with pytest.raises(DataError, match="column 'name' is required"):
        idf.consolidate(pd.DataFrame({"customer_id": ["1"]}))
    with pytest.raises(ParameterError, match="threshold must be a number from 50 to 100"):
        idf.match_candidates(_customers(), threshold=120)
    with pytest.raises(ParameterError, match="as_of"):
        idf.quality_profile(_customers(), as_of="not a date")


names = st.sampled_from(["Juan Perez", "Juan Peres", "Maria Lopez", "Ana Ruiz", "Ana Ruis",
                         "Luis Rojas", "Ferreteria Sur SA", "Ferretería Sur", "Pedro Soto"])
cities = st.sampled_from(["Lima", "Quito", None])
emails = st.sampled_from(["a@x.com", "b@x.com", "A@X.COM", None, "bad@"])
phones = st.sampled_from(["987654321", "+51 987 654 321", "912345678", None])
taxes = st.sampled_from(["76.543.210-K", "76543210k", "79.876.543-2", None])


@st.composite
def customer_tables(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    rows = [{"customer_id": str(k), "source": draw(st.sampled_from(["crm", "erp"])),
             "name": draw(names), "city": draw(cities), "email": draw(emails),
             "phone": draw(phones), "tax_id": draw(taxes)} for k in range(n)]
    return pd.DataFrame(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customer_tables(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_partition(df, rnd):
    order = list(range(len(df)))
    rnd.shuffle(order)
    a = idf.consolidate(df)
    b = idf.consolidate(df.iloc[order].reset_index(drop=True))
    assert _partition(a.links) == _partition(b.links)
    pd.testing.assert_frame_equal(a.master, b.master)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


@settings(max_examples=25, deadline=None)
@given(customer_tables())
def test_every_record_in_exactly_one_master(df):
    result = idf.consolidate(df)
    assert result.links["record_key"].is_unique
    assert len(result.links) == len(df)
    assert set(result.links["master_id"]) == set(result.master["master_id"])
    assert result.master["n_records"].sum() == len(df)
    assert result.master["master_id"].is_unique
    # a master never holds two different tax ids
    norm = idf.normalize_customers(df).merge(result.links, on="record_key")
    assert (norm.groupby("master_id")["tax_id_norm"].nunique() <= 1).all()
    # merged pairs share a master; keep-apart pairs never do
    apart = result.pairs[result.pairs["decision"] == "keep_apart"]
    assert not apart["same_master"].any()


# --------------------------------------------------------------------------- quality


def test_quality_profile_hand_example():
    c = _customers()
    tx = pd.DataFrame({
        "customer_id": ["1", "A1", "2", "4"],
        "date": pd.to_datetime(["2024-06-01", "2022-01-01", "2024-01-15", "2023-12-31"]),
        "amount": [10.0, 20.0, 30.0, 40.0],
    })
    q = idf.quality_profile(c, tx, as_of="2024-12-31", stale_months=12)
    q = q.set_index(["check", "field"])
    # completeness: email 8 of 11 present, phone 5, tax_id 4
    assert q.loc[("completeness", "email"), ["n_ok", "n_problem"]].tolist() == [8, 3]
    assert q.loc[("completeness", "phone"), ["n_ok", "n_problem"]].tolist() == [5, 6]
    assert q.loc[("completeness", "tax_id"), "n_ok"] == 4
    # validity: 'pedro@@x' is the one bad e-mail, '12' the one bad phone
    assert q.loc[("validity", "email"), ["n_checked", "n_ok", "n_problem"]].tolist() == [8, 7, 1]
    assert q.loc[("validity", "phone"), ["n_checked", "n_problem"]].tolist() == [5, 1]
    # stale (cut-off 2023-12-31): active are crm:1 (tx 2024-06), crm:2 (tx 2024-01),
    # crm:4 (tx on the cut-off day itself); erp:A1 and erp:A3 were created in early 2023,
    # before the cut-off, so they are stale like every record without a recent date.
    rq = idf.record_quality(c, tx, as_of="2024-12-31").set_index("record_key")
    assert rq.loc["crm:1", "last_activity"] == pd.Timestamp("2024-06-01")
    # erp:A1 bought in 2022 but was created in 2023: the later date counts
    assert rq.loc["erp:A1", "last_activity"] == pd.Timestamp("2023-01-01")
    assert set(rq.index[~rq["stale"]]) == {"crm:1", "crm:2", "crm:4"}
    # with the links, erp:A1 and erp:A2 share the recent purchases of crm:1 and crm:2
    links = idf.consolidate(c).links
    rq = idf.record_quality(c, tx, as_of="2024-12-31", links=links).set_index("record_key")
    assert set(rq.index[~rq["stale"]]) == {"crm:1", "crm:2", "crm:4", "erp:A1", "erp:A2"}
    assert rq.loc["erp:A1", "last_activity"] == pd.Timestamp("2024-06-01")
    assert q.loc[("stale", ""), ["n_ok", "n_problem"]].tolist() == [5, 6]
    assert q.loc[("duplicate", ""), ["n_ok", "n_problem"]].tolist() == [8, 3]
    assert q["share_ok"].between(0, 1).all()
    figures = idf.quality_figures(q.reset_index())
    assert figures["invalid_email"] == 1 and figures["stale_records"] == 6
    assert figures["completeness_email"] == pytest.approx(8 / 11)


def test_revenue_identification():
    result = idf.consolidate(_customers())
    tx = pd.DataFrame({
        "customer_id": ["1", "A1", None, "zz", "3", "3"],
        "date": pd.to_datetime(["2024-01-01"] * 6),
        "amount": [100.0, 50.0, 20.0, 10.0, 30.0, -10.0],
    })
    table = idf.revenue_identification(tx, result.links).set_index("status")
    assert table.loc["identified", "revenue"] == 170.0
    assert table.loc["identified", "n_customer_ids"] == 3
    assert table.loc["unknown", "revenue"] == 10.0
    assert table.loc["anonymous", "n_lines"] == 1
    assert table["share"].sum() == pytest.approx(1.0)
    assert idf.identified_revenue_share(tx, result.links) == pytest.approx(170 / 200)
    # restricted to one source, erp ids are the only ones known
    assert idf.identified_revenue_share(tx, result.links, source="erp") == \
        pytest.approx(50 / 200)


def test_ids_shared_by_two_sources_are_ambiguous():
    df = pd.DataFrame({"customer_id": ["7", "7"], "source": ["crm", "erp"],
                       "name": ["Ana Ruiz", "Pablo Soto"]})
    links = idf.consolidate(df).links
    tx = pd.DataFrame({"customer_id": ["7", "7"], "date": pd.to_datetime(["2024-01-01"] * 2),
                       "amount": [10.0, 30.0]})
    table = idf.revenue_identification(tx, links).set_index("status")
    assert table.loc["ambiguous", "revenue"] == 40.0
    assert table.loc["identified", "revenue"] == 0.0
    # naming the source the sales come from settles it
    assert idf.identified_revenue_share(tx, links, source="erp") == 1.0


def test_profile_card_of_most_valuable_customer():
    result = idf.consolidate(_customers())
    tx = pd.DataFrame({
        "customer_id": ["1", "A1", "A1", "3", "2"],
        "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-03-01", "2024-02-01",
                                "2025-02-01"]),
        "amount": [100.0, 50.0, 25.0, 30.0, 999.0],
    })
    it = pd.DataFrame({
        "interaction_id": ["t1", "t2", "t3"], "customer_id": ["A1", "1", "3"],
        "opened_at": pd.to_datetime(["2024-04-01", "2024-05-01", "2024-05-05"]),
        "closed_at": pd.to_datetime(["2024-04-02", None, "2024-05-06"]),
        "kind": ["complaint", "request", "praise"], "channel": ["phone", "email", "web"],
    })
    # the 999 purchase is after as_of, so crm:1/erp:A1 is the most valuable
    top = idf.most_valuable_master(tx, result.links, as_of="2024-12-31")
    assert top == result.links.set_index("record_key").loc["crm:1", "master_id"]
    card = idf.profile_card("erp:A1", result.master, result.links, tx, it, as_of="2024-12-31")
    values = dict(zip(card["field"], card["value"]))
    assert values["master_id"] == top
    assert values["email"] == "juan@mail.com"
    assert values["record_keys"] == "crm:1;erp:A1"
    assert values["n_purchases"] == 2 and values["net_value"] == 175.0
    assert values["first_purchase"] == pd.Timestamp("2024-01-01")
    assert values["days_since_last"] == (pd.Timestamp("2024-12-31")
                                         - pd.Timestamp("2024-03-01")).days
    assert values["n_interactions"] == 2 and values["n_complaints"] == 1
    assert values["n_open"] == 1
    assert values["last_contact_1"] == "2024-05-01 · request · email"
    assert set(card["section"]) == {"identity", "contact", "sources", "purchases", "contacts"}
    readable = idf.card_table(card, "en")
    assert list(readable.columns) == ["Section", "Field", "Value"]
    assert "Net value" in set(readable["Field"]) and "175.00" in set(readable["Value"])
    assert "175,00" in set(idf.card_table(card, "es")["Valor"])
    with pytest.raises(ParameterError, match="key must be a master_id"):
        idf.profile_card("nobody", result.master, result.links, as_of="2024-12-31")


def test_rule_counts_and_readable_tables():
    result = idf.consolidate(_customers())
    counts = idf.rule_counts(result.pairs)
    assert counts["n_pairs"].sum() == len(result.pairs)
    assert list(counts["rule"]) == [r for r in idf.RULES if r in set(counts["rule"])]
    merged = counts.set_index("rule")["n_merged"]
    assert merged["same_tax_id"] == 1 and merged["different_tax_id"] == 0
    es = idf.match_report_table(result.pairs, "es", decisions=("merge",))
    assert set(es["Decisión"]) == {"Fusionar"}
    en = idf.readable(idf.source_counts(_customers()), "en")
    assert list(en.columns[:3]) == ["Source", "Records (n)", "Share"]
    assert "50,0\u00a0%" in idf.headline(result, "es", revenue_share=0.5)  # es_ES: no-break space
    assert "50.0%" in idf.headline(result, "en", revenue_share=0.5)


def test_every_rule_and_decision_has_texts():
    from crmlib.i18n import t

    # t() raises KeyError for a key missing from the catalog
    for lang in ("es", "en"):
        for rule in idf.RULES:
            assert t(f"identify.rule.{rule}", lang).strip()
        for decision in idf.DECISIONS:
            assert t(f"identify.decision.{decision}", lang).strip()


# --------------------------------------------------------------------------- plots


def test_plots_draw_what_the_tables_say():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_completeness, plot_match_rules, plot_match_scores

    c = _customers()
    result = idf.consolidate(c)
    q = idf.quality_profile(c, as_of="2024-12-31", links=result.links)
    ax = plot_completeness(q, language="en")
    ax.figure.canvas.draw()
    comp = q[q["check"] == "completeness"]
    widths = [p.get_width() for p in ax.patches][::-1]
    assert widths == pytest.approx(list(comp["share_ok"]))  # shares on a percent axis
    assert [tk.get_text() for tk in ax.get_yticklabels()][::-1][0] == "Name"
    plt.close(ax.figure)

    counts = idf.rule_counts(result.pairs)
    ax = plot_match_rules(counts, language="es")
    ax.figure.canvas.draw()
    assert [p.get_width() for p in ax.patches][::-1] == list(counts["n_pairs"])
    assert "Misma identificación fiscal" in [tk.get_text() for tk in ax.get_yticklabels()]
    plt.close(ax.figure)

    ax = plot_match_scores(result.pairs, language="en")
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == result.pairs["score"].notna().sum()
    plt.close(ax.figure)
