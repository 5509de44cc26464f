"""Printable referral documents: what is sent to children's services, the NRM or the Home Office.

`referral_facts` gathers a duty's facts once, in a fixed number of queries, keeping only the
parts of the person's record that the duty shares (`Duty.shared`, else the kind's default):
what is not shared is never put into the document, so no renderer can print it. The HTML
and the PDF are both laid out from the same sections of that one document.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import ClassVar
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

import safeguard
from safeguard.clock import now
from safeguard.records import vocabulary as rv
from safeguard.records.ages import ADULT_AGE, UK, age_on
from safeguard.records.models import Event, Link, Location, Participation, Person, PersonName
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import Duty, Transition, Trigger
from safeguard.safeguarding.vocabulary import DutyKind
from safeguard.screening.models import Judgement, Screening

GROUPS: dict[str, str] = {
    "identity": "Names, other names, date of birth and sex",
    "ethnicity": "Self-defined ethnicity",
    "home_address": "Home address",
    "school": "School",
    "events": "The events that opened it",
    "screening": "Screening: level, indicators and their evidence",
    "history": "History: each step, who took it and why",
}
"""The parts of a person's record a document may share, as `Duty.shared` names them.

Every document also carries what the receiver needs whatever is shared: the reference, the
duty and its agencies and dates, the person's age in years, and the rules that opened it.
A place's name, address and postcode appear (in events and evidence too) only when both
`home_address` and `school` are shared, since the place of an event is often the person's
home or school; otherwise a place is given by its kind and area. Free text (narratives,
reasons) has the withheld names, date of birth and addresses replaced with [withheld].
"""

DEFAULT_SHARED: dict[str, tuple[str, ...]] = {
    DutyKind.CHILDRENS_SERVICES_REFERRAL: tuple(GROUPS),
    DutyKind.NRM_REFERRAL: tuple(GROUPS),
    DutyKind.DUTY_TO_NOTIFY: ("events", "screening", "history"),
    DutyKind.OFFENDER_CONTACT: tuple(GROUPS),
}
"""What a document shares when its duty's `shared` is empty, per kind of duty.

The kinds listed are the ones a document can be made for. A Duty to Notify is anonymous
(Modern Slavery Act 2015 s52): the adult did not consent to a referral, so nothing that
names them, dates their birth or places their home or school is sent.
"""

HEADINGS: dict[str, tuple[str, str]] = {
    DutyKind.CHILDRENS_SERVICES_REFERRAL: ("Referral to children's services (MASH)", "referral"),
    DutyKind.NRM_REFERRAL: (
        "National Referral Mechanism referral \N{EM DASH} police as First Responder",
        "referral",
    ),
    DutyKind.DUTY_TO_NOTIFY: ("Duty to Notify (anonymous)", "notification"),
    DutyKind.OFFENDER_CONTACT: (
        "Referral to children's services (MASH): a child with a registered offender",
        "referral",
    ),
}

MARKING = "OFFICIAL-SENSITIVE"
WITHHELD = "[withheld]"
PLACE_GROUPS = frozenset({"home_address", "school"})


# -- the document ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """A location as the document shows it: blank name, address and postcode when withheld."""

    kind: str
    name: str
    address: str
    postcode: str
    local_authority: str
    force_area: str


@dataclass(frozen=True, slots=True)
class Identity:
    given_name: str
    family_name: str
    other_names: tuple[str, ...]
    date_of_birth: date | None
    dob_precision: str  # "" when exact
    sex: str


@dataclass(frozen=True, slots=True)
class PersonDetails:
    """The person as shared: None for a group not shared, or shared but not recorded."""

    age_now: int | None
    age_at_start: int | None
    identity: Identity | None
    ethnicity: str | None
    home: Place | None
    school: Place | None


@dataclass(frozen=True, slots=True)
class EventEntry:
    id: int
    kind: str
    at: datetime  # UK local time
    place: Place | None
    roles: tuple[str, ...]  # the person's parts in it
    age: int | None  # the person's age at the event
    narrative: str
    grading: str


@dataclass(frozen=True, slots=True)
class LinkEntry:
    kind: str
    other: str  # the far end in words, never a name, number or address
    valid_from: date | None
    valid_to: date | None
    count: int | None


@dataclass(frozen=True, slots=True)
class FiredEntry:
    """One indicator or vulnerability that fired, with the evidence it rests on."""

    title: str
    points: float
    weight: float
    factor: float
    band: str
    reason: str
    events: tuple[EventEntry, ...]
    links: tuple[LinkEntry, ...]


@dataclass(frozen=True, slots=True)
class JudgementEntry:
    level: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ScreeningEntry:
    id: int
    at: datetime
    level: str
    score: float
    catalogue: str
    indicators: tuple[FiredEntry, ...]
    vulnerabilities: tuple[FiredEntry, ...]
    judgement: JudgementEntry | None


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    """What opened the duty or was added to it: an event, a screening, an offender alert
    (what it found, in `reason`), or a step elsewhere."""

    at: datetime
    rule: str
    event: EventEntry | None
    screening_level: str | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    from_state: str
    to_state: str
    decision: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that opened the duty or added to it, with its source and when it applied."""

    rule: str
    title: str
    citation: str
    at: tuple[datetime, ...]


