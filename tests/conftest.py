"""Shared fixtures: paths and a real papermill runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLES = ROOT / "data_samples"
SAMPLE_CLIENTS = ("movil-andina", "distribuidora-norte", "hotel-mirador")
SAMPLE_NAMES = {
    "movil-andina": "Móvil Andina",
    "distribuidora-norte": "Distribuidora Industrial del Norte",
    "hotel-mirador": "Hotel Mirador del Lago",
}

os.environ.setdefault("MPLBACKEND", "agg")

# Seconds one notebook cell may run in the tests: a stuck cell fails its test
# instead of holding the whole suite.
CELL_TIMEOUT = 600


def run_notebook(name: str, out_dir: Path, **parameters):
    """Execute ``notebooks/<name>.ipynb`` under papermill in a real ``python3`` kernel.

    Returns ``(executed notebook node, html text without code)``. Raises
    papermill's ``PapermillExecutionError`` (naming the cell) when a cell fails.
    """
    import nbformat
    import papermill as pm

    from crmlib.report import notebook_html

    src = NOTEBOOKS / name if name.endswith(".ipynb") else NOTEBOOKS / f"{name}.ipynb"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / src.name
    pm.execute_notebook(
        str(src), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(src.parent), progress_bar=False, log_output=False,
        execution_timeout=CELL_TIMEOUT,
    )
    nb = nbformat.read(out, as_version=4)
    return nb, notebook_html(out)


def sample_parameters(client_id: str, out_dir: Path, language: str = "es", **extra) -> dict:
    """Notebook parameters for a sample client, writing results under ``out_dir``."""
    return {
        "client_id": client_id,
        "client_name": SAMPLE_NAMES.get(client_id, client_id),
        "data_dir": str(SAMPLES / client_id),
        "output_dir": str(out_dir / "results"),
        "language": language,
        **extra,
    }


@pytest.fixture
def notebook_runner():
    return run_notebook


# ------------------------------------------------------------ the sample engagement, rendered once
#
# The leak scan and every notebook test that runs a stage on its default parameters read the
# same reports: the three sample companies through every stage, once per language, run by
# the real runner (``crmlib run``: warm kernels, jobs in parallel). Under pytest-xdist the
# rendering goes to a folder all workers share; a file lock lets one worker render while the
# others wait for it, and the outcome (including a failure) is written down so nobody renders
# twice. Tests with other parameters keep their own runs.

def _engagement_stages() -> tuple[str, ...]:
    import yaml

    text = (SAMPLES / "engagement.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["stages"])


#: Every stage of the sample engagement; ``crmlib run`` ends each client with its summary
#: (``80_summary``).
SAMPLE_STAGES = _engagement_stages()
#: Parameters of the shared run beyond the stage defaults (letters name their currency; the
#: segments' stability is bootstrapped 8 times instead of the default's more).
SAMPLE_STAGE_PARAMETERS = {"07_collections": {"currency": "EUR"},
                           "09_segments": {"n_bootstrap": 8}}
SAMPLE_TITLE = "Empresas de ejemplo"


def _shared_root(tmp_path_factory) -> Path:
    """A folder every xdist worker of this session sees; this session's own without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


