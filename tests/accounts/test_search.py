"""Search within scope: names with misspellings, dates of birth, phone numbers, postcodes."""

import pytest

from safeguard.accounts import search
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency

PEOPLE = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"},
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {
        "type": "location",
        "agency": "lancs",
        "ref": "HOME",
        "kind": "home",
        "address": "3 Elm Street, Blackpool",
        "postcode": "FY1 1AA",
    },
    {"type": "phone", "agency": "lancs", "ref": "PH", "number": "07700 900123"},
    {
        "type": "person",
        "agency": "lancs",
        "ref": "JAY",
        "given_name": "Jayden",
        "family_name": "Smith",
        "date_of_birth": "2009-05-14",
        "other_names": [{"kind": "nickname", "given_name": "JJ", "family_name": "Blaze"}],
    },
    {"type": "person", "agency": "lancs", "ref": "ANN", "given_name": "Ann", "family_name": "Hale"},
    {
        "type": "person",
        "agency": "cumbria",
        "ref": "OTHER",
        "given_name": "Jayden",
        "family_name": "Smith",
        "date_of_birth": "2009-05-14",
    },
    {
        "type": "link",
        "agency": "lancs",
        "ref": "L1",
        "kind": "lives_at",
        "from_person": "JAY",
        "to_location": "HOME",
    },
    {
        "type": "link",
        "agency": "lancs",
        "ref": "L2",
        "kind": "uses_phone",
        "from_person": "JAY",
        "to_phone": "PH",
    },
)


@pytest.fixture
def officer(record):
    record(*PEOPLE)
    lancs = Agency.objects.get(code="lancs")
    return create_member("pc", "pw", lancs, Role.OFFICER).user


def _found(officer, text: str) -> list[str]:
    return [h.person.source_ref for h in search.search(officer, text)]


@pytest.mark.parametrize(
    "text", ["Jayden Smith", "jaden smyth", "Smith Jayden", "JJ Blaze", "jaydon smith"]
)
def test_a_name_is_found_despite_misspellings_and_order(officer, text):
    assert _found(officer, text) == ["JAY"]  # never Cumbria's record of the same name


@pytest.mark.parametrize("text", ["14/05/2009", "2009-05-14", "14.05.2009"])
def test_a_date_of_birth_is_found_in_any_usual_form(officer, text):
    assert _found(officer, text) == ["JAY"]


@pytest.mark.parametrize("text", ["07700900123", "07700 900 123", "+44 7700 900123"])
def test_a_phone_number_is_found_however_written(officer, text):
    assert _found(officer, text) == ["JAY"]


@pytest.mark.parametrize("text", ["FY1 1AA", "fy11aa"])
def test_a_postcode_finds_who_lives_there(officer, text):
    assert _found(officer, text) == ["JAY"]


def test_nothing_like_it_finds_nothing(officer):
    assert _found(officer, "Zebedee Quartermaine") == []
    assert _found(officer, "   ") == []


@pytest.mark.parametrize("text", ["'; DROP TABLE records_person; --", "%", "_", "\\", "<b>"])
def test_sql_and_markup_in_the_text_are_only_text(officer, text):
    assert _found(officer, text) == []
    assert _found(officer, "Ann Hale") == ["ANN"]  # the table is still there


def test_results_are_logged_as_reads(officer):
    search.search(officer, "Jayden Smith", path="/search/")
    [entry] = Entry.objects.filter(action="read")
    assert entry.detail["search"] == "name" and entry.detail["path"] == "/search/"
    assert entry.username == "pc"
