"""Screening services: screen children from the records and keep the history of results.

Everything here works in sets (a chunk of persons at a time, a fixed number of queries per
chunk), so that the pipeline can re-screen the children of a batch of new events and
`safeguard screening run` can re-screen every child without one query per child.
"""

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max

from safeguard.clock import now
from safeguard.records.ages import ADULT_AGE, UK
from safeguard.records.bulk import insert_rows
from safeguard.records.models import Participation, Person
from safeguard.screening import catalogue as catalogues
from safeguard.screening.engine import Fired, screen
from safeguard.screening.engine import Screening as Result
from safeguard.screening.loading import load_facts
from safeguard.screening.models import Judgement, Level, Screening, outcome_digest

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


def rescreen(
    moments: Mapping[int, datetime],
    *,
    triggers: Mapping[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Screening]:
    """Screen each person as of their moment; store and return the results that changed.

    A result is stored only when it differs from the person's latest stored screening (its
    level, score, fired rules, evidence or catalogue: the outcome digest), so the history
    shows each change once.
    """
    catalogue = catalogues.current()
    triggers = triggers or {}
    ids = sorted(moments)
    stored: list[Screening] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with collector_paused():
            stored.extend(_rescreen_chunk(chunk, moments, triggers, catalogue))
        if progress is not None:
            progress(len(chunk))
    return stored


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the block (one chunk loaded, screened and stored;
    one file imported), then restore it as it was.

    A chunk builds a few hundred thousand small objects that live until it ends, so the
    collector ran full collections over them again and again: nearly half of a full
    re-screen's time. Reference counting frees them when the chunk ends; the few cycles
    among them (the ORM's) are collected in the collector's next run after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def assess(person_id: int, at: datetime) -> Result | None:
    """Screen one person as of a moment without storing it: what the evidence said then.

    The charging block asks this of a child at the moment of a proposed charge, which in a
    batch of past records may lie before the child's latest stored screening.
    """
    facts = load_facts([person_id])
    if person_id not in facts:
        return None
    return screen(facts[person_id], catalogues.current(), at)


def _rescreen_chunk(
    chunk: list[int],
    moments: Mapping[int, datetime],
    triggers: Mapping[int, int],
    catalogue: catalogues.Catalogue,
) -> list[Screening]:
    """Load, screen and compare one chunk of persons; store the results that changed."""
    facts = load_facts(chunk)
    previous = _latest_outcomes(chunk)
    created = now()
    rows = []
    for person_id in chunk:
        if person_id not in facts:
            continue
        row = _row(screen(facts[person_id], catalogue, moments[person_id]))
        if previous.get(person_id) != row["outcome"]:
            row["created_at"] = created
            row["trigger_event_id"] = triggers.get(person_id)
            rows.append(row)
    return _store(rows)


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


def _latest_outcomes(person_ids: Sequence[int]) -> dict[int, str]:
    """Return the outcome digest of each person's most recent screening (one query)."""
    newest = Screening.objects.filter(person_id__in=person_ids).values("person_id")
    newest = newest.annotate(newest=Max("id")).values_list("newest", flat=True)
    return dict(Screening.objects.filter(id__in=newest).values_list("person_id", "outcome"))


def _fired_json(fired: tuple[Fired, ...]) -> list[dict]:
    return [
        {
            "id": f.id,
            "title": f.title,
            "points": f.points,
            "weight": f.weight,
            "band": f.band,
            "factor": f.factor,
            "event_ids": list(f.event_ids),
            "link_ids": list(f.link_ids),
            "reason": f.reason,
        }
        for f in fired
    ]


def _row(result: Result) -> dict:
    """Return a result as the fields of a Screening, its outcome digest among them."""
    indicators = _fired_json(result.indicators)
    vulnerabilities = _fired_json(result.vulnerabilities)
    return {
        "person_id": result.person_id,
        "screened_at": result.at,
        "score": result.score,
        "level": result.level,
        "indicators": indicators,
        "vulnerabilities": vulnerabilities,
        "catalogue": result.catalogue,
        "catalogue_hash": result.catalogue_hash,
        "outcome": outcome_digest(
            result.level, result.score, indicators, vulnerabilities, result.catalogue_hash
        ),
    }


def _store(rows: list[dict]) -> list[Screening]:
    """Insert the rows in one set-based write; return them as saved Screenings.

    The write is a transaction of its own (a savepoint inside the caller's): on SQLite its
    lock is what keeps the ids it allocates from another process's (records.bulk).
    """
    if not rows:
        return []
    with transaction.atomic():
        ids = insert_rows(Screening, rows, return_ids=True)
    stored = []
    for pk, row in zip(ids, rows, strict=True):
        screening = Screening(id=pk, **row)
        screening._state.adding = False
        stored.append(screening)
    return stored
