"""The operations: the same policy, the same charging block and the same audit as the pages."""

from datetime import timedelta

from safeguard.accounts.roles import Role
from safeguard.audit.models import Entry
from safeguard.clock import now
from safeguard.records.models import Event, Person
from safeguard.safeguarding import services
from safeguard.safeguarding.models import ChargingReview, Duty
from tests.safeguarding.test_charging import ANSWERS
from tests.safeguarding.test_duties import _event


def _at(days_ago: float) -> str:
    return (now() - timedelta(days=days_ago)).isoformat()


# Two missing episodes and a find out of area, recently: the child screens medium or higher
# (and an NRM referral opens), so a charge needs a signed-off review.
SIGNS = (
    _event("M1", "missing_episode", _at(40), ("KID", "missing_person")),
    _event("M2", "missing_episode", _at(10), ("KID", "missing_person")),
    _event("F1", "found_out_of_area", _at(9), ("KID", "missing_person")),
)


def _kid() -> Person:
    return Person.objects.get(source_ref="KID")


def _referral() -> Duty:
    return Duty.objects.get(person__source_ref="KID", kind="childrens_services_referral")


def test_recording_an_event_opens_the_referral_and_answers_with_it(api_as):
    officer = api_as(Role.OFFICER)
    body = _event("A1", "arrest", _at(1), ("KID", "suspect"), ("ADULT", "suspect"))
    response = officer.post("/api/events", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    event = Event.objects.get(source_ref="A1")
    assert answer["id"] == event.pk and answer["ref"] == "A1"
    [child] = answer["children"]  # the adult is not a child
    assert child["person_id"] == _kid().pk
    kinds = {d["kind"]: d for d in child["duties"]}
    referral = _referral()
    assert kinds["childrens_services_referral"]["id"] == referral.pk
    assert kinds["childrens_services_referral"]["state"] == "draft"
    assert kinds["childrens_services_referral"]["version"] == referral.version
    written = Entry.objects.filter(action="write", what="records.event", object_id=str(event.pk))
    assert set(written.values_list("person_id", flat=True)) == {
        _kid().pk,
        Person.objects.get(source_ref="ADULT").pk,
    }
    assert written.first().username == officer.user.username
    # Again: idempotent, nothing opened twice.
    assert officer.post("/api/events", body).status_code == 201
    assert Duty.objects.filter(kind="childrens_services_referral").count() == 1


def test_an_event_for_another_agency_or_its_records_is_403(api_as):
    officer = api_as(Role.OFFICER)
    body = {**_event("X1", "arrest", _at(1), ("CKID", "suspect")), "agency": "cumbria"}
    assert officer.post("/api/events", body).status_code == 403
    body = _event("X2", "arrest", _at(1), ({"agency": "cumbria", "ref": "CKID"}, "suspect"))
    assert officer.post("/api/events", body).status_code == 403
    assert not Event.objects.filter(source_ref__in=["X1", "X2"]).exists()


def test_a_refused_record_is_422_with_the_field_and_reason(api_as):
    officer = api_as(Role.OFFICER)
    response = officer.post("/api/events", _event("A1", "arrest", _at(1), ("NOBODY", "suspect")))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors and errors[0]["field"] == "participants.0.person"
    response = officer.post("/api/events", {**_event("A2", "arrest", _at(1)), "kind": "picnic"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]


def test_another_agencys_child_is_404_and_the_denial_is_audited(api_as):
    officer = api_as(Role.OFFICER)
    cumbrian = Person.objects.get(source_ref="CKID")
    response = officer.get(f"/api/children/{cumbrian.pk}", purpose="checking a name")
    assert response.status_code == 404
    denied = Entry.objects.get(action="denied", person_id=cumbrian.pk)
    assert denied.username == officer.user.username
    assert officer.get("/api/children/999999", purpose="x").status_code == 404


def test_reading_a_child_needs_a_purpose_and_is_audited(api_as, record):
    officer = api_as(Role.OFFICER)
    kid = _kid()
    response = officer.get(f"/api/children/{kid.pk}")
    assert response.status_code == 400
    assert "purpose" in response.json()["detail"]
    response = officer.get(f"/api/children/{kid.pk}", purpose="strategy meeting")
    assert response.status_code == 200
    child = response.json()
    assert child["identity"]["date_of_birth"] == "2010-04-01"
    assert Entry.objects.filter(action="read", person_id=kid.pk, purpose="strategy meeting")


def test_a_mash_sees_only_the_parts_a_referral_shares(api_as, record):
    record(_event("A1", "arrest", _at(1), ("KID", "suspect")))
    services.move(_referral(), "submitted", by_name="PC Jones")
    Duty.objects.filter(pk=_referral().pk).update(shared=["events"])
    mash = api_as(Role.MASH_WORKER, "blackpool-cs")
    child = mash.get(f"/api/children/{_kid().pk}", purpose="referral").json()
    assert child["parts"] == ["events"]
    assert child["identity"] is None and child["screenings"] is None
    assert [e["kind"] for e in child["events"]] == ["arrest"]


def test_the_charging_block_holds_through_the_api(api_as, record):
    record(*SIGNS)
    officer = api_as(Role.OFFICER)
    charge = _event("CH1", "charge", _at(-0.01), ("KID", "suspect"))
    response = officer.post("/api/events", charge)
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "kind"
    assert "a charging review must be completed" in error["reason"]
    assert not Event.objects.filter(source_ref="CH1").exists()
    # A review by the API, signed off by a supervisor by the API, lets the charge through.
    review = officer.post(
        "/api/charging-reviews",
        {
            "person_id": _kid().pk,
            "proposed": "charge",
            "offence": "Possession with intent to supply a class A drug",
            "answers": ANSWERS,
            "decision": "charge",
            "rationale": "No link between the exploitation and this offence shown.",
        },
    )
    assert review.status_code == 201, review.content
    review = review.json()
    response = officer.post("/api/events", charge)
    assert "a supervisor must sign it off first" in response.json()["errors"][0]["reason"]
    path = f"/api/charging-reviews/{review['id']}/sign-off"
    assert officer.post(path, {}).status_code == 403  # an officer cannot sign off
    supervisor = api_as(Role.SUPERVISOR)
    assert supervisor.post(path, {"expected_version": review["version"] + 5}).status_code == 409
    signed = supervisor.post(path, {"expected_version": review["version"]})
    assert signed.status_code == 200, signed.content
    assert signed.json()["supervisor_name"] == supervisor.user.username
    assert officer.post("/api/events", charge).status_code == 201
    assert ChargingReview.objects.get().event.source_ref == "CH1"
    assert Entry.objects.filter(action="write", what="safeguarding.chargingreview").count() == 2


def test_a_charging_review_is_police_only_and_refused_if_inconsistent(api_as):
    body = {
        "person_id": _kid().pk,
        "proposed": "charge",
        "offence": "Possession",
        "answers": ANSWERS | {"public_interest": False},
        "decision": "charge",
        "rationale": "x",
    }
    officer = api_as(Role.OFFICER)
    response = officer.post("/api/charging-reviews", body)
    assert response.status_code == 422
    assert "public interest" in response.json()["detail"]
    mash = api_as(Role.MASH_WORKER, "blackpool-cs")
    assert mash.post("/api/charging-reviews", body).status_code == 403
    assert not ChargingReview.objects.exists()


def test_a_stale_step_is_409_and_changes_nothing(api_as, record):
    record(_event("A1", "arrest", _at(1), ("KID", "suspect")))
    officer = api_as(Role.OFFICER)
    referral = _referral()
    transitions = referral.transitions.count()
    path = f"/api/referrals/{referral.pk}/steps"
    stale = {"to": "submitted", "expected_version": referral.version - 1}
    response = officer.post(path, stale)
    assert response.status_code == 409
    assert "someone else changed this duty" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.state == "draft" and referral.transitions.count() == transitions
    refused = officer.post(path, {"to": "closed", "expected_version": referral.version})
    assert refused.status_code == 422  # a draft cannot be closed
    done = officer.post(path, {"to": "submitted", "expected_version": referral.version})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "submitted"
    assert done.json()["version"] == referral.version + 1
    assert Entry.objects.filter(action="write", what="safeguarding.duty").count() == 1


def test_a_mash_acknowledges_a_referral_it_received_but_does_not_submit_it(api_as, record):
    record(_event("A1", "arrest", _at(1), ("KID", "suspect")))
    mash = api_as(Role.MASH_WORKER, "blackpool-cs")
    referral = _referral()
    path = f"/api/referrals/{referral.pk}/steps"
    # A draft is not yet the MASH's: not there for it.
    draft = mash.post(path, {"to": "submitted", "expected_version": referral.version})
    assert draft.status_code == 404
    assert mash.get("/api/referrals").json() == []
    services.move(referral, "submitted", by_name="PC Jones")
    referral.refresh_from_db()
    [listed] = mash.get("/api/referrals").json()
    assert listed["id"] == referral.pk and listed["receiver"] == "blackpool-cs"
    withdraw = {"to": "withdrawn", "reason": "x", "expected_version": referral.version}
    assert mash.post(path, withdraw).status_code == 403
    officer = api_as(Role.OFFICER)
    ack = {"to": "acknowledged", "expected_version": referral.version}
    assert officer.post(path, ack).status_code == 403  # the police do not acknowledge
    response = mash.post(path, ack)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "acknowledged"


def test_the_referral_list_filters_by_state_and_is_audited(api_as, record):
    record(_event("A1", "arrest", _at(1), ("KID", "suspect")))
    officer = api_as(Role.OFFICER)
    listed = officer.get("/api/referrals").json()
    assert {d["kind"] for d in listed} >= {"childrens_services_referral"}
    assert officer.get("/api/referrals", state="closed").json() == []
    assert {d["id"] for d in officer.get("/api/referrals", state="draft").json()} == {
        d["id"] for d in listed if d["state"] == "draft"
    }
    assert Entry.objects.filter(action="read", what="safeguarding.duty").exists()
    assert officer.get("/api/referrals", state="nonsense").status_code == 422
