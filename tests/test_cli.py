"""The `safeguard` command and settings from the environment."""

import os
import stat
import subprocess
import sys
from pathlib import Path

SAFEGUARD = str(Path(sys.executable).with_name("safeguard"))


def _run(*args: str, var: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAFEGUARD_")}
    return subprocess.run(
        [SAFEGUARD, *args],
        env={**clean, "SAFEGUARD_VAR_DIR": str(var), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_explains_each_command(tmp_path):
    out = _run("--help", var=tmp_path)
    assert out.returncode == 0
    for command in ("migrate", "serve", "demo", "import", "export", "screening"):
        assert f"\n  {command} " in out.stdout


def test_a_command_has_its_own_help(tmp_path):
    out = _run("serve", "--help", var=tmp_path)
    assert out.returncode == 0 and "--port" in out.stdout
    out = _run("screening", "--help", var=tmp_path)
    assert out.returncode == 0 and "evaluate" in out.stdout and "check" in out.stdout


def test_first_run_generates_a_private_secret_key_and_keeps_it(tmp_path):
    probe = "from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG)"
    first = _run("shell", "-v", "0", "-c", probe, var=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key, debug = first.stdout.split()
    assert key == key_file.read_text().strip() and len(key) > 50 and debug == "False"
    assert _run("shell", "-v", "0", "-c", probe, var=tmp_path).stdout.split()[0] == key


def test_the_database_comes_from_the_url(tmp_path):
    probe = "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])"
    default = _run("shell", "-v", "0", "-c", probe, var=tmp_path).stdout.split()
    assert default == ["sqlite", str(tmp_path / "safeguard.sqlite3")]
    pg = _run(
        "shell",
        "-v",
        "0",
        "-c",
        probe,
        var=tmp_path,
        SAFEGUARD_DATABASE_URL="postgres://postgres@127.0.0.1:5432/some_db",
    ).stdout.split()
    assert pg == ["postgresql", "some_db"]


def test_migrate_creates_the_tables_on_sqlite(tmp_path):
    out = _run("migrate", "-v0", var=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "safeguard.sqlite3").exists()
