"""The ordinary population: families whose contact with agencies has nothing to do with a line.

Most people are never recorded; some are, for the reasons most people are (a sprained wrist,
a burglary, a late-night argument). A troubled few are recorded often, go missing or are
excluded from school, and are not exploited: they are why the signal is not trivial.
"""

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from safeguard.demo import chance, incidents
from safeguard.demo.context import Context
from safeguard.demo.incidents import K, R
from safeguard.demo.population import Household, Individual
from safeguard.intake.schema import SourceIn
from safeguard.records import vocabulary as v

Builder = Callable[[Context, Individual, int], None]
# Events between hand-overs of the buffered records. Few, so that records do not sit in the
# buffer long enough to be promoted to the collector's older generations (which are then
# scanned often, at a cost that grows with the world).
_DRAIN_EVERY = 50
# Children in care are reported missing and seen by agencies more often than most
# (DOMAIN.md section 3 lists being in care as a vulnerability factor).
_LOOKED_AFTER_FACTOR = 3.0


@dataclass
class Group:
    """People drawn from for events, each as likely as their propensity says."""

    people: list[Individual] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def add(self, who: Individual) -> None:
        """Add someone to the group."""
        self.people.append(who)
        self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + who.propensity)

    @property
    def weight(self) -> float:
        """Return the sum of propensities."""
        return self.cumulative[-1] if self.cumulative else 0.0


@dataclass
class Population:
    children: Group = field(default_factory=Group)
    adults: Group = field(default_factory=Group)


def populate(ctx: Context) -> Population:
    """Return the ordinary households of the world, without writing a record."""
    cfg, rng, on, people = ctx.story.ordinary, ctx.rng, ctx.start, ctx.people
    inhabited = [t for t in ctx.gaz.towns if t.households > 0]
    towns = [t.name for t in inhabited]
    weights = list(itertools.accumulate(t.households for t in inhabited))
    sizes = range(len(cfg.children))
    size_weights = list(itertools.accumulate(cfg.children))
    tiers = [(tier.share, tier.factor) for tier in cfg.troubled]
    population = Population()
    for _ in range(ctx.scale.households):
        town = chance.weighted(rng, towns, weights)
        home = Household(town=town)
        family = people.family_name()
        children = chance.weighted(rng, sizes, size_weights)
        ages = (24, 55) if children else (18, 85)
        for i in range(chance.between(rng, cfg.adults)):
            adult = people.new(
                ages, on, home, family=family if i == 0 or rng.random() < 0.7 else ""
            )
            adult.propensity = _propensity(rng, tiers)
            home.adults.append(adult)
            population.adults.add(adult)
        for _ in range(children):
            child = people.new((0, 17), on, home, family=family)
            child.propensity = _propensity(rng, tiers)
            if rng.random() < cfg.looked_after_share:
                child.household = ctx.care_home(town)
                child.flags = (v.PersonFlag.LOOKED_AFTER_CHILD,)
                child.propensity *= _LOOKED_AFTER_FACTOR
            population.children.add(child)
    return population


def _propensity(rng: random.Random, tiers: list[tuple[float, float]]) -> float:
    """Return how often someone meets agencies: 1, or a troubled tier's (share, factor)."""
    roll = rng.random()
    for share, factor in tiers:
        if roll < share:
            return factor
        roll -= share
    return 1.0


def month(ctx: Context, population: Population, index: int) -> Iterator[SourceIn]:
    """Yield the records of one month of ordinary events."""
    rates = ctx.story.ordinary.rates
    done = 0
    for group, table in ((population.children, rates.child), (population.adults, rates.adult)):
        if not group.people:
            continue
        for kind, rate in table.items():
            n = chance.poisson(ctx.rng, rate * group.weight)
            build = BUILDERS[kind]
            for who in ctx.rng.choices(group.people, cum_weights=group.cumulative, k=n):
                build(ctx, who, index)
                done += 1
                if done % _DRAIN_EVERY == 0:
                    yield from ctx.ledger.drain()
    yield from ctx.ledger.drain()


def _school(kind: v.EventKind) -> Builder:
    def build(ctx: Context, who: Individual, index: int) -> None:
        incidents.school_event(ctx, kind, who, ctx.when(index, (9, 15), weekdays=True))

    return build


