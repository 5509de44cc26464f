"""A referral's page and document, a partner agency's inbox, and "my referrals".

Records go in through the real intake path (tests/safeguarding/test_duties.py's world): a
child arrested in Lancashire who lives in Blackpool is referred to Blackpool's MASH; a child
with signs of exploitation also to the NRM's Single Competent Authority; an adult resident
of a cuckooed address to the NRM with their consent, else anonymously to the Home Office.
"""

import base64
import hashlib
import re

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.audit.models import Entry
from safeguard.records.models import Event, Person
from safeguard.safeguarding.models import Duty, Transition
from tests.accounts.test_protection_headers import assert_nothing_inline, assert_strict_policy
from tests.safeguarding.test_duties import WORLD, _event
from tests.web.builders import member, record, signed_in
from tests.web.test_children import SIGNS

HOSTILE = '<script>alert("x")</script>'
# A second children's services, with a child of its own, referred to it and not to Blackpool.
WIGAN = (
    {
        "type": "agency",
        "code": "wigan-cs",
        "kind": "childrens_services",
        "name": "Wigan Children's Services",
        "area_code": "E08000010",
    },
    {
        "type": "location",
        "agency": "lancs",
        "ref": "HOME2",
        "kind": "home",
        "force_area": "lancashire",
        "local_authority": "E08000010",
    },
    {"type": "person", "agency": "lancs", "ref": "KID2", "date_of_birth": "2011-06-01"},
    {
        "type": "link",
        "agency": "lancs",
        "ref": "K2",
        "kind": "lives_at",
        "from_person": "KID2",
        "to_location": "HOME2",
    },
)
ARREST = _event(
    "A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect"), summary=f"Arrested {HOSTILE}"
)


def arrested_child() -> Duty:
    """Record the world and a child's arrest; return the referral it opens (a draft)."""
    record(*WORLD, ARREST)
    Person.objects.filter(source_ref="KID").update(given_name="Jay", family_name="O'Brien")
    return Duty.objects.get(kind="childrens_services_referral")


def act(client: Client, duty: Duty, action: str, **more):
    duty.refresh_from_db()
    data = {"action": action, "version": duty.version, **more}
    return client.post(f"/referrals/{duty.pk}/", data)


@pytest.fixture
def referral(db) -> Duty:
    return arrested_child()


@pytest.fixture
def officer(referral, client):
    user = member(client, Role.OFFICER, "lancs", "pc")
    client.user = user
    return client


@pytest.fixture
def mash(referral):
    return signed_in(Role.MASH_WORKER, "blackpool-cs", "mash")


@pytest.fixture
def made(officer, referral) -> Duty:
    assert act(officer, referral, "make").status_code == 302
    referral.refresh_from_db()
    return referral


def _writes(duty: Duty):
    return Entry.objects.filter(action="write", object_id=str(duty.pk))


# -- the referral's page --------------------------------------------------------------------


def test_the_page_shows_the_deadline_the_triggers_and_the_history(officer, referral):
    response = officer.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"SG-{referral.pk}" in page and "Referral to children" in page
    assert "Lancashire" in page and "Blackpool Children" in page  # raised by, sent to
    assert "overdue" in page  # due on 10 March 2025
    assert "10 March 2025 23:59" in page
    assert "Arrest" in page and "A child arrested is referred to children" in page  # why
    assert "Opened as draft" in page and "safeguard (duty rules)" in page  # history
    assert f'href="/children/{referral.person_id}/"' in page
    assert "Mark as made" in page and 'name="version" value="1"' in page
    assert_strict_policy(response)
    assert_nothing_inline(response)
    read = Entry.objects.get(action="read", object_id=str(referral.pk))
    assert (read.person_id, read.detail["path"]) == (
        referral.person_id,
        f"/referrals/{referral.pk}/",
    )


def test_marking_as_made_moves_the_duty_and_is_audited(officer, referral):
    response = act(officer, referral, "make")
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert referral.state == "submitted"
    last = referral.transitions.last()
    assert (last.by, last.to_state) == (officer.user, "submitted")
    assert _writes(referral).get().detail["to"] == "submitted"
    assert b"submitted" in officer.get(response["Location"]).content


