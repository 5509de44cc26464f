"""Draws from the world's one random source: counts, moments and picks.

Every function takes the world's `random.Random` explicitly, so that a seed alone decides
the world and nothing reads global random state or the clock.

A large world makes millions of draws. `random.Random.randint`, `randrange`, `choice` and
`choices` each run two or three Python frames per draw, so the hot paths draw through
below(), pick(), between() and weighted() instead: the same algorithms over the same
getrandbits() and random() calls as CPython's, so they consume the same random numbers and
give the same results (tests/demo/test_demo_chance.py holds them to that).
"""

import bisect
import math
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta

# Above this mean a Poisson count is drawn from its normal approximation: exact enough for
# event counts, and free of the underflow of exp(-mean) that the exact method suffers.
_NORMAL_ABOVE = 30.0


def poisson(rng: random.Random, mean: float) -> int:
    """Return a Poisson count with `mean`, for how many events happen in a period."""
    if mean <= 0:
        return 0
    if mean > _NORMAL_ABOVE:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def below(rng: random.Random, n: int) -> int:
    """Return rng.randrange(n), drawing exactly the bits it would draw."""
    if n <= 0:
        raise ValueError("empty range")
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


def pick(rng: random.Random, seq: Sequence):
    """Return rng.choice(seq), drawing exactly the bits it would draw."""
    n = len(seq)  # below(), written out: this is the most frequent draw of all
    if n <= 0:
        raise IndexError("cannot pick from an empty sequence")
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return seq[r]


def weighted(rng: random.Random, population: Sequence, cum_weights: Sequence[float]):
    """Return rng.choices(population, cum_weights=cum_weights)[0], from the same draw."""
    total = cum_weights[-1] + 0.0
    return population[bisect.bisect(cum_weights, rng.random() * total, 0, len(population) - 1)]


def between(rng: random.Random, bounds: Sequence[int]) -> int:
    """Return an integer in the inclusive range `bounds` ([low, high]), as rng.randint would."""
    return bounds[0] + below(rng, bounds[1] - bounds[0] + 1)


def month_start(first: date, months: int) -> date:
    """Return the first day of the month `months` after the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_of(start: date, end: date) -> tuple[date, ...]:
    """Return the days in [start, end) (`start` alone when there are none), for moment()."""
    return tuple(start + timedelta(days=i) for i in range(max(1, (end - start).days)))


def moment(
    rng: random.Random,
    days: Sequence[date],
    end: date,
    hours: tuple[int, int] = (0, 23),
    *,
    weekdays: bool = False,
) -> datetime:
    """Return a local time within `hours` on one of `days`, for when an event happened.

    `days` are days_of(start, end), made once per month by the caller: an event's moment is
    drawn for nearly every event. With `weekdays`, a weekend day moves to the Monday after,
    or to the Friday before when that Monday is `end` or later.

    Police and partner systems record local time; the schema reads a naive time as UK time.
    """
    day = pick(rng, days)
    if weekdays and day.weekday() >= 5:
        monday = day + timedelta(days=7 - day.weekday())
        friday = day - timedelta(days=day.weekday() - 4)
        day = monday if monday < end else friday
    hour = hours[0] + below(rng, hours[1] - hours[0] + 1)
    return datetime(day.year, day.month, day.day, hour, below(rng, 60))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two (lat, lon) points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))
