"""Deadlines: working days in England and Wales (bank holidays from `holidays`), or hours.

Working Together's "within one working day" is read as: by the end of the first working day
after the day it started (UK time). A referral opened on a Friday evening is due at the end
of Monday; one opened on a bank holiday Monday, at the end of Tuesday. The custody duties
run by the clock ("as soon as practicable"), in hours from the moment they started.
"""

from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from safeguard.records.ages import UK

END_OF_DAY = time(23, 59, 59)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; `holidays` files them under ENG and WLS.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Return whether a day is a working day: Monday to Friday, not a bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, days: int) -> date:
    """Return the working day `days` working days after `day` (0: `day` itself if working,
    else the next working day)."""
    if days < 0:
        raise ValueError("a deadline cannot be before its start")
    current = day
    if days == 0:
        while not is_working_day(current):
            current += timedelta(days=1)
        return current
    while days:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def working_days_after(start: datetime, days: int) -> datetime:
    """Return the end (UK time) of the `days`-th working day after the day `start` falls on."""
    day = add_working_days(start.astimezone(UK).date(), days)
    return datetime.combine(day, END_OF_DAY, tzinfo=UK)


def hours_after(start: datetime, hours: float) -> datetime:
    """Return the moment `hours` after `start`."""
    return start + timedelta(hours=hours)
