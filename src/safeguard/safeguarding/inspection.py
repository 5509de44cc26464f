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

from datetime import datetime

from django.db.models import Exists, OuterRef

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


def arrested_without_referral(at: datetime) -> set[int]:
    """Return the ids of children with an arrest that no referral to children's services met."""
    arrests = set(
        Participation.objects.filter(
            event__kind=rv.EventKind.ARREST, age_at_event__lt=ADULT_AGE
        ).values_list("event_id", "person_id")
    )
    submitted = Transition.objects.filter(duty=OuterRef("duty"), to_state=State.SUBMITTED)
    met: set[tuple[int, int]] = set()
    for event_id, person_id, state, due_at, made in (
        Trigger.objects.filter(
            event__kind=rv.EventKind.ARREST,
            duty__kind=DutyKind.CHILDRENS_SERVICES_REFERRAL,
        )
        .annotate(made=Exists(submitted))
        .values_list("event_id", "duty__person_id", "duty__state", "duty__due_at", "made")
    ):
        if made or (state == State.DRAFT and due_at >= at):
            met.add((event_id, person_id))
    return {person_id for event_id, person_id in arrests - met}


def charged_without_review() -> set[int]:
    """Return the ids of children charged or cautioned, needing a review, without one."""
    block = duty_rules.current().charging_review
    rows = (
        Participation.objects.filter(
            event__kind__in=list(charging.DISPOSALS),
            role__in=block.roles,
            age_at_event__lt=block.under,
        )
        .annotate(reviewed=Exists(ChargingReview.objects.filter(event=OuterRef("event"))))
        .filter(reviewed=False)
        .values_list("person_id", "occurred_at")
        .distinct()
    )
    return {person_id for person_id, at in rows if charging.concern(person_id, at).blocking}
