"""A month in the life of a county line, as the agencies around it record it.

The rates (scenario.yaml, lines.rates) say how often each part of a line meets each kind
of event; the builders below say what such an event looks like for a line member. The
shares written into the builders (how often a search finds drugs, a runner travels with
another) are texture: no rule of the system is tuned to them. Nothing written here names
the line: agencies record what they saw, and the truth stays in the labels.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from safeguard.demo import chance, incidents
from safeguard.demo.context import Context
from safeguard.demo.incidents import CARRIED, SEIZED, K, R
from safeguard.demo.ledger import ObjectSpec
from safeguard.demo.lines import RUNNERS, Line, Member
from safeguard.demo.population import Place
from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE, age_on

Builder = Callable[[Context, Line, Member, int], datetime | None]


def month(ctx: Context, line: Line, index: int) -> None:
    """Write one month of a line's events."""
    rates = ctx.story.lines.rates
    for member in line.active(index):
        for kind, rate in getattr(rates, member.part).items():
            for _ in range(chance.poisson(ctx.rng, rate * member.activity)):
                _record(ctx, member, BUILDERS[kind](ctx, line, member, index))
        if member.part in RUNNERS and member.joined == index:
            # The recruitment trip: every runner is seen at least once in their line's work.
            _record(ctx, member, _journey(ctx, line, member, index))
    for _ in range(chance.poisson(ctx.rng, rates.line[K.INTELLIGENCE_REPORT])):
        _intelligence(ctx, line, index)


def _record(ctx: Context, member: Member, when: datetime | None) -> None:
    """Count a line event that a child runner took part in while under 18."""
    if when is not None and member.part == "child_runner":
        age = age_on(member.who.dob, when)
        if age is not None and age < ADULT_AGE:
            member.who.child_line_events += 1


def _where_in(ctx: Context, line: Line, town: str) -> Place:
    """Return a trap house of the line in `town` if it has one, else a street there."""
    traps = [t.place for t in line.traps if t.place.town == town]
    if traps and ctx.rng.random() < 0.5:
        return ctx.rng.choice(traps)
    return ctx.places.street(town)


def _station_of(ctx: Context, town: str, force: str) -> str:
    stations = ctx.gaz.stations_in(town)
    if stations:
        return stations[0].name
    return ctx.gaz.routes[force][-1] if force in ctx.gaz.routes else ctx.gaz.stations[0].name


