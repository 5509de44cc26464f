"""Deadlines in working days (England and Wales bank holidays) and in hours."""

from datetime import UTC, date, datetime

import pytest

from safeguard.records.ages import UK
from safeguard.safeguarding.calendar import (
    add_working_days,
    hours_after,
    is_working_day,
    working_days_after,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 17), True),  # Thursday before Easter
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 19), False),  # Saturday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 22), True),
        (date(2025, 12, 25), False),
        (date(2025, 12, 26), False),  # Boxing Day
        (date(2026, 8, 31), False),  # late summer bank holiday
    ],
)
def test_weekends_and_bank_holidays_are_not_working_days(day, working):
    assert is_working_day(day) is working


def test_one_working_day_after_a_friday_is_monday():
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)
    assert add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)  # Saturday


def test_easter_is_stepped_over():
    # Thursday 17 April 2025 + 1 working day: not Good Friday, not Easter Monday.
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)
    assert add_working_days(date(2025, 12, 24), 2) == date(2025, 12, 30)  # Mon 29 is the first


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(date(2025, 3, 7), 0) == date(2025, 3, 7)
    assert add_working_days(date(2025, 4, 18), 0) == date(2025, 4, 22)


def test_a_deadline_is_the_end_of_the_uk_day():
    # Friday 7 March 2025, 23:30 UTC is still Friday in the UK (GMT): due end of Monday.
    due = working_days_after(datetime(2025, 3, 7, 23, 30, tzinfo=UTC), 1)
    assert due == datetime(2025, 3, 10, 23, 59, 59, tzinfo=UK)
    # Friday 4 July 2025 23:30 UTC is already Saturday in the UK (BST): due end of Monday.
    due = working_days_after(datetime(2025, 7, 4, 23, 30, tzinfo=UTC), 1)
    assert due.date() == date(2025, 7, 7)


def test_hours_run_by_the_clock_through_weekends():
    start = datetime(2025, 3, 8, 22, 0, tzinfo=UTC)  # Saturday night
    assert hours_after(start, 2) == datetime(2025, 3, 9, 0, 0, tzinfo=UTC)


def test_a_negative_span_is_refused():
    with pytest.raises(ValueError, match="before its start"):
        add_working_days(date(2025, 3, 7), -1)
