"""Escalation of late duties to the team's supervisor, in the application and by e-mail."""

from datetime import timedelta

import pytest
from django.core import mail

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency
from safeguard.safeguarding import escalation, services
from safeguard.safeguarding.calendar import working_days_after
from safeguard.safeguarding.models import Duty, Notification
from tests.safeguarding.test_duties import WORLD, _event


@pytest.fixture
def referral(record) -> Duty:
    record(*WORLD)
    lancs = Agency.objects.get(code="lancs")
    create_member(
        "sgt-hub", "x", lancs, Role.SUPERVISOR, team="Safeguarding hub", email="hub@lancs"
    )
    create_member("sgt-custody", "x", lancs, Role.SUPERVISOR, team="Custody", email="cu@lancs")
    create_member("lead", "x", lancs, Role.SAFEGUARDING_LEAD, email="lead@lancs")
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    return Duty.objects.get()


def _told(level: int | None = None) -> list[str]:
    notes = (
        Notification.objects.all() if level is None else Notification.objects.filter(level=level)
    )
    return sorted(notes.values_list("user__username", flat=True))


def test_nothing_is_escalated_before_the_deadline(referral):
    assert escalation.escalate(referral.due_at - timedelta(minutes=1)) == {}
    assert not Notification.objects.exists()


def test_at_the_deadline_the_teams_supervisor_is_told_in_the_application_and_by_email(referral):
    done = escalation.escalate(referral.due_at)
    assert done == {1: 1}
    assert _told() == ["sgt-hub"]  # the team's own supervisor, not custody's
    [note] = Notification.objects.all()
    assert note.cleared_at is None and note.emailed_at is not None
    assert f"SG-{referral.pk}" in note.subject
    [email] = mail.outbox
    assert email.to == ["hub@lancs"] and email.subject == note.subject
    referral.refresh_from_db()
    assert referral.escalation == 1
    assert referral.next_escalation_at == working_days_after(referral.due_at, 2)


def test_escalating_again_at_the_same_moment_tells_no_one_twice(referral):
    escalation.escalate(referral.due_at)
    assert escalation.escalate(referral.due_at) == {}
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_after_the_further_period_it_is_escalated_again_with_the_safeguarding_lead(referral):
    escalation.escalate(referral.due_at)
    referral.refresh_from_db()
    assert escalation.escalate(referral.next_escalation_at) == {2: 1}
    assert _told(2) == ["lead", "sgt-hub"]
    referral.refresh_from_db()
    assert referral.escalation == 2 and referral.next_escalation_at is None
    # The last level: nothing more, however late it gets.
    assert escalation.escalate(referral.due_at + timedelta(days=60)) == {}


def test_a_notification_clears_itself_when_the_duty_moves_on(referral):
    escalation.escalate(referral.due_at)
    services.move(
        referral, "submitted", by_name="PC Jones", at=referral.due_at + timedelta(hours=1)
    )
    [note] = Notification.objects.all()
    assert note.cleared_at is not None
    assert "submitted" in note.cleared_because
    referral.refresh_from_db()
    # The receiver's clock starts afresh; its own lateness escalates from level 1 again.
    assert referral.escalation == 0 and referral.next_escalation_at == referral.due_at


def test_without_a_team_supervisor_every_supervisor_of_the_agency_is_told(referral):
    Duty.objects.filter(pk=referral.pk).update(team="Nobody's team")
    escalation.escalate(referral.due_at)
    assert _told() == ["sgt-custody", "sgt-hub"]


def test_a_withdrawn_duty_is_not_escalated(referral):
    services.move(referral, "withdrawn", by_name="PS Smith", reason="recorded twice by mistake")
    assert escalation.escalate(referral.due_at + timedelta(days=30)) == {}
