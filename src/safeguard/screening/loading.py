"""The loader of screening facts: ChildFacts built from the records store in set-based queries.

Screening runs over many children at once (every child in a new event, a nightly re-screen),
so the facts of a chunk of persons are read in a bounded number of queries
(QUERIES_PER_CHUNK), never one query per person. Only what screening.facts has a field for
is read: never a name, sex or ethnicity (DOMAIN.md section 3).

The queries are plain SQL on Django's cursor, not the ORM: a full re-screen reads tens of
millions of values, and the ORM's per-value converters cost more than screening them did.
Each query reads one table, or joins one more by its key. The far ends of links (another
person's birth date, a phone's deal-line flag, a place) are read by their ids: with a join
to each end, PostgreSQL chose hash joins that scanned the person, phone and location tables
once per chunk.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

from django.db import connection
from django.db.models import Model

from safeguard.records import vocabulary as v
from safeguard.records.ages import UK, age_on
from safeguard.records.models import (
    Event,
    EventObject,
    Item,
    Link,
    Location,
    Participation,
    Person,
    Phone,
)
from safeguard.screening.facts import ChildFacts, EventFact, LinkFact, Place

# Persons per chunk, and ids per list of far ends. The largest query (links from or to a
# person) binds two lists of this many ids; SQLite before 3.32 allows 999 parameters.
CHUNK = 400
# Per chunk, when each list of far ends holds fewer than CHUNK ids: persons, their events,
# objects they held, everyone in those events, their links, their phones' contacts, other
# persons' birth dates, phones' flags, links' event times, places not read before. A chunk
# with no stored person stops after the first; a query that could find nothing is not made.
QUERIES_PER_CHUNK = 10

_CONTACT = v.LinkKind.CONTACT.value
_USES_PHONE = v.LinkKind.USES_PHONE.value
_LIVES_AT = v.LinkKind.LIVES_AT.value
_EMPTY: MappingProxyType = MappingProxyType({})


def load_facts(
    person_ids: Sequence[int], *, until: datetime | None = None
) -> dict[int, ChildFacts]:
    """Return the facts of each person record, in a bounded number of queries per chunk.

    `until` leaves out events after it and links dated after its (UK) day, so a screening
    "as it stood then" sees only what had happened by then. Persons not stored are absent.
    """
    ids = list(dict.fromkeys(person_ids))  # first appearance fixes the order of the result
    places = _Places()  # a place read for one chunk serves the rest
    facts: dict[int, ChildFacts] = {}
    for start in range(0, len(ids), CHUNK):
        facts.update(_load_chunk(ids[start : start + CHUNK], until, places))
    return facts


def _load_chunk(ids: list[int], until: datetime | None, places: "_Places") -> dict[int, ChildFacts]:
    persons = {
        pk: (_day(dob), frozenset(_json(flags) or ()))
        for pk, dob, flags in _select(
            f"SELECT id, date_of_birth, flags FROM {_table(Person)} WHERE id IN {_marks(ids)}",  # noqa: S608
            ids,
        )
    }
    if not persons:
        return {}
    events = _events(ids, until)
    links = _Links(ids, persons, until)
    places.read([e.location_id for e in events.values()] + links.location_ids())
    facts_of = _event_facts(events, places)
    by_person, homes = links.facts(places)
    return {
        pk: ChildFacts(
            person_id=pk,
            date_of_birth=persons[pk][0],
            flags=persons[pk][1],
            home=homes.get(pk),
            events=tuple(sorted(facts_of.get(pk, ()), key=lambda e: (e.occurred_at, e.id))),
            links=tuple(
                sorted(
                    by_person.get(pk, ()),
                    key=lambda k: (k.on, k.id, k.via_phone is not None, k.via_phone or 0),
                )
            ),
        )
        for pk in ids
        if pk in persons
    }


# -- events: 3 queries ------------------------------------------------------------------


@dataclass
class _Event:
    """One person's part in one event, gathered over rows before it becomes an EventFact."""

    person_id: int
    id: int
    kind: str
    occurred_at: datetime
    location_id: int | None
    attributes: Any
    roles: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    phones: set[int] = field(default_factory=set)
    others_ages: list[int | None] = field(default_factory=list)


