"""One registered offender's person, dates, risk bands and history, drawn from their fate.

The fate (what offender_register decided over the whole register: category, status, band,
what is to be overdue) is turned into dates counted back from the end of the demo's story,
following the schedule rules in use (offenders/schedule.yaml), so that what is planned
overdue is what the system finds overdue: a visit is overdue when the last one at which the
offender was seen is older than their interval, a review when the last is older than the
level's, a notification when it is pending past its deadline or the year since the last one
has ended. Every draw comes from the register's own random source (demo.chance helpers).
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from safeguard.demo import gazetteer
from safeguard.demo.chance import below, between, pick, weighted
from safeguard.demo.offender_story import (
    HOUSEHOLD_LINK,
    SHARES_HOME,
    UNNOTIFIED,
    OffenderStory,
    Team,
)
from safeguard.demo.population import Household, Individual, People, Places
from safeguard.offenders.schedule import Facts, Table, add_months, level, visit_interval
from safeguard.offenders.vocabulary import Band, NotificationKind, ReviewKind, Status, VisitOutcome
from safeguard.records import vocabulary as v
from safeguard.records.ages import UK

N = NotificationKind
_MONTH_DAYS = 30.44


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    at: datetime
    outcome: str
    announced: bool


@dataclass(frozen=True, slots=True)
class PlannedReview:
    kind: str
    completed_at: datetime
    level: str


@dataclass(frozen=True, slots=True)
class PlannedNotice:
    kind: str
    trigger_at: datetime
    notified_at: datetime | None  # None: not yet notified
    arranged_at: datetime | None = None  # foreign travel: when the trip was arranged
    at_home: bool = False  # the address notified is the offender's home


@dataclass(frozen=True, slots=True)
class PlannedCondition:
    order: str
    condition: str
    starts_on: date
    ends_on: date | None


@dataclass(slots=True, eq=False)
class PlannedOffender:
    """One offender as they will be stored (demo/offenders.py writes them)."""

    # Named as the Offender model's fields, which demo/offenders.py fills from them.
    reference: str
    who: Individual  # their name, date of birth and home (replaced for a line member)
    team: str
    manager: str | None  # username; None: awaiting allocation
    mappa_category: int
    mappa_level: int
    rm2000: str
    osp: str
    oasys_rosh: str
    status: str
    registered_on: date
    released_on: date | None
    notification_period_end: date | None
    plan_visit_months: int | None
    plan: str
    plan_review_on: date | None
    planted: str = ""
    joined_household: date | None = None  # planted: when they joined the child's household
    visits: list[PlannedVisit] = field(default_factory=list)
    reviews: list[PlannedReview] = field(default_factory=list)
    notices: list[PlannedNotice] = field(default_factory=list)
    conditions: list[PlannedCondition] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Dates:
    start: date  # the latest release, or the conviction when there was no custody
    registered: date
    released: date | None
    period_end: date | None  # the notification period's (category 1) or licence's (2)
    licence_end: date | None


@dataclass(slots=True, eq=False)
class Fate:
    """What is decided over the whole register before anyone's history is drawn."""

    team: Team
    manager: str | None
    factor: float  # how much likelier than most to be overdue
    planted: str = ""
    category: int = 1
    status: str = Status.ACTIVE.value
    unassessed: bool = False
    band: str = ""
    mappa_level: int = 1
    overdue_visit: bool = False
    overdue_review: bool = False
    lapsed: bool = False  # the annual re-notification has lapsed
    pending: str = ""  # a notification kind pending past its deadline
    travel_ahead: bool = False  # a trip abroad arranged, not yet notified (not yet due)


