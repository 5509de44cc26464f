"""The demo's registered offenders: a seeded register in proportion, tied to the world on purpose.

The register is planned without a database (offender_register.plan), so its make-up is
checked at every scale; what the system makes of it (the schedule, the alerts, the network
link) is checked on the tiny world loaded (and on the small one, in test_demo_loading).
"""

from collections import Counter
from datetime import datetime
from importlib import resources

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.demo.accounts import ensure_accounts, username_for
from safeguard.demo.loading import load_world
from safeguard.demo.offender_register import Register, plan
from safeguard.demo.offender_story import (
    HOUSEHOLD_LINK,
    LINE,
    SHARES_HOME,
    UNNOTIFIED,
    load_story,
    parse_story,
)
from safeguard.demo.progress import story_end
from safeguard.demo.world import World
from safeguard.network.models import LineMember
from safeguard.offenders import alerts, rules, services
from safeguard.offenders.models import NotificationRecord, Offender, SafeguardingAlert, Schedule
from safeguard.records.ages import UK, age_on

SCALES = ("tiny", "small", "medium", "large")
DEMO_MANAGER = username_for(Role.OFFENDER_MANAGER)


def _highest(offender) -> str:
    bands = [b for b in (offender.rm2000, offender.osp, offender.oasys_rosh) if b]
    order = ["low", "medium", "high", "very_high"]
    return max(bands, key=order.index) if bands else "unassessed"


def _digest(register: Register) -> list[tuple]:
    """Return what a register holds, offender by offender, as plain values."""
    return [
        (
            o.reference,
            o.who.given,
            o.who.family,
            o.who.dob,
            o.who.household.place.address if o.who.household else "",
            o.manager,
            o.mappa_category,
            o.mappa_level,
            o.rm2000,
            o.osp,
            o.oasys_rosh,
            o.status,
            o.registered_on,
            o.released_on,
            o.notification_period_end,
            o.plan_visit_months,
            tuple(o.visits),
            tuple(o.reviews),
            tuple(o.notices),
            tuple(o.conditions),
        )
        for o in register.offenders
    ]


# -- the plan, at every scale -----------------------------------------------------------------


def test_the_same_seed_plans_the_same_register_and_another_seed_another():
    assert _digest(plan(2019, "small")) == _digest(plan(2019, "small"))
    other = plan(2020, "small")
    assert _digest(other) != _digest(plan(2019, "small"))
    # Not merely renumbered: other people, other histories.
    assert {o.who.dob for o in other.offenders} != {
        o.who.dob for o in plan(2019, "small").offenders
    }


@pytest.mark.parametrize("scale", SCALES)
def test_the_register_is_in_proportion(scale):
    offenders = plan(2019, scale).offenders
    n = len(offenders)
    categories = Counter(o.mappa_category for o in offenders)
    assert set(categories) == {1, 2}
    assert 0.1 <= categories[2] / n <= 0.3, categories  # mostly registered sex offenders
    levels = Counter(o.mappa_level for o in offenders)
    assert levels[3] == 1 and levels[2] >= 1, levels
    assert levels[1] / n >= 0.95, levels  # about 98% at level 1 (DOMAIN.md)
    bands = Counter(_highest(o) for o in offenders)
    assessed = n - bands["unassessed"]
    assert (bands["low"] + bands["medium"]) / assessed >= 0.6, bands
    assert bands["very_high"] < bands["high"] and bands["very_high"] / assessed <= 0.12, bands
    assert 1 <= bands["unassessed"] <= 0.05 * n, bands
    unassessed = [o for o in offenders if _highest(o) == "unassessed"]
    assert all(o.released_on is not None and not o.reviews for o in unassessed)
    statuses = Counter(o.status for o in offenders)
    assert statuses["wanted"] == 1 and statuses["abroad"] == 1, statuses
    assert 0 < statuses["in_custody"] <= 0.06 * n and statuses["active"] >= 0.9 * n, statuses
    assert any(o.plan_visit_months for o in offenders)
    orders = Counter(c.order for o in offenders for c in o.conditions)
    assert orders["Sexual Harm Prevention Order"] and orders["Licence"], orders
    # Category 2 offenders are on licence, not on the register: they notify nothing.
    assert not any(o.notices for o in offenders if o.mappa_category == 2)


