"""The one clock: every timestamp the system records comes from now(), so tests can freeze it.

A demo world's story stops on its day of action (February 2025 for the default seed); a
system reading the real date would show every deadline long overdue and every trend empty.
`safeguard demo` therefore serves with SAFEGUARD_CLOCK_START set to the moment its story
stops: the clock then starts at that moment and runs at the real rate from the first time
a process reads it. A force's service never sets it (`safeguard check --deploy` warns).
"""

from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def now() -> datetime:
    """Return the current time, timezone-aware (UTC); the demo's time when its clock is set."""
    start = getattr(settings, "CLOCK_START", "")
    if not start:
        return timezone.now()
    at, anchor = _started(start)  # before reading the time, which is then never before it
    return at + (timezone.now() - anchor)


def shifted() -> bool:
    """Whether the clock is set to another time than the real one (SAFEGUARD_CLOCK_START)."""
    return bool(getattr(settings, "CLOCK_START", ""))


@lru_cache(maxsize=8)
def _started(start: str) -> tuple[datetime, datetime]:
    """The clock's start and the real moment it was first read (per process and value)."""
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        raise ImproperlyConfigured(
            f"SAFEGUARD_CLOCK_START={start!r} is not an ISO 8601 date and time"
        ) from None
    if at.tzinfo is None:
        raise ImproperlyConfigured(
            f"SAFEGUARD_CLOCK_START={start!r} has no UTC offset (write e.g. 2025-02-27T17:30+00:00)"
        )
    return at, timezone.now()
