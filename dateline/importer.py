"""``dateline import``: a news article becomes an archived source and a machine-drafted entry.

The article's bytes are archived unchanged in ``seeds/``, registered in the source registry,
and read (:mod:`dateline.extract`) for a draft entry whose every finding cites the sentence it
came from. Nothing existing is ever overwritten.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from .extract import Findings, read_article
from .figures import FIGURES
from .frontmatter import FrontMatterError, decode, parse_document, yaml_string
from .gazetteer import find_places
from .new import slugify
from .sources import SLUG, SOURCES_FILE

GENERATED_BY = "dateline import"
EVENTS_DIR = "content/events"
SEEDS_DIR = "seeds"


class ArticleImportError(ValueError):
    """The article cannot be imported (not text, an id taken, a file that would be replaced)."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """A diplomacy entry already in the timeline, as the importer links to it."""

    slug: str
    title: str
    places: tuple[str, ...]
    date: str


@dataclass(slots=True)
class ImportResult:
    """What an import wrote, and what the editor should know."""

    archive: str
    source_id: str
    entry: str
    new_source: bool
    notes: list[str] = field(default_factory=list)


def import_article(
    root: Path,
    raw: bytes,
    *,
    source_id: str | None = None,
    url: str | None = None,
    published: date | None = None,
) -> ImportResult:
    """Archive and register the article, and write a draft entry from it."""
    try:
        text = decode(raw)
    except FrontMatterError as error:
        raise ArticleImportError(f"the article: {error}") from None
    if not text.strip():
        raise ArticleImportError("the article is empty")
    if source_id is not None and not SLUG.fullmatch(source_id):
        raise ArticleImportError(
            f"--source-id {source_id!r} must be lower-case words joined by '-'"
        )
    findings = read_article(text, published)
    registry_path = root / SOURCES_FILE
    registry_text = registry_path.read_text("utf-8") if registry_path.is_file() else ""
    registry = yaml.safe_load(registry_text) or {}
    archive = f"{SEEDS_DIR}/{source_id or hashlib.sha256(raw).hexdigest()[:16]}.txt"
    existing = next(
        (
            key
            for key, value in registry.items()
            if isinstance(value, dict) and value.get("archive") == archive
        ),
        None,
    )
    archive_path = root / archive
    if archive_path.exists() and archive_path.read_bytes() != raw:
        raise ArticleImportError(
            f"{archive} already holds a different article; choose another --source-id"
        )
    chosen_id = existing or source_id or _free_id(slugify(findings.headline) or "article", registry)
    if existing is None and chosen_id in registry:
        raise ArticleImportError(f"source id {chosen_id!r} is already in {SOURCES_FILE}")
    milestones = load_milestones(root)
    entry_text, notes = draft_entry(findings, chosen_id, milestones)
    slug = _entry_slug(findings)
    entry_path = root / EVENTS_DIR / f"{slug}.md"
    if entry_path.exists():
        raise ArticleImportError(f"{EVENTS_DIR}/{slug}.md already exists; nothing was written")

    archive_path.parent.mkdir(parents=True, exist_ok=True)
    if not archive_path.exists():
        archive_path.write_bytes(raw)
    if existing is None:
        block = {
            "archive": archive,
            **({"url": url} if url else {}),
            **({"published": published.isoformat()} if published else {}),
        }
        addition = yaml.safe_dump({chosen_id: block}, allow_unicode=True, sort_keys=False)
        separator = (
            ""
            if not registry_text or registry_text.endswith("\n\n")
            else ("\n" if registry_text.endswith("\n") else "\n\n")
        )
        registry_path.parent.mkdir(parents=True, exist_ok=True)
        registry_path.write_text(registry_text + separator + addition, "utf-8")
    entry_path.parent.mkdir(parents=True, exist_ok=True)
    with entry_path.open("x", encoding="utf-8", newline="\n") as file:
        file.write(entry_text.replace("__SLUG__", slug))
    return ImportResult(archive, chosen_id, f"{EVENTS_DIR}/{slug}.md", existing is None, notes)


def _free_id(base: str, registry: dict[str, object]) -> str:
    candidate, number = base, 2
    while candidate in registry:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _entry_slug(findings: Findings) -> str:
    words = slugify(findings.headline) or "article"
    if findings.dates:
        return f"{findings.dates[0].edtf[:10].rstrip('~?%-/')}-{words}"
    return f"undated-{words}"


def load_milestones(root: Path) -> list[Milestone]:
    """Diplomacy entries in the project, read leniently (a broken entry is simply skipped)."""
    milestones = []
    for path in sorted((root / EVENTS_DIR).rglob("*.md")):
        try:
            data = parse_document(path.read_bytes()).data
        except (FrontMatterError, OSError):
            continue
        if data.get("kind") != "diplomacy" or data.get("draft") is True:
            continue
        places = data.get("places") or []
        milestones.append(
            Milestone(
                str(data.get("slug") or path.stem),
                str(data.get("title") or path.stem),
                tuple(str(p) for p in places) if isinstance(places, list) else (str(places),),
                str(data.get("date") or ""),
            )
        )
    return milestones


def mentioned_milestones(
    findings: Findings, milestones: list[Milestone]
) -> list[tuple[Milestone, str]]:
    """Milestones whose place the article names, with the sentence that names it."""
    found = []
    for milestone in milestones:
        for sentence in findings.sentences:
            names = {mention.place.name for mention in find_places(sentence.text)}
            if names & set(milestone.places) or any(
                place in sentence.text for place in milestone.places
            ):
                found.append((milestone, sentence.text))
                break
    return found


def draft_entry(
    findings: Findings, source_id: str, milestones: list[Milestone]
) -> tuple[str, list[str]]:
    """The text of the draft entry (its slug left as __SLUG__), and notes for the editor."""
    notes: list[str] = []
    quotes: list[str] = []

    def cite(sentence_text: str) -> None:
        if sentence_text not in quotes:
            quotes.append(sentence_text)

    lines = ["---", "id: __SLUG__", f"title: {yaml_string(findings.headline)}"]
    if findings.dates:
        best = findings.dates[0]
        lines += [f"date: {best.edtf}", f"date_basis: {yaml_string(best.basis)}"]
        if best.sentence:
            cite(best.sentence.text)
        shown = {best.edtf}
        for other in findings.dates[1:6]:
            if other.edtf not in shown:
                shown.add(other.edtf)
                lines.append(f"# another date candidate: {other.edtf}: {_comment(other.basis)}")
    else:
        notes.append(
            "the article gives no date at all: the draft says only 'after 24 February 2022'"
        )
        lines += [
            "date: 2022-02-24/..",
            'date_basis: "The article gives no date; only that it is about the full-scale war. '
            'Narrow this down."',
        ]
    lines.append(f"kind: {findings.kind}  # guessed from {_comment(findings.kind_evidence)}")
    hit = [place.name for place in findings.places_hit]
    lines.append(
        f"places: [{', '.join(yaml_string(p) for p in hit)}]"
        "  # named where the article reports damage or casualties"
    )
    for place in findings.places_hit:
        cite(findings.place_sentences[place.name].text)
    if findings.places_mentioned:
        mentioned = ", ".join(place.name for place in findings.places_mentioned)
        lines.append(f"# also mentioned, not as hit: {mentioned}")
    lines.append("tags: []")
    if findings.figures:
        lines.append("figures:")
        for key, finding in sorted(
            findings.figures.items(), key=lambda item: list(FIGURES).index(item[0])
        ):
            lines.append(f"  {key}: {finding.as_front_matter()}")
            cite(finding.sentence.text)
        for alternative in findings.other_figures:
            evidence = _comment(alternative.sentence.text[:90])
            lines.append(
                f"  # also found: {alternative.key}: {alternative.as_front_matter()} ({evidence})"
            )
    else:
        notes.append("no figures were found in the article")
    if not quotes:
        quotes.append(
            findings.sentences[1].text if len(findings.sentences) > 1 else findings.headline
        )
    lines += ["sources:", f"  - id: {source_id}", "    quotes:"]
    lines += [f"      - {yaml_string(quote)}" for quote in quotes]
    lines += [
        f"generated_by: {GENERATED_BY}",
        "draft: true  # confirm every field, then remove this line",
        "---",
    ]
    body = ["A one-paragraph summary in your own words (machine draft: replace this line)."]
    linked = mentioned_milestones(findings, milestones)
    if linked:
        body += ["", "Diplomatic milestones the article mentions:", ""]
        body += [f"- [{milestone.title}](/events/{milestone.slug}/)" for milestone, _ in linked]
    return "\n".join(lines + body) + "\n", notes


def _comment(text: str) -> str:
    return " ".join(text.split())
