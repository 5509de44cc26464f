"""The teams a user is shown, each manager's figures within the user's access, and whose
caseload a user may open."""

from datetime import UTC, datetime

import pytest

from safeguard.accounts import caseloads
from tests.offenders.factories import teams

AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(record, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return teams(record)


def _shown(user) -> list[tuple[str, dict[str, int], int, int]]:
    """Each team: its name, {manager: caseload size}, unassigned, the team's total."""
    return [
        (
            t.name,
            {line.manager.username: line.size.count for line in t.managers},
            t.unassigned,
            t.size.count,
        )
        for t in caseloads.teams(user, AT).teams
    ]


def test_a_teams_supervisor_sees_their_team_first_then_those_without_a_supervisor(world):
    assert _shown(world["sgt-south"]) == [
        # om-north holds X1, a South offender: shown with South, where the offender is.
        ("South", {"om-north": 1, "om-south": 1}, 0, 2),
        ("East", {}, 1, 1),
        ("", {"om-alone": 1}, 0, 1),
    ]
    team = caseloads.teams(world["sgt-south"], AT).teams[0]
    assert team.own and team.size.allowed == 50  # one offender manager in South


def test_a_manager_sees_their_own_team_their_caseload_counting_every_team(world):
    assert _shown(world["om-north"]) == [("North", {"om-north": 2}, 1, 2)]  # N1 and X1; N2
    assert _shown(world["om-alone"]) == [("", {"om-alone": 1}, 0, 1)]


def test_a_supervisor_without_a_team_sees_every_team(world):
    names = [t.name for t in caseloads.teams(world["sgt-force"], AT).teams]
    assert names == ["East", "North", "South", ""]


def test_whose_caseload_a_user_may_open(world):
    om_north, om_south = world["om-north"].pk, world["om-south"].pk
    assert caseloads.may_see_caseload(world["sgt-south"], om_north, AT)  # holds X1 in South
    assert not caseloads.may_see_caseload(world["sgt-north"], om_south, AT)
    assert caseloads.may_see_caseload(world["om-south"], om_south, AT)
    assert caseloads.may_see_caseload(world["om-south"], om_north, AT)  # X1 is South's
    assert not caseloads.may_see_caseload(world["pc"], om_north, AT)
    assert not caseloads.may_see_caseload(world["sgt-cumbria"], om_north, AT)
