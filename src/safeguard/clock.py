"""The one clock: every timestamp the system records comes from now(), so tests can freeze it."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return timezone.now()
