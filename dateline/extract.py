"""Read a news article for what an entry needs: figures, places, dates, kind and milestones.

Heuristics, not understanding: every finding carries the sentence it came from, so that the
editor can confirm it and the sentence can be cited as a verified quote.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil import parser as dateparser

from .gazetteer import Place, find_places

FULL_SCALE_INVASION = date(2022, 2, 24)
"""Day 1 of the full-scale invasion, from which 'day N of the war' is counted."""

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a hundred": 100, "a dozen": 12, "a single": 1,
}  # fmt: skip
VAGUE = ("dozens", "hundreds", "several", "multiple", "scores")
QUALIFIER_WORDS = ("at least", "more than", "over", "nearly", "almost", "about", "around", "up to")
_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+|"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + "|"
    + "|".join(VAGUE)
    + ")"
)
_QUALIFIER = r"(?:(?P<qual>" + "|".join(QUALIFIER_WORDS) + r")\s+)?"
_WEAPON = re.compile(
    _QUALIFIER + _NUMBER + r"\s+(?:of\s+(?:the\s+)?)?(?P<adjectives>(?:[\w-]+\s+){0,3}?)"
    r"(?P<noun>drones?|uavs?|shaheds?|missiles?|aerial targets|rockets)\b",
    re.IGNORECASE,
)
_PEOPLE = re.compile(
    _QUALIFIER
    + _NUMBER
    + r"\s+(?:(?:more|other|others|people|persons?|civilians?|residents?|children|"
    r"of\s+(?:the\s+)?|injured)\s+){0,3}(?:(?:were|was|have been|had been)\s+)?"
    r"(?P<what>killed|dead|died|"
    r"injured|wounded|hurt)\b",
    re.IGNORECASE,
)
_PEOPLE_AFTER = re.compile(
    r"(?P<what>killed|injured|wounded)\s+"
    + _QUALIFIER
    + _NUMBER
    + r"\s+(?:people|persons?|civilians?|residents?)",
    re.IGNORECASE,
)
_VAGUE_INJURED = re.compile(
    r"\b(?P<num>dozens|hundreds|scores)\s+of\s+(?:injured|wounded)\b", re.IGNORECASE
)
_NO_DEATHS = re.compile(
    r"\bno (?:fatalities|deaths|casualties)\b|\bno one was killed\b", re.IGNORECASE
)
_INTERCEPT = re.compile(
    r"\b(?:intercept\w*|shot down|shoot down|shooting down|downed|destroyed|neutrali[sz]ed)\b",
    re.IGNORECASE,
)
_LAUNCH = re.compile(r"\b(?:launch\w*|fired|firing|attacked with|involving|using)\b", re.IGNORECASE)
_AGGREGATE = re.compile(
    r"\b(?:since|each|per|every|combined strikes|total of|so far|this year|in recent months|"
    r"attacks? using)\b",
    re.IGNORECASE,
)
_OFFICIAL = re.compile(r"\b(?:Air Force|air force|General Staff|military officials)\b")
_OTHER_SIDE = re.compile(r"\b(?:Ukrainian|Neptune|ATACMS|Storm Shadow|HIMARS|Flamingo)\b")
_HIT = re.compile(
    r"\b(?:hit|struck|strikes? on|attacks? on|attacked|targeted|targeting|damag\w*|destroy\w*|"
    r"explosions?|shelling|killed|injured|wounded|came under attack|under fire|barrage|outages?|"
    r"fires?|debris|rubble)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?(?=\s+[A-Z“\"])")
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Gen",
    "Lt",
    "Col",
    "Sgt",
    "Capt",
    "Prof",
    "U.S",
    "U.K",
    "No",
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_EXPLICIT_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:[-–](?P<d1b>\d{{1,2}}))?\s+(?P<m1>{MONTHS})(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{MONTHS})\s+(?P<d2>\d{{1,2}})(?:[-–](?P<d2b>\d{{1,2}}))?(?:,?\s+(?P<y2>\d{{4}}))?)\b"
)
_DAY_OF_WAR = re.compile(
    r"\bday (?P<n>\d{1,3}(?:,\d{3})*|\d+) of the (?:[\w -]+ )?(?:war|invasion)\b", re.IGNORECASE
)
_WAR_AGE = re.compile(
    r"\b(?:(?P<approx>nearly|almost|over|more than)\s+)?"
    r"(?P<n>two|three|four|five)-year-long (?:conflict|war)\b"
    r"|\benter(?:s|ing|ed)? (?:a|its|their) (?P<ordinal>second|third|fourth|fifth) year\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\b(?:on|early|late|last|next|this) "
    r"(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_WEEKDAY_SPAN = re.compile(
    r"\bbetween (?P<a>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) and "
    r"(?P<b>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_FUTURE = re.compile(
    r"\b(?:will|scheduled|expected|planned|to meet|set to|due to|upcoming)\b", re.IGNORECASE
)
_OVERNIGHT = re.compile(r"\b(?:overnight|night of|during the night|last night)\b", re.IGNORECASE)
STRIKE_CUES = (
    "drone",
    "missile",
    "strike",
    "attack",
    "launched",
    "intercepted",
    "killed",
    "injured",
    "air defense",
    "air defence",
    "shahed",
    "barrage",
    "bombardment",
)
DIPLOMACY_CUES = (
    "talks",
    "summit",
    "meeting",
    "negotiation",
    "ceasefire",
    "delegation",
    "envoy",
    "peace plan",
    "diplomatic",
    "to meet",
    "met with",
)
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
AGES = {"two": 2, "three": 3, "four": 4, "five": 5}


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the article, exactly as written, with its paragraph."""

    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class FigureFinding:
    """A number found for one figure, with its qualifier and the sentence it came from."""

    key: str
    value: int | None
    qualifier: str
    words: str
    sentence: Sentence
    score: int

    def as_front_matter(self) -> str:
        """The figure as an entry writes it: '370', 'at least 14', 'dozens'."""
        if self.value is None:
            return self.words
        return f"{self.qualifier} {self.value}" if self.qualifier else str(self.value)


