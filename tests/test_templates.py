"""The template environment: what templates may call, and how it is called."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from dateline.builder import build
from dateline.project import Project
from dateline.templating import Direct, compiled_on_disk, make_environment


@pytest.fixture
def env(tmp_path: Path) -> jinja2.Environment:
    (tmp_path / "page.html").write_text(
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}"
        "{% for n in [1, 2] %}{{ plain(n) }}|{{ with_context() }}|{{ with_env() }}|"
        "{{ site.shout('a') }}|{{ twice(n) }}|{{ callable_object(n) }};{% endfor %}",
        "utf-8",
    )
    return make_environment(tmp_path)


class Site:
    def shout(self, text: str) -> str:
        return text.upper()


class CallableObject:
    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, n: int) -> str:
        return f"{context['name']}{n}"


def test_functions_get_the_context_only_when_they_ask_for_it(env: jinja2.Environment) -> None:
    """Plain functions, methods and macros are called as they are; pass_context and
    pass_environment functions, and objects whose __call__ asks, get what they ask for,
    every time."""
    rendered = env.get_template("page.html").render(
        name="ctx",
        plain=lambda n: f"p{n}",
        with_context=jinja2.pass_context(lambda context: context["name"]),
        with_env=jinja2.pass_environment(lambda environment: type(environment).__name__),
        site=Site(),
        callable_object=CallableObject(),
    )
    assert rendered == ("p1|ctx|_Environment|A|11|ctx1;p2|ctx|_Environment|A|22|ctx2;")


def test_undefined_names_still_fail(env: jinja2.Environment, tmp_path: Path) -> None:
    (tmp_path / "bad.html").write_text("{{ missing(1) }}", "utf-8")
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("bad.html").render()


class Shown:
    def __str__(self) -> str:
        return "<shown>"


class Safe:
    def __html__(self) -> str:
        return "<em>safe</em>"


def test_every_value_is_escaped_unless_it_is_marked_safe(tmp_path: Path) -> None:
    """Text, numbers and objects are escaped, Markup and ``__html__`` objects are not, and
    an undefined value fails, from a template's code or from one compiled on disk before."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "values.html").write_text(
        "{% macro m() %}<i>{{ text }}</i>{% endmacro %}"
        "{{ text }}|{{ number }}|{{ shown }}|{{ safe }}|{{ marked }}|{{ m() }}|{{ m() | e }}",
        "utf-8",
    )
    (tmp_path / "templates" / "undefined.html").write_text("{{ nothing }}", "utf-8")
    values = {
        "text": 'a < b & "c"',
        "number": 3,
        "shown": Shown(),
        "safe": Safe(),
        "marked": Markup("<b>bold</b>"),
    }
    expected = (
        "a &lt; b &amp; &#34;c&#34;|3|&lt;shown&gt;|<em>safe</em>|<b>bold</b>|"
        "<i>a &lt; b &amp; &#34;c&#34;</i>|<i>a &lt; b &amp; &#34;c&#34;</i>"
    )
    for _ in range(2):  # compiled now, then loaded from the compiled code on disk
        env = make_environment(tmp_path / "templates", compiled_on_disk(tmp_path / "compiled"))
        assert env.get_template("values.html").render(**values) == expected
        with pytest.raises(jinja2.UndefinedError):
            env.get_template("undefined.html").render()
    assert list((tmp_path / "compiled").glob("*.cache"))


def test_imported_macros_see_globals_set_after_loading(tmp_path: Path) -> None:
    """Globals are a live view of the environment's, as in Jinja, also for a template's own
    globals and for a macro imported into another template."""
    (tmp_path / "_macros.html").write_text("{% macro show() %}{{ late }}{% endmacro %}", "utf-8")
    (tmp_path / "page.html").write_text(
        '{% from "_macros.html" import show %}{{ show() }}|{{ late }}|{{ own }}', "utf-8"
    )
    env = make_environment(tmp_path)
    page = env.get_template("page.html", globals={"own": "O"})
    env.globals["late"] = "early"
    assert page.render() == "early|early|O"
    env.globals["late"] = "later"
    assert page.render() == "later|later|O"
    assert set(page.globals.keys()) == {"own", "late"} | set(jinja2.Environment().globals)


