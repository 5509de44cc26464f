"""Duty services: open the duties that events, screenings and offender alerts call for, and
move them on.

Set-based like screening: the events of a batch and their participants are read in a few
queries a chunk, and the duties are opened with their first transition and their triggers
in bulk. A trigger's key (rule, person, event or screening) is unique, so processing the
same event again opens nothing; while a duty of the same kind is a draft for the person
(or open at all, for a kind that `joins: open`), a new trigger is added to it instead of
opening another.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from safeguard.clock import now
from safeguard.records import vocabulary as rv
from safeguard.records.ages import age_on
from safeguard.records.models import Agency, Event, Link, Participation, Person
from safeguard.safeguarding import escalation, states
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.duties import (
    AlertFacts,
    EventFacts,
    Opening,
    ScreeningFacts,
    Taking,
    openings,
)
from safeguard.safeguarding.models import Duty, Transition, Trigger
from safeguard.safeguarding.vocabulary import Delivery, State
from safeguard.screening.models import Screening

CHUNK = 500
SYSTEM = "safeguard (duty rules)"


def of_kinds(event_ids: Sequence[int], kinds: Iterable[str]) -> list[int]:
    """Return those of these events whose kind is one of `kinds`, in order (a query a chunk).

    The events are read by primary key and their kind is checked here, not in SQL: with
    `kind IN (...)` beside the ids, SQLite, which has no statistics, walks every stored
    event of those kinds by the kind index (each arrest in the store, for each chunk of a
    batch) instead of looking the chunk's ids up.
    """
    wanted = set(kinds)
    found: list[int] = []
    for start in range(0, len(event_ids), CHUNK):
        rows = Event.objects.filter(id__in=event_ids[start : start + CHUNK])
        found += [pk for pk, kind in rows.values_list("id", "kind") if kind in wanted]
    return found


def event_facts(event_ids: Sequence[int], kinds: Iterable[str]) -> list[EventFacts]:
    """Return the facts of those events whose kind a rule is opened by (a few queries a chunk)."""
    chosen = of_kinds(event_ids, kinds)
    found: list[EventFacts] = []
    for start in range(0, len(chosen), CHUNK):
        chunk = chosen[start : start + CHUNK]
        rows = Event.objects.filter(id__in=chunk).values_list(
            "id", "kind", "occurred_at", "agency_id", "location__kind", "attributes"
        )
        events = {row[0]: row for row in rows}
        if not events:
            continue
        parts = taking_part(list(events))
        for pk, kind, occurred_at, agency_id, place_kind, attributes in events.values():
            found.append(
                EventFacts(
                    id=pk,
                    kind=kind,
                    occurred_at=occurred_at,
                    agency_id=agency_id,
                    place_kind=place_kind,
                    attributes=attributes if isinstance(attributes, dict) else {},
                    taking_part=parts.get(pk, ()),
                )
            )
    return found


def taking_part(event_ids: Sequence[int]) -> dict[int, tuple[Taking, ...]]:
    """Return who took part in each event: each person once, their roles merged, their age
    then; by person id. One query for each chunk of events."""
    parts: dict[int, dict[int, tuple[set[str], int | None]]] = defaultdict(dict)
    for start in range(0, len(event_ids), CHUNK):
        for event_id, person_id, role, age in Participation.objects.filter(
            event_id__in=event_ids[start : start + CHUNK]
        ).values_list("event_id", "person_id", "role", "age_at_event"):
            parts[event_id].setdefault(person_id, (set(), age))[0].add(role)
    return {
        event_id: tuple(
            Taking(person_id, frozenset(roles), age)
            for person_id, (roles, age) in sorted(people.items())
        )
        for event_id, people in parts.items()
    }


def screening_facts(screenings: Sequence[Screening]) -> list[ScreeningFacts]:
    """Return the facts of stored screenings, with each person's age and agency."""
    people = dict(
        (pk, (agency_id, dob))
        for pk, agency_id, dob in Person.objects.filter(
            id__in={s.person_id for s in screenings}
        ).values_list("id", "agency_id", "date_of_birth")
    )
    return [
        ScreeningFacts(
            id=s.pk,
            person_id=s.person_id,
            agency_id=people[s.person_id][0],
            level=s.level,
            indicators=len(s.indicators),
            screened_at=s.screened_at,
            age=age_on(people[s.person_id][1], s.screened_at),
        )
        for s in screenings
    ]


