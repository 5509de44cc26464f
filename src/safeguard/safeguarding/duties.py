"""Which duties an event, a screening or an offender alert opens: plain functions, no database.

The rules come from safeguarding/duties.yaml. A rule opened by an event applies to each
person who took part in it in one of the rule's roles (any role when the rule names none:
a child arrested as a suspect is referred like any other) at an age the rule covers. A rule
opened by an offender alert applies to the child the alert found, at their age then.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from safeguard.safeguarding.rules import DutyRules, Rule, When
from safeguard.screening.catalogue import LEVELS


@dataclass(frozen=True, slots=True)
class Taking:
    """A person's part in an event: their roles and their age at the time."""

    person_id: int
    roles: frozenset[str]
    age: int | None


@dataclass(frozen=True, slots=True)
class EventFacts:
    id: int
    kind: str
    occurred_at: datetime
    agency_id: int
    place_kind: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    taking_part: tuple[Taking, ...] = ()


@dataclass(frozen=True, slots=True)
class ScreeningFacts:
    id: int
    person_id: int
    agency_id: int  # the agency whose record of the person was screened
    level: str
    indicators: int  # how many exploitation indicators fired
    screened_at: datetime
    age: int | None  # the person's age at the screening


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """An offender alert (offenders.alerts): a child found with a registered offender.

    `reason` says what was found without naming the offender ("a child, aged 12, lives at
    an address notified by a registered offender"): it is shown to everyone who sees the
    duty, and they may not see offender records.
    """

    id: int
    child_id: int
    agency_id: int  # the police force that manages the offender
    age: int | None  # the child's age when found
    raised_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Opening:
    """A rule that applies to a person because of one event, screening or other trigger."""

    rule: Rule
    person_id: int
    agency_id: int
    at: datetime  # when the duty's clock starts
    event_id: int | None = None
    screening_id: int | None = None
    # A trigger that is neither an event nor a screening (an offender alert): its own part
    # of the key ("o12"), and what it found in words.
    reference: str = ""
    reason: str = ""

    @property
    def key(self) -> str:
        """Return what makes it unique: the rule, the person and the trigger."""
        if self.event_id is not None:
            trigger = f"e{self.event_id}"
        elif self.screening_id is not None:
            trigger = f"s{self.screening_id}"
        else:
            trigger = self.reference
        return f"{self.rule.id}:{self.person_id}:{trigger}"


def from_event(rules: DutyRules, event: EventFacts) -> list[Opening]:
    """Return the duties an event opens, for each person it applies to."""
    openings = []
    for rule in rules.rules:
        wanted = rule.when.event
        if wanted is None or event.kind not in wanted.kinds:
            continue
        if wanted.place_kinds and event.place_kind not in wanted.place_kinds:
            continue
        if any(event.attributes.get(k) not in values for k, values in wanted.attributes.items()):
            continue
        for taking in event.taking_part:
            if wanted.roles and not taking.roles.intersection(wanted.roles):
                continue
            if not _age_fits(rule.when, taking.age):
                continue
            openings.append(
                Opening(
                    rule, taking.person_id, event.agency_id, event.occurred_at, event_id=event.id
                )
            )
    return openings


def from_screening(rules: DutyRules, screening: ScreeningFacts) -> list[Opening]:
    """Return the duties a screening opens."""
    openings = []
    for rule in rules.rules:
        wanted = rule.when.screening
        if wanted is None:
            continue
        if LEVELS.index(screening.level) < LEVELS.index(wanted.at_least):
            continue
        if wanted.indicators and screening.indicators == 0:
            continue
        if not _age_fits(rule.when, screening.age):
            continue
        openings.append(
            Opening(
                rule,
                screening.person_id,
                screening.agency_id,
                screening.screened_at,
                screening_id=screening.id,
            )
        )
    return openings


def from_offender_alert(rules: DutyRules, alert: AlertFacts) -> list[Opening]:
    """Return the duties an offender alert opens for its child."""
    return [
        Opening(
            rule,
            alert.child_id,
            alert.agency_id,
            alert.raised_at,
            reference=f"o{alert.id}",
            reason=alert.reason,
        )
        for rule in rules.rules
        if rule.when.offender_alert and _age_fits(rule.when, alert.age)
    ]


def _age_fits(when: When, age: int | None) -> bool:
    """Return whether an age is in the rule's range. An unknown age fits no age-bound rule."""
    if when.under is None and when.at_least is None:
        return True
    if age is None:
        return False
    if when.under is not None and age >= when.under:
        return False
    return when.at_least is None or age >= when.at_least


def openings(
    rules: DutyRules,
    events: Iterable[EventFacts],
    screenings: Iterable[ScreeningFacts],
    alerts: Iterable[AlertFacts] = (),
) -> list[Opening]:
    """Return every opening of these events, screenings and alerts, in a stable order."""
    found = [o for e in events for o in from_event(rules, e)]
    found += [o for s in screenings for o in from_screening(rules, s)]
    found += [o for a in alerts for o in from_offender_alert(rules, a)]
    return sorted(found, key=lambda o: (o.at, o.key))
