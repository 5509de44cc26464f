"""The people, homes, places and phones of the demo world, as they truly are.

These are the truth behind the records: an Individual becomes one or more Person records,
one per agency that meets them (ledger.py), each with that agency's spelling of the name.
Addresses are made only when a record needs one, so a large world's population stays small
in memory.
"""

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from faker.providers.person.en_GB import Provider as FakerNames

from safeguard.demo.chance import below, pick, weighted
from safeguard.demo.gazetteer import ETHNIC_GROUPS, Gazetteer, Town
from safeguard.demo.scenario import Wording
from safeguard.records import vocabulary as v

_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of UK postcodes
_SEXES = (v.Sex.MALE, v.Sex.FEMALE)
_TAU = 2 * math.pi


@dataclass(slots=True, eq=False)
class Place:
    """A place some agency records: a home, a station, a school, a trap house."""

    kind: v.LocationKind
    name: str
    address: str
    postcode: str
    lat: float | None
    lon: float | None
    force_area: str
    local_authority: str
    owner: str  # the agency that records it; others refer to its record
    ref: str | None = None
    town: str = ""
    # Named by many records (a street, a station, a school), so the ledger keeps its
    # validated reference; a home is named by a few and is not worth the memory.
    shared: bool = False


@dataclass(slots=True, eq=False)
class Household:
    """Where people live together: a family home or a children's home."""

    town: str
    adults: list["Individual"] = field(default_factory=list)
    place: Place | None = None
    kind: v.LocationKind = v.LocationKind.HOME


@dataclass(slots=True, eq=False)
class Individual:
    """A real person of the world (the truth that agencies' records approximate)."""

    id: int
    given: str
    family: str
    sex: v.Sex
    dob: date
    household: Household | None
    role: str = "ordinary"
    line: str | None = None
    flags: tuple[v.PersonFlag, ...] = ()
    nickname: str = ""
    propensity: float = 1.0
    # Refs of the Person records agencies made of this person, oldest first. A ref starts
    # with its agency's prefix (Ledger.agency_of), which keeps this small in a large world; a
    # tuple of strings, which the garbage collector stops tracking (a list it would rescan).
    records: tuple[str, ...] | None = None
    child_line_events: int = 0
    ethnicity: str = ""  # the group they describe themselves as of (gazetteer.ETHNIC_GROUPS)

    @property
    def town(self) -> str:
        """Return the town the person lives in."""
        return self.household.town if self.household else ""

    @property
    def guardian(self) -> "Individual | None":
        """Return the adult who would report this person missing."""
        if self.household is None:
            return None
        return next((a for a in self.household.adults if a is not self), None)


@dataclass(slots=True, eq=False)
class Handset:
    """A phone number and the handset it is in."""

    number: str
    deal_line: bool = False
    line_name: str = ""
    records: dict[str, str] = field(default_factory=dict)


class Places:
    """Make and keep the world's places; each is recorded once, by its owner."""

    def __init__(self, rng: random.Random, gazetteer: Gazetteer, wording: Wording):
        self.rng = rng
        self.gaz = gazetteer
        self.words = wording
        self._kept: dict[tuple, Place] = {}
        self._area_codes = {la.code: la.area_code for la in gazetteer.local_authorities}

    def _point(self, town: Town) -> tuple[float, float]:
        # Uniform over a disc of the town's radius (1 degree of latitude is about 111 km).
        r = town.radius_km * self.rng.random() ** 0.5
        angle = _TAU * self.rng.random()  # rng.uniform(0, 2 * math.pi), without its call
        dlat = r * math.sin(angle) / 111.32
        dlon = r * math.cos(angle) / (111.32 * math.cos(math.radians(town.lat)))
        return round(town.lat + dlat, 5), round(town.lon + dlon, 5)

    def _postcode(self, town: Town) -> str:
        rng = self.rng
        letters = pick(rng, _POSTCODE_LETTERS) + pick(rng, _POSTCODE_LETTERS)
        return f"{pick(rng, town.postcode_districts)} {1 + below(rng, 9)}{letters}"

    def _street(self) -> str:
        rng = self.rng
        return f"{pick(rng, self.words.street_words)} {pick(rng, self.words.street_suffixes)}"

    def address(
        self, town_name: str, kind: v.LocationKind, *, owner: str = "", flat: bool = False
    ) -> Place:
        """Return a new generated address in a town (invented; not a real address)."""
        town = self.gaz.town(town_name)
        number = 1 + below(self.rng, 180)
        line = f"{number} {self._street()}"
        if flat:
            line = f"Flat {1 + below(self.rng, 24)}, {line}"
        lat, lon = self._point(town)
        return Place(
            kind=kind,
            name="",
            address=f"{line}, {town.name}",
            postcode=self._postcode(town),
            lat=lat,
            lon=lon,
            force_area=town.force,
            local_authority=self._area_codes[town.la],
            owner=owner or town.force,
            town=town.name,
        )

    def home(self, household: Household) -> Place:
        """Return a household's address, made the first time it is needed."""
        if household.place is None:
            household.place = self.address(household.town, household.kind)
        return household.place

    def _keep(self, key: tuple, make) -> Place:
        place = self._kept.get(key)
        if place is None:
            place = self._kept[key] = make()
            place.shared = True
        return place

    def street(self, town_name: str) -> Place:
        """Return one of a town's public places (a small pool, so places recur)."""
        key = ("street", town_name, below(self.rng, 12))
        place = self._kept.get(key)
        if place is not None:
            return place

        def make() -> Place:
            place = self.address(town_name, v.LocationKind.STREET)
            place.name, place.address = f"{self._street()}, {town_name}", ""
            return place

        return self._keep(key, make)

    def station(self, name: str) -> Place:
        """Return a railway station (BTP records it)."""
        station = self.gaz.station(name)
        town = self.gaz.town(station.town)
        return self._keep(
            ("station", name),
            lambda: Place(
                kind=v.LocationKind.STATION,
                name=f"{name} railway station",
                address="",
                postcode="",
                lat=station.lat,
                lon=station.lon,
                force_area=town.force,
                local_authority=self.gaz.local_authority(town.la).area_code,
                owner="btp",
                town=town.name,
            ),
        )

    def train(self, origin: str, destination: str) -> Place:
        """Return 'on a train' between two stations (BTP records it)."""
        return self._keep(
            ("train", origin, destination),
            lambda: Place(
                kind=v.LocationKind.TRAIN,
                name=f"Train from {origin} to {destination}",
                address="",
                postcode="",
                lat=None,
                lon=None,
                force_area="btp",
                local_authority="",
                owner="btp",
            ),
        )

    def named(
        self,
        key: str,
        kind: v.LocationKind,
        name: str,
        town_name: str,
        owner: str,
        point: tuple[float, float] | None = None,
    ) -> Place:
        """Return a named institution's place (school, hospital, custody suite, care home)."""
        place = self._kept.get((kind, key))
        if place is not None:
            return place

        def make() -> Place:
            place = self.address(town_name, kind, owner=owner)
            place.name = name
            if point is not None:
                place.lat, place.lon = point
            return place

        return self._keep((kind, key), make)


