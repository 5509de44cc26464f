"""The legal tools the system recommends, when, and why: a catalogue as data, and pure conditions.

The catalogue (default `tools.yaml`; a force's own through SAFEGUARD_TOOL_CATALOGUE) lists
the tools of DOMAIN.md section 5, each with its citation, whom it is used against and the
condition under which it is recommended. Conditions are a small closed vocabulary that the
code below implements over plain facts (no database): a condition type the code does not
know, a missing citation or a bad parameter is an error that names the tool.

A recommendation only suggests: each comes with reasons a person can check against the
records (who, when, where), and a person records it as actioned or declined.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE, UK, age_on, is_child
from safeguard.rulefiles import Id, Text, codes
from safeguard.safeguarding.duties import Taking  # a person's part in an event
from safeguard.screening.catalogue import EventKinds, Flags, PlaceKinds, Roles, Strict

DEFAULT_PATH = Path(__file__).with_name("tools.yaml")

Age = Annotated[int, Field(ge=1, le=ADULT_AGE)]
Against = Literal["adult_exploiter", "child", "address"]


class CatalogueError(rulefiles.RuleFileError):
    """A tools catalogue that cannot be used, each problem naming its tool."""


def _links_between(ends: tuple[str, str], what: str) -> AfterValidator:
    """Accept only link kinds that join these ends (person to place, person to person)."""
    allowed = {kind for kind, joined in v.LINK_ENDPOINTS.items() if joined == ends}

    def check(kinds: list[str]) -> list[str]:
        wrong = [k for k in kinds if k not in allowed]
        if wrong:
            raise ValueError(
                f"{', '.join(map(repr, wrong))} is not a link {what} "
                f"(use {', '.join(sorted(allowed))})"
            )
        return kinds

    return AfterValidator(check)


_PERSON, _LOCATION = v.EntityType.PERSON.value, v.EntityType.LOCATION.value
PlaceLinks = Annotated[
    list[str], Field(min_length=1), _links_between((_PERSON, _LOCATION), "from a person to a place")
]
PersonLinks = Annotated[list[str], _links_between((_PERSON, _PERSON), "between two persons")]
SomeEventKinds = Annotated[list[str], codes(v.EventKind, "event kind")]
SomeFlags = Annotated[list[str], codes(v.PersonFlag, "person flag")]


class MissingChildFound(Strict):
    """A child recorded as missing was found at an address an adult lives or stays at."""

    type: Literal["missing_child_found_at_adults_address"]
    under: Age  # the child was under this age when found...
    under_if_in_care: Age  # ... or under this age and in care
    found_in: EventKinds = ["found_out_of_area"]  # events where the child is the missing person
    adult_links: PlaceLinks = ["lives_at", "stays_at"]  # how the adult is tied to the address
    in_care_flags: Flags = ["looked_after_child"]
    in_care_homes: PlaceKinds = ["care_home"]  # a child living at one of these is in care
    # Adults who are never the subject: a vulnerable adult at the address is more likely
    # exploited than harbouring, and a relative is not served a CAWN.
    except_adults_flagged: SomeFlags = ["vulnerable_adult"]
    except_linked_by: PersonLinks = ["family", "household"]
    missing_within_days: Annotated[int, Field(ge=1, le=366)] = 14  # the report the reasons name

    @model_validator(mode="after")
    def _care_older(self) -> "MissingChildFound":
        if self.under_if_in_care < self.under:
            raise ValueError(
                f"under_if_in_care ({self.under_if_in_care}) is below under ({self.under}): "
                "a child in care is covered to an older age, never a younger one"
            )
        return self


class AdultControlsChildren(Strict):
    """An adult who, in the records, moved or directed children.

    Evidence is an event of a `together_in` kind in which the adult (in one of
    `adult_roles`) and a child both took part, or a deal-line phone the adult is recorded
    as using (any agency's record of the number) held by a child in an event. An adult
    also recorded as the event's victim is left out: exploited young adults and cuckooed
    residents are victims first.
    """

    type: Literal["adult_controls_children"]
    together_in: SomeEventKinds = []
    adult_roles: Roles = ["suspect", "offender", "traveller"]
    child_roles: Roles = []  # the child's role in the event (empty: any)
    deal_line_phone: bool = False
    min_children: Annotated[int, Field(ge=1, le=100)] = 1  # different children, all evidence
    adult_at_least: Annotated[int, Field(ge=ADULT_AGE, le=120)] = ADULT_AGE
    # A phone's use is attributed over a period that ends when the phone work was done: a
    # link that ended up to this many days before the event still counts.
    phone_use_within_days: Annotated[int, Field(ge=0, le=366)] = 31
    charged: bool = False  # the adult has also been charged (orders made on conviction)
    except_adult_victims: bool = True

    @model_validator(mode="after")
    def _some_evidence(self) -> "AdultControlsChildren":
        if not self.together_in and not self.deal_line_phone:
            raise ValueError("give together_in event kinds, deal_line_phone: true, or both")
        return self


class ThreatToChildLife(Strict):
    """An event records a threat to the life of a child who took part in it.

    The event's `attribute` (default `threat_to_life`, docs/data-model.md) must be true.
    """

    type: Literal["threat_to_child_life"]
    kinds: EventKinds = ["intelligence_report", "crime_report"]
    attribute: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "threat_to_life"
    child_roles: Roles = ["victim", "subject"]


class CuckooedAddress(Strict):
    """An event at a location recorded as a cuckooed address that has an adult resident."""

    type: Literal["cuckooed_address"]
    kinds: EventKinds = ["raid", "intelligence_report", "crime_report", "concern_report"]
    resident_links: PlaceLinks = ["lives_at"]
    resident_roles: Roles = ["resident"]  # an adult recorded as resident in the event


Condition = Annotated[
    MissingChildFound | AdultControlsChildren | ThreatToChildLife | CuckooedAddress,
    Field(discriminator="type"),
]

# Whom each condition finds: a tool must be used against that.
AGAINST: dict[str, str] = {
    "missing_child_found_at_adults_address": "adult_exploiter",
    "adult_controls_children": "adult_exploiter",
    "threat_to_child_life": "child",
    "cuckooed_address": "address",
}


class Tool(Strict):
    id: Id
    title: Text
    citation: Text
    against: Against
    when: Condition
    note: Text | None = None  # what the person deciding must still weigh

    @model_validator(mode="after")
    def _subject_fits(self) -> "Tool":
        expected = AGAINST[self.when.type]
        if self.against != expected:
            raise ValueError(
                f"a {self.when.type} condition finds a tool against {expected}, not {self.against}"
            )
        return self


class ToolCatalogue(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    tools: Annotated[list[Tool], Field(min_length=1)]
    content_hash: str = ""

    @model_validator(mode="after")
    def _unique(self) -> "ToolCatalogue":
        seen: set[str] = set()
        twice = []
        for tool in self.tools:
            if tool.id in seen:
                twice.append(tool.id)
            seen.add(tool.id)
        if twice:
            raise ValueError("\n".join(f"{tool}: the id is used twice" for tool in twice))
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"

    def conditions(self, kind: type) -> list:
        """Return the conditions of this type that the catalogue uses."""
        return [t.when for t in self.tools if isinstance(t.when, kind)]


CATALOGUE = rulefiles.Kind(
    ToolCatalogue,
    DEFAULT_PATH,
    "TOOL_CATALOGUE",
    entries=("tools",),
    tags=tuple(AGAINST),
    error=CatalogueError,
    shape="a tools catalogue is a mapping of id, title, version, tools...",
)


def parse(text: str, source: str = "<tools catalogue>") -> ToolCatalogue:
    return CATALOGUE.parse(text, source)  # type: ignore[return-value]


def current() -> ToolCatalogue:
    """Return the catalogue in use (TOOL_CATALOGUE in settings, else the default)."""
    return CATALOGUE.current()  # type: ignore[return-value]


load = CATALOGUE.load


# -- facts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonFacts:
    id: int
    name: str = ""  # as recorded, for the reasons
    ref: str = ""  # the agency's reference, when there is no name
    date_of_birth: date | None = None
    flags: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return self.name or f"record {self.ref or self.id}"


@dataclass(frozen=True, slots=True)
class PlaceFacts:
    id: int
    kind: str
    name: str = ""
    address: str = ""
    postcode: str = ""
    ref: str = ""

    @property
    def label(self) -> str:
        address = self.address.strip().splitlines()[0] if self.address.strip() else ""
        return (
            self.name
            or address
            or self.postcode
            or f"the {_PLACE_LABELS.get(self.kind, self.kind)} recorded as {self.ref or self.id}"
        )


@dataclass(frozen=True, slots=True)
class PhoneHeld:
    phone_id: int
    holder_id: int | None = None


@dataclass(frozen=True, slots=True)
class EventFacts:
    id: int
    kind: str
    occurred_at: datetime
    agency_id: int
    place_id: int | None = None
    grading: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    taking_part: tuple[Taking, ...] = ()
    phones: tuple[PhoneHeld, ...] = ()

    @property
    def day(self) -> date:
        return _uk_day(self.occurred_at)

    def part_of(self, person_id: int) -> Taking | None:
        return next((t for t in self.taking_part if t.person_id == person_id), None)

    def roles_of(self, person_id: int) -> frozenset[str]:
        part = self.part_of(person_id)
        return part.roles if part is not None else frozenset()


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """A dated link from a person to a person, a place or a phone."""

    id: int
    kind: str
    person_id: int
    to_person_id: int | None = None
    to_place_id: int | None = None
    to_phone_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def holds_on(self, day: date) -> bool:
        """Return whether the link held that day (an open end holds)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    id: int
    number: str = ""
    deal_line: bool = False
    line_name: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the conditions may look at: events and the people, places, phones and links
    around them. Events other than the triggers are history, read for evidence."""

    events: Mapping[int, EventFacts]
    persons: Mapping[int, PersonFacts] = field(default_factory=dict)
    places: Mapping[int, PlaceFacts] = field(default_factory=dict)
    phones: Mapping[int, PhoneFacts] = field(default_factory=dict)
    links: tuple[LinkFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A tool recommended against (or for) one person because of one event."""

    tool: str
    subject_id: int
    agency_id: int  # the agency that recorded the triggering event
    trigger_id: int
    at: datetime
    protects: tuple[int, ...]
    event_ids: tuple[int, ...]  # the trigger first
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        """Return what makes it unique: the tool, the subject and the triggering event."""
        return f"{self.tool}:{self.subject_id}:e{self.trigger_id}"


# -- conditions ---------------------------------------------------------------------------


class _Index:
    """The facts, looked up by person, place and phone (links from a person; events by who
    took part and by the phones in them)."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.from_person: dict[int, list[LinkFacts]] = defaultdict(list)
        self.to_place: dict[int, list[LinkFacts]] = defaultdict(list)
        self.to_phone: dict[int, list[LinkFacts]] = defaultdict(list)
        for link in sorted(facts.links, key=lambda k: k.id):
            self.from_person[link.person_id].append(link)
            if link.to_place_id is not None:
                self.to_place[link.to_place_id].append(link)
            if link.to_phone_id is not None:
                self.to_phone[link.to_phone_id].append(link)
        by_number: dict[str, list[int]] = defaultdict(list)
        for phone in facts.phones.values():
            if phone.number:
                by_number[phone.number].append(phone.id)
        # Each agency keeps its own record of a phone: the number is the line.
        self.same_number = {
            phone.id: sorted(by_number[phone.number]) if phone.number else [phone.id]
            for phone in facts.phones.values()
        }
        self.events_of: dict[int, list[EventFacts]] = defaultdict(list)
        self.events_with_phone: dict[int, list[EventFacts]] = defaultdict(list)
        for event in sorted(facts.events.values(), key=lambda e: (e.occurred_at, e.id)):
            for person_id in dict.fromkeys(t.person_id for t in event.taking_part):
                self.events_of[person_id].append(event)
            for phone_id in dict.fromkeys(h.phone_id for h in event.phones):
                self.events_with_phone[phone_id].append(event)

    def evidence_events(
        self, when: "AdultControlsChildren", adult_id: int, trigger: EventFacts
    ) -> list[EventFacts]:
        """Return the events, up to the trigger, that may show the adult controlling children:
        those they took part in, and those in which a phone they use was held."""
        chosen = {e.id: e for e in self.events_of.get(adult_id, ()) if e.kind in when.together_in}
        if when.deal_line_phone:
            for link in self.from_person.get(adult_id, ()):
                if link.kind == v.LinkKind.USES_PHONE and link.to_phone_id is not None:
                    for phone_id in self.numbered(link.to_phone_id):
                        chosen.update((e.id, e) for e in self.events_with_phone.get(phone_id, ()))
        chosen[trigger.id] = trigger
        return sorted(
            (e for e in chosen.values() if e.occurred_at <= trigger.occurred_at),
            key=lambda e: (e.occurred_at, e.id),
        )

    def numbered(self, phone_id: int) -> list[int]:
        """Return the records of a phone's number (the phone's own when it has none)."""
        return self.same_number.get(phone_id, [phone_id])

    def deal_line(self, phone_id: int) -> bool:
        """Return whether any agency's record of the phone's number flags it as a deal line."""
        return any(
            p.deal_line for p in (self.facts.phones.get(pk) for pk in self.numbered(phone_id)) if p
        )

    def line_name(self, phone_id: int) -> str:
        """Return the line's brand name, as any record of the phone's number gives it."""
        records = (self.facts.phones.get(pk) for pk in self.numbered(phone_id))
        return next((p.line_name for p in records if p and p.line_name), "")

    def users(self, phone_id: int, day: date, within_days: int) -> list[LinkFacts]:
        """Return the uses_phone links to any record of the phone's number that had begun by
        that day and had not ended more than `within_days` before it."""
        since = day - timedelta(days=within_days)
        return [
            k
            for pk in self.numbered(phone_id)
            for k in self.to_phone.get(pk, ())
            if k.kind == v.LinkKind.USES_PHONE
            and (k.valid_from is None or k.valid_from <= day)
            and (k.valid_to is None or k.valid_to >= since)
        ]

    def person(self, person_id: int) -> PersonFacts:
        return self.facts.persons.get(person_id) or PersonFacts(person_id)

    def age(self, person_id: int, event: EventFacts) -> int | None:
        """Return a person's age at an event: as stored with their part, else from their birth."""
        part = event.part_of(person_id)
        if part is not None and part.age is not None:
            return part.age
        return age_on(self.person(person_id).date_of_birth, event.day)

    def linked(self, a: int, b: int, kinds: Iterable[str]) -> bool:
        """Return whether two persons are joined by a link of these kinds, either way."""
        kinds = set(kinds)
        return any(
            k.kind in kinds and k.to_person_id == b for k in self.from_person.get(a, ())
        ) or any(k.kind in kinds and k.to_person_id == a for k in self.from_person.get(b, ()))

    def homes(self, person_id: int, day: date) -> list[LinkFacts]:
        """Return a person's lives_at links that held on a day."""
        return [
            k
            for k in self.from_person.get(person_id, ())
            if k.kind == v.LinkKind.LIVES_AT and k.to_place_id is not None and k.holds_on(day)
        ]


