"""Event entries: one Markdown file with YAML front matter each, validated into :class:`Event`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from .dates import DateError, parse_date
from .diagnostics import Diagnostics, Position
from .fields import FieldChecker
from .figures import parse_figures
from .frontmatter import FrontMatterError, parse_document
from .markdown import render_body
from .models import Citation, Event, Kind, Quote, Record, Source
from .sources import explain_missing, find_quote, quote_anchor, slug_problem

EVENT_KEYS = (
    "title", "date", "date_basis", "kind", "status", "places", "tags",
    "figures", "sources", "slug", "draft", "id", "updated", "generated_by",
)  # fmt: skip
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/-]{0,199}")
CITATION_KEYS = ("id", "quotes", "records")
RECORD_KEYS = ("text", "url")
STATUSES = ("reported", "scheduled")


def parse_event(
    path: str,
    raw: bytes,
    kinds: Mapping[str, Kind],
    sources: Mapping[str, Source],
    diagnostics: Diagnostics,
    base_path: str = "/",
) -> Event | None:
    """Validate one entry file; None (with every problem recorded) when it is not usable.

    A draft's problems are recorded as warnings: a draft is never published, so it must not
    stop the build of everything else.
    """
    found = Diagnostics()
    event, is_draft = _parse_event(path, raw, kinds, sources, found, base_path)
    for problem in found:
        if is_draft and problem.severity == "error":
            problem = replace(
                problem, severity="warning", message=f"{problem.message} (draft, not published)"
            )
        diagnostics.items.append(problem)
    return event


def _parse_event(
    path: str,
    raw: bytes,
    kinds: Mapping[str, Kind],
    sources: Mapping[str, Source],
    diagnostics: Diagnostics,
    base_path: str,
) -> tuple[Event | None, bool]:
    """The event, or None, and whether the entry says it is a draft."""
    try:
        document = parse_document(raw)
    except FrontMatterError as error:
        diagnostics.error(path, error.position, str(error))
        return None, False
    check = FieldChecker.reporting(path, document, diagnostics)
    data = document.data
    check.known_keys(data, (), EVENT_KEYS)
    slug = _slug(path, data, check)
    title = check.text(data, "title", (), required=True) or ""
    date = _date(data, check)
    date_basis = check.text(data, "date_basis", (), required=False) or ""
    if date is not None and not date.exact and not date_basis:
        check.error(
            ("date",),
            f"date {date.text!r} is not a single known day: add 'date_basis', one sentence "
            "saying how the date was established",
        )
    kind = _kind(data, kinds, check)
    status = check.text(data, "status", (), required=False) or "reported"
    if status not in STATUSES:
        check.error(("status",), f"status must be one of: {', '.join(STATUSES)}")
    draft = data.get("draft", False)
    generated_by = check.text(data, "generated_by", (), required=False) or ""
    if not isinstance(draft, bool):
        check.error(("draft",), "draft must be true or false")
    elif draft:
        machine = f"; drafted by {generated_by}: confirm every field" if generated_by else ""
        check.warning(("draft",), f"a draft, left out of the published site{machine}")
    event_id = check.text(data, "id", (), required=False)
    if event_id is None:
        check.warning((), f"add 'id: {slug}' so feed readers keep this event when it is renamed")
    elif not EVENT_ID.fullmatch(event_id):
        check.error(("id",), "id must be letters, digits and . _ ~ : / - (and not too long)")
    updated = _updated(data, check)
    places = check.text_list(data, "places", ())
    tags = check.text_list(data, "tags", ())
    figures = parse_figures(data.get("figures"), check)
    citations = _citations(data.get("sources"), sources, check)
    if diagnostics.errors or date is None or kind is None:
        return None, draft is True
    body = render_body(document.body, base_path)
    event = Event(
        slug=slug,
        path=path,
        title=title,
        date=date,
        date_basis=date_basis,
        kind=kind,
        status=status,
        places=places,
        tags=tags,
        figures=figures,
        citations=citations,
        body_html=body.html,
        body_line=document.body_line,
        site_links=body.site_links,
        id=event_id or slug,
        generated_by=generated_by,
        updated=updated,
        draft=draft is True,
    )
    return event, event.draft


def _slug(path: str, data: dict[str, Any], check: FieldChecker) -> str:
    written = check.text(data, "slug", (), required=False)
    slug = written or _stem(path)
    problem = slug_problem(slug)
    if problem:
        where = "slug" if written else "the file name"
        message = f"{where} {slug!r} {problem}"
        if written:
            check.error(("slug",), message)
        else:
            check.diagnostics.error(check.path, Position(1, 1), message)
    return slug


def _stem(path: str) -> str:
    """``PurePosixPath(path).stem``, without making a path (a tenth of the time)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _date(data: dict[str, Any], check: FieldChecker) -> Any:
    value = data.get("date")
    if value is None:
        check.error((), "missing required key 'date' (EDTF, e.g. 2025-09-07, 2024-02~)")
        return None
    text = str(value)
    try:
        return parse_date(text)
    except DateError as error:
        position = check.at(("date",))
        check.diagnostics.error(
            check.path, Position(position.line, position.column + error.offset), f"date: {error}"
        )
        return None


