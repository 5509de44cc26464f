"""Recommending legal tools: read the facts of a chunk of events, apply the catalogue, store.

Set-based like the duties: for a chunk of events, the events, the people in them, the
links to and from those people, places and phones, and the history the conditions count
(the other events of the adults concerned, the children's missing reports) are read in a
bounded number of queries; the pure conditions (safeguarding/tools.py) decide; new
recommendations are stored in bulk, new evidence added to an undecided recommendation of
the same tool for the same person. A triggering event already on one is skipped, so
recommending from the same events again stores nothing new.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from safeguard.clock import now
from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE
from safeguard.records.models import Event, EventObject, Link, Location, Participation, Person
from safeguard.records.models import Phone as PhoneRecord
from safeguard.safeguarding import tools
from safeguard.safeguarding.models import ToolRecommendation
from safeguard.safeguarding.services import of_kinds, taking_part
from safeguard.safeguarding.tools import (
    EventFacts,
    Facts,
    LinkFacts,
    PersonFacts,
    PhoneFacts,
    PhoneHeld,
    PlaceFacts,
    Suggestion,
    ToolCatalogue,
)
from safeguard.safeguarding.vocabulary import RecommendationStatus

CHUNK = 500  # events a chunk, and ids in any one IN list


class RecommendationError(ValueError):
    """A change of a recommendation that is not allowed, with the reason in words."""


class RecommendationConflict(RecommendationError):
    """A change decided on a version of the recommendation that someone else has changed."""


def recommend(event_ids: Sequence[int] | None = None) -> list[ToolRecommendation]:
    """Store the recommendations these events call for (None: every event stored); return
    the new ones. Running it again on the same events stores nothing."""
    catalogue = tools.current()
    ids = _candidates(catalogue, None if event_ids is None else list(dict.fromkeys(event_ids)))
    stored: list[ToolRecommendation] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = tools.suggest(catalogue, load_facts(chunk, catalogue), chunk)
        stored += _store(found, catalogue)
    return stored


def _candidates(catalogue: ToolCatalogue, among: list[int] | None) -> list[int]:
    """Return the ids of the events (among these; None: all stored) that any condition may be
    triggered by, in order: most of a batch (school, hospital, ...) triggers none, and is
    not read further."""
    kinds: set[str] = set()
    deal_lines = False
    for tool in catalogue.tools:
        when = tool.when
        if isinstance(when, tools.MissingChildFound):
            kinds |= set(when.found_in)
        elif isinstance(when, tools.AdultControlsChildren):
            kinds |= set(when.together_in) | ({v.EventKind.CHARGE} if when.charged else set())
            deal_lines = deal_lines or when.deal_line_phone
        else:
            kinds |= set(when.kinds)
    flagged = PhoneRecord.objects.filter(is_deal_line=True).values("number")

    def held(objects: Q) -> set[int]:
        """Events in which someone held a number any agency flags as a deal line."""
        if not deal_lines:
            return set()
        return set(
            EventObject.objects.filter(
                objects, phone__number__in=flagged, holder__isnull=False
            ).values_list("event_id", flat=True)
        )

    if among is None:
        every = set(Event.objects.filter(kind__in=kinds).values_list("id", flat=True))
        return sorted(every | held(Q()))
    found: set[int] = set(of_kinds(among, kinds))
    for start in range(0, len(among), CHUNK):
        found |= held(Q(event_id__in=among[start : start + CHUNK]))
    return sorted(found)


# -- facts --------------------------------------------------------------------------------


def load_facts(event_ids: Sequence[int], catalogue: ToolCatalogue) -> Facts:
    """Return the facts the catalogue's conditions need to judge these events.

    First the events themselves, every agency's record of the phones in them (a number is
    the line), and the links of the people, places and phones; then the history the
    conditions count: the other events of the adults (with children, with a deal line they
    use, their charges) and the missing reports of the children found.
    """
    events = _events(event_ids)
    phones = _numbers_of(_phones_in(events))
    links = _links(_persons_in(events), _places_in(events), set(phones), _link_kinds(catalogue))
    phones |= _numbers_of({k.to_phone_id for k in links.values() if k.to_phone_id} - set(phones))
    history = _history(catalogue, events, links, phones)
    events.update(_events(sorted(history - set(events))))
    phones |= _numbers_of(_phones_in(events) - set(phones))
    persons = _persons_in(events)
    persons |= {k.person_id for k in links.values()}
    persons |= {k.to_person_id for k in links.values() if k.to_person_id is not None}
    places = _places_in(events) | {k.to_place_id for k in links.values() if k.to_place_id}
    return Facts(
        events=events,
        persons=_persons(persons),
        places=_places(places),
        phones=phones,
        links=tuple(links[pk] for pk in sorted(links)),
    )


def _persons_in(events: dict[int, EventFacts]) -> set[int]:
    """Return everyone who took part in the events or held a phone in them."""
    found = {t.person_id for e in events.values() for t in e.taking_part}
    return found | {h.holder_id for e in events.values() for h in e.phones if h.holder_id}


def _places_in(events: dict[int, EventFacts]) -> set[int]:
    return {e.place_id for e in events.values() if e.place_id is not None}


def _phones_in(events: dict[int, EventFacts]) -> set[int]:
    return {h.phone_id for e in events.values() for h in e.phones}


def _in(ids: Iterable[int], read: Callable[[list[int]], Iterable[Any]]) -> list[Any]:
    """Return read(some ids) over the ids in lists of CHUNK, so no IN list grows unbounded."""
    wanted = sorted(set(ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        rows += list(read(wanted[start : start + CHUNK]))
    return rows


def _events(event_ids: Sequence[int]) -> dict[int, EventFacts]:
    """Return the events with who took part (roles merged, age then) and the phones held."""
    if not event_ids:
        return {}
    rows = _in(
        event_ids,
        lambda ids: Event.objects.filter(id__in=ids).values_list(
            "id", "kind", "occurred_at", "agency_id", "location_id", "grading", "attributes"
        ),
    )
    parts = taking_part(list(event_ids))
    phones: dict[int, list[PhoneHeld]] = defaultdict(list)
    for event_id, phone_id, holder_id in _in(
        event_ids,
        lambda ids: (
            EventObject.objects.filter(event_id__in=ids, phone__isnull=False)
            .order_by("id")
            .values_list("event_id", "phone_id", "holder_id")
        ),
    ):
        phones[event_id].append(PhoneHeld(phone_id, holder_id))
    return {
        pk: EventFacts(
            id=pk,
            kind=kind,
            occurred_at=occurred_at,
            agency_id=agency_id,
            place_id=location_id,
            grading=grading,
            attributes=attributes if isinstance(attributes, dict) else {},
            taking_part=parts.get(pk, ()),
            phones=tuple(phones[pk]),
        )
        for pk, kind, occurred_at, agency_id, location_id, grading, attributes in rows
    }


_LINK_COLUMNS = (
    "id",
    "kind",
    "from_person_id",
    "to_person_id",
    "to_location_id",
    "to_phone_id",
    "valid_from",
    "valid_to",
)


def _link_kinds(catalogue: ToolCatalogue) -> set[str]:
    """Return the kinds of link the catalogue's conditions read (homes always: a child in
    a children's home is in care; a child found at home is not harboured)."""
    kinds: set[str] = {v.LinkKind.LIVES_AT}
    for tool in catalogue.tools:
        when = tool.when
        if isinstance(when, tools.MissingChildFound):
            kinds |= set(when.adult_links) | set(when.except_linked_by)
        elif isinstance(when, tools.AdultControlsChildren):
            kinds |= {v.LinkKind.USES_PHONE} if when.deal_line_phone else set()
        elif isinstance(when, tools.CuckooedAddress):
            kinds |= set(when.resident_links)
    return kinds


