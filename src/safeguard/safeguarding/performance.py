"""How well the victim-first duties are done: the figures of the supervisor's dashboard.

Counted for a set of police forces over the last weeks (ISO weeks, Monday to Sunday in UK
time; the current week so far is the last), by aggregate queries grouped by day or week,
so that they stay quick on a force's whole history:

- referrals (to children's services and the NRM) opened in the period, and what became of
  each: made on time, made late, not made and past its deadline (overdue), not made and
  still in time, or withdrawn before it was made; in all, and by the week it was opened;
- referrals overdue now: waiting past the deadline of their step, the force's (to make
  it) or the receiver's (to acknowledge and decide it), and those escalated;
- children encountered (in any event the forces recorded) by their latest screening;
- children arrested, and those arrested without a referral
  (inspection.arrested_without_referral);
- children charged or cautioned despite signs of exploitation, on a review a supervisor
  signed off, and those charged with signs of exploitation and no review
  (inspection.charged_without_review);
- the receivers' decisions on the referrals.

Counts only: nothing here names or identifies a child, so an inspector may see all of it.

A referral's `due_at` is the deadline of its current step: once it is made, it becomes the
receiver's (services._step). Whether a referral was made on time is therefore judged
against the deadline its rule gave it when its clock started (`rule.due` after
`started_at`, by the current rules), to the day for working-day deadlines (they end at
23:59:59 UK time), worked out once per rule and day.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncWeek

from safeguard.clock import now
from safeguard.records.ages import ADULT_AGE, UK
from safeguard.records.models import Participation, Person
from safeguard.safeguarding import inspection
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.calendar import add_working_days
from safeguard.safeguarding.models import ChargingReview, Duty, Transition
from safeguard.safeguarding.states import AWAITING
from safeguard.safeguarding.vocabulary import Decision, DutyKind, State
from safeguard.screening.models import Screening

# The referrals whose timeliness and outcomes are shown: a child's to children's services,
# to the NRM, and to children's services because the child was found with a registered
# offender (offenders.alerts).
REFERRALS = (
    DutyKind.CHILDRENS_SERVICES_REFERRAL,
    DutyKind.NRM_REFERRAL,
    DutyKind.OFFENDER_CONTACT,
)
WEEKS = (12, 26, 52)  # the periods a user may choose
NOT_SCREENED = "not_screened"
# The decisions shown for each kind of referral, in order (others found are added after).
DECISIONS: dict[str, tuple[str, ...]] = {
    DutyKind.CHILDRENS_SERVICES_REFERRAL: (
        Decision.ACCEPTED,
        Decision.NO_FURTHER_ACTION,
        State.REJECTED,
    ),
    DutyKind.OFFENDER_CONTACT: (
        Decision.ACCEPTED,
        Decision.NO_FURTHER_ACTION,
        State.REJECTED,
    ),
    DutyKind.NRM_REFERRAL: (
        Decision.REASONABLE_GROUNDS_POSITIVE,
        Decision.REASONABLE_GROUNDS_NEGATIVE,
        Decision.CONCLUSIVE_GROUNDS_POSITIVE,
        Decision.CONCLUSIVE_GROUNDS_NEGATIVE,
        State.REJECTED,
    ),
}


@dataclass(frozen=True, slots=True)
class Period:
    """The weeks counted: from Monday 00:00 (UK time) of the first to `end`."""

    start: datetime
    end: datetime
    weeks: tuple[date, ...]  # the Monday of each week, oldest first

    @staticmethod
    def week_of(day: date) -> date:
        """Return the Monday of the ISO week `day` falls in."""
        return day - timedelta(days=day.weekday())


def period(weeks: int, at: datetime | None = None) -> Period:
    """Return the period of the last `weeks` ISO weeks up to `at` (default now).

    Args:
        weeks: how many weeks, the current one (so far) included.
        at: the end of the period.
    """
    if weeks < 1:
        raise ValueError("a period has at least one week")
    at = at or now()
    last = Period.week_of(at.astimezone(UK).date())
    first = last - timedelta(weeks=weeks - 1)
    return Period(
        start=datetime.combine(first, time(0), tzinfo=UK),
        end=at,
        weeks=tuple(first + timedelta(weeks=i) for i in range(weeks)),
    )


@dataclass(slots=True)
class Outcomes:
    """What became of referrals opened: each one is counted under exactly one of these."""

    on_time: int = 0  # made by its deadline
    late: int = 0  # made after its deadline
    overdue: int = 0  # not made, past its deadline
    in_time: int = 0  # not made, its deadline still to come
    withdrawn: int = 0  # withdrawn before it was made
    unknown: int = 0  # made, by a rule the current rules no longer hold: deadline unknown

    @property
    def opened(self) -> int:
        return (
            self.on_time + self.late + self.overdue + self.in_time + self.withdrawn + self.unknown
        )

    @property
    def on_time_percent(self) -> int | None:
        """The share of the referrals made (deadline known) that were made on time."""
        made = self.on_time + self.late
        return round(100 * self.on_time / made) if made else None


@dataclass(frozen=True, slots=True)
class Overdue:
    """Referrals waiting for a step now."""

    not_made: int  # the force's step, past its deadline
    with_receiver: int  # the receiver's (acknowledge, decide), past its deadline
    escalated: int  # escalated to a supervisor, whoever's step it is


@dataclass(frozen=True, slots=True)
class Week:
    """One week's figures besides the referrals': children, by the week of the event."""

    arrested: int = 0  # children arrested that week
    arrested_without_referral: int = 0
    charged_despite_signs: int = 0  # charged or cautioned on a signed-off review
    charged_without_review: int = 0


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows, for some forces over a period."""

    period: Period
    referrals: dict[str, Outcomes]  # by kind (REFERRALS), opened in the period
    referral_weeks: dict[date, Outcomes]  # by the week opened
    overdue: dict[str, Overdue]  # by kind, now (at the period's end)
    children: dict[str, int]  # encountered, by latest screening level (or NOT_SCREENED)
    arrested: int
    arrested_without_referral: int
    charged_despite_signs: int
    charged_without_review: int
    weeks: dict[date, Week]
    decisions: dict[str, dict[str, int]]  # by kind: each decision (or "rejected") -> n

    @property
    def referral_total(self) -> Outcomes:
        total = Outcomes()
        for outcomes in self.referrals.values():
            for name in Outcomes.__slots__:
                setattr(total, name, getattr(total, name) + getattr(outcomes, name))
        return total

    @property
    def encountered(self) -> int:
        return sum(self.children.values())


