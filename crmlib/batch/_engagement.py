"""Engagement files, notebook parameters cells, and checking values against them."""

from __future__ import annotations

import ast
import datetime as _dt
import io as _io
import math
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from crmlib._files import check_id
from crmlib.exceptions import ParameterError

MANIFEST_FILE = "manifest.csv"
SUMMARY_FILE = "summary.txt"
STORE_FILE = "results.duckdb"
JOB_FILE = "job.json"
PORTFOLIO_PREFIX = "9"
#: Notebooks ``8N_*`` run once per client after its stages (the engagement summary).
SUMMARY_PREFIX = "8"
#: Seconds a single notebook cell may run when neither ``--timeout`` nor the
#: engagement's ``cell_timeout`` says otherwise: a cell that hangs ends its job,
#: never the batch.
DEFAULT_CELL_TIMEOUT = 1800.0
STANDARD_PARAMETERS = ("client_id", "client_name", "data_dir", "output_dir", "language", "as_of",
                       "interactive")
_STAGE_ID = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")
_ENGAGEMENT_KEYS = {"engagement", "title", "as_of", "language", "stages", "clients", "notebooks",
                    "parameters", "stage_parameters", "store", "cell_timeout"}
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
    #: seconds a cell may run; None = the default, 0 = no limit
    cell_timeout: float | None = None


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
    own = Path(__file__).resolve().parents[2] / "notebooks"
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
    cell_timeout = data.get("cell_timeout")
    if cell_timeout is not None and (isinstance(cell_timeout, bool) or
                                     not isinstance(cell_timeout, (int, float)) or
                                     not math.isfinite(cell_timeout) or cell_timeout < 0):
        problems.append(f"cell_timeout must be a number of seconds (0 = no limit); "
                        f"got {cell_timeout!r}")
        cell_timeout = None
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
    folded: dict[str, str] = {}
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
        if not isinstance(cid, str):
            # YAML reads `id: 007` as the number 7: taking it as text would change the id
            what = "missing" if cid is None else f"read by YAML as the {type(cid).__name__} {cid!r}"
            problems.append(
                f"{label}: client id must be text, but it is {what}; put the id in quotes "
                f"exactly as the client writes it (e.g. id: \"0123\"): unquoted, 0123 would "
                f"become a number and lose its zero")
            continue
        try:
            check_id(cid, "client id")
        except ParameterError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if cid in seen:
            problems.append(f"{label}: client id used twice")
        elif cid.casefold() in folded:
            problems.append(f"{label}: client id differs from {folded[cid.casefold()]!r} only in "
                            f"upper/lower case; their output folders would be one folder on "
                            f"Windows and macOS. Give the clients ids that differ in more than "
                            f"case")
        seen.add(cid)
        folded.setdefault(cid.casefold(), cid)
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
            if stage not in stages and not str(stage).startswith((PORTFOLIO_PREFIX,
                                                                   SUMMARY_PREFIX)):
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
                      data.get("store"),
                      float(cell_timeout) if cell_timeout is not None else None)


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
