"""The audit log: an append-only hash chain, checked by `safeguard audit verify`."""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from safeguard.audit import chain, log
from safeguard.audit.maintenance import maintenance
from safeguard.audit.models import AppendOnlyError, Entry
from safeguard.audit.verify import Problem, check, verify
from safeguard.audit.vocabulary import Action

pytestmark = pytest.mark.django_db

AT = datetime(2025, 3, 1, 12, tzinfo=UTC)
SAFEGUARD = str(Path(sys.executable).with_name("safeguard"))


def _reads(count: int, person_id: int = 7, **fields) -> list[Entry]:
    return [
        log.record(Action.READ, what="records.person", person_id=person_id, **fields)
        for _ in range(count)
    ]


def _as_a_dba(sql: str, params: list) -> None:
    """Run raw SQL with the table's triggers switched off, as someone who owns the database
    could; the test's transaction rolls the switch back with everything else."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's way round triggers: they do not fire for a replica.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        cursor.execute(sql, params)


def _refused(run) -> str:
    with pytest.raises(IntegrityError, match="the audit log is append-only") as refused:
        with transaction.atomic():
            run()
    return str(refused.value)


# The chain


def test_each_entry_carries_the_hash_of_the_one_before():
    first, second = _reads(2)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == chain.GENESIS == "0" * 64
    assert second.prev_hash == first.hash
    assert len(second.hash) == 64 and int(second.hash, 16) >= 0
    stored = Entry.objects.get(seq=2)
    assert (stored.prev_hash, stored.hash) == (first.hash, second.hash)
    assert verify() is None


def test_the_hash_is_the_documented_digest_of_the_fields():
    entry = log.record(
        Action.READ, username="pc1", what="records.person", object_id=7, person_id=7, at=AT
    )
    canonical = (
        '{"action":"read","agency_code":"","at":"2025-03-01T12:00:00.000000+00:00",'
        '"detail":{},"object_id":"7","person_id":7,"purpose":"","seq":1,"user":null,'
        '"username":"pc1","what":"records.person"}'
    )
    assert entry.hash == chain.digest("0" * 64, canonical)


def test_an_empty_log_verifies():
    assert verify() is None
    report = check()
    assert report.ok and report.entries == 0 and report.last_seq is None


def test_an_intact_log_verifies_in_chunks_of_any_size():
    _reads(7)
    for chunk in (1, 2, 3, 7, 5000):
        assert verify(chunk=chunk) is None
    report = check(chunk=3)
    assert (report.entries, report.last_seq) == (7, 7)
    assert report.last_hash == Entry.objects.get(seq=7).hash


def test_record_many_takes_one_step_of_the_chain_per_entry():
    (first,) = _reads(1)
    written = log.record_many(
        [
            {
                "action": Action.READ,
                "what": "records.person",
                "person_id": p,
                "detail": {"page": "/search"},
            }
            for p in (11, 12, 13)
        ]
    )
    assert written == 3 and log.record_many([]) == 0
    entries = list(Entry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert [e.person_id for e in entries] == [7, 11, 12, 13]
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert len({e.at for e in entries[1:]}) == 1  # one moment for the page
    assert verify() is None


def test_record_many_writes_all_or_nothing():
    with pytest.raises(ValueError):
        log.record_many([{"action": "read", "person_id": 1}, {"action": "peek", "person_id": 2}])
    assert not Entry.objects.exists()


def test_the_user_is_kept_by_name_as_well():
    user = get_user_model().objects.create_user("pc_jones", password="a long test password")
    entry = log.record(Action.SIGN_IN, user=user, agency_code="merseyside")
    user.username = "pc_jones_smith"
    user.save()
    entry = Entry.objects.get(pk=entry.pk)
    assert (entry.user_id, entry.username, entry.agency_code) == (user.pk, "pc_jones", "merseyside")
    assert verify() is None
    with pytest.raises(ProtectedError):
        user.delete()


def test_what_cannot_be_read_back_exactly_is_refused_or_normalised():
    with pytest.raises(ValueError, match="timezone-aware"):
        log.record(Action.READ, at=datetime(2025, 3, 1, 12))
    with pytest.raises(ValueError):
        log.record("peek")
    with pytest.raises(TypeError, match="float"):
        log.record(Action.READ, detail={"score": 1e16})
    entry = log.record(
        Action.SIGN_IN_FAILED,
        username="x" * 500,  # whatever was typed
        detail={"fields": ("name", "dob"), 3: "three"},
        at=datetime(2025, 3, 1, 13, 30, 0, 5, tzinfo=timezone(timedelta(hours=1))),
    )
    assert len(entry.username) == 150
    assert entry.detail == {"fields": ["name", "dob"], "3": "three"}
    assert entry.at == datetime(2025, 3, 1, 12, 30, 0, 5, tzinfo=UTC)
    assert verify() is None  # what was hashed is what reads back


# What verify finds


def test_an_entry_changed_in_the_database_is_found():
    _reads(3, purpose="strategy meeting")
    _as_a_dba("UPDATE audit_entry SET purpose = %s WHERE seq = %s", ["curiosity", 2])
    assert verify() == Problem(2, "entry 2 was changed after it was written")
    assert verify(chunk=1) == Problem(2, "entry 2 was changed after it was written")
    assert check().entries == 1


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_to_the_next():
    _reads(3, purpose="strategy meeting")
    second = Entry.objects.get(seq=2)
    second.purpose = "curiosity"
    fields = {name: getattr(second, name) for name in chain.FIELDS}
    forged = chain.digest(second.prev_hash, chain.content(**fields))
    _as_a_dba("UPDATE audit_entry SET purpose = %s, hash = %s WHERE seq = 2", ["curiosity", forged])
    problem = verify()
    assert problem.seq == 3 and "does not follow entry 2" in problem.reason


def test_a_deleted_entry_is_found_missing():
    _reads(6)
    with maintenance():
        Entry.objects.filter(seq=3).delete()
    assert verify() == Problem(3, "entry 3 is missing")
    with maintenance():
        Entry.objects.filter(seq=4).delete()
    assert verify(chunk=2) == Problem(3, "entries 3 to 4 are missing")
    with maintenance():
        Entry.objects.filter(seq=1).delete()
    assert verify() == Problem(1, "entry 1 is missing")


def test_an_archived_log_verifies_from_the_last_archived_entry():
    _reads(5)
    archived = Entry.objects.get(seq=2)
    with maintenance():
        Entry.objects.filter(seq__lte=2).delete()
    assert verify() == Problem(1, "entries 1 to 2 are missing")
    assert verify(after=(2, archived.hash)) is None
    problem = verify(after=(2, "f" * 64))
    assert problem.seq == 3 and "does not follow entry 2" in problem.reason


# The database refuses changes


def test_the_database_refuses_to_change_or_delete_entries():
    _reads(3)
    table = "audit_entry"
    _refused(lambda: Entry.objects.filter(seq=2).update(purpose="curiosity"))
    _refused(lambda: Entry.objects.filter(seq=2).delete())
    _refused(lambda: Entry.objects.all().delete())
    _refused(lambda: connection.cursor().execute(f"UPDATE {table} SET purpose = 'x'"))
    _refused(lambda: connection.cursor().execute(f"DELETE FROM {table} WHERE seq = 1"))
    if connection.vendor == "postgresql":
        # (The entries' deferred foreign-key checks must run first, or PostgreSQL refuses
        # to truncate for its own reason.)
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        _refused(lambda: connection.cursor().execute(f"TRUNCATE {table}"))
        _refused(lambda: connection.cursor().execute("TRUNCATE auth_user CASCADE"))
    assert Entry.objects.count() == 3 and verify() is None


def test_the_model_refuses_to_save_again_or_delete():
    (entry,) = _reads(1)
    entry.purpose = "curiosity"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_maintenance_allows_deleting_only_and_only_inside_it():
    _reads(3)
    with maintenance():
        _refused(lambda: Entry.objects.filter(seq=2).update(purpose="curiosity"))
        Entry.objects.filter(seq=3).delete()
    _refused(lambda: Entry.objects.filter(seq=2).delete())
    assert list(Entry.objects.values_list("seq", flat=True).order_by("seq")) == [1, 2]
    with pytest.raises(RuntimeError), maintenance():
        Entry.objects.filter(seq=2).delete()
        raise RuntimeError("a failed archival")
    assert Entry.objects.count() == 2  # rolled back with it
    _refused(lambda: Entry.objects.filter(seq=1).delete())


def test_the_triggers_are_in_place_after_the_migrations():
    # Also after the tests above, whose changes to them were rolled back. SQLite drops a
    # table's triggers when a migration rebuilds it: a migration that does must restore them.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entry'::regclass"
                " AND NOT tgisinternal AND tgenabled = 'O'"
            )
            expected = {"audit_entry_append_only", "audit_entry_no_truncate"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'"
            )
            expected = {"audit_entry_no_update", "audit_entry_no_delete"}
        assert {name for (name,) in cursor.fetchall()} == expected


def test_emptying_the_database_is_refused_except_in_maintenance():
    _reads(2)
    if connection.vendor == "postgresql":
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in the test above
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)
    assert "the audit log is append-only" in str(refused.value.__cause__)
    assert Entry.objects.count() == 2
    with maintenance():
        call_command("flush", interactive=False, verbosity=0)
    assert not Entry.objects.exists()
    _reads(1)
    _refused(lambda: Entry.objects.all().delete())


@pytest.mark.django_db(transaction=True)
def test_a_test_that_commits_is_flushed_past_the_triggers():
    # Django empties the tables after this test (TRUNCATE on PostgreSQL, DELETE on SQLite);
    # tests/conftest.py does it inside maintenance(), or the teardown would fail here.
    _reads(3)
    _refused(lambda: Entry.objects.filter(seq=1).delete())
    assert Entry.objects.count() == 3


# Who looked at a child


def test_who_looked_at_lists_reads_exports_and_refusals_newest_first():
    def at(hour: int) -> datetime:
        return AT + timedelta(hours=hour)

    log.record(Action.READ, username="a", person_id=7, purpose="strategy", at=at(1))
    log.record(Action.WRITE, username="b", person_id=7, at=at(2))
    log.record(Action.EXPORT, username="c", person_id=7, at=at(3))
    log.record(Action.DENIED, username="d", person_id=7, detail={"reason": "agency"}, at=at(4))
    log.record(Action.READ, username="e", person_id=8, at=at(5))
    log.record(Action.SIGN_IN, username="a", at=at(6))
    log.record(Action.READ, username="f", person_id=7, at=at(4))  # the same moment as d's
    assert [e.username for e in log.who_looked_at(7)] == ["f", "d", "c", "a"]
    assert [e.username for e in log.who_looked_at(7, since=at(3))] == ["f", "d", "c"]
    assert not log.who_looked_at(9).exists()


# The command


def test_verify_says_the_log_is_intact(capsys):
    _reads(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    last = Entry.objects.get(seq=2)
    assert out.startswith("audit log intact: 2 entries, last at ")
    assert last.at.isoformat() in out and last.hash in out
    call_command("audit", "verify", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "ok": True,
        "entries": 2,
        "first_problem": None,
        "last": {"seq": 2, "at": last.at.isoformat(), "hash": last.hash},
    }


def test_verify_on_an_empty_log(capsys):
    call_command("audit", "verify", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "entries": 0,
        "first_problem": None,
        "last": None,
    }


def test_verify_fails_on_the_first_problem(capsys):
    _reads(4)
    _as_a_dba("UPDATE audit_entry SET username = %s WHERE seq = %s", ["someone else", 3])
    with pytest.raises(CommandError, match="entry 3 was changed after it was written") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["entries"] == 2
    assert report["first_problem"] == {
        "seq": 3,
        "reason": "entry 3 was changed after it was written",
    }


def test_verify_after_an_archival(capsys):
    _reads(3)
    archived = Entry.objects.get(seq=1)
    with maintenance():
        Entry.objects.filter(seq=1).delete()
    with pytest.raises(CommandError, match="entry 1 is missing"):
        call_command("audit", "verify")
    call_command("audit", "verify", "--after", f"1:{archived.hash}")
    assert "audit log intact: 2 entries" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--after", "1:not-a-hash")


def test_show_lists_who_looked_and_is_itself_logged(capsys):
    log.record(Action.READ, username="pc1", agency_code="merseyside", person_id=7, purpose="s47")
    log.record(Action.DENIED, username="nurse", person_id=7, detail={"reason": "not shared"})
    call_command("audit", "show", "--person", "7", "--purpose", "complaint 12")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "nurse  denied" in lines[0] and "reason: not shared" in lines[0]
    assert "pc1 (merseyside)  read  " in lines[1] and "purpose: s47" in lines[1]
    call_command("audit", "show", "--person", "8")
    assert capsys.readouterr().out.strip() == "no one has looked at person 8"
    call_command("audit", "show", "--person", "7", "--limit", "1")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "console:" in lines[0] and "purpose: complaint 12" in lines[0]
    looks = Entry.objects.filter(what="audit.entry").order_by("seq")
    assert [e.person_id for e in looks] == [7, 8, 7] and verify() is None


# Two processes appending at once

WRITER = """
import pathlib, time
from safeguard.audit import log
start = pathlib.Path({start!r})
while not start.exists():
    time.sleep(0.01)
