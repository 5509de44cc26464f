"""The kinds of thing that happen to people, written as the agency concerned records them.

Line members and ordinary people go through the same functions, so an exploited child's
missing episode looks like any other: what tells them apart is the pattern, not the form.
"""

from datetime import datetime, timedelta

from safeguard.demo import chance
from safeguard.demo.context import Context
from safeguard.demo.ledger import EventRef, ObjectSpec
from safeguard.demo.population import Individual, Place
from safeguard.intake.schema import RefTo
from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE, age_on

K = v.EventKind
R = v.Role
SEIZED, CARRIED = v.ObjectRole.SEIZED, v.ObjectRole.CARRIED


# -- objects -------------------------------------------------------------------------------


def wraps(ctx: Context, agency: str, low: int = 5, high: int = 40) -> RefTo:
    """Record street deals of a Class A drug, counted in wraps."""
    substance = chance.pick(ctx.rng, ctx.words.drugs.wraps)
    n = chance.between(ctx.rng, (low, high))
    return ctx.ledger.item(
        agency,
        v.ItemKind.DRUGS,
        f"{n} wraps of {substance}",
        drug_class="A",
        substance=substance,
        quantity=n,
        unit="wraps",
    )


def bulk(ctx: Context, agency: str, grams: tuple[int, int]) -> RefTo:
    """Record a Class A drug by weight."""
    substance = chance.pick(ctx.rng, ctx.words.drugs.bulk)
    g = float(chance.between(ctx.rng, grams))
    return ctx.ledger.item(
        agency,
        v.ItemKind.DRUGS,
        f"{g:.0f} g of {substance}",
        drug_class="A",
        substance=substance,
        quantity=g,
        unit="g",
    )


def cash(ctx: Context, agency: str, pence: int) -> RefTo:
    """Record cash."""
    return ctx.ledger.item(
        agency, v.ItemKind.CASH, f"£{pence / 100:,.2f} in cash", amount_pence=pence
    )


def knife(ctx: Context, agency: str) -> RefTo:
    """Record a bladed weapon."""
    return ctx.ledger.item(agency, v.ItemKind.WEAPON, "Kitchen knife", weapon_type="knife")


def ticket(ctx: Context, agency: str, origin: str, destination: str, when: datetime) -> RefTo:
    """Record a rail ticket."""
    return ctx.ledger.item(
        agency,
        v.ItemKind.TICKET,
        f"Single, {origin} to {destination}",
        from_station=origin,
        to_station=destination,
        travel_date=when.date(),
    )


# -- events --------------------------------------------------------------------------------


def missing_episode(
    ctx: Context,
    who: Individual,
    when: datetime,
    *,
    hours: int,
    found: tuple[str, Place] | None,
    found_text: str = "",
) -> EventRef | None:
    """Record a missing episode reported by the person's parent or carer, and where they were found.

    Returns the found_out_of_area event when there is one.
    """
    home = ctx.home_of(who)
    if home is None or not ctx.fits(K.MISSING_EPISODE, who, when):
        return None
    ended = min(when + timedelta(hours=hours), datetime.combine(ctx.end, datetime.min.time()))
    people = [(who, R.MISSING_PERSON)]
    if who.guardian is not None:
        people.append((who.guardian, R.REPORTER))
    risk = "high" if hours > 48 else chance.pick(ctx.rng, ("medium", "medium", "low"))
    force = ctx.force(who.town)
    ctx.ledger.event(
        force,
        K.MISSING_EPISODE,
        when,
        place=home,
        people=people,
        ended_at=max(ended, when),
        attributes={
            "risk": risk,
            "reported_by": "carer" if home.kind == v.LocationKind.CARE_HOME else "parent",
        },
    )
    if found is None:
        return None
    town, place = found
    seen = when + timedelta(hours=chance.between(ctx.rng, (2, max(2, hours - 1))))
    distance = round(chance.distance_km((home.lat or 0, home.lon or 0), _point(ctx, place, town)))
    summary = found_text.format(place=place.name or f"an address in {town}", distance=distance)
    return ctx.ledger.event(
        ctx.force(town),
        K.FOUND_OUT_OF_AREA,
        min(seen, ended),
        place=place,
        people=[(who, R.MISSING_PERSON)],
        summary=summary,
        attributes={"home_force": force, "distance_km": distance},
    )


def _point(ctx: Context, place: Place, town: str) -> tuple[float, float]:
    if place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    t = ctx.gaz.town(town)
    return t.lat, t.lon


