"""Django's deployment check passes, without a warning, with the production settings that
docs/operations.md documents."""

import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION = {
    "SAFEGUARD_SECURE_COOKIES": "1",
    "SAFEGUARD_HSTS_SECONDS": "31536000",
    "SAFEGUARD_BEHIND_TLS_PROXY": "1",
    "SAFEGUARD_ALLOWED_HOSTS": "safeguard.example.police.uk",
}


def _check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    env.update(PRODUCTION, SAFEGUARD_VAR_DIR=str(tmp_path), **extra)
    env.setdefault("SAFEGUARD_SECRET_KEY", secrets.token_urlsafe(64))
    return subprocess.run(
        [sys.executable, "-m", "safeguard", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
