"""The offender schedule, pure: next visit, suggested visit moment, review and notification dates.

Plain functions over plain dataclasses (no database): services.py loads the facts of a chunk
of offenders and stores what `compute` returns; bench/offenders.py runs it over the size of
the national register. Rules come from schedule.yaml through `Table`.

Days are counted on the UK calendar. A notification period "of 3 days beginning with" a day
(Sexual Offences Act 2003 ss83-85) ends at the midnight that closes its third day, and the
year for re-notification likewise ends the day before the anniversary of the last one.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from safeguard.offenders.rules import ScheduleRules
from safeguard.offenders.vocabulary import BAND_ORDER, NotificationKind, Status
from safeguard.records.ages import UK

BANDS = tuple(BAND_ORDER)  # lowest first
# Statuses with dates due: an offender in custody, abroad, deceased or removed has none while
# it lasts. A wanted offender keeps them, so that the lapse stays in front of a supervisor.
MANAGED = frozenset({Status.ACTIVE.value, Status.WANTED.value})


@dataclass(frozen=True, slots=True)
class Pending:
    """A notification the offender has to make and has not made (notified_at empty)."""

    kind: str
    trigger_at: datetime
    arranged_at: datetime | None = None  # foreign travel: when the trip was arranged


@dataclass(frozen=True, slots=True)
class Facts:
    """What the schedule of one offender depends on."""

    id: int
    registered_on: date
    status: str = Status.ACTIVE.value
    released_on: date | None = None
    notification_end: date | None = None  # None: indefinite
    rm2000: str = ""
    osp: str = ""
    oasys_rosh: str = ""
    plan_months: int | None = None  # the management plan's visit interval
    last_seen: date | None = None  # the last visit at which the offender was seen
    last_visit: datetime | None = None  # the last visit made, whatever its outcome
    visits: int = 0  # visits made, whatever their outcome
    last_review: date | None = None
    last_notified: date | None = None  # the last notification that restarts the year
    category: int = 1  # MAPPA category: whether the register's notification applies
    pending: tuple[Pending, ...] = ()


@dataclass(frozen=True, slots=True)
class Computed:
    level: str
    visit_months: int
    plan_override: bool
    visit_due: date | None
    suggested_at: datetime | None
    review_due: date | None
    renotification_due: date | None
    notifications_overdue: int
    next_notification_deadline: datetime | None


class Table:
    """The rules as plain look-ups, made once per run (pydantic models are slow to walk)."""

    def __init__(self, rules: ScheduleRules):
        self.label = rules.label
        self.measures = tuple(rules.level.measures)
        self.unassessed = rules.level.unassessed
        self.visit_months = {i.level: i.months for i in rules.visits}
        self.review_months = {i.level: i.months for i in rules.reviews}
        self.first_review = timedelta(days=rules.first_review.days)
        self.deadlines = {d.kind: d for d in rules.notifications}
        self.renotify_months = rules.renotification.months
        self.restarted_by = frozenset(rules.renotification.restarted_by)
        self.notifying_categories = frozenset(rules.renotification.categories)
        self.window_fraction = rules.suggestion.window_fraction
        self.window_days = rules.suggestion.window_days
        self.bands = tuple((b.start, b.end) for b in rules.time_bands)


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def level(facts: Facts, table: Table) -> str:
    """Return the risk level: the highest band of the measures given, else the rules' default."""
    bands = [getattr(facts, m) for m in table.measures]
    found = [b for b in bands if b]
    if not found:
        return table.unassessed
    return max(found, key=BAND_ORDER.__getitem__)


def visit_interval(risk_level: str, plan_months: int | None, table: Table) -> tuple[int, bool]:
    """Return the months between home visits and whether the plan set them (the plan wins)."""
    if plan_months:
        return plan_months, True
    return table.visit_months[risk_level], False


def visit_due(facts: Facts, months: int) -> date:
    """Return the date the next home visit is due: the last visit at which the offender was
    seen (or the release or registration, whichever is latest) plus the interval.

    A visit at which the offender was not seen does not restart the clock. The interval is
    the current one: when the risk level changes, the due date is counted again from the last
    visit, so a rise brings it forward (never later than it was) and a fall puts it back.
    """
    starts = [d for d in (facts.last_seen, facts.released_on, facts.registered_on) if d]
    return add_months(max(starts), months)


def review_due(facts: Facts, risk_level: str, table: Table) -> date:
    """Return when the next risk review (ARMS or other) is due.

    The last review plus the level's interval; with none since the latest release or
    registration, the first review's period from then.
    """
    start = max(d for d in (facts.released_on, facts.registered_on) if d)
    if facts.last_review is None or facts.last_review < start:
        return start + table.first_review
    return add_months(facts.last_review, table.review_months[risk_level])


