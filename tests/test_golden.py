"""The shipped timeline renders exactly as the golden copy in tests/golden/.

After a deliberate change to templates, styles or content, run
``uv run pytest tests/test_golden.py --update-golden`` and review the diff in git.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_seed_site_matches_golden(seed_site: Path, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(seed_site, GOLDEN)
    built, golden = tree(seed_site), tree(GOLDEN)
    assert sorted(built) == sorted(golden), "the set of files differs from tests/golden/"
    for path in built:
        if built[path] != golden[path]:
            diff = difflib.unified_diff(
                golden[path].decode().splitlines(),
                built[path].decode().splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
                n=2,
            )
            pytest.fail(f"{path} differs from the golden copy:\n" + "\n".join(list(diff)[:60]))
