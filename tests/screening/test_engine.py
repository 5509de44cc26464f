"""The screening engine (screening.engine) under the default and small custom catalogues.

Plain data in, no database: each test builds a child's facts by hand and screens them at a
fixed moment, as a safeguarding lead would check a screening against its evidence.
"""

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.records.ages import UK
from safeguard.screening import catalogue as cat
from safeguard.screening.engine import Fired, Screening, screen
from safeguard.screening.facts import ChildFacts, EventFact, LinkFact, Place

DEFAULT = cat.load(cat.DEFAULT_PATH)

# 12:00 UTC on 30 June 2024 is 13:00 in London (BST): the UK day of the screening is 30 June.
AT = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2024, 6, 30)

# The child lives in Liverpool (Merseyside). One degree of latitude is about 111 km.
HOME = Place("home", force_area="Merseyside", latitude=53.40, longitude=-2.98)
KM_45_AWAY = Place("street", latitude=53.40 + 45 / 111.2, longitude=-2.98)  # no force recorded
KM_10_AWAY = Place("street", force_area="Merseyside", latitude=53.40 + 10 / 111.2, longitude=-2.98)
OTHER_FORCE = Place("street", force_area="Cumbria")  # not placed on the map
HOME_FORCE = Place("street", force_area="Merseyside")
TRAP_HOUSE = Place("trap_house", force_area="Cumbria")
CUCKOOED = Place("cuckooed_address", force_area="Cumbria")


# -- builders ---------------------------------------------------------------------------


def ago(days: int) -> datetime:
    """Return the moment `days` UK days before AT (13:00 in London, well inside the day)."""
    return AT - timedelta(days=days)


def event(
    id: int,
    kind: str,
    *roles: str,
    days_ago: int = 10,
    when: datetime | None = None,
    place: Place | None = None,
    items: tuple[str, ...] = (),
    phones: int = 0,
    others_ages: tuple[int | None, ...] = (),
    **attributes,
) -> EventFact:
    """Return an event the child took part in, `days_ago` days before AT unless `when`."""
    return EventFact(
        id=id,
        kind=kind,
        occurred_at=when or ago(days_ago),
        roles=frozenset(roles),
        place=place,
        items=frozenset(items),
        phones=phones,
        others_ages=others_ages,
        attributes=attributes,
    )


def link(
    id: int,
    kind: str,
    *,
    days_ago: int = 10,
    on: date | None = None,
    other: str = "other",
    other_age: int | None = None,
    other_deal_line: bool = False,
    other_place: Place | None = None,
    via_phone: int | None = None,
) -> LinkFact:
    """Return a link of the child dated `days_ago` days before the screening's UK day."""
    return LinkFact(
        id=id,
        kind=kind,
        on=on or TODAY - timedelta(days=days_ago),
        other=other,
        other_age=other_age,
        other_deal_line=other_deal_line,
        other_place=other_place,
        via_phone=via_phone,
    )


def child(*facts: EventFact | LinkFact, flags: tuple[str, ...] = ()) -> ChildFacts:
    """Return a 15-year-old living at HOME with these events, links and flags."""
    return ChildFacts(
        person_id=1,
        date_of_birth=date(2009, 3, 1),
        flags=frozenset(flags),
        home=HOME,
        events=tuple(f for f in facts if isinstance(f, EventFact)),
        links=tuple(f for f in facts if isinstance(f, LinkFact)),
    )


def fired(screening: Screening, rule_id: str) -> Fired | None:
    """Return the indicator or vulnerability factor `rule_id` if it fired, else None."""
    found = [f for f in (*screening.indicators, *screening.vulnerabilities) if f.id == rule_id]
    assert len(found) <= 1
    return found[0] if found else None


def custom(
    indicators: str, *, thresholds: str = "{low: 2, medium: 5, high: 10}", cap=1
) -> cat.Catalogue:
    """Return a small catalogue with these indicators (YAML list items, indented 2)."""
    return cat.parse(
        f"""
id: test
title: Test catalogue
version: 0.1.0
source: tests
recency:
  - {{label: current, up_to_days: 91, factor: 1.0}}
  - {{label: recent, up_to_days: 182, factor: 0.6}}
  - {{label: earlier, up_to_days: 365, factor: 0.3}}
thresholds: {thresholds}
vulnerability_cap: {cap}
indicators:
{indicators}
"""
    )


