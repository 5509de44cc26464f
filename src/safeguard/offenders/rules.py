"""Offender schedule rules (schedule.yaml): visit and review intervals, notification deadlines.

Validated when the system starts (check offenders.E001) and when `safeguard offenders`
loads it: a level without an interval, a notification kind without a deadline, an unknown
key or a missing source is an error naming its entry. Every schedule computed records the
file's id, version and content hash.
"""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.offenders.vocabulary import Band, NotificationKind
from safeguard.rulefiles import Id, Text

DEFAULT_PATH = Path(__file__).with_name("schedule.yaml")

Level = Literal[tuple(Band.values)]  # type: ignore[valid-type]
Kind = Literal[tuple(NotificationKind.values)]  # type: ignore[valid-type]
Months = Annotated[int, Field(ge=1, le=36)]


class RulesError(rulefiles.RuleFileError):
    """A schedule rules file that cannot be used, each problem naming its entry."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRule(Strict):
    measures: Annotated[list[Literal["rm2000", "osp", "oasys_rosh"]], Field(min_length=1)]
    combine: Literal["highest"]
    unassessed: Level
    source: Text


class Interval(Strict):
    id: Id
    level: Level
    months: Months
    source: Text


class Suggestion(Strict):
    window_fraction: Annotated[float, Field(gt=0, le=1)]
    window_days: Annotated[int, Field(ge=1, le=60)]
    source: Text


class TimeBand(Strict):
    id: Id
    start: Annotated[int, Field(ge=0, le=23)]
    end: Annotated[int, Field(ge=1, le=24)]

    @model_validator(mode="after")
    def _ordered(self) -> "TimeBand":
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class FirstReview(Strict):
    days: Annotated[int, Field(ge=1, le=365)]
    source: Text


class Deadline(Strict):
    """Either within some days after the trigger, or some days before it (travel)."""

    id: Id
    kind: Kind
    within_days: Annotated[int, Field(ge=0, le=60)] | None = None
    days_before: Annotated[int, Field(ge=1, le=60)] | None = None
    late_hours_before: Annotated[int, Field(ge=1, le=24 * 7)] | None = None
    source: Text

    @model_validator(mode="after")
    def _one(self) -> "Deadline":
        if (self.within_days is None) == (self.days_before is None):
            raise ValueError("give either within_days or days_before")
        if self.late_hours_before is not None and self.days_before is None:
            raise ValueError("late_hours_before goes with days_before")
        return self


class Renotification(Strict):
    months: Months
    restarted_by: Annotated[list[Kind], Field(min_length=1)]
    # MAPPA categories subject to notification by law, counted from registration even with
    # nothing notified; others only from what they notified (an order's requirement).
    categories: Annotated[list[Annotated[int, Field(ge=1, le=4)]], Field(min_length=1)]
    source: Text


class Caseload(Strict):
    ceiling: Annotated[int, Field(ge=1, le=500)]
    source: Text


class Escalation(Strict):
    again_days: Annotated[int, Field(ge=1, le=365)]
    source: Text


class ScheduleRules(Strict):
    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    level: LevelRule
    visits: list[Interval]
    suggestion: Suggestion
    time_bands: Annotated[list[TimeBand], Field(min_length=2)]
    first_review: FirstReview
    reviews: list[Interval]
    notifications: list[Deadline]
    renotification: Renotification
    caseload: Caseload
    escalation: Escalation
    content_hash: str = ""

    @model_validator(mode="after")
    def _complete(self) -> "ScheduleRules":
        problems = []
        for name in ("visits", "reviews"):
            levels = [i.level for i in getattr(self, name)]
            for level in Band.values:
                if levels.count(level) != 1:
                    problems.append(f"{name}: level {level!r} needs exactly one entry")
        kinds = [d.kind for d in self.notifications]
        for kind in NotificationKind.values:
            if kinds.count(kind) != 1:
                problems.append(f"notifications: kind {kind!r} needs exactly one entry")
        ids = [x.id for x in (*self.visits, *self.reviews, *self.notifications)]
        problems += [
            f"{i}: the id is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"


RULES = rulefiles.Kind(
    ScheduleRules,
    DEFAULT_PATH,
    "OFFENDER_SCHEDULE",
    entries=("visits", "reviews", "notifications", "time_bands"),
    error=RulesError,
    shape="a schedule rules file is a mapping of id, title, version, level, visits...",
)


def parse(text: str, source: str = "<schedule rules>") -> ScheduleRules:
    """Return the rules the YAML text describes."""
    return RULES.parse(text, source)  # type: ignore[return-value]


def load(path: Path | str) -> ScheduleRules:
    """Read and validate a schedule rules file."""
    return RULES.load(path)  # type: ignore[return-value]


def current() -> ScheduleRules:
    """Return the rules in use (settings.OFFENDER_SCHEDULE if set, else schedule.yaml)."""
    return RULES.current()  # type: ignore[return-value]
