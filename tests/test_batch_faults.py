"""Faults of the engagement runner: bad data, refused parameters, kills, kernel starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from batch_support import (
    BAD_TX,
    OTHER_TX,
    ROOT,
    TEST_NOTEBOOKS,
    crmlib_cmd,
    make_engagement,
    results,
    wait_for,
)

from crmlib import batch
from crmlib.batch import _kernels
from crmlib.exceptions import ParameterError

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("batch_faults")]


def test_bad_client_fails_alone_with_a_clear_summary(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "good"}, {"id": "broken", "tx": BAD_TX}],
                          stages=("01_tiny",))
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    status = dict(zip(manifest["client_id"], manifest["status"]))
    assert status == {"good": "completed", "broken": "failed"}
    assert results(out, "good", "01_tiny")["values"]["total_amount"] == pytest.approx(170.5)
    summary = (out / "summary.txt").read_text()
    failed_nb = out / "broken" / "01_tiny" / "01_tiny.ipynb"
    assert "broken / 01_tiny" in summary
    assert "DataError" in summary and "'amount'" in summary and "line 2" in summary
    assert f"executed notebook: {failed_nb}" in summary
    row = manifest.set_index("client_id").loc["broken"]
    # the cell named in the summary is the one that raised in the executed notebook
    nb = nbformat.read(failed_nb, as_version=4)
    cell = nb.cells[int(row["error_cell"])]
    assert "read_client_table" in cell.source
    assert any(o.get("ename") == "DataError" for o in cell.outputs)
    assert f"cell {int(row['error_cell'])} [tx = io.read_client_table" in summary
    assert not (out / "broken" / "01_tiny" / "01_tiny.html").exists()
    # an execution error is not retried
    assert json.loads((out / "broken" / "01_tiny" / "job.json").read_text())["attempts"] == 1


def test_unknown_missing_and_mistyped_parameters_are_refused_up_front(tmp_path):
    eng = make_engagement(tmp_path, [
        {"id": "a", "parameters": {"no_such_option": 1},
         "stage_parameters": {"01_tiny": {"top_n": "three", "scael": 2.0}}},
        {"id": "b", "stage_parameters": {"02_tail": {"scale": 2.0},
                                         "01_tiny": {"interactive": True}}},
    ])
    out = tmp_path / "out"
    with pytest.raises(ParameterError) as err:
        batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    text = str(err.value)
    assert "unknown parameter 'no_such_option'" in text
    assert "parameter 'top_n' must be int; got str 'three'" in text
    assert "unknown parameter 'scael'" in text
    assert "client b, stage 02_tail: unknown parameter 'scale'" in text
    assert "'interactive' is set by the runner" in text
    assert not out.exists()  # nothing ran


def test_required_parameter_without_value_is_refused(tmp_path):
    src = nbformat.read(TEST_NOTEBOOKS / "02_tail.ipynb", as_version=4)
    src.cells[0].source += 'segment_file: str = None          # must be given\n'
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    nbformat.write(src, nbdir / "02_tail.ipynb")
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("02_tail",), notebooks=nbdir)
    with pytest.raises(ParameterError, match="'segment_file' needs a value"):
        batch.plan_jobs(eng, out=tmp_path / "out")


def test_engagement_errors_are_listed_together(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "ok"}], stages=("01_tiny",))
    text = eng.read_text().replace("id: ok", "id: ../escape") + "colour: blue\n"
    eng.write_text(text)
    with pytest.raises(ParameterError) as err:
        batch.load_engagement(eng)
    assert "unknown key(s) ['colour']" in str(err.value)
    assert "client id '../escape' is not allowed" in str(err.value)


def _clean(out: Path) -> list[Path]:
    """Paths that would be half-written or temporary."""
    return [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


def test_rerun_removes_temporary_files_an_interrupted_run_left(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    left = [out / ".manifest.csv.k2j4.part", out / "runs" / ".20240101T000000-abc.csv.x9.part"]
    for p in left:
        p.write_text("half")
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    assert (manifest["status"] == "completed").all()
    assert _clean(out) == []


def test_run_killed_with_sigkill_resumes_to_completion(tmp_path):
    clients = [{"id": f"k{i}", "tx": OTHER_TX if i % 2 else None} for i in range(4)]
    for c in clients:
        if c["tx"] is None:
            del c["tx"]
        c["stage_parameters"] = {"01_tiny": {"sleep_s": 1.5}}
    eng = make_engagement(tmp_path, clients, stages=("01_tiny", "02_tail"))
    out = tmp_path / "out"
    proc = subprocess.Popen(crmlib_cmd("run", eng, "--out", out, "--jobs", "2", "--pdf", "no"),
                            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        # kill the whole run (runner and its workers) once some but not all jobs are done
        assert wait_for(lambda: len(list(out.glob("*/*/job.json"))) >= 2, timeout=300)
        kernels = [p for p in _descendants(proc.pid) if _is_kernel(p)]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = {p.parent for p in out.glob("*/*/job.json")}
    assert 0 < len(done_before) < 8
    # every job folder in place is whole: its record and report parse
    for folder in done_before:
        record = json.loads((folder / "job.json").read_text())
        for name in record["outputs"].values():
            assert (folder / name).stat().st_size > 0
        nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)
    # kernels notice that the worker that started them is gone, and exit
    assert kernels
    assert wait_for(lambda: not any(Path(f"/proc/{p}").exists() for p in kernels), timeout=30)

    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    assert (manifest["status"] == "completed").all() and len(manifest) == 8
    reused = {(c, s) for c, s, a in zip(manifest.client_id, manifest.stage, manifest.action)
              if a == "reused"}
    assert reused == {(f.parent.name, f.name) for f in done_before
                      if json.loads((f / "job.json").read_text())["status"] == "completed"}
    assert _clean(out) == []
    for i in range(4):
        expected = 1000.0 if i % 2 else 170.5
        assert results(out, f"k{i}", "01_tiny")["values"]["total_amount"] == expected


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(stat.parent.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _is_kernel(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"ipykernel" in cmd or b"crmlib.batch._zygote" in cmd


def test_kernel_start_failures_are_retried(tmp_path, monkeypatch):
    """A kernel whose process dies on its first start is started again; the
    notebook then runs normally."""
    spec = tmp_path / "kernels" / "flaky"
    spec.mkdir(parents=True)
    marker = tmp_path / "started-once"
    (spec / "flaky.py").write_text(textwrap.dedent(f"""
        import os, sys
        marker = {str(marker)!r}
        if not os.path.exists(marker):
            open(marker, "w").close()
            sys.exit(1)  # die before answering, as a kernel losing a port race does
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[1:]])
    """))
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(spec / "flaky.py"), "-f", "{connection_file}"],
        "display_name": "flaky", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    pool = _kernels.KernelPool("flaky", cwd=str(tmp_path), preload="", start_timeout=30)
    kernel = pool.acquire()
    try:
        assert marker.exists()
        assert _kernels.asyncio.run(kernel.km.is_alive())
    finally:
        pool.release(kernel)
        pool.close()


def test_kernel_that_never_starts_is_reported(tmp_path, monkeypatch):
    spec = tmp_path / "kernels" / "dead"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"],
        "display_name": "dead", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    pool = _kernels.KernelPool("dead", preload="", start_timeout=10, attempts=2)
    with pytest.raises(_kernels.KernelStartError, match="after 2 attempts"):
        pool.acquire()
    pool.close()
