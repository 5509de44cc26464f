"""Reading GOV.UK date inputs (day, month, year, and a time) out of a form's cleaned data.

A date is three text fields `<prefix>_day`, `<prefix>_month`, `<prefix>_year`, and a moment
adds `<prefix>_time` (24-hour, "14:30" or "14.30"). Each problem is added to the form as an
error on `<prefix>_day` (or `<prefix>_time`), in the words of the GOV.UK date input pattern,
and the reader returns None.
"""

import re
from datetime import date, datetime, time

from django import forms

from safeguard.records.ages import UK

_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
_DAY = re.compile(r"^[0-9]{1,2}$")
_YEAR = re.compile(r"^[0-9]{4}$")


def date_fields(*, with_time: bool = False) -> tuple[forms.Field, ...]:
    """The text fields of a date input, day, month and year (and its time), to be named
    `<prefix>_day`, `<prefix>_month`, `<prefix>_year` (`<prefix>_time`) in a form class."""
    found = (
        forms.CharField(required=False, max_length=2),
        forms.CharField(required=False, max_length=2),
        forms.CharField(required=False, max_length=4),
    )
    return (*found, forms.CharField(required=False, max_length=8)) if with_time else found


def given(data: dict, prefix: str) -> bool:
    """Whether any part of the date input was filled in."""
    return any(data.get(f"{prefix}_{p}", "").strip() for p in ("day", "month", "year"))


def read_date(data: dict, prefix: str, what: str, form: forms.Form) -> date | None:
    """Read a GOV.UK date input (day, month, year); add the error to the form if it is wrong.

    Args:
        what: the date in words, for the messages ("the date of the visit").
    """
    parts = [data.get(f"{prefix}_{p}", "").strip() for p in ("day", "month", "year")]
    names = ("day", "month", "year")
    if not any(parts):
        form.add_error(f"{prefix}_day", f"Enter {what}")
        return None
    missing = [n for n, p in zip(names, parts, strict=True) if not p]
    if missing:
        form.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must include a {missing[0]}")
        return None
    day, month, year = parts
    if not (_DAY.match(day) and _DAY.match(month) and _YEAR.match(year)):
        form.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
        return None
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        form.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
        return None
    if found.year < 1900:
        form.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be after 1900")
        return None
    return found


def read_moment(data: dict, prefix: str, what: str, form: forms.Form) -> datetime | None:
    """Read a date input and its time (UK); add the error to the form if either is wrong.

    Args:
        what: the thing dated, for the messages ("the visit": "Enter the date of the visit",
            "Enter the time of the visit").
    """
    day = read_date(data, prefix, f"the date of {what}", form)
    if day is None:
        return None
    text = data.get(f"{prefix}_time", "").strip().lower()
    if not text:
        form.add_error(f"{prefix}_time", f"Enter the time of {what}")
        return None
    match = _TIME.match(text)
    if match is None:
        form.add_error(f"{prefix}_time", "Enter the time as hours and minutes, like 14:30")
        return None
    return datetime.combine(day, time(int(match[1]), int(match[2])), tzinfo=UK)
