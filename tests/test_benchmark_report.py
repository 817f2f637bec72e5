"""The benchmark's report of how a build grows with ten times the events."""

from __future__ import annotations

import pytest

from benchmarks.bench import print_growth


def test_growth_is_told_for_each_size_measured_beside_a_tenth_of_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_growth(
        {
            1000: {"cold": 0.5, "memory": 40.0},
            10000: {"cold": 3.0, "memory": 170.0, "hugo": 4.0},
            100000: {"cold": 39.0, "memory": 1445.0, "hugo": 66.0},
            25000: {"cold": 8.0, "memory": 400.0},
        }
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "10,000 events against 1,000: cold build 6.00 times the time (goal: at most 12), "
        "4.2 times the memory",
        "100,000 events against 10,000: cold build 13.00 times the time (goal: at most 12), "
        "8.5 times the memory; Hugo 16.5 times",
    ]
