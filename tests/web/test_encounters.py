"""Recording an encounter with a child: the form, the real recording path, and the outcome page.

Every test records through the page into the real intake path (records, screening, duties,
audit), as an officer would, and reads what it set off from the outcome page.
"""

import re
from datetime import datetime
from html import unescape

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.ages import UK
from safeguard.records.models import Agency, Event, EventObject, Link, Person, Phone
from safeguard.safeguarding import charging
from safeguard.safeguarding.models import Duty
from safeguard.screening.models import Screening
from tests.safeguarding.test_duties import WORLD

NEW = "/encounters/new/"
# Merseyside: the home force of the child arrested in Lancashire; Liverpool: their MASH.
MORE = (
    {"type": "agency", "code": "merseyside", "kind": "police_force", "name": "Merseyside Police"},
    {
        "type": "agency",
        "code": "liverpool-cs",
        "kind": "childrens_services",
        "name": "Liverpool Children's Services",
        "area_code": "E08000012",
    },
    {"type": "person", "agency": "merseyside", "ref": "MKID", "date_of_birth": "2011-01-01"},
)


@pytest.fixture
def world(record):
    record(*WORLD, *MORE)
    Person.objects.filter(source_ref="KID").update(given_name="Jay", family_name="O'Brien")


def _member(role: Role, agency: str = "lancs", username: str = "") -> Client:
    user = create_member(
        username or f"{role}-{agency}", "pw", Agency.objects.get(code=agency), role
    )
    client = Client()
    client.force_login(user.user)
    client.user = user.user
    return client


@pytest.fixture
def officer(world) -> Client:
    return _member(Role.OFFICER, username="pc-lancs")


def _token(client: Client, query: str = "") -> str:
    page = client.get(NEW + query)
    assert page.status_code == 200
    return re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def _arrest(token: str, **more) -> dict:
    """The arrest of a 15-year-old from Liverpool in Blackpool, with drugs, cash and two phones,
    and an adult: every sign the form can record of a search or arrest."""
    return {
        "token": token,
        "kind": "arrest",
        "offence": "Possession with intent to supply a class A drug",
        "when_day": "7",
        "when_month": "3",
        "when_year": "2025",
        "when_time": "18:00",
        "place_kind": "station",
        "place_name": "Blackpool North station",
        "place_postcode": "fy1 2ae",
        "place_force": "lancs",
        "given_name": "Kai",
        "family_name": "Doyle",
        "dob_day": "1",
        "dob_month": "6",
        "dob_year": "2009",
        "sex": "male",
        "home_kind": "home",
        "home_address": "1 Example Street, Liverpool",
        "home_postcode": "L4 0TH",
        "home_force": "merseyside",
        "home_la": "E08000012",
        "found": ["drugs", "cash", "phones"],
        "drugs_class": "A",
        "drugs_substance": "crack cocaine",
        "drugs_quantity": "14",
        "drugs_unit": "wraps",
        "cash_amount": "£420.50",
        "phone_numbers": "07700 900123\n07700900456",
        "other1_given_name": "Lee",
        "other1_family_name": "Marsh",
        "other1_age": "24",
        "summary": "Stopped getting off the Liverpool train; said he was visiting a friend.",
        **more,
    }


def _missing(token: str, **more) -> dict:
    return {
        "token": token,
        "kind": "missing_episode",
        "reported_by": "carer",
        "when_day": "10",
        "when_month": "2",
        "when_year": "2025",
        "when_time": "21:00",
        "place_kind": "care_home",
        "place_name": "Oak Lodge children's home",
        "place_force": "lancs",
        "summary": "Did not come back from school.",
        **more,
    }


