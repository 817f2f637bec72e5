"""The command line: ``dateline build`` (the default) and ``dateline check``.

This is the only module that prints. Exit codes: 0 clean, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .builder import BuildReport, Project, build, check
from .diagnostics import ContentError, Diagnostic

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


VERBS = ("build", "check")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb; options common to all verbs go after the verb."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", type=Path, default=Path("."), help="project folder (default: here)"
    )
    common.add_argument(
        "--debug", action="store_true", help="show tracebacks for unexpected errors"
    )
    parser = argparse.ArgumentParser(
        prog="dateline",
        description="Build a dated, source-linked timeline from Markdown entries. "
        "With no verb, builds the site.",
    )
    parser.add_argument("--version", action="version", version=f"dateline {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    build_verb = verbs.add_parser(
        "build", parents=[common], help="build the site into site/ (the default)"
    )
    build_verb.add_argument(
        "--out", type=Path, help="output folder (default: site/ in the project)"
    )
    build_verb.add_argument(
        "--base-url", help="where the site is published, e.g. https://example.org/dateline/"
    )

    check_verb = verbs.add_parser(
        "check", parents=[common], help="validate everything without writing anything"
    )
    check_verb.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check_verb.add_argument(
        "--format", choices=("text", "json"), default="text", help="how to print problems"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (
        arguments[0] not in VERBS and arguments[0] not in ("-h", "--help", "--version")
    ):
        arguments.insert(0, "build")
    try:
        options = make_parser().parse_args(arguments)
    except SystemExit as exit:
        return EXIT_OK if exit.code in (0, None) else EXIT_USAGE
    root = options.root
    if not root.is_dir():
        print(f"dateline: error: project folder {str(root)!r} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        if options.verb == "check":
            return _check(Project.at(root), options.strict, options.format)
        return _build(Project.at(root, options.out), options.base_url)
    except KeyboardInterrupt:
        print("dateline: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an unexpected failure: say so plainly, traceback on request
        if options.debug:
            raise
        print(f"dateline: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("dateline: run again with --debug for the full traceback", file=sys.stderr)
        return 3


def _build(project: Project, base_url: str | None) -> int:
    try:
        report = build(project, base_url)
    except ContentError as error:
        _print_problems(error.diagnostics)
        print(f"build failed; {_where(project)} was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    _print_problems(report.warnings)
    print(f"built {_where(project)}: {report.summary()}")
    return EXIT_OK


def _check(project: Project, strict: bool, output_format: str) -> int:
    problems: list[Diagnostic]
    report: BuildReport | None = None
    try:
        report = check(project)
        problems = report.warnings
    except ContentError as error:
        problems = error.diagnostics
    failed = report is None or (strict and bool(problems))
    if output_format == "json":
        print(json.dumps({"ok": not failed, "problems": [p.as_dict() for p in problems]}, indent=2))
    else:
        _print_problems(problems)
        if not failed and report is not None:
            print(f"check passed: {report.events} events, {report.sources} sources")
    return EXIT_CONTENT if failed else EXIT_OK


def _print_problems(problems: Sequence[Diagnostic]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        parts = [
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((errors, "error"), (warnings, "warning"))
            if n
        ]
        print(", ".join(parts), file=sys.stderr)


def _where(project: Project) -> str:
    try:
        return project.out.absolute().relative_to(project.root.absolute()).as_posix() + "/"
    except ValueError:
        return str(project.out)
