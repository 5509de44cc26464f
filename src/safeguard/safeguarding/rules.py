"""Duty rules: which events, screenings and offender alerts open which duties, and by when.

The rules file (default `duties.yaml`; a force's own through SAFEGUARD_DUTY_RULES) is
validated when the system starts and when `safeguard duties` loads it: an unknown event
kind, a duty the code has no steps for, a missing citation or a bad clock is an error that
names the rule. Every duty opened records the file's version and content hash.
"""

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.rulefiles import Id, Text
from safeguard.safeguarding.calendar import hours_after, working_days_after
from safeguard.safeguarding.vocabulary import DutyKind
from safeguard.screening.catalogue import EventKinds, PlaceKinds, Roles, Strict

DEFAULT_PATH = Path(__file__).with_name("duties.yaml")

Age = Annotated[int, Field(ge=0, le=120)]
Duty = Literal[tuple(DutyKind.values)]  # type: ignore[valid-type]
Receiver = Literal["childrens_services", "nrm_decision_maker"]
# The parts of a person's record a duty may share with its receiver (safeguarding/documents.py
# renders only these).
ShareGroup = Literal[
    "identity", "ethnicity", "home_address", "school", "events", "screening", "history"
]


class RulesError(rulefiles.RuleFileError):
    """A duty rules file that cannot be used, each problem naming its rule."""


class Clock(Strict):
    """A span of time: working days (England and Wales) or hours, never both."""

    working_days: Annotated[int, Field(ge=0, le=60)] | None = None
    hours: Annotated[float, Field(ge=0, le=24 * 30)] | None = None

    @model_validator(mode="after")
    def _one(self) -> "Clock":
        if (self.working_days is None) == (self.hours is None):
            raise ValueError("give either working_days or hours")
        return self

    def after(self, start: datetime) -> datetime:
        """Return the moment this span after `start` ends."""
        if self.working_days is not None:
            return working_days_after(start, self.working_days)
        return hours_after(start, self.hours or 0)


class Escalation(Strict):
    first: Clock  # after the deadline
    again: Clock  # after the first escalation


class DutyDefinition(Strict):
    title: Text
    citation: Text
    receiver: Receiver | None = None  # the kind of agency it goes to (None: done in-house)
    after_submission: Clock | None = None  # the receiver's deadline for its next step
    # The team of the owing agency that does it; its supervisors are told when it is late.
    team: Text = "Safeguarding hub"
    # What a new trigger joins while one of these is open for the person: only a draft (a
    # referral already sent is not reopened: the new event goes in a new one), or any open
    # one (one NRM referral per person at a time).
    joins: Literal["draft", "open"] = "draft"
    # The parts of the record sent to the receiver.
    shares: Annotated[list[ShareGroup], Field(min_length=1)] = ["events", "screening"]


class EventTrigger(Strict):
    """Events the person took part in that match every condition given."""

    kinds: EventKinds
    roles: Roles = []  # the person's role: any of these (empty: any role, suspects too)
    place_kinds: PlaceKinds = []
    attributes: dict[str, list[str | int | bool]] = {}


class ScreeningTrigger(Strict):
    """A screening of the person that reached a level."""

    at_least: Literal["low", "medium", "high"]
    indicators: bool = False  # at least one exploitation indicator fired, not vulnerability only


class When(Strict):
    """What opens the rule: an event, a screening, or an offender alert (one of them)."""

    event: EventTrigger | None = None
    screening: ScreeningTrigger | None = None
    # A child found living or staying with a registered offender, or linked to one in a
    # county line (offenders.alerts): the alert is the trigger, its reason in words.
    offender_alert: Literal[True] | None = None
    under: Age | None = None  # the person was under this age at the event, screening or alert
    at_least: Age | None = None  # ... or at least this age

    @model_validator(mode="after")
    def _one(self) -> "When":
        given = [self.event, self.screening, self.offender_alert]
        if sum(x is not None for x in given) != 1:
            raise ValueError("give one of event, screening or offender_alert")
        return self


class Rule(Strict):
    id: Id
    duty: Duty
    title: Text
    citation: Text
    when: When
    due: Clock
    escalate: Escalation
    # For adults: the duty opened needs their consent; without it, this duty instead.
    consent_or: Duty | None = None


class ChargingBlock(Strict):
    """When a charge or caution of a child waits for a charging review (charging.py)."""

    title: Text
    citation: Text
    roles: Roles  # the child's part in the charge or caution
    under: Age  # the child's age then
    # Signs of exploitation then: screened at least this level, or an NRM referral open.
    screened_at_least: Literal["low", "medium", "high"]
    open_nrm_referral: bool


class DutyRules(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    duties: dict[Duty, DutyDefinition]
    rules: Annotated[list[Rule], Field(min_length=1)]
    charging_review: ChargingBlock
    content_hash: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "DutyRules":
        problems, seen = [], set()
        for rule in self.rules:
            if rule.id in seen:
                problems.append(f"{rule.id}: the id is used twice")
            seen.add(rule.id)
            for duty in (rule.duty, rule.consent_or):
                if duty is not None and duty not in self.duties:
                    problems.append(f"{rule.id}: duty {duty!r} is not defined under duties")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"

    def rule(self, rule_id: str) -> Rule | None:
        """Return the rule with this id, if the rules in use still have it."""
        return next((r for r in self.rules if r.id == rule_id), None)

    def event_kinds(self) -> frozenset[str]:
        """Return the event kinds any rule is opened by."""
        return frozenset(k for r in self.rules if r.when.event for k in r.when.event.kinds)


RULES = rulefiles.Kind(
    DutyRules,
    DEFAULT_PATH,
    "DUTY_RULES",
    entries=("rules",),
    error=RulesError,
    shape="a duty rules file is a mapping of id, version, duties, rules...",
)


def parse(text: str, source: str = "<duty rules>") -> DutyRules:
    return RULES.parse(text, source)  # type: ignore[return-value]


def current() -> DutyRules:
    """Return the duty rules in use (DUTY_RULES in settings, else the default)."""
    return RULES.current()  # type: ignore[return-value]


load = RULES.load
