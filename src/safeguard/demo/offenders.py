"""Write the demo world's registered offenders: the unit's staff, each offender's person record
(through intake, like every other demo record), the offenders and their histories.

offender_register plans them (pure); this module writes what it plans, after the world's
records are stored and before its network is analysed (demo.loading), so that the analysis
sees the offenders who are members of a line. Some are tied to the world on purpose: two
live at the home of an ordinary family with a child, one is joined to a child by a household
link, and older members of county lines are registered as violent offenders (on their own
records, which the world made). Loading again creates nothing: the people go through intake
(recorded again, skipped), staff and offenders are found by username and (force, reference),
and an offender's history is written only with the offender.
"""

import dataclasses
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model

from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.demo.accounts import create_account
from safeguard.demo.ledger import Ledger
from safeguard.demo.noise import Misspeller
from safeguard.demo.offender_history import PlannedNotice, PlannedOffender
from safeguard.demo.offender_register import Register, plan
from safeguard.demo.offender_story import HOUSEHOLD_LINK, LINE, SHARES_HOME, UNNOTIFIED, load_story
from safeguard.demo.population import Household, Individual, Place
from safeguard.demo.scenario import load_scenario, load_wording
from safeguard.demo.world import World
from safeguard.intake.recording import Summary, record_batch
from safeguard.intake.schema import SourceIn
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    OrderCondition,
    RiskReview,
    Visit,
)
from safeguard.records import vocabulary as v
from safeguard.records.ages import age_on
from safeguard.records.models import Agency, Location, Person

# What the summary counts, besides intake's records: each model with its kind.
HISTORY = {
    "offender_visit": Visit,
    "risk_review": RiskReview,
    "offender_notification": NotificationRecord,
    "order_condition": OrderCondition,
}
# Faithful records: the unit's own records of its offenders are not misspelt or misdated.
_FAITHFUL = {
    "misspelt_name": 0.0,
    "day_month_swapped": 0.0,
    "year_off": 0.0,
    "dob_unknown": 0.0,
    "second_record": 0.0,
}
_FAMILIES_LOOKED_AT = 400  # candidate children for the planted homes, before shuffling


@dataclass
class Ties:
    """What ties planted offenders to the world, by offender reference."""

    homes: dict[str, Place] = field(default_factory=dict)  # a family's home they live at
    children: dict[str, dict[str, str]] = field(default_factory=dict)  # a child's record
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # their own line record


def load(world: World, seed: int) -> Summary:
    """Write the registered offenders of a loaded world; return what was created, by kind.

    Args:
        world: the world whose records were just stored (its people and lines are read).
        seed: the world's seed, which decides the register.

    Returns:
        intake's summary of the people, homes and links, with the offenders and their
        visits, risk reviews, notifications and order conditions counted too.
    """
    scale = world.scale_name if world.scale_name != "custom" else world.ctx.scale
    register = plan(seed, scale)
    force = Agency.objects.get(code=register.force)
    users = _staff(register, force)
    ties = _tie(world, register, seed)
    summary = record_batch(_records(register, ties, seed), source="demo offenders")
    _offenders(register, ties, force, users, summary)
    return summary


def _staff(register: Register, force: Agency) -> dict[str, object]:
    """Return the unit's users by username, creating those missing (none of them can sign
    in, except the demo offender manager once ensure_accounts gives it a password)."""
    usernames = [s.username for s in register.staff]
    found = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    for member in register.staff:
        user = found.get(member.username)
        if user is not None:
            if member.demo:  # made by ensure_accounts before the offenders: join its team
                Membership.objects.filter(user=user, team="").update(team=member.team)
            continue
        role = Role(member.role)
        if member.demo:
            made = create_account(role, None, team=member.team)
        else:  # None: an unusable password (create_user)
            made = create_member(member.username, None, force, role, team=member.team)
        user = found[member.username] = made.user
        user.first_name, user.last_name = member.given, member.family
        user.save(update_fields=["first_name", "last_name"])
    return found


# -- ties to the world -----------------------------------------------------------------------


