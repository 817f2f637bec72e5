"""How well the article importer does on the five seed articles, against the hand-made entries.

The table this test computes is kept in the README; the test fails when the two disagree, so the
README always tells the truth. Run ``uv run pytest tests/test_import_quality.py -s`` to see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dateline.builder import load_timeline
from dateline.extract import read_article
from dateline.project import Project

from .conftest import ROOT


@dataclass
class Score:
    correct: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, predicted: set[object], expected: set[object]) -> None:
        self.correct += len(predicted & expected)
        self.predicted += len(predicted)
        self.expected += len(expected)

    @staticmethod
    def ratio(part: int, whole: int) -> str:
        return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "n/a"

    def row(self, field: str) -> str:
        precision = self.ratio(self.correct, self.predicted)
        recall = self.ratio(self.correct, self.expected)
        return f"| {field} | {precision} | {recall} |"


def quality_table() -> list[str]:
    timeline = load_timeline(Project.at(ROOT))[0]
    scores = {"figures": Score(), "places (hit)": Score(), "date": Score(), "kind": Score()}
    for source in timeline.sources.values():
        entries = [e for e in timeline.citing[source.id] if e.kind.key == "strike"]
        assert len(entries) == 1, f"{source.id}: one strike entry per seed article"
        gold = entries[0]
        found = read_article((ROOT / str(source.archive)).read_text("utf-8"))
        scores["figures"].add(
            {(k, f.value, f.qualifier, f.words) for k, f in found.figures.items()},
            {(f.key, f.value, f.qualifier, f.words) for f in gold.figures},
        )
        scores["places (hit)"].add({p.name for p in found.places_hit}, set(gold.places))
        scores["date"].add({found.dates[0].edtf} if found.dates else set(), {gold.date.text})
        scores["kind"].add({found.kind}, {gold.kind.key})
    return ["| field | precision | recall |", "| --- | --- | --- |"] + [
        score.row(field) for field, score in scores.items()
    ]


def test_readme_reports_the_measured_quality() -> None:
    table = quality_table()
    print("\n".join(table))
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "\n".join(table) in readme, "update the importer's table in README.md:\n" + "\n".join(
        table
    )


def test_quality_does_not_fall() -> None:
    rows = {line.split(" | ")[0].strip("| "): line for line in quality_table()[2:]}
    assert "100% (17/17)" in rows["figures"]
    assert rows["date"].endswith("| 60% (3/5) |")
