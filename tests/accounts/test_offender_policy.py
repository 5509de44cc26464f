"""Who sees offender records: offender managers and their supervisors, within their force."""

from datetime import UTC, datetime

import pytest

from safeguard.accounts import policy
from safeguard.offenders import escalation, services
from safeguard.offenders.models import OffenderAlert
from tests.offenders.factories import teams

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 16 users
    return teams(record)


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
