"""`safeguard audit`: check the audit log's chain; show who looked at a person's record."""

import getpass
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.audit import log
from safeguard.audit.verify import check
from safeguard.audit.vocabulary import Action


def anchor(text: str) -> tuple[int, str]:
    """Parse --after SEQ:HASH (the last archived entry)."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError(text)
    return int(seq), digest.lower()


def _console_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no password entry (a container)
        return "unknown"


class Command(BaseCommand):
    help = (
        "The audit log. `verify [--json] [--after SEQ:HASH]` walks the hash chain and reports "
        "the first missing, changed or unlinked entry (exit status 1), or that the log is "
        "intact; schedule it daily and alert on failure. `show --person ID [--limit N]` "
        "lists who looked at a person's record, newest first (and records that you did)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser("verify", help="check the chain; exit 1 on the first problem")
        verify.add_argument("--json", action="store_true", help="print one JSON object")
        verify.add_argument(
            "--after",
            type=anchor,
            metavar="SEQ:HASH",
            help="the last archived entry's number and hash: the log starts after it",
        )
        verify.add_argument("--chunk", type=int, default=5000, help="entries read at a time (5000)")
        show = sub.add_parser("show", help="who looked at a person's record, newest first")
        show.add_argument("--person", type=int, required=True, help="the person's id")
        show.add_argument("--limit", type=int, default=50, help="at most this many (50)")
        show.add_argument("--purpose", default="", help="why you are looking (recorded)")

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action)(**options)

    def _verify(self, json: bool = False, after=None, chunk: int = 5000, **options) -> None:
        report = check(chunk=chunk, after=after)
        problem = report.problem
        if json:
            last = None
            if report.last_seq is not None:
                at = report.last_at.isoformat() if report.last_at else None
                last = {"seq": report.last_seq, "at": at, "hash": report.last_hash}
            self.stdout.write(
                jsonlib.dumps(
                    {
                        "ok": report.ok,
                        "entries": report.entries,
                        "first_problem": problem and {"seq": problem.seq, "reason": problem.reason},
                        "last": last,
                    }
                )
            )
            if problem:
                raise CommandError(f"audit log broken at entry {problem.seq}", returncode=1)
            return
        if problem:
            raise CommandError(
                f"audit log broken: {problem.reason} ({report.entries} entries intact before it)"
            )
        if report.last_at is None:
            self.stdout.write("audit log intact: 0 entries")
            return
        self.stdout.write(
            f"audit log intact: {report.entries} entries, last at "
            f"{report.last_at.isoformat()} (entry {report.last_seq}, hash {report.last_hash})"
        )

    def _show(self, person: int, limit: int, purpose: str = "", **options) -> None:
        # The console is a reader too: an administrator's look is logged like any other,
        # before anything is shown (no log, no look), and is left out of what is shown.
        mine = log.record(
            Action.READ,
            username=f"console:{_console_user()}",
            what="audit.entry",
            person_id=person,
            purpose=purpose,
            detail={"command": "audit show", "limit": limit},
        )
        entries = list(log.who_looked_at(person).filter(seq__lt=mine.seq)[:limit])
        if not entries:
            self.stdout.write(f"no one has looked at person {person}")
            return
        for entry in entries:
            at = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S %Z")
            who = entry.username or "-"
            if entry.agency_code:
                who += f" ({entry.agency_code})"
            line = f"{at}  {who}  {entry.action}  {entry.what}"
            if entry.object_id:
                line += f" {entry.object_id}"
            if entry.purpose:
                line += f"  purpose: {entry.purpose}"
            reason = entry.detail.get("reason") if isinstance(entry.detail, dict) else None
            if reason:
                line += f"  reason: {reason}"
            self.stdout.write(line)