def open_duties(found: Sequence[Opening]) -> list[Duty]:
    """Open the duties of these openings that are new; return the duties opened.

    A chunk of persons at a time, so that every IN list stays under SQLite's limits.
    """
    by_person: dict[int, list[Opening]] = defaultdict(list)
    for o in found:
        by_person[o.person_id].append(o)
    persons = sorted(by_person)
    new: list[Duty] = []
    for start in range(0, len(persons), CHUNK):
        some = persons[start : start + CHUNK]
        new += _open_chunk([o for p in some for o in by_person[p]])
    return new


def _open_chunk(found: list[Opening]) -> list[Duty]:
    rules = duty_rules.current()
    taken = set(
        Trigger.objects.filter(key__in=[o.key for o in found]).values_list("key", flat=True)
    )
    fresh = []
    for o in found:  # each key once: new, and not repeated within these openings
        if o.key not in taken:
            taken.add(o.key)
            fresh.append(o)
    if not fresh:
        return []
    persons = {o.person_id for o in fresh}
    # The duty a new trigger joins, per person and kind: an open one of the kind, if the
    # kind's definition lets a trigger join it (a draft only, or any open one).
    open_now: dict[tuple[int, str], Duty] = {
        (d.person_id, d.kind): d
        for d in Duty.objects.filter(person_id__in=persons, state__in=states.OPEN).order_by("id")
        if d.state == State.DRAFT or rules.duties[d.kind].joins == "open"
        if d.kind in rules.duties
    }
    receivers = _receivers(persons)
    opened_at = now()
    new: list[Duty] = []
    triggers: list[Trigger] = []
    for o in fresh:
        duty = open_now.get((o.person_id, o.rule.duty))
        if duty is None:
            definition = rules.duties[o.rule.duty]
            due = o.rule.due.after(o.at)
            duty = open_now[(o.person_id, o.rule.duty)] = Duty(
                kind=o.rule.duty,
                person_id=o.person_id,
                agency_id=o.agency_id,
                receiver_id=receivers.get((o.person_id, definition.receiver)),
                team=definition.team,
                shared=list(definition.shares),
                rule=o.rule.id,
                rules_version=rules.label,
                # Dated as a live system would have opened it: at its trigger (never later
                # than now), so that importing past records builds the history it would
                # have built, as screening does.
                opened_at=min(o.at, opened_at),
                started_at=o.at,
                due_at=due,
                next_escalation_at=o.rule.escalate.first.after(due),
            )
            new.append(duty)
        triggers.append(
            Trigger(
                duty=duty,
                key=o.key,
                rule=o.rule.id,
                event_id=o.event_id,
                screening_id=o.screening_id,
                at=o.at,
                reason=o.reason,
            )
        )
    titles = {r.id: r.title for r in rules.rules}
    with transaction.atomic():
        Duty.objects.bulk_create(new)  # sets each new duty's id, which its rows below take
        Transition.objects.bulk_create(
            Transition(
                duty=duty,
                to_state=State.DRAFT,
                at=duty.opened_at,
                by_name=SYSTEM,
                reason=f"opened by rule {duty.rule}: {titles[duty.rule]}",
            )
            for duty in new
        )
        Trigger.objects.bulk_create(triggers)
    return new