def _missing(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    found = None
    if rng.random() < ctx.story.ordinary.found_out_of_area:
        town = chance.pick(
            rng, [t.name for t in ctx.gaz.towns if t.households > 0 and t.name != who.town]
        )
        found = (town, ctx.places.street(town))
    incidents.missing_episode(
        ctx,
        who,
        ctx.when(index, (15, 23)),
        hours=chance.between(rng, (3, 48)),
        found=found,
        found_text=chance.pick(rng, ctx.words.phrases.found),
    )


def _hospital(ctx: Context, who: Individual, index: int) -> None:
    complaint = chance.pick(ctx.rng, ctx.words.complaints.ordinary)
    incidents.hospital(ctx, who, ctx.when(index), who.town, complaint)


def _concern(ctx: Context, who: Individual, index: int) -> None:
    text = chance.pick(ctx.rng, ctx.words.phrases.ordinary_concern)
    incidents.concern(ctx, who, ctx.when(index, (8, 20)), text, reporter=who.guardian)


def _stop_search(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    when = ctx.when(index, (10, 23))
    if not ctx.fits(K.STOP_SEARCH, who, when):
        return
    stations = ctx.gaz.stations_in(who.town)
    if stations and rng.random() < 0.1:
        agency, place = "btp", ctx.places.station(stations[0].name)
    else:
        agency, place = ctx.force(who.town), ctx.places.street(who.town)
    sought = chance.pick(rng, list(ctx.words.stop_search.legislation))
    found = []
    outcome = chance.pick(rng, ctx.words.stop_search.nothing_found)
    if sought == "Controlled drugs" and rng.random() < 0.1:
        cannabis = ctx.ledger.item(
            agency,
            v.ItemKind.DRUGS,
            "Small bag of cannabis",
            drug_class="B",
            substance="cannabis",
            quantity=round(rng.uniform(0.5, 3.5), 1),
            unit="g",
        )
        found, outcome = [(cannabis, who, incidents.SEIZED)], "Khat or Cannabis warning"
    incidents.stop_search(
        ctx, agency, who, when, place, object_of_search=sought, found=found, outcome=outcome
    )


def _crime(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    when = ctx.when(index)
    if not ctx.fits(K.CRIME_REPORT, who, when):
        return
    place = ctx.home_of(who) if rng.random() < 0.5 else ctx.places.street(who.town)
    if place is None:
        return
    incidents.crime_report(ctx, who, when, place, chance.pick(rng, ctx.words.crime_types), R.VICTIM)


def _journey(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    when = ctx.when(index, (7, 22))
    stations = ctx.gaz.stations_in(who.town)
    if not stations or not ctx.fits(K.JOURNEY, who, when):
        return
    origin = stations[0].name
    destination = chance.pick(rng, [s.name for s in ctx.gaz.stations if s.name != origin])
    incidents.journey(
        ctx,
        [who],
        when,
        ctx.places.station(origin),
        origin,
        destination,
        with_ticket=0.3,
        attributes={"reason": "travelling without a valid ticket"},
    )


def _domestic_abuse(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    when = ctx.when(index, (18, 23))
    home = ctx.home_of(who)
    if home is None or not ctx.fits(K.DOMESTIC_ABUSE, who, when):
        return
    partner = (
        next((a for a in who.household.adults if a is not who), None) if who.household else None
    )
    if partner is None:
        elsewhere = Household(town=who.town)
        partner = ctx.people.new((20, 60), ctx.start, elsewhere)
        elsewhere.adults.append(partner)
    ctx.ledger.event(
        ctx.force(who.town),
        K.DOMESTIC_ABUSE,
        when,
        place=home,
        people=[(who, R.VICTIM), (partner, R.SUSPECT)],
        attributes={"dash_risk": chance.pick(rng, ("standard", "standard", "medium", "high"))},
    )


def _arrest(ctx: Context, who: Individual, index: int) -> None:
    rng = ctx.rng
    when = ctx.when(index)
    if not ctx.fits(K.ARREST, who, when):
        return
    incidents.arrest(
        ctx,
        ctx.force(who.town),
        who,
        when,
        ctx.places.street(who.town),
        offence=chance.pick(rng, ctx.words.offences.ordinary),
        seized=[],
        victim=False,
        charge_chance=ctx.story.ordinary.charged,
        custody_town=who.town,
    )


BUILDERS: dict[v.EventKind, Builder] = {
    K.SCHOOL_ATTENDANCE: _school(K.SCHOOL_ATTENDANCE),
    K.SCHOOL_EXCLUSION: _school(K.SCHOOL_EXCLUSION),
    K.MISSING_EPISODE: _missing,
    K.HOSPITAL_ATTENDANCE: _hospital,
    K.CONCERN: _concern,
    K.STOP_SEARCH: _stop_search,
    K.CRIME_REPORT: _crime,
    K.JOURNEY: _journey,
    K.DOMESTIC_ABUSE: _domestic_abuse,
    K.ARREST: _arrest,
}
