"""GET /api/referrals and POST /api/referrals/{id}/steps: the duties a user may see, moved on.

Who takes which step: the agency that owes a duty (police) makes, withdraws and closes it;
the agency that received it (a MASH, the NRM's decision maker) acknowledges it, records its
decision or rejects it. A step is decided on a version of the duty (`expected_version`): if
someone else moved it meanwhile, the step is refused with 409 and nothing changes.
"""

from datetime import datetime

from ninja import Query, Router, Status
from ninja.errors import HttpError

from safeguard.accounts import policy
from safeguard.accounts.reading import actor
from safeguard.api.common import name, viewer
from safeguard.api.schemas import Error, ReferralOut, StepIn
from safeguard.audit import log
from safeguard.clock import now
from safeguard.safeguarding import services, states
from safeguard.safeguarding.models import Duty
from safeguard.safeguarding.vocabulary import State

router = Router()

RECEIVER_STEPS = frozenset({State.ACKNOWLEDGED, State.DECISION_RECORDED, State.REJECTED})
OWNER_STEPS = frozenset({State.SUBMITTED, State.WITHDRAWN, State.CLOSED})
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
    if rows:
        who = actor(request.auth)
        log.record_many(
            [
                {
                    "action": "read",
                    **who,
                    "what": "safeguarding.duty",
                    "object_id": str(d.pk),
                    "person_id": d.person_id,
                    "detail": {"path": request.path, "list": "referrals"},
                }
                for d in rows
            ]
        )
    return [referral_out(d, moment) for d in rows]


@router.post(
    "/{int:duty_id}/steps",
    response={200: ReferralOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Take a step on a referral",
)
def step(request, duty_id: int, payload: StepIn):
    """Move a duty on (acknowledge, record a decision, reject; or submit, withdraw, close)."""
    who = viewer(request)
    user = request.auth
    duty = policy.duties(user).select_related("agency", "receiver").filter(pk=duty_id).first()
    if duty is None:
        log.record(
            "denied",
            **actor(user),
            what="safeguarding.duty",
            object_id=str(duty_id),
            person_id=Duty.objects.filter(pk=duty_id).values_list("person_id", flat=True).first(),
            detail={"path": request.path, "reason": "outside the user's access"},
        )
        raise HttpError(404, "not found")
    to = State(payload.to)
    if duty.agency_id == who.agency_id and who.police:
        allowed, side = OWNER_STEPS, "the agency that owes it"
    elif duty.receiver_id == who.agency_id and who.partner:
        allowed, side = RECEIVER_STEPS, "the agency that received it"
    else:
        allowed, side = frozenset(), "neither its owner nor its receiver"
    if to not in allowed:
        steps = ", ".join(sorted(allowed)) or "none"
        raise HttpError(403, f"as {side}, you may take these steps only: {steps}")
    before = duty.state
    services.move(
        duty,
        to,
        by=user,
        by_name=name(user),
        reason=payload.reason,
        decision=payload.decision or "",
        expected_version=payload.expected_version,
    )
    duty.refresh_from_db()
    log.record(
        "write",
        **actor(user),
        what="safeguarding.duty",
        object_id=str(duty.pk),
        person_id=duty.person_id,
        detail={"path": request.path, "from": before, "to": to, "version": duty.version},
    )
    return Status(200, referral_out(duty))
