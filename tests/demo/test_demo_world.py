"""demo.world: a seeded, streamed world whose records never refer forward."""

import hashlib
from collections import Counter
from datetime import date
from itertools import islice

import pytest

from safeguard.demo import gazetteer, labels
from safeguard.demo.population import Ethnicities, Individual
from safeguard.demo.scenario import resolve_scale, scale_for_events
from safeguard.demo.world import World, generate
from safeguard.intake.schema import EventIn, LinkIn
from safeguard.records import vocabulary as v
from safeguard.records.ages import age_on

GROUPS = set(gazetteer.ETHNIC_GROUPS.values())


def _digest(records) -> str:
    h = hashlib.sha256()
    for record in records:
        h.update(record.model_dump_json().encode())
    return h.hexdigest()


def test_same_seed_yields_the_same_records_byte_for_byte():
    assert _digest(generate(7, "tiny")) == _digest(generate(7, "tiny"))


def test_same_seed_same_first_records_at_a_larger_scale():
    # The first 5,000 records of the small world: setup, the first months, part of ordinary life.
    assert _digest(islice(generate(7, "small"), 5000)) == _digest(
        islice(generate(7, "small"), 5000)
    )


def test_another_seed_yields_another_world():
    assert _digest(generate(7, "tiny")) != _digest(generate(8, "tiny"))


def _without_ethnicity(world: World) -> tuple[list[dict], set[str]]:
    """Return the world's records without self_defined_ethnicity, and the values it took."""
    dumps, recorded = [], set()
    for record in world.records():
        dump = record.model_dump(mode="json")
        if record.type == "person":
            recorded.add(dump.pop("self_defined_ethnicity"))
        dumps.append(dump)
    return dumps, recorded


def test_ethnicity_draws_leave_the_rest_of_the_world_as_it_was(monkeypatch):
    """Ethnicity, true and recorded, never draws from the world's main random source.

    A world whose ethnicity draws are replaced by constants (no random draw at all) must
    yield the same records, ethnicity aside, and leave the main source in the same state:
    so adding ethnicity changed nothing else of any world.
    """
    normal = World(7, "tiny")
    expected, recorded = _without_ethnicity(normal)
    assert "" in recorded and len(recorded - {""}) > 1  # the normal world draws, and varies

    monkeypatch.setattr(Ethnicities, "draw", lambda self, town, parents=(): "White")
    monkeypatch.setattr("safeguard.demo.ledger.recorded_ethnicity", lambda rng, noise, e: e)
    constant = World(7, "tiny")
    assert _without_ethnicity(constant) == (expected, {"White"})
    assert constant.ctx.rng.getstate() == normal.ctx.rng.getstate()
    assert {p.ethnicity for p in constant.ctx.people.everyone} == {"White"}


def _targets(record) -> list[tuple[str, str, str]]:
    """Return (type, agency, ref) of every record that `record` names."""
    named = []
    if isinstance(record, EventIn):
        if record.location:
            named.append(("location", record.location))
        named += [("person", p.person) for p in record.participants]
        for o in record.objects:
            named += [
                (t, getattr(o, f))
                for f, t in (("phone", "phone"), ("item", "item"), ("holder", "person"))
                if getattr(o, f)
            ]
    elif isinstance(record, LinkIn):
        named += list(record.endpoints())
        if record.event:
            named.append(("event", record.event))
    return [(kind, ref.agency, ref.ref) for kind, ref in named]


def test_records_only_refer_to_records_already_yielded_and_refs_are_unique():
    seen: set[tuple[str, str, str]] = set()
    agencies: set[str] = set()
    for record in generate(11, "tiny"):
        if record.type == "agency":
            agencies.add(record.code)
            continue
        assert record.agency in agencies
        for target in _targets(record):
            assert target in seen, f"{record.type} {record.ref} names {target} before it exists"
        key = (record.type, record.agency, record.ref)
        assert key not in seen, f"{key} yielded twice"
        seen.add(key)


def test_tiny_world_is_about_the_size_its_table_row_says():
    world = World(3, "tiny")
    kinds = Counter(r.type for r in world.records())
    expected = resolve_scale("tiny").events
    assert 0.6 * expected <= kinds["event"] <= 1.4 * expected
    assert world.events == kinds["event"]


def test_a_world_yields_its_records_once():
    world = World(3, "tiny")
    for _ in world.records():
        pass
    with pytest.raises(RuntimeError):
        next(world.records())


def test_the_truth_is_refused_before_the_stream_ends():
    world = World(3, "tiny")
    next(world.records())
    with pytest.raises(RuntimeError):
        labels.build(world)


