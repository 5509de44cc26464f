"""The loader of screening facts: ChildFacts built from the records store in set-based queries.

Screening runs over many children at once (every child in a new event, a nightly re-screen),
so the facts of a chunk of persons are read in a fixed number of queries (QUERIES_PER_CHUNK),
never one query per person. Only what screening.facts has a field for is read: never a name,
sex or ethnicity (DOMAIN.md section 3).
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from safeguard.records import vocabulary as v
from safeguard.records.ages import UK, age_on
from safeguard.records.models import EventObject, Link, Participation, Person
from safeguard.screening.facts import ChildFacts, EventFact, LinkFact, Place

# Persons per chunk. The largest query (links from or to a person) binds two lists of this
# many ids; SQLite builds before 3.32 allow at most 999 parameters in one statement.
CHUNK = 400
# At most: a chunk with no stored person stops after one, one with no events or no phones
# used skips the queries that would find nothing.
QUERIES_PER_CHUNK = 6

_PLACE = ("kind", "force_area", "local_authority", "latitude", "longitude")


def load_facts(
    person_ids: Sequence[int], *, until: datetime | None = None
) -> dict[int, ChildFacts]:
    """Return the facts of each person record, in a fixed number of queries per chunk of persons.

    `until` leaves out events after it and links dated after its (UK) day, so a screening
    "as it stood then" sees only what had happened by then. Persons not stored are absent.
    """
    ids = list(dict.fromkeys(person_ids))  # first appearance fixes the order of the result
    facts: dict[int, ChildFacts] = {}
    for start in range(0, len(ids), CHUNK):
        facts.update(_load_chunk(ids[start : start + CHUNK], until))
    return facts


@dataclass
class _Event:
    """One person's part in one event, gathered over rows before it is frozen."""

    id: int
    kind: str
    occurred_at: datetime
    place: Place | None
    attributes: dict[str, Any]
    roles: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    phones: set[int] = field(default_factory=set)


def _load_chunk(ids: list[int], until: datetime | None) -> dict[int, ChildFacts]:
    persons = {
        pk: (dob, frozenset(flags or ()))
        for pk, dob, flags in Person.objects.filter(pk__in=ids).values_list(
            "pk", "date_of_birth", "flags"
        )
    }
    if not persons:
        return {}
    until_day = _uk_day(until) if until is not None else None
    events = _events(ids, until)
    link_rows = _link_rows(ids)
    links: dict[int, list[LinkFact]] = defaultdict(list)
    homes: dict[int, tuple[tuple[date, int], Place]] = {}
    phones_used: dict[int, set[int]] = defaultdict(set)
    for row in link_rows:
        on = _link_day(row["valid_from"], row["event_at"], row["recorded_at"])
        if until_day is not None and on > until_day:
            continue
        for person_id, other in _ends(row, persons):
            fact = _link_fact(row, on, other)
            links[person_id].append(fact)
            if row["kind"] == v.LinkKind.USES_PHONE and other == "to_phone":
                phones_used[person_id].add(row["to_phone"])
            if row["kind"] == v.LinkKind.LIVES_AT and other == "to_location":
                latest = (row["valid_from"] or date.min, row["id"])
                if person_id not in homes or latest > homes[person_id][0]:
                    homes[person_id] = (latest, fact.other_place)
    for person_id, fact in _contacts(phones_used, until_day):
        links[person_id].append(fact)

    return {
        pk: ChildFacts(
            person_id=pk,
            date_of_birth=persons[pk][0],
            flags=persons[pk][1],
            home=homes[pk][1] if pk in homes else None,
            events=tuple(
                sorted(events.get(pk, ()), key=lambda e: (e.occurred_at, e.id)),
            ),
            links=tuple(
                sorted(
                    links.get(pk, ()),
                    key=lambda k: (k.on, k.id, k.via_phone is not None, k.via_phone or 0),
                )
            ),
        )
        for pk in ids
        if pk in persons
    }


# -- events: 3 queries ------------------------------------------------------------------


