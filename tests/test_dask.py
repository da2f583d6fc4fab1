"""Scale-out on a real Dask cluster: a scheduler and two workers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from batch_support import OTHER_TX, ROOT, free_port, make_engagement, results, wait_for

from crmlib import batch
from crmlib.store import open_store

pytest.importorskip("distributed", reason="the [distributed] extra is not installed")
pytestmark = [pytest.mark.notebook, pytest.mark.slow, pytest.mark.xdist_group("dask")]

DASK = str(Path(sys.executable).with_name("dask"))


def _spawn(*args) -> subprocess.Popen:
    return subprocess.Popen([DASK, *args], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@pytest.fixture
def cluster():
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = {"scheduler": _spawn("scheduler", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-dashboard")}
    try:
        for name in ("w1", "w2"):
            procs[name] = _spawn("worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                 "--no-nanny", "--name", name, "--no-dashboard")
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, procs
    finally:
        for proc in procs.values():
            _kill(proc)


def test_batch_on_dask_survives_a_lost_worker_and_matches_a_local_run(cluster, tmp_path):
    address, procs = cluster
    clients = [{"id": f"d{i}", **({"tx": OTHER_TX} if i % 2 else {}),
                "stage_parameters": {"01_tiny": {"sleep_s": 1.0, "scale": float(i + 1)}}}
               for i in range(4)]
    eng = make_engagement(tmp_path, clients, stages=("01_tiny", "02_tail"))
    dask_out, local_out = tmp_path / "dask", tmp_path / "local"
    box = {}

    def run():
        box["manifest"] = batch.run_engagement(eng, out=dask_out, scheduler=address, pdf=False,
                                               progress=False)

    thread = threading.Thread(target=run)
    thread.start()
    # kill one worker as soon as the first job has finished (others are then in flight)
    assert wait_for(lambda: any(dask_out.glob("*/*/job.json")), timeout=300)
    _kill(procs["w1"])
    thread.join(timeout=600)
    assert not thread.is_alive()
    dask_manifest = box["manifest"]
    assert (dask_manifest["status"] == "completed").all() and len(dask_manifest) == 8

    local_manifest = batch.run_engagement(eng, out=local_out, jobs=2, pdf=False, progress=False)
    assert (local_manifest["status"] == "completed").all()
    # same jobs, same input hashes, same key figures and stored values
    key = ["client_id", "stage", "input_hash"]
    assert dask_manifest[key].values.tolist() == local_manifest[key].values.tolist()
    for c in clients:
        for stage in ("01_tiny", "02_tail"):
            assert results(dask_out, c["id"], stage)["values"] == \
                results(local_out, c["id"], stage)["values"]
    with open_store(dask_out / "results.duckdb", read_only=True) as a, \
            open_store(local_out / "results.duckdb", read_only=True) as b:
        cols = ["client_id", "stage", "key", "value", "value_text"]
        assert a.read()[cols].equals(b.read()[cols])
    # the jobs ran in the worker processes (the survivor finished the batch), and nothing
    # half-written is left behind
    workers = {json.loads(p.read_text())["worker"].rsplit(":", 1)[1]
               for p in dask_out.glob("*/*/job.json")}
    assert str(procs["w2"].pid) in workers
    assert workers <= {str(procs["w1"].pid), str(procs["w2"].pid)}
    assert not [p for p in dask_out.rglob("*") if p.name.startswith(".")]