@dataclass(frozen=True, slots=True)
class ReferralDocument:
    kind: str
    heading: str
    noun: str  # "referral" or "notification"
    title: str
    citation: str
    reference: str
    state: str
    decision: str
    owing_agency: str
    receiving_agency: str | None
    opened_at: datetime
    started_at: datetime
    due_at: datetime
    closed_at: datetime | None
    adult: bool  # an adult at the start: their consent matters
    consent: bool | None
    rules_version: str
    groups: tuple[str, ...]
    made_at: datetime
    version: str | None
    person: PersonDetails
    triggers: tuple[TriggerEntry, ...]
    screening: ScreeningEntry | None
    history: tuple[Step, ...]
    reasons: tuple[Reason, ...]


# -- gathering the facts -----------------------------------------------------------------


def shared_groups(duty: Duty) -> tuple[str, ...]:
    """Return the groups a duty's document shares, in GROUPS order; refuse unknown names."""
    if duty.kind not in DEFAULT_SHARED:
        raise ValueError(
            f"no document is made for a duty of kind {duty.kind!r}: "
            f"only for {', '.join(DEFAULT_SHARED)}"
        )
    shared = duty.shared or DEFAULT_SHARED[duty.kind]
    if isinstance(shared, str) or not isinstance(shared, list | tuple):
        raise ValueError(f"Duty.shared must be a list of group names, not {shared!r}")
    unknown = sorted({str(g) for g in shared} - set(GROUPS))
    if unknown:
        raise ValueError(
            f"unknown shared group(s) {', '.join(unknown)}: known are {', '.join(GROUPS)}"
        )
    return tuple(g for g in GROUPS if g in shared)


