"""Every main page of the service, in a real browser: screenshot, axe (WCAG 2.2 AA) and CSP.

One world, recorded through the real intake path and dated by the real clock: Tia, 15, of
Blackpool, reported missing, found out of area at the home of an adult (which recommends a
Child Abduction Warning Notice against him), then arrested (which opens her referral to
Blackpool's children's services, an NRM referral and the charging block). Her events carry
markup, shown as text: a script run from it would be a CSP violation and fail the test.
Each page is opened as the role that uses it, with its error states where it has them;
screenshots are named page-*.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from safeguard.accounts import acting, reviewing
from safeguard.accounts.roles import Role
from safeguard.accounts.second_factor import give_confirmed_device
from safeguard.clock import now
from safeguard.records.models import Event, Person
from safeguard.safeguarding import charging
from safeguard.safeguarding.models import ChargingReview, Duty, ToolRecommendation
from tests.browser.helpers import born_aged, check_page, member, sign_in
from tests.safeguarding.test_duties import WORLD, _event
from tests.web.builders import person
from tests.web.test_encounters import MORE

HOSTILE = '<script>alert("page")</script><img src=x onerror=alert(1)>'


def _at(hours_ago: float) -> str:
    return (now() - timedelta(hours=hours_ago)).isoformat()


def _lives_at(ref: str, person: str, place: str) -> dict:
    link = {"type": "link", "agency": "lancs", "ref": ref, "kind": "lives_at"}
    return link | {"from_person": person, "to_location": place, "valid_from": "2024-01-01"}


@pytest.fixture
def tia(record) -> Person:
    """Tia, found at an adult's home after going missing, then arrested (see the module)."""
    record(
        *WORLD,
        *MORE,
        {
            "type": "location",
            "agency": "lancs",
            "ref": "ACACIA",
            "kind": "home",
            "address": "12 Acacia Road, Blackpool",
            "postcode": "FY1 1AA",
            "force_area": "lancs",
            "local_authority": "E06000009",
        },
        person("MARK", "Mark", "Jones", "1990-01-01"),
        person("TIA", "Tia", "O'Hara", born_aged(15).isoformat()),
        _lives_at("L-MARK", "MARK", "ACACIA"),
        _lives_at("L-TIA", "TIA", "HOME"),
        _event("M1", "missing_episode", _at(72), ("TIA", "missing_person")),
        _event(
            "F1",
            "found_out_of_area",
            _at(48),
            ("TIA", "missing_person"),
            location="ACACIA",
            summary=f"Found at the flat {HOSTILE}",
        ),
        _event(
            "A1",
            "arrest",
            _at(2),
            ("TIA", "suspect"),
            summary=f"Arrested {HOSTILE}",
            attributes={"offence": "Possession with intent to supply"},
        ),
    )
    member("pc-page", Role.OFFICER)
    return Person.objects.get(source_ref="TIA")


def _read_child(page: Page, person: Person, name: str) -> None:
    """Open the child's page, giving the purpose it asks for first."""
    page.goto(f"/children/{person.pk}/")
    page.get_by_label("Why do you need to see this child's record?").fill("<b>page</b> check")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_the_officers_pages(page, tia):
    sign_in(page, "pc-page")
    check_page(page, "page-home-officer")

    page.goto("/encounters/new/")
    check_page(page, "page-encounter-form")
    page.get_by_role("button", name="Save the encounter").click()  # nothing entered
    expect(page).to_have_title(re.compile("^Error: "))  # waits for the page
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what kind of encounter")
    check_page(page, "page-encounter-form-errors")

    arrest = Event.objects.get(source_ref="A1")
    page.goto(f"/encounters/{arrest.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrest recorded")
    check_page(page, "page-encounter-outcome")

    page.goto("/search/?q=tia+ohara")
    expect(page.get_by_role("link", name="Tia O'Hara", exact=True)).to_be_visible()
    check_page(page, "page-search-results")

    _read_child(page, tia, "Tia O'Hara")
    expect(page.locator("main")).to_contain_text(f"Arrested {HOSTILE}")
    check_page(page, "page-child")

    referral = Duty.objects.get(person=tia, kind="childrens_services_referral")
    page.goto("/queue/")
    expect(page.get_by_role("button", name=f"Mark as made SG-{referral.pk}")).to_be_visible()
    check_page(page, "page-queue")

    page.goto(f"/referrals/{referral.pk}/")
    check_page(page, "page-referral")
    page.get_by_role("link", name="read or print it").click()
    page.wait_for_url(re.compile(rf"/referrals/{referral.pk}/document/$"))
    check_page(page, "page-referral-document")

    page.go_back()
    page.get_by_role("button", name=f"Mark as made SG-{referral.pk}").click()
    expect(page.get_by_text(f"SG-{referral.pk}: submitted")).to_be_visible()
    page.goto("/my-referrals/")
    expect(page.get_by_role("row").filter(has_text=f"SG-{referral.pk}")).to_contain_text(
        "Waiting for their decision"
    )
    check_page(page, "page-my-referrals")