Finder = Callable[[Tool, Any, _Index, EventFacts], list[Suggestion]]


def suggest(catalogue: ToolCatalogue, facts: Facts, triggers: Iterable[int]) -> list[Suggestion]:
    """Return the tools that the trigger events call for, each once, in a stable order.

    Only trigger events open a recommendation; the other events in `facts` are history that
    a condition may count (the children an adult controlled before).
    """
    index = _Index(facts)
    found: dict[str, Suggestion] = {}
    for event_id in dict.fromkeys(triggers):
        event = facts.events.get(event_id)
        if event is None:
            continue
        for tool in catalogue.tools:
            for s in FINDERS[tool.when.type](tool, tool.when, index, event):
                found.setdefault(s.key, s)
    return sorted(found.values(), key=lambda s: (s.at, s.key))


def _missing_child_found(
    tool: Tool, when: MissingChildFound, index: _Index, event: EventFacts
) -> list[Suggestion]:
    """A CAWN against each adult who lives or stays where a missing child was found."""
    if event.kind not in when.found_in or event.place_id is None:
        return []
    day = event.day
    place = index.facts.places.get(event.place_id) or PlaceFacts(event.place_id, "")
    # Per adult: the children found there and the sentences that say so (two children found
    # together at one address make one recommendation).
    children: dict[int, list[int]] = defaultdict(list)
    events: dict[int, list[int]] = defaultdict(lambda: [event.id])
    reasons: dict[int, list[str]] = defaultdict(list)
    for part in event.taking_part:
        if v.Role.MISSING_PERSON not in part.roles or not is_child(part.age):
            continue
        child = index.person(part.person_id)
        care = _in_care(when, child, index, day)
        if part.age >= (when.under_if_in_care if care else when.under):
            continue
        if any(k.to_place_id == event.place_id for k in index.homes(child.id, day)):
            continue  # found at home: nobody there is harbouring the child
        missing = _missing_report(when, child.id, index, event)
        for link in _adults_at(when, event.place_id, child.id, index, day):
            adult = index.person(link.person_id)
            children[adult.id].append(child.id)
            events[adult.id] += [missing.id] if missing else []
            reasons[adult.id] += [
                _found_sentence(child, part.age, care, missing, event, place, adult, link),
                *([care] if care else []),
            ]
    return [
        _suggestion(
            tool,
            adult_id,
            event,
            protects=tuple(children[adult_id]),
            events=tuple(dict.fromkeys(events[adult_id])),
            reasons=(
                *reasons[adult_id],
                f"{index.person(adult_id).label} was "
                f"{age_on(index.person(adult_id).date_of_birth, day)} on that day.",
            ),
        )
        for adult_id in children
    ]


