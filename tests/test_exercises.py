"""Coursework notebooks: reference answers pass every check, typical mistakes get a hint.

Each exercise notebook runs under papermill in a real kernel twice: with the
reference solutions of tests/exercise_solutions.yaml put into its answer cells,
and with the wrong answers. The checks compute the right answer with crmlib
itself, so a change in the library that broke an exercise shows here.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml
from conftest import CELL_TIMEOUT

from crmlib import exercises

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
SOLUTIONS = yaml.safe_load((Path(__file__).parent / "exercise_solutions.yaml").read_text("utf-8"))


def _with_answers(name: str, answers: dict, tmp_path: Path) -> Path:
    nb = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    seen = set()
    for cell in nb.cells:
        for tag in cell.metadata.get("tags", []):
            if tag in answers:
                cell.source = answers[tag]
                seen.add(tag)
    assert seen == set(answers), f"{name}: answer cells {set(answers) - seen} not found"
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _check_outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    texts = []
    for cell in nb.cells:
        if "check" in cell.metadata.get("tags", []):
            md = [o["data"]["text/markdown"] for o in cell.outputs
                  if o.get("output_type") == "execute_result" and "text/markdown" in o["data"]]
            assert len(md) == 1, f"check cell shows no result: {cell.source}"
            texts.append(md[0])
    return texts


def _run(src: Path, tmp_path: Path, language: str) -> list[str]:
    out = tmp_path / f"out-{language}-{src.name}"
    pm.execute_notebook(str(src), str(out), parameters={"language": language},
                        kernel_name="python3", cwd=str(EXERCISES), progress_bar=False,
                        execution_timeout=CELL_TIMEOUT)
    return _check_outputs(out)


def test_every_exercise_has_solutions():
    names = sorted(p.stem for p in EXERCISES.glob("ex*.ipynb"))
    assert len(names) >= 5
    assert sorted(SOLUTIONS) == names


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_reference_answers_pass(name, tmp_path):
    language = "es" if name < "ex04" else "en"
    src = _with_answers(name, SOLUTIONS[name]["right"], tmp_path)
    results = _run(src, tmp_path, language)
    assert results and all(r.startswith("✅") for r in results), results


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_wrong_answers_fail_with_a_hint(name, tmp_path):
    language = "en" if name < "ex04" else "es"
    src = _with_answers(name, SOLUTIONS[name]["wrong"], tmp_path)
    results = _run(src, tmp_path, language)
    assert results and all(r.startswith("❌") for r in results), results
    missing = {"es": "Todavía no hay respuesta", "en": "No answer yet"}[language]
    assert not any(missing in r for r in results), "a wrong answer must get a hint, not 'missing'"


def test_hint_does_not_give_the_answer_away(movil_tx):
    wrong = exercises.check_customer_share_for_80(0.9, movil_tx, as_of="2024-12-31",
                                                  language="en")
    expected = wrong.details["expected"]
    assert not wrong.passed
    for shown in (f"{expected:.2f}", f"{expected:.1%}", f"{expected * 100:.0f}"):
        assert shown not in wrong.message


def test_percentage_instead_of_share_gets_its_own_hint(movil_tx):
    right = exercises.check_customer_share_for_80(0.0, movil_tx, as_of="2024-12-31")
    as_pct = exercises.check_customer_share_for_80(right.details["expected"] * 100, movil_tx,
                                                   as_of="2024-12-31", language="en")
    assert not as_pct.passed and "share between 0 and 1" in as_pct.message


def test_check_number_and_choice_rules():
    ok = exercises.check_number(10.05, 10, task="t", hint="h", rel_tol=0.01)
    assert ok.passed
    assert not exercises.check_number(10.5, 10, task="t", hint="h", rel_tol=0.01).passed
    assert "número" in exercises.check_number("abc", 1, task="t", hint="h").message
    assert exercises.check_choice(" Reliability ", "reliability", task="t", hint="h").passed
    bad = exercises.check_choice("x", "a", task="t", hint="h", allowed=["a", "b"], language="en")
    assert not bad.passed and "a, b" in bad.message


@pytest.fixture(scope="module")
def movil_tx():
    from crmlib import io

    return io.read_client_table(ROOT / "data_samples" / "movil-andina", "transactions")
