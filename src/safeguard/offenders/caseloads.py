"""Caseloads: what is due and overdue among a set of offenders, and their size against the
ceiling (schedule.yaml `caseload`), counted in the database from the stored schedules.

Whose offenders are counted is the caller's: every function takes a queryset of offenders
(accounts.policy scopes it to a user). What counts as overdue is escalation.overdue's, as a
filter (OVERDUE): a visit or risk review due before today, a notification whose deadline
has passed or a re-notification whose year has ended; each figure counts offenders. A
caseload is a manager's offenders on the register (ON_CASELOAD: not deceased, not removed);
those in custody or abroad stay on it with nothing due.
"""

from datetime import date, datetime, timedelta

from django.db.models import Count, DateField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least

from safeguard.offenders import rules, services
from safeguard.offenders.models import Offender
from safeguard.offenders.vocabulary import AlertKind, Status
from safeguard.records.ages import UK

ON_CASELOAD = frozenset(Status.values) - {Status.DECEASED.value, Status.REMOVED.value}
# The command's figures but the safeguarding alerts, counted here per set of offenders.
KEYS = tuple(key for key in services.KEYS if key != "safeguarding_alerts")
_NEVER = date(9999, 12, 31)  # sorts a date not set (nothing due) after every other


def ceiling() -> int:
    """The most offenders a manager should hold (schedule.yaml caseload.ceiling)."""
    return rules.current().caseload.ceiling


def overdue_filters(at: datetime) -> dict[str, Q]:
    """Offenders with each kind of thing overdue at `at` (AlertKind -> a filter on Offender),
    as escalation.overdue() finds it in one schedule."""
    today = at.astimezone(UK).date()
    return {
        AlertKind.VISIT.value: Q(schedule__next_visit_due__lt=today),
        AlertKind.REVIEW.value: Q(schedule__review_due__lt=today),
        AlertKind.NOTIFICATION.value: Q(schedule__next_notification_deadline__lte=at)
        | Q(schedule__renotification_due__lt=today),
    }


def _measures(at: datetime) -> dict[str, Count]:
    today = at.astimezone(UK).date()
    late = overdue_filters(at)
    return {
        "offenders": Count("id"),
        "visits_due_30_days": Count(
            "id",
            filter=Q(
                schedule__next_visit_due__gte=today,
                schedule__next_visit_due__lte=today + timedelta(days=services.SOON_DAYS),
            ),
        ),
        "visits_overdue": Count("id", filter=late[AlertKind.VISIT]),
        "reviews_overdue": Count("id", filter=late[AlertKind.REVIEW]),
        "notifications_overdue": Count("id", filter=late[AlertKind.NOTIFICATION]),
    }


def on_caseload(offenders: QuerySet[Offender]) -> QuerySet[Offender]:
    """Those of the offenders on the register (ON_CASELOAD)."""
    return offenders.filter(status__in=ON_CASELOAD)


def counts(offenders: QuerySet[Offender], at: datetime) -> dict[str, int]:
    """The figures (KEYS) of the offenders on the register among these, in one query."""
    return on_caseload(offenders).aggregate(**_measures(at))


def counts_by(
    offenders: QuerySet[Offender], at: datetime, *fields: str
) -> dict[tuple, dict[str, int]]:
    """The figures (KEYS) of the offenders on the register among these, grouped by `fields`
    (e.g. "team", "offender_manager_id"): the fields' values -> the figures."""
    grouped = on_caseload(offenders).order_by().values(*fields).annotate(**_measures(at))
    rows = grouped.values(*fields, *KEYS)
    return {tuple(row[f] for f in fields): {k: row[k] for k in KEYS} for row in rows}


def managers_over(offenders: QuerySet[Offender], ceiling: int) -> int:
    """How many managers hold more of these offenders on the register than the ceiling."""
    held = on_caseload(offenders).exclude(offender_manager=None).order_by()
    per_manager = held.values("offender_manager_id").annotate(n=Count("id"))
    return per_manager.filter(n__gt=ceiling).count()


def by_next_due(offenders: QuerySet[Offender]) -> QuerySet[Offender]:
    """The offenders with `next_due` (the soonest of the next visit, risk review and
    re-notification), soonest first, those with nothing due last."""
    dates = [
        Coalesce(F(f"schedule__{name}"), Value(_NEVER), output_field=DateField())
        for name in ("next_visit_due", "review_due", "renotification_due")
    ]
    return offenders.annotate(next_due=Least(*dates)).order_by("next_due", "reference", "id")
