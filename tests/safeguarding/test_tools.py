"""Legal tools: the catalogue, the conditions that recommend each tool, and decisions on them."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.records.models import Event, Person
from safeguard.safeguarding import pipeline, recommending, tools
from safeguard.safeguarding.models import ToolRecommendation
from safeguard.safeguarding.recommending import RecommendationConflict, RecommendationError

CAWN = "child-abduction-warning-notice"
S2 = "msa-s2-trafficking-charge"
STRO = "slavery-trafficking-risk-order"
STPO = "slavery-trafficking-prevention-order"
CBO = "criminal-behaviour-order"
GANG = "gang-injunction"
OSMAN = "osman-warning"
CLOSURE = "closure-order-cuckooed-address"


def _place(ref: str, kind: str, address: str = "") -> dict:
    return {"type": "location", "agency": "lancs", "ref": ref, "kind": kind, "address": address}


def _person(ref: str, given: str, family: str, born: str, *flags: str) -> dict:
    record = {
        "type": "person",
        "agency": "lancs",
        "ref": ref,
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
    }
    return record | ({"flags": list(flags)} if flags else {})


def _link(ref: str, kind: str, person: str, to: str, **more) -> dict:
    end = {"lives_at": "to_location", "stays_at": "to_location", "uses_phone": "to_phone"}
    return {
        "type": "link",
        "agency": "lancs",
        "ref": ref,
        "kind": kind,
        "from_person": person,
        end.get(kind, "to_person"): to,
        **more,
    }


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


WORLD = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"},
    _place("ACACIA", "home", "12 Acacia Road\nBlackpool FY1 1AA"),
    _place("KIDHOME", "home", "3 Elm Street, Liverpool"),
    _place("OAKHOUSE", "care_home", "Oak House, Preston"),
    _place("FLAT", "cuckooed_address", "Flat 4, 9 Dock Street, Blackpool"),
    _place("TRAP", "trap_house", "21 Mill Lane, Blackpool"),
    _place("STATION", "station"),
    _person("ADULT", "Mark", "Jones", "1990-01-01"),
    _person("OTHER", "Ian", "Wood", "1985-01-01"),
    _person("RESIDENT", "Ann", "Hale", "1960-01-01", "vulnerable_adult"),
    _person("KID15", "Jay", "Smith", "2009-06-01"),
    _person("KID16", "Lee", "Brown", "2008-06-01"),
    _person("KID17", "Sam", "Grey", "2007-06-01", "looked_after_child"),
    _person("KID17H", "Tom", "Field", "2007-06-01"),
    _link("L-ADULT", "lives_at", "ADULT", "ACACIA", valid_from="2024-01-01"),
    _link("L-KID15", "lives_at", "KID15", "KIDHOME"),
    _link("L-KID16", "lives_at", "KID16", "KIDHOME"),
    _link("L-KID17H", "lives_at", "KID17H", "OAKHOUSE"),
    _link("L-RESIDENT", "lives_at", "RESIDENT", "FLAT", valid_from="2023-05-01"),
)


@pytest.fixture(autouse=True)
def by_hand(monkeypatch):
    """Record events without the pipeline's recommending, so each test calls recommend()
    itself and sees what it returns (the pipeline's own call is tested on its own below)."""
    monkeypatch.setattr(pipeline, "recommending", SimpleNamespace(recommend=lambda ids: []))


@pytest.fixture
def world(record):
    record(*WORLD)


def _ids(*refs: str) -> list[int]:
    return [Event.objects.get(source_ref=ref).pk for ref in refs]


def _made() -> list[tuple[str, str]]:
    """Return (tool, subject's ref) of every recommendation stored."""
    refs = dict(Person.objects.values_list("id", "source_ref"))
    return sorted((r.tool, refs[r.subject_id]) for r in ToolRecommendation.objects.all())


def _found(record, child: str, *, at: str = "ACACIA") -> None:
    """Record a child reported missing from home on 3 Feb 2025 and found at `at` the next day."""
    record(
        _event("M1", "missing_episode", "2025-02-03T20:00:00Z", (child, "missing_person")),
        _event(
            "F1",
            "found_out_of_area",
            "2025-02-04T10:00:00Z",
            (child, "missing_person"),
            location=at,
        ),
    )


# -- Child Abduction Warning Notice -------------------------------------------------------


def test_a_child_of_15_found_where_an_adult_lives_recommends_a_cawn_against_that_adult(
    world, record
):
    _found(record, "KID15")
    [made] = recommending.recommend(_ids("M1", "F1"))
    assert _made() == [(CAWN, "ADULT")]
    assert made.subject.source_ref == "ADULT"
    assert made.protects == [Person.objects.get(source_ref="KID15").pk]
    assert made.events == _ids("F1", "M1")  # the trigger first
    assert made.status == "recommended" and made.version == 1
    assert made.catalogue.startswith("legal-tools 1.1.0 (")
    assert made.agency.code == "lancs"
    assert made.reasons == [
        "Child Jay Smith (15) was reported missing on 3 Feb 2025 and found on 4 Feb 2025 at "
        "12 Acacia Road, where Mark Jones lives (lives_at link from 1 Jan 2024).",
        "Mark Jones was 35 on that day.",
    ]


@pytest.mark.parametrize(
    ("child", "extra", "expected"),
    [
        ("KID16", (), []),  # 16 and not in care: too old for a CAWN
        ("KID17", (), [(CAWN, "ADULT")]),  # 17 and flagged as looked after
        ("KID17H", (), [(CAWN, "ADULT")]),  # 17 and living in a children's home
        # The adult is a relative of the child: never the subject.
        ("KID15", (_link("FAM", "family", "ADULT", "KID15"),), []),
    ],
)
def test_a_cawn_follows_the_age_limits_and_leaves_relatives_out(
    world, record, child, extra, expected
):
    if extra:
        record(*extra)
    _found(record, child)
    recommending.recommend(_ids("M1", "F1"))
    assert _made() == expected


def test_the_reasons_say_how_the_records_show_a_child_in_care(world, record):
    _found(record, "KID17H")
    [made] = recommending.recommend(_ids("F1"))
    assert made.reasons[0].startswith("Child Tom Field (17, in care) was reported missing")
    assert (
        "Tom Field is in care: they live at Oak House, Preston (children's home"
        in (made.reasons[1])
    )


def test_no_cawn_when_no_adult_is_linked_to_the_address_where_the_child_was_found(world, record):
    record(_place("PARK", "street", "Stanley Park"))
    _found(record, "KID15", at="PARK")
    recommending.recommend(_ids("M1", "F1"))
    assert _made() == []


def test_no_cawn_against_a_vulnerable_adult_at_a_cuckooed_address(world, record):
    _found(record, "KID15", at="FLAT")
    recommending.recommend(_ids("F1"))
    assert CAWN not in {tool for tool, _ in _made()}


def test_no_cawn_when_the_adult_had_left_the_address_before_the_child_was_found(world, record):
    record(_link("L-OTHER", "stays_at", "OTHER", "TRAP", valid_to="2025-01-31"))
    _found(record, "KID15", at="TRAP")
    recommending.recommend(_ids("F1"))
    assert _made() == []


# -- an adult who moved or directed children ----------------------------------------------


def test_an_adult_travelling_with_a_child_is_considered_for_a_trafficking_charge_and_a_risk_order(
    world, record
):
    record(
        _event(
            "J1",
            "journey",
            "2025-03-08T09:30:00Z",
            ("ADULT", "traveller"),
            ("KID15", "traveller"),
            location="STATION",
        )
    )
    made = recommending.recommend(_ids("J1"))
    assert _made() == [(S2, "ADULT"), (STRO, "ADULT")]  # no charge yet, one child
    assert made[0].protects == [Person.objects.get(source_ref="KID15").pk]
    assert made[0].reasons == [
        "On 8 Mar 2025 Mark Jones (35, traveller) and child Jay Smith (15) were recorded "
        "together in a journey at the railway or bus station recorded as STATION."
    ]


@pytest.mark.parametrize(
    "people",
    [
        (("ADULT", "traveller"), ("OTHER", "traveller")),  # no child
        (("ADULT", "traveller"), ("ADULT", "victim"), ("KID15", "traveller")),  # adult victim
        (("ADULT", "witness"), ("KID15", "traveller")),  # not in a controlling role
    ],
)
def test_being_with_a_child_is_not_control_when_the_adult_is_no_suspect_or_no_child_is_there(
    world, record, people
):
    record(_event("J1", "journey", "2025-03-08T09:30:00Z", *people))
    recommending.recommend(_ids("J1"))
    assert _made() == []


def test_a_young_adult_with_a_child_is_not_taken_for_their_controller(world, record):
    # 19 with a child of 15: much the same age, most likely exploited by the same line.
    record(
        _person("YOUNG", "Kai", "Bell", "2005-09-01"),
        _event(
            "J1",
            "journey",
            "2025-03-08T09:30:00Z",
            ("YOUNG", "traveller"),
            ("KID15", "traveller"),
        ),
    )
    recommending.recommend(_ids("J1"))
    assert _made() == []


def test_new_evidence_is_added_to_an_undecided_recommendation_and_opens_a_new_one_after(
    world, record
):
    journey = lambda ref, day, kid: _event(  # noqa: E731
        ref, "journey", f"2025-03-{day}T09:30:00Z", ("ADULT", "traveller"), (kid, "traveller")
    )
    record(journey("J1", "08", "KID15"), journey("J2", "09", "KID16"))
    recommending.recommend(_ids("J1", "J2"))
    [s2] = ToolRecommendation.objects.filter(tool=S2)
    assert s2.events == _ids("J1", "J2") and len(s2.reasons) == 2
    assert s2.protects == [Person.objects.get(source_ref=k).pk for k in ("KID15", "KID16")]
    recommending.set_status(s2, "declined", by_name="DI Patel", reason="CPS advise no charge yet")
    record(journey("J3", "10", "KID15"))
    recommending.recommend(_ids("J1", "J2", "J3"))
    assert ToolRecommendation.objects.filter(tool=S2).count() == 2
    again = ToolRecommendation.objects.get(tool=S2, status="recommended")
    assert again.events[0] == _ids("J3")[0]  # the new trigger, with the evidence before it


def test_recording_events_recommends_through_the_pipeline(world, record, monkeypatch):
    monkeypatch.undo()  # the real pipeline
    _found(record, "KID15")
    assert _made() == [(CAWN, "ADULT")]


def _deal_line(record, *, deal_line: bool = True) -> None:
    """The adult uses a phone; a child has it seized from them in an arrest."""
    record(
        {
            "type": "phone",
            "agency": "lancs",
            "ref": "DEAL",
            "number": "07700900123",
            "is_deal_line": deal_line,
            **({"line_name": "Tony"} if deal_line else {}),
        },
        _link("U1", "uses_phone", "ADULT", "DEAL", valid_from="2025-01-01"),
        _event(
            "A1",
            "arrest",
            "2025-03-10T15:00:00Z",
            ("KID15", "suspect"),
            ("KID15", "victim"),
            location="TRAP",
            objects=[{"phone": "DEAL", "holder": "KID15", "role": "seized"}],
        ),
    )


def test_the_holder_of_a_deal_line_a_child_carried_is_considered_for_the_same_tools(world, record):
    _deal_line(record)
    made = recommending.recommend(_ids("A1"))
    assert _made() == [(S2, "ADULT"), (STRO, "ADULT")]
    assert made[0].reasons == [
        "On 10 Mar 2025 child Jay Smith (15) held the deal-line phone 07700900123 (the Tony "
        "line) in an arrest at 21 Mill Lane, Blackpool; Mark Jones (35) is recorded as using "
        "that phone (uses_phone link from 1 Jan 2025)."
    ]


def test_a_phone_that_is_not_a_deal_line_shows_no_control(world, record):
    _deal_line(record, deal_line=False)
    recommending.recommend(_ids("A1"))
    assert _made() == []


def test_a_charge_after_the_evidence_brings_the_orders_made_on_conviction(world, record):
    _deal_line(record)
    recommending.recommend(_ids("A1"))
    record(
        _event(
            "C1",
            "charge",
            "2025-04-01T12:00:00Z",
            ("ADULT", "suspect"),
            attributes={"offence": "Being concerned in the supply of a Class A drug"},
        )
    )
    new = recommending.recommend(_ids("C1"))
    assert sorted(r.tool for r in new) == [CBO, STPO]
    stpo = next(r for r in new if r.tool == STPO)
    assert stpo.events == _ids("C1", "A1")
    assert stpo.reasons[-1] == (
        "Mark Jones was charged with Being concerned in the supply of a Class A drug on 1 Apr 2025."
    )


def test_a_gang_injunction_needs_two_children_with_the_adult(world, record):
    record(
        _event(
            "R1",
            "raid",
            "2025-03-12T06:00:00Z",
            ("ADULT", "suspect"),
            ("KID15", "suspect"),
            location="TRAP",
        )
    )
    recommending.recommend(_ids("R1"))
    assert GANG not in {tool for tool, _ in _made()}
    record(
        _event(
            "R2",
            "raid",
            "2025-03-20T06:00:00Z",
            ("ADULT", "suspect"),
            ("KID16", "suspect"),
            location="TRAP",
        )
    )
    new = recommending.recommend(_ids("R2"))
    [gang] = [r for r in new if r.tool == GANG]
    assert sorted(gang.protects) == sorted(
        Person.objects.filter(source_ref__in=["KID15", "KID16"]).values_list("id", flat=True)
    )
    assert gang.events == _ids("R2", "R1")
    assert gang.reasons[-1] == "2 different children are involved (the tool asks for at least 2)."


# -- Osman warning ------------------------------------------------------------------------


def test_intelligence_of_a_threat_to_a_childs_life_recommends_an_osman_warning(world, record):
    record(
        _event(
            "I1",
            "intelligence_report",
            "2025-03-15T22:00:00Z",
            ("KID15", "victim"),
            ("ADULT", "suspect"),
            grading="1-A-P",
            attributes={"threat_to_life": True},
        ),
        _event(
            "I2",
            "intelligence_report",
            "2025-03-16T22:00:00Z",
            ("KID16", "victim"),
            attributes={"threat_to_life": False},
        ),
    )
    [made] = recommending.recommend(_ids("I1", "I2"))
    assert _made() == [(OSMAN, "KID15")]
    assert made.reasons == [
        "An intelligence report of 15 Mar 2025 (graded 1-A-P) records a threat to the life of "
        "child Jay Smith (15, victim).",
        "It names Mark Jones (35), recorded as suspect.",
    ]


# -- closure of a cuckooed address --------------------------------------------------------


def test_a_raid_on_a_cuckooed_address_with_an_adult_resident_recommends_its_closure(world, record):
    record(
        _event(
            "R1",
            "raid",
            "2025-03-12T06:00:00Z",
            ("RESIDENT", "resident"),
            ("RESIDENT", "victim"),
            ("KID16", "suspect"),
            location="FLAT",
        ),
        _event("R2", "raid", "2025-03-12T06:30:00Z", ("KID15", "suspect"), location="TRAP"),
    )
    [made] = recommending.recommend(_ids("R1", "R2"))
    assert _made() == [(CLOSURE, "RESIDENT")]
    assert made.protects == [Person.objects.get(source_ref="KID16").pk]
    assert made.reasons == [
        "A raid on 12 Mar 2025 was at Flat 4, 9 Dock Street, Blackpool, recorded as a "
        "cuckooed address.",
        "Ann Hale (65) lives there (recorded as resident in that raid).",
        "Child recorded there: Lee Brown (16).",
    ]


def test_a_cuckooed_address_with_no_adult_resident_recommends_nothing(world, record):
    record(_place("EMPTY", "cuckooed_address", "Flat 1, 2 Bay Road"))
    record(_event("R1", "raid", "2025-03-12T06:00:00Z", ("KID16", "suspect"), location="EMPTY"))
    recommending.recommend(_ids("R1"))
    assert _made() == []


# -- recommending once --------------------------------------------------------------------


def test_recommending_the_same_events_again_stores_nothing_new(world, record):
    _found(record, "KID15")
    assert len(recommending.recommend(_ids("M1", "F1"))) == 1
    assert recommending.recommend(_ids("F1", "F1")) == []
    assert recommending.recommend() == []  # every event stored: still the same one
    assert ToolRecommendation.objects.count() == 1


def test_recommending_everything_finds_what_the_events_one_by_one_would(world, record):
    _found(record, "KID15")
    _deal_line(record)
    made = recommending.recommend()
    assert sorted((r.tool, r.subject.source_ref) for r in made) == [
        (CAWN, "ADULT"),
        (S2, "ADULT"),
        (STRO, "ADULT"),
    ]


def test_the_queries_a_chunk_does_not_grow_with_its_events(world, record):
    def journeys(first: int, n: int) -> list[int]:
        record(
            *(
                _event(
                    f"J{i}",
                    "journey",
                    f"2025-03-{i:02d}T09:30:00Z",
                    ("ADULT", "traveller"),
                    ("KID15", "traveller"),
                )
                for i in range(first, first + n)
            )
        )
        return _ids(*(f"J{i}" for i in range(first, first + n)))

    few, many = journeys(1, 2), journeys(3, 20)
    with CaptureQueriesContext(connection) as one:
        recommending.recommend(few)
    with CaptureQueriesContext(connection) as more:
        recommending.recommend(many)
    assert len(more) == len(one)


# -- decisions ----------------------------------------------------------------------------


@pytest.fixture
def cawn(world, record) -> ToolRecommendation:
    _found(record, "KID15")
    [made] = recommending.recommend(_ids("F1"))
    return made


def test_declining_needs_a_reason_and_nothing_is_saved_without_one(cawn):
    with pytest.raises(RecommendationError, match="declining a recommendation needs a reason"):
        recommending.set_status(cawn, "declined", by_name="DS Patel", reason="  ")
    cawn.refresh_from_db()
    assert (cawn.status, cawn.version, cawn.status_by_name) == ("recommended", 1, "")


def test_actioned_is_recorded_with_who_and_when_and_a_second_change_is_refused(cawn):
    at = datetime(2030, 1, 6, 9, 0, tzinfo=UTC)
    done = recommending.set_status(
        cawn, "actioned", by_name="PC Jones", reason="CAWN served in person", at=at
    )
    cawn.refresh_from_db()
    assert (cawn.status, cawn.status_by_name, cawn.status_at, cawn.version) == (
        "actioned",
        "PC Jones",
        at,
        2,
    )
    assert cawn.status_reason == "CAWN served in person" and done.version == 2
    with pytest.raises(RecommendationError) as caught:
        recommending.set_status(cawn, "declined", by_name="DS Patel", reason="not needed")
    assert str(caught.value) == (
        "this recommendation was already actioned by PC Jones on 06 Jan 2030; "
        "it cannot become declined"
    )


def test_a_decision_on_a_stale_version_is_refused_as_a_conflict(cawn):
    recommending.set_status(cawn, "declined", by_name="DS Patel", reason="child placed far away")
    with pytest.raises(RecommendationConflict, match="changed by someone else .* version 2, not 1"):
        recommending.set_status(cawn, "actioned", by_name="PC Jones", expected_version=1)


def test_only_actioned_or_declined_are_decisions(cawn):
    with pytest.raises(RecommendationError, match="actioned or declined, not 'recommended'"):
        recommending.set_status(cawn, "recommended", by_name="PC Jones")


# -- the catalogue ------------------------------------------------------------------------

GOOD = """
id: test-tools
title: Test
version: 0.1.0
tools:
  - id: cawn
    title: CAWN
    citation: Child Abduction Act 1984 s2; Children Act 1989 s49
    against: adult_exploiter
    when: {type: missing_child_found_at_adults_address, under: 16, under_if_in_care: 18}
"""


def test_the_default_catalogue_has_every_tool_of_domain_section_5():
    loaded = tools.load(tools.DEFAULT_PATH)
    assert {t.id for t in loaded.tools} == {CAWN, S2, STRO, STPO, CBO, GANG, OSMAN, CLOSURE}
    assert all(t.citation for t in loaded.tools)
    assert len(loaded.content_hash) == 64


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("type: missing_child_found_at_adults_address", "type: found_at_address"),
            "tools[0] (cawn): when: Input tag 'found_at_address' found using 'type' does not "
            "match any of the expected tags",
        ),
        (
            ("    citation: Child Abduction Act 1984 s2; Children Act 1989 s49\n", ""),
            "tools[0] (cawn): citation: is required",
        ),
        (("against: adult_exploiter", "against: child"), "tools[0] (cawn): a missing_child"),
        (
            ("under: 16,", "under: 16, adults: 1,"),
            "tools[0] (cawn): when.adults: Extra inputs are not permitted",
        ),
        (
            ("tools:\n", "tools:\n" + GOOD.split("tools:\n")[1]),
            "cawn: the id is used twice",
        ),
        (
            ("under_if_in_care: 18", "under_if_in_care: 14"),
            "tools[0] (cawn): when: under_if_in_care (14) is below under (16)",
        ),
    ],
)
def test_each_problem_of_a_catalogue_names_its_tool(change, problem):
    old, new = change
    assert old in GOOD
    with pytest.raises(tools.CatalogueError) as caught:
        tools.parse(GOOD.replace(old, new), "force.yaml")
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert str(caught.value).startswith("force.yaml: ")