@dataclass(frozen=True, slots=True)
class DateFinding:
    """A candidate date (EDTF) for the event, with how it was found."""

    edtf: str
    basis: str
    sentence: Sentence | None
    score: int


@dataclass(slots=True)
class Findings:
    """Everything read from one article."""

    headline: str
    sentences: list[Sentence]
    figures: dict[str, FigureFinding] = field(default_factory=dict)
    other_figures: list[FigureFinding] = field(default_factory=list)
    places_hit: list[Place] = field(default_factory=list)
    places_mentioned: list[Place] = field(default_factory=list)
    place_sentences: dict[str, Sentence] = field(default_factory=dict)
    dates: list[DateFinding] = field(default_factory=list)
    kind: str = "strike"
    kind_evidence: str = ""


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    """Sentences as exact substrings of their paragraphs (so each can be quoted verbatim)."""
    sentences = []
    for number, paragraph in enumerate(paragraphs, start=1):
        start = 0
        for boundary in _SENTENCE_END.finditer(paragraph):
            if paragraph[: boundary.start()].endswith(_ABBREVIATIONS):
                continue
            sentences.append(Sentence(paragraph[start : boundary.end()].strip(), number))
            start = boundary.end()
        rest = paragraph[start:].strip()
        if rest:
            sentences.append(Sentence(rest, number))
    return [s for s in sentences if s.text]


def number_value(text: str) -> int | None:
    """'1,383' → 1383, 'two' → 2, 'dozens' → None."""
    lowered = text.lower()
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered]
    if lowered in VAGUE:
        return None
    return int(text.replace(",", ""))


def find_figures(sentences: list[Sentence]) -> list[FigureFinding]:
    """Every figure the sentences state about the attack, best evidence first within each key."""
    findings: list[FigureFinding] = []
    for sentence in sentences:
        findings += _weapon_figures(sentence) + _casualty_figures(sentence)
    return findings


