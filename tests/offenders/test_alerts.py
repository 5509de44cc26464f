"""Safeguarding alerts taken up by the queue: one referral per alert, in the same transaction."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.offenders import alerts
from safeguard.offenders.models import NotificationRecord, SafeguardingAlert
from safeguard.records.models import Location, Person
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import Duty, Trigger
from tests.offenders.factories import FORCE, MASH, lives, offender, people, place

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record):
    """A's flat where KID (12) lives; B's notified address, where TEEN (16) lives."""
    record(
        FORCE,
        MASH,
        place("FLAT"),
        place("NOTED"),
        *people("A", "B"),
        *people("KID", born="2013-01-10"),
        *people("TEEN", born="2009-03-01"),
        lives("L1", "A", "FLAT"),
        lives("L2", "KID", "FLAT"),
        lives("L3", "TEEN", "NOTED"),
    )
    a, b = offender("A"), offender("B")
    NotificationRecord.objects.create(
        offender=b,
        kind="change",
        trigger_at=AT - timedelta(days=30),
        notified_at=AT - timedelta(days=29),
        location=Location.objects.get(source_ref="NOTED"),
    )
    return a, b


def test_a_new_alert_opens_one_referral_in_the_queue_with_the_reason(world):
    assert alerts.raise_alerts(AT) == 2
    found = {
        a.child.source_ref: a for a in SafeguardingAlert.objects.select_related("child", "duty")
    }
    assert {ref: a.reason for ref, a in found.items()} == {
        "KID": "a child, aged 12, lives at an address where a registered offender lives",
        "TEEN": "a child, aged 16, lives at an address notified by a registered offender",
    }
    for ref, alert in found.items():
        duty = alert.duty
        assert (duty.kind, duty.person.source_ref, duty.receiver.code) == (
            "offender_contact",
            ref,
            "blackpool-cs",
        )
        assert duty.agency_id == alert.offender.agency_id and duty.state == "draft"
        [trigger] = duty.triggers.all()
        assert trigger.reason == alert.reason and trigger.key.endswith(f":o{alert.pk}")
        assert alert.offender.reference not in trigger.reason  # never named in the queue
    # Raising again raises nothing and opens nothing.
    assert alerts.raise_alerts(AT + timedelta(days=1)) == 0
    assert Duty.objects.count() == 2 and Trigger.objects.count() == 2


def test_an_alert_no_rule_takes_up_waits_and_is_taken_up_once_a_rule_does(
    world, tmp_path, settings
):
    own = tmp_path / "duties.yaml"
    text = duty_rules.DEFAULT_PATH.read_text()
    start = text.index("  - id: referral-child-with-registered-offender")
    own.write_text(text[:start] + text[text.index("# No charge, caution", start) :])
    settings.DUTY_RULES = str(own)
    assert alerts.raise_alerts(AT) == 2
    assert not Duty.objects.exists()
    assert list(SafeguardingAlert.objects.values_list("duty", flat=True)) == [None, None]
    settings.DUTY_RULES = ""
    assert alerts.raise_alerts(AT) == 0  # nothing new raised, but both taken up now
    assert not SafeguardingAlert.objects.filter(duty__isnull=True).exists()
    assert Duty.objects.filter(kind="offender_contact").count() == 2


def test_raising_looks_up_its_own_keys_rather_than_counting_the_table(world):
    alerts.raise_alerts(AT)
    with CaptureQueriesContext(connection) as done:
        assert alerts.raise_alerts(AT) == 0
    read = [q["sql"] for q in done.captured_queries if "offenders_safeguardingalert" in q["sql"]]
    assert read and all(" WHERE " in sql and "COUNT(" not in sql for sql in read)


def test_links_raise_one_alert_per_offender_and_child_on_any_of_the_members_records(world):
    a, b = world
    kid = Person.objects.get(source_ref="KID")
    teen = Person.objects.get(source_ref="TEEN")
    other = Person.objects.get(source_ref="B")  # B stands for a second record of one person
    when = AT - timedelta(days=3)
    line = alerts.Linked(
        people=((a.person_id,), (kid.pk,), (teen.pk,), (99999, other.pk)),
        children=((kid.pk, 12), (teen.pk, 16)),
        where="in county line BLING",
        at=when,
    )
    assert alerts.raise_for_links([line, line]) == 4
    made = {
        (x.offender.reference, x.child.source_ref): (x.reason, x.raised_at, x.child_age)
        for x in SafeguardingAlert.objects.select_related("offender", "child")
    }
    assert made[("V-A", "TEEN")] == (
        "a child, aged 16, is linked to a registered offender in county line BLING",
        when,
        16,
    )
    assert set(made) == {("V-A", "KID"), ("V-A", "TEEN"), ("V-B", "KID"), ("V-B", "TEEN")}
    assert Duty.objects.filter(kind="offender_contact").count() == 2  # one draft per child
    assert alerts.raise_for_links([line]) == 0