@pytest.mark.parametrize("scale", SCALES)
def test_caseloads_hold_one_manager_over_the_ceiling_and_a_few_unassigned(scale):
    register = plan(2019, scale)
    ceiling = rules.current().caseload.ceiling
    caseloads = Counter(o.manager for o in register.offenders)
    unassigned = caseloads.pop(None)
    assert 2 <= unassigned <= 5
    over = [m for m, n in caseloads.items() if n > ceiling]
    assert len(over) == 1 and over != [DEMO_MANAGER], caseloads
    assert all(30 <= n <= ceiling for m, n in caseloads.items() if m not in over), caseloads
    managers = [s for s in register.staff if s.role == Role.OFFENDER_MANAGER]
    assert set(caseloads) == {s.username for s in managers}
    teams = {s.team for s in register.staff}
    assert 2 <= len(teams) <= 3
    assert {s.team for s in register.staff if s.role == Role.SUPERVISOR} == teams
    demo = next(s for s in managers if s.demo)
    assert demo.username == DEMO_MANAGER and demo.team == "MOSOVO Liverpool North"
    planted = [o.planted for o in register.managed_by(DEMO_MANAGER) if o.planted]
    assert planted == [SHARES_HOME, UNNOTIFIED, HOUSEHOLD_LINK, LINE, LINE]


def test_histories_vary_and_notify_every_kind():
    offenders = plan(2019, "small").offenders
    visits = [v for o in offenders for v in o.visits]
    outcomes = Counter(v.outcome for v in visits)
    assert outcomes["seen"] / len(visits) >= 0.75 and outcomes["not_seen"] and outcomes["refused"]
    announced = sum(v.announced for v in visits) / len(visits)
    assert 0.2 <= announced <= 0.5  # mostly unannounced
    assert {v.at.astimezone(UK).weekday() for v in visits} == set(range(6))  # not Sunday
    bands = rules.current().time_bands  # morning, afternoon and evening
    assert {b.id for b in bands for v in visits if b.start <= v.at.astimezone(UK).hour < b.end} == {
        b.id for b in bands
    }
    # Consecutive visits fall on another weekday.
    for o in offenders:
        days = [v.at.astimezone(UK).weekday() for v in o.visits]
        assert all(a != b for a, b in zip(days, days[1:], strict=False)), o.reference
    kinds = Counter(n.kind for o in offenders for n in o.notices)
    assert set(kinds) == {
        "initial",
        "annual",
        "change",
        "stay_7_days",
        "household_child",
        "foreign_travel",
    }, kinds
    assert sum(1 for o in offenders for r in o.reviews) > len(offenders)


def test_the_story_file_refuses_what_it_does_not_know():
    text = yaml.safe_load(resources.files("safeguard.demo").joinpath("offenders.yaml").read_text())
    with pytest.raises(ValueError, match="nonsense"):
        parse_story(yaml.safe_dump({**text, "nonsense": 1}))
    bands = dict(text["bands"])
    del bands["very_high"]
    with pytest.raises(ValueError, match="give every band"):
        parse_story(yaml.safe_dump({**text, "bands": bands}))
    with pytest.raises(ValueError, match="runs backwards"):
        parse_story(yaml.safe_dump({**text, "unassessed_days": [25, 3]}))


def test_the_caseloads_sit_around_the_schedules_ceiling():
    cfg, ceiling = load_story().caseload, rules.current().caseload.ceiling
    assert cfg.usual[1] <= ceiling < cfg.over[0]


# -- the tiny world, loaded -------------------------------------------------------------------


@pytest.fixture
def tiny(db) -> tuple[Register, datetime]:
    """Load the tiny world; return its register (as planned) and the end of its story."""
    load_world(2019, "tiny")
    return plan(2019, "tiny"), story_end(World(2019, "tiny").ctx.end)


def _planted(register: Register, *kinds: str) -> list[Offender]:
    references = [o.reference for o in register.offenders if o.planted in kinds]
    return list(Offender.objects.filter(reference__in=references).order_by("reference"))


def overdue_share(at: datetime) -> float:
    """Recompute every schedule at `at`; return the share of active offenders with something
    overdue (a visit, a review or a notification)."""
    services.recompute(at)
    today = at.astimezone(UK).date()
    active = Schedule.objects.filter(offender__status="active")
    late = active.filter(
        Q(next_visit_due__lt=today) | Q(review_due__lt=today) | Q(notifications_overdue__gt=0)
    )
    return late.count() / active.count()


def test_at_the_end_of_the_story_about_a_fifth_is_overdue(tiny):
    register, at = tiny
    assert Offender.objects.count() == len(register.offenders)
    assert 0.1 <= overdue_share(at) <= 0.3
    figures = services.figures(at)
    assert figures["visits_overdue"] > figures["reviews_overdue"] > 0
    # The planted household notification (not made) and the others pending or lapsed.
    assert figures["notifications_overdue"] >= 2


