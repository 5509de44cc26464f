"""POST /api/charging-reviews and /api/charging-reviews/{id}/sign-off.

A charging review (safeguarding/charging.py) is recorded by police, of a child their force
holds, and saved with the evidence as it stood; a decision to charge or caution a child with
signs of exploitation then needs a supervisor's or safeguarding lead's sign-off before the
charge can be recorded (POST /api/events refuses it until then).
"""

from ninja import Router, Status
from ninja.errors import HttpError

from safeguard.accounts import policy
from safeguard.accounts.reading import actor, visible_person
from safeguard.accounts.roles import Role
from safeguard.api.common import name, viewer
from safeguard.api.routes.children import review_out
from safeguard.api.schemas import Error, ReviewIn, ReviewOut, SignOffIn
from safeguard.audit import log
from safeguard.safeguarding import charging
from safeguard.safeguarding.models import ChargingReview

router = Router()

SIGNERS = frozenset({Role.SUPERVISOR, Role.SAFEGUARDING_LEAD})


@router.post(
    "",
    response={201: ReviewOut, 403: Error, 404: Error, 422: Error},
    summary="Submit a charging review",
)
def submit(request, payload: ReviewIn):
    """Record a completed charging review of a child (police only)."""
    who = viewer(request)
    user = request.auth
    if not who.police:
        raise HttpError(403, "charging reviews are made by police")
    person = visible_person(user, payload.person_id, path=request.path)
    review = charging.record_review(
        person,
        agency_id=who.agency_id,
        proposed=payload.proposed,
        offence=payload.offence,
        answers=charging.Answers(**payload.answers.model_dump()),
        decision=payload.decision,
        rationale=payload.rationale,
        reviewer_name=name(user),
        reviewer=user,
    )
    _audit(request, review, {"recorded": review.decision})
    return Status(201, review_out(review))


@router.post(
    "/{int:review_id}/sign-off",
    response={200: ReviewOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Sign off a charging review",
)
def sign_off(request, review_id: int, payload: SignOffIn):
    """A supervisor's or safeguarding lead's sign-off of a decision to charge or caution."""
    who = viewer(request)
    user = request.auth
    review = policy.charging_reviews(user).filter(pk=review_id).first()
    if review is None:
        log.record(
            "denied",
            **actor(user),
            what="safeguarding.chargingreview",
            object_id=str(review_id),
            person_id=ChargingReview.objects.filter(pk=review_id)
            .values_list("person_id", flat=True)
            .first(),
            detail={"path": request.path, "reason": "outside the user's access"},
        )
        raise HttpError(404, "not found")
    if who.role not in SIGNERS:
        raise HttpError(403, "a sign-off needs a supervisor or safeguarding lead")
    if payload.expected_version is not None and payload.expected_version != review.version:
        raise HttpError(
            409, "someone else changed this review while you were reading it: reload it"
        )
    review = charging.sign_off(
        review, by=user, by_name=name(user), expected_version=payload.expected_version
    )
    _audit(request, review, {"signed_off": True})
    return Status(200, review_out(review))


def _audit(request, review: ChargingReview, detail: dict) -> None:
    log.record(
        "write",
        **actor(request.auth),
        what="safeguarding.chargingreview",
        object_id=str(review.pk),
        person_id=review.person_id,
        detail={"path": request.path, **detail},
    )
