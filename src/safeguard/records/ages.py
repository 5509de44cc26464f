"""Age at the time of an event: what a child was then, not what they are today."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Dates of birth are calendar dates in UK law; an event's moment is placed on the UK calendar.
UK = ZoneInfo("Europe/London")

ADULT_AGE = 18  # Children Act 1989 s105: a child is a person under 18.


def age_on(date_of_birth: date | None, when: datetime | date) -> int | None:
    """Return whole years of age on `when`, or None when the date of birth is unknown.

    A person born on 29 February turns a year older on 1 March in non-leap years, as the
    Family Law Reform Act 1969 s9 counts it. An event before the birth gives None.
    """
    if date_of_birth is None:
        return None
    if isinstance(when, datetime):
        when = when.astimezone(UK).date() if when.tzinfo else when.date()
    years = when.year - date_of_birth.year
    if (when.month, when.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years if years >= 0 else None


def is_child(age: int | None) -> bool:
    """Return True when an age is under 18 (unknown is not a child: it is unknown)."""
    return age is not None and age < ADULT_AGE