def test_a_force_catalogue_replaces_the_default_and_a_bad_one_stops_the_system(tmp_path, settings):
    from safeguard.safeguarding.checks import tools_load

    own = tmp_path / "tools.yaml"
    own.write_text(GOOD.replace("version: 0.1.0", "version: 0.2.0"))
    settings.TOOL_CATALOGUE = str(own)
    assert tools.current().label.startswith("test-tools 0.2.0")
    assert tools_load() == []
    own.write_text(
        GOOD.replace("    citation: Child Abduction Act 1984 s2; Children Act 1989 s49\n", "")
    )
    [error] = tools_load()
    assert error.id == "safeguarding.E002"
    assert error.msg == f"{own}: tools[0] (cawn): citation: is required"


def test_the_conditions_are_pure_functions_of_the_facts():
    day = datetime(2025, 2, 4, 10, tzinfo=UTC)
    facts = tools.Facts(
        events={
            1: tools.EventFacts(
                1,
                "found_out_of_area",
                day,
                agency_id=9,
                place_id=5,
                taking_part=(tools.Taking(2, frozenset({"missing_person"}), 13),),
            )
        },
        persons={3: tools.PersonFacts(3, date_of_birth=datetime(1980, 1, 1).date())},
        places={5: tools.PlaceFacts(5, "home", postcode="FY1 1AA")},
        links=(tools.LinkFacts(7, "stays_at", 3, to_place_id=5),),
    )
    [found] = tools.suggest(tools.parse(GOOD), facts, [1])
    assert (found.tool, found.subject_id, found.protects, found.key) == (
        "cawn",
        3,
        (2,),
        "cawn:3:e1",
    )
    assert found.reasons[0] == (
        "Child record 2 (13) was found, recorded as a missing person, on 4 Feb 2025 at FY1 1AA, "
        "where record 3 stays (stays_at link, undated)."
    )
