"""The access policy: each role sees what DESIGN.md says, and nothing of another agency's."""

import pytest

from safeguard.accounts import policy
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding import services
from safeguard.safeguarding.models import Duty
from tests.safeguarding.test_duties import WORLD, _event

OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {
        "type": "agency",
        "code": "school",
        "kind": "education",
        "name": "Blackpool Academy",
    },
    {"type": "person", "agency": "cumbria", "ref": "CKID", "date_of_birth": "2011-01-01"},
    {"type": "person", "agency": "blackpool-cs", "ref": "CSKID", "date_of_birth": "2012-01-01"},
)


@pytest.fixture
def world(record):
    record(*WORLD, *OTHERS)
    record(
        _event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")),
        _event("A2", "arrest", "2025-03-07T19:00:00Z", ("ADULT", "suspect")),
        {
            **_event("C1", "arrest", "2025-03-07T18:00:00Z", ("CKID", "suspect")),
            "agency": "cumbria",
        },
    )


def _user(role: Role, agency: str, name: str = ""):
    member = create_member(name or f"{role}-{agency}", "pw", Agency.objects.get(code=agency), role)
    return member.user


def _refs(queryset) -> set[str]:
    return set(queryset.values_list("source_ref", flat=True))


def _referral() -> Duty:
    return Duty.objects.get(person__source_ref="KID", kind="childrens_services_referral")


def test_police_see_their_own_forces_records_only(world):
    officer = _user(Role.OFFICER, "lancs")
    assert _refs(policy.persons(officer)) == {"KID", "ADULT"}
    assert _refs(policy.events(officer)) == {"A1", "A2"}
    assert set(policy.duties(officer)) == set(Duty.objects.filter(agency__code="lancs"))
    kid = Person.objects.get(source_ref="KID")
    assert policy.parts(officer, kid) == policy.ALL_PARTS
    cumbrian = Person.objects.get(source_ref="CKID")
    assert not policy.persons(officer).filter(pk=cumbrian.pk).exists()
    assert policy.parts(officer, cumbrian) == frozenset()


def test_a_mash_sees_a_child_only_once_referred_and_only_the_parts_shared(world):
    mash = _user(Role.MASH_WORKER, "blackpool-cs")
    assert _refs(policy.persons(mash)) == {"CSKID"}  # its own record; the draft is not sent
    assert not policy.duties(mash).exists()
    referral = _referral()
    services.move(referral, "submitted", by_name="PC Jones")
    assert _refs(policy.persons(mash)) == {"CSKID", "KID"}
    assert list(policy.duties(mash)) == [referral]
    kid = Person.objects.get(source_ref="KID")
    assert policy.parts(mash, kid) == frozenset(referral.shared)
    assert _refs(policy.events(mash)) == {"A1"}  # the referral's event, not the adult's
    Duty.objects.filter(pk=referral.pk).update(shared=["identity"])
    assert policy.parts(mash, kid) == {"identity"}
    assert not policy.events(mash).exists()


def test_a_school_sees_nothing_of_a_child_referred_elsewhere(world):
    services.move(_referral(), "submitted", by_name="PC Jones")
    school = _user(Role.SCHOOL_SAFEGUARDING_LEAD, "school")
    assert not policy.persons(school).exists()
    assert not policy.events(school).exists()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.OFFENDER_MANAGER])
def test_roles_without_person_level_access_see_no_person(world, role):
    user = _user(role, "lancs")
    assert not policy.persons(user).exists()
    assert not policy.events(user).exists()
    assert not policy.duties(user).exists()
    assert policy.parts(user, Person.objects.get(source_ref="KID")) == frozenset()


def test_only_supervisory_roles_see_the_figures(world):
    assert policy.sees_aggregates(_user(Role.INSPECTOR, "lancs"))
    assert policy.sees_aggregates(_user(Role.SUPERVISOR, "lancs"))
    assert not policy.sees_aggregates(_user(Role.OFFICER, "lancs"))


@pytest.mark.parametrize(
    ("role", "agency", "forces"),
    [
        # A police force's supervisory, analytical and leading roles: their own force only.
        (Role.SUPERVISOR, "lancs", ["lancs"]),
        (Role.SAFEGUARDING_LEAD, "lancs", ["lancs"]),
        (Role.ANALYST, "cumbria", ["cumbria"]),
        (Role.ADMINISTRATOR, "lancs", ["lancs"]),
        # An inspector: every police force, by name (Cumbria before Lancashire).
        (Role.INSPECTOR, "lancs", ["cumbria", "lancs"]),
        # Officers and custody: not the report.
        (Role.OFFICER, "lancs", []),
        (Role.CUSTODY_SERGEANT, "lancs", []),
        (Role.OFFENDER_MANAGER, "lancs", []),
        # A partner agency, whatever the role: none.
        (Role.MASH_WORKER, "blackpool-cs", []),
        (Role.SUPERVISOR, "blackpool-cs", []),
        (Role.SCHOOL_SAFEGUARDING_LEAD, "school", []),
    ],
)
def test_the_stop_search_report_shows_a_forces_own_figures_and_every_force_to_an_inspector(
    world, role, agency, forces
):
    user = _user(role, agency)
    found = list(policy.stop_search_forces(user).values_list("code", flat=True))
    assert found == forces
    assert policy.sees_stop_search(user) == bool(forces)


def test_a_user_without_membership_or_inactive_sees_nothing(world, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="pw")
    assert not policy.persons(stranger).exists()
    officer = _user(Role.OFFICER, "lancs")
    officer.is_active = False
    assert not policy.persons(officer).exists()
    assert not policy.stop_search_forces(stranger).exists()
    assert not policy.sees_stop_search(stranger)
    assert Event.objects.exists()  # there was something to see


def test_charging_reviews_and_recommendations_are_police_only(world):
    mash = _user(Role.MASH_WORKER, "blackpool-cs")
    assert not policy.charging_reviews(mash).exists()
    assert not policy.recommendations(mash).exists()
