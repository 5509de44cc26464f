"""Recording a visit, a risk review, a notification or a plan change moves that offender's
schedule at once and clears the alerts that no longer apply; bad input saves nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.offenders import escalation, recording, services
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    OffenderAlert,
    RiskReview,
    Schedule,
    Visit,
)
from tests.offenders.factories import FORCE, notification, offender, people, staff

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    record(FORCE, *people("A", "B"))
    return staff()


@pytest.fixture
def overdue(world) -> Offender:
    """High risk (visits every 3 months), registered January 2024, re-notified in January
    2025, never visited nor reviewed: visit and review overdue, and the supervisor told of
    both."""
    a = offender("A", rm2000="high")
    notification(a, "annual", date(2025, 1, 10), date(2025, 1, 10))
    services.recompute(AT)
    escalation.escalate(AT)
    return a


def _schedule(who: Offender) -> Schedule:
    return Schedule.objects.get(offender=who)


def _open(who: Offender) -> set[str]:
    return set(
        OffenderAlert.objects.filter(offender=who, cleared_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


def test_a_visit_at_which_the_offender_was_seen_moves_the_next_visit_and_clears_its_alert(
    overdue, world
):
    assert _schedule(overdue).next_visit_due == date(2024, 4, 15)
    assert _open(overdue) == {"visit", "review"}
    visit = recording.record_visit(
        overdue,
        at=AT - timedelta(hours=1),
        outcome="seen",
        announced=False,
        officer=world["manager"],
        officer_name="om",
        recorded_at=AT,
    )
    assert (visit.outcome, visit.announced, visit.officer) == ("seen", False, world["manager"])
    schedule = _schedule(overdue)
    assert schedule.next_visit_due == date(2025, 9, 16) and schedule.computed_at == AT
    assert _open(overdue) == {"review"}  # the review is still overdue
    cleared = OffenderAlert.objects.get(offender=overdue, kind="visit")
    assert cleared.cleared_at == AT


def test_a_visit_at_which_the_offender_was_not_seen_leaves_the_visit_overdue(overdue):
    recording.record_visit(
        overdue, at=AT - timedelta(hours=1), outcome="not_seen", announced=True, recorded_at=AT
    )
    assert _schedule(overdue).next_visit_due == date(2024, 4, 15)
    assert _open(overdue) == {"visit", "review"}
    # The suggestion moves on to another day than the unanswered visit's (a Monday).
    assert _schedule(overdue).next_visit_suggested_at.weekday() != 0


def test_a_risk_matrix_review_sets_the_band_the_level_and_the_dates(overdue):
    review = recording.record_review(
        overdue, kind="rm2000", completed_on=date(2025, 6, 10), level="low", recorded_at=AT
    )
    assert review.completed_at == datetime(2025, 6, 9, 23, tzinfo=UTC)  # midnight in the UK
    overdue.refresh_from_db()
    assert overdue.rm2000 == "low"
    schedule = _schedule(overdue)
    # Low: visits every 12 months from registration (never seen), reviews every 12 months.
    assert (schedule.level, schedule.visit_months) == ("low", 12)
    assert schedule.next_visit_due == date(2025, 1, 15)
    assert schedule.review_due == date(2026, 6, 10)
    # Both alerts cleared: the review is done, and the visit's due date is another one,
    # which the next escalation tells afresh.
    assert _open(overdue) == set()
    escalation.escalate(AT)
    assert set(
        OffenderAlert.objects.filter(offender=overdue, cleared_at__isnull=True).values_list(
            "kind", "due"
        )
    ) == {("visit", date(2025, 1, 15))}


def test_an_oasys_review_sets_the_risk_of_harm_and_raises_the_level(world):
    a = offender("A", rm2000="low")
    recording.record_review(
        a, kind="oasys", completed_on=date(2025, 6, 1), level="very_high", recorded_at=AT
    )
    a.refresh_from_db()
    assert (a.rm2000, a.oasys_rosh) == ("low", "very_high")
    assert (_schedule(a).level, _schedule(a).visit_months) == ("very_high", 1)


def test_an_arms_review_restarts_the_review_clock_and_leaves_the_bands(overdue):
    recording.record_review(
        overdue, kind="arms", completed_on=date(2025, 6, 2), level="low", recorded_at=AT
    )
    overdue.refresh_from_db()
    assert (overdue.rm2000, overdue.osp, overdue.oasys_rosh) == ("high", "", "")
    assert _schedule(overdue).level == "high"
    assert _schedule(overdue).review_due == date(2025, 12, 2)  # high: every 6 months


def test_a_review_entered_late_does_not_overwrite_a_newer_band(world):
    a = offender("A", rm2000="high")
    recording.record_review(a, kind="rm2000", completed_on=date(2025, 5, 1), level="medium")
    recording.record_review(a, kind="rm2000", completed_on=date(2025, 3, 1), level="very_high")
    a.refresh_from_db()
    assert a.rm2000 == "medium"
    assert RiskReview.objects.filter(offender=a).count() == 2


def test_a_pending_notification_given_is_no_longer_overdue(world):
    a = offender("A")
    notification(a, "annual", date(2025, 1, 10), date(2025, 1, 10))  # the year not ended
    pending = NotificationRecord.objects.create(
        offender=a, kind="change", trigger_at=datetime(2025, 6, 1, 12, tzinfo=UTC)
    )
    services.recompute(AT)
    escalation.escalate(AT)
    assert _schedule(a).notifications_overdue == 1 and "notification" in _open(a)
    given = recording.notification_given(
        a, pending.pk, notified_at=datetime(2025, 6, 13, 10, tzinfo=UTC), recorded_at=AT
    )
    assert given.notified_at == datetime(2025, 6, 13, 10, tzinfo=UTC)
    schedule = _schedule(a)
    assert schedule.notifications_overdue == 0 and schedule.next_notification_deadline is None
    assert schedule.renotification_due == date(2026, 6, 12)  # a change restarts the year
    assert "notification" not in _open(a)
    # Given once: a second time (a double submit) is refused and changes nothing.
    with pytest.raises(recording.Invalid) as refused:
        recording.notification_given(a, pending.pk, notified_at=AT, recorded_at=AT)
    assert (
        "already recorded as made, on 13 June 2025 at 11:00" in refused.value.errors["notification"]
    )
    pending.refresh_from_db()
    assert pending.notified_at == datetime(2025, 6, 13, 10, tzinfo=UTC)


def test_another_offenders_notification_is_not_given(world):
    a, b = offender("A"), offender("B")
    theirs = NotificationRecord.objects.create(offender=b, kind="change", trigger_at=AT)
    with pytest.raises(recording.Invalid) as refused:
        recording.notification_given(a, theirs.pk, notified_at=AT, recorded_at=AT)
    assert set(refused.value.errors) == {"notification"}
    theirs.refresh_from_db()
    assert theirs.notified_at is None


def test_a_notification_made_restarts_the_year(world):
    a = offender("A")
    recording.record_notification(
        a,
        kind="initial",
        trigger_at=datetime(2024, 1, 15, tzinfo=UTC),
        notified_at=datetime(2024, 1, 16, 10, tzinfo=UTC),
        recorded_at=AT,
    )
    assert _schedule(a).renotification_due == date(2025, 1, 15)  # overdue by June 2025
    assert _schedule(a).notifications_overdue == 1
    made = recording.record_notification(
        a,
        kind="change",
        trigger_at=datetime(2025, 6, 10, tzinfo=UTC),
        notified_at=datetime(2025, 6, 11, 15, tzinfo=UTC),
        details="Moved to 1 Acacia Avenue",
        recorded_at=AT,
    )
    assert made.details == "Moved to 1 Acacia Avenue"
    assert _schedule(a).renotification_due == date(2026, 6, 10)
    assert _schedule(a).notifications_overdue == 0


def test_the_plans_interval_wins_and_can_be_given_back_to_the_rules(world):
    a = offender("A", rm2000="low")  # low: every 12 months
    Visit.objects.create(
        offender=a, at=datetime(2025, 5, 1, 10, tzinfo=UTC), outcome="seen", announced=False
    )
    recording.change_plan(
        a,
        plan="Monthly while the new address is checked",
        visit_months=1,
        review_on=date(2025, 9, 1),
        recorded_at=AT,
    )
    a.refresh_from_db()
    assert (a.plan_visit_months, a.plan_review_on) == (1, date(2025, 9, 1))
    assert a.plan.startswith("Monthly")
    schedule = _schedule(a)
    assert (schedule.visit_months, schedule.plan_override) == (1, True)
    assert schedule.next_visit_due == date(2025, 6, 1)
    recording.change_plan(a, plan="", visit_months=None, review_on=None, recorded_at=AT)
    assert (_schedule(a).visit_months, _schedule(a).next_visit_due) == (12, date(2026, 5, 1))


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        (
            {"at": AT + timedelta(minutes=1)},
            "at",
            "The date of the visit must not be in the future",
        ),
        ({"at": None}, "at", "Enter the date of the visit"),
        ({"at": datetime(2024, 1, 14, 12, tzinfo=UTC)}, "at", "on or after the registration"),
        ({"outcome": "maybe"}, "outcome", "Select the outcome of the visit"),
        ({"announced": None}, "announced", "Select whether the visit was announced"),
        ({"notes": "x" * 10_001}, "notes", "The notes must be 10,000 characters or fewer"),
    ],
)
def test_a_visit_with_a_fault_is_refused_naming_the_field_and_nothing_is_saved(
    overdue, given, field, message
):
    values = {"at": AT - timedelta(hours=1), "outcome": "seen", "announced": False} | given
    with pytest.raises(recording.Invalid) as refused:
        recording.record_visit(overdue, **values, recorded_at=AT)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert not Visit.objects.exists()
    assert _schedule(overdue).computed_at == AT and _open(overdue) == {"visit", "review"}


def test_a_review_and_a_plan_with_faults_name_each_field(overdue):
    with pytest.raises(recording.Invalid) as refused:
        recording.record_review(overdue, kind="tarot", completed_on=None, level="extreme")
    assert set(refused.value.errors) == {"kind", "completed_on", "level"}
    with pytest.raises(recording.Invalid) as refused:
        recording.change_plan(overdue, plan="", visit_months=25, review_on=None)
    assert refused.value.errors == {
        "visit_months": "Enter a number of months from 1 to 24, or leave it empty"
    }
    with pytest.raises(recording.Invalid) as refused:
        recording.record_notification(
            overdue,
            kind="change",
            trigger_at=None,
            notified_at=AT + timedelta(days=1),
            arranged_at=AT,
            recorded_at=AT,
        )
    assert set(refused.value.errors) == {"trigger_at", "notified_at", "arranged_at"}
    assert not RiskReview.objects.exists() and NotificationRecord.objects.count() == 1
    overdue.refresh_from_db()
    assert overdue.plan_visit_months is None


def test_a_recording_whose_schedule_cannot_be_computed_is_not_saved(overdue, monkeypatch):
    def broken(offender_id, at=None):
        raise RuntimeError("the schedule could not be computed")

    monkeypatch.setattr(services, "recompute_one", broken)
    with pytest.raises(RuntimeError):
        recording.record_visit(
            overdue, at=AT - timedelta(hours=1), outcome="seen", announced=False, recorded_at=AT
        )
    assert not Visit.objects.exists()  # one transaction: the visit went with the schedule