def referral_facts(duty: Duty) -> ReferralDocument:
    """Gather what a duty's document says, as stored now, in a fixed number of queries."""
    duty = Duty.objects.select_related("person", "agency", "receiver").get(pk=duty.pk)
    groups = shared_groups(duty)
    made_at = now()
    person = duty.person
    rules = duty_rules.current()
    definition = rules.duties.get(duty.kind)
    heading, noun = HEADINGS[duty.kind]

    names = list(PersonName.objects.filter(person=person).order_by("kind", "id"))
    home, school = _home_and_school(person.pk)
    triggers = list(duty.triggers.select_related("screening").order_by("at", "id"))
    screening = _latest_screening(person.pk, made_at)
    judgement = _latest_judgement(screening, made_at)
    fired = [*screening.indicators, *screening.vulnerabilities] if screening else []
    event_ids = {t.event_id for t in triggers if t.event_id} | {
        i for f in fired for i in f["event_ids"]
    }
    events = _events(event_ids, person)
    links = _links({i for f in fired for i in f["link_ids"]}, person.pk)

    withheld = _redactor(person, names, home, school, groups)
    show_places = PLACE_GROUPS <= set(groups)
    entry = _event_entries(events, show_places, withheld)
    age_at_start = age_on(person.date_of_birth, duty.started_at)
    return ReferralDocument(
        kind=duty.kind,
        heading=heading,
        noun=noun,
        title=definition.title if definition else duty.get_kind_display(),
        citation=definition.citation if definition else "",
        reference=f"SG-{duty.pk}",
        state=duty.get_state_display(),
        decision=duty.get_decision_display() if duty.decision else "",
        owing_agency=duty.agency.name,
        receiving_agency=duty.receiver.name if duty.receiver else None,
        opened_at=_uk(duty.opened_at),
        started_at=_uk(duty.started_at),
        due_at=_uk(duty.due_at),
        closed_at=_uk(duty.closed_at) if duty.closed_at else None,
        adult=age_at_start is not None and age_at_start >= ADULT_AGE,
        consent=duty.consent,
        rules_version=duty.rules_version,
        groups=groups,
        made_at=_uk(made_at),
        version=getattr(safeguard, "__version__", None),
        person=_person(person, names, home, school, groups, made_at, age_at_start),
        triggers=_triggers(triggers, entry, groups, withheld),
        screening=(
            _screening(screening, judgement, entry, links, withheld)
            if screening and "screening" in groups
            else None
        ),
        history=_history(duty, withheld) if "history" in groups else (),
        reasons=_reasons(duty, triggers, rules),
    )


def _uk(moment: datetime) -> datetime:
    return moment.astimezone(UK)


def _home_and_school(person_id: int) -> tuple[Location | None, Location | None]:
    """Return the place of the latest lives_at link, and of the latest link to a school.

    Latest by start, then id, as screening.loading and the MASH lookup take the home.
    """
    home: tuple[tuple[date, int], Location] | None = None
    school: tuple[tuple[date, int], Location] | None = None
    links = Link.objects.filter(from_person_id=person_id, to_location__isnull=False)
    for link in links.select_related("to_location"):
        key = (link.valid_from or date.min, link.pk)
        if link.kind == rv.LinkKind.LIVES_AT and (home is None or key > home[0]):
            home = (key, link.to_location)
        if link.to_location.kind == rv.LocationKind.SCHOOL and (school is None or key > school[0]):
            school = (key, link.to_location)
    return (home[1] if home else None), (school[1] if school else None)


def _latest_screening(person_id: int, at: datetime) -> Screening | None:
    return (
        Screening.objects.filter(person_id=person_id, screened_at__lte=at)
        .order_by("-screened_at", "-id")
        .first()
    )


def _latest_judgement(screening: Screening | None, at: datetime) -> Judgement | None:
    if screening is None:
        return None
    return (
        Judgement.objects.filter(screening=screening, made_at__lte=at)
        .order_by("-made_at", "-id")
        .first()
    )


def _events(ids: set[int], person: Person) -> list[tuple[Event, list[str], int | None]]:
    """Return the events with the person's roles and age in each (two queries)."""
    if not ids:
        return []
    parts: dict[int, tuple[list[str], int | None]] = defaultdict(lambda: ([], None))
    for event_id, role, age in Participation.objects.filter(
        person=person, event_id__in=ids
    ).values_list("event_id", "role", "age_at_event"):
        roles, _ = parts[event_id]
        parts[event_id] = ([*roles, role], age)
    events = Event.objects.filter(id__in=ids).select_related("location")
    return [(e, *parts[e.pk]) for e in events.order_by("occurred_at", "id")]


def _links(ids: set[int], person_id: int) -> dict[int, LinkEntry]:
    """Return the evidence links in words: kinds and ages only, no names, numbers or places."""
    if not ids:
        return {}
    found = {}
    rows = Link.objects.filter(id__in=ids).select_related(
        "from_person", "to_person", "from_phone", "to_phone", "to_location", "to_item"
    )
    for link in rows:
        found[link.pk] = LinkEntry(
            kind=link.get_kind_display(),
            other=_far_end(link, person_id),
            valid_from=link.valid_from,
            valid_to=link.valid_to,
            count=link.count,
        )
    return found


