"""The safeguarding queue: what each side sees and does, and two people acting at once."""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency
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
