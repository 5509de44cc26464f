"""Age at the time of an event (records.ages)."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.records.ages import age_on, is_child

# (date of birth, moment, expected age, why)
CASES = [
    (date(2005, 3, 1), date(2021, 2, 28), 15, "day before the 16th birthday"),
    (date(2005, 3, 1), date(2021, 3, 1), 16, "on the birthday"),
    (date(2004, 2, 29), date(2022, 2, 28), 17, "leap-day birth: not yet 18 on 28 Feb"),
    (date(2004, 2, 29), date(2022, 3, 1), 18, "leap-day birth: 18 on 1 March"),
    (date(2004, 2, 29), date(2024, 2, 29), 20, "leap-day birth in a leap year"),
    (None, date(2020, 1, 1), None, "unknown date of birth gives unknown age"),
    (date(2020, 1, 1), date(2019, 1, 1), None, "an event before birth has no age"),
]


@pytest.mark.parametrize(("dob", "when", "expected", "why"), CASES)
def test_age_on(dob, when, expected, why):
    assert age_on(dob, when) == expected, why


def test_age_uses_the_uk_calendar_day_of_the_moment():
    # 23:30 UTC on 31 July is 00:30 on 1 August in London (BST): the birthday has come.
    moment = datetime(2021, 7, 31, 23, 30, tzinfo=UTC)
    assert age_on(date(2003, 8, 1), moment) == 18


@pytest.mark.parametrize(("age", "child"), [(17, True), (18, False), (0, True), (None, False)])
def test_is_child(age, child):
    assert is_child(age) is child


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 100))
def test_age_on_the_nth_birthday_is_n(dob, n):
    try:
        birthday = dob.replace(year=dob.year + n)
    except ValueError:  # 29 February in a common year
        return
    assert age_on(dob, birthday) == n
