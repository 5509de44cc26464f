"""The demo world's story, sizes and words, read from scenario.yaml and wording.yaml.

Both files are checked on load: unknown keys, event kinds outside the records vocabulary
and ranges that run backwards are errors, never silent defaults.
"""

from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from safeguard.intake.schema import Code
from safeguard.records import vocabulary as v

try:  # libyaml's parser when PyYAML has it: the same documents, read several times faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader

Share = Annotated[float, Field(ge=0, le=1)]


def _ordered(pair: tuple[int, int]) -> tuple[int, int]:
    if pair[0] > pair[1]:
        raise ValueError(f"range {list(pair)} runs backwards")
    return pair


Range = Annotated[
    tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]], AfterValidator(_ordered)
]
Rates = dict[v.EventKind, Annotated[float, Field(ge=0)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    """How big a world is: lines, ordinary households, months of activity."""

    lines: int = Field(ge=3)
    households: int = Field(ge=0)
    months: int = Field(ge=3, le=36)
    users: Range
    events: int = Field(ge=0, description="roughly how many events the scale yields")


class Operation(_Strict):
    name: str
    arrests: dict[Code, Annotated[int, Field(ge=0)]]
    large_cash_pence: int = Field(ge=0)
    max_lines: int = Field(ge=1)
    whereabouts: dict[str, Share]
    children_charged: Share
    adults_charged: Share

    @model_validator(mode="after")
    def _places(self) -> "Operation":
        if set(self.whereabouts) != {"trap_house", "travelling", "home"}:
            raise ValueError("whereabouts must give trap_house, travelling and home")
        return self


class Hub(_Strict):
    city: str
    weight: float = Field(gt=0)
    homes: tuple[str, ...] = Field(min_length=1)
    targets: tuple[Code, ...] = Field(min_length=1)


class LineRates(_Strict):
    child_runner: Rates
    young_runner: Rates
    lieutenant: Rates
    controller: Rates
    cuckooed_resident: Rates
    user: Rates
    line: Rates


class Lines(_Strict):
    hubs: tuple[Hub, ...] = Field(min_length=1)
    target_towns: dict[Code, tuple[str, ...]]
    shape: dict[str, Range]
    ages: dict[str, Range]
    young_child_share: Share
    local_recruit_share: Share
    looked_after_share: Share
    shared_user_share: Share
    attributed_user_share: Share
    second_handset_share: Share
    nickname_share: Share
    user_substance_misuse_share: Share
    resident_flags: dict[v.PersonFlag, Share]
    recorded_as: dict[v.LocationKind, Annotated[float, Field(gt=0)]]
    rates: LineRates
    runner_activity: tuple[Annotated[float, Field(ge=0)], ...] = Field(min_length=1)
    found_out_of_area: Share
    charged: dict[str, Share]

    @model_validator(mode="after")
    def _complete(self) -> "Lines":
        _keys("lines.shape", self.shape, {"targets", "deal_phones", "lieutenants"}, more=True)
        _keys("lines.charged", self.charged, {"child", "adult"})
        if v.PersonFlag.VULNERABLE_ADULT in self.resident_flags:
            raise ValueError("lines.resident_flags: vulnerable_adult is always set; do not list it")
        for hub in self.hubs:
            for force in hub.targets:
                if force not in self.target_towns:
                    raise ValueError(f"hub {hub.city}: no target towns for {force!r}")
        return self


class Troubled(_Strict):
    share: Share
    factor: float = Field(ge=1)


class OrdinaryRates(_Strict):
    child: Rates
    adult: Rates


class Ordinary(_Strict):
    adults: Range
    children: tuple[Share, ...] = Field(min_length=1)
    looked_after_share: Share
    troubled: tuple[Troubled, ...]
    rates: OrdinaryRates
    found_out_of_area: Share
    charged: Share

    @model_validator(mode="after")
    def _shares(self) -> "Ordinary":
        if sum(t.share for t in self.troubled) > 1:
            raise ValueError("ordinary.troubled: shares add up to more than 1")
        return self


class Ethnicity(_Strict):
    child_takes_parent: Share


class Noise(_Strict):
    misspelt_name: Share
    day_month_swapped: Share
    year_off: Share
    dob_unknown: Share
    second_record: Share
    nickname: Share
    flag_recorded: Share
    ethnicity_blank: Share


class Scenario(_Strict):
    version: int
    day_of_action: date
    operation: Operation
    scales: dict[str, Scale]
    lines: Lines
    ordinary: Ordinary
    ethnicity: Ethnicity
    event_ages: dict[v.EventKind, Range]
    noise: Noise


class Phrases(_Strict):
    intelligence: tuple[str, ...]
    line_concern: tuple[str, ...]
    ordinary_concern: tuple[str, ...]
    resident_concern: tuple[str, ...]
    found: tuple[str, ...]
    youth_justice: tuple[str, ...]
    operation: tuple[str, ...]
    safeguarding: tuple[str, ...]


class Offences(_Strict):
    supply: str
    conspiracy: str
    possession: str
    ordinary: tuple[str, ...]


class StopSearchWords(_Strict):
    legislation: dict[str, str]
    nothing_found: tuple[str, ...]


class Complaints(_Strict):
    assault: tuple[str, ...]  # the patient is recorded as a victim
    line: tuple[str, ...]
    ordinary: tuple[str, ...]
    resident: tuple[str, ...]


class Drugs(_Strict):
    wraps: tuple[str, ...]
    bulk: tuple[str, ...]


class Wording(_Strict):
    version: int
    children_first_names: dict[str, tuple[str, ...]]
    name_variants: tuple[tuple[str, ...], ...]
    brands: tuple[str, ...] = Field(min_length=1)
    nicknames: tuple[str, ...]
    street_words: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    phrases: Phrases
    offences: Offences
    stop_search: StopSearchWords
    exclusion_reasons: tuple[str, ...]
    complaints: Complaints
    crime_types: tuple[str, ...]
    gradings: tuple[str, ...]
    drugs: Drugs

    @model_validator(mode="after")
    def _both_sexes(self) -> "Wording":
        _keys("children_first_names", self.children_first_names, {"male", "female"})
        return self


def _keys(where: str, mapping: dict, wanted: set[str], *, more: bool = False) -> None:
    missing = wanted - set(mapping)
    extra = set() if more else set(mapping) - wanted
    if missing or extra:
        raise ValueError(f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}")


def parse_scenario(text: str) -> Scenario:
    """Return the scenario described by YAML `text`; raise ValueError when it is malformed."""
    return Scenario.model_validate(yaml.load(text, Loader=SafeLoader))


def parse_wording(text: str) -> Wording:
    """Return the wording described by YAML `text`; raise ValueError when it is malformed."""
    return Wording.model_validate(yaml.load(text, Loader=SafeLoader))


@cache
def load_scenario() -> Scenario:
    """Return the committed scenario."""
    return parse_scenario(resources.files(__package__).joinpath("scenario.yaml").read_text())


@cache
def load_wording() -> Wording:
    """Return the committed wording."""
    return parse_wording(resources.files(__package__).joinpath("wording.yaml").read_text())


def resolve_scale(scale: "str | Scale") -> Scale:
    """Return the named scale (tiny, small, medium, large) or `scale` itself."""
    if isinstance(scale, Scale):
        return scale
    scales = load_scenario().scales
    if scale not in scales:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(scales)}")
    return scales[scale]


def scale_for_events(events: int) -> Scale:
    """Return a scale that yields about `events` events.

    Between two rows of the table, lines and households are interpolated; beyond its ends
    they grow or shrink in proportion to the nearest row. Months and users are those of the
    row below (or the first), so a world of any size has the texture of a named one.
    """
    if events <= 0:
        raise ValueError("ask for a positive number of events")
    rows = sorted(load_scenario().scales.values(), key=lambda s: s.events)
    below = [r for r in rows if r.events <= events]
    above = [r for r in rows if r.events > events]
    if below and above:
        low, high = below[-1], above[0]
        t = (events - low.events) / (high.events - low.events)
        lines = low.lines + t * (high.lines - low.lines)
        households = low.households + t * (high.households - low.households)
        base = low
    else:
        base = below[-1] if below else rows[0]
        factor = events / base.events
        lines, households = base.lines * factor, base.households * factor
    return base.model_copy(
        update={"lines": max(3, round(lines)), "households": round(households), "events": events}
    )