def _events(ids: list[int], until: datetime | None) -> dict[int, list[EventFact]]:
    """Return each person's events, roles merged, with what they held and who else was there."""
    window = Q() if until is None else Q(event__occurred_at__lte=until)
    parts: dict[tuple[int, int], _Event] = {}
    rows = (
        Participation.objects.filter(window, person_id__in=ids)
        .values_list(
            "person_id",
            "event_id",
            "role",
            "event__kind",
            "event__occurred_at",
            "event__attributes",
            *(f"event__location__{name}" for name in _PLACE),
        )
        .order_by()
    )
    for person_id, event_id, role, kind, occurred_at, attributes, *place in rows:
        key = (person_id, event_id)
        if key not in parts:
            parts[key] = _Event(
                id=event_id,
                kind=kind,
                occurred_at=occurred_at,
                place=_place(*place),
                attributes=attributes if isinstance(attributes, dict) else {},
            )
        parts[key].roles.add(role)
    if not parts:
        return {}

    # Objects the person held: only those of events the person took part in become facts.
    held = EventObject.objects.filter(window, holder_id__in=ids).values_list(
        "holder_id", "event_id", "phone_id", "item__kind"
    )
    for holder_id, event_id, phone_id, item_kind in held.order_by():
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
    mine = Q(event__participations__person_id__in=ids)
    if until is not None:
        mine &= Q(event__occurred_at__lte=until)
    everyone = Participation.objects.filter(mine).values_list(
        "event_id", "person_id", "age_at_event"
    )
    for event_id, person_id, age in everyone.order_by():
        ages[event_id][person_id] = age

    events: dict[int, list[EventFact]] = defaultdict(list)
    for (person_id, event_id), part in parts.items():
        others = [a for p, a in ages[event_id].items() if p != person_id]
        events[person_id].append(
            EventFact(
                id=part.id,
                kind=part.kind,
                occurred_at=part.occurred_at,
                roles=frozenset(part.roles),
                place=part.place,
                items=frozenset(part.items),
                phones=len(part.phones),
                others_ages=tuple(sorted(others, key=lambda a: (a is None, a or 0))),
                attributes=part.attributes,
            )
        )
    return events


# -- links: 2 queries -------------------------------------------------------------------

_ENDS = ("from_person", "from_phone", "to_person", "to_phone", "to_location", "to_item")
_OTHER = {
    "from_person": v.EntityType.PERSON.value,
    "to_person": v.EntityType.PERSON.value,
    "from_phone": v.EntityType.PHONE.value,
    "to_phone": v.EntityType.PHONE.value,
    "to_location": v.EntityType.LOCATION.value,
    "to_item": v.EntityType.ITEM.value,
}


