"""network.evidence and network.line_roles on a hand-built line: each piece, each role."""

from datetime import date

import pytest

from safeguard.network import evidence as ev
from safeguard.network import line_roles, line_rules
from safeguard.network.lines import FoundLine

from .factories import HandLine, hand_line, person, phone, record_graph, tie

RULES = line_rules.current()


class World:
    """A hand-built line, its graph, and the whole of it taken as the line's members."""

    def __init__(self, hl: HandLine, records: dict[str, ev.Recorded] | None = None):
        self.hl = hl
        self.rg = record_graph(hl.nodes, hl.ties)
        deal = self.v(hl.phones["deal"])
        self.line = FoundLine(
            key="bruno",
            brand="BRUNO",
            deal_phones={deal: "recorded as a deal line (Bruno)"},
            members=set(range(self.rg.graph.vcount())),
            first="2025-01-01",
            last="2025-03-31",
        )
        self.records = {self.p(k): r for k, r in (records or {}).items()}

    def v(self, node) -> int:
        return self.rg.index[node.key]

    def p(self, part: str) -> int:
        return self.v(self.hl.people[part])

    def evidence(self, all_deal: set[int] | None = None) -> ev.LineEvidence:
        return ev.LineEvidence(
            self.rg,
            self.line,
            RULES,
            self.records,
            line_roles.betweenness_within(self.rg, self.line),
            all_deal,
        )

    def piece(self, name: str, part: str) -> ev.Piece:
        return self.evidence().piece(name, self.p(part))

    def source(self, a, b, kind: str) -> str:
        """Return the one source of the tie of a kind between two nodes."""
        [found] = [
            t.source
            for t in self.hl.ties
            if t.kind == kind and {t.a, t.b} == {a.key, b.key} and t.source.startswith("link:")
        ]
        return found


def evidenced_line() -> World:
    """The hand line with what the events say: the runners' arrest with drugs, runner1's
    journey, the controller the subject of an intelligence report."""
    return World(
        hand_line(),
        {
            "runner1": ev.Recorded(
                events={"arrest:suspect": [1], "journey:traveller": [2]},
                drugs=[1],
                age_last_seen=15,
            ),
            "runner2": ev.Recorded(events={"arrest:suspect": [1]}, age_last_seen=16),
            "controller": ev.Recorded(events={"intelligence_report:subject": [3]}),
        },
    )


@pytest.fixture
def world() -> World:
    return evidenced_line()


# -- each piece of evidence


def test_uses_deal_phone_comes_from_an_attributed_link_not_from_an_event(world):
    hl = world.hl
    link = world.source(hl.people["controller"], hl.phones["deal"], "uses_phone")
    assert world.piece("uses_deal_phone", "controller") == ev.Piece(
        1.0, f"recorded as the user of deal-line phone 07700910001 ({link})"
    )
    # runner1 was found holding it in an event: that is carrying, not attributed use
    assert world.piece("uses_deal_phone", "runner1") == ev.Piece(
        0.0, "not recorded as a user of a deal-line phone"
    )
    # the user is recorded using a phone of their own, not a deal phone
    assert world.piece("uses_deal_phone", "user").value == 0.0


def test_carried_deal_phone_comes_from_an_event(world):
    assert world.piece("carried_deal_phone", "runner1") == ev.Piece(
        1.0, "found holding deal-line phone 07700910001 (event:1)"
    )
    assert world.piece("carried_deal_phone", "controller") == ev.Piece(
        0.0, "never found holding a deal-line phone"
    )


def test_directs_others_counts_the_runners_whose_phones_theirs_contact(world):
    # the lieutenant's phone contacts the controller's and both runners': the runners, in
    # near-daily contact with the deal line, are whom he directs
    assert world.piece("directs_others", "lieutenant") == ev.Piece(
        1.0, "their phones contact 2 people who take the deal line's orders (Rita Cole, Ryan Cole)"
    )
    # the controller's own phone contacts the lieutenant's only, who takes no orders from the
    # deal line; the deal phone's contacts are its customers, not people he directs
    assert world.piece("directs_others", "controller") == ev.Piece(
        0.0, "their phones contact no one who takes the deal line's orders"
    )
    assert world.piece("directs_others", "user") == ev.Piece(
        0.0, "their phones contact no one who takes the deal line's orders"
    )


