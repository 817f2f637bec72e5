"""What a published site offers besides its pages, and that its links hold where it is published.

The shipped timeline is built for a GitHub Pages project site (``https://example.org/dateline/``)
and for the root of a domain (``/``), served on 127.0.0.1 and crawled from its index with urllib:
every internal link must answer 200 without a redirect, and every ``#fragment`` must name an
element of its page. The Atom feed, sitemap, robots.txt, CNAME and page metadata are checked too.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]  # no stubs, no py.typed
import pytest
import yaml

from dateline.builder import build
from dateline.project import Project
from tests.browser import serve

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://example.org/dateline/"
"""Where the project-site build says it is published."""
SEED_EVENTS = 9
"""How many events the shipped content/ puts on the timeline."""
SEED_SOURCES = 5
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RENAMED = "2025-05-15-istanbul-talks"
"""An entry that no other entry links to, so that it can be renamed alone."""
CNAME = "timeline.example.org"


# --- Serving and crawling ----------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A build of the shipped timeline, served on 127.0.0.1 under its base path."""

    folder: Path
    base_url: str
    """The base URL it was built for: ``https://example.org/dateline/`` or ``/``."""
    served: str
    """Where it is served: ``http://127.0.0.1:PORT/dateline/`` or ``http://127.0.0.1:PORT/``."""

    @property
    def public(self) -> str | None:
        """The published address, when the build knows its host."""
        return self.base_url if urlsplit(self.base_url).netloc else None

    def to_served(self, url: str) -> str:
        """A published absolute URL of this site as the address it is served at here."""
        assert self.public and url.startswith(self.public), url
        return self.served + url[len(self.public) :]


@dataclass
class Document:
    """One HTML page as the crawler read it."""

    url: str
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(where in the page, URL as written): every href, src and og: URL."""


class _LinkParser(HTMLParser):
    """Collects the ids of a page and every URL it refers to."""

    URL_ATTRIBUTES = ("href", "src", "action", "poster")
    META_URLS = ("og:url", "og:image", "twitter:image")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for name in self.URL_ATTRIBUTES:
            if name in values:
                self.links.append((f"<{tag} {name}>", values[name]))
        for candidate in values.get("srcset", "").split(","):
            if candidate.strip():
                self.links.append((f"<{tag} srcset>", candidate.split()[0]))
        meta = values.get("property") or values.get("name") or ""
        if tag == "meta" and meta in self.META_URLS and "content" in values:
            self.links.append((f'<meta property="{meta}">', values["content"]))


def parse_html(url: str, text: str) -> Document:
    """The ids and links of an HTML page served at ``url``."""
    parser = _LinkParser()
    parser.feed(text)
    parser.close()
    return Document(url, parser.ids, parser.links)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Make a redirect an error: a link on the site should name the page itself."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    """What the server said about one URL."""

    status: int
    content_type: str = ""
    body: bytes = b""
    location: str = ""


def fetch(url: str) -> Answer:
    """GET ``url`` from the local server, without following redirects."""
    try:
        with _OPENER.open(url, timeout=10) as response:
            return Answer(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, location=error.headers.get("Location", ""))


@dataclass
class Crawl:
    """Every page reached from a start, and every link that does not hold."""

    site: Site
    answers: dict[str, Answer] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def answer(self, url: str) -> Answer:
        """The server's answer for ``url`` (without its fragment), asked once."""
        if url not in self.answers:
            self.answers[url] = fetch(url)
        return self.answers[url]

    def document(self, url: str) -> Document | None:
        """The parsed page at ``url``, or None when it is not an HTML page that answers 200."""
        if url not in self.documents:
            answer = self.answer(url)
            if answer.status != 200 or answer.content_type != "text/html":
                return None
            self.documents[url] = parse_html(url, answer.body.decode("utf-8"))
        return self.documents[url]

    def resolve(self, written: str, base: str) -> str | None:
        """The served URL a link written on a page at ``base`` leads to; None when off the site."""
        written = written.strip()
        if re.match(r"(?i)(mailto|tel|data|javascript):", written):
            return None
        public = self.site.public
        if public and written.startswith(public):
            return self.site.to_served(written)
        target = urljoin(base, written)
        parts = urlsplit(target)
        served = urlsplit(self.site.served)
        if parts.netloc == served.netloc:
            return target
        if public and parts.netloc == urlsplit(public).netloc:
            return target  # the site's own host but outside its base path: reported below
        return None

    def check_links(self, page: Document, base: str | None = None) -> list[str]:
        """Check every link of ``page``, resolved against ``base``; return the pages reached."""
        base = base or page.url
        followed: list[str] = []
        for where, written in page.links:
            target = self.resolve(written, base)
            if target is None:
                continue
            problem = self._problem(target, page)
            if problem:
                self.broken.append(f"{self._name(base)}: {where} {written!r}: {problem}")
            else:
                followed.append(urldefrag(target).url)
        return followed

    def _problem(self, target: str, page: Document) -> str:
        """Why a link to ``target`` does not hold, or '' when it does."""
        if not target.startswith(self.site.served):
            return "outside the site's base path"
        url, fragment = urldefrag(target)
        if url == page.url and fragment:  # within the page itself, wherever it is served
            return "" if unquote(fragment) in page.ids else f"no element with id {fragment!r}"
        answer = self.answer(url)
        if answer.status != 200:
            moved = f" to {answer.location}" if answer.location else ""
            return f"{url} answers {answer.status}{moved}"
        if not fragment:
            return ""
        target_page = page if url == page.url else self.document(url)
        if target_page is None:
            return f"#{fragment} points into {answer.content_type or 'a file'}, not a page"
        if unquote(fragment) not in target_page.ids:
            return f"no element with id {unquote(fragment)!r} on {self._name(url)}"
        return ""

    def _name(self, url: str) -> str:
        return "/" + url.removeprefix(self.site.served) if url.startswith(self.site.served) else url

    def run(self, start: str) -> None:
        """Crawl every HTML page reachable from ``start``, checking every link on the way."""
        queue = [start]
        seen = {start}
        while queue:
            url = queue.pop(0)
            page = self.document(url)
            if page is None:
                if url == start:
                    self.broken.append(f"the start page {url} answers {self.answer(url).status}")
                continue
            for target in self.check_links(page):
                if target not in seen and target.startswith(self.site.served):
                    seen.add(target)
                    queue.append(target)


