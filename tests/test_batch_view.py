"""The customer view a run records goes into the results store, and reads back from the
real DuckDB file with its verdicts."""

from __future__ import annotations

import pandas as pd
import pytest
from batch_support import ROOT, make_engagement

from crmlib import batch, store

VIEW_NOTEBOOKS = ROOT / "tests" / "data" / "view_notebooks"
TX = ("customer_id,date,amount\nC1,2024-01-05,100\nC1,2024-06-05,120\nC1,2024-11-05,130\n"
      "C2,2024-02-01,50.5\nC3,2022-03-01,900\n")


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.xdist_group("batch_e2e")
def test_the_customer_view_is_stored_and_reads_back_from_the_duckdb_file(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "alfa", "tx": TX}, {"id": "beta", "tx": TX}],
                          stages=("04_view",), notebooks=VIEW_NOTEBOOKS)
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False,
                                    portfolio=False)
    assert len(manifest) == 2 and (manifest["status"] == "completed").all(), \
        manifest["error"].tolist()
    recorded = store.read_tables(out / "alfa" / "04_view" / store.TABLES_FOLDER)
    view = recorded["customer_view"]
    with store.open_store(out / "results.duckdb", read_only=True) as st:
        back = st.read_view(client_id="alfa")
        both = st.read_view()
    assert back["customer_id"].tolist() == view["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert set(both["client_id"]) == {"alfa", "beta"} and len(both) == 6
    assert (back["engagement"] == "test-eng").all()
    pd.testing.assert_series_equal(back["value"], view["value"].astype(float),
                                   check_names=False)
    assert back["pareto_class"].tolist() == view["pareto_class"].tolist()
    # C3 bought only in 2022: no value on the last year's window, lost
    c3 = back.set_index("customer_id").loc["C3"]
    assert c3["value"] == 0 and c3["lifecycle"] == "lost" and not c3["is_most_valuable"]
    assert c3["value_all_time"] == 900
    # a second run replaces the client's view rather than adding to it
    batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False, portfolio=False,
                         force=True)
    with store.open_store(out / "results.duckdb", read_only=True) as st:
        assert len(st.read_view(client_id="alfa")) == 3


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.xdist_group("batch_e2e")
def test_the_stored_view_carries_the_segments_stage_verdicts(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "alfa", "tx": TX}],
                          stages=("04_view", "09_method"), notebooks=VIEW_NOTEBOOKS)
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False,
                                    portfolio=False)
    assert (manifest["status"] == "completed").all(), manifest["error"].tolist()
    with store.open_store(out / "results.duckdb", read_only=True) as st:
        back = st.read_view(client_id="alfa").set_index("customer_id")
    # one row per buyer (the prospect P9 is in 09's table, not in the value view)
    assert sorted(back.index) == ["C1", "C2", "C3"]
    assert back["customer_type"].to_dict() == {"C1": "active", "C2": "active",
                                               "C3": "inactive"}
    # C3 last bought on 2022-03-01, over two years before: outside the win-back window
    assert back["in_winback_window"].tolist() == [False, False, False]
    assert back.loc["C3", "lifecycle"] == "lost"


def test_the_view_to_store_is_the_same_whichever_stage_ends_last(tmp_path):
    from crmlib.batch._jobs import Job
    from crmlib.batch._run import _recorded_view

    view = pd.DataFrame({"customer_id": ["1", "2"], "value": [10.0, 5.0]})
    method = pd.DataFrame({"customer_id": [2, 1, 3], "name": ["b", "a", "c"],
                           "customer_type": ["inactive", "active", "prospect"],
                           "funnel_step": ["registered", "loyal", "registered"]})

    def job(stage):
        return Job(client_id="alfa", client_name="Alfa", industry="retail", stage=stage,
                   notebook="x.ipynb", parameters={}, out=str(tmp_path), language="es",
                   as_of="2024-12-31", engagement="e", engagement_title="E",
                   parameter_hash="h")

    def write(stage, name, frame):
        folder = tmp_path / "alfa" / stage / store.TABLES_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(folder / f"{name}.parquet")

    write("09_segments", "customer_method", method)
    assert _recorded_view(job("09_segments")) is None  # no view yet: 04 stores it later
    write("04_personalize", "customer_view", view)
    after_04 = _recorded_view(job("04_personalize"))
    after_09 = _recorded_view(job("09_segments"))
    pd.testing.assert_frame_equal(after_04, after_09)
    assert after_04["customer_id"].tolist() == ["1", "2"]  # the view's rows and order
    assert after_04["customer_type"].tolist() == ["active", "inactive"]
    assert after_04["funnel_step"].tolist() == ["loyal", "registered"]
    assert _recorded_view(job("02_differentiate")) is None  # recorded neither table


SAMPLES_ENGAGEMENT = ROOT / "data_samples" / "engagement.yaml"


def test_the_summary_is_planned_per_client_after_its_stages(tmp_path):
    from crmlib.batch import plan_jobs

    out = tmp_path / "out"
    stage_jobs, after, _ = plan_jobs(SAMPLES_ENGAGEMENT, out=out, portfolio=False)
    assert "80_summary" not in {j.stage for j in stage_jobs}
    summaries = [j for j in after if j.stage == "80_summary"]
    assert sorted(j.client_id for j in summaries) == sorted(
        {j.client_id for j in stage_jobs})
    for job in summaries:
        assert job.parameters["results_dir"] == str(out.resolve() / job.client_id)
        assert job.parameters["language"] == job.language
    # --no-portfolio leaves the portfolio out, never the summary; both come with it
    _, both, _ = plan_jobs(SAMPLES_ENGAGEMENT, out=out)
    assert {j.stage for j in both} == {"80_summary", "90_portfolio"}
    assert all("results_dir" not in j.parameters for j in both if j.stage == "90_portfolio")
    # asking for some stages only leaves the summary out unless it is asked for
    only, after_only, _ = plan_jobs(SAMPLES_ENGAGEMENT, out=out, stages=["02_differentiate"])
    assert after_only == [] and {j.stage for j in only} == {"02_differentiate"}
    _, with_summary, _ = plan_jobs(SAMPLES_ENGAGEMENT, out=out,
                                   stages=["04_personalize", "80_summary"])
    assert {j.stage for j in with_summary} == {"80_summary"}