def _tie(world: World, register: Register, seed: int) -> Ties:
    """Find, in the world, the homes, children and line members the planted offenders need.

    A planted offender with nothing to tie to (a world without a fitting family or line)
    keeps a home of their own, as any other offender.
    """
    story = load_story()
    planted = {o.reference: o.planted for o in register.offenders if o.planted}
    demo = next(s for s in register.staff if s.demo)
    towns = next(t.towns for t in story.teams if t.name == demo.team)
    families = _families(world, towns, register.at, story.planted.child_ages)
    random.Random(f"{seed}:offenders planted").shuffle(families)
    children = _children_on_record(world, families, register.at)
    ties = Ties()
    members = iter(_line_members(world, register.force))
    for reference, kind in planted.items():
        if kind == LINE:
            member = next(members, None)
            if member is not None:
                ties.members[reference] = member
            continue
        found = next(children, None)
        if found is None:
            continue
        home, record = found
        if kind in (SHARES_HOME, UNNOTIFIED):
            ties.homes[reference] = home
        elif kind == HOUSEHOLD_LINK:
            ties.children[reference] = record
    return ties


def _families(
    world: World, towns: tuple[str, ...], at: datetime, ages: tuple[int, int]
) -> list[tuple[Individual, Household]]:
    """Return children of ordinary families in `towns` with a recorded home, up to a few
    hundred, in the order the world made them."""
    found = []
    for who in world.ctx.people.everyone:
        home = who.household
        if (
            who.role == "ordinary"
            and who.records
            and home is not None
            and home.kind == v.LocationKind.HOME
            and home.town in towns
            and home.place is not None
            and home.place.ref is not None
            and who not in home.adults
            and all(adult.role == "ordinary" for adult in home.adults)
            and ages[0] <= age_on(who.dob, at) <= ages[1]
        ):
            found.append((who, home))
            if len(found) == _FAMILIES_LOOKED_AT:
                break
    return found


def _children_on_record(
    world: World, families: list[tuple[Individual, Household]], at: datetime
) -> Iterator[tuple[Place, dict[str, str]]]:
    """Yield each family's home and a record of its child that the system will see as a
    child at `at` (recorded with a date of birth under 18), one family at a time."""
    agency_of = world.ctx.ledger.agency_of
    seen: set[int] = set()
    for child, home in families:
        if id(home) in seen:
            continue
        births = {
            (code, ref): born
            for code, ref, born in Person.objects.filter(
                source_ref__in=child.records, date_of_birth__isnull=False
            ).values_list("agency__code", "source_ref", "date_of_birth")
        }
        under_18 = [
            (code, ref)
            for ref in child.records
            if (code := agency_of(ref), ref) in births and age_on(births[code, ref], at) < 18
        ]
        if under_18:
            seen.add(id(home))
            code, ref = under_18[0]
            yield home.place, {"agency": code, "ref": ref}


def _line_members(world: World, force: str) -> list[dict[str, str]]:
    """Return the force's first record of the oldest leader of each of its lines, oldest first.

    A controller or lieutenant old enough to have served a sentence for violence: the
    planted category 2 offenders are registered on these records, which the world's phone
    work and intelligence name (the network analysis finds them in their line).
    """
    agency_of = world.ctx.ledger.agency_of
    oldest = []
    for line in world.lines:
        leaders = [
            m.who
            for m in line.leaders()
            if line.force == force and m.who.records and force in map(agency_of, m.who.records)
        ]
        if leaders:
            oldest.append(min(leaders, key=lambda who: (who.dob, who.id)))
    oldest.sort(key=lambda who: (who.dob, who.id))
    return [
        {"agency": force, "ref": next(r for r in who.records if agency_of(r) == force)}
        for who in oldest
    ]


# -- records ---------------------------------------------------------------------------------


def _records(register: Register, ties: Ties, seed: int) -> list[SourceIn]:
    """Return the person records of the offenders (with their lives_at link, their home's
    record when it is new, and a household link to a planted child), as the demo's ledger
    writes them: refs of the unit's own (MPP-P-000001)."""
    force = register.force
    homes = {
        o.who.id: ties.homes.get(o.reference) or o.who.household.place
        for o in register.offenders
        if o.who.household is not None
    }
    ledger = Ledger(
        random.Random(f"{seed}:offender records"),
        {force: register.prefix},
        load_scenario().noise.model_copy(update=_FAITHFUL),
        Misspeller(load_wording().name_variants),
        lambda who: homes.get(who.id),
        police=[force],
        ethnicity_rng=random.Random(f"{seed}:offender records ethnicity"),
    )
    for offender in register.offenders:
        if offender.reference in ties.members:
            continue
        person = ledger.person(offender.who, force)
        child = ties.children.get(offender.reference)
        if child is not None:
            ledger.link(
                force,
                v.LinkKind.HOUSEHOLD,
                person,
                child,
                valid_from=offender.joined_household,
            )
    return ledger.drain()


