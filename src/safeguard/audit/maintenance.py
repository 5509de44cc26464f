"""The one way past the audit log's append-only triggers: deleting entries on purpose.

Migration 0002 puts triggers on the entry table that refuse every UPDATE and DELETE (and,
on PostgreSQL, TRUNCATE). Two things legitimately delete entries:

- a test that commits (pytest-django's `transactional_db`, `live_server`,
  `django_db(transaction=True)`): Django empties every table after it, with TRUNCATE on
  PostgreSQL and DELETE on SQLite. tests/conftest.py runs that flush inside maintenance().
- an archival by a DBA: old entries are copied out of the database, then deleted
  (docs/operations.md, "Audit log").

maintenance() opens a transaction in which entries may be deleted, and only deleted (an
UPDATE is still refused), then closes it again:

- PostgreSQL: SET LOCAL safeguard.audit_maintenance = 'on'. The trigger function lets a
  DELETE or TRUNCATE through when current_setting('safeguard.audit_maintenance', true) is
  'on'; SET LOCAL ends with the transaction. From psql:
  BEGIN; SET LOCAL safeguard.audit_maintenance = 'on'; DELETE ...; COMMIT;
- SQLite has no session settings a trigger can read, so the delete trigger is dropped
  inside the transaction and created again, from its own text in sqlite_master, before it
  commits. SQLite's schema changes are transactional: no other connection ever sees the
  table without it, and a failure puts it back with the rollback.

The setting is a guard against mistakes, not against an attacker who can write to the
database: keep the application's database role to INSERT and SELECT on the table in
production (docs/operations.md), and verify the chain daily.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

SETTING = "safeguard.audit_maintenance"
# The SQLite trigger that refuses DELETE (migration 0002); the UPDATE one is never dropped.
SQLITE_DELETE_TRIGGER = "audit_entry_no_delete"


@contextmanager
def maintenance(using: str = "default") -> Iterator[None]:
    """Run the block in one transaction in which audit entries may be deleted.

    Inside a transaction already open (a test's), the block is a savepoint, and the
    triggers are as strict as before once it ends.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting(%s, true), set_config(%s, 'on', true)",
                    [SETTING, SETTING],
                )
                before = cursor.fetchone()[0] or ""
            yield
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, before])
            return
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"no audit maintenance for {connection.vendor}")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [SQLITE_DELETE_TRIGGER],
            )
            found = cursor.fetchone()
            if found:
                cursor.execute(f'DROP TRIGGER "{SQLITE_DELETE_TRIGGER}"')
        yield
        if found:
            with connection.cursor() as cursor:
                cursor.execute(found[0])
