"""``dateline new``: write a new entry with a commented front matter skeleton."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .dates import DateError, parse_date
from .frontmatter import yaml_string
from .models import Kind

MAX_SLUG_WORDS = 8


class NewEntryError(ValueError):
    """The entry cannot be created (bad date, unknown kind, file exists)."""


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'Strike on Odesa’s port' → 'strike-on-odesas-port'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words[:MAX_SLUG_WORDS])


def entry_name(title: str, date_text: str) -> str:
    """The file name for a new entry: its date's first known day, then the title's words."""
    slug = slugify(title)
    if not slug:
        raise NewEntryError("the title needs at least one letter or digit")
    parsed = parse_date(date_text)
    known = parsed.start or parsed.end
    prefix = known.machine if known and known.machine else "undated"
    return f"{prefix}-{slug}.md"


def skeleton(title: str, date_text: str, kind: str, kinds: dict[str, Kind], slug: str) -> str:
    """The text of a new draft entry, with a comment on every field."""
    parsed = parse_date(date_text)
    basis = (
        "# date_basis: one sentence on how the date was established (needed: the date\n"
        "# is not one plain day)\n"
        if not parsed.exact
        else "# date_basis: add one sentence if the source does not give this date as such\n"
    )
    kind_list = ", ".join(kinds)
    return (
        "---\n"
        f"id: {slug}  # the event's permanent id in feeds: never change it\n"
        f"title: {yaml_string(title)}\n"
        "# EDTF: 2025-09-07, 2025-09 (month), 2024-02~ (about), 2025-03-23? (uncertain),\n"
        "# 2025-09-06/2025-09-07 (a night), 2023-07/.. (after July 2023)\n"
        f"date: {date_text}\n"  # parsed as EDTF above, so plain YAML needs no quotes
        f"{basis}"
        f"kind: {kind}  # one of: {kind_list}\n"
        "# status: scheduled  # only for a meeting announced as upcoming in the source\n"
        "places: []  # e.g. [Kyiv, Odesa]\n"
        "tags: []\n"
        "# figures: write what the source says: 370, at least 14, more than 650, dozens\n"
        "# figures:\n"
        "#   drones_launched: 0\n"
        "#   missiles_launched: 0\n"
        "#   drones_intercepted: 0\n"
        "#   killed: 0\n"
        "#   injured: 0\n"
        "# sources: cite each source by its id in content/sources.yaml, with exact quotes from it\n"
        "sources:\n"
        "  - id: source-id-here\n"
        "    quotes:\n"
        "      - an exact passage copied from the archived article\n"
        "draft: true  # remove this line to publish the entry\n"
        "---\n"
        "One short paragraph: what happened, in your own words.\n"
    )


def create_entry(
    events_dir: Path, title: str, date_text: str, kind: str, kinds: dict[str, Kind]
) -> Path:
    """Write a new draft entry and return its path; never overwrites."""
    try:
        name = entry_name(title, date_text)
    except DateError as error:
        raise NewEntryError(f"--date: {error}") from None
    if kind not in kinds:
        raise NewEntryError(
            f"--kind: unknown kind {kind!r}; the site's kinds are: {', '.join(kinds)}"
        )
    path = events_dir / name
    events_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(skeleton(title, date_text, kind, kinds, name.removesuffix(".md")))
    except FileExistsError:
        raise NewEntryError(f"{path} already exists; edit it, or choose another title") from None
    return path
