"""Exported files honour the user's umask: a report folder others may read stays readable.

Atomic writes go through a temporary file, which ``tempfile.mkstemp`` creates
private (0o600); the finished file must get what any new file of the user
gets, ``0o666 & ~umask`` (folders ``0o777 & ~umask``).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_WRITER = r"""
import json, os, sys
from pathlib import Path
import pandas as pd
from crmlib._files import atomic_path, atomic_write_bytes, atomic_write_text
from crmlib import report

os.umask(int(sys.argv[2], 8))
out = Path(sys.argv[1])
atomic_write_text(out / "new" / "deeper" / "manifest.csv", "a,b\n1,2\n")
atomic_write_bytes(out / "bytes.bin", b"x")
with atomic_path(out / "external.pdf") as tmp:
    tmp.write_bytes(b"%PDF-1.4")  # what a browser writes into the temporary path
report.to_csv(pd.DataFrame({"a": [1]}), out / "table.csv")
rec = report.Recorder(out / "stage", client_id="c1", stage="02_differentiate", language="en")
rec.table("pareto", pd.DataFrame({"customer_id": ["a"], "value": [1.0]}))
rec.save()
print(json.dumps({p.relative_to(out).as_posix(): os.stat(p).st_mode & 0o777
                  for p in sorted(out.rglob("*"))}))
"""


def _modes(tmp_path: Path, umask: int) -> dict[str, int]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(tmp_path), f"{umask:o}"],
                          capture_output=True, text=True, env=env, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_atomic_writes_give_files_and_folders_the_umask_permissions(tmp_path, umask):
    modes = _modes(tmp_path, umask)
    files = {"new/deeper/manifest.csv", "bytes.bin", "external.pdf", "table.csv",
             "stage/results.json", "stage/tables.xlsx"}
    folders = {"new", "new/deeper", "stage"}
    assert files | folders <= set(modes), sorted(modes)
    for name in files:
        assert modes[name] == 0o666 & ~umask, (name, oct(modes[name]))
    for name in folders:
        assert modes[name] == 0o777 & ~umask, (name, oct(modes[name]))
    assert not [n for n in modes if n.endswith(".part")], "a temporary file was left behind"


def test_a_failed_write_leaves_the_old_file_and_its_permissions(tmp_path):
    from crmlib._files import atomic_path

    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("browser crashed")
    assert target.read_text(encoding="utf-8") == "old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
