"""The stop-search chart's geometry: round gridlines, bars in proportion, nothing lost."""

import pytest

from safeguard.safeguarding.stop_search import MonthFigures
from safeguard.safeguarding.stop_search_output import SERIES, _step, chart


@pytest.mark.parametrize(
    ("top", "step"),
    [(0, 1), (1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (29, 10), (50, 10), (51, 20), (999, 200)],
)
def test_gridlines_are_a_round_step_and_at_most_five_reach_the_top(top, step):
    assert _step(top) == step
    assert -(-top // step) <= 5


def _month(month: str, searched: int, arrested: int, referred: int) -> MonthFigures:
    figures = MonthFigures(
        "Kent Police", month, children_searched=searched, children_arrested=arrested
    )
    figures.referrals.update({i: "draft" for i in range(referred)})
    return figures


def test_bars_are_in_proportion_and_the_top_gridline_is_above_the_highest():
    drawn = chart([_month("2019-01", 29, 4, 3), _month("2019-02", 8, 0, 0)], "t")
    assert [v for _, v in drawn.ticks] == [0, 10, 20, 30]
    assert len(drawn.bars) == 2 * len(SERIES)
    searched, arrested, referred = drawn.bars[:3]
    assert searched.height / arrested.height == pytest.approx(29 / 4)
    assert referred.height / arrested.height == pytest.approx(3 / 4)
    bottom = drawn.ticks[0][0]
    assert all(bar.y + bar.height == pytest.approx(bottom) for bar in drawn.bars)
    assert drawn.ticks[-1][0] <= searched.y  # the highest bar stays under the top line
    assert searched.label == "2019-01: children searched 29"
    assert [label for _, label in drawn.months] == ["2019-01", "2019-02"]


def test_a_month_of_zeros_draws_flat_bars():
    drawn = chart([_month("2019-01", 0, 0, 0)], "t")
    assert all(bar.height == 0 for bar in drawn.bars)
    assert [v for _, v in drawn.ticks] == [0, 1]
