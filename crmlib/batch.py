"""Engagement runs: every stage notebook for every client, in parallel and resumable.

An engagement file (YAML) lists the clients of one consulting engagement and
the stages to run::

    engagement: demo-2024
    title: "Demo engagement"
    as_of: "2024-12-31"
    language: es
    stages: [01_identify, 02_differentiate]
    clients:
      - id: movil-andina
        name: Móvil Andina
        industry: telecom
        data_dir: movil-andina       # relative to the engagement file
        language: es                 # optional
        parameters: {}               # for every stage whose notebook declares them
        stage_parameters: {}         # {stage: {name: value}}

:func:`run_engagement` checks every parameter against the notebooks'
``parameters`` cells before anything runs, executes each client and stage
with papermill in worker processes (warm kernels, see :mod:`crmlib._kernels`),
exports a client report (HTML with a cover, PDF when Chromium is installed),
keeps ``results.json`` and ``tables.xlsx``, stores key figures in the results
store and writes a manifest. Output layout under ``out``::

    <out>/<client_id>/<stage>/{<stage>.ipynb, <stage>.html, <stage>.pdf, tables.xlsx,
                                results.json, job.json}
    <out>/manifest.csv   <out>/runs/<run_id>.csv   <out>/results.duckdb   <out>/summary.txt

A job's folder is built under a temporary name and renamed into place, so an
interrupted run never leaves a half-written output; ``job.json`` records the
hash of everything the job depends on, and a re-run skips jobs whose hash and
outputs are unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import hashlib
import io as _io
import json
import logging
import math
import os
import re
import shutil
import sys
import threading
import time
import tokenize
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from crmlib import __version__
from crmlib._files import atomic_write_text, check_id, inside
from crmlib.exceptions import CrmlibError, ParameterError
from crmlib.store import open_store, split_password

__all__ = [
    "JOB_FILE",
    "MANIFEST_FILE",
    "STANDARD_PARAMETERS",
    "STORE_FILE",
    "SUMMARY_FILE",
    "Client",
    "Engagement",
    "Job",
    "NotebookParameter",
    "execute_job",
    "load_engagement",
    "notebook_parameters",
    "parse_shard",
    "plan_jobs",
    "run_engagement",
    "validate_engagement",
]

log = logging.getLogger("crmlib.batch")

MANIFEST_FILE = "manifest.csv"
SUMMARY_FILE = "summary.txt"
STORE_FILE = "results.duckdb"
JOB_FILE = "job.json"
PORTFOLIO_PREFIX = "9"
STANDARD_PARAMETERS = ("client_id", "client_name", "data_dir", "output_dir", "language", "as_of",
                       "interactive")
_STAGE_ID = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")
_ENGAGEMENT_KEYS = {"engagement", "title", "as_of", "language", "stages", "clients", "notebooks",
                    "parameters", "stage_parameters", "store"}
_CLIENT_KEYS = {"id", "name", "industry", "data_dir", "language", "parameters",
                "stage_parameters"}


# --------------------------------------------------------------------------- engagement

@dataclass(frozen=True)
class Client:
    """One client of an engagement (see the module docstring for the fields)."""

    id: str
    name: str
    industry: str
    data_dir: Path
    language: str
    parameters: dict = field(default_factory=dict)
    stage_parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Engagement:
    """A parsed engagement file; paths are absolute."""

    path: Path | None
    id: str
    title: str
    as_of: str
    language: str
    stages: tuple[str, ...]
    clients: tuple[Client, ...]
    notebooks: Path
    store: str | None = None


def _problem_list_error(what: str, problems: list[str], **kw) -> ParameterError:
    text = f"{what}: {len(problems)} problem{'s' if len(problems) != 1 else ''}\n" + \
        "\n".join(f"  - {p}" for p in problems)
    return ParameterError(text, **kw)


def _default_notebooks(base: Path) -> Path:
    """``notebooks/`` beside the engagement file or one level up, else the workbook's own.

    The last fallback is the ``notebooks/`` folder of the checkout crmlib runs from, so
    an engagement kept anywhere (a student team's folder made by ``crmlib templates``)
    runs the workbook's notebooks.
    """
    own = Path(__file__).resolve().parents[1] / "notebooks"
    for candidate in (base / "notebooks", base.parent / "notebooks", own):
        if candidate.is_dir():
            return candidate.resolve()
    return (base.parent / "notebooks").resolve()


def load_engagement(engagement, *, language: str | None = None,
                    notebooks: str | os.PathLike | None = None) -> Engagement:
    """Read and check an engagement file (or an already-parsed mapping).

    Parameters
    ----------
    engagement : str, path, dict or Engagement
        The YAML file, or its content as a dict (paths then relative to the
        current folder).
    language : {"es", "en"}, optional
        Overrides every client's report language.
    notebooks : str or path, optional
        Folder of the stage notebooks; by default the engagement's
        ``notebooks`` key, else ``notebooks/`` next to or above the file.

    Raises
    ------
    ParameterError
        Listing every problem found (unknown keys, unsafe or duplicate ids,
        missing data folders, bad dates or languages).
    """
    from crmlib.i18n import LANGUAGES

    if isinstance(engagement, Engagement):
        return engagement
    if isinstance(engagement, dict):
        data, path, base = engagement, None, Path.cwd()
    else:
        path = Path(engagement).resolve()
        if not path.is_file():
            raise ParameterError(f"engagement file {str(engagement)!r} does not exist",
                                 parameter="engagement", value=str(engagement))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ParameterError(f"engagement file {path.name} is not valid YAML: {exc}",
                                 parameter="engagement", value=str(engagement)) from None
        base = path.parent
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ParameterError("an engagement must be a mapping with 'engagement' and 'clients'",
                             parameter="engagement", value=type(data).__name__)
    unknown = sorted(set(data) - _ENGAGEMENT_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {unknown}; allowed: {sorted(_ENGAGEMENT_KEYS)}")
    eng_id = str(data.get("engagement") or (path.stem if path else "engagement"))
    try:
        check_id(eng_id, "engagement id")
    except ParameterError as exc:
        problems.append(str(exc))
    as_of = data.get("as_of")
    as_of = as_of.isoformat() if isinstance(as_of, _dt.date) else as_of
    if as_of is not None:
        try:
            _dt.date.fromisoformat(str(as_of))
        except ValueError:
            problems.append(f"as_of must be an ISO date (YYYY-MM-DD); got {as_of!r}")
    default_language = language or data.get("language") or "es"
    for lang, where in ((language, "--language"), (data.get("language"), "language")):
        if lang is not None and lang not in LANGUAGES:
            problems.append(f"{where} must be one of {list(LANGUAGES)}; got {lang!r}")
    stages = data.get("stages")
    if stages is None:
        stages = []
    if not isinstance(stages, list):
        problems.append(f"stages must be a list of stage ids; got {stages!r}")
        stages = []
    for stage in stages:
        if not isinstance(stage, str) or not _STAGE_ID.match(stage):
            problems.append(f"stage {stage!r} is not a stage id like '02_differentiate'")
    if len(set(stages)) != len(stages):
        problems.append("stages lists a stage more than once")
    nb_dir = notebooks or data.get("notebooks")
    nb_dir = (base / nb_dir).resolve() if nb_dir else _default_notebooks(base)
    if not nb_dir.is_dir():
        problems.append(f"notebook folder {str(nb_dir)!r} does not exist")
    raw_clients = data.get("clients")
    if not isinstance(raw_clients, list) or not raw_clients:
        problems.append("clients must be a non-empty list")
        raw_clients = []
    clients = []
    seen: set[str] = set()
    eng_params = data.get("parameters") or {}
    eng_stage_params = data.get("stage_parameters") or {}
    for pos, raw in enumerate(raw_clients, start=1):
        if not isinstance(raw, dict):
            problems.append(f"client #{pos} is not a mapping")
            continue
        cid = raw.get("id")
        label = f"client #{pos} ({cid!r})"
        extra = sorted(set(raw) - _CLIENT_KEYS)
        if extra:
            problems.append(f"{label}: unknown key(s) {extra}; allowed: {sorted(_CLIENT_KEYS)}")
        try:
            check_id(cid if isinstance(cid, str) else repr(cid), "client id")
        except ParameterError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if cid in seen:
            problems.append(f"{label}: client id used twice")
        seen.add(cid)
        lang = language or raw.get("language") or default_language
        if lang not in LANGUAGES:
            problems.append(f"{label}: language must be one of {list(LANGUAGES)}; got {lang!r}")
        data_dir = raw.get("data_dir", cid)
        if not isinstance(data_dir, str) or not data_dir:
            problems.append(f"{label}: data_dir must be a folder name; got {data_dir!r}")
            continue
        ddir = (base / data_dir).resolve()
        if not ddir.is_dir():
            problems.append(f"{label}: data folder {data_dir!r} does not exist")
        params = {**eng_params, **(raw.get("parameters") or {})}
        stage_params = {k: dict(v or {}) for k, v in eng_stage_params.items()}
        for k, v in (raw.get("stage_parameters") or {}).items():
            stage_params.setdefault(k, {}).update(v or {})
        for stage in stage_params:
            if stage not in stages and not str(stage).startswith(PORTFOLIO_PREFIX):
                problems.append(f"{label}: stage_parameters names stage {stage!r}, "
                                f"which the engagement does not run")
        clients.append(Client(cid, str(raw.get("name") or cid), str(raw.get("industry") or ""),
                              ddir, lang, params, stage_params))
    if problems:
        raise _problem_list_error(f"engagement {path.name if path else eng_id}", problems,
                                  parameter="engagement", value=str(path or eng_id))
    return Engagement(path, eng_id, str(data.get("title") or eng_id),
                      str(as_of) if as_of else _dt.date.today().isoformat(),
                      default_language, tuple(stages), tuple(clients), nb_dir,
                      data.get("store"))


# --------------------------------------------------------------------------- notebook parameters

@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell.

    ``type`` is the annotation as written (``str``, ``int``, ``float``,
    ``bool``, ``list``, ``dict`` ...); ``default`` the literal value, or
    ``None`` when the default is not a literal; ``required`` is true for a
    default of ``None`` under a non-optional annotation.
    """

    name: str
    type: str | None
    default: object
    required: bool
    help: str


def _parameters_cell(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
    return None


def notebook_parameters(path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares, read from its cell tagged ``parameters``.

    Parsed with :mod:`ast` (papermill's own parser gives up on comments that
    hold quotes or ``=``). Empty when the notebook has no such cell.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    source = _parameters_cell(nb)
    if source is None:
        return {}
    source = "\n".join(line for line in source.splitlines()
                       if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(source)
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(_io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    out: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, annotation, value = node.targets[0].id, None, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = None
        if annotation is None and default is not None:
            annotation = type(default).__name__
        optional = annotation is None or "None" in annotation or "Optional" in annotation
        required = value is None or (default is None and not optional
                                     and isinstance(value, ast.Constant))
        out[name] = NotebookParameter(name, annotation, default, required,
                                      comments.get(node.lineno, ""))
    return out


def _type_ok(value, annotation: str | None) -> bool:
    if annotation is None:
        return True
    kinds = [a.strip() for a in annotation.replace("Optional[", "").rstrip("]").split("|")]
    for kind in kinds:
        base = kind.split("[")[0]
        if base == "None" and value is None:
            return True
        if base == "str" and isinstance(value, str):
            return True
        if base == "bool" and isinstance(value, bool):
            return True
        if base == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if base == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if base in ("list", "tuple", "List", "Tuple", "Sequence") and isinstance(value, list):
            return True
        if base in ("dict", "Dict", "Mapping") and isinstance(value, dict):
            return True
        if base in ("Any", "object"):
            return True
    return False


def _plain(value, where: str, problems: list[str]):
    """Accept only YAML/JSON data for parameters: nothing that could carry code."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and math.isnan(value):
            problems.append(f"{where}: NaN is not a parameter value")
        return value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v, where, problems) for v in value]
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                problems.append(f"{where}: dict keys must be text; got {k!r}")
        return {str(k): _plain(v, where, problems) for k, v in value.items()}
    problems.append(f"{where}: values must be text, numbers, booleans, lists or mappings; "
                    f"got {type(value).__name__}")
    return None


# --------------------------------------------------------------------------- jobs

@dataclass
class Job:
    """One notebook to run for one client (everything a worker needs, picklable)."""

    client_id: str
    client_name: str
    industry: str
    stage: str
    notebook: str
    parameters: dict
    out: str
    language: str
    as_of: str
    engagement: str
    engagement_title: str
    parameter_hash: str
    input_hash: str = ""
    pdf: bool = False
    engine: str = "crmlib-warm"
    kernel_name: str = "python3"
    start_timeout: float = 60.0
    execution_timeout: float | None = None
    start_retries: int = 2
    #: extra environment of the job's kernel (the store password); never saved
    kernel_env: dict = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return f"{self.client_id}/{self.stage}"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def _folder_digest(folder: Path) -> str:
    items = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts):
            items.append((p.relative_to(folder).as_posix(), _sha256_file(p)))
    return _digest(items)


def _library_digest() -> str:
    """Version and content of crmlib's own code and texts: a change re-runs the jobs."""
    root = Path(__file__).parent
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".j2", ".json",
                                                                ".csv") and p.is_file())
    return _digest([__version__] + [(p.relative_to(root).as_posix(), _sha256_file(p))
                                    for p in files])


def _stage_notebooks(eng: Engagement, stages) -> tuple[dict[str, Path], list[str]]:
    found, missing = {}, []
    for stage in stages:
        nb = eng.notebooks / f"{stage}.ipynb"
        if nb.is_file():
            found[stage] = nb
        else:
            missing.append(stage)
    return found, missing


def _portfolio_notebooks(eng: Engagement) -> dict[str, Path]:
    return {p.stem: p for p in sorted(eng.notebooks.glob(f"{PORTFOLIO_PREFIX}[0-9]_*.ipynb"))
            if _STAGE_ID.match(p.stem)}


def parse_shard(shard) -> tuple[int, int] | None:
    """``"i/n"`` (0 <= i < n) as ``(i, n)``; ``None`` passes through."""
    if shard is None or isinstance(shard, tuple):
        return shard
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(shard))
    if not m or not (0 <= int(m.group(1)) < int(m.group(2))):
        raise ParameterError(f"shard must be 'i/n' with 0 <= i < n (e.g. '0/4'); got {shard!r}",
                             parameter="shard", allowed="i/n", value=shard)
    return int(m.group(1)), int(m.group(2))


def plan_jobs(engagement, *, out=None, only=None, stages=None, language=None, shard=None,
              pdf: bool = False, engine: str = "crmlib-warm", portfolio: bool = True,
              store: str | None = None, notebooks=None,
              execution_timeout: float | None = None) -> tuple[list[Job], list[Job], list[str]]:
    """Check parameters and list the jobs of a run, without running anything.

    Returns ``(stage_jobs, portfolio_jobs, notes)``. Raises
    :class:`~crmlib.exceptions.ParameterError` listing every unknown, missing
    or mistyped parameter of every client and stage at once.
    """
    eng = load_engagement(engagement, language=language, notebooks=notebooks)
    out = Path(out or "reports").resolve()
    problems: list[str] = []
    notes: list[str] = []
    selected_stages = list(eng.stages)
    if stages:
        unknown = [s for s in stages if s not in eng.stages and
                   not str(s).startswith(PORTFOLIO_PREFIX)]
        if unknown:
            raise ParameterError(f"--stages: {unknown} not in the engagement's stages "
                                 f"{list(eng.stages)}", parameter="stages",
                                 allowed=eng.stages, value=unknown)
        selected_stages = [s for s in eng.stages if s in stages]
    clients = list(eng.clients)
    if only:
        ids = {c.id for c in clients}
        unknown = [c for c in only if c not in ids]
        if unknown:
            raise ParameterError(f"--only: unknown client id(s) {unknown}; the engagement has "
                                 f"{sorted(ids)}", parameter="only", allowed=sorted(ids),
                                 value=unknown)
        clients = [c for c in clients if c.id in set(only)]
    shard = parse_shard(shard)
    if shard:
        ordered = sorted(c.id for c in clients)
        keep = {cid for k, cid in enumerate(ordered) if k % shard[1] == shard[0]}
        clients = [c for c in clients if c.id in keep]
    found, missing = _stage_notebooks(eng, selected_stages)
    for stage in missing:
        notes.append(f"stage {stage} skipped: notebooks/{stage}.ipynb does not exist")
    port = _portfolio_notebooks(eng) if portfolio else {}
    if stages:
        port = {k: v for k, v in port.items() if k in stages}
    declared = {stage: notebook_parameters(p) for stage, p in {**found, **port}.items()}
    for stage, params in declared.items():
        lacking = [p for p in STANDARD_PARAMETERS if p not in params]
        if lacking:
            problems.append(f"notebook {stage}: parameters cell lacks standard parameter(s) "
                            f"{lacking}")
    # parameters meant for every stage must be declared by at least one of them
    all_declared = set().union(*declared.values()) if declared else set()
    store_target = store or eng.store or str(out / STORE_FILE)
    store_public, store_password = split_password(store_target)
    stage_jobs: list[Job] = []
    portfolio_jobs: list[Job] = []
    for client in clients:
        for name in client.parameters:
            if name in STANDARD_PARAMETERS:
                problems.append(f"client {client.id}: parameter {name!r} is set by the runner")
            elif declared and name not in all_declared:
                problems.append(f"client {client.id}: unknown parameter {name!r} "
                                f"(no stage notebook declares it)")
        for stage, nb_path in {**found, **port}.items():
            declared_here = declared[stage]
            values = {
                "client_id": client.id, "client_name": client.name,
                "data_dir": str(client.data_dir), "language": client.language,
                "as_of": eng.as_of, "interactive": False,
            }
            if stage in port:
                # the notebook finds the client's industry in the store itself
                values["store"] = store_public  # the password goes to the kernel's environment
                values = {k: v for k, v in values.items()
                          if k in declared_here or k in STANDARD_PARAMETERS}
            where = f"client {client.id}, stage {stage}"
            for name, value in client.parameters.items():
                if name in declared_here and name not in STANDARD_PARAMETERS:
                    values[name] = _plain(value, f"{where}, parameter {name!r}", problems)
            for name, value in (client.stage_parameters.get(stage) or {}).items():
                if name in STANDARD_PARAMETERS:
                    problems.append(f"{where}: parameter {name!r} is set by the runner")
                elif name not in declared_here:
                    own = sorted(n for n in declared_here if n not in STANDARD_PARAMETERS)
                    problems.append(f"{where}: unknown parameter {name!r}; the notebook "
                                    f"declares {own}")
                else:
                    values[name] = _plain(value, f"{where}, parameter {name!r}", problems)
            for name, spec in declared_here.items():
                if name == "output_dir":
                    continue
                if name not in values:
                    if spec.required:
                        problems.append(f"{where}: parameter {name!r} needs a value "
                                        f"(the notebook has no default)")
                    continue
                if not _type_ok(values[name], spec.type):
                    problems.append(f"{where}: parameter {name!r} must be {spec.type}; got "
                                    f"{type(values[name]).__name__} {values[name]!r}")
            try:
                inside(out, client.id, stage)
            except ParameterError as exc:
                problems.append(f"{where}: {exc}")
            phash = _digest(values)
            job = Job(client.id, client.name, client.industry, stage, str(nb_path), values,
                      str(out), client.language, eng.as_of, eng.id, eng.title, phash,
                      pdf=pdf, engine=engine, execution_timeout=execution_timeout)
            if stage in port and store_password is not None:
                job.kernel_env = {"PGPASSWORD": store_password}
            (portfolio_jobs if stage in port else stage_jobs).append(job)
    if problems:
        raise _problem_list_error("parameters refused before running", problems,
                                  parameter="parameters")
    digests: dict[Path, str] = {}
    lib = _library_digest()
    nb_digests = {stage: _sha256_file(p) for stage, p in {**found, **port}.items()}
    for job in stage_jobs:
        ddir = Path(job.parameters["data_dir"])
        if ddir not in digests:
            digests[ddir] = _folder_digest(ddir)
        job.input_hash = _digest({"parameters": job.parameters, "notebook": nb_digests[job.stage],
                                  "data": digests[ddir], "crmlib": lib, "pdf": job.pdf})
    for job in portfolio_jobs:
        job.input_hash = _digest({"parameters": job.parameters, "notebook": nb_digests[job.stage],
                                  "crmlib": lib, "pdf": job.pdf})
    return stage_jobs, portfolio_jobs, notes


# --------------------------------------------------------------------------- one job (worker)

def _job_dir(job: Job) -> Path:
    return inside(job.out, job.client_id, job.stage)


def _read_job_record(job: Job) -> dict | None:
    path = _job_dir(job) / JOB_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_up_to_date(job: Job) -> bool:
    """True when the job completed before with the same inputs and its outputs are all there."""
    record = _read_job_record(job)
    if not record or record.get("status") != "completed" or \
            record.get("input_hash") != job.input_hash:
        return False
    folder = _job_dir(job)
    return all((folder / name).is_file() for name in (record.get("outputs") or {}).values())


def _failed_cell(nb_path: Path):
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001
        return None, ""
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            return index, first[:120]
    return None, ""


def _swap_into_place(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def execute_job(job: Job) -> dict:
    """Run one job: execute the notebook, export the report, move outputs into place.

    Never raises for a failing notebook: the returned record has
    ``status="failed"`` with the cell, the error and the executed notebook's
    path. Kernel start failures are retried; cell errors are not.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from crmlib import _kernels, report

    # parameters were checked by plan_jobs; papermill's own parser only adds noise
    logging.getLogger("papermill").setLevel(logging.ERROR)
    final = _job_dir(job)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{job.stage}.tmp-{uuid.uuid4().hex[:12]}")
    staging.mkdir()
    nb_out = staging / f"{job.stage}.ipynb"
    params = dict(job.parameters, output_dir=str(staging))
    started = time.time()
    record = {
        "client_id": job.client_id, "stage": job.stage, "industry": job.industry,
        "engagement": job.engagement, "status": "failed", "parameter_hash": job.parameter_hash,
        "input_hash": job.input_hash, "crmlib_version": __version__,
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "duration_s": None, "cells_s": None, "attempts": 0, "error": "", "error_cell": None,
        "error_source": "", "outputs": {}, "worker": f"{os.uname().nodename}:{os.getpid()}",
    }
    engine = job.engine if job.engine != "nbclient" else None
    if engine == _kernels.ENGINE_NAME:
        extra = {"kernel_cwd": str(Path(job.notebook).parent), "kernel_env": job.kernel_env}
    else:
        extra = {"cwd": str(Path(job.notebook).parent)}
    error = None
    timings = {}
    t_exec = time.time()
    for attempt in range(1 + job.start_retries):
        record["attempts"] = attempt + 1
        try:
            with _environment(job.kernel_env if engine is None else {}):
                pm.execute_notebook(job.notebook, str(nb_out), parameters=params,
                                    engine_name=engine, kernel_name=job.kernel_name,
                                    progress_bar=False, log_output=False,
                                    # one write at the end: the notebook is in a staging folder
                                    # anyway, and saving it after every cell costs seconds
                                    request_save_on_cell_execute=False,
                                    start_timeout=job.start_timeout,
                                    execution_timeout=job.execution_timeout, **extra)
            error = None
            break
        except PapermillExecutionError as exc:
            cell_index, source = _failed_cell(nb_out)
            record["error_cell"] = cell_index if cell_index is not None else exc.cell_index
            record["error_source"] = source
            error = f"{exc.ename}: {exc.evalue}"
            break
        except _kernels.KernelStartError as exc:  # the pool already retried the start
            error = f"kernel start failed: {exc}"
            break
        except Exception as exc:  # noqa: BLE001 - reported in the summary, never fatal
            msg = str(exc)
            if "Kernel died before replying to kernel_info" in msg or \
                    "Kernel didn't respond" in msg:
                error = f"kernel start failed: {type(exc).__name__}: {msg}"
                continue
            error = f"{type(exc).__name__}: {msg}"
            break
    timings["execute"] = round(time.time() - t_exec, 3)
    cells_s = _cell_seconds(nb_out)
    record["cells_s"] = cells_s
    outputs = {}
    if nb_out.exists():
        outputs["notebook"] = nb_out.name
    if error is None:
        try:
            t_html = time.time()
            html = staging / f"{job.stage}.html"
            report.write_report_html(nb_out, html, client=job.client_name, stage=job.stage,
                                     date=job.as_of, language=job.language,
                                     engagement=job.engagement_title)
            outputs["html"] = html.name
            timings["html"] = round(time.time() - t_html, 3)
            if (staging / report.RESULTS_FILE).exists():
                outputs["results"] = report.RESULTS_FILE
            else:
                rec = report.Recorder(staging, client_id=job.client_id, stage=job.stage,
                                      language=job.language)
                rec.save()
                outputs["results"] = report.RESULTS_FILE
            if (staging / report.TABLES_FILE).exists():
                outputs["tables"] = report.TABLES_FILE
            if job.pdf:
                t_pdf = time.time()
                pdf = staging / f"{job.stage}.pdf"
                report.html_to_pdf(html, pdf)
                outputs["pdf"] = pdf.name
                timings["pdf"] = round(time.time() - t_pdf, 3)
            record["status"] = "completed"
        except Exception as exc:  # noqa: BLE001
            error = f"export failed: {type(exc).__name__}: {exc}"
    record["error"] = error or ""
    record["outputs"] = outputs
    record["timings"] = timings
    record["duration_s"] = round(time.time() - started, 3)
    atomic_write_text(staging / JOB_FILE, json.dumps(record, indent=2, sort_keys=True))
    _swap_into_place(staging, final)
    return record


@contextlib.contextmanager
def _environment(extra: dict):
    """``os.environ`` with ``extra`` set, restored afterwards (for kernels started cold)."""
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cell_seconds(nb_path: Path) -> float | None:
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001
        return None
    total = 0.0
    for cell in nb.cells:
        total += cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
    return round(total, 3)


# --------------------------------------------------------------------------- executors

def _watch_parent(parent_pid: int) -> None:
    """Exit this worker when the process that started it is gone (SIGKILL included)."""
    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                try:
                    from crmlib import _kernels
                    _kernels.shutdown_pools()
                finally:
                    os._exit(3)

    threading.Thread(target=watch, name="crmlib-parent-watch", daemon=True).start()


def _worker_init(parent_pid: int, kernel_cwds: tuple) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
    from crmlib import _kernels, report

    for cwd in kernel_cwds:  # have a kernel booting before the first job arrives
        _kernels.get_pool("python3", cwd).prestart()
    report.prepare_export()  # while that kernel boots, not during the first job


class _LocalWorkers:
    """Worker processes kept for a whole run (stage jobs, then the portfolio).

    A worker that dies (a kernel taking the process down, the OOM killer)
    breaks the pool: the jobs it had not finished are run again on a fresh
    pool, at most three times in all, then reported as failed.
    """

    def __init__(self, n_workers: int, kernel_cwds: tuple):
        self.n_workers = n_workers
        self.kernel_cwds = kernel_cwds
        self._pool = None

    def _executor(self):
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.n_workers,
                                             mp_context=mp.get_context("spawn"),
                                             initializer=_worker_init,
                                             initargs=(os.getpid(), self.kernel_cwds))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def results(self, jobs: list[Job]):
        """Yield ``(job, record)`` as jobs finish."""
        if self.n_workers <= 1 or (len(jobs) <= 1 and self._pool is None):
            for job in jobs:
                yield job, execute_job(job)
            return
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pending = list(jobs)
        for _round in range(3):
            if not pending:
                return
            broken = False
            futures = {self._executor().submit(execute_job, job): job for job in pending}
            done_keys = set()
            try:
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        record = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001
                        record = _crash_record(job, f"{type(exc).__name__}: {exc}")
                    done_keys.add(job.key)
                    yield job, record
            except BrokenProcessPool:
                broken = True
            pending = [j for j in pending if j.key not in done_keys]
            if not broken:
                return
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for job in pending:  # a worker process died three times running these
            yield job, _crash_record(job, "worker process died")


def _crash_record(job: Job, error: str) -> dict:
    return {"client_id": job.client_id, "stage": job.stage, "industry": job.industry,
            "engagement": job.engagement, "status": "failed", "parameter_hash": job.parameter_hash,
            "input_hash": job.input_hash, "crmlib_version": __version__, "duration_s": None,
            "cells_s": None, "error": error, "error_cell": None, "error_source": "",
            "outputs": {}, "attempts": 1}


def _dask_results(jobs: list[Job], scheduler: str):
    try:
        from distributed import Client, as_completed
    except ImportError:
        from crmlib.exceptions import MissingDependencyError
        raise MissingDependencyError("distributed", "distributed",
                                     "Running on a Dask cluster (--scheduler)") from None
    client = Client(scheduler, timeout="30s")
    try:
        futures = {}
        for job in jobs:
            key = f"crmlib-{job.client_id}-{job.stage}-{job.input_hash[:10]}-{uuid.uuid4().hex[:6]}"
            futures[client.submit(execute_job, job, key=key, pure=False, retries=2)] = job
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                record = fut.result()
            except Exception as exc:  # noqa: BLE001
                record = _crash_record(job, f"{type(exc).__name__}: {exc}")
            yield job, record
    finally:
        client.close()


# --------------------------------------------------------------------------- manifest, summary

_MANIFEST_COLUMNS = ["run_id", "engagement", "client_id", "industry", "stage", "status", "action",
                     "started_at", "duration_s", "cells_s", "attempts", "parameter_hash",
                     "input_hash", "crmlib_version", "notebook", "html", "pdf", "tables",
                     "results", "error_cell", "error_source", "error"]


def _manifest_row(run_id: str, job: Job, record: dict, action: str) -> dict:
    folder = _job_dir(job)
    outs = record.get("outputs") or {}
    row = {
        "run_id": run_id, "engagement": job.engagement, "client_id": job.client_id,
        "industry": job.industry, "stage": job.stage, "status": record.get("status", "failed"),
        "action": action, "started_at": record.get("started_at"),
        "duration_s": record.get("duration_s"), "cells_s": record.get("cells_s"),
        "attempts": record.get("attempts"), "parameter_hash": job.parameter_hash,
        "input_hash": job.input_hash, "crmlib_version": record.get("crmlib_version", __version__),
        "error_cell": record.get("error_cell"), "error_source": record.get("error_source", ""),
        "error": (record.get("error") or "")[:2000],
    }
    for kind in ("notebook", "html", "pdf", "tables", "results"):
        row[kind] = str(folder / outs[kind]) if kind in outs else ""
    return row


def _write_manifest(out: Path, run_id: str, rows: list[dict], all_jobs: list[Job]) -> pd.DataFrame:
    from crmlib.report import to_csv

    manifest = pd.DataFrame(rows, columns=_MANIFEST_COLUMNS)
    order = {j.key: i for i, j in enumerate(all_jobs)}
    manifest = manifest.assign(_o=[order.get(f"{c}/{s}", 1 << 30) for c, s in
                                   zip(manifest["client_id"], manifest["stage"])])
    manifest = manifest.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    to_csv(manifest, out / MANIFEST_FILE)
    to_csv(manifest, out / "runs" / f"{run_id}.csv")
    return manifest


def _summary_text(run_id: str, manifest: pd.DataFrame, notes: list[str], wall: float) -> str:
    counts = manifest.groupby(["status", "action"]).size() if len(manifest) else pd.Series()
    lines = [f"crmlib run {run_id}: {len(manifest)} job(s) in {wall:.1f} s"]
    for (status, action), n in counts.items():
        lines.append(f"  {status} ({action}): {n}")
    for note in notes:
        lines.append(f"note: {note}")
    failed = manifest[manifest["status"] != "completed"]
    if len(failed):
        lines.append("")
        lines.append(f"FAILED: {len(failed)}")
        for row in failed.itertuples():
            cell = "" if pd.isna(row.error_cell) or row.error_cell == "" else \
                f" cell {int(row.error_cell)}"
            src = f" [{row.error_source}]" if isinstance(row.error_source, str) and \
                row.error_source else ""
            lines.append(f"- {row.client_id} / {row.stage}:{cell}{src} {row.error}")
            if row.notebook:
                lines.append(f"  executed notebook: {row.notebook}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- store

def _store_rows(job: Job, record: dict) -> list[dict]:
    results = _job_dir(job) / (record.get("outputs") or {}).get("results", "results.json")
    try:
        values = json.loads(results.read_text(encoding="utf-8")).get("values") or {}
    except (OSError, ValueError):
        return []
    rows = []
    for key, value in _flatten(values).items():
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else (float(value) if isinstance(value, bool) else None)
        text = None if number is not None else (value if isinstance(value, str) else
                                                json.dumps(value, ensure_ascii=False))
        rows.append({"engagement": job.engagement, "client_id": job.client_id,
                     "industry": job.industry, "stage": job.stage, "key": key, "value": number,
                     "value_text": text})
    return rows


def _flatten(values: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in values.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


# --------------------------------------------------------------------------- the run

def _progress(clients: list[str], stages_per_client: dict[str, int], enabled):
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    bars = {}
    width = max((len(c) for c in clients), default=8)
    for pos, cid in enumerate(clients):
        bars[cid] = tqdm(total=stages_per_client.get(cid, 0), desc=cid.ljust(width),
                         position=pos, unit="stage", leave=True, disable=not enabled,
                         dynamic_ncols=True)
    return bars


def _clean_stale(jobs: list[Job]) -> None:
    for folder in {Path(j.out) / j.client_id for j in jobs}:
        if folder.is_dir():
            stages = {j.stage for j in jobs if j.client_id == folder.name}
            for p in folder.iterdir():
                if p.name.startswith(".") and any(p.name.startswith(f".{s}.") for s in stages):
                    shutil.rmtree(p, ignore_errors=True)


def run_engagement(engagement, *, out=None, jobs: int | None = None, scheduler: str | None = None,
                   only=None, stages=None, language: str | None = None, shard=None,
                   pdf: str | bool = "auto", engine: str = "crmlib-warm", store: str | None = None,
                   portfolio: bool = True, force: bool = False, progress: bool | None = None,
                   notebooks=None, execution_timeout: float | None = None) -> pd.DataFrame:
    """Run every stage notebook for every client of an engagement.

    Parameters
    ----------
    engagement : str, path or dict
        Engagement file (see the module docstring).
    out : str or path, default "reports"
        Output folder.
    jobs : int, optional
        Worker processes; default the number of CPU cores.
    scheduler : str, optional
        ``tcp://host:port`` of a Dask distributed scheduler: the jobs run on
        its workers (which must see ``out`` and the data on a shared disk).
    only : list of str, optional
        Client ids to run.
    stages : list of str, optional
        Stages to run (a subset of the engagement's).
    language : {"es", "en"}, optional
        Report language for every client.
    shard : str, optional
        ``"i/n"``: run only the clients whose position in id order is ``i``
        modulo ``n`` (for job arrays; ``i`` counts from 0).
    pdf : {"auto", True, False}
        PDF through headless Chromium; ``"auto"`` when Chromium is installed.
    engine : str, default "crmlib-warm"
        papermill engine; ``"nbclient"`` starts a cold kernel per notebook.
    store : str, optional
        Results store: a DuckDB file path or a ``postgresql://`` URL; default
        ``<out>/results.duckdb``.
    portfolio : bool, default True
        Also run the portfolio notebooks (``9N_*.ipynb``) once the store is
        filled.
    force : bool, default False
        Re-run jobs even when complete and unchanged.
    progress : bool, optional
        Progress bars (one line per client); default when stderr is a terminal.

    Returns
    -------
    DataFrame
        The manifest, one row per job: ``run_id``, ``engagement``,
        ``client_id``, ``industry``, ``stage``, ``status`` (completed |
        failed), ``action`` (executed | reused), ``started_at``, ``duration_s``,
        ``cells_s`` (time spent in the notebook's cells), ``attempts``,
        ``parameter_hash``, ``input_hash``, ``crmlib_version``, the output
        paths ``notebook``, ``html``, ``pdf``, ``tables``, ``results`` (empty
        when absent), ``error_cell`` and ``error``.
    """
    from crmlib import report

    t0 = time.time()
    if engine not in ("crmlib-warm", "nbclient"):
        raise ParameterError(f"engine must be one of ['crmlib-warm', 'nbclient']; got {engine!r}",
                             parameter="engine", allowed=("crmlib-warm", "nbclient"),
                             value=engine)
    if pdf == "auto":
        pdf = report.find_chromium() is not None
    elif pdf not in (True, False):
        raise ParameterError(f"pdf must be 'auto', True or False; got {pdf!r}", parameter="pdf",
                             allowed=("auto", True, False), value=pdf)
    out_path = Path(out or "reports").resolve()
    stage_jobs, portfolio_jobs, notes = plan_jobs(
        engagement, out=out_path, only=only, stages=stages, language=language, shard=shard,
        pdf=bool(pdf), engine=engine, portfolio=portfolio, store=store, notebooks=notebooks,
        execution_timeout=execution_timeout)
    eng = load_engagement(engagement, language=language, notebooks=notebooks)
    store_target = store or eng.store or str(out_path / STORE_FILE)
    out_path.mkdir(parents=True, exist_ok=True)
    run_id = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S") + \
        f"-{uuid.uuid4().hex[:6]}"
    all_jobs = stage_jobs + portfolio_jobs
    _clean_stale(all_jobs)
    per_client: dict[str, int] = {}
    for job in all_jobs:
        per_client[job.client_id] = per_client.get(job.client_id, 0) + 1
    clients = list(dict.fromkeys(j.client_id for j in all_jobs))
    bars = _progress(clients, per_client, progress)
    n_workers = jobs or os.cpu_count() or 1
    rows: list[dict] = []
    lock = threading.Lock()
    log.info("run %s: %d job(s), %d worker(s)%s", run_id, len(all_jobs), n_workers,
             f", scheduler {scheduler}" if scheduler else "")

    def finish(job: Job, record: dict, action: str, stored) -> None:
        with lock:
            rows.append(_manifest_row(run_id, job, record, action))
            if action == "executed" and record.get("status") == "completed" and \
                    not job.stage.startswith(PORTFOLIO_PREFIX):
                stored.upsert(_store_rows(job, record),
                              run_at=record.get("started_at"))
            bar = bars.get(job.client_id)
            if bar is not None:
                bar.set_postfix_str(f"{job.stage} {record.get('status')}", refresh=False)
                bar.update(1)
            log.info("%s %s %s (%s)", job.client_id, job.stage, record.get("status"), action)
            _write_manifest(out_path, run_id, rows, all_jobs)

    workers = _LocalWorkers(
        min(n_workers, max(len(stage_jobs), len(portfolio_jobs), 1)),
        tuple(sorted({str(Path(j.notebook).parent) for j in all_jobs
                      if j.engine == "crmlib-warm"})))
    try:
        for phase in (stage_jobs, portfolio_jobs):
            if not phase:
                continue
            if phase is portfolio_jobs:
                # the portfolio reads what the stage jobs stored: its inputs are those results
                done = sorted(r["input_hash"] for r in rows if r["status"] == "completed")
                for job in phase:
                    job.input_hash = _digest([job.input_hash, done])
            todo = []
            with open_store(store_target) as stored:
                for job in phase:
                    if not force and is_up_to_date(job):
                        finish(job, _read_job_record(job), "reused", stored)
                    else:
                        todo.append(job)
                results = _dask_results(todo, scheduler) if scheduler else \
                    workers.results(todo)
                for job, record in results:
                    finish(job, record, "executed", stored)
    finally:
        workers.close()
        for bar in bars.values():
            bar.close()
    _clean_stale(all_jobs)  # staging folders of workers that died (every job is settled now)
    manifest = _write_manifest(out_path, run_id, rows, all_jobs)
    summary = _summary_text(run_id, manifest, notes, time.time() - t0)
    atomic_write_text(out_path / SUMMARY_FILE, summary)
    manifest.attrs["summary"] = summary
    manifest.attrs["notes"] = notes
    return manifest


# --------------------------------------------------------------------------- validate

def validate_engagement(engagement, *, language: str | None = None, notebooks=None) -> list[str]:
    """Check an engagement and every client's data without running a notebook.

    Returns the list of problems (empty when everything is in order): the
    engagement and parameter checks of :func:`plan_jobs`, then every table
    file in each client's folder read through :func:`crmlib.io.read_client_table`.
    """
    from crmlib import io
    from crmlib.exceptions import DataError
    from crmlib.schemas import TABLES

    problems: list[str] = []
    try:
        eng = load_engagement(engagement, language=language, notebooks=notebooks)
        plan_jobs(eng, out=Path.cwd() / "reports")
    except ParameterError as exc:
        return [str(exc)]
    for client in eng.clients:
        tables = [t for t in TABLES if io.client_files(client.data_dir, t)]
        if not tables:
            problems.append(f"client {client.id}: no table file in its data folder")
        for table in tables:
            try:
                io.read_client_table(client.data_dir, table)
            except (DataError, CrmlibError) as exc:
                problems.append(f"client {client.id}: {exc}")
            except Exception as exc:  # noqa: BLE001 - unreadable file
                problems.append(f"client {client.id}: {table}: {type(exc).__name__}: {exc}")
    return problems

