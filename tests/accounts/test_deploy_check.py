"""Django's deployment check passes, without a warning, with the production settings that
docs/operations.md documents.

The settings are read from the documentation itself (the block marked
`production-environment` in "The environment file"), so the two cannot drift apart. Each
`<...>` placeholder is filled with random characters; the only line changed is
SAFEGUARD_VAR_DIR, which points at the test's scratch folder instead of /var/lib/safeguard.
The check parses the documented database URL but never connects to it.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
MARK = "<!-- production-environment"


def documented_production() -> dict[str, str]:
    """The NAME=value lines of the documented production environment file."""
    text = DOCS.read_text()
    assert MARK in text, "the production environment block is no longer marked in the docs"
    block = text[text.index(MARK) :].split("```sh\n", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals and re.fullmatch(r"[A-Z_]+", name), f"not NAME=value: {line!r}"
        env[name] = re.sub(r"<[^>]*>", lambda _: secrets.token_urlsafe(48), value)
    return env


PRODUCTION = documented_production()


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    env.update(PRODUCTION, SAFEGUARD_VAR_DIR=str(tmp_path), **extra)
    return subprocess.run(
        [sys.executable, "-m", "safeguard", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_documented_production_environment_is_complete():
    """What the deployment check needs is in the documented block; nothing unsafe is."""
    assert {
        "SAFEGUARD_SECRET_KEY",
        "SAFEGUARD_DATABASE_URL",
        "SAFEGUARD_ALLOWED_HOSTS",
        "SAFEGUARD_SECURE_COOKIES",
        "SAFEGUARD_BEHIND_TLS_PROXY",
        "SAFEGUARD_HSTS_SECONDS",
    } <= set(PRODUCTION)
    assert "SAFEGUARD_DEBUG" not in PRODUCTION
    assert len(PRODUCTION["SAFEGUARD_SECRET_KEY"]) >= 50
    assert PRODUCTION["SAFEGUARD_DATABASE_URL"].startswith("postgres://")


@pytest.mark.slow
def test_the_deployment_check_passes_with_the_production_settings(tmp_path):
    result = _check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_the_deployment_check_fails_without_them(tmp_path):
    """The test above would be worthless if the check never failed."""
    result = _check(tmp_path, SAFEGUARD_SECURE_COOKIES="0")
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


@pytest.mark.slow
def test_single_sign_on_half_configured_stops_the_start(tmp_path):
    result = _check(tmp_path, SAFEGUARD_OIDC_RP_CLIENT_ID="safeguard")
    assert result.returncode != 0
    assert "SAFEGUARD_OIDC_OP_TOKEN_ENDPOINT" in result.stderr


@pytest.mark.slow
def test_the_deployment_check_passes_with_single_sign_on_configured(tmp_path):
    idp = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000"
    result = _check(
        tmp_path,
        SAFEGUARD_OIDC_RP_CLIENT_ID="11111111-1111-1111-1111-111111111111",
        SAFEGUARD_OIDC_RP_CLIENT_SECRET=secrets.token_urlsafe(32),
        SAFEGUARD_OIDC_OP_AUTHORIZATION_ENDPOINT=f"{idp}/oauth2/v2.0/authorize",
        SAFEGUARD_OIDC_OP_TOKEN_ENDPOINT=f"{idp}/oauth2/v2.0/token",
        SAFEGUARD_OIDC_OP_USER_ENDPOINT="https://graph.microsoft.com/oidc/userinfo",
        SAFEGUARD_OIDC_OP_JWKS_ENDPOINT=f"{idp}/discovery/v2.0/keys",
    )
    assert result.returncode == 0, result.stdout + result.stderr
