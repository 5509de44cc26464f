"""Escalation: an overdue visit, risk review or notification is put in front of a supervisor.

Reads the stored schedules (services.recompute first). For each offender with something
overdue, the supervisors of the offender manager's team in the managing force are told
(every supervisor of the force when the team has none of its own), one OffenderAlert each,
keyed by offender, kind and due date: running it again tells no one twice, and a new due
date that lapses in its turn is told again. An alert whose thing is no longer overdue (the
visit made, the review done, the notification given) is cleared, never deleted.
E-mail is not sent yet (issue 8, with the caseload pages).
"""

from collections import Counter
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.clock import now
from safeguard.offenders.models import OffenderAlert, Schedule
from safeguard.offenders.schedule import MANAGED
from safeguard.offenders.vocabulary import AlertKind
from safeguard.records.ages import UK

# accounts.roles.Role.SUPERVISOR: accounts sits above this layer, which reads memberships
# through the user model, as safeguarding.escalation does.
SUPERVISOR = "supervisor"


def overdue(schedule: Schedule, at: datetime) -> dict[str, date]:
    """Return what of one schedule is overdue at `at`: kind -> the date it was due."""
    today = at.astimezone(UK).date()
    found = {}
    if schedule.next_visit_due is not None and schedule.next_visit_due < today:
        found[AlertKind.VISIT.value] = schedule.next_visit_due
    if schedule.review_due is not None and schedule.review_due < today:
        found[AlertKind.REVIEW.value] = schedule.review_due
    lapsed = []
    deadline = schedule.next_notification_deadline
    if deadline is not None and deadline <= at:
        lapsed.append(deadline.astimezone(UK).date())
    if schedule.renotification_due is not None and schedule.renotification_due < today:
        lapsed.append(schedule.renotification_due)
    if lapsed:
        found[AlertKind.NOTIFICATION.value] = min(lapsed)
    return found


def escalate(at: datetime | None = None) -> Counter:
    """Tell supervisors of what is overdue, clear what no longer is; return new alerts by kind."""
    at = at or now()
    schedules = (
        Schedule.objects.select_related("offender", "offender__person")
        .filter(offender__status__in=MANAGED)
        .order_by("offender_id")
    )
    current: dict[tuple[int, str], date] = {}
    pending = []
    for schedule in schedules.iterator(chunk_size=2000):
        for kind, due in overdue(schedule, at).items():
            current[(schedule.offender_id, kind)] = due
            pending.append((schedule.offender, kind, due))
    told: Counter = Counter()
    with transaction.atomic():
        recipients = _recipients({(o.agency_id, o.team) for o, _, _ in pending})
        existing = set(OffenderAlert.objects.values_list("user_id", "offender_id", "kind", "due"))
        alerts = []
        for offender, kind, due in pending:
            for user_id in recipients[(offender.agency_id, offender.team)]:
                if (user_id, offender.id, kind, due) in existing:
                    continue
                alerts.append(
                    OffenderAlert(
                        user_id=user_id,
                        offender=offender,
                        kind=kind,
                        due=due,
                        subject=_subject(offender, kind, due),
                        created_at=at,
                    )
                )
                told[kind] += 1
        OffenderAlert.objects.bulk_create(alerts, ignore_conflicts=True)
        _clear(OffenderAlert.objects.all(), current, at)
    return told


def clear_done(offender_id: int, at: datetime | None = None) -> int:
    """Clear one offender's alerts whose thing is no longer overdue, from their schedule as
    stored (recompute it first): what escalate() would clear of them; return how many."""
    at = at or now()
    schedule = Schedule.objects.filter(
        offender_id=offender_id, offender__status__in=MANAGED
    ).first()
    current = {}
    if schedule is not None:
        current = {(offender_id, k): due for k, due in overdue(schedule, at).items()}
    return _clear(OffenderAlert.objects.filter(offender_id=offender_id), current, at)


def _clear(alerts, current: dict[tuple[int, str], date], at: datetime) -> int:
    """Clear the open alerts among `alerts` whose (offender, kind) is not overdue with the
    same due date in `current`; return how many."""
    stale = [
        a.pk
        for a in alerts.filter(cleared_at__isnull=True).only("pk", "offender_id", "kind", "due")
        if current.get((a.offender_id, a.kind)) != a.due
    ]
    return OffenderAlert.objects.filter(pk__in=stale).update(cleared_at=at)


def _recipients(teams: set[tuple[int, str]]) -> dict[tuple[int, str], list[int]]:
    """Return, per (force, team), the supervisors told: the team's own, else all the force's."""
    members = list(
        get_user_model()
        .objects.filter(
            membership__agency_id__in={a for a, _ in teams},
            membership__role=SUPERVISOR,
            is_active=True,
        )
        .values_list("membership__agency_id", "membership__team", "id")
    )
    found = {}
    for agency, team in teams:
        everyone = [u for a, _, u in members if a == agency]
        own = [u for a, t, u in members if a == agency and team and t == team]
        found[(agency, team)] = own or everyone
    return found


def _subject(offender, kind: str, due: date) -> str:
    what = AlertKind(kind).label
    return f"{what}: offender {offender.reference}, due {due:%-d %b %Y}"
