"""The ``crmlib`` command.

::

    crmlib run engagement.yaml [--out DIR] [--only CLIENT ...] [--stages STAGE ...] [--jobs N]
                               [--language es|en] [--scheduler tcp://host:port] [--shard i/n]
                               [--store PATH|URL] [--pdf auto|yes|no] [--force] [--no-portfolio]
    crmlib validate engagement.yaml
    crmlib templates DIR
    crmlib demo [--out DIR]

``run`` exits with status 1 when a job failed (the summary lists each one),
2 when the engagement or its parameters are refused before anything runs.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from crmlib.exceptions import CrmlibError

__all__ = ["build_parser", "copy_templates", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmlib", description=(
        "Run the crm-workbook notebooks over the clients of an engagement."))
    parser.add_argument("-v", "--verbose", action="store_true", help="log each job's status")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute every stage for every client and export reports")
    run.add_argument("engagement", help="engagement YAML file")
    _run_options(run)

    demo = sub.add_parser("demo", help="run the sample engagement (data_samples/engagement.yaml)")
    demo.add_argument("--engagement", default=None, help=argparse.SUPPRESS)
    _run_options(demo)

    val = sub.add_parser("validate", help="check the engagement and every client's data")
    val.add_argument("engagement")
    val.add_argument("--language", choices=("es", "en"))

    tpl = sub.add_parser("templates", help="copy questionnaires and the engagement template")
    tpl.add_argument("folder", help="destination folder (created; existing files are kept)")
    return parser


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--only", nargs="+", metavar="CLIENT", help="run only these client ids")
    p.add_argument("--stages", nargs="+", metavar="STAGE", help="run only these stages")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: number of cores)")
    p.add_argument("--language", choices=("es", "en"), help="report language for every client")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the jobs on a Dask distributed cluster")
    p.add_argument("--shard", metavar="I/N",
                   help="run the I-th of N slices of the clients (I from 0), for job arrays")
    p.add_argument("--store", metavar="PATH|URL",
                   help="results store: DuckDB file or postgresql:// URL "
                        "(default: OUT/results.duckdb)")
    p.add_argument("--pdf", choices=("auto", "yes", "no"), default="auto",
                   help="PDF through headless Chromium (default: when installed)")
    p.add_argument("--engine", choices=("crmlib-warm", "nbclient"), default="crmlib-warm",
                   help=argparse.SUPPRESS)
    p.add_argument("--force", action="store_true", help="re-run even complete, unchanged jobs")
    p.add_argument("--no-portfolio", action="store_true",
                   help="do not run the portfolio notebook after the stages")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds a single cell may run (default: no limit)")
    p.add_argument("--progress", choices=("auto", "yes", "no"), default="auto",
                   help=argparse.SUPPRESS)


def _find_demo_engagement() -> Path:
    here = Path.cwd()
    for base in (here, *here.parents, Path(__file__).resolve().parents[1]):
        candidate = base / "data_samples" / "engagement.yaml"
        if candidate.is_file():
            return candidate
    raise CrmlibError("crmlib demo needs data_samples/engagement.yaml (run it from the "
                      "crm-workbook folder)")


def copy_templates(folder) -> list[Path]:
    """Copy the packaged templates (questionnaires, engagement template) to ``folder``.

    Copies everything under ``crmlib/templates/`` except the report page
    templates, and writes the questionnaires of every shipped instrument
    (:func:`crmlib.questionnaire.write_questionnaires`, with a PDF of each
    printable form where Chromium is installed). Existing files are kept.
    Returns the files written.
    """

    dest = Path(folder)
    dest.mkdir(parents=True, exist_ok=True)
    src = Path(__file__).parent / "templates"
    written: list[Path] = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or rel.parts[0] == "report" or "__pycache__" in rel.parts:
            continue
        target = dest / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        written.append(target)
    from crmlib.questionnaire import write_questionnaires

    written.extend(Path(p) for p in write_questionnaires(dest / "questionnaires"))
    return written


def _run(args, engagement) -> int:
    from crmlib.batch import run_engagement

    progress = {"auto": None, "yes": True, "no": False}[args.progress]
    pdf = {"auto": "auto", "yes": True, "no": False}[args.pdf]
    manifest = run_engagement(
        engagement, out=args.out, jobs=args.jobs, scheduler=args.scheduler, only=args.only,
        stages=args.stages, language=args.language, shard=args.shard, pdf=pdf,
        engine=args.engine, store=args.store, portfolio=not args.no_portfolio, force=args.force,
        progress=progress, execution_timeout=args.timeout)
    print(manifest.attrs.get("summary", ""), end="")
    return 1 if (manifest["status"] != "completed").any() else 0


def main(argv=None) -> int:
    """Entry point of the ``crmlib`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        if args.command == "run":
            return _run(args, args.engagement)
        if args.command == "demo":
            return _run(args, args.engagement or _find_demo_engagement())
        if args.command == "validate":
            from crmlib.batch import validate_engagement

            problems = validate_engagement(args.engagement, language=args.language)
            if problems:
                print(f"{len(problems)} problem(s):", file=sys.stderr)
                for p in problems:
                    print(f"- {p}", file=sys.stderr)
                return 1
            print(f"{args.engagement}: engagement, parameters and client data are valid")
            return 0
        if args.command == "templates":
            written = copy_templates(args.folder)
            print(f"{len(written)} file(s) written to {args.folder}")
            return 0
    except CrmlibError as exc:
        print(f"crmlib: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
