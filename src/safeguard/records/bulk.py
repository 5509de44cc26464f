"""Set-based inserts for the storage services: the fastest route each database offers.

An import of a million events cannot afford the ORM's per-object work, so the storage
services insert plain rows here: ids are allocated in one round trip, rows go in with
executemany on SQLite and COPY on PostgreSQL. Values are converted exactly as Django
would (its own adapters), so the ORM reads back what it would have written.
"""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]


def _converter(field: models.Field, vendor: str) -> Converter | None:
    """Return how one field's Python value becomes what the database driver is given."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if vendor == "sqlite" else None
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value if vendor == "sqlite" else None
    if isinstance(field, models.BooleanField) and vendor == "sqlite":
        return lambda v: None if v is None else int(v)
    return None


def _sqlite_datetime(value: datetime | None) -> str | None:
    """Return what Django's SQLite adapter writes for a datetime: naive UTC, ISO with a space.

    The same result as connection.ops.adapt_datetimefield_value (USE_TZ is on), at a
    fraction of its cost per value; tests/records/test_bulk.py holds them equal.
    """
    if value is None:
        return None
    if value.tzinfo is UTC:  # what intake gives: str() ends "+00:00", which is dropped
        return str(value)[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def column_plan(model: type[models.Model], with_id: bool):
    """Return the columns to write, in order, with each column's attname and converter."""
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    return [(f.column, f.attname, _converter(f, connection.vendor)) for f in fields]


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """Return each non-key field's default, evaluated once (for a whole batch of rows)."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys for rows about to be inserted in this transaction.

    On PostgreSQL the ids come from the table's identity sequence, so concurrent writers
    never collide. On SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so
    the next ids after the largest ever used are free.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608 - model table
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + count))


def insert_rows(
    model: type[models.Model],
    rows: Sequence[dict],
    *,
    return_ids: bool,
    fixed: dict[str, Any] | None = None,
) -> list[int]:
    """Insert rows (field attname -> value) into the model's table; return their new ids.

    Fields a row does not give take the model's default, evaluated once for the batch;
    `fixed` gives values shared by every row (a batch's recorded_at). With
    return_ids=False no ids are allocated and an empty list is returned.
    """
    if not rows:
        return []
    ids = allocate_ids(model, len(rows)) if return_ids else []
    plan = column_plan(model, with_id=return_ids)
    # Rows of one batch may give different fields (a link gives only its own endpoints), so
    # each row is laid over the defaults rather than read by the first row's keys.
    base = _defaults(model) | (fixed or {})
    pick = itemgetter(*(attname for _, attname, _ in plan))
    if return_ids:
        values = [list(pick({**base, **row, "id": pk})) for row, pk in zip(rows, ids, strict=True)]
    else:
        values = [list(pick({**base, **row})) for row in rows]
    # Convert column by column: most columns need nothing, and a loop per column that does
    # costs far less than a test per value.
    for i, (_, _, convert) in enumerate(plan):
        if convert is not None:
            for out in values:
                out[i] = convert(out[i])
    write_values(model._meta.db_table, [column for column, _, _ in plan], values)
    return ids


def write_values(table: str, columns: Sequence[str], values: Sequence[Sequence]) -> None:
    """Write database-ready rows into a table: COPY on PostgreSQL, executemany elsewhere."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        _copy(table, quoted, values)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', values)  # noqa: S608


def _copy(table: str, quoted: str, values: Sequence[Sequence]) -> None:
    """Stream rows into PostgreSQL with COPY, through the connection Django holds."""
    connection.ensure_connection()
    raw = connection.connection
    # Django's error types (IntegrityError, DataError), as the ORM would raise, not psycopg's.
    with (
        connection.wrap_database_errors,
        raw.cursor() as cursor,
        cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy,  # noqa: S608
    ):
        for row in values:
            copy.write_row(row)
