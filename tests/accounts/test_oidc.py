"""Single sign-on (OpenID Connect): off unless configured; only existing users; no second TOTP."""

import importlib
import sys
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from safeguard.accounts import second_factor
from safeguard.accounts.oidc import ForceOIDCBackend
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency

CLIENT_SECRET = "a client secret long enough to sign an HS256 token with"  # noqa: S105
IDP = "https://login.example-force.police.uk/realms/force/protocol/openid-connect"
SSO = {
    "OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "safeguard",
    "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{IDP}/auth",
    "OIDC_OP_TOKEN_ENDPOINT": f"{IDP}/token",
    "OIDC_OP_USER_ENDPOINT": f"{IDP}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{IDP}/certs",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "AUTHENTICATION_BACKENDS": [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "safeguard.accounts.oidc.ForceOIDCBackend",
    ],
}


def _reload_urls():
    for name in ("safeguard.urls", "mozilla_django_oidc.urls"):
        if name in sys.modules:
            importlib.reload(sys.modules[name])
    clear_url_caches()


@pytest.fixture
def sso():
    """Single sign-on configured, as the SAFEGUARD_OIDC_* variables would configure it."""
    with override_settings(**SSO):
        _reload_urls()
        yield
    _reload_urls()


@pytest.fixture
def identity_provider(monkeypatch):
    """Stand in for the provider: the claims of its (verified) ID token and of its user-info
    endpoint for the user signing in. Tests add the claims they need."""
    provider = SimpleNamespace(id_token={"sub": "abc"}, userinfo={"sub": "abc"})
    monkeypatch.setattr(
        ForceOIDCBackend,
        "get_token",
        lambda self, payload: {"id_token": "id-token", "access_token": "access-token"},
    )
    monkeypatch.setattr(
        ForceOIDCBackend, "verify_token", lambda self, token, **kwargs: provider.id_token
    )
    monkeypatch.setattr(
        OIDCAuthenticationBackend,
        "get_userinfo",
        lambda self, access, id_token, payload: provider.userinfo,
    )
    return provider


@pytest.fixture
def analyst(police):
    agency = Agency.objects.get(code=police)
    return create_member(
        "j.smith", "a long test password", agency, Role.ANALYST, email="J.Smith@force.example"
    ).user


def _callback_request(rf):
    request = rf.get("/oidc/callback/", {"code": "code", "state": "state"})
    request.session = {}
    return request


def test_without_configuration_the_sso_urls_are_not_there(client, db):
    for url in ("/oidc/authenticate/", "/oidc/callback/", "/oidc/logout/"):
        assert client.get(url).status_code == 404, url
    assert "force account" not in client.get(reverse("web:sign-in")).content.decode()


def test_a_claim_matching_an_existing_username_signs_that_user_in(
    sso, identity_provider, analyst, rf
):
    identity_provider.userinfo.update(preferred_username="j.smith", email="someone@else.example")
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") == analyst


def test_an_unknown_user_is_refused_and_not_created(sso, identity_provider, analyst, rf):
    identity_provider.userinfo.update(preferred_username="stranger", email="stranger@force.example")
    users = get_user_model().objects.count()
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") is None
    assert get_user_model().objects.count() == users


def test_an_inactive_user_or_a_missing_claim_is_refused(sso, identity_provider, analyst, rf):
    identity_provider.userinfo.update(email="J.Smith@force.example")  # no preferred_username
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") is None
    identity_provider.userinfo.update(preferred_username="j.smith")
    analyst.is_active = False
    analyst.save()
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") is None


def test_the_claim_can_be_the_email_address(sso, identity_provider, analyst, rf, settings):
    settings.OIDC_USERNAME_CLAIM = "email"
    identity_provider.userinfo.update(
        preferred_username="someone-else", email="j.smith@FORCE.example"
    )
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") == analyst


def test_the_username_may_come_from_the_id_token_alone(sso, identity_provider, analyst, rf):
    """As with Entra ID, whose user-info endpoint has no preferred_username."""
    identity_provider.id_token.update(preferred_username="j.smith")
    identity_provider.userinfo.update(email="someone@else.example")
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") == analyst


def test_user_info_about_another_subject_is_refused(sso, identity_provider, analyst, rf):
    identity_provider.id_token.update(preferred_username="j.smith")
    identity_provider.userinfo.update(sub="someone-else", preferred_username="j.smith")
    assert ForceOIDCBackend().authenticate(_callback_request(rf), nonce="n") is None


def test_an_id_token_issued_to_another_client_is_refused(sso, settings):
    settings.OIDC_RP_SIGN_ALGO = "HS256"  # signed with the client secret: no key server
    backend = ForceOIDCBackend()

    def token(audience):
        claims = {"aud": audience, "nonce": "n", "exp": int(time.time()) + 60, "sub": "abc"}
        return jwt.encode(claims, CLIENT_SECRET, algorithm="HS256")

    assert backend.verify_token(token("safeguard"), nonce="n")["sub"] == "abc"
    assert backend.verify_token(token(["other", "safeguard"]), nonce="n")["sub"] == "abc"
    with pytest.raises(SuspiciousOperation, match="not issued to this client"):
        backend.verify_token(token("another-application"), nonce="n")


def test_signing_in_through_the_provider_skips_our_second_factor(
    sso, identity_provider, analyst, client
):
    page = client.get(reverse("web:sign-in") + "?next=/").content.decode()
    assert 'href="/oidc/authenticate/?next=/"' in page
    assert "Sign in with your force account" in page
    start = client.get("/oidc/authenticate/?next=/")
    assert start.status_code == 302
    sent = urlparse(start["Location"])
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == SSO["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    query = parse_qs(sent.query)
    assert query["client_id"] == ["safeguard"] and query["code_challenge_method"] == ["S256"]
    identity_provider.userinfo.update(preferred_username="j.smith")
    back = client.get("/oidc/callback/", {"code": "code", "state": query["state"][0]})
    assert back.status_code == 302 and back["Location"] == "/"
    assert client.session[second_factor.SSO_SESSION_KEY] is True
    # An analyst, yet not asked for a TOTP code: the provider asked for its own factor.
    assert client.get(reverse("web:home")).status_code == 200


def test_a_password_sign_in_in_the_same_session_is_asked_for_the_second_factor(
    sso, identity_provider, analyst, client
):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    identity_provider.userinfo.update(preferred_username="j.smith")
    client.get("/oidc/callback/", {"code": "code", "state": state})
    client.post(reverse("web:sign-in"), {"username": "j.smith", "password": "a long test password"})
    assert client.get(reverse("web:home"))["Location"].startswith("/account/code/")


def test_an_unknown_user_at_the_callback_is_sent_back_to_sign_in(
    sso, identity_provider, analyst, client
):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    identity_provider.userinfo.update(preferred_username="stranger")
    back = client.get("/oidc/callback/", {"code": "code", "state": state})
    assert back["Location"] == reverse("web:sign-in") + "?sso=failed"
    page = client.get(back["Location"]).content.decode()
    assert "could not sign you in here" in page
    assert not get_user_model().objects.filter(username="stranger").exists()
