"""Duties opened through the pipeline: which rule opens what, once, and how duties move on."""

from datetime import UTC, datetime

import pytest

from safeguard.records.ages import UK
from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding import services
from safeguard.safeguarding.calendar import working_days_after
from safeguard.safeguarding.models import Duty, Transition, Trigger
from safeguard.safeguarding.states import TransitionError

WORLD = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"},
    {
        "type": "agency",
        "code": "blackpool-cs",
        "kind": "childrens_services",
        "name": "Blackpool Children's Services",
        "area_code": "E06000009",
    },
    {
        "type": "agency",
        "code": "sca",
        "kind": "nrm_decision_maker",
        "name": "Single Competent Authority",
    },
    {
        "type": "location",
        "agency": "lancs",
        "ref": "HOME",
        "kind": "home",
        "force_area": "lancashire",
        "local_authority": "E06000009",
    },
    {
        "type": "location",
        "agency": "lancs",
        "ref": "CUCKOO",
        "kind": "cuckooed_address",
        "force_area": "lancashire",
        "local_authority": "E06000009",
    },
    {"type": "person", "agency": "lancs", "ref": "KID", "date_of_birth": "2010-04-01"},
    {"type": "person", "agency": "lancs", "ref": "ADULT", "date_of_birth": "1980-01-01"},
    {
        "type": "link",
        "agency": "lancs",
        "ref": "K1",
        "kind": "lives_at",
        "from_person": "KID",
        "to_location": "HOME",
    },
)


def _event(ref: str, kind: str, when: str, *people: tuple[str, str], **more) -> dict:
    return {
        "type": "event",
        "agency": "lancs",
        "ref": ref,
        "kind": kind,
        "occurred_at": when,
        "participants": [{"person": p, "role": r} for p, r in people],
        **more,
    }


def _duties(ref: str = "KID") -> list[tuple[str, str]]:
    person = Person.objects.get(source_ref=ref)
    return sorted(Duty.objects.filter(person=person).values_list("kind", "rule"))


@pytest.fixture
def world(record):
    record(*WORLD)


def test_a_child_arrested_as_a_suspect_is_referred_to_their_mash_within_a_working_day(
    world, record
):
    # Friday 7 March 2025, 18:00: due at the end of Monday.
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    [duty] = Duty.objects.all()
    assert (duty.kind, duty.rule, duty.state) == (
        "childrens_services_referral",
        "referral-arrested-child",
        "draft",
    )
    assert duty.receiver == Agency.objects.get(code="blackpool-cs")
    assert duty.agency.code == "lancs"
    assert duty.due_at == datetime(2025, 3, 10, 23, 59, 59, tzinfo=UK)
    assert duty.next_escalation_at == duty.due_at  # first escalation: at the deadline
    assert duty.transitions.get().to_state == "draft"


def test_an_adult_arrested_opens_no_child_duty(world, record):
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("ADULT", "suspect")))
    assert not Duty.objects.exists()