def test_contact_with_one_runner_directs_half_way(world):
    evidence = world.evidence()
    evidence.takes_orders(world.p("runner2"))
    evidence._heavy[world.p("runner2")] = False  # as if runner2 only bought from the line
    assert evidence.directs_others(world.p("lieutenant")) == ev.Piece(
        0.5, "their phones contact 1 person who takes the deal line's orders (Ryan Cole)"
    )


def test_contact_with_another_lines_deal_phone_is_not_directing(world):
    lieutenant_phone = world.v(world.hl.phones["lieutenant"])
    evidence = world.evidence(all_deal={lieutenant_phone})
    assert evidence.contacted_people(world.p("runner1")) == set()
    assert world.evidence().contacted_people(world.p("runner1")) == {world.p("lieutenant")}


def test_drugs_on_them_counts_for_with_drugs_and_against_never_with_drugs(world):
    assert world.piece("with_drugs", "runner1") == ev.Piece(0.5, "found with drugs once (event 1)")
    assert world.piece("never_with_drugs", "runner1") == ev.Piece(0.0, "found with drugs (event 1)")
    assert world.piece("with_drugs", "controller") == ev.Piece(
        0.0, "never recorded with drugs on them"
    )
    assert world.piece("never_with_drugs", "controller") == ev.Piece(
        1.0, "never recorded with drugs on them"
    )


def test_found_with_drugs_twice_is_full_evidence():
    world = World(hand_line(), {"runner2": ev.Recorded(drugs=[4, 9])})
    assert world.piece("with_drugs", "runner2") == ev.Piece(
        1.0, "found with drugs 2 times (events 4, 9)"
    )


# (age when last seen in an event, date of birth of the node, adult, young, reason): the
# age at the last event first; else from the date of birth on the line's last day
# (2025-03-31); else not known.
AGE_TABLE = [
    (15, None, 0.0, 1.0, "15 when last seen"),
    (17, "1950-01-01", 0.0, 1.0, "17 when last seen"),  # the event's age comes first
    (18, None, 1.0, 1.0, "18 when last seen"),
    (20, None, 1.0, 1.0, "20 when last seen"),
    (21, None, 1.0, 0.0, "21 when last seen"),
    (None, "2008-04-01", 0.0, 1.0, "16 when last seen"),  # 17 the day after the line's last
    (None, "2007-03-31", 1.0, 1.0, "18 when last seen"),  # 18 on its last day
    (None, "1980-06-15", 1.0, 0.0, "44 when last seen"),
    (None, None, 0.0, 0.0, "age not known"),
]


@pytest.mark.parametrize(("age", "dob", "adult", "young", "reason"), AGE_TABLE)
def test_adult_and_young_from_age(age, dob, adult, young, reason):
    hl = hand_line()
    hl.people["associate"].facts["date_of_birth"] = date.fromisoformat(dob) if dob else None
    records = {"associate": ev.Recorded(age_last_seen=age)} if age is not None else {}
    world = World(hl, records)
    assert world.piece("adult", "associate") == ev.Piece(adult, reason)
    assert world.piece("young", "associate") == ev.Piece(young, reason)


def test_intelligence_subject_counts_reports_about_them(world):
    assert world.piece("intelligence_subject", "controller") == ev.Piece(
        1.0, "the subject of 1 intelligence report (event 3)"
    )
    assert world.piece("intelligence_subject", "lieutenant") == ev.Piece(
        0.0, "not the subject of an intelligence report"
    )


def test_intelligence_they_only_reported_is_not_about_them():
    world = World(hand_line(), {"user": ev.Recorded(events={"intelligence_report:reporter": [8]})})
    assert world.piece("intelligence_subject", "user").value == 0.0