def _events(ids: list[int], until: datetime | None) -> dict[tuple[int, int], _Event]:
    """Return each person's part in each event, roles merged, with what they held and who else
    was there."""
    window, params = ("", []) if until is None else (" AND p.occurred_at <= %s", [_stored(until)])
    parts: dict[tuple[int, int], _Event] = {}
    decoded: dict[int, tuple] = {}  # an event two persons of the chunk shared, converted once
    rows = _select(
        f"SELECT p.person_id, p.event_id, p.role, e.kind, e.occurred_at, e.attributes,"  # noqa: S608
        f" e.location_id FROM {_table(Participation)} p JOIN {_table(Event)} e"
        f" ON e.id = p.event_id WHERE p.person_id IN {_marks(ids)}{window}",
        [*ids, *params],
    )
    for person_id, event_id, role, kind, occurred_at, attributes, location_id in rows:
        part = parts.get((person_id, event_id))
        if part is None:
            event = decoded.get(event_id)
            if event is None:
                event = decoded[event_id] = (
                    kind,
                    _moment(occurred_at),
                    location_id,
                    _attributes(attributes),
                )
            part = parts[person_id, event_id] = _Event(
                person_id, event_id, event[0], event[1], event[2], event[3]
            )
        part.roles.add(role)
    if not parts:
        return parts

    # Objects the person held: only those of events the person took part in become facts.
    held = _select(
        f"SELECT o.holder_id, o.event_id, o.phone_id, i.kind FROM {_table(EventObject)} o"  # noqa: S608
        f" LEFT JOIN {_table(Item)} i ON i.id = o.item_id WHERE o.holder_id IN {_marks(ids)}",
        ids,
    )
    for holder_id, event_id, phone_id, item_kind in held:
        part = parts.get((holder_id, event_id))
        if part is None:
            continue
        if phone_id is not None:
            part.phones.add(phone_id)
        elif item_kind is not None:
            part.items.add(item_kind)

    # Everyone in those events (each person once, whatever their roles), by a join through
    # the chunk's own participations, so that no list of event ids is ever bound. A join,
    # not an IN (subquery): PostgreSQL plans the subquery as a hash semi-join over every
    # participation in the store, the join as index look-ups from the chunk's rows.
    ages: dict[int, dict[int, int | None]] = defaultdict(dict)
    everyone = _select(
        f"SELECT o.event_id, o.person_id, o.age_at_event FROM {_table(Participation)} p"  # noqa: S608
        f" JOIN {_table(Participation)} o ON o.event_id = p.event_id"
        f" WHERE p.person_id IN {_marks(ids)}{window}",
        [*ids, *params],
    )
    for event_id, person_id, age in everyone:
        ages[event_id][person_id] = age
    for (person_id, event_id), part in parts.items():
        part.others_ages = [a for p, a in ages[event_id].items() if p != person_id]
    return parts


def _event_facts(
    parts: dict[tuple[int, int], _Event], places: "_Places"
) -> dict[int, list[EventFact]]:
    events: dict[int, list[EventFact]] = defaultdict(list)
    for part in parts.values():
        others = part.others_ages
        if len(others) > 1:
            others.sort(key=lambda a: (a is None, a or 0))
        events[part.person_id].append(
            EventFact(
                id=part.id,
                kind=part.kind,
                occurred_at=part.occurred_at,
                roles=frozenset(part.roles),
                place=places.get(part.location_id),
                items=frozenset(part.items),
                phones=len(part.phones),
                others_ages=tuple(others),
                attributes=part.attributes,
            )
        )
    return events


# -- links: 2 queries, and the far ends by id -------------------------------------------

_LINK_COLUMNS = (
    "id, kind, from_person_id, from_phone_id, to_person_id, to_phone_id, to_location_id,"
    ' to_item_id, valid_from, recorded_at, event_id, "count"'
)
# The far end of a link, by the position of its column in _LINK_COLUMNS.
_FROM_ENDS = ((2, v.EntityType.PERSON.value), (3, v.EntityType.PHONE.value))
_TO_ENDS = (
    (4, v.EntityType.PERSON.value),
    (5, v.EntityType.PHONE.value),
    (6, v.EntityType.LOCATION.value),
    (7, v.EntityType.ITEM.value),
)