def stop_search(
    ctx: Context,
    agency: str,
    who: Individual,
    when: datetime,
    place: Place,
    *,
    object_of_search: str,
    found: list[ObjectSpec],
    outcome: str,
) -> EventRef:
    """Record a stop and search with what it found and its outcome."""
    legislation = ctx.words.stop_search.legislation.get(object_of_search, "")
    return ctx.ledger.event(
        agency,
        K.STOP_SEARCH,
        when,
        place=place,
        people=[(who, R.SUBJECT)],
        objects=found,
        attributes={
            "object_of_search": object_of_search,
            "legislation": legislation,
            "outcome": outcome,
            "outcome_linked_to_object": bool(found),
        },
    )


def arrest(
    ctx: Context,
    agency: str,
    who: Individual,
    when: datetime,
    place: Place,
    *,
    offence: str,
    seized: list[ObjectSpec],
    victim: bool,
    charge_chance: float,
    attributes: dict | None = None,
    custody_town: str = "",
) -> tuple[EventRef, bool]:
    """Record an arrest, the detention in custody that follows and, by chance, a charge.

    A coerced child is recorded as suspect and victim of the same event (DESIGN.md data
    model). Returns the arrest's ref and whether the person was charged.
    """
    extra = dict(attributes or {})
    people = [(who, R.SUSPECT)] + ([(who, R.VICTIM)] if victim else [])
    ref = ctx.ledger.event(
        agency,
        K.ARREST,
        when,
        place=place,
        people=people,
        objects=seized,
        attributes={"offence": offence, **extra},
    )
    force = agency if agency != "btp" else ctx.force(place.town or custody_town or "Liverpool")
    suite = ctx.custody(force, custody_town or place.town)
    charged = ctx.rng.random() < charge_chance
    booked = when + timedelta(minutes=chance.between(ctx.rng, (30, 120)))
    hours = chance.between(ctx.rng, (4, 20))
    ctx.ledger.event(
        agency,
        K.CUSTODY,
        booked,
        place=suite,
        people=[(who, R.SUSPECT)],
        ended_at=booked + timedelta(hours=hours),
        attributes={"outcome": "charged" if charged else "released under investigation", **extra},
    )
    if charged:
        ctx.ledger.event(
            agency,
            K.CHARGE,
            booked + timedelta(hours=hours - 1),
            place=suite,
            people=[(who, R.SUSPECT)],
            attributes={"offence": offence, **extra},
        )
        if ctx.ledger.last_event_names_a_child():
            # Completed in the minute before the charge, on everything known by then (the
            # custody record, a parent's or an officer's concern raised meanwhile).
            charged_at = booked + timedelta(hours=hours - 1)
            _charging_review(ctx, charged_at - timedelta(minutes=1), offence, victim)
    return ref, charged


# Who reviews and who signs off, by the hour of the review: fixed, so that no draw of the
# world's random source is spent on them (the rest of the world stays the same).
_REVIEWERS = ("DS Amira Khan", "DS Tom Whitfield", "DS Grace Okafor", "DS Liam Doyle")
_SIGNERS = ("DI Helen Price", "DI Marcus Reid")


def _charging_review(ctx: Context, at: datetime, offence: str, victim: bool) -> None:
    """Record the charging review that must precede a charge of a child (safeguarding/charging.py).

    The demo force reviews every child it charges and has the decision signed off. Where the
    child is a victim of the line, the review says so and still decides to charge: the
    inspection finding the demo must show, counted as charged despite indicators.
    """
    if victim:
        rationale = (
            "Signs of criminal exploitation noted and the NRM referral considered. The evidence "
            "does not show that this offence was a direct consequence of the exploitation "
            "(s45(4)(b)); prosecution judged to be in the public interest."
        )
    else:
        rationale = (
            "No reason to believe the child is a victim of exploitation in relation to this "
            "offence; prosecution is in the public interest."
        )
    ctx.ledger.review_before_last_event(
        proposed="charge",
        offence=offence,
        completed_at=at,
        reason_to_believe_victim=victim,
        duress=False,
        under_18_at_offence=True,
        direct_consequence=False,
        reasonable_person=False,
        public_interest=True,
        decision="charge",
        rationale=rationale,
        reviewer_name=_REVIEWERS[at.hour % len(_REVIEWERS)],
        supervisor_name=_SIGNERS[at.hour % len(_SIGNERS)],
        signed_off_at=at + timedelta(seconds=30),
    )