def rule(id: str, kind: str, weight: float) -> str:
    """Return a YAML indicator that fires on any event of `kind` within a year."""
    return f"""
  - id: {id}
    sign: "0"
    title: {id}
    description: {id}
    citation: tests
    evidence: [{{match: event, kinds: [{kind}]}}]
    window_days: 365
    weight: {weight}
"""


# -- 1. each indicator fires on its evidence and not without it ---------------------------

# (rule id, route, facts that fire it, expected event ids, expected link ids, near miss)
CASES = [
    (
        "missing-repeatedly",
        "two episodes",
        child(
            event(1, "missing_episode", "missing_person", days_ago=40),
            event(2, "missing_episode", "missing_person", days_ago=10),
        ),
        (1, 2),
        (),
        child(
            event(1, "missing_episode", "missing_person", days_ago=40),
            event(2, "missing_episode", "reporter", days_ago=10),  # reported another child
        ),
    ),
    (
        "missing",
        "missing person",
        child(event(1, "missing_episode", "missing_person")),
        (1,),
        (),
        child(event(1, "missing_episode", "reporter")),
    ),
    (
        "found-out-of-area",
        "found out of area",
        child(event(1, "found_out_of_area", "missing_person")),
        (1,),
        (),
        child(event(1, "other", "missing_person", place=OTHER_FORCE)),
    ),
    (
        "found-out-of-area",
        "stopped in another force",
        child(event(1, "stop_search", "suspect", place=OTHER_FORCE)),
        (1,),
        (),
        child(event(1, "stop_search", "suspect", place=HOME_FORCE)),
    ),
    (
        "found-out-of-area",
        "arrested in another force",
        child(event(1, "arrest", "subject", place=OTHER_FORCE)),
        (1,),
        (),
        child(event(1, "arrest", "witness", place=OTHER_FORCE)),
    ),
    (
        "found-out-of-area",
        "arrested far from home",
        child(event(1, "arrest", "suspect", place=KM_45_AWAY)),
        (1,),
        (),
        child(event(1, "arrest", "suspect", place=KM_10_AWAY)),
    ),
    (
        "money-or-phones",
        "cash",
        child(event(1, "stop_search", "suspect", items=("cash",))),
        (1,),
        (),
        child(event(1, "stop_search", "suspect", items=("weapon",))),
    ),
    (
        "money-or-phones",
        "cash on arrest",
        child(event(1, "arrest", "suspect", items=("cash",))),
        (1,),
        (),
        child(event(1, "raid", "resident", items=("cash",))),
    ),
    (
        "money-or-phones",
        "two phones",
        child(event(1, "arrest", "suspect", phones=2)),
        (1,),
        (),
        child(event(1, "arrest", "suspect", phones=1)),
    ),
    (
        "deal-line-contact",
        "uses a deal line",
        child(link(1, "uses_phone", other="07700 900001", other_deal_line=True)),
        (),
        (1,),
        child(link(1, "uses_phone", other="07700 900001", other_deal_line=False)),
    ),
    (
        "deal-line-contact",
        "phone in contact with a deal line",
        child(link(1, "contact", other="07700 900002", other_deal_line=True, via_phone=7)),
        (),
        (1,),
        child(link(1, "contact", other="07700 900002", other_deal_line=False, via_phone=7)),
    ),
    (
        "older-associates",
        "associate aged 18",
        child(link(1, "associate", other_age=18)),
        (),
        (1,),
        child(link(1, "associate", other_age=17)),
    ),
    (
        "older-associates",
        "travelled with an adult",
        child(link(1, "travelled_with", other_age=24)),
        (),
        (1,),
        child(link(1, "travelled_with", other_age=None)),  # age unknown is not an adult
    ),
    (
        "older-associates",
        "journey with an adult",
        child(event(1, "journey", "traveller", others_ages=(16, 18))),
        (1,),
        (),
        child(event(1, "journey", "traveller", others_ages=(17, None))),
    ),
    (
        "gang-association",
        "subject of intelligence",
        child(event(1, "intelligence_report", "subject")),
        (1,),
        (),
        child(event(1, "intelligence_report", "witness")),
    ),
    (
        "county-line-member",
        "placed in a county line by network analysis",
        child(event(1, "line_membership", "subject")),
        (1,),
        (),
        child(event(1, "intelligence_report", "subject")),
    ),
    (
        "leaving-care",
        "missing, reported by the carer",
        child(event(1, "missing_episode", "missing_person", reported_by="carer")),
        (1,),
        (),
        child(event(1, "missing_episode", "missing_person", reported_by="parent")),
    ),
    (
        "injury",
        "hospital, assault victim",
        child(event(1, "hospital_attendance", "victim")),
        (1,),
        (),
        child(event(1, "hospital_attendance", "subject")),
    ),
    (
        "injury",
        "victim of robbery",
        child(event(1, "crime_report", "victim", crime_type="Robbery")),
        (1,),
        (),
        child(event(1, "crime_report", "victim", crime_type="Burglary")),
    ),
    (
        "weapon",
        "weapon seized from the child",
        child(event(1, "seizure", "suspect", items=("weapon",))),
        (1,),
        (),
        child(event(1, "seizure", "suspect")),  # a weapon held by nobody is not the child's
    ),
    (
        "school-decline",
        "exclusion",
        child(event(1, "school_exclusion", "subject")),
        (1,),
        (),
        child(event(1, "school_exclusion", "subject", days_ago=183)),  # window is 182 days
    ),
    (
        "school-decline",
        "attendance concern",
        child(event(1, "school_attendance_concern", "subject")),
        (1,),
        (),
        child(event(1, "concern_report", "subject", concern="attendance")),
    ),
    (
        "wellbeing",
        "self-harm",
        child(event(1, "hospital_attendance", "subject", presenting_complaint="Self-harm")),
        (1,),
        (),
        child(event(1, "hospital_attendance", "subject", presenting_complaint="Sprain")),
    ),
    (
        "carer-concern",
        "concern about the child",
        child(event(1, "concern_report", "subject")),
        (1,),
        (),
        child(event(1, "concern_report", "reporter")),
    ),
    (
        "unusual-travel",
        "journey 45 km from home",
        child(event(1, "journey", "traveller", place=KM_45_AWAY)),
        (1,),
        (),
        child(event(1, "journey", "traveller", place=KM_10_AWAY)),
    ),
    (
        "unusual-travel",
        "ticket to another force",
        child(event(1, "journey", "traveller", place=OTHER_FORCE, items=("ticket",))),
        (1,),
        (),
        child(event(1, "journey", "traveller", place=HOME_FORCE, items=("ticket",))),
    ),
    (
        "drugs",
        "drugs on the child",
        child(event(1, "stop_search", "suspect", items=("drugs",))),
        (1,),
        (),
        child(event(1, "stop_search", "suspect", items=("cash",))),
    ),
    (
        "trap-house",
        "found in a trap house",
        child(event(1, "raid", "associate", place=TRAP_HOUSE)),
        (1,),
        (),
        child(event(1, "raid", "associate", place=Place("home", force_area="Cumbria"))),
    ),
    (
        "trap-house",
        "stays at a cuckooed address",
        child(link(1, "stays_at", other="12 Any Street", other_place=CUCKOOED)),
        (),
        (1,),
        child(link(1, "stays_at", other="12 Any Street", other_place=Place("care_home"))),
    ),
    (
        "internal-concealment",
        "plugging",
        child(
            event(
                1,
                "hospital_attendance",
                "subject",
                presenting_complaint="Drug-related: internal concealment",
            )
        ),
        (1,),
        (),
        child(event(1, "hospital_attendance", "subject", presenting_complaint="Overdose")),
    ),
    (
        "looked-after",
        "looked-after flag",
        child(flags=("looked_after_child",)),
        (),
        (),
        child(flags=("vulnerable_adult",)),
    ),
    (
        "abuse-or-neglect",
        "domestic abuse at home",
        child(event(1, "domestic_abuse_incident", "victim")),
        (1,),
        (),
        child(event(1, "domestic_abuse_incident", "victim", days_ago=366)),
    ),
    (
        "abuse-or-neglect",
        "child protection plan",
        child(flags=("child_protection_plan",)),
        (),
        (),
        child(flags=("care_leaver",)),
    ),
    (
        "justice-contact",
        "arrested before",
        child(event(1, "arrest", "suspect")),
        (1,),
        (),
        child(event(1, "arrest", "victim")),
    ),
    (
        "excluded",
        "exclusion",
        child(event(1, "school_exclusion", "subject")),
        (1,),
        (),
        child(event(1, "school_attendance_concern", "subject")),
    ),
    (
        "needs-and-health",
        "disability",
        child(flags=("disability",)),
        (),
        (),
        child(flags=("homeless",)),
    ),
    (
        "substance-misuse",
        "substance misuse",
        child(flags=("substance_misuse",)),
        (),
        (),
        child(flags=("mental_health",)),
    ),
    (
        "homeless-or-insecure-status",
        "insecure immigration status",
        child(flags=("insecure_immigration",)),
        (),
        (),
        child(flags=("special_educational_needs",)),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "facts", "event_ids", "link_ids"),
    [pytest.param(c[0], c[2], c[3], c[4], id=f"{c[0]}: {c[1]}") for c in CASES],
)
def test_indicator_fires_on_its_evidence_and_names_exactly_it(rule_id, facts, event_ids, link_ids):
    result = fired(screen(facts, DEFAULT, AT), rule_id)
    assert result is not None, f"{rule_id} did not fire"
    assert (result.event_ids, result.link_ids) == (event_ids, link_ids)
    assert result.points > 0


