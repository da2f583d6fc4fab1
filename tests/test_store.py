"""The results store, on DuckDB and on a real PostgreSQL server started by the fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_support import PostgresServer, find_pg_bin, results
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crmlib.exceptions import ParameterError
from crmlib.store import (
    COLUMNS,
    DuckDBStore,
    PostgresStore,
    compare_with_portfolio,
    duckdb_problem,
    open_store,
    set_aside,
    split_password,
)


@pytest.fixture(scope="module")
def postgres_server():
    bindir = find_pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
                    "Debian: apt-get install postgresql (.ci/run installs it)")
    server = PostgresServer(bindir)
    try:
        server.url = server.start()
    except Exception as exc:  # pragma: no cover - reported with the server's words  # noqa: BLE001
        server.stop()
        pytest.fail(f"could not start PostgreSQL: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def postgres_url(postgres_server):
    return postgres_server.url


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "duckdb":
        st_ = open_store(tmp_path / "results.duckdb")
        assert isinstance(st_, DuckDBStore)
    else:
        url = request.getfixturevalue("postgres_url")
        st_ = open_store(url)
        assert isinstance(st_, PostgresStore)
        with st_.conn.cursor() as cur:  # each test starts from an empty table
            cur.execute("DELETE FROM results")
        st_.conn.commit()
    yield st_
    st_.close()


def _row(client, stage, key, value=None, text=None, industry="retail"):
    return {"engagement": "e1", "client_id": client, "industry": industry, "stage": stage,
            "key": key, "value": value, "value_text": text}


def test_upsert_replaces_per_client_stage_and_key(store):
    store.upsert([_row("a", "02_differentiate", "pareto_share", 0.7),
                  _row("a", "02_differentiate", "note", text="hola"),
                  _row("b", "02_differentiate", "pareto_share", 0.5)], run_at="2024-01-01")
    store.upsert([_row("a", "02_differentiate", "pareto_share", 0.8)], run_at="2024-02-01")
    data = store.read()
    assert list(data.columns) == COLUMNS
    assert len(data) == 3
    a = data[(data.client_id == "a") & (data.key == "pareto_share")].iloc[0]
    assert a.value == 0.8 and a.run_at == "2024-02-01"
    assert data[data.key == "note"].value_text.tolist() == ["hola"]
    assert data[data.key == "note"].value.isna().all()
    assert store.read(client_id="b").key.tolist() == ["pareto_share"]


def test_non_finite_values_are_stored_as_missing(store):
    store.upsert([_row("a", "s", "k", float("nan")), _row("a", "s", "j", float("inf"))])
    assert store.read().value.isna().all()


def test_delete_one_stage(store):
    store.upsert([_row("a", "s1", "k", 1.0), _row("a", "s2", "k", 2.0)])
    store.delete(client_id="a", stage="s1")
    assert store.read().stage.tolist() == ["s2"]


def test_percentiles_by_industry_match_scipy(store):
    # four telecom clients and one hotel; values of one key
    values = {"t1": 0.2, "t2": 0.5, "t3": 0.5, "t4": 0.9}
    store.upsert([_row(c, "02_differentiate", "churn_rate", v, industry="telecom")
                  for c, v in values.items()] +
                 [_row("h1", "02_differentiate", "churn_rate", 0.1, industry="hospitality")])
    table = compare_with_portfolio(store, "t2")
    row = table.iloc[0]
    assert row.industry == "telecom" and row.n_peers == 4
    # scipy.stats.percentileofscore([0.2, 0.5, 0.5, 0.9], 0.5, kind="mean") == 50.0
    expected = stats.percentileofscore(list(values.values()), 0.5, kind="mean")
    assert row.percentile == pytest.approx(expected) == pytest.approx(50.0)
    assert (row.peer_min, row.peer_median, row.peer_max) == (0.2, 0.5, 0.9)
    assert row["rank"] == 2
    everyone = compare_with_portfolio(store, "t2", industry="").iloc[0]
    assert everyone.n_peers == 5
    assert everyone.percentile == pytest.approx(
        stats.percentileofscore([0.2, 0.5, 0.5, 0.9, 0.1], 0.5, kind="mean"))
    alone = compare_with_portfolio(store, "h1").iloc[0]
    assert alone.n_peers == 1 and np.isnan(alone.percentile)
    with pytest.raises(ParameterError, match="no figures"):
        compare_with_portfolio(store, "nobody")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=12))
def test_percentile_in_range_and_monotone(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("h") / "r.duckdb"
    with open_store(path) as s:
        s.upsert([_row(f"c{i}", "s", "k", v) for i, v in enumerate(values)])
        table = pd.concat([compare_with_portfolio(s, f"c{i}").assign(v=v)
                           for i, v in enumerate(values)])
    assert table.percentile.between(0, 100).all()
    ordered = table.sort_values("v")
    assert ordered.percentile.is_monotonic_increasing


def test_store_location_must_be_a_path_or_postgres_url(tmp_path):
    with pytest.raises(ParameterError, match="postgresql://"):
        open_store("mysql://user@host/db")
    assert compare_with_portfolio  # the readers accept a path too:
    with open_store(tmp_path / "x.duckdb") as s:
        s.upsert([_row("a", "s", "k", 1.0), _row("b", "s", "k", 2.0)])
    assert compare_with_portfolio(tmp_path / "x.duckdb", "b").percentile.tolist() == [75.0]


def _portfolio_store(path):
    with open_store(path) as s:
        s.upsert([_row("a", "02_differentiate", "churn_rate", 0.2, industry="telecom"),
                  _row("b", "02_differentiate", "churn_rate", 0.4, industry="telecom"),
                  _row("c", "02_differentiate", "churn_rate", 0.6, industry="telecom"),
                  _row("a", "06_servqual", "gap.total", -1.0, industry="telecom"),
                  _row("b", "06_servqual", "gap.total", -0.5, industry="telecom"),
                  _row("z", "06_servqual", "gap.total", 0.5, industry="hospitality")])
    return path


def test_portfolio_table_and_headline(tmp_path):
    from crmlib.store import portfolio_headline, portfolio_summary, portfolio_table

    path = _portfolio_store(tmp_path / "p.duckdb")
    table = portfolio_table(path, "b", language="en")
    assert table["stage_name"].tolist() == ["Differentiate", "Service quality (SERVQUAL)"]
    assert table["figure"].tolist() == ["Churn rate", "Gap · Total"]  # reader names, not keys
    # b is the middle of three telecom clients (0.2, 0.4, 0.6): (1 + 0.5) / 3 = 50th percentile;
    # of two for gap.total (-1.0, -0.5): (1 + 0.5) / 2 = 75th
    assert table["percentile"].tolist() == [50.0, 75.0]
    assert portfolio_summary(table) == {"n_figures": 2, "n_compared": 2, "n_peers": 3,
                                        "median_percentile": 62.5}
    assert "median percentile is 62" in portfolio_headline(table, "Beta", language="en")
    # alone in its industry: compared with every client instead
    alone = portfolio_table(path, "z", language="es")
    assert alone["peer_group"].tolist() == ["todos los sectores"]
    assert alone["percentile"].tolist() == [pytest.approx(100 * 2.5 / 3)]
    # nothing stored yet: an empty table, and a sentence that says so
    empty = portfolio_table(tmp_path / "missing.duckdb", "b")
    assert empty.empty and "Todavía no hay" in portfolio_headline(empty, "Beta")


def test_plot_portfolio_percentiles_draws_one_bar_per_compared_figure(tmp_path):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_portfolio_percentiles
    from crmlib.store import portfolio_table

    table = portfolio_table(_portfolio_store(tmp_path / "p.duckdb"), "b", language="en")
    ax = plot_portfolio_percentiles(table, language="en")
    widths = [p.get_width() for p in ax.patches]
    assert widths == [50.0, 75.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Churn rate", "Gap · Total"]
    assert ax.get_title() == "Percentile within the peer group"
    plt.close(ax.figure)


@pytest.mark.notebook
def test_portfolio_notebook_in_both_languages(tmp_path):
    from conftest import run_notebook

    store = _portfolio_store(tmp_path / "p.duckdb")
    for language, heading in (("es", "El cliente frente a la cartera"),
                              ("en", "The client against the portfolio")):
        _nb, html = run_notebook("90_portfolio", tmp_path / language, client_id="b",
                                client_name="Beta", language=language, store=str(store),
                                output_dir=str(tmp_path / language / "results"))
        assert heading in html and "<table" in html and "<img" in html
        assert "portfolio_table(" not in html
        saved = __import__("json").loads((tmp_path / language / "results" /
                                          "results.json").read_text())
        assert saved["values"]["portfolio"]["n_compared"] == 2


def test_split_password_keeps_user_host_and_database():
    assert split_password("postgresql://crm:s%40fe@db:5432/crm") == \
        ("postgresql://crm@db:5432/crm", "s@fe")
    assert split_password("postgresql+psycopg://u:p:q@h/d?sslmode=require") == \
        ("postgresql+psycopg://u@h/d?sslmode=require", "p:q")
    assert split_password("postgresql://u@h/d") == ("postgresql://u@h/d", None)
    assert split_password("reports/results.duckdb") == ("reports/results.duckdb", None)


@pytest.mark.postgres
def test_store_password_reaches_the_portfolio_kernel_but_no_saved_file(
        postgres_server, tmp_path, monkeypatch):
    """The server demands the password; the portfolio notebooks still read the store,
    and no file the run writes (executed notebooks, HTML, manifest) contains it."""
    import shutil
    import uuid

    import psycopg
    from batch_support import TEST_NOTEBOOKS, make_engagement

    from crmlib import batch

    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    password = f"Pw{uuid.uuid4().hex[:12]}"
    url = postgres_server.add_login("crm_runner", password)
    public, _ = split_password(url)
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(public).close()

    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(TEST_NOTEBOOKS / "01_tiny.ipynb", nbdir)
    shutil.copy(Path(batch.__file__).parents[2] / "notebooks" / "90_portfolio.ipynb", nbdir)
    eng = make_engagement(tmp_path, [{"id": "p1"}, {"id": "p2"}], stages=("01_tiny",),
                          notebooks=nbdir)
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False, store=url)
    assert (manifest["status"] == "completed").all(), manifest["error"].tolist()
    assert manifest["stage"].tolist().count("90_portfolio") == 2
    assert results(out, "p1", "90_portfolio")["values"]["portfolio"]["n_peers"] == 2
    executed = (out / "p1" / "90_portfolio" / "90_portfolio.ipynb").read_text(encoding="utf-8")
    assert public in executed
    leaks = [p for p in out.rglob("*") if p.is_file() and password.encode() in p.read_bytes()]
    assert leaks == []


def _filled_store(path: Path) -> bytes:
    store = DuckDBStore(path)
    store.upsert([{"engagement": "e", "client_id": f"c{i}", "industry": "x", "stage": "01_a",
                   "key": f"k{j}", "value": float(i * j)} for i in range(20) for j in range(5)])
    return path.read_bytes()


@pytest.mark.parametrize("damage", ["not_duckdb", "cut_short", "bad_block"])
def test_a_damaged_duckdb_file_is_recognised_and_set_aside_untouched(tmp_path, damage):
    path = tmp_path / "results.duckdb"
    data = _filled_store(path)
    assert duckdb_problem(path) is None  # whole: nothing to say
    if damage == "not_duckdb":
        data = b"PK\x03\x04 an Excel file saved under the wrong name" * 200
    elif damage == "cut_short":
        data = data[: len(data) // 3]
    else:  # a block of the table overwritten (its checksum no longer matches)
        data = data[:12288] + b"\xff" * 8192 + data[12288 + 8192:]
    path.write_bytes(data)
    problem = duckdb_problem(path)
    assert problem  # said in the store's own words, for the summary
    aside = set_aside(path)
    assert aside.name.startswith("results.duckdb.corrupt-") and aside.read_bytes() == data
    assert not path.exists()
    assert duckdb_problem(path) is None  # absent: a new store can start there


def test_a_customer_view_round_trips_through_a_duckdb_file(tmp_path):
    import view_support as S

    from crmlib.store import VIEW_TYPES, open_store
    from crmlib.view import customer_view

    view = customer_view(S.transactions(), customers=S.customers(),
                         interactions=S.interactions(), invoices=S.invoices(), as_of=S.AS_OF,
                         clv_time_unit=None)
    path = tmp_path / "r.duckdb"
    with open_store(path) as st:
        assert st.put_view("c1", view, engagement="e1") == len(view)
        st.put_view("c2", view.head(2))
        st.put_view("c2", view.head(3))  # replaces, does not add
    with open_store(path, read_only=True) as st:
        back = st.read_view(client_id="c1")
        assert len(st.read_view(client_id="c2")) == 3
    assert list(back.columns) == ["engagement", "client_id", *VIEW_TYPES]
    by = back.set_index("customer_id")
    assert by.loc["steady", "pareto_class"] == "A" and bool(by.loc["decl", "is_decliner"])
    assert by.loc["steady", "overdue_status"] == "high"
    assert by.loc["steady", "n_open_complaints"] == 1
    assert by.loc["old_big", "value_all_time"] == 36000 and by.loc["old_big", "value"] == 0
    assert by.loc["newbie", "p_alive"] is None or np.isnan(by.loc["newbie", "p_alive"])
    assert by.loc["steady", "name"] == "Cliente steady"


def test_reading_a_view_from_a_store_without_one_is_empty(tmp_path):
    from crmlib.store import open_store

    with open_store(tmp_path / "r.duckdb") as st:
        st.upsert([{"client_id": "c", "stage": "s", "key": "k", "value": 1.0}])
    with open_store(tmp_path / "r.duckdb", read_only=True) as st:
        assert st.read_view().empty


def test_a_verdict_added_to_the_view_later_is_stored_too(tmp_path):
    import view_support as S

    from crmlib.store import open_store
    from crmlib.view import customer_view

    view = customer_view(S.transactions(), as_of=S.AS_OF, clv_time_unit=None)
    path = tmp_path / "r.duckdb"
    with open_store(path) as st:
        st.put_view("c1", view)
        st.put_view("c2", view.assign(share_of_wallet=0.5, funnel_step="loyal",
                                      **{"Bad name": 1}))
    with open_store(path, read_only=True) as st:
        both = st.read_view()
    assert list(both.columns[-2:]) == ["share_of_wallet", "funnel_step"]
    by = both.set_index("client_id")
    assert by.loc["c2", "share_of_wallet"].eq(0.5).all()
    assert by.loc["c1", "funnel_step"].isna().all()
    assert "Bad name" not in both.columns
