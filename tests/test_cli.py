"""The ``crmlib`` command line."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from batch_support import BAD_TX, ROOT, crmlib_cmd, make_engagement, results

from crmlib import cli


def test_validate_accepts_a_good_engagement(tmp_path, capsys):
    eng = make_engagement(tmp_path, [{"id": "a"}, {"id": "b"}], stages=("01_tiny",))
    assert cli.main(["validate", str(eng)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_lists_data_problems_without_running(tmp_path, capsys):
    eng = make_engagement(tmp_path, [{"id": "a"}, {"id": "b", "tx": BAD_TX}],
                          stages=("01_tiny",))
    assert cli.main(["validate", str(eng)]) == 1
    err = capsys.readouterr().err
    assert "client b:" in err and "'amount'" in err and "line 2" in err
    assert "client a" not in err
    assert not (tmp_path / "reports").exists()


def test_validate_refuses_bad_parameters(tmp_path, capsys):
    eng = make_engagement(tmp_path, [{"id": "a", "stage_parameters": {"01_tiny": {"top_n": 2.5}}}],
                          stages=("01_tiny",))
    assert cli.main(["validate", str(eng)]) == 1
    assert "'top_n' must be int; got float 2.5" in capsys.readouterr().err


def test_run_refuses_unknown_client_before_running(tmp_path, capsys):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    out = tmp_path / "out"
    assert cli.main(["run", str(eng), "--out", str(out), "--only", "zzz"]) == 2
    assert "unknown client id(s) ['zzz']" in capsys.readouterr().err
    assert not out.exists()


def test_bad_shard_is_an_argument_error(tmp_path, capsys):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    assert cli.main(["run", str(eng), "--shard", "2/2", "--out", str(tmp_path / "o")]) == 2
    assert "shard must be 'i/n'" in capsys.readouterr().err


def test_templates_copies_packaged_templates(tmp_path):
    assert cli.main(["templates", str(tmp_path / "t")]) == 0
    copied = {p.relative_to(tmp_path / "t").as_posix() for p in (tmp_path / "t").rglob("*")
              if p.is_file()}
    packaged = {p.relative_to(cli.Path(cli.__file__).parent / "templates").as_posix()
                for p in (cli.Path(cli.__file__).parent / "templates").rglob("*")
                if p.is_file() and "report" not in p.parts and "__pycache__" not in p.parts}
    assert packaged <= copied
    assert not any(c.startswith("report/") for c in copied)


@pytest.mark.notebook
def test_run_command_end_to_end(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "ok"}, {"id": "bad", "tx": BAD_TX}],
                          stages=("01_tiny",))
    out = tmp_path / "reports"
    proc = subprocess.run(crmlib_cmd("run", eng, "--out", out, "--jobs", "2", "--pdf", "no",
                                     "--language", "en"),
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 1, proc.stderr  # one job failed
    assert "FAILED: 1" in proc.stdout and "bad / 01_tiny" in proc.stdout
    manifest = pd.read_csv(out / "manifest.csv")
    assert dict(zip(manifest.client_id, manifest.status)) == {"ok": "completed",
                                                               "bad": "failed"}
    assert results(out, "ok", "01_tiny")["values"]["language"] == "en"
    # no client data in the log lines, only ids, stages and statuses
    assert "170.5" not in proc.stderr


def test_templates_give_a_student_team_a_blank_engagement(tmp_path):
    from crmlib import batch

    dest = tmp_path / "team"
    assert cli.main(["templates", str(dest)]) == 0
    eng = batch.load_engagement(dest / "engagement.yaml")
    assert [c.id for c in eng.clients] == ["my-company"]
    assert (dest / "my-company" / "README.md").exists()
    for name in ("one-to-one", "servqual-1991"):
        forms = {p.suffix for p in (dest / "questionnaires" / name).iterdir()}
        assert {".html", ".xlsx", ".csv"} <= forms


def test_run_options_name_the_engine_timeout_and_progress(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--engine {crmlib-warm,nbclient}" in text and "CRMLIB_NO_FORK=1" in text
    assert "1800 = 30 min; 0 = no limit" in text
    assert "--progress {auto,bars,lines,no}" in text


def test_a_run_refused_for_a_busy_folder_says_who_holds_it(tmp_path, capsys):
    from crmlib.batch._guard import OutputLock

    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    out = tmp_path / "out"
    with OutputLock(out, "other-run"):
        assert cli.main(["run", str(eng), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"is in use by another crmlib run (pid {__import__('os').getpid()}" in err
    assert "delete" in err and ".crmlib-run.lock" in err
    assert not (out / "manifest.csv").exists()
