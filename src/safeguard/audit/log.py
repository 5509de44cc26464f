"""Writing to the audit log, and the one question the administrator's page asks of it.

record() appends one entry; record_many() appends one per person a page lists, in one
transaction and one insert. Each entry takes the next sequence number and the hash of the
entry before it (chain.py), so two writers must never read the same "last entry": the read
and the insert happen under a lock that only one transaction holds until it commits.

- PostgreSQL: pg_advisory_xact_lock(LOCK_KEY), taken inside the transaction before the last
  entry is read and released by the database when the transaction ends. Under READ
  COMMITTED (Django's default) each statement sees what committed before it, so the read
  that follows the lock sees the previous holder's entries.
- SQLite: one writer at a time is the database's own rule, but a transaction that reads
  first and writes later holds only a read snapshot until its first write, so two of them
  could read the same last entry (in WAL mode the second then fails on its insert with
  "database is locked" instead of waiting). So the first statement under the transaction
  is a write that changes nothing (UPDATE ... WHERE 0; no row, so no trigger), which takes
  the write lock, waiting up to the connection's timeout, before the last entry is read.
  safeguard's settings already begin every transaction with BEGIN IMMEDIATE, which takes
  the lock at once; the no-op write keeps appending safe if that setting ever changes
  (tests/audit/test_log.py's two writers fail under DEFERRED without it), and costs
  nothing.

The unique constraint on `seq` is the last line of defence: if all else failed, the second
writer's insert would fail rather than fork the chain.

Entries written inside a caller's transaction are part of it: they are kept only if it
commits, and the chain's lock is held until it ends. Record at the end of a long
transaction (an import), not at its start, so other writers do not wait on it.
"""

from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from safeguard.audit import chain
from safeguard.audit.models import Entry
from safeguard.audit.vocabulary import LOOKED_AT, Action
from safeguard.clock import now

# The advisory lock's key on PostgreSQL: b"sg-audit" as a number, used for nothing else.
LOCK_KEY = 0x73672D6175646974
BATCH = 500


def record(
    action: str,
    *,
    user: Any = None,
    username: str = "",
    agency_code: str = "",
    what: str = "",
    object_id: Any = "",
    person_id: int | None = None,
    purpose: str = "",
    detail: dict | None = None,
    at: datetime | None = None,
) -> Entry:
    """Append one entry to the log and return it.

    `user` is a user (or None, or an anonymous user); `username` defaults to the user's.
    `at` defaults to now, taken once the chain's lock is held.
    """
    return _append([_spec(**locals())])[0]  # locals(): exactly this function's arguments


def record_many(entries: list[dict]) -> int:
    """Append one entry per dict (record()'s arguments, `action` included) in one step;
    return how many were written. All are written, in the order given, or none are."""
    specs = [_spec(**entry) for entry in entries]
    return len(_append(specs)) if specs else 0


def who_looked_at(person_id: int, since: datetime | None = None) -> QuerySet[Entry]:
    """Return the reads, exports and refusals concerning one person, newest first."""
    found = Entry.objects.filter(person_id=person_id, action__in=LOOKED_AT)
    if since is not None:
        found = found.filter(at__gte=since)
    return found.order_by("-at", "-seq")


def _spec(
    action: str,
    *,
    user: Any = None,
    username: str = "",
    agency_code: str = "",
    what: str = "",
    object_id: Any = "",
    person_id: int | None = None,
    purpose: str = "",
    detail: dict | None = None,
    at: datetime | None = None,
) -> dict:
    """Check and normalise one entry's fields before the lock is taken."""
    user_id = getattr(user, "pk", None) if user is not None else None
    if user_id is not None and not username:
        username = user.get_username()
    if at is not None:
        if at.tzinfo is None:
            raise ValueError("an audit entry's time must be timezone-aware")
        at = at.astimezone(UTC)
    return {
        "action": Action(action).value,
        "user_id": user_id,
        "username": _clip("username", username),
        "agency_code": _clip("agency_code", agency_code),
        "what": _clip("what", what),
        "object_id": _clip("object_id", "" if object_id is None else str(object_id)),
        "person_id": None if person_id is None else int(person_id),
        "purpose": str(purpose or ""),
        "detail": chain.clean_detail(detail),
        "at": at,
    }


def _clip(field: str, value: str) -> str:
    """Cut text to its column's length: a refused insert would lose the entry (a failed
    sign-in's username is whatever was typed)."""
    return str(value or "")[: Entry._meta.get_field(field).max_length]


def _append(specs: list[dict]) -> list[Entry]:
    with transaction.atomic():
        _hold_the_chain()
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = last or (0, chain.GENESIS)
        moment = now()
        entries = []
        for spec in specs:
            seq += 1
            fields = {**spec, "at": spec["at"] or moment}
            digest = chain.digest(prev_hash, chain.content(seq=seq, **fields))
            entries.append(Entry(seq=seq, prev_hash=prev_hash, hash=digest, **fields))
            prev_hash = digest
        Entry.objects.bulk_create(entries, batch_size=BATCH)
    return entries


def _hold_the_chain() -> None:
    """Take the lock that makes this transaction the only one appending (module docstring)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        elif connection.vendor == "sqlite":
            table = connection.ops.quote_name(Entry._meta.db_table)
            cursor.execute(f"UPDATE {table} SET seq = seq WHERE 0")  # noqa: S608 - constant
        else:
            raise NotImplementedError(f"the audit log has no lock for {connection.vendor}")