@pytest.mark.parametrize(
    ("rule_id", "near_miss"),
    [pytest.param(c[0], c[5], id=f"{c[0]}: {c[1]}") for c in CASES],
)
def test_indicator_does_not_fire_on_a_near_miss(rule_id, near_miss):
    assert fired(screen(near_miss, DEFAULT, AT), rule_id) is None


def test_every_rule_of_the_default_catalogue_has_a_case():
    rules = {r.id for r in (*DEFAULT.indicators, *DEFAULT.vulnerabilities)}
    assert {c[0] for c in CASES} == rules


def test_every_evidence_route_of_the_default_catalogue_has_a_case():
    # A new `evidence` item on an existing indicator needs its own case too.
    routes = {r.id: len(r.evidence) for r in (*DEFAULT.indicators, *DEFAULT.vulnerabilities)}
    cases = {rule_id: sum(c[0] == rule_id for c in CASES) for rule_id in routes}
    assert all(cases[rule_id] >= n for rule_id, n in routes.items()), cases


def test_no_facts_fire_nothing():
    result = screen(child(), DEFAULT, AT)
    assert (result.score, result.level, result.indicators, result.vulnerabilities) == (
        0,
        "none",
        (),
        (),
    )


def test_fired_indicator_gives_its_reason_and_the_catalogue_version():
    result = screen(child(event(4, "stop_search", "suspect", items=("drugs",))), DEFAULT, AT)
    drugs = fired(result, "drugs")
    assert drugs.reason == (
        "stop and search with drugs (event 4) on 20 Jun 2024. Latest 10 days ago "
        "(current, counts x1)"
    )
    assert result.catalogue == "cce-county-lines 1.2.0"
    assert result.catalogue_hash == DEFAULT.content_hash


