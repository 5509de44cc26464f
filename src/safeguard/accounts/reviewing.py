"""Charging reviews for a user: who may make and sign them off, through the domain, audited.

Shared by the pages and the API, so that both hold the same rules: police make a charging
review of a child their force holds (any police role: accounts.policy.charging_reviews lets
the same roles read one); a supervisor or a safeguarding lead signs off a decision to
charge or caution, on the version they read. A child or review outside the user's access
is NotVisible (and the attempt logged); a step the user's role may not take is NotAllowed;
a sign-off decided on a version someone else has since changed is Conflict; a review the
domain refuses is safeguarding.charging.ReviewError. Nothing is saved in any of these cases.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from safeguard.accounts import policy
from safeguard.accounts.acting import display_name
from safeguard.accounts.reading import audited, visible, visible_person
from safeguard.accounts.roles import Role
from safeguard.clock import now
from safeguard.records.ages import UK
from safeguard.safeguarding import charging
from safeguard.safeguarding.models import ChargingReview
from safeguard.safeguarding.vocabulary import Disposal

WHAT = "safeguarding.chargingreview"  # a charging review, as the audit log names it
# Who signs off a decision to charge or caution a child (charging.sign_off holds the same).
SIGNERS = frozenset({Role.SUPERVISOR, Role.SAFEGUARDING_LEAD})


class NotAllowed(PermissionError):
    """A step on a charging review that the user's role may not take."""


class Conflict(Exception):
    """A sign-off decided on a version of the review that someone else has since changed."""


def may_review(user) -> bool:
    """Whether the user may make a charging review (police of the child's force)."""
    who = policy.viewer(user)
    return who is not None and who.police


def may_sign_off(user) -> bool:
    """Whether the user may sign off a decision to charge or caution."""
    who = policy.viewer(user)
    return who is not None and who.police and who.role in SIGNERS


def needs_sign_off(review: ChargingReview) -> bool:
    """Whether the review decides a charge or caution that no one has signed off yet."""
    return review.decision in charging.AUTHORISES and review.signed_off_at is None


def visible_review(user, review_id: int, *, path: str = "") -> ChargingReview:
    """Return the review if the user may see it; else log the attempt and raise NotVisible."""
    return visible(
        user,
        policy.charging_reviews(user).select_related("person", "person__agency", "screening"),
        review_id,
        what=WHAT,
        noun="charging review",
        path=path,
    )


def submit(
    user,
    person_id: int,
    *,
    proposed: str,
    offence: str,
    answers: charging.Answers,
    decision: str,
    rationale: str,
    path: str = "",
) -> ChargingReview:
    """Record a completed charging review of a child the user's force holds (audited)."""
    if not may_review(user):
        raise NotAllowed("charging reviews are made by police")
    person = visible_person(user, person_id, path=path)
    review = charging.record_review(
        person,
        agency_id=policy.viewer(user).agency_id,
        proposed=proposed,
        offence=offence,
        answers=answers,
        decision=decision,
        rationale=rationale,
        reviewer_name=display_name(user),
        reviewer=user,
    )
    audited(user, "write", review, what=WHAT, path=path, detail={"recorded": review.decision})
    return review


def sign_off(
    user, review_id: int, *, expected_version: int | None, path: str = ""
) -> ChargingReview:
    """Sign off a decision to charge or caution, as read at `expected_version` (audited)."""
    review = visible_review(user, review_id, path=path)
    if not may_sign_off(user):
        raise NotAllowed("a sign-off needs a supervisor or safeguarding lead")
    with transaction.atomic():
        current = ChargingReview.objects.select_for_update().get(pk=review.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                f"this charging review was changed by someone else while you were looking "
                f"(it is at version {current.version}, not {expected_version}): nothing was "
                "saved"
            )
        review = charging.sign_off(
            current, by=user, by_name=display_name(user), expected_version=expected_version
        )
        audited(user, "write", review, what=WHAT, path=path, detail={"signed_off": True})
    return review


# -- whether a charge may be recorded now ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """Whether a charge or caution of a child may be recorded now, and why (not)."""

    concern: charging.Concern
    # (disposal label, refused now?, the reason in words) for each disposal the block covers.
    disposals: tuple[tuple[str, bool, str], ...]

    @property
    def blocked(self) -> bool:
        """Whether any disposal of the child is refused now."""
        return any(refused for _, refused, _ in self.disposals)


def standing(person_id: int, at: datetime | None = None) -> Standing:
    """Return what the charging block would answer for a charge or caution of the person now.

    It asks the very question enforce() asks when a charge is recorded (the concern, then
    the review that would authorise the disposal), so that a page never tells an officer
    something the block would contradict. Nothing is stored.
    """
    at = at or now()
    found = charging.concern(person_id, at)
    reviewed = ChargingReview.objects.filter(
        person_id=person_id, event__isnull=True, completed_at__lte=at
    ).exists()
    disposals = []
    for disposal in Disposal:
        review, reason = charging.authorising(person_id, at, disposal, found)  # the block's test
        refused = review is None and found.blocking
        if refused and not reviewed:  # the concern is said once, not for each disposal
            reason = "no charging review authorises it yet"
        elif not refused:
            reason = (
                f"authorised by the charging review of "
                f"{review.completed_at.astimezone(UK):%-d %b %Y %H:%M}"
                if review is not None
                else "no signs of exploitation call for a charging review"
            )
        disposals.append((disposal.label, refused, reason))
    return Standing(concern=found, disposals=tuple(disposals))
