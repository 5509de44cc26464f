"""The four figures an inspector asks of victim-first practice, counted from the records.

Each is counted from what happened (events, duties and their steps, reviews), not from
what the rules meant to happen, so a failure of the rules shows up here too:

- `arrested_without_referral`: children (under 18 at the arrest) with an arrest for which
  no referral to children's services was made: none opened, or one never submitted and
  past its deadline, or withdrawn. A draft still inside its deadline is not yet a failure.
- `referrals_overdue`: referrals (children's services, NRM, Duty to Notify, strategy
  discussion, local-authority accommodation) waiting for a step (to be made, acknowledged
  or decided) past that step's deadline.
- `charged_without_review`: children charged or cautioned when the evidence then called for
  a charging review (charging.concern) and no review authorised it.
- `charged_despite_indicators`: children charged or cautioned on a review that decided to
  proceed despite signs of exploitation (signed off by a supervisor).
"""

from collections.abc import Collection
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from safeguard.clock import now
from safeguard.records import vocabulary as rv
from safeguard.records.ages import ADULT_AGE
from safeguard.records.models import Participation
from safeguard.safeguarding import charging
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import ChargingReview, Duty, Transition, Trigger
from safeguard.safeguarding.states import AWAITING
from safeguard.safeguarding.vocabulary import DutyKind, State

REFERRALS = (
    DutyKind.CHILDRENS_SERVICES_REFERRAL,
    DutyKind.NRM_REFERRAL,
    DutyKind.DUTY_TO_NOTIFY,
    DutyKind.STRATEGY_DISCUSSION,
    DutyKind.LOCAL_AUTHORITY_ACCOMMODATION,
    DutyKind.OFFENDER_CONTACT,
)
KEYS = (
    "arrested_without_referral",
    "referrals_overdue",
    "charged_without_review",
    "charged_despite_indicators",
)


def figures(at: datetime | None = None) -> dict[str, int]:
    """Return the four figures as of `at` (default now), under the keys of KEYS."""
    at = at or now()
    return {
        "arrested_without_referral": len(arrested_without_referral(at)),
        "referrals_overdue": Duty.objects.filter(
            kind__in=REFERRALS, state__in=AWAITING, due_at__lt=at
        ).count(),
        "charged_without_review": len(charged_without_review()),
        "charged_despite_indicators": ChargingReview.objects.filter(
            despite_indicators=True, event__isnull=False
        )
        .values("person_id")
        .distinct()
        .count(),
    }


def child_arrests(
    *,
    agencies: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Participation]:
    """Return the parts children (under 18 then) had in arrests.

    Args:
        agencies: only arrests these agencies recorded (default: every agency's).
        since, until: only arrests at or after `since` and before `until`.
    """
    return _scoped(
        Participation.objects.filter(event__kind=rv.EventKind.ARREST, age_at_event__lt=ADULT_AGE),
        agencies,
        since,
        until,
    )


def referral_made(at: datetime) -> Exists:
    """Return, for a child's part in an arrest, whether a referral to children's services
    met it at `at`: one that the arrest opened (or joined) was made, or is a draft still
    inside its deadline. Withdrawn, or a draft past its deadline, is not met.

    An expression over Participation rows (`event_id`, `person_id`), so that the check
    runs in the database: `child_arrests().filter(~referral_made(at))`.
    """
    made = Exists(Transition.objects.filter(duty=OuterRef("duty"), to_state=State.SUBMITTED))
    return Exists(
        Trigger.objects.filter(
            event_id=OuterRef("event_id"),
            duty__person_id=OuterRef("person_id"),
            duty__kind=DutyKind.CHILDRENS_SERVICES_REFERRAL,
        ).filter(made | Q(duty__state=State.DRAFT, duty__due_at__gte=at))
    )


def arrested_without_referral(
    at: datetime,
    *,
    agencies: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> set[int]:
    """Return the ids of children with an arrest that no referral to children's services met.

    Args:
        at: the moment the referrals are judged at (a draft inside its deadline then is met).
        agencies, since, until: which arrests (child_arrests).
    """
    arrests = child_arrests(agencies=agencies, since=since, until=until)
    return set(arrests.filter(~referral_made(at)).values_list("person_id", flat=True).distinct())


def charged_without_review(
    *,
    agencies: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> set[int]:
    """Return the ids of children charged or cautioned, needing a review, without one.

    Args:
        agencies, since, until: which charges and cautions (charges_without_review).
    """
    return {person_id for person_id, _ in charges_without_review(agencies, since, until)}


def charges_without_review(
    agencies: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[int, datetime]]:
    """Return (child's id, when) of each charge or caution that needed a review and had none.

    Args:
        agencies: only those these agencies recorded (default: every agency's).
        since, until: only those at or after `since` and before `until`.
    """
    block = duty_rules.current().charging_review
    rows = (
        _scoped(
            Participation.objects.filter(
                event__kind__in=list(charging.DISPOSALS),
                role__in=block.roles,
                age_at_event__lt=block.under,
            ),
            agencies,
            since,
            until,
        )
        .annotate(reviewed=Exists(ChargingReview.objects.filter(event=OuterRef("event"))))
        .filter(reviewed=False)
        .values_list("person_id", "occurred_at")
        .distinct()
    )
    return [(person_id, at) for person_id, at in rows if charging.concern(person_id, at).blocking]


def _scoped(
    parts: QuerySet[Participation],
    agencies: Collection[int] | None,
    since: datetime | None,
    until: datetime | None,
) -> QuerySet[Participation]:
    """Keep the parts in events these agencies recorded, between `since` and `until`."""
    if agencies is not None:
        parts = parts.filter(event__agency_id__in=list(agencies))
    if since is not None:
        parts = parts.filter(occurred_at__gte=since)
    if until is not None:
        parts = parts.filter(occurred_at__lt=until)
    return parts
