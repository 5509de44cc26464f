"""GET /api/referrals and POST /api/referrals/{id}/steps: the duties a user may see, moved on.

Who takes which step: the agency that owes a duty (police) makes, withdraws and closes it;
the agency that received it (a MASH, the NRM's decision maker) acknowledges it, records its
decision or rejects it. A step is decided on a version of the duty (`expected_version`): if
someone else moved it meanwhile, the step is refused with 409 and nothing changes.
"""

from datetime import datetime

from ninja import Query, Router, Status
from ninja.errors import HttpError

from safeguard.accounts import acting, policy
from safeguard.accounts.reading import NotVisible, audit_listed
from safeguard.api.schemas import Error, ReferralOut, StepIn
from safeguard.clock import now
from safeguard.safeguarding import states
from safeguard.safeguarding.models import Duty
from safeguard.safeguarding.vocabulary import State

router = Router()

LIMIT = 500


def referral_out(duty: Duty, at: datetime | None = None) -> ReferralOut:
    at = at or now()
    return ReferralOut(
        id=duty.pk,
        kind=duty.kind,
        state=duty.state,
        decision=duty.decision,
        due_at=duty.due_at,
        version=duty.version,
        person_id=duty.person_id,
        agency=duty.agency.code,
        receiver=duty.receiver.code if duty.receiver_id else None,
        overdue=duty.state in states.AWAITING and duty.due_at < at,
    )


@router.get("", response={200: list[ReferralOut]}, summary="List referrals and other duties")
def referrals(
    request,
    state: State | None = Query(None, description="only duties in this state"),  # noqa: B008
    overdue: bool | None = Query(None, description="only those past due (or not)"),  # noqa: B008
):
    """The duties your agency owes (police) or has received (partners), soonest due first
    (at most 500). Listing them is a read of each child's record, and is audited."""
    moment = now()
    found = policy.duties(request.auth).select_related("agency", "receiver")
    if state is not None:
        found = found.filter(state=state)
    if overdue is True:
        found = found.filter(state__in=states.AWAITING, due_at__lt=moment)
    elif overdue is False:
        found = found.exclude(state__in=states.AWAITING, due_at__lt=moment)
    rows = list(found.order_by("due_at", "id")[:LIMIT])
    audit_listed(
        request.auth, rows, what="safeguarding.duty", path=request.path, listing="referrals"
    )
    return [referral_out(d, moment) for d in rows]


@router.post(
    "/{int:duty_id}/steps",
    response={200: ReferralOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Take a step on a referral",
)
def step(request, duty_id: int, payload: StepIn):
    """Move a duty on (acknowledge, record a decision, reject; or submit, withdraw, close)."""
    try:
        duty = acting.step(
            request.auth,
            duty_id,
            State(payload.to),
            reason=payload.reason,
            decision=payload.decision or "",
            expected_version=payload.expected_version,
            path=request.path,
        )
    except NotVisible:
        raise HttpError(404, "not found") from None
    except acting.NotYourStep as exc:
        raise HttpError(403, str(exc)) from None
    return Status(200, referral_out(duty))
