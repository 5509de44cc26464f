"""Reading a child's record through the policy: what each user gets, and the audit of it."""

import pytest

from safeguard.accounts import reading
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.records.models import Agency, Person
from safeguard.safeguarding import services
from safeguard.safeguarding.models import Duty
from tests.safeguarding.test_duties import WORLD, _event

SIGNS = (
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
    _event("F1", "found_out_of_area", "2025-02-11T09:00:00Z", ("KID", "missing_person")),
)


@pytest.fixture
def kid(record) -> Person:
    record(*WORLD, *SIGNS)
    return Person.objects.get(source_ref="KID")


def _user(role: Role, agency: str):
    return create_member(f"{role}-{agency}", "pw", Agency.objects.get(code=agency), role).user


def test_an_officer_reads_the_whole_record_and_the_read_is_logged_with_its_purpose(kid):
    officer = _user(Role.OFFICER, "lancs")
    record = reading.read_child(officer, kid.pk, purpose="arrest enquiry", path="/children/1/")
    assert {e.event.source_ref for e in record.timeline} == {"M1", "M2", "F1"}
    assert record.screenings and record.screenings[0].level in ("medium", "high")
    assert {d.kind for d in record.duties} >= {"childrens_services_referral", "nrm_referral"}
    assert record.links  # the home
    [entry] = Entry.objects.filter(action="read")
    assert (entry.username, entry.person_id, entry.purpose) == (
        officer.username,
        kid.pk,
        "arrest enquiry",
    )
    assert entry.agency_code == "lancs"


def test_a_full_read_needs_a_purpose(kid):
    with pytest.raises(reading.PurposeRequired):
        reading.read_child(_user(Role.OFFICER, "lancs"), kid.pk, purpose="  ")
    assert not Entry.objects.filter(action="read").exists()


def test_another_agency_reaching_a_child_by_id_is_refused_and_logged(kid):
    mash = _user(Role.MASH_WORKER, "blackpool-cs")
    with pytest.raises(reading.NotVisible):
        reading.read_child(mash, kid.pk, purpose="curious", path="/children/1/")
    [entry] = Entry.objects.filter(action="denied")
    assert entry.person_id == kid.pk and entry.username == mash.username
    assert entry.detail["path"] == "/children/1/"


def test_a_mash_reads_only_what_the_referral_shares(kid):
    referral = Duty.objects.get(person=kid, kind="childrens_services_referral")
    services.move(referral, "submitted", by_name="PC Jones")
    Duty.objects.filter(pk=referral.pk).update(shared=["identity", "screening"])
    mash = _user(Role.MASH_WORKER, "blackpool-cs")
    record = reading.read_child(mash, kid.pk, purpose="referral received")
    assert record.parts == {"identity", "screening"}
    assert record.timeline == [] and record.links == []
    assert record.screenings
    assert [d.pk for d in record.duties] == [referral.pk]
    assert record.reviews == [] and record.recommendations == []
