"""The demo's registered offenders as plain data: who they are, who manages them, their history.

Pure: drawn from a random source of its own, seeded by the world's seed (never the world's
own, so the world is the same with or without them), with the demo's chance helpers, and
dated back from the end of the demo's story, when its clock starts. demo/offenders.py writes
what this plans.

Planning runs in two passes: each offender's fate first (manager, category, status, band,
level, what is to be overdue), decided over the whole register so that the counts asked for
(one wanted, one abroad, one at level 3, a few unassessed, one manager over the ceiling) hold
exactly; then each one's person and history (offender_history).
"""

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from safeguard.accounts.roles import Role
from safeguard.demo import gazetteer
from safeguard.demo.accounts import username_for
from safeguard.demo.chance import below, between, weighted
from safeguard.demo.offender_history import Drawer, Fate, PlannedOffender
from safeguard.demo.offender_story import (
    LINE,
    OffenderStory,
    ScaleRow,
    load_story,
    planted_kinds,
    scale_row,
)
from safeguard.demo.population import Ethnicities, People, Places
from safeguard.demo.progress import story_end
from safeguard.demo.scenario import Scale, load_scenario, load_wording
from safeguard.offenders import rules
from safeguard.offenders.schedule import Table
from safeguard.offenders.vocabulary import Band, NotificationKind, Status

N = NotificationKind
MANAGER, SUPERVISOR = Role.OFFENDER_MANAGER.value, Role.SUPERVISOR.value


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A member of the public protection unit: an offender manager or a team's supervisor."""

    username: str
    role: str
    team: str
    given: str
    family: str
    demo: bool = False  # the demo account that signs in (accounts.username_for)


@dataclass(frozen=True, slots=True)
class Register:
    """The unit's staff and offenders at `at`, the end of the demo's story."""

    at: datetime
    force: str
    prefix: str
    staff: list[StaffMember]
    offenders: list[PlannedOffender]

    def managed_by(self, username: str) -> list[PlannedOffender]:
        """Return the offenders `username` manages."""
        return [o for o in self.offenders if o.manager == username]


def plan(seed: int, scale: "str | Scale" = "small", story: OffenderStory | None = None) -> Register:
    """Return the register of the demo world of `seed` and `scale` (the same for the same two).

    Args:
        seed: the world's seed; the register draws from a random source of its own.
        scale: tiny, small, medium, large, or a Scale (the largest named one it holds).
        story: offenders.yaml as read (the committed one by default).
    """
    story = story or load_story()
    scenario, words = load_scenario(), load_wording()
    rng = random.Random(f"{seed}:offenders")
    gaz = gazetteer.load()
    people = People(
        rng,
        words,
        Ethnicities(random.Random(f"{seed}:offenders ethnicity"), gaz, 0.0),
    )
    places = Places(rng, gaz, words)
    at = story_end(scenario.day_of_action)
    staff = _staff(story, scale_row(story, scale), people, at.date())
    fates = _fates(rng, story, staff)
    drawer = Drawer(rng, story, Table(rules.current()), people, places, gaz, at)
    offenders = [
        drawer.offender(fate, f"{story.prefix}-V-{n:06d}") for n, fate in enumerate(fates, 1)
    ]
    return Register(at, story.force, story.prefix, staff, offenders)


def _staff(story: OffenderStory, row: ScaleRow, people: People, on: date) -> list[StaffMember]:
    """Return each team's supervisor and managers; the demo's manager leads the first team's."""
    staff = []
    for t, team in enumerate(story.teams[: row.teams]):
        sergeant = people.new((32, 55), on, None, town=team.towns[0])
        staff.append(
            StaffMember(
                f"ppu-{team.key}-sergeant", SUPERVISOR, team.name, sergeant.given, sergeant.family
            )
        )
        for m in range(row.managers):
            who = people.new((26, 58), on, None, town=team.towns[0])
            demo = t == 0 and m == 0
            username = username_for(Role.OFFENDER_MANAGER) if demo else f"ppu-{team.key}-om{m + 1}"
            staff.append(StaffMember(username, MANAGER, team.name, who.given, who.family, demo))
    return staff


