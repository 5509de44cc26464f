"""Offender alerts as duty triggers: the rule schema, the opening, the service, the document."""

from datetime import UTC, datetime, timedelta

import pytest

from safeguard.records.models import Agency, Person
from safeguard.safeguarding import documents, rules, services
from safeguard.safeguarding.calendar import working_days_after
from safeguard.safeguarding.duties import AlertFacts, from_offender_alert
from safeguard.safeguarding.models import Duty, Trigger
from tests.safeguarding.test_duties import WORLD
from tests.safeguarding.test_rules import GOOD

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # a Monday
FOUND = "a child, aged 15, lives at an address notified by a registered offender"


def _alert(pk: int = 7, child: int = 1, agency: int = 1, age: int | None = 15) -> AlertFacts:
    return AlertFacts(pk, child, agency, age, AT, FOUND)


@pytest.mark.parametrize(
    ("age", "opens"),
    [
        # the child's age when found -> whether the default rule opens a referral
        (15, True),
        (17, True),
        (18, False),  # an adult: not this duty
        (None, False),  # age not known: no age-bound rule applies
    ],
)
def test_an_offender_alert_opens_the_referral_for_a_child(age, opens):
    found = from_offender_alert(rules.current(), _alert(age=age))
    assert [(o.rule.duty, o.key, o.reason) for o in found] == (
        [("offender_contact", "referral-child-with-registered-offender:1:o7", FOUND)]
        if opens
        else []
    )


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ("{offender_alert: false, under: 18}", "when.offender_alert: Input should be True"),
        (
            "{offender_alert: true, event: {kinds: [arrest]}, under: 18}",
            "when: give one of event, screening or offender_alert",
        ),
    ],
)
def test_an_offender_alert_trigger_is_validated(when, problem):
    bad = GOOD.replace("when: {event: {kinds: [arrest]}, under: 18}", f"when: {when}")
    with pytest.raises(rules.RulesError) as caught:
        rules.parse(bad)
    assert f"rules[0] (arrested): {problem}" in caught.value.problems


@pytest.fixture
def child(record) -> Person:
    record(*WORLD)
    return Person.objects.get(source_ref="KID")


def test_the_alert_opens_one_referral_to_the_childs_mash_with_the_reason(child):
    lancs = Agency.objects.get(code="lancs")
    alert = _alert(child=child.pk, agency=lancs.pk)
    opened = services.open_for_alerts([alert])
    duty = Duty.objects.get()
    assert opened == {7: duty.pk}
    assert (duty.kind, duty.agency, duty.receiver.code) == (
        "offender_contact",
        lancs,
        "blackpool-cs",
    )
    assert duty.due_at == working_days_after(AT, 1) and duty.started_at == AT
    [trigger] = duty.triggers.all()
    assert (trigger.reason, trigger.event, trigger.screening) == (FOUND, None, None)
    # Again: nothing new, the same duty. A second alert for the child joins the draft.
    assert services.open_for_alerts([alert]) == {7: duty.pk}
    later = AlertFacts(8, child.pk, lancs.pk, 15, AT + timedelta(days=1), "another")
    assert services.open_for_alerts([later]) == {8: duty.pk}
    assert Duty.objects.count() == 1 and Trigger.objects.count() == 2


def test_the_referral_document_says_what_was_found(child):
    services.open_for_alerts([_alert(child=child.pk, agency=child.agency_id)])
    duty = Duty.objects.get()
    html = documents.render_html(duty)
    assert "a child with a registered offender" in html
    assert "What was found" in html and FOUND in html
    assert documents.render_pdf(duty, compress=False).startswith(b"%PDF")