class _Links:
    """The links of a chunk's persons and of the phones they use, with their far ends."""

    def __init__(self, ids: list[int], persons: dict[int, Any], until: datetime | None):
        self.persons = persons
        self.until_day = _uk_day(until) if until is not None else None
        rows = _select(
            f"SELECT {_LINK_COLUMNS} FROM {_table(Link)} WHERE from_person_id IN {_marks(ids)}"  # noqa: S608
            f" OR to_person_id IN {_marks(ids)}",
            [*ids, *ids],
        )
        self.rows = sorted(rows)  # by id: the same facts in the same order on every database
        self.phones_used: dict[int, set[int]] = defaultdict(set)
        for row in self.rows:
            if row[1] == _USES_PHONE and row[5] is not None and row[2] in persons:
                self.phones_used[row[2]].add(row[5])
        self.contacts = self._contacts()
        self._read_far_ends()

    def _contacts(self) -> list[tuple]:
        """Return the contact links of the phones the persons use, each once, by id.

        The phones are named in the query (a few per person, in lists of CHUNK): with a
        subquery instead, PostgreSQL scanned every contact link in the store for each chunk.
        The kind is checked here, not in SQL: with `kind =` in the query SQLite, which has no
        statistics, walked every contact link by the kind index (60 ms a child at 100,000
        children) instead of the two phone indexes (under 1 ms).
        """
        used = sorted({phone for phones in self.phones_used.values() for phone in phones})
        found: dict[int, tuple] = {}  # a contact between two phones of the chunk, once
        for start in range(0, len(used), CHUNK):
            phones = used[start : start + CHUNK]
            rows = _select(
                f"SELECT {_LINK_COLUMNS} FROM {_table(Link)} WHERE from_phone_id IN"  # noqa: S608
                f" {_marks(phones)} OR to_phone_id IN {_marks(phones)}",
                [*phones, *phones],
            )
            found.update((row[0], row) for row in rows if row[1] == _CONTACT)
        return [found[pk] for pk in sorted(found)]

    def _read_far_ends(self) -> None:
        """Read what screening needs of the far ends: birth dates, deal lines, event times."""
        others, phones, events = set(), set(), set()
        for row in self.rows:
            for i in (2, 4):
                if row[i] is not None and row[i] not in self.persons:
                    others.add(row[i])
        for row in (*self.rows, *self.contacts):
            for i in (3, 5):
                if row[i] is not None:
                    phones.add(row[i])
            if row[8] is None and row[10] is not None:
                events.add(row[10])
        self.births = {pk: dob for pk, (dob, _) in self.persons.items()}
        self.births |= {pk: _day(dob) for pk, dob in _by_ids(Person, "date_of_birth", others)}
        self.deal_lines = {pk: bool(deal) for pk, deal in _by_ids(Phone, "is_deal_line", phones)}
        self.event_days = {
            pk: _uk_day(_moment(at)) for pk, at in _by_ids(Event, "occurred_at", events)
        }

    def location_ids(self) -> list[int]:
        return [row[6] for row in self.rows if row[6] is not None]

    def _on(self, row: tuple) -> date:
        """Return the day a link is dated: its start, else its event's day, else its recording's."""
        if row[8] is not None:
            return _day(row[8])
        if row[10] is not None:
            return self.event_days[row[10]]
        return _uk_day(_moment(row[9]))

    def facts(self, places: "_Places") -> tuple[dict[int, list[LinkFact]], dict[int, Place]]:
        """Return each person's link facts and home: the place of their latest lives_at link."""
        links: dict[int, list[LinkFact]] = defaultdict(list)
        homes: dict[int, tuple[tuple[date, int], Place | None]] = {}
        for row in self.rows:
            on = self._on(row)
            if self.until_day is not None and on > self.until_day:
                continue
            for person_id, (column, other) in self._ends(row):
                far = row[column]
                place = places.get(far) if column == 6 else None
                links[person_id].append(
                    LinkFact(
                        id=row[0],
                        kind=row[1],
                        on=on,
                        other=other,
                        other_age=age_on(self.births.get(far), on) if column in (2, 4) else None,
                        other_deal_line=self.deal_lines.get(far, False)
                        if column in (3, 5)
                        else False,
                        other_place=place,
                        count=row[11],
                    )
                )
                if row[1] == _LIVES_AT and column == 6:
                    latest = (_day(row[8]) or date.min, row[0])
                    if person_id not in homes or latest > homes[person_id][0]:
                        homes[person_id] = (latest, place)
        self._contact_facts(links)
        return links, {pk: place for pk, (_, place) in homes.items() if place is not None}

    def _ends(self, row: tuple) -> Iterable[tuple[int, tuple[int, str]]]:
        """Yield (person, far end) for each of the chunk's persons at an end of the link."""
        for mine, theirs in ((2, _TO_ENDS), (4, _FROM_ENDS)):
            person_id = row[mine]
            if mine == 4 and person_id == row[2]:
                continue  # a link of a person to itself is one fact, not two
            if person_id in self.persons:
                far = next((end for end in theirs if row[end[0]] is not None), None)
                if far is not None:
                    yield person_id, far

    def _contact_facts(self, links: dict[int, list[LinkFact]]) -> None:
        """Add a fact for each contact of a phone a person uses, seen from that phone."""
        users: dict[int, list[int]] = defaultdict(list)
        for person_id, phones in self.phones_used.items():
            for phone_id in phones:
                users[phone_id].append(person_id)
        for row in self.contacts:
            a, b = row[3], row[5]
            if a is None or b is None:
                continue
            on = self._on(row)
            if self.until_day is not None and on > self.until_day:
                continue
            ends = ((a, b), (b, a)) if a != b else ((a, b),)
            for mine, other in ends:
                for person_id in users.get(mine, ()):
                    links[person_id].append(
                        LinkFact(
                            id=row[0],
                            kind=_CONTACT,
                            on=on,
                            other=v.EntityType.PHONE.value,
                            other_deal_line=self.deal_lines.get(other, False),
                            count=row[11],
                            via_phone=mine,
                        )
                    )


