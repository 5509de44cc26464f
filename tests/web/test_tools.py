"""The legal tools page: recommendations with their reasons, and deciding them."""

import re

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency, Person
from safeguard.safeguarding.models import ToolRecommendation
from tests.safeguarding.test_tools import WORLD, _event
from tests.web.builders import member, record, signed_in

CUMBRIA = {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"}
# A child of 15 reported missing and found where an adult lives: the pipeline recommends a
# Child Abduction Warning Notice against the adult.
FOUND = (
    _event("M1", "missing_episode", "2025-02-03T20:00:00Z", ("KID15", "missing_person")),
    _event(
        "F1",
        "found_out_of_area",
        "2025-02-04T10:00:00Z",
        ("KID15", "missing_person"),
        location="ACACIA",
        summary="<script>alert(1)</script> found in the back bedroom",
    ),
)


@pytest.fixture
def cawn(db) -> ToolRecommendation:
    record(*WORLD, CUMBRIA, *FOUND)
    Person.objects.filter(source_ref="ADULT").update(given_name="<i>Mark</i>")
    return ToolRecommendation.objects.get(tool="child-abduction-warning-notice")


@pytest.fixture
def lead(cawn) -> Client:
    return signed_in(Role.SAFEGUARDING_LEAD, name="lead")


def _decide(client: Client, r: ToolRecommendation, **data):
    return client.post(f"/tools/{r.pk}/decide/", {"version": r.version, **data})


def test_the_open_recommendations_show_the_tool_whom_and_why_and_the_reads_are_logged(lead, cawn):
    html = lead.get("/tools/").content.decode()
    assert "Child Abduction Warning Notice (CAWN)" in html
    assert "&lt;i&gt;Mark&lt;/i&gt; Jones (ADULT)" in html and "<i>Mark" not in html
    assert "Jay Smith (KID15)" in html  # the child it would protect
    for reason in cawn.reasons:
        assert reason.replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert "Found out of area (F1): &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert f'name="version" value="{cawn.version}"' in html
    reads = Entry.objects.filter(action="read", username="lead", what__contains="recommendation")
    assert set(reads.values_list("person_id", flat=True)) == {cawn.subject_id, *cawn.protects}


def test_a_recommendation_is_actioned_and_the_decision_audited(lead, cawn):
    response = _decide(lead, cawn, status="actioned", shown="recommended")
    assert response.status_code == 302 and response["Location"] == "/tools/?status=recommended"
    cawn.refresh_from_db()
    assert (cawn.status, cawn.status_by_name, cawn.version) == ("actioned", "lead", 2)
    entry = Entry.objects.get(action="write", what="safeguarding.toolrecommendation")
    assert entry.username == "lead" and entry.person_id == cawn.subject_id
    assert entry.detail["from"] == "recommended" and entry.detail["to"] == "actioned"
    # No longer open; the filter finds it among the actioned ones.
    page = lead.get("/tools/").content.decode()  # the message, then the open ones: none
    assert "Child Abduction Warning Notice (CAWN): actioned" in page
    assert "govuk-summary-card" not in page and "No recommendations of this status" in page
    actioned = lead.get("/tools/", {"status": "actioned"}).content.decode()
    assert 'govuk-summary-card__title">Child Abduction Warning Notice' in actioned
    assert "Actioned by lead" in actioned
    assert 'name="status" type="radio"' not in actioned  # decided once


def test_declining_needs_a_reason(lead, cawn):
    response = _decide(lead, cawn, status="declined", reason="  ")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    summary = re.search(r'govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([^"]+)"', summary) == [f"reason-{cawn.pk}"]
    assert "needs a reason" in summary
    assert re.search(rf'<input[^>]*id="reason-{cawn.pk}"[^>]*aria-invalid="true"', html)
    assert f'id="status-{cawn.pk}-2" name="status" type="radio" value="declined" checked' in html
    cawn.refresh_from_db()
    assert (cawn.status, cawn.version) == ("recommended", 1)
    assert not Entry.objects.filter(action="write").exists()

    reason = "<b>Carer</b> says the adult is an uncle; social worker consulted"
    assert _decide(lead, cawn, status="declined", reason=reason).status_code == 302
    cawn.refresh_from_db()
    assert (cawn.status, cawn.status_reason) == ("declined", reason)
    html = lead.get("/tools/", {"status": "declined"}).content.decode()
    assert "&lt;b&gt;Carer&lt;/b&gt; says" in html and "<b>Carer" not in html


def test_no_decision_chosen_is_an_error_linked_to_the_choice(lead, cawn):
    html = _decide(lead, cawn, reason="x").content.decode()
    summary = re.search(r'govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([^"]+)"', summary) == [f"status-{cawn.pk}"]
    assert f'id="status-{cawn.pk}"' in html


def test_a_decision_on_a_stale_version_is_409_and_saves_nothing(lead, cawn):
    other = signed_in(Role.SUPERVISOR, name="di")
    assert _decide(other, cawn, status="actioned").status_code == 302
    response = _decide(lead, cawn, status="declined", reason="not harboured")
    assert response.status_code == 409
    assert b"changed by someone else while you were looking: nothing was saved" in response.content
    cawn.refresh_from_db()
    assert (cawn.status, cawn.status_by_name, cawn.status_reason) == ("actioned", "di", "")
    assert Entry.objects.filter(action="write").count() == 1


def test_an_officer_sees_but_does_not_decide(cawn):
    officer = signed_in(Role.OFFICER, name="pc")
    html = officer.get("/tools/").content.decode()
    assert "Child Abduction Warning Notice" in html and "Save decision" not in html
    assert _decide(officer, cawn, status="actioned").status_code == 403
    cawn.refresh_from_db()
    assert cawn.status == "recommended"


def test_another_forces_recommendation_is_404_and_logged(cawn):
    cumbrian = signed_in(Role.SUPERVISOR, "cumbria", "cumbria-di")
    assert b"Child Abduction Warning Notice" not in cumbrian.get("/tools/").content
    assert _decide(cumbrian, cawn, status="actioned").status_code == 404
    denied = Entry.objects.get(action="denied", username="cumbria-di")
    assert denied.person_id == cawn.subject_id and denied.object_id == str(cawn.pk)
    cawn.refresh_from_db()
    assert cawn.status == "recommended"


def test_an_analyst_with_the_second_factor_decides(cawn, verified_login):
    analyst = create_member("analyst", "pw", Agency.objects.get(code="lancs"), Role.ANALYST)
    client = Client()
    verified_login(client, analyst.user)
    html = client.get("/").content.decode()
    assert 'href="/tools/"' in html  # in the navigation
    assert _decide(client, cawn, status="actioned").status_code == 302


def test_the_childs_page_shows_the_recommendation_and_leads_to_the_tools(lead, cawn):
    kid = Person.objects.get(source_ref="KID15")
    lead.post(f"/children/{kid.pk}/", {"purpose": "strategy meeting"})
    html = lead.get(f"/children/{kid.pk}/").content.decode()
    assert "child-abduction-warning-notice" in html and 'href="/tools/?status=all"' in html


# -- the pages for tests/web/test_layout.py ---------------------------------------------------


def tools_page(client, police):
    record(*WORLD, *FOUND)
    member(client, Role.SUPERVISOR, name="layout")
    return client.get("/tools/")


def tools_page_with_error(client, police):
    tools_page(client, police)
    found = ToolRecommendation.objects.get()
    return client.post(
        f"/tools/{found.pk}/decide/", {"version": found.version, "status": "declined"}
    )
