"""Set-based inserts for the storage services: the fastest route each database offers.

An import of a million events cannot afford the ORM's per-object work, so the storage
services insert plain rows here: ids are allocated in one round trip, rows go in with
executemany on SQLite and COPY on PostgreSQL. Values are converted exactly as Django
would (its own adapters), so the ORM reads back what it would have written.
"""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
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
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def column_plan(model: type[models.Model], given: Sequence[str], with_id: bool):
    """Return the columns to write and, per column, a converter and a default."""
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    names = [f.column for f in fields]
    plan = []
    for f in fields:
        key = f.attname
        default = None if key in given or f.primary_key else f.get_default
        plan.append((key, default, _converter(f, connection.vendor)))
    return names, plan


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


def insert_rows(model: type[models.Model], rows: Sequence[dict], *, return_ids: bool) -> list[int]:
    """Insert rows (field attname -> value) into the model's table; return their new ids.

    Fields a row does not give take the model's default. With return_ids=False no ids are
    allocated and an empty list is returned.
    """
    if not rows:
        return []
    ids = allocate_ids(model, len(rows)) if return_ids else []
    # Rows of one batch may give different fields (a link gives only its own endpoints), so
    # whether a field is given is decided row by row, not from the first row.
    columns, plan = column_plan(model, (), with_id=return_ids)
    values = []
    for i, row in enumerate(rows):
        out = []
        for key, default, convert in plan:
            if return_ids and key == "id":
                value = ids[i]
            elif key in row:
                value = row[key]
            else:
                value = default() if default is not None else None
            out.append(convert(value) if convert is not None else value)
        values.append(out)
    write_values(model._meta.db_table, columns, values)
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
