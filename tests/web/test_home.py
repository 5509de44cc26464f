"""The home page shows what is loaded, to signed-in users only; output is escaped."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def signed_in(client, db):
    user = get_user_model().objects.create_user("officer", password="a long test password")
    client.force_login(user)
    return client


def test_home_needs_sign_in(client, db):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


def test_home_counts_what_was_loaded(signed_in, police, record):
    record(
        {"type": "person", "agency": "merseyside", "ref": "P1", "date_of_birth": "2006-01-01"},
        {
            "type": "event",
            "agency": "merseyside",
            "ref": "E1",
            "kind": "stop_search",
            "occurred_at": "2021-01-01T12:00:00",
            "participants": [{"person": "P1", "role": "subject"}],
        },
    )
    page = signed_in.get(reverse("web:home")).content.decode()
    assert "Merseyside Police" in page
    assert re.search(r'<th scope="row"[^>]*>Events</th><td[^>]*>1</td>', page)


def test_agency_names_are_escaped(signed_in, record):
    record({"type": "agency", "code": "x", "kind": "police_force", "name": HOSTILE})
    page = signed_in.get(reverse("web:home")).content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_person_names_are_escaped_in_the_admin(client, police, record, verified_login):
    admin = get_user_model().objects.create_superuser("admin", password="a long test password")
    verified_login(client, admin)  # the admin site asks for the second factor
    record(
        {
            "type": "person",
            "agency": "merseyside",
            "ref": "P1",
            "given_name": HOSTILE,
            "family_name": '=HYPERLINK("http://x","y")',
        }
    )
    from safeguard.records.models import Person

    person = Person.objects.get()
    page = client.get(reverse("admin:records_person_change", args=[person.pk])).content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
