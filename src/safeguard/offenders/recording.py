"""Recording what was done in an offender's management: a visit, a risk review, a notification
given or made, a change of the management plan.

Each function checks what it is given (every problem named by the argument it concerns, in
Invalid: nothing is saved), stores it, and then, in the same transaction, recomputes that
offender's schedule at once (services.recompute_one) and clears their alerts that no longer
apply (escalation.clear_done): a visit at which the offender was seen moves the next visit
on, and its overdue alert is cleared, before the page that recorded it is shown again.
New lapses are told by the next `safeguard offenders schedule` (escalation.escalate).

A risk review's band is copied onto the measure it assessed (MEASURES: Risk Matrix 2000
onto rm2000, OASys onto oasys_rosh), which sets the offender's level (schedule.yaml), unless
a later review of the same kind is already recorded (a review entered late does not
overwrite a newer band). An ARMS or other review leaves the measures as they are: the level
is the highest of the bands of the tools schedule.yaml names, and an ARMS result written
into one of them would misstate what that tool found. Any review restarts the review
clock; a manager who wants the visits to follow an ARMS review sets the plan's interval.

Who may record for which offender, and the audit of it, are the access layer's
(accounts.managing); this module trusts its caller on both.
"""

from datetime import date, datetime, time

from django.db import transaction

from safeguard.clock import now
from safeguard.offenders import escalation, services
from safeguard.offenders.models import NotificationRecord, Offender, RiskReview, Visit
from safeguard.offenders.vocabulary import Band, NotificationKind, ReviewKind, VisitOutcome
from safeguard.records.ages import UK
from safeguard.records.models import Location

# The offender's measure each kind of review sets (ARMS and other reviews set none).
MEASURES = {ReviewKind.RM2000.value: "rm2000", ReviewKind.OASYS.value: "oasys_rosh"}
# Bounds of the management plan's visit interval (the Offender model's check constraint).
PLAN_MONTHS = (1, 24)
# The longest free text each record takes.
LIMITS = {"notes": 10_000, "summary": 10_000, "details": 2_000, "plan": 20_000}


