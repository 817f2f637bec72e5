"""The templates' environment: strict, escaping, compiled once, and quick to call into."""

from __future__ import annotations

import traceback
from collections import ChainMap
from collections.abc import Callable, KeysView, Mapping, MutableMapping
from contextlib import suppress
from functools import partial
from pathlib import Path
from types import CodeType, FunctionType, MethodType
from typing import Any

import jinja2
from jinja2.compiler import Frame
from markupsafe import Markup, escape

from .cache import code_fingerprint
from .diagnostics import ContentError, Diagnostic


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling a plain function or macro directly: Jinja's own call looks for
    a wish to be passed the context three ways on every call (a tenth of an event page)."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is not jinja2.runtime.Macro:  # is it a plain function, method or partial?
            function = __obj.__func__ if kind is MethodType else __obj  # type: ignore[attr-defined]
            if type(function) not in _PLAIN_KINDS or hasattr(__obj, "jinja_pass_arg"):
                return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            if kind is jinja2.runtime.Macro and not kwargs and _plainly_called(__obj, args):
                return _run_macro(__obj, args)
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's own call does
            return __self.environment.undefined("a callable raised StopIteration")


def _plainly_called(macro: Any, args: tuple[Any, ...]) -> bool:
    """Whether a macro is called with just its own arguments, by position, so that calling its
    function is all Jinja's call would do (binding them in Python: a fifth of a macro call)."""
    return (
        len(args) == macro._argument_count
        and not (macro.caller or macro.catch_kwargs or macro.catch_varargs)
        and not macro._environment.is_async
    )


def _run_macro(macro: Any, args: tuple[Any, ...]) -> Any:
    """What Jinja's call of a macro gives, for a call :func:`_plainly_called`: its text, marked
    safe when the environment escapes."""
    text = macro._func(*args)
    return str.__new__(Markup, text) if macro._default_autoescape else text


_PLAIN_KINDS = (FunctionType, partial)
"""Callables that Jinja itself would call as they are unless marked with ``jinja_pass_arg``."""


def _escape(value: object, /) -> Markup:
    """markupsafe's ``escape``, handing back text already marked safe as it is, and marking
    escaped text safe without ``Markup()``'s checks, which cannot apply to a plain ``str``.

    markupsafe makes a fresh copy of safe text (a rendered macro, a body) each time it is
    output, and wraps escaped text in Python: a sixth of an event page, which outputs sixty
    values, half of them safe already.
    """
    kind = type(value)  # no typing.cast here: it is a call, and this runs for every value
    if kind is str and _escape_text is not None:
        return str.__new__(Markup, _escape_text(value))  # type: ignore[arg-type]
    if kind is Markup:
        return value  # type: ignore[return-value]
    return escape(value)


_escape_text: Callable[[str], str] | None
try:  # markupsafe's compiled escaping of a str, which its escape() calls
    from markupsafe import _escape_inner as _escape_text  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another markupsafe: its escape() does it all
    _escape_text = None


class _Template(jinja2.Template):
    """Jinja's template, escaping with :func:`_escape`."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        names = template.root_render_func.__globals__  # what its code calls
        names["escape"], names[DIRECT_NAME] = _escape, Direct
        return template

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> jinja2.runtime.Context:
        """Jinja's context for a page, its variables over the globals, made by copying dicts
        whole: Jinja copies the globals' :class:`ChainMap` one name at a time, in Python."""
        chain = self.globals
        if shared or locals or type(chain) is not _Globals:
            return super().new_context(vars, shared, locals)
        names: dict[str, Any] = {}
        for layer in reversed(chain.maps):
            names.update(layer)
        if vars:
            names.update(vars)
        return self.environment.context_class(
            self.environment, names, self.name, self.blocks, globals=chain
        )


class _Globals(ChainMap[str, Any]):
    """A template's globals, whose names Jinja takes away from a page's at every import
    (``{% from "_event.html" import ... %}``): a ChainMap's own keys do that one name at a
    time in Python, a twentieth of an event page."""

    def keys(self) -> KeysView[str]:
        return dict.fromkeys(self).keys()


class Direct(partial[Any]):
    """A function for templates to call straight: one of dateline's own (``url``, ``body``...),
    which never asks for Jinja's context.

    Templates call every function through Jinja's ``context.call``, which looks for such a wish
    each time and is handed the block's variables to pass on: an event page makes some thirty
    such calls, and calling them straight saves 7% of its instructions. A call of a
    :class:`Direct` function by name is compiled to call it at once (see
    :class:`_CodeGenerator`); anything else goes through ``context.call``. A :class:`Direct`
    function must not raise StopIteration, which ``context.call`` alone would turn into an
    undefined value.
    """

    __slots__ = ()