def figures(forces: Collection[int], weeks: int = 12, at: datetime | None = None) -> Figures:
    """Return the dashboard's figures for these forces over the last `weeks` weeks.

    Args:
        forces: the ids of the police forces (agencies) whose records are counted.
        weeks: how many ISO weeks, the current one included.
        at: the moment the figures are as of (default now).
    """
    span = period(weeks, at)
    forces = list(forces)
    referrals, referral_weeks = referral_outcomes(forces, span)
    arrests = weekly_arrests(forces, span)
    # Each needs the child screened as of the charge: worked out once, used twice.
    unreviewed = inspection.charges_without_review(forces, span.start, span.end)
    charges = weekly_charges(forces, span, unreviewed)
    return Figures(
        period=span,
        referrals=referrals,
        referral_weeks=referral_weeks,
        overdue=overdue_now(forces, span.end),
        children=children_encountered(forces, span),
        arrested=inspection.child_arrests(agencies=forces, since=span.start, until=span.end)
        .values("person_id")
        .distinct()
        .count(),
        arrested_without_referral=len(
            inspection.arrested_without_referral(
                span.end, agencies=forces, since=span.start, until=span.end
            )
        ),
        charged_despite_signs=_despite_signs(forces, span).values("person_id").distinct().count(),
        charged_without_review=len({person_id for person_id, _ in unreviewed}),
        weeks={w: Week(*arrests.get(w, (0, 0)), *charges.get(w, (0, 0))) for w in span.weeks},
        decisions=decisions(forces, span),
    )


