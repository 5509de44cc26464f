"""`safeguard import`: reports every file, refuses bad ones whole, fails when any is refused."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safeguard.records.services import record_counts

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "bundle.jsonl"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's stderr does."""

    def isatty(self) -> bool:
        return True


def run(*paths: Path | str, stderr: io.StringIO | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("import", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_reports_what_each_file_stored():
    out, err = run(EXAMPLE)
    assert out == (
        f"{EXAMPLE}: agency: 2 new, 0 already present; event: 3 new, 0 already present; "
        "item: 3 new, 0 already present; link: 5 new, 0 already present; "
        "location: 3 new, 0 already present; person: 3 new, 0 already present; "
        "phone: 2 new, 0 already present\n"
    )
    assert err == ""
    out, _ = run(EXAMPLE)
    assert "event: 0 new, 3 already present" in out


@pytest.mark.django_db
def test_a_bad_file_is_reported_and_the_command_fails(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"type": "agency", "code": "met", "kind": "police_force", "name": "M"})
        + "\n"
        + json.dumps({"type": "person", "agency": "met", "ref": "P1", "sex": "robot"})
        + "\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        run(bad, EXAMPLE, stderr=err)
    assert str(exc.value) == f"1 of 2 path(s) refused, nothing stored from: {bad}"
    assert err.getvalue() == (
        f"{bad}:2: sex: Input should be 'female', 'male', 'other' or 'unknown'\n"
        f"{bad}: refused, nothing stored (1 error(s))\n"
    )
    # The good file after the bad one was imported; nothing of the bad one was.
    assert record_counts()["agencies"] == 2


@pytest.mark.django_db
def test_a_missing_path_fails_the_command(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        run(tmp_path / "nowhere.jsonl", stderr=err)
    assert f"{tmp_path / 'nowhere.jsonl'}: file: no such file or folder" in err.getvalue()


@pytest.mark.django_db
def test_progress_is_shown_only_on_a_terminal():
    _, plain = run(EXAMPLE)
    assert plain == ""
    terminal = Terminal()
    run(EXAMPLE, stderr=terminal)
    size = EXAMPLE.stat().st_size
    assert "bundle.jsonl" in terminal.getvalue()
    assert f"{size / 1000:.1f}/{size / 1000:.1f} kB" in terminal.getvalue()
