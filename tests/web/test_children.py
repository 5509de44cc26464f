"""The search page and the child's page: scope, purpose, escaping, and the audit of reads."""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency, Person
from tests.safeguarding.test_duties import WORLD, _event

SIGNS = (
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
    _event(
        "F1",
        "found_out_of_area",
        "2025-02-11T09:00:00Z",
        ("KID", "missing_person"),
        summary="<script>alert(1)</script> found at the station",
    ),
)


@pytest.fixture
def kid(record) -> Person:
    record(*WORLD, *SIGNS)
    Person.objects.filter(source_ref="KID").update(given_name="Jay", family_name="O'Brien")
    return Person.objects.get(source_ref="KID")


def _signed_in(client, role: Role, agency: str):
    user = create_member(f"{role}", "pw", Agency.objects.get(code=agency), role).user
    client.force_login(user)
    return user


def test_an_officer_finds_a_child_by_a_misspelt_name(client, kid):
    _signed_in(client, Role.OFFICER, "lancs")
    page = client.get("/search/", {"q": "jay obrian"})
    assert page.status_code == 200
    assert f'href="/children/{kid.pk}/"' in page.content.decode()
    assert "O&#x27;Brien" in page.content.decode()  # escaped


def test_the_child_page_asks_why_once_then_shows_the_record_and_logs_the_read(client, kid):
    _signed_in(client, Role.OFFICER, "lancs")
    url = f"/children/{kid.pk}/"
    first = client.get(url)
    assert b"Why do you need to see this child" in first.content
    assert not Entry.objects.filter(action="read", person_id=kid.pk).exists()
    refused = client.post(url, {"purpose": "  "})
    assert refused.status_code == 400 and b"There is a problem" in refused.content
    assert client.post(url, {"purpose": "missing from care enquiry"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Referral to children" in page and "NRM referral" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    entry = Entry.objects.filter(action="read", person_id=kid.pk).latest("seq")
    assert entry.purpose == "missing from care enquiry"
    assert client.get(url).status_code == 200  # not asked again in this session
    assert b"Why do you need" not in client.get(url).content


def test_another_agencys_child_is_404_and_the_attempt_is_logged(client, kid):
    user = _signed_in(client, Role.MASH_WORKER, "blackpool-cs")
    assert client.get(f"/children/{kid.pk}/").status_code == 404
    assert client.get("/children/999999/").status_code == 404
    denied = Entry.objects.filter(action="denied", username=user.username)
    assert denied.filter(person_id=kid.pk).exists()
    assert client.get("/search/", {"q": "Jay O'Brien"}).content.count(b"/children/") == 0


def test_a_post_without_the_csrf_token_is_refused(kid):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _signed_in(client, Role.OFFICER, "lancs")
    assert client.post(f"/children/{kid.pk}/", {"purpose": "x"}).status_code == 403


def test_search_text_with_sql_metacharacters_is_harmless(client, kid):
    _signed_in(client, Role.OFFICER, "lancs")
    for text in ("' OR 1=1 --", "%", "\\", '"; DROP TABLE records_person; --'):
        assert client.get("/search/", {"q": text}).status_code == 200
    assert Person.objects.filter(pk=kid.pk).exists()


def test_an_administrator_sees_who_looked_at_a_child_and_why(client, kid, verified_login):
    officer = create_member("pc-look", "pw", Agency.objects.get(code="lancs"), Role.OFFICER)
    other = Client()
    other.force_login(officer.user)
    other.post(f"/children/{kid.pk}/", {"purpose": "<b>arrest</b> enquiry"})
    other.get(f"/children/{kid.pk}/")
    assert other.get(f"/children/{kid.pk}/who-looked/").status_code == 404  # not an admin
    admin = create_member("admin", "pw", Agency.objects.get(code="lancs"), Role.ADMINISTRATOR)
    verified_login(client, admin.user)
    page = client.get(f"/children/{kid.pk}/who-looked/").content.decode()
    assert "pc-look" in page and "&lt;b&gt;arrest&lt;/b&gt; enquiry" in page
    assert Entry.objects.filter(username="admin", purpose="who looked at this record").exists()


def _read(client, kid) -> str:
    client.post(f"/children/{kid.pk}/", {"purpose": "missing from care enquiry"})
    return client.get(f"/children/{kid.pk}/").content.decode()


def test_the_page_names_the_home_and_the_roles_in_words(client, kid):
    # The home (tests/safeguarding/test_duties.py's HOME) has no address, postcode or name.
    _signed_in(client, Role.OFFICER, "lancs")
    page = _read(client, kid)
    assert "Lives at: Home address<" in page
    assert "Missing person" in page and "missing_person" not in page


def test_an_officer_may_record_an_encounter_from_the_page_and_the_search(client, kid):
    _signed_in(client, Role.OFFICER, "lancs")
    link = f'href="/encounters/new/?person={kid.pk}">Record an encounter with this child<'
    assert link in _read(client, kid)
    link = f'href="/encounters/new/?person={kid.pk}">Record an encounter<'
    assert link in client.get("/search/", {"q": "Jay O'Brien"}).content.decode()
    assert client.get(f"/encounters/new/?person={kid.pk}").status_code == 200


def test_an_analyst_is_not_offered_to_record_an_encounter(client, kid, verified_login):
    analyst = create_member("analyst", "pw", Agency.objects.get(code="lancs"), Role.ANALYST)
    verified_login(client, analyst.user)
    assert "/encounters/new/" not in _read(client, kid)
    found = client.get("/search/", {"q": "Jay"}).content.decode()
    assert f'href="/children/{kid.pk}/"' in found and "/encounters/new/" not in found
