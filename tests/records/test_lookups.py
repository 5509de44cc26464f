"""records.services.find_stored_many: the look-up that makes recording idempotent."""

from datetime import date

from safeguard.clock import now
from safeguard.records.models import Agency, Person
from safeguard.records.services import Stored, find_stored_many, has_records


def _person(agency: Agency, ref: str, born: date | None = None) -> Person:
    return Person.objects.create(
        agency=agency,
        source_ref=ref,
        source_hash=f"h-{agency.code}-{ref}",
        recorded_at=now(),
        date_of_birth=born,
    )


def test_each_key_finds_only_its_own_agencys_record(db):
    btp = Agency.objects.create(code="btp", kind="police_force", name="BTP")
    met = Agency.objects.create(code="met", kind="police_force", name="Met")
    a = _person(btp, "P1", date(2006, 5, 4))
    _person(met, "P1")
    b = _person(met, "P2")
    found = find_stored_many("person", [(btp.pk, "P1"), (met.pk, "P2"), (btp.pk, "P2")])
    assert found == {
        (btp.pk, "P1"): Stored(a.pk, "h-btp-P1", date(2006, 5, 4)),
        (met.pk, "P2"): Stored(b.pk, "h-met-P2", None),
    }


def test_more_refs_than_one_query_holds_are_all_found(db):
    btp = Agency.objects.create(code="btp", kind="police_force", name="BTP")
    Person.objects.bulk_create(
        Person(agency=btp, source_ref=f"P{i}", source_hash="h", recorded_at=now())
        for i in range(2000)
    )
    found = find_stored_many("person", [(btp.pk, f"P{i}") for i in range(0, 2100, 3)])
    assert set(found) == {(btp.pk, f"P{i}") for i in range(0, 2000, 3)}


def test_has_records_is_per_agency_and_kind(db):
    btp = Agency.objects.create(code="btp", kind="police_force", name="BTP")
    met = Agency.objects.create(code="met", kind="police_force", name="Met")
    _person(btp, "P1")
    assert has_records("person", btp.pk)
    assert not has_records("person", met.pk)
    assert not has_records("event", btp.pk)
