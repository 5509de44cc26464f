"""The charging block: no charge or caution of a child with signs of exploitation without a review.

A charge, caution or conditional caution of a child (a suspect or offender under 18 at the
time) who then had a screening at medium or higher, or an open NRM referral, is refused
unless a charging review authorises it: completed before it, deciding that very disposal,
signed off by a supervisor (a charge despite signs of exploitation is counted for
inspection), and made on the evidence as it still stands. Every way a charge can be
recorded goes through intake, whose pipeline calls enforce() inside the transaction that
stores the event, so a refused charge is not stored at all: not from a form, the API, an
import or the demo. The admin cannot add events.

Sources: CPS legal guidance "Human Trafficking, Smuggling and Slavery", section on suspects
who may be victims (the four stages); Modern Slavery Act 2015 s45 and Schedule 4.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pydantic_core
from django.db import transaction

from safeguard.clock import now
from safeguard.records import vocabulary as rv
from safeguard.records.ages import UK
from safeguard.records.models import Participation, Person
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding import schedule4
from safeguard.safeguarding.models import ChargingReview, Duty
from safeguard.safeguarding.vocabulary import (
    AUTHORISES,
    Disposal,
    DutyKind,
    ReviewDecision,
    State,
)
from safeguard.screening import services as screening
from safeguard.screening.catalogue import LEVELS
from safeguard.screening.models import Screening

# The event kinds that record a disposal the block applies to, and the disposal each is.
DISPOSALS: dict[str, str] = {
    rv.EventKind.CHARGE: Disposal.CHARGE,
    rv.EventKind.CAUTION: Disposal.CAUTION,
    rv.EventKind.CONDITIONAL_CAUTION: Disposal.CONDITIONAL_CAUTION,
}


class ChargingBlocked(Exception):
    """Charges or cautions that may not be recorded, each with its event id and the reason."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("\n".join(reason for _, reason in problems))


class ReviewError(ValueError):
    """A charging review that cannot be saved as it is, with the reason in words."""


@dataclass(frozen=True, slots=True)
class Concern:
    """Why a child needs a charging review at a moment: the evidence then."""

    level: str
    indicators: tuple[str, ...]  # ids of the exploitation indicators that fired
    titles: tuple[str, ...]
    nrm: str  # the open NRM referral, described; "" if none

    @property
    def screened_high_enough(self) -> bool:
        wanted = duty_rules.current().charging_review.screened_at_least
        return LEVELS.index(self.level) >= LEVELS.index(wanted)

    @property
    def blocking(self) -> bool:
        block = duty_rules.current().charging_review
        return (block.open_nrm_referral and bool(self.nrm)) or self.screened_high_enough

    def describe(self) -> str:
        parts = []
        if self.screened_high_enough:
            shown = "; ".join(self.titles) or "vulnerabilities only"
            parts.append(f"screened {self.level} ({shown})")
        if self.nrm:
            parts.append(self.nrm)
        return " and ".join(parts)


def concern(person_id: int, at: datetime) -> Concern:
    """Return what the evidence said of a person at a moment, and any NRM referral then open."""
    result = screening.assess(person_id, at)
    level = result.level if result is not None else LEVELS[0]
    fired = result.indicators if result is not None else ()
    return Concern(
        level=level,
        indicators=tuple(f.id for f in fired),
        titles=tuple(f.title for f in fired),
        nrm=_open_nrm(person_id, at),
    )


def _open_nrm(person_id: int, at: datetime) -> str:
    """Describe the person's NRM referral open at `at` (opened by then, not closed by then)."""
    for duty in Duty.objects.filter(
        person_id=person_id, kind=DutyKind.NRM_REFERRAL, started_at__lte=at
    ).order_by("-started_at", "-id"):
        if duty.closed_at is None or duty.closed_at > at:
            if duty.state == State.WITHDRAWN:
                continue
            return f"NRM referral SG-{duty.pk} open since {_when(duty.started_at)}"
    return ""