class _FileLock:
    """An exclusive lock on ``path`` between processes (flock; a no-op where it is missing).

    ``blocking=False`` makes entering give up at once when another process holds the lock;
    ``held`` says whether it was taken.
    """

    def __init__(self, path: Path, *, blocking: bool = True):
        self.path, self.blocking, self.held = path, blocking, False

    def __enter__(self):
        self._fh = open(self.path, "a+")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: one process renders
            self.held = True
            return self
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | (0 if self.blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            return self
        self.held = True
        return self

    def __exit__(self, *exc):
        self._fh.close()  # closing releases the lock


def _render_sample_engagement(folder: Path, language: str) -> dict:
    """Run the sample engagement in ``language`` into ``folder/out`` with ``crmlib run``."""
    import json
    import subprocess
    import sys

    import yaml

    clients = [{"id": c, "name": SAMPLE_NAMES[c], "industry": "sample",
                "data_dir": str(SAMPLES / c), "language": language} for c in SAMPLE_CLIENTS]
    engagement = {"engagement": f"samples-{language}", "title": SAMPLE_TITLE,
                  "as_of": "2024-12-31", "language": language, "stages": list(SAMPLE_STAGES),
                  "stage_parameters": SAMPLE_STAGE_PARAMETERS, "clients": clients,
                  "cell_timeout": CELL_TIMEOUT}
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(engagement, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "agg", "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    ran = subprocess.run(
        [sys.executable, "-m", "crmlib.cli", "run", str(path), "--out", str(folder / "out"),
         "--jobs", "2", "--pdf", "no", "--no-portfolio", "--progress", "no"],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=3600)
    outcome = {"returncode": ran.returncode,
               "output": "\n".join((ran.stdout + ran.stderr).strip().splitlines()[-40:])}
    (folder / "outcome.json").write_text(json.dumps(outcome), encoding="utf-8")
    return outcome


class SampleRun:
    """The sample engagement rendered in one language (see :func:`sample_run`)."""

    def __init__(self, out: Path, language: str, outcome: dict):
        self.out, self.language, self.outcome = out, language, outcome

    def folder(self, client: str, stage: str) -> Path:
        """Output folder of one client and stage, after checking that the job completed."""
        import pandas as pd

        manifest = self.out / "manifest.csv"
        if not manifest.exists():
            pytest.fail(f"the sample run ({self.language}) wrote no manifest "
                        f"(exit {self.outcome['returncode']}):\n{self.outcome['output']}")
        rows = pd.read_csv(manifest, dtype=str, keep_default_na=False)
        row = rows[(rows["client_id"] == client) & (rows["stage"] == stage)]
        if row.empty or row["status"].iloc[0] != "completed":
            error = row["error"].iloc[0] if len(row) else "not in the manifest"
            pytest.fail(f"{stage} of {client} ({self.language}) did not complete in the "
                        f"sample run: {error}")
        return self.out / client / stage

    def notebook(self, client: str, stage: str) -> Path:
        """The executed notebook."""
        return self.folder(client, stage) / f"{stage}.ipynb"

    def html(self, client: str, stage: str) -> str:
        """The executed notebook as HTML without code, as :func:`run_notebook` returns it."""
        from crmlib.report import notebook_html

        return notebook_html(self.notebook(client, stage))

    def report(self, client: str, stage: str) -> str:
        """The client report page the runner wrote (cover, outputs, no code)."""
        return (self.folder(client, stage) / f"{stage}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """``sample_run(language) -> SampleRun``: the sample engagement, rendered once per language
    for the whole test session (all xdist workers), by the real runner."""
    import json

    root = _shared_root(tmp_path_factory) / "sample-engagement"
    root.mkdir(parents=True, exist_ok=True)
    runs: dict[str, SampleRun] = {}

    def outcome(language: str, *, blocking: bool) -> dict | None:
        """The run's outcome, rendering it when nobody has; None when another worker is
        rendering it and ``blocking`` is False."""
        folder = root / language
        with _FileLock(root / f"{language}.lock", blocking=blocking) as lock:
            if not lock.held:
                return None
            done = folder / "outcome.json"
            if done.exists():
                return json.loads(done.read_text(encoding="utf-8"))
            folder.mkdir(parents=True, exist_ok=True)
            return _render_sample_engagement(folder, language)

    def get(language: str) -> SampleRun:
        if language not in runs:
            found = outcome(language, blocking=False)
            if found is None:
                # another worker is rendering this language: render a language nobody has
                # started instead of waiting idle, then wait for this one
                for other in ("es", "en"):
                    if other != language and not (root / other / "outcome.json").exists():
                        outcome(other, blocking=False)
                found = outcome(language, blocking=True)
            runs[language] = SampleRun(root / language / "out", language, found)
        return runs[language]

    return get


@pytest.fixture
def sample_report(sample_run):
    """``sample_report(client, stage, language) -> (html, folder)``: a default-parameter stage of a
    sample client from the shared run: the notebook's HTML without code and its output folder
    (``results.json``, ``tables.xlsx``, ``letters/``)."""

    def get(client: str, stage: str, language: str):
        run = sample_run(language)
        return run.html(client, stage), run.folder(client, stage)

    return get
