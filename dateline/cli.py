"""The command line: ``build`` (the default), ``check``, ``serve``, ``new`` and ``schema``.

This is the only module that prints. Exit codes: 0 clean, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from . import __version__
from .diagnostics import ContentError, Diagnostic, Diagnostics
from .manifest import look_back
from .project import BuildReport, Project

if TYPE_CHECKING:
    from .models import SiteConfig

# Each verb imports what it needs when it runs: a build with nothing to do answers before
# Jinja, markdown-it or PyYAML are loaded.

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
DEFAULT_PORT = 8000
PORT_TRIES = 20
"""Without --port, the preview takes the first free port from 8000 on."""


VERBS = ("build", "check", "serve", "new", "schema", "import", "import-csv")


class _Profiles:
    """The names of the dataset profiles, looked up only when ``--profile`` is used."""

    def __contains__(self, name: object) -> bool:
        from .datasets import PROFILES

        return name in PROFILES

    def __iter__(self) -> Iterator[str]:
        from .datasets import profile_names

        return iter(profile_names())


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

    serve_verb = verbs.add_parser(
        "serve", parents=[common], help="preview with live reload while you edit (drafts shown)"
    )
    serve_verb.add_argument(
        "--port", type=int, help="port to listen on (default 8000, or the next free one)"
    )
    serve_verb.add_argument(
        "--bind",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    serve_verb.add_argument(
        "--poll", action="store_true", help="poll for changes (Docker, WSL, network drives)"
    )
    serve_verb.add_argument(
        "--base-url", help="serve under this URL's path instead of the configured one"
    )

    new_verb = verbs.add_parser(
        "new", parents=[common], help="start a new entry from a commented skeleton"
    )
    new_verb.add_argument("title", help='the event\'s title, e.g. "Drone strike on Odesa port"')
    new_verb.add_argument(
        "--date", required=True, help="EDTF date, e.g. 2025-12-12, 2024-02~, 2025-09-06/2025-09-07"
    )
    new_verb.add_argument(
        "--kind", required=True, help="one of the kinds in dateline.yaml, e.g. strike"
    )

    import_verb = verbs.add_parser(
        "import", parents=[common], help="archive a news article and draft an entry from it"
    )
    import_verb.add_argument(
        "article", help="the article as plain text (headline first), or - for standard input"
    )
    import_verb.add_argument("--source-id", help="id for the source (default: from the headline)")
    import_verb.add_argument("--url", help="the article's original address")
    import_verb.add_argument(
        "--published", help="the article's publication day, YYYY-MM-DD (resolves 'on Monday')"
    )

    csv_verb = verbs.add_parser(
        "import-csv", parents=[common], help="turn a dataset into entries, one per attack"
    )
    csv_verb.add_argument("dataset", type=Path, help="the CSV file")
    csv_verb.add_argument(
        "--profile",
        required=True,
        choices=_Profiles(),
        metavar="PROFILE",
        help="how to read it: %(choices)s",
    )

    verbs.add_parser(
        "schema", parents=[common], help="write JSON Schemas for editors' tools into schemas/"
    )
    return parser


def run() -> NoReturn:
    """Run the command line as a process of its own, and end the process.

    A build makes millions of objects that live until it ends. With the collector on, the
    first allocation after the build walks them all once more (a quarter of a second at
    10,000 events), and Python's exit frees them one by one (another tenth). A process that
    is about to end needs neither: the collector stays off (a preview turns it back on, as it
    runs for hours), and the process ends once its output is flushed, as mypy's does.
    """
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError):  # a reader that went away (``| head``) cannot be told more
            stream.flush()
    os._exit(code)


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
        if options.verb == "serve":
            return _serve(root, options)
        if options.verb == "new":
            return _new(root, options.title, options.date, options.kind)
        if options.verb == "schema":
            return _schema(root)
        if options.verb == "import":
            return _import(root, options)
        if options.verb == "import-csv":
            return _import_csv(root, options.dataset, options.profile)
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


class ProgressLine:
    """One line on the terminal that says how far a long build has got; silent elsewhere.

    Nothing shows for the first half second, so quick builds stay quiet, and the line is
    cleared before anything else is printed.
    """

    DELAY = 0.5
    INTERVAL = 0.1

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0
        self.lock = threading.Lock()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.active or now - self.started < self.DELAY or now - self.shown < self.INTERVAL:
            return
        with self.lock:
            self.shown = now
            share = f" {done:,} of {total:,}" if done else f" ({total:,})"
            text = f"{step}{share} · {now - self.started:.1f} s"
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
            self.width = len(text)

    def clear(self) -> None:
        """Remove the line, if one was shown."""
        with self.lock:
            if self.width:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
                self.width = 0


def _build(project: Project, base_url: str | None) -> int:
    progress = ProgressLine()
    try:
        looked = look_back(project, base_url)
        report = looked.report
        if report is None:
            from .builder import build

            report = build(project, base_url, progress, looked)
    except ContentError as error:
        progress.clear()
        _print_problems(error.diagnostics)
        print(f"build failed; {_where(project)} was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    finally:
        progress.clear()
    _print_problems(report.warnings)
    print(f"built {_where(project)}: {report.summary()}")
    return EXIT_OK


def _check(project: Project, strict: bool, output_format: str) -> int:
    problems: list[Diagnostic]
    report: BuildReport | None = None
    try:
        from .builder import check

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


def _serve(root: Path, options: argparse.Namespace) -> int:
    from .serve import make_preview, preview_project

    gc.enable()  # off in a process of its own (see run): a preview runs for hours

    port = DEFAULT_PORT if options.port is None else options.port
    if not 0 < port < 65536:
        print(f"dateline: error: --port {port} is not a port number (1-65535)", file=sys.stderr)
        return EXIT_USAGE
    if options.bind not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"dateline: warning: serving on {options.bind}: other computers on the network can "
            "see the preview, drafts included",
            file=sys.stderr,
        )

    def on_build(report: BuildReport | None, problems: list[Diagnostic]) -> None:
        _print_problems(problems)
        if report is None:
            print("rebuild failed; still serving the last good build", file=sys.stderr)
        else:
            print(f"rebuilt: {report.summary('changed')}", flush=True)

    try:
        preview = make_preview(
            preview_project(root),
            options.bind,
            port,
            base_url=options.base_url,
            poll=options.poll,
            port_tries=1 if options.port is not None else PORT_TRIES,
            on_build=on_build,
        )
    except OSError as error:
        taken = error.errno == errno.EADDRINUSE
        reason = (
            "is already in use; choose another with --port"
            if taken
            else f"cannot be used: {error.strerror}"
        )
        print(f"dateline: error: {options.bind}:{port} {reason}", file=sys.stderr)
        return EXIT_USAGE
    preview.start()
    print(f"serving the preview at {preview.url} (drafts shown; Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping", file=sys.stderr)
    finally:
        preview.stop()
    return EXIT_OK


def _config(root: Path) -> SiteConfig | None:
    """The project's configuration, or None after printing why it cannot be used."""
    from .builder import read_config
    from .config import CONFIG_FILE

    diagnostics = Diagnostics()
    config = read_config(Project.at(root), diagnostics)
    if config is None:
        _print_problems(diagnostics.sorted())
        print(
            f"dateline: error: {CONFIG_FILE} is missing or invalid; fix it first", file=sys.stderr
        )
    return config


