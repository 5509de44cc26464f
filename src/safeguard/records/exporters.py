"""Read stored POLE records back out as a bundle: plain dicts, written as JSON Lines or CSV.

The storage side of the bundle format documented in docs/data-model.md: it reads the
models and produces plain dicts in that format, which intake reads back. The order is the
order a bundle must have to import cleanly (a record refers only to records before it), so
an export re-imports into an empty database, or into the same one with nothing changed.
Reads are streamed in chunks, and the parts of a chunk of events are fetched per chunk.
The CSV form is written by records.csv_writer.

Records that a higher layer keeps about these (a charging review of a person, authorising a
charge: safeguarding) are source records of the bundle too, but records cannot import the
layers above it (docs/architecture.md): their owner hands them in as Companions, which say
what to write just before an event and what to write at the end.
"""

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import islice
from typing import IO, Protocol

from django.db import models

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

CHUNK_SIZE = 1000
# Keep IN lists well under every backend's bound-parameter limit.
_IN_CHUNK = 900

_PLAIN_FIELDS = {
    "location": (
        "kind",
        "name",
        "address",
        "postcode",
        "latitude",
        "longitude",
        "force_area",
        "local_authority",
    ),
    "phone": ("number", "handset_ids", "is_deal_line", "line_name"),
    "item": ("kind", "description", "attributes"),
}

_Ref = str | dict[str, str] | None
_RefIndex = dict[int, tuple[str, str]]


class Companions(Protocol):
    """Source records a higher layer keeps about stored POLE records, written in the bundle.

    A companion that must be stored before an event is checked on import (a charging review
    before the charge it authorises) is written just before that event; the rest at the end.
    """

    def before_events(self, event_ids: Sequence[int]) -> Mapping[int, Sequence[dict]]:
        """Return the bundle dicts to write just before each of these events, by event id."""
        ...

    def rest(self) -> Iterable[dict]:
        """Return the bundle dicts not yet written, to write after the links."""
        ...


# -- reading the store ----------------------------------------------------------------------


def iter_bundle(
    agencies: Sequence[str] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    companions: Sequence[Companions] = (),
) -> Iterator[dict]:
    """Yield every stored record, or those of the given agencies, as bundle dicts.

    Args:
        agencies: agency codes to export; None exports every agency.
        chunk_size: rows read per round trip.
        companions: records of higher layers to write with these (see Companions).

    Returns:
        Dicts with a "type" key, in the order agencies, locations, persons, phones, items,
        events (with participants and objects, each after the companions written before it),
        links, then the rest of the companions.
    """
    codes = dict(Agency.objects.values_list("id", "code"))
    agency_rows = Agency.objects.order_by("code")
    if agencies is not None:
        agency_rows = agency_rows.filter(code__in=agencies)
    for agency in agency_rows.values(
        "code", "kind", "name", "jurisdiction", "area_code", "referral_address"
    ):
        yield {"type": "agency", **agency}
    for chunk in _chunks(Location, agencies, chunk_size):
        yield from (_plain("location", row, codes) for row in chunk)
    for chunk in _chunks(Person, agencies, chunk_size):
        yield from _persons(chunk, codes)
    for chunk in _chunks(Phone, agencies, chunk_size):
        yield from (_plain("phone", row, codes) for row in chunk)
    for chunk in _chunks(Item, agencies, chunk_size):
        yield from (_plain("item", row, codes) for row in chunk)
    for chunk in _chunks(Event, agencies, chunk_size):
        before = [c.before_events([row["id"] for row in chunk]) for c in companions]
        for row, event in zip(chunk, _events(chunk, codes), strict=True):
            for found in before:
                yield from found.get(row["id"], ())
            yield event
    for chunk in _chunks(Link, agencies, chunk_size):
        yield from _links(chunk, codes)
    for companion in companions:
        yield from companion.rest()


def _chunks(
    model: type[models.Model], agencies: Sequence[str] | None, size: int
) -> Iterator[list[dict]]:
    """Yield one kind's rows (as dicts of field values) in chunks, in the order stored."""
    rows = model.objects.order_by("id")
    if agencies is not None:
        rows = rows.filter(agency__code__in=agencies)
    stream = rows.values().iterator(chunk_size=size)
    while chunk := list(islice(stream, size)):
        yield chunk


def _ref_index(model: type[models.Model], ids: Iterable[int | None]) -> _RefIndex:
    """Return (agency id, source ref) of the given records, by id."""
    wanted = sorted({pk for pk in ids if pk is not None})
    index: _RefIndex = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        part = wanted[start : start + _IN_CHUNK]
        rows = model.objects.filter(id__in=part).values_list("id", "agency_id", "source_ref")
        index.update((pk, (agency_id, ref)) for pk, agency_id, ref in rows)
    return index


def _ref(own_agency: str, target: int | None, index: _RefIndex, codes: dict[int, str]) -> _Ref:
    """Write a reference as a plain ref within an agency, as {"agency", "ref"} across."""
    if target is None:
        return None
    agency_id, ref = index[target]
    code = codes[agency_id]
    return ref if code == own_agency else {"agency": code, "ref": ref}