def _in_care(when: MissingChildFound, child: PersonFacts, index: _Index, day: date) -> str:
    """Return the sentence that shows the child in care, or '' when the records do not."""
    flags = [f for f in when.in_care_flags if f in child.flags]
    if flags:
        return f"{child.label} is recorded as in care (flag {', '.join(flags)})."
    for link in index.homes(child.id, day):
        place = index.facts.places.get(link.to_place_id or 0)
        if place is not None and place.kind in when.in_care_homes:
            kind = _PLACE_LABELS.get(place.kind, place.kind)
            return f"{child.label} is in care: they live at {place.label} ({kind})."
    return ""


def _missing_report(
    when: MissingChildFound, child_id: int, index: _Index, found: EventFacts
) -> EventFacts | None:
    """Return the child's latest missing report before they were found, if recent."""
    since = found.occurred_at - timedelta(days=when.missing_within_days)
    reports = [
        e
        for e in index.events_of.get(child_id, ())
        if e.kind == v.EventKind.MISSING_EPISODE
        and e.id != found.id
        and since <= e.occurred_at <= found.occurred_at
        and v.Role.MISSING_PERSON in e.roles_of(child_id)
    ]
    return reports[-1] if reports else None


def _adults_at(
    when: MissingChildFound, place_id: int, child_id: int, index: _Index, day: date
) -> list[LinkFacts]:
    """Return a link for each adult tied to the place that day who may be the subject."""
    chosen: dict[int, LinkFacts] = {}
    links = sorted(
        (k for k in index.to_place.get(place_id, ()) if k.kind in when.adult_links),
        key=lambda k: (when.adult_links.index(k.kind), k.id),
    )
    for link in links:
        adult = index.person(link.person_id)
        age = age_on(adult.date_of_birth, day)
        if (
            link.person_id == child_id
            or link.person_id in chosen
            or not link.holds_on(day)
            or age is None
            or age < ADULT_AGE
            or adult.flags.intersection(when.except_adults_flagged)
            or index.linked(adult.id, child_id, when.except_linked_by)
        ):
            continue
        chosen[link.person_id] = link
    return list(chosen.values())


