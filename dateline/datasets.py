"""``dateline import-csv``: a structured dataset becomes entries, one per attack.

A profile says how to read one dataset. The shipped one, ``airforce``, reads the Ukrainian Air
Force daily attack data ("Massive Missile Attacks on Ukraine"): one row per weapon type per
attack; the rows of one attack (same start and end) become one strike entry with drones and
missiles by type, launched and destroyed, and a record per row linking the post it came from.
Generated entries carry ``generated_by``; a re-import rewrites only those, never an entry an
editor wrote or took over (by removing that line).
"""

from __future__ import annotations

import ast
import csv
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from .diagnostics import Diagnostic
from .figures import FIGURES
from .frontmatter import FrontMatterError, decode, parse_document, yaml_string
from .gazetteer import find_places
from .sources import SOURCES_FILE


@dataclass(frozen=True, slots=True)
class AttackRow:
    """One weapon type in one attack, as the dataset gives it."""

    line: int
    start: datetime
    end: datetime
    timed: bool
    """True when the dataset gives times, not only days."""
    model: str
    launched: int | None
    destroyed: int | None
    regions: tuple[str, ...]
    post: str


@dataclass(slots=True)
class DatasetImport:
    """What a dataset import wrote, kept, and could not read."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    """Entries that an editor owns now (no ``generated_by``), left as they are."""
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Profile:
    """How to read one dataset into entries."""

    name: str
    source_id: str
    source: dict[str, str]
    folder: str
    read: Callable[[str, str], tuple[list[AttackRow], list[Diagnostic]]]
    entries: Callable[[list[AttackRow], str], dict[str, str]]


# --- the Air Force profile ---------------------------------------------------------------------

_DRONE = re.compile(
    r"Shahed|Geran|Gerbera|UAV|Orlan|Supercam|ZALA|Lancet|Молнія|Merlin|Orion|Forpost|Eleron|Granat|Kub",
    re.IGNORECASE,
)
_BALLISTIC = re.compile(
    r"Iskander-M|KN-23|C-300|C-400|S-300|S-400|Kinzhal|Ballistic|Tochka", re.IGNORECASE
)
_CRUISE = re.compile(
    r"X-101|X-555|Kalibr|Iskander-K|X-22|X-32|X-59|X-69|Oniks|Zircon|X-35|Cruise", re.IGNORECASE
)
AIRFORCE_SOURCE = {
    "type": "dataset",
    "title": "Massive Missile Attacks on Ukraine: daily reports of the Ukrainian Air Force",
    "publisher": "Petro Ivaniuk, from posts of the Ukrainian Air Force and its regional commands",
    "url": "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine",
}


def weapon_class(model: str) -> str:
    """'drone', 'ballistic', 'cruise' or 'missile' (a missile of unknown type) for a model name."""
    if _DRONE.search(model):
        return "drone"
    if _BALLISTIC.search(model):
        return "ballistic"
    if _CRUISE.search(model):
        return "cruise"
    return "missile"


def read_airforce(text: str, path: str) -> tuple[list[AttackRow], list[Diagnostic]]:
    """Read the rows, reporting each one that cannot be read instead of stopping."""
    rows: list[AttackRow] = []
    problems: list[Diagnostic] = []
    reader = csv.DictReader(io.StringIO(text))
    missing = {"time_start", "time_end", "model", "launched", "destroyed", "source"} - set(
        reader.fieldnames or []
    )
    if missing:
        return [], [
            Diagnostic(
                path, 1, 1, f"not the Air Force dataset: no column {', '.join(sorted(missing))}"
            )
        ]
    for row in reader:
        line = reader.line_num
        try:
            start, start_timed = _moment(row["time_start"])
            end, end_timed = _moment(row["time_end"] or row["time_start"])
        except ValueError as error:
            problems.append(Diagnostic(path, line, 1, f"{error}; row skipped"))
            continue
        if end < start:
            problems.append(Diagnostic(path, line, 1, "time_end is before time_start; row skipped"))
            continue
        rows.append(
            AttackRow(
                line,
                start,
                end,
                start_timed or end_timed,
                row["model"].strip() or "Unknown weapon",
                _count(row["launched"]),
                _count(row["destroyed"]),
                _regions(row.get("affected region", "")),
                row["source"].strip(),
            )
        )
    return rows, problems


def _moment(text: str) -> tuple[datetime, bool]:
    text = text.strip()
    for pattern, timed in (("%Y-%m-%d %H:%M", True), ("%Y-%m-%d", False)):
        try:
            return datetime.strptime(text, pattern), timed
        except ValueError:
            continue
    raise ValueError(f"cannot read the time {text!r} (expected YYYY-MM-DD or YYYY-MM-DD HH:MM)")


def _count(text: str) -> int | None:
    """'236.0' → 236; empty or NaN → None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) or value < 0 else round(value)


def _regions(cell: str) -> tuple[str, ...]:
    """A Python-style list cell such as "['Sumy oblast', 'Kyiv']" as canonical place names."""
    if not cell.strip():
        return ()
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError):
        value = [cell]
    names = value if isinstance(value, list) else [value]
    places: list[str] = []
    for name in names:
        for mention in find_places(str(name).replace(" oblast", " Oblast")):
            if mention.place.name not in places:
                places.append(mention.place.name)
    return tuple(places)


def airforce_entries(rows: list[AttackRow], source_id: str) -> dict[str, str]:
    """One entry per attack, keyed by file name.

    An attack is the rows with the same start that end on the same day: the Air Force reports
    the drones and the missiles of one night with end times that can differ by an hour.
    """
    attacks: dict[tuple[datetime, date], list[AttackRow]] = {}
    for row in rows:
        attacks.setdefault((row.start, row.end.date()), []).append(row)
    return {
        f"{_attack_slug(start, end_day)}.md": _attack_entry(
            start, max(r.end for r in group), group, source_id
        )
        for (start, end_day), group in sorted(attacks.items())
    }


