"""A strict Content Security Policy and the other security headers, on every kind of page.

The policy forbids inline script and style, so these tests also read each page for what the
browser would block: <script> without src, <style> blocks, style="" and on...= attributes.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency

PASSWORD = "a long test password"
SRC = Path(__file__).resolve().parents[2] / "src" / "safeguard"
# Written as files by commands so that they stand alone, with their own <style> block: the
# referral document (allowed for it alone when a view serves it) and the stop-and-search
# report's page, never served (the web page includes its partials instead); see
# docs/operations.md, "Content Security Policy".
NOT_SERVED = {
    "safeguarding/templates/safeguarding/documents/referral.html",
    "safeguarding/templates/safeguarding/stop_search/report.html",
}

INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE
)


def assert_strict_policy(response):
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["font-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_nothing_inline(response):
    found = INLINE.findall(response.content.decode())
    assert not found, f"the policy would block: {found}"


@pytest.fixture
def admin(police, client, verified_login):
    user = create_member(
        "admin", PASSWORD, Agency.objects.get(code=police), Role.ADMINISTRATOR
    ).user
    verified_login(client, user)
    return user


def test_the_sign_in_page_has_the_strict_policy(client, db):
    response = client.get(reverse("web:sign-in"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_home_page_has_the_strict_policy(client, db):
    client.force_login(get_user_model().objects.create_user("officer", password=PASSWORD))
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_second_factor_pages_have_the_strict_policy(client, police):
    create_member("analyst", PASSWORD, Agency.objects.get(code=police), Role.ANALYST)
    client.post(reverse("web:sign-in"), {"username": "analyst", "password": PASSWORD})
    for page in ("/account/set-up/", "/account/code/"):
        response = client.get(page, follow=True)
        assert response.status_code == 200
        assert_strict_policy(response)
        assert_nothing_inline(response)  # the QR code is an <svg> with no style
        assert "no-store" in response["Cache-Control"]


def test_the_lockout_page_has_the_strict_policy(client, db):
    get_user_model().objects.create_user("officer", password=PASSWORD)
    for _ in range(5):
        response = client.post(reverse("web:sign-in"), {"username": "officer", "password": "x"})
    assert response.status_code == 429
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_admin_sign_in_page_has_the_strict_policy(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_nothing_inline(response)


@pytest.mark.parametrize(
    "page",
    [
        "/admin/",
        "/admin/accounts/membership/",
        "/admin/auth/user/",
        "/admin/otp_totp/totpdevice/",
        "/admin/axes/accessattempt/",
        "/admin/records/person/",
        "/admin/auth/user/add/",
    ],
)
def test_admin_pages_have_the_strict_policy_and_nothing_inline(client, admin, page):
    response = client.get(page)
    assert response.status_code == 200, page
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_admin_change_form_has_the_strict_policy(client, admin):
    response = client.get(f"/admin/accounts/membership/{admin.membership.pk}/change/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_the_admin_hides_totp_secrets(client, admin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=admin)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page


def test_no_served_template_has_inline_script_or_style():
    offenders = {}
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        name = str(path.relative_to(SRC))
        if name in NOT_SERVED:
            continue
        found = INLINE.findall(path.read_text())
        if found:
            offenders[name] = found
    assert offenders == {}
