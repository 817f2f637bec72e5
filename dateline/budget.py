"""The weight budget every built page must keep, however long the timeline grows."""

from __future__ import annotations

from dataclasses import dataclass

from .output import Pages

HTML_PAGE_BUDGET = 1024 * 1024
"""Largest HTML page, in bytes."""
SEARCH_INDEX_BUDGET = 4 * 1024 * 1024
"""The search index the filter script fetches, in bytes."""
INDEX_ASSETS_BUDGET = 40 * 1024
"""CSS and JavaScript the index loads, together, in bytes."""


@dataclass(frozen=True, slots=True)
class Overweight:
    """A file over its budget."""

    path: str
    size: int
    budget: int

    def __str__(self) -> str:
        return f"{self.path}: {self.size:,} bytes, over the budget of {self.budget:,}"


def over_budget(pages: Pages) -> list[Overweight]:
    """Every built file heavier than its budget allows."""
    found = [
        Overweight(path, len(data), HTML_PAGE_BUDGET)
        for path, data in pages.items()
        if path.endswith(".html") and len(data) > HTML_PAGE_BUDGET
    ]
    if len(pages.get("search.json", b"")) > SEARCH_INDEX_BUDGET:
        found.append(Overweight("search.json", len(pages["search.json"]), SEARCH_INDEX_BUDGET))
    assets = sum(
        len(data)
        for path, data in pages.items()
        if path.startswith("assets/") and path.endswith((".css", ".js"))
    )
    if assets > INDEX_ASSETS_BUDGET:
        found.append(Overweight("assets/*.css, *.js", assets, INDEX_ASSETS_BUDGET))
    return found
