"""The site configuration, ``dateline.yaml``: title, base URL and the kinds of event."""

from __future__ import annotations

import re
from typing import Any

from .diagnostics import Diagnostics
from .fields import FieldChecker
from .frontmatter import FrontMatterError, decode, read_yaml
from .models import Kind, SiteConfig

CONFIG_FILE = "dateline.yaml"
SITE_KEYS = ("title", "description", "language", "base_url", "id_prefix", "cname", "kinds")
KIND_KEYS = ("label", "colour", "symbol", "overnight", "milestone")
SYMBOLS = ("circle", "diamond", "square", "triangle")
_KIND_KEY = re.compile(r"[a-z][a-z0-9_-]*")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def parse_config(raw: bytes, path: str, diagnostics: Diagnostics) -> SiteConfig | None:
    """Validate the configuration file; None (with problems recorded) when it is unusable."""
    try:
        parsed = read_yaml(decode(raw))
    except FrontMatterError as error:
        diagnostics.error(path, error.position, str(error))
        return None
    check = FieldChecker.reporting(path, parsed, diagnostics)
    site = check.mapping(parsed.value, (), "the configuration")
    if site is None:
        return None
    errors_before = len(diagnostics.errors)
    check.known_keys(site, (), SITE_KEYS)
    title = check.text(site, "title", (), required=True) or ""
    description = check.text(site, "description", (), required=False) or ""
    language = check.text(site, "language", (), required=False) or "en"
    base_url = check.text(site, "base_url", (), required=False) or "/"
    if not (base_url.startswith("/") or re.match(r"https?://[^/\s]+(/|$)", base_url)):
        check.error(("base_url",), "base_url must be a path ('/dateline/') or an http(s) URL")
    id_prefix = check.text(site, "id_prefix", (), required=True) or ""
    if id_prefix and not re.fullmatch(
        r"(tag:[^\s,]+,\d{4}(-\d\d){0,2}:|urn:|https?://)\S*", id_prefix
    ):
        check.error(
            ("id_prefix",),
            "id_prefix must be a tag: URI prefix such as 'tag:example.org,2026:event:'",
        )
    cname = check.text(site, "cname", (), required=False) or ""
    if cname and not re.fullmatch(
        r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", cname
    ):
        check.error(
            ("cname",), f"cname {cname!r} must be a domain name such as timeline.example.org"
        )
    kinds = _parse_kinds(site.get("kinds"), check)
    if len(diagnostics.errors) > errors_before:
        return None
    return SiteConfig(title, description, language, with_slash(base_url), kinds, id_prefix, cname)


def with_slash(url: str) -> str:
    """``url`` ending in exactly one '/'."""
    return url.rstrip("/") + "/"


def _parse_kinds(value: Any, check: FieldChecker) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    if value is None:
        check.error((), "missing required key 'kinds' (e.g. strike and diplomacy, with labels)")
        return kinds
    mapping = check.mapping(value, ("kinds",), "kinds")
    for key, spec in (mapping or {}).items():
        where = ("kinds", key)
        if not _KIND_KEY.fullmatch(key):
            check.error(
                where, f"kind {key!r} must be lower-case letters, digits, '-' or '_'", on_key=True
            )
            continue
        fields = check.mapping(spec, where, f"kind {key!r}")
        if fields is None:
            continue
        check.known_keys(fields, where, KIND_KEYS)
        label = check.text(fields, "label", where, required=True) or key
        colour = check.text(fields, "colour", where, required=True) or "#000000"
        if not _COLOUR.fullmatch(colour):
            check.error((*where, "colour"), f"colour {colour!r} must be written as #rrggbb")
        symbol = check.text(fields, "symbol", where, required=False) or "circle"
        if symbol not in SYMBOLS:
            check.error((*where, "symbol"), f"symbol must be one of: {', '.join(SYMBOLS)}")
        flags = {name: fields.get(name, False) for name in ("overnight", "milestone")}
        for name, flag in flags.items():
            if not isinstance(flag, bool):
                check.error((*where, name), f"{name} must be true or false")
        kinds[key] = Kind(
            key,
            label,
            colour.lower(),
            symbol,
            flags["overnight"] is True,
            flags["milestone"] is True,
        )
    return kinds