def _far_end(link: Link, person_id: int) -> str:
    if link.to_location is not None:
        return "a " + link.to_location.get_kind_display().lower()
    if link.to_item is not None:
        return "a " + link.to_item.get_kind_display().lower()
    if link.to_phone is not None:
        deal = link.to_phone.is_deal_line or (link.from_phone and link.from_phone.is_deal_line)
        return "a deal-line phone" if deal else "a phone"
    other = link.from_person if link.to_person_id == person_id else link.to_person
    if other is None:
        return "another person"
    age = age_on(other.date_of_birth, link.valid_from or link.recorded_at)
    return "another person" if age is None else f"a person aged {age}"


def _redactor(
    person: Person,
    names: Sequence[PersonName],
    home: Location | None,
    school: Location | None,
    groups: Sequence[str],
) -> Callable[[str], str]:
    """Return a function that replaces the withheld groups' values in free text."""
    values: list[str] = []
    if "identity" not in groups:
        for given, family in [(person.given_name, person.family_name)] + [
            (n.given_name, n.family_name) for n in names
        ]:
            values += [f"{given} {family}", given, family, *given.split(), *family.split()]
        if person.date_of_birth:
            values += _date_forms(person.date_of_birth)
    if "home_address" not in groups and home is not None:
        values += _place_forms(home)
    if "school" not in groups and school is not None:
        values += _place_forms(school)
    values = sorted({v.strip() for v in values if len(v.strip()) >= 2}, key=len, reverse=True)
    if not values:
        return lambda text: text
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(v) for v in values) + r")(?!\w)", re.IGNORECASE
    )
    return lambda text: pattern.sub(WITHHELD, text)


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%d %B %Y}",
        f"{day.day} {day:%b %Y}",
        f"{day:%d %b %Y}",
    ]


def _place_forms(place: Location) -> list[str]:
    lines = [p for p in re.split(r"[\n,]", place.address) if len(p.strip()) >= 4]
    postcode = place.postcode.strip()
    return [place.name, place.address, *lines, postcode, postcode.replace(" ", "")]


def _place(location: Location | None, detailed: bool) -> Place | None:
    if location is None:
        return None
    return Place(
        kind=location.get_kind_display(),
        name=location.name if detailed else "",
        address=location.address if detailed else "",
        postcode=location.postcode if detailed else "",
        local_authority=location.local_authority,
        force_area=location.force_area,
    )


def _person(
    person: Person,
    names: Sequence[PersonName],
    home: Location | None,
    school: Location | None,
    groups: Sequence[str],
    made_at: datetime,
    age_at_start: int | None,
) -> PersonDetails:
    identity = None
    if "identity" in groups:
        identity = Identity(
            given_name=person.given_name,
            family_name=person.family_name,
            other_names=tuple(
                f"{' '.join(filter(None, (n.given_name, n.family_name)))} ({n.get_kind_display()})"
                for n in names
            ),
            date_of_birth=person.date_of_birth,
            dob_precision=(
                ""
                if person.dob_precision == rv.DobPrecision.EXACT
                else person.get_dob_precision_display().lower()
            ),
            sex=person.get_sex_display(),
        )
    return PersonDetails(
        age_now=age_on(person.date_of_birth, made_at),
        age_at_start=age_at_start,
        identity=identity,
        ethnicity=person.self_defined_ethnicity if "ethnicity" in groups else None,
        home=_place(home, True) if "home_address" in groups else None,
        school=_place(school, True) if "school" in groups else None,
    )


def _event_entries(
    events: Iterable[tuple[Event, list[str], int | None]],
    show_places: bool,
    withheld: Callable[[str], str],
) -> dict[int, EventEntry]:
    return {
        event.pk: EventEntry(
            id=event.pk,
            kind=event.get_kind_display(),
            at=_uk(event.occurred_at),
            place=_place(event.location, show_places),
            roles=tuple(rv.Role(r).label for r in sorted(roles)),
            age=age,
            narrative=withheld(event.summary),
            grading=event.grading,
        )
        for event, roles, age in events
    }