def test_heavy_and_light_deal_contact_by_the_monthly_rate(world):
    hl = world.hl
    runner = world.source(hl.phones["runner1"], hl.phones["deal"], "contact")
    user = world.source(hl.phones["user"], hl.phones["deal"], "contact")
    # 300 over the 90 days of the first quarter: about 101 a month, a runner's
    said = f"300 calls and texts with the deal line, 101 a month ({runner})"
    assert world.piece("heavy_deal_contact", "runner1") == ev.Piece(1.0, said)
    assert world.piece("light_deal_contact", "runner1") == ev.Piece(
        0.0, said + ": more than a buyer's"
    )
    # 6 over 59 days: 3 a month, a buyer's
    said = f"6 calls and texts with the deal line, 3 a month ({user})"
    assert world.piece("light_deal_contact", "user") == ev.Piece(1.0, said)
    assert world.piece("heavy_deal_contact", "user") == ev.Piece(0.0, said + ": a buyer's rate")
    for name in ("heavy_deal_contact", "light_deal_contact"):
        assert world.piece(name, "associate") == ev.Piece(
            0.0, "no contact with the deal line recorded"
        )


@pytest.mark.parametrize(
    ("count", "heavy"),
    [
        (RULES.evidence.heavy_per_month, 1.0),  # in one month: the threshold itself is heavy
        (RULES.evidence.heavy_per_month - 1, 0.0),
        (2 * RULES.evidence.heavy_per_month, 0.0),  # spread over three months: light
    ],
)
def test_the_rate_is_over_the_months_the_contact_spans(count, heavy):
    deal = phone("07700900001", deal=True, line_name="Bruno")
    mine, me = phone("07700900002"), person(1, "Ryan Cole")
    last = "2025-02-28" if count <= RULES.evidence.heavy_per_month else "2025-04-30"
    hl = HandLine(
        people={"runner1": me},
        phones={"deal": deal, "runner1": mine},
        places={},
        ties=[
            tie(me, mine, "uses_phone", "link:1"),
            tie(mine, deal, "contact", "link:2", "2025-02-01", last, count=int(count)),
        ],
    )
    world = World(hl)
    assert world.piece("heavy_deal_contact", "runner1").value == heavy
    assert world.piece("light_deal_contact", "runner1").value == 1.0 - heavy


def test_at_and_lives_at_a_recorded_trap_address(world):
    assert world.piece("at_trap_house", "runner1") == ev.Piece(
        1.0, "stays at 12 Tower Street: recorded as a cuckooed address"
    )
    assert world.piece("lives_at_trap_house", "resident") == ev.Piece(
        1.0, "lives at 12 Tower Street: recorded as a cuckooed address"
    )
    # the resident lives there: not a visitor
    assert world.piece("at_trap_house", "resident") == ev.Piece(
        0.0, "not recorded at a trap address"
    )
    assert world.piece("lives_at_trap_house", "runner1") == ev.Piece(
        0.0, "does not live at a trap address"
    )
    assert world.piece("at_trap_house", "controller").value == 0.0


def test_an_address_recorded_as_a_trap_house_is_one():
    hl = hand_line()
    hl.places["trap"].facts["kind"] = "trap_house"
    world = World(hl)
    assert world.piece("at_trap_house", "runner2") == ev.Piece(
        1.0, "stays at 12 Tower Street: recorded as a trap house"
    )


def test_a_home_where_two_people_of_the_line_stay_is_a_trap_address():
    hl = hand_line()
    hl.places["trap"].facts["kind"] = "home"  # recorded only as the resident's home
    world = World(hl)
    reason = "12 Tower Street: 2 people of the line who do not live there stay or are found there"
    assert world.piece("at_trap_house", "runner1") == ev.Piece(1.0, "stays at " + reason)
    assert world.piece("lives_at_trap_house", "resident") == ev.Piece(1.0, "lives at " + reason)


def test_a_home_where_one_person_of_the_line_stays_is_not_a_trap_address():
    hl = hand_line()
    hl.places["trap"].facts["kind"] = "home"
    trap, runner2 = hl.places["trap"].key, hl.people["runner2"].key
    hl.ties = [t for t in hl.ties if {t.a, t.b} != {runner2, trap}]
    world = World(hl)
    assert world.piece("at_trap_house", "runner1").value == 0.0
    assert world.piece("lives_at_trap_house", "resident") == ev.Piece(
        0.0, "does not live at a trap address"
    )