def test_the_partner_charging_and_supervisor_pages(new_page, tia):
    referral = Duty.objects.get(person=tia, kind="childrens_services_referral")
    officer = member("pc-maker", Role.OFFICER)
    acting.step(officer, referral.pk, "submitted", expected_version=referral.version)
    member("mash-page", Role.MASH_WORKER, "blackpool-cs")
    mash = new_page()
    sign_in(mash, "mash-page")
    mash.get_by_role("link", name="Inbox").click()
    expect(mash.get_by_role("row").filter(has_text=f"SG-{referral.pk}")).to_contain_text(
        "Tia O'Hara"
    )
    check_page(mash, "page-inbox")

    # The charging review form, empty, with errors, and a review awaiting its sign-off.
    sergeant_user = member("sgt-page", Role.CUSTODY_SERGEANT)
    sergeant = new_page()
    sign_in(sergeant, "sgt-page")
    sergeant.goto(f"/children/{tia.pk}/charging-review/")
    expect(sergeant.get_by_role("complementary", name="The evidence")).to_contain_text(
        "blocked now"
    )
    check_page(sergeant, "page-charging-review-form")
    sergeant.get_by_role("button", name="Save the review").click()
    expect(sergeant).to_have_title(re.compile("^Error: "))  # waits for the page
    expect(sergeant.locator(".govuk-error-summary")).to_contain_text("Enter the offence")
    check_page(sergeant, "page-charging-review-form-errors")

    review = reviewing.submit(
        sergeant_user,
        tia.pk,
        proposed="charge",
        offence=f"Possession with intent to supply {HOSTILE}",
        answers=charging.Answers(
            reason_to_believe_victim=True,
            duress=False,
            under_18_at_offence=True,
            direct_consequence=False,
            reasonable_person=False,
            public_interest=True,
            notes={"duress": HOSTILE},
        ),
        decision="charge",
        rationale=f"No link between the exploitation and this offence {HOSTILE}",
    )
    sergeant.goto(f"/charging-reviews/{review.pk}/")
    expect(sergeant.locator("main")).to_contain_text("Not signed off")
    check_page(sergeant, "page-charging-review")

    member("di-page", Role.SUPERVISOR)
    supervisor = new_page()
    sign_in(supervisor, "di-page")
    supervisor.get_by_role("link", name="Charging reviews").click()
    expect(
        supervisor.get_by_role("link", name=f"Check and sign off the review of {tia.source_ref}")
    ).to_be_visible()
    check_page(supervisor, "page-charging-reviews")
    supervisor.goto(f"/charging-reviews/{review.pk}/")
    expect(supervisor.get_by_role("button", name="Sign off this decision")).to_be_visible()
    check_page(supervisor, "page-charging-review-sign-off")

    cawn = ToolRecommendation.objects.get(tool="child-abduction-warning-notice")
    supervisor.get_by_role("link", name="Tools").click()
    card = supervisor.locator(f"#recommendation-{cawn.pk}")
    expect(card).to_contain_text("Mark Jones (MARK)")
    check_page(supervisor, "page-tools")
    card.get_by_label("Declined").check()
    card.get_by_role("button", name=re.compile("^Save decision")).click()  # without a reason
    expect(supervisor).to_have_title(re.compile("^Error: "))  # waits for the page
    check_page(supervisor, "page-tools-errors")

    supervisor.get_by_role("link", name="Dashboard").click()
    supervisor.wait_for_url(re.compile(r"/dashboard/$"))
    expect(supervisor.locator("canvas").first).to_be_visible()
    check_page(supervisor, "page-dashboard-supervisor")
    assert ChargingReview.objects.filter(signed_off_at__isnull=True).count() == 1


def test_the_inspector_administrator_and_api_pages(new_page, tia):
    member("inspector-page", Role.INSPECTOR)
    inspector = new_page()
    sign_in(inspector, "inspector-page")
    inspector.get_by_role("link", name="Dashboard").click()
    expect(inspector.get_by_label("Force")).to_be_visible()  # every force, to choose from
    expect(inspector.locator("canvas").first).to_be_visible()
    check_page(inspector, "page-dashboard-inspector")

    admin = member("admin-page", Role.ADMINISTRATOR)
    administrator = new_page()
    sign_in(administrator, "admin-page", device=give_confirmed_device(admin))
    _read_child(administrator, tia, "Tia O'Hara")  # so that someone looked
    administrator.goto(f"/children/{tia.pk}/who-looked/")
    expect(administrator.get_by_role("row").filter(has_text="admin-page").first).to_contain_text(
        "<b>page</b> check"
    )
    check_page(administrator, "page-who-looked")

    administrator.goto("/api/docs")
    expect(administrator.get_by_role("heading", level=1)).to_be_visible()
    expect(administrator.locator("main, body").first).to_contain_text("/api/events")
    check_page(administrator, "page-api-docs")
