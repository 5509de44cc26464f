"""A synthetic graph of the records for bench/network.py: a population, and county lines in it.

Made directly as `network.graph` Nodes and Ties (no database) from one seeded random.Random,
so the same parameters give the same graph. The population lives in towns (four cities and
county towns), in households with a home each; people have phones (most one, some two), are
in contact with friends of their own circle of neighbours (small monthly counts, so their
contacts know each other) and a few further away, have family in other households (mostly
nearby), meet in small events (same_event, present_at when the event is at a home) and
frequent schools and workplaces. Each tie is a record: a link (`link:<n>`) or an event
(`event:<n>`), and phone contacts come as one tie a month, so build() merges several ties
into most contact edges, as it does with the records.

County lines are planted in it: each has 1-3 deal phones (handsets one after another,
recorded as deal lines with the line's name) used by a controller in a city, texting 50-300
users' phones around the line's trap addresses in a county town a few times a month; 1-3
trap addresses, the homes of vulnerable residents (the first recorded as a cuckooed address
in half the lines); 2-6 runners (children of the city) in near daily contact with the deal
phones, staying at the trap addresses and travelling together, about half found holding a
deal phone; 1-2 lieutenants whose phones contact the runners' and the controller's. What was
planted is kept (`PlantedLine`), so the benchmark can say how much of it the analysis found;
the analysis never reads it.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from safeguard.network import graph as g

START = date(2025, 1, 1)
MONTHS = 18
END = date(2026, 6, 30)  # the last day of the last month; ages are taken on it
# Towns: (name, police force area, share of the population). The cities are the lines' origins.
CITIES = (
    ("Liverpool", "merseyside", 0.14),
    ("Manchester", "greater_manchester", 0.14),
    ("Birmingham", "west_midlands", 0.14),
    ("London", "metropolitan", 0.18),
)
COUNTY_TOWNS = (
    ("Blackpool", "lancashire", 0.04),
    ("Preston", "lancashire", 0.04),
    ("Barrow", "cumbria", 0.03),
    ("Carlisle", "cumbria", 0.03),
    ("Chester", "cheshire", 0.04),
    ("Crewe", "cheshire", 0.03),
    ("Shrewsbury", "west_mercia", 0.03),
    ("Worcester", "west_mercia", 0.03),
    ("Aberystwyth", "dyfed_powys", 0.02),
    ("Norwich", "norfolk", 0.04),
    ("Southend", "essex", 0.04),
    ("Exeter", "devon_cornwall", 0.03),
)
TOWNS = CITIES + COUNTY_TOWNS
HOUSEHOLD_SIZES = ((1, 28), (2, 35), (3, 16), (4, 14), (5, 7))
GIVEN = ("Alex", "Sam", "Jordan", "Casey", "Riley", "Jay", "Kai", "Leah", "Mia", "Noah", "Ava")
FAMILY = ("Smith", "Jones", "Taylor", "Brown", "Khan", "Evans", "Walsh", "Patel", "Hughes")
BRANDS = (
    "BANDO", "TIGER", "ACE", "JAY", "KING", "MIKEY", "DIZZY", "SMOKE", "ROCKY", "BLADE", "ZED",
    "TONY", "NICO", "RAMBO", "FLASH", "GHOST", "LUCKY", "OZZY", "PABLO", "VIPER", "MOJO", "REX",
)  # fmt: skip
# People of a town are in its order of households: a neighbourhood is the people within this
# many places of a person, and a line's users and trap addresses lie within USERS_WITHIN of
# its first trap address.
NEIGHBOURHOOD = 200
USERS_WITHIN = 800
# Ordinary flags and their shares of the population.
FLAGS = (("substance_misuse", 0.03), ("mental_health", 0.03), ("vulnerable_adult", 0.01))


@dataclass(slots=True)
class PlantedLine:
    """What was planted for one line (node keys), to compare with what the analysis finds."""

    name: str
    origin: str
    target: str
    deal_phones: list[str]
    controller: str
    lieutenants: list[str] = field(default_factory=list)
    runners: list[str] = field(default_factory=list)
    residents: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)


@dataclass(slots=True)
class World:
    nodes: list[g.Node]
    ties: list[g.Tie]
    lines: list[PlantedLine]

    def counts(self) -> dict:
        """Return the nodes by kind and the ties by kind (before merging)."""
        return {
            "nodes": dict(Counter(n.kind for n in self.nodes)),
            "ties": dict(Counter(t.kind for t in self.ties)),
        }


@dataclass(slots=True)
class Person:
    key: str
    town: int
    born: date
    home: str
    phones: list[str] = field(default_factory=list)


def generate(people: int, lines: int, seed: int) -> World:
    """Return a population of about `people` people with `lines` county lines planted."""
    maker = _Maker(seed)
    maker.population(people)
    planted = [maker.line(i) for i in range(lines)]
    return World(nodes=maker.nodes, ties=maker.ties, lines=planted)


class _Maker:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nodes: list[g.Node] = []
        self.ties: list[g.Tie] = []
        self.by_key: dict[str, g.Node] = {}
        self.links = 0
        self.events = 0
        self.numbers: set[int] = set()
        self.months = [
            (_add_months(START, m), _add_months(START, m + 1) - timedelta(days=1))
            for m in range(MONTHS)
        ]
        self.persons: list[Person] = []
        self.by_town: list[list[int]] = [[] for _ in TOWNS]  # indexes into self.persons
        self.town_span: list[tuple[int, int]] = []  # a town's people are persons[lo:hi]
        self.used: set[int] = set()  # people given a part in a planted line

    # -- nodes and ties ------------------------------------------------------------------

    def node(self, key: str, kind: str, label: str, facts: dict) -> str:
        node = g.Node(key=key, kind=kind, label=label, records=[len(self.nodes) + 1], facts=facts)
        self.nodes.append(node)
        self.by_key[key] = node
        return key

    def person(self, town: int, born: date, flags: set[str]) -> str:
        n = len(self.nodes) + 1
        label = f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"
        facts = {"date_of_birth": born, "flags": flags, "agencies": {TOWNS[town][1]}}
        return self.node(g.person_key(n), g.PERSON, label, facts)

    def place(self, kind: str, town: int, label: str) -> str:
        name, force, _ = TOWNS[town]
        facts = {"kind": kind, "force_area": force, "town": name}
        return self.node(g.location_key(len(self.nodes) + 1), g.LOCATION, label, facts)

    def phone(self, line_name: str = "") -> str:
        while True:
            number = self.rng.randrange(10**9)
            if number not in self.numbers:
                self.numbers.add(number)
                break
        text = f"07{number:09d}"
        facts = {"deal_line": bool(line_name), "line_name": line_name, "number": text}
        return self.node(g.phone_key(text), g.PHONE, text, facts)

    def link(self, a: str, b: str, kind: str, first=None, last=None, count: int = 1) -> None:
        self.links += 1
        self.ties.append(g.Tie(a, b, kind, f"link:{self.links}", first, last, count))

    def event(self, people: list[str], day: date, home: str | None = None) -> None:
        """One event: same_event between each pair of the people, present_at a home."""
        self.events += 1
        source = f"event:{self.events}"
        for i, a in enumerate(people):
            if home is not None:
                self.ties.append(g.Tie(a, home, "present_at", source, day, day, 1))
            for b in people[i + 1 :]:
                self.ties.append(g.Tie(a, b, "same_event", source, day, day, 1))

    def contact(self, a: str, b: str, month: int, count: int) -> None:
        first, last = self.months[month]
        self.link(a, b, "contact", first, last, count)

    def day(self, lo: int = 0, hi: int = MONTHS) -> date:
        """A day in months lo..hi-1."""
        first, last = self.months[lo][0], self.months[hi - 1][1]
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def born(self, low: int, high: int) -> date:
        """A date of birth for someone aged low..high at the end of the period."""
        return END - timedelta(days=self.rng.randint(low * 365 + 1, high * 365 + 364))

    # -- the population ------------------------------------------------------------------

    def population(self, people: int) -> None:
        rng = self.rng
        sizes = [s for s, _ in HOUSEHOLD_SIZES]
        weights = [w for _, w in HOUSEHOLD_SIZES]
        households: list[list[int]] = []
        for town, (name, _, share) in enumerate(TOWNS):
            want = round(people * share)
            made = 0
            lo = len(self.persons)
            while made < want:
                size = min(rng.choices(sizes, weights)[0], want - made)
                home = self.place("home", town, f"{rng.randint(1, 300)} {name} Road")
                adults = 1 if size == 1 or rng.random() < 0.3 else 2
                members = []
                for j in range(size):
                    age = (18, 85) if j < adults else (0, 17)
                    flags = {f for f, p in FLAGS if rng.random() < p and j < adults}
                    born = self.born(*age)
                    key = self.person(town, born, flags)
                    person = Person(key=key, town=town, born=born, home=home)
                    self.link(key, home, "lives_at", self.day(0, 1) - timedelta(days=900))
                    if _age(born) >= 11 and rng.random() < 0.92:
                        person.phones.append(self.phone())
                        if rng.random() < 0.06:
                            person.phones.append(self.phone())
                    for ph in person.phones:
                        self.link(key, ph, "uses_phone")
                    members.append(len(self.persons))
                    self.by_town[town].append(len(self.persons))
                    self.persons.append(person)
                for i, a in enumerate(members):
                    for b in members[i + 1 :]:
                        self.link(self.persons[a].key, self.persons[b].key, "household")
                households.append(members)
                made += size
            self.town_span.append((lo, len(self.persons)))
        self.family(households)
        for town in range(len(TOWNS)):
            self.circles(self.by_town[town])
            self.places(town)

    def near(self, i: int, within: int = NEIGHBOURHOOD) -> int:
        """Return someone of person i's town living within `within` people of them."""
        lo, hi = self.town_span[self.persons[i].town]
        return self.rng.randrange(max(lo, i - within), min(hi, i + within + 1))

    def neighbour(self, i: int) -> int:
        """Return a neighbour of person i, or someone else of the town (less often)."""
        return self.near(i) if self.rng.random() < 0.8 else self.near(i, len(self.persons))

    def family(self, households: list[list[int]]) -> None:
        """Each household has family in one or two others: nearby, in town, or elsewhere."""
        rng = self.rng
        for h in households:
            for _ in range(rng.choice((1, 1, 2))):
                a = rng.choice(h)
                b = self.neighbour(a) if rng.random() < 0.95 else rng.randrange(len(self.persons))
                if b not in h:
                    self.link(self.persons[a].key, self.persons[b].key, "family")

    def circles(self, town_people: list[int]) -> None:
        """Friends: circles of 15-35 neighbours; contacts and small events inside a circle,
        and for some a contact further away (a neighbour, or someone else in town)."""
        rng = self.rng
        i = 0
        while i < len(town_people):
            size = rng.randint(15, 35)
            circle = town_people[i : i + size]
            i += size
            phones = [p for p in circle if self.persons[p].phones]
            for p in phones:
                mine = self.persons[p].phones
                friends = rng.sample(phones, min(len(phones), rng.randint(2, 11)))
                if rng.random() < 0.3:
                    friends.append(self.neighbour(p))
                for f in friends:
                    if f == p or not self.persons[f].phones:
                        continue
                    a, b = rng.choice(mine), rng.choice(self.persons[f].phones)
                    start = rng.randrange(MONTHS)
                    for month in range(start, min(MONTHS, start + rng.randint(1, 4))):
                        self.contact(a, b, month, rng.randint(1, 12))
            for _ in range(len(circle) * 2 // 3):
                who = rng.sample(circle, min(len(circle), rng.randint(2, 5)))
                keys = [self.persons[p].key for p in who]
                home = self.persons[who[0]].home if rng.random() < 0.15 else None
                self.event(keys, self.day(), home)

    def places(self, town: int) -> None:
        """Schools and workplaces: most people frequent one."""
        rng = self.rng
        people = self.by_town[town]
        name = TOWNS[town][0]
        schools = [
            self.place("school", town, f"{name} school {n + 1}")
            for n in range(1 + len(people) // 600)
        ]
        work = [
            self.place("other", town, f"{name} workplace {n + 1}")
            for n in range(1 + len(people) // 150)
        ]
        for p in people:
            person = self.persons[p]
            if rng.random() < 0.6:
                where = schools if _age(person.born) < 18 else work
                self.link(person.key, rng.choice(where), "frequents", self.day(0, 1))

    # -- county lines --------------------------------------------------------------------

    def pick(self, town: int, low: int, high: int, around: int | None = None) -> int:
        """Return a person of the town (near `around`) aged low..high, with a phone, in no
        line yet."""
        lo, hi = self.town_span[town]
        if around is not None:
            lo, hi = max(lo, around - USERS_WITHIN), min(hi, around + USERS_WITHIN + 1)
        for _ in range(10_000):
            i = self.rng.randrange(lo, hi)
            p = self.persons[i]
            if i not in self.used and low <= _age(p.born) <= high and p.phones:
                self.used.add(i)
                return i
        raise ValueError(f"no one aged {low}-{high} left in {TOWNS[town][0]}: too few people")

    def line(self, i: int) -> PlantedLine:
        rng = self.rng
        name = BRANDS[i % len(BRANDS)] + (f" {i // len(BRANDS) + 1}" if i >= len(BRANDS) else "")
        origin = rng.randrange(len(CITIES))
        target = len(CITIES) + rng.randrange(len(COUNTY_TOWNS))
        start = rng.randrange(MONTHS // 3)
        end = rng.randint(start + 6, MONTHS)  # months start..end-1
        # Handsets one after another, each taking over from the one before, a month's overlap.
        n_deal = rng.choice((1, 1, 2, 2, 3))
        cuts = [start + (end - start) * k // n_deal for k in range(n_deal + 1)]
        spans = [
            (cuts[k], min(end, cuts[k + 1] + (1 if k < n_deal - 1 else 0))) for k in range(n_deal)
        ]
        deal = [self.phone(f"{name} LINE") for _ in range(n_deal)]

        def handsets(month: int) -> list[str]:
            return [d for d, (lo, hi) in zip(deal, spans, strict=True) if lo <= month < hi]

        controller = self.persons[self.pick(origin, 22, 40)]
        for d, (lo, _) in zip(deal, spans, strict=True):
            self.link(controller.key, d, "uses_phone", self.months[lo][0])
        planted = PlantedLine(
            name=name,
            origin=TOWNS[origin][0],
            target=TOWNS[target][0],
            deal_phones=deal,
            controller=controller.key,
        )
        # Trap addresses in the county town: a vulnerable resident's home (recorded as
        # cuckooed in half the lines), and sometimes one or two more nearby.
        traps = []
        first = None
        for k in range(rng.choice((1, 1, 2, 3))):
            at = self.pick(target, 30, 70, first)
            first = at if first is None else first
            resident = self.persons[at]
            self.by_key[resident.key].facts["flags"] |= {"vulnerable_adult", "substance_misuse"}
            if k == 0 and rng.random() < 0.5:
                self.by_key[resident.home].facts["kind"] = "cuckooed_address"
            traps.append(resident.home)
            planted.residents.append(resident.key)
            # The resident buys from the line too.
            self.buyer(resident, handsets, start, end)
        planted.traps = traps
        runners = [self.persons[self.pick(origin, 14, 17)] for _ in range(rng.randint(2, 6))]
        for r in runners:
            lo = rng.randrange(start, end - 2)
            hi = rng.randint(lo + 2, end)
            for month in range(lo, hi):
                for d in handsets(month):
                    self.contact(r.phones[0], d, month, rng.randint(30, 120))
            for trap in rng.sample(traps, rng.randint(1, len(traps))):
                day = self.day(lo, hi)
                self.link(r.key, trap, "stays_at", day, day + timedelta(days=rng.randint(1, 14)))
            if rng.random() < 0.5:  # found holding the deal phone
                month = rng.randrange(lo, hi)
                day, active = self.day(month, month + 1), handsets(month)
                if active:
                    self.event([r.key], day)
                    self.ties.append(
                        g.Tie(r.key, active[0], "uses_phone", f"event:{self.events}", day, day)
                    )
        for a, b in zip(runners, runners[1:], strict=False):
            day = self.day(start, end)
            self.link(a.key, b.key, "travelled_with", day, day)
        planted.runners = [r.key for r in runners]
        lieutenants = [self.persons[self.pick(origin, 18, 28)] for _ in range(rng.randint(1, 2))]
        for lt in lieutenants:
            for month in range(start, end):
                for r in rng.sample(runners, rng.randint(1, len(runners))):
                    self.contact(lt.phones[0], r.phones[0], month, rng.randint(10, 40))
                self.contact(controller.phones[0], lt.phones[0], month, rng.randint(5, 30))
        planted.lieutenants = [lt.key for lt in lieutenants]
        # Users: adults with a phone and no other part, living around the first trap address
        # (a user may buy from more than one line).
        lo, hi = self.town_span[target]
        pool = [
            i
            for i in range(max(lo, first - USERS_WITHIN), min(hi, first + USERS_WITHIN + 1))
            if i not in self.used and self.persons[i].phones and 18 <= _age(self.persons[i].born)
        ]
        for i in rng.sample(pool, min(len(pool), rng.randint(50, 300))):
            self.buyer(self.persons[i], handsets, start, end)
            planted.users.append(self.persons[i].key)
        return planted

    def buyer(self, person: Person, handsets, start: int, end: int) -> None:
        """A user: texts the deal line a few times a month, in some months of the line's."""
        rng = self.rng
        lo = rng.randrange(start, end)
        hi = rng.randint(lo + 1, end)
        for month in range(lo, hi):
            if rng.random() < 0.7:
                for d in handsets(month):
                    self.contact(person.phones[0], d, month, rng.randint(1, 6))


def _age(born: date) -> int:
    return END.year - born.year - ((END.month, END.day) < (born.month, born.day))


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1)
