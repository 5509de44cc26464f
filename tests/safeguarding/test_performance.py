"""The dashboard's figures, against hand-built records with known answers.

Referrals are opened by arrests through the real intake path and then moved by hand at
chosen moments, around their deadlines (a referral to children's services is due by the
end of the next working day, UK time: 23:59:59 GMT in March, 22:59:59 UTC in BST).
"""

from datetime import UTC, date, datetime

import pytest

from safeguard.records import services as records
from safeguard.records.models import Agency, Person
from safeguard.safeguarding import charging, escalation, performance, services
from safeguard.safeguarding.models import Duty
from safeguard.safeguarding.performance import Outcomes, Period
from tests.safeguarding.test_charging import CHARGE, SIGNED, SIGNS, _review
from tests.safeguarding.test_duties import WORLD, _event

CS = "childrens_services_referral"
NRM = "nrm_referral"
AT = datetime(2025, 4, 9, 12, 0, tzinfo=UTC)  # Wednesday, BST
CHILDREN = ("KA", "KB", "KC", "KD", "KE", "KF", "KG")


def _child(ref: str, agency: str = "lancs", **more) -> dict:
    return {"type": "person", "agency": agency, "ref": ref, "date_of_birth": "2010-04-01"} | more


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _referral(ref: str) -> Duty:
    return Duty.objects.get(kind=CS, person__source_ref=ref)


def _move(ref: str, *steps: tuple[str, str], **options) -> None:
    for to, when in steps:
        services.move(_referral(ref), to, by_name="PC Test", at=_utc(when), **options)


@pytest.fixture
def lancs(record) -> int:
    """Lancashire's id, with the children of build_lancs."""
    return build_lancs(record)


def build_lancs(record) -> int:
    """Record seven children arrested in Lancashire, their referrals made around the
    deadline; return Lancashire's id.

    KA, KB, KE, KG arrested Friday 7 March 2025, 18:00 (due Monday 10 March, 23:59:59):
    KA made at 23:59 Monday (on time), then accepted; KB at 00:00:30 Tuesday (late), then
    rejected; KE never made (overdue); KG withdrawn before it was made.
    KC, KD arrested Friday 4 April 2025, 18:00 UTC (due Monday 7 April, 23:59:59 BST, which
    is 22:59:59 UTC): KD made at 22:30 UTC (on time), KC at 23:30 UTC (late: Tuesday
    00:30 BST, though still Monday in UTC).
    KF arrested Tuesday 8 April, 10:00 (due Wednesday 9 April, in time at AT).
    """
    record(*WORLD, *(_child(ref) for ref in CHILDREN))
    arrests = {
        "KA": "2025-03-07T18:00:00",
        "KB": "2025-03-07T18:00:00",
        "KE": "2025-03-07T18:00:00",
        "KG": "2025-03-07T18:00:00",
        "KC": "2025-04-04T18:00:00",
        "KD": "2025-04-04T18:00:00",
        "KF": "2025-04-08T10:00:00",
    }
    record(
        *(
            _event(f"A-{ref}", "arrest", f"{when}Z", (ref, "suspect"))
            for ref, when in arrests.items()
        ),
        _event("A-ADULT", "arrest", "2025-03-07T18:00:00Z", ("ADULT", "suspect")),
    )
    _move("KA", ("submitted", "2025-03-10T23:59:00"), ("acknowledged", "2025-03-11T09:00:00"))
    _move("KA", ("decision_recorded", "2025-03-11T10:00:00"), decision="accepted")
    _move("KB", ("submitted", "2025-03-11T00:00:30"))
    _move("KB", ("rejected", "2025-03-11T12:00:00"), reason="not our area")
    _move("KG", ("withdrawn", "2025-03-08T10:00:00"), reason="recorded twice")
    _move("KD", ("submitted", "2025-04-07T22:30:00"))
    _move("KC", ("submitted", "2025-04-07T23:30:00"))
    return Agency.objects.get(code="lancs").pk