def _link_rows(ids: list[int]) -> list[dict[str, Any]]:
    """Return every link from or to the persons, with what screening needs of its other end."""
    columns = {
        "id": "id",
        "kind": "kind",
        **{end: f"{end}_id" for end in _ENDS},
        "valid_from": "valid_from",
        "recorded_at": "recorded_at",
        "event_at": "event__occurred_at",
        "count": "count",
        "from_person_dob": "from_person__date_of_birth",
        "to_person_dob": "to_person__date_of_birth",
        "from_phone_deal": "from_phone__is_deal_line",
        "to_phone_deal": "to_phone__is_deal_line",
        **{f"place_{name}": f"to_location__{name}" for name in _PLACE},
    }
    rows = (
        Link.objects.filter(Q(from_person_id__in=ids) | Q(to_person_id__in=ids))
        .values_list(*columns.values())
        .order_by()
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _ends(row: dict[str, Any], persons: dict[int, Any]) -> Iterator[tuple[int, str]]:
    """Yield (person, other end) for each loaded person at an end of the link."""
    for mine, theirs in (("from_person", "to"), ("to_person", "from")):
        person_id = row[mine]
        if mine == "to_person" and person_id == row["from_person"]:
            continue  # a link of a person to itself is one fact, not two
        if person_id in persons:
            other = next(
                (end for end in _ENDS if end.startswith(theirs) and row[end] is not None), None
            )
            if other is not None:
                yield person_id, other


def _link_fact(row: dict[str, Any], on: date, other: str) -> LinkFact:
    place = None
    if other == "to_location":
        place = _place(*(row[f"place_{name}"] for name in _PLACE))
    return LinkFact(
        id=row["id"],
        kind=row["kind"],
        on=on,
        other=_OTHER[other],
        other_age=age_on(row[f"{other}_dob"], on) if other.endswith("_person") else None,
        other_deal_line=bool(row[f"{other}_deal"]) if other.endswith("_phone") else False,
        other_place=place,
        count=row["count"],
    )


# -- phone contacts: 1 query (one more per 400 phones the chunk uses) -------------------


def _contacts(
    phones_used: dict[int, set[int]], until_day: date | None
) -> Iterator[tuple[int, LinkFact]]:
    """Yield (person, contact) for each contact of a phone the person uses with another phone.

    The phones are those of the uses_phone links already read, named in the query (a few
    per person; chunked to stay under SQLite's parameter limit): with a subquery instead,
    PostgreSQL scanned every contact link in the store for each chunk.
    """
    if not phones_used:
        return
    used = sorted({phone for phones in phones_used.values() for phone in phones})
    found: dict[int, tuple] = {}  # by link id: a contact between two chunks' phones once
    for start in range(0, len(used), CHUNK):
        phones = used[start : start + CHUNK]
        # The kind is checked here, not in SQL: with `kind =` in the query SQLite, which
        # has no statistics, walked every contact link by the kind index (60 ms a child at
        # 100,000 children) instead of the two phone indexes (under 1 ms).
        rows = (
            Link.objects.filter(Q(from_phone_id__in=phones) | Q(to_phone_id__in=phones))
            .values_list(
                "kind",
                "id",
                "from_phone_id",
                "to_phone_id",
                "from_phone__is_deal_line",
                "to_phone__is_deal_line",
                "valid_from",
                "recorded_at",
                "event__occurred_at",
                "count",
            )
            .order_by()
        )
        found.update((row[1], row[1:]) for row in rows if row[0] == v.LinkKind.CONTACT)
    rows = [found[pk] for pk in sorted(found)]
    users: dict[int, list[int]] = defaultdict(list)
    for person_id, phones in phones_used.items():
        for phone_id in phones:
            users[phone_id].append(person_id)
    for pk, a, b, a_deal, b_deal, valid_from, recorded_at, event_at, count in rows:
        if a is None or b is None:
            continue
        on = _link_day(valid_from, event_at, recorded_at)
        if until_day is not None and on > until_day:
            continue
        ends = ((a, b_deal), (b, a_deal)) if a != b else ((a, b_deal),)
        for mine, other_deal in ends:
            for person_id in users.get(mine, ()):
                yield (
                    person_id,
                    LinkFact(
                        id=pk,
                        kind=v.LinkKind.CONTACT.value,
                        on=on,
                        other=v.EntityType.PHONE.value,
                        other_deal_line=bool(other_deal),
                        count=count,
                        via_phone=mine,
                    ),
                )


# -- helpers ----------------------------------------------------------------------------


def _place(
    kind: str | None,
    force_area: str | None,
    local_authority: str | None,
    latitude: float | None,
    longitude: float | None,
) -> Place | None:
    """Return the Place of joined location columns, or None when there is no location."""
    if kind is None:
        return None
    return Place(
        kind=kind,
        force_area=force_area or "",
        local_authority=local_authority or "",
        latitude=latitude,
        longitude=longitude,
    )


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date() if moment.tzinfo else moment.date()


def _link_day(valid_from: date | None, event_at: datetime | None, recorded_at: datetime) -> date:
    """Return the day a link is dated: its start, else its event's day, else the day recorded."""
    if valid_from is not None:
        return valid_from
    return _uk_day(event_at if event_at is not None else recorded_at)