class Ethnicities:
    """Draw each individual's true ethnic group from the census shares of where they live.

    The draws come from a random source of their own, never the world's: the rest of the
    world (every other field of every record, every event) is the same with or without them.
    """

    def __init__(self, rng: random.Random, gazetteer: Gazetteer, child_takes_parent: float):
        self.rng = rng
        self.child_takes_parent = child_takes_parent
        self._groups = tuple(ETHNIC_GROUPS.values())
        self._cumulative = {
            town: list(itertools.accumulate(shares.percent().values()))
            for town, shares in gazetteer.ethnicity.items()
        }

    def draw(self, town: str, parents: Sequence[Individual] = ()) -> str:
        """Return the group of someone living in `town`, often a parent's when they have one."""
        rng = self.rng
        if parents and rng.random() < self.child_takes_parent:
            return pick(rng, parents).ethnicity
        return weighted(rng, self._groups, self._cumulative[town])


class People:
    """Make individuals with plausible names, dates of birth and ethnic groups."""

    def __init__(self, rng: random.Random, wording: Wording, ethnicities: Ethnicities):
        self.rng = rng
        self.words = wording
        self.ethnicities = ethnicities
        self.everyone: list[Individual] = []
        self._ids = itertools.count(1)
        surnames = FakerNames.last_names
        self._surnames = list(surnames)
        self._surname_weights = list(itertools.accumulate(surnames.values()))
        self._first_names = {
            (v.Sex.MALE, False): FakerNames.first_names_male,
            (v.Sex.FEMALE, False): FakerNames.first_names_female,
            (v.Sex.MALE, True): wording.children_first_names[v.Sex.MALE],
            (v.Sex.FEMALE, True): wording.children_first_names[v.Sex.FEMALE],
        }

    def family_name(self) -> str:
        """Return a family name, drawn as often as it occurs in Faker's en_GB list."""
        return weighted(self.rng, self._surnames, self._surname_weights)

    def born(self, ages: tuple[int, int] | list[int], on: date) -> date:
        """Return a date of birth giving an age within `ages` on `on`."""
        # The latest birthday giving ages[0] (28 February stands in for a leap day), then up to
        # a year per further age earlier, less a day so the oldest stays ages[1].
        youngest = date(on.year - ages[0], on.month, min(on.day, 28)).toordinal()
        span = 365 * (ages[1] - ages[0] + 1) - 2
        return date.fromordinal(youngest - below(self.rng, span + 1))

    def new(
        self,
        ages: tuple[int, int] | list[int],
        on: date,
        household: Household | None,
        *,
        family: str = "",
        sex: v.Sex | None = None,
        role: str = "ordinary",
        town: str = "",
    ) -> Individual:
        """Return a new individual aged within `ages` on `on`.

        Their ethnic group is drawn from the shares of the household's town (or `town`, for
        someone without a household); a child born into a family home usually takes a
        parent's (Ethnicities.draw).
        """
        sex = sex or pick(self.rng, _SEXES)
        dob = self.born(ages, on)
        given = pick(self.rng, self._first_names[sex, on.year - dob.year < 22])
        # id, given, family, sex, dob, household, role: positional, as a million are made.
        person = Individual(
            next(self._ids), given, family or self.family_name(), sex, dob, household, role
        )
        if household is None:
            person.ethnicity = self.ethnicities.draw(town)
        elif ages[1] < 18 and household.kind == v.LocationKind.HOME:
            person.ethnicity = self.ethnicities.draw(household.town, household.adults)
        else:
            person.ethnicity = self.ethnicities.draw(household.town)
        self.everyone.append(person)
        return person
