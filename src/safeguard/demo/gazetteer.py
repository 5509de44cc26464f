"""The demo world's places and agencies, read from gazetteer.yaml and checked on load.

The YAML names the places; this module refuses a file whose names do not resolve (a town
in an unknown force, a school serving an unknown town), so a typo fails loudly.
"""

from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from safeguard.intake.schema import AgencyIn, Code
from safeguard.records import vocabulary as v

try:  # libyaml's parser when PyYAML has it: the same documents, read several times faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader

Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")]

# The five top-level ethnic groups of the 2021 census, by the key gazetteer.yaml gives them,
# with the text an agency records for a person who describes themselves as of that group.
ETHNIC_GROUPS = {
    "white": "White",
    "mixed": "Mixed or Multiple",
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "other": "Other ethnic group",
}


# The Home Office's Single Competent Authority decides every NRM referral in the UK: one
# agency, outside any place of the world, which receives and records nothing of its own.
NRM_DECISION_MAKER = AgencyIn(
    code="single_competent_authority",
    kind=v.AgencyKind.NRM_DECISION_MAKER,
    name="Single Competent Authority (Home Office)",
    jurisdiction=v.Jurisdiction.UK,
    referral_address="nrm@single-competent-authority.demo.invalid",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _AgencyEntry(_Strict):
    code: Code
    name: str
    prefix: Prefix
    jurisdiction: v.Jurisdiction = v.Jurisdiction.ENGLAND_WALES
    area_code: str = ""


class Force(_AgencyEntry):
    custody: tuple[str, ...]


class LocalAuthority(_AgencyEntry):
    pass


class Town(_Strict):
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    force: Code
    la: Code
    households: float = Field(ge=0)
    radius_km: float = Field(gt=0)
    postcode_districts: tuple[str, ...] = Field(min_length=1)


class EthnicShares(_Strict):
    """Per cent of a town's residents in each of the five top-level ethnic groups."""

    white: float = Field(ge=0, le=100)
    mixed: float = Field(ge=0, le=100)
    asian: float = Field(ge=0, le=100)
    black: float = Field(ge=0, le=100)
    other: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _whole(self) -> "EthnicShares":
        total = sum(self.percent().values())
        if abs(total - 100) > 0.5:  # whole per cents of a census table sum to 100
            raise ValueError(f"ethnic group shares sum to {total:g} per cent, not 100")
        return self

    def percent(self) -> dict[str, float]:
        """Return each group's per cent by its recorded text (ETHNIC_GROUPS), in that order."""
        return {text: getattr(self, key) for key, text in ETHNIC_GROUPS.items()}


class Station(_Strict):
    name: str
    town: str
    lat: float
    lon: float


class School(_AgencyEntry):
    town: str
    serves: tuple[str, ...]


class Hospital(_Strict):
    name: str
    town: str
    lat: float
    lon: float


class HealthBody(_AgencyEntry):
    hospitals: tuple[Hospital, ...] = Field(min_length=1)
    serves: tuple[str, ...]


class YouthJustice(_AgencyEntry):
    serves: tuple[str, ...]


class Gazetteer(_Strict):
    forces: tuple[Force, ...]
    local_authorities: tuple[LocalAuthority, ...]
    towns: tuple[Town, ...]
    ethnicity: dict[str, EthnicShares]
    stations: tuple[Station, ...]
    routes: dict[Code, tuple[str, ...]]
    schools: tuple[School, ...]
    health: tuple[HealthBody, ...]
    youth_justice: tuple[YouthJustice, ...]

    # Lookups by name, filled once on load. The world generator asks them millions of times,
    # so the methods below read them straight from __pydantic_private__: pydantic's own
    # private-attribute path (__getattr__) costs microseconds a read.
    _towns: dict[str, Town] = PrivateAttr(default_factory=dict)
    _stations: dict[str, Station] = PrivateAttr(default_factory=dict)
    _stations_in: dict[str, tuple[Station, ...]] = PrivateAttr(default_factory=dict)
    _serving: dict[tuple[str, str], str] = PrivateAttr(default_factory=dict)
    _schools: dict[str, School] = PrivateAttr(default_factory=dict)
    _hospitals: dict[str, tuple[Hospital, ...]] = PrivateAttr(default_factory=dict)
    _authorities: dict[str, LocalAuthority] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _names_resolve(self) -> "Gazetteer":
        codes = [a.code for a in self._agency_entries()]
        prefixes = [a.prefix for a in self._agency_entries()]
        for label, values in (("agency code", codes), ("ref prefix", prefixes)):
            repeated = sorted({x for x in values if values.count(x) > 1})
            if repeated:
                raise ValueError(f"{label} used twice: {', '.join(repeated)}")
        forces = {f.code for f in self.forces}
        authorities = {a.code for a in self.local_authorities}
        towns = {t.name for t in self.towns}
        stations = {s.name for s in self.stations}
        for t in self.towns:
            _need(t.force in forces, f"town {t.name}: unknown force {t.force!r}")
            _need(t.la in authorities, f"town {t.name}: unknown local authority {t.la!r}")
            _need(t.name in self.ethnicity, f"town {t.name}: no ethnic group shares")
        for town in self.ethnicity:
            _need(town in towns, f"ethnicity: unknown town {town!r}")
        for f in self.forces:
            for town in f.custody:
                _need(town in towns, f"force {f.code}: unknown custody town {town!r}")
        for s in self.stations:
            _need(s.town in towns, f"station {s.name}: unknown town {s.town!r}")
        for force, route in self.routes.items():
            _need(force in forces, f"route: unknown force {force!r}")
            for name in route:
                _need(name in stations, f"route {force}: unknown station {name!r}")
        for body in (*self.schools, *self.health, *self.youth_justice):
            for town in body.serves:
                _need(town in towns, f"{body.code}: serves unknown town {town!r}")
        for body in self.health:
            for h in body.hospitals:
                _need(h.town in towns, f"{h.name}: unknown town {h.town!r}")
        for s in self.schools:
            _need(s.town in towns, f"{s.code}: unknown town {s.town!r}")
        return self

    def model_post_init(self, context: object) -> None:
        self._towns.update((t.name, t) for t in self.towns)
        self._stations.update((s.name, s) for s in self.stations)
        for town in self.towns:
            self._stations_in[town.name] = tuple(s for s in self.stations if s.town == town.name)
        self._schools.update((s.code, s) for s in self.schools)  # codes are unique (checked)
        self._hospitals.update((h.code, h.hospitals) for h in self.health)
        self._authorities.update((a.code, a) for a in self.local_authorities)
        for kind, bodies in (
            ("school", self.schools),
            ("health", self.health),
            ("youth_justice", self.youth_justice),
        ):
            for body in bodies:
                for town in body.serves:
                    self._serving.setdefault((kind, town), body.code)

    def _agency_entries(self) -> list[_AgencyEntry]:
        return [
            *self.forces,
            *self.local_authorities,
            *self.schools,
            *self.health,
            *self.youth_justice,
        ]

    def agencies(self) -> list[AgencyIn]:
        """Return every agency of the world as an intake record, in a fixed order."""
        kinds = (
            (self.forces, v.AgencyKind.POLICE_FORCE),
            (self.local_authorities, v.AgencyKind.CHILDRENS_SERVICES),
            (self.schools, v.AgencyKind.EDUCATION),
            (self.health, v.AgencyKind.HEALTH),
            (self.youth_justice, v.AgencyKind.YOUTH_JUSTICE),
        )
        return [
            AgencyIn(
                code=a.code,
                kind=kind,
                name=a.name,
                jurisdiction=a.jurisdiction,
                area_code=a.area_code,
                # Where the demo delivers referrals: an address of the reserved .invalid
                # domain, which no mail server will ever accept.
                referral_address=(
                    f"mash@{a.code.replace('_', '-')}.demo.invalid"
                    if kind == v.AgencyKind.CHILDRENS_SERVICES
                    else ""
                ),
            )
            for entries, kind in kinds
            for a in entries
        ] + [NRM_DECISION_MAKER]

    def prefixes(self) -> dict[str, str]:
        """Return each agency's source-ref prefix by agency code."""
        return {a.code: a.prefix for a in self._agency_entries()}

    def town(self, name: str) -> Town:
        """Return the town called `name`."""
        return self.__pydantic_private__["_towns"][name]

    def station(self, name: str) -> Station:
        """Return the station called `name`."""
        return self.__pydantic_private__["_stations"][name]

    def stations_in(self, town: str) -> tuple[Station, ...]:
        """Return the stations of a town (possibly none)."""
        return self.__pydantic_private__["_stations_in"].get(town, ())

    def towns_of(self, force: str) -> list[Town]:
        """Return the towns in a force's area."""
        return [t for t in self.towns if t.force == force]

    def serving(self, kind: str, town: str) -> str | None:
        """Return the code of the school, health body or youth justice service for a town."""
        return self.__pydantic_private__["_serving"].get((kind, town))

    def school(self, code: str) -> School:
        """Return the school with agency code `code`."""
        return self.__pydantic_private__["_schools"][code]

    def hospitals_of(self, code: str) -> tuple[Hospital, ...]:
        """Return the hospitals of a health body."""
        return self.__pydantic_private__["_hospitals"][code]

    def local_authority(self, code: str) -> LocalAuthority:
        """Return the local authority with agency code `code`."""
        return self.__pydantic_private__["_authorities"][code]


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def parse(text: str) -> Gazetteer:
    """Return the gazetteer described by YAML `text`; raise ValueError when it is malformed."""
    return Gazetteer.model_validate(yaml.load(text, Loader=SafeLoader))


@cache
def load() -> Gazetteer:
    """Return the committed gazetteer."""
    return parse(resources.files(__package__).joinpath("gazetteer.yaml").read_text())
