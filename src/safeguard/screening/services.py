"""Screening services: screen children from the records and keep the history of results.

Everything here works in sets (a chunk of persons at a time, a fixed number of queries per
chunk), so that the pipeline can re-screen the children of a batch of new events and
`safeguard screening run` can re-screen every child without one query per child.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max

from safeguard.clock import now
from safeguard.records.ages import ADULT_AGE, UK
from safeguard.records.models import Participation, Person
from safeguard.screening import catalogue as catalogues
from safeguard.screening.engine import Fired, screen
from safeguard.screening.engine import Screening as Result
from safeguard.screening.loading import load_facts
from safeguard.screening.models import Judgement, Level, Screening

CHUNK = 500  # persons per round of queries: every IN list stays under SQLite's limits


def children_in_events(event_ids: Sequence[int]) -> dict[int, tuple[datetime, int]]:
    """Return each person under 18 at any of these events: the latest such event's time and id."""
    found: dict[int, tuple[datetime, int]] = {}
    for start in range(0, len(event_ids), CHUNK):
        rows = Participation.objects.filter(
            event_id__in=event_ids[start : start + CHUNK], age_at_event__lt=ADULT_AGE
        ).values_list("person_id", "occurred_at", "event_id")
        for person_id, occurred_at, event_id in rows:
            if person_id not in found or (occurred_at, event_id) > found[person_id]:
                found[person_id] = (occurred_at, event_id)
    return found


def children_at(at: datetime) -> list[int]:
    """Return the ids of every person record aged under 18 at `at` (date of birth known)."""
    day = at.astimezone(UK).date()
    oldest = _years_before(day, ADULT_AGE)
    return list(
        Person.objects.filter(date_of_birth__gt=oldest, date_of_birth__lte=day)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def latest(person_ids: Iterable[int]) -> dict[int, Screening]:
    """Return each person's most recently stored screening (two queries per chunk)."""
    ids = list(person_ids)
    found: dict[int, Screening] = {}
    for start in range(0, len(ids), CHUNK):
        newest = (
            Screening.objects.filter(person_id__in=ids[start : start + CHUNK])
            .values("person_id")
            .annotate(newest=Max("id"))
            .values_list("newest", flat=True)
        )
        for s in Screening.objects.filter(id__in=list(newest)):
            found[s.person_id] = s
    return found


def rescreen(
    moments: Mapping[int, datetime],
    *,
    triggers: Mapping[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Screening]:
    """Screen each person as of their moment; store and return the results that changed.

    A result is stored only when it differs from the person's latest stored screening (its
    level, score, fired rules, evidence or catalogue), so the history shows each change once.
    """
    catalogue = catalogues.current()
    triggers = triggers or {}
    ids = sorted(moments)
    stored: list[Screening] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        facts = load_facts(chunk)
        previous = latest(chunk)
        created = now()
        new = []
        for person_id in chunk:
            if person_id not in facts:
                continue
            result = screen(facts[person_id], catalogue, moments[person_id])
            row = _row(result, created, triggers.get(person_id))
            before = previous.get(person_id)
            if before is None or _outcome(before) != _outcome(row):
                new.append(row)
        stored.extend(Screening.objects.bulk_create(new))
        if progress is not None:
            progress(len(chunk))
    return stored


def rescreen_all(
    at: datetime | None = None, *, progress: Callable[[int], None] | None = None
) -> list[Screening]:
    """Re-screen every child as of `at` (default now); return the screenings that changed."""
    at = at or now()
    return rescreen(dict.fromkeys(children_at(at), at), progress=progress)


def judge(screening: Screening, level: str, reason: str, *, by_name: str, by=None) -> Judgement:
    """Record a professional judgement that sets a screening's level, with the reason why."""
    if level not in Level.values:
        raise ValueError(f"unknown level {level!r}: one of {', '.join(Level.values)}")
    if not reason.strip():
        raise ValueError("a judgement needs a reason")
    if not by_name.strip():
        raise ValueError("a judgement needs the name of the person who made it")
    with transaction.atomic():
        return Judgement.objects.create(
            screening=screening,
            level=level,
            reason=reason,
            made_by_name=by_name,
            made_by=by,
            made_at=now(),
        )


def current_level(screening: Screening) -> tuple[str, Judgement | None]:
    """Return the level that stands for a screening: the latest judgement's, else its own."""
    judgement = screening.judgements.order_by("-made_at", "-id").first()
    return (judgement.level if judgement else screening.level), judgement


# -- storing results ---------------------------------------------------------------------


def _fired_json(fired: tuple[Fired, ...]) -> list[dict]:
    return [
        {**asdict(f), "event_ids": list(f.event_ids), "link_ids": list(f.link_ids)} for f in fired
    ]


def _row(result: Result, created: datetime, trigger: int | None) -> Screening:
    return Screening(
        person_id=result.person_id,
        screened_at=result.at,
        created_at=created,
        score=result.score,
        level=result.level,
        indicators=_fired_json(result.indicators),
        vulnerabilities=_fired_json(result.vulnerabilities),
        catalogue=result.catalogue,
        catalogue_hash=result.catalogue_hash,
        trigger_event_id=trigger,
    )


def _summary(fired: list[dict]) -> list:
    return [[f["id"], f["points"], list(f["event_ids"]), list(f["link_ids"])] for f in fired]


def _outcome(s: Screening) -> tuple:
    """What a change is judged on: not the moment, nor the wording of the reasons."""
    return (
        s.level,
        round(s.score, 2),
        _summary(s.indicators),
        _summary(s.vulnerabilities),
        s.catalogue_hash,
    )
