"""What the screening engine knows about one child: plain, immutable data, no database.

The loader (screening.loading) builds these from the records in a few set-based queries;
tests build them by hand. Protected characteristics (ethnicity, religion, sex) have no
field here: the engine cannot use what it is never given (DOMAIN.md section 3).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from math import asin, cos, radians, sin, sqrt
from typing import Any


@dataclass(frozen=True, slots=True)
class Place:
    """A location as far as screening cares: what kind of place, where, in whose area."""

    kind: str
    force_area: str = ""
    local_authority: str = ""
    latitude: float | None = None
    longitude: float | None = None

    def km_from(self, other: "Place") -> float | None:
        """Return the great-circle distance to another place, or None if either is unplaced."""
        if None in (self.latitude, self.longitude, other.latitude, other.longitude):
            return None
        lat1, lon1, lat2, lon2 = map(
            radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
        return 2 * 6371.0 * asin(sqrt(h))


@dataclass(frozen=True, slots=True)
class EventFact:
    """One event the child took part in, seen from the child's side."""

    id: int
    kind: str
    occurred_at: datetime
    roles: frozenset[str]
    place: Place | None = None
    # Kinds of objects the child held, carried or had seized in the event (drugs, cash,
    # weapon, ticket), and how many phones.
    items: frozenset[str] = frozenset()
    phones: int = 0
    # Ages, at the event, of the other people who took part (None: unknown).
    others_ages: tuple[int | None, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def attribute(self, name: str) -> Any:
        return self.attributes.get(name)


@dataclass(frozen=True, slots=True)
class LinkFact:
    """A dated relationship of the child, or of a phone the child uses.

    `via_phone` is set for a phone contact: the link joins a phone the child uses (through
    a uses_phone link) to another phone.
    """

    id: int
    kind: str
    on: date  # the link's start, else the day it was recorded
    other: str  # person, phone, location or item
    other_age: int | None = None  # another person's age on `on`
    other_deal_line: bool = False  # another phone flagged as a deal line
    other_place: Place | None = None  # a location's kind and area
    count: int | None = None
    via_phone: int | None = None


@dataclass(frozen=True, slots=True)
class ChildFacts:
    """Everything a screening of one person record may use."""

    person_id: int
    date_of_birth: date | None
    flags: frozenset[str] = frozenset()
    home: Place | None = None
    events: tuple[EventFact, ...] = ()
    links: tuple[LinkFact, ...] = ()
