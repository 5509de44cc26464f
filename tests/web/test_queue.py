"""The safeguarding queue: what each side sees and does, and two people acting at once."""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency
from safeguard.safeguarding import services
from safeguard.safeguarding.models import Duty
from tests.safeguarding.test_duties import WORLD, _event


@pytest.fixture
def referral(record) -> Duty:
    record(*WORLD, _event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    return Duty.objects.get(kind="childrens_services_referral")


def _client_for(role: Role, agency: str, name: str) -> Client:
    user = create_member(name, "pw", Agency.objects.get(code=agency), role).user
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(referral, client):
    client.force_login(
        create_member("pc", "pw", Agency.objects.get(code="lancs"), Role.OFFICER).user
    )
    return client


def test_the_officer_sees_the_overdue_referral_and_marks_it_made(officer, referral):
    page = officer.get("/queue/").content.decode()
    assert f"SG-{referral.pk}" in page and "overdue" in page
    response = officer.post(
        f"/queue/{referral.pk}/step/", {"to": "submitted", "version": referral.version}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "submitted" and referral.transitions.last().by_name == "pc"
    assert Entry.objects.filter(action="write", object_id=str(referral.pk)).exists()


def test_the_second_of_two_people_acting_at_once_is_refused_and_nothing_is_overwritten(
    officer,
    referral,
):
    other = _client_for(Role.OFFICER, "lancs", "pc-two")
    seen = referral.version
    first = other.post(f"/queue/{referral.pk}/step/", {"to": "submitted", "version": seen})
    assert first.status_code == 302
    response = officer.post(f"/queue/{referral.pk}/step/", {"to": "submitted", "version": seen})
    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    referral.refresh_from_db()
    assert referral.transitions.count() == 2  # opened, then pc-two's step only


def test_the_mash_sees_it_once_made_and_acknowledges_and_decides(officer, referral):
    mash = _client_for(Role.MASH_WORKER, "blackpool-cs", "mash")
    assert f"SG-{referral.pk}".encode() not in mash.get("/queue/").content  # still a draft
    officer.post(f"/queue/{referral.pk}/step/", {"to": "submitted", "version": referral.version})
    referral.refresh_from_db()
    assert b"Acknowledge" in mash.get("/queue/").content
    mash.post(f"/queue/{referral.pk}/step/", {"to": "acknowledged", "version": referral.version})
    referral.refresh_from_db()
    mash.post(
        f"/queue/{referral.pk}/step/",
        {"to": "decision_recorded", "decision": "accepted", "version": referral.version},
    )
    referral.refresh_from_db()
    assert (referral.state, referral.decision) == ("decision_recorded", "accepted")


def test_a_step_for_the_other_side_is_refused(officer, referral):
    response = officer.post(
        f"/queue/{referral.pk}/step/", {"to": "acknowledged", "version": referral.version}
    )
    assert response.status_code == 422
    assert b"you may take these steps only" in response.content
    referral.refresh_from_db()
    assert referral.state == "draft"


def test_another_agencys_referral_is_404(referral):
    # The NRM's decision maker did not receive this referral: to it, it is not there.
    outsider = _client_for(Role.MASH_WORKER, "sca", "x")
    response = outsider.post(f"/queue/{referral.pk}/step/", {"to": "acknowledged", "version": 1})
    assert response.status_code == 404


def test_listing_the_queue_logs_a_read_of_each_listed_childs_duty(officer, referral):
    officer.get("/queue/")
    listed = Entry.objects.filter(action="read", what="safeguarding.duty", username="pc")
    assert {(e.object_id, e.person_id) for e in listed} == {
        (str(d.pk), d.person_id) for d in Duty.objects.all()
    }
    assert all(e.detail == {"path": "/queue/", "list": "queue"} for e in listed)


def test_the_conflict_message_is_shown_once(officer, referral):
    other = _client_for(Role.OFFICER, "lancs", "pc-two")
    seen = referral.version
    other.post(f"/queue/{referral.pk}/step/", {"to": "submitted", "version": seen})
    response = officer.post(f"/queue/{referral.pk}/step/", {"to": "submitted", "version": seen})
    assert response.status_code == 409
    assert response.content.decode().count("changed by someone else") == 1


# -- a duty no agency receives (custody calls): marked as done by the police in one step ---


@pytest.fixture
def custody(record) -> Duty:
    record(*WORLD, _event("C1", "custody", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    return Duty.objects.get(kind="appropriate_adult")


@pytest.mark.parametrize("made_first", [False, True])
def test_a_custody_call_is_marked_as_done_from_the_queue_and_leaves_it(client, custody, made_first):
    client.force_login(
        create_member("sgt", "pw", Agency.objects.get(code="lancs"), Role.CUSTODY_SERGEANT).user
    )
    if made_first:  # marked as made before the step existed: stuck until now
        services.move(custody, "submitted", by_name="PS Gill")
        custody.refresh_from_db()
    page = client.get("/queue/").content.decode()
    row = page.split(f">SG-{custody.pk}<", 1)[1].split("</tr>", 1)[0]
    assert "Mark as done" in row and "Mark as made" not in row
    response = client.post(f"/queue/{custody.pk}/step/", {"to": "done", "version": custody.version})
    assert response.status_code == 302
    custody.refresh_from_db()
    assert (custody.state, custody.decision) == ("closed", "done")
    steps = list(custody.transitions.values_list("to_state", flat=True))
    assert steps == ["draft", "submitted", "decision_recorded", "closed"]
    assert f">SG-{custody.pk}<" not in client.get("/queue/").content.decode()
    write = Entry.objects.get(action="write", object_id=str(custody.pk), username="sgt")
    assert (write.detail["to"], write.detail["decision"]) == ("closed", "done")


def test_a_duty_with_a_receiver_is_not_marked_as_done(officer, referral):
    response = officer.post(f"/queue/{referral.pk}/step/", {"to": "done", "version": 1})
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.state == "draft"


def test_the_queue_is_shown_a_page_at_a_time_soonest_due_first(officer, referral, monkeypatch):
    from datetime import timedelta

    from safeguard.web import queue

    for days in (3, 1, 2):  # more of the force's referrals, due later, made in another order
        later = Duty.objects.get(pk=referral.pk)
        later.pk, later.due_at = None, referral.due_at + timedelta(days=days)
        later.save()
    waiting = list(Duty.objects.filter(state="draft").order_by("due_at", "id"))
    assert len(waiting) == 4
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    first = officer.get("/queue/").content.decode()
    second = officer.get("/queue/", {"page": 2}).content.decode()
    shown = [f"SG-{d.pk}<" for d in waiting]
    assert [s in first for s in shown[:2]] == [True, True]
    assert not any(s in first for s in shown[2:])
    assert shown[2] in second and shown[0] not in second
    assert f"Showing 1 to 2 of {len(waiting)}." in first
    assert 'aria-label="Pagination"' in first and 'rel="next"' in first
    assert 'aria-current="page">2<' in second and 'rel="prev"' in second
    # Only the rows shown are read, so only they are audited.
    listed = Entry.objects.filter(action="read", what="safeguarding.duty", detail__list="queue")
    assert listed.count() == 2 + len(waiting[2:4])
    # A page that is not a number, or past the end, shows the nearest real page.
    assert officer.get("/queue/", {"page": "x"}).status_code == 200
    assert shown[0] in officer.get("/queue/", {"page": "x"}).content.decode()


# -- a child found with a registered offender (offenders.alerts): the reason in the row ---


def test_the_queue_shows_what_an_offender_alert_found_without_naming_the_offender(record):
    from datetime import UTC, datetime

    from safeguard.offenders import alerts
    from tests.offenders.factories import FORCE, MASH, lives, offender, people, place

    record(
        FORCE,
        MASH,
        place("FLAT"),
        *people("OFF", born="1970-01-01"),
        *people("KID", born="2013-01-10"),
        lives("L1", "OFF", "FLAT"),
        lives("L2", "KID", "FLAT"),
    )
    offender("OFF")
    alerts.raise_alerts(datetime(2025, 6, 16, 9, tzinfo=UTC))
    duty = Duty.objects.get(kind="offender_contact")
    client = _client_for(Role.OFFICER, "lancs", "pc")
    page = client.get("/queue/").content.decode()
    assert f"SG-{duty.pk}" in page
    assert "A child, aged 12, lives at an address where a registered offender lives" in page
    assert "V-OFF" not in page
    found = "a child, aged 12, lives at an address where a registered offender lives"
    referral = client.get(f"/referrals/{duty.pk}/").content.decode()
    assert found in referral and "V-OFF" not in referral
    # Made: the child's MASH reads it on its referral page, from the document's facts.
    client.post(f"/queue/{duty.pk}/step/", {"to": "submitted", "version": duty.version})
    mash = _client_for(Role.MASH_WORKER, "blackpool-cs", "mash")
    received = mash.get(f"/referrals/{duty.pk}/").content.decode()
    assert found in received and "V-OFF" not in received