def _triggers(
    triggers: Sequence[Trigger],
    events: dict[int, EventEntry],
    groups: Sequence[str],
    withheld: Callable[[str], str],
) -> tuple[TriggerEntry, ...]:
    """Return the triggers the shared groups cover: events with `events`, screenings with
    `screening`, and those that are neither (an offender alert, a step of another duty)
    always, with what they found (redacted as free text is)."""
    found = []
    for t in triggers:
        if t.event_id is not None and "events" not in groups:
            continue
        if t.screening_id is not None and "screening" not in groups:
            continue
        found.append(
            TriggerEntry(
                at=_uk(t.at),
                rule=t.rule,
                event=events.get(t.event_id) if t.event_id else None,
                screening_level=t.screening.get_level_display() if t.screening else None,
                reason=withheld(t.reason),
            )
        )
    return tuple(found)


def _screening(
    screening: Screening,
    judgement: Judgement | None,
    events: dict[int, EventEntry],
    links: dict[int, LinkEntry],
    withheld: Callable[[str], str],
) -> ScreeningEntry:
    def fired(rows: list[dict]) -> tuple[FiredEntry, ...]:
        return tuple(
            FiredEntry(
                title=f["title"],
                points=f["points"],
                weight=f["weight"],
                factor=f["factor"],
                band=f["band"],
                reason=withheld(f["reason"]),
                events=tuple(events[i] for i in f["event_ids"] if i in events),
                links=tuple(links[i] for i in f["link_ids"] if i in links),
            )
            for f in rows
        )

    return ScreeningEntry(
        id=screening.pk,
        at=_uk(screening.screened_at),
        level=screening.get_level_display(),
        score=screening.score,
        catalogue=screening.catalogue,
        indicators=fired(screening.indicators),
        vulnerabilities=fired(screening.vulnerabilities),
        judgement=(
            JudgementEntry(
                level=judgement.get_level_display(),
                reason=withheld(judgement.reason),
                by=judgement.made_by_name,
                at=_uk(judgement.made_at),
            )
            if judgement
            else None
        ),
    )


def _history(duty: Duty, withheld: Callable[[str], str]) -> tuple[Step, ...]:
    steps = Transition.objects.filter(duty=duty).order_by("at", "id")
    return tuple(
        Step(
            at=_uk(s.at),
            from_state=s.get_from_state_display() if s.from_state else "",
            to_state=s.get_to_state_display(),
            decision=s.get_decision_display() if s.decision else "",
            by=s.by_name,
            reason=withheld(s.reason),
        )
        for s in steps
    )


def _reasons(
    duty: Duty, triggers: Sequence[Trigger], rules: duty_rules.DutyRules
) -> tuple[Reason, ...]:
    """Return the duty's rule, then any other rule that added a trigger, with their sources."""
    by_id = {r.id: r for r in rules.rules}
    when: dict[str, list[datetime]] = {duty.rule: []}
    for t in triggers:
        when.setdefault(t.rule, []).append(_uk(t.at))
    return tuple(
        Reason(
            rule=rule_id,
            title=by_id[rule_id].title if rule_id in by_id else rule_id,
            citation=(
                by_id[rule_id].citation
                if rule_id in by_id
                else f"not in the rules in use now; see {duty.rules_version}"
            ),
            at=tuple(moments),
        )
        for rule_id, moments in when.items()
    )


# -- laying it out -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fields:
    """Label and value pairs."""

    kind: ClassVar[str] = "fields"
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Grid:
    """A table with a header row; a cell may hold several lines."""

    kind: ClassVar[str] = "grid"
    header: tuple[str, ...]
    widths: tuple[int, ...]  # percent of the page's width, per column
    rows: tuple[tuple[str, ...], ...]
    empty: str


@dataclass(frozen=True, slots=True)
class Note:
    kind: ClassVar[str] = "note"
    text: str


Block = Fields | Grid | Note


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