def assert_no_broken_links(crawl: Crawl) -> None:
    """Fail, listing every broken link at once."""
    assert not crawl.broken, f"{len(crawl.broken)} broken links:\n" + "\n".join(crawl.broken)


# --- Fixtures ----------------------------------------------------------------------------------


def build_site(out: Path, base_url: str, root: Path = ROOT) -> Path:
    """Build the project in ``root`` for ``base_url`` into ``out``."""
    report = build(Project.at(root, out), base_url=base_url)
    assert report.events == SEED_EVENTS
    return out


@pytest.fixture(scope="module", params=[PUBLIC, "/"], ids=["project-site", "domain-root"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The shipped timeline, built for a project site and for the root of a domain, served."""
    base_url: str = request.param
    folder = build_site(tmp_path_factory.mktemp("published") / "site", base_url)
    with serve(folder, urlsplit(base_url).path) as served:
        yield Site(folder, base_url, served)


@pytest.fixture(scope="module")
def crawl(site: Site) -> Crawl:
    """The served site crawled from its index."""
    result = Crawl(site)
    result.run(site.served)
    return result


@pytest.fixture(scope="module")
def project_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped timeline built for https://example.org/dateline/, not served."""
    return build_site(tmp_path_factory.mktemp("project-site") / "site", PUBLIC)


@pytest.fixture(scope="module")
def events(project_site: Path) -> list[dict[str, Any]]:
    """events.json's events, in timeline order."""
    data = json.loads((project_site / "events.json").read_text(encoding="utf-8"))
    return list(data["events"])


@pytest.fixture(scope="module")
def feed(project_site: Path) -> Any:
    """feed.xml as feedparser reads it."""
    return feedparser.parse((project_site / "feed.xml").read_bytes())


def config_value(key: str, root: Path = ROOT) -> Any:
    """One key of a project's dateline.yaml."""
    return yaml.safe_load((root / "dateline.yaml").read_text(encoding="utf-8"))[key]


# --- Links -------------------------------------------------------------------------------------


def test_every_internal_link_answers(crawl: Crawl) -> None:
    assert_no_broken_links(crawl)
    assert len(crawl.documents) >= 2 + SEED_EVENTS + SEED_SOURCES


def test_every_page_is_reachable_from_the_index(crawl: Crawl) -> None:
    site = crawl.site
    built = {
        path.relative_to(site.folder).as_posix().removesuffix("index.html")
        for path in site.folder.rglob("*.html")
        if path.name != "404.html"
    }
    reached = {url.removeprefix(site.served) for url in crawl.documents}
    assert built - reached == set(), "pages no link leads to"


def test_404_page_links_work_at_a_deep_missing_path(site: Site) -> None:
    crawl = Crawl(site)
    missing = site.served + "no/such/page/"
    assert fetch(missing).status == 404
    text = (site.folder / "404.html").read_text(encoding="utf-8")
    page = parse_html(missing, text)
    assert page.links, "404.html links nowhere"
    followed = crawl.check_links(page)
    assert_no_broken_links(crawl)
    assert site.served in followed, "404.html does not link the timeline"


# --- The Atom feed -----------------------------------------------------------------------------


def test_feed_is_well_formed_atom_with_every_event(feed: Any) -> None:
    assert not feed.bozo, f"feedparser: {feed.get('bozo_exception')}"
    assert feed.version == "atom10"
    assert len(feed.entries) == SEED_EVENTS


def test_feed_is_newest_first(feed: Any, events: list[dict[str, Any]]) -> None:
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True), "entries are not newest first by <updated>"
    assert [entry.id for entry in feed.entries] == [e["feed_id"] for e in reversed(events)]


def test_feed_ids_are_permanent_and_unique(feed: Any, events: list[dict[str, Any]]) -> None:
    prefix = config_value("id_prefix")
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids), f"duplicate ids: {ids}"
    assert all(i.startswith(prefix) for i in ids), f"ids not under {prefix!r}: {ids}"
    assert set(ids) == {prefix + e["id"] for e in events}
    assert feed.feed.id.startswith(prefix) and feed.feed.id not in ids


