"""The day of action: a multi-force raid on one day, with Class A and cash seized."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from safeguard.demo import labels
from safeguard.demo.scenario import load_scenario
from safeguard.demo.world import World
from safeguard.intake.recording import record_batch
from safeguard.records import vocabulary as v
from safeguard.records.models import Event, EventObject

UK = ZoneInfo("Europe/London")
POLICE = {"merseyside", "lancashire", "cumbria", "police_scotland", "btp"}


@pytest.fixture
def operation(db) -> dict:
    """Load the tiny world and return the truth about its operation."""
    world = World(2019, "tiny")
    record_batch(world.records(), source="demo", batch_size=5000)
    return labels.build(world)["operation"]


def _events(name: str):
    return Event.objects.filter(attributes__operation=name)


def test_raids_and_arrests_fall_on_one_day_across_police_forces(operation):
    action = _events(operation["name"]).filter(kind__in=[v.EventKind.RAID, v.EventKind.ARREST])
    days = {e.occurred_at.astimezone(UK).date().isoformat() for e in action}
    assert days == {operation["date"]}
    by_force = Counter(action.values_list("agency__code", flat=True))
    assert len(set(by_force) & POLICE) >= 4, by_force
    assert by_force.total() >= 24  # dozens of raid and arrest events, even in the tiny world
    arrests = Counter(action.filter(kind=v.EventKind.ARREST).values_list("agency__code", flat=True))
    assert dict(arrests) == operation["arrests"]


def test_arrests_stop_at_the_articles_figures(operation):
    limits = load_scenario().operation.arrests
    for force, n in operation["arrests"].items():
        assert n <= limits[force], force


def test_class_a_drugs_and_cash_are_seized(operation):
    seized = EventObject.objects.filter(
        event__in=_events(operation["name"]), role=v.ObjectRole.SEIZED, item__isnull=False
    ).select_related("item")
    drugs = [o.item for o in seized if o.item.kind == v.ItemKind.DRUGS]
    cash = [o.item for o in seized if o.item.kind == v.ItemKind.CASH]
    assert drugs and all(d.attributes["drug_class"] == "A" for d in drugs)
    assert cash


def test_the_large_cash_seizure_is_at_a_liverpool_address(operation):
    large = load_scenario().operation.large_cash_pence
    raid = Event.objects.get(
        agency__code=operation["large_cash_seizure_at"]["agency"],
        source_ref=operation["large_cash_seizure_at"]["ref"],
    )
    amounts = [
        o.item.attributes["amount_pence"]
        for o in raid.event_objects.select_related("item")
        if o.item and o.item.kind == v.ItemKind.CASH
    ]
    assert amounts == [large]
    assert raid.location.local_authority == "E08000012"  # Liverpool (ONS)


def test_some_arrests_are_at_stations_or_on_trains(operation):
    at_rail = _events(operation["name"]).filter(
        kind=v.EventKind.ARREST,
        location__kind__in=[v.LocationKind.STATION, v.LocationKind.TRAIN],
    )
    assert at_rail.exists()
    assert set(at_rail.values_list("agency__code", flat=True)) == {"btp"}


def test_children_found_are_safeguarded(operation):
    assert operation["safeguarded_children"]
    concerns = _events(operation["name"]).filter(kind=v.EventKind.CONCERN)
    subjects = {
        (p.person.agency.code, p.person.source_ref)
        for e in concerns
        for p in e.participations.select_related("person__agency")
    }
    for child in operation["safeguarded_children"]:
        assert subjects & {(r["agency"], r["ref"]) for r in child["records"]}
    # a coerced child arrested in the operation is recorded as victim as well as suspect
    victims = _events(operation["name"]).filter(
        kind=v.EventKind.ARREST, participations__role=v.Role.VICTIM
    )
    assert victims.exists()