# -- the period ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "weeks", "start", "first", "last"),
    [
        # Wednesday in BST: the week began on Monday 00:00 BST, Sunday 23:00 UTC.
        (AT, 1, datetime(2025, 4, 6, 23, 0, tzinfo=UTC), date(2025, 4, 7), date(2025, 4, 7)),
        # Twelve weeks back from there crosses into GMT: Monday 00:00 GMT is 00:00 UTC.
        (AT, 12, datetime(2025, 1, 20, 0, 0, tzinfo=UTC), date(2025, 1, 20), date(2025, 4, 7)),
        # Sunday 23:30 UTC in BST is already Monday 00:30 in the UK: a new week.
        (
            datetime(2025, 3, 30, 23, 30, tzinfo=UTC),
            1,
            datetime(2025, 3, 30, 23, 0, tzinfo=UTC),
            date(2025, 3, 31),
            date(2025, 3, 31),
        ),
        # The same moment in GMT is still Sunday; the week before began in BST (which ended
        # on 26 October), at 23:00 UTC.
        (
            datetime(2025, 11, 2, 23, 30, tzinfo=UTC),
            2,
            datetime(2025, 10, 19, 23, 0, tzinfo=UTC),
            date(2025, 10, 20),
            date(2025, 10, 27),
        ),
    ],
)
def test_the_period_is_whole_iso_weeks_in_uk_time(at, weeks, start, first, last):
    span = performance.period(weeks, at)
    assert span.start == start and span.end == at
    assert len(span.weeks) == weeks
    assert (span.weeks[0], span.weeks[-1]) == (first, last)
    assert all(w.weekday() == 0 for w in span.weeks)


def test_a_period_has_at_least_a_week():
    with pytest.raises(ValueError, match="at least one week"):
        performance.period(0, AT)


# -- referrals -----------------------------------------------------------------------------


def test_referrals_are_judged_against_the_deadline_they_were_opened_with(lancs):
    # KD's and KC's due_at is now the receiver's deadline; they are judged on their own.
    assert _referral("KD").due_at > _utc("2025-04-07T22:59:59")
    by_kind, by_week = performance.referral_outcomes([lancs], performance.period(12, AT))
    assert by_kind[CS] == Outcomes(on_time=2, late=2, overdue=1, in_time=1, withdrawn=1)
    assert by_kind[CS].opened == 7 and by_kind[CS].on_time_percent == 50
    assert by_kind[NRM] == Outcomes()
    assert by_week[date(2025, 3, 3)] == Outcomes(on_time=1, late=1, overdue=1, withdrawn=1)
    assert by_week[date(2025, 3, 31)] == Outcomes(on_time=1, late=1)
    assert by_week[date(2025, 4, 7)] == Outcomes(in_time=1)
    assert sum(o.opened for o in by_week.values()) == 7


def test_a_draft_is_overdue_only_once_its_deadline_has_passed(lancs):
    # KF is due at the end of Wednesday 9 April (BST): 22:59:59 UTC.
    before = performance.period(12, datetime(2025, 4, 9, 22, 59, 59, tzinfo=UTC))
    after = performance.period(12, datetime(2025, 4, 9, 23, 0, 0, tzinfo=UTC))
    assert performance.referral_outcomes([lancs], before)[0][CS].in_time == 1
    assert performance.referral_outcomes([lancs], after)[0][CS].in_time == 0


def test_a_made_referral_whose_rule_is_gone_is_counted_as_opened_only(lancs):
    Duty.objects.filter(pk=_referral("KA").pk).update(rule="no-longer-a-rule")
    outcomes = performance.referral_outcomes([lancs], performance.period(12, AT))[0][CS]
    assert (outcomes.on_time, outcomes.unknown, outcomes.opened) == (1, 1, 7)


