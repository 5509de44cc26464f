"""demo.chance: the fast draws take the same random numbers as random.Random's own.

The world generator draws through chance.below, pick, between and weighted because they are
cheaper than random.Random's methods; a seed must still give the world it always gave, so
each must return what the standard method returns and leave the generator in the same state.
"""

import random
from datetime import date, datetime, time, timedelta

import pytest

from safeguard.demo import chance

SIZES = [1, 2, 3, 5, 7, 12, 24, 60, 64, 65, 100, 181, 1000, 5473, 2**31 - 1, 10**12]


@pytest.mark.parametrize("seed", range(4))
def test_integer_draws_match_the_standard_library(seed):
    ours, theirs = random.Random(seed), random.Random(seed)
    for n in SIZES:
        for _ in range(40):
            assert chance.below(ours, n) == theirs.randrange(n)
            assert chance.between(ours, (3, 3 + n)) == theirs.randint(3, 3 + n)
            items = tuple(range(n % 97 + 1))
            assert chance.pick(ours, items) == theirs.choice(items)
    assert ours.random() == theirs.random()  # still in step


@pytest.mark.parametrize("seed", range(4))
def test_weighted_draw_matches_choices(seed):
    ours, theirs = random.Random(seed), random.Random(seed)
    for cum in ([1], [0.5, 1.5, 1.5, 4.0], [3, 10, 11, 40, 41]):
        population = "abcde"[: len(cum)]
        for _ in range(200):
            expected = theirs.choices(population, cum_weights=cum)[0]
            assert chance.weighted(ours, population, cum) == expected
    assert ours.random() == theirs.random()


def test_an_empty_range_is_refused_not_drawn_from_forever():
    with pytest.raises(ValueError):
        chance.below(random.Random(1), 0)
    with pytest.raises(ValueError):
        chance.between(random.Random(1), (5, 4))
    with pytest.raises(IndexError):
        chance.pick(random.Random(1), ())


def _moment_as_first_written(rng, start, end, hours, weekdays):
    days = max(1, (end - start).days)
    day = start + timedelta(days=rng.randrange(days))
    if weekdays and day.weekday() >= 5:
        monday = day + timedelta(days=7 - day.weekday())
        friday = day - timedelta(days=day.weekday() - 4)
        day = monday if monday < end else friday
    return datetime.combine(day, time(rng.randint(hours[0], hours[1]), rng.randrange(60)))


@pytest.mark.parametrize("weekdays", [False, True])
def test_moment_draws_as_it_always_did(weekdays):
    ours, theirs = random.Random(5), random.Random(5)
    for start, end in ((date(2020, 1, 1), date(2020, 2, 1)), (date(2020, 2, 1), date(2020, 2, 1))):
        for hours in ((0, 23), (9, 15), (16, 23)):
            for _ in range(100):
                assert chance.moment(
                    ours, chance.days_of(start, end), end, hours, weekdays=weekdays
                ) == _moment_as_first_written(theirs, start, end, hours, weekdays)