@pytest.mark.parametrize(
    ("events", "lines_at_least"),
    [
        (900, 3),  # the tiny row itself
        (50_000, 6),  # between small and medium: grown from the small row
        (2_000_000, 80),  # twice the large row
    ],
)
def test_scale_for_events_grows_lines_and_households_with_the_ask(events, lines_at_least):
    scale = scale_for_events(events)
    assert scale.events == events
    assert scale.lines >= lines_at_least
    assert scale_for_events(events * 2).households > scale.households


def test_scale_for_events_refuses_nothing_and_unknown_names():
    with pytest.raises(ValueError):
        scale_for_events(0)
    with pytest.raises(ValueError):
        resolve_scale("enormous")


@pytest.fixture(scope="module")
def small_world() -> tuple[dict, Counter, set, dict, list[Individual]]:
    """Generate the small world once: truth, events per record, records flagged, dates, people."""
    world = World(2019, "small")
    events_of: Counter = Counter()
    flagged: set[tuple[str, str]] = set()
    dates: dict[tuple[str, str], list] = {}
    for record in world.records():
        if not isinstance(record, EventIn):
            continue
        for p in record.participants:
            key = (p.person.agency, p.person.ref)
            dates.setdefault(key, []).append(record.occurred_at)
            if "operation" not in record.attributes:
                events_of[key] += 1
            if record.kind in ("missing_episode", "school_exclusion"):
                flagged.add(key)
    return labels.build(world), events_of, flagged, dates, world.ctx.people.everyone


def _keys(person: dict) -> list[tuple[str, str]]:
    return [(r["agency"], r["ref"]) for r in person["records"]]


def test_exploited_children_are_not_trivially_separable(small_world):
    """Ordinary children go missing and are excluded too; some runners are rarely seen."""
    truth, events_of, flagged, _, _ = small_world
    end = date.fromisoformat(truth["period"]["day_of_action"])
    children = [
        p
        for p in truth["people"]
        if p["role"] == "ordinary" and age_on(date.fromisoformat(p["date_of_birth"]), end) < 18
    ]
    signalled = [p for p in children if any(k in flagged for k in _keys(p))]
    exploited = [p for p in truth["people"] if p["exploited_child"]]
    assert len(signalled) > len(exploited)

    def events(p: dict) -> int:
        return sum(events_of[k] for k in _keys(p))

    busiest_ordinary = max(events(p) for p in children)
    quietest_exploited = min(events(p) for p in exploited)
    assert quietest_exploited < busiest_ordinary


def test_exploited_children_were_under_18_at_a_line_event(small_world):
    truth, _, _, dates, _ = small_world
    exploited = [p for p in truth["people"] if p["exploited_child"]]
    child_runners = {
        tuple(sorted(_keys(runner)))
        for line in truth["lines"]
        for runner in line["runners"]
        if runner["child"]
    }
    assert exploited
    for person in exploited:
        dob = date.fromisoformat(person["date_of_birth"])
        ages = [age_on(dob, when) for key in _keys(person) for when in dates.get(key, [])]
        assert min(ages) < 18, person["person"]
        assert tuple(sorted(_keys(person))) in child_runners


def test_people_living_in_liverpool_are_of_its_census_ethnic_groups(small_world):
    everyone = small_world[4]
    shares = gazetteer.load().ethnicity["Liverpool"].percent()
    liverpool = [p.ethnicity for p in everyone if p.town == "Liverpool"]
    assert len(liverpool) > 5000
    counts = Counter(liverpool)
    assert set(counts) == GROUPS
    for group, percent in shares.items():
        # About 10,000 people in households of one to five: within a point and a half (the
        # world is fixed by its seed; this one is within half a point).
        assert abs(100 * counts[group] / len(liverpool) - percent) < 1.5, group


def test_a_child_of_a_family_usually_takes_a_parents_ethnic_group(small_world):
    everyone = small_world[4]
    children = [
        p
        for p in everyone
        if p.household is not None
        and p.household.kind == v.LocationKind.HOME
        and p.household.adults
        and all(p is not a for a in p.household.adults)
    ]
    assert len(children) > 5000
    as_a_parent = sum(p.ethnicity in {a.ethnicity for a in p.household.adults} for p in children)
    # 90% take a parent's group; of the rest, most draw the same group from the town's shares.
    assert 0.9 <= as_a_parent / len(children) < 1  # ... and some families are of mixed heritage


def test_every_labelled_person_has_one_of_the_five_groups_whatever_their_role(small_world):
    truth, *_ = small_world
    for person in truth["people"]:
        assert person["ethnicity"] in GROUPS, person["person"]
    members = [p for p in truth["people"] if p["role"] != "ordinary"]
    assert len({p["ethnicity"] for p in members}) > 1
