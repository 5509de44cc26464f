"""The charging review pages: the evidence beside the questions, the block, the sign-off."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.audit.models import Entry
from safeguard.clock import now
from safeguard.intake.errors import RecordingRejected
from safeguard.records.models import Event, Person
from safeguard.safeguarding.models import ChargingReview
from tests.safeguarding.test_duties import WORLD, _event
from tests.web.builders import member, record, signed_in


def _at(days_ago: float) -> str:
    return (now() - timedelta(days=days_ago)).isoformat()


# Missing twice and found out of area, recently: the child screens medium or higher and an
# NRM referral opens, so a charge needs a review signed off by a supervisor.
SIGNS = (
    _event("M1", "missing_episode", _at(40), ("KID", "missing_person")),
    _event("M2", "missing_episode", _at(10), ("KID", "missing_person")),
    _event(
        "F1",
        "found_out_of_area",
        _at(9),
        ("KID", "missing_person"),
        summary="<script>alert(1)</script> found at the station",
    ),
)
OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {"type": "person", "agency": "cumbria", "ref": "CKID", "date_of_birth": "2011-01-01"},
)
# A charge recorded a few minutes from now: after the review and its sign-off.
CHARGE = _event("CH1", "charge", _at(-0.01), ("KID", "suspect"))
ANSWERS = {
    "proposed": "charge",
    "offence": "Possession with intent to supply a class A drug",
    "reason_to_believe_victim": "yes",
    "duress": "no",
    "under_18_at_offence": "yes",
    "direct_consequence": "no",
    "reasonable_person": "no",
    "schedule_4": "",
    "public_interest": "yes",
    "decision": "charge",
    "rationale": "Found with 20 wraps; no link between the exploitation and this offence.",
}


@pytest.fixture
def kid(db) -> Person:
    record(*WORLD, *OTHERS, *SIGNS)
    Person.objects.filter(source_ref="KID").update(given_name="Jay", family_name="<b>O'Brien</b>")
    return Person.objects.get(source_ref="KID")


@pytest.fixture
def sergeant(kid) -> Client:
    return signed_in(Role.CUSTODY_SERGEANT, name="sgt")


@pytest.fixture
def supervisor(kid) -> Client:
    return signed_in(Role.SUPERVISOR, name="di")


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _saved(client: Client, kid: Person, **changes) -> ChargingReview:
    response = client.post(f"/children/{kid.pk}/charging-review/", ANSWERS | changes)
    assert response.status_code == 302, response.content.decode()
    review = ChargingReview.objects.latest("pk")
    assert response["Location"] == f"/charging-reviews/{review.pk}/"
    return review


def _refusal(*raw: dict) -> str:
    with pytest.raises(RecordingRejected) as caught:
        record(*raw)
    return str(caught.value)


def test_the_form_shows_the_evidence_beside_the_questions(sergeant, kid):
    page = sergeant.get(f"/children/{kid.pk}/charging-review/")
    assert page.status_code == 200
    html = page.content.decode()
    questions, evidence = html.split('class="govuk-grid-column-one-third"')
    assert 'class="govuk-grid-column-two-thirds"' in questions
    assert "reason to believe the child is a victim" in questions
    assert "reasonable person in the same situation" in questions
    assert "in the public interest" in questions and 'name="rationale"' in questions
    # Beside them: the block now and why, the screening's indicators with their records,
    # the NRM referral and the referral to children's services.
    assert "A charge or caution of this child is blocked now" in evidence
    assert "NRM referral SG-" in evidence and "Blocked" in evidence
    screening = kid.screenings.latest("screened_at")
    assert screening.level in ("medium", "high")
    for fired in screening.indicators:
        assert fired["title"] in evidence or fired["title"].replace("'", "&#x27;") in evidence
    assert "Found out of area" in evidence or "found out of area" in evidence.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; found at the station" in evidence
    assert "<script>alert" not in html
    assert "to Blackpool Children&#x27;s Services: " in evidence
    # The child's record was read for a purpose, and the read is logged.
    read = Entry.objects.filter(action="read", person_id=kid.pk, username="sgt").latest("seq")
    assert read.purpose == "charging review"


def test_an_incomplete_review_saves_nothing_and_links_each_error_to_its_field(sergeant, kid):
    response = sergeant.post(
        f"/children/{kid.pk}/charging-review/", {"proposed": "charge", "offence": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html and "There is a problem" in html
    summary = re.search(r'govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    targets = re.findall(r'<a href="#([^"]+)"', summary)
    assert targets[:3] == ["offence", "reason_to_believe_victim", "duress"]
    assert {"decision", "rationale", "public_interest"} <= set(targets)
    assert set(targets) <= _ids(html)
    assert 'aria-invalid="true"' in html
    assert 'value="charge" checked' in html  # what was given is kept
    assert not ChargingReview.objects.exists()


def test_a_charge_without_the_public_interest_is_refused_by_the_domain_beside_its_field(
    sergeant, kid
):
    response = sergeant.post(
        f"/children/{kid.pk}/charging-review/", ANSWERS | {"public_interest": "no"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([^"]+)"', summary) == ["public_interest"]
    assert "in the public interest (stage 4)" in summary
    assert 'id="public_interest-error"' in html
    assert not ChargingReview.objects.exists()


def test_a_charge_is_refused_until_a_review_is_saved_and_signed_off(sergeant, supervisor, kid):
    assert "a charging review must be completed" in _refusal(CHARGE)
    review = _saved(sergeant, kid)
    assert (review.decision, review.reviewer_name, review.offence) == (
        "charge",
        "sgt",
        ANSWERS["offence"],
    )
    assert review.level_seen in ("medium", "high") and "NRM referral" in review.nrm_status
    assert "a supervisor must sign it off first" in _refusal(CHARGE)
    assert not Event.objects.filter(source_ref="CH1").exists()

    # The sergeant sees the review, the block and why; only a supervisor may sign it off.
    page = sergeant.get(f"/charging-reviews/{review.pk}/").content.decode()
    assert "Not signed off" in page and "a supervisor must sign it off first" in page
    assert "Sign off this decision" not in page
    assert (
        sergeant.post(
            f"/charging-reviews/{review.pk}/sign-off/", {"version": review.version}
        ).status_code
        == 403
    )

    page = supervisor.get(f"/charging-reviews/{review.pk}/").content.decode()
    assert f'name="version" value="{review.version}"' in page
    response = supervisor.post(
        f"/charging-reviews/{review.pk}/sign-off/", {"version": review.version}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.supervisor_name == "di" and review.signed_off_at is not None
    assert "May be recorded" in supervisor.get(f"/charging-reviews/{review.pk}/").content.decode()

    record(CHARGE)
    review.refresh_from_db()
    assert review.event.source_ref == "CH1" and review.despite_indicators
    writes = Entry.objects.filter(action="write", what="safeguarding.chargingreview")
    assert list(writes.order_by("seq").values_list("username", flat=True)) == ["sgt", "di"]


def test_a_sign_off_on_a_stale_version_is_409_and_saves_nothing(sergeant, supervisor, kid):
    review = _saved(sergeant, kid)
    response = supervisor.post(
        f"/charging-reviews/{review.pk}/sign-off/", {"version": review.version - 1}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else while you were looking: nothing was saved" in html
    assert f'name="version" value="{review.version}"' in html  # the current one, to check
    review.refresh_from_db()
    assert review.signed_off_at is None and review.version == 1
    assert not Entry.objects.filter(action="write", username="di").exists()


def test_the_reviewer_cannot_sign_off_their_own_decision(supervisor, kid):
    review = _saved(supervisor, kid)
    page = supervisor.get(f"/charging-reviews/{review.pk}/").content.decode()
    assert "Sign off this decision" not in page and "You made this decision" in page
    response = supervisor.post(
        f"/charging-reviews/{review.pk}/sign-off/", {"version": review.version}
    )
    assert response.status_code == 422
    assert b"cannot sign off their own decision" in response.content
    review.refresh_from_db()
    assert review.signed_off_at is None


def test_another_forces_child_or_review_is_404_and_logged(sergeant, kid):
    review = _saved(sergeant, kid)
    cumbrian = signed_in(Role.CUSTODY_SERGEANT, "cumbria", "cumbria-sgt")
    assert cumbrian.get(f"/children/{kid.pk}/charging-review/").status_code == 404
    assert cumbrian.post(f"/children/{kid.pk}/charging-review/", ANSWERS).status_code == 404
    assert cumbrian.get(f"/charging-reviews/{review.pk}/").status_code == 404
    boss = signed_in(Role.SUPERVISOR, "cumbria", "cumbria-di")
    signing = boss.post(f"/charging-reviews/{review.pk}/sign-off/", {"version": review.version})
    assert signing.status_code == 404
    assert cumbrian.get("/children/999999/charging-review/").status_code == 404
    denied = Entry.objects.filter(action="denied", person_id=kid.pk)
    assert set(denied.values_list("username", "what")) == {
        ("cumbria-sgt", "records.person"),
        ("cumbria-sgt", "safeguarding.chargingreview"),
        ("cumbria-di", "safeguarding.chargingreview"),
    }
    assert ChargingReview.objects.count() == 1
    review.refresh_from_db()
    assert review.signed_off_at is None
    # Nor does the other force's list show it.
    assert kid.source_ref.encode() not in cumbrian.get("/charging-reviews/").content


def test_a_partner_agency_makes_no_charging_review(kid):
    mash = signed_in(Role.MASH_WORKER, "blackpool-cs", "mash")
    assert mash.get(f"/children/{kid.pk}/charging-review/").status_code == 404  # not referred
    assert not ChargingReview.objects.exists()


def test_free_text_is_shown_escaped(sergeant, supervisor, kid):
    hostile = '<script>alert("x")</script>'
    response = sergeant.post(
        f"/children/{kid.pk}/charging-review/",
        ANSWERS | {"offence": hostile, "rationale": "", "note_duress": hostile},
    )
    html = response.content.decode()
    assert hostile not in html
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html
    review = _saved(sergeant, kid, offence=hostile, rationale=hostile, note_duress=hostile)
    assert review.notes == {"duress": hostile}
    for client, url in (
        (supervisor, f"/charging-reviews/{review.pk}/"),
        (supervisor, "/charging-reviews/"),
    ):
        html = client.get(url).content.decode()
        assert hostile not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "<b>O" not in html


def test_the_list_shows_reviews_awaiting_sign_off_and_logs_the_reads(sergeant, supervisor, kid):
    review = _saved(sergeant, kid)
    _saved(sergeant, kid, decision="no_further_action", public_interest="no")
    html = supervisor.get("/charging-reviews/").content.decode()
    awaiting, recent = html.split("Recent reviews")
    assert f"/charging-reviews/{review.pk}/" in awaiting and "Check and sign off" in awaiting
    assert "No further action" in recent
    reads = Entry.objects.filter(action="read", username="di", what="safeguarding.chargingreview")
    assert reads.count() == 2


def test_the_childs_page_leads_to_the_charging_review(sergeant, kid):
    url = f"/children/{kid.pk}/"
    sergeant.post(url, {"purpose": "custody: charging decision"})
    html = sergeant.get(url).content.decode()
    assert f'href="/children/{kid.pk}/charging-review/"' in html
    # The purpose given there is the one the form's read is logged with.
    sergeant.get(f"/children/{kid.pk}/charging-review/")
    read = Entry.objects.filter(action="read", person_id=kid.pk, username="sgt").latest("seq")
    assert read.purpose == "custody: charging decision"


# -- the pages for tests/web/test_layout.py ---------------------------------------------------


def _layout_world(client, role: Role = Role.CUSTODY_SERGEANT) -> Person:
    record(*WORLD, *SIGNS)
    member(client, role, name="layout")
    return Person.objects.get(source_ref="KID")


def form_page(client, police):
    kid = _layout_world(client)
    return client.get(f"/children/{kid.pk}/charging-review/")


def form_page_with_errors(client, police):
    kid = _layout_world(client)
    return client.post(f"/children/{kid.pk}/charging-review/", ANSWERS | {"public_interest": ""})


def review_page(client, police):
    kid = _layout_world(client)
    client.post(f"/children/{kid.pk}/charging-review/", ANSWERS)
    member(client, Role.SUPERVISOR, name="layout-di")
    return client.get(f"/charging-reviews/{ChargingReview.objects.get().pk}/")


def reviews_page(client, police):
    kid = _layout_world(client)
    client.post(f"/children/{kid.pk}/charging-review/", ANSWERS)
    return client.get("/charging-reviews/")