def _receivers(persons: set[int]) -> dict[tuple[int, str], int]:
    """Return, per person, the agency each kind of receiver is: the MASH of their home area.

    The home is the latest lives_at link (by its start, then id), as screening.loading takes
    it; sorted here, not by the database, which orders undated links differently.
    """
    latest: dict[int, tuple[tuple[date, int], str]] = {}
    for person_id, link_id, valid_from, la in Link.objects.filter(
        from_person_id__in=persons, kind=rv.LinkKind.LIVES_AT
    ).values_list("from_person_id", "id", "valid_from", "to_location__local_authority"):
        key = (valid_from or date.min, link_id)
        if person_id not in latest or key > latest[person_id][0]:
            latest[person_id] = (key, la)
    homes = {person_id: la for person_id, (_, la) in latest.items() if la}
    mash = dict(
        Agency.objects.filter(
            kind=rv.AgencyKind.CHILDRENS_SERVICES, area_code__in=set(homes.values())
        ).values_list("area_code", "id")
    )
    nrm = (
        Agency.objects.filter(kind=rv.AgencyKind.NRM_DECISION_MAKER)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    found: dict[tuple[int, str], int] = {}
    for person_id in persons:
        if homes.get(person_id) in mash:
            found[(person_id, "childrens_services")] = mash[homes[person_id]]
        if nrm is not None:
            found[(person_id, "nrm_decision_maker")] = nrm
    return found


def process(event_ids: Sequence[int], screenings: Sequence[Screening]) -> list[Duty]:
    """Open the duties that new events and new screenings call for."""
    rules = duty_rules.current()
    events = event_facts(list(event_ids), rules.event_kinds())
    return open_duties(openings(rules, events, screening_facts(screenings)))


def open_for_alerts(alerts: Sequence[AlertFacts]) -> dict[int, int]:
    """Open the duties that offender alerts call for (offenders.alerts, in its transaction).

    Args:
        alerts: the alerts, each a child found with a registered offender.

    Returns:
        The duty each alert opened or joined, by alert id (an alert no rule applies to, or
        whose rule is not in the rules in use, is left out). Opening again opens nothing:
        the alert's trigger key is taken, and its duty is returned as before.
    """
    found = openings(duty_rules.current(), [], [], alerts)
    open_duties(found)
    key_of = {o.key: int(o.reference.removeprefix("o")) for o in found}
    keys = sorted(key_of)
    return {
        key_of[key]: duty_id
        for start in range(0, len(keys), CHUNK)
        for key, duty_id in Trigger.objects.filter(key__in=keys[start : start + CHUNK]).values_list(
            "key", "duty_id"
        )
    }


def apply_all(*, chunk: int = 5000, progress=None) -> list[Duty]:
    """Apply the rules to every event and screening loaded; return the duties opened.

    Idempotent, like the pipeline: a trigger already taken opens nothing.
    """
    rules = duty_rules.current()
    opened: list[Duty] = []
    event_ids = list(
        Event.objects.filter(kind__in=list(rules.event_kinds()))
        .order_by("occurred_at", "id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(event_ids), chunk):
        some = event_ids[start : start + chunk]
        opened += open_duties(openings(rules, event_facts(some, rules.event_kinds()), []))
        if progress is not None:
            progress(len(some))
    last = 0
    while True:
        screenings = list(Screening.objects.filter(id__gt=last).order_by("id")[:chunk])
        if not screenings:
            return opened
        last = screenings[-1].pk
        opened += open_duties(openings(rules, [], screening_facts(screenings)))


@dataclass(frozen=True, slots=True)
class Step:
    """One step to take on a duty: to which state, when (None: now), by whom, and why."""

    to: str
    by_name: str
    at: datetime | None = None
    by: object = None  # the user, where a user took it
    reason: str = ""
    decision: str = ""


def move(
    duty: Duty,
    to: str,
    *,
    by_name: str,
    by=None,
    reason: str = "",
    decision: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Transition:
    """Take one step of a duty, if the rules allow it; record who took it, when and why.

    `expected_version` is the duty's version the person decided on: if someone else moved
    it meanwhile, the step is refused (states.ConflictError) rather than taken on top.
    Notifications about the duty clear themselves: it has moved on.
    """
    step = Step(to, by_name, at=at, by=by, reason=reason, decision=decision)
    return take_steps(duty, [step], expected_version=expected_version)[0]


def take_steps(
    duty: Duty, steps: Sequence[Step], *, expected_version: int | None = None
) -> list[Transition]:
    """Take several steps of one duty in order, all or none (as move() takes one).

    For a history recorded elsewhere and brought in at once (a partner's case system, the
    demo's story): each step is checked against the state the one before leaves.
    """
    with transaction.atomic():
        duty = _locked(duty, expected_version)
        last = duty.transitions.order_by("-at", "-id").values_list("at", flat=True).first()
        moment = now()
        taken = []
        for step in steps:
            at = step.at or moment
            if last is not None and at < last:
                raise states.TransitionError(
                    f"a step cannot be dated before the duty's last step ({last:%Y-%m-%d %H:%M})"
                )
            taken.append(_step(duty, step, at))
            last = at
        Transition.objects.bulk_create(taken)
        duty.save()
        if taken:
            escalation.clear(duty, last, f"the duty became {State(duty.state).label.lower()}")
        return taken


def _locked(duty: Duty, expected_version: int | None) -> Duty:
    """Return the duty locked until the transaction ends; refuse it (states.ConflictError)
    if someone else changed it since `expected_version`, the version the person decided on."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if expected_version is not None and duty.version != expected_version:
        raise states.ConflictError(
            f"someone else changed this duty while you were reading it (it is now "
            f"{State(duty.state).label.lower()}): reload it and decide again"
        )
    return duty


def _step(duty: Duty, step: Step, at: datetime) -> Transition:
    """Check one step against the duty's state; change the duty; return its Transition."""
    to = step.to
    states.check(
        duty.kind, duty.state, to, reason=step.reason, decision=step.decision, decided=duty.decision
    )
    if to == State.SUBMITTED and _needs_consent(duty) and duty.consent is not True:
        raise states.TransitionError(
            "an adult's NRM referral needs their informed consent: record it, or their "
            "refusal (the Home Office is then notified without their name)"
        )
    transition = Transition(
        duty=duty,
        from_state=duty.state,
        to_state=to,
        decision=step.decision,
        at=at,
        by=step.by,
        by_name=step.by_name,
        reason=step.reason,
    )
    duty.state = to
    duty.version += 1
    if step.decision:
        duty.decision = step.decision
    if to == State.SUBMITTED:
        duty.delivery = Delivery.QUEUED
        definition = duty_rules.current().duties.get(duty.kind)
        if definition is not None and definition.after_submission is not None:
            # The clock now runs for the receiver's next step.
            duty.due_at = definition.after_submission.after(at)
            duty.escalation = 0
            duty.next_escalation_at = duty.due_at
        else:
            duty.next_escalation_at = None
    elif to == State.ACKNOWLEDGED:
        # The receiver's decision is still due by the same deadline.
        duty.delivery = Delivery.ACKNOWLEDGED
    elif to == State.DECISION_RECORDED:
        duty.next_escalation_at = None
    if to not in states.OPEN:
        duty.closed_at = at
        duty.next_escalation_at = None
    return transition


def split_after(duty: Duty, made_at: datetime) -> Duty | None:
    """Move a draft duty's triggers dated after `made_at` into a new draft; return it.

    For history recorded at once (an import of past records, the demo): every trigger of a
    batch joins the person's draft, though a referral made at `made_at` would have been
    made without the later events, and they would have opened a referral of their own.
    Taking the steps of the first referral as they happened first splits the later events
    off, so each referral holds what was known when it was made.
    """
    rules = duty_rules.current()
    definition = rules.duties.get(duty.kind)
    if duty.state != State.DRAFT or definition is None or definition.joins != "draft":
        return None  # a kind that joins open duties keeps every trigger (one NRM at a time)
    later = list(duty.triggers.filter(at__gt=made_at).order_by("at", "id"))
    if not later:
        return None
    first = later[0]
    rule = rules.rule(first.rule) or rules.rule(duty.rule)
    if rule is None:
        return None
    due = rule.due.after(first.at)
    with transaction.atomic():
        new = Duty.objects.create(
            kind=duty.kind,
            person_id=duty.person_id,
            agency_id=duty.agency_id,
            receiver_id=duty.receiver_id,
            team=duty.team,
            shared=duty.shared,
            rule=rule.id,
            rules_version=rules.label,
            opened_at=min(first.at, now()),
            started_at=first.at,
            due_at=due,
            next_escalation_at=rule.escalate.first.after(due),
        )
        Transition.objects.create(
            duty=new,
            to_state=State.DRAFT,
            at=new.opened_at,
            by_name=SYSTEM,
            reason=f"opened by rule {rule.id} for the events after SG-{duty.pk} was made",
        )
        Trigger.objects.filter(pk__in=[t.pk for t in later]).update(duty=new)
    return new


def needs_consent(duty: Duty) -> bool:
    """Return whether the duty waits for an adult's consent before it may be made."""
    return _needs_consent(duty)


def _needs_consent(duty: Duty) -> bool:
    """Return whether the rule that opened the duty asks an adult's consent first."""
    rule = duty_rules.current().rule(duty.rule)
    # The duty opened in its place (the Duty to Notify) asks for nothing.
    return rule is not None and rule.consent_or is not None and duty.kind == rule.duty


def record_consent(
    duty: Duty,
    consented: bool,
    *,
    by_name: str,
    by=None,
    at: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Duty | None:
    """Record an adult's answer to an NRM referral; on refusal, notify without their name.

    Consent lets the referral be submitted. A refusal withdraws it with the reason and
    opens the Duty to Notify its rule names (`consent_or`), anonymous (shares no identity,
    address or school), with the same clock; that duty is returned. `expected_version` is
    refused as move()'s is.
    """
    with transaction.atomic():
        duty = _locked(duty, expected_version)
        if not _needs_consent(duty):
            raise states.TransitionError("this duty does not ask for consent")
        if duty.consent is not None:
            raise states.TransitionError("consent is already recorded for this referral")
        at = at or now()
        duty.consent = consented
        duty.version += 1
        duty.save(update_fields=["consent", "version"])
        if consented:
            return None
        move(
            duty,
            State.WITHDRAWN,
            by_name=by_name,
            by=by,
            at=at,
            reason="the adult did not consent to an NRM referral"
            + (f" ({note})" if note else "")
            + "; the Home Office is notified without their name (MSA 2015 s52)",
        )
        return _open_notification(duty, at)


def _open_notification(refused: Duty, at: datetime) -> Duty:
    rules = duty_rules.current()
    rule = rules.rule(refused.rule)
    kind = rule.consent_or
    definition = rules.duties[kind]
    due = rule.due.after(at)
    notify = Duty.objects.create(
        kind=kind,
        person_id=refused.person_id,
        agency_id=refused.agency_id,
        receiver_id=refused.receiver_id,
        team=definition.team,
        shared=list(definition.shares),
        rule=rule.id,
        rules_version=rules.label,
        opened_at=at,
        started_at=at,
        due_at=due,
        next_escalation_at=rule.escalate.first.after(due),
    )
    Transition.objects.create(
        duty=notify,
        to_state=State.DRAFT,
        at=at,
        by_name=SYSTEM,
        reason=f"opened because consent to NRM referral SG-{refused.pk} was refused",
    )
    # The notification carries the evidence of the referral it replaces.
    Trigger.objects.bulk_create(
        Trigger(
            duty=notify,
            key=f"notify:{refused.pk}:{t.pk}",
            rule=t.rule,
            event_id=t.event_id,
            screening_id=t.screening_id,
            at=t.at,
        )
        for t in refused.triggers.all()
    )
    return notify
