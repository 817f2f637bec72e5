"""The overview chart's layout: where milestone labels go."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dateline.chart import label_rows


def _first_fit(extents: list[tuple[float, float]], gap: float) -> list[int]:
    """Each label in the first row whose last label ends more than ``gap`` before it starts,
    found by looking along every row."""
    ends: list[float] = []
    rows = []
    for start, end in extents:
        row = next((i for i, last in enumerate(ends) if last < start - gap), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = end
        rows.append(row)
    return rows


labels = st.lists(
    st.tuples(st.floats(-50, 800), st.floats(0, 300)).map(lambda a: (a[0], a[0] + a[1])),
    max_size=60,
)


@given(labels, st.sampled_from([0.0, 4.0]))
def test_labels_go_in_the_first_row_with_room(
    extents: list[tuple[float, float]], gap: float
) -> None:
    assert label_rows(extents, gap) == _first_fit(extents, gap)


def test_labels_that_never_overlap_share_one_row_and_crowded_ones_stack() -> None:
    assert label_rows([(0, 10), (20, 30), (40, 50)], gap=4) == [0, 0, 0]
    assert label_rows([(0, 10), (5, 15), (8, 20), (30, 40)], gap=4) == [0, 1, 2, 0]