def test_custody_opens_the_referral_the_appropriate_adult_and_the_welfare_call(world, record):
    record(_event("C1", "custody", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    assert _duties() == [
        ("appropriate_adult", "appropriate-adult-in-custody"),
        ("childrens_services_referral", "referral-child-in-custody"),
        ("welfare_informed", "welfare-informed-in-custody"),
    ]
    aa = Duty.objects.get(kind="appropriate_adult")
    assert aa.due_at == datetime(2025, 3, 7, 20, 0, tzinfo=UTC)  # two hours, by the clock


def test_a_charged_child_refused_bail_opens_the_accommodation_request(world, record):
    record(
        _event(
            "CH1",
            "charge",
            "2025-03-07T18:00:00Z",
            ("KID", "suspect"),
            attributes={"bail": "refused"},
        ),
        _event(
            "CH2",
            "charge",
            "2025-03-08T18:00:00Z",
            ("KID", "suspect"),
            attributes={"bail": "granted"},
        ),
    )
    accommodation = Duty.objects.filter(kind="local_authority_accommodation")
    assert [t.event.source_ref for d in accommodation for t in d.triggers.all()] == ["CH1"]


def test_a_missing_child_is_referred_only_as_the_missing_person(world, record):
    record(
        _event(
            "M1",
            "missing_episode",
            "2025-03-07T21:00:00Z",
            ("ADULT", "reporter"),
            ("KID", "witness"),
        )
    )
    assert not Duty.objects.exists()
    record(_event("M2", "missing_episode", "2025-03-08T21:00:00Z", ("KID", "missing_person")))
    assert _duties() == [("childrens_services_referral", "referral-missing-child")]


def test_screening_at_medium_opens_the_referral_and_the_nrm_and_high_a_strategy_discussion(
    world, record
):
    record(
        _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
        _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
        _event("F1", "found_out_of_area", "2025-02-11T09:00:00Z", ("KID", "missing_person")),
    )
    kinds = {kind for kind, _ in _duties()}
    assert {"childrens_services_referral", "nrm_referral"} <= kinds
    nrm = Duty.objects.get(kind="nrm_referral")
    assert nrm.receiver == Agency.objects.get(code="sca")
    assert nrm.triggers.filter(screening__level__in=["medium", "high"]).exists()


def test_the_same_event_processed_twice_opens_nothing_new(world, record):
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    event = Event.objects.get(source_ref="A1")
    before = (Duty.objects.count(), Trigger.objects.count(), Transition.objects.count())
    assert services.process([event.pk], []) == []
    assert services.process([event.pk, event.pk], []) == []
    assert (Duty.objects.count(), Trigger.objects.count(), Transition.objects.count()) == before


def test_a_second_arrest_while_the_referral_is_open_is_added_to_it(world, record):
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    record(_event("A2", "arrest", "2025-03-09T18:00:00Z", ("KID", "suspect")))
    [duty] = Duty.objects.all()
    assert [t.event.source_ref for t in duty.triggers.order_by("at")] == ["A1", "A2"]


def test_an_adult_resident_of_a_cuckooed_address_opens_an_nrm_referral(world, record):
    record(_event("R1", "raid", "2025-03-07T06:00:00Z", ("ADULT", "resident"), location="CUCKOO"))
    assert _duties("ADULT") == [("nrm_referral", "nrm-or-notify-cuckooed-resident")]


# -- steps -------------------------------------------------------------------------------


@pytest.fixture
def referral(world, record) -> Duty:
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    return Duty.objects.get()


def test_a_referral_is_submitted_acknowledged_decided_and_closed_with_its_history(referral):
    step = services.move(referral, "submitted", by_name="PC Jones")
    referral.refresh_from_db()
    assert referral.delivery == "queued"
    # The receiver's clock: acknowledged within one working day of submission.
    assert referral.due_at == working_days_after(step.at, 1)
    services.move(referral, "acknowledged", by_name="MASH duty worker")
    services.move(referral, "decision_recorded", by_name="MASH", decision="accepted")
    services.move(referral, "closed", by_name="MASH", reason="strategy discussion held")
    referral.refresh_from_db()
    assert referral.closed_at is not None and referral.next_escalation_at is None
    steps = list(referral.transitions.values_list("from_state", "to_state", "by_name"))
    assert steps == [
        ("", "draft", services.SYSTEM),
        ("draft", "submitted", "PC Jones"),
        ("submitted", "acknowledged", "MASH duty worker"),
        ("acknowledged", "decision_recorded", "MASH"),
        ("decision_recorded", "closed", "MASH"),
    ]


def test_a_step_cannot_be_dated_before_the_last_one(referral):
    with pytest.raises(TransitionError, match="cannot be dated before the duty's last step"):
        services.move(
            referral, "submitted", by_name="PC Jones", at=datetime(2025, 3, 1, tzinfo=UTC)
        )


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        (
            [("acknowledged", {})],
            "a draft duty cannot become acknowledged (next steps: submitted, withdrawn)",
        ),
        ([("withdrawn", {})], "withdrawn needs a reason"),
        ([("submitted", {}), ("rejected", {"reason": "  "})], "rejected needs a reason"),
        ([("submitted", {}), ("decision_recorded", {})], "recording a decision needs the decision"),
        (
            [("submitted", {}), ("decision_recorded", {"decision": "rg_positive"})],
            "reasonable and conclusive grounds are NRM decisions",
        ),
        (
            [("withdrawn", {"reason": "duplicate"}), ("submitted", {})],
            "a withdrawn duty cannot become submitted (next steps: none: it is finished)",
        ),
    ],
)
def test_steps_the_rules_do_not_allow_are_refused_with_the_reason(referral, steps, error):
    *ok, (last, options) = steps
    for to, opts in ok:
        services.move(referral, to, by_name="PC Jones", **opts)
    before = referral.transitions.count()
    with pytest.raises(TransitionError) as caught:
        services.move(referral, last, by_name="PC Jones", **options)
    assert str(caught.value) == error
    assert referral.transitions.count() == before  # nothing half-saved


