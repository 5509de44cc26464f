"""Storage services for the POLE store: every write to records goes through here.

These functions store what they are given and know no rule: validation of input is
intake's job, decisions are screening's and safeguarding's. They work in sets, never one
query per record, so that an import of a million events stays fast.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from django.db import connection, models

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


class Stored(NamedTuple):
    """What the store holds for one source record.

    A tuple, not a dataclass: an import keeps one per person and place it has seen, and
    tuples of plain values are cheap to make and left alone by the garbage collector.
    """

    id: int
    source_hash: str
    date_of_birth: date | None = None


def agency_ids() -> dict[str, int]:
    """Return every agency's id by code."""
    return dict(Agency.objects.values_list("code", "id"))


def store_agency(code: str, **fields: object) -> tuple[Agency, bool]:
    """Create an agency if its code is new; return it and whether it was created."""
    return Agency.objects.get_or_create(code=code, defaults=fields)


def has_records(kind: str, agency_id: int) -> bool:
    """Return whether an agency has any stored record of a kind (one index probe)."""
    return SOURCE_MODELS[kind].objects.filter(agency_id=agency_id).exists()


def find_stored_many(kind: str, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Stored]:
    """Return the stored records of one kind among (agency id, source ref) keys.

    One query per agency and chunk of refs, so that each ref is one probe of the unique
    (agency, source_ref) index: a query naming several agencies and several refs makes
    the databases probe every pairing of them.
    """
    model = SOURCE_MODELS[kind]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = "id, source_hash" + (", date_of_birth" if model is Person else "")
    by_agency: dict[int, list[str]] = {}
    for agency_id, ref in set(keys):
        by_agency.setdefault(agency_id, []).append(ref)
    found: dict[tuple[int, str], Stored] = {}
    with connection.cursor() as cursor:
        for agency_id, refs in sorted(by_agency.items()):
            refs.sort()
            for start in range(0, len(refs), _CHUNK):
                chunk = refs[start : start + _CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT source_ref, {columns} FROM {table} "  # noqa: S608 - model table
                    f"WHERE agency_id = %s AND source_ref IN ({marks})",
                    [agency_id, *chunk],
                )
                for ref, *rest in cursor.fetchall():
                    found[(agency_id, ref)] = _stored(model, rest)
    return found


def _stored(model: type[models.Model], row: list) -> Stored:
    if model is Person and isinstance(row[2], str):  # SQLite gives dates as text
        row[2] = date.fromisoformat(row[2])
    return Stored(*row)


def insert_records(kind: str, rows: Sequence[dict]) -> list[int]:
    """Insert new source records of one kind; return their ids in order.

    Each row holds the model's field values (foreign keys as `<field>_id`), `source_ref`
    and `source_hash`; `recorded_at` is stamped here.
    """
    return bulk.insert_rows(
        SOURCE_MODELS[kind], rows, return_ids=True, fixed={"recorded_at": now()}
    )


def insert_person_names(rows: Sequence[dict]) -> None:
    """Insert other names (aliases, nicknames) of persons."""
    bulk.insert_rows(PersonName, rows, return_ids=False)


def insert_participations(rows: Sequence[dict]) -> None:
    """Insert persons' parts in events (event_id, person_id, role, occurred_at, age_at_event,
    age_range)."""
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
