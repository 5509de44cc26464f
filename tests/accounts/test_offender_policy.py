"""Who sees offender records: offender managers and their supervisors, within their force."""

from datetime import UTC, datetime

import pytest

from safeguard.accounts import policy
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.offenders import escalation, services
from safeguard.offenders.models import OffenderAlert
from safeguard.records.models import Agency
from tests.offenders.factories import FORCE, offender, people

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {"type": "agency", "code": "blackpool-cs", "kind": "childrens_services", "name": "Blackpool"},
    {"type": "person", "agency": "cumbria", "ref": "C1", "date_of_birth": "1970-01-01"},
)
# The force's teams: North and South have a supervisor each, East has none (its supervisor
# has left: an inactive account), and one offender has no team.
STAFF = (
    # (username, agency, role, team)
    ("om-north", "lancs", Role.OFFENDER_MANAGER, "North"),
    ("om-south", "lancs", Role.OFFENDER_MANAGER, "South"),
    ("om-alone", "lancs", Role.OFFENDER_MANAGER, ""),
    ("sgt-north", "lancs", Role.SUPERVISOR, "North"),
    ("sgt-south", "lancs", Role.SUPERVISOR, "South"),
    ("sgt-east-left", "lancs", Role.SUPERVISOR, "East"),
    ("sgt-force", "lancs", Role.SUPERVISOR, ""),
    ("sgt-cumbria", "cumbria", Role.SUPERVISOR, ""),
    ("pc", "lancs", Role.OFFICER, "North"),
    ("custody", "lancs", Role.CUSTODY_SERGEANT, "North"),
    ("analyst", "lancs", Role.ANALYST, "North"),
    ("lead", "lancs", Role.SAFEGUARDING_LEAD, "North"),
    ("admin", "lancs", Role.ADMINISTRATOR, ""),
    ("inspector", "lancs", Role.INSPECTOR, ""),
    ("mash", "blackpool-cs", Role.MASH_WORKER, ""),
    ("cs-supervisor", "blackpool-cs", Role.SUPERVISOR, "North"),
)


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 16 users
    record(FORCE, *OTHERS, *people("N1", "N2", "S1", "X1", "E1", "B1"))
    users = {
        name: create_member(name, "pw", Agency.objects.get(code=agency), role, team=team).user
        for name, agency, role, team in STAFF
    }
    users["sgt-east-left"].is_active = False
    users["sgt-east-left"].save()
    offender("N1", team="North", offender_manager=users["om-north"])
    offender("N2", team="North")  # unassigned
    offender("S1", team="South", offender_manager=users["om-south"])
    offender("X1", team="South", offender_manager=users["om-north"])  # held across teams
    offender("E1", team="East")  # a team whose supervisor has left
    offender("B1", team="", offender_manager=users["om-alone"])  # no team
    cumbrian = offender("C1", team="North", rm2000="low")
    cumbrian.agency = Agency.objects.get(code="cumbria")
    cumbrian.save()
    return users


def _seen(user) -> set[str]:
    return {
        r.removeprefix("V-") for r in policy.offenders(user).values_list("reference", flat=True)
    }


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        # A manager: their team's offenders, and those they manage in another team.
        ("om-north", {"N1", "N2", "X1"}),
        ("om-south", {"S1", "X1"}),
        # A manager without a team: only those they manage.
        ("om-alone", {"B1"}),
        # A team's supervisor: their team's, and those of teams without a supervisor of
        # their own (East, whose supervisor has left, and no team): every supervisor of the
        # force is told of those.
        ("sgt-north", {"N1", "N2", "E1", "B1"}),
        ("sgt-south", {"S1", "X1", "E1", "B1"}),
        # A supervisor without a team: the whole force; another force's: theirs only.
        ("sgt-force", {"N1", "N2", "S1", "X1", "E1", "B1"}),
        ("sgt-cumbria", {"C1"}),
        # Nobody else, police or not.
        ("pc", set()),
        ("custody", set()),
        ("analyst", set()),
        ("lead", set()),
        ("admin", set()),
        ("inspector", set()),
        ("mash", set()),
        ("cs-supervisor", set()),  # a supervisor, but of children's services
        ("sgt-east-left", set()),  # no longer active
    ],
)
def test_each_role_sees_the_offenders_the_policy_gives_it(world, name, sees):
    user = world[name]
    assert _seen(user) == sees
    assert policy.sees_offenders(user) == (
        name.startswith(("om-", "sgt-")) and name != "sgt-east-left"
    )


def test_nobody_without_a_membership_sees_offenders(world, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="pw")
    assert not policy.offenders(stranger).exists() and not policy.sees_offenders(stranger)


def test_a_manager_sees_no_other_person_records(world):
    assert not policy.persons(world["om-north"]).exists()
    assert policy.persons(world["sgt-north"]).filter(source_ref="N1").exists()


def test_a_supervisor_told_of_an_offender_outside_their_team_may_look_until_it_clears(world):
    s1 = policy.offenders(world["sgt-force"]).get(reference="V-S1")
    alert = OffenderAlert.objects.create(
        user=world["sgt-north"],
        offender=s1,
        kind="visit",
        due=AT.date(),
        subject="x",
        created_at=AT,
    )
    assert "S1" in _seen(world["sgt-north"])
    alert.cleared_at = AT
    alert.save()
    assert "S1" not in _seen(world["sgt-north"])


def test_every_supervisor_escalation_tells_may_see_the_offender(world):
    """Everything is overdue (registered January 2024, never visited): whoever the
    escalation tells of an offender finds that offender in their access."""
    services.recompute(AT)
    escalation.escalate(AT)
    told = OffenderAlert.objects.select_related("user", "offender")
    assert told.exists()
    for alert in told:
        assert policy.offenders(alert.user).filter(pk=alert.offender_id).exists(), (
            alert.user.username,
            alert.offender.reference,
        )
    # Before the alert clause: the team rule alone covers what escalation tells now.
    OffenderAlert.objects.update(cleared_at=AT)
    for alert in told:
        assert policy.offenders(alert.user).filter(pk=alert.offender_id).exists()
