"""Recording an event for a signed-in user: their agency's records only, the write audited.

The API (POST /api/events) and the encounter page both record through here, so both hold
the same rules: a user records for their own agency, about its own records (a person,
place, phone or object of another agency is that agency's to write about), through
record_batch() like every other way in, and the write goes to the audit log in the same
transaction. Who may record at all is the caller's question (accounts decides it); this
module knows the user only as the audit log names them.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction

from safeguard.audit import log
from safeguard.intake.recording import record_batch
from safeguard.intake.schema import EventIn, LinkIn, Ref, SourceIn
from safeguard.records.models import Event, Participation


class NotOwnRecords(PermissionError):
    """A record for another agency, or naming another agency's records: nothing was stored."""


def record_as(
    event: EventIn,
    *,
    actor: Mapping[str, Any],
    path: str = "",
    with_records: Sequence[SourceIn] = (),
) -> Event:
    """Record one event, with the records it names, for the author's agency; audit the write.

    All or nothing, and idempotent on the records' refs, as record_batch() is: recording the
    same records again stores nothing new and returns the stored event.

    Args:
        event: the event, validated (intake.schema).
        actor: who records, as the audit log names them (accounts.reading.actor(user)):
            `user`, `username` and `agency_code`, the agency they record for.
        path: the page or API path, kept with the audit entries.
        with_records: persons, places, phones, objects and links recorded with the event
            (a new child, the place of the event, what was found); stored before it.

    Returns:
        The stored event.

    Raises:
        NotOwnRecords: a record is another agency's, or names another agency's records.
        intake.errors.RecordingRejected: a record was refused (a charge that the charging
            block refuses included); nothing was stored.
    """
    own = actor["agency_code"]
    records = [*with_records, event]
    if any(r.agency != own for r in records):
        raise NotOwnRecords(f"you record events for {own} only")
    if any(ref.agency != own for r in records for ref in _references(r)):
        raise NotOwnRecords(f"an event you record refers only to {own}'s records")
    with transaction.atomic():
        summary = record_batch(records)
        stored = Event.objects.get(agency__code=own, source_ref=event.ref)
        persons = sorted(
            set(Participation.objects.filter(event=stored).values_list("person_id", flat=True))
        )
        detail = {"path": path, "ref": stored.source_ref, "created": dict(summary.created)}
        who = {"user": actor.get("user"), "username": actor.get("username", "")}
        log.record_many(
            [
                {
                    "action": "write",
                    **who,
                    "agency_code": own,
                    "what": "records.event",
                    "object_id": str(stored.pk),
                    "person_id": pk,
                    "detail": detail,
                }
                for pk in persons or [None]
            ]
        )
    return stored


def _references(record: SourceIn) -> Iterable[Ref]:
    """Yield every reference a record makes to another record."""
    if isinstance(record, EventIn):
        if record.location is not None:
            yield record.location
        for p in record.participants:
            yield p.person
        for o in record.objects:
            yield from (r for r in (o.phone, o.item, o.holder) if r is not None)
    elif isinstance(record, LinkIn):
        for _, ref in record.endpoints():
            yield ref
        if record.event is not None:
            yield record.event