def test_travels_from_journeys_missing_episodes_finds_and_travelling_together(world):
    assert world.piece("travels", "runner1") == ev.Piece(
        1.0, "1 journey, missing episode or find out of area (event 2)"
    )
    assert world.piece("travels", "runner2") == ev.Piece(
        0.0, "no journeys, missing episodes or finds out of area recorded"
    )
    hl = hand_line()
    hl.ties.append(tie(hl.people["runner2"], hl.people["lieutenant"], "travelled_with", "link:77"))
    together = World(
        hl, {"runner2": ev.Recorded(events={"missing_episode:missing_person": [5, 6]})}
    )
    assert together.piece("travels", "runner2") == ev.Piece(
        1.0,
        "2 journeys, missing episodes or finds out of area (events 5, 6); "
        "travelled with others of the line (link:77)",
    )


def test_vulnerable_and_substance_misuse_from_the_flags_agencies_hold(world):
    assert world.piece("vulnerable", "resident") == ev.Piece(1.0, "recorded as: vulnerable adult")
    assert world.piece("substance_misuse", "resident") == ev.Piece(
        0.0, "no substance misuse recorded"
    )
    assert world.piece("substance_misuse", "user") == ev.Piece(1.0, "recorded as: substance misuse")
    # substance misuse is a vulnerability too
    assert world.piece("vulnerable", "user") == ev.Piece(1.0, "recorded as: substance misuse")
    assert world.piece("vulnerable", "associate") == ev.Piece(0.0, "no vulnerability recorded")


# -- the role given


def _scored(world: World) -> dict[str, line_roles.Scored]:
    roles = line_roles.score(world.rg, world.line, RULES, world.records)
    by_vertex = {s.vertex: s for s in roles.people}
    return {part: by_vertex[world.p(part)] for part in world.hl.people}


def test_each_person_of_the_line_is_given_their_role(world):
    scored = _scored(world)
    assert {part: s.role for part, s in scored.items()} == {
        "controller": "controller",
        "lieutenant": "lieutenant",
        "runner1": "runner",
        "runner2": "runner",
        "resident": "cuckooed_resident",
        "user": "user",
        "associate": "associate",
    }


def test_the_role_given_scores_highest_and_says_why(world):
    scored = _scored(world)
    for part, s in scored.items():
        if s.role != "associate":
            assert s.scores[s.role] == max(s.scores.values()), part
            assert s.reasons[s.role], part
    hl = world.hl
    link = world.source(hl.people["controller"], hl.phones["deal"], "uses_phone")
    assert scored["controller"].reasons["controller"][0] == (
        f"recorded as the user of deal-line phone 07700910001 ({link})"
    )
    assert (
        "their phones contact the controller's (Carl Dane)"
        in (scored["lieutenant"].reasons["lieutenant"])
    )
    assert "found with drugs once (event 1)" in scored["runner1"].reasons["runner"]
    assert scored["resident"].reasons["cuckooed_resident"][:2] == [
        "lives at 12 Tower Street: recorded as a cuckooed address",
        "recorded as: vulnerable adult",
    ]
    assert scored["user"].reasons["user"][1] == "recorded as: substance misuse"


def test_children_are_marked_with_their_age(world):
    scored = _scored(world)
    assert (scored["runner1"].age, scored["runner1"].child) == (15, True)
    assert (scored["runner2"].age, scored["runner2"].child) == (16, True)
    assert (scored["controller"].age, scored["controller"].child) == (40, False)
    assert (scored["resident"].age, scored["resident"].child) == (60, False)


def test_a_person_with_no_evidence_of_a_part_is_an_associate(world):
    associate = _scored(world)["associate"]
    assert associate.role == "associate"
    required = {e for role in RULES.roles for e in role.requires}
    assert all(associate.pieces[e].value == 0 for e in required)


def test_the_controller_is_the_deal_phone_user_even_when_another_directs_more(world):
    # the lieutenant's phone contacts three people, the controller's one: holding the deal
    # line decides
    directs = world.piece("directs_others", "lieutenant").value
    assert directs > world.piece("directs_others", "controller").value
    scored = _scored(world)
    assert scored["controller"].role == "controller"
    assert scored["lieutenant"].scores["controller"] < scored["controller"].scores["controller"]


def test_the_line_is_placed_where_its_leaders_live_and_where_it_deals(world):
    roles = line_roles.score(world.rg, world.line, RULES, world.records)
    assert roles.origin == "Liverpool"
    assert roles.targets == ["Blackpool"]
    assert roles.force_areas == ["lancashire", "merseyside"]
