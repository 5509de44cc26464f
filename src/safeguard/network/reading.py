"""Read the graph's nodes and ties from the records, for a window of dates (graph.py).

Three sources make ties: links (each kind as it is recorded; phone contacts with their
counts), the people in one event (same_event; present_at when it happened at a home, trap
house or cuckooed address), and a phone held by a person in an event (uses_phone). Each tie
names the record it came from. An event with more people than `crowd` makes no same_event
ties: a raid's or a school's dozens of people are not each other's associates.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import Q

from safeguard.network import graph as g
from safeguard.records import models as m
from safeguard.records import vocabulary as v
from safeguard.records.ages import UK

CHUNK = 2000
# Places where being present in an event ties a person to the address.
ADDRESS_KINDS = (
    v.LocationKind.HOME,
    v.LocationKind.TRAP_HOUSE,
    v.LocationKind.CUCKOOED_ADDRESS,
    v.LocationKind.CARE_HOME,
)
# Roles in an event that say nothing of who the person is tied to.
DETACHED_ROLES = (v.Role.REPORTER, v.Role.WITNESS)
# What network analysis itself recorded: never read back as evidence of a tie.
OWN_FINDINGS = (v.EventKind.LINE_MEMBERSHIP,)
LINK_KINDS = tuple(k for k in g.TIE_ENDS if k in v.LinkKind.values)


def load(
    start: date | None = None, end: date | None = None, crowd: int = 8
) -> tuple[list[g.Node], list[g.Tie]]:
    """Return the nodes and ties of the records dated within [start, end] (None: open)."""
    raw: list[tuple] = []  # (a, b, kind, source, first, last, count) with record ids
    raw.extend(_links(start, end))
    raw.extend(_events(start, end, crowd))
    raw.extend(_held_phones(start, end))
    persons = {r[0][1] for r in raw if r[0][0] == g.PERSON} | {
        r[1][1] for r in raw if r[1][0] == g.PERSON
    }
    phones = {r[1][1] for r in raw if r[1][0] == g.PHONE} | {
        r[0][1] for r in raw if r[0][0] == g.PHONE
    }
    locations = {r[1][1] for r in raw if r[1][0] == g.LOCATION}
    nodes: dict[str, g.Node] = {}
    key_of: dict[tuple[str, int], str] = {}
    for record_id, node in _persons(persons):
        key_of[(g.PERSON, record_id)] = node.key
        held = nodes.setdefault(node.key, node)
        if held is not node:
            held.records.append(record_id)
            held.facts["flags"] |= node.facts["flags"]
            held.facts["agencies"] |= node.facts["agencies"]
    for record_id, node in _phones(phones):
        key_of[(g.PHONE, record_id)] = node.key
        held = nodes.setdefault(node.key, node)
        if held is not node:
            held.records.append(record_id)
            held.facts["deal_line"] = held.facts["deal_line"] or node.facts["deal_line"]
            held.facts["line_name"] = held.facts["line_name"] or node.facts["line_name"]
            held.facts["agencies"] |= node.facts["agencies"]
    for record_id, node in _locations(locations):
        key_of[(g.LOCATION, record_id)] = node.key
        nodes[node.key] = node
    ties = [
        g.Tie(key_of[a], key_of[b], kind, source, first, last, count)
        for a, b, kind, source, first, last, count in raw
    ]
    return list(nodes.values()), ties


def _day(value: date | datetime | None) -> date | None:
    """Return the UK calendar day of a moment (as ages and the window filters count it)."""
    if isinstance(value, datetime):
        return value.astimezone(UK).date() if value.tzinfo else value.date()
    return value


def _links(start: date | None, end: date | None) -> Iterator[tuple]:
    query = m.Link.objects.filter(kind__in=LINK_KINDS)
    if end is not None:
        query = query.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
    if start is not None:
        # A link with no end date is open (lives at X since 2020 still counts in 2025); one
        # with no dates but asserted by an event is dated by the event, below.
        query = query.filter(Q(valid_to__gte=start) | Q(valid_to__isnull=True))
    # In id order: the same records always make the same graph (edge order, merged nodes'
    # keys, the sources a reason names first), whatever order the database returns rows in.
    rows = query.order_by("id").values_list(
        "id",
        "kind",
        "from_person_id",
        "from_phone_id",
        "to_person_id",
        "to_phone_id",
        "to_location_id",
        "valid_from",
        "valid_to",
        "count",
        "event__occurred_at",
    )
    for (
        lid,
        kind,
        fperson,
        fphone,
        tperson,
        tphone,
        tlocation,
        vfrom,
        vto,
        count,
        at,
    ) in rows.iterator(chunk_size=CHUNK):
        if vfrom is None and vto is None:
            first = last = _day(at)  # asserted on the event's day; undated without one
        else:
            first, last = vfrom, vto  # an end not given is open
        if not g.in_window(first, last, start, end):
            continue
        a = (g.PERSON, fperson) if fperson else (g.PHONE, fphone)
        if tperson:
            b = (g.PERSON, tperson)
        elif tphone:
            b = (g.PHONE, tphone)
        else:
            b = (g.LOCATION, tlocation)
        yield a, b, kind, f"link:{lid}", first, last, count or 1


def _events(start: date | None, end: date | None, crowd: int) -> Iterator[tuple]:
    query = m.Participation.objects.exclude(role__in=DETACHED_ROLES).exclude(
        event__kind__in=OWN_FINDINGS
    )
    if start is not None:
        query = query.filter(occurred_at__date__gte=start)
    if end is not None:
        query = query.filter(occurred_at__date__lte=end)
    rows = query.order_by("event_id", "person_id", "id").values_list(
        "event_id", "person_id", "occurred_at", "event__location_id", "event__location__kind"
    )
    current, people, at, place, place_kind = None, [], None, None, None

    def flush() -> Iterator[tuple]:
        day = _day(at)
        source = f"event:{current}"
        if place is not None and place_kind in ADDRESS_KINDS:
            for person in people:
                yield (g.PERSON, person), (g.LOCATION, place), "present_at", source, day, day, 1
        if 1 < len(people) <= crowd:
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    yield (g.PERSON, a), (g.PERSON, b), "same_event", source, day, day, 1

    for event_id, person, occurred, location, kind in rows.iterator(chunk_size=CHUNK):
        if event_id != current:
            if current is not None:
                yield from flush()
            current, people, at, place, place_kind = event_id, [], occurred, location, kind
        if person not in people:
            people.append(person)
    if current is not None:
        yield from flush()


def _held_phones(start: date | None, end: date | None) -> Iterator[tuple]:
    query = m.EventObject.objects.filter(phone__isnull=False, holder__isnull=False).exclude(
        event__kind__in=OWN_FINDINGS
    )
    if start is not None:
        query = query.filter(event__occurred_at__date__gte=start)
    if end is not None:
        query = query.filter(event__occurred_at__date__lte=end)
    rows = query.order_by("event_id", "id").values_list(
        "event_id", "holder_id", "phone_id", "event__occurred_at"
    )
    for event_id, holder, phone, at in rows.iterator(chunk_size=CHUNK):
        day = _day(at)
        yield (g.PERSON, holder), (g.PHONE, phone), "uses_phone", f"event:{event_id}", day, day, 1


def _chunks(ids: set[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def _persons(ids: set[int]) -> Iterator[tuple[int, g.Node]]:
    """Yield each person record's node: records agreeing exactly on names and birth are one."""
    first_of: dict[tuple, str] = {}
    for chunk in _chunks(ids):
        rows = (
            m.Person.objects.filter(id__in=chunk)
            .order_by("id")
            .values_list(
                "id", "given_name", "family_name", "date_of_birth", "flags", "agency__code"
            )
        )
        for pid, given, family, dob, flags, agency in rows:
            same = (given.strip().lower(), family.strip().lower(), dob)
            key = first_of.get(same) if given and family and dob else None
            if key is None:
                key = g.person_key(pid)
                if given and family and dob:
                    first_of[same] = key
            label = f"{given} {family}".strip() or f"person {pid}"
            facts = {"date_of_birth": dob, "flags": set(flags or ()), "agencies": {agency}}
            yield pid, g.Node(key=key, kind=g.PERSON, label=label, records=[pid], facts=facts)


