"""A deterministic generator of synthetic timelines in dateline's own format, for benchmarks.

``python benchmarks/synthetic.py 10000 /tmp/timeline`` writes a project with 10,000 events: varied
kinds, figures with qualifiers, approximate and interval dates, one to three cited sources with
quotes that really are in their archived copies, and 150-250 word bodies with links and lists.
The same N always gives the same bytes.
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "air",
    "defence",
    "drones",
    "missiles",
    "overnight",
    "region",
    "city",
    "energy",
    "infrastructure",
    "grid",
    "port",
    "rail",
    "officials",
    "reported",
    "attack",
    "strike",
    "damage",
    "residential",
    "buildings",
    "talks",
    "ceasefire",
    "delegation",
    "summit",
    "allies",
    "pressure",
    "statement",
    "ministry",
    "governor",
    "emergency",
    "crews",
    "fire",
    "debris",
    "outage",
    "water",
    "heating",
    "hospital",
    "school",
    "bridge",
    "substation",
    "depot",
    "airfield",
    "warehouse",
    "negotiations",
    "envoy",
]
PLACES = (
    "Kyiv",
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Lviv",
    "Zaporizhzhia",
    "Sumy",
    "Poltava",
    "Kremenchuk",
)
FIRST_DAY = date(2022, 2, 24)
SOURCES_PER_EVENT = (1, 3)


def sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


def write_project(count: int, root: Path, seed: int = 7) -> Path:
    """Write a complete project with ``count`` events into ``root`` (replacing it)."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content" / "events").mkdir(parents=True)
    (root / "seeds").mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copy(ROOT / "dateline.yaml", root / "dateline.yaml")

    source_count = max(1, count // 10)
    archives: dict[str, list[str]] = {}
    registry = []
    for number in range(source_count):
        source_id = f"source-{number:06d}"
        paragraphs = [sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(4, 10))]
        archives[source_id] = paragraphs
        (root / "seeds" / f"{source_id}.txt").write_text("\n".join(paragraphs) + "\n", "utf-8")
        registry.append(
            f"{source_id}:\n  archive: seeds/{source_id}.txt\n  publisher: Synthetic Wire\n"
        )
    (root / "content" / "sources.yaml").write_text("\n".join(registry), "utf-8")

    span = (date(2026, 6, 1) - FIRST_DAY).days
    slugs: list[str] = []
    for number in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(span))
        slug = f"{day.isoformat()}-event-{number:06d}"
        kind = "diplomacy" if rng.random() < 0.12 else "strike"
        when, basis = pick_date(rng, day)
        cited = rng.sample(sorted(archives), k=min(len(archives), rng.randint(*SOURCES_PER_EVENT)))
        lines = [
            "---",
            f"id: {slug}",
            f"title: {sentence(rng, rng.randint(5, 11))[:-1]}",
            f"date: {when}",
            *([f"date_basis: {basis}"] if basis else []),
            f"kind: {kind}",
            f"places: [{', '.join(rng.sample(PLACES, rng.randint(1, 3)))}]",
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}-{number % 7}]",
        ]
        if kind == "strike":
            drones = rng.randint(5, 800)
            lines += [
                "figures:",
                f"  drones_launched: {rng.choice(['', 'more than ', 'at least '])}{drones}",
                f"  missiles_launched: {rng.randint(0, 60)}",
                f"  drones_intercepted: {rng.randint(0, drones)}",
                f"  injured: {rng.choice(['dozens', str(rng.randint(0, 40)), 'at least 3'])}",
            ]
        lines.append("sources:")
        for source_id in cited:
            paragraph = rng.choice(archives[source_id])
            words = paragraph[:-1].split()
            start = rng.randrange(max(1, len(words) - 6))
            quote = " ".join(words[start : start + rng.randint(3, 6)])
            lines += [f"  - id: {source_id}", "    quotes:", f"      - {quote!r}".replace("'", '"')]
        lines.append("---")
        lines.append(body(rng, slugs))
        (root / "content" / "events" / f"{slug}.md").write_text("\n".join(lines) + "\n", "utf-8")
        slugs.append(slug)
    return root


def pick_date(rng: random.Random, day: date) -> tuple[str, str]:
    """A date in one of the shapes editors write, with a basis when it needs one."""
    roll = rng.random()
    if roll < 0.6:
        return day.isoformat(), ""
    if roll < 0.85:
        return (
            f"{(day - timedelta(days=1)).isoformat()}/{day.isoformat()}",
            "Reported as overnight.",
        )
    if roll < 0.95:
        return f"{day.isoformat()[:7]}~", "The report gives only the month."
    return f"{day.isoformat()[:7]}/..", "The report gives no date; only a lower bound is known."


def body(rng: random.Random, earlier: list[str]) -> str:
    """150-250 words in a few paragraphs, with a list and a link to an earlier event."""
    words = rng.randint(150, 250)
    parts = []
    while words > 0:
        length = min(words, rng.randint(30, 70))
        parts.append(" ".join(sentence(rng, n) for n in chunks(rng, length)))
        words -= length
    items = "\n".join(f"- {sentence(rng, rng.randint(3, 8))}" for _ in range(3))
    if earlier:
        link = rng.choice(earlier[-50:])
        parts[0] += f" See the [earlier report](/events/{link}/)."
    return "\n\n".join([parts[0], items, *parts[1:]])


def chunks(rng: random.Random, total: int) -> list[int]:
    sizes = []
    while total > 0:
        size = min(total, rng.randint(6, 16))
        sizes.append(size)
        total -= size
    return sizes


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/synthetic.py COUNT FOLDER")
    print(write_project(int(sys.argv[1]), Path(sys.argv[2])))
