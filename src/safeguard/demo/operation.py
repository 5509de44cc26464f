"""The day of action: a multi-force raid on the Liverpool lines, modelled on the 2020 article.

Merseyside executes warrants at the leaders' homes (one holds the large cash seizure), the
target forces raid the trap houses, BTP stops runners at stations and on trains, and the
children found are safeguarded. Arrests per force stop at the article's figures
(scenario.yaml, operation.arrests); a smaller world arrests everyone present.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from safeguard.demo import incidents
from safeguard.demo.context import Context
from safeguard.demo.incidents import SEIZED, K, R
from safeguard.demo.ledger import ObjectSpec
from safeguard.demo.lines import Line, Member
from safeguard.demo.population import Individual, Place
from safeguard.intake.schema import RefTo
from safeguard.records.ages import ADULT_AGE, age_on


class DayOfAction:
    """Run the operation and keep what the labels say about it."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.op = ctx.story.operation
        self.day: date = ctx.end
        self.attrs = {"operation": self.op.name}
        self.left = Counter(self.op.arrests)
        self.raids: list[RefTo] = []
        self.arrests: Counter = Counter()
        self.safeguarded: list[Individual] = []
        self.large_cash_at: RefTo | None = None

    def dawn(self, hour: int = 5) -> datetime:
        """Return a time in the early morning of the day of action."""
        return datetime.combine(self.day, time(hour, self.ctx.rng.randrange(60)))

    def run(self, lines: list[Line]) -> None:
        """Raid the Liverpool lines (up to the operation's limit)."""
        hub = self.ctx.story.lines.hubs[0]
        raided = [line for line in lines if line.hub == hub][: self.op.max_lines]
        months = self.ctx.scale.months
        for line in raided:
            for leader in line.leaders():
                self._leader(line, leader, months - 1)
            present: dict[int, list[Member]] = {i: [] for i in range(len(line.traps))}
            for runner in line.runners:
                where = self._whereabouts(runner)
                if where == "trap_house" and line.traps:
                    present[self.ctx.rng.randrange(len(line.traps))].append(runner)
                elif where == "travelling":
                    self._travelling(line, runner)
                else:
                    self._at_home(runner)
            for i, trap in enumerate(line.traps):
                self._trap_house(line, trap.place, trap.resident, present[i], months - 1)

    def _whereabouts(self, runner: Member) -> str:
        options = self.op.whereabouts
        return self.ctx.rng.choices(list(options), weights=list(options.values()))[0]

    def _arrest(
        self,
        agency: str,
        who: Individual,
        when: datetime,
        place: Place,
        offence: str,
        seized: list[ObjectSpec],
        town: str,
    ) -> bool:
        """Arrest `who` if the force has arrests left; return whether they were arrested."""
        if self.left[agency] <= 0:
            return False
        self.left[agency] -= 1
        self.arrests[agency] += 1
        child = self._child(who)
        incidents.arrest(
            self.ctx,
            agency,
            who,
            when + timedelta(minutes=self.ctx.rng.randint(5, 40)),
            place,
            offence=offence,
            seized=seized,
            victim=child,
            charge_chance=self.op.children_charged if child else self.op.adults_charged,
            attributes=self.attrs,
            custody_town=town,
        )
        return True

    def _child(self, who: Individual) -> bool:
        return (age_on(who.dob, self.day) or ADULT_AGE) < ADULT_AGE

    def _leader(self, line: Line, leader: Member, last_month: int) -> None:
        ctx, force = self.ctx, line.force
        home = ctx.home_of(leader.who)
        if home is None or self.left[force] <= 0:
            return
        when = self.dawn()
        if self.large_cash_at is None and home.town == line.hub.city:
            pence = self.op.large_cash_pence
        else:
            pence = ctx.rng.randint(5, 90) * 10_000
        seized: list[ObjectSpec] = [
            (incidents.bulk(ctx, force, (20, 400)), leader.who, SEIZED),
            (incidents.cash(ctx, force, pence), leader.who, SEIZED),
            (leader.phones[0], leader.who, SEIZED),
        ]
        if leader is line.controller:
            seized.append((line.deal_phone(last_month), leader.who, SEIZED))
        raid = ctx.ledger.event(
            force,
            K.RAID,
            when,
            place=home,
            people=[(leader.who, R.SUSPECT)],
            objects=seized,
            summary=ctx.rng.choice(ctx.words.phrases.operation).format(
                place="an address in " + home.town, operation=self.op.name
            ),
            attributes=self.attrs,
        )
        self.raids.append(RefTo(**raid))
        if pence == self.op.large_cash_pence and self.large_cash_at is None:
            self.large_cash_at = self.raids[-1]
        self._arrest(force, leader.who, when, home, ctx.words.offences.conspiracy, [], home.town)

    def _trap_house(
        self, line: Line, place: Place, resident: Member, runners: list[Member], last_month: int
    ) -> None:
        ctx = self.ctx
        force = ctx.force(place.town)
        users = [u for u in line.users if u.who.town == place.town]
        visitors = ctx.rng.sample(users, min(len(users), ctx.rng.randint(0, 2)))
        people = [(resident.who, R.RESIDENT), (resident.who, R.VICTIM)]
        for runner in runners:
            people.append((runner.who, R.SUSPECT))
            if self._child(runner.who):
                people.append((runner.who, R.VICTIM))
        people += [(u.who, R.ASSOCIATE) for u in visitors]
        holder = runners[0].who if runners else None
        seized: list[ObjectSpec] = [
            (incidents.wraps(ctx, force, 20, 120), holder, SEIZED),
            (incidents.cash(ctx, force, ctx.rng.randint(20, 300) * 1000), holder, SEIZED),
        ]
        if runners:
            seized.append((line.deal_phone(last_month), holder, SEIZED))
        when = self.dawn(6)
        raid = ctx.ledger.event(
            force,
            K.RAID,
            when,
            place=place,
            people=people,
            objects=seized,
            summary=ctx.rng.choice(ctx.words.phrases.operation).format(
                place="an address in " + place.town, operation=self.op.name
            ),
            attributes=self.attrs,
        )
        self.raids.append(RefTo(**raid))
        for runner in runners:
            if self._arrest(
                force, runner.who, when, place, ctx.words.offences.supply, [], place.town
            ):
                self._safeguard(force, runner.who, when)
        for user in visitors:
            self._arrest(
                force, user.who, when, place, ctx.words.offences.possession, [], place.town
            )

    def _travelling(self, line: Line, runner: Member) -> None:
        ctx = self.ctx
        target = ctx.rng.choice(line.targets)
        route = ctx.gaz.routes.get(ctx.force(target), ())
        hub_station = ctx.gaz.stations_in(line.hub.city)[0].name
        if route and ctx.rng.random() < 0.5:
            place = ctx.places.train(hub_station, route[-1])
            town = ctx.gaz.station(route[0]).town
        else:
            name = route[0] if route else hub_station
            place, town = ctx.places.station(name), ctx.gaz.station(name).town
        when = datetime.combine(self.day, time(ctx.rng.randint(7, 12), ctx.rng.randrange(60)))
        seized: list[ObjectSpec] = [
            (incidents.wraps(ctx, "btp", 20, 80), runner.who, SEIZED),
            (incidents.cash(ctx, "btp", ctx.rng.randint(2, 30) * 1000), runner.who, SEIZED),
        ]
        if self._arrest("btp", runner.who, when, place, ctx.words.offences.supply, seized, town):
            self._safeguard("btp", runner.who, when)

    def _at_home(self, runner: Member) -> None:
        """A runner at home: an adult is arrested there; a child is visited and safeguarded."""
        ctx = self.ctx
        home = ctx.home_of(runner.who)
        if home is None:
            return
        force = ctx.force(runner.who.town)
        when = self.dawn(6)
        if self._child(runner.who):
            self._safeguard(force, runner.who, when)
        else:
            self._arrest(force, runner.who, when, home, ctx.words.offences.supply, [], home.town)

    def _safeguard(self, agency: str, who: Individual, when: datetime) -> None:
        if not self._child(who):
            return
        ctx = self.ctx
        text = ctx.rng.choice(ctx.words.phrases.safeguarding).format(operation=self.op.name)
        ctx.ledger.event(
            agency,
            K.CONCERN,
            when + timedelta(hours=ctx.rng.randint(1, 4)),
            people=[(who, R.SUBJECT)],
            summary=text,
            attributes={**self.attrs, "referred_to": ctx.childrens_services(who.town)},
        )
        self.safeguarded.append(who)
