"""Managing offenders for a user: reading an offender's record and recording what was done,
through the access policy, audited.

An offender outside the user's access (accounts.policy.offenders) is NotVisible, and the
attempt logged, as a child's record is in accounts.reading; whoever may see an offender may
record for them (their manager, their team, their supervisors). Each read of the record is
audited, with a read of each child named on it (a safeguarding alert names a child only to
a user whose access takes in the child's record: policy.persons); each recording is
audited as a write in the same transaction as the recording (offenders.recording), so that
both are stored or neither. A visit is made by the user recording it, unless they name
another officer of their force who manages offenders (officers()).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from safeguard.accounts import policy
from safeguard.accounts.acting import display_name
from safeguard.accounts.reading import actor, audited, visible
from safeguard.audit import log
from safeguard.clock import now
from safeguard.offenders import escalation, recording, rules
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    OffenderAlert,
    OrderCondition,
    RiskReview,
    SafeguardingAlert,
    Schedule,
    Visit,
)
from safeguard.offenders.schedule import Pending, Table, notification_deadline
from safeguard.records.models import Link, Person

WHAT = "offenders.offender"  # an offender, as the audit log names it
HOMES = ("lives_at", "stays_at")  # the links of a person to their addresses
LISTED = 200  # the latest visits, reviews and notifications shown on the record


@dataclass(frozen=True)
class Notice:
    """A notification the offender must make or made, with its deadline if still pending."""

    record: NotificationRecord
    deadline: datetime | None
    overdue: bool


@dataclass(frozen=True)
class ChildAlert:
    """A safeguarding alert and its child, None when the child's record is not the user's."""

    alert: SafeguardingAlert
    child: Person | None


@dataclass(frozen=True)
class OffenderRecord:
    """What the offender's page shows."""

    offender: Offender
    schedule: Schedule | None  # None until the schedule is first computed
    overdue: dict[str, date]  # AlertKind -> the date it was due (escalation.overdue)
    addresses: list[Link] = field(default_factory=list)
    conditions: list[OrderCondition] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    reviews: list[RiskReview] = field(default_factory=list)
    notifications: list[Notice] = field(default_factory=list)
    alerts: list[OffenderAlert] = field(default_factory=list)
    safeguarding: list[ChildAlert] = field(default_factory=list)


def schedule_of(offender: Offender) -> Schedule | None:
    """The offender's stored schedule, or None before it is first computed."""
    try:
        return offender.schedule
    except Schedule.DoesNotExist:
        return None


def visible_offender(user, offender_id: int, *, path: str = "") -> Offender:
    """Return the offender if the user may see them; else log the attempt and raise
    NotVisible."""
    return visible(
        user,
        policy.offenders(user).select_related("person", "agency", "offender_manager"),
        offender_id,
        what=WHAT,
        noun="offender",
        path=path,
    )


def looked_at(user, offender_id: int, *, path: str = "") -> Offender:
    """Return the offender for a page that names them without showing their record (a
    form), the read logged; else log the attempt and raise NotVisible."""
    offender = visible_offender(user, offender_id, path=path)
    audited(user, "read", offender, what=WHAT, path=path, detail={"record": False})
    return offender


def pending_notification(offender: Offender, notification_id: int) -> NotificationRecord | None:
    """One of a visible offender's notifications not yet made, or None."""
    return offender.notifications.filter(pk=notification_id, notified_at__isnull=True).first()


def read_offender(user, offender_id: int, *, path: str = "") -> OffenderRecord:
    """Return the offender's record as their page shows it, and log the read (and a read of
    each child named on it)."""
    offender = visible_offender(user, offender_id, path=path)
    at = now()
    schedule = Schedule.objects.filter(offender=offender).first()
    table = Table(rules.current())
    notices = []
    pending_first = F("notified_at").desc(nulls_first=True)  # then the latest made first
    for n in offender.notifications.select_related("location").order_by(
        pending_first, "-trigger_at", "-id"
    )[:LISTED]:
        deadline = None
        if n.notified_at is None:
            deadline = notification_deadline(Pending(n.kind, n.trigger_at, n.arranged_at), table)
        notices.append(Notice(n, deadline, deadline is not None and deadline <= at))
    raised = list(
        offender.safeguarding_alerts.filter(cleared_at__isnull=True)
        .select_related("child", "location")
        .order_by("-raised_at", "id")
    )
    named = set(
        policy.persons(user)
        .filter(pk__in=[a.child_id for a in raised])
        .values_list("pk", flat=True)
    )
    record = OffenderRecord(
        offender=offender,
        schedule=schedule,
        overdue=escalation.overdue(schedule, at) if schedule is not None else {},
        addresses=list(
            Link.objects.filter(from_person_id=offender.person_id, kind__in=HOMES)
            .select_related("to_location")
            .order_by("-valid_from", "-id")
        ),
        conditions=list(offender.conditions.order_by("-starts_on", "id")),
        visits=list(offender.visits.order_by("-at", "-id")[:LISTED]),
        reviews=list(
            offender.reviews.select_related("by").order_by("-completed_at", "-id")[:LISTED]
        ),
        notifications=notices,
        alerts=list(
            offender.alerts.filter(cleared_at__isnull=True)
            .select_related("user")
            .order_by("due", "kind", "user__username")
        ),
        safeguarding=[ChildAlert(a, a.child if a.child_id in named else None) for a in raised],
    )
    with transaction.atomic():
        audited(user, "read", offender, what=WHAT, path=path)
        children = [a.alert for a in record.safeguarding if a.child is not None]
        if children:
            log.record_many(
                [
                    {
                        "action": "read",
                        **actor(user),
                        "what": "records.person",
                        "object_id": str(a.child_id),
                        "person_id": a.child_id,
                        "detail": {"path": path, "offender": offender.pk, "alert": a.pk},
                    }
                    for a in children
                ]
            )
    return record


