"""Issue #5's main journey, end to end in a real browser against the live server.

An officer of Lancashire records the arrest in Blackpool of a 15-year-old from Liverpool,
carrying drugs packaged for supply, cash and two phones, with an adult; sees the screening
and the duties it opened; makes the referral to Liverpool's children's services, whose MASH
worker finds it in their inbox, acknowledges and accepts it; the officer sees that decision.
A custody sergeant's charge of the child is refused until a charging review is saved and a
supervisor signs it off; then it is recorded. The supervisor's dashboard counts it all.

Every page visited is screenshot (journey-NN-...) and checked by axe and for Content
Security Policy violations. The world (the force, the children's services of Blackpool and
Liverpool, the Single Competent Authority, Merseyside) is recorded through the real intake
path, as tests/web/test_encounters.py does; the events are dated by the real clock (the
arrest two hours ago, the charge now), so the dashboard, which counts by safeguard.clock.now(),
counts them in its current weeks without patching any clock.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from safeguard.accounts.roles import Role
from safeguard.api import tokens
from safeguard.clock import now
from safeguard.records.ages import UK
from safeguard.records.models import Event, Person
from safeguard.safeguarding.calendar import working_days_after
from safeguard.safeguarding.models import ChargingReview, Duty
from tests.browser.helpers import born_aged, check_page, member, row, sign_in, table
from tests.safeguarding.test_duties import WORLD
from tests.web.test_encounters import MORE

CS = "Referral to children's services"
INDICATORS = {
    "Found out of area",
    "Unexplained money or phones",
    "Found with drugs",
    "Associating with older people",
}
OFFENCE = "Possession with intent to supply a class A drug"


@pytest.fixture
def world(record):
    """Lancashire, Blackpool's and Liverpool's children's services, the Single Competent
    Authority and Merseyside (tests/web/test_encounters.py), and the people of the journey."""
    record(*WORLD, *MORE)
    member("pc-kelly", Role.OFFICER)
    member("mash-liverpool", Role.MASH_WORKER, "liverpool-cs")
    member("sgt-patel", Role.CUSTODY_SERGEANT)
    member("di-hughes", Role.SUPERVISOR)


def _step(page: Page, n: int, name: str) -> None:
    check_page(page, f"journey-{n:02d}-{name}")


def test_the_main_journey(new_page, world, live_server):
    arrested_at = (now() - timedelta(hours=2)).astimezone(UK).replace(second=0, microsecond=0)
    born = born_aged(15)

    # a. The officer records the arrest through the form, as a person fills it in.
    officer = new_page()
    officer.goto("/sign-in/")
    _step(officer, 1, "sign-in")
    sign_in(officer, "pc-kelly")
    _step(officer, 2, "officer-home")
    officer.get_by_role("link", name="Record an encounter").click()
    officer.wait_for_url(re.compile(r"/encounters/new/$"))
    _step(officer, 3, "encounter-form")

    kinds = officer.get_by_role("group", name="What kind of encounter was it?")
    kinds.get_by_label("Arrest", exact=True).check()
    offence = officer.get_by_label("Offence the child was arrested for (optional)")
    expect(offence).to_be_visible()  # revealed by GOV.UK Frontend's conditional radios
    offence.fill(OFFENCE)
    when = officer.get_by_role("group", name="When did it happen?")
    when.get_by_label("Day").fill(str(arrested_at.day))
    when.get_by_label("Month").fill(str(arrested_at.month))
    when.get_by_label("Year").fill(str(arrested_at.year))
    officer.get_by_label("Time", exact=True).fill(f"{arrested_at:%H:%M}")

    officer.get_by_label("What kind of place was it?").select_option(label="Railway or bus station")
    officer.get_by_label("Describe the place").fill("Blackpool North station")
    officer.get_by_label("Postcode (if known)").fill("fy1 2ae")
    expect(officer.get_by_label("Which police force area was it in?")).to_have_value("lancs")

    officer.get_by_label("Given names").first.fill("Kai")
    officer.get_by_label("Family name").first.fill("Doyle")
    birth = officer.get_by_role("group", name="Date of birth")
    birth.get_by_label("Day").fill(str(born.day))
    birth.get_by_label("Month").fill(str(born.month))
    birth.get_by_label("Year").fill(str(born.year))
    officer.get_by_role("group", name="Sex (optional)").get_by_label("Male", exact=True).check()

    home = officer.get_by_role("group", name="Where the child lives")
    home.get_by_label("A family home").check()
    home.get_by_label("Address").fill("1 Example Street, Liverpool")
    home.get_by_label("Postcode", exact=True).fill("L4 0TH")
    home.get_by_label("Police force area of the home").select_option(label="Merseyside Police")
    home.get_by_label("Local authority (children's services) of the home").select_option(
        label="Liverpool Children's Services"
    )

    officer.get_by_label("Drugs", exact=True).check()
    officer.get_by_role("group", name="Class", exact=True).get_by_label("Class A").check()
    officer.get_by_label("What drugs (if known)").fill("crack cocaine")
    officer.get_by_label("How much (if known)").fill("14")
    expect(officer.get_by_label("Measured in")).to_have_value("wraps")  # packaged for supply
    officer.get_by_label("Cash", exact=True).check()
    officer.get_by_label("How much cash, in pounds").fill("£420.50")
    officer.get_by_label("Phones or SIM cards").check()
    officer.get_by_label("The number of each phone or SIM card, one a line").fill(
        "07700 900123\n07700900456"
    )
    adult = officer.get_by_role("group", name="Person 1 (optional)")
    adult.get_by_label("Given names").fill("Lee")
    adult.get_by_label("Family name").fill("Marsh")
    adult.get_by_label("Age in years").fill("24")
    officer.get_by_label("What happened, in your words").fill(
        "Stopped getting off the Liverpool train; said he was visiting a friend."
    )
    _step(officer, 4, "encounter-form-filled")
    officer.get_by_role("button", name="Save the encounter").click()
    officer.wait_for_url(re.compile(r"/encounters/\d+/$"))

    kai = Person.objects.get(family_name="Doyle")
    arrest = Event.objects.get(kind="arrest")
    assert arrest.occurred_at == arrested_at
    duties = {d.kind: d for d in Duty.objects.filter(person=kai).select_related("receiver")}
    assert set(duties) == {"childrens_services_referral", "nrm_referral", "strategy_discussion"}
    referral = duties["childrens_services_referral"]
    assert referral.receiver.code == "liverpool-cs"
    assert referral.due_at == working_days_after(arrested_at, 1)  # within a working day

    main = officer.locator("main")
    assert officer.get_by_role("heading", level=1).inner_text() == "Arrest recorded"
    assert officer.get_by_role("heading", name="Kai Doyle, aged 15").is_visible()
    assert "Level: High" in main.inner_text()
    signs = officer.locator("dl").filter(has=officer.get_by_text("Found with drugs"))
    fired = {t.strip() for t in signs.locator("dt").all_inner_texts()}
    assert fired == INDICATORS
    reasons = signs.locator("dd").all_inner_texts()
    assert any("arrest with cash, drugs in lancs" in r for r in reasons), reasons
    assert "Drugs: class A, crack cocaine, 14 wraps" in main.inner_text()
    assert "Lee Marsh, aged about 24" in main.inner_text()
    rows = {
        cells[0]: cells[1:]
        for cells in (
            r.locator("td").all_inner_texts()
            for r in officer.get_by_role("row").filter(has=officer.locator("td")).all()
        )
    }
    due = f"{referral.due_at.astimezone(UK):%-d %b %Y %H:%M}"
    assert rows[f"SG-{referral.pk}"] == [CS, "Liverpool Children's Services", due, "Draft"]
    nrm = duties["nrm_referral"]
    assert rows[f"SG-{nrm.pk}"][0] == "NRM referral"
    assert rows[f"SG-{nrm.pk}"][1] == "Single Competent Authority"
    assert rows[f"SG-{duties['strategy_discussion'].pk}"][0] == "Strategy discussion request"
    _step(officer, 5, "encounter-outcome")

    # b. The officer makes the referral from the queue the outcome page leads to.
    officer.get_by_role("link", name="Make them from the safeguarding queue").click()
    officer.wait_for_url(re.compile(r"/queue/$"))
    _step(officer, 6, "queue")
    officer.get_by_role("button", name=f"Mark as made SG-{referral.pk}").click()
    officer.wait_for_url(re.compile(r"/queue/$"))
    expect(officer.get_by_text(f"SG-{referral.pk}: submitted").first).to_be_visible()
    _step(officer, 7, "queue-referral-made")
    referral.refresh_from_db()
    assert referral.state == "submitted"

    # c. Liverpool's MASH worker finds it in their inbox, acknowledges and accepts it.
    mash = new_page()
    sign_in(mash, "mash-liverpool")
    _step(mash, 8, "mash-home")
    mash.get_by_role("link", name="Inbox").click()
    mash.wait_for_url(re.compile(r"/inbox/$"))
    inbox_row = mash.get_by_role("row").filter(has_text=f"SG-{referral.pk}")
    text = inbox_row.inner_text()
    assert "Kai Doyle" in text and CS in text and "from Lancashire" in text
    assert "Submitted" in text
    _step(mash, 9, "inbox")
    inbox_row.get_by_role("link", name=f"SG-{referral.pk}").click()
    mash.wait_for_url(re.compile(rf"/referrals/{referral.pk}/$"))
    assert mash.get_by_role("heading", level=1).inner_text() == CS
    _step(mash, 10, "referral-received")
    mash.get_by_role("button", name=f"Acknowledge SG-{referral.pk}").click()
    expect(mash.get_by_text(f"SG-{referral.pk}: acknowledged")).to_be_visible()
    _step(mash, 11, "referral-acknowledged")
    mash.get_by_role("button", name=f"Accept SG-{referral.pk}").click()
    expect(mash.get_by_text(f"SG-{referral.pk}: decision recorded")).to_be_visible()
    assert "Accepted for assessment or action" in mash.locator("main").inner_text()
    _step(mash, 12, "referral-accepted")
    referral.refresh_from_db()
    assert (referral.state, referral.decision) == ("decision_recorded", "accepted")

    # d. The officer sees the receiver's decision in "My referrals".
    officer.get_by_role("link", name="My referrals").click()
    officer.wait_for_url(re.compile(r"/my-referrals/$"))
    made = officer.get_by_role("row").filter(has_text=f"SG-{referral.pk}").inner_text()
    assert "Kai Doyle" in made and "to Liverpool Children's Services" in made
    assert "Accepted for assessment or action" in made and "by mash-liverpool" in made
    _step(officer, 13, "my-referrals")

    # e. A charge is refused until a charging review is saved and signed off.
    sergeant = new_page()
    sign_in(sergeant, "sgt-patel")
    _step(sergeant, 14, "sergeant-home")
    token = tokens.issue("sgt-patel", "custody system").token

    def charge():
        return sergeant.request.post(
            f"{live_server.url}/api/events",
            headers={"Authorization": f"Bearer {token}"},
            data={
                "agency": "lancs",
                "ref": "CHARGE-1",
                "kind": "charge",
                "occurred_at": now().isoformat(),
                "participants": [{"person": kai.source_ref, "role": "suspect"}],
                "attributes": {"offence": OFFENCE},
            },
        )

    refused = charge()
    assert refused.status == 422, refused.text()
    reasons = " ".join(e["reason"] for e in refused.json()["errors"])
    assert "a charging review must be completed and saved before a charge is recorded" in reasons
    assert not Event.objects.filter(kind="charge").exists()

    sergeant.get_by_role("link", name="Find a child").click()
    sergeant.get_by_label("Name, date of birth, phone number or postcode").fill("Kai Doyle")
    sergeant.get_by_role("button", name="Search").click()
    _step(sergeant, 15, "search")
    sergeant.get_by_role("link", name="Kai Doyle", exact=True).click()
    sergeant.wait_for_url(re.compile(rf"/children/{kai.pk}/$"))
    _step(sergeant, 16, "purpose")
    sergeant.get_by_label("Why do you need to see this child's record?").fill(
        "custody: charging decision"
    )
    sergeant.get_by_role("button", name="Continue").click()
    assert sergeant.get_by_role("heading", level=1).inner_text() == "Kai Doyle"
    _step(sergeant, 17, "child")
    sergeant.get_by_role("link", name=re.compile("^Before a charge or caution")).click()
    sergeant.wait_for_url(re.compile(rf"/children/{kai.pk}/charging-review/$"))
    evidence = sergeant.get_by_role("complementary", name="The evidence").inner_text()
    assert "A charge or caution of this child is blocked now" in evidence
    for title in INDICATORS:
        assert title in evidence
    assert f"SG-{nrm.pk}" in evidence and f"SG-{referral.pk} to Liverpool" in evidence
    assert (
        "You are reading this record for: custody: charging decision"
        in sergeant.locator("main").inner_text()
    )
    _step(sergeant, 18, "charging-review-form")

    def answer(question: str, choice: str) -> None:
        group = sergeant.get_by_role("group", name=re.compile("^" + re.escape(question)))
        group.get_by_label(choice, exact=True).check()

    answer("What disposal is being considered?", "Charge")
    sergeant.get_by_label("The offence", exact=True).fill(OFFENCE)
    answer("Is there reason to believe the child is a victim", "Yes")
    answer("Is there clear evidence of a credible defence of duress", "No")
    answer("Was the child under 18 when the act was done?", "Yes")
    answer("Was the act done as a direct consequence", "No")
    answer("Would a reasonable person in the same situation", "No")
    expect(sergeant.get_by_label("Is the offence listed in Schedule 4?")).to_have_value("")
    answer("Is a prosecution (or a caution) in the public interest?", "Yes")
    answer("What is decided?", "Charge")
    sergeant.get_by_label("Rationale for the decision").fill(
        "Found with 14 wraps on a known line; no link between the exploitation and this "
        "offence on the evidence so far. Referred to children's services and the NRM."
    )
    _step(sergeant, 19, "charging-review-form-filled")
    sergeant.get_by_role("button", name="Save the review").click()
    sergeant.wait_for_url(re.compile(r"/charging-reviews/\d+/$"))
    review = ChargingReview.objects.get(person=kai)
    assert (review.decision, review.reviewer_name, review.level_seen) == (
        "charge",
        "sgt-patel",
        "high",
    )
    main = sergeant.locator("main").inner_text()
    assert "Charging review saved: Charge" in main and "Not signed off" in main
    _step(sergeant, 20, "charging-review-saved")

    refused = charge()
    assert refused.status == 422, refused.text()
    reasons = " ".join(e["reason"] for e in refused.json()["errors"])
    assert "despite signs of exploitation" in reasons
    assert "a supervisor must sign it off first" in reasons

    supervisor = new_page()
    sign_in(supervisor, "di-hughes")
    _step(supervisor, 21, "supervisor-home")
    supervisor.get_by_role("link", name="Charging reviews").click()
    supervisor.wait_for_url(re.compile(r"/charging-reviews/$"))
    _step(supervisor, 22, "charging-reviews")
    supervisor.get_by_role(
        "link", name=f"Check and sign off the review of {kai.source_ref}"
    ).click()
    supervisor.wait_for_url(re.compile(rf"/charging-reviews/{review.pk}/$"))
    _step(supervisor, 23, "charging-review-to-sign-off")
    supervisor.get_by_role("button", name="Sign off this decision").click()
    expect(supervisor.get_by_text("Signed off: the charge or caution")).to_be_visible()
    assert "Signed off by di-hughes" in supervisor.locator("main").inner_text()
    _step(supervisor, 24, "charging-review-signed-off")

    allowed = charge()
    assert allowed.status == 201, allowed.text()
    review.refresh_from_db()
    assert review.event.kind == "charge" and review.despite_indicators
    # A charged child is referred to children's services again: the arrest's referral was
    # made, so the charge opens a new one (duties.yaml, referral-arrested-child).
    [answered] = allowed.json()["children"]
    again = [d for d in answered["duties"] if d["kind"] == "childrens_services_referral"]
    assert [d["state"] for d in again] == ["draft"] and again[0]["id"] != referral.pk
    sergeant.reload()
    authorised = sergeant.locator("main").inner_text()
    assert "It authorised the charge recorded on" in authorised
    assert "despite signs of exploitation" in authorised
    _step(sergeant, 25, "charging-review-charge-recorded")

    # f. The supervisor's dashboard counts the child.
    supervisor.get_by_role("link", name="Dashboard").click()
    supervisor.wait_for_url(re.compile(r"/dashboard/$"))
    expect(supervisor.locator("canvas").first).to_be_visible()  # the charts are drawn
    _step(supervisor, 26, "dashboard")
    opened = table(supervisor, "Referrals opened in the last 12 weeks")
    # Opened, made on time, made late, not made overdue, not made in time, withdrawn: the
    # arrest's referral made on time, the charge's not made yet; the NRM referral not yet.
    assert row(opened, CS) == ["2", "1", "0", "0", "1", "0"]
    assert row(opened, "NRM referral") == ["1", "0", "0", "0", "1", "0"]
    assert row(opened, "All referrals") == ["3", "1", "0", "0", "2", "0"]
    assert (
        "100% of the referrals made were made by their deadline"
        in supervisor.locator("main").inner_text()
    )
    children = table(supervisor, "Children (under 18 at the time)")
    assert row(children, "Encountered (in any event recorded)") == ["1"]
    assert row(children, "Arrested") == ["1"]
    without = "Arrested, and no referral to children's services made for the arrest"
    assert row(children, without) == ["0"]
    despite = (
        "Charged or cautioned despite signs of exploitation, on a charging review a "
        "supervisor signed off"
    )
    assert row(children, despite) == ["1"]
    unreviewed = "Charged or cautioned with signs of exploitation and no charging review"
    assert row(children, unreviewed) == ["0"]
    levels = table(supervisor, "Children encountered in the last 12 weeks, by their latest")
    assert row(levels, "High") == ["1"] and row(levels, "Medium") == ["0"]
    weekly = table(supervisor, "Children arrested each week")[1:]
    assert sum(int(cells[1]) for cells in weekly) == 1
    assert sum(int(cells[2]) for cells in weekly) == 0
    charged = table(supervisor, "Children charged or cautioned each week despite")[1:]
    assert [int(cells[1]) for cells in charged].count(1) == 1
    assert sum(int(cells[2]) for cells in charged) == 0
    decisions = table(supervisor, f"{CS}: decisions recorded by the receiver")
    assert row(decisions, "Accepted for assessment or action") == ["1"]
    overdue = table(supervisor, "Referrals waiting for a step past its deadline")
    assert row(overdue, CS) == ["0", "0", "0"]
