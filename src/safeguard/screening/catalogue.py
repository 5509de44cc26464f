"""Indicator catalogues: the rules of a screening, as data a force can read and change.

A catalogue (YAML) lists indicators of exploitation, each with its citation, the evidence
that makes it true, a look-back window and a weight; vulnerability factors, which raise
concern without proving anything; recency bands (CERAF: current 0-3 months counts more
than recent 3-6 months); and the thresholds that turn a score into a level. It is
validated when loaded: an unknown code, a missing citation or a bad window is an error that
names the entry. Every screening records the catalogue's version and content hash.
"""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from safeguard import rulefiles
from safeguard.records import vocabulary as v
from safeguard.rulefiles import Id, Text, codes

DEFAULT_PATH = Path(__file__).with_name("cce_county_lines.yaml")

LEVELS = ("none", "low", "medium", "high")


class CatalogueError(rulefiles.RuleFileError):
    """A catalogue that cannot be used, with every problem found, each naming its entry."""


EventKinds = Annotated[list[str], Field(min_length=1), codes(v.EventKind, "event kind")]
Roles = Annotated[list[str], codes(v.Role, "role")]
PlaceKinds = Annotated[list[str], codes(v.LocationKind, "location kind")]
ItemKinds = Annotated[list[str], codes(v.ItemKind, "object kind")]
LinkKinds = Annotated[list[str], Field(min_length=1), codes(v.LinkKind, "link kind")]
Flags = Annotated[list[str], Field(min_length=1), codes(v.PersonFlag, "person flag")]
Days = Annotated[int, Field(gt=0, le=3660)]
Weight = Annotated[float, Field(gt=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventEvidence(Strict):
    """Events the child took part in that match every condition given."""

    match: Literal["event"]
    kinds: EventKinds
    roles: Roles = []  # the child's role: any of these (empty: any role)
    place_kinds: PlaceKinds = []  # where it happened: any of these
    items: ItemKinds = []  # the child held, carried or had seized one of these
    min_phones: Annotated[int, Field(ge=0)] = 0  # the child had at least this many phones
    min_km_from_home: Annotated[float, Field(gt=0)] | None = None
    outside_home_force: bool = False  # in another force's area than the child's home
    with_adult: bool = False  # someone aged 18 or over took part too
    # Attribute values recorded on the event: the attribute must equal one of the values.
    attributes: dict[str, list[str | int | bool]] = {}


class LinkEvidence(Strict):
    """Links of the child (or of a phone the child uses) that match every condition."""

    match: Literal["link"]
    kinds: LinkKinds
    other_adult: bool = False  # the other person was 18 or over on the link's date
    other_deal_line: bool = False  # the other phone is flagged as a deal line
    other_place_kinds: PlaceKinds = []
    via_phone: bool = False  # a contact between a phone the child uses and another phone


class FlagEvidence(Strict):
    """Flags an agency has recorded on the child (looked after, disability, ...)."""

    match: Literal["flag"]
    flags: Flags


Evidence = Annotated[EventEvidence | LinkEvidence | FlagEvidence, Field(discriminator="match")]


class Rule(Strict):
    """What indicators and vulnerability factors share: a cited, weighted test of the facts."""

    id: Id
    title: Text
    description: Text
    citation: Text
    evidence: Annotated[list[Evidence], Field(min_length=1)]  # any of these counts
    window_days: Days  # evidence older than this is not counted
    at_least: Annotated[int, Field(ge=1)] = 1  # pieces of evidence needed
    within_days: Days | None = None  # ... all within this many days of each other
    weight: Weight

    @model_validator(mode="after")
    def _spans_fit(self) -> "Rule":
        if self.within_days is not None and self.within_days > self.window_days:
            raise ValueError(
                f"within_days ({self.within_days}) is longer than window_days "
                f"({self.window_days}): evidence outside the window is never counted"
            )
        if self.within_days is not None and self.at_least < 2:
            raise ValueError("within_days needs at_least of 2 or more")
        return self


class Indicator(Rule):
    sign: Text  # the sign of the guidance it encodes


class Vulnerability(Rule):
    pass


class RecencyBand(Strict):
    label: Text
    up_to_days: Days
    factor: Annotated[float, Field(gt=0, le=1)]


class Thresholds(Strict):
    """The lowest score of each level."""

    low: Annotated[float, Field(gt=0)]
    medium: Annotated[float, Field(gt=0)]
    high: Annotated[float, Field(gt=0)]

    @model_validator(mode="after")
    def _rising(self) -> "Thresholds":
        if not self.low < self.medium < self.high:
            raise ValueError(
                f"must rise (low < medium < high), not {self.low:g}, {self.medium:g}, {self.high:g}"
            )
        return self

    def level(self, score: float) -> str:
        """Return the level a score reaches."""
        for name in ("high", "medium", "low"):
            if score >= getattr(self, name):
                return name
        return "none"


class Catalogue(Strict):
    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    source: Text
    recency: Annotated[list[RecencyBand], Field(min_length=1)]
    thresholds: Thresholds
    # Vulnerability factors add at most this much: concern, never proof. It must stay below
    # the medium threshold, so that no child reaches medium on vulnerability alone.
    vulnerability_cap: Annotated[float, Field(ge=0)]
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    vulnerabilities: list[Vulnerability] = []
    content_hash: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Catalogue":
        problems = []
        seen: set[str] = set()
        for rule in (*self.indicators, *self.vulnerabilities):
            if rule.id in seen:
                problems.append(f"{rule.id}: the id is used twice")
            seen.add(rule.id)
        bands = [b.up_to_days for b in self.recency]
        if bands != sorted(set(bands)):
            problems.append("recency: bands must be in rising order of up_to_days")
        if [b.factor for b in self.recency] != sorted(
            (b.factor for b in self.recency), reverse=True
        ):
            problems.append("recency: older evidence cannot count more than newer evidence")
        for rule in (*self.indicators, *self.vulnerabilities):
            if rule.window_days > bands[-1]:
                problems.append(
                    f"{rule.id}: window_days ({rule.window_days}) is longer than the last "
                    f"recency band ({bands[-1]} days)"
                )
        if self.vulnerability_cap >= self.thresholds.medium:
            problems.append(
                f"vulnerability_cap ({self.vulnerability_cap:g}) must be below the medium "
                f"threshold ({self.thresholds.medium:g}): vulnerability factors raise concern, "
                "they never prove exploitation"
            )
        if problems:
            # One problem a line: parse() reports each on its own, as it names its entry.
            raise ValueError("\n".join(problems))
        return self

    @property
    def label(self) -> str:
        """Return the version every result records: id, semantic version and content hash."""
        return f"{self.id} {self.version} ({self.content_hash[:12]})"

    def factor(self, age_days: int) -> tuple[str, float] | None:
        """Return the recency band and factor of evidence `age_days` old (None: too old)."""
        for band in self.recency:
            if age_days <= band.up_to_days:
                return band.label, band.factor
        return None


CATALOGUES = rulefiles.Kind(
    Catalogue,
    DEFAULT_PATH,
    "SCREENING_CATALOGUE",
    # Entries are named by their id; the evidence's `match` tag says nothing to the reader.
    entries=("indicators", "vulnerabilities"),
    tags=("event", "link", "flag"),
    error=CatalogueError,
    shape="a catalogue is a mapping of id, version, indicators...",
)


def parse(text: str, source: str = "<catalogue>") -> Catalogue:
    """Return the catalogue YAML `text` describes; raise CatalogueError naming each problem."""
    return CATALOGUES.parse(text, source)  # type: ignore[return-value]


def current() -> Catalogue:
    """Return the catalogue in use (SCREENING_CATALOGUE in settings, else the default)."""
    return CATALOGUES.current()  # type: ignore[return-value]


load = CATALOGUES.load
configured_path = CATALOGUES.configured_path
to_json = rulefiles.to_json
