"""The charging block: no charge or caution of a child with signs of exploitation unreviewed."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.intake.errors import RecordingRejected
from safeguard.records import services as records
from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding import charging, inspection
from safeguard.safeguarding.models import ChargingReview
from tests.safeguarding.test_duties import WORLD, _event

# Two missing episodes and a find out of area screen the child medium or higher (with an
# exploitation indicator), which also opens an NRM referral.
SIGNS = (
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
    _event("F1", "found_out_of_area", "2025-02-11T09:00:00Z", ("KID", "missing_person")),
)
CHARGE = _event("CH1", "charge", "2025-02-20T18:00:00Z", ("KID", "suspect"))
REVIEWED = datetime(2025, 2, 20, 15, 0, tzinfo=UTC)
SIGNED = datetime(2025, 2, 20, 16, 0, tzinfo=UTC)
# The staged answers of a review that finds the child may be a victim and still decides to
# charge, in the public interest (shared with the API, export and security tests).
ANSWERS = {
    "reason_to_believe_victim": True,
    "duress": False,
    "under_18_at_offence": True,
    "direct_consequence": False,
    "reasonable_person": False,
    "public_interest": True,
}


def _answers(**changes) -> charging.Answers:
    return charging.Answers(**(ANSWERS | changes))


def _review(decision: str = "charge", at: datetime = REVIEWED, **answers) -> ChargingReview:
    return charging.record_review(
        Person.objects.get(source_ref="KID"),
        agency_id=Agency.objects.get(code="lancs").pk,
        proposed="charge",
        offence="Possession with intent to supply a class A drug",
        answers=_answers(**answers),
        decision=decision,
        rationale="Found with 20 wraps; no link between the exploitation and this offence shown.",
        reviewer_name="DS Khan",
        completed_at=at,
    )


@pytest.fixture
def exploited(record):
    record(*WORLD, *SIGNS)


def _refusal(record, *raw) -> str:
    with pytest.raises(RecordingRejected) as caught:
        record(*raw)
    return str(caught.value)


def test_a_charge_of_a_child_with_signs_of_exploitation_is_refused_without_a_review(
    exploited, record
):
    message = _refusal(record, CHARGE)
    assert "test:1: kind: event 'CH1' cannot be recorded" in message
    assert "screened" in message and "NRM referral" in message
    assert "a charging review must be completed" in message
    assert not Event.objects.filter(source_ref="CH1").exists()  # nothing half-stored
    assert inspection.figures()["charged_without_review"] == 0


def test_a_caution_is_blocked_the_same_way(exploited, record):
    caution = _event("CA1", "caution", "2025-02-20T18:00:00Z", ("KID", "offender"))
    assert "before a caution" in _refusal(record, caution)


def test_a_review_to_charge_needs_a_supervisors_sign_off(exploited, record):
    _review()
    assert "a supervisor must sign it off first" in _refusal(record, CHARGE)


def test_a_signed_off_review_authorises_one_charge_and_is_counted(exploited, record):
    review = _review()
    charging.sign_off(review, by_name="DI Patel", at=SIGNED)
    record(CHARGE)
    review.refresh_from_db()
    assert review.event.source_ref == "CH1" and review.despite_indicators
    assert review.level_seen in ("medium", "high") and review.indicators_seen
    assert "NRM referral" in review.nrm_status
    figures = inspection.figures()
    assert figures["charged_despite_indicators"] == 1
    assert figures["charged_without_review"] == 0
    # One review, one charge: a second charge needs a review of its own.
    again = _event("CH2", "charge", "2025-02-21T18:00:00Z", ("KID", "suspect"))
    assert "a charging review must be completed" in _refusal(record, again)


def test_the_blocks_test_is_public_and_answers_as_the_block_does(exploited):
    # accounts.reviewing asks it to tell an officer what the block would answer.
    kid = Person.objects.get(source_ref="KID")
    at = datetime(2025, 2, 20, 18, 0, tzinfo=UTC)
    found = charging.concern(kid.pk, at)
    review, reason = charging.authorising(kid.pk, at, "charge", found)
    assert review is None and "a charging review must be completed" in reason
    charging.sign_off(_review(), by_name="DI Patel", at=SIGNED)
    review, reason = charging.authorising(kid.pk, at, "charge", found)
    assert review is not None and reason == ""
    assert not hasattr(charging, "_authorising")


def test_a_review_that_decides_no_further_action_does_not_authorise_a_charge(exploited, record):
    _review(decision="no_further_action", public_interest=False)
    assert "it does not authorise a charge" in _refusal(record, CHARGE)


def test_new_evidence_after_the_review_needs_a_new_review(record):
    record(*WORLD, *SIGNS[:2])  # missing twice: reviewed then
    review = _review()
    charging.sign_off(review, by_name="DI Patel", at=SIGNED)
    # Found out of area after the review, before the charge.
    found = _event("F9", "found_out_of_area", "2025-02-20T17:00:00Z", ("KID", "missing_person"))
    message = _refusal(record, found, CHARGE)
    assert "the evidence has changed since the charging review" in message


def test_a_review_imported_with_the_charge_authorises_it(exploited, record):
    imported = {
        "type": "charging_review",
        "agency": "lancs",
        "ref": "REV1",
        "person": "KID",
        "proposed": "charge",
        "offence": "Possession with intent to supply",
        "completed_at": "2025-02-20T15:00:00Z",
        **ANSWERS,
        "decision": "charge",
        "rationale": "Reviewed with the CPS; prosecution needed to protect other children.",
        "reviewer_name": "DS Khan",
        "supervisor_name": "DI Patel",
        "signed_off_at": "2025-02-20T16:00:00Z",
    }
    summary = record(imported, CHARGE)
    assert summary.created["charging_review"] == 1
    assert ChargingReview.objects.get().event.source_ref == "CH1"
    assert record(imported, CHARGE).unchanged["charging_review"] == 1  # idempotent
    changed = imported | {"rationale": "Something else."}
    assert "already recorded with different content" in _refusal(record, changed)


def test_a_child_without_signs_of_exploitation_is_charged_without_a_review(record):
    record(*WORLD, CHARGE)
    assert Event.objects.filter(source_ref="CH1").exists()
    assert inspection.figures()["charged_without_review"] == 0


def test_an_adult_is_not_held_by_the_child_block(exploited, record):
    record(_event("CH5", "charge", "2025-02-20T18:00:00Z", ("ADULT", "suspect")))
    assert Event.objects.filter(source_ref="CH5").exists()


def test_a_charge_stored_around_intake_is_counted_as_charged_without_review(exploited):
    # A charge that never went through intake (an old migration, a direct database write)
    # is still found by the inspection figure.
    lancs = Agency.objects.get(code="lancs")
    [event_id] = records.insert_records(
        "event",
        [
            {
                "agency_id": lancs.pk,
                "source_ref": "RAW",
                "source_hash": "",
                "kind": "charge",
                "occurred_at": datetime(2025, 2, 20, 18, tzinfo=UTC),
                "attributes": {},
            }
        ],
    )
    kid = Person.objects.get(source_ref="KID")
    records.insert_participations(
        [
            {
                "event_id": event_id,
                "person_id": kid.pk,
                "role": "suspect",
                "occurred_at": datetime(2025, 2, 20, 18, tzinfo=UTC),
                "age_at_event": 14,
            }
        ]
    )
    assert inspection.figures()["charged_without_review"] == 1


def test_reviews_are_checked_for_consistency(exploited):
    with pytest.raises(charging.ReviewError, match="rationale"):
        charging.record_review(
            Person.objects.get(source_ref="KID"),
            agency_id=Agency.objects.get(code="lancs").pk,
            proposed="charge",
            offence="PWITS",
            answers=_answers(),
            decision="charge",
            rationale="  ",
            reviewer_name="DS Khan",
        )
    with pytest.raises(charging.ReviewError, match="public interest"):
        _review(public_interest=False)
    with pytest.raises(charging.ReviewError, match="Schedule 4|schedule 4|unknown"):
        _review(schedule_4="no-such-offence")


def test_the_reviewer_cannot_sign_off_their_own_decision(exploited):
    review = _review()
    with pytest.raises(charging.ReviewError, match="their own decision"):
        charging.sign_off(review, by_name="DS Khan")


def test_only_a_supervisor_or_safeguarding_lead_signs_off(exploited):
    lancs = Agency.objects.get(code="lancs")
    officer = create_member("pc", "x", lancs, Role.OFFICER).user
    with pytest.raises(charging.ReviewError, match="supervisor"):
        charging.sign_off(_review(), by_name="PC Lee", by=officer)


def test_the_admin_cannot_add_a_charge_or_change_a_review(exploited, client, verified_login):
    admin_user = get_user_model().objects.create_superuser("root", "root@x", "pw")
    verified_login(client, admin_user)
    assert client.get("/admin/records/event/add/").status_code == 403
    review = _review()
    url = f"/admin/safeguarding/chargingreview/{review.pk}/change/"
    response = client.post(url, {"decision": "charge", "signed_off_at": "2025-02-20 16:00"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.signed_off_at is None
