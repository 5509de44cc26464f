"""Recompute every offender's schedule: load their facts in chunks, compute, store in bulk.

Six queries a chunk (offenders, visits seen, visits made, reviews, notifications made,
notifications pending), then one bulk upsert of their Schedule rows. The computing is
schedule.compute, pure.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Sum

from safeguard.clock import now
from safeguard.offenders import rules
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    RiskReview,
    SafeguardingAlert,
    Schedule,
    Visit,
)
from safeguard.offenders.schedule import Facts, Pending, Table, compute
from safeguard.offenders.vocabulary import VisitOutcome
from safeguard.records.ages import UK

CHUNK = 2000
STORED = [
    "level",
    "visit_months",
    "plan_override",
    "next_visit_due",
    "next_visit_suggested_at",
    "review_due",
    "renotification_due",
    "notifications_overdue",
    "next_notification_deadline",
    "computed_at",
    "rules",
]
# "Visits due in 30 days": due from today to this many days on, not yet overdue (the
# command's figure, named by issue 8; the caseload pages count the same window).
SOON_DAYS = 30
KEYS = (
    "offenders",
    "visits_due_30_days",
    "visits_overdue",
    "reviews_overdue",
    "notifications_overdue",
    "safeguarding_alerts",
)
OFFENDER_FIELDS = (
    "id",
    "registered_on",
    "status",
    "released_on",
    "notification_period_end",
    "rm2000",
    "osp",
    "oasys_rosh",
    "plan_visit_months",
    "mappa_category",
)


def recompute(at: datetime | None = None, chunk: int = CHUNK) -> int:
    """Compute and store the schedule of every offender as of `at`; return how many."""
    at = at or now()
    table = Table(rules.current())
    ids = list(Offender.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        _store(part[0], part[-1], table, at)
    return len(ids)


def recompute_one(offender_id: int, at: datetime | None = None) -> Schedule:
    """Compute and store one offender's schedule as of `at` (a visit, review, notification or
    plan just recorded moves their dates at once, not at the next run); return it."""
    _store(offender_id, offender_id, Table(rules.current()), at or now())
    return Schedule.objects.get(offender_id=offender_id)


def _store(first_id: int, last_id: int, table: Table, at: datetime) -> None:
    """Compute and upsert the schedules of the offenders with ids from first_id to last_id."""
    rows = [
        _row(facts, compute(facts, table, at), table, at) for facts in load_facts(first_id, last_id)
    ]
    Schedule.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["offender"], update_fields=STORED
    )


def load_facts(first_id: int, last_id: int) -> list[Facts]:
    """Return the facts of the offenders with ids from first_id to last_id (six queries)."""
    within = {"offender_id__gte": first_id, "offender_id__lte": last_id}
    table_rules = rules.current()
    restarting = list(table_rules.renotification.restarted_by)
    seen = dict(
        Visit.objects.filter(outcome=VisitOutcome.SEEN, **within)
        .values("offender_id")
        .annotate(last=Max("at"))
        .values_list("offender_id", "last")
    )
    made = {
        o: (last, n)
        for o, last, n in Visit.objects.filter(**within)
        .values("offender_id")
        .annotate(last=Max("at"), n=Count("id"))
        .values_list("offender_id", "last", "n")
    }
    reviewed = dict(
        RiskReview.objects.filter(**within)
        .values("offender_id")
        .annotate(last=Max("completed_at"))
        .values_list("offender_id", "last")
    )
    notified = dict(
        NotificationRecord.objects.filter(kind__in=restarting, notified_at__isnull=False, **within)
        .values("offender_id")
        .annotate(last=Max("notified_at"))
        .values_list("offender_id", "last")
    )
    pending: dict[int, list[Pending]] = defaultdict(list)
    for o, kind, trigger, arranged in NotificationRecord.objects.filter(
        notified_at__isnull=True, **within
    ).values_list("offender_id", "kind", "trigger_at", "arranged_at"):
        pending[o].append(Pending(kind, trigger, arranged))
    found = []
    for row in (
        Offender.objects.filter(id__gte=first_id, id__lte=last_id)
        .order_by("id")
        .values_list(*OFFENDER_FIELDS)
    ):
        oid, registered, status, released, end, rm2000, osp, rosh, plan, category = row
        last_visit, visits = made.get(oid, (None, 0))
        found.append(
            Facts(
                id=oid,
                registered_on=registered,
                status=status,
                released_on=released,
                notification_end=end,
                rm2000=rm2000,
                osp=osp,
                oasys_rosh=rosh,
                plan_months=plan,
                last_seen=_day(seen.get(oid)),
                last_visit=last_visit,
                visits=visits,
                last_review=_day(reviewed.get(oid)),
                last_notified=_day(notified.get(oid)),
                category=category,
                pending=tuple(pending.get(oid, ())),
            )
        )
    return found


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(UK).date() if moment is not None else None


def _row(facts: Facts, done, table: Table, at: datetime) -> Schedule:
    return Schedule(
        offender_id=facts.id,
        level=done.level,
        visit_months=done.visit_months,
        plan_override=done.plan_override,
        next_visit_due=done.visit_due,
        next_visit_suggested_at=done.suggested_at,
        review_due=done.review_due,
        renotification_due=done.renotification_due,
        notifications_overdue=done.notifications_overdue,
        next_notification_deadline=done.next_notification_deadline,
        computed_at=at,
        rules=table.label,
    )


def figures(at: datetime | None = None) -> dict[str, int]:
    """Return the counts `safeguard offenders schedule` prints, from the stored schedules.

    Visits due in 30 days are those due from today to 30 days on (not yet overdue);
    notifications overdue is the number of notifications overdue, over all offenders.
    """
    today = (at or now()).astimezone(UK).date()
    schedules = Schedule.objects.all()
    return {
        "offenders": Offender.objects.count(),
        "visits_due_30_days": schedules.filter(
            next_visit_due__gte=today, next_visit_due__lte=today + timedelta(days=SOON_DAYS)
        ).count(),
        "visits_overdue": schedules.filter(next_visit_due__lt=today).count(),
        "reviews_overdue": schedules.filter(review_due__lt=today).count(),
        "notifications_overdue": schedules.aggregate(n=Sum("notifications_overdue"))["n"] or 0,
        "safeguarding_alerts": SafeguardingAlert.objects.filter(cleared_at__isnull=True).count(),
    }