def _found_sentence(
    child: PersonFacts,
    age: int,
    care: str,
    missing: EventFacts | None,
    found: EventFacts,
    place: PlaceFacts,
    adult: PersonFacts,
    link: LinkFacts,
) -> str:
    who = f"Child {child.label} ({age}{', in care' if care else ''})"
    if missing is not None:
        what = f"was reported missing on {_day(missing.day)} and found on {_day(found.day)}"
    else:
        what = f"was found, recorded as a missing person, on {_day(found.day)}"
    verb = {v.LinkKind.LIVES_AT: "lives", v.LinkKind.STAYS_AT: "stays"}.get(link.kind, "is")
    tie = f"{link.kind} link{_period(link)}"
    return f"{who} {what} at {place.label}, where {adult.label} {verb} ({tie})."


@dataclass(frozen=True, slots=True)
class _Control:
    """One piece of evidence that an adult moved or directed children."""

    adult_id: int
    children: tuple[int, ...]
    event: EventFacts
    sentence: str


def _adult_controls_children(
    tool: Tool, when: AdultControlsChildren, index: _Index, event: EventFacts
) -> list[Suggestion]:
    """The tool against each adult the event shows controlling children, once the adult's
    evidence up to the event reaches `min_children` (and a charge, where the tool needs one)."""
    adults = {c.adult_id for c in _controls(when, index, event)}
    if when.charged and event.kind == v.EventKind.CHARGE:
        adults |= {
            t.person_id
            for t in event.taking_part
            if v.Role.SUSPECT in t.roles and (t.age or 0) >= when.adult_at_least
        }
    found = []
    for adult_id in sorted(adults):
        evidence = [
            c
            for e in index.evidence_events(when, adult_id, event)
            for c in _controls(when, index, e)
            if c.adult_id == adult_id
        ]
        children = sorted({child for c in evidence for child in c.children})
        if not evidence or len(children) < when.min_children:
            continue
        charge = _charge(index, adult_id, event) if when.charged else None
        if when.charged and charge is None:
            continue
        evidence.sort(key=lambda c: (c.event.occurred_at, c.event.id), reverse=True)
        reasons = [c.sentence for c in evidence[:_MOST]]
        if len(evidence) > _MOST:
            reasons.append(f"{len(evidence) - _MOST} earlier records show the same.")
        if charge is not None:
            reasons.append(_charge_sentence(index.person(adult_id), charge))
        if when.min_children > 1:
            reasons.append(
                f"{len(children)} different children are involved (the tool asks for at "
                f"least {when.min_children})."
            )
        others = dict.fromkeys(
            [c.event.id for c in evidence] + ([charge.id] if charge is not None else [])
        )
        found.append(
            _suggestion(
                tool,
                adult_id,
                event,
                protects=tuple(children),
                events=(event.id, *(e for e in others if e != event.id)),
                reasons=tuple(reasons),
            )
        )
    return found


