"""Benchmark: screening every child at once, against one round of queries per child.

For each database (SQLite file, PostgreSQL) it builds, in a fresh database and its own process,
a synthetic store: children (default 100,000) with about 20 events each (2,000,000 events),
adults, homes with coordinates and force areas, phones (a few per cent deal lines) and their
contacts, trap houses, objects held in events and co-participants, from a seeded generator so
that every run builds the same store. The rows go in with records.bulk.insert_rows, not
through intake (which would screen as it goes); building is not timed but its time is shown.
Then, in another process on the same database (so peak memory is screening's own):

- full:  services.rescreen of every child as of one moment, in one process, timed: seconds,
         children a second, screenings stored, peak memory; then, from the same start
         (the screenings removed), screening.parallel.rescreen in one worker process per
         core, which is what `safeguard screening run` does;
- naive: the same path one child at a time (services.rescreen({child: moment}), so every
         query runs once per child) for a sample of children spread over the ids, at a moment
         100 days later so that results change and are stored; extrapolated to every child,
         and the ratio naive/full says how many times faster the set-based path is;
- event: one new event for a random child through intake.record_event (it stores the event
         and runs the pipeline, which re-screens the child), repeated; then services.rescreen
         of each of those children alone, as of the same moments (loading, screening and
         comparing; the result is unchanged, so nothing is stored): p50, p95, max in ms.

On PostgreSQL the tables are ANALYZEd before anything is timed. It prints the figures and
writes them to bench/results/screening-<timestamp>.json. It is not a test: it passes or fails
nothing.

    .venv/bin/python bench/screening.py                      # 100,000 children, both databases
    .venv/bin/python bench/screening.py --databases sqlite --children 2000 --sample 200 \\
        --repeats 50
"""

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import machine  # bench/machine.py
from databases import PG_SERVER, fresh_database  # bench/databases.py

HERE = Path(__file__).resolve().parent
SEED = 2019

# The store's events lie in the two years before AT; every child is screened as of AT, the
# naive baseline as of AT_LATER (100 days on: recency bands differ, so results change and are
# stored, as they are in the full run); the new events of the last step come after AT_LATER.
AT = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
AT_LATER = AT + timedelta(days=100)
NEW_EVENTS_FROM = AT_LATER + timedelta(days=1)
START_DAY = (AT - SPAN).date()
CHUNK = 1000  # children built and inserted per transaction

# Police force areas: code, latitude and longitude of the middle, a local authority (ONS code).
FORCES = (
    ("merseyside", 53.41, -2.95, "E08000012"),
    ("lancashire", 53.76, -2.70, "E10000017"),
    ("cumbria", 54.60, -2.90, "E06000063"),
    ("greater_manchester", 53.48, -2.24, "E08000003"),
    ("cheshire", 53.19, -2.89, "E06000050"),
    ("west_midlands", 52.48, -1.89, "E08000025"),
    ("west_yorkshire", 53.80, -1.55, "E08000035"),
    ("metropolitan", 51.51, -0.13, "E09000033"),
)
GIVEN = ("Alex", "Sam", "Jordan", "Casey", "Riley", "Jay", "Kai", "Leah", "Mia", "Noah", "Ava")
FAMILY = ("Smith", "Jones", "Taylor", "Brown", "Khan", "Evans", "Walsh", "Patel", "Hughes")
CRIME_TYPES = (
    "Burglary",
    "Theft from the person",
    "Criminal damage and arson",
    "Vehicle crime",
    "Shoplifting",
    "Anti-social behaviour",
    "Violence and sexual offences",
    "Robbery",
)
# Presenting complaints at hospital, with weights for ordinary, vulnerable, exploited children.
COMPLAINTS = {
    "Illness": (40, 30, 20),
    "Sports injury": (30, 15, 10),
    "Accidental injury": (20, 15, 12),
    "Assault": (5, 12, 30),
    "Self-harm": (3, 15, 12),
    "Drug-related: internal concealment": (0, 1, 8),
}
ORDINARY, VULNERABLE, EXPLOITED = 0, 1, 2
COHORTS = ("ordinary", "vulnerable", "exploited")
# Kinds of events and how often each comes up, by cohort (ordinary, vulnerable, exploited).
KINDS = {
    "other": (14, 10, 6),
    "crime_report": (16, 12, 6),
    "journey": (16, 10, 12),
    "hospital_attendance": (14, 12, 6),
    "school_attendance_concern": (8, 10, 6),
    "stop_search": (8, 8, 14),
    "domestic_abuse_incident": (3, 6, 2),
    "concern_report": (3, 6, 4),
    "intelligence_report": (4, 4, 6),
    "missing_episode": (3, 10, 14),
    "arrest": (2, 4, 6),
    "school_exclusion": (1, 4, 4),
    "found_out_of_area": (0, 1, 6),
    "raid": (0, 0, 2),
    "charge": (0, 1, 2),
}
# Kinds that an exploited child's events of exploitation take: they cluster after its onset.
EXPLOITATION = {"stop_search", "arrest", "journey", "intelligence_report", "missing_episode"}
EXPLOITATION |= {"found_out_of_area", "raid", "charge"}


