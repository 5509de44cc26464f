"""Acting on a duty for a user: who may take which step, through the same services, audited.

Shared by the pages and the API, so that both hold the same rules: the agency that owes a
duty (police) makes, withdraws and closes it; the agency that received it acknowledges it,
records its decision or rejects it; a duty no agency receives (a custody call) is marked as
done by the agency that owes it, in one step (finish). A duty outside the user's access is
NotVisible (and the attempt logged); a step for the other side is NotYourStep; a step
decided on a version someone else has since changed is safeguarding.states.ConflictError; a
step the state table refuses is states.TransitionError. Nothing is saved in any of these cases.
"""

from safeguard.accounts import policy
from safeguard.accounts.reading import audited, visible
from safeguard.safeguarding import services
from safeguard.safeguarding.models import Duty
from safeguard.safeguarding.vocabulary import Decision, State

WHAT = "safeguarding.duty"  # a duty, as the audit log names it
RECEIVER_STEPS = frozenset({State.ACKNOWLEDGED, State.DECISION_RECORDED, State.REJECTED})
OWNER_STEPS = frozenset({State.SUBMITTED, State.WITHDRAWN, State.CLOSED})
# The steps that finish a duty no other agency receives (an Appropriate Adult called, the
# person responsible for the child's welfare told), from each state it may be finished in:
# the same steps as any duty's (made, decided, closed), so it counts as made when it was.
FINISHING: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.SUBMITTED, State.DECISION_RECORDED, State.CLOSED),
    State.SUBMITTED: (State.DECISION_RECORDED, State.CLOSED),
    State.ACKNOWLEDGED: (State.DECISION_RECORDED, State.CLOSED),
}


class NotYourStep(PermissionError):
    """A step that belongs to the other side of the referral."""


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def steps_for(user, duty: Duty) -> frozenset[str]:
    """Return the steps this user's side of the duty may take (whatever its state)."""
    who = policy.viewer(user)
    if who is None:
        return frozenset()
    if duty.agency_id == who.agency_id and who.police:
        return OWNER_STEPS
    if duty.receiver_id == who.agency_id and who.partner:
        return RECEIVER_STEPS
    return frozenset()


def may_finish(user, duty: Duty) -> bool:
    """Return whether the user may mark the duty as done: their agency owes it, no agency
    receives it (nobody else will record a decision), and it is still waiting for a step."""
    return (
        duty.receiver_id is None
        and duty.state in FINISHING
        and State.SUBMITTED in steps_for(user, duty)
    )


def visible_duty(user, duty_id: int, *, path: str = "") -> Duty:
    """Return the duty if the user may see it; else log the attempt and raise NotVisible."""
    return visible(
        user,
        policy.duties(user).select_related("agency", "receiver", "person"),
        duty_id,
        what=WHAT,
        noun="duty",
        path=path,
    )


def step(
    user,
    duty_id: int,
    to: str,
    *,
    reason: str = "",
    decision: str = "",
    expected_version: int | None = None,
    path: str = "",
) -> Duty:
    """Take one step of a duty the user may see, for their side; return the duty after it."""
    duty = visible_duty(user, duty_id, path=path)
    allowed = steps_for(user, duty)
    if to not in allowed:
        side = (
            "the agency that owes it"
            if allowed == OWNER_STEPS
            else "the agency that received it"
            if allowed
            else "neither its owner nor its receiver"
        )
        raise NotYourStep(
            f"as {side}, you may take these steps only: {', '.join(sorted(allowed)) or 'none'}"
        )
    before = duty.state
    services.move(
        duty,
        to,
        by=user,
        by_name=display_name(user),
        reason=reason,
        decision=decision,
        expected_version=expected_version,
    )
    duty.refresh_from_db()
    _audit(user, duty, path, {"from": before, "to": to, "version": duty.version})
    return duty


def finish(
    user, duty_id: int, *, reason: str = "", expected_version: int | None = None, path: str = ""
) -> Duty:
    """Mark a duty no agency receives as done, in one step for the user: made (if it was not
    yet), decided "done" and closed, all or nothing; return the duty after it."""
    duty = visible_duty(user, duty_id, path=path)
    if not may_finish(user, duty):
        raise NotYourStep(
            "only the agency that owes a duty no other agency receives marks it as done, "
            "while it waits for a step"
        )
    before = duty.state
    by_name = display_name(user)
    services.take_steps(
        duty,
        [
            services.Step(
                to,
                by_name,
                by=user,
                reason=reason if to == State.CLOSED else "",
                decision=Decision.DONE if to == State.DECISION_RECORDED else "",
            )
            for to in FINISHING[duty.state]
        ],
        expected_version=expected_version,
    )
    duty.refresh_from_db()
    _audit(
        user,
        duty,
        path,
        {"from": before, "to": duty.state, "decision": duty.decision, "version": duty.version},
    )
    return duty


def record_consent(
    user,
    duty_id: int,
    consented: bool,
    *,
    note: str = "",
    expected_version: int | None = None,
    path: str = "",
) -> Duty | None:
    """Record an adult's answer to the NRM referral the user's force owes; return the Duty
    to Notify opened on a refusal (services.record_consent), else None.

    Only the agency that owes the referral asks: the receiver is not told who refused.
    """
    duty = visible_duty(user, duty_id, path=path)
    if State.SUBMITTED not in steps_for(user, duty):
        raise NotYourStep("only the agency that makes the referral records the person's consent")
    notify = services.record_consent(
        duty,
        consented,
        by_name=display_name(user),
        by=user,
        note=note,
        expected_version=expected_version,
    )
    duty.refresh_from_db()
    _audit(
        user,
        duty,
        path,
        {
            "consent": consented,
            "to": duty.state,
            "version": duty.version,
            "opened": notify.pk if notify is not None else None,
        },
    )
    return notify


def _audit(user, duty: Duty, path: str, detail: dict) -> None:
    """Log the user's write on the duty (reloaded after it), with what changed."""
    audited(user, "write", duty, what=WHAT, path=path, detail=detail)