def _updated(data: dict[str, Any], check: FieldChecker) -> date | None:
    text = check.text(data, "updated", (), required=False)
    if text is None:
        return None
    try:
        parsed = parse_date(text)
    except DateError as error:
        check.error(("updated",), f"updated: {error}")
        return None
    if not parsed.exact:
        check.error(("updated",), "updated must be one day, as YYYY-MM-DD")
        return None
    return parsed.earliest


def _kind(data: dict[str, Any], kinds: Mapping[str, Kind], check: FieldChecker) -> Kind | None:
    key = check.text(data, "kind", (), required=True)
    if key is None:
        return None
    if key not in kinds:
        close = difflib.get_close_matches(key, list(kinds), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        check.error(
            ("kind",), f"unknown kind {key!r}; {hint}the site's kinds are: {', '.join(kinds)}"
        )
        return None
    return kinds[key]


def _citations(
    value: Any, sources: Mapping[str, Source], check: FieldChecker
) -> tuple[Citation, ...]:
    if not value:
        check.error(
            ("sources",) if value is not None else (),
            "missing required key 'sources': cite at least one source with a quote",
        )
        return ()
    if not isinstance(value, list):
        check.error(("sources",), "sources must be a list of citations (- id: ..., quotes: [...])")
        return ()
    citations = []
    cited: set[str] = set()
    for index, item in enumerate(value):
        where = ("sources", index)
        fields = check.mapping(item, where, "each citation")
        if fields is None:
            continue
        check.known_keys(fields, where, CITATION_KEYS)
        source_id = check.text(fields, "id", where, required=True)
        if source_id is None:
            continue
        if source_id in cited:
            check.error(
                (*where, "id"),
                f"source {source_id!r} is cited twice; list all its quotes under one citation",
            )
            continue
        cited.add(source_id)
        source = sources.get(source_id)
        if source is None:
            known = ", ".join(sorted(sources)) or "none defined"
            check.error((*where, "id"), f"unknown source id {source_id!r} (known: {known})")
            continue
        if source.dataset:
            records = _records(fields.get("records"), source, where, check)
            citations.append(Citation(source_id, (), records))
        else:
            quotes = _quotes(fields.get("quotes"), source, where, check)
            citations.append(Citation(source_id, quotes))
    return tuple(citations)


def _records(
    value: Any, source: Source, where: tuple[str | int, ...], check: FieldChecker
) -> tuple[Record, ...]:
    if not value or not isinstance(value, list):
        check.error(
            where,
            f"citation of dataset {source.id!r} needs 'records': each with 'text' and 'url'",
        )
        return ()
    records = []
    for index, item in enumerate(value):
        at = (*where, "records", index)
        fields = check.mapping(item, at, "each record")
        if fields is None:
            continue
        check.known_keys(fields, at, RECORD_KEYS)
        text = check.text(fields, "text", at, required=True)
        url = check.text(fields, "url", at, required=False)
        if url and not re.match(r"https?://[^\s/]+", url):
            check.error((*at, "url"), "url must start with http:// or https://")
            continue
        if text:
            records.append(Record(text, url))
    return tuple(records)


def _quotes(
    value: Any, source: Source, where: tuple[str | int, ...], check: FieldChecker
) -> tuple[Quote, ...]:
    if isinstance(value, str):
        value = [value]
    if not value or not isinstance(value, list):
        check.error(
            where, f"citation of {source.id!r} needs 'quotes': one or more exact passages from it"
        )
        return ()
    quotes = []
    for index, text in enumerate(value):
        at = (*where, "quotes", index)
        if not isinstance(text, str) or not text.strip():
            check.error(at, "each quote must be non-empty text")
            continue
        if not source.paragraphs:
            check.warning(
                at, f"quote cannot be verified: source {source.id!r} has no archived copy"
            )
            quotes.append(Quote(text.strip(), quote_anchor(text), 0))
            continue
        match = find_quote(text, source.paragraphs)
        if match is None:
            why = explain_missing(text, source.paragraphs)
            check.error(at, f"quote is not in source {source.id!r} ({source.archive}): {why}")
            continue
        quotes.append(
            Quote(text.strip(), quote_anchor(text), match.paragraph, match.start, match.end)
        )
    return tuple(quotes)
