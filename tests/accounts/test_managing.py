"""Managing offenders for a user: the policy decides, every read and write is audited."""

from datetime import timedelta

import pytest

from safeguard.accounts import managing
from safeguard.accounts.reading import NotVisible
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.clock import now
from safeguard.offenders import recording, services
from safeguard.offenders.models import NotificationRecord, SafeguardingAlert, Visit
from safeguard.records.ages import UK
from safeguard.records.models import Agency, Person
from tests.offenders.factories import FORCE, offender, people, staff


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    record(FORCE, *people("A", "S"), *people("KID", born="2014-02-01"))
    users = staff()
    lancs = Agency.objects.get(code="lancs")
    users["pc"] = create_member("pc", "x", lancs, Role.OFFICER, team="MOSOVO North").user
    users["colleague"] = create_member(
        "om2", "x", lancs, Role.OFFENDER_MANAGER, team="MOSOVO South"
    ).user
    users["a"] = offender("A", offender_manager=users["manager"])
    users["s"] = offender("S", team="MOSOVO South")
    services.recompute()
    return users


def _entries(**given):
    return Entry.objects.filter(**given)


def test_reading_an_offender_is_audited_and_outside_access_is_not_there_and_logged(world):
    a, s = world["a"], world["s"]
    record = managing.read_offender(world["manager"], a.pk, path="/offenders/1/")
    assert record.offender == a and record.schedule is not None
    assert {"visit", "review"} <= set(record.overdue)  # never visited, never reviewed
    read = _entries(action="read", what="offenders.offender").get()
    assert (read.username, read.person_id, read.object_id) == ("om", a.person_id, str(a.pk))
    for user, pk in ((world["manager"], s.pk), (world["pc"], a.pk)):
        with pytest.raises(NotVisible):
            managing.read_offender(user, pk, path="/x/")
    denied = _entries(action="denied", what="offenders.offender")
    assert sorted(denied.values_list("username", "person_id")) == [
        ("om", s.person_id),
        ("pc", a.person_id),
    ]


def test_a_child_on_an_alert_is_named_only_to_whoever_may_see_the_childs_record(world):
    kid = Person.objects.get(source_ref="KID")
    SafeguardingAlert.objects.create(
        offender=world["a"], child=kid, reason="a child stays at an address", raised_at=now()
    )
    mine = managing.read_offender(world["manager"], world["a"].pk)
    assert [a.child for a in mine.safeguarding] == [None]  # a manager sees no person records
    theirs = managing.read_offender(world["north"], world["a"].pk)
    assert [a.child for a in theirs.safeguarding] == [kid]
    child_reads = _entries(action="read", what="records.person", person_id=kid.pk)
    assert list(child_reads.values_list("username", flat=True)) == ["sgt-north"]


def test_a_visit_is_recorded_by_the_user_and_audited_with_it(world):
    at = now() - timedelta(hours=2)
    visit = managing.record_visit(
        world["manager"], world["a"].pk, at=at, outcome="seen", announced=False, path="/v/"
    )
    assert (visit.officer, visit.officer_name) == (world["manager"], "om")
    write = _entries(action="write", what="offenders.visit").get()
    assert (write.username, write.person_id, write.object_id) == (
        "om",
        world["a"].person_id,
        str(visit.pk),
    )
    assert write.detail["offender"] == world["a"].pk and write.detail["outcome"] == "seen"
    # Another officer of the force who manages offenders may be named; a police officer not.
    named = managing.record_visit(
        world["north"],
        world["a"].pk,
        at=at,
        outcome="not_seen",
        announced=True,
        officer_id=world["colleague"].pk,
    )
    assert named.officer == world["colleague"]
    with pytest.raises(recording.Invalid) as refused:
        managing.record_visit(
            world["manager"],
            world["a"].pk,
            at=at,
            outcome="seen",
            announced=False,
            officer_id=world["pc"].pk,
        )
    assert set(refused.value.errors) == {"officer"}
    assert Visit.objects.count() == 2


def test_nobody_records_for_an_offender_they_may_not_see_and_nothing_is_saved(world):
    with pytest.raises(NotVisible):
        managing.record_visit(world["pc"], world["a"].pk, at=now(), outcome="seen", announced=False)
    with pytest.raises(NotVisible):
        managing.change_plan(
            world["manager"], world["s"].pk, plan="x", visit_months=1, review_on=None
        )
    assert not Visit.objects.exists() and not _entries(action="write").exists()
    world["s"].refresh_from_db()
    assert world["s"].plan == ""


def test_a_refused_recording_writes_no_audit_entry(world):
    with pytest.raises(recording.Invalid):
        managing.record_visit(
            world["manager"],
            world["a"].pk,
            at=now() + timedelta(days=1),
            outcome="seen",
            announced=False,
        )
    assert not _entries(action="write").exists()


def test_a_review_and_a_plan_change_are_audited_with_what_changed(world):
    managing.record_review(
        world["manager"],
        world["a"].pk,
        kind="rm2000",
        completed_on=now().astimezone(UK).date(),
        level="low",
    )
    review = _entries(action="write", what="offenders.riskreview").get()
    assert review.detail["rm2000"] == ["high", "low"] and review.detail["level"] == "low"
    managing.change_plan(
        world["manager"], world["a"].pk, plan="Weekly", visit_months=2, review_on=None
    )
    plan = _entries(action="write", what="offenders.offender").get()
    assert plan.detail["visit_months"] == [None, 2] and plan.person_id == world["a"].person_id


def test_the_officers_a_visit_may_name_are_the_forces_managers_and_supervisors(world):
    names = [u.username for u in managing.officers(world["manager"])]
    assert names[0] == "om" and set(names) == {"om", "om2", "sgt-north", "sgt-south"}


def test_the_records_notifications_are_pending_first_with_their_deadline_then_latest_made(
    world,
):
    a, at = world["a"], now()
    made = [
        NotificationRecord.objects.create(
            offender=a,
            kind="change",
            trigger_at=at - timedelta(days=d),
            notified_at=at - timedelta(days=d - 1),
        )
        for d in (300, 30)
    ]
    pending = NotificationRecord.objects.create(
        offender=a, kind="stay_7_days", trigger_at=at - timedelta(days=10)
    )
    notices = managing.read_offender(world["manager"], a.pk).notifications
    assert [n.record for n in notices] == [pending, made[1], made[0]]
    first = notices[0]
    assert first.overdue and first.deadline is not None and first.deadline < at
    assert [n.deadline for n in notices[1:]] == [None, None]
