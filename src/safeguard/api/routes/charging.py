"""POST /api/charging-reviews and /api/charging-reviews/{id}/sign-off.

A charging review (safeguarding/charging.py) is recorded by police, of a child their force
holds, and saved with the evidence as it stood; a decision to charge or caution a child with
signs of exploitation then needs a supervisor's or safeguarding lead's sign-off before the
charge can be recorded (POST /api/events refuses it until then).
"""

from ninja import Router, Status
from ninja.errors import HttpError

from safeguard.accounts import reviewing
from safeguard.api.common import viewer
from safeguard.api.routes.children import review_out
from safeguard.api.schemas import Error, ReviewIn, ReviewOut, SignOffIn

router = Router()


@router.post(
    "",
    response={201: ReviewOut, 403: Error, 404: Error, 422: Error},
    summary="Submit a charging review",
)
def submit(request, payload: ReviewIn):
    """Record a completed charging review of a child (police only)."""
    viewer(request)  # 403 without a membership
    try:
        review = reviewing.submit(
            request.auth,
            payload.person_id,
            proposed=payload.proposed,
            offence=payload.offence,
            answers=payload.answers,
            decision=payload.decision,
            rationale=payload.rationale,
            path=request.path,
        )
    except reviewing.NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    return Status(201, review_out(review))


@router.post(
    "/{int:review_id}/sign-off",
    response={200: ReviewOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Sign off a charging review",
)
def sign_off(request, review_id: int, payload: SignOffIn):
    """A supervisor's or safeguarding lead's sign-off of a decision to charge or caution."""
    viewer(request)  # 403 without a membership
    try:
        review = reviewing.sign_off(
            request.auth, review_id, expected_version=payload.expected_version, path=request.path
        )
    except reviewing.NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    except reviewing.Conflict:
        raise HttpError(
            409, "someone else changed this review while you were reading it: reload it"
        ) from None
    return Status(200, review_out(review))
