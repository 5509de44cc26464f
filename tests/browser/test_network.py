"""The network pages in a real browser: a line drawn by Cytoscape.js, a person opened from it.

The world of tests/web/test_network.py, recorded and analysed for real: the line BEN, with
Lancashire's people named to Lancashire's analyst and Cumbria's child unnamed. The line page
is checked once drawn (its canvas, the node and edge counts network.js reports, axe, CSP);
a mouse click on Dean Black's node, where the drawing put him, opens his network page. Screenshots
are named page-network-*.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from safeguard.accounts.roles import Role
from safeguard.accounts.second_factor import give_confirmed_device
from safeguard.network import running
from safeguard.network.models import Line
from safeguard.records.models import Person
from tests.browser.helpers import check_page, member, sign_in
from tests.web.test_network import HIDDEN, WORLD

DRAWN = '[data-network-state="drawn"]'
# The rendered position of a node of the page's drawing, in the page's viewport.
_WHERE = """async ([box, key]) => {
  const element = document.getElementById(box);
  const node = element.networkDrawing.getElementById(key);
  // cose places nodes at random: bring this one above any it overlaps, so a click at its
  // centre is a click on it (the click itself goes through Cytoscape's own handling)
  node.style("z-index", 9999);
  const at = node.renderedPosition();
  // and bring its centre into the window: a click outside the viewport reaches nothing
  let frame = element.getBoundingClientRect();
  window.scrollBy(
    frame.left + at.x - window.innerWidth / 2, frame.top + at.y - window.innerHeight / 2
  );
  // Cytoscape keeps where its container is on the page and forgets it on the window's
  // scroll event, which comes with the next frames: a click before then is placed by the
  // old position and misses (as a person's would, clicking during a scroll). Wait for it.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  frame = element.getBoundingClientRect();
  return {x: frame.left + at.x, y: frame.top + at.y, url: node.data("url")};
}"""


@pytest.fixture
def line(record) -> Line:
    record(*WORLD)
    return running.store(running.analyse(), ran_by="test").lines.get()


def _analyst(page: Page) -> None:
    user = member("analyst-net", Role.ANALYST)
    sign_in(page, "analyst-net", device=give_confirmed_device(user))


def test_a_line_is_drawn_and_a_click_on_a_person_opens_their_page(page, line):
    _analyst(page)
    page.get_by_role("link", name="Network").click()
    page.wait_for_url(re.compile(r"/network/$"))
    check_page(page, "page-network-lines")

    page.get_by_role("link", name="BEN").click()
    page.wait_for_url(re.compile(rf"/network/lines/{line.pk}/$"))
    box = page.locator("#drawing")
    expect(box).to_have_attribute("data-network-state", "drawn")
    expect(box.locator("canvas").first).to_be_visible()
    assert int(box.get_attribute("data-network-nodes")) == len(line.drawing["nodes"])
    assert int(box.get_attribute("data-network-edges")) == len(line.drawing["edges"])
    expect(
        page.get_by_role("img", name=re.compile(r"^Drawing of line BEN: 9 people"))
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=HIDDEN)).to_contain_text("Runner")
    check_page(page, "page-network-line")

    dean = Person.objects.get(source_ref="DEAN")
    lily = Person.objects.get(source_ref="LILY")
    box.scroll_into_view_if_needed()
    hidden = page.evaluate(_WHERE, ["drawing", f"person:{lily.pk}"])
    assert hidden["url"] == ""  # nothing to open: her record is Cumbria's
    where = page.evaluate(_WHERE, ["drawing", f"person:{dean.pk}"])
    assert where["url"] == f"/network/people/{dean.pk}/"
    assert 0 <= where["y"] < page.viewport_size["height"]
    page.mouse.click(where["x"], where["y"])  # through Cytoscape's own hit test
    page.wait_for_url(re.compile(rf"/network/people/{dean.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dean Black in the network")
    expect(page.locator(DRAWN)).to_have_count(1)
    check_page(page, "page-network-person")


def test_the_ranked_lists_and_the_cross_force_view(page, line):
    _analyst(page)
    kai = Person.objects.get(source_ref="KAI")
    page.goto("/network/disruption/")
    expect(page.get_by_role("row").filter(has_text="Dean Black")).to_contain_text(
        "Slavery and Trafficking Risk Order"
    )
    check_page(page, "page-network-disruption")

    page.goto("/network/safeguarding/")
    row = page.get_by_role("row").filter(has_text="Kai Green")
    # The network page a click on his node would open too.
    row.get_by_role("link", name="Kai Green", exact=True).click()
    page.wait_for_url(re.compile(rf"/network/people/{kai.pk}/$"))
    expect(page.locator(DRAWN)).to_have_count(1)
    check_page(page, "page-network-person-child")

    page.goto("/network/cross-force/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lines across force areas")
    check_page(page, "page-network-cross-force")