def referral_outcomes(
    forces: Collection[int], span: Period
) -> tuple[dict[str, Outcomes], dict[date, Outcomes]]:
    """Return what became of the referrals opened in the period, by kind and by week opened.

    Judged at the period's end. One query, grouped by rule, day opened and day made.
    """
    rules = duty_rules.current()
    made_at = Subquery(
        Transition.objects.filter(duty=OuterRef("pk"), to_state=State.SUBMITTED)
        .order_by("at", "id")
        .values("at")[:1]
    )
    rows = (
        Duty.objects.filter(
            kind__in=REFERRALS,
            agency_id__in=list(forces),
            started_at__gte=span.start,
            started_at__lt=span.end,
        )
        .annotate(
            opened_on=TruncDate("started_at", tzinfo=UK),
            made_on=TruncDate(made_at, tzinfo=UK),
            past_due=Case(
                When(due_at__lt=span.end, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("kind", "rule", "state", "opened_on", "made_on", "past_due")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_kind = {kind: Outcomes() for kind in REFERRALS}
    by_week = {week: Outcomes() for week in span.weeks}
    deadlines: dict[tuple[str, date], date | None] = {}
    for row in rows:
        key = (row["rule"], row["opened_on"])
        if key not in deadlines:
            deadlines[key] = _deadline(rules, *key)
        outcome = _outcome(row["state"], row["made_on"], row["past_due"], deadlines[key])
        for outcomes in (by_kind[row["kind"]], by_week[Period.week_of(row["opened_on"])]):
            setattr(outcomes, outcome, getattr(outcomes, outcome) + row["n"])
    return by_kind, by_week


def _deadline(rules: duty_rules.DutyRules, rule_id: str, opened_on: date) -> date | None:
    """Return the last day on which a referral opened by this rule on this day was on time.

    None when the rule is no longer in the rules. A deadline in hours (none of the
    referrals' rules has one) is taken to the end of the day it falls on.
    """
    rule = rules.rule(rule_id)
    if rule is None:
        return None
    if rule.due.working_days is not None:
        return add_working_days(opened_on, rule.due.working_days)
    start = datetime.combine(opened_on, time(23, 59, 59), tzinfo=UK)
    return rule.due.after(start).astimezone(UK).date()


def _outcome(state: str, made_on: date | None, past_due: bool, deadline: date | None) -> str:
    """Return which of the Outcomes a referral is counted under."""
    if made_on is not None:
        if deadline is None:
            return "unknown"
        return "on_time" if made_on <= deadline else "late"
    if state == State.WITHDRAWN:
        return "withdrawn"
    return "overdue" if past_due else "in_time"


def overdue_now(forces: Collection[int], at: datetime) -> dict[str, Overdue]:
    """Return, by kind, the referrals waiting past their step's deadline at `at`, and those
    escalated to a supervisor."""
    found = {kind: Overdue(0, 0, 0) for kind in REFERRALS}
    rows = (
        Duty.objects.filter(kind__in=REFERRALS, agency_id__in=list(forces), state__in=AWAITING)
        .values("kind")
        .annotate(
            not_made=Count("id", filter=Q(state=State.DRAFT, due_at__lt=at)),
            with_receiver=Count("id", filter=~Q(state=State.DRAFT) & Q(due_at__lt=at)),
            escalated=Count("id", filter=Q(escalation__gt=0)),
        )
        .order_by()
    )
    for row in rows:
        found[row["kind"]] = Overdue(row["not_made"], row["with_receiver"], row["escalated"])
    return found


def children_encountered(forces: Collection[int], span: Period) -> dict[str, int]:
    """Return the children (under 18 then) in events these forces recorded in the period,
    counted by their latest screening by the period's end (NOT_SCREENED: none)."""
    encountered = Participation.objects.filter(
        age_at_event__lt=ADULT_AGE,
        occurred_at__gte=span.start,
        occurred_at__lt=span.end,
        event__agency_id__in=list(forces),
    ).values("person_id")
    latest = (
        Screening.objects.filter(person=OuterRef("pk"), screened_at__lte=span.end)
        .order_by("-screened_at", "-id")
        .values("level")[:1]
    )
    rows = (
        Person.objects.filter(pk__in=encountered)
        .annotate(level=Subquery(latest))
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["level"] or NOT_SCREENED: row["n"] for row in rows}


def weekly_arrests(forces: Collection[int], span: Period) -> dict[date, tuple[int, int]]:
    """Return, by week, the children arrested and those of them with an arrest that week
    that no referral met (inspection.referral_made, judged at the period's end)."""
    rows = (
        inspection.child_arrests(agencies=forces, since=span.start, until=span.end)
        .annotate(met=inspection.referral_made(span.end), week=TruncWeek("occurred_at", tzinfo=UK))
        .values("week")
        .annotate(
            arrested=Count("person_id", distinct=True),
            without=Count("person_id", distinct=True, filter=Q(met=False)),
        )
        .order_by()
    )
    return {_monday(row["week"]): (row["arrested"], row["without"]) for row in rows}


def weekly_charges(
    forces: Collection[int],
    span: Period,
    unreviewed: Iterable[tuple[int, datetime]] | None = None,
) -> dict[date, tuple[int, int]]:
    """Return, by week, the children charged or cautioned despite signs of exploitation on a
    signed-off review, and those charged with signs and no review.

    Args:
        forces, span: whose charges, and when.
        unreviewed: inspection.charges_without_review for these forces and this period, if
            already worked out.
    """
    despite = (
        _despite_signs(forces, span)
        .annotate(week=TruncWeek("event__occurred_at", tzinfo=UK))
        .values("week")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    found: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in despite:
        found[_monday(row["week"])][0] = row["n"]
    if unreviewed is None:
        unreviewed = inspection.charges_without_review(forces, span.start, span.end)
    children: dict[date, set[int]] = defaultdict(set)
    for person_id, at in unreviewed:
        children[Period.week_of(at.astimezone(UK).date())].add(person_id)
    for week, charged in children.items():
        found[week][1] = len(charged)
    return {week: (a, b) for week, (a, b) in found.items()}


def _despite_signs(forces: Collection[int], span: Period):
    """The reviews that authorised a charge or caution in the period despite signs of
    exploitation (charging.enforce links them; a supervisor signed each off)."""
    return ChargingReview.objects.filter(
        despite_indicators=True,
        event__isnull=False,
        event__agency_id__in=list(forces),
        event__occurred_at__gte=span.start,
        event__occurred_at__lt=span.end,
    )


def decisions(forces: Collection[int], span: Period) -> dict[str, dict[str, int]]:
    """Return, by kind of referral, the receivers' decisions recorded in the period: each
    decision (Decision values) and rejections ("rejected"), zeros included."""
    found: dict[str, Counter] = {kind: Counter() for kind in REFERRALS}
    rows = (
        Transition.objects.filter(
            duty__kind__in=REFERRALS,
            duty__agency_id__in=list(forces),
            to_state__in=(State.DECISION_RECORDED, State.REJECTED),
            at__gte=span.start,
            at__lt=span.end,
        )
        .values("duty__kind", "to_state", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        what = row["decision"] if row["to_state"] == State.DECISION_RECORDED else State.REJECTED
        found[row["duty__kind"]][what] += row["n"]
    return {kind: _in_order(DECISIONS[kind], counts) for kind, counts in found.items()}


def _in_order(order: Iterable[str], counts: Counter) -> dict[str, int]:
    shown = {what: counts.get(what, 0) for what in order}
    shown.update((what, n) for what, n in sorted(counts.items()) if what not in shown)
    return shown


def _monday(week: datetime | date) -> date:
    """The Monday a TruncWeek value (Monday 00:00 UK time) stands for."""
    if isinstance(week, datetime):
        week = week.astimezone(UK).date() if week.tzinfo else week.date()
    return Period.week_of(week)
