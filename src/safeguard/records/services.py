"""Storage services for the POLE store: every write to records goes through here.

These functions store what they are given and know no rule: validation of input is
intake's job, decisions are screening's and safeguarding's. They work in sets, never one
query per record, so that an import of a million events stays fast.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import models

from safeguard.clock import now
from safeguard.records import bulk
from safeguard.records.models import (
    Agency,
    Event,
    EventObject,
    Item,
    Link,
    Location,
    Participation,
    Person,
    PersonName,
    Phone,
)

SOURCE_MODELS: dict[str, type[models.Model]] = {
    "person": Person,
    "phone": Phone,
    "item": Item,
    "location": Location,
    "event": Event,
    "link": Link,
}

# Keep IN lists well under every backend's bound-parameter limit.
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class Stored:
    """What the store holds for one source record."""

    id: int
    source_hash: str
    date_of_birth: date | None = None


def agency_ids() -> dict[str, int]:
    """Return every agency's id by code."""
    return dict(Agency.objects.values_list("code", "id"))


def store_agency(code: str, **fields: object) -> tuple[Agency, bool]:
    """Create an agency if its code is new; return it and whether it was created."""
    return Agency.objects.get_or_create(code=code, defaults=fields)


def find_stored_many(kind: str, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Stored]:
    """Return the stored records of one kind among (agency id, source ref) keys.

    One query per chunk of refs for all agencies together: the unique (agency, source_ref)
    index answers it, and the few rows of another agency that share a ref are dropped here.
    """
    model = SOURCE_MODELS[kind]
    fields = ["agency_id", "source_ref", "id", "source_hash"]
    if model is Person:
        fields.append("date_of_birth")
    wanted = set(keys)
    agencies = sorted({agency_id for agency_id, _ in wanted})
    refs = sorted({ref for _, ref in wanted})
    found: dict[tuple[int, str], Stored] = {}
    for start in range(0, len(refs), _CHUNK):
        rows = model.objects.filter(
            agency_id__in=agencies, source_ref__in=refs[start : start + _CHUNK]
        ).values_list(*fields)
        for agency_id, ref, *rest in rows:
            if (agency_id, ref) in wanted:
                found[(agency_id, ref)] = Stored(*rest)
    return found


def insert_records(kind: str, rows: Sequence[dict]) -> list[int]:
    """Insert new source records of one kind; return their ids in order.

    Each row holds the model's field values (foreign keys as `<field>_id`), `source_ref`
    and `source_hash`; `recorded_at` is stamped here.
    """
    stamp = now()
    return bulk.insert_rows(
        SOURCE_MODELS[kind], [{**row, "recorded_at": stamp} for row in rows], return_ids=True
    )


def insert_person_names(rows: Sequence[dict]) -> None:
    """Insert other names (aliases, nicknames) of persons."""
    bulk.insert_rows(PersonName, rows, return_ids=False)


def insert_participations(rows: Sequence[dict]) -> None:
    """Insert persons' parts in events (event_id, person_id, role, occurred_at, age_at_event)."""
    bulk.insert_rows(Participation, rows, return_ids=False)


def insert_event_objects(rows: Sequence[dict]) -> None:
    """Insert phones and objects seized, carried or found in events."""
    bulk.insert_rows(EventObject, rows, return_ids=False)


def record_counts() -> dict[str, int]:
    """Return how many records of each kind the store holds (for the home page and reports)."""
    return {
        "agencies": Agency.objects.count(),
        "persons": Person.objects.count(),
        "phones": Phone.objects.count(),
        "objects": Item.objects.count(),
        "locations": Location.objects.count(),
        "events": Event.objects.count(),
        "participations": Participation.objects.count(),
        "links": Link.objects.count(),
    }


def record_counts_by_agency() -> list[dict]:
    """Return each agency with how many persons and events it has recorded."""
    return list(
        Agency.objects.annotate(
            persons=models.Count("person", distinct=True),
        )
        .values("code", "name", "kind", "persons")
        .order_by("kind", "name")
        .annotate(events=models.Subquery(_event_count()))
    )


def _event_count():
    return (
        Event.objects.filter(agency=models.OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(n=models.Count("id"))
        .values("n")
    )
