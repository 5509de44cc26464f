"""Signing in, in a real browser: a wrong password, the lockout, and the second factor."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from safeguard.accounts.roles import Role
from safeguard.accounts.second_factor import give_confirmed_device
from tests.browser.helpers import PASSWORD, check_page, code_for, member, sign_in


def test_a_wrong_password_is_explained_then_the_right_one_signs_in(page, police):
    member("pc-browser", Role.OFFICER, police)
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/\?next=/$"))  # nothing before signing in
    check_page(page, "sign-in")

    page.get_by_label("Username").fill("pc-browser")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Your username or password was not recognised" in summary.inner_text()
    expect(page).to_have_title(re.compile("^Error: "))  # waits for the page
    summary.get_by_role("link").click()  # the summary's link leads to the field
    assert page.evaluate("document.activeElement.id") == "id_username"
    check_page(page, "sign-in-wrong-password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "safeguard"
    assert page.get_by_role("button", name="Sign out").is_visible()
    check_page(page, "home")


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(page, police):
    member("pc-locked", Role.OFFICER, police)
    page.goto("/sign-in/")
    for _ in range(5):
        page.get_by_label("Username").fill("pc-locked")
        page.get_by_label("Password").fill("guess")
        with page.expect_response(re.compile(r"/sign-in/$")) as answer:
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    assert answer.value.status == 429
    assert page.get_by_role("heading", level=1).inner_text() == "Too many failed sign-ins"
    check_page(page, "locked-out")

    page.goto("/sign-in/")
    sign_in(page, "pc-locked")
    assert "Too many failed sign-ins" in page.content()  # still locked


def test_an_analyst_gives_the_code_from_their_authenticator(page, police, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below adds no wait
    device = give_confirmed_device(member("analyst", Role.ANALYST, police))
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/code/"))
    check_page(page, "second-factor-code")

    page.goto("/search/")  # no page before the code
    page.wait_for_url(re.compile(r"/account/code/\?next=%2Fsearch%2F$"))
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "second-factor-wrong-code")

    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/search/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Find a child"
    check_page(page, "find-a-child")


def test_an_administrator_sets_up_their_authenticator_at_first_sign_in(page, police):
    user = member("admin", Role.ADMINISTRATOR, police)
    sign_in(page, "admin")
    page.wait_for_url(re.compile(r"/account/set-up/"))
    check_page(page, "second-factor-set-up")
    # The key the page shows is the one the new device holds: an app given it makes codes.
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.locator("#secret").inner_text()
    assert secret and device.config_url.count(secret) == 1
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url(re.compile(r"/$"))
    assert TOTPDevice.objects.get(user=user).confirmed
