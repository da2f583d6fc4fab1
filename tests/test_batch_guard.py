"""The runner under faults, with real `crmlib run` processes, kernels and files:
Ctrl-C, two runs on one folder, an unreadable results store, a full disk, a cell
that hangs, and kernels started without fork."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import papermill as pm
import pytest
from batch_support import (
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
from crmlib.batch._guard import LOCK_NAME, OutputLock, descendants
from crmlib.exceptions import ParameterError

pytestmark = [pytest.mark.notebook, pytest.mark.slow, pytest.mark.xdist_group("batch_guard")]


def _running(pid: int) -> bool:
    """A process that exists and has not ended (a zombie has ended: only its parent's
    bookkeeping is left)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _leftovers(out: Path) -> list[Path]:
    """Files or folders of the run under a temporary name (half-written or staging)."""
    return [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


def _whole(folder: Path) -> None:
    record = json.loads((folder / "job.json").read_text())
    for name in record["outputs"].values():
        assert (folder / name).stat().st_size > 0
    nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)


# --------------------------------------------------------------------------- Ctrl-C

def test_ctrl_c_stops_the_run_ends_its_kernels_and_a_rerun_resumes(tmp_path):
    clients = [{"id": "k0", "stage_parameters": {"01_tiny": {"sleep_s": 0}}}]
    clients += [{"id": f"k{i}", "tx": OTHER_TX, "stage_parameters": {"01_tiny": {"sleep_s": 300}}}
                for i in range(1, 6)]
    eng = make_engagement(tmp_path, clients, stages=("01_tiny",))
    out = tmp_path / "out"
    proc = subprocess.Popen(crmlib_cmd("run", eng, "--out", out, "--jobs", "2", "--pdf", "no"),
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: (out / "k0" / "01_tiny" / "job.json").exists(), timeout=400)
        # a sleeping job has its kernel running
        assert wait_for(lambda: any(b"ipykernel" in _cmdline(p) or b"_zygote" in _cmdline(p)
                                    for p in descendants(proc.pid)), timeout=120)
        tree = descendants(proc.pid)
        kernels = [p for p in tree if b"ipykernel" in _cmdline(p) or b"_zygote" in _cmdline(p)]
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        # the sleeping cells (300 s) are not waited for
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "INTERRUPTED (Ctrl-C): 1 of 6 job(s) finished, 5 did not" in stdout
    assert "finished: k0 / 01_tiny" in stdout and "not started:" in stdout
    assert "stopped while running:" in stdout
    assert "Run the same command again" in stdout
    # kernel templates and kernels of the run are gone when it exits; the rest of its
    # processes (workers, multiprocessing's helper) right after
    assert kernels and not [p for p in kernels if _running(p)]
    assert wait_for(lambda: not [p for p in tree if _running(p)], timeout=10)
    summary = (out / "summary.txt").read_text()
    assert "INTERRUPTED (Ctrl-C)" in summary
    manifest = pd.read_csv(out / "manifest.csv", keep_default_na=False)
    status = dict(zip(manifest.client_id, manifest.status))
    assert status == {"k0": "completed", **{f"k{i}": "interrupted" for i in range(1, 6)}}
    assert set(manifest.action[manifest.status == "interrupted"]) <= {"stopped", "not started"}
    assert _leftovers(out) == []  # no staging folder, no lock, no temporary file
    assert not (out / "k1" / "01_tiny").exists()

    # the rerun keeps k0 and runs the rest
    shorter = eng.read_text().replace("sleep_s: 300", "sleep_s: 0")
    eng.write_text(shorter)
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False)
    assert (manifest["status"] == "completed").all() and len(manifest) == 6
    # k0's parameters did not change: it is reused
    assert dict(zip(manifest.client_id, manifest.action))["k0"] == "reused"
    assert results(out, "k3", "01_tiny")["values"]["total_amount"] == 1000.0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


# --------------------------------------------------------------------------- the lock

