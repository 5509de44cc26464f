"""SQL metacharacters typed into the search page are only text: no error, no extra rows.

The world (tests/accounts/test_search.py): Lancashire holds Jayden Smith, with a date of
birth, a phone and a postcode, and Ann Hale; Cumbria holds another Jayden Smith. A
wildcard or a quote that reached SQL would list everybody, or Cumbria's record, or fail.
"""

import re

import pytest

from safeguard.accounts.roles import Role
from safeguard.records.models import Person
from tests.accounts.test_search import PEOPLE
from tests.security.conftest import signed_in

# Text that means something to SQL (LIKE wildcards, escapes, quotes, comments, a second
# statement), alone and in the shapes of each kind of search: name, date, phone, postcode.
METACHARACTERS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "%",
    "%%",
    "_",
    "__%",
    "\\",
    "\\%",
    "'",
    '"',
    "`",
    ";",
    "*",
    "'; DROP TABLE records_person; --",
    "2009-05-1_",
    "%/05/2009",
    "0770%",
    "07700 90012_",
    "FY1%",
    "FY_ 1AA",
    "%1AA",
]
# A real search with something after it finds that record at most, never everybody.
SUFFIXED = ["Jayden Smith' OR 1=1 --", "Jayden Smith%", "Jayden Smith\\", 'Jayden Smith"']


@pytest.fixture
def officer(record):
    record(*PEOPLE)
    return signed_in(Role.OFFICER, "lancs", "pc")


def _rows(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'href="/children/(\d+)/"', response.content.decode())


def test_metacharacters_alone_find_nothing_and_change_nothing(officer):
    people = Person.objects.count()
    for text in METACHARACTERS:
        assert _rows(officer.get("/search/", {"q": text})) == [], text
    assert Person.objects.count() == people == 3
    assert len(_rows(officer.get("/search/", {"q": "Ann Hale"}))) == 1


def test_metacharacters_after_a_name_find_that_record_at_most(officer):
    jayden = str(Person.objects.get(source_ref="JAY").pk)
    for text in SUFFIXED:
        assert set(_rows(officer.get("/search/", {"q": text}))) <= {jayden}, text
