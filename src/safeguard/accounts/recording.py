"""Recording encounters for a user: who may, and what a recorded event set off, as they may see it.

Shared by the encounter page and the API (POST /api/events), so that both tell the same
story of an event: for each child in it, the screening it produced and the duties it opened
or joined, through the access policy (accounts/policy.py). The recording itself is
intake.authoring.record_as; an event outside the user's access is NotVisible (the attempt
logged), as a person is in accounts.reading.
"""

from dataclasses import dataclass, field

from safeguard.accounts import policy
from safeguard.accounts.reading import NotVisible, actor
from safeguard.accounts.roles import Role
from safeguard.audit import log
from safeguard.records.ages import ADULT_AGE
from safeguard.records.models import Event, Participation, Person
from safeguard.safeguarding.models import Duty
from safeguard.screening.models import Screening

# Police roles that record encounters with children on the street, in custody and on the
# line (stop and search, arrest, missing episodes, children found out of area). Analysts
# and administrators work on records, not encounters; partner agencies record their own
# events, not police ones; inspectors see figures only.
ENCOUNTER_ROLES = frozenset(
    {Role.OFFICER, Role.CUSTODY_SERGEANT, Role.SAFEGUARDING_LEAD, Role.SUPERVISOR}
)


def may_record_encounters(user) -> bool:
    """Whether the user may record a police encounter with a child for their force."""
    who = policy.viewer(user)
    return who is not None and who.police and who.role in ENCOUNTER_ROLES


@dataclass(frozen=True)
class ChildOutcome:
    """What one event set off for one child in it, as far as the user may see it."""

    person: Person
    roles: tuple[str, ...]
    age: int
    parts: frozenset[str]
    # The screening this event produced; else, when it changed nothing, the one that stood
    # at the event; None when the child has never been screened.
    screening: Screening | None
    changed: bool  # whether this event produced `screening`
    latest: Screening | None  # the child's latest screening, whatever produced it
    duties: list[Duty] = field(default_factory=list)

    def shows(self, part: str) -> bool:
        return part in self.parts


def outcome(user, event: Event) -> list[ChildOutcome]:
    """Return, for each child (under 18 at the event) in it, what the event set off."""
    roles: dict[int, list[str]] = {}
    ages: dict[int, int] = {}
    for pk, role, age in (
        Participation.objects.filter(event=event)
        .order_by("person_id", "role")
        .values_list("person_id", "role", "age_at_event")
    ):
        roles.setdefault(pk, []).append(role)
        if age is not None and age < ADULT_AGE:
            ages[pk] = age
    persons = Person.objects.in_bulk(sorted(ages))
    visible = policy.duties(user)
    found = []
    for pk in sorted(ages):
        person = persons[pk]
        screenings = Screening.objects.filter(person_id=pk).order_by("-screened_at", "-id")
        produced = screenings.filter(trigger_event=event).first()
        standing = produced or screenings.filter(screened_at__lte=event.occurred_at).first()
        opened = (
            visible.filter(person_id=pk, triggers__event=event)
            | visible.filter(person_id=pk, triggers__screening__trigger_event=event)
        ).distinct()
        found.append(
            ChildOutcome(
                person=person,
                roles=tuple(roles[pk]),
                age=ages[pk],
                parts=policy.parts(user, person),
                screening=standing,
                changed=produced is not None,
                latest=screenings.first(),
                duties=list(opened.select_related("receiver").order_by("id")),
            )
        )
    return found


def visible_event(user, event_id: int, *, path: str = "") -> Event:
    """Return the event if the user may see it; else log the attempt and raise NotVisible."""
    event = policy.events(user).select_related("agency", "location").filter(pk=event_id).first()
    if event is None:
        persons = sorted(
            set(Participation.objects.filter(event_id=event_id).values_list("person_id", flat=True))
        )
        log.record_many(
            [
                {
                    "action": "denied",
                    **actor(user),
                    "what": "records.event",
                    "object_id": str(event_id),
                    "person_id": pk,
                    "detail": {"path": path, "reason": "outside the user's access"},
                }
                for pk in persons or [None]
            ]
        )
        raise NotVisible(f"no event {event_id}")
    return event