def _weapon_figures(sentence: Sentence) -> list[FigureFinding]:
    text = sentence.text
    found = []
    typed_missiles: list[FigureFinding] = []
    for match in _WEAPON.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        words = match["adjectives"].lower()
        if _OTHER_SIDE.search(match.group(0)) or _OTHER_SIDE.search(before[-12:]):
            continue  # the other side's weapons, or claims about them: not this attack's figures
        value = number_value(match["num"])
        noun = match["noun"].lower()
        qualifier = (match["qual"] or "").lower()
        vague = match["num"].lower() if value is None else ""
        clause_before = re.split(r"[,;]|\bbut\b|\band\b", before)[-1]
        after = text[match.end() : match.end() + 30]
        intercepted = bool(_INTERCEPT.search(clause_before)) or bool(
            re.match(
                r"\s*(?:were|was|have been|had been)?\s*(?:intercept|shot down|destroyed|downed)",
                after,
            )
        )
        score = (
            1
            + 2 * bool(_LAUNCH.search(text))
            + bool(_OVERNIGHT.search(text))
            + bool(_OFFICIAL.search(text))
            - 5 * bool(_AGGREGATE.search(text))
        )
        if score <= 0:
            continue  # a total over many attacks, not this one
        if noun.startswith(("drone", "uav", "shahed")):
            key = "drones_intercepted" if intercepted else "drones_launched"
        elif noun == "aerial targets":
            key = "intercepted" if intercepted else "aerial_targets"
        else:
            key = "missiles_intercepted" if intercepted else "missiles_launched"
            if not intercepted and ("ballistic" in words or "cruise" in words):
                kind = "ballistic_missiles" if "ballistic" in words else "cruise_missiles"
                typed = FigureFinding(kind, value, qualifier, vague, sentence, score)
                found.append(typed)
                typed_missiles.append(typed)
                continue
            if not intercepted and words.strip():
                typed_missiles.append(FigureFinding(key, value, qualifier, vague, sentence, score))
                continue
        found.append(FigureFinding(key, value, qualifier, vague, sentence, score))
    if typed_missiles and not any(f.key == "missiles_launched" for f in found):
        values = [f.value for f in typed_missiles]
        if all(v is not None for v in values):
            total = sum(v for v in values if v is not None)
            found.append(
                FigureFinding("missiles_launched", total, "", "", sentence, typed_missiles[0].score)
            )
    return found


def _casualty_figures(sentence: Sentence) -> list[FigureFinding]:
    text = sentence.text
    found = []
    score = 1 - 5 * bool(_AGGREGATE.search(text))
    if score <= 0:
        return []
    for pattern in (_PEOPLE, _PEOPLE_AFTER):
        for match in pattern.finditer(text):
            value = number_value(match["num"])
            key = "killed" if match["what"].lower() in ("killed", "dead", "died") else "injured"
            vague = match["num"].lower() if value is None else ""
            found.append(
                FigureFinding(key, value, (match["qual"] or "").lower(), vague, sentence, score)
            )
    for match in _VAGUE_INJURED.finditer(text):
        found.append(FigureFinding("injured", None, "", match["num"].lower(), sentence, score))
    if _NO_DEATHS.search(text):
        found.append(FigureFinding("killed", 0, "", "", sentence, score))
    return found


def best_figures(
    findings: list[FigureFinding],
) -> tuple[dict[str, FigureFinding], list[FigureFinding]]:
    """The best-evidenced finding for each figure, and the others for the editor to weigh."""
    best: dict[str, FigureFinding] = {}
    for finding in findings:
        current = best.get(finding.key)
        if current is None or finding.score > current.score:
            best[finding.key] = finding
    others = [f for f in findings if best.get(f.key) is not f]
    return best, others


