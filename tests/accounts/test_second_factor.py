"""The second factor: administrators and analysts give a TOTP code after their password."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts import second_factor
from safeguard.accounts.admin_site import SafeguardAdminSite
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency

PASSWORD = "a long test password"
CODE_PAGE = "/account/code/"
SET_UP_PAGE = "/account/set-up/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """django-otp slows tries down after a wrong code; these tests try again at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def member(police):
    agency = Agency.objects.get(code=police)

    def _member(username: str, role: Role):
        return create_member(username, PASSWORD, agency, role).user

    return _member


def code_for(device: TOTPDevice, step_ahead: int = 0) -> str:
    """The code the user's app shows now (or `step_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + step_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def next_code(device: TOTPDevice) -> str:
    """A code not used yet: a code is accepted once, so after one is used take the next."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return code_for(device, step_ahead=1 if device.last_t >= totp.t() else 0)


def sign_in(client: Client, username: str) -> None:
    response = client.post(reverse("web:sign-in"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in failed"


def test_who_needs_a_second_factor(member):
    assert second_factor.needs_second_factor(member("analyst", Role.ANALYST))
    assert second_factor.needs_second_factor(member("admin", Role.ADMINISTRATOR))
    for role in set(Role) - {Role.ANALYST, Role.ADMINISTRATOR}:
        user = member(f"u-{role.value}", role)
        assert not second_factor.needs_second_factor(user), role
    # An account that opens the admin site needs one whatever its membership (or none).
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    assert second_factor.needs_second_factor(root)
    assert not second_factor.needs_second_factor(
        get_user_model().objects.create_user("nobody", password=PASSWORD)
    )


def test_an_analyst_sets_up_an_authenticator_then_reaches_the_home_page(client, member):
    member("analyst", Role.ANALYST)
    sign_in(client, "analyst")
    for page in (reverse("web:home"), "/anything/else/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(CODE_PAGE)
    # No device yet: the code page sends them to set one up.
    response = client.get(CODE_PAGE + "?next=/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SET_UP_PAGE)
    page = response.content.decode()
    device = TOTPDevice.objects.get(user__username="analyst", confirmed=False)
    assert second_factor.secret_base32(device) in page
    assert "otpauth://totp/safeguard%3Aanalyst?secret=" in page
    assert "<svg" in page and 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    # Reloading shows the same secret, not a new one.
    client.get(SET_UP_PAGE)
    assert TOTPDevice.objects.filter(user__username="analyst").count() == 1
    assert client.get(reverse("web:home")).status_code == 302
    # One valid code confirms the device and verifies the session.
    response = client.post(SET_UP_PAGE, {"code": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert TOTPDevice.objects.get(user__username="analyst").confirmed
    assert client.get(reverse("web:home")).status_code == 200


def test_a_wrong_code_is_refused_and_the_right_one_lets_them_in(client, member):
    analyst = member("analyst", Role.ANALYST)
    device = second_factor.give_confirmed_device(analyst)
    sign_in(client, "analyst")
    response = client.get(reverse("web:home"), follow=True)
    assert response.redirect_chain[-1][0] == CODE_PAGE + "?next=%2F"
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong, "next": "/"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "The code is not right" in page
    assert 'aria-invalid="true"' in page
    assert client.get(reverse("web:home")).status_code == 302
    response = client.post(CODE_PAGE, {"code": "12345", "next": "/"})
    assert "Enter the 6-digit code" in response.content.decode()
    response = client.post(CODE_PAGE, {"code": next_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("web:home")).status_code == 200


def test_a_code_is_accepted_once(client, member):
    analyst = member("analyst", Role.ANALYST)
    device = second_factor.give_confirmed_device(analyst)
    code = code_for(device)
    sign_in(client, "analyst")
    assert client.post(CODE_PAGE, {"code": code})["Location"] == "/"
    other = Client()
    sign_in(other, "analyst")
    assert other.post(CODE_PAGE, {"code": code}).status_code == 200  # refused
    assert other.get(reverse("web:home")).status_code == 302


def test_verifying_gives_the_session_a_new_key(client, member):
    analyst = member("analyst", Role.ANALYST)
    device = second_factor.give_confirmed_device(analyst)
    sign_in(client, "analyst")
    before = client.session.session_key
    client.post(CODE_PAGE, {"code": code_for(device)})
    assert client.session.session_key != before


def test_an_officer_is_not_asked(client, member):
    member("officer", Role.OFFICER)
    sign_in(client, "officer")
    assert client.get(reverse("web:home")).status_code == 200
    assert client.get(CODE_PAGE)["Location"] == "/"
    assert client.get(SET_UP_PAGE)["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_an_administrator_cannot_open_the_admin_without_the_second_factor(client, member):
    admin = member("admin", Role.ADMINISTRATOR)
    device = second_factor.give_confirmed_device(admin)
    sign_in(client, "admin")
    for page in ("/admin/", "/admin/accounts/membership/", "/admin/login/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(CODE_PAGE), page
    client.post(CODE_PAGE, {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/membership/").status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_session(rf, member):
    """Defence in depth: the admin site checks too, not only the middleware."""
    admin = member("admin", Role.ADMINISTRATOR)
    request = rf.get("/admin/")
    request.user = admin
    request.session = {}
    admin.is_verified = lambda: False
    assert not SafeguardAdminSite().has_permission(request)
    admin.is_verified = lambda: True
    assert SafeguardAdminSite().has_permission(request)


def test_a_password_alone_cannot_replace_a_confirmed_device(client, member):
    analyst = member("analyst", Role.ANALYST)
    device = second_factor.give_confirmed_device(analyst)
    sign_in(client, "analyst")
    response = client.get(SET_UP_PAGE)
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    response = client.post(SET_UP_PAGE, {"code": code_for(device)})
    assert response["Location"].startswith(CODE_PAGE)
    assert list(TOTPDevice.objects.filter(user=analyst)) == [device]


def test_signing_out_stays_open_before_the_second_factor(client, member):
    member("analyst", Role.ANALYST)
    sign_in(client, "analyst")
    response = client.post(reverse("web:sign-out"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sign-in")
    assert client.get(reverse("web:home"))["Location"].startswith(reverse("web:sign-in"))


def test_the_code_page_goes_on_only_to_this_site(client, member):
    analyst = member("analyst", Role.ANALYST)
    device = second_factor.give_confirmed_device(analyst)
    sign_in(client, "analyst")
    response = client.post(CODE_PAGE, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_qr_code_is_an_inline_svg_without_script_or_style(member):
    device = second_factor.start_enrolment(member("analyst", Role.ANALYST))
    shown = second_factor.provisioning(device)
    assert shown.qr_svg.startswith("<svg") and shown.qr_svg.endswith("</svg>")
    assert not re.search(r"<script|style=|<style|\son\w+=", shown.qr_svg)
    assert shown.uri.startswith("otpauth://totp/")
    assert f"secret={shown.secret}" in shown.uri
