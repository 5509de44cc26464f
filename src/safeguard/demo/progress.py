"""What the force and its partners did with the duties by the day of action: the demo's story.

Loading the world opens the duties its events call for; this module then takes, through
safeguarding's services (the same state table, consent rule and history as any user), the
steps a busy force would have taken by the end of the working day after the day of action
(when the referrals of its arrests fall due): most referrals made within their deadline,
some late; children's services acknowledging and deciding; NRM decisions taking weeks;
custody calls made within the hour. Every arrest's referral is made (the demo shows the fix
working); a few referrals of the last fortnight are left undone, so that the safeguarding
queue and escalation have something to show. A referral made holds only the events known
when it was made: later ones go into a new referral (services.split_after), as they would
have, had the world been recorded as it happened.

Each duty's steps are drawn from a random source seeded by the world's seed and the duty's
trigger, so a demo of the same seed tells the same story, and running it again takes no
step twice (a duty's plan is followed from the step it has reached).
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import takewhile

from safeguard.records.ages import UK
from safeguard.records.vocabulary import EventKind
from safeguard.safeguarding import delivery, services
from safeguard.safeguarding.calendar import working_days_after
from safeguard.safeguarding.models import Duty, Trigger
from safeguard.safeguarding.services import Step
from safeguard.safeguarding.states import OPEN
from safeguard.safeguarding.vocabulary import Decision, Delivery, DutyKind, State

CONSENT = "nrm-or-notify-cuckooed-resident"  # the rule whose referral asks an adult first
# Share of other referrals of the last fortnight before the day of action left undone.
LEFT_UNDONE = 0.25
LATE = 0.12  # share of referrals made after their deadline
FORTNIGHT = timedelta(days=14)


def advance(seed: int, until: datetime) -> Counter:
    """Take every planned step dated up to `until` on the open duties; return counts by step."""
    taken: Counter = Counter()
    duties = (
        Duty.objects.filter(state__in=OPEN)
        .select_related("receiver", "agency")
        .order_by("started_at", "id")
    )
    # Duties an arrest is among the triggers of: every arrested child's referral is made.
    arrested = set(
        Trigger.objects.filter(event__kind=EventKind.ARREST).values_list("duty_id", flat=True)
    )
    for duty in duties.iterator(chunk_size=500):
        if duty.consent is None and duty.kind == DutyKind.NRM_REFERRAL and duty.rule == CONSENT:
            taken.update(_ask_consent(duty, _rng(seed, duty, "consent"), until, seed, arrested))
            continue
        taken.update(_advance_one(duty, seed, until, arrested))
    return taken


def _advance_one(duty: Duty, seed: int, until: datetime, arrested: set[int]) -> Counter:
    """Take a duty's planned steps; the events after it was made go into a new referral,
    whose steps are taken in turn (services.split_after)."""
    taken: Counter = Counter()
    while duty is not None:
        done = duty.transitions.count() - 1
        plan = _plan(duty, _rng(seed, duty), until, duty.pk in arrested)
        later = None
        if done == 0 and plan and plan[0].at <= until:
            later = services.split_after(duty, plan[0].at)
            if (
                later is not None
                and Trigger.objects.filter(duty=later, event__kind=EventKind.ARREST).exists()
            ):
                arrested.add(later.pk)
        taken.update(_take(duty, plan[done:], until))
        duty = later
    return taken


def _take(duty: Duty, plan: list[Step], until: datetime) -> Counter:
    """Take the plan's steps dated up to `until`, in one go; return them counted by state."""
    due = list(takewhile(lambda step: step.at <= until, plan))
    sending = next((i for i, step in enumerate(due) if step.to == State.SUBMITTED), None)
    if sending is None:
        if due:
            services.take_steps(duty, due)
        return Counter(step.to for step in due)
    # Made, then delivered (by secure e-mail, a minute later), then the receiver's steps.
    services.take_steps(duty, due[: sending + 1])
    sent = due[sending].at + timedelta(minutes=1)
    delivery.record_delivery(duty, Delivery.SENT, note="sent by secure e-mail", at=sent)
    if due[sending + 1 :]:
        services.take_steps(duty, due[sending + 1 :])
    return Counter(step.to for step in due)


def _ask_consent(
    duty: Duty, rng: random.Random, until: datetime, seed: int, arrested: set[int]
) -> Counter:
    """An adult at a cuckooed address is asked; two in five agree (then referred). The duty
    that follows is planned knowing whether an arrest is among its triggers, as the main
    loop plans it on a later run: the same plan, whichever path reaches it."""
    at = duty.started_at + timedelta(hours=rng.uniform(1, 30))
    if at > until:
        return Counter()
    agreed = rng.random() < 0.4
    notify = services.record_consent(duty, agreed, by_name=_officer(duty, rng), at=at)
    steps: Counter = Counter({"consent given" if agreed else "consent refused": 1})
    follow = notify or duty
    follow.refresh_from_db()
    return steps + _advance_one(follow, seed, until, arrested)


