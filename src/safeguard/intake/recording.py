"""record_event() and record_batch(): the one way new records enter the system.

Forms, the API, importers and the demo all come through here. A batch is validated,
stored through records.services in one transaction, and every new event is then handed to
the safeguarding pipeline inside the same transaction, so an event and what it set off are
stored together or not at all. Recording is idempotent on (agency, source ref): a record
seen before with the same content is skipped; one with different content is refused.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from safeguard.intake.errors import RecordError, RecordingRejected
from safeguard.intake.schema import (
    AgencyIn,
    ChargingReviewIn,
    EventIn,
    ItemIn,
    LinkIn,
    LocationIn,
    PersonIn,
    PhoneIn,
    Ref,
    SourceIn,
)
from safeguard.records import services
from safeguard.records.ages import UK, age_on
from safeguard.records.models import Event
from safeguard.records.services import Stored
from safeguard.records.vocabulary import AGE_OF_RANGE
from safeguard.safeguarding import charging, pipeline

# Kinds in the order they are stored: a record may refer to kinds stored before it.
FLUSH_ORDER = ("location", "person", "phone", "item", "event", "link")
_CACHED = ("location", "person", "phone", "item")
# A key whose record was refused: references to it are refused too, without a second report.
_REFUSED = Stored(id=-1, source_hash="")


@dataclass
class Summary:
    """What a recording did, by kind."""

    created: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    new_event_ids: int = 0

    def describe(self) -> str:
        """Return one line that says what was stored and what was already there."""
        kinds = sorted(set(self.created) | set(self.unchanged))
        parts = [f"{k}: {self.created[k]} new, {self.unchanged[k]} already present" for k in kinds]
        return "; ".join(parts) or "nothing to record"


class Recorder:
    """Collects records, stores them in batches, and reports every refused one.

    Use inside a transaction (record_batch does): on any error the caller rolls back.
    """

    def __init__(self, *, source: str = "", batch_size: int = 2000):
        self.source = source
        self.batch_size = batch_size
        self.errors: list[RecordError] = []
        self.summary = Summary()
        self._agencies = services.agency_ids()
        self._known: dict[str, dict[tuple[int, str], Stored]] = {k: {} for k in FLUSH_ORDER}
        self._pending: dict[str, list[tuple[SourceIn, int | None]]] = defaultdict(list)
        self._pending_count = 0
        self._new_events: list[int] = []
        # Where each new event of the current batch came from, to name it if it is refused.
        self._event_sources: dict[int, tuple[int | None, str]] = {}
        # Charging reviews this recording stored: key -> content digest; and their ids.
        self._reviews_here: dict[tuple[int, str], str] = {}
        self._review_ids: list[int] = []
        # Per kind, agency id -> whether it had no record of the kind when first met here;
        # and, for events and links (which are not kept known between flushes), the hashes
        # of the keys this recording stored. Together they say, without a query, that a
        # key is new: what makes loading into an empty store about as fast as raw inserts.
        self._was_empty: dict[str, dict[int, bool]] = {k: {} for k in FLUSH_ORDER}
        self._stored_here: dict[str, set[int]] = {"event": set(), "link": set()}

    # -- intake -------------------------------------------------------------------------

    def add(self, record: AgencyIn | SourceIn, line: int | None = None) -> None:
        """Queue one validated record; store the queue when it is full."""
        if isinstance(record, AgencyIn):
            self._add_agency(record, line)
            return
        if self._agency_id(record.agency, line, "agency") is None:
            return
        self._pending[record.type].append((record, line))
        self._pending_count += 1
        if self._pending_count >= self.batch_size:
            self.flush()

    def error(self, line: int | None, field_name: str, reason: str) -> None:
        """Note a refused record."""
        self.errors.append(RecordError(self.source, line, field_name, reason))

    def finish(self) -> Summary:
        """Store what is queued; raise RecordingRejected if anything was refused."""
        self.flush()
        if self.errors:
            raise RecordingRejected(self.errors)
        charging.complete_evidence(self._review_ids)
        return self.summary

    # -- storing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Store every queued record, kind by kind."""
        for kind in FLUSH_ORDER:
            batch = self._pending.pop(kind, [])
            if batch:
                self._store(kind, batch)
        reviews = self._pending.pop("charging_review", [])
        if reviews:
            self._store_reviews(reviews)
        self._pending_count = 0
        # The pipeline runs once the whole batch is stored: a screening of an event must
        # see the links (a home, a phone) that arrived with it, and a charge the review
        # that authorises it.
        if self._new_events and not self.errors:
            try:
                pipeline.process_events(self._new_events)
            except charging.ChargingBlocked as blocked:
                for event_id, reason in blocked.problems:
                    line, ref = self._event_sources.get(event_id, (None, "?"))
                    self.error(line, "kind", f"event {ref!r} cannot be recorded: {reason}")
        self._new_events = []
        self._event_sources = {}
        # Events are looked up again when a later link names one; other kinds stay known
        # for the whole recording (they are few beside events).
        self._known["event"].clear()
        self._known["link"].clear()

    def _store(self, kind: str, batch: list[tuple[SourceIn, int | None]]) -> None:
        """Store one kind's queued records: one lookup and one insert for all agencies."""
        self._prefetch_references(kind, batch)
        known = self._known[kind]
        keyed = [((self._agencies[r.agency], r.ref), r, line) for r, line in batch]
        stored = services.find_stored_many(
            kind, [k for k, _, _ in keyed if k not in known and self._may_be_stored(kind, k)]
        )
        new: list[tuple[tuple[int, str], SourceIn, dict]] = []
        lines: list[int | None] = []
        for key, record, line in keyed:
            digest = record.digest()  # the costliest step after validation: once per record
            existing = known.get(key) or stored.get(key)
            if existing is not None:
                if existing is _REFUSED or existing.source_hash == digest:
                    self.summary.unchanged[kind] += existing is not _REFUSED
                    known.setdefault(key, existing)
                else:
                    self.error(
                        line,
                        "ref",
                        f"{kind} {record.ref!r} of {record.agency} is already recorded with "
                        "different content; records are not overwritten",
                    )
                continue
            row = self._row(kind, record, key[0], digest, line)
            if row is None:
                known[key] = _REFUSED
                continue
            known[key] = Stored(id=0, source_hash=digest)  # placeholder until inserted
            new.append((key, record, row))
            lines.append(line)
        if self.errors or not new:
            # Nothing will be kept: go on validating so every error is reported, but store
            # nothing more. Valid records stay known so that references to them do not add
            # false errors.
            return
        ids = services.insert_records(kind, [row for _, _, row in new])
        for (key, record, _), pk in zip(new, ids, strict=True):
            dob = record.date_of_birth if kind == "person" else None
            known[key] = Stored(pk, known[key].source_hash, dob)
        if kind in self._stored_here:
            self._stored_here[kind].update(hash(key) for key, _, _ in new)
        self.summary.created[kind] += len(ids)
        if kind == "event":
            for (_, record, _), pk, line in zip(new, ids, lines, strict=True):
                self._event_sources[pk] = (line, record.ref)
        self._store_children(kind, [record for _, record, _ in new], ids)

    def _store_children(self, kind: str, records: list[SourceIn], ids: list[int]) -> None:
        if kind == "person":
            services.insert_person_names(
                [
                    {
                        "person_id": pk,
                        "kind": n.kind,
                        "given_name": n.given_name,
                        "family_name": n.family_name,
                    }
                    for record, pk in zip(records, ids, strict=True)
                    for n in record.other_names
                ]
            )
        elif kind == "event":
            self._store_event_parts(records, ids)
            self.summary.new_event_ids += len(ids)
            self._new_events.extend(ids)

    def _store_event_parts(self, records: list[EventIn], ids: list[int]) -> None:
        parts, objects = [], []
        persons = self._known["person"]
        for event, pk in zip(records, ids, strict=True):
            # The day of the event on the UK calendar, once for all its participants.
            day = event.occurred_at.astimezone(UK).date()
            for p in event.participants:
                person = persons[self._key(p.person)]
                parts.append(
                    {
                        "event_id": pk,
                        "person_id": person.id,
                        "role": p.role,
                        "occurred_at": event.occurred_at,
                        "age_at_event": _age(person.date_of_birth, day, p.age_range),
                        "age_range": p.age_range or "",
                    }
                )
            for o in event.objects:
                objects.append(
                    {
                        "event_id": pk,
                        "role": o.role,
                        "phone_id": self._id("phone", o.phone),
                        "item_id": self._id("item", o.item),
                        "holder_id": self._id("person", o.holder),
                    }
                )
        services.insert_participations(parts)
        services.insert_event_objects(objects)

    def _store_reviews(self, batch: list[tuple[ChargingReviewIn, int | None]]) -> None:
        """Store imported charging reviews, before the charges they authorise are checked."""
        self._prefetch_references("charging_review", batch)
        keyed = [((self._agencies[r.agency], r.ref), r, line) for r, line in batch]
        stored = charging.stored_reviews([k for k, _, _ in keyed if k not in self._reviews_here])
        rows = []
        for key, record, line in keyed:
            digest = record.digest()
            existing = self._reviews_here.get(key) or stored.get(key)
            if existing is not None:
                if existing == digest:
                    self.summary.unchanged["charging_review"] += 1
                else:
                    self.error(
                        line,
                        "ref",
                        f"charging review {record.ref!r} of {record.agency} is already "
                        "recorded with different content; records are not overwritten",
                    )
                continue
            person_id = self._resolve("person", record.person, line, "person")
            if person_id is None:
                continue
            try:
                charging.check_answers(
                    charging.Answers(**record.model_dump(include=charging.ANSWER_FIELDS)),
                    record.decision,
                    record.rationale,
                )
            except charging.ReviewError as exc:
                self.error(line, "decision", str(exc))
                continue
            self._reviews_here[key] = digest
            fields = record.model_dump(exclude={"type", "agency", "ref", "person"})
            rows.append(
                fields
                | {
                    "agency_id": key[0],
                    "source_ref": record.ref,
                    "source_hash": digest,
                    "person_id": person_id,
                }
            )
        if rows and not self.errors:
            self._review_ids += [review.pk for review in charging.insert_reviews(rows)]
            self.summary.created["charging_review"] += len(rows)

    # -- rows ---------------------------------------------------------------------------

    def _row(
        self, kind: str, record: SourceIn, agency_id: int, digest: str, line: int | None
    ) -> dict | None:
        base = {"agency_id": agency_id, "source_ref": record.ref, "source_hash": digest}
        match record:
            case PersonIn():
                fields = record.model_dump(
                    exclude={"type", "agency", "ref", "other_names", "flags"}
                )
                return base | fields | {"flags": [str(f) for f in record.flags]}
            case PhoneIn() | ItemIn():
                return base | record.model_dump(exclude={"type", "agency", "ref"}, mode="json")
            case LocationIn():
                return base | record.model_dump(exclude={"type", "agency", "ref"})
            case EventIn():
                return self._event_row(record, base, line)
            case LinkIn():
                return self._link_row(record, base, line)
        raise TypeError(f"no storage for {kind}")

    def _event_row(self, event: EventIn, base: dict, line: int | None) -> dict | None:
        ok = True
        location_id = self._resolve("location", event.location, line, "location")
        ok &= event.location is None or location_id is not None
        for i, p in enumerate(event.participants):
            ok &= self._resolve("person", p.person, line, f"participants.{i}.person") is not None
        for i, o in enumerate(event.objects):
            for name in ("phone", "item", "holder"):
                ref = getattr(o, name)
                target = "person" if name == "holder" else name
                if ref is not None:
                    ok &= self._resolve(target, ref, line, f"objects.{i}.{name}") is not None
        if not ok:
            return None
        return base | {
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "ended_at": event.ended_at,
            "location_id": location_id,
            "summary": event.summary,
            "grading": event.grading,
            "attributes": event.attributes,
        }

    def _link_row(self, link: LinkIn, base: dict, line: int | None) -> dict | None:
        (from_type, from_ref), (to_type, to_ref) = link.endpoints()
        from_id = self._resolve(from_type, from_ref, line, f"from_{from_type}")
        to_id = self._resolve(to_type, to_ref, line, f"to_{to_type}")
        event_id = None
        if link.event is not None:
            event_id = self._resolve("event", link.event, line, "event")
            if event_id is None:
                return None
        if from_id is None or to_id is None:
            return None
        return base | {
            "kind": link.kind,
            f"from_{from_type}_id": from_id,
            f"to_{to_type}_id": to_id,
            "valid_from": link.valid_from,
            "valid_to": link.valid_to,
            "count": link.count,
            "confidence": link.confidence,
            "event_id": event_id,
            "note": link.note,
        }

    # -- references ---------------------------------------------------------------------

    def _add_agency(self, record: AgencyIn, line: int | None) -> None:
        fields = record.model_dump(exclude={"type", "code"})
        agency, created = services.store_agency(record.code, **fields)
        if not created and any(getattr(agency, k) != v for k, v in fields.items()):
            self.error(
                line, "code", f"agency {record.code!r} is already recorded with different details"
            )
            return
        self._agencies[record.code] = agency.pk
        (self.summary.created if created else self.summary.unchanged)["agency"] += 1

    def _agency_id(self, code: str, line: int | None, field_name: str) -> int | None:
        agency_id = self._agencies.get(code)
        if agency_id is None:
            self.error(line, field_name, f"unknown agency {code!r}: record the agency first")
        return agency_id

    def _key(self, ref: Ref) -> tuple[int, str]:
        return self._agencies.get(ref.agency, -1), ref.ref

    def _id(self, kind: str, ref: Ref | None) -> int | None:
        return None if ref is None else self._known[kind][self._key(ref)].id

    def _may_be_stored(self, kind: str, key: tuple[int, str]) -> bool:
        """Return False when a key not known here is surely not in the store.

        That is when its agency had no record of the kind when this recording first met
        it (so anything stored since was stored here), and this recording did not store
        it: persons, places, phones and objects stay known for the whole recording; for
        events and links a set of key hashes answers (a collision costs only a query).
        Another transaction storing the same key at the same time makes the insert fail
        on the unique index, and the recording is rolled back whole.
        """
        was_empty = self._was_empty[kind].get(key[0])
        if was_empty is None:
            was_empty = not services.has_records(kind, key[0])
            self._was_empty[kind][key[0]] = was_empty
        if not was_empty:
            return True
        stored_here = self._stored_here.get(kind)
        return stored_here is not None and hash(key) in stored_here

    def _prefetch_references(self, kind: str, batch: list[tuple[SourceIn, int | None]]) -> None:
        """Look up, in one query per kind, every stored record the batch names."""
        wanted: dict[str, set[tuple[int, str]]] = defaultdict(set)
        agencies, known = self._agencies, self._known
        for record, _ in batch:
            for target, ref in _references(record):
                key = (agencies.get(ref.agency, -1), ref.ref)
                if key not in known[target] and key[0] != -1 and self._may_be_stored(target, key):
                    wanted[target].add(key)
        for target, keys in wanted.items():
            self._known[target].update(services.find_stored_many(target, keys))

    def _resolve(self, kind: str, ref: Ref | None, line: int | None, field_name: str) -> int | None:
        if ref is None:
            return None
        code, source_ref = ref.agency, ref.ref
        if code not in self._agencies:
            self.error(line, field_name, f"unknown agency {code!r}")
            return None
        stored = self._known[kind].get((self._agencies[code], source_ref))
        if stored is None:
            self.error(line, field_name, f"no {kind} {source_ref!r} of {code} is recorded")
            return None
        if stored is _REFUSED:
            return None  # its own error is reported; this record is refused with it
        return stored.id


