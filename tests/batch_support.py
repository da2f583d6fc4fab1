"""Helpers shared by the batch-runner tests: tiny client folders and engagement files."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEST_NOTEBOOKS = ROOT / "tests" / "data" / "notebooks"
PYTHON = sys.executable

# transactions of the tiny clients; total amounts 170.5 (GOOD) and 1000 (OTHER)
GOOD_TX = "customer_id,date,amount\nC1,2024-01-05,100\nC2,2024-02-01,50.5\nC3,2024-03-01,20\n"
OTHER_TX = "customer_id,date,amount\nC1,2024-01-05,400\nC2,2024-02-01,600\n"
BAD_TX = "customer_id,date,amount\nC1,2024-01-05,abc\nC2,2024-02-01,12\n"


def write_client(base: Path, client_id: str, transactions: str = GOOD_TX) -> Path:
    folder = base / "data" / client_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "transactions.csv").write_text(transactions, encoding="utf-8")
    return folder


def make_engagement(base: Path, clients: list[dict], *, stages=("01_tiny", "02_tail"),
                    notebooks: Path = TEST_NOTEBOOKS, **extra) -> Path:
    """Write ``engagement.yaml`` in ``base``; each client dict may carry ``tx`` (CSV text)."""
    entries = []
    for c in clients:
        c = dict(c)
        tx = c.pop("tx", GOOD_TX)
        write_client(base, c["id"], tx)
        c.setdefault("name", c["id"].title())
        c.setdefault("industry", "retail")
        c.setdefault("data_dir", f"data/{c['id']}")
        entries.append(c)
    data = {"engagement": "test-eng", "title": "Test engagement", "as_of": "2024-12-31",
            "language": "es", "notebooks": str(notebooks), "stages": list(stages),
            "clients": entries, **extra}
    path = base / "engagement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def results(out: Path, client_id: str, stage: str) -> dict:
    return json.loads((out / client_id / stage / "results.json").read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crmlib_cmd(*args) -> list[str]:
    return [PYTHON, "-m", "crmlib.cli", *map(str, args)]


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def find_pg_bin() -> Path | None:
    for initdb in sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True):
        return initdb.parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresServer:
    """A throw-away PostgreSQL server on 127.0.0.1 and a free port (as ``postgres`` when root)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="crmlib-pg-"))
        self.data = self.dir / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *cmd, check=True):
        cmd = [str(c) for c in cmd]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, timeout=120)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.bindir / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-w", "-t", "60", "-l",
                  self.dir / "log.txt", "-o",
                  f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def add_login(self, name: str, password: str) -> str:
        """A role and database ``name`` that must give ``password`` (scram-sha-256).

        The rule goes above the cluster's ``trust`` lines; returns the URL
        with the password in it.
        """
        import psycopg

        hba = self.data / "pg_hba.conf"
        hba.write_text(f"host all {name} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
            con.execute(f"CREATE DATABASE {name} OWNER {name}")
            con.execute("SELECT pg_reload_conf()")
        return f"postgresql://{name}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop",
                  check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
