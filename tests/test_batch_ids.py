"""Ids the runner meets: client ids in the engagement file, customer ids in client data."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from batch_support import ROOT, crmlib_cmd, make_engagement

from crmlib import batch
from crmlib import personalize as P
from crmlib._files import check_id, is_windows_reserved, safe_file_names
from crmlib.exceptions import ParameterError

# ids an ERP or a spreadsheet hands over that are not file names as they stand
AWKWARD = ["G11/3512", "G11\\3512", "G11:3512", "CON", "nul", "com1.txt", "..", "../../etc/passwd",
           ".hidden", "a b?*", "Cliente Nº 7", "x" * 150, "c1", "C1", "ok", "trailing.", "é"]


# --------------------------------------------------------------------------- client ids

@pytest.mark.parametrize("bad", ["CON", "nul", "COM1", "lpt9", "PRN.txt", "aux.tar.gz", "abc\n",
                                 "abc.", "ok\nmore"])
def test_ids_no_system_can_hold_are_refused(bad):
    with pytest.raises(ParameterError, match="not allowed"):
        check_id(bad)


@pytest.mark.parametrize("good", ["console", "CONTOSO", "nul1", "COM10", "prn-2024", "a.b_c-d"])
def test_ids_that_only_look_like_device_names_are_kept(good):
    assert check_id(good) == good


def test_engagement_refuses_device_names_case_twins_newlines_and_numbers(tmp_path):
    eng = make_engagement(tmp_path, [{"id": i} for i in ("alfa", "Alfa", "beta", "CON", "nul",
                                                         "PRN.txt", "ends-in-newline")],
                          stages=("01_tiny",))
    text = eng.read_text()
    text = text.replace("id: ends-in-newline", 'id: "ends-in-newline\\n"')
    text = text.replace("id: beta", "id: 123")
    eng.write_text(text)
    with pytest.raises(ParameterError) as err:
        batch.load_engagement(eng)
    msg = str(err.value)
    assert "6 problems" in msg  # every problem at once
    assert "'Alfa'" in msg and "differs from 'alfa' only in upper/lower case" in msg
    for name in ("CON", "nul", "PRN"):
        assert f"{name!r} is a device name on Windows" in msg
    assert "client id 'ends-in-newline\\n' is not allowed" in msg
    assert "client #3 (123): client id must be text, but it is read by YAML as the int 123" in msg
    assert 'put the id in quotes' in msg


def test_quoted_numeric_id_runs_as_text(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "0123", "data_dir": "data/0123"}],
                          stages=("01_tiny",))
    assert "id: '0123'" in eng.read_text()  # quoted in the file
    loaded = batch.load_engagement(eng)
    assert [c.id for c in loaded.clients] == ["0123"]


# --------------------------------------------------------------------------- customer ids

def test_safe_file_names_are_unique_inside_and_portable(tmp_path):
    names = safe_file_names(AWKWARD)
    assert list(names) == AWKWARD
    stems = list(names.values())
    assert len({s.casefold() for s in stems}) == len(AWKWARD)  # unique, any case rule
    for stem in names.values():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem), stem
        assert not stem.endswith(".") and len(stem) <= 80
        assert not is_windows_reserved(stem)
        assert (tmp_path / f"{stem}.html").resolve().parent == tmp_path.resolve()
    assert names["ok"] == "ok"  # a safe id keeps its own name
    assert names["G11/3512"].startswith("G11_3512-")
    assert names["c1"] != "c1" and names["C1"] != "C1"  # twins by case both get a digest
    # the same id always gets the same name, whatever comes with it
    assert safe_file_names(["G11/3512", "zz"])["G11/3512"] == names["G11/3512"]


def test_letters_take_any_customer_id(tmp_path):
    letters = pd.DataFrame({"customer_id": AWKWARD, "letter": "reminder", "language": "es",
                            "html": [f"<p>{i}</p>" for i in range(len(AWKWARD))]})
    written = P.write_letters(letters, tmp_path)
    assert list(written["customer_id"]) == AWKWARD
    files = sorted(tmp_path.rglob("*.html"))
    assert len(files) == len(AWKWARD)
    assert all(f.parent == tmp_path / "letters" / "reminder" for f in files)
    for row, html in zip(written.itertuples(), letters["html"]):
        assert (tmp_path / row.path).read_text(encoding="utf-8") == html


@pytest.mark.notebook
@pytest.mark.slow
def test_validate_and_run_agree_on_customer_ids_with_a_slash(tmp_path):
    """ERP customer numbers such as ``G11/3512``: validate accepts them, so the
    collections stage must run with them and write a dunning letter for each."""
    src = ROOT / "data_samples" / "distribuidora-norte"
    data = tmp_path / "norte"
    shutil.copytree(src, data)
    for f in data.glob("*.csv"):
        f.write_bytes(re.sub(rb"\bC1(\d{4})\b", rb"G11/\1", f.read_bytes()))
    assert b"G11/" in (data / "invoices.csv").read_bytes()
    (tmp_path / "engagement.yaml").write_text(
        "engagement: slash\nas_of: '2024-12-31'\nlanguage: es\n"
        f"notebooks: {ROOT / 'notebooks'}\nstages: [07_collections]\n"
        "clients:\n  - id: norte\n    name: Norte\n    data_dir: norte\n", encoding="utf-8")
    eng = tmp_path / "engagement.yaml"
    checked = subprocess.run(crmlib_cmd("validate", eng), cwd=ROOT, capture_output=True,
                             text=True, timeout=300, check=False)
    assert checked.returncode == 0, checked.stderr
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=1, pdf=False, progress=False,
                                    portfolio=False)
    assert manifest["status"].tolist() == ["completed"], manifest["error"].tolist()
    letters = list((out / "norte" / "07_collections" / "letters").rglob("*.html"))
    assert letters
    assert all(re.fullmatch(r"G11_\d{4}-[0-9a-f]{8}\.html", p.name) for p in letters)
    assert all(Path(out) in p.resolve().parents for p in letters)