_MOST = 10  # pieces of evidence spelled out; older ones are counted


def _controls(when: AdultControlsChildren, index: _Index, event: EventFacts) -> list[_Control]:
    """Return the evidence of control that one event holds, as the condition reads it."""
    found = []
    if event.kind in when.together_in:
        found += _together(when, index, event)
    if when.deal_line_phone:
        found += _deal_line_held(when, index, event)
    return found


def _together(when: AdultControlsChildren, index: _Index, event: EventFacts) -> list[_Control]:
    children = [
        t
        for t in event.taking_part
        if is_child(t.age) and (not when.child_roles or t.roles.intersection(when.child_roles))
    ]
    found = []
    for t in event.taking_part:
        if t.age is None or t.age < when.adult_at_least:
            continue
        if not t.roles.intersection(when.adult_roles):
            continue
        if when.except_adult_victims and v.Role.VICTIM in t.roles:
            continue
        kids = [c for c in children if c.person_id != t.person_id]
        if not kids:
            continue
        adult = index.person(t.person_id)
        named = _and([f"{index.person(c.person_id).label} ({c.age})" for c in kids])
        found.append(
            _Control(
                adult.id,
                tuple(c.person_id for c in kids),
                event,
                f"On {_day(event.day)} {adult.label} ({t.age}, {_roles(t.roles)}) and "
                f"{'child' if len(kids) == 1 else 'children'} {named} were recorded together "
                f"in {_EVENT_WORDS.get(event.kind, 'an event')}{_at(index, event)}.",
            )
        )
    return found


