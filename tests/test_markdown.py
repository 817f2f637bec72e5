"""Entry bodies: raw HTML stays text, headings go below the page's, site links follow the base."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dateline.markdown import render_body, shift_headings


def test_raw_html_is_escaped() -> None:
    html = render_body('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">').html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_link_schemes_are_not_linked() -> None:
    html = render_body("[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html;base64,x)").html
    assert "href" not in html


def test_headings_shift_below_the_page_headings() -> None:
    body = render_body("# One\n\n## Two\n\n###### Six\n\nText with <h1> in it.")
    assert shift_headings(body.html, 4) == (
        "<h5>One</h5>\n<h6>Two</h6>\n<h6>Six</h6>\n<p>Text with &lt;h1&gt; in it.</p>\n"
    )
    assert shift_headings(body.html, 0) == body.html


def test_site_links_follow_the_base_path_and_are_noted() -> None:
    body = render_body(
        "Intro.\n\nSee [it](/events/x/#y) and [out](https://example.org/).", "/dateline/"
    )
    assert '<a href="/dateline/events/x/#y">it</a>' in body.html
    assert '<a href="https://example.org/">out</a>' in body.html
    assert body.site_links == ((2, "/events/x/#y"),)


@given(st.text(max_size=200))
def test_any_text_renders_without_raw_tags(text: str) -> None:
    html = render_body(text).html
    for tag in ("<script", "<iframe", "<style", "<object", "<embed"):
        assert tag not in html.lower()