def _references(record: SourceIn) -> Iterable[tuple[str, Ref]]:
    """Yield (kind, reference) for every other record a record names."""
    if isinstance(record, EventIn):
        if record.location is not None:
            yield "location", record.location
        for p in record.participants:
            yield "person", p.person
        for o in record.objects:
            for name, target in (("phone", "phone"), ("item", "item"), ("holder", "person")):
                if getattr(o, name) is not None:
                    yield target, getattr(o, name)
    elif isinstance(record, LinkIn):
        yield from record.endpoints()
        if record.event is not None:
            yield "event", record.event
    elif isinstance(record, ChargingReviewIn):
        yield "person", record.person


def _age(date_of_birth, day, age_range: str | None) -> int | None:
    """Age at the event: from the date of birth, else the age band the source gave."""
    age = age_on(date_of_birth, day)
    if age is None and age_range:
        return AGE_OF_RANGE[age_range]
    return age


def record_batch(
    records: Iterable[AgencyIn | SourceIn | tuple[AgencyIn | SourceIn, int | None]],
    *,
    source: str = "",
    batch_size: int = 2000,
) -> Summary:
    """Record many validated records in one transaction; all or nothing.

    Args:
        records: validated records (intake.schema), or (record, line number) pairs.
        source: where they came from (a file name), used in error messages.
        batch_size: records stored per round trip.

    Returns:
        What was created and what was already present.

    Raises:
        RecordingRejected: at least one record was refused; nothing was stored.
    """
    with transaction.atomic():
        recorder = Recorder(source=source, batch_size=batch_size)
        for item in records:
            record, line = item if isinstance(item, tuple) else (item, None)
            recorder.add(record, line)
        return recorder.finish()


def record_event(event: EventIn | dict) -> Event:
    """Record one event with its participants and objects; return the stored event.

    Recording the same event again (same agency, source ref and content) returns the
    stored one and sets nothing off a second time.
    """
    if isinstance(event, dict):
        event = EventIn.model_validate(event)
    record_batch([event])
    return Event.objects.get(agency__code=event.agency, source_ref=event.ref)