def _offenders(
    register: Register, ties: Ties, force: Agency, users: dict, summary: Summary
) -> None:
    """Store the offenders not stored yet, with their histories; count into `summary`."""
    stored = Offender.objects.filter(
        agency=force, reference__in=[o.reference for o in register.offenders]
    )
    existing = set(stored.values_list("reference", flat=True))
    summary.unchanged["offender"] += len(existing)
    for kind, model in HISTORY.items():
        summary.unchanged[kind] += model.objects.filter(offender__in=stored).count()
    new = [o for o in register.offenders if o.reference not in existing]
    summary.created["offender"] += len(new)
    if not new:
        return
    records = {
        o.reference: ties.members.get(o.reference, {}).get("ref") or o.who.records[0] for o in new
    }
    persons = dict(
        Person.objects.filter(agency=force, source_ref__in=records.values()).values_list(
            "source_ref", "id"
        )
    )
    teams = dict(
        Membership.objects.filter(user__username__in=list(users)).values_list(
            "user__username", "team"
        )
    )
    # An offender's team is their manager's (its supervisors are told of what is overdue).
    team_of = {o.reference: teams.get(o.manager, o.team) if o.manager else o.team for o in new}
    Offender.objects.bulk_create(
        Offender(
            **_fields(o, _shared(Offender, PlannedOffender)) | {"team": team_of[o.reference]},
            person_id=persons[records[o.reference]],
            agency=force,
            offender_manager=users[o.manager] if o.manager else None,
        )
        for o in new
    )
    for kind, rows in _histories(register, ties, force, users, new).items():
        HISTORY[kind].objects.bulk_create(rows, batch_size=2000)
        summary.created[kind] += len(rows)


def _histories(
    register: Register, ties: Ties, force: Agency, users: dict, new: list[PlannedOffender]
) -> dict[str, list]:
    """Return the visits, reviews, notifications and conditions of the new offenders, by kind.

    Their manager made the visits and reviews; an unassigned offender's, the first manager
    of their team.
    """
    ids = dict(
        Offender.objects.filter(agency=force, reference__in=[o.reference for o in new]).values_list(
            "reference", "id"
        )
    )
    first_of_team: dict[str, str] = {}
    for member in register.staff:
        if member.role == Role.OFFENDER_MANAGER:
            first_of_team.setdefault(member.team, member.username)
    homes = _home_ids(register, ties)
    made: dict[str, list] = {kind: [] for kind in HISTORY}
    for o in new:
        oid, officer = ids[o.reference], users[o.manager or first_of_team[o.team]]
        made["offender_visit"] += _rows(Visit, oid, o.visits, officer=officer)
        made["risk_review"] += _rows(RiskReview, oid, o.reviews, by=officer)
        made["order_condition"] += _rows(OrderCondition, oid, o.conditions)
        home = homes.get(o.reference)
        made["offender_notification"] += [
            NotificationRecord(
                offender_id=oid,
                location_id=home if n.at_home else None,
                **_fields(n, _shared(NotificationRecord, PlannedNotice)),
            )
            for n in o.notices
        ]
    return made


@cache
def _shared(model: type, planned: type) -> tuple[str, ...]:
    """Return the fields a planned dataclass gives a model as they are: those of one name."""
    names = {f.name for f in model._meta.concrete_fields}
    return tuple(f.name for f in dataclasses.fields(planned) if f.name in names)


def _fields(planned: object, names: tuple[str, ...]) -> dict[str, object]:
    """Return the named fields of a planned thing."""
    return {name: getattr(planned, name) for name in names}


def _rows(model: type, offender_id: int, planned: list, **given: object) -> list:
    """Return a row of `model` for each planned thing of the offender, with `given`."""
    if not planned:
        return []
    names = _shared(model, type(planned[0]))
    return [model(offender_id=offender_id, **_fields(p, names), **given) for p in planned]


def _home_ids(register: Register, ties: Ties) -> dict[str, int]:
    """Return the id of each offender's home Location record, by offender reference."""
    places = {
        o.reference: ties.homes.get(o.reference) or o.who.household.place
        for o in register.offenders
        if o.reference not in ties.members and o.who.household is not None
    }
    keys = {(p.owner, p.ref) for p in places.values()}
    ids = {
        (code, ref): pk
        for code, ref, pk in Location.objects.filter(
            source_ref__in=[ref for _, ref in keys]
        ).values_list("agency__code", "source_ref", "id")
        if (code, ref) in keys
    }
    return {reference: ids[place.owner, place.ref] for reference, place in places.items()}
