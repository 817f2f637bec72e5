"""Import the real Air Force dataset beside the seed timeline and time a full build of it.

    uv run python benchmarks/airforce.py [path/to/missile_attacks_daily.csv] [--screenshot PNG]

The dataset is read from ../shared/data/ when no path is given; it is never copied into the
project. Prints the import and build times and the size of what was built.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.budget import over_budget
from dateline.builder import build
from dateline.datasets import PROFILES, import_dataset
from dateline.project import Project

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "missile_attacks_daily.csv"


def screenshot(site: Path, target: Path) -> None:
    """Photograph the overview chart in headless Chromium (Debian's, never a downloaded one)."""
    from tests.browser import browser_context, serve

    with serve(site) as url, browser_context(width=1280) as context:
        page = context.new_page()
        page.goto(url)
        page.locator(".overview").screenshot(path=str(target))


def main(dataset: Path, shot: Path | None) -> None:
    if not dataset.exists():
        sys.exit(f"no dataset at {dataset}")
    with tempfile.TemporaryDirectory(prefix="dateline-airforce-") as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        for name in ("content", "templates", "seeds"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "dateline.yaml", root / "dateline.yaml")
        started = time.perf_counter()
        result = import_dataset(root, dataset.read_bytes(), str(dataset), PROFILES["airforce"])
        imported = time.perf_counter() - started
        report = build(Project.at(root))
        files = {
            p.relative_to(root / "site").as_posix(): p.read_bytes()
            for p in (root / "site").rglob("*")
            if p.is_file()
        }
        size = sum(len(data) for data in files.values())
        heaviest = max((p for p in files if p.endswith(".html")), key=lambda p: len(files[p]))
        index = (root / "site" / "index.html").stat().st_size
        skipped = len(result.problems)
        count = len(result.written)
        print(f"import: {count:,} entries in {imported:.2f} s ({skipped} rows skipped)")
        print(f"build:  {report.summary()}")
        print(f"site:   {size / 2**20:.1f} MiB in all, index.html {index / 2**10:.0f} KiB")
        print(f"        heaviest page {heaviest}: {len(files[heaviest]) / 2**10:.0f} KiB")
        print(f"        search.json: {len(files['search.json']) / 2**10:.0f} KiB")
        problems = over_budget(files)
        print(
            "budget: " + ("; ".join(map(str, problems)) if problems else "every page within budget")
        )
        if shot is not None:
            screenshot(root / "site", shot)
            print(f"chart:  {shot}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    shot = None
    if "--screenshot" in arguments:
        at = arguments.index("--screenshot")
        shot = Path(arguments[at + 1]).resolve()
        del arguments[at : at + 2]
    main(Path(arguments[0]) if arguments else DEFAULT, shot)