# -- 2. window edges, on the UK calendar --------------------------------------------------


def missing_on(when: datetime) -> ChildFacts:
    return child(event(1, "missing_episode", "missing_person", when=when))


def test_evidence_exactly_window_days_old_counts():
    result = fired(screen(missing_on(ago(365)), DEFAULT, AT), "missing")
    assert result is not None and result.event_ids == (1,)


def test_evidence_a_day_older_than_the_window_does_not_count():
    assert fired(screen(missing_on(ago(366)), DEFAULT, AT), "missing") is None


def test_evidence_after_the_moment_of_screening_does_not_count():
    assert fired(screen(missing_on(AT + timedelta(days=3)), DEFAULT, AT), "missing") is None


def test_evidence_later_on_the_same_day_as_the_screening_does_not_count():
    assert fired(screen(missing_on(AT + timedelta(minutes=1)), DEFAULT, AT), "missing") is None


def test_evidence_at_the_moment_of_screening_counts_as_today():
    result = fired(screen(missing_on(AT), DEFAULT, AT), "missing")
    assert result.reason.endswith("Latest today (current, counts x1)")


def test_an_event_at_2330_utc_in_summer_falls_on_the_next_uk_day():
    # 23:30 UTC on 30 June 2023 is 00:30 BST on 1 July 2023: exactly 365 UK days before
    # 30 June 2024, so it counts; half an hour earlier (30 June in the UK too) it does not.
    inside = datetime(2023, 6, 30, 23, 30, tzinfo=UTC)
    outside = datetime(2023, 6, 30, 22, 30, tzinfo=UTC)
    assert fired(screen(missing_on(inside), DEFAULT, AT), "missing") is not None
    assert fired(screen(missing_on(outside), DEFAULT, AT), "missing") is None