def enforce(event_ids: Sequence[int]) -> None:
    """Refuse (ChargingBlocked) any charge or caution of a child among these events that
    needs a review it does not have; link each reviewed one to the review that authorised it.
    """
    block = duty_rules.current().charging_review
    rows = list(
        Participation.objects.filter(
            event_id__in=event_ids,
            event__kind__in=list(DISPOSALS),
            role__in=block.roles,
            age_at_event__lt=block.under,
        )
        .order_by("occurred_at", "event_id")
        .values_list("event_id", "person_id", "occurred_at", "event__kind")
        .distinct()
    )
    problems: list[tuple[int, str]] = []
    for event_id, person_id, at, kind in rows:
        found = concern(person_id, at)
        review, reason = authorising(person_id, at, DISPOSALS[kind], found)
        if review is None:
            if found.blocking:
                problems.append((event_id, f"{_who(person_id)}: {reason}"))
            continue
        # Linked even where no review was needed, so that the charge is known reviewed.
        review.event_id = event_id
        review.despite_indicators = found.blocking
        review.version += 1
        review.save(update_fields=["event", "despite_indicators", "version"])
    if problems:
        raise ChargingBlocked(problems)


def authorising(
    person_id: int, at: datetime, disposal: str, found: Concern
) -> tuple[ChargingReview | None, str]:
    """Return the review that authorises this disposal now, or None and why there is none.

    The charging block's own test (enforce() asks it of every charge or caution recorded),
    public so that a page can tell an officer what the block would answer.

    Args:
        person_id: the child charged or cautioned.
        at: when the disposal is (or would be) recorded.
        disposal: a Disposal value.
        found: the child's concern at that moment (concern()).

    Returns:
        The authorising review and "", or None and why no review authorises it (which
        refuses the disposal only where the concern blocks: found.blocking).
    """
    label = Disposal(disposal).label.lower()
    review = (
        ChargingReview.objects.filter(person_id=person_id, event__isnull=True, completed_at__lte=at)
        .order_by("-completed_at", "-id")
        .first()
    )
    if review is None:
        return None, (
            f"has signs of exploitation ({found.describe()}): a charging review must be "
            f"completed and saved before a {label} is recorded (CPS guidance on suspects who "
            "may be victims of trafficking; Modern Slavery Act 2015 s45)"
        )
    if not review.level_seen:  # imported, and not asked for before
        complete_evidence([review.pk])
        review.refresh_from_db()
    made = _when(review.completed_at)
    if AUTHORISES.get(review.decision) != disposal:
        return None, (
            f"the charging review of {made} decided "
            f"{ReviewDecision(review.decision).label.lower()}: it does not authorise a {label}"
        )
    if not found.blocking:
        return review, ""
    if review.signed_off_at is None or review.signed_off_at > at:
        return None, (
            f"the charging review of {made} decided on a {label} despite signs of "
            f"exploitation ({found.describe()}): a supervisor must sign it off first"
        )
    new = [
        t
        for i, t in zip(found.indicators, found.titles, strict=True)
        if i not in set(review.indicators_seen)
    ]
    if new or (review.level_seen and LEVELS.index(found.level) > LEVELS.index(review.level_seen)):
        shown = f": new indicators {', '.join(new)}" if new else ""
        return None, (
            f"the evidence has changed since the charging review of {made} (screened "
            f"{found.level} now, {review.level_seen or 'not known'} then{shown}): review again"
        )
    return review, ""


# -- recording reviews ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answers:
    """A reviewer's answers to the staged questions (see ChargingReview for each)."""

    reason_to_believe_victim: bool
    duress: bool
    under_18_at_offence: bool
    direct_consequence: bool
    reasonable_person: bool
    public_interest: bool
    schedule_4: str = ""
    notes: dict[str, str] | None = None


ANSWER_FIELDS = frozenset(Answers.__dataclass_fields__) - {"notes"}


