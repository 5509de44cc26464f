"""Safeguarding alerts: a child under 18 at an offender's address or in their household.

An offender's addresses are the places their person record lives at or stays at (records
Links `lives_at` / `stays_at` current today) and the addresses they notified. A child is a
person under 18 today (by date of birth; a person without one is not counted) who lives or
stays at one of those places, or whom a current `household` link joins to the offender.
Places are matched as records: the same Location record (identity resolution, to come,
will join two agencies' records of one address). Each (offender, child) raises one
SafeguardingAlert, with the reason in words, stored for the safeguarding queue to take up.
Only offenders in the community (active or wanted) are looked at.
"""

from datetime import date, datetime

from django.db.models import Q

from safeguard.clock import now
from safeguard.offenders.models import NotificationRecord, Offender, SafeguardingAlert
from safeguard.offenders.schedule import MANAGED
from safeguard.records.ages import UK, age_on
from safeguard.records.models import Link, Person

HOME = ("lives_at", "stays_at")
CHUNK = 5000  # places a query (well under the databases' limits on parameters)


def _current(today: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def raise_alerts(at: datetime | None = None) -> int:
    """Store an alert for each child found at an offender's address or household; return how
    many are new (running again raises none twice)."""
    at = at or now()
    today = at.astimezone(UK).date()
    offender_of = dict(Offender.objects.filter(status__in=MANAGED).values_list("person_id", "id"))
    if not offender_of:
        return 0
    places: dict[int, set[int]] = {}  # location -> offenders
    for person, location in Link.objects.filter(
        _current(today), kind__in=HOME, from_person__offender__status__in=MANAGED
    ).values_list("from_person_id", "to_location_id"):
        places.setdefault(location, set()).add(offender_of[person])
    for offender, location in NotificationRecord.objects.filter(
        offender__status__in=MANAGED, location__isnull=False, notified_at__isnull=False
    ).values_list("offender_id", "location_id"):
        places.setdefault(location, set()).add(offender)
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
        for offender in places[location]:
            if offender_of.get(person) != offender:
                verb = "lives" if kind == "lives_at" else "stays"
                found.setdefault(
                    (offender, person), (location, f"a child {verb} at an address of the offender")
                )
    household = Link.objects.filter(_current(today), kind="household").filter(
        Q(from_person__offender__status__in=MANAGED) | Q(to_person__offender__status__in=MANAGED)
    )
    for a, b in household.values_list("from_person_id", "to_person_id"):
        for offender_person, other in ((a, b), (b, a)):
            if offender_person in offender_of and other not in offender_of:
                found.setdefault(
                    (offender_of[offender_person], other),
                    (None, "a child lives in the offender's household"),
                )
    people = sorted({p for _, p in found})
    births = {
        person: born
        for start in range(0, len(people), CHUNK)
        for person, born in Person.objects.filter(
            id__in=people[start : start + CHUNK], date_of_birth__isnull=False
        ).values_list("id", "date_of_birth")
    }
    alerts = []
    for (offender, child), (location, reason) in found.items():
        age = age_on(births.get(child), today)
        if age is not None and age < 18:
            alerts.append(
                SafeguardingAlert(
                    offender_id=offender,
                    child_id=child,
                    location_id=location,
                    reason=f"{reason} (aged {age})",
                    raised_at=at,
                )
            )
    before = SafeguardingAlert.objects.count()
    SafeguardingAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return SafeguardingAlert.objects.count() - before
