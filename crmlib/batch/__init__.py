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
with papermill in worker processes (warm kernels, see :mod:`crmlib.batch._kernels`),
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

While it runs, a run holds ``<out>/.crmlib-run.lock`` (a shard its own
slice's lock); Ctrl-C stops it cleanly, a full disk stops it with nothing
half-written, a cell running longer than ``cell_timeout`` (default
:data:`DEFAULT_CELL_TIMEOUT`, 30 min) fails its job, and an unreadable
DuckDB store is set aside (see :func:`run_engagement`).
"""


from __future__ import annotations

from crmlib.batch._engagement import (
    DEFAULT_CELL_TIMEOUT,
    JOB_FILE,
    MANIFEST_FILE,
    STANDARD_PARAMETERS,
    STORE_FILE,
    SUMMARY_FILE,
    Client,
    Engagement,
    NotebookParameter,
    load_engagement,
    notebook_parameters,
)
from crmlib.batch._engagement import (
    PORTFOLIO_PREFIX as PORTFOLIO_PREFIX,
)
from crmlib.batch._engagement import (
    SUMMARY_PREFIX as SUMMARY_PREFIX,
)
from crmlib.batch._execute import execute_job
from crmlib.batch._execute import is_up_to_date as is_up_to_date
from crmlib.batch._guard import DiskFullError, OutputLockedError
from crmlib.batch._jobs import Job, parse_shard, plan_jobs

# the manifest writers are used by the security tests
from crmlib.batch._run import _manifest_row as _manifest_row
from crmlib.batch._run import _write_manifest as _write_manifest
from crmlib.batch._run import run_engagement, validate_engagement
from crmlib.exceptions import ParameterError as ParameterError

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "JOB_FILE",
    "MANIFEST_FILE",
    "STANDARD_PARAMETERS",
    "STORE_FILE",
    "SUMMARY_FILE",
    "Client",
    "DiskFullError",
    "Engagement",
    "Job",
    "NotebookParameter",
    "OutputLockedError",
    "execute_job",
    "load_engagement",
    "notebook_parameters",
    "parse_shard",
    "plan_jobs",
    "run_engagement",
    "validate_engagement",
]