class Drawer:
    """Draw each offender's person, dates, bands and history from their fate."""

    def __init__(
        self,
        rng: random.Random,
        story: OffenderStory,
        table: Table,
        people: People,
        places: Places,
        gaz: gazetteer.Gazetteer,
        at: datetime,
    ):
        self.rng, self.story, self.table = rng, story, table
        self.people, self.places, self.at = people, places, at
        self.today = at.astimezone(UK).date()
        self.households = {t.name: t.households for t in gaz.towns}
        self.sentences = list(story.sentences)
        self.sentence_weights = list(itertools.accumulate(s.share for s in story.sentences))

    def offender(self, fate: Fate, reference: str) -> PlannedOffender:
        """Return one offender, their history drawn to show what their fate says."""
        rng, story = self.rng, self.story
        cat = fate.category
        town = weighted(
            rng,
            fate.team.towns,
            list(itertools.accumulate(self.households[t] for t in fate.team.towns)),
        )
        home = Household(town=town)
        home.place = self.places.address(town, v.LocationKind.HOME)
        sex = v.Sex.MALE if rng.random() < story.male[cat] else v.Sex.FEMALE
        who = self.people.new(story.ages[cat], self.today, home, sex=sex)
        dates = self._dates(fate, who.dob)
        start = dates.start
        bands = self._bands(fate)
        facts = Facts(id=0, registered_on=dates.registered, **bands)
        risk = level(facts, self.table)
        plan_months = None
        if not fate.unassessed and rng.random() < story.plan_override:
            plan_months = pick(rng, story.plan_months[Band(risk)])
        months, _ = visit_interval(risk, plan_months, self.table)
        until = self._until(fate, start)
        reviews = self._reviews(fate, cat, sex, start, until, risk)
        last_review = reviews[-1].completed_at.date() if reviews else start
        offender = PlannedOffender(
            reference=reference,
            who=who,
            team=fate.team.name,
            manager=fate.manager,
            mappa_category=cat,
            mappa_level=fate.mappa_level,
            status=fate.status,
            registered_on=dates.registered,
            released_on=dates.released,
            notification_period_end=dates.period_end,
            plan_visit_months=plan_months,
            plan=pick(rng, story.plans),
            plan_review_on=add_months(last_review, 12),
            planted=fate.planted,
            visits=self._visits(fate, start, until, months),
            reviews=reviews,
            **bands,
        )
        if fate.planted in (SHARES_HOME, UNNOTIFIED, HOUSEHOLD_LINK):
            latest = min(300, (self.today - start).days - 5)
            offender.joined_household = self.today - timedelta(days=between(rng, (30, latest)))
        if cat == 1:
            offender.notices = self._notices(fate, offender, start, until)
        offender.conditions = self._conditions(cat, dates)
        return offender

    # -- dates and bands --------------------------------------------------------------------

    def _dates(self, fate: Fate, dob: date) -> _Dates:
        """Return the offender's dates. The start (the latest release, or the conviction when
        there was no custody) is what the schedule counts visits, reviews and the initial
        notification from."""
        rng, story, today = self.rng, self.story, self.today
        adult_days = (today - add_months(dob, 12 * 18)).days
        if fate.category == 2:
            custody = between(rng, story.violent_custody_months)
            licence = int(custody * _MONTH_DAYS / 2)
            since = self._since(fate, 30, min(licence - 30, adult_days))
            start = today - timedelta(days=since)
            end = start + timedelta(days=licence)  # MAPPA management lasts the licence
            return _Dates(start, start, start, end, end)
        sentence = weighted(rng, self.sentences, self.sentence_weights)
        while fate.unassessed and sentence.custody_months[1] == 0:  # just released: custodial
            sentence = weighted(rng, self.sentences, self.sentence_weights)
        custody = between(rng, sentence.custody_months)
        served = int(custody * _MONTH_DAYS / 2)
        longest = story.years_since_start[1] * 365
        if sentence.period_years is not None:  # still on the register, for a month at least
            longest = min(longest, sentence.period_years * 365 - served - 30)
        # Long enough ago for a lapse to show: an annual notification missed, a wanted
        # offender last seen months ago.
        settled = fate.lapsed or fate.status == Status.WANTED
        shortest = 500 if settled else story.years_since_start[0] * 365 + 40
        since = self._since(fate, shortest, min(longest, adult_days - served))
        start = today - timedelta(days=since)
        registered = start - timedelta(days=served)
        end = None
        if sentence.period_years is not None:
            end = add_months(registered, 12 * sentence.period_years)
        if not custody:
            return _Dates(start, registered, None, end, None)
        return _Dates(start, registered, start, end, start + timedelta(days=served))

    def _since(self, fate: Fate, shortest: int, longest: int) -> int:
        """Return how many days before the end of the story the offender's start was."""
        if fate.unassessed:
            return between(self.rng, self.story.unassessed_days)
        longest = max(longest, 60)
        return between(self.rng, (min(shortest, longest), longest))

    def _bands(self, fate: Fate) -> dict[str, str]:
        """Return the bands of the offender's measures, the highest being their fate's."""
        found = {"rm2000": "", "osp": "", "oasys_rosh": ""}
        if fate.unassessed:
            return found
        measures = ["rm2000", "osp", "oasys_rosh"] if fate.category == 1 else ["oasys_rosh"]
        ranked = list(Band.values)
        for measure in measures:
            lower = ranked[: ranked.index(fate.band) + 1]
            found[measure] = fate.band if self.rng.random() < 0.5 else pick(self.rng, lower)
        found[pick(self.rng, measures)] = fate.band
        return found

    def _until(self, fate: Fate, start: date) -> date:
        """Return the last day of the offender's history: the recall of one now in custody."""
        if fate.status != Status.IN_CUSTODY:
            return self.today
        days = (self.today - start).days
        return self.today - timedelta(days=between(self.rng, (5, max(5, min(240, days - 20)))))

    # -- visits and reviews ----------------------------------------------------------------

    def _last(self, overdue: bool, until: date, months: int) -> date:
        """Return the last of a series at `months` intervals: overdue at `until`, or not."""
        if overdue:
            late = between(self.rng, self.story.overdue.days)
            return add_months(until - timedelta(days=late), -months)
        # At least a week ahead: a visit moved off a Sunday or a month's end stays due.
        ahead = between(self.rng, (8, max(8, int(months * _MONTH_DAYS) - 1)))
        return add_months(until + timedelta(days=ahead), -months)

    def _series(self, last: date, first: date, months: int) -> list[date]:
        """Return the days of a series ending on `last`, each made a little before it was due."""
        days = []
        day = last
        while first <= day:
            days.append(day)
            day = add_months(
                day + timedelta(days=between(self.rng, self.story.visits.early_days)), -months
            )
        return days[::-1]

    def _visits(self, fate: Fate, start: date, until: date, months: int) -> list[PlannedVisit]:
        """Return the home visits of the history kept: seen at the interval, now and then
        after a door unanswered; when overdue, the last seen too long ago (tries since)."""
        rng, cfg = self.rng, self.story.visits
        first = max(start + timedelta(days=2), until - timedelta(days=365 * cfg.history_years))
        last = self._last(fate.overdue_visit, until, months)
        if fate.status == Status.WANTED:
            lost = int(months * _MONTH_DAYS) + 30  # not seen for a month past their due date
            last = until - timedelta(days=between(rng, (lost, max(lost, 400))))
        outcomes = list(cfg.missed_outcomes)
        cumulative = list(itertools.accumulate(cfg.missed_outcomes.values()))
        visits: list[PlannedVisit] = []
        for day in self._series(last, first, months):
            if rng.random() < cfg.missed and day - timedelta(days=9) > first:
                missed = day - timedelta(days=between(rng, (2, 9)))
                visits.append(
                    self._visit(missed, until, visits, weighted(rng, outcomes, cumulative))
                )
            visits.append(self._visit(day, until, visits, VisitOutcome.SEEN.value))
        due = add_months(last, months)
        if fate.overdue_visit and due < until - timedelta(days=2):
            tries = 2 + below(rng, 2) if fate.status == Status.WANTED else below(rng, 3)
            span = (until - due).days
            for offset in sorted(1 + below(rng, span - 1) for _ in range(tries)):
                outcome = (
                    VisitOutcome.NOT_SEEN.value
                    if rng.random() < 0.8
                    else VisitOutcome.REFUSED.value
                )
                visits.append(self._visit(due + timedelta(days=offset), until, visits, outcome))
        return sorted(visits, key=lambda visit: visit.at)

    def _visit(
        self, day: date, until: date, before: list[PlannedVisit], outcome: str
    ) -> PlannedVisit:
        """Return a visit on or about `day`: a weekday and time of day other than the last's."""
        rng = self.rng
        last = before[-1].at if before else None
        for shift in (0, 1, -1, 2, -2, 3):
            moved = day + timedelta(days=shift)
            if moved.weekday() == 6 or moved > until:  # no Sunday visits
                continue
            if last is None or moved.weekday() != last.weekday():
                day = moved
                break
        bands = [b for b in self.table.bands if last is None or not b[0] <= last.hour < b[1]]
        first, end = pick(rng, bands or list(self.table.bands))
        moment = time(first + below(rng, end - first), 15 * below(rng, 4))
        at = datetime.combine(day, moment, tzinfo=UK)
        return PlannedVisit(min(at, self.at), outcome, rng.random() < self.story.visits.announced)

    def _reviews(
        self, fate: Fate, cat: int, sex: str, start: date, until: date, risk: str
    ) -> list[PlannedReview]:
        """Return the risk reviews since the start: the first within 28 days, then by level."""
        if fate.unassessed:
            return []
        rng, table = self.rng, self.table
        months = table.review_months[risk]
        first_due = start + table.first_review
        last = self._last(fate.overdue_review, until, months)
        if last < start + timedelta(days=7):
            if first_due > until or fate.overdue_review:
                return []  # not due yet, or the first review is late
            last = start + timedelta(days=between(rng, (7, table.first_review.days - 1)))
        floor = max(
            start + timedelta(days=7), until - timedelta(days=365 * self.story.visits.history_years)
        )
        if cat == 2:
            kind = ReviewKind.OASYS.value
        else:
            kind = ReviewKind.ARMS.value if sex == v.Sex.MALE else ReviewKind.OTHER.value
        return [
            PlannedReview(kind, self._office_hours(day), fate.band)
            for day in self._series(last, min(floor, last), months)
        ]

    def _office_hours(self, day: date) -> datetime:
        """Return a moment on a weekday at or before `day`, between 9:00 and 17:00."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime.combine(
            day, time(9 + below(self.rng, 8), 15 * below(self.rng, 4)), tzinfo=UK
        )

    # -- notifications and conditions --------------------------------------------------------

    def _notices(
        self, fate: Fate, offender: PlannedOffender, start: date, until: date
    ) -> list[PlannedNotice]:
        """Return what a registered sex offender notified (and what they have not)."""
        rng, cfg, today = self.rng, self.story.notifications, self.today
        extras: list[tuple[str, date, bool]] = []  # kind, trigger, at home
        span = (until - start).days
        if span > 60 and not fate.lapsed:  # a lapse is of the annual notification
            for kind, chance in (
                (N.CHANGE, cfg.change),
                (N.STAY_7_DAYS, cfg.stay),
                (N.FOREIGN_TRAVEL, cfg.travel),
            ):
                if rng.random() < chance:
                    extras.append(
                        (
                            kind.value,
                            start + timedelta(days=between(rng, (30, span - 5))),
                            kind == N.CHANGE,
                        )
                    )
        joined = offender.joined_household
        if fate.planted == SHARES_HOME and joined is not None:
            extras += [(N.CHANGE.value, joined, True), (N.HOUSEHOLD_CHILD.value, joined, True)]
        elif fate.planted == HOUSEHOLD_LINK and joined is not None:
            extras.append((N.HOUSEHOLD_CHILD.value, joined, False))
        if fate.status == Status.ABROAD:
            away = between(rng, (5, max(5, min(40, span - 30))))
            extras.append((N.FOREIGN_TRAVEL.value, today - timedelta(days=away), False))
        notices = self._walk(start, sorted(extras, key=lambda e: e[1]), until)
        if fate.lapsed:
            notices = self._lapse(notices)
        pending = []
        if fate.planted == UNNOTIFIED:
            pending.append(
                (N.HOUSEHOLD_CHILD.value, today - timedelta(days=between(rng, (6, 20))), True)
            )
        if fate.pending:
            pending.append(
                (
                    fate.pending,
                    today - timedelta(days=between(rng, (5, 25))),
                    fate.pending == N.CHANGE,
                )
            )
        notices += [PlannedNotice(k, self._office_hours(d), None, at_home=h) for k, d, h in pending]
        if fate.travel_ahead:
            departure = self._office_hours(today + timedelta(days=between(rng, (15, 40))))
            arranged = self._office_hours(today - timedelta(days=between(rng, (1, 5))))
            notices.append(PlannedNotice(N.FOREIGN_TRAVEL.value, departure, None, arranged))
        return notices

    def _walk(
        self, start: date, extras: list[tuple[str, date, bool]], until: date
    ) -> list[PlannedNotice]:
        """Return the notifications made from the start to `until`: the initial one, the
        changes, stays and trips as they came, and the annual one within each year (s85)."""
        rng, cfg = self.rng, self.story.notifications
        restarting = self.table.restarted_by
        notified = start + timedelta(days=between(rng, cfg.within_days))
        notices = [
            PlannedNotice(N.INITIAL.value, self._office_hours(start), self._office_hours(notified))
        ]
        last, queue = notified, list(extras)
        while True:
            annual = add_months(last, 12) - timedelta(days=between(rng, (1, 25)))
            if queue and queue[0][1] <= annual:
                kind, trigger, home = queue.pop(0)
                if kind == N.FOREIGN_TRAVEL:
                    made = trigger - timedelta(days=between(rng, cfg.travel_days_before))
                    arranged = self._office_hours(made - timedelta(days=between(rng, (10, 50))))
                    notices.append(
                        PlannedNotice(
                            kind, self._office_hours(trigger), self._office_hours(made), arranged
                        )
                    )
                    continue
                made = min(trigger + timedelta(days=between(rng, cfg.within_days)), until)
                notices.append(
                    PlannedNotice(
                        kind, self._office_hours(trigger), self._office_hours(made), at_home=home
                    )
                )
                if kind in restarting:
                    last = max(last, made)
                continue
            if annual > until:
                return notices
            due = add_months(last, 12) - timedelta(days=1)
            notices.append(
                PlannedNotice(N.ANNUAL.value, self._office_hours(due), self._office_hours(annual))
            )
            last = annual

    def _lapse(self, notices: list[PlannedNotice]) -> list[PlannedNotice]:
        """Drop the latest annual notifications until the year since the last one has ended."""
        restarting = self.table.restarted_by
        while True:
            made = [n for n in notices if n.kind in restarting and n.notified_at is not None]
            latest = max(made, key=lambda n: n.notified_at)
            due = add_months(latest.notified_at.date(), 12) - timedelta(days=1)
            if due < self.today or latest.kind != N.ANNUAL:
                return notices
            notices.remove(latest)

    def _conditions(self, cat: int, dates: _Dates) -> list[PlannedCondition]:
        """Return the conditions of a SHPO and of a licence still running, if any."""
        rng, cfg, today = self.rng, self.story.conditions, self.today
        registered, licence_end = dates.registered, dates.licence_end
        found = []
        if cat == 1 and rng.random() < cfg.shpo:
            ends = (
                add_months(registered, 12 * between(rng, (5, 15))) if rng.random() < 0.5 else None
            )
            if ends is None or ends > today:
                for text in self._some(cfg.shpo_conditions):
                    found.append(
                        PlannedCondition("Sexual Harm Prevention Order", text, registered, ends)
                    )
        if licence_end is not None and licence_end > today:
            texts = cfg.violent_licence_conditions if cat == 2 else cfg.licence_conditions
            for text in self._some(texts):
                found.append(PlannedCondition("Licence", text, dates.start, licence_end))
        return found

    def _some(self, texts: tuple[str, ...]) -> list[str]:
        """Return one to three of `texts`, in their order."""
        chosen = set()
        for _ in range(1 + below(self.rng, 3)):
            chosen.add(below(self.rng, len(texts)))
        return [texts[i] for i in sorted(chosen)]
