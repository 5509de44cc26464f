"""The demo's registered offenders: a seeded register in proportion, tied to the world on purpose.

The register is planned without a database (offender_register.plan), so its make-up is
checked at every scale; what the system makes of it (the schedule, the alerts, the network
link) is checked on the tiny world loaded (and on the small one, in test_demo_loading).
"""

from collections import Counter
from importlib import resources

import pytest
import yaml

from safeguard.accounts.roles import Role
from safeguard.demo.accounts import username_for
from safeguard.demo.offender_register import Register, plan
from safeguard.demo.offender_story import (
    HOUSEHOLD_LINK,
    LINE,
    SHARES_HOME,
    UNNOTIFIED,
    load_story,
    parse_story,
)
from safeguard.offenders import rules
from safeguard.records.ages import UK

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
