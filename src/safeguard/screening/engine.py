"""The screening engine: a child's facts and a moment in, a score, a level and reasons out.

A pure function over plain data (screening.facts): no database, no clock, no randomness,
so the same facts, moment and catalogue always give the same screening, and a person can
check every point of it against the evidence it names.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE, UK
from safeguard.screening.catalogue import (
    Catalogue,
    EventEvidence,
    FlagEvidence,
    LinkEvidence,
    Rule,
)
from safeguard.screening.facts import ChildFacts, EventFact, LinkFact


@dataclass(frozen=True, slots=True)
class Fired:
    """One indicator or vulnerability factor that the facts made true, and why."""

    id: str
    title: str
    points: float
    weight: float
    band: str  # recency band of the latest evidence ("" for flags)
    factor: float
    event_ids: tuple[int, ...]
    link_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Screening:
    """The result of screening one child at one moment under one catalogue."""

    person_id: int
    at: datetime
    score: float
    level: str
    indicators: tuple[Fired, ...]
    vulnerabilities: tuple[Fired, ...]
    catalogue: str  # id and version
    catalogue_hash: str


@dataclass(frozen=True, slots=True)
class _Piece:
    day: date
    kind: str  # "event" or "link"
    id: int
    fact: EventFact | LinkFact


class _Facts:
    """A child's facts as they stood at a moment, by kind, so each rule reads only its own.

    Each event's UK day and age in days is worked out once here, not once per rule.
    """

    def __init__(self, facts: ChildFacts, at: datetime, today: date):
        self.facts = facts
        self.events: dict[str, list[tuple[EventFact, date, int]]] = defaultdict(list)
        for event in facts.events:
            if event.occurred_at > at:
                continue
            day = event.occurred_at.astimezone(UK).date()
            self.events[event.kind].append((event, day, (today - day).days))
        self.links: dict[str, list[tuple[LinkFact, int]]] = defaultdict(list)
        for link in facts.links:
            age = (today - link.on).days
            if age >= 0:
                self.links[link.kind].append((link, age))


def screen(facts: ChildFacts, catalogue: Catalogue, at: datetime) -> Screening:
    """Screen one child's facts as they stood at `at`."""
    today = at.astimezone(UK).date() if at.tzinfo else at.date()
    known = _Facts(facts, at, today)
    indicators = _fire(catalogue.indicators, known, catalogue, today, "indicators")
    vulnerabilities = _fire(catalogue.vulnerabilities, known, catalogue, today, "vulnerabilities")
    concern = min(sum(f.points for f in vulnerabilities), catalogue.vulnerability_cap)
    score = round(sum(f.points for f in indicators) + concern, 2)
    return Screening(
        person_id=facts.person_id,
        at=at,
        score=score,
        level=catalogue.thresholds.level(score),
        indicators=indicators,
        vulnerabilities=vulnerabilities,
        catalogue=f"{catalogue.id} {catalogue.version}",
        catalogue_hash=catalogue.content_hash,
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one rule needs, worked out once per catalogue: to skip it when nothing can fire it."""

    rule: Rule
    flags: frozenset[str]
    event_kinds: frozenset[str]
    link_kinds: frozenset[str]


_PLANS: dict[tuple[str, str], tuple[_Plan, ...]] = {}


def _plans(rules: Iterable[Rule], catalogue: Catalogue, part: str) -> tuple[_Plan, ...]:
    key = (catalogue.content_hash, part)
    plans = _PLANS.get(key) if catalogue.content_hash else None
    if plans is None:
        plans = tuple(
            _Plan(
                rule,
                frozenset(f for e in rule.evidence if isinstance(e, FlagEvidence) for f in e.flags),
                frozenset(
                    k for e in rule.evidence if isinstance(e, EventEvidence) for k in e.kinds
                ),
                frozenset(k for e in rule.evidence if isinstance(e, LinkEvidence) for k in e.kinds),
            )
            for rule in rules
        )
        if catalogue.content_hash:
            _PLANS[key] = plans
    return plans


def _fire(
    rules: Iterable[Rule], known: _Facts, catalogue: Catalogue, today: date, part: str
) -> tuple[Fired, ...]:
    fired = []
    for plan in _plans(rules, catalogue, part):
        if (
            plan.event_kinds.isdisjoint(known.events)
            and plan.link_kinds.isdisjoint(known.links)
            and plan.flags.isdisjoint(known.facts.flags)
        ):
            continue  # nothing this child has could fire it
        result = _test(plan, known, catalogue, today)
        if result is not None:
            fired.append(result)
    return tuple(fired)


def _test(plan: _Plan, known: _Facts, catalogue: Catalogue, today: date) -> Fired | None:
    facts, rule = known.facts, plan.rule
    flags = sorted(plan.flags & facts.flags)
    # One piece per event or link, however many routes (or phones of the child) reach it.
    unique: dict[tuple[str, int], _Piece] = {}
    window = rule.window_days
    for e in rule.evidence:
        if isinstance(e, EventEvidence):
            for kind in e.kinds:
                for event, day, age in known.events.get(kind, ()):
                    if age <= window and _event_matches(e, event, facts):
                        unique.setdefault(
                            ("event", event.id), _Piece(day, "event", event.id, event)
                        )
        elif isinstance(e, LinkEvidence):
            for kind in e.kinds:
                for link, age in known.links.get(kind, ()):
                    if age <= window and _link_matches(e, link):
                        unique.setdefault(("link", link.id), _Piece(link.on, "link", link.id, link))
    pieces = sorted(unique.values(), key=lambda p: (p.day, p.kind, p.id))
    if flags:
        # A recorded flag holds now: it counts in full, and as many times as at_least asks.
        labels = ", ".join(v.PersonFlag(f).label.lower() for f in flags)
        return _fired(rule, 1.0, "", (), f"recorded: {labels}")
    chosen = _latest_run(pieces, rule.at_least, rule.within_days)
    if not chosen:
        return None
    age = (today - chosen[-1].day).days
    band, factor = catalogue.factor(age) or ("", 0.0)
    return _fired(rule, factor, band, chosen, _reason(chosen, rule, age, band, factor))


def _fired(rule: Rule, factor: float, band: str, chosen: Iterable[_Piece], reason: str) -> Fired:
    chosen = tuple(chosen)
    return Fired(
        id=rule.id,
        title=rule.title,
        points=round(rule.weight * factor, 2),
        weight=rule.weight,
        band=band,
        factor=factor,
        event_ids=tuple(p.id for p in chosen if p.kind == "event"),
        link_ids=tuple(p.id for p in chosen if p.kind == "link"),
        reason=reason,
    )


def _latest_run(pieces: list[_Piece], at_least: int, within_days: int | None) -> list[_Piece]:
    """Return the latest `at_least` or more pieces that lie within `within_days` of each other."""
    if len(pieces) < at_least:
        return []
    if within_days is None:
        return pieces
    # Walk back from the latest piece: the first end that has enough pieces before it,
    # within the span, is the latest run.
    for end in range(len(pieces) - 1, at_least - 2, -1):
        start = end
        while start > 0 and (pieces[end].day - pieces[start - 1].day).days <= within_days:
            start -= 1
        if end - start + 1 >= at_least:
            return pieces[start : end + 1]
    return []


def _reason(chosen: list[_Piece], rule: Rule, age: int, band: str, factor: float) -> str:
    what = "; ".join(f"{_words(p.fact)} on {p.day:%d %b %Y}" for p in chosen)
    if rule.at_least > 1 and rule.within_days is not None:
        what = f"{len(chosen)} within {rule.within_days} days: {what}"
    when = "today" if age == 0 else f"{age} day{'s' if age != 1 else ''} ago"
    return f"{what}. Latest {when} ({band}, counts x{factor:g})"


# -- matching ---------------------------------------------------------------------------


def _event_matches(e: EventEvidence, event: EventFact, facts: ChildFacts) -> bool:
    if event.kind not in e.kinds:
        return False
    if e.roles and not event.roles.intersection(e.roles):
        return False
    if e.place_kinds and (event.place is None or event.place.kind not in e.place_kinds):
        return False
    if e.items and not event.items.intersection(e.items):
        return False
    if event.phones < e.min_phones:
        return False
    if e.with_adult and not any(a is not None and a >= ADULT_AGE for a in event.others_ages):
        return False
    for name, values in e.attributes.items():
        if event.attribute(name) not in values:
            return False
    if e.outside_home_force:
        home, place = facts.home, event.place
        if home is None or place is None or not home.force_area or not place.force_area:
            return False
        if home.force_area == place.force_area:
            return False
    if e.min_km_from_home is not None:
        if facts.home is None or event.place is None:
            return False
        km = facts.home.km_from(event.place)
        if km is None or km < e.min_km_from_home:
            return False
    return True


def _link_matches(e: LinkEvidence, link: LinkFact) -> bool:
    if link.kind not in e.kinds or e.via_phone != (link.via_phone is not None):
        return False
    if e.other_adult and (link.other_age is None or link.other_age < ADULT_AGE):
        return False
    if e.other_deal_line and not link.other_deal_line:
        return False
    if e.other_place_kinds and (
        link.other_place is None or link.other_place.kind not in e.other_place_kinds
    ):
        return False
    return True


# Reasons name kinds in words; worked out once (an enum's .values is rebuilt on every call).
_EVENT_LABELS = {k.value: k.label.lower() for k in v.EventKind}
_LINK_LABELS = {k.value: k.label.lower() for k in v.LinkKind}


def _words(fact: EventFact | LinkFact) -> str:
    return _event_words(fact) if isinstance(fact, EventFact) else _link_words(fact)


def _event_words(event: EventFact) -> str:
    words = _EVENT_LABELS.get(event.kind, event.kind)
    if event.items:
        words += " with " + ", ".join(sorted(event.items))
    if event.place is not None and event.place.force_area:
        words += f" in {event.place.force_area}"
    return f"{words} (event {event.id})"


def _link_words(link: LinkFact) -> str:
    words = _LINK_LABELS.get(link.kind, link.kind)
    if link.other_deal_line:
        words += " a deal-line phone"
    elif link.other_age is not None:
        words += f" a person aged {link.other_age}"
    elif link.other_place is not None:
        words += " a " + v.LocationKind(link.other_place.kind).label.lower()
    if link.via_phone is not None:
        words = f"phone {link.via_phone}: {words}"
    return f"{words} (link {link.id})"