def _phones(ids: set[int]) -> Iterator[tuple[int, g.Node]]:
    for chunk in _chunks(ids):
        rows = (
            m.Phone.objects.filter(id__in=chunk)
            .order_by("id")
            .values_list("id", "number", "is_deal_line", "line_name", "agency__code")
        )
        for pid, number, deal, name, agency in rows:
            key = g.phone_key(number)
            facts = {"deal_line": deal, "line_name": name, "number": number, "agencies": {agency}}
            yield pid, g.Node(key=key, kind=g.PHONE, label=number, records=[pid], facts=facts)


def _locations(ids: set[int]) -> Iterator[tuple[int, g.Node]]:
    for chunk in _chunks(ids):
        rows = (
            m.Location.objects.filter(id__in=chunk)
            .order_by("id")
            .values_list(
                "id",
                "kind",
                "name",
                "address",
                "postcode",
                "force_area",
                "local_authority",
                "latitude",
                "longitude",
            )
        )
        for lid, kind, name, address, postcode, force, authority, lat, lon in rows:
            label = name or address.split("\n")[0] or postcode or f"location {lid}"
            facts = {
                "kind": kind,
                "force_area": force,
                "local_authority": authority,
                "town": _town(address),
                "postcode": postcode,
                "latitude": lat,
                "longitude": lon,
            }
            yield (
                lid,
                g.Node(
                    key=g.location_key(lid),
                    kind=g.LOCATION,
                    label=label,
                    records=[lid],
                    facts=facts,
                ),
            )


def _town(address: str) -> str:
    """Return the town of an address as recorded: its last line that is not a postcode."""
    lines = [x.strip() for x in address.replace(",", "\n").split("\n") if x.strip()]
    for line in reversed(lines):
        if not any(c.isdigit() for c in line[-3:]):
            return line
    return ""


def grouped(nodes: list[g.Node]) -> dict[str, list[g.Node]]:
    """Return the nodes by kind (a convenience for callers and tests)."""
    out: dict[str, list[g.Node]] = defaultdict(list)
    for node in nodes:
        out[node.kind].append(node)
    return out