def test_a_second_run_on_the_same_folder_is_refused_and_a_stale_lock_taken_over(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "a", "stage_parameters": {"01_tiny": {"sleep_s": 600}}}],
                          stages=("01_tiny",))
    out = tmp_path / "out"
    first = subprocess.Popen(crmlib_cmd("run", eng, "--out", out, "--jobs", "1", "--pdf", "no"),
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: (out / LOCK_NAME).exists(), timeout=300)
        second = subprocess.run(crmlib_cmd("run", eng, "--out", out, "--jobs", "1", "--pdf",
                                           "no"), cwd=ROOT, capture_output=True, text=True,
                                timeout=300, check=False)
        # the first run's one job runs in the runner's own process: Ctrl-C stops it there
        assert wait_for(lambda: any(b"_zygote" in _cmdline(p) for p in descendants(first.pid)),
                        timeout=300)
        kernels = [p for p in descendants(first.pid) if b"ipykernel" in _cmdline(p) or
                   b"_zygote" in _cmdline(p)]
        first.send_signal(signal.SIGINT)
        stdout, stderr = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert second.returncode == 2
    assert f"is in use by another crmlib run (pid {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "INTERRUPTED (Ctrl-C): 0 of 1 job(s) finished" in stdout
    assert kernels and not [p for p in kernels if _running(p)]
    manifest = pd.read_csv(out / "manifest.csv")
    assert manifest["status"].tolist() == ["interrupted"]
    assert not (out / LOCK_NAME).exists() and _leftovers(out) == []

    # a lock left by a run that was killed (its pid no longer exists) is taken over
    dead = subprocess.Popen(["true"])
    dead.wait()
    (out / LOCK_NAME).write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename,
                                             "run_id": "old", "started_at": "2024-01-01"}))
    eng.write_text(eng.read_text().replace("sleep_s: 600", "sleep_s: 0"))
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    assert manifest["status"].tolist() == ["completed"]
    assert f"locked by a run that no longer exists (pid {dead.pid}" in manifest.attrs["summary"]
    assert not (out / LOCK_NAME).exists()


def test_shards_lock_only_their_slice(tmp_path):
    one = OutputLock(tmp_path, "r1", (0, 2)).acquire()
    two = OutputLock(tmp_path, "r2", (1, 2)).acquire()  # another slice: allowed
    with pytest.raises(batch.OutputLockedError, match="in use by another crmlib run"):
        OutputLock(tmp_path, "r3", (0, 2)).acquire()  # the same slice
    with pytest.raises(batch.OutputLockedError):
        OutputLock(tmp_path, "r4").acquire()  # the whole folder
    one.release()
    two.release()
    assert list(tmp_path.iterdir()) == []
    with OutputLock(tmp_path, "r5"), pytest.raises(batch.OutputLockedError):
        OutputLock(tmp_path, "r6", (1, 2)).acquire()


# --------------------------------------------------------------------------- the store

def test_an_unreadable_results_store_is_set_aside_and_a_new_one_filled(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    out = tmp_path / "out"
    out.mkdir()
    garbage = b"this is not a database " * 500
    (out / "results.duckdb").write_bytes(garbage)
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    assert manifest["status"].tolist() == ["completed"]
    aside = list(out.glob("results.duckdb.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage  # kept untouched
    summary = (out / "summary.txt").read_text()
    assert "results store results.duckdb could not be read" in summary
    assert f"set aside as {aside[0].name}" in summary
    with duckdb.connect(str(out / "results.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT value FROM results WHERE client_id = 'a' AND "
                             "key = 'total_amount'").fetchall()
    assert stored == [(170.5,)]
    # the next run finds the new store whole, reuses the job and sets nothing else aside
    again = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False)
    assert again["action"].tolist() == ["reused"]
    assert len(list(out.glob("results.duckdb.corrupt-*"))) == 1


# --------------------------------------------------------------------------- a full disk

@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs, unmounted afterwards; skipped where mounting is not permitted."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` up to ``leave`` free bytes."""
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))
    return filler


def test_a_full_disk_ends_the_run_with_a_summary_and_nothing_half_written(tmp_path, small_disk):
    eng = make_engagement(tmp_path, [{"id": f"c{i}"} for i in range(3)], stages=("01_tiny",))
    out = small_disk / "out"
    store = tmp_path / "results.duckdb"  # the store on a disk with room: the jobs fill theirs
    cmd = crmlib_cmd("run", eng, "--out", out, "--jobs", "1", "--pdf", "no", "--store", store)

    # no room at all: refused before anything runs
    filler = _fill(small_disk, 0)
    none = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert none.returncode == 2, none.stderr
    assert "is full (No space left on device): nothing was run" in none.stderr
    assert "Traceback" not in none.stderr
    filler.unlink()

    # room for the start of a run, not for a job's report
    assert not (out / LOCK_NAME).exists()  # the refused run left no lock
    filler = _fill(small_disk, 24 * 1024)
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                         check=False)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "INTERRUPTED (the disk is full)" in run.stdout
    assert "No space left on device" in run.stdout
    assert "not started:" in run.stdout  # the jobs after the disk filled did not start
    assert _leftovers(out) == []
    for record in out.glob("*/*/job.json"):
        _whole(record.parent)
    # once there is room again, the same command finishes the run
    filler.unlink()
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                           check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert all(results(out, f"c{i}", "01_tiny")["values"]["total_amount"] == 170.5
               for i in range(3))


# --------------------------------------------------------------------------- a cell that hangs

