"""Shared fixtures: record POLE data through the real intake path."""

from collections.abc import Callable

import pytest

from safeguard.intake.recording import Summary, record_batch
from safeguard.intake.schema import RECORD_ADAPTER


@pytest.fixture
def record(db) -> Callable[..., Summary]:
    """Return a function that records raw record dicts through intake, as an importer does."""

    def _record(*raw: dict, source: str = "test") -> Summary:
        return record_batch(
            [(RECORD_ADAPTER.validate_python(r), i) for i, r in enumerate(raw, start=1)],
            source=source,
        )

    return _record


@pytest.fixture
def police(record) -> str:
    """Record Merseyside Police and return its code."""
    record(
        {
            "type": "agency",
            "code": "merseyside",
            "kind": "police_force",
            "name": "Merseyside Police",
        }
    )
    return "merseyside"