def test_the_day_of_the_screening_is_the_uk_day_of_its_moment():
    # Screening at 23:30 UTC on 30 June 2024 is 00:30 on 1 July in the UK: an event on
    # 1 July 2023 (UK) is then 366 days old.
    late = datetime(2024, 6, 30, 23, 30, tzinfo=UTC)
    facts = missing_on(datetime(2023, 7, 1, 12, 0, tzinfo=UK))
    assert fired(screen(facts, DEFAULT, late), "missing") is None
    assert fired(screen(facts, DEFAULT, late - timedelta(hours=1)), "missing") is not None


def test_window_days_is_per_indicator():
    # school-decline looks back 182 days, excluded (a vulnerability factor) 365.
    result = screen(child(event(1, "school_exclusion", "subject", days_ago=200)), DEFAULT, AT)
    assert fired(result, "school-decline") is None
    assert fired(result, "excluded").event_ids == (1,)


@pytest.mark.parametrize(("days_ago", "counts"), [(365, True), (366, False), (-1, False)])
def test_link_window_edges(days_ago, counts):
    facts = child(link(1, "associate", days_ago=days_ago, other_age=30))
    assert (fired(screen(facts, DEFAULT, AT), "older-associates") is not None) is counts


# -- 3. recency weighting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "band", "factor", "points"),
    [
        (0, "current", 1.0, 3.0),
        (91, "current", 1.0, 3.0),
        (92, "recent", 0.6, 1.8),
        (182, "recent", 0.6, 1.8),
        (183, "earlier", 0.3, 0.9),
        (365, "earlier", 0.3, 0.9),
    ],
)
def test_points_are_weight_times_the_recency_factor(days_ago, band, factor, points):
    facts = child(event(1, "seizure", "suspect", items=("drugs",), days_ago=days_ago))
    drugs = fired(screen(facts, DEFAULT, AT), "drugs")
    assert (drugs.weight, drugs.band, drugs.factor, drugs.points) == (3.0, band, factor, points)


def test_the_band_follows_the_latest_evidence():
    facts = child(
        event(1, "seizure", "suspect", items=("drugs",), days_ago=300),
        event(2, "seizure", "suspect", items=("drugs",), days_ago=30),
    )
    drugs = fired(screen(facts, DEFAULT, AT), "drugs")
    assert (drugs.band, drugs.points, drugs.event_ids) == ("current", 3.0, (1, 2))


def test_score_adds_the_points_of_each_fired_indicator():
    facts = child(
        event(1, "seizure", "suspect", items=("drugs",), days_ago=100),  # drugs 3 x 0.6
        event(2, "intelligence_report", "subject", days_ago=200),  # gang 2 x 0.3
    )
    result = screen(facts, DEFAULT, AT)
    assert [(f.id, f.points) for f in result.indicators] == [
        ("gang-association", 0.6),
        ("drugs", 1.8),
    ]
    assert (result.score, result.level) == (2.4, "low")


# -- 4. repeated evidence: at_least within within_days ------------------------------------


def missing_episodes(*days_ago: int) -> ChildFacts:
    return child(
        *(
            event(i, "missing_episode", "missing_person", days_ago=d)
            for i, d in enumerate(days_ago, start=1)
        )
    )


def test_two_missing_episodes_90_days_apart_fire_missing_repeatedly():
    result = fired(screen(missing_episodes(100, 10), DEFAULT, AT), "missing-repeatedly")
    assert result.event_ids == (1, 2)
    assert result.reason.startswith("2 within 90 days: ")


def test_two_missing_episodes_91_days_apart_do_not():
    assert fired(screen(missing_episodes(101, 10), DEFAULT, AT), "missing-repeatedly") is None


