"""Draws from the world's one random source: counts, moments and picks.

Every function takes the world's `random.Random` explicitly, so that a seed alone decides
the world and nothing reads global random state or the clock.
"""

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

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


def between(rng: random.Random, bounds: Sequence[int]) -> int:
    """Return an integer in the inclusive range `bounds` ([low, high])."""
    return rng.randint(bounds[0], bounds[1])


def month_start(first: date, months: int) -> date:
    """Return the first day of the month `months` after the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def moment(
    rng: random.Random,
    start: date,
    end: date,
    hours: tuple[int, int] = (0, 23),
    *,
    weekdays: bool = False,
) -> datetime:
    """Return a local time on a day in [start, end) within `hours`, for when an event happened.

    Police and partner systems record local time; the schema reads a naive time as UK time.
    """
    days = max(1, (end - start).days)
    day = start + timedelta(days=rng.randrange(days))
    if weekdays and day.weekday() >= 5:
        monday = day + timedelta(days=7 - day.weekday())
        friday = day - timedelta(days=day.weekday() - 4)
        day = monday if monday < end else friday
    return datetime.combine(day, time(rng.randint(hours[0], hours[1]), rng.randrange(60)))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two (lat, lon) points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))
