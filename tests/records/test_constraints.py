"""Database constraints of the POLE store hold even when code goes around intake."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from safeguard.clock import now
from safeguard.records.models import Agency, Event, Link, Location, Person, Phone


@pytest.fixture
def agency(db):
    return Agency.objects.create(code="merseyside", kind="police_force", name="Merseyside Police")


def _stamp(**fields):
    return {"source_hash": "x", "recorded_at": now(), **fields}


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_source_ref_is_unique_per_agency(agency):
    Person.objects.create(agency=agency, **_stamp(source_ref="P1"))
    _refused(lambda: Person.objects.create(agency=agency, **_stamp(source_ref="P1")))
    other = Agency.objects.create(code="cumbria", kind="police_force", name="Cumbria")
    Person.objects.create(agency=other, **_stamp(source_ref="P1"))  # another agency: allowed


def test_an_event_cannot_end_before_it_starts(agency):
    start = datetime(2021, 1, 1, tzinfo=UTC)
    _refused(
        lambda: Event.objects.create(
            agency=agency,
            kind="missing_episode",
            occurred_at=start,
            ended_at=start - timedelta(hours=1),
            **_stamp(source_ref="E1"),
        )
    )


def test_a_link_has_exactly_one_end_each_side(agency):
    a = Person.objects.create(agency=agency, **_stamp(source_ref="P1"))
    b = Person.objects.create(agency=agency, **_stamp(source_ref="P2"))
    phone = Phone.objects.create(agency=agency, number="07700900123", **_stamp(source_ref="T1"))
    _refused(
        lambda: Link.objects.create(
            agency=agency,
            kind="associate",
            from_person=a,
            from_phone=phone,
            to_person=b,
            **_stamp(source_ref="K1"),
        )
    )
    _refused(
        lambda: Link.objects.create(
            agency=agency, kind="associate", from_person=a, **_stamp(source_ref="K2")
        )
    )
    _refused(
        lambda: Link.objects.create(
            agency=agency,
            kind="associate",
            from_person=a,
            to_person=b,
            confidence=1.5,
            **_stamp(source_ref="K3"),
        )
    )
    Link.objects.create(
        agency=agency, kind="associate", from_person=a, to_person=b, **_stamp(source_ref="K4")
    )


def test_coordinates_are_on_the_earth(agency):
    _refused(
        lambda: Location.objects.create(
            agency=agency, kind="home", latitude=91, longitude=0, **_stamp(source_ref="L1")
        )
    )