def _attack_slug(start: datetime, end_day: date) -> str:
    return f"airforce-{start:%Y%m%d-%H%M}-{end_day:%Y%m%d}"


def _attack_entry(start: datetime, end: datetime, rows: list[AttackRow], source_id: str) -> str:
    totals: dict[str, int] = {}
    notes: list[str] = []

    def add(key: str, value: int | None) -> None:
        if value is not None:
            totals[key] = totals.get(key, 0) + value

    for row in rows:
        kind = weapon_class(row.model)
        if kind == "drone":
            add("drones_launched", row.launched)
            add("drones_intercepted", row.destroyed)
        else:
            add("missiles_launched", row.launched)
            add("missiles_intercepted", row.destroyed)
            if kind in ("ballistic", "cruise"):
                add(f"{kind}_missiles", row.launched)
    for kind in ("drones", "missiles"):
        launched, destroyed = totals.get(f"{kind}_launched"), totals.get(f"{kind}_intercepted")
        if launched is not None and destroyed is not None and destroyed > launched:
            notes.append(
                f"The data give more {kind} destroyed ({destroyed}) than launched ({launched}); "
                "that figure is left out."
            )
            del totals[f"{kind}_intercepted"]
    places: list[str] = []
    for row in rows:
        places += [p for p in row.regions if p not in places]
    slug = _attack_slug(start, end.date())
    drones, missiles = totals.get("drones_launched", 0), totals.get("missiles_launched", 0)
    parts = [
        f"{n:,} {word}{'s' if n != 1 else ''}"
        for n, word in ((drones, "drone"), (missiles, "missile"))
        if n
    ]
    title = f"{' and '.join(parts) or 'An attack'} launched at Ukraine"
    first, last = start.date(), end.date()
    when = first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"
    hours = f", {start:%H:%M} to {end:%H:%M} (Kyiv time)" if any(r.timed for r in rows) else ""
    span = _day(first) if first == last else f"{_day(first)} to {_day(last)}"
    basis = f"The Air Force report covers {span}{hours}."
    lines = [
        "---",
        f"id: {slug}",
        f"title: {yaml_string(title)}",
        f"date: {when}",
        f"date_basis: {yaml_string(basis)}",
        "kind: strike",
        f"places: [{', '.join(yaml_string(p) for p in places)}]",
        "tags: [air force data]",
    ]
    if totals:
        lines.append("figures:")
        lines += [f"  {key}: {totals[key]}" for key in FIGURES if key in totals]
    lines += ["sources:", f"  - id: {source_id}", "    records:"]
    for row in sorted(rows, key=lambda r: (r.model, r.line)):
        record = (
            f"{row.model}: {_amount(row.launched)} launched, {_amount(row.destroyed)} destroyed"
        )
        lines.append(f"      - text: {yaml_string(record)}")
        if row.post:
            lines.append(f"        url: https://www.facebook.com/{row.post.lstrip('/')}")
    lines += [
        "generated_by: import-csv airforce  # remove this line to keep your edits on re-import",
        "---",
    ]
    body = " ".join(["Generated from the Air Force's daily report.", *notes])
    return "\n".join(lines) + "\n" + body + "\n"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _amount(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


PROFILES = {
    "airforce": Profile(
        "airforce",
        "airforce-daily-attacks",
        AIRFORCE_SOURCE,
        "content/events/airforce",
        read_airforce,
        airforce_entries,
    ),
}


# --- writing -----------------------------------------------------------------------------------


def import_dataset(root: Path, data: bytes, path: str, profile: Profile) -> DatasetImport:
    """Write (or rewrite) the profile's entries from the dataset; keep what editors own."""
    result = DatasetImport()
    try:
        text = decode(data)
    except FrontMatterError as error:
        result.problems.append(
            Diagnostic(path, error.position.line, error.position.column, str(error))
        )
        return result
    rows, result.problems = profile.read(text, path)
    if not rows:
        return result
    _register_source(root, profile)
    folder = root / profile.folder
    folder.mkdir(parents=True, exist_ok=True)
    marker = f"import-csv {profile.name}"
    for name, entry in profile.entries(rows, profile.source_id).items():
        target = folder / name
        relative = f"{profile.folder}/{name}"
        if target.exists():
            current = target.read_bytes()
            if current == entry.encode("utf-8"):
                result.unchanged += 1
                continue
            if not _generated_by(current, marker):
                result.kept.append(relative)
                continue
        temporary = target.with_name(f".{name}.tmp")
        temporary.write_text(entry, "utf-8", newline="\n")
        temporary.replace(target)
        result.written.append(relative)
    return result


def _generated_by(raw: bytes, marker: str) -> bool:
    try:
        value = parse_document(raw).data.get("generated_by")
    except FrontMatterError:
        return False
    return isinstance(value, str) and value.split("#")[0].strip() == marker


def _register_source(root: Path, profile: Profile) -> None:
    registry = root / SOURCES_FILE
    text = registry.read_text("utf-8") if registry.exists() else ""
    if profile.source_id in (yaml.safe_load(text) or {}):
        return
    block = yaml.safe_dump(
        {profile.source_id: profile.source}, allow_unicode=True, sort_keys=False, width=1000
    )
    separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    registry.write_text(text + separator + block, "utf-8")


def profile_names() -> Iterable[str]:
    """The names ``--profile`` accepts."""
    return sorted(PROFILES)
