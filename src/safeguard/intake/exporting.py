"""The whole bundle `safeguard export` writes: the POLE records and the charging reviews.

records.exporters writes the POLE records; the charging reviews are kept by safeguarding,
which records may not import (docs/architecture.md). intake owns the bundle format (a review
is a `charging_review` record, intake.schema.ChargingReviewIn) and may read both, so the
export is put together here, the mirror of `safeguard import`.

Where a review goes decides whether the bundle imports. The pipeline checks a charge when
the batch holding it is stored (intake.recording: the reviews of a batch are stored before
the check; a review in a later batch is too late). So a review is written just before the
event it authorises, as it happened: stored in the charge's batch or one before it.

A batch could end exactly between a review and its charge, and the charge's batch bring
records dated before the review (the links, written after every event): what an imported
review saw is worked out only when a charge asks for it, or when the import ends
(charging.complete_evidence), from everything stored by then, so the place where a batch
ends makes no difference (tests/intake/test_exporting.py covers the case).

The reviews that authorise no event in the bundle (not used yet, a decision not to charge,
or another agency's event left out of the export) are written last, after the links: they
see all the evidence of their time, and none can be taken for a charge it did not authorise.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice

from safeguard.intake.schema import ChargingReviewIn
from safeguard.records import exporters
from safeguard.safeguarding.models import ChargingReview

# The fields of a `charging_review` record after its key and person, in the schema's order.
_KEY = ("type", "agency", "ref", "person")
REVIEW_FIELDS = tuple(name for name in ChargingReviewIn.model_fields if name not in _KEY)
_COLUMNS = (
    "id",
    "agency__code",
    "source_ref",
    "person__agency__code",
    "person__source_ref",
    *REVIEW_FIELDS,
)
# Keep IN lists well under every backend's bound-parameter limit.
_IN_CHUNK = 900


def iter_bundle(
    agencies: Sequence[str] | None = None, *, chunk_size: int = exporters.CHUNK_SIZE
) -> Iterator[dict]:
    """Yield every stored source record, or those of the given agencies, as bundle dicts.

    The order of records.exporters.iter_bundle, with each charging review just before the
    charge or caution it authorises and the other reviews at the end.
    """
    return exporters.iter_bundle(
        agencies,
        chunk_size=chunk_size,
        companions=[ChargingReviews(agencies, chunk_size=chunk_size)],
    )


class ChargingReviews:
    """The charging reviews of the exported agencies, as `charging_review` bundle records."""

    def __init__(
        self, agencies: Sequence[str] | None = None, *, chunk_size: int = exporters.CHUNK_SIZE
    ):
        self.agencies = agencies
        self.chunk_size = chunk_size
        self._written: set[int] = set()

    def before_events(self, event_ids: Sequence[int]) -> dict[int, list[dict]]:
        """Return the review that authorised each of these events, by event id."""
        found: dict[int, list[dict]] = {}
        for start in range(0, len(event_ids), _IN_CHUNK):
            rows = self._rows().filter(event_id__in=event_ids[start : start + _IN_CHUNK])
            for row in rows.values("event_id", *_COLUMNS):
                found.setdefault(row["event_id"], []).append(self._record(row))
        return found

    def rest(self) -> Iterator[dict]:
        """Yield the reviews not written before an event, in the order they were stored."""
        stream = self._rows().values(*_COLUMNS).iterator(chunk_size=self.chunk_size)
        while chunk := list(islice(stream, self.chunk_size)):
            yield from (self._record(row) for row in chunk if row["id"] not in self._written)

    def _rows(self):
        rows = ChargingReview.objects.order_by("id")
        if self.agencies is not None:
            rows = rows.filter(agency__code__in=self.agencies)
        return rows

    def _record(self, row: dict) -> dict:
        """Return one review as a bundle record: ChargingReviewIn's fields, times in UTC."""
        self._written.add(row["id"])
        own = row["agency__code"]
        person = row["person__source_ref"]
        if row["person__agency__code"] != own:
            person = {"agency": row["person__agency__code"], "ref": person}
        record = {"type": "charging_review", "agency": own, "ref": row["source_ref"]}
        record["person"] = person
        for name in REVIEW_FIELDS:
            value = row[name]
            if isinstance(value, datetime):
                value = value.astimezone(UTC).isoformat()  # written with +00:00
            if value is not None:  # not given: the schema reads it as None
                record[name] = value
        return record