def check_answers(answers: Answers, decision: str, rationale: str) -> None:
    """Refuse (ReviewError) a review whose parts contradict each other or are missing."""
    if decision not in ReviewDecision.values:
        raise ReviewError(f"unknown decision {decision!r}")
    if not rationale.strip():
        raise ReviewError("a charging review needs the rationale for its decision")
    if answers.schedule_4:
        try:
            schedule4.entry(answers.schedule_4)
        except KeyError as exc:
            raise ReviewError(str(exc.args[0])) from exc
    if decision in AUTHORISES and not answers.public_interest:
        raise ReviewError(
            "a charge or caution needs the answer that it is in the public interest (stage 4)"
        )


def record_review(
    person: Person,
    *,
    agency_id: int,
    proposed: str,
    offence: str,
    answers: Answers,
    decision: str,
    rationale: str,
    reviewer_name: str,
    reviewer=None,
    completed_at: datetime | None = None,
    source_ref: str = "",
) -> ChargingReview:
    """Save a completed charging review with the evidence as it stood when it was made."""
    if proposed not in Disposal.values:
        raise ReviewError(f"unknown proposed disposal {proposed!r}")
    if not reviewer_name.strip():
        raise ReviewError("a charging review needs the name of the reviewer")
    check_answers(answers, decision, rationale)
    completed_at = completed_at or now()
    review = ChargingReview(
        agency_id=agency_id,
        person=person,
        proposed=proposed,
        offence=offence,
        decision=decision,
        rationale=rationale,
        reviewer_name=reviewer_name,
        reviewer=reviewer,
        completed_at=completed_at,
        **_answer_fields(answers),
    )
    with transaction.atomic():
        review.save()
        review.source_ref = source_ref or f"safeguard-review-{review.pk}"
        review.source_hash = _review_digest(review)
        see_evidence([review])
        review.save()
    return review


def _review_digest(review: ChargingReview) -> str:
    """Return the digest intake gives this review as a `charging_review` record.

    That is ChargingReviewIn(...).digest(): the record's fields in the schema's order, the
    person as {agency, ref}, times in UTC, serialised by pydantic. With it a review made here
    and exported imports into this database again as "already present" (safeguarding may not
    import intake; tests/intake/test_exporting.py checks that the two agree).
    """
    person = Person.objects.select_related("agency").get(pk=review.person_id)
    content = {
        "agency": review.agency.code,
        "ref": review.source_ref,
        "type": "charging_review",
        "person": {"agency": person.agency.code, "ref": person.source_ref},
        "proposed": str(review.proposed),
        "offence": review.offence,
        "completed_at": _in_utc(review.completed_at),
        "reason_to_believe_victim": bool(review.reason_to_believe_victim),
        "duress": bool(review.duress),
        "under_18_at_offence": bool(review.under_18_at_offence),
        "direct_consequence": bool(review.direct_consequence),
        "reasonable_person": bool(review.reasonable_person),
        "public_interest": bool(review.public_interest),
        "schedule_4": review.schedule_4,
        "decision": str(review.decision),
        "rationale": review.rationale,
        "reviewer_name": review.reviewer_name,
        "supervisor_name": review.supervisor_name,
        "signed_off_at": _in_utc(review.signed_off_at),
    }
    return hashlib.sha256(pydantic_core.to_json(content)).hexdigest()


def _in_utc(at: datetime | None) -> datetime | None:
    """A time as intake stores it: in UTC, a time without an offset read as UK local time."""
    if at is None:
        return None
    return (at if at.tzinfo is not None else at.replace(tzinfo=UK)).astimezone(UTC)


def _answer_fields(answers: Answers) -> dict:
    return {
        "reason_to_believe_victim": answers.reason_to_believe_victim,
        "duress": answers.duress,
        "under_18_at_offence": answers.under_18_at_offence,
        "direct_consequence": answers.direct_consequence,
        "reasonable_person": answers.reasonable_person,
        "public_interest": answers.public_interest,
        "schedule_4": answers.schedule_4,
        "notes": answers.notes or {},
    }


