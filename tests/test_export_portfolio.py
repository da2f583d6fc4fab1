"""The portfolio report (notebook 90) reads like a report: figure names, not keys; an
honest sentence when the client's own run failed; no Python object left at its end."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import run_notebook

from crmlib import report
from crmlib.store import figure_label, open_store, portfolio_headline, portfolio_table

FIGURES = {  # (stage, key): values of p1, p2, p3
    ("02_differentiate", "clv_parameters.bgnbd.alpha"): (4.1, 6.0, 9.5),
    ("02_differentiate", "pareto.value_share_of_top"): (0.71, 0.64, 0.80),
    ("07_collections", "receivables.overdue_share"): (0.20, 0.35, 0.10),
    ("02_differentiate", "total_amount"): (170.5, 1000.0, 50.0),
}


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "results.duckdb"
    rows = [{"engagement": "e", "client_id": cid, "industry": "retail", "stage": stage,
             "key": key, "value": values[i]}
            for (stage, key), values in FIGURES.items() for i, cid in enumerate(("p1", "p2", "p3"))]
    with open_store(path) as st:
        st.upsert(rows)
    return path


@pytest.mark.parametrize("key,language,expected", [
    ("clv_parameters.bgnbd.alpha", "es", "Parámetros CLV · BG/NBD · alfa"),
    ("clv_parameters.bgnbd.alpha", "en", "CLV parameters · BG/NBD · alpha"),
    ("receivables.overdue_share", "es", "Cartera por cobrar · Proporción vencida"),
    ("pareto.value_share_of_top", "en", "Pareto · Value of the top 20%"),
    ("personalize.actions.retain", "es", "Plan de tratamiento · Acción · Retener"),
    ("total_amount", "en", "Total amount"),  # unknown to the catalogs: words, not the key
])
def test_figure_labels_come_from_the_catalog(key, language, expected):
    assert figure_label(key, language) == expected


def test_portfolio_table_names_figures_for_a_reader(store):
    table = portfolio_table(store, "p1", language="es")
    assert len(table) == len(FIGURES)
    assert not table["figure"].str.contains(r"[a-z]+_[a-z]+|\.", regex=True).any(), \
        table["figure"].tolist()
    assert "Parámetros CLV · BG/NBD · alfa" in table["figure"].tolist()


def test_a_client_without_stored_figures_is_not_told_there_are_no_other_clients(store, tmp_path):
    empty = portfolio_table(store, "failed-client", language="es")
    assert empty.empty
    text = portfolio_headline(empty, "Cliente Caído", language="es", store=store,
                              client_id="failed-client")
    assert "no tiene cifras de Cliente Caído" in text and "otros clientes" not in text
    text = portfolio_headline(empty, "Down Co", language="en", store=store,
                              client_id="failed-client")
    assert "holds no figures for Down Co" in text and "no other clients" not in text
    nothing = portfolio_headline(empty, "X", language="en", store=tmp_path / "none.duckdb",
                                 client_id="x")
    assert nothing.startswith("No figures are stored")
    # a client that is stored but alone keeps the old sentence
    with open_store(store) as st:
        st.upsert([{"client_id": "solo", "industry": "mines", "stage": "s", "key": "only_me",
                    "value": 1.0}])
    alone = portfolio_table(store, "solo", language="en")
    assert "no other clients" in portfolio_headline(alone, "Solo", language="en", store=store,
                                                    client_id="solo")


def _run(tmp_path, store, client_id, language):
    out = tmp_path / f"run-{client_id}"
    params = {"client_id": client_id, "client_name": f"Client {client_id}",
              "data_dir": str(tmp_path), "output_dir": str(out / "results"),
              "language": language, "store": str(store)}
    nb, html = run_notebook("90_portfolio", out, **params)
    page = report.report_html(out / "90_portfolio.ipynb", client=f"Client {client_id}",
                              stage="90_portfolio", date="2024-12-31", language=language)
    return nb, html, page, out


@pytest.mark.notebook
def test_portfolio_notebook_shows_names_and_ends_cleanly(tmp_path, store):
    nb, html, page, out = _run(tmp_path, store, "p1", "en")
    for text in (html, page):
        assert "CLV parameters · BG/NBD · alpha" in text
        assert "clv_parameters.bgnbd.alpha" not in text
        assert "PosixPath" not in text and str(out) not in text
    visible = [c for c in nb.cells if c.cell_type == "code"
               and "remove_cell" not in c.metadata.get("tags", [])]
    for cell in visible:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:  # a drawn figure: its text/plain twin never shows
                continue
            plain = str(data.get("text/plain", ""))
            assert not re.search(r"Path\(|<Axes|<Figure", plain), (cell.source, plain)
    wb = pd.read_excel(out / "results" / report.TABLES_FILE, sheet_name="Against the portfolio")
    assert "CLV parameters · BG/NBD · alpha" in wb["Figure"].tolist()


@pytest.mark.notebook
def test_portfolio_notebook_of_a_failed_client_says_its_figures_are_missing(tmp_path, store):
    _, html, page, _ = _run(tmp_path, store, "failed-client", "es")
    for text in (html, page):
        assert "no tiene cifras de Client failed-client" in text
        assert "otros clientes con cifras comparables" not in text


@pytest.mark.parametrize("language,text", [("es", "Sin cifras que comparar"),
                                           ("en", "No figures to compare")])
def test_percentile_chart_of_nothing_says_so_instead_of_empty_axes(store, language, text):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from crmlib.plot import plot_portfolio_percentiles

    empty = portfolio_table(store, "failed-client", language=language)
    ax = plot_portfolio_percentiles(empty, language=language)
    assert len(ax.patches) == 0 and not ax.axison
    assert any(t.get_text().startswith(text) for t in ax.texts)
    plt.close(ax.figure)