def test_one_missing_episode_is_not_repeated():
    result = screen(missing_episodes(10), DEFAULT, AT)
    assert fired(result, "missing-repeatedly") is None
    assert fired(result, "missing") is not None


REPEATED = next(i.weight for i in DEFAULT.indicators if i.id == "missing-repeatedly")


def test_with_three_episodes_the_latest_qualifying_run_is_reported():
    # 200 and 150 days ago lie 50 days apart; 150 and 10 lie 140 apart: the run is the
    # first two, banded by its latest episode (150 days: recent).
    result = fired(screen(missing_episodes(200, 150, 10), DEFAULT, AT), "missing-repeatedly")
    assert (result.event_ids, result.band, result.points) == ((1, 2), "recent", REPEATED * 0.6)


def test_the_latest_of_two_runs_is_reported():
    result = fired(screen(missing_episodes(350, 340, 100, 20), DEFAULT, AT), "missing-repeatedly")
    assert (result.event_ids, result.band, result.points) == ((3, 4), "current", REPEATED)


def test_a_run_reports_every_episode_within_the_span_of_its_latest():
    # 160 to 80 is 80 days; 240 to 80 is 160: the run from the latest holds the last two.
    result = fired(screen(missing_episodes(240, 160, 80), DEFAULT, AT), "missing-repeatedly")
    assert result.event_ids == (2, 3)
    result = fired(screen(missing_episodes(150, 120, 80), DEFAULT, AT), "missing-repeatedly")
    assert result.event_ids == (1, 2, 3)


def test_a_run_must_lie_inside_the_window():
    # 400 and 340 days ago lie 60 days apart, but the first is outside the 365-day window.
    assert fired(screen(missing_episodes(400, 340), DEFAULT, AT), "missing-repeatedly") is None


# -- 5. thresholds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "level"),
    [
        (1.99, "none"),
        (2, "low"),
        (4.99, "low"),
        (5, "medium"),
        (9.99, "medium"),
        (10, "high"),
    ],
)
def test_score_reaches_a_level_at_its_threshold_and_not_just_below(weight, level):
    catalogue = custom(rule("seen", "other", weight))
    result = screen(child(event(1, "other")), catalogue, AT)
    assert (result.score, result.level) == (weight, level)


def test_a_score_that_adds_up_to_a_threshold_reaches_it():
    # 0.7 + 0.1 is 0.7999999999999999 in floating point: the score is rounded to 0.8.
    catalogue = custom(
        rule("seen", "other", 0.7) + rule("searched", "stop_search", 0.1),
        thresholds="{low: 0.8, medium: 5, high: 10}",
    )
    result = screen(child(event(1, "other"), event(2, "stop_search")), catalogue, AT)
    assert (result.score, result.level) == (0.8, "low")


# -- 6. vulnerability factors -------------------------------------------------------------

EVERY_VULNERABILITY = child(
    event(1, "arrest", "suspect", days_ago=20),
    event(2, "school_exclusion", "subject", days_ago=20),
    event(3, "domestic_abuse_incident", "victim", days_ago=20),
    flags=(
        "looked_after_child",
        "child_protection_plan",
        "disability",
        "substance_misuse",
        "homeless",
    ),
)


def test_vulnerability_factors_are_capped():
    result = screen(EVERY_VULNERABILITY, DEFAULT, AT)
    assert {f.id for f in result.vulnerabilities} == {r.id for r in DEFAULT.vulnerabilities}
    assert sum(f.points for f in result.vulnerabilities) > DEFAULT.vulnerability_cap
    # 4.5 points of vulnerability count as 2; the exclusion is also school-decline (1 point).
    assert [f.id for f in result.indicators] == ["school-decline"]
    assert result.score == 1.0 + DEFAULT.vulnerability_cap


def test_vulnerability_factors_alone_never_reach_medium():
    facts = dataclasses.replace(
        EVERY_VULNERABILITY,
        events=(),
        flags=frozenset({"looked_after_child", "child_protection_plan", "disability"}),
    )
    result = screen(facts, DEFAULT, AT)
    assert result.indicators == ()
    assert (result.score, result.level) == (DEFAULT.vulnerability_cap, "low")
    assert result.score < DEFAULT.thresholds.medium