def _fates(rng: random.Random, story: OffenderStory, staff: list[StaffMember]) -> list[Fate]:
    """Decide, over the whole register, what each offender's history is to show."""
    teams = {t.name: t for t in story.teams}
    managers = [s for s in staff if s.role == MANAGER]
    over = managers[1].username  # the demo manager's colleague (or the next team's manager)
    cfg, odue = story.caseload, story.overdue
    fates: list[Fate] = []
    for manager in managers:
        team = teams[manager.team]
        if manager.username == over:
            cases, factor = between(rng, cfg.over), odue.over_factor
        else:
            cases, factor = between(rng, cfg.usual), 1.0
        planted = planted_kinds(story) if manager.demo else []
        for i in range(cases):
            fates.append(
                Fate(team, manager.username, factor, planted[i] if i < len(planted) else "")
            )
    present = [teams[s.team] for s in staff if s.role == SUPERVISOR]
    for i in range(between(rng, cfg.unassigned)):
        fates.append(Fate(present[i % len(present)], None, odue.unassigned_factor))
    for fate in fates:
        if fate.planted:
            fate.category = 2 if fate.planted == LINE else 1
            continue
        fate.category = 2 if rng.random() < story.category_2 else 1
        if rng.random() < story.in_custody:
            fate.status = Status.IN_CUSTODY.value
    free = [f for f in fates if not f.planted and f.status == Status.ACTIVE.value]
    # A registered sex offender goes missing from their address (category 1: the register).
    for fate in _take(rng, free, story.wanted, lambda f: f.category == 1):
        fate.status = Status.WANTED.value
    for fate in _take(rng, free, story.abroad):
        fate.status = Status.ABROAD.value
    for fate in _take(rng, free, max(1, round(len(fates) * story.unassessed))):
        fate.unassessed = True
    bands, weights = (
        [b.value for b in story.bands],
        list(itertools.accumulate(story.bands.values())),
    )
    for fate in fates:
        if not fate.unassessed:
            fate.band = weighted(rng, bands, weights)
    for fate in _take(rng, free, story.level_3):
        fate.band, fate.mappa_level = Band.VERY_HIGH.value, 3
    _level_2(rng, story, fates, free)
    _overdue(rng, story, fates, free)
    return fates


def _take(
    rng: random.Random, pool: list[Fate], count: int, fits: Callable[[Fate], bool] | None = None
) -> list[Fate]:
    """Remove `count` fates drawn at random from those of `pool` that fit; return them."""
    taken = []
    for _ in range(count):
        fitting = [i for i, fate in enumerate(pool) if fits is None or fits(fate)]
        if not fitting:
            break
        taken.append(pool.pop(fitting[below(rng, len(fitting))]))
    return taken


def _level_2(rng: random.Random, story: OffenderStory, fates: list[Fate], free: list) -> None:
    """Put a few high or very high risk offenders at MAPPA level 2 (about 1.5%)."""
    wanted = max(1, round(len(fates) * story.level_2))
    risky = [
        f
        for f in fates
        if f.band in (Band.HIGH, Band.VERY_HIGH) and f.mappa_level == 1 and not f.planted
    ]
    for fate in _take(rng, risky, wanted):
        fate.mappa_level = 2
        if fate in free:
            free.remove(fate)


def _overdue(rng: random.Random, story: OffenderStory, fates: list[Fate], free: list) -> None:
    """Decide what is overdue at the end of the story (offenders.yaml, overdue)."""
    odue = story.overdue
    for fate in fates:
        if fate.status == Status.WANTED:
            fate.overdue_visit = True  # the doors go unanswered
        elif fate.status == Status.ACTIVE and not fate.unassessed:
            fate.overdue_visit = rng.random() < min(0.9, odue.visits * fate.factor)
            fate.overdue_review = rng.random() < min(0.9, odue.reviews * fate.factor)
    demo = [f for f in free if f.manager == username_for(Role.OFFENDER_MANAGER)]
    if demo and not any(f.overdue_visit for f in fates if f.manager == demo[0].manager):
        demo[0].overdue_visit = True  # the demo manager has something to catch up on
    registered = [f for f in free if f.category == 1 and not f.unassessed]
    for fate in _take(rng, registered, odue.renotifications):
        fate.lapsed = True
    kinds = (N.CHANGE.value, N.STAY_7_DAYS.value)
    for i, fate in enumerate(_take(rng, registered, odue.pending)):
        fate.pending = kinds[i % len(kinds)]
    for fate in _take(rng, registered, 1):
        fate.travel_ahead = True