def _sections(doc: ReferralDocument) -> tuple[Section, ...]:
    """Return the document's sections in order, the same for the HTML and the PDF."""
    found = [_about(doc), _person_section(doc)]
    if "events" in doc.groups:
        found.append(_events_section(doc))
    if "screening" in doc.groups:
        found.append(_screening_section(doc))
    if "history" in doc.groups:
        found.append(_history_section(doc))
    found.append(_why_section(doc))
    return tuple(found)


def _time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


def _day(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "not recorded"


def _age(age: int | None) -> str:
    return "not known" if age is None else f"{age} years"


def _place_words(place: Place | None) -> str:
    if place is None:
        return "not recorded"
    where = [p for p in (place.name, place.address.replace("\n", ", "), place.postcode) if p]
    areas = [
        f"{label} {code}"
        for label, code in (
            ("local authority", place.local_authority),
            ("police area", place.force_area),
        )
        if code
    ]
    words = f"{place.kind}: {', '.join(where)}" if where else place.kind
    return f"{words} ({'; '.join(areas)})" if areas else words


def _about(doc: ReferralDocument) -> Section:
    consent = {True: "given", False: "refused", None: "not recorded yet"}[doc.consent]
    rows = [
        ("Reference", doc.reference),
        ("Duty", doc.title),
        ("From", doc.owing_agency),
        ("To", doc.receiving_agency or "not known yet"),
        ("State", doc.state + (f" ({doc.decision})" if doc.decision else "")),
        ("Clock started", _time(doc.started_at)),
        ("Opened", _time(doc.opened_at)),
        ("Due", _time(doc.due_at)),
    ]
    if doc.closed_at:
        rows.append(("Closed", _time(doc.closed_at)))
    if doc.adult and doc.kind != DutyKind.DUTY_TO_NOTIFY:
        rows.append(("The adult's consent", consent))
    rows.append(("Shared", "; ".join(GROUPS[g] for g in doc.groups)))
    withheld = [GROUPS[g] for g in GROUPS if g not in doc.groups]
    if withheld:
        rows.append(("Not shared", "; ".join(withheld)))
    return Section(f"This {doc.noun}", (Fields(tuple(rows)), Note("Times are UK local time.")))


def _person_section(doc: ReferralDocument) -> Section:
    p = doc.person
    rows = [("Age now", _age(p.age_now)), ("Age when the clock started", _age(p.age_at_start))]
    if p.identity is not None:
        i = p.identity
        dob = _day(i.date_of_birth)
        if i.date_of_birth and i.dob_precision:
            dob += f" ({i.dob_precision})"
        rows = [
            ("Given name", i.given_name or "not recorded"),
            ("Family name", i.family_name or "not recorded"),
            ("Other names", "; ".join(i.other_names) or "none recorded"),
            ("Date of birth", dob),
            *rows,
            ("Sex", i.sex),
        ]
    if "ethnicity" in doc.groups:
        rows.append(("Self-defined ethnicity", p.ethnicity or "not recorded"))
    if "home_address" in doc.groups:
        rows.append(("Home address", _place_words(p.home)))
    if "school" in doc.groups:
        rows.append(("School", _place_words(p.school)))
    title = "The child" if p.age_at_start is not None and not doc.adult else "The person"
    return Section(title, (Fields(tuple(rows)),))


def _part(event: EventEntry) -> str:
    if not event.roles:
        return "not recorded"
    age = "age not known" if event.age is None else f"aged {event.age}"
    return f"{', '.join(event.roles)} ({age})"


def _event_row(event: EventEntry) -> tuple[str, str, str, str, str]:
    what = event.kind
    if event.grading:
        what += f" (intelligence graded {event.grading})"
    return (_time(event.at), what, _place_words(event.place), _part(event), event.narrative)


def _event_line(event: EventEntry) -> str:
    """Return an event as evidence: one line, then its narrative, if any."""
    when, what, where, part, narrative = _event_row(event)
    line = f"- {what}, {when}; where: {where}; as {part.lower()}"
    return line + (f"\n  {narrative}" if narrative else "")


def _events_section(doc: ReferralDocument) -> Section:
    rows = tuple(_event_row(t.event) for t in doc.triggers if t.event is not None)
    header = ("When", "Event", "Where", "The person's part", "Account")
    widths = (14, 14, 22, 15, 35)
    return Section("What happened", (Grid(header, widths, rows, "No event opened this duty."),))


FIRED_WIDTHS = (28, 15, 57)


def _fired_rows(fired: Sequence[FiredEntry]) -> tuple[tuple[str, str, str], ...]:
    rows = []
    for f in fired:
        evidence = [f.reason]
        evidence += [_event_line(e) for e in f.events]
        evidence += [
            f"- {link.kind}: {link.other}"
            + (f", from {_day(link.valid_from)}" if link.valid_from else "")
            + (f" to {_day(link.valid_to)}" if link.valid_to else "")
            + (f" ({link.count} calls and texts)" if link.count is not None else "")
            for link in f.links
        ]
        points = f"{f.points:g}"
        if f.band:
            points += f" (weight {f.weight:g} \N{MULTIPLICATION SIGN} {f.factor:g}, {f.band})"
        rows.append((f.title, points, "\n".join(evidence)))
    return tuple(rows)


def _screening_section(doc: ReferralDocument) -> Section:
    s = doc.screening
    blocks: list[Block] = []
    opened_by = [t for t in doc.triggers if t.screening_level is not None]
    if opened_by:
        blocks.append(
            Note(
                "Opened or added to by the screening of "
                + "; ".join(f"{_time(t.at)} ({t.screening_level})" for t in opened_by)
                + "."
            )
        )
    if s is None:
        blocks.append(Note("The person has not been screened."))
        return Section("Screening", tuple(blocks))
    rows = [
        ("Level", s.level),
        ("Score", f"{s.score:g}"),
        ("Screened as of", _time(s.at)),
        ("Indicator catalogue", s.catalogue),
    ]
    if s.judgement is not None:
        j = s.judgement
        rows.append(("Professional judgement", f"{j.level}, by {j.by}, {_time(j.at)}: {j.reason}"))
    header = ("Indicator", "Points", "Evidence")
    blocks += [
        Fields(tuple(rows)),
        Grid(header, FIRED_WIDTHS, _fired_rows(s.indicators), "No exploitation indicator fired."),
        Grid(
            ("Vulnerability", "Points", "Evidence"),
            FIRED_WIDTHS,
            _fired_rows(s.vulnerabilities),
            "No vulnerability factor recorded.",
        ),
    ]
    return Section("Screening", tuple(blocks))


def _history_section(doc: ReferralDocument) -> Section:
    rows = tuple(
        (
            _time(s.at),
            (f"{s.from_state} to {s.to_state}" if s.from_state else f"Opened as {s.to_state}")
            + (f" ({s.decision})" if s.decision else ""),
            s.by,
            s.reason,
        )
        for s in doc.history
    )
    return Section(
        f"History of this {doc.noun}",
        (Grid(("When", "Step", "By", "Reason"), (18, 22, 20, 40), rows, "No step recorded."),),
    )


def _why_section(doc: ReferralDocument) -> Section:
    blocks: list[Block] = [Fields(((doc.title, doc.citation),))]
    found = tuple((_time(t.at), t.reason) for t in doc.triggers if t.reason)
    if found:
        blocks.append(Grid(("When", "What was found"), (22, 78), found, ""))
    rows = tuple(
        (
            r.title,
            r.citation,
            "; ".join(_time(t) for t in r.at) or "when the duty was opened",
        )
        for r in doc.reasons
    )
    blocks.append(Grid(("Rule", "Source", "Applied"), (28, 50, 22), rows, ""))
    blocks.append(Note(f"Duty rules: {doc.rules_version}."))
    return Section(f"Why this {doc.noun} was made", tuple(blocks))


def _footer(doc: ReferralDocument) -> str:
    words = f"{doc.reference} \N{MIDDLE DOT} made {_time(doc.made_at)}"
    return words + (f" \N{MIDDLE DOT} safeguard {doc.version}" if doc.version else "")


# -- HTML --------------------------------------------------------------------------------


def render_html(duty: Duty) -> str:
    """Return the duty's document as one self-contained, printable HTML page."""
    doc = referral_facts(duty)
    sections = _sections(doc)
    # Column widths are classes of the document's own <style> block (w14: 14%): the page's
    # policy allows that block by its hash, and no style="" attribute.
    widths = sorted(
        {w for s in sections for b in s.blocks if isinstance(b, Grid) for w in b.widths}
    )
    return render_to_string(
        "safeguarding/documents/referral.html",
        {
            "doc": doc,
            "sections": sections,
            "widths": widths,
            "marking": MARKING,
            "footer": _footer(doc),
        },
    )


# -- PDF ---------------------------------------------------------------------------------


def render_pdf(duty: Duty, *, compress: bool = True) -> bytes:
    """Return the duty's document as an A4 PDF, marked and numbered on every page.

    `compress=False` writes plain, reproducible page streams, so a test can read the text
    without a PDF library.
    """
    doc = referral_facts(duty)
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{doc.heading} {doc.reference}",
        author=doc.owing_agency,
        pageCompression=1 if compress else 0,
        invariant=0 if compress else 1,
    )
    template.build(_flowables(doc), canvasmaker=_canvas(_footer(doc)))
    return out.getvalue()


