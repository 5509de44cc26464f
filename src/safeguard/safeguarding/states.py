"""The steps of a duty: which state may follow which, and what each step must record.

Plain data and one check, so that every way of moving a duty (a page, the API, a command)
is held to the same rules and a refused step says why.
"""

from safeguard.safeguarding.vocabulary import Decision, DutyKind, State

OPEN = frozenset({State.DRAFT, State.SUBMITTED, State.ACKNOWLEDGED, State.DECISION_RECORDED})
# Open and waiting for a step with a deadline: ours (to make it) or the receiver's (to
# acknowledge and decide). After a decision, the duty stays open (an NRM referral awaits
# its conclusive grounds, which have no deadline) but nothing in it is late.
AWAITING = frozenset({State.DRAFT, State.SUBMITTED, State.ACKNOWLEDGED})

NEXT: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SUBMITTED, State.WITHDRAWN}),
    State.SUBMITTED: frozenset(
        {State.ACKNOWLEDGED, State.DECISION_RECORDED, State.REJECTED, State.WITHDRAWN}
    ),
    State.ACKNOWLEDGED: frozenset(
        {State.DECISION_RECORDED, State.REJECTED, State.WITHDRAWN, State.CLOSED}
    ),
    # An NRM referral records its Reasonable Grounds decision, then its Conclusive Grounds one.
    State.DECISION_RECORDED: frozenset({State.DECISION_RECORDED, State.CLOSED}),
    State.CLOSED: frozenset(),
    State.REJECTED: frozenset(),
    State.WITHDRAWN: frozenset(),
}

_NRM_FIRST = frozenset({Decision.REASONABLE_GROUNDS_POSITIVE, Decision.REASONABLE_GROUNDS_NEGATIVE})
_NRM_SECOND = frozenset(
    {Decision.CONCLUSIVE_GROUNDS_POSITIVE, Decision.CONCLUSIVE_GROUNDS_NEGATIVE}
)


class TransitionError(ValueError):
    """A step a duty cannot take, with the reason in words."""


class ConflictError(TransitionError):
    """A step decided on a version of the duty that someone else has since changed."""


def check(
    kind: str, current: str, to: str, *, reason: str = "", decision: str = "", decided: str = ""
) -> None:
    """Refuse (TransitionError) a step from `current` to `to` that the rules do not allow.

    `decided` is the decision already recorded (for an NRM referral's second decision).
    """
    if to not in NEXT.get(current, frozenset()):
        allowed = ", ".join(sorted(NEXT.get(current, ()))) or "none: it is finished"
        raise TransitionError(
            f"a {State(current).label.lower()} duty cannot become {State(to).label.lower()} "
            f"(next steps: {allowed})"
        )
    if to in (State.REJECTED, State.WITHDRAWN) and not reason.strip():
        raise TransitionError(f"{State(to).label.lower()} needs a reason")
    if to == State.DECISION_RECORDED:
        if decision not in Decision.values:
            raise TransitionError("recording a decision needs the decision")
        if kind == DutyKind.NRM_REFERRAL:
            _check_nrm(current, decision, decided)
        elif decision in _NRM_FIRST | _NRM_SECOND:
            raise TransitionError("reasonable and conclusive grounds are NRM decisions")
        elif current == State.DECISION_RECORDED:
            raise TransitionError("this duty's decision is already recorded")
    elif decision:
        raise TransitionError("a decision is recorded only with the decision step")


def _check_nrm(current: str, decision: str, decided: str) -> None:
    if current != State.DECISION_RECORDED:
        if decision not in _NRM_FIRST:
            raise TransitionError("an NRM referral's first decision is on reasonable grounds")
        return
    if decided != Decision.REASONABLE_GROUNDS_POSITIVE:
        raise TransitionError(
            "a conclusive grounds decision follows only a positive reasonable grounds decision"
        )
    if decision not in _NRM_SECOND:
        raise TransitionError("after reasonable grounds, the next decision is conclusive grounds")