# -- workers (run in a child process with SAFEGUARD_DATABASE_URL set) ----------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class World:
    """Builds the synthetic store chunk by chunk, with one seeded random.Random."""

    def __init__(self, children: int, per_child: int):
        from safeguard.records import models as m

        self.m = m
        self.rng = random.Random(SEED)
        self.children = children
        self.per_child = per_child
        self.counts: Counter = Counter()
        self.serial: Counter = Counter()
        self.links: list[dict] = []
        self.cum = {
            cohort: (list(KINDS), list(_cumulative(w[cohort] for w in KINDS.values())))
            for cohort in (ORDINARY, VULNERABLE, EXPLOITED)
        }
        self.complaints = {
            cohort: (list(COMPLAINTS), list(_cumulative(w[cohort] for w in COMPLAINTS.values())))
            for cohort in (ORDINARY, VULNERABLE, EXPLOITED)
        }

    # -- inserting ----------------------------------------------------------------------

    def insert(self, model, rows: list[dict], *, ids: bool = True) -> list[int]:
        from safeguard.records.bulk import insert_rows

        self.counts[model.__name__] += len(rows)
        source = issubclass(model, self.m.SourceRecord)
        return insert_rows(model, rows, return_ids=ids, fixed=self.fixed if source else None)

    def ref(self, prefix: str) -> str:
        self.serial[prefix] += 1
        return f"{prefix}{self.serial[prefix]:08d}"

    def link(self, kind: str, from_person: int, valid_from: date | None, **to) -> None:
        row = {"source_ref": self.ref("K"), "kind": kind, "from_person_id": from_person}
        self.links.append(row | {"valid_from": valid_from} | to)

    def flush_links(self) -> None:
        self.insert(self.m.Link, self.links, ids=False)
        self.links = []

    # -- what is drawn ------------------------------------------------------------------

    def point(self, force: int) -> tuple[float, float]:
        """A point within about 11 km of a force area's middle (so two are under 40 km apart)."""
        _, lat, lon, _ = FORCES[force]
        return (
            round(lat + self.rng.uniform(-0.1, 0.1), 5),
            round(lon + self.rng.uniform(-0.15, 0.15), 5),
        )

    def place_row(self, kind: str, force: int, name: str = "") -> dict:
        lat, lon = self.point(force)
        code, _, _, la = FORCES[force]
        return {
            "source_ref": self.ref("L"),
            "kind": kind,
            "name": name,
            "postcode": f"X{force}{self.rng.randrange(10)} {self.rng.randrange(10)}AA",
            "latitude": lat,
            "longitude": lon,
            "force_area": code,
            "local_authority": la,
        }

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def other_force(self, force: int) -> int:
        return (force + 1 + self.rng.randrange(len(FORCES) - 1)) % len(FORCES)

    # -- agencies, places, adults and their phones --------------------------------------

    def pools(self) -> None:
        m, rng = self.m, self.rng
        agencies = {
            "police": ("bench-police", "police_force", "Bench Constabulary"),
            "children": ("bench-children", "childrens_services", "Bench Children's Services"),
            "school": ("bench-schools", "education", "Bench Academies Trust"),
            "health": ("bench-health", "health", "Bench NHS Trust"),
        }
        self.agency = {
            key: m.Agency.objects.create(code=code, kind=kind, name=name).pk
            for key, (code, kind, name) in agencies.items()
        }
        self.fixed = {"agency_id": self.agency["police"], "recorded_at": AT, "source_hash": ""}

        # Places of every force: streets, stations, schools, hospitals, custody suites, care
        # homes, and trap houses and cuckooed addresses (about one for 1,000 children).
        per_force = {
            "street": 80,
            "station": 5,
            "school": 25,
            "hospital": 2,
            "custody_suite": 1,
            "care_home": max(2, self.children // 400 // len(FORCES)),
            "trap_house": max(2, self.children // 1500 // len(FORCES)),
            "cuckooed_address": max(1, self.children // 3000 // len(FORCES)),
        }
        rows, keys = [], []
        for force in range(len(FORCES)):
            for kind, count in per_force.items():
                for n in range(count):
                    rows.append(self.place_row(kind, force, f"{kind.replace('_', ' ')} {n + 1}"))
                    keys.append((force, kind))
        self.places: dict[tuple[int, str], list[int]] = {}
        for key, pk in zip(keys, self.insert(m.Location, rows), strict=True):
            self.places.setdefault(key, []).append(pk)
        self.traps = {
            force: self.places[(force, "trap_house")] + self.places[(force, "cuckooed_address")]
            for force in range(len(FORCES))
        }

        # Adults (one for four children): parents, offenders, and a few exploiters (one in 20)
        # who run deal lines, frequent trap houses and take children with them.
        n_adults = max(50, self.children // 4)
        n_exploiters = max(5, n_adults // 20)
        adults, homes, forces = [], [], []
        for i in range(n_adults):
            force = rng.randrange(len(FORCES))
            years = rng.randint(20, 30) if i < n_exploiters else rng.randint(22, 65)
            adults.append(
                self.person_row(
                    f"A{i:07d}", AT.date() - timedelta(days=years * 365 + rng.randrange(365)), []
                )
            )
            homes.append(self.place_row("home", force))
            forces.append(force)
        adult_ids = self.insert(m.Person, adults)
        home_ids = self.insert(m.Location, homes)
        self.exploiters = []
        self.parents: dict[int, list[tuple[int, date]]] = {f: [] for f in range(len(FORCES))}
        for i, (pk, row, home, force) in enumerate(
            zip(adult_ids, adults, home_ids, forces, strict=True)
        ):
            self.link(
                "lives_at",
                pk,
                self.day_between(START_DAY - timedelta(days=3650), START_DAY),
                to_location_id=home,
            )
            if i < n_exploiters:
                self.exploiters.append((pk, row["date_of_birth"], force))
                for trap in rng.sample(self.traps[force], min(2, len(self.traps[force]))):
                    self.link(
                        "frequents", pk, self.day_between(START_DAY, AT.date()), to_location_id=trap
                    )
            else:
                self.parents[force].append((pk, row["date_of_birth"]))

        # Phones of adults (one for ten children); 15% of them deal lines, each used by an
        # exploiter and in contact with a few other adults' phones (its customers). With the
        # children's own phones, about 3% of all phones are deal lines.
        n_phones = max(40, self.children // 10)
        n_deal = max(5, n_phones * 15 // 100)
        phone_ids = self.insert(m.Phone, [self.phone_row(i < n_deal) for i in range(n_phones)])
        self.deal_lines, self.adult_phones = phone_ids[:n_deal], phone_ids[n_deal:]
        for i, phone in enumerate(self.deal_lines):
            user = self.exploiters[i % len(self.exploiters)][0]
            self.link("uses_phone", user, self.day_between(START_DAY, AT.date()), to_phone_id=phone)
            for customer in rng.sample(self.adult_phones, min(3, len(self.adult_phones))):
                self.contact(phone, customer, rng.randint(1, 60))
        for phone in self.adult_phones:
            pk, _ = rng.choice(self.parents[rng.randrange(len(FORCES))])
            self.link("uses_phone", pk, self.day_between(START_DAY, AT.date()), to_phone_id=phone)
        self.flush_links()

    def person_row(self, ref: str, dob: date, flags: list[str]) -> dict:
        rng = self.rng
        return {
            "source_ref": ref,
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "date_of_birth": dob,
            "sex": rng.choice(("female", "male")),
            "flags": flags,
        }

    def phone_row(self, deal: bool) -> dict:
        return {
            "source_ref": self.ref("P"),
            "number": f"07{self.rng.randrange(10**9):09d}",
            "is_deal_line": deal,
            "line_name": f"{self.rng.choice(GIVEN).upper()} LINE" if deal else "",
        }

    def contact(self, a: int, b: int, count: int) -> None:
        day = self.day_between(START_DAY, AT.date())
        self.links.append(
            {
                "source_ref": self.ref("K"),
                "kind": "contact",
                "from_phone_id": a,
                "to_phone_id": b,
                "valid_from": day,
                "valid_to": day + timedelta(days=30),
                "count": count,
            }
        )

    # -- children -----------------------------------------------------------------------

    def chunk(self, lo: int, hi: int) -> None:
        """Build and insert children lo..hi-1 with their homes, phones, events and links."""
        from safeguard.records.ages import UK, age_on

        m, rng = self.m, self.rng
        kids, persons, homes = [], [], []
        for i in range(lo, hi):
            draw = rng.random()
            cohort = EXPLOITED if draw < 0.03 else VULNERABLE if draw < 0.15 else ORDINARY
            dob = AT.date() - timedelta(days=rng.randint(10 * 365 + 3, 18 * 365 - 3))
            force = rng.randrange(len(FORCES))
            care = rng.random() < (0.01, 0.2, 0.35)[cohort]
            flags = [
                flag
                for flag, chances in (
                    ("special_educational_needs", (0.06, 0.2, 0.25)),
                    ("disability", (0.02, 0.05, 0.05)),
                    ("mental_health", (0.02, 0.12, 0.15)),
                    ("child_protection_plan", (0.005, 0.1, 0.1)),
                    ("substance_misuse", (0.002, 0.03, 0.1)),
                )
                if rng.random() < chances[cohort]
            ]
            if care:
                flags.append("looked_after_child")
            persons.append(self.person_row(f"C{i:07d}", dob, flags))
            homes.append(self.place_row("home", force))
            kids.append(
                {
                    "cohort": cohort,
                    "dob": dob,
                    "force": force,
                    "care": rng.choice(self.places[(force, "care_home")]) if care else None,
                    "school": rng.choice(self.places[(force, "school")]),
                    "parent": rng.choice(self.parents[force] or self.parents[0] or [(None, None)]),
                    "phone": rng.random() < (0.45, 0.7, 0.95)[cohort],
                    "onset": AT - timedelta(days=rng.randint(60, 500)),
                }
            )
        for kid, pk, home in zip(
            kids, self.insert(m.Person, persons), self.insert(m.Location, homes), strict=True
        ):
            kid["id"], kid["home"] = pk, home
        owners = [kid for kid in kids if kid["phone"]]
        for kid, phone in zip(
            owners, self.insert(m.Phone, [self.phone_row(False) for _ in owners]), strict=True
        ):
            kid["phone"] = phone
        # Friends (associates, co-travellers, searched together) live in the same force area.
        local: dict[int, list[dict]] = {}
        for kid in kids:
            local.setdefault(kid["force"], []).append(kid)
        for kid in kids:
            self.child_links(kid, local[kid["force"]])

        items: list[dict] = []
        events: list[dict] = []
        parts: list[list[tuple[int, str, date | None]]] = []
        objects: list[list[tuple[str, int, int, str]]] = []
        for kid in kids:
            self.child_events(kid, local[kid["force"]], items, events, parts, objects)
        item_ids = self.insert(m.Item, items)
        event_ids = self.insert(m.Event, events)
        part_rows, object_rows = [], []
        for pk, event, people, held in zip(event_ids, events, parts, objects, strict=True):
            # Age at the event as intake computes it: the event's day on the UK calendar.
            day = event["occurred_at"].astimezone(UK).date()
            for person, role, dob in people:
                part_rows.append(
                    {
                        "event_id": pk,
                        "person_id": person,
                        "role": role,
                        "occurred_at": event["occurred_at"],
                        "age_at_event": age_on(dob, day),
                    }
                )
            for what, target, holder, role in held:
                object_rows.append(
                    {
                        "event_id": pk,
                        "role": role,
                        "phone_id": target if what == "phone" else None,
                        "item_id": item_ids[target] if what == "item" else None,
                        "holder_id": holder,
                    }
                )
        self.insert(m.Participation, part_rows, ids=False)
        self.insert(m.EventObject, object_rows, ids=False)
        self.flush_links()

    def child_links(self, kid: dict, kids: list[dict]) -> None:
        rng, pk, cohort = self.rng, kid["id"], kid["cohort"]
        recent = (max(kid["onset"].date(), START_DAY), AT.date())
        self.link("lives_at", pk, kid["dob"], to_location_id=kid["home"])
        if kid["care"] is not None:
            self.link(
                "lives_at", pk, self.day_between(START_DAY, AT.date()), to_location_id=kid["care"]
            )
        if kid["parent"][0] is not None:
            self.link("family", pk, kid["dob"], to_person_id=kid["parent"][0])
        if rng.random() < 0.3:
            friend = rng.choice(kids)
            if friend is not kid:
                self.link(
                    "associate",
                    pk,
                    self.day_between(START_DAY, AT.date()),
                    to_person_id=friend["id"],
                )
        phone = kid["phone"] or None
        if phone is not None:
            self.link("uses_phone", pk, self.day_between(START_DAY, AT.date()), to_phone_id=phone)
            for _ in range(rng.randint(1, 3)):
                self.contact(phone, rng.choice(self.adult_phones), rng.randint(1, 40))
        if cohort == EXPLOITED:
            for exploiter, _, _ in rng.sample(self.exploiters, rng.randint(1, 2)):
                self.link("associate", pk, self.day_between(*recent), to_person_id=exploiter)
            if rng.random() < 0.3:
                exploiter = rng.choice(self.exploiters)[0]
                self.link("travelled_with", pk, self.day_between(*recent), to_person_id=exploiter)
            if rng.random() < 0.25:
                self.link(
                    "uses_phone",
                    pk,
                    self.day_between(*recent),
                    to_phone_id=rng.choice(self.deal_lines),
                )
            if phone is not None and rng.random() < 0.5:
                self.contact(phone, rng.choice(self.deal_lines), rng.randint(5, 200))
        if rng.random() < (0.0, 0.02, 0.4)[cohort]:
            trap = rng.choice(self.traps[self.other_force(kid["force"])])
            kind = rng.choice(("stays_at", "frequents"))
            self.link(kind, pk, self.day_between(*recent), to_location_id=trap)

    def child_events(self, kid, kids, items, events, parts, objects) -> None:
        """Add a child's events (about per_child of them) to the chunk's lists."""
        rng, cohort = self.rng, kid["cohort"]
        kinds, cum = self.cum[cohort]
        span = int(SPAN.total_seconds())
        onset_span = int((AT - kid["onset"]).total_seconds())
        for _ in range(rng.randint(self.per_child // 2, self.per_child + self.per_child // 2)):
            kind = rng.choices(kinds, cum_weights=cum)[0]
            if cohort == EXPLOITED and kind in EXPLOITATION:
                when = AT - timedelta(seconds=1 + rng.randrange(onset_span))
            else:
                when = AT - timedelta(seconds=1 + rng.randrange(span))
            self.event(kid, kids, kind, when, items, events, parts, objects)

    def event(self, kid, kids, kind, when, items, events, parts, objects) -> None:
        rng, pk, cohort, force = self.rng, kid["id"], kid["cohort"], kid["force"]
        exploited = cohort == EXPLOITED
        home = kid["care"] or kid["home"]
        agency = self.agency["police"]
        place = rng.choice(self.places[(force, "street")])
        people: list[tuple[int, str, date | None]] = []
        held: list[tuple[str, int, int, str]] = []
        attributes: dict = {}
        ended, grading = None, ""

        def adult(role: str) -> None:
            who, dob, _ = rng.choice(self.exploiters)
            people.append((who, role, dob))

        def parent(role: str) -> None:
            who, dob = kid["parent"]
            if who is not None:
                people.append((who, role, dob))

        def neighbour(role: str) -> None:
            who, dob = rng.choice(self.parents[force] or [kid["parent"]])
            if who is not None:
                people.append((who, role, dob))

        def friend(role: str) -> None:
            other = rng.choice(kids)
            if other is not kid:
                people.append((other["id"], role, other["dob"]))

        def item(kind_: str, attrs: dict, role: str = "seized") -> None:
            items.append(
                {"source_ref": self.ref("I"), "kind": kind_, "description": "", "attributes": attrs}
            )
            held.append(("item", len(items) - 1, pk, role))

        def finds(drugs: float, cash: float, weapon: float, phones: float) -> None:
            if rng.random() < drugs:
                if exploited:
                    item(
                        "drugs",
                        {
                            "drug_class": "A",
                            "quantity": rng.randint(5, 40),
                            "substance": "Crack cocaine",
                            "unit": "wraps",
                        },
                    )
                else:
                    item(
                        "drugs",
                        {"drug_class": "B", "quantity": 2.0, "substance": "Cannabis", "unit": "g"},
                    )
            if rng.random() < cash:
                item("cash", {"amount_pence": rng.randint(50, 2000) * 100})
            if rng.random() < weapon:
                item("weapon", {"weapon_type": "knife"})
            if rng.random() < phones:
                burners = rng.sample(self.adult_phones, 2)
                if kid["phone"]:
                    burners[0] = kid["phone"]
                held.extend(("phone", phone, pk, "seized") for phone in burners)

        match kind:
            case "missing_episode":
                place = home
                people.append((pk, "missing_person", None))
                if kid["care"] is None:
                    parent("reporter")
                hours = rng.randint(2, 96 if exploited else 30)
                ended = when + timedelta(hours=hours)
                attributes = {
                    "risk": "high" if hours > 48 else rng.choice(("medium", "low")),
                    "reported_by": "carer" if kid["care"] else "parent",
                }
            case "found_out_of_area":
                away = self.other_force(force)
                spots = self.traps[away] if exploited and rng.random() < 0.6 else None
                place = rng.choice(spots or self.places[(away, "street")])
                people.append((pk, "missing_person", None))
                attributes = {"home_force": FORCES[force][0]}
            case "stop_search" | "arrest":
                role = "subject" if kind == "stop_search" else "suspect"
                if exploited and rng.random() < 0.4:
                    place = rng.choice(self.places[(self.other_force(force), "street")])
                elif exploited and rng.random() < 0.15:
                    place = rng.choice(self.traps[force])
                people.append((pk, role, None))
                if exploited and rng.random() < 0.5:
                    adult(role)
                elif rng.random() < 0.3:
                    friend(role)
                if exploited:
                    finds(0.45, 0.3, 0.15, 0.25)
                else:
                    finds(0.04 if cohort == ORDINARY else 0.1, 0.01, 0.01, 0.0)
                attributes = (
                    {"object_of_search": rng.choice(("drugs", "weapons", "stolen property"))}
                    if kind == "stop_search"
                    else {
                        "offence": rng.choice(
                            ("possession with intent to supply", "theft", "assault")
                        )
                    }
                )
                attributes["outcome"] = "arrest" if held else "no further action"
            case "charge":
                place = self.places[(force, "custody_suite")][0]
                people.append((pk, "suspect", None))
                attributes = {"offence": "possession with intent to supply"}
            case "journey":
                far = exploited and rng.random() < 0.6
                place = rng.choice(
                    self.places[(self.other_force(force) if far else force, "station")]
                )
                people.append((pk, "traveller", None))
                if exploited and rng.random() < 0.5:
                    adult("traveller")
                elif rng.random() < 0.25:
                    friend("traveller")
                if rng.random() < (0.5 if exploited else 0.1):
                    item("ticket", {"from_station": "Home", "to_station": "Away"}, "carried")
            case "intelligence_report":
                grading = "3-B-P"
                if exploited:
                    place = rng.choice(self.traps[force])
                    people.append((pk, "subject", None))
                    adult("subject")
                else:
                    people.append((pk, "associate", None))
                    neighbour("subject")
            case "raid":
                place = rng.choice(self.traps[self.other_force(force)])
                people.append((pk, "associate", None))
                adult("suspect")
            case "hospital_attendance":
                agency = self.agency["health"]
                place = rng.choice(self.places[(force, "hospital")])
                names, weights = self.complaints[cohort]
                complaint = rng.choices(names, cum_weights=weights)[0]
                people.append((pk, "victim" if complaint == "Assault" else "subject", None))
                attributes = {
                    "presenting_complaint": complaint,
                    "arrival": rng.choice(("ambulance", "self")),
                }
            case "crime_report":
                place = home if rng.random() < 0.4 else place
                people.append((pk, "victim" if rng.random() < 0.6 else "witness", None))
                if rng.random() < 0.2:
                    neighbour("offender")
                attributes = {"crime_type": rng.choice(CRIME_TYPES)}
            case "domestic_abuse_incident":
                place = kid["home"]
                people.append((pk, "witness", None))
                parent("victim")
                neighbour("offender")
            case "concern_report":
                agency = self.agency["children"]
                place = home
                people.append((pk, "subject", None))
                parent("reporter")
            case "school_attendance_concern" | "school_exclusion":
                agency = self.agency["school"]
                place = kid["school"]
                people.append((pk, "subject", None))
                attributes = (
                    {"attendance_percent": rng.randint(45, 88)}
                    if kind == "school_attendance_concern"
                    else {"exclusion": "suspension", "days": rng.randint(1, 5)}
                )
            case _:
                people.append((pk, rng.choice(("subject", "witness", "reporter")), None))
        # Ages at the event come from dates of birth: the child's own where None was given.
        seen = set()
        keep = []
        for who, role, dob in people:
            if who is None or (who, role) in seen:
                continue
            seen.add((who, role))
            keep.append((who, role, kid["dob"] if who == pk else dob))
        events.append(
            {
                "agency_id": agency,
                "source_ref": self.ref("E"),
                "kind": kind,
                "occurred_at": when,
                "ended_at": ended,
                "location_id": place,
                "summary": kind.replace("_", " "),
                "grading": grading,
                "attributes": attributes,
            }
        )
        parts.append(keep)
        objects.append(held)


def _cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total


def work_build(children: int, per_child: int, **_) -> dict:
    """Build the store: pools first, then children a chunk at a time, one transaction each.

    A transaction per chunk (not one for the whole store) keeps the SQLite write-ahead log
    and PostgreSQL's per-transaction state small; memory stays that of one chunk.
    """
    from django.db import transaction

    world = World(children, per_child)
    with transaction.atomic():
        world.pools()
    for start in range(0, children, CHUNK):
        with transaction.atomic():
            world.chunk(start, min(start + CHUNK, children))
    return {"records": dict(world.counts)}


def work_screen(sample: int, repeats: int, **_) -> dict:
    """Time the full re-screen, the naive per-child baseline, and one child after one event."""
    from django.db import connection

    from safeguard.intake.recording import record_event
    from safeguard.records.models import Link, Location, Person
    from safeguard.screening import parallel, services
    from safeguard.screening.models import Screening

    if connection.vendor == "postgresql":
        # A bulk load leaves the planner without statistics (autovacuum gathers them only in
        # its own time), and with none it picks poor plans for the loader's joins: ANALYZE
        # first, as an operator does after a load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    children = services.children_at(AT)

    # 1. Every child as of AT, set-based, in this process (services.rescreen).
    started = time.perf_counter()
    stored = services.rescreen(dict.fromkeys(children, AT))
    full_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    levels = Counter(s.level for s in stored)
    full = {
        "children": len(children),
        "seconds": full_s,
        "children_per_s": len(children) / full_s,
        "stored": len(stored),
        "levels": {level: levels.get(level, 0) for level in ("none", "low", "medium", "high")},
        "peak_rss_mib": peak,
    }
    del stored

    # 1b. The same in worker processes, one per core (what `safeguard screening run` does),
    # from the same start: the screenings of 1 are removed first (this store is thrown away;
    # the application never deletes one).
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{Screening._meta.db_table}"')  # noqa: S608 - model table
    workers = parallel.available_cores()
    started = time.perf_counter()
    in_workers = parallel.rescreen(dict.fromkeys(children, AT), workers=workers)
    workers_s = time.perf_counter() - started
    full_workers = {
        "workers": workers,
        "seconds": workers_s,
        "children_per_s": len(children) / workers_s,
        "stored": in_workers.total(),
        "same_levels_as_one_process": {k: in_workers.get(k, 0) for k in full["levels"]}
        == full["levels"],
    }

    # 2. The naive way: one child per call, so each of loading's queries runs per child.
    step = max(1, len(children) // sample)
    picked = children[::step][:sample]
    changed = 0
    started = time.perf_counter()
    for child in picked:
        changed += len(services.rescreen({child: AT_LATER}))
    naive_s = time.perf_counter() - started
    per_child = naive_s / len(picked)
    naive = {
        "sample": len(picked),
        "seconds": naive_s,
        "per_child_s": per_child,
        "stored": changed,
        "extrapolated_s": per_child * len(children),
        "ratio_naive_over_full": per_child * len(children) / full_s,
    }

    # 3. One new event for one child: intake stores it and the pipeline re-screens the child.
    rng = random.Random(SEED + 1)
    targets = [rng.choice(children) for _ in range(repeats)]
    refs = dict(Person.objects.filter(pk__in=targets).values_list("pk", "source_ref"))
    homes = dict(
        Link.objects.filter(kind="lives_at", from_person_id__in=targets)
        .order_by("valid_from", "id")
        .values_list("from_person_id", "to_location__source_ref")
    )  # the latest home wins
    streets = list(
        Location.objects.filter(kind="street").order_by("id").values_list("source_ref", flat=True)
    )
    moments = [NEW_EVENTS_FROM + timedelta(minutes=10 * k) for k in range(repeats)]
    before = Screening.objects.count()
    with_event = []
    for k, (child, when) in enumerate(zip(targets, moments, strict=True)):
        event = {"agency": "bench-police", "ref": f"NEW{k:06d}", "occurred_at": when}
        if k % 2 == 0:
            event |= {
                "kind": "missing_episode",
                "location": homes[child],
                "ended_at": when + timedelta(hours=6),
                "attributes": {"risk": "medium", "reported_by": "parent"},
                "participants": [{"person": refs[child], "role": "missing_person"}],
            }
        else:
            event |= {
                "kind": "stop_search",
                "location": rng.choice(streets),
                "attributes": {"object_of_search": "drugs", "outcome": "no further action"},
                "participants": [{"person": refs[child], "role": "subject"}],
            }
        started = time.perf_counter()
        record_event(event)
        with_event.append(time.perf_counter() - started)
    triggered = Screening.objects.count() - before
    alone = []
    for child, when in zip(targets, moments, strict=True):
        started = time.perf_counter()
        services.rescreen({child: when})
        alone.append(time.perf_counter() - started)
    one = {
        "repeats": repeats,
        "screenings_stored_by_pipeline": triggered,
        "record_event_ms": _percentiles(with_event),
        "rescreen_alone_ms": _percentiles(alone),
    }
    return {"full": full, "full_workers": full_workers, "naive": naive, "one_event": one}


def _percentiles(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50": statistics.median(ms), "p95": cuts[94], "max": ms[-1]}


WORKERS = {"build": work_build, "screen": work_screen}


def worker(mode: str, options: dict) -> None:
    _setup()
    if mode == "build":
        from django.db import connection

        if connection.vendor == "sqlite":
            # Building only (not timed): a larger page cache for the indexes being filled.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
    started = time.perf_counter()
    result = WORKERS[mode](**options)
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# -- orchestration ----------------------------------------------------------------------


def _postgres_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def _work(mode: str, url: str, var: str, args) -> dict:
    env = {**os.environ, "SAFEGUARD_DATABASE_URL": url, "SAFEGUARD_VAR_DIR": var}
    command = [sys.executable, __file__, "--worker", mode, "--children", str(args.children)]
    command += ["--events-per-child", str(args.events_per_child), "--sample", str(args.sample)]
    command += ["--repeats", str(args.repeats)]
    try:
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(db: str, args) -> dict:
    """Build the store in a fresh database, then screen it in another process; drop it."""
    url, drop = fresh_database(db, "screening")
    var = tempfile.mkdtemp(prefix="sg-bench-var-")
    try:
        build = _work("build", url, var, args)
        screen = _work("screen", url, var, args)
    finally:
        drop()
        subprocess.run(["rm", "-rf", var])
    return {"build": build, **screen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--events-per-child", type=int, default=20)
    parser.add_argument("--sample", type=int, default=2000, help="children of the naive run")
    parser.add_argument("--repeats", type=int, default=200, help="new events, one at a time")
    parser.add_argument("--worker", choices=sorted(WORKERS))
    args = parser.parse_args()
    options = {
        "children": args.children,
        "per_child": args.events_per_child,
        "sample": args.sample,
        "repeats": args.repeats,
    }
    if args.worker:
        worker(args.worker, options)
        return

    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "commit": machine.commit(),
    }
    if "postgresql" in args.databases:
        info["postgresql"] = _postgres_version()
    settings = {k: v for k, v in vars(args).items() if k != "worker"}
    settings |= {"at": AT.isoformat(), "at_later": AT_LATER.isoformat(), "seed": SEED}
    out = HERE / "results" / f"screening-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    print(", ".join(f"{k} {v}" for k, v in info.items() if k != "system"), flush=True)
    results = []
    for db in args.databases:
        r = run(db, args)
        b, full, naive, one = r["build"], r["full"], r["naive"], r["one_event"]
        fw = r["full_workers"]
        events = b["records"].get("Event", 0)
        row = {
            "database": db,
            "children": full["children"],
            "events": events,
            "records": b["records"],
            "setup_s": round(b["seconds"], 1),
            "setup_peak_rss_mib": round(b["peak_rss_mib"]),
            "full_s": round(full["seconds"], 2),
            "full_children_per_s": round(full["children_per_s"]),
            "full_stored": full["stored"],
            "full_levels": full["levels"],
            "full_peak_rss_mib": round(full["peak_rss_mib"]),
            "full_workers": fw["workers"],
            "full_workers_s": round(fw["seconds"], 2),
            "full_workers_children_per_s": round(fw["children_per_s"]),
            "full_workers_same_levels": fw["same_levels_as_one_process"],
            "naive_sample": naive["sample"],
            "naive_sample_s": round(naive["seconds"], 2),
            "naive_per_child_ms": round(naive["per_child_s"] * 1000, 2),
            "naive_stored": naive["stored"],
            "naive_extrapolated_s": round(naive["extrapolated_s"], 1),
            "ratio_naive_over_full": round(naive["ratio_naive_over_full"], 2),
            "one_event_repeats": one["repeats"],
            "one_event_screenings_stored": one["screenings_stored_by_pipeline"],
            "record_event_ms": {k: round(v, 1) for k, v in one["record_event_ms"].items()},
            "rescreen_alone_ms": {k: round(v, 1) for k, v in one["rescreen_alone_ms"].items()},
        }
        results.append(row)
        lv = row["full_levels"]
        re, ra = row["record_event_ms"], row["rescreen_alone_ms"]
        print(
            f"{db}: {row['children']:,} children, {events:,} events "
            f"(setup {row['setup_s']:.0f} s, not timed)\n"
            f"  full re-screen   {row['full_s']:8.1f} s  {row['full_children_per_s']:,} children/s"
            f"  {row['full_stored']:,} stored (none {lv['none']:,}, low {lv['low']:,}, "
            f"medium {lv['medium']:,}, high {lv['high']:,})  peak {row['full_peak_rss_mib']} MiB\n"
            f"  in {row['full_workers']} workers  {row['full_workers_s']:8.1f} s  "
            f"{row['full_workers_children_per_s']:,} children/s (`safeguard screening run`; "
            f"same levels as one process: {row['full_workers_same_levels']})\n"
            f"  naive baseline   {row['naive_per_child_ms']:8.2f} ms a child, one child per call "
            f"on a sample of {row['naive_sample']:,} ({row['naive_sample_s']:.1f} s, "
            f"{row['naive_stored']:,} stored); extrapolated from the sample to all "
            f"{row['children']:,}: {row['naive_extrapolated_s']:,.0f} s; set-based is "
            f"{row['ratio_naive_over_full']:.1f}x faster\n"
            f"  one new event    record_event p50 {re['p50']} ms, p95 {re['p95']} ms, "
            f"max {re['max']} ms; rescreen alone p50 {ra['p50']} ms, p95 {ra['p95']} ms, "
            f"max {ra['max']} ms ({row['one_event_repeats']} repeats, "
            f"{row['one_event_screenings_stored']} screenings stored by the pipeline)",
            flush=True,
        )
        # Written after each database, so that a long run interrupted keeps what it measured.
        out.write_text(
            json.dumps({"machine": info, "settings": settings, "results": results}, indent=2)
        )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
