"""Caseload figures: counted in the database, overdue exactly as the escalation finds it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.offenders import caseloads, escalation, services
from safeguard.offenders.models import NotificationRecord, Offender, Schedule, Visit
from tests.offenders.factories import FORCE, notification, offender, people, staff

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    record(FORCE, *people("A", "B", "C", "D", "E", "F", "G"))
    users = staff()
    om = users["manager"]
    # A: visited last week, re-notified in January, nothing overdue but the review (never
    # reviewed).
    a = offender("A", offender_manager=om, rm2000="low")
    notification(a, "annual", date(2025, 1, 10), date(2025, 1, 10))
    Visit.objects.create(offender=a, at=AT - timedelta(days=7), outcome="seen", announced=False)
    # B: high, never visited: visit and review overdue.
    offender("B", offender_manager=om)
    # C: visit due in 20 days (low, seen 345 days ago), a change notified late: pending.
    c = offender("C", offender_manager=om, rm2000="low", team="MOSOVO South")
    Visit.objects.create(offender=c, at=AT - timedelta(days=345), outcome="seen", announced=False)
    NotificationRecord.objects.create(offender=c, kind="change", trigger_at=AT - timedelta(days=5))
    # D: its re-notification year ended (last notified in 2024).
    d = offender("D", rm2000="low")
    NotificationRecord.objects.create(
        offender=d,
        kind="initial",
        trigger_at=AT - timedelta(days=400),
        notified_at=AT - timedelta(days=399),
    )
    # E in custody (nothing due), F removed, G deceased: off the caseload but E.
    offender("E", offender_manager=om, status="in_custody")
    offender("F", offender_manager=om, status="removed")
    offender("G", offender_manager=om, status="deceased")
    services.recompute(AT)
    return users


def test_the_figures_count_offenders_with_each_thing_overdue_as_the_escalation_does(world):
    found = caseloads.counts(Offender.objects.all(), AT)
    assert found == {
        "offenders": 5,  # A-E: removed and deceased are off the register
        "visits_due_30_days": 1,  # C
        "visits_overdue": 2,  # B, D (low, registered January 2024, never visited)
        "reviews_overdue": 4,  # A-D: none reviewed
        # C's change, D's year, and B's year from registration (January 2024) with nothing
        # notified since (C's too)
        "notifications_overdue": 3,
    }
    # The same offenders as escalation.overdue() finds, one schedule at a time.
    for kind, key in (
        ("visit", "visits"),
        ("review", "reviews"),
        ("notification", "notifications"),
    ):
        late = [s for s in Schedule.objects.all() if kind in escalation.overdue(s, AT)]
        assert len(late) == found[f"{key}_overdue"], kind


def test_a_deadline_passed_since_the_schedule_was_computed_counts_as_overdue(world):
    a = Offender.objects.filter(reference="V-A")
    NotificationRecord.objects.create(offender=a.get(), kind="change", trigger_at=AT)
    services.recompute(AT)  # due by the end of its third day, 18 June: not yet overdue
    assert caseloads.counts(a, AT)["notifications_overdue"] == 0
    assert caseloads.counts(a, AT + timedelta(days=2))["notifications_overdue"] == 0
    # Three days on, not computed again: overdue, as escalate() would find it.
    assert caseloads.counts(a, AT + timedelta(days=3))["notifications_overdue"] == 1


def test_the_figures_by_manager_and_team(world):
    om = world["manager"].pk
    by_manager = caseloads.counts_by(Offender.objects.all(), AT, "offender_manager_id")
    assert by_manager[(om,)]["offenders"] == 4  # A, B, C, E
    assert by_manager[(None,)]["offenders"] == 1  # D
    by_team = caseloads.counts_by(Offender.objects.all(), AT, "team")
    assert by_team[("MOSOVO North",)]["offenders"] == 4
    assert by_team[("MOSOVO South",)] == {
        "offenders": 1,
        "visits_due_30_days": 1,
        "visits_overdue": 0,
        "reviews_overdue": 1,
        "notifications_overdue": 1,
    }


def test_next_due_sorts_the_soonest_first_and_nothing_due_last(world):
    order = [o.reference for o in caseloads.by_next_due(Offender.objects.all())]
    assert order[-3:] == ["V-E", "V-F", "V-G"]  # nothing due
    nexts = [o.next_due for o in caseloads.by_next_due(Offender.objects.all())]
    assert nexts[:4] == sorted(nexts[:4])
    # B: its first review, 28 days after registration, is the soonest date of all.
    assert order[0] in {"V-A", "V-B", "V-C", "V-D"} and nexts[0] == date(2024, 2, 12)


def test_the_ceiling_is_the_rules_and_managers_over_it_are_counted(world):
    assert caseloads.ceiling() == 50
    # The manager holds A, B, C and E on the register (F removed, G deceased: not counted).
    assert caseloads.managers_over(Offender.objects.all(), 3) == 1
    assert caseloads.managers_over(Offender.objects.all(), 4) == 0
