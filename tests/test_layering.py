"""The dependency direction of DESIGN.md: io/schemas <- stages <- plot/report <- batch/cli.

Stage modules compute; they never import drawing, reporting or the runner, so
they stay usable (and fast to import) in any script.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "crmlib"
STAGES = ["identify", "differentiate", "clv", "interact", "personalize", "collections",
          "readiness", "servqual", "io", "schemas", "view", "consistency"]
FORBIDDEN = ("crmlib.plot", "crmlib.report", "crmlib.batch", "crmlib.cli", "matplotlib",
             "seaborn")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "crmlib":
                names.update(f"crmlib.{a.name}" for a in node.names)
    return names


def _module_files(stage: str) -> list[Path]:
    """The file of a flat module, or every file of a module grown into a package."""
    if (ROOT / f"{stage}.py").exists():
        return [ROOT / f"{stage}.py"]
    return sorted((ROOT / stage).glob("*.py"))


@pytest.mark.parametrize("stage", STAGES)
def test_stage_modules_do_not_import_drawing_or_reporting(stage):
    files = _module_files(stage)
    assert files, f"crmlib/{stage} does not exist"
    for path in files:
        bad = sorted(n for n in _imports(path) if n.startswith(FORBIDDEN))
        assert bad == [], f"{path.relative_to(ROOT.parent)} imports {bad}"


def test_i18n_catalog_loads_and_is_complete():
    from crmlib.i18n import LANGUAGES, catalog

    texts = catalog()
    assert texts, "no i18n keys found"
    for key, entry in texts.items():
        for lang in LANGUAGES:
            assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)


def test_notebooks_committed_clean_with_python3_kernel():
    import nbformat

    nb_dir = ROOT.parent / "notebooks"
    paths = sorted(nb_dir.rglob("*.ipynb"))
    for path in paths:
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", path.name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.name} is committed with outputs"
                assert cell.execution_count is None, f"{path.name} has execution counts"
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        if "exercises" not in path.parts:
            assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
