"""Recomputing stored schedules, alerts at an address or in a household, and the command."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from safeguard.offenders import alerts, services
from safeguard.offenders.models import (
    OffenderAlert,
    SafeguardingAlert,
    Schedule,
)
from tests.offenders.factories import FORCE, notification, offender, people, review, staff, visit

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record):
    record(FORCE, *people("A", "B", "C", "D"))
    return staff()


def test_recompute_stores_each_offenders_dates_from_their_records(world):
    a = offender("A", rm2000="high")
    b = offender("B", rm2000="low", plan_visit_months=2)
    visit(a, date(2025, 5, 1))
    visit(a, date(2025, 6, 2), outcome="not_seen")  # not seen: the clock does not restart
    visit(b, date(2025, 5, 20))
    review(a, date(2025, 3, 1), "high")
    notification(a, "initial", date(2024, 1, 10), notified=date(2024, 1, 11))
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
    assert sa.rules.startswith("offender-schedule 1.2.0")
    # Raised to very high: counted again from the last visit, overdue at once.
    a.rm2000 = "very_high"
    a.save()
    services.recompute(AT)
    assert Schedule.objects.get(offender=a).next_visit_due == date(2025, 6, 1)


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
    visit(a, date(2025, 6, 1))  # due 1 July: within 30 days
    review(a, date(2025, 6, 1), "very_high")
    notification(a, "initial", date(2025, 6, 1), notified=date(2025, 6, 2))
    notification(a, "change", date(2025, 6, 5))  # due by 8 June, not made
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
    out = StringIO()
    call_command("offenders", "schedule", stdout=out)  # again: the counts, no one told twice
    assert "Notifications overdue" in out.getvalue()
    told = "Supervisors told now: 0 (0 again, to the force's supervisors); e-mails sent: 0"
    assert out.getvalue().rstrip().endswith(told)