def school_event(ctx: Context, kind: v.EventKind, who: Individual, when: datetime) -> bool:
    """Record an attendance concern or an exclusion at the child's school."""
    school_code = ctx.gaz.serving("school", who.town)
    if school_code is None or not ctx.fits(kind, who, when):
        return False
    school = ctx.gaz.school(school_code)
    place = ctx.places.named(
        school.code, v.LocationKind.SCHOOL, school.name, school.town, school.code
    )
    if kind == K.SCHOOL_EXCLUSION:
        permanent = ctx.rng.random() < 0.08
        attributes = {
            "exclusion": "permanent" if permanent else "suspension",
            "days": 0 if permanent else chance.between(ctx.rng, (1, 5)),
            "reason": chance.pick(ctx.rng, ctx.words.exclusion_reasons),
        }
    else:
        attributes = {"attendance_percent": chance.between(ctx.rng, (45, 88))}
    ctx.ledger.event(
        school.code, kind, when, place=place, people=[(who, R.SUBJECT)], attributes=attributes
    )
    return True


def hospital(ctx: Context, who: Individual, when: datetime, town: str, complaint: str) -> bool:
    """Record an attendance at the emergency department of the hospital serving a town."""
    body = ctx.gaz.serving("health", town) or ctx.gaz.serving("health", who.town)
    if body is None or not ctx.fits(K.HOSPITAL_ATTENDANCE, who, when):
        return False
    hospitals = ctx.gaz.hospitals_of(body)
    chosen = next((h for h in hospitals if h.town == town), hospitals[0])
    place = ctx.places.named(
        chosen.name,
        v.LocationKind.HOSPITAL,
        chosen.name,
        chosen.town,
        body,
        (chosen.lat, chosen.lon),
    )
    assault = complaint in ctx.words.complaints.assault
    ctx.ledger.event(
        body,
        K.HOSPITAL_ATTENDANCE,
        when,
        place=place,
        people=[(who, R.VICTIM if assault else R.SUBJECT)],
        attributes={
            "presenting_complaint": complaint,
            "arrival": chance.pick(ctx.rng, ("ambulance", "self", "self", "police")),
            "age_band": "child" if (age_on(who.dob, when) or 0) < ADULT_AGE else "adult",
        },
    )
    return True


def concern(
    ctx: Context,
    who: Individual,
    when: datetime,
    text: str,
    *,
    agency: str = "",
    reporter: Individual | None = None,
    attributes: dict | None = None,
) -> EventRef | None:
    """Record a concern about a child (to their children's services unless `agency` is given)."""
    if not agency and not ctx.fits(K.CONCERN, who, when):
        return None
    agency = agency or ctx.childrens_services(who.town)
    people = [(who, R.SUBJECT)] + ([(reporter, R.REPORTER)] if reporter is not None else [])
    return ctx.ledger.event(
        agency,
        K.CONCERN,
        when,
        place=ctx.home_of(who),
        people=people,
        summary=text,
        attributes=attributes or {},
    )


def journey(
    ctx: Context,
    travellers: list[Individual],
    when: datetime,
    place: Place,
    origin: str,
    destination: str,
    *,
    with_ticket: float,
    attributes: dict | None = None,
) -> EventRef:
    """Record people seen travelling by rail (BTP), their tickets and who travelled together."""
    objects: list[ObjectSpec] = [
        (ticket(ctx, "btp", origin, destination, when), who, CARRIED)
        for who in travellers
        if ctx.rng.random() < with_ticket
    ]
    event = ctx.ledger.event(
        "btp",
        K.JOURNEY,
        when,
        place=place,
        people=[(w, R.TRAVELLER) for w in travellers],
        objects=objects,
        attributes={"from_station": origin, "to_station": destination, **(attributes or {})},
    )
    for first, second in zip(travellers, travellers[1:], strict=False):
        ctx.ledger.link(
            "btp",
            v.LinkKind.TRAVELLED_WITH,
            ctx.ledger.person(first, "btp"),
            ctx.ledger.person(second, "btp"),
            valid_from=when.date(),
            valid_to=when.date(),
            event=event,
        )
    return event


def crime_report(
    ctx: Context, who: Individual, when: datetime, place: Place, crime_type: str, role: v.Role
) -> EventRef:
    """Record a crime reported to the police of the place."""
    return ctx.ledger.event(
        ctx.force(place.town or who.town),
        K.CRIME_REPORT,
        when,
        place=place,
        people=[(who, role)],
        attributes={"crime_type": crime_type},
    )
