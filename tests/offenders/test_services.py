"""Recomputing stored schedules, escalating what is overdue, alerts, and the command."""

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from safeguard.offenders import alerts, escalation, services
from safeguard.offenders.models import (
    NotificationRecord,
    OffenderAlert,
    RiskReview,
    SafeguardingAlert,
    Schedule,
    Visit,
)
from tests.offenders.factories import FORCE, offender, people, staff

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record):
    record(FORCE, *people("A", "B", "C", "D"))
    return staff()


def _visit(who, day: date, outcome: str = "seen") -> Visit:
    return Visit.objects.create(offender=who, at=_moment(day), outcome=outcome, announced=False)


def _moment(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC) if day else None


def _review(who, day: date, level: str) -> RiskReview:
    return RiskReview.objects.create(
        offender=who, kind="arms", completed_at=_moment(day), level=level
    )


def _notification(who, kind: str, trigger: date, notified: date | None = None):
    return NotificationRecord.objects.create(
        offender=who, kind=kind, trigger_at=_moment(trigger), notified_at=_moment(notified)
    )


def test_recompute_stores_each_offenders_dates_from_their_records(world):
    a = offender("A", rm2000="high")
    b = offender("B", rm2000="low", plan_visit_months=2)
    _visit(a, date(2025, 5, 1))
    _visit(a, date(2025, 6, 2), outcome="not_seen")  # not seen: the clock does not restart
    _visit(b, date(2025, 5, 20))
    _review(a, date(2025, 3, 1), "high")
    _notification(a, "initial", date(2024, 1, 10), notified=date(2024, 1, 11))
    assert services.recompute(AT, chunk=1) == 2  # one offender a chunk: the chunks join up
    sa, sb = Schedule.objects.get(offender=a), Schedule.objects.get(offender=b)
    assert (sa.level, sa.next_visit_due, sa.review_due) == (
        "high",
        date(2025, 8, 1),
        date(2025, 9, 1),
    )
    assert sa.renotification_due == date(2025, 1, 10) and sa.notifications_overdue == 1
    assert sa.next_visit_suggested_at.weekday() != 0  # 2 June 2025, the last visit, a Monday
    assert (sb.visit_months, sb.plan_override, sb.next_visit_due) == (2, True, date(2025, 7, 20))
    assert sa.rules.startswith("offender-schedule 1.1.0")
    # Raised to very high: counted again from the last visit, overdue at once.
    a.rm2000 = "very_high"
    a.save()
    services.recompute(AT)
    assert Schedule.objects.get(offender=a).next_visit_due == date(2025, 6, 1)


def test_overdue_is_escalated_once_to_the_supervisor_of_the_managers_team(world):
    a = offender("A", rm2000="very_high")
    _visit(a, date(2025, 4, 1))  # monthly: due 1 May
    offender("B", rm2000="low")  # registered January 2024, visited never: due January 2025
    offender("C", rm2000="low", team="")  # no team: every supervisor of the force
    _visit(offender("D", rm2000="low"), date(2025, 6, 1))  # nothing overdue but its review
    services.recompute(AT)
    told = escalation.escalate(AT)
    alerts_a = OffenderAlert.objects.filter(offender=a)
    assert sorted(alerts_a.values_list("user__username", "kind", "due")) == [
        # no notification recorded: the year from registration (15 January 2024) has ended
        ("sgt-north", "notification", date(2025, 1, 14)),
        ("sgt-north", "review", date(2024, 2, 12)),
        ("sgt-north", "visit", date(2025, 5, 1)),
    ]
    c_told = OffenderAlert.objects.filter(offender__reference="V-C", kind="visit")
    assert sorted(c_told.values_list("user__username", flat=True)) == ["sgt-north", "sgt-south"]
    assert not OffenderAlert.objects.filter(user=world["manager"]).exists()
    assert told["visit"] == 4  # A, B, C twice; D's visit is not due
    assert escalation.escalate(AT + timedelta(hours=1)) == {}  # running again tells no one
    # The visit is made: its alert clears; the next lapse is told afresh.
    _visit(a, date(2025, 6, 16))
    services.recompute(AT)
    escalation.escalate(AT)
    assert alerts_a.get(kind="visit").cleared_at == AT
    later = AT + timedelta(days=40)
    services.recompute(later)
    assert escalation.escalate(later)["visit"] >= 1
    assert alerts_a.filter(kind="visit", due=date(2025, 7, 16), cleared_at__isnull=True).exists()


def test_a_child_at_an_offenders_address_or_in_the_household_raises_one_alert(record, world):
    record(
        {"type": "location", "agency": "lancs", "ref": "FLAT", "kind": "home"},
        *people("KID", born="2012-05-01"),
        *people("TEEN", born="2007-06-20"),  # 17 on 16 June 2025
        *people("GROWN", born="2000-01-01"),
        {
            "type": "link",
            "agency": "lancs",
            "ref": "L1",
            "kind": "lives_at",
            "from_person": "A",
            "to_location": "FLAT",
        },
        {
            "type": "link",
            "agency": "lancs",
            "ref": "L2",
            "kind": "stays_at",
            "from_person": "KID",
            "to_location": "FLAT",
        },
        {
            "type": "link",
            "agency": "lancs",
            "ref": "L3",
            "kind": "lives_at",
            "from_person": "GROWN",
            "to_location": "FLAT",
        },
        {
            "type": "link",
            "agency": "lancs",
            "ref": "L4",
            "kind": "household",
            "from_person": "TEEN",
            "to_person": "B",
        },
    )
    offender("A")
    offender("B")
    assert alerts.raise_alerts(AT) == 2
    assert alerts.raise_alerts(AT) == 0
    found = {
        (a.offender.reference, a.child.source_ref): a.reason
        for a in SafeguardingAlert.objects.select_related("offender", "child")
    }
    assert found == {
        ("V-A", "KID"): "a child, aged 13, stays at an address where a registered offender lives",
        ("V-B", "TEEN"): "a child, aged 17, lives in the household of a registered offender",
    }


def test_the_command_prints_one_json_object_with_the_counts(world, settings):
    settings.CLOCK_START = "2025-06-16T09:00:00+00:00"
    a = offender("A", rm2000="very_high")
    _visit(a, date(2025, 6, 1))  # due 1 July: within 30 days
    _review(a, date(2025, 6, 1), "very_high")
    _notification(a, "initial", date(2025, 6, 1), notified=date(2025, 6, 2))
    _notification(a, "change", date(2025, 6, 5))  # due by 8 June, not made
    # Never visited: overdue; first review overdue; no notification recorded, and the year
    # from registration (15 January 2024) ended on 14 January 2025.
    offender("B", rm2000="low")
    offender("C", status="in_custody")  # nothing due
    out = StringIO()
    call_command("offenders", "schedule", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "offenders": 3,
        "visits_due_30_days": 1,
        "visits_overdue": 1,
        "reviews_overdue": 1,
        "notifications_overdue": 2,  # A's change, B's annual re-notification
        "safeguarding_alerts": 0,
    }
    assert OffenderAlert.objects.filter(offender=a, kind="notification").count() == 1
