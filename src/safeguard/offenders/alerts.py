"""Safeguarding alerts: a child under 18 with a registered offender, taken up by the queue.

An offender's addresses are the places their person record lives at or stays at (records
Links `lives_at` / `stays_at` current today) and the addresses they notified. A child is a
person under 18 today (by date of birth; a person without one is not counted) who lives or
stays at one of those places, or whom a current `household` link joins to the offender
(raise_alerts). The network analysis adds the children found with an offender in a county
line (raise_for_links, called by network.running when it stores a run). Places are matched
as records: the same Location record (identity resolution, to come, will join two agencies'
records of one address). Only offenders in the community (active or wanted) are looked at.

Each (offender, child) raises one SafeguardingAlert, with the reason in words, and opens a
duty in the safeguarding queue in the same transaction (safeguarding.services.open_for_alerts:
the duty rules' `offender_alert` rule, a referral to children's services). The reason is
shown to everyone who sees that duty, who may not see offender records: it says what was
found ("a child, aged 12, lives at an address notified by a registered offender"), never
who the offender is. An alert no rule takes up (the rules in use have none, or the child's
age is not known) keeps no duty and is looked at again on the next run.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q

from safeguard.clock import now
from safeguard.offenders.models import NotificationRecord, Offender, SafeguardingAlert
from safeguard.offenders.schedule import MANAGED
from safeguard.records.ages import UK, age_on
from safeguard.records.models import Link, Person
from safeguard.safeguarding.duties import AlertFacts
from safeguard.safeguarding.services import open_for_alerts

HOME = ("lives_at", "stays_at")
CHUNK = 5000  # places, people or alerts a query (well under the databases' parameter limits)
DUTY_CHUNK = 500  # alerts taken up at a time (safeguarding opens duties by the 500)
# Where an address comes from, in the words of the reason (never the offender's name).
WHERE = {
    "lives_at": "at an address where a registered offender lives",
    "stays_at": "at an address where a registered offender stays",
    "notified": "at an address notified by a registered offender",
}


@dataclass(frozen=True, slots=True)
class Found:
    """A child found with an offender: what an alert stores."""

    offender_id: int
    child_id: int
    age: int | None
    reason: str
    at: datetime
    location_id: int | None = None


@dataclass(frozen=True, slots=True)
class Linked:
    """People found together with children elsewhere: a county line of a network run.

    `people` holds each member's person records (a member may stand for several records of
    one person); `children` each child's record and age; `where` says where in words
    ("in county line BLING"); `at` is when they were last seen together.
    """

    people: tuple[tuple[int, ...], ...]
    children: tuple[tuple[int, int | None], ...]
    where: str
    at: datetime


def _current(today: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def _reason(age: int | None, what: str) -> str:
    return f"a child, aged {age}, {what}" if age is not None else f"a child {what}"


def raise_alerts(at: datetime | None = None) -> int:
    """Store an alert for each child found at an offender's address or household, and open
    its duty; return how many alerts are new (running again raises none twice)."""
    at = at or now()
    today = at.astimezone(UK).date()
    offender_of = dict(Offender.objects.filter(status__in=MANAGED).values_list("person_id", "id"))
    if not offender_of:
        return _store([])
    places: dict[int, dict[int, str]] = {}  # location -> offender -> how it is theirs
    for person, location, kind in Link.objects.filter(
        _current(today), kind__in=HOME, from_person__offender__status__in=MANAGED
    ).values_list("from_person_id", "to_location_id", "kind"):
        places.setdefault(location, {}).setdefault(offender_of[person], kind)
    for offender, location in NotificationRecord.objects.filter(
        offender__status__in=MANAGED, location__isnull=False, notified_at__isnull=False
    ).values_list("offender_id", "location_id"):
        places.setdefault(location, {}).setdefault(offender, "notified")
    found: dict[tuple[int, int], tuple[int | None, str]] = {}
    located = sorted(places)
    residents = (
        row
        for start in range(0, len(located), CHUNK)
        for row in Link.objects.filter(
            _current(today), kind__in=HOME, to_location_id__in=located[start : start + CHUNK]
        ).values_list("from_person_id", "to_location_id", "kind")
    )
    for person, location, kind in residents:
        verb = "lives" if kind == "lives_at" else "stays"
        for offender, how in places[location].items():
            if offender_of.get(person) != offender:
                found.setdefault((offender, person), (location, f"{verb} {WHERE[how]}"))
    household = Link.objects.filter(_current(today), kind="household").filter(
        Q(from_person__offender__status__in=MANAGED) | Q(to_person__offender__status__in=MANAGED)
    )
    for a, b in household.values_list("from_person_id", "to_person_id"):
        for offender_person, other in ((a, b), (b, a)):
            if offender_person in offender_of and other not in offender_of:
                found.setdefault(
                    (offender_of[offender_person], other),
                    (None, "lives in the household of a registered offender"),
                )
    births = _births(sorted({p for _, p in found}))
    alerts = []
    for (offender, child), (location, what) in found.items():
        age = age_on(births.get(child), today)
        if age is not None and age < 18:
            alerts.append(Found(offender, child, age, _reason(age, what), at, location))
    return _store(alerts)


def raise_for_links(groups: Iterable[Linked]) -> int:
    """Store an alert for each offender found together with a child, and open its duty;
    return how many alerts are new.

    Args:
        groups: people found together with children (network.running: a run's county
            lines that have a child). An offender is matched on any of a member's person
            records; only offenders in the community (active or wanted) count.

    Returns:
        The number of new alerts. A pair already alerted (by address, household or an
        earlier run) is not raised again; a pair found in two groups is raised once, at
        the earlier moment.
    """
    groups = list(groups)
    records = sorted({r for g in groups for member in g.people for r in member})
    offender_of = {
        person: offender
        for start in range(0, len(records), CHUNK)
        for person, offender in Offender.objects.filter(
            person_id__in=records[start : start + CHUNK], status__in=MANAGED
        ).values_list("person_id", "id")
    }
    found: dict[tuple[int, int], Found] = {}
    for g in sorted(groups, key=lambda g: g.at):
        for member in g.people:
            offenders = {offender_of[r] for r in member if r in offender_of}
            for offender in sorted(offenders):
                for child, age in g.children:
                    if child not in member:  # not the offender's own record
                        what = f"is linked to a registered offender {g.where}"
                        found.setdefault(
                            (offender, child), Found(offender, child, age, _reason(age, what), g.at)
                        )
    return _store(list(found.values()))


def _births(people: Sequence[int]) -> dict[int, date]:
    return {
        person: born
        for start in range(0, len(people), CHUNK)
        for person, born in Person.objects.filter(
            id__in=people[start : start + CHUNK], date_of_birth__isnull=False
        ).values_list("id", "date_of_birth")
    }


def _store(found: Sequence[Found]) -> int:
    """Store the alerts not stored yet, then open the duties of every open alert without one,
    in one transaction; return how many alerts are new.

    Each chunk looks up its own keys (offender, child) rather than counting the table.
    """
    new = 0
    with transaction.atomic():
        for start in range(0, len(found), CHUNK):
            part = found[start : start + CHUNK]
            stored = set(
                SafeguardingAlert.objects.filter(
                    offender_id__in={f.offender_id for f in part},
                    child_id__in={f.child_id for f in part},
                ).values_list("offender_id", "child_id")
            )
            fresh = [f for f in part if (f.offender_id, f.child_id) not in stored]
            SafeguardingAlert.objects.bulk_create(
                [
                    SafeguardingAlert(
                        offender_id=f.offender_id,
                        child_id=f.child_id,
                        child_age=f.age,
                        location_id=f.location_id,
                        reason=f.reason,
                        raised_at=f.at,
                    )
                    for f in fresh
                ],
                ignore_conflicts=True,
            )
            new += len(fresh)
        take_up()
    return new


def take_up() -> int:
    """Open a duty in the safeguarding queue for each open alert that has none yet; return
    how many alerts now have one. A chunk of alerts at a time, a few queries each."""
    taken, last = 0, 0
    while True:
        rows = list(
            SafeguardingAlert.objects.filter(
                duty__isnull=True, cleared_at__isnull=True, id__gt=last
            )
            .order_by("id")
            .values_list(
                "id", "child_id", "offender__agency_id", "child_age", "raised_at", "reason"
            )[:DUTY_CHUNK]
        )
        if not rows:
            return taken
        last = rows[-1][0]
        opened = open_for_alerts([AlertFacts(*row) for row in rows])
        SafeguardingAlert.objects.bulk_update(
            [SafeguardingAlert(pk=alert, duty_id=duty) for alert, duty in opened.items()],
            ["duty"],
            batch_size=DUTY_CHUNK,
        )
        taken += len(opened)
