"""Reading articles: tricky sentences for figures, places, dates and the kind of event."""

from __future__ import annotations

from datetime import date

import pytest

from dateline.extract import (
    Sentence,
    best_figures,
    find_dates,
    find_figures,
    find_places_in,
    guess_kind,
    number_value,
    split_sentences,
)
from dateline.gazetteer import all_places, find_places


def figures(text: str) -> dict[str, str]:
    best, _ = best_figures(find_figures([Sentence(text, 1)]))
    return {key: finding.as_front_matter() for key, finding in best.items()}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Ukrainian Air Force Commander Mykola Oleshchuk reported that 310 of the drones were intercepted.",
            {"drones_intercepted": "310"},
        ),
        (
            "Ukrainian forces managed to shoot down 72 drones, but infrastructure was hit.",
            {"drones_intercepted": "72"},
        ),
        (
            "Zelenskyy said Russia launched more than 650 drones and 51 missiles overnight.",
            {"drones_launched": "more than 650", "missiles_launched": "51"},
        ),
        (
            "However, at least one person was killed, and 14 others were injured in the attacks.",
            {"killed": "at least 1", "injured": "14"},
        ),
        (
            "Russia launched 145 drones, two ballistic missiles, and four anti-aircraft missiles in its overnight assault.",
            {"drones_launched": "145", "ballistic_missiles": "2", "missiles_launched": "6"},
        ),
        (
            "Russia launched a massive strike, launching over 800 aerial targets.",
            {"aerial_targets": "over 800"},
        ),
        (
            "Russian attacks on the Kharkiv region killed at least four people.",
            {"killed": "at least 4"},
        ),
        ("Hospitals treated dozens of injured civilians.", {"injured": "dozens"}),
        (
            "At least 14 civilians were injured, though no fatalities have been confirmed.",
            {"injured": "at least 14", "killed": "0"},
        ),
        (
            "It also announced the downing of 172 Ukrainian drones and four Neptune missiles within a single day.",
            {},
        ),
        ("Since then, there have been 16 combined strikes with over 400 aerial targets.", {}),
        (
            "The assault was the fifth attack using more than 500 drones and missiles since the summit.",
            {},
        ),
    ],
)
def test_figures_in_tricky_sentences(sentence: str, expected: dict[str, str]) -> None:
    assert figures(sentence) == expected


def test_number_words() -> None:
    assert (
        number_value("1,383"),
        number_value("two"),
        number_value("Ten"),
        number_value("dozens"),
    ) == (1383, 2, 10, None)


def test_sentences_are_exact_substrings() -> None:
    paragraph = "He said “This was not just an attack.” Then he left. Mr. Smith stayed."
    sentences = split_sentences([paragraph])
    assert all(s.text in paragraph for s in sentences)
    assert sentences[0].text == "He said “This was not just an attack.”"


def test_places_hit_and_mentioned() -> None:
    sentences = [
        Sentence("The strikes targeted cities including Kyiv, Kharkiv, Odesa, and Dnipro.", 1),
        Sentence(
            "It was retaliation for incursions into the border regions of Belgorod and Kursk.", 2
        ),
        Sentence("Talks are scheduled in Jeddah, Saudi Arabia, on Sunday.", 3),
        Sentence("Two civilians were killed — one in Sloviansk and another in Chernihiv.", 4),
    ]
    hit, mentioned, _ = find_places_in(sentences)
    assert [p.name for p in hit] == ["Kyiv", "Kharkiv", "Odesa", "Dnipro", "Sloviansk", "Chernihiv"]
    assert [p.name for p in mentioned] == ["Belgorod", "Kursk", "Jeddah"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("strikes on Kiev", "Kyiv"),
        ("in Kharkov", "Kharkiv"),
        ("across the Dnipropetrovsk region", "Dnipropetrovsk Oblast"),
        ("a power line in Dnipropetrovsk", "Dnipropetrovsk Oblast"),
        ("in Zaporozhye", "Zaporizhzhia"),
        ("the Darnytskyi district", "Darnytskyi District"),
        ("Kharkiv Oblast", "Kharkiv Oblast"),
    ],
)
def test_gazetteer_spellings(text: str, name: str) -> None:
    assert [m.place.name for m in find_places(text)] == [name]


def test_gazetteer_has_no_spelling_for_two_places() -> None:
    names = [place.name for place in all_places()]
    assert len(set(names)) == len({(p.name, p.kind) for p in all_places()})


def dates(text: str, published: date | None = None) -> list[str]:
    return [finding.edtf for finding in find_dates(split_sentences([text]), published)]


def test_day_of_the_war() -> None:
    assert dates("Ukraine has entered day 1,383 of the Russia Ukraine war.")[0] == "2025-12-07"
    assert dates("It is day 1 of the full-scale invasion.")[0] == "2022-02-24"


def test_explicit_dates_with_the_year_from_context() -> None:
    found = dates(
        "The talks in Istanbul on May 15, 2025 ended. The overnight assault of September 6-7 followed."
    )
    assert found[0] == "2025-09-06/2025-09-07"
    assert "2025-05-15" in found


def test_weekdays_need_a_publication_date() -> None:
    text = "Zelensky, speaking on Wednesday, said talks are scheduled in Jeddah on Sunday."
    assert dates(text) == []
    assert sorted(dates(text, date(2025, 3, 19))) == ["2025-03-19", "2025-03-23"]
    assert (
        dates("It happened between Tuesday and Wednesday.", date(2025, 3, 19))[0]
        == "2025-03-18/2025-03-19"
    )


def test_the_war_s_age() -> None:
    assert dates("Both nations enter a third year of conflict.") == ["2024-02~"]
    assert dates("The nearly two-year-long conflict goes on.") == ["2024-02~"]


def test_no_date_at_all() -> None:
    assert dates("Russia struck Odesa overnight.") == []


def test_kind_with_evidence() -> None:
    kind, evidence = guess_kind(
        "Leaders meet for peace talks in London", "The summit will discuss a ceasefire."
    )
    assert kind == "diplomacy"
    assert "talks ×3" in evidence
    assert (
        guess_kind("Russia launches 370 drones", "Air defense intercepted missiles.")[0] == "strike"
    )
