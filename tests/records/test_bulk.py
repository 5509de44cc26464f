"""records.bulk writes rows the ORM reads back exactly, with ids that never collide."""

from datetime import UTC, datetime

from django.db import transaction

from safeguard.clock import now
from safeguard.records.bulk import insert_rows
from safeguard.records.models import Agency, Event, Phone


def test_rows_written_in_bulk_read_back_through_the_orm(db):
    agency = Agency.objects.create(code="btp", kind="police_force", name="BTP")
    start = datetime(2021, 6, 1, 22, 15, 30, 123456, tzinfo=UTC)
    row = {
        "agency_id": agency.pk,
        "source_ref": "E1",
        "source_hash": "h",
        "recorded_at": now(),
        "kind": "journey",
        "occurred_at": start,
        "ended_at": start,
        "summary": "=1+1 ‏نص",
        "attributes": {"station": "Preston", "count": 3, "flag": True, "none": None},
    }
    with transaction.atomic():
        [pk] = insert_rows(Event, [row], return_ids=True)
    event = Event.objects.get(pk=pk)
    assert (event.occurred_at, event.ended_at, event.summary) == (start, start, row["summary"])
    assert event.attributes == row["attributes"]
    assert event.grading == "" and event.location is None  # model defaults


def test_bulk_ids_follow_ids_the_orm_gave(db):
    agency = Agency.objects.create(code="btp", kind="police_force", name="BTP")
    first = Phone.objects.create(
        agency=agency, source_ref="T1", source_hash="h", recorded_at=now(), number="0770"
    )
    rows = [
        {
            "agency_id": agency.pk,
            "source_ref": f"T{i}",
            "source_hash": "h",
            "recorded_at": now(),
            "number": "0771",
            "is_deal_line": i % 2 == 0,
        }
        for i in range(2, 5)
    ]
    with transaction.atomic():
        ids = insert_rows(Phone, rows, return_ids=True)
    assert ids == sorted(ids) and min(ids) > first.pk
    later = Phone.objects.create(
        agency=agency, source_ref="T9", source_hash="h", recorded_at=now(), number="0779"
    )
    assert later.pk > max(ids)
    assert list(Phone.objects.filter(pk__in=ids).values_list("is_deal_line", flat=True)) == [
        True,
        False,
        True,
    ]
    assert Phone.objects.get(pk=ids[0]).handset_ids == []  # JSON default applied


def test_the_fast_sqlite_datetime_adapter_writes_what_django_writes():
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from django.db.backends.sqlite3.base import DatabaseWrapper

    from safeguard.records.bulk import _sqlite_datetime

    # Django's SQLite adapter, as it runs with USE_TZ on (its connection's zone is UTC).
    django_adapter = DatabaseWrapper.ops_class(
        SimpleNamespace(timezone=UTC)
    ).adapt_datetimefield_value
    for value in (
        datetime(2021, 6, 1, 22, 15, 30, 123456, tzinfo=UTC),
        datetime(2021, 6, 1, 22, 15, tzinfo=ZoneInfo("Europe/London")),
        datetime(2021, 12, 31, 23, 59, 59, tzinfo=ZoneInfo("Europe/London")),
        None,
    ):
        assert _sqlite_datetime(value) == django_adapter(value)