def test_an_officer_records_an_arrest_and_sees_the_screening_and_the_duties(officer):
    response = officer.post(NEW, _arrest(_token(officer)))
    event = Event.objects.get(kind="arrest")
    assert response.status_code == 302 and response["Location"] == f"/encounters/{event.pk}/"

    # Recorded through intake: the child, the place, the home, what was found, the adult.
    kai = Person.objects.get(family_name="Doyle")
    assert (kai.agency.code, str(kai.date_of_birth), kai.sex) == ("lancs", "2009-06-01", "male")
    assert event.attributes == {"offence": "Possession with intent to supply a class A drug"}
    assert (event.location.kind, event.location.postcode) == ("station", "FY1 2AE")
    assert event.location.force_area == "lancs"
    home = Link.objects.get(from_person=kai, kind="lives_at").to_location
    assert (home.force_area, home.local_authority) == ("merseyside", "E08000012")
    held = EventObject.objects.filter(event=event, holder=kai)
    assert held.filter(phone__isnull=False).count() == 2
    assert sorted(held.filter(item__isnull=False).values_list("item__kind", flat=True)) == [
        "cash",
        "drugs",
    ]
    assert held.get(item__kind="cash").item.attributes == {"amount_pence": 42050}
    assert sorted(event.participations.values_list("role", "age_at_event")) == [
        ("associate", 24),
        ("suspect", 15),
    ]

    # Screened on it: the indicators the facts make fire.
    screening = Screening.objects.get(person=kai, trigger_event=event)
    fired = {i["id"] for i in screening.indicators}
    assert fired == {"found-out-of-area", "money-or-phones", "drugs", "older-associates"}
    assert screening.level == "high"

    page = officer.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Arrest recorded" in html and "Kai Doyle" in html and "aged 15" in html
    assert "High" in html
    for title in ("Found out of area", "Unexplained money or phones", "Found with drugs"):
        assert title in html
    assert "Associating with older people" in html
    assert "arrest with cash, drugs in lancs (event" in html  # a reason, in words
    assert "In the area of Lancashire" in html
    assert "Drugs: class A, crack cocaine, 14 wraps" in html and "£420.50" in html
    assert "Lee Marsh, aged about 24" in html

    # The duties the rules open, with whom they go to and when they are due.
    duties = {d.kind: d for d in Duty.objects.filter(person=kai)}
    assert set(duties) == {"childrens_services_referral", "nrm_referral", "strategy_discussion"}
    referral = duties["childrens_services_referral"]
    assert referral.receiver.code == "liverpool-cs"
    assert referral.due_at == datetime(2025, 3, 10, 23, 59, 59, tzinfo=UK)
    row = re.search(rf"<td[^>]*>SG-{referral.pk}</td>(.*?)</tr>", html, re.DOTALL).group(1)
    assert "Referral to children" in row and "Liverpool Children" in row
    assert "10 Mar 2025 23:59" in row and "Draft" in row
    for duty in duties.values():
        assert f"SG-{duty.pk}" in html
    assert 'href="/queue/"' in html and f'href="/children/{kai.pk}/"' in html


def test_the_writes_and_the_outcome_read_are_in_the_audit_log(officer):
    response = officer.post(NEW, _arrest(_token(officer)))
    event = Event.objects.get(kind="arrest")
    kai = Person.objects.get(family_name="Doyle")
    written = Entry.objects.filter(action="write", what="records.event", object_id=str(event.pk))
    assert set(written.values_list("username", flat=True)) == {"pc-lancs"}
    adult = Person.objects.get(family_name="Marsh")
    assert set(written.values_list("person_id", flat=True)) == {kai.pk, adult.pk}
    assert written.first().detail["created"]["person"] == 2
    officer.get(response["Location"])
    read = Entry.objects.filter(action="read", what="records.event", object_id=str(event.pk))
    assert read.filter(person_id=kai.pk, purpose="outcome of recording an encounter").exists()


def test_a_missing_episode_reported_by_a_carer_opens_the_referral(officer):
    kid = Person.objects.get(source_ref="KID")
    response = officer.post(NEW + f"?person={kid.pk}", _missing(_token(officer), person=kid.pk))
    event = Event.objects.get(kind="missing_episode")
    assert response.status_code == 302
    assert event.attributes == {"reported_by": "carer"}
    assert list(event.participations.values_list("person_id", "role")) == [
        (kid.pk, "missing_person")
    ]
    html = officer.get(response["Location"]).content.decode()
    assert "Missing episode recorded" in html and "Jay O&#x27;Brien" in html
    assert "Reported missing by" in html and "Carer (children" in html
    assert "Persistently going missing" not in html  # one episode is not "persistently"
    assert "Reported missing</dt>" in html and "Leaving care without explanation" in html
    referral = Duty.objects.get(person=kid, kind="childrens_services_referral")
    assert referral.rule == "referral-missing-child"
    assert referral.receiver.code == "blackpool-cs"  # the home on record
    assert f"SG-{referral.pk}" in html and "Blackpool Children" in html