def find_places_in(
    sentences: list[Sentence],
) -> tuple[list[Place], list[Place], dict[str, Sentence]]:
    """Places hit (named in a sentence about damage or casualties) and places merely mentioned."""
    hit: list[Place] = []
    mentioned: list[Place] = []
    where: dict[str, Sentence] = {}
    for sentence in sentences:
        damage = bool(_HIT.search(sentence.text)) and not re.search(
            r"\bincursions?\b", sentence.text
        )
        for mention in find_places(sentence.text):
            place = mention.place
            if damage and place.kind != "elsewhere" and place.country != "RU":
                if place not in hit:
                    hit.append(place)
                    where[place.name] = sentence
            elif place not in mentioned:
                mentioned.append(place)
    return hit, [p for p in mentioned if p not in hit], where


def find_dates(sentences: list[Sentence], published: date | None) -> list[DateFinding]:
    """Candidate dates, best first: explicit dates, 'day N of the war', weekdays, the war's age."""
    findings: list[DateFinding] = []
    text_years = [int(y) for s in sentences for y in re.findall(r"\b(20[12]\d)\b", s.text)]
    context_year = published.year if published else (max(text_years) if text_years else None)
    for sentence in sentences:
        findings += _explicit_dates(sentence, context_year)
        findings += _day_of_war(sentence)
        findings += _weekdays(sentence, published)
        findings += _war_age(sentence)
    return sorted(findings, key=lambda f: -f.score)


def _explicit_dates(sentence: Sentence, context_year: int | None) -> list[DateFinding]:
    found = []
    for match in _EXPLICIT_DATE.finditer(sentence.text):
        month = match["m1"] or match["m2"]
        day, last = (match["d1"], match["d1b"]) if match["m1"] else (match["d2"], match["d2b"])
        year_text = match["y1"] or match["y2"]
        year = int(year_text) if year_text else context_year
        if year is None:
            continue
        try:
            first_day = _parse_day(f"{day} {month} {year}")
            last_day = _parse_day(f"{last} {month} {year}") if last else None
        except ValueError:
            continue
        overnight = bool(_OVERNIGHT.search(sentence.text))
        if last_day:
            edtf = f"{first_day.isoformat()}/{last_day.isoformat()}"
        elif overnight and "night of" in sentence.text.lower():
            edtf = f"{(first_day - timedelta(days=1)).isoformat()}/{first_day.isoformat()}"
        else:
            edtf = first_day.isoformat()
        year_note = "" if year_text else f" (the year, {year}, from the rest of the article)"
        before = sentence.text[max(0, match.start() - 40) : match.start()]
        score = (
            5
            + 3 * bool(_OVERNIGHT.search(sentence.text))
            + bool(re.search(r"\b(?:assault|attack|strike)", sentence.text, re.IGNORECASE))
            - 4
            * bool(re.search(r"\b(?:talks|summit|meeting|negotiations)\b", before, re.IGNORECASE))
        )
        basis = f'The article dates it "{match.group(0)}"{year_note}.'
        found.append(DateFinding(edtf, basis, sentence, score))
    return found


def _parse_day(text: str) -> date:
    """A day from words, refusing anything dateutil would have to invent."""
    first = dateparser.parse(text, default=datetime(1, 1, 1))
    second = dateparser.parse(text, default=datetime(2, 2, 2))
    if first.date() != second.date():
        raise ValueError(f"{text!r} is not a complete date")
    return first.date()


def _day_of_war(sentence: Sentence) -> list[DateFinding]:
    found = []
    for match in _DAY_OF_WAR.finditer(sentence.text):
        number = int(match["n"].replace(",", ""))
        day = FULL_SCALE_INVASION + timedelta(days=number - 1)
        basis = (
            f"The article is about day {number:,} of the full-scale invasion (counted from "
            f"24 February 2022, day 1): {day.day} {day:%B %Y}."
        )
        found.append(DateFinding(day.isoformat(), basis, sentence, 6))
    return found


