"""The pure schedule (offenders/schedule.py) under the default rules (schedule.yaml)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.offenders import rules
from safeguard.offenders.schedule import (
    Facts,
    Pending,
    Table,
    add_months,
    compute,
    level,
    notification_deadline,
    renotification_due,
    review_due,
    suggest_visit,
    visit_due,
    visit_interval,
)
from safeguard.records.ages import UK


@pytest.fixture(scope="module")
def table() -> Table:
    return Table(rules.current())


AT = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # a Monday
REGISTERED = date(2025, 1, 15)


def _facts(**given) -> Facts:
    return Facts(
        id=given.pop("id", 7), registered_on=given.pop("registered_on", REGISTERED), **given
    )


@pytest.mark.parametrize(
    ("band", "due"),
    [
        # band of Risk Matrix 2000 -> next visit after one seen on 10 March 2025
        ("very_high", date(2025, 4, 10)),  # monthly
        ("high", date(2025, 6, 10)),  # every 3 months
        ("medium", date(2025, 9, 10)),  # every 6 months
        ("low", date(2026, 3, 10)),  # yearly
    ],
)
def test_the_next_visit_is_due_by_risk_level(table, band, due):
    facts = _facts(rm2000=band, last_seen=date(2025, 3, 10))
    assert compute(facts, table, AT).visit_due == due


def test_without_a_visit_the_clock_starts_at_registration_or_a_later_release(table):
    assert compute(_facts(rm2000="high"), table, AT).visit_due == date(2025, 4, 15)
    released = _facts(rm2000="high", last_seen=date(2025, 2, 1), released_on=date(2025, 5, 20))
    assert compute(released, table, AT).visit_due == date(2025, 8, 20)


@pytest.mark.parametrize(
    ("rm2000", "osp", "rosh", "expected"),
    [
        ("low", "", "very_high", "very_high"),  # the highest band decides
        ("high", "medium", "", "high"),
        ("", "", "medium", "medium"),
        ("", "", "", "very_high"),  # not yet assessed: visited as very high
    ],
)
def test_the_level_is_the_highest_band_measured(table, rm2000, osp, rosh, expected):
    assert level(_facts(rm2000=rm2000, osp=osp, oasys_rosh=rosh), table) == expected


def test_a_rise_in_risk_brings_the_visit_forward_and_a_fall_puts_it_back(table):
    seen = date(2025, 1, 31)
    high = visit_due(_facts(last_seen=seen), visit_interval("high", None, table)[0])
    very_high = visit_due(_facts(last_seen=seen), visit_interval("very_high", None, table)[0])
    low = visit_due(_facts(last_seen=seen), visit_interval("low", None, table)[0])
    assert high == date(2025, 4, 30)
    assert very_high == date(2025, 2, 28)  # a month on, at the month's end: never later
    assert very_high < high < low == date(2026, 1, 31)
    # Raised to very high on 16 June, two months after the last visit: overdue at once.
    raised = compute(_facts(rm2000="very_high", last_seen=date(2025, 4, 16)), table, AT)
    assert raised.visit_due == date(2025, 5, 16) < AT.date()


@pytest.mark.parametrize(
    ("band", "plan", "months", "due"),
    [
        ("low", 2, 2, date(2025, 5, 10)),  # the plan visits more often than the default
        ("very_high", 6, 6, date(2025, 9, 10)),  # ... or less often: the plan wins
        ("medium", None, 6, date(2025, 9, 10)),  # no plan frequency: the default
    ],
)
def test_the_plan_overrides_the_visit_interval(table, band, plan, months, due):
    done = compute(_facts(rm2000=band, plan_months=plan, last_seen=date(2025, 3, 10)), table, AT)
    assert (done.visit_months, done.plan_override, done.visit_due) == (
        months,
        plan is not None,
        due,
    )


def test_the_review_is_due_after_registration_then_by_level(table):
    assert review_due(_facts(), "high", table) == REGISTERED + timedelta(days=28)
    reviewed = _facts(last_review=date(2025, 2, 1))
    assert review_due(reviewed, "very_high", table) == date(2025, 5, 1)
    assert review_due(reviewed, "high", table) == date(2025, 8, 1)
    assert review_due(reviewed, "low", table) == date(2026, 2, 1)
    # Released after the last review: a first review again from the release.
    released = _facts(last_review=date(2025, 2, 1), released_on=date(2025, 4, 1))
    assert review_due(released, "low", table) == date(2025, 4, 29)


def test_re_notification_is_due_within_a_year_of_the_last_notification(table):
    # The period of one year beginning with 3 March 2025 ends with 2 March 2026 (s85).
    assert renotification_due(_facts(last_notified=date(2025, 3, 3)), table) == date(2026, 3, 2)
    ended = _facts(last_notified=date(2025, 3, 3), notification_end=date(2025, 12, 31))
    assert renotification_due(ended, table) is None


@pytest.mark.parametrize(
    ("released", "due"),
    [
        # no notification recorded: the year from registration (15 January 2025), or from a
        # later release, when the initial notification was due (s83(1), s85(1))
        (None, date(2026, 1, 14)),
        (date(2024, 11, 1), date(2026, 1, 14)),  # released before registration: registration
        (date(2025, 4, 10), date(2026, 4, 9)),  # released after: the release
    ],
)
def test_with_no_notification_recorded_re_notification_counts_from_registration(
    table, released, due
):
    assert renotification_due(_facts(released_on=released), table) == due
    # A year on, the lapse is counted as an overdue notification: nothing recorded is not
    # nothing due.
    later = datetime(due.year, due.month, due.day, 12, tzinfo=UTC) + timedelta(days=1)
    assert compute(_facts(released_on=released), table, later).notifications_overdue == 1
    assert compute(_facts(released_on=released), table, AT).notifications_overdue == 0


def test_a_violent_offender_re_notifies_only_from_what_they_notified(table):
    # MAPPA category 2 (a violent offender on licence) has no notification requirement by
    # law: nothing recorded is nothing due; under an order, a year from what they notified.
    assert renotification_due(_facts(category=2), table) is None
    notified = _facts(category=2, last_notified=date(2025, 3, 3))
    assert renotification_due(notified, table) == date(2026, 3, 2)
    # Category 4 (terrorism) notifies by law, as category 1 does.
    assert renotification_due(_facts(category=4), table) == date(2026, 1, 14)


def _uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK)


@pytest.mark.parametrize(
    ("kind", "trigger", "arranged", "deadline"),
    [
        # within 3 days beginning with the trigger's day: by midnight closing the third day
        ("initial", _uk(2025, 6, 2, 10), None, _uk(2025, 6, 5)),  # s83(1)
        ("change", _uk(2025, 6, 2, 23, 30), None, _uk(2025, 6, 5)),  # s84(1)
        ("stay_7_days", _uk(2025, 6, 2), None, _uk(2025, 6, 5)),  # s84(1)(c)
        ("household_child", _uk(2025, 6, 2, 18), None, _uk(2025, 6, 5)),  # SI 2012/1876
        ("annual", _uk(2025, 6, 2), None, _uk(2025, 6, 3)),  # by the end of the due day
        # foreign travel: 7 days before departure; arranged later, 12 hours before
        ("foreign_travel", _uk(2025, 6, 20, 9), _uk(2025, 6, 1), _uk(2025, 6, 13, 9)),
        ("foreign_travel", _uk(2025, 6, 20, 9), None, _uk(2025, 6, 13, 9)),
        ("foreign_travel", _uk(2025, 6, 20, 9), _uk(2025, 6, 18), _uk(2025, 6, 19, 21)),
    ],
)
def test_each_notification_kind_has_its_deadline(table, kind, trigger, arranged, deadline):
    assert notification_deadline(Pending(kind, trigger, arranged), table) == deadline


def test_overdue_notifications_are_counted_with_a_lapsed_re_notification(table):
    initial = Pending("initial", _uk(2025, 6, 10, 12))  # due by midnight starting 13 June
    travel = Pending("foreign_travel", _uk(2025, 7, 1, 8), _uk(2025, 6, 1))  # due 24 June
    facts = _facts(last_notified=date(2024, 6, 1), pending=(initial, travel))
    done = compute(facts, table, AT)
    # initial (past) + the year since 1 June 2024 (ended 31 May 2025); travel not yet due
    assert done.notifications_overdue == 2
    assert done.renotification_due == date(2025, 5, 31)
    assert done.next_notification_deadline == _uk(2025, 6, 13)
    before = compute(
        _facts(last_notified=date(2025, 1, 1), pending=(initial,)), table, _uk(2025, 6, 12, 23)
    )
    assert before.notifications_overdue == 0


def test_an_offender_in_custody_has_nothing_due(table):
    done = compute(_facts(rm2000="high", status="in_custody"), table, AT)
    assert (done.visit_due, done.review_due, done.notifications_overdue) == (None, None, 0)


def _band(moment: datetime, table: Table) -> int:
    hour = moment.astimezone(UK).hour
    return next(i for i, (start, end) in enumerate(table.bands) if start <= hour < end)


def test_each_suggested_visit_is_on_another_weekday_and_time_band_late_in_the_window(table):
    today = date(2025, 1, 1)
    changed = 0
    for offender in range(1, 300):
        for visits, (months, last) in enumerate(
            [(1, _uk(2025, 1, 6, 9)), (3, _uk(2025, 2, 12, 14)), (12, _uk(2025, 3, 7, 19, 45))]
        ):
            due = add_months(last.date(), months)
            at = suggest_visit(offender, visits, due, months, last, today, table)
            again = suggest_visit(offender, visits, due, months, last, today, table)
            window = min(table.window_days, int(months * 30.44 * table.window_fraction))
            assert at == again  # the same on every run
            assert due - timedelta(days=window - 1) <= at.date() <= due
            assert at.weekday() != last.weekday()
            assert _band(at, table) != _band(last, table)
            after = suggest_visit(offender, visits + 1, due, months, last, today, table)
            changed += after != at
    assert changed > 800  # a further visit made changes the suggestion (nearly always)


def test_an_overdue_visit_is_suggested_from_today(table):
    last = _uk(2025, 6, 10, 10)  # a Tuesday
    at = suggest_visit(9, 3, date(2025, 6, 1), 1, last, date(2025, 6, 17), table)
    assert at.date() == date(2025, 6, 18)  # today is a Tuesday too: the next day
    assert _band(at, table) != _band(last, table)
