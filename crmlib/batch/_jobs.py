"""Planning: one job per client and stage, with the hash of everything it depends on."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from crmlib import __version__
from crmlib._files import inside
from crmlib.batch._engagement import (
    _STAGE_ID,
    DEFAULT_CELL_TIMEOUT,
    PORTFOLIO_PREFIX,
    STANDARD_PARAMETERS,
    STORE_FILE,
    SUMMARY_PREFIX,
    Engagement,
    _plain,
    _problem_list_error,
    _type_ok,
    load_engagement,
    notebook_parameters,
)
from crmlib.exceptions import ParameterError
from crmlib.store import split_password

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
    root = Path(__file__).parents[1]  # crmlib/
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


def _portfolio_notebooks(eng: Engagement, prefix: str = PORTFOLIO_PREFIX) -> dict[str, Path]:
    return {p.stem: p for p in sorted(eng.notebooks.glob(f"{prefix}[0-9]_*.ipynb"))
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

    ``execution_timeout`` is the seconds a cell may run: by default the
    engagement's ``cell_timeout``, else :data:`DEFAULT_CELL_TIMEOUT`; ``0``
    means no limit.

    The summary notebooks (``8N_*``, the engagement summary) run per client
    after its stages, with the portfolio notebooks (``9N_*``) when those are
    wanted; both are in the second list and get ``results_dir`` (the client's
    folder of this run) and ``store`` when their parameters cell declares them.

    Returns ``(stage_jobs, portfolio_jobs, notes)``. Raises
    :class:`~crmlib.exceptions.ParameterError` listing every unknown, missing
    or mistyped parameter of every client and stage at once.
    """
    eng = load_engagement(engagement, language=language, notebooks=notebooks)
    out = Path(out or "reports").resolve()
    if execution_timeout is None:
        execution_timeout = eng.cell_timeout if eng.cell_timeout is not None else \
            DEFAULT_CELL_TIMEOUT
    if isinstance(execution_timeout, bool) or not isinstance(execution_timeout, (int, float)) \
            or execution_timeout < 0:
        raise ParameterError(f"the cell timeout must be a number of seconds (0 = no limit); "
                             f"got {execution_timeout!r}", parameter="execution_timeout",
                             value=execution_timeout)
    execution_timeout = float(execution_timeout) or None
    problems: list[str] = []
    notes: list[str] = []
    selected_stages = list(eng.stages)
    if stages:
        unknown = [s for s in stages if s not in eng.stages and
                   not str(s).startswith((PORTFOLIO_PREFIX, SUMMARY_PREFIX))]
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
    port = {**_portfolio_notebooks(eng, SUMMARY_PREFIX),
            **(_portfolio_notebooks(eng) if portfolio else {})}
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
                values["results_dir"] = str(out / client.id)
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
