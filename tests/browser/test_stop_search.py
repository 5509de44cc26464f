"""The stop-and-search report in a real browser: reached from the navigation, its chart and
table, the CSV download, and an inspector choosing a force; screenshot, axe and CSP.

The world of tests/web/test_stop_search.py: Lancashire's children searched in March and
April 2025 (one arrested and referred), Cumbria's child searched and arrested in March.
Screenshots are named page-stop-search-*.
"""

import csv
import io
import re

from playwright.sync_api import Page, expect

from safeguard.accounts.roles import Role
from tests.browser.helpers import check_page, member, row, sign_in, table
from tests.web.test_stop_search import CUMBRIA, LANCS, searches  # noqa: F401 (fixture)


def _open_report(page: Page) -> None:
    page.get_by_role("link", name="Stop and search").click()
    page.wait_for_url(re.compile(r"/reports/stop-search/$"))


def test_a_supervisor_reads_their_forces_figures_and_downloads_them(page, searches):  # noqa: F811
    member("sergeant", Role.SUPERVISOR)
    sign_in(page, "sergeant")
    _open_report(page)
    rows = table(page, LANCS)
    assert row(rows, "2025-03") == ["2", "2", "1", "1", "Submitted 1"]
    assert row(rows, "2025-04") == ["1", "0", "0", "0", "none"]
    chart = page.locator("figure.sg-chart").first
    expect(chart).to_be_visible()
    bars = chart.locator("svg[role=img] rect")  # searched, arrested, referred, a month
    assert bars.count() == 2 * 3
    expect(bars.nth(0).locator("title")).to_have_text("2025-03: children searched 2")
    expect(page.get_by_text("Cumbria")).to_have_count(0)
    check_page(page, "page-stop-search")

    with page.expect_download() as started:
        page.get_by_role("link", name="Download these figures as CSV").click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as saved:
        lines = list(csv.reader(io.StringIO(saved.read())))
    assert [line[:2] for line in lines[1:]] == [
        ["Lancashire", "2025-03"],
        ["Lancashire", "2025-04"],
    ]


def test_an_inspector_chooses_one_force(page, searches):  # noqa: F811
    member("hmi", Role.INSPECTOR, "blackpool-cs")
    sign_in(page, "hmi")
    _open_report(page)
    table(page, LANCS)
    table(page, CUMBRIA)
    page.get_by_label("Force").select_option("cumbria")
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_url(re.compile(r"/reports/stop-search/\?force=cumbria$"))
    expect(page.locator(".govuk-caption-l")).to_have_text("Cumbria")
    assert row(table(page, CUMBRIA), "2025-03") == ["1", "1", "1", "1", "Draft 1"]
    expect(page.get_by_role("heading", name="Lancashire")).to_have_count(0)
    check_page(page, "page-stop-search-inspector")
