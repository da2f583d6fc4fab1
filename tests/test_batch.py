"""End-to-end tests of the engagement runner with real papermill kernels."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest
from batch_support import OTHER_TX, TEST_NOTEBOOKS, make_engagement, results

from crmlib import batch
from crmlib.batch import _kernels
from crmlib.store import open_store

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("batch_e2e")]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("eng")
    eng = make_engagement(base, [
        {"id": "alfa", "name": "Alfa <b>&Co</b>"},
        {"id": "beta", "language": "en", "tx": OTHER_TX,
         "stage_parameters": {"01_tiny": {"scale": 2, "top_n": 1}}},
    ], stages=("01_tiny", "02_tail", "03_not_written_yet"))
    out = base / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    return eng, out, manifest


def test_every_job_completes_with_its_outputs(first_run):
    _, out, manifest = first_run
    assert list(zip(manifest["client_id"], manifest["stage"])) == [
        ("alfa", "01_tiny"), ("alfa", "02_tail"), ("beta", "01_tiny"), ("beta", "02_tail")]
    assert (manifest["status"] == "completed").all()
    assert (manifest["action"] == "executed").all()
    for client in ("alfa", "beta"):
        for stage in ("01_tiny", "02_tail"):
            folder = out / client / stage
            for name in (f"{stage}.ipynb", f"{stage}.html", "results.json", "job.json"):
                assert (folder / name).is_file(), folder / name
    assert (out / "alfa" / "01_tiny" / "tables.xlsx").is_file()
    assert (out / "manifest.csv").is_file() and (out / "summary.txt").is_file()
    assert (out / "results.duckdb").is_file()
    # nothing left under a temporary name
    assert not [p for p in out.rglob(".*") if p.name != ".gitkeep"]


def test_manifest_records_hashes_versions_and_paths(first_run):
    _, out, manifest = first_run
    on_disk = pd.read_csv(out / "manifest.csv", keep_default_na=False)
    assert len(on_disk) == 4
    assert on_disk["run_id"].tolist() == manifest["run_id"].tolist()
    assert on_disk["run_id"].nunique() == 1
    assert (out / "runs" / f"{on_disk['run_id'][0]}.csv").is_file()
    assert set(on_disk["crmlib_version"]) == {__import__("crmlib").__version__}
    assert on_disk["parameter_hash"].str.fullmatch(r"[0-9a-f]{64}").all()
    # beta's 01_tiny has its own parameters, so its parameter hash differs from alfa's
    ph = dict(zip(on_disk["client_id"] + "/" + on_disk["stage"], on_disk["parameter_hash"]))
    assert ph["alfa/01_tiny"] != ph["beta/01_tiny"]
    for path in on_disk["html"]:
        assert Path(path).is_file()
    assert (on_disk["duration_s"].astype(float) > 0).all()


def test_notebook_parameters_reach_the_kernel(first_run):
    _, out, _ = first_run
    # alfa: 100 + 50.5 + 20 (batch_support.GOOD_TX); beta: (400 + 600) * scale 2
    assert results(out, "alfa", "01_tiny")["values"]["total_amount"] == pytest.approx(170.5)
    assert results(out, "beta", "01_tiny")["values"]["total_amount"] == pytest.approx(2000.0)
    assert results(out, "beta", "01_tiny")["values"]["language"] == "en"
    assert results(out, "alfa", "02_tail")["values"]["as_of"] == "2024-12-31"
    assert results(out, "alfa", "01_tiny")["values"]["client_name"] == "Alfa <b>&Co</b>"


def test_missing_stage_notebook_is_a_note_not_a_failure(first_run):
    _, out, manifest = first_run
    assert "03_not_written_yet" not in set(manifest["stage"])
    summary = (out / "summary.txt").read_text()
    assert "03_not_written_yet skipped" in summary
    assert "FAILED" not in summary


def test_html_report_has_cover_figures_and_no_code(first_run):
    _, out, _ = first_run
    html = (out / "alfa" / "01_tiny" / "01_tiny.html").read_text(encoding="utf-8")
    assert 'id="crm-cover"' in html
    assert "Alfa &lt;b&gt;&amp;Co&lt;/b&gt;" in html and "<b>&Co</b>" not in html
    assert "31 de diciembre de 2024" in html and "Fecha de corte" in html
    assert "<img" in html and "data:image/png;base64" in html
    assert "<table" in html
    assert "rec.save()" not in html and "read_client_table" not in html
    assert "Editor note" not in html  # remove_cell
    assert "<script" not in html
    english = (out / "beta" / "01_tiny" / "01_tiny.html").read_text(encoding="utf-8")
    assert "Valuation date" in english


def test_results_store_holds_key_figures(first_run):
    _, out, _ = first_run
    with open_store(out / "results.duckdb", read_only=True) as st:
        data = st.read()
    row = data[(data.client_id == "beta") & (data.stage == "01_tiny") &
               (data.key == "total_amount")]
    assert row["value"].tolist() == [2000.0]
    assert set(data["engagement"]) == {"test-eng"}
    text = data[(data.client_id == "alfa") & (data.key == "client_name")]
    assert text["value_text"].tolist() == ["Alfa <b>&Co</b>"] and text["value"].isna().all()


def test_second_run_with_nothing_changed_does_no_work(first_run):
    eng, out, _ = first_run
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.ipynb")}
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    assert (manifest["action"] == "reused").all() and (manifest["status"] == "completed").all()
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.ipynb")} == before


def test_changed_data_reruns_only_that_client(first_run, tmp_path):
    eng, out, _ = first_run
    data = eng.parent / "data" / "beta" / "transactions.csv"
    data.write_text(data.read_text() + "C3,2024-04-01,1\n")
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    action = dict(zip(manifest["client_id"] + "/" + manifest["stage"], manifest["action"]))
    assert action == {"alfa/01_tiny": "reused", "alfa/02_tail": "reused",
                      "beta/01_tiny": "executed", "beta/02_tail": "executed"}
    assert results(out, "beta", "01_tiny")["values"]["total_amount"] == pytest.approx(2002.0)


def test_warm_kernels_isolate_notebooks(tmp_path):
    """State set by notebook A (variables, modules, rcParams, environment, cached module
    data) is absent in notebook B run next by the same warm-kernel engine."""
    seen = []
    for name in ("isolation_a", "isolation_b", "isolation_a", "isolation_b"):
        out = tmp_path / f"{len(seen)}"
        out.mkdir()
        pm.execute_notebook(str(TEST_NOTEBOOKS / f"{name}.ipynb"), str(out / "nb.ipynb"),
                            parameters={"output_dir": str(out)}, engine_name=_kernels.ENGINE_NAME,
                            kernel_name="python3", progress_bar=False,
                            kernel_cwd=str(TEST_NOTEBOOKS))
        seen.append(json.loads((out / "results.json").read_text())["values"])
    for probe in (seen[1], seen[3]):
        assert probe["has_leak_var"] is False
        assert probe["has_probe_module"] is False
        assert probe["has_wave"] is False
        assert probe["linewidth"] == 1.5  # matplotlib's default
        assert probe["env_leak"] is None
        assert probe["catalog_client"] == "Cliente"
    assert len({s["pid"] for s in seen}) == 4  # a process per notebook
    # ... forked from the kernel template, with the installed kernelspec (which
    # passes interpreter flags such as -Xfrozen_modules=off before -m)
    assert "crmlib.batch._zygote" in seen[1]["parent_cmdline"]
    # the preload ran silently: the notebook's own cells are numbered from 1
    nb = nbformat.read(tmp_path / "1" / "nb.ipynb", as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


def test_notebook_parameters_are_read_from_the_cell():
    params = batch.notebook_parameters(TEST_NOTEBOOKS / "01_tiny.ipynb")
    assert set(batch.STANDARD_PARAMETERS) <= set(params)
    assert params["scale"].type == "float" and params["scale"].default == 1.0
    assert params["top_n"].type == "int" and params["top_n"].default == 3
    # papermill's own parser gives up on this comment (it holds quotes and '=')
    assert params["output_dir"].help.startswith("where results.json")


def test_shards_partition_the_clients(tmp_path):
    eng = make_engagement(tmp_path, [{"id": f"c{i}"} for i in range(5)])
    seen = []
    for i in range(3):
        jobs, _, _ = batch.plan_jobs(eng, out=tmp_path / "out", shard=f"{i}/3")
        seen.append({j.client_id for j in jobs})
    assert set().union(*seen) == {f"c{i}" for i in range(5)}
    assert sum(len(s) for s in seen) == 5
    with pytest.raises(batch.ParameterError, match="shard"):
        batch.parse_shard("3/3")


def test_portfolio_runs_after_the_stages_and_reads_the_store(tmp_path):
    import shutil

    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(TEST_NOTEBOOKS / "01_tiny.ipynb", nbdir)
    shutil.copy(Path(batch.__file__).parents[2] / "notebooks" / "90_portfolio.ipynb", nbdir)
    eng = make_engagement(tmp_path, [{"id": "p1"}, {"id": "p2", "tx": OTHER_TX},
                                     {"id": "p3", "industry": "hotels"}],
                          stages=("01_tiny",), notebooks=nbdir)
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    assert manifest["stage"].tolist()[-3:] == ["90_portfolio"] * 3
    assert (manifest["status"] == "completed").all()
    # p1 and p2 share an industry: two numeric figures each (total_amount, n_rows)
    summary = results(out, "p1", "90_portfolio")["values"]["portfolio"]
    assert summary["n_compared"] == 2 and summary["n_peers"] == 2
    # p1's total (170.5) is below p2's (1000): (0 + 0.5) / 2 = 25th percentile
    table = pd.read_excel(out / "p1" / "90_portfolio" / "tables.xlsx",
                          sheet_name="Frente a la cartera")
    assert table.set_index("Cifra").loc["Total amount", "Percentil"] == 25.0
    html = (out / "p1" / "90_portfolio" / "90_portfolio.html").read_text(encoding="utf-8")
    assert "El cliente frente a la cartera" in html and "<img" in html
    # the portfolio's own figures are not stored as client figures
    with open_store(out / "results.duckdb", read_only=True) as st:
        assert set(st.read()["stage"]) == {"01_tiny"}
    again = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    assert (again["action"] == "reused").all()
