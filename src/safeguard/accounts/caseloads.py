"""Caseloads for a user: a manager's offenders, their team's figures, and what the user was
told of, all within the access policy (accounts.policy.offenders).

A caseload lists the offenders a manager holds that the viewer may see, with their stored
schedule and what of it is overdue (offenders.escalation.overdue); listing it is a read of
each offender shown, audited. The teams' figures are counts (offenders.caseloads), naming
managers, not offenders. Which teams a user is shown: an offender manager their own; a
supervisor with a team their own and those whose offenders they see besides (teams with no
supervisor of their own); a supervisor without a team every team of the force. A manager's
caseload is open to the viewer when the manager is in one of those teams or holds an
offender the viewer sees (may_see_caseload): else it is not there (NotVisible).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from safeguard.accounts import policy
from safeguard.accounts.acting import display_name
from safeguard.accounts.managing import WHAT, schedule_of
from safeguard.accounts.models import Membership
from safeguard.accounts.reading import NotVisible, actor, audit_listed
from safeguard.accounts.roles import Role
from safeguard.audit import log
from safeguard.offenders import caseloads, escalation
from safeguard.offenders.models import Offender, OffenderAlert, Schedule

# How a caseload may be sorted: (value, label); the first is the default.
SORTS = (
    ("due", "Next due"),
    ("visit", "Next visit"),
    ("review", "Risk review"),
    ("reference", "Reference"),
)
_EMPTY = dict.fromkeys(caseloads.KEYS, 0)


@dataclass(frozen=True)
class Row:
    """One offender on a caseload."""

    offender: Offender
    schedule: Schedule | None
    overdue: dict[str, date]  # AlertKind -> the date it was due


@dataclass(frozen=True)
class Size:
    """How many offenders against how many are allowed."""

    count: int
    allowed: int

    @property
    def over(self) -> bool:
        return self.count > self.allowed


@dataclass(frozen=True)
class ManagerLine:
    manager: object  # a user
    figures: dict[str, int]  # offenders.caseloads.KEYS
    size: Size


@dataclass(frozen=True)
class Team:
    name: str  # "" for offenders of no team
    managers: list[ManagerLine]
    figures: dict[str, int]  # the team's offenders, assigned or not
    size: Size  # against the ceiling times the team's managers
    unassigned: int  # the team's offenders with no manager
    own: bool  # the viewer's own team


@dataclass
class Teams:
    """The teams a user is shown, and the ceiling of a manager's caseload."""

    teams: list[Team] = field(default_factory=list)
    ceiling: int = 0


def holds_caseload(user) -> bool:
    """Whether the user holds a caseload of their own: a police force's offender manager."""
    who = policy.viewer(user)
    return policy.sees_offenders(user) and who.role == Role.OFFENDER_MANAGER


def caseload(user, manager_id: int, sort: str = "due") -> QuerySet[Offender]:
    """The offenders on the register (offenders.caseloads.ON_CASELOAD) that this manager
    holds and the user may see, sorted (SORTS) soonest first."""
    found = caseloads.on_caseload(
        policy.offenders(user).filter(offender_manager_id=manager_id)
    ).select_related("person", "schedule")
    if sort == "visit":
        return found.order_by(F("schedule__next_visit_due").asc(nulls_last=True), "reference")
    if sort == "review":
        return found.order_by(F("schedule__review_due").asc(nulls_last=True), "reference")
    if sort == "reference":
        return found.order_by("reference", "id")
    return caseloads.by_next_due(found)


def rows(user, offenders: list[Offender], *, at: datetime, path: str, listing: str) -> list[Row]:
    """The rows of these offenders (a page of a caseload), their listing audited as reads."""
    audit_listed(user, offenders, what=WHAT, path=path, listing=listing)
    found = []
    for offender in offenders:
        schedule = schedule_of(offender)
        late = escalation.overdue(schedule, at) if schedule is not None else {}
        found.append(Row(offender, schedule, late))
    return found


def size(user, manager_id: int, at: datetime) -> tuple[dict[str, int], Size]:
    """The figures of the manager's caseload as the user sees it, and its size."""
    figures = caseloads.counts(policy.offenders(user).filter(offender_manager_id=manager_id), at)
    return figures, Size(figures["offenders"], caseloads.ceiling())


