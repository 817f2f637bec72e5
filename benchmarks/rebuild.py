"""Time a clean build and a one-entry rebuild, as ``serve`` does them, and prove they agree.

    uv run python benchmarks/rebuild.py            # 1,000 synthetic events
    uv run python benchmarks/rebuild.py 100 10000  # several sizes

For each size: a clean build, then one entry edited and rebuilt with the entries parsed before
still cached, then a clean build of the edited project into another folder. The rebuilt site
must equal the clean one byte for byte, or the script fails. Times are medians of five runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import write_project
from dateline.builder import LiveBuilder
from dateline.project import Project

RUNS = 5


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def measure(count: int, folder: Path) -> tuple[float, float, int]:
    root = write_project(count, folder / f"project-{count}")
    live = LiveBuilder(Project.at(root, folder / f"preview-{count}"))
    clean_times, edit_times = [], []
    entry = sorted((root / "content" / "events").glob("*.md"))[count // 2]
    original = entry.read_text("utf-8")
    for run in range(RUNS):
        clean_times.append(timed(lambda: LiveBuilder(Project.at(root, folder / "clean")).build()))
        live.build()
        entry.write_text(original.replace("title: ", f"title: Edit {run} ", 1), "utf-8")
        edit_times.append(timed(live.build))
        report, problems = LiveBuilder(Project.at(root, folder / "check")).build()
        assert report is not None, problems
        if tree(folder / f"preview-{count}") != tree(folder / "check"):
            sys.exit(f"FAIL: the one-edit rebuild of {count} events differs from a clean build")
    entry.write_text(original, "utf-8")
    return statistics.median(clean_times), statistics.median(edit_times), live.cache.misses


def main(sizes: list[int]) -> None:
    print(f"{'events':>8} {'clean build':>12} {'one edit':>10}  rebuilt == clean")
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as scratch:
        for count in sizes:
            clean, edit, _ = measure(count, Path(scratch))
            print(f"{count:>8,} {clean:>11.3f}s {edit:>9.3f}s  yes")


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000])