def officers(user) -> list:
    """The users a visit recorded by `user` may name as its officer: the active offender
    managers and supervisors of their force, the user first."""
    who = policy.viewer(user)
    if who is None:
        return []
    found = (
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__agency_id=who.agency_id,
            membership__role__in=policy.OFFENDER_ROLES,
        )
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "username")
    )
    return [user, *found]


# -- recording ---------------------------------------------------------------------------


def record_visit(
    user,
    offender_id: int,
    *,
    at: datetime,
    outcome: str,
    announced: bool,
    officer_id: int | None = None,
    notes: str = "",
    path: str = "",
) -> Visit:
    """Record a home visit for an offender the user may see; the officer is the user unless
    they name another of officers(). Raises recording.Invalid (nothing saved)."""
    offender = visible_offender(user, offender_id, path=path)
    officer = user
    if officer_id is not None and officer_id != user.pk:
        officer = next((o for o in officers(user) if o.pk == officer_id), None)
        if officer is None:
            raise recording.Invalid({"officer": "Select an officer of your force from the list"})
    with transaction.atomic():
        visit = recording.record_visit(
            offender,
            at=at,
            outcome=outcome,
            announced=announced,
            officer=officer,
            officer_name=display_name(officer),
            notes=notes,
        )
        detail = {"offender": offender.pk, "outcome": outcome, "officer": officer.pk}
        _written(user, visit, "offenders.visit", offender, path, detail)
    return visit


def record_review(
    user,
    offender_id: int,
    *,
    kind: str,
    completed_on: date | None,
    level: str,
    summary: str = "",
    path: str = "",
) -> RiskReview:
    """Record a completed risk review, by the user, for an offender they may see."""
    offender = visible_offender(user, offender_id, path=path)
    before = {m: getattr(offender, m) for m in recording.MEASURES.values()}
    with transaction.atomic():
        review = recording.record_review(
            offender, kind=kind, completed_on=completed_on, level=level, by=user, summary=summary
        )
        after = {m: getattr(offender, m) for m in recording.MEASURES.values()}
        detail = {"offender": offender.pk, "kind": kind, "level": level}
        changed = {m: [before[m], after[m]] for m in after if before[m] != after[m]}
        _written(user, review, "offenders.riskreview", offender, path, detail | changed)
    return review


def notification_given(
    user, offender_id: int, notification_id: int, *, notified_at: datetime, path: str = ""
) -> NotificationRecord:
    """Record that the offender made one of their pending notifications."""
    offender = visible_offender(user, offender_id, path=path)
    with transaction.atomic():
        given = recording.notification_given(offender, notification_id, notified_at=notified_at)
        detail = {"offender": offender.pk, "kind": given.kind, "given": True}
        _written(user, given, "offenders.notificationrecord", offender, path, detail)
    return given


def record_notification(
    user,
    offender_id: int,
    *,
    kind: str,
    trigger_at: datetime | None,
    notified_at: datetime | None,
    details: str = "",
    path: str = "",
) -> NotificationRecord:
    """Record a notification the offender made (a change of address, a stay, travel...)."""
    offender = visible_offender(user, offender_id, path=path)
    with transaction.atomic():
        made = recording.record_notification(
            offender, kind=kind, trigger_at=trigger_at, notified_at=notified_at, details=details
        )
        detail = {"offender": offender.pk, "kind": kind}
        _written(user, made, "offenders.notificationrecord", offender, path, detail)
    return made


def change_plan(
    user,
    offender_id: int,
    *,
    plan: str,
    visit_months: int | None,
    review_on: date | None,
    path: str = "",
) -> Offender:
    """Change the management plan of an offender the user may see."""
    offender = visible_offender(user, offender_id, path=path)
    before = [offender.plan_visit_months, _iso(offender.plan_review_on)]
    with transaction.atomic():
        changed = recording.change_plan(
            offender, plan=plan, visit_months=visit_months, review_on=review_on
        )
        detail = {
            "plan": True,
            "visit_months": [before[0], visit_months],
            "review_on": [before[1], _iso(review_on)],
        }
        _written(user, changed, WHAT, offender, path, detail)
    return changed


def _written(user, row, what: str, offender: Offender, path: str, detail: dict) -> None:
    audited(user, "write", row, what=what, path=path, detail=detail, person_id=offender.person_id)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
