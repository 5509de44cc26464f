"""Covering tracks in the audit log is found by `safeguard audit verify`.

The entries are those the pages write: an outsider's refused attempt on a child's record,
then an officer's read of it with its purpose. Someone who owns the database (past the
append-only triggers) rewrites the purpose, or deletes the refusal; the check names the
entry either way. Deleting from the end leaves a shorter chain that is intact in itself:
as audit/verify.py says, that shows against the last entry of an earlier walk kept outside
the database (`safeguard audit verify --json`), which the shorter log no longer reaches.
"""

import json

import pytest
from django.core.management import CommandError, call_command

from safeguard.accounts.roles import Role
from safeguard.audit.models import Entry
from tests.audit.test_log import _as_a_dba
from tests.security.conftest import signed_in


@pytest.fixture
def looked(hostile, officer):
    """An outsider tries to read the child's record; the officer reads it for a purpose."""
    outsider = signed_in(Role.OFFICER, "cumbria", "outsider")
    assert outsider.get(f"/children/{hostile.pk}/").status_code == 404
    officer.post(f"/children/{hostile.pk}/", {"purpose": "missing from care enquiry"})
    assert officer.get(f"/children/{hostile.pk}/").status_code == 200
    call_command("audit", "verify")  # intact so far
    return hostile


def _walk(capsys) -> dict:
    capsys.readouterr()
    try:
        call_command("audit", "verify", "--json")
    except CommandError:
        pass
    return json.loads(capsys.readouterr().out)


def test_a_rewritten_purpose_is_found(looked):
    read = Entry.objects.get(action="read", person_id=looked.pk, purpose__contains="missing")
    _as_a_dba("UPDATE audit_entry SET purpose = %s WHERE seq = %s", ["court order", read.seq])
    with pytest.raises(CommandError, match=f"entry {read.seq} was changed after it was written"):
        call_command("audit", "verify")


def test_a_deleted_refusal_is_found_missing(looked):
    refusal = Entry.objects.get(action="denied", username="outsider", person_id=looked.pk)
    assert Entry.objects.filter(seq__gt=refusal.seq).exists()  # not the last entry
    _as_a_dba("DELETE FROM audit_entry WHERE seq = %s", [refusal.seq])
    with pytest.raises(CommandError, match=f"entry {refusal.seq} is missing"):
        call_command("audit", "verify")


def test_entries_deleted_from_the_end_show_against_the_walk_kept_outside(looked, capsys):
    kept = _walk(capsys)["last"]
    read = Entry.objects.get(action="read", person_id=looked.pk, purpose__contains="missing")
    _as_a_dba("DELETE FROM audit_entry WHERE seq >= %s", [read.seq])
    now = _walk(capsys)
    assert now["ok"]  # a shorter chain, intact in itself...
    assert now["last"]["seq"] < kept["seq"]  # ...that no longer reaches the kept entry