def _deal_line_held(
    when: AdultControlsChildren, index: _Index, event: EventFacts
) -> list[_Control]:
    """A child held a deal-line phone in the event: evidence against each adult using it."""
    found = []
    for held in event.phones:
        phone = index.facts.phones.get(held.phone_id)
        if phone is None or held.holder_id is None or not index.deal_line(phone.id):
            continue
        age = index.age(held.holder_id, event)
        if not is_child(age):
            continue
        child = index.person(held.holder_id)
        users: dict[int, LinkFacts] = {}  # each adult once, by their first link
        for link in index.users(phone.id, event.day, when.phone_use_within_days):
            users.setdefault(link.person_id, link)
        for link in users.values():
            adult = index.person(link.person_id)
            adult_age = age_on(adult.date_of_birth, event.day)
            if adult.id == child.id or adult_age is None or adult_age < when.adult_at_least:
                continue
            name = index.line_name(phone.id)
            line = f" (the {name} line)" if name else ""
            found.append(
                _Control(
                    adult.id,
                    (child.id,),
                    event,
                    f"On {_day(event.day)} child {child.label} ({age}) held the deal-line "
                    f"phone {phone.number or phone.id}{line} in "
                    f"{_EVENT_WORDS.get(event.kind, 'an event')}{_at(index, event)}; "
                    f"{adult.label} ({adult_age}) is recorded as using that phone "
                    f"(uses_phone link{_period(link)}).",
                )
            )
    return found