def test_recording_for_an_existing_child_shows_them_and_records_no_new_person(officer):
    kid = Person.objects.get(source_ref="KID")
    form = officer.get(NEW, {"person": kid.pk})
    html = form.content.decode()
    assert "Jay O&#x27;Brien" in html and f'name="person" value="{kid.pk}"' in html
    assert 'name="given_name"' not in html  # no new child asked for
    assert Entry.objects.filter(
        action="read", person_id=kid.pk, purpose="recording an encounter with the child"
    ).exists()
    persons = Person.objects.count()
    data = {
        "token": re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1),
        "person": kid.pk,
        "kind": "stop_search",
        "when_day": "3",
        "when_month": "3",
        "when_year": "2025",
        "when_time": "15:10",
        "place_kind": "street",
        "place_postcode": "FY1 1AA",
        "place_force": "lancs",
        "found": ["weapon"],
        "weapon_type": "knife",
    }
    response = officer.post(NEW, data)
    assert response.status_code == 302
    assert Person.objects.count() == persons
    event = Event.objects.get(kind="stop_search")
    assert list(event.participations.values_list("person_id", "role")) == [(kid.pk, "subject")]
    html = officer.get(response["Location"]).content.decode()
    assert "Carrying a weapon" in html and "Weapon: knife or bladed article" in html


def test_another_forces_child_cannot_be_chosen(officer):
    other = Person.objects.get(source_ref="MKID")
    assert officer.get(NEW, {"person": other.pk}).status_code == 404
    assert officer.post(NEW, _missing(_token(officer), person=other.pk)).status_code == 404
    assert not Event.objects.exists()
    assert Entry.objects.filter(action="denied", person_id=other.pk).count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": ""}, "kind", "Select what kind of encounter it was"),
        ({"when_day": "30", "when_month": "2"}, "when_day", "must be a real date"),
        ({"when_year": "2999"}, "when_day", "must be in the past"),
        ({"dob_year": "2999"}, "dob_day", "must be in the past"),
        ({"dob_year": "2025", "dob_month": "3", "dob_day": "8"}, "dob_day", "before the"),
        ({"dob_year": "2001"}, "dob_day", "must be under 18"),
        ({"when_time": "25:00"}, "when_time", "like 14:30"),
        ({"place_name": "", "place_postcode": ""}, "place_name", "Enter a postcode or"),
        ({"place_postcode": "NOT A POSTCODE"}, "place_postcode", "Enter a real postcode"),
        ({"drugs_class": ""}, "drugs_class", "Select the class of the drugs"),
        ({"cash_amount": "lots"}, "cash_amount", "Enter the amount in pounds"),
        ({"phone_numbers": "call me"}, "phone_numbers", "Enter phone numbers in digits"),
        ({"other1_age": ""}, "other1_age", "Enter the age of person 1"),
        ({"given_name": "", "family_name": ""}, "given_name", "Enter the child's name"),
    ],
)
def test_each_validation_error_saves_nothing_and_links_to_its_field(
    officer, change, field, message
):
    counts = (Person.objects.count(), Event.objects.count(), Entry.objects.count())
    response = officer.post(NEW, _arrest(_token(officer), **change))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<title>Error: ") == 1
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    link = re.search(rf'<a href="#{field}">([^<]*)</a>', summary)
    assert link is not None and message in unescape(link.group(1)), summary
    assert re.search(rf'<(input|textarea)[^>]*\bid="{field}"', html)
    assert f'id="{field}-error"' in html
    assert (Person.objects.count(), Event.objects.count(), Entry.objects.count()) == counts
    # What was typed is kept, so the officer corrects only what was wrong.
    assert "Possession with intent to supply" in html or change.get("kind") == ""