def test_feed_links_are_absolute(feed: Any, events: list[dict[str, Any]]) -> None:
    by_id = {e["feed_id"]: e for e in events}
    for entry in feed.entries:
        assert entry.link.startswith(PUBLIC), entry.link
        assert entry.link == by_id[entry.id]["url"] == f"{PUBLIC}events/{by_id[entry.id]['slug']}/"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [PUBLIC + "feed.xml"]


def test_feed_entries_link_their_sources(feed: Any, events: list[dict[str, Any]]) -> None:
    by_id = {e["feed_id"]: e for e in events}
    for entry in feed.entries:
        assert entry.content, f"{entry.id} has no content"
        html = entry.content[0].value
        links = {url for _, url in parse_html(entry.link, html).links}
        cited = {f"{PUBLIC}sources/{c['source']}/" for c in by_id[entry.id]["citations"]}
        assert links & cited, f"{entry.id}'s content links none of its sources {sorted(cited)}"


def _relative_links(html: str) -> list[str]:
    return sorted(
        url
        for _, url in parse_html("", html).links
        if not urlsplit(url).scheme and not url.startswith("#")
    )


def test_html_meant_for_other_sites_links_absolutely(project_site: Path, feed: Any) -> None:
    """Feed readers and TimelineJS embeds show this HTML away from the site: links must work."""
    relative: list[str] = []
    for entry in feed.entries:
        html = entry.content[0].value
        relative += [f"feed.xml {entry.id}: {url}" for url in _relative_links(html)]
    slides = json.loads((project_site / "timeline.json").read_text(encoding="utf-8"))["events"]
    for slide in slides:
        relative += [
            f"timeline.json {slide['unique_id']}: {url}"
            for url in _relative_links(slide["text"]["text"])
        ]
    assert relative == [], "relative links in HTML shown off the site:\n" + "\n".join(relative)


def test_feed_id_survives_a_rename(project_copy: Project, tmp_path: Path) -> None:
    before = feedparser.parse(
        build_site(tmp_path / "before", PUBLIC, project_copy.root) / "feed.xml"
    )
    old_link = f"{PUBLIC}events/{RENAMED}/"
    (old,) = [entry for entry in before.entries if entry.link == old_link]

    events_dir = project_copy.root / "content" / "events"
    entry_file = events_dir / f"{RENAMED}.md"
    text = entry_file.read_text(encoding="utf-8")
    assert f"\ntitle: {old.title}\n" in text
    new_slug = "2025-05-15-first-direct-talks-in-istanbul"
    new_title = "First direct Ukraine–Russia talks in years, in Istanbul"
    entry_file.write_text(text.replace(f"\ntitle: {old.title}\n", f"\ntitle: {new_title}\n"))
    entry_file.rename(events_dir / f"{new_slug}.md")

    after = feedparser.parse(build_site(tmp_path / "after", PUBLIC, project_copy.root) / "feed.xml")
    assert not after.bozo
    (new,) = [entry for entry in after.entries if entry.link == f"{PUBLIC}events/{new_slug}/"]
    assert new.title == new_title
    assert new.id == old.id, "renaming the entry changed its feed id"
    assert old_link not in {entry.link for entry in after.entries}
    assert sorted(e.id for e in after.entries) == sorted(e.id for e in before.entries)