def _charge(index: _Index, adult_id: int, trigger: EventFacts) -> EventFacts | None:
    """Return the adult's latest charge (as suspect) up to the trigger."""
    charges = [
        e
        for e in index.events_of.get(adult_id, ())
        if e.kind == v.EventKind.CHARGE
        and e.occurred_at <= trigger.occurred_at
        and v.Role.SUSPECT in e.roles_of(adult_id)
    ]
    return charges[-1] if charges else None


def _charge_sentence(adult: PersonFacts, charge: EventFacts) -> str:
    offence = charge.attributes.get("offence")
    what = f" with {offence}" if isinstance(offence, str) and offence else ""
    return f"{adult.label} was charged{what} on {_day(charge.day)}."


def _threat_to_child_life(
    tool: Tool, when: ThreatToChildLife, index: _Index, event: EventFacts
) -> list[Suggestion]:
    """An Osman warning for each child whose life the event records a threat to."""
    if event.kind not in when.kinds or event.attributes.get(when.attribute) is not True:
        return []
    graded = f" (graded {event.grading})" if event.grading else ""
    suspects = [
        f"{index.person(t.person_id).label}"
        + (f" ({t.age})" if t.age is not None else "")
        + f", recorded as {_roles(t.roles)}"
        for t in event.taking_part
        if t.roles.intersection((v.Role.SUSPECT, v.Role.OFFENDER))
    ]
    found = []
    for t in event.taking_part:
        if not is_child(t.age) or not t.roles.intersection(when.child_roles):
            continue
        child = index.person(t.person_id)
        word = _EVENT_WORDS.get(event.kind, "an event")
        reasons = [
            f"{word[0].upper()}{word[1:]} of {_day(event.day)}{graded}{_at(index, event)} "
            f"records a threat to the life of child {child.label} ({t.age}, "
            f"{_roles(t.roles)})."
        ]
        if suspects:
            reasons.append(f"It names {_and(suspects)}.")
        found.append(_suggestion(tool, child.id, event, (child.id,), (event.id,), tuple(reasons)))
    return found