def teams(user, at: datetime) -> Teams:
    """The teams the user is shown, each with its managers' figures, in a few queries."""
    who = policy.viewer(user)
    if who is None or not policy.sees_offenders(user):
        return Teams()
    scope = policy.offenders(user)
    by_team = caseloads.counts_by(scope, at, "team")
    by_manager = caseloads.counts_by(scope, at, "offender_manager_id")
    held = caseloads.counts_by(scope, at, "team", "offender_manager_id")
    members = list(
        Membership.objects.filter(
            agency_id=who.agency_id, role=Role.OFFENDER_MANAGER, user__is_active=True
        ).select_related("user")
    )
    if who.role == Role.OFFENDER_MANAGER and not who.team:  # no team: their own caseload
        members = [m for m in members if m.user_id == who.user_id]
    names = _team_names(who, {t for (t,) in by_team}, {m.team for m in members})
    listed = _managers(names, members, held)
    ceiling = caseloads.ceiling()
    found = Teams(ceiling=ceiling)
    for name in names:
        lines = []
        for manager in sorted(listed[name], key=lambda u: display_name(u).lower()):
            figures = by_manager.get((manager.pk,), _EMPTY)
            lines.append(ManagerLine(manager, figures, Size(figures["offenders"], ceiling)))
        figures = by_team.get((name,), _EMPTY)
        staffed = sum(1 for m in members if m.team == name)
        found.teams.append(
            Team(
                name=name,
                managers=lines,
                figures=figures,
                size=Size(figures["offenders"], ceiling * staffed),
                unassigned=held.get((name, None), _EMPTY)["offenders"],
                own=bool(who.team) and name == who.team,
            )
        )
    return found


def _managers(names: list[str], members: list[Membership], held: dict) -> dict[str, list]:
    """The managers listed in each team shown: its offender managers, and any other user
    holding an offender of the team whom no team shown lists (with the first such team)."""
    listed: dict[str, dict[int, object]] = {name: {} for name in names}
    for m in members:
        if m.team in listed:
            listed[m.team][m.user_id] = m.user
    placed = {pk for managers in listed.values() for pk in managers}
    others = {pk for (_, pk) in held if pk is not None and pk not in placed}
    holders = get_user_model().objects.in_bulk(sorted(others))
    for team, pk in sorted((k for k in held if k[1] in holders), key=lambda k: (k[0], k[1])):
        if team in listed and pk not in placed:
            listed[team][pk] = holders[pk]
            placed.add(pk)
    return {name: list(managers.values()) for name, managers in listed.items()}


def may_see_caseload(user, manager_id: int, at: datetime) -> bool:
    """Whether the user may open this manager's caseload: their own, a manager of a team
    they are shown, or one holding an offender they see."""
    if not policy.sees_offenders(user):
        return False
    if manager_id == user.pk:
        return True
    if policy.offenders(user).filter(offender_manager_id=manager_id).exists():
        return True
    return any(line.manager.pk == manager_id for t in teams(user, at).teams for line in t.managers)


def visible_manager(user, manager_id: int, *, at: datetime, path: str = ""):
    """Return the manager whose caseload the user may open; else log the attempt and raise
    NotVisible."""
    manager = get_user_model().objects.filter(pk=manager_id).first()
    if manager is None or not may_see_caseload(user, manager_id, at):
        log.record(
            "denied",
            **actor(user),
            what="accounts.caseload",
            object_id=str(manager_id),
            detail={"path": path, "reason": "outside the user's access"},
        )
        raise NotVisible(f"no caseload {manager_id}")
    return manager


def told(user, *, path: str) -> list[OffenderAlert]:
    """The open alerts the user was told of (offenders.escalation), of offenders they may
    see, earliest due first; listing them is a read of each offender, audited."""
    found = list(
        OffenderAlert.objects.filter(
            user_id=user.pk, cleared_at__isnull=True, offender__in=policy.offenders(user)
        )
        .select_related("offender", "offender__person")
        .order_by("due", "offender__reference", "kind")
    )
    shown = list({a.offender_id: a.offender for a in found}.values())
    audit_listed(user, shown, what=WHAT, path=path, listing="alerts")
    return found


def _team_names(who: policy.Viewer, seen: set[str], staffed: set[str]) -> list[str]:
    """The teams shown to the viewer, their own first, then by name, no team last."""
    if who.role == Role.OFFENDER_MANAGER:
        names = {who.team}
    elif who.team:
        names = {who.team} | seen
    else:
        names = seen | staffed
    return sorted(names, key=lambda n: (n != who.team or not n, n == "", n.lower()))
