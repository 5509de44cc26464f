"""Deciding a legal tool recommendation for a user: who may, through the domain, audited.

Police of the force a recommendation belongs to see it (accounts.policy.recommendations);
a safeguarding lead, a supervisor or an analyst records it as actioned, or declined with a
reason (safeguarding.recommending.set_status), on the version they read. A recommendation
outside the user's access is NotVisible (and the attempt logged); a user whose role does
not decide is NotAllowed; a decision on a version someone else has since changed is
recommending.RecommendationConflict; one the rules refuse is RecommendationError. Nothing
is saved in any of these cases.
"""

from django.db import transaction

from safeguard.accounts import policy
from safeguard.accounts.acting import display_name
from safeguard.accounts.reading import audited, visible
from safeguard.accounts.roles import Role
from safeguard.safeguarding import recommending
from safeguard.safeguarding.models import ToolRecommendation

WHAT = "safeguarding.toolrecommendation"  # a recommendation, as the audit log names it
DECIDERS = frozenset({Role.SAFEGUARDING_LEAD, Role.SUPERVISOR, Role.ANALYST})


class NotAllowed(PermissionError):
    """A decision on a recommendation that the user's role does not make."""


def may_decide(user) -> bool:
    """Whether the user may record a decision on their force's recommendations."""
    who = policy.viewer(user)
    return who is not None and who.police and who.role in DECIDERS


def visible_recommendation(user, recommendation_id: int, *, path: str = "") -> ToolRecommendation:
    """Return the recommendation if the user may see it; else log the attempt and raise
    NotVisible."""
    return visible(
        user,
        policy.recommendations(user).select_related("subject"),
        recommendation_id,
        what=WHAT,
        noun="recommendation",
        path=path,
        person_field="subject_id",
    )


def decide(
    user,
    recommendation_id: int,
    status: str,
    *,
    reason: str = "",
    expected_version: int | None,
    path: str = "",
) -> ToolRecommendation:
    """Record the user's decision (actioned, or declined with a reason); return it after."""
    found = visible_recommendation(user, recommendation_id, path=path)
    if not may_decide(user):
        raise NotAllowed(
            "a recommendation is decided by a safeguarding lead, supervisor or analyst"
        )
    before = found.status
    with transaction.atomic():  # the decision and its entry in the log, or neither
        decided = recommending.set_status(
            found,
            status,
            by=user,
            by_name=display_name(user),
            reason=reason,
            expected_version=expected_version,
        )
        audited(
            user,
            "write",
            decided,
            what=WHAT,
            path=path,
            detail={"from": before, "to": decided.status, "version": decided.version},
            person_id=decided.subject_id,
        )
    return decided