def test_referrals_overdue_now_are_the_forces_and_the_receivers(lancs):
    escalation.escalate(AT)
    overdue = performance.overdue_now([lancs], AT)
    # KE, never made. KD made Monday 23:30 BST: the receiver's deadline was the end of
    # Tuesday; KC made at 00:30 BST on Tuesday: due by the end of Wednesday, not yet late.
    assert overdue[CS] == performance.Overdue(not_made=1, with_receiver=1, escalated=2)
    assert overdue[NRM] == performance.Overdue(0, 0, 0)


def test_the_receivers_decisions_in_the_period(lancs):
    found = performance.decisions([lancs], performance.period(12, AT))
    assert found[CS] == {"accepted": 1, "no_further_action": 0, "rejected": 1}
    assert set(found[NRM].values()) == {0}
    assert performance.decisions([lancs], performance.period(1, AT))[CS]["accepted"] == 0


# -- children --------------------------------------------------------------------------------


def test_the_dashboards_figures_for_a_force(lancs):
    figures = performance.figures([lancs], 12, AT)
    assert figures.encountered == 7  # the children, not the adult arrested with them
    assert sum(figures.children.values()) == 7
    assert figures.arrested == 7
    # KE's referral was never made and KG's withdrawn; KF's is still in time.
    assert figures.arrested_without_referral == 2
    assert figures.weeks[date(2025, 3, 3)].arrested == 4
    assert figures.weeks[date(2025, 3, 3)].arrested_without_referral == 2
    assert figures.weeks[date(2025, 3, 31)] == performance.Week(arrested=2)
    assert figures.weeks[date(2025, 4, 7)] == performance.Week(arrested=1)
    assert figures.referral_total.opened == 7
    assert list(figures.weeks) == list(figures.period.weeks)


