"""The engagement runner completes 05_readiness and 06_servqual on raw survey exports.

Client folders hold nothing but what the survey tools export (Google Forms CSV and .xlsx,
Qualtrics, SurveyMonkey), saved under the table names; the notebooks run under papermill
in real kernels and their key figures match the answers put into the exports.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import survey_exports as sx
import yaml

from crmlib import batch

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


def _figures(out, client, stage):
    path = out / client / stage / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))["values"]


def test_engagement_runs_readiness_and_servqual_on_raw_exports(tmp_path):
    data = tmp_path / "data"
    # client 1: Spanish Google Forms (SERVQUAL as CSV, readiness downloaded as .xlsx)
    _, sq_es = sx.servqual_google_forms(data / "forms-es", "es", n=30, seed=11)
    _, rd_es = sx.readiness_google_forms(data / "forms-es", "es", n=12, seed=12, xlsx=True)
    # client 2: English Qualtrics SERVQUAL and SurveyMonkey readiness
    _, sq_en = sx.servqual_qualtrics(data / "tools-en", "en", n=30, seed=13)
    _, rd_en = sx.readiness_surveymonkey(data / "tools-en", "en", n=12, seed=14)
    engagement = {
        "engagement": "survey-exports", "title": "Survey exports", "as_of": "2024-12-31",
        "language": "es", "stages": ["05_readiness", "06_servqual"],
        "clients": [
            {"id": "forms-es", "name": "Encuesta en Google Forms", "industry": "retail",
             "data_dir": "data/forms-es", "language": "es"},
            {"id": "tools-en", "name": "Qualtrics and SurveyMonkey", "industry": "services",
             "data_dir": "data/tools-en", "language": "en"},
        ]}
    path = tmp_path / "engagement.yaml"
    path.write_text(yaml.safe_dump(engagement, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    out = tmp_path / "out"
    manifest = batch.run_engagement(path, out=out, jobs=1, pdf=False, portfolio=False,
                                    progress=False)
    assert (manifest["status"] == "completed").all(), manifest[["client_id", "stage", "status",
                                                                "error"]].to_string()
    stages_run = manifest[~manifest["stage"].str.startswith("8")]
    assert len(stages_run) == 4  # two stages each; each client's summary follows them
    assert sorted(manifest.loc[manifest["stage"] == "80_summary", "client_id"]) == \
        ["forms-es", "tools-en"]
    for client, truth in (("forms-es", sq_es), ("tools-en", sq_en)):
        values = _figures(out, client, "06_servqual")
        assert values["servqual_n_respondents"] == 30
        gaps = truth.perception - truth.expectation
        for d in sx.DIMS:
            cols = [k for k, i in enumerate(sx.SQ.item_ids)
                    if sx.SQ.items.set_index("item_id").loc[i, "dimension"] == d]
            # complete answers: the dimension gap is the plain mean of its P - E
            assert values[f"servqual_gap_{d}"] == pytest.approx(gaps[:, cols].mean())
    for client, truth in (("forms-es", rd_es), ("tools-en", rd_en)):
        values = _figures(out, client, "05_readiness")
        assert values["readiness_respondents"] == 12
        assert values["readiness_respondents_scored"] == 12
        cur = truth.current.astype(float)
        items = sx.RD.items.reset_index(drop=True)
        d = "identify"
        cols = items.index[items["dimension"] == d].to_numpy()
        w = items.loc[cols, "weight"].to_numpy(dtype=float)
        # the stage score: weighted mean of its item means (every item answered)
        expected = float(np.average(cur[:, cols].mean(axis=0), weights=w))
        assert values[f"readiness_{d}_current"] == pytest.approx(expected)