def _weekdays(sentence: Sentence, published: date | None) -> list[DateFinding]:
    if published is None:
        return []
    found = []
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    for match in _WEEKDAY_SPAN.finditer(sentence.text):
        last = published - timedelta(days=(published.weekday() - names.index(match["b"])) % 7)
        first = last - timedelta(days=(names.index(match["b"]) - names.index(match["a"])) % 7)
        basis = (
            f"The article, published {published.day} {published:%B %Y}, "
            f'places it "{match.group(0)}": '
            f"{first.day} to {last.day} {last:%B %Y}."
        )
        found.append(DateFinding(f"{first.isoformat()}/{last.isoformat()}", basis, sentence, 4))
    for match in _WEEKDAY.finditer(sentence.text):
        weekday = names.index(match["day"])
        clause = re.split(r"[,;]", sentence.text[: match.start()])[-1]
        future = bool(_FUTURE.search(clause)) or match.group(0).startswith("next")
        if future:
            day = published + timedelta(days=(weekday - published.weekday()) % 7 or 7)
        else:
            day = published - timedelta(days=(published.weekday() - weekday) % 7)
        tense = "coming" if future else "past"
        basis = (
            f'The article, published {published.day} {published:%B %Y}, says "{match.group(0)}": '
            f"the {tense} {match['day']}, {day.day} {day:%B %Y}."
        )
        found.append(DateFinding(day.isoformat(), basis, sentence, 2))
    return found


def _war_age(sentence: Sentence) -> list[DateFinding]:
    found = []
    for match in _WAR_AGE.finditer(sentence.text):
        years = (
            ORDINALS[match["ordinal"].lower()] - 1 if match["ordinal"] else AGES[match["n"].lower()]
        )
        year = FULL_SCALE_INVASION.year + years
        basis = (
            f'The article gives no date; it speaks of "{match.group(0)}", '
            "counted from the full-scale "
            f"invasion of 24 February 2022, which places it around February {year}."
        )
        found.append(DateFinding(f"{year}-02~", basis, sentence, 1))
    return found


def _overnight(finding: DateFinding) -> DateFinding:
    """A report's day becomes the night before it when the attack came 'overnight'."""
    if "/" in finding.edtf or len(finding.edtf) != 10 or "day " not in finding.basis:
        return finding
    day = date.fromisoformat(finding.edtf)
    night = f"{(day - timedelta(days=1)).isoformat()}/{day.isoformat()}"
    return DateFinding(
        night,
        finding.basis + ' It reports the strike "overnight".',
        finding.sentence,
        finding.score,
    )


def guess_kind(headline: str, body: str) -> tuple[str, str]:
    """'strike' or 'diplomacy', with the counts of the words that decided it."""
    text = (headline + " ") * 3 + body  # the headline counts three times
    lowered = text.lower()
    strike = Counter({cue: lowered.count(cue) for cue in STRIKE_CUES if cue in lowered})
    diplomacy = Counter({cue: lowered.count(cue) for cue in DIPLOMACY_CUES if cue in lowered})
    kind = "strike" if sum(strike.values()) >= sum(diplomacy.values()) else "diplomacy"

    def show(counts: Counter[str]) -> str:
        return ", ".join(f"{cue} ×{n}" for cue, n in counts.most_common(4)) or "none"

    return kind, f"strike words: {show(strike)}; diplomacy words: {show(diplomacy)}"


def read_article(text: str, published: date | None = None) -> Findings:
    """Everything an entry needs from one article's text."""
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    headline = paragraphs[0] if paragraphs else ""
    sentences = split_sentences(paragraphs)
    findings = Findings(headline, sentences)
    findings.figures, findings.other_figures = best_figures(find_figures(sentences[1:]))
    findings.places_hit, findings.places_mentioned, findings.place_sentences = find_places_in(
        sentences
    )
    findings.dates = find_dates(sentences, published)
    if findings.dates and any(
        _OVERNIGHT.search(f.sentence.text) for f in findings.figures.values()
    ):
        findings.dates = [_overnight(finding) for finding in findings.dates]
    findings.kind, findings.kind_evidence = guess_kind(headline, "\n".join(paragraphs[1:]))
    return findings
