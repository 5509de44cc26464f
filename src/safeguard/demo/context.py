"""The state one demo world is generated in: its random source, calendar, places and people."""

import random
from datetime import date, datetime

from safeguard.demo import chance, gazetteer
from safeguard.demo.ledger import Ledger
from safeguard.demo.noise import Misspeller
from safeguard.demo.population import (
    Ethnicities,
    Household,
    Individual,
    People,
    Place,
    Places,
)
from safeguard.demo.scenario import Scale, load_scenario, load_wording, resolve_scale
from safeguard.records import vocabulary as v
from safeguard.records.ages import age_on

_CARE_HOMES_PER_AUTHORITY = 2
_CARE_HOME_WORDS = ("Willow", "Rowan", "Larch", "Heather", "Bracken", "Aspen")


class Context:
    """Everything a generator step needs: one seeded random source and the world so far."""

    def __init__(self, seed: int, scale: "str | Scale"):
        self.seed = seed
        self.rng = random.Random(seed)
        self.gaz = gazetteer.load()
        self.story = load_scenario()
        self.words = load_wording()
        self.scale = resolve_scale(scale)
        self.places = Places(self.rng, self.gaz, self.words)
        # Ethnicity, true and recorded, is drawn from random sources of its own (seeded from
        # the seed), never from self.rng: the world without it is the world it always was.
        ethnicities = Ethnicities(
            random.Random(f"{seed}:ethnicity"),
            self.gaz,
            self.story.ethnicity.child_takes_parent,
        )
        self.people = People(self.rng, self.words, ethnicities)
        self.ledger = Ledger(
            self.rng,
            self.gaz.prefixes(),
            self.story.noise,
            Misspeller(self.words.name_variants),
            self.home_of,
            police=[f.code for f in self.gaz.forces],
            ethnicity_rng=random.Random(f"{seed}:ethnicity recorded"),
        )
        self.end: date = self.story.day_of_action
        self.start: date = chance.month_start(self.end, -(self.scale.months - 1))
        self._numbers: set[str] = set()
        self._care_homes: dict[tuple[str, int], Household] = {}
        # Asked for on almost every event, so read from plain dicts rather than recomputed.
        self._months: dict[int, tuple[date, date, tuple[date, ...]]] = {}
        self._force_of = {t.name: t.force for t in self.gaz.towns}
        self._la_of = {t.name: t.la for t in self.gaz.towns}
        self._custody = {f.code: f.custody for f in reversed(self.gaz.forces)}

    # -- calendar ---------------------------------------------------------------------------

    def month(self, index: int) -> tuple[date, date]:
        """Return [first day, day after last) of month `index`, never past the day of action."""
        return self._month(index)[:2]

    def _month(self, index: int) -> tuple[date, date, tuple[date, ...]]:
        """Return month()'s bounds and the days between them, worked out once per month."""
        month = self._months.get(index)
        if month is None:
            first = chance.month_start(self.start, index)
            stop = min(chance.month_start(first, 1), self.end)
            month = self._months[index] = (first, stop, chance.days_of(first, stop))
        return month

    def when(
        self, index: int, hours: tuple[int, int] = (0, 23), *, weekdays: bool = False
    ) -> datetime:
        """Return a moment in month `index`."""
        _, stop, days = self._months.get(index) or self._month(index)
        return chance.moment(self.rng, days, stop, hours, weekdays=weekdays)

    def fits(self, kind: v.EventKind, who: Individual, when: datetime | date) -> bool:
        """Return True when `who` is of an age for `kind` on `when` (scenario event_ages)."""
        bounds = self.story.event_ages.get(kind)
        if bounds is None:
            return True
        age = age_on(who.dob, when)
        return age is not None and bounds[0] <= age <= bounds[1]

    # -- places and phones -----------------------------------------------------------------

    def home_of(self, who: Individual) -> Place | None:
        """Return where `who` lives (made the first time it is asked for)."""
        return None if who.household is None else self.places.home(who.household)

    def force(self, town: str) -> str:
        """Return the code of the force policing a town."""
        return self._force_of[town]

    def childrens_services(self, town: str) -> str:
        """Return the agency code of a town's children's services."""
        return self._la_of[town]

    def custody(self, force: str, near: str = "") -> Place:
        """Return a custody suite of `force`, the one in `near` when it has one."""
        towns = self._custody[force]
        town = near if near in towns else towns[0]
        return self.places.named(
            f"{force}:{town}", v.LocationKind.CUSTODY_SUITE, f"{town} custody suite", town, force
        )

    def care_home(self, town: str) -> Household:
        """Return one of the children's homes of a town's local authority, with its carer."""
        la = self.childrens_services(town)
        slot = self.rng.randrange(_CARE_HOMES_PER_AUTHORITY)
        home = self._care_homes.get((la, slot))
        if home is None:
            home = Household(town=town, kind=v.LocationKind.CARE_HOME)
            home.place = self.places.named(
                f"{la}:{slot}",
                v.LocationKind.CARE_HOME,
                f"{self.rng.choice(_CARE_HOME_WORDS)} House children's home",
                town,
                la,
            )
            carer = self.people.new((28, 60), self.start, None, town=town)
            home.adults.append(carer)
            self._care_homes[(la, slot)] = home
        return home

    def number(self) -> str:
        """Return a new UK-style mobile number (random, not claimed to be anyone's)."""
        while True:
            number = f"07{self.rng.randint(100_000_000, 999_999_999)}"
            if number not in self._numbers:
                self._numbers.add(number)
                return number