def test_a_double_submit_records_one_encounter(officer):
    data = _arrest(_token(officer))
    first = officer.post(NEW, data)
    second = officer.post(NEW, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Event.objects.count() == 1 and Person.objects.filter(family_name="Doyle").count() == 1
    assert Duty.objects.filter(kind="childrens_services_referral").count() == 1
    assert Entry.objects.filter(action="write", what="records.event").count() == 2  # 2 people


def test_a_phone_the_force_holds_is_linked_not_recorded_again(officer, record):
    record({"type": "phone", "agency": "lancs", "ref": "PH-9", "number": "07700900123"})
    officer.post(NEW, _arrest(_token(officer)))
    assert Phone.objects.filter(number="07700900123").count() == 1
    event = Event.objects.get(kind="arrest")
    assert event.event_objects.filter(phone__source_ref="PH-9").exists()


def test_a_charge_the_charging_block_refuses_is_a_clear_error_and_saves_nothing(
    officer, monkeypatch
):
    def refuse(event_ids):
        raise charging.ChargingBlocked([(event_ids[0], "has signs of exploitation")])

    monkeypatch.setattr(charging, "enforce", refuse)
    response = officer.post(NEW, _arrest(_token(officer)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "has signs of exploitation" in html
    assert not Event.objects.exists() and not Person.objects.filter(family_name="Doyle").exists()


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.INSPECTOR, "lancs"),
        (Role.MASH_WORKER, "blackpool-cs"),
        (Role.ANALYST, "lancs"),
        (Role.OFFICER, "blackpool-cs"),  # not a police force
    ],
)
def test_a_role_that_does_not_record_encounters_is_refused(world, role, agency, verified_login):
    client = _member(role, agency)
    if role == Role.ANALYST:
        verified_login(client, client.user)
    page = client.get(NEW)
    assert page.status_code == 403 and b"You cannot record encounters" in page.content
    assert client.post(NEW, _missing("0" * 32)).status_code == 403
    assert not Event.objects.exists()
    assert Entry.objects.filter(action="denied", username=client.user.username).exists()
    if agency == "lancs":  # the navigation goes by role: an officer's role lists the page
        assert b"Record an encounter" not in client.get("/").content


@pytest.mark.parametrize("role", [Role.CUSTODY_SERGEANT, Role.SAFEGUARDING_LEAD, Role.SUPERVISOR])
def test_the_other_police_roles_that_meet_children_record_encounters(world, role):
    client = _member(role)
    assert client.get(NEW).status_code == 200
    assert b'href="/encounters/new/"' in client.get("/").content


def test_another_forces_encounter_is_404_and_the_attempt_is_audited(officer):
    officer.post(NEW, _arrest(_token(officer)))
    event = Event.objects.get(kind="arrest")
    kai = Person.objects.get(family_name="Doyle")
    stranger = _member(Role.OFFICER, "merseyside", "pc-mersey")
    assert stranger.get(f"/encounters/{event.pk}/").status_code == 404
    assert stranger.get("/encounters/999999/").status_code == 404
    denied = Entry.objects.filter(action="denied", username="pc-mersey", what="records.event")
    assert denied.filter(object_id=str(event.pk), person_id=kai.pk).exists()
    assert denied.filter(object_id="999999").exists()
    assert not Entry.objects.filter(action="read", username="pc-mersey").exists()


def test_markup_typed_in_the_form_is_shown_escaped(officer):
    hostile = "<script>alert('x')</script><b>bold</b>"
    data = _arrest(
        _token(officer), summary=hostile, given_name=hostile, place_name=hostile, offence=hostile
    )
    response = officer.post(NEW, data)
    html = officer.get(response["Location"]).content.decode()
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert Event.objects.get(kind="arrest").summary == hostile  # stored as given
    # And on the form shown again with an error.
    again = officer.post(NEW, {**data, "token": _token(officer), "kind": ""}).content.decode()
    assert "<script>alert" not in again and "&lt;script&gt;" in again


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        create_member("pc-csrf", "pw", Agency.objects.get(code="lancs"), Role.OFFICER).user
    )
    assert client.post(NEW, _missing("0" * 32)).status_code == 403
    assert not Event.objects.exists()


def test_the_api_records_through_the_same_path(world, record):
    from safeguard.api import tokens

    user = create_member("api-pc", "pw", Agency.objects.get(code="lancs"), Role.OFFICER).user
    token = tokens.issue(user.username, "test").token
    body = {
        "agency": "lancs",
        "ref": "A1",
        "kind": "arrest",
        "occurred_at": "2025-03-07T18:00:00Z",
        "participants": [{"person": "KID", "role": "suspect"}],
    }
    api = Client(headers={"Authorization": f"Bearer {token}"})
    answer = api.post("/api/events", body, content_type="application/json")
    assert answer.status_code == 201
    event = Event.objects.get(source_ref="A1")
    # The page shows the API's event to the same force, with the duty the API answered.
    page = _member(Role.OFFICER, username="pc-page").get(f"/encounters/{event.pk}/")
    [child] = answer.json()["children"]
    assert f"SG-{child['duties'][0]['id']}" in page.content.decode()
