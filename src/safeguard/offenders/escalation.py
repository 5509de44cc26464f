"""Escalation: an overdue visit, risk review or notification is put in front of supervisors.

Reads the stored schedules (services.recompute first). For each offender with something
overdue, the supervisors of the offender manager's team in the managing force are told
(every supervisor of the force when the team has none of its own): level 1. If it is still
overdue the rules' `escalation.again_days` after that, every supervisor of the force is
told (the team's again among them): level 2, once. Each is an OffenderAlert per user,
offender, kind, due date and level: running it again tells no one twice, and a new due
date that lapses in its turn is told afresh. Each user told in a run gets one e-mail
listing what reached them (safeguarding.escalation.send_lists, as for late duties). An
alert whose thing is no longer overdue (the visit made, the review done, the notification
given) is cleared, never deleted; if the same date is overdue again (a level that rose and
fell back), its alerts reopen rather than tell anyone twice.

Only what is in question is read: the alerts of the offenders with something overdue (a
chunk of offenders at a time, by their due dates), and the open alerts to clear, however
many have cleared before.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.clock import now
from safeguard.offenders import rules
from safeguard.offenders.models import Offender, OffenderAlert, Schedule
from safeguard.offenders.schedule import MANAGED
from safeguard.offenders.vocabulary import AlertKind, AlertLevel
from safeguard.records.ages import UK
from safeguard.safeguarding.escalation import send_lists

# accounts.roles.Role.SUPERVISOR: accounts sits above this layer, which reads memberships
# through the user model, as safeguarding.escalation does.
SUPERVISOR = "supervisor"
CHUNK = 1000  # offenders (or alerts) a query: their ids and due dates stay under the limits
INTRO = (
    "These are overdue in the management of registered offenders and are escalated to you as "
    "a supervisor of the force that manages them. Each clears itself when it is done."
)

Key = tuple[int, str, date]  # offender, kind, due date


class Made(NamedTuple):
    """An alert already made of something overdue now."""

    pk: int
    level: int
    created_at: datetime
    cleared_at: datetime | None


@dataclass(frozen=True, slots=True)
class Told:
    """What one run of escalate() told: new alerts by kind at each level, and e-mails sent."""

    first: Counter
    again: Counter
    emails: int = 0

    @property
    def total(self) -> int:
        return self.first.total() + self.again.total()


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


def escalate(at: datetime | None = None) -> Told:
    """Tell supervisors of what is overdue, again at level 2 when it stays so; clear what no
    longer is; e-mail each user told once. Return what was told."""
    at = at or now()
    again = timedelta(days=rules.current().escalation.again_days)
    schedules = (
        Schedule.objects.select_related("offender")
        .filter(offender__status__in=MANAGED)
        .order_by("offender_id")
    )
    pending: dict[Key, Offender] = {}
    for schedule in schedules.iterator(chunk_size=2000):
        for kind, due in overdue(schedule, at).items():
            pending[(schedule.offender_id, kind, due)] = schedule.offender
    first: Counter = Counter()
    second: Counter = Counter()
    with transaction.atomic():
        recipients = _recipients({(o.agency_id, o.team) for o in pending.values()})
        existing = _existing(pending)
        alerts, reopened = [], []
        for key, offender in pending.items():
            told = existing.get(key, {})
            reopened += [m.pk for m in told.values() if m.cleared_at is not None]
            since = min((m.created_at for m in told.values() if m.level == 1), default=None)
            level = 2 if since is not None and at >= since + again else 1
            for user in recipients[(offender.agency_id, offender.team)][level]:
                if (user, level) in told:
                    continue
                alerts.append(_alert(user, offender, key, level, at))
                (second if level == 2 else first)[key[1]] += 1
        OffenderAlert.objects.bulk_create(alerts, ignore_conflicts=True)
        _update(reopened, cleared_at=None)
        _update(_stale(set(pending)), cleared_at=at)
    emails = _email({a.user_id for a in alerts}, at)
    return Told(first, second, emails)


def _existing(pending: dict[Key, Offender]) -> dict[Key, dict[tuple[int, int], Made]]:
    """Return the alerts already made of what is overdue now, cleared ones included, by key
    and (user, level). A chunk of offenders a query, narrowed to their due dates."""
    by_offender: dict[int, set[date]] = {}
    for offender, _, due in pending:
        by_offender.setdefault(offender, set()).add(due)
    offenders = sorted(by_offender)
    found: dict[Key, dict[tuple[int, int], Made]] = {}
    for start in range(0, len(offenders), CHUNK):
        part = offenders[start : start + CHUNK]
        rows = OffenderAlert.objects.filter(
            offender_id__in=part, due__in={d for o in part for d in by_offender[o]}
        ).values_list(
            "pk", "user_id", "offender_id", "kind", "due", "level", "created_at", "cleared_at"
        )
        for pk, user, offender, kind, due, level, created, cleared in rows:
            if (offender, kind, due) in pending:
                found.setdefault((offender, kind, due), {})[(user, level)] = Made(
                    pk, level, created, cleared
                )
    return found


def clear_done(offender_id: int, at: datetime | None = None) -> int:
    """Clear one offender's alerts whose thing is no longer overdue, from their schedule as
    stored (recompute it first): what escalate() would clear of them; return how many."""
    at = at or now()
    schedule = Schedule.objects.filter(
        offender_id=offender_id, offender__status__in=MANAGED
    ).first()
    current: set[Key] = set()
    if schedule is not None:
        current = {(offender_id, kind, due) for kind, due in overdue(schedule, at).items()}
    stale = _stale(current, OffenderAlert.objects.filter(offender_id=offender_id))
    _update(stale, cleared_at=at)
    return len(stale)


def _stale(current: set[Key], alerts=None) -> list[int]:
    """Return the open alerts (of all, or among `alerts`) whose thing is no longer overdue at
    that date."""
    alerts = OffenderAlert.objects.all() if alerts is None else alerts
    open_now = alerts.filter(cleared_at__isnull=True).values_list(
        "pk", "offender_id", "kind", "due"
    )
    return [
        pk
        for pk, offender, kind, due in open_now.iterator(chunk_size=2000)
        if (offender, kind, due) not in current
    ]


def _update(pks: list[int], **values) -> None:
    for start in range(0, len(pks), CHUNK):
        OffenderAlert.objects.filter(pk__in=pks[start : start + CHUNK]).update(**values)


def _alert(user: int, offender: Offender, key: Key, level: int, at: datetime) -> OffenderAlert:
    _, kind, due = key
    return OffenderAlert(
        user_id=user,
        offender=offender,
        kind=kind,
        due=due,
        level=level,
        subject=_subject(offender, kind, due, level),
        created_at=at,
    )


def _email(users: set[int], at: datetime) -> int:
    """E-mail each user told at `at` one list of what reached them; return how many e-mails."""
    ids = sorted(users)
    lists: dict[int, list[OffenderAlert]] = {}
    for start in range(0, len(ids), CHUNK):
        new = OffenderAlert.objects.filter(
            user_id__in=ids[start : start + CHUNK], created_at=at, emailed_at__isnull=True
        ).order_by("user_id", "-level", "due", "offender_id", "kind")
        for alert in new.only("pk", "user_id", "subject"):
            lists.setdefault(alert.user_id, []).append(alert)
    emailed = send_lists(
        {user: [a.subject for a in mine] for user, mine in lists.items()},
        many="{n} overdue in offender management escalated to you",
        intro=INTRO,
    )
    _update([a.pk for user in emailed for a in lists[user]], emailed_at=now())
    return len(emailed)


def _recipients(teams: set[tuple[int, str]]) -> dict[tuple[int, str], dict[int, list[int]]]:
    """Return, per (force, team), the supervisors told at each level: level 1 the team's own
    (all the force's when it has none), level 2 every supervisor of the force."""
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
        found[(agency, team)] = {1: own or everyone, 2: list(dict.fromkeys(own + everyone))}
    return found


def _subject(offender: Offender, kind: str, due: date, level: int) -> str:
    what = AlertKind(kind).label
    if level == AlertLevel.FORCE:
        what += ", still (told again, to the force's supervisors)"
    return f"{what}: offender {offender.reference}, due {due:%-d %b %Y}"
