"""Security of engagement runs: ids and paths, parameter injection, formula and HTML escaping."""

from __future__ import annotations

import pandas as pd
import pytest
from batch_support import make_engagement, results
from openpyxl import load_workbook

from crmlib import batch, report
from crmlib._files import check_id, inside
from crmlib.exceptions import ParameterError


@pytest.mark.parametrize("bad", ["../x", "..", ".", "a/b", "/etc", "x\\y", "", "-rf", "a b",
                                 "a\nb", "é" * 3, "x" * 101])
def test_unsafe_client_ids_are_refused(bad):
    with pytest.raises(ParameterError):
        check_id(bad)


def test_paths_cannot_leave_the_output_folder(tmp_path):
    assert inside(tmp_path, "client", "02_x") == (tmp_path / "client" / "02_x").resolve()
    for parts in (("..", "x"), ("a", "..", "..", "x"), ("/tmp",)):
        with pytest.raises(ParameterError, match="escapes"):
            inside(tmp_path, *parts)


def test_engagement_with_escaping_ids_or_stages_is_refused(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "ok"}], stages=("01_tiny",))
    text = eng.read_text()
    eng.write_text(text.replace("- 01_tiny", "- ../../etc").replace("id: ok", "id: ../../tmp"))
    with pytest.raises(ParameterError) as err:
        batch.load_engagement(eng)
    assert "'../../etc' is not a stage id" in str(err.value)
    assert "client id '../../tmp' is not allowed" in str(err.value)


@pytest.mark.notebook
def test_parameter_values_never_run_as_code(tmp_path):
    sentinel = tmp_path / "pwned"
    payloads = [
        f'"; open({str(sentinel)!r}, "w").close(); x = "',
        f"'''\nopen({str(sentinel)!r}, 'w').close()\n'''",
        f'\\"; __import__("os").system("touch {sentinel}") #',
        f'""" + str(open({str(sentinel)!r}, "w")) + """',
        "<script>alert(1)</script> & =HYPERLINK(\"http://x\")",
    ]
    eng = make_engagement(tmp_path, [{"id": f"c{i}", "name": p} for i, p in enumerate(payloads)],
                          stages=("01_tiny",))
    out = tmp_path / "out"
    manifest = batch.run_engagement(eng, out=out, jobs=2, pdf=False, progress=False,
                                    portfolio=False)
    assert (manifest["status"] == "completed").all()
    assert not sentinel.exists()
    for i, payload in enumerate(payloads):
        # the kernel received the exact text, as text
        assert results(out, f"c{i}", "01_tiny")["values"]["client_name"] == payload
    html = (out / "c4" / "01_tiny" / "01_tiny.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_parameters_must_be_plain_data(tmp_path):
    eng = make_engagement(tmp_path, [{"id": "a"}], stages=("01_tiny",))
    eng.write_text(eng.read_text() + "")
    data = batch.load_engagement(eng)
    client = data.clients[0]
    bad = batch.Engagement(data.path, data.id, data.title, data.as_of, data.language, data.stages,
                           (batch.Client(client.id, client.name, client.industry, client.data_dir,
                                         client.language, {},
                                         {"01_tiny": {"scale": object()}}),), data.notebooks)
    with pytest.raises(ParameterError, match="values must be text, numbers"):
        batch.plan_jobs(bad, out=tmp_path / "out")


def test_spreadsheet_exports_neutralize_formulas(tmp_path):
    table = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "ok", "\tx"],
                          "amount": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]})
    xlsx = report.to_excel({"t": table}, tmp_path / "t.xlsx")
    ws = load_workbook(xlsx).active
    cells = [ws.cell(row=r, column=1).value for r in range(2, 8)]
    assert cells == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "ok", "'\tx"]
    assert ws.cell(row=3, column=2).value == -2  # numbers stay numbers
    csv = report.to_csv(table, tmp_path / "t.csv")
    back = pd.read_csv(csv)
    assert not back["name"].str.match(r"^[=+\-@\t]").any()
    assert table["name"].iloc[0] == "=cmd|' /C calc'!A0"  # input not mutated


def test_manifest_csv_neutralizes_error_text(tmp_path):
    job = batch.Job("a", "A", "", "01_tiny", "nb.ipynb", {}, str(tmp_path), "es", "2024-12-31",
                    "e", "E", "h")
    row = batch._manifest_row("r1", job, {"status": "failed", "error": "=1+1 bad"}, "executed")
    batch._write_manifest(tmp_path, "r1", [row], [job])
    text = (tmp_path / "manifest.csv").read_text()
    assert ",'=1+1 bad" in text
