"""Reading a child's record: what a user may see of it, gathered once for pages and the API,
with the read written to the audit log.

Everything here goes through the access policy (accounts/policy.py): a person outside the
user's scope is NotVisible (a page answers 404, the API 404) and the attempt is logged as
denied; a read of the full record needs a purpose (why the user is looking), which is logged
with it. The parts of the record a partner agency may not see are left out here, not hidden
by a template.

The other accounts modules find and audit their records the same way: visible() (any record
through the policy, a refusal logged), audited() (one read or write), audit_listed() (a list).
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from safeguard.accounts import policy
from safeguard.audit import log
from safeguard.clock import now
from safeguard.records import vocabulary as rv
from safeguard.records.ages import age_on
from safeguard.records.models import Event, Link, Person
from safeguard.safeguarding.models import ChargingReview, Duty, ToolRecommendation
from safeguard.screening.models import Screening


class NotVisible(LookupError):
    """The record is not there for this user: not in their scope, or not there at all."""


class PurposeRequired(ValueError):
    """A full record is read only for a stated purpose."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event: Event
    roles: tuple[str, ...]  # the person's parts in it, as codes (records.vocabulary.Role)

    @property
    def role_labels(self) -> tuple[str, ...]:
        """The person's parts in words ("Missing person"), a code unknown to the vocabulary
        as it is."""
        return tuple(rv.Role(r).label if r in rv.Role.values else r for r in self.roles)


@dataclass(frozen=True)
class ChildRecord:
    """What one user may see of one person's record, part by part."""

    person: Person
    parts: frozenset[str]
    age: int | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    screenings: list[Screening] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    reviews: list[ChargingReview] = field(default_factory=list)
    recommendations: list[ToolRecommendation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def shows(self, part: str) -> bool:
        return part in self.parts


def visible(
    user,
    rows: QuerySet,
    pk: int,
    *,
    what: str,
    noun: str,
    path: str = "",
    person_field: str = "person_id",
):
    """Return the record with this id among `rows` (a queryset the policy scoped to the user);
    else log the attempt as denied and raise NotVisible.

    Args:
        what: the record's kind as the log names it ("safeguarding.duty").
        noun: the record in NotVisible's message ("duty").
        person_field: the field naming the record's person, logged with the attempt ("pk"
            for a person).
    """
    found = rows.filter(pk=pk).first()
    if found is None:
        log.record(
            "denied",
            **actor(user),
            what=what,
            object_id=str(pk),
            person_id=rows.model.objects.filter(pk=pk).values_list(person_field, flat=True).first(),
            detail={"path": path, "reason": "outside the user's access"},
        )
        raise NotVisible(f"no {noun} {pk}")
    return found


def visible_person(user, person_id: int, *, path: str = "") -> Person:
    """Return the person if the user may see them; else log the attempt and raise NotVisible."""
    return visible(
        user,
        policy.persons(user).select_related("agency"),
        person_id,
        what="records.person",
        noun="person",
        path=path,
        person_field="pk",
    )


def read_child(user, person_id: int, *, purpose: str, path: str = "") -> ChildRecord:
    """Return what the user may see of a person's record, and log the read with its purpose."""
    if not purpose.strip():
        raise PurposeRequired("say why you are reading this record")
    person = visible_person(user, person_id, path=path)
    parts = policy.parts(user, person)
    record = ChildRecord(
        person=person,
        parts=parts,
        age=age_on(person.date_of_birth, now()),
        timeline=_timeline(user, person) if "events" in parts else [],
        screenings=_screenings(person) if "screening" in parts else [],
        duties=list(policy.duties(user).filter(person=person).order_by("-started_at", "-id")),
        reviews=list(policy.charging_reviews(user).filter(person=person).order_by("-completed_at")),
        recommendations=list(
            policy.recommendations(user)
            .filter(Q(subject=person) | Q(protects__contains=[person.pk]))
            .order_by("-recommended_at")
            if policy.json_contains_supported()
            else _recommendations_python(user, person)
        ),
        links=_links(person) if policy.ALL_PARTS <= parts else [],
    )
    audited(
        user,
        "read",
        person,
        what="records.person",
        person_id=person.pk,
        purpose=purpose,
        path=path,
        detail={"parts": sorted(parts)},
    )
    return record


def _timeline(user, person: Person) -> list[TimelineEntry]:
    roles: dict[int, list[str]] = {}
    for event_id, role in person.participations.values_list("event_id", "role"):
        roles.setdefault(event_id, []).append(role)
    events = (
        policy.events(user)
        .filter(id__in=list(roles))
        .select_related("location", "agency")
        .order_by("-occurred_at", "-id")
    )
    return [TimelineEntry(e, tuple(sorted(roles[e.pk]))) for e in events]


def _screenings(person: Person) -> list[Screening]:
    return list(person.screenings.order_by("-screened_at", "-id")[:50])


def _links(person: Person) -> list[Link]:
    """The people, phones and addresses linked to the person (police only: all parts)."""
    return list(
        Link.objects.filter(Q(from_person=person) | Q(to_person=person))
        .exclude(kind=rv.LinkKind.CONTACT)
        .select_related("from_person", "to_person", "to_phone", "to_location")
        .order_by("kind", "-valid_from")
    )


def _recommendations_python(user, person: Person) -> list[ToolRecommendation]:
    rows = policy.recommendations(user).order_by("-recommended_at")
    return [r for r in rows if r.subject_id == person.pk or person.pk in (r.protects or ())]


def actor(user) -> dict:
    """Who is acting, as the audit log records them."""
    membership = getattr(user, "membership", None)
    return {
        "user": user if getattr(user, "is_authenticated", False) else None,
        "username": getattr(user, "username", "") or "",
        "agency_code": membership.agency.code if membership is not None else "",
    }


def audited(
    user,
    action: str,
    row,
    *,
    what: str,
    path: str,
    detail: dict | None = None,
    person_id: int | None = None,
    purpose: str = "",
) -> None:
    """Log one action of the user on one record (a read, a write, an export).

    Args:
        row: the record, by its `pk`; its person is `row.person_id` unless `person_id` is given.
        what: the record's kind as the log names it ("safeguarding.duty").
        path: the page or endpoint, first in the entry's detail.
        detail: the rest of the entry's detail.
        purpose: why the user read it, for a read that needs one.
    """
    log.record(
        action,
        **actor(user),
        what=what,
        object_id=str(row.pk),
        person_id=row.person_id if person_id is None else person_id,
        purpose=purpose,
        detail={"path": path, **(detail or {})},
    )


def audit_listed(user, rows, *, what: str, path: str, listing: str) -> None:
    """Log one read per row a page or the API lists (each row names one person's record).

    Args:
        user: who is listing them.
        rows: the records listed, each with `pk` and `person_id` (duties, charging reviews).
        what: the records' kind as the log names it ("safeguarding.duty").
        path: the page or endpoint that listed them.
        listing: which list it was ("queue", "inbox"), kept in the entry's detail.
    """
    if not rows:
        return
    who = actor(user)
    log.record_many(
        [
            {
                "action": "read",
                **who,
                "what": what,
                "object_id": str(row.pk),
                "person_id": row.person_id,
                "detail": {"path": path, "list": listing},
            }
            for row in rows
        ]
    )