def renotification_due(facts: Facts, table: Table) -> date | None:
    """Return the last day of the year within which the offender must notify again (s85).

    The year begins with the last notification. With none recorded, it begins with the
    registration, or the release when that is later: the initial notification is due
    within 3 days beginning with then (s83(1), time in custody not counted), so it was made
    then at the earliest, and the year counted from that day ends at most two days before
    the one the law gives, never after it. Nothing recorded never means nothing due, for
    the categories the notification requirements apply to (schedule.yaml); an offender of
    another category (a violent offender on licence) notifies only where an order says so,
    and is counted from what they notified. None when the notification period ends first.
    """
    if facts.last_notified is None and facts.category not in table.notifying_categories:
        return None
    start = facts.last_notified or max(
        d for d in (facts.released_on, facts.registered_on) if d is not None
    )
    due = add_months(start, table.renotify_months) - timedelta(days=1)
    if facts.notification_end is not None and facts.notification_end < due:
        return None
    return due


def notification_deadline(pending: Pending, table: Table) -> datetime:
    """Return the moment by which a notification must be made.

    `within_days` N: by the end of the period of N days beginning with the trigger's day (UK).
    `days_before` N: N days before departure; if the trip was arranged after that moment,
    `late_hours_before` hours before it.
    """
    rule = table.deadlines[pending.kind]
    if rule.within_days is not None:
        day = pending.trigger_at.astimezone(UK).date() + timedelta(days=rule.within_days)
        return datetime.combine(day, time(0), tzinfo=UK)
    deadline = pending.trigger_at - timedelta(days=rule.days_before or 0)
    late = pending.arranged_at is not None and pending.arranged_at > deadline
    if late and rule.late_hours_before is not None:
        return pending.trigger_at - timedelta(hours=rule.late_hours_before)
    return deadline


def suggest_visit(
    offender_id: int,
    visits: int,
    due: date,
    months: int,
    last_visit: datetime | None,
    today: date,
    table: Table,
) -> datetime:
    """Return a moment to visit: late in the interval, on another weekday and at another time
    of day than the last visit.

    The day lies in the last part of the interval (the rules' fraction of it, at most their
    window_days) ending on the due date, or from today when that part has begun or passed.
    Which day and time is fixed by the offender's id and the number of visits made, so it
    is the same on every run until the next visit is recorded, and differs from one visit to
    the next.
    """
    window = max(1, min(table.window_days, int(months * 30.44 * table.window_fraction)))
    start = max(due - timedelta(days=window - 1), today)
    if start > due:
        start = today
    end = max(due, start)
    last_day = last_visit.astimezone(UK) if last_visit is not None else None
    days = [start + timedelta(n) for n in range((end - start).days + 1)]
    if last_day is not None:
        days = [d for d in days if d.weekday() != last_day.weekday()]
        if not days:  # a one-day window on the last visit's weekday: a day earlier if
            # that is not past, else the next day
            days = [start - timedelta(days=1) if start > today else end + timedelta(days=1)]
    mixed = _mix(offender_id, visits)
    day = days[mixed % len(days)]
    bands = list(table.bands)
    if last_day is not None:
        hour = last_day.hour
        bands = [b for b in bands if not b[0] <= hour < b[1]] or bands
    first, last = bands[(mixed >> 8) % len(bands)]
    quarter = (mixed >> 16) % ((last - first) * 4)
    return datetime.combine(day, time(first + quarter // 4, (quarter % 4) * 15), tzinfo=UK)


def _mix(offender_id: int, visits: int) -> int:
    """A well-spread 32-bit number from the two (a multiplicative hash, then xorshift)."""
    x = (offender_id * 2654435761 + visits * 40503 + 0x9E3779B9) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    return x


def compute(facts: Facts, table: Table, at: datetime) -> Computed:
    """Return the schedule of one offender at moment `at`.

    Counts as overdue notifications: each pending one past its deadline, and the annual
    re-notification once its year has ended (the annual one is computed, not recorded as
    pending; an annual notification made is recorded with its date, which restarts the year).
    """
    risk = level(facts, table)
    months, override = visit_interval(risk, facts.plan_months, table)
    if facts.status not in MANAGED or (
        facts.notification_end is not None and facts.notification_end < at.astimezone(UK).date()
    ):
        return Computed(risk, months, override, None, None, None, None, 0, None)
    today = at.astimezone(UK).date()
    due = visit_due(facts, months)
    suggested = suggest_visit(facts.id, facts.visits, due, months, facts.last_visit, today, table)
    renotify = renotification_due(facts, table)
    deadlines = [
        notification_deadline(p, table)
        for p in facts.pending
        if p.kind != NotificationKind.ANNUAL.value
    ]
    overdue = sum(1 for d in deadlines if d <= at) + (renotify is not None and renotify < today)
    return Computed(
        level=risk,
        visit_months=months,
        plan_override=override,
        visit_due=due,
        suggested_at=suggested,
        review_due=review_due(facts, risk, table),
        renotification_due=renotify,
        notifications_overdue=overdue,
        next_notification_deadline=min(deadlines, default=None),
    )
