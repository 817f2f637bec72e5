"""JSON Schemas for the files editors write, generated from the same rules the validator uses.

``dateline schema`` writes them into ``schemas/``; a test keeps the shipped copies current.
Schemas catch the shape of an entry as it is typed; only ``check`` can verify what needs the
whole project (quotes against sources, source ids, contradicting figures, reversed dates).
"""

from __future__ import annotations

import json
from typing import Any

from .config import KIND_KEYS, SITE_KEYS, SYMBOLS
from .dates import Precision
from .events import CITATION_KEYS, EVENT_ID, EVENT_KEYS, STATUSES
from .figures import FIGURE_KEYS, FIGURES, LARGEST_COUNT, QUALIFIERS, VAGUE_WORDS
from .models import SiteConfig
from .sources import SLUG, SOURCE_KEYS

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schemas"
_PART = r"\d\d(\d\d|\dX|XX)(-(0[1-9]|1[0-2]|XX)(-(0[1-9]|[12]\d|3[01]|XX))?)?[?~%]?"
EDTF_PATTERN = rf"^({_PART}|({_PART}|\.\.)?/({_PART}|\.\.)?)$"
SLUG_PATTERN = f"^{SLUG.pattern}$"
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
    count = {"type": "integer", "minimum": 0, "maximum": LARGEST_COUNT}
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
        "required": ["id"],
        "oneOf": [{"required": ["quotes"]}, {"required": ["records"]}],
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
            "records": {
                "type": "array",
                "minItems": 1,
                "description": "for a dataset source: the records this entry comes from",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["text"],
                    "properties": {
                        "text": _TEXT,
                        "url": {"type": "string", "pattern": r"^https?://"},
                    },
                },
            },
        },
    }
    assert set(CITATION_KEYS) == set(citation["properties"])  # type: ignore[call-overload]
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
        "id": {
            "type": "string",
            "pattern": f"^{EVENT_ID.pattern}$",
            "description": "the event's permanent id in feeds: set once, never changed",
        },
        "updated": {
            "type": "string",
            "pattern": r"^\d{4}-\d\d-\d\d$",
            "description": "when the entry was last corrected",
        },
        "generated_by": {
            **_TEXT,
            "description": "what importer wrote the entry; re-imports only touch their own",
        },
    }


def sources_schema() -> dict[str, Any]:
    """The schema of ``content/sources.yaml``."""
    properties: dict[str, Any] = {
        "title": _TEXT,
        "publisher": _TEXT,
        "published": {"type": ["string", "integer"]},
        "url": {"type": "string", "pattern": r"^https?://"},
        "archive": {"type": "string", "pattern": r"^[^/\\].*$"},
        "type": {"enum": ["article", "dataset"]},
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
        "id_prefix": {"type": "string", "pattern": "^(tag:|urn:|https?://)"},
        "cname": {"type": "string"},
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
        "required": ["title", "id_prefix", "kinds"],
        "properties": properties,
    }


def export_schema() -> dict[str, Any]:
    """The schema of the published ``events.json``."""
    nullable_text = {"type": ["string", "null"]}
    part = {
        "type": ["object", "null"],
        "additionalProperties": False,
        "required": ["edtf", "precision", "approximate", "uncertain"],
        "properties": {
            "edtf": {"type": "string"},
            "precision": {"enum": [p.value for p in Precision]},
            "approximate": {"type": "boolean"},
            "uncertain": {"type": "boolean"},
        },
    }
    day = {"type": ["string", "null"], "format": "date"}
    event = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "feed_id",
            "slug",
            "url",
            "title",
            "kind",
            "kind_label",
            "status",
            "date",
            "date_basis",
            "places",
            "tags",
            "figures",
            "citations",
            "body_html",
            "updated",
        ],
        "properties": {
            "id": {"type": "string", "description": "permanent id, kept across renames"},
            "feed_id": {"type": "string", "description": "the id in the Atom feed"},
            "slug": {"type": "string", "pattern": SLUG_PATTERN},
            "url": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string"},
            "kind_label": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "date": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "edtf",
                    "display",
                    "earliest",
                    "latest",
                    "interval",
                    "undated",
                    "start",
                    "end",
                ],
                "properties": {
                    "edtf": {"type": "string", "pattern": EDTF_PATTERN},
                    "display": {"type": "string"},
                    "earliest": {**day, "description": "earliest possible day; null when open"},
                    "latest": {**day, "description": "latest possible day; null when open"},
                    "interval": {"type": "boolean"},
                    "undated": {
                        "type": "boolean",
                        "description": "only a range of uncertainty is known",
                    },
                    "start": part,
                    "end": part,
                },
            },
            "date_basis": nullable_text,
            "places": {"type": "array", "items": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "figures": {
                "type": "object",
                "propertyNames": {"enum": list(FIGURES)},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["label", "value", "qualifier", "words", "note", "display"],
                    "properties": {
                        "label": {"type": "string"},
                        "value": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "maximum": LARGEST_COUNT,
                        },
                        "qualifier": {"enum": [*QUALIFIERS, None]},
                        "words": nullable_text,
                        "note": nullable_text,
                        "display": {"type": "string"},
                    },
                },
            },
            "citations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["source", "quotes", "records"],
                    "properties": {
                        "source": {"type": "string"},
                        "records": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["text", "url"],
                                "properties": {"text": {"type": "string"}, "url": nullable_text},
                            },
                        },
                        "quotes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["text", "paragraph", "url"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "paragraph": {"type": ["integer", "null"]},
                                    "url": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
            "body_html": {"type": "string"},
            "updated": {"type": "string", "format": "date"},
        },
    }
    source = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "type",
            "title",
            "publisher",
            "published",
            "url",
            "archive",
            "page",
            "cited_by",
        ],
        "properties": {
            "id": {"type": "string", "pattern": SLUG_PATTERN},
            "type": {"enum": ["article", "dataset"]},
            "title": {"type": "string"},
            "publisher": nullable_text,
            "published": nullable_text,
            "url": nullable_text,
            "archive": nullable_text,
            "page": {"type": "string"},
            "cited_by": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": "events-json.schema.json",
        "title": "dateline events.json export",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "title", "url", "events", "sources"],
        "properties": {
            "version": {"const": 1},
            "title": {"type": "string"},
            "url": {"type": "string"},
            "events": {"type": "array", "items": event},
            "sources": {"type": "array", "items": source},
        },
    }


def render_schemas(config: SiteConfig) -> dict[str, str]:
    """Every schema as the text of its file under ``schemas/``."""
    schemas = {
        "event.schema.json": event_schema(config),
        "sources.schema.json": sources_schema(),
        "dateline.schema.json": config_schema(),
        "events-json.schema.json": export_schema(),
    }
    return {
        name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in schemas.items()
    }