_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
_LABEL = ParagraphStyle("label", parent=_BODY, fontName="Helvetica-Bold")
_TITLE = ParagraphStyle("title", parent=_STYLES["Title"], fontSize=16, leading=20)
_HEADING = ParagraphStyle(
    "heading", parent=_STYLES["Heading2"], fontSize=12, spaceBefore=10, keepWithNext=1
)
_MARK = ParagraphStyle("mark", parent=_LABEL, alignment=TA_CENTER)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
    ]
)
_FIELDS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
    ]
)


def _para(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    """Return text as a Paragraph, escaped so that it prints as written, markup and all."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _flowables(doc: ReferralDocument) -> list[Flowable]:
    width = A4[0] - 36 * mm
    found: list[Flowable] = [_para(doc.heading, _TITLE)]
    if doc.title != doc.heading:
        found.append(_para(doc.title, _MARK))
    found.append(Spacer(1, 4))
    for section in _sections(doc):
        found.append(_para(section.title, _HEADING))
        for block in section.blocks:
            found.append(_pdf_block(block, width))
            found.append(Spacer(1, 4))
    return found


def _pdf_block(block: Block, width: float) -> Flowable:
    if isinstance(block, Note):
        return _para(block.text)
    if isinstance(block, Fields):
        rows = [[_para(label, _LABEL), _para(value)] for label, value in block.rows]
        return Table(rows, colWidths=[0.3 * width, 0.7 * width], style=_FIELDS)
    if not block.rows:
        return _para(block.empty)
    rows = [[_para(h, _LABEL) for h in block.header]]
    rows += [[_para(cell) for cell in row] for row in block.rows]
    widths = [w * width / 100 for w in block.widths]
    return Table(rows, colWidths=widths, style=_GRID, repeatRows=1)


def _canvas(footer: str) -> type[Canvas]:
    """Return a canvas class that marks each page and numbers it "page n of m".

    The count is known only when the last page is laid out, so pages are kept and drawn
    on save.
    """

    class MarkedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, page in enumerate(self._pages, start=1):
                self.__dict__.update(page)
                self._mark(number, total)
                super().showPage()
            super().save()

        def _mark(self, number: int, total: int) -> None:
            page_width, page_height = A4
            self.saveState()
            self.setFont("Helvetica-Bold", 10)
            self.drawCentredString(page_width / 2, page_height - 12 * mm, MARKING)
            self.drawCentredString(page_width / 2, 8 * mm, MARKING)
            self.setFont("Helvetica", 8)
            self.drawString(18 * mm, 13 * mm, footer)
            self.drawRightString(page_width - 18 * mm, 13 * mm, f"Page {number} of {total}")
            self.restoreState()

    return MarkedCanvas
