"""The site configuration: the shipped one is valid, and mistakes are reported with positions."""

from __future__ import annotations

from dateline.config import parse_config
from dateline.diagnostics import Diagnostics

from .conftest import ROOT


def problems(text: str) -> list[str]:
    diagnostics = Diagnostics()
    parse_config(text.encode(), "dateline.yaml", diagnostics)
    return [str(d) for d in diagnostics.sorted()]


def test_shipped_config_is_valid() -> None:
    diagnostics = Diagnostics()
    config = parse_config((ROOT / "dateline.yaml").read_bytes(), "dateline.yaml", diagnostics)
    assert not diagnostics.items
    assert config is not None
    assert list(config.kinds) == ["strike", "diplomacy"]
    assert config.kinds["strike"].overnight and config.kinds["diplomacy"].milestone


def test_base_path_from_base_url() -> None:
    diagnostics = Diagnostics()
    text = (
        "title: T\nbase_url: https://example.org/dateline\nid_prefix: 'tag:example.org,2026:'\n"
        "kinds: {a: {label: A, colour: '#000000'}}\n"
    )
    config = parse_config(text.encode(), "dateline.yaml", diagnostics)
    assert config is not None and config.base_path == "/dateline/"


def test_config_mistakes() -> None:
    assert problems(
        "titel: T\nbase_url: example.org\nkinds:\n  Strike: {label: S, colour: red}\n"
        "  raid: {label: R, colour: 'red', symbol: star, overnight: yes please}\n"
    ) == [
        "dateline.yaml:1:1: error: missing required key 'id_prefix'",
        "dateline.yaml:1:1: error: missing required key 'title'",
        "dateline.yaml:1:1: error: unknown key 'titel'; did you mean 'title'?",
        "dateline.yaml:2:11: error: base_url must be a path ('/dateline/') or an http(s) URL",
        "dateline.yaml:4:3: error: kind 'Strike' must be lower-case letters, digits, '-' or '_'",
        "dateline.yaml:5:28: error: colour 'red' must be written as #rrggbb",
        "dateline.yaml:5:43: error: symbol must be one of: circle, diamond, square, triangle",
        "dateline.yaml:5:60: error: overnight must be true or false",
    ]