def test_the_receiver_acknowledges_then_records_the_outcome_with_a_note(made, mash):
    page = mash.get(f"/referrals/{made.pk}/").content.decode()
    assert "Acknowledge" in page and "Reject" in page and "Mark as made" not in page
    assert act(mash, made, "acknowledge", next="inbox")["Location"] == "/inbox/"
    response = act(mash, made, "decide", decision="accepted", reason="Assessment opened")
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.state, made.decision) == ("decision_recorded", "accepted")
    assert made.transitions.last().reason == "Assessment opened"
    assert _writes(made).count() == 3  # made, acknowledged, decided


def test_the_receiver_accepts_from_the_inbox_row(made, mash):
    inbox = mash.get("/inbox/").content.decode()
    assert f'id="sg{made.pk}-reject-reason"' in inbox  # ids unique per row
    assert act(mash, made, "accept", next="inbox")["Location"] == "/inbox/"
    made.refresh_from_db()
    assert (made.state, made.decision) == ("decision_recorded", "accepted")


@pytest.mark.parametrize(("who", "action"), [("mash", "reject"), ("officer", "withdraw")])
def test_reject_and_withdraw_without_a_reason_are_errors_and_save_nothing(
    request, made, who, action
):
    client = request.getfixturevalue(who)
    before = (made.version, made.transitions.count(), _writes(made).count())
    response = act(client, made, action, reason="   ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page and "There is a problem" in page
    assert "Enter why" in page
    assert f'href="#{action}-reason"' in page and f'id="{action}-reason"' in page
    assert "govuk-form-group--error" in page and '<details class="govuk-details" open>' in page
    assert_strict_policy(response)
    assert_nothing_inline(response)
    made.refresh_from_db()
    assert (made.version, made.transitions.count(), _writes(made).count()) == before
    assert made.state == "submitted"


def test_a_reason_is_kept_and_escaped(made, mash, officer):
    assert act(mash, made, "reject", reason=f"Not our area {HOSTILE}").status_code == 302
    made.refresh_from_db()
    assert made.state == "rejected" and made.transitions.last().reason.endswith(HOSTILE)
    for client in (mash, officer):
        page = client.get(f"/referrals/{made.pk}/").content.decode()
        assert HOSTILE not in page
        assert "Not our area &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_event_account_is_escaped(officer, referral):
    page = officer.get(f"/referrals/{referral.pk}/").content.decode()
    assert HOSTILE not in page and "Arrested &lt;script&gt;" in page


def test_a_stale_version_is_409_and_nothing_changes(officer, referral):
    other = signed_in(Role.OFFICER, "lancs", "pc-two")
    seen = referral.version
    made = other.post(f"/referrals/{referral.pk}/", {"action": "make", "version": seen})
    assert made.status_code == 302
    before = (referral.transitions.count(), _writes(referral).count())
    response = officer.post(
        f"/referrals/{referral.pk}/", {"action": "withdraw", "version": seen, "reason": "dup"}
    )
    assert response.status_code == 409
    assert b"changed by someone else while you were looking: nothing was saved" in response.content
    referral.refresh_from_db()
    assert referral.state == "submitted"
    assert (referral.transitions.count(), _writes(referral).count()) == before


def test_a_step_for_the_other_side_is_refused(officer, referral):
    response = act(officer, referral, "acknowledge")
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.state == "draft"


def test_another_agencys_referral_is_404_and_the_attempt_is_logged(made):
    record(*WIGAN)
    outsider = signed_in(Role.MASH_WORKER, "wigan-cs", "wigan")
    for url in ("", "document/", "document.pdf"):
        assert outsider.get(f"/referrals/{made.pk}/{url}").status_code == 404
    response = outsider.post(f"/referrals/{made.pk}/", {"action": "reject", "version": 2})
    assert response.status_code == 404
    denied = Entry.objects.filter(action="denied", username="wigan", object_id=str(made.pk))
    assert denied.count() == 4 and {e.person_id for e in denied} == {made.person_id}
    assert outsider.get("/referrals/999999/").status_code == 404
    made.refresh_from_db()
    assert made.state == "submitted"


def test_a_draft_is_not_there_for_its_receiver(referral, mash):
    assert mash.get(f"/referrals/{referral.pk}/").status_code == 404


# -- the document ---------------------------------------------------------------------------


def test_the_document_is_allowed_exactly_its_own_style(officer, referral):
    response = officer.get(f"/referrals/{referral.pk}/document/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "OFFICIAL-SENSITIVE" in html and f"SG-{referral.pk}" in html
    assert HOSTILE not in html
    [style] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert not re.search(r"\sstyle\s*=", html)  # column widths are classes of the block
    assert '<col class="w' in html
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    directives = {p.split()[0]: p.split()[1:] for p in policy.split(";") if p.strip()}
    assert directives["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "unsafe" not in policy and "nonce" not in policy
    assert response["Cache-Control"] == "no-store"
    read = Entry.objects.get(action="read", object_id=str(referral.pk))
    assert read.detail["document"] == "html"
    # The rest of the site keeps the strict policy.
    assert_strict_policy(officer.get(f"/referrals/{referral.pk}/"))


def test_the_pdf_is_an_attachment_and_is_audited_as_an_export(officer, referral):
    response = officer.get(f"/referrals/{referral.pk}/document.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="SG-{referral.pk}.pdf"'
    assert response.content.startswith(b"%PDF")
    export = Entry.objects.get(action="export", object_id=str(referral.pk))
    assert (export.person_id, export.detail["format"]) == (referral.person_id, "pdf")
    assert export.username == "pc"


# -- the inbox ------------------------------------------------------------------------------


def test_the_inbox_lists_only_what_the_users_agency_received(made, mash, officer):
    record(*WIGAN, _event("A2", "arrest", "2025-03-08T18:00:00Z", ("KID2", "suspect")))
    wigans = Duty.objects.get(kind="childrens_services_referral", person__source_ref="KID2")
    assert act(officer, wigans, "make").status_code == 302
    record(_event("A3", "arrest", "2025-03-20T18:00:00Z", ("KID", "suspect")))  # a new draft
    draft = Duty.objects.get(kind="childrens_services_referral", state="draft")
    response = mash.get("/inbox/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f">SG-{made.pk}<" in page and "Jay O&#x27;Brien" in page
    assert f">SG-{wigans.pk}<" not in page and f">SG-{draft.pk}<" not in page
    assert "New (1)" in page and "Rejected (0)" in page
    listed = Entry.objects.filter(action="read", username="mash", detail__list="inbox")
    assert [e.object_id for e in listed] == [str(made.pk)]
    assert f">SG-{made.pk}<" in mash.get("/inbox/?state=new").content.decode()
    assert f">SG-{made.pk}<" not in mash.get("/inbox/?state=rejected").content.decode()
    wigan = signed_in(Role.MASH_WORKER, "wigan-cs", "wigan").get("/inbox/").content.decode()
    assert f">SG-{wigans.pk}<" in wigan and f">SG-{made.pk}<" not in wigan


def test_the_inbox_is_newest_first(made, mash, officer):
    record(_event("A3", "arrest", "2025-03-20T18:00:00Z", ("KID", "suspect")))
    later = Duty.objects.get(kind="childrens_services_referral", state="draft")
    assert act(officer, later, "make").status_code == 302
    page = mash.get("/inbox/").content.decode()
    assert page.index(f">SG-{later.pk}<") < page.index(f">SG-{made.pk}<")


def test_police_have_no_inbox(officer, made):
    page = officer.get("/inbox/").content.decode()
    assert "does not receive referrals" in page and f">SG-{made.pk}<" not in page


# -- my referrals ---------------------------------------------------------------------------


def test_the_receivers_decision_shows_in_the_officers_referrals(made, mash, officer):
    assert act(mash, made, "reject", reason=f"Already open {HOSTILE}").status_code == 302
    response = officer.get("/my-referrals/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f">SG-{made.pk}<" in page and "Rejected" in page and "by mash" in page
    assert "Already open &lt;script&gt;" in page and HOSTILE not in page
    listed = Entry.objects.filter(action="read", username="pc", detail__list="my referrals")
    assert [e.object_id for e in listed] == [str(made.pk)]
    # Only the referrals this officer made: a colleague's list is empty.
    colleague = signed_in(Role.OFFICER, "lancs", "pc-two").get("/my-referrals/").content
    assert f">SG-{made.pk}<".encode() not in colleague


def test_an_accepted_referral_shows_its_outcome_and_note(made, mash, officer):
    act(mash, made, "decide", decision="no_further_action", reason="Family support in place")
    page = officer.get("/my-referrals/").content.decode()
    assert "No further action" in page and "Family support in place" in page


# -- the NRM: grounds decisions, consent, and what the receiver sees ------------------------


@pytest.fixture
def nrm(db) -> Duty:
    record(*WORLD, *SIGNS)
    Person.objects.filter(source_ref="KID").update(given_name="Jay", family_name="O'Brien")
    return Duty.objects.get(kind="nrm_referral")


def test_the_sca_records_reasonable_then_conclusive_grounds(nrm, client):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    assert act(police, nrm, "make").status_code == 302
    sca = signed_in(Role.MASH_WORKER, "sca", "sca")
    blackpool = signed_in(Role.MASH_WORKER, "blackpool-cs", "mash")
    assert blackpool.get(f"/referrals/{nrm.pk}/").status_code == 404  # not theirs
    page = sca.get(f"/referrals/{nrm.pk}/").content.decode()
    assert "Reasonable grounds: positive" in page and "Conclusive grounds" not in page
    assert "Accept<" not in page  # an NRM referral is decided on grounds, not accepted
    refused = act(sca, nrm, "decide", decision="cg_positive")
    assert refused.status_code == 400
    assert act(sca, nrm, "decide", decision="rg_positive").status_code == 302
    page = sca.get(f"/referrals/{nrm.pk}/").content.decode()
    assert "Conclusive grounds: positive" in page and "Reasonable grounds: negative" not in page
    assert "Close" not in police.get(f"/referrals/{nrm.pk}/").content.decode()
    assert act(sca, nrm, "decide", decision="cg_positive").status_code == 302
    nrm.refresh_from_db()
    assert (nrm.state, nrm.decision) == ("decision_recorded", "cg_positive")
    assert act(police, nrm, "close").status_code == 302
    nrm.refresh_from_db()
    assert nrm.state == "closed"


def test_the_receiver_sees_the_fired_indicators_and_only_its_own_steps(nrm):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    act(police, nrm, "make")
    sca = signed_in(Role.MASH_WORKER, "sca", "sca")
    act(sca, nrm, "acknowledge")
    page = sca.get(f"/referrals/{nrm.pk}/").content.decode()
    assert "Latest screening" in page and "Jay O&#x27;Brien" in page  # identity is shared
    assert "does not share its history" in page  # the history is not shared
    assert "Draft to Submitted" in page and "Submitted to Acknowledged" in page
    assert "opened by rule" not in page  # the police side's own history


@pytest.fixture
def adult_nrm(db) -> Duty:
    record(
        *WORLD,
        _event(
            "R1",
            "raid",
            "2025-03-07T06:00:00Z",
            ("ADULT", "resident"),
            location="CUCKOO",
            summary="Ann Zed was found living in the back room",
        ),
    )
    Person.objects.filter(source_ref="ADULT").update(given_name="Ann", family_name="Zed")
    return Duty.objects.get(kind="nrm_referral")


def test_an_adult_is_asked_for_consent_before_the_referral_is_made(adult_nrm):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    page = police.get(f"/referrals/{adult_nrm.pk}/").content.decode()
    assert "Record their consent" in page and "Mark as made" not in page
    assert act(police, adult_nrm, "consent").status_code == 400  # no answer chosen
    assert act(police, adult_nrm, "consent", consent="yes").status_code == 302
    adult_nrm.refresh_from_db()
    assert adult_nrm.consent is True
    assert "Mark as made" in police.get(f"/referrals/{adult_nrm.pk}/").content.decode()
    assert _writes(adult_nrm).get().detail["consent"] is True


def _named(name: str, page: str) -> bool:
    """Whether the page holds the name as a word: not inside a random token (a CSRF token
    once held "…8oZeds6g…")."""
    return re.search(rf"\b{name}\b", page) is not None


def test_a_refusal_notifies_the_home_office_without_the_name(adult_nrm):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    assert act(police, adult_nrm, "consent", consent="no", reason="afraid").status_code == 302
    adult_nrm.refresh_from_db()
    assert (adult_nrm.state, adult_nrm.consent) == ("withdrawn", False)
    notify = Duty.objects.get(kind="duty_to_notify")
    assert act(police, notify, "make").status_code == 302
    sca = signed_in(Role.MASH_WORKER, "sca", "sca")
    page = sca.get(f"/referrals/{notify.pk}/").content.decode()
    assert not _named("Zed", page) and not _named("Ann", page)  # anonymous, the account redacted
    assert "[withheld] was found living in the back room" in page
    assert "Not named in this referral" in page and "/children/" not in page
    assert not _named("Zed", sca.get("/inbox/").content.decode())
    assert not _named("Zed", sca.get(f"/referrals/{notify.pk}/document/").content.decode())
    # The police see it all.
    assert "Ann Zed" in police.get(f"/referrals/{notify.pk}/").content.decode()


def test_consent_on_a_stale_version_is_409(adult_nrm):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    response = police.post(
        f"/referrals/{adult_nrm.pk}/",
        {"action": "consent", "version": adult_nrm.version + 5, "consent": "yes"},
    )
    assert response.status_code == 409
    adult_nrm.refresh_from_db()
    assert adult_nrm.consent is None


def test_a_post_without_the_csrf_token_is_refused(referral):
    client = Client(enforce_csrf_checks=True)
    member(client, Role.OFFICER, "lancs", "pc")
    response = client.post(f"/referrals/{referral.pk}/", {"action": "make", "version": 1})
    assert response.status_code == 403
    assert not Transition.objects.filter(duty=referral, to_state="submitted").exists()
    assert Event.objects.filter(source_ref="A1").exists()


def test_a_kind_without_a_document_shows_its_receiver_only_what_it_shares(made, mash):
    Duty.objects.filter(pk=made.pk).update(kind="strategy_discussion", shared=["identity"])
    page = mash.get(f"/referrals/{made.pk}/").content.decode()
    assert "Strategy discussion request" in page and "Jay O&#x27;Brien" in page
    assert "Arrest" not in page and "/document/" not in page  # events are not shared
    assert "What opened it is not shared with your agency" in page
    assert mash.get(f"/referrals/{made.pk}/document/").status_code == 404
    Duty.objects.filter(pk=made.pk).update(shared=["identity", "events"])
    page = mash.get(f"/referrals/{made.pk}/").content.decode()
    assert "Arrest" in page and "Arrested" not in page  # the event, not its account


# -- a duty no agency receives: marked as done by the police -------------------------------


def test_a_custody_call_is_marked_as_done_from_its_page(db):
    record(*WORLD, _event("C1", "custody", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    welfare = Duty.objects.get(kind="welfare_informed")
    police = signed_in(Role.OFFICER, "lancs", "pc")
    page = police.get(f"/referrals/{welfare.pk}/").content.decode()
    assert "Mark as done" in page and "Mark as made" not in page
    response = act(police, welfare, "done")
    assert response.status_code == 302 and response["Location"] == f"/referrals/{welfare.pk}/"
    welfare.refresh_from_db()
    assert (welfare.state, welfare.decision) == ("closed", "done")
    page = police.get(response["Location"]).content.decode()
    assert "done and closed" in page and "Mark as done" not in page
    assert "Close<" not in page and "Withdraw<" not in page  # nothing left to do
    # A referral someone receives is not the police's to mark as done.
    referral = Duty.objects.get(kind="childrens_services_referral")
    assert "Mark as done" not in police.get(f"/referrals/{referral.pk}/").content.decode()
    assert act(police, referral, "done").status_code == 422


def test_an_anonymous_notification_does_not_open_the_adults_record_to_its_receiver(adult_nrm):
    police = signed_in(Role.OFFICER, "lancs", "pc")
    act(police, adult_nrm, "consent", consent="no", reason="afraid")
    notify = Duty.objects.get(kind="duty_to_notify")
    assert act(police, notify, "make").status_code == 302
    sca = signed_in(Role.MASH_WORKER, "sca", "sca")
    adult = notify.person_id
    # Not the record, with or without a purpose; not the event behind it.
    assert sca.get(f"/children/{adult}/").status_code == 404
    assert sca.post(f"/children/{adult}/", {"purpose": "NRM"}).status_code == 404
    raid = Event.objects.get(source_ref="R1")
    assert sca.get(f"/encounters/{raid.pk}/").status_code == 404
    denied = Entry.objects.filter(action="denied", username="sca", what="records.person")
    assert denied.count() == 2 and {e.person_id for e in denied} == {adult}
    assert Entry.objects.filter(action="denied", username="sca", what="records.event").exists()
    assert not Entry.objects.filter(action="read", username="sca", what="records.person")
    # The notification itself still reads, redacted.
    response = sca.get(f"/referrals/{notify.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "[withheld] was found living in the back room" in page and not _named("Zed", page)
