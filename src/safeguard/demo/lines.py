"""County lines: who is in each line, its phones and addresses, and what police know at the start.

A line (DOMAIN.md section 2) is planned whole before any record is written: its controller
and lieutenants in the city hub, child and young-adult runners (some recruited locally,
some in care), cuckooed addresses with their vulnerable residents, users in the target
towns, and the deal-line phones that text them. setup() then writes what the investigating
force holds from the outset: the phone work (contacts with counts) and the line's leaders.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from safeguard.demo import chance
from safeguard.demo.context import Context
from safeguard.demo.population import Handset, Household, Individual, Place
from safeguard.demo.scenario import Hub
from safeguard.records import vocabulary as v

F = v.PersonFlag
RUNNERS = ("child_runner", "young_runner")


@dataclass(slots=True, eq=False)
class Member:
    """An individual's part in a line."""

    who: Individual
    part: str  # controller, lieutenant, child_runner, young_runner, cuckooed_resident, user
    joined: int = 0  # month index
    activity: float = 1.0
    phones: list[Handset] = field(default_factory=list)
    local: bool = False


@dataclass(slots=True, eq=False)
class TrapHouse:
    place: Place
    resident: Member


@dataclass(slots=True, eq=False)
class DealPhone:
    handset: Handset
    first: int  # month indexes, inclusive
    last: int


@dataclass(slots=True, eq=False)
class Line:
    id: str
    brand: str
    hub: Hub
    force: str  # the force investigating it: the hub's
    targets: list[str]
    controller: Member
    lieutenants: list[Member] = field(default_factory=list)
    runners: list[Member] = field(default_factory=list)
    traps: list[TrapHouse] = field(default_factory=list)
    users: list[Member] = field(default_factory=list)
    deal_phones: list[DealPhone] = field(default_factory=list)

    def leaders(self) -> list[Member]:
        """Return the controller and lieutenants."""
        return [self.controller, *self.lieutenants]

    def active(self, month: int) -> list[Member]:
        """Return every member taking part in month `month`."""
        residents = [t.resident for t in self.traps]
        return [
            m
            for m in (*self.leaders(), *self.runners, *residents, *self.users)
            if m.joined <= month
        ]

    def deal_phone(self, month: int) -> Handset:
        """Return the deal-line phone in use in month `month`."""
        return next(p.handset for p in self.deal_phones if p.first <= month <= p.last)