def stored_reviews(keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Return the content digest of each stored review among these (agency id, source ref)."""
    found: dict[tuple[int, str], str] = {}
    by_agency: dict[int, list[str]] = {}
    for agency_id, ref in keys:
        by_agency.setdefault(agency_id, []).append(ref)
    for agency_id, refs in by_agency.items():
        for start in range(0, len(refs), 500):
            found.update(
                ((agency_id, ref), digest)
                for ref, digest in ChargingReview.objects.filter(
                    agency_id=agency_id, source_ref__in=refs[start : start + 500]
                ).values_list("source_ref", "source_hash")
            )
    return found


def insert_reviews(rows: Sequence[dict]) -> list[ChargingReview]:
    """Store imported reviews (validated by intake); what their reviewers saw is filled in
    later (complete_evidence), once every record of the import dated before them is in."""
    return ChargingReview.objects.bulk_create(ChargingReview(**row) for row in rows)


def complete_evidence(review_ids: Sequence[int]) -> None:
    """Fill in what these reviews' reviewers saw, where it is not yet recorded.

    An imported review's evidence is worked out from the records as of its completion. The
    records of an import do not come in time order (a concern dated before a review may
    come after its charge), so it is worked out when a charge asks for the review, or when
    the import ends, never from a half-loaded import.
    """
    for start in range(0, len(review_ids), 500):
        pending = list(
            ChargingReview.objects.filter(
                id__in=review_ids[start : start + 500], level_seen=""
            ).order_by("id")
        )
        see_evidence(pending)
        ChargingReview.objects.bulk_update(
            pending, ["level_seen", "indicators_seen", "nrm_status", "screening"]
        )


def see_evidence(reviews: Sequence[ChargingReview]) -> None:
    """Fill in what each review's reviewer saw: the evidence and NRM status at completion."""
    for review in reviews:
        found = concern(review.person_id, review.completed_at)
        review.level_seen = found.level
        review.indicators_seen = list(found.indicators)
        review.nrm_status = found.nrm or "no NRM referral open"
        latest = (
            Screening.objects.filter(
                person_id=review.person_id, screened_at__lte=review.completed_at
            )
            .order_by("-screened_at", "-id")
            .first()
        )
        review.screening = latest


def sign_off(
    review: ChargingReview,
    *,
    by_name: str,
    by=None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> ChargingReview:
    """Record a supervisor's sign-off of a decision to charge or caution a child."""
    with transaction.atomic():
        review = ChargingReview.objects.select_for_update().get(pk=review.pk)
        if expected_version is not None and review.version != expected_version:
            raise ReviewError(
                "someone else changed this review while you were reading it: reload it and "
                "check before signing off"
            )
        if review.decision not in AUTHORISES:
            raise ReviewError("only a decision to charge or caution needs a supervisor's sign-off")
        if review.signed_off_at is not None:
            raise ReviewError(f"already signed off by {review.supervisor_name}")
        if (by is not None and by.pk == review.reviewer_id) or by_name == review.reviewer_name:
            raise ReviewError("the reviewer cannot sign off their own decision")
        membership = getattr(by, "membership", None) if by is not None else None
        if membership is not None and membership.role not in ("supervisor", "safeguarding_lead"):
            raise ReviewError("a sign-off needs a supervisor or safeguarding lead")
        review.supervisor_name = by_name
        review.supervisor = by
        review.signed_off_at = at or now()
        review.version += 1
        # The sign-off is part of the review's content: an export carries it, and the
        # digest says so (re-importing the review as it was before would be refused).
        review.source_hash = _review_digest(review)
        review.save()
    return review


def _who(person_id: int) -> str:
    person = (
        Person.objects.filter(pk=person_id)
        .values_list("given_name", "family_name", "source_ref")
        .first()
    )
    if person is None:
        return f"person {person_id}"
    given, family, ref = person
    name = " ".join(p for p in (given, family) if p)
    return f"{name or 'child'} ({ref})"


def _when(at: datetime) -> str:
    return at.astimezone(UK).strftime("%-d %b %Y %H:%M")
