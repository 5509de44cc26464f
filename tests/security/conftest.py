"""A world whose every free-text field is hostile markup, the people who use it, and the web
app's URL patterns, for the security tests.

The world is tests/safeguarding/test_duties.py's (a Lancashire child referred to Blackpool
children's services and to the NRM), with markup in every field a person types: agency and
place names, the child's names, alias and reference, an event summary, an address; the
purpose of a read, a referral's decision reason and a charging review's offence and
rationale are typed through the pages and the API as a user would. Cumbria's police, who
have nothing to do with the child and hold no record, are the outsiders: no id is theirs.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safeguard.accounts import acting
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.api import tokens
from safeguard.records.models import Agency, Person
from safeguard.safeguarding.models import Duty
from tests.safeguarding.test_charging import ANSWERS
from tests.safeguarding.test_duties import _event

# The web app's URL namespaces: every page and form a person uses (the API is token-only).
WEB_NAMESPACES = ("web", "accounts")


def mark(field: str) -> str:
    """Markup naming `field`, breaking out of an attribute too if it is not escaped."""
    return f"\"'><i>{field}</i>"


def raw(field: str) -> str:
    return f"<i>{field}</i>"


def escaped(field: str) -> str:
    return f"&quot;&#x27;&gt;&lt;i&gt;{field}&lt;/i&gt;"


REF = mark("ref")  # a reference has no spaces, and may have anything else
HOSTILE_WORLD = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": mark("police")},
    {
        "type": "agency",
        "code": "blackpool-cs",
        "kind": "childrens_services",
        "name": mark("receiver"),
        "area_code": "E06000009",
    },
    {"type": "agency", "code": "sca", "kind": "nrm_decision_maker", "name": "SCA"},
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {
        "type": "location",
        "agency": "lancs",
        "ref": "HOME",
        "kind": "home",
        "name": mark("place"),
        "address": mark("address"),
        "postcode": "FY1 1AA",
        "force_area": "lancashire",
        "local_authority": "E06000009",
    },
    {
        "type": "person",
        "agency": "lancs",
        "ref": REF,
        "given_name": mark("given"),
        "family_name": mark("family"),
        "date_of_birth": "2010-04-01",
        "other_names": [{"kind": "nickname", "given_name": mark("alias"), "family_name": ""}],
    },
    {
        "type": "person",
        "agency": "lancs",
        "ref": "ADULT",
        "given_name": mark("adult"),
        "family_name": "Smith",
        "date_of_birth": "1980-01-01",
    },
    {
        "type": "link",
        "agency": "lancs",
        "ref": "K1",
        "kind": "lives_at",
        "from_person": REF,
        "to_location": "HOME",
    },
    {
        "type": "link",
        "agency": "lancs",
        "ref": "K2",
        "kind": "associate",
        "from_person": REF,
        "to_person": "ADULT",
    },
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", (REF, "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", (REF, "missing_person")),
    _event(
        "F1",
        "found_out_of_area",
        "2025-02-11T09:00:00Z",
        (REF, "missing_person"),
        ("ADULT", "associate"),
        summary=mark("summary"),
    ),
    _event("A1", "arrest", "2025-03-07T18:00:00Z", (REF, "suspect"), location="HOME"),
)
REVIEW = {
    "proposed": "charge",
    "offence": mark("offence"),
    "answers": ANSWERS,
    "decision": "charge",
    "rationale": mark("rationale"),
}
PASSWORD = "a long test password"


def signed_in(role: Role, agency: str, username: str, verified_login=None) -> Client:
    """A client signed in as a new member (with the second factor given, for those who
    need it: pass the verified_login fixture)."""
    user = create_member(username, PASSWORD, Agency.objects.get(code=agency), role).user
    client = Client()
    if verified_login is not None:
        verified_login(client, user)
    else:
        client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def hostile(record) -> Person:
    """Record the hostile world; return the child."""
    record(*HOSTILE_WORLD)
    return Person.objects.get(source_ref=REF)


@pytest.fixture
def officer(hostile) -> Client:
    return signed_in(Role.OFFICER, "lancs", "pc")


@pytest.fixture
def mash(hostile) -> Client:
    return signed_in(Role.MASH_WORKER, "blackpool-cs", "mash")


@pytest.fixture
def typed(hostile, officer, mash) -> Person:
    """What people type about the child: a purpose, a charging review by the API, the
    referral made and decided with a reason. Returns the child."""
    officer.post(f"/children/{hostile.pk}/", {"purpose": mark("purpose")})
    token = tokens.issue(officer.user.username, "security tests").token
    response = Client().post(
        "/api/charging-reviews",
        {"person_id": hostile.pk, **REVIEW},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    referral = Duty.objects.get(person=hostile, kind="childrens_services_referral")
    acting.step(officer.user, referral.pk, "submitted", reason=mark("note"))
    acting.step(mash.user, referral.pk, "acknowledged")
    acting.step(
        mash.user, referral.pk, "decision_recorded", decision="accepted", reason=mark("reason")
    )
    return hostile


# --- the web app's URLs ---------------------------------------------------------------------


def web_patterns() -> list[tuple[str, URLPattern]]:
    """Every named URL pattern of the web app, as ("namespace:name", pattern)."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in WEB_NAMESPACES:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern), "a nested include: walk it too"
                if pattern.name:
                    found.append((f"{entry.namespace}:{pattern.name}", pattern))
    return found


def id_names(pattern: URLPattern) -> list[str]:
    """The names of the pattern's id parameters (<int:...>)."""
    converters = getattr(pattern.pattern, "converters", {})
    assert all(type(c).__name__ == "IntConverter" for c in converters.values()), (
        f"{pattern.pattern}: only <int:...> parameters are filled in by these tests"
    )
    return list(converters)


def url(name: str, pattern: URLPattern, value: int = 1) -> str:
    return reverse(name, kwargs=dict.fromkeys(id_names(pattern), value))
