"""The JSON Schemas for editors' tools: current, valid for the shipped content, and in agreement
with the validator on broken entries (the schema sees the shape; check sees the whole project)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from dateline.builder import load_timeline
from dateline.config import parse_config
from dateline.diagnostics import ContentError, Diagnostics
from dateline.frontmatter import FrontMatterError, parse_document, parse_yaml
from dateline.project import Project
from dateline.schema import render_schemas

from .conftest import ROOT

SCHEMAS = ROOT / "schemas"
BROKEN = Path(__file__).parent / "fixtures" / "broken"

SCHEMA_CATCHES = {
    "unknown-key", "month-out-of-range", "date-day-first", "missing-date", "unknown-kind",
    "bad-figure", "missing-sources", "quotes-missing", "bad-status", "many-problems",
    "missing-date-basis-and-bad-type", "figure-too-large",
}  # fmt: skip
"""Broken entries whose mistake is in their shape: the schema flags them as the editor types."""

ONLY_CHECK_CATCHES = {
    "quote-not-in-source": "quotes are verified against the archived source",
    "unknown-source": "source ids are looked up in content/sources.yaml",
    "figures-contradict": "figures are compared with each other",
    "reversed-interval": "the order of an interval's ends is a date comparison",
    "missing-date-basis": "whether a date needs its basis depends on the parsed date",
    "day-out-of-range": "the length of a month depends on the year",
    "Bad_File_Name": "the slug comes from the file name",
}
"""Broken entries that need the whole project or real date arithmetic: only ``check`` sees them."""


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def shipped_config() -> Any:
    config = parse_config((ROOT / "dateline.yaml").read_bytes(), "dateline.yaml", Diagnostics())
    assert config is not None
    return config


def test_shipped_schemas_are_current() -> None:
    for name, text in render_schemas(shipped_config()).items():
        assert (SCHEMAS / name).read_text("utf-8") == text, (
            f"run `uv run build.py schema`: {name} is stale"
        )


def test_shipped_entries_validate() -> None:
    events = validator("event.schema.json")
    entries = sorted((ROOT / "content" / "events").glob("*.md"))
    assert entries
    for entry in entries:
        errors = [e.message for e in events.iter_errors(parse_document(entry.read_bytes()).data)]
        assert errors == [], entry.name


def test_shipped_registry_and_config_validate() -> None:
    for schema, file in (
        ("sources.schema.json", "content/sources.yaml"),
        ("dateline.schema.json", "dateline.yaml"),
    ):
        data = parse_yaml((ROOT / file).read_text("utf-8")).value
        assert [e.message for e in validator(schema).iter_errors(data)] == [], file


def test_every_broken_entry_is_classified() -> None:
    parsable = set()
    for case in BROKEN.glob("*.md"):
        try:
            document = parse_document(case.read_bytes())
        except FrontMatterError:
            continue  # not YAML at all: an editor's YAML tool flags these itself
        if not document.problems:  # duplicate keys, too, are flagged by YAML tools
            parsable.add(case.stem)
    assert parsable == SCHEMA_CATCHES | set(ONLY_CHECK_CATCHES)


@pytest.mark.parametrize("case", sorted(SCHEMA_CATCHES))
def test_schema_and_validator_both_reject(case: str, project_copy: Project) -> None:
    raw = (BROKEN / f"{case}.md").read_bytes()
    assert list(validator("event.schema.json").iter_errors(parse_document(raw).data)), case
    assert rejected_by_validator(project_copy, case, raw)


@pytest.mark.parametrize("case", sorted(ONLY_CHECK_CATCHES))
def test_schema_accepts_what_only_check_can_see(case: str, project_copy: Project) -> None:
    raw = (BROKEN / f"{case}.md").read_bytes()
    assert list(validator("event.schema.json").iter_errors(parse_document(raw).data)) == [], case
    assert rejected_by_validator(project_copy, case, raw)


def rejected_by_validator(project: Project, case: str, raw: bytes) -> bool:
    events = project.root / "content" / "events"
    for entry in events.glob("*.md"):
        entry.unlink()
    (events / f"{case}.md").write_bytes(raw)
    try:
        load_timeline(project)
    except ContentError:
        return True
    return False
