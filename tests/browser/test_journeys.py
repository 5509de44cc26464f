"""The journeys through the pages that exist, in a real browser, with every page checked.

A child recorded through the real intake path (tests/safeguarding/test_duties.py's world,
with a name): found by a misspelt name, read for a purpose; their referral made from the
queue, while a second officer acting on a stale copy of the queue is refused; and an
administrator sees who looked. Every page visited is screenshot and checked by axe, and any
Content Security Policy violation fails the test (markup in the records would be one).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from safeguard.accounts import reading
from safeguard.accounts.roles import Role
from safeguard.accounts.second_factor import give_confirmed_device
from safeguard.audit.models import Entry
from safeguard.clock import now
from safeguard.records.models import Person
from safeguard.safeguarding.models import Duty
from tests.browser.helpers import check_page, member, sign_in
from tests.safeguarding.test_duties import WORLD, _event

NAMED = {
    "type": "person",
    "agency": "lancs",
    "ref": "KID",
    "given_name": "Jayden",
    "family_name": "O'Brien",
    "date_of_birth": "2010-04-01",
}
HOSTILE = '<script>alert("summary")</script> seen with <img src=x onerror=alert(1)>'


def _at(hours_ago: float) -> str:
    return (now() - timedelta(hours=hours_ago)).isoformat()


@pytest.fixture
def child(record) -> Person:
    """Jayden, missing twice and found out of area, then arrested, all in the last hours:
    his referral to children's services is due within a working day, not yet overdue."""
    world = tuple(NAMED if r.get("ref") == "KID" and r["type"] == "person" else r for r in WORLD)
    record(
        *world,
        _event("M1", "missing_episode", _at(5), ("KID", "missing_person")),
        _event("M2", "missing_episode", _at(4), ("KID", "missing_person")),
        _event("F1", "found_out_of_area", _at(3), ("KID", "missing_person"), summary=HOSTILE),
        _event("A1", "arrest", _at(1), ("KID", "suspect")),
    )
    return Person.objects.get(source_ref="KID")


def test_an_officer_finds_a_child_by_a_misspelt_name_and_reads_the_record_for_a_purpose(
    page, child
):
    member("pc-jones", Role.OFFICER)
    sign_in(page, "pc-jones")
    page.get_by_role("link", name="Find a child").click()
    check_page(page, "find-a-child-empty")

    page.get_by_label("Name, date of birth, phone number or postcode").fill("jaden obrian")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name="Jayden O'Brien", exact=True)
    assert result.count() == 1
    check_page(page, "find-a-child-results")

    reads = Entry.objects.filter(action="read", person_id=child.pk).count()  # the search's
    result.click()
    page.wait_for_url(re.compile(rf"/children/{child.pk}/$"))
    assert "Why do you need to see this child" in page.get_by_role("heading").first.inner_text()
    check_page(page, "purpose")
    page.get_by_role("button", name="Continue").click()  # no purpose given
    expect(page).to_have_title(re.compile("^Error: "))  # waits for the page
    assert "Enter why you need" in page.locator(".govuk-error-summary").inner_text()
    check_page(page, "purpose-missing")
    assert Entry.objects.filter(action="read", person_id=child.pk).count() == reads  # not yet

    page.get_by_label("Why do you need to see this child's record?").fill("arrest enquiry")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(rf"/children/{child.pk}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Jayden O'Brien"
    body = page.locator("main").inner_text()
    assert "You are reading this record for: arrest enquiry" in body
    assert "Referral to children" in body
    assert HOSTILE in body  # shown as the text it is, never run (the CSP watch would see it)
    check_page(page, "child")
    read = Entry.objects.filter(action="read", person_id=child.pk).latest("seq")
    assert (read.username, read.purpose) == ("pc-jones", "arrest enquiry")

    page.reload()  # asked once per session and child
    assert page.get_by_role("heading", level=1).inner_text() == "Jayden O'Brien"


def test_the_referral_is_made_from_the_queue_and_a_stale_second_save_is_refused(new_page, child):
    referral = Duty.objects.get(person=child, kind="childrens_services_referral")
    label = f"Mark as made SG-{referral.pk}"
    member("pc-one", Role.OFFICER)
    member("pc-two", Role.OFFICER)
    first, second = new_page(), new_page()
    for page, who in ((first, "pc-one"), (second, "pc-two")):
        sign_in(page, who)
        page.get_by_role("link", name="Safeguarding queue").click()
        page.wait_for_url(re.compile(r"/queue/$"))
    row = first.get_by_role("row").filter(has_text=f"SG-{referral.pk}")
    assert "Referral to children" in row.inner_text()
    assert re.search(r"\d+ (hours|days) left", row.inner_text())
    check_page(first, "queue")

    first.get_by_role("button", name=label).click()
    first.wait_for_url(re.compile(r"/queue/$"))
    assert first.get_by_text(f"SG-{referral.pk}: submitted").first.is_visible()
    check_page(first, "queue-referral-made")

    # The second officer's page still offers the step, on the version it was shown.
    with second.expect_response(re.compile(rf"/queue/{referral.pk}/step/$")) as answer:
        second.get_by_role("button", name=label).click()
    assert answer.value.status == 409
    conflict = "changed by someone else while you were looking: nothing was saved"
    assert second.get_by_text(conflict).first.is_visible()
    check_page(second, "queue-conflict")
    referral.refresh_from_db()
    assert referral.state == "submitted"
    steps = list(referral.transitions.order_by("id").values_list("to_state", "by_name"))
    assert steps[-1] == ("submitted", "pc-one") and len(steps) == 2  # opened, then pc-one's


def test_an_administrator_sees_who_looked_at_the_child_and_why(page, child):
    officer = member("pc-look", Role.OFFICER)
    reading.read_child(officer, child.pk, purpose="<b>missing</b> enquiry", path="/x/")
    admin = member("admin", Role.ADMINISTRATOR)
    sign_in(page, "admin", device=give_confirmed_device(admin))
    page.goto(f"/children/{child.pk}/who-looked/")
    assert page.get_by_role("heading", level=1).inner_text() == "Who looked at this record"
    row = page.get_by_role("row").filter(has_text="pc-look")
    assert "<b>missing</b> enquiry" in row.inner_text()  # as typed, not as markup
    check_page(page, "who-looked")
