"""JSON Schemas for the files editors write, generated from the same rules the validator uses.

``dateline schema`` writes them into ``schemas/``; a test keeps the shipped copies current.
Schemas catch the shape of an entry as it is typed; only ``check`` can verify what needs the
whole project (quotes against sources, source ids, contradicting figures, reversed dates).
"""

from __future__ import annotations

import json
from typing import Any

from .config import KIND_KEYS, SITE_KEYS, SYMBOLS
from .events import CITATION_KEYS, EVENT_KEYS, STATUSES
from .figures import FIGURE_KEYS, FIGURES, QUALIFIERS, VAGUE_WORDS
from .models import SiteConfig
from .sources import SOURCE_KEYS

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schemas"
_PART = r"\d\d(\d\d|\dX|XX)(-(0[1-9]|1[0-2]|XX)(-(0[1-9]|[12]\d|3[01]|XX))?)?[?~%]?"
EDTF_PATTERN = rf"^({_PART}|({_PART}|\.\.)?/({_PART}|\.\.)?)$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_TEXT = {"type": "string", "minLength": 1}
_NAMES = {
    "oneOf": [
        {"type": "array", "items": _TEXT, "uniqueItems": True},
        _TEXT,
    ]
}


def event_schema(config: SiteConfig) -> dict[str, Any]:
    """The schema of an entry's front matter, with this site's kinds."""
    assert set(EVENT_KEYS) == set(_event_properties(config))
    return {
        "$schema": DRAFT,
        "$id": "event.schema.json",
        "title": "dateline event entry (front matter)",
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "date", "kind", "sources"],
        "properties": _event_properties(config),
    }


def _event_properties(config: SiteConfig) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    qualified = "^(" + "|".join(QUALIFIERS) + r") \d{1,3}(,\d{3})*$|^\d+$"
    figure = {
        "oneOf": [
            count,
            {"type": "string", "pattern": qualified},
            {"enum": list(VAGUE_WORDS)},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "value": count,
                    "qualifier": {"enum": list(QUALIFIERS)},
                    "words": _TEXT,
                    "note": _TEXT,
                },
                "anyOf": [{"required": ["value"]}, {"required": ["words"]}],
            },
        ]
    }
    assert set(FIGURE_KEYS) == set(figure["oneOf"][3]["properties"])  # type: ignore[index]
    citation = {
        "type": "object",
        "additionalProperties": False,
        "required": list(CITATION_KEYS),
        "properties": {
            "id": {
                "type": "string",
                "pattern": SLUG_PATTERN,
                "description": "a source id from content/sources.yaml",
            },
            "quotes": {
                "oneOf": [{"type": "array", "minItems": 1, "items": _TEXT}, _TEXT],
                "description": "exact passages from the source's archived copy",
            },
        },
    }
    return {
        "title": {**_TEXT, "description": "one line"},
        "date": {
            "oneOf": [
                {"type": "string", "pattern": EDTF_PATTERN},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "EDTF: 2025-09-07, 2025-09, 2024-02~, 2025-03-23?, "
            "2025-09-06/2025-09-07, 2023-07/..",
        },
        "date_basis": {
            **_TEXT,
            "description": "how the date was established (needed unless one plain day)",
        },
        "kind": {"enum": list(config.kinds), "description": "one of the kinds in dateline.yaml"},
        "status": {"enum": list(STATUSES)},
        "places": _NAMES,
        "tags": _NAMES,
        "figures": {
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {**figure, "description": label} for key, label in FIGURES.items()},
        },
        "sources": {"type": "array", "minItems": 1, "items": citation},
        "slug": {"type": "string", "pattern": SLUG_PATTERN},
        "draft": {"type": "boolean"},
    }


def sources_schema() -> dict[str, Any]:
    """The schema of ``content/sources.yaml``."""
    properties: dict[str, Any] = {
        "title": _TEXT,
        "publisher": _TEXT,
        "published": {"type": ["string", "integer"]},
        "url": {"type": "string", "pattern": r"^https?://"},
        "archive": {"type": "string", "pattern": r"^[^/\\].*$"},
    }
    assert set(SOURCE_KEYS) == set(properties)
    source = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "anyOf": [{"required": ["archive"]}, {"required": ["url", "title"]}],
    }
    return {
        "$schema": DRAFT,
        "$id": "sources.schema.json",
        "title": "dateline source registry",
        "type": "object",
        "propertyNames": {"pattern": SLUG_PATTERN},
        "additionalProperties": source,
    }


def config_schema() -> dict[str, Any]:
    """The schema of ``dateline.yaml``."""
    kind_properties: dict[str, Any] = {
        "label": _TEXT,
        "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "symbol": {"enum": list(SYMBOLS)},
        "overnight": {"type": "boolean"},
        "milestone": {"type": "boolean"},
    }
    assert set(KIND_KEYS) == set(kind_properties)
    kind = {
        "type": "object",
        "additionalProperties": False,
        "required": ["label", "colour"],
        "properties": kind_properties,
    }
    properties = {
        "title": _TEXT,
        "description": _TEXT,
        "language": _TEXT,
        "base_url": {"type": "string", "pattern": r"^(/|https?://)"},
        "kinds": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9_-]*$"},
            "additionalProperties": kind,
        },
    }
    assert set(SITE_KEYS) == set(properties)
    return {
        "$schema": DRAFT,
        "$id": "dateline.schema.json",
        "title": "dateline site configuration",
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "kinds"],
        "properties": properties,
    }


def render_schemas(config: SiteConfig) -> dict[str, str]:
    """Every schema as the text of its file under ``schemas/``."""
    schemas = {
        "event.schema.json": event_schema(config),
        "sources.schema.json": sources_schema(),
        "dateline.schema.json": config_schema(),
    }
    return {
        name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in schemas.items()
    }