class Invalid(ValueError):
    """What was given cannot be recorded; `errors` maps each argument at fault to why."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def record_visit(
    offender: Offender,
    *,
    at: datetime,
    outcome: str,
    announced: bool,
    officer=None,
    officer_name: str = "",
    notes: str = "",
    recorded_at: datetime | None = None,
) -> Visit:
    """Store a home visit made (seen or not), then recompute the offender's schedule.

    Args:
        at: when the visit was made: not in the future, not before the registration.
        outcome: a VisitOutcome; only SEEN restarts the visit clock (schedule.visit_due).
        officer: the user who made it (officer_name their name as shown), or None.
        recorded_at: now, by default; the moment the schedule is recomputed as of.
    """
    recorded_at = recorded_at or now()
    errors = _past({}, "at", at, recorded_at, "visit")
    if at is not None and "at" not in errors and _day(at) < offender.registered_on:
        errors["at"] = (
            f"The visit must be on or after the registration ({offender.registered_on:%-d %B %Y})"
        )
    if outcome not in VisitOutcome.values:
        errors["outcome"] = "Select the outcome of the visit"
    if not isinstance(announced, bool):
        errors["announced"] = "Select whether the visit was announced"
    _limit(errors, notes=notes)
    _check(errors)
    with transaction.atomic():
        visit = Visit.objects.create(
            offender=offender,
            at=at,
            outcome=outcome,
            announced=announced,
            officer=officer,
            officer_name=officer_name[:200],
            notes=notes,
        )
        _settle(offender, recorded_at)
    return visit


def record_review(
    offender: Offender,
    *,
    kind: str,
    completed_on: date | None,
    level: str,
    by=None,
    summary: str = "",
    recorded_at: datetime | None = None,
) -> RiskReview:
    """Store a completed risk review, copy its band onto the measure it assessed (MEASURES;
    unless a later review of its kind is recorded), then recompute the schedule.

    Args:
        completed_on: the day it was completed (not in the future), stored as the start of
            that day in the UK.
        level: the band it set (a Band).
        by: the user who recorded it.
    """
    recorded_at = recorded_at or now()
    errors: dict[str, str] = {}
    if kind not in ReviewKind.values:
        errors["kind"] = "Select the kind of risk review"
    completed_at = start_of(completed_on)
    _past(errors, "completed_on", completed_at, recorded_at, "review")
    if level not in Band.values:
        errors["level"] = "Select the risk level the review set"
    _limit(errors, summary=summary)
    _check(errors)
    with transaction.atomic():
        review = RiskReview.objects.create(
            offender=offender,
            kind=kind,
            completed_at=completed_at,
            level=level,
            by=by,
            summary=summary,
        )
        measure = MEASURES.get(kind)
        later = offender.reviews.filter(kind=kind, completed_at__gt=completed_at).exists()
        if measure is not None and not later:
            Offender.objects.filter(pk=offender.pk).update(**{measure: level})
            setattr(offender, measure, level)
        _settle(offender, recorded_at)
    return review


def notification_given(
    offender: Offender,
    notification_id: int,
    *,
    notified_at: datetime,
    recorded_at: datetime | None = None,
) -> NotificationRecord:
    """Record that the offender made a pending notification, then recompute the schedule.

    Args:
        notification_id: one of this offender's notifications not yet made.
        notified_at: when they notified in person (not in the future).
    """
    recorded_at = recorded_at or now()
    errors = _past({}, "notified_at", notified_at, recorded_at, "notification")
    _check(errors)
    with transaction.atomic():
        found = (
            NotificationRecord.objects.select_for_update()
            .filter(pk=notification_id, offender=offender)
            .first()
        )
        if found is None:
            raise Invalid({"notification": "This offender has no such notification"})
        # Only a pending one is given: a second submit, or someone else's, changes nothing.
        if not NotificationRecord.objects.filter(pk=found.pk, notified_at__isnull=True).update(
            notified_at=notified_at
        ):
            raise Invalid(
                {
                    "notification": "This notification is already recorded as made, on "
                    f"{found.notified_at.astimezone(UK):%-d %B %Y at %H:%M}"
                }
            )
        found.notified_at = notified_at
        _settle(offender, recorded_at)
    return found


def record_notification(
    offender: Offender,
    *,
    kind: str,
    trigger_at: datetime | None,
    notified_at: datetime | None,
    arranged_at: datetime | None = None,
    location: Location | None = None,
    details: str = "",
    recorded_at: datetime | None = None,
) -> NotificationRecord:
    """Store a notification the offender made (a change of address, a stay, travel...),
    then recompute the schedule: one of the kinds that restart the year (schedule.yaml
    renotification) moves the re-notification on.

    Args:
        trigger_at: what started its clock (the change, the first day of the stay, the
            departure...).
        notified_at: when they notified in person (not in the future).
        arranged_at: for foreign travel, when the trip was arranged.
        location: the address notified, when it is a record.
    """
    recorded_at = recorded_at or now()
    errors: dict[str, str] = {}
    if kind not in NotificationKind.values:
        errors["kind"] = "Select what the offender notified"
    if trigger_at is None:
        errors["trigger_at"] = "Enter the date of what was notified"
    _past(errors, "notified_at", notified_at, recorded_at, "notification")
    if arranged_at is not None and kind != NotificationKind.FOREIGN_TRAVEL:
        errors["arranged_at"] = "Only foreign travel has a date it was arranged"
    _limit(errors, details=details)
    _check(errors)
    with transaction.atomic():
        made = NotificationRecord.objects.create(
            offender=offender,
            kind=kind,
            trigger_at=trigger_at,
            arranged_at=arranged_at,
            notified_at=notified_at,
            location=location,
            details=details,
        )
        _settle(offender, recorded_at)
    return made


def change_plan(
    offender: Offender,
    *,
    plan: str,
    visit_months: int | None,
    review_on: date | None,
    recorded_at: datetime | None = None,
) -> Offender:
    """Change the management plan (its text, its visit interval, its review date), then
    recompute the schedule: the plan's interval wins over the level's (schedule.yaml).

    Args:
        visit_months: months between home visits, 1 to 24; None for the rules' default for
            the offender's level.
        review_on: when the plan is next reviewed, or None.
    """
    recorded_at = recorded_at or now()
    errors: dict[str, str] = {}
    low, high = PLAN_MONTHS
    if visit_months is not None and not low <= visit_months <= high:
        errors["visit_months"] = f"Enter a number of months from {low} to {high}, or leave it empty"
    _limit(errors, plan=plan)
    _check(errors)
    with transaction.atomic():
        Offender.objects.filter(pk=offender.pk).update(
            plan=plan, plan_visit_months=visit_months, plan_review_on=review_on
        )
        offender.plan, offender.plan_visit_months = plan, visit_months
        offender.plan_review_on = review_on
        _settle(offender, recorded_at)
    return offender


# -- helpers -------------------------------------------------------------------------------


def _settle(offender: Offender, at: datetime) -> None:
    """Recompute the offender's schedule and clear their alerts that no longer apply."""
    services.recompute_one(offender.pk, at)
    escalation.clear_done(offender.pk, at)


def _day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def start_of(day: date | None) -> datetime | None:
    """The start of the day in the UK (a review or a notification dated by its day)."""
    return datetime.combine(day, time(0), tzinfo=UK) if day is not None else None


def _past(
    errors: dict[str, str], name: str, moment: datetime | None, at: datetime, what: str
) -> dict[str, str]:
    """Add an error for `name` unless `moment` is given and not after `at`; return errors."""
    if moment is None:
        errors[name] = f"Enter the date of the {what}"
    elif moment > at:
        errors[name] = f"The date of the {what} must not be in the future"
    return errors


def _limit(errors: dict[str, str], **texts: str) -> None:
    for name, text in texts.items():
        if len(text) > LIMITS[name]:
            errors[name] = f"The {name} must be {LIMITS[name]:,} characters or fewer"


def _check(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(errors)