def test_a_forces_figures_leave_out_another_forces_records(lancs, record):
    record(
        {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
        _child("CX", agency="cumbria"),
        _event("A-CX", "arrest", "2025-04-01T12:00:00Z", ("CX", "suspect")) | {"agency": "cumbria"},
    )
    cumbria = Agency.objects.get(code="cumbria").pk
    ours = performance.figures([lancs], 12, AT)
    theirs = performance.figures([cumbria], 12, AT)
    both = performance.figures([lancs, cumbria], 12, AT)
    assert (ours.arrested, theirs.arrested, both.arrested) == (7, 1, 8)
    assert (ours.encountered, theirs.encountered, both.encountered) == (7, 1, 8)
    assert (ours.referral_total.opened, theirs.referral_total.opened) == (7, 1)
    assert theirs.overdue[CS].not_made == 1 and ours.overdue[CS].not_made == 1
    assert theirs.arrested_without_referral == 1  # its referral was never made
    assert ours.arrested_without_referral == 2 and both.arrested_without_referral == 3


def test_weeks_are_counted_in_uk_time_across_the_change_to_bst(record):
    # British Summer Time began at 01:00 UTC on Sunday 30 March 2025.
    record(*WORLD, *(_child(ref) for ref in ("P1", "P2", "P3", "P4")))
    record(
        _event("W1", "arrest", "2025-03-23T23:30:00Z", ("P1", "suspect")),  # Sun 23:30 GMT
        _event("W2", "arrest", "2025-03-24T00:30:00Z", ("P2", "suspect")),  # Mon 00:30 GMT
        _event("W3", "arrest", "2025-03-30T22:30:00Z", ("P3", "suspect")),  # Sun 23:30 BST
        _event("W4", "arrest", "2025-03-30T23:30:00Z", ("P4", "suspect")),  # Mon 00:30 BST
    )
    lancs = Agency.objects.get(code="lancs").pk
    figures = performance.figures([lancs], 12, datetime(2025, 4, 2, 12, tzinfo=UTC))
    arrested = {w: week.arrested for w, week in figures.weeks.items() if week.arrested}
    expected = {date(2025, 3, 17): 1, date(2025, 3, 24): 2, date(2025, 3, 31): 1}
    assert arrested == expected
    opened = {w: o.opened for w, o in figures.referral_weeks.items() if o.opened}
    assert opened == expected
    # The week that began at Monday 00:00 BST (Sunday 23:00 UTC) holds only W4.
    last = performance.figures([lancs], 1, datetime(2025, 4, 2, 12, tzinfo=UTC))
    assert last.arrested == 1 and last.referral_total.opened == 1


# -- charges ---------------------------------------------------------------------------------


def _charge_around_intake(person: Person, at: datetime) -> None:
    """Store a charge as an old migration would, without intake's charging check."""
    [event_id] = records.insert_records(
        "event",
        [
            {
                "agency_id": person.agency_id,
                "source_ref": f"RAW-{at:%Y%m%d}",
                "source_hash": "",
                "kind": "charge",
                "occurred_at": at,
                "attributes": {},
            }
        ],
    )
    records.insert_participations(
        [
            {
                "event_id": event_id,
                "person_id": person.pk,
                "role": "suspect",
                "occurred_at": at,
                "age_at_event": 14,
            }
        ]
    )


def test_children_charged_despite_signs_of_exploitation(record):
    record(*WORLD, *SIGNS)
    charging.sign_off(_review(), by_name="DI Patel", at=SIGNED)
    record(CHARGE)  # Thursday 20 February 2025, on the signed-off review
    kid = Person.objects.get(source_ref="KID")
    _charge_around_intake(kid, datetime(2025, 2, 25, 18, tzinfo=UTC))  # no review
    lancs = Agency.objects.get(code="lancs").pk
    figures = performance.figures([lancs], 12, datetime(2025, 3, 1, 12, tzinfo=UTC))
    assert (figures.charged_despite_signs, figures.charged_without_review) == (1, 1)
    assert figures.weeks[date(2025, 2, 17)] == performance.Week(charged_despite_signs=1)
    assert figures.weeks[date(2025, 2, 24)] == performance.Week(charged_without_review=1)
    # Not in a period that ends before them, nor in another force's figures.
    earlier = performance.figures([lancs], 12, datetime(2025, 2, 20, 12, tzinfo=UTC))
    assert (earlier.charged_despite_signs, earlier.charged_without_review) == (0, 0)
    record({"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"})
    other = performance.figures([Agency.objects.get(code="cumbria").pk], 12, figures.period.end)
    assert (other.charged_despite_signs, other.charged_without_review) == (0, 0)


def test_the_week_of_a_monday_is_itself():
    assert Period.week_of(date(2025, 3, 31)) == date(2025, 3, 31)
    assert Period.week_of(date(2025, 3, 30)) == date(2025, 3, 24)


def test_referrals_of_children_found_with_registered_offenders_are_counted(lancs):
    from safeguard.safeguarding.duties import AlertFacts

    child = Person.objects.get(source_ref="KA")
    found = {
        # Found Monday 7 April, 09:00: due by the end of Tuesday, not made: overdue at AT.
        1: datetime(2025, 4, 7, 8, 0, tzinfo=UTC),
        # Found Wednesday 9 April, 08:00: still in time at AT.
        2: datetime(2025, 4, 9, 7, 0, tzinfo=UTC),
    }
    opened = services.open_for_alerts(
        [
            AlertFacts(alert, child.pk, lancs, 14, at, "a child, aged 14, lives at an address")
            for alert, at in found.items()
        ]
    )
    assert len(set(opened.values())) == 1  # the second joins the draft the first opened
    figures = performance.figures([lancs], 12, AT)
    assert figures.referrals["offender_contact"] == Outcomes(overdue=1)
    assert performance.overdue_now([lancs], AT)["offender_contact"].not_made == 1
    assert set(performance.decisions([lancs], figures.period)["offender_contact"]) == {
        "accepted",
        "no_further_action",
        "rejected",
    }
