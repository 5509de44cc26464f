"""Checking the audit log: walk the chain in order and report the first thing wrong.

The walk reads `chunk` entries at a time by sequence number (WHERE seq > last ORDER BY seq
LIMIT chunk, on the unique index), so it runs in constant memory over millions of entries.
For each entry it checks, in order: that it is the next number (else the ones skipped are
missing), that its content still gives its hash (else it was changed after it was written),
and that it names the previous entry's hash (else the chain was broken between them).

What a walk cannot see on its own: entries deleted from the end, or a whole log rewritten
with fresh hashes by someone who can write to the database. Keep each day's result (the
last entry's number and hash, `safeguard audit verify --json`) outside the database; a later
walk that no longer reaches that number or gives that hash shows either.

After an archival (docs/operations.md) the log starts part way: pass `after=(seq, hash)`,
the last archived entry's number and hash, and the walk starts from the entry after it.
"""

from dataclasses import dataclass
from datetime import datetime

from safeguard.audit import chain
from safeguard.audit.models import Entry


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain: the entry where it shows, and what it is."""

    seq: int
    reason: str


@dataclass(frozen=True)
class Report:
    """The result of one walk: how many entries were checked, the last good one, the first
    problem (None when the log is intact)."""

    entries: int
    last_seq: int | None
    last_at: datetime | None
    last_hash: str | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(chunk: int = 5000, after: tuple[int, str] | None = None) -> Problem | None:
    """Return the first problem in the chain, or None if it is intact (an empty log is)."""
    return check(chunk, after).problem


def check(chunk: int = 5000, after: tuple[int, str] | None = None) -> Report:
    """Walk the whole chain; return what was checked and the first problem found."""
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    last_seq, last_hash = after or (0, chain.GENESIS)
    last_at = None
    count = 0

    def report(problem: Problem | None = None) -> Report:
        return Report(count, last_seq or None, last_at, last_hash if last_seq else None, problem)

    columns = (*chain.FIELDS, "prev_hash", "hash")
    while True:
        rows = list(
            Entry.objects.filter(seq__gt=last_seq).order_by("seq").values_list(*columns)[:chunk]
        )
        if not rows:
            return report()
        for row in rows:
            fields = dict(zip(columns, row, strict=True))
            seq = fields["seq"]
            if seq != last_seq + 1:
                return report(Problem(last_seq + 1, _missing(last_seq + 1, seq - 1)))
            prev_hash, stored = fields.pop("prev_hash"), fields.pop("hash")
            if chain.digest(prev_hash, chain.content(**fields)) != stored:
                return report(Problem(seq, f"entry {seq} was changed after it was written"))
            if prev_hash != last_hash:
                return report(
                    Problem(
                        seq,
                        f"entry {seq} does not follow entry {seq - 1}: its prev_hash is not "
                        f"entry {seq - 1}'s hash (an entry before it was replaced)",
                    )
                )
            last_seq, last_hash, last_at = seq, stored, fields["at"]
            count += 1


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"entry {first} is missing"
    return f"entries {first} to {last} are missing"