def _rng(seed: int, duty: Duty, purpose: str = "steps") -> random.Random:
    """Return the duty's own random source: the same on every run of the same world."""
    return random.Random(
        f"{seed}:{purpose}:{duty.kind}:{duty.rule}:{duty.person_id}:{duty.started_at}"
    )


def _s(to: str, at: datetime, by: str, decision: str = "", reason: str = "") -> Step:
    return Step(to, by, at=at, decision=decision, reason=reason)


def _plan(duty: Duty, rng: random.Random, until: datetime, arrest: bool = False) -> list[Step]:
    """Return the steps this duty would take, in order, whatever their dates."""
    officer, receiver = _officer(duty, rng), _receiver(duty)
    start = max(duty.started_at, duty.opened_at)
    if duty.kind in (DutyKind.APPROPRIATE_ADULT, DutyKind.WELFARE_INFORMED):
        called = start + timedelta(minutes=rng.uniform(15, 100) if rng.random() > LATE else 150)
        return [
            _s(State.SUBMITTED, called, officer),
            _s(State.DECISION_RECORDED, called + timedelta(minutes=5), officer, Decision.DONE),
            _s(State.CLOSED, called + timedelta(minutes=10), officer),
        ]
    undone = not arrest and until - duty.started_at < FORTNIGHT and rng.random() < LEFT_UNDONE
    if undone:
        return []
    if rng.random() < LATE:
        sent = working_days_after(start, rng.randint(2, 4)) - timedelta(hours=rng.uniform(4, 8))
    else:
        sent = min(start + timedelta(hours=rng.uniform(1, 20)), duty.due_at - timedelta(minutes=5))
        sent = max(sent, start + timedelta(minutes=5))
    if arrest:  # made, late or not, before the story ends
        sent = max(min(sent, until - timedelta(minutes=30)), start + timedelta(minutes=5))
    steps = [_s(State.SUBMITTED, sent, officer)]
    if duty.kind == DutyKind.NRM_REFERRAL:
        return steps + _nrm(sent, rng, receiver)
    acknowledged = sent + timedelta(hours=rng.uniform(1, 20))
    decided = acknowledged + timedelta(hours=rng.uniform(1, 30))
    if duty.kind == DutyKind.LOCAL_AUTHORITY_ACCOMMODATION:
        found = rng.random() < 0.35  # a bed is often not found: the Concordat's known gap
        decision = Decision.ACCEPTED if found else Decision.NO_FURTHER_ACTION
        reason = "" if found else "no secure or other accommodation available tonight"
        return steps + [
            _s(State.DECISION_RECORDED, sent + timedelta(hours=2), receiver, decision, reason),
            _s(State.CLOSED, sent + timedelta(hours=3), officer),
        ]
    accepted = rng.random() < 0.6
    decision = Decision.ACCEPTED if accepted else Decision.NO_FURTHER_ACTION
    steps += [
        _s(State.ACKNOWLEDGED, acknowledged, receiver),
        _s(State.DECISION_RECORDED, decided, receiver, decision),
    ]
    if not accepted or rng.random() < 0.5:
        steps.append(_s(State.CLOSED, decided + timedelta(days=rng.uniform(1, 20)), receiver))
    return steps


def _nrm(sent: datetime, rng: random.Random, receiver: str) -> list[Step]:
    """The Single Competent Authority: Reasonable Grounds in weeks, Conclusive in months."""
    reasonable = working_days_after(sent, rng.randint(3, 40))
    positive = rng.random() < 0.85
    steps = [
        _s(State.ACKNOWLEDGED, sent + timedelta(hours=rng.uniform(2, 48)), receiver),
        _s(
            State.DECISION_RECORDED,
            reasonable,
            receiver,
            Decision.REASONABLE_GROUNDS_POSITIVE
            if positive
            else Decision.REASONABLE_GROUNDS_NEGATIVE,
        ),
    ]
    if positive:
        conclusive = reasonable + timedelta(days=rng.uniform(90, 500))
        steps.append(
            _s(State.DECISION_RECORDED, conclusive, receiver, Decision.CONCLUSIVE_GROUNDS_POSITIVE)
        )
    return steps


_RANKS = ("PC", "PC", "PC", "DC", "PS")
_NAMES = ("Ahmed", "Brennan", "Clarke", "Davies", "Evans", "Fletcher", "Gill", "Hughes", "Iqbal")


def _officer(duty: Duty, rng: random.Random) -> str:
    return f"{rng.choice(_RANKS)} {rng.choice(_NAMES)} ({duty.agency.name})"


def _receiver(duty: Duty) -> str:
    if duty.receiver is None:
        return "Duty worker (receiving agency not recorded)"
    return f"Duty worker, {duty.receiver.name}"


def story_end(day_of_action: date) -> datetime:
    """Return the moment the demo's story stops: the end of the working day after the day of
    action, UK time, when the referrals of the day's arrests fall due."""
    start = datetime(day_of_action.year, day_of_action.month, day_of_action.day, tzinfo=UK)
    return working_days_after(start, 1)