def test_an_nrm_referral_records_reasonable_then_conclusive_grounds(world, record):
    record(_event("R1", "raid", "2025-03-07T06:00:00Z", ("ADULT", "resident"), location="CUCKOO"))
    nrm = Duty.objects.get(kind="nrm_referral")
    services.record_consent(nrm, True, by_name="DC Shah")
    services.move(nrm, "submitted", by_name="DC Shah")
    with pytest.raises(TransitionError, match="first decision is on reasonable grounds"):
        services.move(nrm, "decision_recorded", by_name="SCA", decision="cg_positive")
    services.move(nrm, "decision_recorded", by_name="SCA", decision="rg_positive")
    services.move(nrm, "decision_recorded", by_name="SCA", decision="cg_positive")
    nrm.refresh_from_db()
    assert (nrm.state, nrm.decision) == ("decision_recorded", "cg_positive")


# -- an adult's consent ----------------------------------------------------------------------


@pytest.fixture
def adult_nrm(world, record) -> Duty:
    record(_event("R1", "raid", "2025-03-07T06:00:00Z", ("ADULT", "resident"), location="CUCKOO"))
    return Duty.objects.get(kind="nrm_referral")


def test_an_adults_nrm_referral_is_not_submitted_without_their_consent(adult_nrm):
    with pytest.raises(TransitionError, match="needs their informed consent"):
        services.move(adult_nrm, "submitted", by_name="DC Shah")
    assert services.record_consent(adult_nrm, True, by_name="DC Shah") is None
    services.move(adult_nrm, "submitted", by_name="DC Shah")
    adult_nrm.refresh_from_db()
    assert (adult_nrm.state, adult_nrm.consent) == ("submitted", True)


def test_a_refusal_withdraws_the_referral_and_opens_an_anonymous_duty_to_notify(adult_nrm):
    notify = services.record_consent(
        adult_nrm, False, by_name="DC Shah", note="afraid of reprisals"
    )
    adult_nrm.refresh_from_db()
    assert (adult_nrm.state, adult_nrm.consent) == ("withdrawn", False)
    assert "did not consent" in adult_nrm.transitions.last().reason
    assert (notify.kind, notify.person_id, notify.state) == (
        "duty_to_notify",
        adult_nrm.person_id,
        "draft",
    )
    assert notify.receiver == Agency.objects.get(code="sca")
    # Anonymous: nothing that names or locates the person is shared.
    assert not {"identity", "ethnicity", "home_address", "school"} & set(notify.shared)
    with pytest.raises(TransitionError, match="already recorded"):
        services.record_consent(adult_nrm, True, by_name="DC Shah")


def test_a_childs_referral_does_not_ask_for_consent(referral):
    with pytest.raises(TransitionError, match="does not ask for consent"):
        services.record_consent(referral, False, by_name="PC Jones")


def test_a_step_decided_on_an_old_version_is_refused_as_a_conflict(referral):
    seen = referral.version
    services.move(referral, "submitted", by_name="PC Jones", expected_version=seen)
    with pytest.raises(TransitionError, match="someone else changed this duty"):
        services.move(
            referral, "withdrawn", by_name="PC Evans", reason="duplicate", expected_version=seen
        )


def test_a_referral_already_sent_is_not_reopened_by_a_later_arrest(referral, record):
    services.move(referral, "submitted", by_name="PC Jones")
    record(_event("A2", "arrest", "2025-03-12T18:00:00Z", ("KID", "suspect")))
    assert Duty.objects.filter(kind="childrens_services_referral").count() == 2
    assert Duty.objects.get(state="draft").triggers.get().event.source_ref == "A2"


def test_duties_run_applies_the_rules_to_everything_loaded_once(world, record):
    from django.core.management import call_command

    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    Trigger.objects.all().delete()
    Transition.objects.all().delete()
    Duty.objects.all().delete()
    call_command("duties", "run")
    assert _duties() == [("childrens_services_referral", "referral-arrested-child")]
    call_command("duties", "run")
    assert Duty.objects.count() == 1


def test_history_recorded_at_once_is_split_where_a_referral_was_made(world, record):
    # Both arrests arrive in one import and join one draft; the referral was in fact made the
    # morning after the first, so the second arrest belongs to a referral of its own.
    record(
        _event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")),
        _event("A2", "arrest", "2025-03-12T18:00:00Z", ("KID", "suspect")),
    )
    first = Duty.objects.get()
    made = datetime(2025, 3, 8, 9, 0, tzinfo=UTC)
    later = services.split_after(first, made)
    assert [t.event.source_ref for t in first.triggers.all()] == ["A1"]
    assert [t.event.source_ref for t in later.triggers.all()] == ["A2"]
    assert later.started_at == datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
    assert later.due_at == datetime(2025, 3, 13, 23, 59, 59, tzinfo=UK)
    assert services.split_after(first, made) is None  # nothing left to split
    services.move(first, "submitted", by_name="PC Jones", at=made)
    assert services.split_after(first, made) is None  # only a draft is split