def _links(
    persons: set[int], places: set[int], phones: set[int], kinds: set[str]
) -> dict[int, LinkFacts]:
    """Return the links of these kinds from or to these persons, to these places and to
    these phones, and the phone links of the people found at the far end."""
    found: dict[int, LinkFacts] = {}
    for field, ids in (
        ("from_person_id", persons),
        ("to_person_id", persons),
        ("to_location_id", places),
        ("to_phone_id", phones),
    ):
        found.update(_link_rows(field, ids, kinds))
    if v.LinkKind.USES_PHONE in kinds:
        # The phones of adults found only at the far end (a deal line's user, an address's
        # resident): their own uses_phone links, so their other deal lines count too.
        more = {k.person_id for k in found.values()} - persons
        found.update(_link_rows("from_person_id", more, {v.LinkKind.USES_PHONE}))
    return found


def _link_rows(field: str, ids: set[int], kinds: set[str]) -> dict[int, LinkFacts]:
    rows = _in(
        ids,
        lambda some: Link.objects.filter(
            Q(**{f"{field}__in": some}), kind__in=sorted(kinds), from_person__isnull=False
        ).values_list(*_LINK_COLUMNS),
    )
    return {
        pk: LinkFacts(
            id=pk,
            kind=kind,
            person_id=from_person,
            to_person_id=to_person,
            to_place_id=to_place,
            to_phone_id=to_phone,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for pk, kind, from_person, to_person, to_place, to_phone, valid_from, valid_to in rows
    }


def _history(
    catalogue: ToolCatalogue,
    events: dict[int, EventFacts],
    links: dict[int, LinkFacts],
    phones: dict[int, PhoneFacts],
) -> set[int]:
    """Return the ids of the other events the conditions count for the people concerned."""
    controls = catalogue.conditions(tools.AdultControlsChildren)
    found_in = {k for w in catalogue.conditions(tools.MissingChildFound) for k in w.found_in}
    wanted: set[int] = set()
    if controls:
        adults = {
            t.person_id
            for e in events.values()
            for t in e.taking_part
            if t.age is not None and t.age >= ADULT_AGE
        }
        # Whoever uses a phone in these facts may be a deal line's holder.
        adults |= {k.person_id for k in links.values() if k.kind == v.LinkKind.USES_PHONE}
        kinds = {k for w in controls for k in w.together_in}
        kinds |= {v.EventKind.CHARGE} if any(w.charged for w in controls) else set()
        wanted |= _taking_part_in(adults, kinds)
        if any(w.deal_line_phone for w in controls):
            deal_lines = {p.number for p in phones.values() if p.deal_line and p.number}
            used = {
                phones[k.to_phone_id].number
                for k in links.values()
                if k.kind == v.LinkKind.USES_PHONE and k.to_phone_id in phones
            }
            wanted |= _holding(used & deal_lines)
    if found_in:
        found = {
            t.person_id
            for e in events.values()
            if e.kind in found_in
            for t in e.taking_part
            if v.Role.MISSING_PERSON in t.roles
        }
        wanted |= _taking_part_in(found, {v.EventKind.MISSING_EPISODE})
    return wanted


def _taking_part_in(persons: set[int], kinds: set[str]) -> set[int]:
    """Return the ids of events of these kinds these persons took part in.

    In two steps, the persons' events by the person index, then their kinds by primary key:
    joined in one query, SQLite walks every event of the kinds (all arrests, say) instead.
    """
    if not kinds:
        return set()
    theirs = _in(
        persons,
        lambda ids: Participation.objects.filter(person_id__in=ids).values_list(
            "event_id", flat=True
        ),
    )
    return set(of_kinds(sorted(set(theirs)), kinds))


def _holding(numbers: set[str]) -> set[int]:
    """Return the ids of events in which someone held a phone with one of these numbers."""
    found: list[int] = []
    wanted = sorted(numbers)
    for start in range(0, len(wanted), CHUNK):
        found += EventObject.objects.filter(
            phone__number__in=wanted[start : start + CHUNK], holder__isnull=False
        ).values_list("event_id", flat=True)
    return set(found)


def _persons(ids: set[int]) -> dict[int, PersonFacts]:
    rows = _in(
        ids,
        lambda some: Person.objects.filter(id__in=some).values_list(
            "id", "given_name", "family_name", "source_ref", "date_of_birth", "flags"
        ),
    )
    return {
        pk: PersonFacts(
            id=pk,
            name=f"{given} {family}".strip(),
            ref=ref,
            date_of_birth=dob,
            flags=frozenset(flags or ()),
        )
        for pk, given, family, ref, dob, flags in rows
    }


def _places(ids: set[int]) -> dict[int, PlaceFacts]:
    rows = _in(
        ids,
        lambda some: Location.objects.filter(id__in=some).values_list(
            "id", "kind", "name", "address", "postcode", "source_ref"
        ),
    )
    return {
        pk: PlaceFacts(pk, kind, name, address, postcode, ref)
        for pk, kind, name, address, postcode, ref in rows
    }


def _numbers_of(ids: set[int]) -> dict[int, PhoneFacts]:
    """Return these phone records and every other record of the same numbers."""
    rows = _in(
        ids,
        lambda some: PhoneRecord.objects.filter(
            number__in=PhoneRecord.objects.filter(id__in=some).values("number")
        ).values_list("id", "number", "is_deal_line", "line_name"),
    )
    return {pk: PhoneFacts(pk, number, deal, line) for pk, number, deal, line in rows}


# -- storing ------------------------------------------------------------------------------


def _store(found: Sequence[Suggestion], catalogue: ToolCatalogue) -> list[ToolRecommendation]:
    """Store what the suggestions add; return the recommendations created or added to.

    While a recommendation of a tool against a person is still undecided, new evidence is
    added to it (its events, reasons and the children it protects) rather than opening
    another: the person deciding sees one recommendation with all its evidence. After a
    decision, new evidence opens a new one. A triggering event already on a
    recommendation of the tool for the person is skipped, so recommending again adds nothing.
    """
    rows: dict[tuple[str, int], list[ToolRecommendation]] = defaultdict(list)
    for row in _existing({s.subject_id for s in found}):
        rows[(row.tool, row.subject_id)].append(row)
    at = now()
    new: list[ToolRecommendation] = []
    grown: dict[int, ToolRecommendation] = {}
    for s in found:
        mine = rows[(s.tool, s.subject_id)]
        if any(s.trigger_id in row.events for row in mine):
            continue
        open_row = next((r for r in mine if r.status == RecommendationStatus.RECOMMENDED), None)
        if open_row is None:
            open_row = ToolRecommendation(
                key=s.key,
                tool=s.tool,
                catalogue=catalogue.label,
                agency_id=s.agency_id,
                subject_id=s.subject_id,
                protects=[],
                events=[],
                reasons=[],
                recommended_at=at,
            )
            mine.append(open_row)
            new.append(open_row)
        elif open_row.pk is not None:
            grown[open_row.pk] = open_row
        open_row.events += [e for e in s.event_ids if e not in open_row.events]
        open_row.reasons += [r for r in s.reasons if r not in open_row.reasons]
        open_row.protects += [p for p in s.protects if p not in open_row.protects]
    with transaction.atomic():
        ToolRecommendation.objects.bulk_create(new)
        for row in grown.values():
            row.version += 1
        ToolRecommendation.objects.bulk_update(
            list(grown.values()), ["events", "reasons", "protects", "version"]
        )
    return new + list(grown.values())


def _existing(subjects: set[int]) -> list[ToolRecommendation]:
    """Return every recommendation about these persons (in chunks of ids)."""
    ids = sorted(subjects)
    found: list[ToolRecommendation] = []
    for start in range(0, len(ids), CHUNK):
        found += ToolRecommendation.objects.filter(subject_id__in=ids[start : start + CHUNK])
    return found


# The statuses a person records: a recommendation is acted on, or declined with a reason.
_DECISIONS = frozenset({RecommendationStatus.ACTIONED, RecommendationStatus.DECLINED})


def set_status(
    recommendation: ToolRecommendation,
    status: str,
    *,
    by_name: str,
    by=None,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> ToolRecommendation:
    """Record a person's decision on a recommendation: actioned, or declined with a reason.

    Only a recommendation still open (recommended) is decided, once. `expected_version` is
    the version the person decided on: if someone changed it since, the change is refused
    rather than laid over theirs. Nothing is saved when a change is refused.
    """
    with transaction.atomic():
        current = ToolRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        if expected_version is not None and current.version != expected_version:
            raise RecommendationConflict(
                f"the recommendation was changed by someone else (it is at version "
                f"{current.version}, not {expected_version}): reload it and decide again"
            )
        at = at or now()
        _check(current, status, by_name=by_name, reason=reason, at=at)
        current.status = status
        current.status_reason = reason.strip()
        current.status_by_name = by_name.strip()
        current.status_by = by
        current.status_at = at
        current.version += 1
        current.save()
    return current


def _check(current: ToolRecommendation, status: str, *, by_name: str, reason: str, at) -> None:
    """Refuse (RecommendationError) a decision the rules do not allow, saying why."""
    if status not in _DECISIONS:
        raise RecommendationError(
            f"a recommendation is decided as actioned or declined, not {status!r}"
        )
    if current.status != RecommendationStatus.RECOMMENDED:
        when = f" on {current.status_at:%d %b %Y}" if current.status_at else ""
        raise RecommendationError(
            f"this recommendation was already {current.status} by "
            f"{current.status_by_name or 'someone'}{when}; it cannot become {status}"
        )
    if status == RecommendationStatus.DECLINED and not reason.strip():
        raise RecommendationError("declining a recommendation needs a reason")
    if not by_name.strip():
        raise RecommendationError("a decision records who made it (by_name)")
    if at < current.recommended_at:
        raise RecommendationError(
            f"a decision cannot be dated before the recommendation "
            f"({current.recommended_at:%Y-%m-%d %H:%M})"
        )
