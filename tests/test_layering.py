"""The dependency direction of DESIGN.md: io/schemas <- stages <- plot/report <- batch/cli.

Stage modules compute; they never import drawing, reporting or the runner, so
they stay usable (and fast to import) in any script.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "crmlib"
STAGES = ["identify", "differentiate", "clv", "interact", "personalize", "collections",
          "readiness", "servqual", "io", "schemas", "view", "consistency", "followup",
          "segment"]
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


# --------------------------------------------------------------------------- import circles


def _unit(module: str) -> str | None:
    """``crmlib.clv._holdout`` -> ``clv``; ``crmlib`` itself -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "crmlib" else None


def _import_graph() -> dict[str, dict[str, list[str]]]:
    """``{unit: {imported unit: [files]}}`` over every file of crmlib, imports inside
    functions included (a lazy import is still a dependency)."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        src = _unit(".".join(rel.with_suffix("").parts)) or "crmlib"
        for name in _imports(path):
            dst = _unit(name)
            if dst and dst != src:
                graph.setdefault(src, {}).setdefault(dst, []).append(str(rel))
    return graph


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_circle():
    # the checker itself: a made-up graph with one circle and one chain
    graph = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": []}, "b": {}}) == []


def test_no_module_of_crmlib_imports_itself_back_in_a_circle():
    """Issue 17: clv <-> differentiate and instruments -> questionnaire -> servqual ->
    instruments. Every import counts, also those inside functions."""
    graph = _import_graph()
    circles = _cycles(graph)
    detail = [f"{a} -> {b} ({', '.join(sorted(set(graph[a][b])))})"
              for group in circles for a in group for b in group if b in graph.get(a, {})]
    assert circles == [], "import circles:\n" + "\n".join(detail)


@pytest.mark.parametrize("module, never", [
    ("crmlib.differentiate", ("crmlib.clv",)),
    ("crmlib.instruments", ("crmlib.questionnaire", "crmlib.servqual", "crmlib.readiness",
                            "crmlib.io", "crmlib.report")),
    ("crmlib.questionnaire", ("crmlib.servqual", "crmlib.readiness")),
    # io converts survey exports itself: reading a client folder loads no analysis
    ("crmlib.io", ("crmlib.questionnaire", "crmlib.servqual", "crmlib.readiness")),
])
def test_module_imported_alone_loads_no_module_above_it(module, never):
    """In a fresh interpreter: the lower module of each former circle loads without the
    upper one (instruments are data and load no analysis at all)."""
    import subprocess
    import sys

    code = (f"import sys, {module}\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('crmlib'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT.parent)
    loaded = set(done.stdout.split())
    assert module in loaded
    assert sorted(m for m in loaded if m.startswith(never)) == []
    static = sorted({n for p in _module_files(module.split(".")[1]) for n in _imports(p)
                     if n.startswith(never)})
    assert static == [], f"{module} imports {static} (inside a function counts too)"


def test_names_moved_to_break_the_circles_still_work():
    from crmlib import _purchases, clv, differentiate, questionnaire, servqual

    assert clv.TIME_UNIT_DAYS is _purchases.TIME_UNIT_DAYS
    assert clv.TIME_UNIT_DAYS == {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
    assert differentiate._clean_transactions is _purchases._clean_transactions
    assert differentiate._purchase_days is _purchases._purchase_days
    header = servqual.forms_csv_header("servqual-1991", language="en")
    assert header[1].startswith("Expectation [SQ01. ")
    assert header[-2:] == ["Overall rating of the service quality (1-7)", "Customer type"]
    assert "Expectativa" in servqual.questionnaire_html("servqual-1991", language="es")
    # the generic writer still picks SERVQUAL's own forms for a SERVQUAL instrument
    assert "questionnaire_html" in dir(questionnaire)


def test_survey_converters_moved_into_io_keep_their_public_names():
    """The survey-export converters live in io; servqual and questionnaire hand out the
    very same functions under their old names."""
    from crmlib import instruments, io, questionnaire, servqual
    from crmlib.io import (
        _answers,
        _points,
        _servqual_survey,
        _servqual_wide,
        _survey_export,
        _survey_tables,
    )

    assert servqual.responses_from_survey is _servqual_survey.responses_from_survey
    assert servqual.respondents_from_survey is _servqual_survey.respondents_from_survey
    assert servqual.responses_from_wide is _servqual_wide.responses_from_wide
    assert servqual.respondents_from_wide is _servqual_wide.respondents_from_wide
    assert servqual.SCORE_PARTS is instruments.SCORE_PARTS
    assert servqual.SCORE_PARTS == ("expectation", "perception", "adequate", "desired")
    assert questionnaire.survey_table is _survey_tables.survey_table
    assert questionnaire.from_survey_export is _survey_export.from_survey_export
    assert questionnaire.NoItemColumns is _survey_export.NoItemColumns
    assert questionnaire.answer_values is _answers.answer_values
    assert questionnaire._group_key is _answers._group_key
    assert io.points_of_100 is _points.points_of_100
