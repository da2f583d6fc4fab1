"""Every dependency pyproject.toml declares for running the workbook is used by it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Distribution name -> the module the code imports, where they differ.
MODULES = {"pyyaml": "yaml", "scikit-learn": "sklearn", "psycopg[binary]": "psycopg"}
#: Dependencies used without an import in crmlib or a notebook, and where they are used.
USED_OTHERWISE = {
    "pyarrow": "pandas' Parquet reader and writer (io reads .parquet client files)",
    "jupyterlab": "`make lab` opens the notebooks in it",
}


def _declared() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [re.split(r"[<>=!~ ;]", spec, maxsplit=1)[0].lower()
            for spec in data["project"]["dependencies"]]


def _sources() -> str:
    files = [*ROOT.joinpath("crmlib").rglob("*.py"), *ROOT.joinpath("notebooks").rglob("*.ipynb")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_runtime_dependency_is_imported_or_said_where_it_is_used():
    text = _sources()
    unused = []
    for name in _declared():
        if name in USED_OTHERWISE:
            continue
        module = MODULES.get(name, name.replace("-", "_"))
        if not re.search(rf"(^|[\s\"'])(import|from) {re.escape(module)}(\.|\s|$)", text,
                         re.MULTILINE):
            unused.append(name)
    assert unused == [], f"declared in pyproject.toml but never imported: {unused}"


def test_the_exceptions_are_still_declared():
    # a stale entry in USED_OTHERWISE would excuse nothing
    assert set(USED_OTHERWISE) <= set(_declared())


def test_parquet_files_are_read_through_pyarrow():
    io_sources = "\n".join(p.read_text(encoding="utf-8")
                           for p in ROOT.joinpath("crmlib", "io").rglob("*.py"))
    assert "read_parquet" in io_sources
