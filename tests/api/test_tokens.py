"""Token authentication: no, a wrong or a revoked token is 401; a token is never stored."""

import hashlib

import pytest
from django.core.management import call_command

from safeguard.accounts.roles import Role
from safeguard.accounts.second_factor import give_confirmed_device
from safeguard.api import tokens
from safeguard.api.models import ApiToken
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_no_token_or_a_wrong_one_is_401(member):
    member(Role.OFFICER)
    assert ApiClient(None).get("/api/referrals").status_code == 401
    assert ApiClient("sg_deadbeef_not-a-real-token").get("/api/referrals").status_code == 401
    assert ApiClient("nonsense").get("/api/referrals").status_code == 401


def test_a_token_works_until_revoked_and_is_stored_only_as_its_hash(member):
    user = member(Role.OFFICER)
    issued = tokens.issue(user.username, "case system")
    client = ApiClient(issued.token)
    assert client.get("/api/referrals").status_code == 200
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert stored.last_used_at is not None
    secret = issued.token.split("_", 2)[2]
    values = [str(v) for v in ApiToken.objects.values_list().get()]
    assert not any(secret in v or issued.token in v for v in values)
    # Another token with the same prefix but a different secret does not pass.
    forged = issued.token[:-4] + "AAAA"
    assert ApiClient(forged).get("/api/referrals").status_code == 401
    assert tokens.revoke(stored.prefix) == 1
    assert client.get("/api/referrals").status_code == 401


def test_an_inactive_user_cannot_use_their_token(member):
    user = member(Role.OFFICER)
    client = ApiClient(tokens.issue(user.username, "x").token)
    user.is_active = False
    user.save()
    assert client.get("/api/referrals").status_code == 401


def test_a_user_who_needs_a_second_factor_needs_a_confirmed_device(member, client):
    analyst = member(Role.ANALYST)
    api = ApiClient(tokens.issue(analyst.username, "analysis").token)
    assert api.get("/api/referrals").status_code == 401
    give_confirmed_device(analyst)
    assert api.get("/api/referrals").status_code == 200
    # A session that still owes its second factor is not redirected from the API.
    api.client.force_login(analyst)
    response = api.get("/api/referrals")
    assert response.status_code == 200
    assert client.get("/api/referrals").status_code == 401  # and a session is no token


def test_the_console_command_prints_a_token_once_and_revokes_it(member, capsys):
    user = member(Role.OFFICER)
    call_command("api-token", "create", user.username, "--name", "case system")
    token = capsys.readouterr().out.strip()
    assert token.startswith("sg_")
    assert ApiClient(token).get("/api/referrals").status_code == 200
    call_command("api-token", "revoke", ApiToken.objects.get().prefix)
    assert ApiClient(token).get("/api/referrals").status_code == 401
