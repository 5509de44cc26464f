"""Settings a production deployment needs beyond Django's deployment check (docs/operations.md):
trusted origins for forms, database connections kept and checked, and log lines that say
when, how bad and where from. Each probe runs in a fresh process, as settings are read once.
(The deployment check itself, with the documented environment: accounts/test_deploy_check.py.)
"""

import json
import os
import subprocess
import sys

PROBE = """
import json, logging
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "csrf": settings.CSRF_TRUSTED_ORIGINS,
    "max_age": db["CONN_MAX_AGE"],
    "health": db["CONN_HEALTH_CHECKS"],
    "proxy_header": list(getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or []),
}))
logging.getLogger("safeguard.probe").warning("a warning for the operator")
"""


def _probe(tmp_path, **env: str) -> tuple[dict, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    out = subprocess.run(
        [sys.executable, "-m", "safeguard", "shell", "-v", "0", "-c", PROBE],
        env={**clean, "SAFEGUARD_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), out.stderr


def test_the_defaults(tmp_path):
    found, _ = _probe(tmp_path)
    assert found["csrf"] == []
    assert found["max_age"] == 0  # SQLite: a connection per request
    assert found["proxy_header"] == []  # no proxy is trusted unless told


def test_production_values(tmp_path):
    found, _ = _probe(
        tmp_path,
        SAFEGUARD_CSRF_TRUSTED_ORIGINS=" https://safeguard.example.police.uk:8443 ,https://b.example",
        SAFEGUARD_DATABASE_URL="postgres://safeguard_app:secret@127.0.0.1:5432/safeguard",
        SAFEGUARD_DATABASE_CONN_MAX_AGE="0",
        SAFEGUARD_BEHIND_TLS_PROXY="1",
    )
    assert found["csrf"] == ["https://safeguard.example.police.uk:8443", "https://b.example"]
    assert found["max_age"] == 0
    assert found["health"] is True
    assert found["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_postgresql_connections_are_kept_a_minute_and_checked_before_reuse(tmp_path):
    found, _ = _probe(
        tmp_path, SAFEGUARD_DATABASE_URL="postgres://safeguard_app@127.0.0.1:5432/safeguard"
    )
    assert found["max_age"] == 60 and found["health"] is True


def test_log_lines_go_to_standard_error_with_their_time_level_and_source(tmp_path):
    found, stderr = _probe(tmp_path)
    assert "a warning" not in json.dumps(found)  # standard output stays the command's
    [line] = [line for line in stderr.splitlines() if "a warning for the operator" in line]
    assert " WARNING safeguard.probe: a warning for the operator" in line
    assert line[:4].isdigit()  # starts with the time: 2026-11-30 13:15:11,123