DIRECT_NAME = "dateline_direct"
"""The name the compiled templates know :class:`Direct` by."""


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, calling :class:`Direct` functions straight.

    A call of a name with arguments by position, ``url(x)``, becomes
    ``(url(x) if url.__class__ is Direct else context.call(url, x, ...))``: whatever the name
    holds when the page is rendered (a macro, a filter's result, an undefined name), what is
    not a :class:`Direct` function is called as Jinja always calls it.
    """

    def visit_Call(
        self, node: jinja2.nodes.Call, frame: Frame, forward_caller: bool = False
    ) -> None:
        plain = (
            isinstance(node.node, jinja2.nodes.Name)
            and not (node.kwargs or node.dyn_args or node.dyn_kwargs or forward_caller)
            and not (self.environment.is_async or self.environment.sandboxed)
            # the arguments are written out twice: a call among them would be again, and so on
            and not any(argument.find(jinja2.nodes.Call) for argument in node.args)
        )
        if not plain:
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        self.write("((")
        self.visit(node.node, frame)
        self.write(")(")
        for number, argument in enumerate(node.args):
            self.write(", " if number else "")
            self.visit(argument, frame)
        self.write(") if (")
        self.visit(node.node, frame)
        self.write(f").__class__ is {DIRECT_NAME} else ")
        super().visit_Call(node, frame)
        self.write(")")


class _Environment(jinja2.Environment):
    """Jinja's environment with :class:`_Context`, :class:`_Template`, :class:`_Globals` and
    :class:`_CodeGenerator`."""

    context_class = _Context
    template_class = _Template
    code_generator_class = _CodeGenerator

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals({} if d is None else d, self.globals)


def compiled_on_disk(folder: Path) -> jinja2.BytecodeCache:
    """Compiled templates kept in ``folder`` between builds, for this version of the code.

    A template is compiled again when its source changes; code compiled by another version
    of dateline (whose templates may compile differently) is removed, never used.
    """
    prefix = code_fingerprint()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.cache"):
        if not stale.name.startswith(prefix):
            stale.unlink(missing_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder), f"{prefix}-%s.cache")


def compile_templates(env: jinja2.Environment) -> None:
    """Compile every file in the templates folder that may be a template, ahead of use.

    One that does not compile, whatever the reason (bad syntax, not UTF-8, nested past
    Python's limits, unreadable), is left alone: the page that uses it, if any, reports it.
    """
    for name in env.list_templates(filter_func=_may_be_rendered):
        with suppress(Exception):
            env.get_template(name)


def _may_be_rendered(name: str) -> bool:
    """Whether a file in templates/ may be a template (not a static file, a hidden file or
    notes), worth compiling before the workers start."""
    parts = name.split("/")
    return (
        parts[0] != "static"
        and not any(part.startswith(".") for part in parts)
        and name.endswith((".html", ".xml", ".css"))
    )


def make_environment(
    templates: Path, compiled: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """A Jinja environment that escapes everything and refuses undefined names."""
    return _Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=compiled,
        auto_reload=False,  # an environment lives for one build: templates cannot change in it
        cache_size=-1,  # so every template is kept in a plain dict, not a locked LRU cache
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory between builds; a changed template is compiled anew."""

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give Jinja the code compiled before for this template's current source, if any."""
        if bucket.key in self.held:
            bucket.bytecode_from_string(self.held[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code Jinja just compiled."""
        self.held[bucket.key] = bucket.bytecode_to_string()


def render_template(env: jinja2.Environment, template: str, **context: object) -> bytes:
    """``template`` rendered with ``context``, as UTF-8; a mistake in it is raised as a
    :class:`ContentError` at its line."""
    try:
        return env.get_template(template).render(**context).encode("utf-8")
    except jinja2.TemplateError as error:
        raise template_problem(error, template) from None


def template_problem(error: jinja2.TemplateError, template: str) -> ContentError:
    """A template mistake as a diagnostic at the template line where it happened."""
    name, line = f"templates/{template}", 1
    if isinstance(error, jinja2.TemplateSyntaxError):
        name, line = f"templates/{error.name or template}", error.lineno
    else:
        frames = traceback.extract_tb(error.__traceback__)
        for frame in reversed(frames):
            if frame.filename.endswith((".html", ".css", ".xml")):
                name = f"templates/{Path(frame.filename).name}"
                line = frame.lineno or 1
                break
    return ContentError([Diagnostic(name, line, 1, f"template error: {error.message or error}")])