def test_the_demo_offender_manager_is_in_a_team_with_overdue_work(tiny):
    _, at = tiny
    services.recompute(at)
    member = Membership.objects.get(user__username=DEMO_MANAGER)
    assert member.team == "MOSOVO Liverpool North"
    assert not member.user.has_usable_password()  # until ensure_accounts gives it one
    caseload = Schedule.objects.filter(offender__offender_manager=member.user)
    today = at.astimezone(UK).date()
    assert 30 <= caseload.count() <= rules.current().caseload.ceiling
    assert caseload.filter(next_visit_due__lt=today).exists()
    assert caseload.filter(notifications_overdue__gt=0).exists()
    accounts = {a.username: a for a in ensure_accounts()}
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.team == "MOSOVO Liverpool North"  # kept
    assert member.user.check_password(accounts[DEMO_MANAGER].password)
    assert Membership.objects.get(user__username=username_for(Role.SUPERVISOR)).team == ""


def test_one_manager_is_over_the_ceiling_and_the_units_staff_cannot_sign_in(tiny):
    ceiling = rules.current().caseload.ceiling
    caseloads = Counter(Offender.objects.values_list("offender_manager__username", flat=True))
    assert caseloads[None] >= 2  # awaiting allocation
    assert len([m for m, n in caseloads.items() if m and n > ceiling]) == 1, caseloads
    staff = get_user_model().objects.filter(username__startswith="ppu-")
    assert staff.exists() and not any(u.has_usable_password() for u in staff)
    teams = dict(
        Membership.objects.filter(role=Role.SUPERVISOR, user__username__startswith="ppu-")
        .values_list("team")
        .annotate(n=Count("id"))
    )
    assert set(teams) == set(Offender.objects.values_list("team", flat=True)), teams
    assert set(teams.values()) == {1}  # one supervisor a team


def test_the_alerts_at_the_end_of_the_story_find_the_planted_children(tiny):
    register, at = tiny
    alerts.raise_alerts(at)
    today = at.astimezone(UK).date()
    for offender in _planted(register, SHARES_HOME, UNNOTIFIED, HOUSEHOLD_LINK):
        found = SafeguardingAlert.objects.filter(offender=offender).select_related("child")
        assert found.exists(), offender.reference
        assert all(age_on(a.child.date_of_birth, today) < 18 for a in found)
    by_kind = dict(
        SafeguardingAlert.objects.filter(
            offender__in=_planted(register, SHARES_HOME, UNNOTIFIED, HOUSEHOLD_LINK)
        ).values_list("offender__reference", "reason")
    )
    linked = _planted(register, HOUSEHOLD_LINK)[0].reference
    assert "household" in by_kind[linked]
    assert all("lives at an address" in r for ref, r in by_kind.items() if ref != linked)
    # The one who did not notify living with the child has that notification overdue.
    unnotified = _planted(register, UNNOTIFIED)[0]
    pending = NotificationRecord.objects.get(
        offender=unnotified, kind="household_child", notified_at__isnull=True
    )
    assert pending.location is not None
    services.recompute(at)
    assert Schedule.objects.get(offender=unnotified).notifications_overdue >= 1
    # Nobody else has an alert: the rest of the register lives away from children, but for
    # the two in county lines with children, raised when the network was analysed.
    in_lines = {o.reference for o in _planted(register, LINE)}
    alerted = set(SafeguardingAlert.objects.values_list("offender__reference", flat=True))
    assert alerted == set(by_kind) | in_lines


def test_the_planted_line_members_are_members_of_a_line_with_children(tiny):
    register, _ = tiny
    line_offenders = _planted(register, LINE)
    assert len(line_offenders) == 2
    for offender in line_offenders:
        assert offender.mappa_category == 2  # a past conviction for violence
        parts = LineMember.objects.filter(person=offender.person).select_related("line")
        assert parts.exists(), offender.reference
        assert any(p.line.children > 0 and p.role in ("controller", "lieutenant") for p in parts)
        assert not offender.person.source_ref.startswith("MPP-")  # the world's own record
        # The network link: an alert per child of their lines, in the safeguarding queue,
        # without naming the offender.
        raised = SafeguardingAlert.objects.filter(offender=offender)
        assert raised.exists() and all(a.duty_id is not None for a in raised)
        assert all("county line" in a.reason and "registered offender" in a.reason for a in raised)
        assert offender.reference not in " ".join(a.reason for a in raised)