def test_a_hanging_cell_ends_its_job_at_the_cell_timeout(tmp_path):
    eng = make_engagement(tmp_path, [
        {"id": "hangs", "stage_parameters": {"01_tiny": {"sleep_s": 3600}}},
        {"id": "fine"}], stages=("01_tiny",), cell_timeout=20)
    out = tmp_path / "out"
    proc = subprocess.run(crmlib_cmd("run", eng, "--out", out, "--jobs", "1", "--pdf", "no"),
                          cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 1, proc.stderr
    manifest = pd.read_csv(out / "manifest.csv", keep_default_na=False)
    assert dict(zip(manifest.client_id, manifest.status)) == {"hangs": "failed",
                                                              "fine": "completed"}
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("- hangs / 01_tiny"))
    assert re.search(r"cell \d+ \[rec = report\.Recorder\(", line), line
    assert "timed out: the cell ran longer than the cell time limit of 20 s" in line
    assert "--timeout or cell_timeout in the engagement" in line
    # not on a terminal: a progress line per finished job
    assert "[1/2] hangs 01_tiny failed" in proc.stderr
    assert "[2/2] fine 01_tiny completed" in proc.stderr


def test_cell_timeout_default_engagement_key_and_option(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    jobs, _, _ = batch.plan_jobs(eng, out=tmp_path / "o")
    assert jobs[0].execution_timeout == batch.DEFAULT_CELL_TIMEOUT == 1800
    eng.write_text(eng.read_text() + "cell_timeout: 120\n")
    jobs, _, _ = batch.plan_jobs(eng, out=tmp_path / "o")
    assert jobs[0].execution_timeout == 120
    jobs, _, _ = batch.plan_jobs(eng, out=tmp_path / "o", execution_timeout=7)
    assert jobs[0].execution_timeout == 7
    jobs, _, _ = batch.plan_jobs(eng, out=tmp_path / "o", execution_timeout=0)
    assert jobs[0].execution_timeout is None  # 0: no limit
    eng.write_text(eng.read_text().replace("cell_timeout: 120", "cell_timeout: soon"))
    with pytest.raises(ParameterError, match="cell_timeout must be a number of seconds"):
        batch.load_engagement(eng)


# --------------------------------------------------------------------------- without fork

def _probe_notebooks(tmp_path: Path) -> Path:
    """01_tiny, recording also the command line of its kernel's parent process."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = nbformat.read(TEST_NOTEBOOKS / "01_tiny.ipynb", as_version=4)
    nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(
        'import os\nrec.value("parent", open(f"/proc/{os.getppid()}/cmdline", "rb").read()'
        '.decode().replace("\\0", " "))'))
    nbformat.write(nb, nbs / "01_tiny.ipynb")
    return nbs


def test_without_fork_kernels_start_plain_with_the_same_results(tmp_path):
    nbs = _probe_notebooks(tmp_path)
    eng = make_engagement(tmp_path, [{"id": "a"}, {"id": "b", "tx": OTHER_TX}],
                          stages=("01_tiny",), notebooks=nbs)
    values = {}
    for mode, env in (("warm", {}), ("plain", {_kernels.NO_FORK_ENV: "1"})):
        out = tmp_path / mode
        proc = subprocess.run(crmlib_cmd("run", eng, "--out", out, "--jobs", "2", "--pdf", "no"),
                              cwd=ROOT, capture_output=True, text=True, timeout=900,
                              check=False, env={**os.environ, **env})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        values[mode] = {c: results(out, c, "01_tiny")["values"] for c in ("a", "b")}
    for c in ("a", "b"):
        assert "crmlib.batch._zygote" in values["warm"][c].pop("parent")
        assert "crmlib.batch._zygote" not in values["plain"][c].pop("parent")
        assert values["plain"][c] == values["warm"][c]


def test_no_fork_setting_is_read_when_a_kernel_starts(monkeypatch, tmp_path):
    monkeypatch.setenv(_kernels.NO_FORK_ENV, "1")
    assert not _kernels.fork_available()
    monkeypatch.setenv(_kernels.NO_FORK_ENV, "0")
    assert _kernels.fork_available() == hasattr(os, "fork")
    # the warm engine itself, in a thread of its own (pools are per thread)
    monkeypatch.setenv(_kernels.NO_FORK_ENV, "1")
    nbs = _probe_notebooks(tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transactions.csv").write_text("customer_id,date,amount\nC1,2024-01-01,5\n")
    errors = []

    def go():
        try:
            pm.execute_notebook(str(nbs / "01_tiny.ipynb"), str(out / "nb.ipynb"),
                                parameters={"output_dir": str(out),
                                            "data_dir": str(tmp_path / "data")},
                                engine_name=_kernels.ENGINE_NAME, kernel_name="python3",
                                progress_bar=False, kernel_cwd=str(nbs))
            _kernels.shutdown_pools()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=go)
    thread.start()
    thread.join(600)
    assert not errors
    parent = json.loads((out / "results.json").read_text())["values"]["parent"]
    assert "crmlib.batch._zygote" not in parent