def _head(kind: str, row: dict, codes: dict[int, str]) -> dict:
    return {"type": kind, "agency": codes[row["agency_id"]], "ref": row["source_ref"]}


def _given(fields: dict) -> dict:
    """Leave out fields that are None: not given, which the schema reads as None."""
    return {name: value for name, value in fields.items() if value is not None}


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _plain(kind: str, row: dict, codes: dict[int, str]) -> dict:
    """Return a record that has no references and no child rows, field by field."""
    return _given(_head(kind, row, codes) | {name: row[name] for name in _PLAIN_FIELDS[kind]})


def _persons(chunk: list[dict], codes: dict[int, str]) -> Iterator[dict]:
    names: dict[int, list[dict]] = {row["id"]: [] for row in chunk}
    for part in _id_parts(chunk):
        rows = PersonName.objects.filter(person_id__in=part).order_by("person_id", "id")
        for person_id, kind, given, family in rows.values_list(
            "person_id", "kind", "given_name", "family_name"
        ):
            names[person_id].append({"kind": kind, "given_name": given, "family_name": family})
    for row in chunk:
        yield _given(
            _head("person", row, codes)
            | {
                "given_name": row["given_name"],
                "family_name": row["family_name"],
                "date_of_birth": _iso(row["date_of_birth"]),
                "dob_precision": row["dob_precision"],
                "sex": row["sex"],
                "self_defined_ethnicity": row["self_defined_ethnicity"],
                "flags": list(row["flags"]),
                "other_names": names[row["id"]],
            }
        )


def _id_parts(chunk: list[dict]) -> Iterator[list[int]]:
    ids = [row["id"] for row in chunk]
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def _events(chunk: list[dict], codes: dict[int, str]) -> Iterator[dict]:
    """Yield a chunk of events with their participants and objects, fetched for the chunk."""
    parts: dict[int, list[tuple]] = {row["id"]: [] for row in chunk}
    objects: dict[int, list[tuple]] = {row["id"]: [] for row in chunk}
    for ids in _id_parts(chunk):
        for row in (
            Participation.objects.filter(event_id__in=ids)
            .order_by("event_id", "id")
            .values_list("event_id", "person_id", "role", "age_range")
        ):
            parts[row[0]].append(row[1:])
        for row in (
            EventObject.objects.filter(event_id__in=ids)
            .order_by("event_id", "id")
            .values_list("event_id", "phone_id", "item_id", "holder_id", "role")
        ):
            objects[row[0]].append(row[1:])
    locations = _ref_index(Location, (row["location_id"] for row in chunk))
    persons = _ref_index(
        Person,
        [p for rows in parts.values() for p, _, _ in rows]
        + [o[2] for rows in objects.values() for o in rows],
    )
    phones = _ref_index(Phone, (o[0] for rows in objects.values() for o in rows))
    items = _ref_index(Item, (o[1] for rows in objects.values() for o in rows))
    for row in chunk:
        own = codes[row["agency_id"]]
        yield _given(
            _head("event", row, codes)
            | {
                "kind": row["kind"],
                "occurred_at": _iso(row["occurred_at"]),
                "ended_at": _iso(row["ended_at"]),
                "location": _ref(own, row["location_id"], locations, codes),
                "summary": row["summary"],
                "grading": row["grading"],
                "attributes": row["attributes"],
                "participants": [
                    _given(
                        {
                            "person": _ref(own, person, persons, codes),
                            "role": role,
                            "age_range": age_range or None,
                        }
                    )
                    for person, role, age_range in parts[row["id"]]
                ],
                "objects": [
                    _given(
                        {
                            "phone": _ref(own, phone, phones, codes),
                            "item": _ref(own, item, items, codes),
                            "holder": _ref(own, holder, persons, codes),
                            "role": role,
                        }
                    )
                    for phone, item, holder, role in objects[row["id"]]
                ],
            }
        )


_LINK_ENDS = {
    "from_person": Person,
    "from_phone": Phone,
    "to_person": Person,
    "to_phone": Phone,
    "to_location": Location,
    "to_item": Item,
    "event": Event,
}


def _links(chunk: list[dict], codes: dict[int, str]) -> Iterator[dict]:
    indexes = {
        name: _ref_index(model, (row[f"{name}_id"] for row in chunk))
        for name, model in _LINK_ENDS.items()
    }
    for row in chunk:
        own = codes[row["agency_id"]]
        ends = {name: _ref(own, row[f"{name}_id"], indexes[name], codes) for name in _LINK_ENDS}
        event = ends.pop("event")
        yield _given(
            _head("link", row, codes)
            | {
                "kind": row["kind"],
                **ends,
                "valid_from": _iso(row["valid_from"]),
                "valid_to": _iso(row["valid_to"]),
                "count": row["count"],
                "confidence": row["confidence"],
                "event": event,
                "note": row["note"],
            }
        )


def write_jsonl(records: Iterable[dict], out: IO[str]) -> Counter:
    """Write bundle dicts as JSON Lines; return how many of each type were written."""
    written: Counter = Counter()
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written[record["type"]] += 1
    return written
