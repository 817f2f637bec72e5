"""The GitHub Pages workflow: the official actions, the right permissions, the base URL given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pages.yml"


def workflow() -> dict[Any, Any]:
    return dict(yaml.safe_load(WORKFLOW.read_text("utf-8")))


def steps() -> list[dict[str, Any]]:
    jobs = workflow()["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_runs_on_every_push_to_main() -> None:
    triggers = workflow()[True]  # YAML 1.1 reads the key 'on' as true
    assert triggers["push"]["branches"] == ["main"]


def test_permissions_and_concurrency() -> None:
    data = workflow()
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"] == "pages"


def test_official_actions_and_hidden_files() -> None:
    used = {step["uses"].split("@")[0]: step for step in steps() if "uses" in step}
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in used
    upload = used["actions/upload-pages-artifact"]["with"]
    assert upload["path"] == "site"
    assert upload["include-hidden-files"] is True, ".nojekyll would be dropped"


def test_build_gets_the_pages_base_url() -> None:
    build = next(step for step in steps() if "build.py" in step.get("run", ""))
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '--base-url "${BASE_URL%/}/"' in build["run"]