def test_compiled_templates_are_kept_for_this_code_only(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("one {{ 1 + 1 }}", "utf-8")
    folder = tmp_path / "compiled"
    folder.mkdir()
    (folder / "0123456789abcdef-stale.cache").write_bytes(b"from another version")

    def render() -> str:
        env = make_environment(tmp_path / "templates", compiled_on_disk(folder))
        return env.get_template("page.html").render()

    assert render() == "one 2"
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == 1 and not kept[0].startswith("0123456789abcdef"), kept
    (tmp_path / "templates" / "page.html").write_text("two {{ 2 + 2 }}", "utf-8")
    assert render() == "two 4", "a changed template is compiled again"
    (folder / kept[0]).write_bytes(b"damaged")
    assert render() == "two 4", "a damaged file is compiled again, not trusted"


def test_files_beside_the_templates_do_not_break_a_build(project_copy: Project) -> None:
    """Notes, editor swap files and unused drafts in templates/ are not compiled up front."""
    templates = project_copy.root / "templates"
    (templates / ".event.html.swp").write_bytes(b"\xff\xfe\x00binary")
    (templates / "NOTES.txt").write_text("{% oops", "utf-8")
    (templates / "draft-page.html").write_text("{% if %}", "utf-8")
    (templates / "deep.html").write_text("{{ " + "[" * 5000 + "]" * 5000 + " }}", "utf-8")
    assert build(project_copy).events > 0


class AlwaysEqual:
    """Callables that compare equal whatever they are: they must not share an answer."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 1


class Plain(AlwaysEqual):
    def __call__(self) -> str:
        return "plain"


class WantsContext(AlwaysEqual):
    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> str:
        return f"ctx {context['name']}"


def test_callables_that_compare_equal_are_each_asked(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ a() }}|{{ b() }}|{{ a() }}|{{ b() }}", "utf-8")
    env = make_environment(tmp_path)
    rendered = env.get_template("page.html").render(a=Plain(), b=WantsContext(), name="n")
    assert rendered == "plain|ctx n|plain|ctx n"


def test_macros_are_called_as_jinja_calls_them(tmp_path: Path) -> None:
    """Macros called with just their arguments skip Jinja's binding; every other call (by
    keyword, with defaults, extra arguments, a caller) gives what stock Jinja gives."""
    (tmp_path / "m.html").write_text(
        "{% macro pair(a, b='<b>') %}[{{ a }}{{ b }}]{% endmacro %}"
        "{% macro rest() %}{{ varargs | join(',') }}{{ kwargs | dictsort }}{% endmacro %}"
        "{% macro wrap(x) %}<{{ caller(x) }}>{% endmacro %}",
        "utf-8",
    )
    (tmp_path / "page.html").write_text(
        '{% from "m.html" import pair, rest, wrap %}'
        "{{ pair(1, '&') }}{{ pair(2) }}{{ pair(b=3, a='x') }}{{ rest(1, 2, k='<') }}"
        "{% call(y) wrap(5) %}{{ y }}!{% endcall %}"
        "{% for i in [1, 2] %}{{ pair(i, i) }}{% endfor %}",
        "utf-8",
    )
    stock = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
    )
    expected = stock.get_template("page.html").render()
    assert make_environment(tmp_path).get_template("page.html").render() == expected
    assert "[1&amp;]" in expected and "[2&lt;b&gt;]" in expected


def test_direct_functions_are_called_straight_and_anything_else_as_jinja_calls_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Direct`` functions called by name with arguments by position skip ``context.call``;
    the same names holding a macro, a plain function or nothing are called as Jinja calls
    them, and a call with keywords goes through ``context.call`` too."""
    (tmp_path / "calls.html").write_text(
        "{{ link('a') }}|{{ link(path='b') }}|{% for n in [1] %}{{ link(n) }}{% endfor %}",
        "utf-8",
    )
    (tmp_path / "shadowed.html").write_text(
        "{% macro link(x) %}<m{{ x }}>{% endmacro %}{{ link('a') }}", "utf-8"
    )
    (tmp_path / "missing.html").write_text("{{ nowhere('a') }}", "utf-8")
    env = make_environment(tmp_path)
    through_jinja: list[object] = []
    stock = env.context_class.call

    def counted(
        self: jinja2.runtime.Context, function: object, *args: object, **kw: object
    ) -> object:
        through_jinja.append(function)
        return stock(self, function, *args, **kw)

    monkeypatch.setattr(env.context_class, "call", counted)
    link = Direct(lambda path: f"/{path}/")
    assert env.get_template("calls.html").render(link=link) == "/a/|/b/|/1/"
    assert through_jinja == [link]  # only the call with a keyword
    through_jinja.clear()
    assert env.get_template("calls.html").render(link=lambda path: f"<{path}>") == (
        "&lt;a&gt;|&lt;b&gt;|&lt;1&gt;"
    )
    assert len(through_jinja) == 3
    assert env.get_template("shadowed.html").render(link=link) == "<ma>"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("missing.html").render()


def test_calls_nested_in_arguments_compile_to_code_of_a_sensible_size(tmp_path: Path) -> None:
    """A call among a call's arguments takes Jinja's way: the quick way writes the arguments
    out twice, and calls nested sixteen deep would have compiled to megabytes."""
    nested = "f(" * 16 + "1" + ")" * 16
    (tmp_path / "nested.html").write_text("{{ " + nested + " }}", "utf-8")
    env = make_environment(tmp_path)
    source = env.compile(
        env.loader.get_source(env, "nested.html")[0],  # type: ignore[union-attr]
        "nested.html",
        raw=True,
    )
    assert len(source) < 20_000
    assert env.get_template("nested.html").render(f=Direct(lambda x: x + 1)) == "17"