def plan(ctx: Context) -> list[Line]:
    """Return the world's county lines with their members (no records are written)."""
    cfg = ctx.story.lines
    brands = list(ctx.words.brands)
    ctx.rng.shuffle(brands)
    user_pool: dict[str, list[Member]] = {}
    lines = []
    for i in range(ctx.scale.lines):
        brand = brands[i % len(brands)] + ("" if i < len(brands) else str(i // len(brands) + 1))
        if i < 3:
            hub, force = cfg.hubs[0], cfg.hubs[0].targets[i % len(cfg.hubs[0].targets)]
        else:
            hub = ctx.rng.choices(cfg.hubs, weights=[h.weight for h in cfg.hubs])[0]
            force = ctx.rng.choice(hub.targets)
        towns = cfg.target_towns[force]
        targets = ctx.rng.sample(
            towns, min(len(towns), chance.between(ctx.rng, cfg.shape["targets"]))
        )
        lines.append(_line(ctx, f"line-{i + 1:02d}", brand, hub, targets, user_pool))
    return lines


def _line(
    ctx: Context,
    line_id: str,
    brand: str,
    hub: Hub,
    targets: list[str],
    user_pool: dict[str, list[Member]],
) -> Line:
    recruit = _Recruiter(ctx, line_id)
    line = Line(
        id=line_id,
        brand=brand,
        hub=hub,
        force=ctx.force(hub.city),
        targets=targets,
        controller=recruit.member("controller", "controller", hub.city),
    )
    cfg, rng, months = ctx.story.lines, ctx.rng, ctx.scale.months
    for _ in range(chance.between(rng, cfg.shape["lieutenants"])):
        line.lieutenants.append(recruit.member("lieutenant", "lieutenant", rng.choice(hub.homes)))
    for part in RUNNERS:
        for _ in range(chance.between(rng, cfg.shape[f"{part}s"])):
            line.runners.append(recruit.runner(part, line))
    for _ in range(chance.between(rng, cfg.shape["cuckooed"])):
        line.traps.append(recruit.cuckooed(rng.choice(targets)))
    for _ in range(chance.between(rng, ctx.scale.users)):
        line.users.append(recruit.user(rng.choice(targets), line, user_pool))
    cuts = sorted(rng.sample(range(1, months), chance.between(rng, cfg.shape["deal_phones"]) - 1))
    for first, last in zip([0, *cuts], [*(c - 1 for c in cuts), months - 1], strict=True):
        handset = Handset(number=ctx.number(), deal_line=True, line_name=brand)
        line.deal_phones.append(DealPhone(handset=handset, first=first, last=last))
    return line


class _Recruiter:
    """Make the members of one line."""

    def __init__(self, ctx: Context, line_id: str):
        self.ctx, self.line_id = ctx, line_id
        self.cfg, self.rng = ctx.story.lines, ctx.rng

    def member(
        self, part: str, ages: str, town: str, joined: int = 0, household: Household | None = None
    ) -> Member:
        """Return a new member; a child runner gets a family home unless `household` is given."""
        ctx = self.ctx
        on = ctx.month(joined)[0]
        child = part == "child_runner"
        home = household or (_family(ctx, town, on) if child else Household(town=town))
        family = home.adults[0].family if child and home.kind == v.LocationKind.HOME else ""
        who = ctx.people.new(self.cfg.ages[ages], on, home, family=family)
        if household is None and not child:
            home.adults.append(who)
        who.role, who.line = _ROLE[part], self.line_id
        if part in _NAMED and self.rng.random() < self.cfg.nickname_share:
            who.nickname = self.rng.choice(ctx.words.nicknames)
        return Member(who=who, part=part, joined=joined, phones=[_phone(ctx)])

    def runner(self, part: str, line: Line) -> Member:
        """Return a runner who joins during the period, from the hub or a target town."""
        cfg, rng = self.cfg, self.rng
        joined = rng.randint(0, max(0, self.ctx.scale.months - 3))
        local = rng.random() < cfg.local_recruit_share
        town = rng.choice(line.targets) if local else rng.choice(line.hub.homes)
        young = part == "child_runner" and rng.random() < cfg.young_child_share
        in_care = part == "child_runner" and rng.random() < cfg.looked_after_share
        care = self.ctx.care_home(town) if in_care else None
        runner = self.member(part, "young_child_runner" if young else part, town, joined, care)
        runner.local, runner.activity = local, rng.choice(cfg.runner_activity)
        if in_care:
            runner.who.flags = (F.LOOKED_AFTER_CHILD,)
        if rng.random() < cfg.second_handset_share:
            runner.phones.append(_phone(self.ctx))
        return runner

    def cuckooed(self, town: str) -> TrapHouse:
        """Return a cuckooed flat in `town` and its vulnerable resident."""
        kinds = self.cfg.recorded_as
        kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
        house = Household(town=town, kind=kind)
        house.place = self.ctx.places.address(town, kind, flat=True)
        resident = self.member("cuckooed_resident", "cuckooed_resident", town, household=house)
        house.adults.append(resident.who)
        resident.who.flags = _resident_flags(self.ctx)
        return TrapHouse(place=house.place, resident=resident)

    def user(self, town: str, line: Line, pool: dict[str, list[Member]]) -> Member:
        """Return a user in `town`: sometimes one already buying from another line there."""
        known = pool.setdefault(town, [])
        taken = {u.who.id for u in line.users}
        reusable = [u for u in known if u.who.id not in taken]
        if reusable and self.rng.random() < self.cfg.shared_user_share:
            return self.rng.choice(reusable)
        user = self.member("user", "user", town)
        if self.rng.random() < self.cfg.user_substance_misuse_share:
            user.who.flags = (F.SUBSTANCE_MISUSE,)
        known.append(user)
        return user


_ROLE = {
    "controller": "controller",
    "lieutenant": "lieutenant",
    "child_runner": "runner",
    "young_runner": "runner",
    "cuckooed_resident": "cuckooed_resident",
    "user": "user",
}
_NAMED = (*RUNNERS, "controller", "lieutenant")  # parts that go by a street name


def _family(ctx: Context, town: str, on: date) -> Household:
    """Return a new household in `town` with one or two parents."""
    home = Household(town=town)
    family = ctx.people.family_name()
    for _ in range(ctx.rng.randint(1, 2)):
        home.adults.append(ctx.people.new((34, 55), on, home, family=family))
    return home


def _resident_flags(ctx: Context) -> tuple[v.PersonFlag, ...]:
    flags = [F.VULNERABLE_ADULT]
    for flag, share in ctx.story.lines.resident_flags.items():
        if ctx.rng.random() < share:
            flags.append(flag)
    return tuple(flags)


def _phone(ctx: Context) -> Handset:
    return Handset(number=ctx.number())


def setup(ctx: Context, line: Line) -> None:
    """Write what the investigating force holds at the start: leaders, phones, contacts, users."""
    led, rng, force = ctx.ledger, ctx.rng, line.force
    when = ctx.when(0, (9, 17), weekdays=True)
    name = line.controller.who.nickname or line.controller.who.given
    report = led.event(
        force,
        v.EventKind.INTELLIGENCE_REPORT,
        when,
        people=[(m.who, v.Role.SUBJECT) for m in line.leaders()],
        summary=ctx.words.phrases.intelligence[0].format(
            name=name, brand=line.brand, origin=line.hub.city, town=line.targets[0]
        ),
        grading=rng.choice(ctx.words.gradings),
    )
    controller = led.person(line.controller.who, force)
    for deal in line.deal_phones:
        led.link(
            force,
            v.LinkKind.USES_PHONE,
            controller,
            led.phone(deal.handset, force),
            valid_from=_day(ctx, deal.first),
            valid_to=_last_day(ctx, deal.last),
            event=report,
        )
    for leader in line.leaders():
        led.link(
            force,
            v.LinkKind.USES_PHONE,
            led.person(leader.who, force),
            led.phone(leader.phones[0], force),
            confidence=0.9,
            event=report,
        )
    for lieutenant in line.lieutenants:
        _contact(
            ctx,
            force,
            line.controller.phones[0],
            lieutenant.phones[0],
            0,
            ctx.scale.months - 1,
            (30, 90),
        )
    for deal in line.deal_phones:
        for user in line.users:
            _contact(ctx, force, deal.handset, user.phones[0], deal.first, deal.last, (4, 20))
        for runner in line.runners:
            for phone in runner.phones:
                _contact(
                    ctx,
                    force,
                    deal.handset,
                    phone,
                    max(deal.first, runner.joined),
                    deal.last,
                    (20, 60),
                )
    for runner in line.runners:
        boss = rng.choice(line.leaders())
        _contact(
            ctx,
            force,
            boss.phones[0],
            runner.phones[0],
            runner.joined,
            ctx.scale.months - 1,
            (10, 40),
        )
    for user in line.users:
        if user.who.records is None and rng.random() < ctx.story.lines.attributed_user_share:
            led.link(
                force,
                v.LinkKind.USES_PHONE,
                led.person(user.who, force),
                led.phone(user.phones[0], force),
                confidence=0.8,
            )
    for trap in line.traps:
        led.person(trap.resident.who, ctx.force(trap.place.town))


def _contact(
    ctx: Context,
    agency: str,
    a: Handset,
    b: Handset,
    first: int,
    last: int,
    per_month: tuple[int, int],
) -> None:
    """Record calls and texts between two phones over months [first, last], if any overlap."""
    if first > last:
        return
    months = last - first + 1
    count = max(1, round(months * ctx.rng.uniform(*per_month)))
    led = ctx.ledger
    led.link(
        agency,
        v.LinkKind.CONTACT,
        led.phone(a, agency),
        led.phone(b, agency),
        valid_from=_day(ctx, first),
        valid_to=_last_day(ctx, last),
        count=count,
    )


def _day(ctx: Context, month: int) -> date:
    return ctx.month(month)[0]


def _last_day(ctx: Context, month: int) -> date:
    return ctx.month(month)[1] - timedelta(days=1)
