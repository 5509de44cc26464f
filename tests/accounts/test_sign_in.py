"""Signing in: Argon2 hashes, lockout after repeated failures, session expiry, CSRF."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

PASSWORD = "a long test password"
WRONG = "not the password at all"


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_user("officer", password=PASSWORD)


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("web:sign-in"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _signed_in(client) -> bool:
    return client.get(reverse("web:home")).status_code == 200


def test_a_new_password_is_hashed_with_argon2(officer):
    assert identify_hasher(officer.password).algorithm == "argon2"
    assert officer.password.startswith("argon2$argon2id$")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_an_older_hash_still_signs_in_and_is_upgraded_to_argon2(client, db):
    user = get_user_model().objects.create(
        username="veteran", password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert _sign_in(client, "veteran", PASSWORD).status_code == 302
    assert _signed_in(client)
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, officer):
    for attempt in range(1, 6):
        response = _sign_in(client, "officer", WRONG)
        assert response.status_code == (429 if attempt == 5 else 200), attempt
    locked = _sign_in(client, "officer", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert not _signed_in(client)


def test_four_wrong_passwords_do_not_lock_and_a_success_starts_the_count_again(client, officer):
    for _ in range(4):
        _sign_in(client, "officer", WRONG)
    assert _sign_in(client, "officer", PASSWORD).status_code == 302
    client.post(reverse("web:sign-out"))
    for _ in range(4):
        _sign_in(client, "officer", WRONG)
    assert _sign_in(client, "officer", PASSWORD).status_code == 302


def test_the_lockout_is_keyed_by_username_and_address(client, officer):
    get_user_model().objects.create_user("colleague", password=PASSWORD)
    for _ in range(5):
        _sign_in(client, "officer", WRONG, address="10.0.0.1")
    # Another user at the same address is not locked out ...
    assert _sign_in(Client(), "colleague", PASSWORD, address="10.0.0.1").status_code == 302
    # ... nor the same user elsewhere; the locked pair stays locked.
    assert _sign_in(Client(), "officer", PASSWORD, address="10.0.0.2").status_code == 302
    assert _sign_in(Client(), "officer", PASSWORD, address="10.0.0.1").status_code == 429


def test_an_administrator_unlocks_a_username(client, officer):
    for _ in range(5):
        _sign_in(client, "officer", WRONG)
    assert _sign_in(client, "officer", PASSWORD).status_code == 429
    call_command("axes_reset_username", "officer", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert _sign_in(client, "officer", PASSWORD).status_code == 302


def test_the_session_expires_after_inactivity_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_each_request_moves_the_session_expiry_on(client, officer):
    client.force_login(officer)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    assert _signed_in(client)
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expiry > timezone.now() + dt.timedelta(minutes=29)
    # No expiry on the cookie itself: it goes when the browser closes.
    client.get(reverse("web:home"))
    assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]


def test_an_idle_session_has_ended(client, officer):
    client.force_login(officer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


def test_signing_in_without_the_csrf_token_is_forbidden(officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("web:sign-in"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 403
    assert not _signed_in(client)


def test_the_sign_in_page_offers_no_single_sign_on_when_it_is_not_configured(client, db):
    page = client.get(reverse("web:sign-in")).content.decode()
    assert "Sign in with your force account" not in page


def test_lockout_and_session_settings_come_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_"))}
    env.update(
        SAFEGUARD_VAR_DIR=str(tmp_path),
        SAFEGUARD_LOCKOUT_FAILURES="3",
        SAFEGUARD_LOCKOUT_MINUTES="45",
        SAFEGUARD_SESSION_MINUTES="15",
        SAFEGUARD_HSTS_SECONDS="600",
        SAFEGUARD_BEHIND_TLS_PROXY="1",
    )
    script = (
        "import safeguard.settings as s; print(s.AXES_FAILURE_LIMIT, "
        "int(s.AXES_COOLOFF_TIME.total_seconds()), s.SESSION_COOKIE_AGE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER[0], s.SECURE_SSL_REDIRECT, "
        "s.AXES_CLIENT_IP_CALLABLE, s.OIDC_ENABLED)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "3",
        str(45 * 60),
        str(15 * 60),
        "600",
        "HTTP_X_FORWARDED_PROTO",
        "True",
        "safeguard.accounts.lockout.forwarded_client_ip",
        "False",
    ]


def test_behind_the_proxy_the_lockout_counts_the_address_the_proxy_appended(rf):
    from safeguard.accounts.lockout import forwarded_client_ip

    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert forwarded_client_ip(spoofed) == "203.0.113.9"
    assert forwarded_client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


@pytest.mark.django_db
def test_signing_in_out_and_failing_are_audited(client, django_user_model, settings):
    from safeguard.audit.models import Entry

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_user("pc-audit", password="right")
    client.post("/sign-in/", {"username": "pc-audit", "password": "wrong"})
    client.post("/sign-in/", {"username": "pc-audit", "password": "right"})
    client.post("/sign-out/")
    actions = list(Entry.objects.order_by("seq").values_list("action", "username"))
    assert actions == [
        ("sign_in_failed", "pc-audit"),
        ("sign_in", "pc-audit"),
        ("sign_out", "pc-audit"),
    ]
    assert not Entry.objects.filter(detail__icontains="right").exists()  # no password kept