for i in range(150):
    log.record("read", username={name!r}, what="records.person", person_id=i)
    time.sleep(0.001)  # as page views come, not back to back: the other gets its turns
for i in range(10):
    page = [{{"action": "export", "username": {name!r}, "person_id": p}} for p in range(5)]
    log.record_many(page)
    time.sleep(0.001)
"""


def _run(*args: str, env: dict, wait: bool = True):
    command = [SAFEGUARD, *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def own_database(tmp_path):
    """A migrated database of its own for other processes to share: a file on SQLite, a
    database on the PostgreSQL server the suite runs on. Yields their environment."""
    env = {
        "PATH": "/usr/bin:/bin",
        "SAFEGUARD_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    url = os.environ.get("SAFEGUARD_DATABASE_URL", "")
    server = url.rsplit("/", 1)[0] if url.startswith("postgres") else None
    name = f"sg_test_audit_{os.getpid()}"
    if server:
        import psycopg

        def admin(sql: str) -> None:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(sql)

        admin(f'DROP DATABASE IF EXISTS "{name}"')
        admin(f'CREATE DATABASE "{name}"')
        env["SAFEGUARD_DATABASE_URL"] = f"{server}/{name}"
    migrated = _run("migrate", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    yield env
    if server:
        admin(f'DROP DATABASE IF EXISTS "{name}"')


def test_two_processes_appending_at_once_keep_the_chain(own_database, tmp_path):
    env, start = own_database, tmp_path / "start"
    writers = [
        _run(
            "shell",
            "-v",
            "0",
            "-c",
            WRITER.format(start=str(start), name=name),
            env=env,
            wait=False,
        )
        for name in ("one", "two")
    ]
    time.sleep(0.5)  # both started and waiting
    start.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()

    verified = _run("audit", "verify", "--json", env=env)
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] and report["entries"] == 400 and report["first_problem"] is None

    order = _run(
        "shell",
        "-v",
        "0",
        "-c",
        "from safeguard.audit.models import Entry as E;"
        "print(''.join(n[1] for n in E.objects.order_by('seq').values_list('username', flat=1)))",
        env=env,
    ).stdout.strip()
    assert len(order) == 400 and order.count("n") == order.count("w") == 200
    assert order.count("nw") + order.count("wn") > 1  # they did take turns

    # The exit status, from a real process: a gap makes the command fail.
    delete = (
        "from safeguard.audit.maintenance import maintenance;"
        "from safeguard.audit.models import Entry\n"
        "with maintenance(): Entry.objects.filter(seq=200).delete()"
    )
    assert _run("shell", "-v", "0", "-c", delete, env=env).returncode == 0
    broken = _run("audit", "verify", env=env)
    assert broken.returncode == 1 and "entry 200 is missing" in broken.stderr