# -- places -----------------------------------------------------------------------------


class _Places:
    """Places by location id, each read once per load and shared by every fact that names it."""

    def __init__(self) -> None:
        self.known: dict[int, Place] = {}

    def read(self, location_ids: Iterable[int | None]) -> None:
        wanted = {pk for pk in location_ids if pk is not None and pk not in self.known}
        for pk, kind, force_area, local_authority, latitude, longitude in _by_ids(
            Location, "kind, force_area, local_authority, latitude, longitude", wanted
        ):
            self.known[pk] = Place(
                kind=kind,
                force_area=force_area or "",
                local_authority=local_authority or "",
                latitude=latitude,
                longitude=longitude,
            )

    def get(self, location_id: int | None) -> Place | None:
        return None if location_id is None else self.known.get(location_id)


# -- SQL and values ---------------------------------------------------------------------
# Every name put into the SQL text (the "noqa: S608" lines) is a model's table or a fixed
# column list; every value is bound as a parameter.


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _marks(ids: Sequence[Any]) -> str:
    return f"({', '.join(['%s'] * len(ids))})"


def _select(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_ids(model: type[Model], columns: str, ids: set[int]) -> list[tuple]:
    """Return (id, columns...) of the rows with these ids, in lists of CHUNK ids."""
    wanted = sorted(ids)
    rows: list[tuple] = []
    for start in range(0, len(wanted), CHUNK):
        some = wanted[start : start + CHUNK]
        rows += _select(
            f"SELECT id, {columns} FROM {_table(model)} WHERE id IN {_marks(some)}",  # noqa: S608
            some,
        )
    return rows


def _stored(moment: datetime) -> Any:
    """Return a datetime as the database stores it, to compare with stored values."""
    return connection.ops.adapt_datetimefield_value(moment)


def _moment(value: datetime | str) -> datetime:
    """Return a stored datetime as an aware UTC datetime (SQLite's driver gives naive UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _day(value: date | str | None) -> date | None:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _json(value: Any) -> Any:
    """Return a JSON column's value: Django's drivers hand it over as text to be decoded."""
    return json.loads(value) if isinstance(value, str) else value


def _attributes(value: Any) -> Mapping[str, Any]:
    if value is None or value == "{}":
        return _EMPTY
    if isinstance(value, dict):
        return value
    return _Attributes(value)


class _Attributes(Mapping):
    """An event's attributes, decoded from their JSON text when first read.

    Few rules look at attributes, and only of a few kinds of event, so most never are: a
    full re-screen decoded a million of them for nothing.
    """

    __slots__ = ("_text", "_value")

    def __init__(self, text: str):
        self._text = text
        self._value: dict | None = None

    def _decoded(self) -> dict:
        if self._value is None:
            value = json.loads(self._text)
            self._value = value if isinstance(value, dict) else {}
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date() if moment.tzinfo else moment.date()
