"""Make the audit log append-only in the database itself, below the ORM.

PostgreSQL: a trigger function refuses UPDATE and DELETE of any row (BEFORE UPDATE OR
DELETE, for each row) and TRUNCATE (BEFORE TRUNCATE, for the statement), with "the audit
log is append-only" (SQLSTATE 23001, restrict_violation, which Django raises as
IntegrityError). SQLite: two triggers do the same for UPDATE and DELETE (SQLite has no
TRUNCATE; its RAISE(ABORT) is an IntegrityError too), so both databases behave alike.

The one way past them, for a test database's flush and a DBA's archival, is deleting, and
only deleting, inside safeguard.audit.maintenance.maintenance(): on PostgreSQL the function
lets DELETE and TRUNCATE through when the transaction has set
`safeguard.audit_maintenance` to 'on' (SET LOCAL); on SQLite, which has no such setting,
maintenance() drops the delete trigger and creates it again within one transaction.

SQLite rebuilds a table for most changes to it (a new table, rows copied, the old one
dropped), which drops its triggers: a later migration that alters audit_entry must create
them again (tests/audit/test_log.py checks they are there after every migration).
"""

from django.db import migrations

PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND coalesce(current_setting('safeguard.audit_maintenance', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only'
            USING ERRCODE = 'restrict_violation',
                  DETAIL = TG_OP || ' on ' || TG_TABLE_NAME || ' refused';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
    """
    CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()
    """,
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"no append-only triggers for {vendor}")
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
