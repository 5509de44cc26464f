"""An offender manager's day, in a real browser: an overdue visit made and recorded.

The manager signs in, opens My caseload, finds the offender whose home visit is overdue,
opens their record, records a visit at which they were seen, and sees the record again with
the next visit months away and no longer overdue; then the team's caseloads. Every page
visited is screenshot and checked by axe, and any Content Security Policy violation fails
the test.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.clock import now
from safeguard.offenders import services
from safeguard.offenders.models import RiskReview, Visit
from safeguard.records.ages import UK
from safeguard.records.models import Agency
from tests.browser.helpers import PASSWORD, check_page, sign_in
from tests.offenders.factories import FORCE, notification, offender
from tests.web.builders import person

HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_manager_records_a_seen_visit_and_the_offender_is_no_longer_overdue(page, record):
    record(
        FORCE,
        person("DAN", f"Dan {HOSTILE}", "Hale", "1971-03-04"),
        person("EVE", "Eve", "Marsh", "1980-07-09"),
    )
    manager = create_member(
        "om-browser",
        PASSWORD,
        Agency.objects.get(code="lancs"),
        Role.OFFENDER_MANAGER,
        team="MOSOVO North",
    ).user
    # Dan: high risk, registered in January 2024 and never visited: long overdue.
    dan = offender("DAN", offender_manager=manager)
    # Eve: low risk, seen and reviewed last week, re-notified last month: nothing due soon.
    eve = offender("EVE", offender_manager=manager, rm2000="low")
    month_ago = (now() - timedelta(days=30)).astimezone(UK).date()
    for who in (dan, eve):
        notification(who, "annual", month_ago, month_ago)
    Visit.objects.create(offender=eve, at=now() - timedelta(days=7), outcome="seen", announced=True)
    RiskReview.objects.create(offender=eve, kind="arms", completed_at=now(), level="low")
    services.recompute()

    sign_in(page, "om-browser")
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    dan_row = page.get_by_role("row").filter(has_text="V-DAN")
    expect(dan_row.locator(".govuk-tag--red").first).to_have_text("Overdue")
    expect(
        page.get_by_role("row").filter(has_text="V-EVE").locator(".govuk-tag--red")
    ).to_have_count(0)
    check_page(page, "offenders-my-caseload")

    dan_row.get_by_role("link", name=f"Dan {HOSTILE} Hale").click()
    page.wait_for_url(re.compile(rf"/offenders/{dan.pk}/$"))
    next_visit = page.locator("#next-visit")
    expect(next_visit).to_contain_text("Overdue")
    check_page(page, "offenders-record-overdue")

    page.get_by_role("link", name="Record a visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a visit")
    check_page(page, "offenders-record-visit")
    when = (now() - timedelta(hours=1)).astimezone(UK)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time").fill(f"{when:%H:%M}")
    page.get_by_label("Seen at home").check()
    page.get_by_role("group", name="Was the visit announced?").get_by_label("No").check()
    expect(page.get_by_label("Officer who made the visit")).to_have_value(str(manager.pk))
    page.get_by_label("Notes (optional)").fill(f"All well {HOSTILE}")
    page.get_by_role("button", name="Save the visit").click()

    page.wait_for_url(re.compile(rf"/offenders/{dan.pk}/$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded: seen at home")
    expect(next_visit).not_to_contain_text("Overdue")
    expect(page.get_by_role("row").filter(has_text="Seen at home")).to_contain_text(
        f"All well {HOSTILE}"
    )
    check_page(page, "offenders-record-visited")

    page.get_by_role("link", name="My caseload").click()
    expect(
        page.get_by_role("row").filter(has_text="V-DAN").locator(".govuk-tag--red")
    ).to_have_count(1)  # the visit done; the first risk review is still overdue

    page.get_by_role("link", name="Caseloads", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseloads")
    expect(page.get_by_role("row").filter(has_text="om-browser")).to_contain_text("2 of 50")
    check_page(page, "offenders-caseloads")
