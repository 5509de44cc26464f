"""Escalation of what is overdue: the team's supervisors, then the force's, and one e-mail."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.offenders import escalation, services
from safeguard.offenders.models import OffenderAlert
from tests.offenders.factories import FORCE, notification, offender, people, staff, visit

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
AGAIN = timedelta(days=14)  # schedule.yaml: escalation.again_days


@pytest.fixture
def world(record):
    record(FORCE, *people("A", "B", "C", "D"))
    return staff()


def _escalate(at: datetime) -> escalation.Told:
    services.recompute(at)
    return escalation.escalate(at)


def _told(**given) -> list[tuple]:
    found = OffenderAlert.objects.filter(**given)
    return sorted(found.values_list("user__username", "offender__reference", "kind", "level"))


def test_overdue_is_escalated_once_to_the_supervisor_of_the_managers_team(world):
    a = offender("A", rm2000="very_high")
    visit(a, date(2025, 4, 1))  # monthly: due 1 May
    offender("B", rm2000="low")  # registered January 2024, visited never: due January 2025
    offender("C", rm2000="low", team="")  # no team: every supervisor of the force
    visit(offender("D", rm2000="low"), date(2025, 6, 1))  # nothing overdue but its review
    told = _escalate(AT)
    alerts_a = OffenderAlert.objects.filter(offender=a)
    assert sorted(alerts_a.values_list("user__username", "kind", "due", "level")) == [
        # no notification recorded: the year from registration (15 January 2024) has ended
        ("sgt-north", "notification", date(2025, 1, 14), 1),
        ("sgt-north", "review", date(2024, 2, 12), 1),
        ("sgt-north", "visit", date(2025, 5, 1), 1),
    ]
    c_told = OffenderAlert.objects.filter(offender__reference="V-C", kind="visit")
    assert sorted(c_told.values_list("user__username", flat=True)) == ["sgt-north", "sgt-south"]
    assert not OffenderAlert.objects.filter(user=world["manager"]).exists()
    assert told.first["visit"] == 4 and not told.again  # A, B, C twice; D's is not due
    assert escalation.escalate(AT + timedelta(hours=1)).total == 0  # again: no one
    # The visit is made: its alert clears; the next lapse is told afresh.
    visit(a, date(2025, 6, 16))
    _escalate(AT)
    assert alerts_a.get(kind="visit").cleared_at == AT
    later = AT + timedelta(days=40)
    assert _escalate(later).first["visit"] == 1
    assert alerts_a.filter(kind="visit", due=date(2025, 7, 16), cleared_at__isnull=True).exists()


def test_still_overdue_after_again_days_it_goes_to_every_supervisor_of_the_force_once(world):
    a = offender("A", rm2000="very_high")
    visit(a, date(2025, 4, 1))  # due 1 May
    notification(a, "initial", date(2025, 1, 15), notified=date(2025, 1, 15))
    _escalate(AT)  # the visit and the first review, to the team's supervisor
    assert _escalate(AT + AGAIN - timedelta(minutes=1)).total == 0  # not yet
    told = _escalate(AT + AGAIN)
    assert (told.first.total(), told.again) == (0, {"visit": 2, "review": 2})
    assert _told(level=2) == [
        ("sgt-north", "V-A", "review", 2),
        ("sgt-north", "V-A", "visit", 2),
        ("sgt-south", "V-A", "review", 2),
        ("sgt-south", "V-A", "visit", 2),
    ]
    assert "still" in OffenderAlert.objects.filter(level=2).first().subject
    assert _escalate(AT + AGAIN * 3).total == 0  # level 2 is told once
    # Done: every level clears.
    visit(a, date(2025, 7, 20))
    later = AT + AGAIN * 3
    _escalate(later)
    assert not OffenderAlert.objects.filter(kind="visit", cleared_at__isnull=True).exists()


def test_each_user_told_in_a_run_gets_one_email_listing_what_reached_them(world):
    a = offender("A", rm2000="very_high")
    visit(a, date(2025, 4, 1))
    offender("C", rm2000="low", team="")  # its lapses go to both supervisors
    told = _escalate(AT)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert told.emails == 2 and sorted(by_address) == ["north@lancs", "south@lancs"]
    north = by_address["north@lancs"]
    assert north.subject == "6 overdue in offender management escalated to you"
    assert north.body.count("\n- ") == 6 and "offender V-A" in north.body
    assert not OffenderAlert.objects.filter(emailed_at__isnull=True).exists()
    mail.outbox.clear()
    assert _escalate(AT + timedelta(hours=1)).emails == 0 and mail.outbox == []
    # Level 2, two weeks on: one e-mail each again, listing only what is told now.
    _escalate(AT + AGAIN)
    assert sorted(m.to[0] for m in mail.outbox) == ["north@lancs", "south@lancs"]
    assert all("still" in line for m in mail.outbox for line in m.body.split("\n- ")[1:])


def test_a_user_without_an_address_is_told_in_the_application_only(world):
    world["north"].email = ""
    world["north"].save()
    visit(offender("A", rm2000="very_high"), date(2025, 4, 1))
    assert _escalate(AT).emails == 0 and mail.outbox == []
    # the visit, the review and the re-notification (none recorded since registration)
    assert OffenderAlert.objects.filter(emailed_at__isnull=True).count() == 3


def test_a_date_overdue_again_reopens_its_alerts_and_tells_no_one_twice(world):
    a = offender("A", rm2000="high")
    visit(a, date(2025, 3, 1))  # high: every 3 months, due 1 June
    notification(a, "initial", date(2025, 1, 15), notified=date(2025, 1, 15))
    _escalate(AT)
    a.rm2000 = "very_high"  # due 1 April now: the 1 June alert clears
    a.save()
    _escalate(AT)
    a.rm2000 = "high"  # and back: 1 June again
    a.save()
    assert _escalate(AT).total == 0
    open_now = OffenderAlert.objects.filter(kind="visit", cleared_at__isnull=True)
    assert list(open_now.values_list("due", flat=True)) == [date(2025, 6, 1)]


def test_the_queries_do_not_grow_with_the_cleared_alerts(world):
    a = offender("A", rm2000="very_high")
    visit(a, date(2025, 4, 1))
    _escalate(AT)

    def counted() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as done:
            escalation.escalate(AT + timedelta(hours=1))
        return len(done), [q["sql"] for q in done.captured_queries]

    before, _ = counted()
    OffenderAlert.objects.bulk_create(
        OffenderAlert(
            user=world["north"],
            offender=a,
            kind="visit",
            due=date(2020, 1, 1) + timedelta(days=n),
            subject="long done",
            created_at=AT - timedelta(days=2000),
            cleared_at=AT - timedelta(days=1990 - n),
        )
        for n in range(1500)
    )
    after, sql = counted()
    assert after == before
    read = [q for q in sql if "offenders_offenderalert" in q and q.lstrip().startswith("SELECT")]
    assert read and all(" WHERE " in q for q in read)