def test_vulnerability_factors_add_to_indicators_up_to_the_cap():
    facts = child(
        event(1, "seizure", "suspect", items=("drugs",)),  # drugs, 3 points
        flags=("looked_after_child", "child_protection_plan", "homeless"),  # 1 + 1 + 0.5
    )
    result = screen(facts, DEFAULT, AT)
    assert (result.score, result.level) == (5.0, "medium")


def test_a_recorded_flag_counts_in_full_without_evidence_dates():
    result = screen(child(flags=("looked_after_child",)), DEFAULT, AT)
    looked_after = fired(result, "looked-after")
    assert (looked_after.points, looked_after.band, looked_after.factor) == (1.0, "", 1.0)
    assert looked_after.reason == "recorded: looked-after child (in care)"
    assert result.score == 1.0


def test_a_flag_without_a_vulnerability_factor_counts_nothing():
    result = screen(child(flags=("vulnerable_adult",)), DEFAULT, AT)
    assert (result.score, result.vulnerabilities) == (0, ())


# -- 7. determinism -----------------------------------------------------------------------

BUSY = child(
    event(1, "missing_episode", "missing_person", days_ago=5, reported_by="carer"),
    event(2, "missing_episode", "missing_person", days_ago=5),
    event(3, "missing_episode", "missing_person", days_ago=60),
    event(4, "missing_episode", "missing_person", days_ago=200),
    event(5, "stop_search", "suspect", place=OTHER_FORCE, items=("drugs", "cash"), phones=3),
    event(6, "journey", "traveller", place=KM_45_AWAY, others_ages=(22,), days_ago=100),
    event(7, "seizure", "suspect", items=("weapon",), days_ago=300),
    event(8, "arrest", "suspect", place=TRAP_HOUSE, days_ago=5),
    event(9, "school_exclusion", "subject", days_ago=150),
    link(1, "uses_phone", other_deal_line=True, days_ago=30),
    link(2, "contact", other_deal_line=True, via_phone=1, days_ago=30),
    link(3, "associate", other_age=19, days_ago=30),
    link(4, "associate", other_age=25, days_ago=30),
    link(5, "stays_at", other_place=CUCKOOED, days_ago=250),
    flags=("looked_after_child", "mental_health"),
)


def test_screening_the_same_facts_twice_gives_the_same_result():
    first, second = screen(BUSY, DEFAULT, AT), screen(BUSY, DEFAULT, AT)
    assert first == second
    assert first.level == "high"  # the facts do fire a good deal


def test_evidence_of_one_day_is_listed_in_id_order():
    facts = child(*(event(i, "seizure", "suspect", items=("drugs",)) for i in (5, 2, 9, 7, 1, 8)))
    drugs = fired(screen(facts, DEFAULT, AT), "drugs")
    assert drugs.event_ids == (1, 2, 5, 7, 8, 9)


@pytest.mark.parametrize("seed", range(5))
def test_the_order_of_events_and_links_does_not_change_the_result(seed):
    rng = random.Random(seed)
    events, links = list(BUSY.events), list(BUSY.links)
    rng.shuffle(events)
    rng.shuffle(links)
    shuffled = dataclasses.replace(BUSY, events=tuple(events), links=tuple(links))
    assert screen(shuffled, DEFAULT, AT) == screen(BUSY, DEFAULT, AT)


# -- 8. protected characteristics ---------------------------------------------------------


@pytest.mark.parametrize("fact", [ChildFacts, EventFact, LinkFact, Place])
def test_facts_have_no_protected_characteristic(fact):
    protected = ("sex", "ethnic", "religio", "gender", "race", "nationality")
    names = [f.name for f in dataclasses.fields(fact)]
    assert not [n for n in names if any(p in n.lower() for p in protected)], names


def test_a_contact_reached_through_two_of_the_childs_phones_is_one_piece_of_evidence():
    contact = dict(kind="contact", on=date(2025, 2, 1), other="phone", other_deal_line=True)
    facts = ChildFacts(
        person_id=1,
        date_of_birth=date(2010, 1, 1),
        links=(LinkFact(id=7, via_phone=1, **contact), LinkFact(id=7, via_phone=2, **contact)),
    )
    result = screen(facts, DEFAULT, datetime(2025, 2, 10, tzinfo=UTC))
    [fired] = [f for f in result.indicators if f.id == "deal-line-contact"]
    assert fired.link_ids == (7,)
