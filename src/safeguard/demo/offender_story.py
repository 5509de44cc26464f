"""offenders.yaml: the demo world's public protection unit and the make-up of its register.

The file names things (teams, towns, sentences, bands) and gives shares and ranges with their
sources; offender_register.py and offender_history.py draw the register from it. Loading
refuses unknown keys, missing bands or categories and ranges that run backwards.
"""

from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from safeguard.demo.scenario import Range, Scale, Share, load_scenario, resolve_scale
from safeguard.intake.schema import Code
from safeguard.offenders.vocabulary import Band, VisitOutcome

# Offenders placed on purpose (offenders.yaml, planted): living at a family's home, having
# notified it or not; joined to a child by a household link; members of a county line.
SHARES_HOME, UNNOTIFIED, HOUSEHOLD_LINK, LINE = (
    "shares_home",
    "shares_home_unnotified",
    "household_link",
    "line",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(_Strict):
    key: Annotated[str, Field(pattern=r"^[a-z]+$")]
    name: str
    towns: tuple[str, ...] = Field(min_length=1)


class ScaleRow(_Strict):
    teams: int = Field(ge=1)
    managers: int = Field(ge=1)


class Caseload(_Strict):
    usual: Range
    over: Range
    unassigned: Range


class Sentence(_Strict):
    kind: str
    share: Share
    custody_months: Range
    period_years: int | None = Field(ge=1)  # None: indefinite


class Visits(_Strict):
    history_years: int = Field(ge=1, le=10)
    early_days: Range
    missed: Share
    missed_outcomes: dict[VisitOutcome, Share]
    announced: Share


class Overdue(_Strict):
    visits: Share
    reviews: Share
    days: Range
    over_factor: float = Field(ge=1)
    unassigned_factor: float = Field(ge=1)
    renotifications: int = Field(ge=0)
    pending: int = Field(ge=0)


class Notifying(_Strict):
    change: Share
    stay: Share
    travel: Share
    within_days: Range
    travel_days_before: Range


class Conditions(_Strict):
    shpo: Share
    shpo_conditions: tuple[str, ...] = Field(min_length=3)
    licence_conditions: tuple[str, ...] = Field(min_length=3)
    violent_licence_conditions: tuple[str, ...] = Field(min_length=3)


class Planted(_Strict):
    shares_home: int = Field(ge=0, le=5)
    household_link: int = Field(ge=0, le=5)
    line: int = Field(ge=0, le=5)
    child_ages: Range


class OffenderStory(_Strict):
    """offenders.yaml: the unit, its teams and caseloads, and the register's make-up."""

    version: int
    force: Code
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,5}$")]
    teams: tuple[Team, ...] = Field(min_length=1)
    scales: dict[str, ScaleRow]
    caseload: Caseload
    category_2: Share
    level_2: Share
    level_3: int = Field(ge=0, le=1)
    male: dict[int, Share]
    ages: dict[int, Range]
    bands: dict[Band, Annotated[float, Field(gt=0)]]
    unassessed: Share
    unassessed_days: Range
    in_custody: Share
    wanted: int = Field(ge=0)
    abroad: int = Field(ge=0)
    sentences: tuple[Sentence, ...] = Field(min_length=1)
    violent_custody_months: Range
    years_since_start: Range
    plan_override: Share
    plan_months: dict[Band, tuple[Annotated[int, Field(ge=1, le=24)], ...]]
    plans: tuple[str, ...] = Field(min_length=1)
    visits: Visits
    overdue: Overdue
    notifications: Notifying
    conditions: Conditions
    planted: Planted

    @model_validator(mode="after")
    def _complete(self) -> "OffenderStory":
        for where, mapping in (("male", self.male), ("ages", self.ages)):
            if set(mapping) != {1, 2}:
                raise ValueError(f"{where}: give categories 1 and 2, no others")
        for where, mapping in (("bands", self.bands), ("plan_months", self.plan_months)):
            if set(mapping) != set(Band.values):
                raise ValueError(f"{where}: give every band ({', '.join(Band.values)})")
        if any(not months for months in self.plan_months.values()):
            raise ValueError("plan_months: give at least one interval for each band")
        if set(self.scales) != set(load_scenario().scales):
            raise ValueError("scales: give a row for each of the scenario's scales")
        for name, row in self.scales.items():
            if row.teams > len(self.teams):
                raise ValueError(f"scales.{name}: {row.teams} teams, but {len(self.teams)} named")
            if row.teams * row.managers < 2:
                raise ValueError(f"scales.{name}: at least two managers, one over the ceiling")
        if not any(s.custody_months[1] > 0 for s in self.sentences):
            raise ValueError("sentences: at least one custodial sentence (for the unassessed)")
        planted = self.planted.shares_home + self.planted.household_link + self.planted.line
        if planted > self.caseload.usual[0]:
            raise ValueError("planted: more offenders than the demo manager's smallest caseload")
        return self


def parse_story(text: str) -> OffenderStory:
    """Return the offender story described by YAML `text`; raise ValueError when malformed."""
    return OffenderStory.model_validate(yaml.safe_load(text))


@cache
def load_story() -> OffenderStory:
    """Return the committed offenders.yaml."""
    return parse_story(resources.files(__package__).joinpath("offenders.yaml").read_text())


def scale_row(story: OffenderStory, scale: "str | Scale") -> ScaleRow:
    """Return the row of a named scale, or of the largest named scale no bigger than `scale`."""
    if isinstance(scale, str):
        resolve_scale(scale)  # refuses an unknown name
        return story.scales[scale]
    named = sorted(load_scenario().scales.items(), key=lambda item: item[1].households)
    fitting = [name for name, row in named if row.households <= scale.households]
    return story.scales[fitting[-1] if fitting else named[0][0]]


def planted_kinds(story: OffenderStory) -> list[str]:
    """Return the planted offenders' kinds, in order: the last to share a home has not
    notified it."""
    p = story.planted
    homes = [SHARES_HOME] * (p.shares_home - 1) + [UNNOTIFIED] * min(1, p.shares_home)
    return homes + [HOUSEHOLD_LINK] * p.household_link + [LINE] * p.line