# --- What hosts read: sitemap, robots.txt, .nojekyll, CNAME -------------------------------------


def test_sitemap_lists_every_event_page(project_site: Path, events: list[dict[str, Any]]) -> None:
    tree = ET.parse(project_site / "sitemap.xml")
    assert tree.getroot().tag == f"{SITEMAP_NS}urlset"
    locs = [(loc.text or "").strip() for loc in tree.getroot().iter(f"{SITEMAP_NS}loc")]
    assert len(locs) == len(set(locs)), "a URL is listed twice"
    assert all(loc.startswith(PUBLIC) for loc in locs), locs
    assert {f"{PUBLIC}events/{e['slug']}/" for e in events} <= set(locs)
    assert PUBLIC in locs
    for loc in locs:
        path = project_site / loc.removeprefix(PUBLIC)
        assert (path / "index.html" if loc.endswith("/") else path).is_file(), f"{loc} not built"


def test_robots_txt_names_the_sitemap(project_site: Path) -> None:
    robots = (project_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {PUBLIC}sitemap.xml" in robots
    assert "User-agent: *" in robots


def test_github_pages_files(project_site: Path) -> None:
    assert (project_site / ".nojekyll").is_file()
    assert not (project_site / "CNAME").exists(), "CNAME written though dateline.yaml sets none"


def test_cname_holds_the_configured_domain(project_copy: Project, tmp_path: Path) -> None:
    config = project_copy.root / "dateline.yaml"
    text = config.read_text(encoding="utf-8")
    assert re.search(r'(?m)^cname: ""$', text)
    config.write_text(re.sub(r'(?m)^cname: ""$', f"cname: {CNAME}", text), encoding="utf-8")
    assert config_value("cname", project_copy.root) == CNAME
    out = build_site(tmp_path / "site", PUBLIC, project_copy.root)
    assert (out / "CNAME").read_text(encoding="utf-8").strip() == CNAME


def test_no_sitemap_at_the_root_of_an_unknown_host(tmp_path: Path) -> None:
    out = build_site(tmp_path / "site", "/")
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap:" not in (out / "robots.txt").read_text(encoding="utf-8")
    assert (out / ".nojekyll").is_file()


# --- Page metadata -----------------------------------------------------------------------------


class _HeadParser(HTMLParser):
    """The canonical link, og:url and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: list[str] = []
        self.og_url: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").split():
            self.canonical.append(values.get("href", ""))
        if tag == "meta" and values.get("property") == "og:url":
            self.og_url.append(values.get("content", ""))
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


def test_event_pages_carry_their_own_address_and_json_ld(
    project_site: Path, events: list[dict[str, Any]]
) -> None:
    pages = sorted((project_site / "events").glob("*/index.html"))
    assert len(pages) == SEED_EVENTS
    by_slug = {e["slug"]: e for e in events}
    for page in pages:
        slug = page.parent.name
        url = f"{PUBLIC}events/{slug}/"
        head = _HeadParser()
        head.feed(page.read_text(encoding="utf-8"))
        assert head.canonical == [url], f"{slug}: canonical {head.canonical}"
        assert head.og_url == [url], f"{slug}: og:url {head.og_url}"
        assert len(head.json_ld) == 1, f"{slug}: {len(head.json_ld)} JSON-LD scripts"
        data = json.loads(head.json_ld[0])
        assert data["@type"] == "Event", f"{slug}: @type {data.get('@type')!r}"
        assert data["url"] == url
        assert data["name"] == by_slug[slug]["title"]
        when = by_slug[slug]["date"]
        start = when["start"]
        if when["undated"] or start["approximate"] or start["uncertain"]:
            assert "startDate" not in data, f"{slug}: claims a start the content does not know"
            continue
        assert data.get("startDate"), f"{slug}: no startDate"
        assert re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", data["startDate"]), (
            f"{slug}: startDate {data['startDate']!r} is not an ISO 8601 date"
        )