def _cuckooed_address(
    tool: Tool, when: CuckooedAddress, index: _Index, event: EventFacts
) -> list[Suggestion]:
    """A closure order for a cuckooed address, named by its adult resident (the subject)."""
    place = index.facts.places.get(event.place_id or 0)
    if (
        event.kind not in when.kinds
        or place is None
        or place.kind != v.LocationKind.CUCKOOED_ADDRESS
    ):
        return []
    day, residents = event.day, {}
    for t in event.taking_part:
        if t.roles.intersection(when.resident_roles) and (t.age or 0) >= ADULT_AGE:
            residents.setdefault(t.person_id, f"recorded as resident in that {_noun(event)}")
    for link in index.to_place.get(place.id, ()):
        age = age_on(index.person(link.person_id).date_of_birth, day)
        if link.kind in when.resident_links and link.holds_on(day) and (age or 0) >= ADULT_AGE:
            residents.setdefault(link.person_id, f"{link.kind} link{_period(link)}")
    if not residents:
        return []
    children = [t for t in event.taking_part if is_child(t.age)]
    word = _EVENT_WORDS.get(event.kind, "an event")
    reasons = [
        f"{word[0].upper()}{word[1:]} on {_day(day)} was at {place.label}, recorded as a "
        "cuckooed address.",
        *(
            f"{index.person(pk).label} ({index.age(pk, event)}) lives there ({how})."
            for pk, how in residents.items()
        ),
    ]
    if children:
        named = _and([f"{index.person(c.person_id).label} ({c.age})" for c in children])
        reasons.append(f"{'Child' if len(children) == 1 else 'Children'} recorded there: {named}.")
    subject = next(iter(residents))
    protects = tuple(dict.fromkeys(c.person_id for c in children))
    return [_suggestion(tool, subject, event, protects, (event.id,), tuple(reasons))]


FINDERS: dict[str, Finder] = {
    "missing_child_found_at_adults_address": _missing_child_found,
    "adult_controls_children": _adult_controls_children,
    "threat_to_child_life": _threat_to_child_life,
    "cuckooed_address": _cuckooed_address,
}


# -- words --------------------------------------------------------------------------------

_PLACE_LABELS = {k.value: k.label.lower() for k in v.LocationKind}
_ROLE_LABELS = {k.value: k.label.lower() for k in v.Role}
_EVENT_WORDS = {
    v.EventKind.ARREST: "an arrest",
    v.EventKind.CHARGE: "a charge",
    v.EventKind.CUSTODY: "a detention in custody",
    v.EventKind.JOURNEY: "a journey",
    v.EventKind.RAID: "a raid",
    v.EventKind.STOP_SEARCH: "a stop and search",
    v.EventKind.SEIZURE: "a seizure",
    v.EventKind.FOUND_OUT_OF_AREA: "a report of a missing person found out of area",
    v.EventKind.MISSING_EPISODE: "a missing person report",
    v.EventKind.INTELLIGENCE_REPORT: "an intelligence report",
    v.EventKind.CRIME_REPORT: "a crime report",
    v.EventKind.CONCERN: "a concern report",
}


def _noun(event: EventFacts) -> str:
    return _EVENT_WORDS.get(event.kind, "an event").split(" ", 1)[1]


def _suggestion(
    tool: Tool,
    subject_id: int,
    event: EventFacts,
    protects: tuple[int, ...],
    events: tuple[int, ...],
    reasons: tuple[str, ...],
) -> Suggestion:
    return Suggestion(
        tool=tool.id,
        subject_id=subject_id,
        agency_id=event.agency_id,
        trigger_id=event.id,
        at=event.occurred_at,
        protects=protects,
        event_ids=events,
        reasons=reasons,
    )


def _at(index: _Index, event: EventFacts) -> str:
    place = index.facts.places.get(event.place_id or 0)
    return f" at {place.label}" if place is not None else ""


def _roles(roles: Iterable[str]) -> str:
    return " and ".join(_ROLE_LABELS.get(r, r) for r in sorted(roles))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _period(link: LinkFacts) -> str:
    """Return a link's dates in words (' from 1 Jan 2024 to 3 Feb 2025'), or ', undated'."""
    start = f" from {_day(link.valid_from)}" if link.valid_from else ""
    end = f" to {_day(link.valid_to)}" if link.valid_to else ""
    return start + end or ", undated"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date() if moment.tzinfo else moment.date()