def _schema(root: Path) -> int:
    from .schema import SCHEMA_DIR, render_schemas

    config = _config(root)
    if config is None:
        return EXIT_CONTENT
    folder = root / SCHEMA_DIR
    folder.mkdir(exist_ok=True)
    for name, text in render_schemas(config).items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"{SCHEMA_DIR}/{name}")
    return EXIT_OK


def _import(root: Path, options: argparse.Namespace) -> int:
    from .dates import DateError, parse_date
    from .importer import ArticleImportError, import_article

    published = None
    if options.published:
        try:
            parsed = parse_date(options.published)
        except DateError as error:
            print(f"dateline: error: --published: {error}", file=sys.stderr)
            return EXIT_USAGE
        if not parsed.exact:
            print("dateline: error: --published must be one day, YYYY-MM-DD", file=sys.stderr)
            return EXIT_USAGE
        published = parsed.earliest
    if options.url and not options.url.startswith(("http://", "https://")):
        print("dateline: error: --url must start with http:// or https://", file=sys.stderr)
        return EXIT_USAGE
    try:
        raw = (
            sys.stdin.buffer.read()
            if options.article == "-"
            else Path(options.article).read_bytes()
        )
    except OSError as error:
        print(f"dateline: error: cannot read {options.article}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = import_article(
            root, raw, source_id=options.source_id, url=options.url, published=published
        )
    except ArticleImportError as error:
        print(f"dateline: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    verb = "archived and registered" if result.new_source else "already registered"
    print(f"{result.archive}: {verb} as source {result.source_id!r}")
    print(f"{result.entry}: machine-drafted entry (draft: true); confirm every field")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return EXIT_OK


def _import_csv(root: Path, dataset: Path, profile: str) -> int:
    from .datasets import PROFILES, import_dataset

    try:
        data = dataset.read_bytes()
    except OSError as error:
        print(f"dateline: error: cannot read {dataset}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    result = import_dataset(root, data, str(dataset), PROFILES[profile])
    _print_problems(result.problems)
    for kept in result.kept:
        print(f"{kept}: kept as edited (no generated_by line), not regenerated", file=sys.stderr)
    print(
        f"{len(result.written)} entries written, {result.unchanged} unchanged, "
        f"{len(result.kept)} kept as edited, in {PROFILES[profile].folder}/"
    )
    return EXIT_CONTENT if result.problems and not (result.written or result.unchanged) else EXIT_OK


def _new(root: Path, title: str, date: str, kind: str) -> int:
    from .new import NewEntryError, create_entry

    config = _config(root)
    if config is None:
        return EXIT_CONTENT
    try:
        path = create_entry(root / "content" / "events", title, date, kind, config.kinds)
    except NewEntryError as error:
        print(f"dateline: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(path.relative_to(root).as_posix() if path.is_relative_to(root) else path)
    return EXIT_OK


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