def _journey(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng = ctx.rng
    target = rng.choice(line.targets)
    force = ctx.force(target)
    hub = _station_of(ctx, line.hub.city, line.force)
    away = _station_of(ctx, target, force)
    origin, destination = (away, hub) if member.local else (hub, away)
    if rng.random() < 0.4:
        origin, destination = destination, origin
    when = ctx.when(index, (6, 23))
    if rng.random() < 0.12:
        place = ctx.places.train(origin, destination)
    else:
        seen = rng.choice([origin, *ctx.gaz.routes.get(force, ()), destination])
        place = ctx.places.station(seen)
    travellers = [member.who]
    others = [r for r in line.runners if r is not member and r.joined <= index]
    if others and rng.random() < 0.25:
        travellers.append(rng.choice(others).who)
    incidents.journey(ctx, travellers, when, place, origin, destination, with_ticket=0.7)
    return when


def _missing(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng = ctx.rng
    when = ctx.when(index, (16, 23))
    found = None
    if rng.random() < ctx.story.lines.found_out_of_area:
        town = rng.choice(line.targets)
        roll = rng.random()
        if roll < 0.4:
            place = _where_in(ctx, line, town)
        elif roll < 0.7 and ctx.gaz.stations_in(town):
            place = ctx.places.station(ctx.gaz.stations_in(town)[0].name)
        else:
            place = ctx.places.street(town)
        found = (town, place)
    text = rng.choice(ctx.words.phrases.found)
    hours = rng.randint(8, 96)
    incidents.missing_episode(ctx, member.who, when, hours=hours, found=found, found_text=text)
    return when if ctx.fits(K.MISSING_EPISODE, member.who, when) else None


def _found_items(ctx: Context, agency: str, member: Member) -> tuple[list[ObjectSpec], bool]:
    """Return what a search of a line member finds, and whether it includes drugs."""
    rng, who = ctx.rng, member.who
    if member.part == "user":
        if rng.random() < 0.4:
            return [(incidents.wraps(ctx, agency, 1, 3), who, CARRIED)], True
        return [], False
    found: list[ObjectSpec] = []
    drugs = rng.random() < 0.35
    if drugs:
        found.append((incidents.wraps(ctx, agency), who, CARRIED))
    if rng.random() < 0.3:
        found.append((incidents.cash(ctx, agency, rng.randint(5, 80) * 1000), who, CARRIED))
    if len(member.phones) > 1 and rng.random() < 0.3:
        found.extend((phone, who, CARRIED) for phone in member.phones)
    if rng.random() < 0.05:
        found.append((incidents.knife(ctx, agency), who, CARRIED))
    return found, drugs


def _stop_search(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng = ctx.rng
    if member.part in ("controller", "lieutenant"):
        town = line.hub.city
    elif member.part == "user" or not member.local:
        town = rng.choice(line.targets)
    else:
        town = member.who.town
    if member.part in RUNNERS and rng.random() < 0.3 and ctx.gaz.stations_in(town):
        agency, place = "btp", ctx.places.station(ctx.gaz.stations_in(town)[0].name)
    else:
        agency, place = ctx.force(town), ctx.places.street(town)
    when = ctx.when(index, (10, 23))
    if not ctx.fits(K.STOP_SEARCH, member.who, when):
        return None
    found, drugs = _found_items(ctx, agency, member)
    outcome = (
        "Arrest"
        if drugs and member.part != "user"
        else ("Community resolution" if found else rng.choice(ctx.words.stop_search.nothing_found))
    )
    incidents.stop_search(
        ctx,
        agency,
        member.who,
        when,
        place,
        object_of_search="Controlled drugs",
        found=found,
        outcome=outcome,
    )
    if outcome == "Arrest":
        seized = [(target, holder, SEIZED) for target, holder, _ in found]
        _arrest_with(ctx, member, agency, when + timedelta(minutes=15), place, seized, town)
    return when


def _arrest(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng = ctx.rng
    town = rng.choice(line.targets) if not member.local else member.who.town
    agency = ctx.force(town)
    place = _where_in(ctx, line, town)
    when = ctx.when(index)
    if not ctx.fits(K.ARREST, member.who, when):
        return None
    seized: list[ObjectSpec] = [(incidents.wraps(ctx, agency, 10, 60), member.who, SEIZED)]
    if rng.random() < 0.6:
        seized.append(
            (incidents.cash(ctx, agency, rng.randint(10, 150) * 1000), member.who, SEIZED)
        )
    if rng.random() < 0.25:
        seized.append((line.deal_phone(index), member.who, SEIZED))
    if rng.random() < 0.08:
        seized.append((incidents.knife(ctx, agency), member.who, SEIZED))
    return _arrest_with(ctx, member, agency, when, place, seized, town)


def _arrest_with(
    ctx: Context,
    member: Member,
    agency: str,
    when: datetime,
    place: Place,
    seized: list[ObjectSpec],
    town: str,
) -> datetime | None:
    if not ctx.fits(K.ARREST, member.who, when):
        return None
    child = (age_on(member.who.dob, when) or ADULT_AGE) < ADULT_AGE
    shares = ctx.story.lines.charged
    offence = ctx.words.offences.possession if member.part == "user" else ctx.words.offences.supply
    _, charged = incidents.arrest(
        ctx,
        agency,
        member.who,
        when,
        place,
        offence=offence,
        seized=seized,
        victim=child,
        charge_chance=shares["child"] if child else shares["adult"],
        custody_town=town,
    )
    yjs = ctx.gaz.serving("youth_justice", member.who.town)
    later = when + timedelta(days=ctx.rng.randint(14, 40))
    if charged and child and yjs and later.date() < ctx.end:
        text = ctx.rng.choice(ctx.words.phrases.youth_justice)
        incidents.concern(ctx, member.who, later, text, agency=yjs)
    return when


def _school(kind: v.EventKind) -> Builder:
    def build(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
        when = ctx.when(index, (9, 15), weekdays=True)
        return when if incidents.school_event(ctx, kind, member.who, when) else None

    return build


def _hospital(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng = ctx.rng
    when = ctx.when(index)
    complaints = ctx.words.complaints
    if member.part == "cuckooed_resident":
        town, complaint = member.who.town, rng.choice(complaints.resident)
    elif member.part == "user":
        town, complaint = member.who.town, "Overdose"
    else:
        town = rng.choice(line.targets) if rng.random() < 0.6 else member.who.town
        complaint = rng.choice(complaints.line)
    return when if incidents.hospital(ctx, member.who, when, town, complaint) else None


def _concern(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    rng, phrases = ctx.rng, ctx.words.phrases
    when = ctx.when(index, (8, 20))
    if member.part == "cuckooed_resident":
        incidents.concern(
            ctx,
            member.who,
            when,
            rng.choice(phrases.resident_concern),
            agency=ctx.force(member.who.town),
            attributes={"concern": "welfare"},
        )
        return when
    text = rng.choice(phrases.line_concern).format(town=rng.choice(line.targets))
    done = incidents.concern(ctx, member.who, when, text, reporter=member.who.guardian)
    return when if done is not None else None


def _crime(ctx: Context, line: Line, member: Member, index: int) -> datetime | None:
    when = ctx.when(index)
    home = ctx.home_of(member.who)
    if home is None:
        return None
    incidents.crime_report(ctx, member.who, when, home, "Violence and sexual offences", R.VICTIM)
    return when


def _intelligence(ctx: Context, line: Line, index: int) -> None:
    rng, led = ctx.rng, ctx.ledger
    town = rng.choice(line.targets)
    agency = line.force if rng.random() < 0.5 else ctx.force(town)
    pool = [m for m in (*line.leaders(), *line.runners, *line.runners) if m.joined <= index]
    subjects = list(dict.fromkeys(rng.choice(pool) for _ in range(rng.randint(1, 3))))
    first = subjects[0].who
    when = ctx.when(index, (8, 22))
    # The first phrase says the subject runs the line: only for a controller or lieutenant.
    phrases = ctx.words.phrases.intelligence
    if subjects[0].part in RUNNERS:
        phrases = phrases[1:]
    report = led.event(
        agency,
        K.INTELLIGENCE_REPORT,
        when,
        people=[(m.who, R.SUBJECT) for m in subjects],
        summary=rng.choice(phrases).format(
            name=first.nickname or first.given, brand=line.brand, origin=line.hub.city, town=town
        ),
        grading=rng.choice(ctx.words.gradings),
    )
    day = when.date()
    for a, b in zip(subjects, subjects[1:], strict=False):
        led.link(
            agency,
            v.LinkKind.ASSOCIATE,
            led.person(a.who, agency),
            led.person(b.who, agency),
            valid_from=day,
            confidence=round(rng.uniform(0.5, 0.9), 2),
            event=report,
        )
    for m in subjects:
        _record(ctx, m, when)
        traps = [t.place for t in line.traps if t.place.town == town]
        if traps and m.part in (*RUNNERS, "lieutenant") and rng.random() < 0.3:
            kind = v.LinkKind.FREQUENTS if m.part == "lieutenant" else v.LinkKind.STAYS_AT
            led.link(
                agency,
                kind,
                led.person(m.who, agency),
                led.place(rng.choice(traps)),
                valid_from=day,
                confidence=0.7,
                event=report,
            )
        if m.part in RUNNERS and rng.random() < 0.3:
            led.link(
                agency,
                v.LinkKind.USES_PHONE,
                led.person(m.who, agency),
                led.phone(rng.choice(m.phones), agency),
                valid_from=day,
                confidence=0.7,
                event=report,
            )


BUILDERS: dict[v.EventKind, Builder] = {
    K.JOURNEY: _journey,
    K.MISSING_EPISODE: _missing,
    K.STOP_SEARCH: _stop_search,
    K.ARREST: _arrest,
    K.SCHOOL_ATTENDANCE: _school(K.SCHOOL_ATTENDANCE),
    K.SCHOOL_EXCLUSION: _school(K.SCHOOL_EXCLUSION),
    K.HOSPITAL_ATTENDANCE: _hospital,
    K.CONCERN: _concern,
    K.CRIME_REPORT: _crime,
}
