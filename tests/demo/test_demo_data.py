"""The demo's data files: real places and codes, and loaders that refuse a malformed file."""

import re
from importlib import resources

import pytest
import yaml

from safeguard.demo import checks, gazetteer, scenario
from safeguard.demo.world import World
from safeguard.records import vocabulary as v

GAZETTEER = resources.files("safeguard.demo").joinpath("gazetteer.yaml").read_text()
SCENARIO = resources.files("safeguard.demo").joinpath("scenario.yaml").read_text()


def _changed(text: str, change) -> str:
    data = yaml.safe_load(text)
    change(data)
    return yaml.safe_dump(data)


def test_the_forces_of_the_article_are_agencies_with_real_area_codes():
    gaz = gazetteer.load()
    forces = {f.code: f for f in gaz.forces}
    assert {"merseyside", "lancashire", "cumbria", "police_scotland", "btp"} <= set(forces)
    assert forces["merseyside"].area_code == "E23000004"
    assert forces["police_scotland"].jurisdiction == v.Jurisdiction.SCOTLAND
    kinds = {a.kind for a in gaz.agencies()}
    assert kinds == {
        v.AgencyKind.POLICE_FORCE,
        v.AgencyKind.CHILDRENS_SERVICES,
        v.AgencyKind.EDUCATION,
        v.AgencyKind.HEALTH,
        v.AgencyKind.YOUTH_JUSTICE,
        v.AgencyKind.NRM_DECISION_MAKER,  # where every NRM referral goes
    }


def test_local_authorities_carry_ons_codes():
    gaz = gazetteer.load()
    codes = {a.code: a.area_code for a in gaz.local_authorities}
    assert codes["liverpool_childrens_services"] == "E08000012"
    assert codes["cumberland_childrens_services"] == "E06000063"
    assert codes["westmorland_furness_childrens_services"] == "E06000064"
    assert all(re.fullmatch(r"[ES](0[6-9]|1[02])\d{6}", c) for c in codes.values()), codes


@pytest.mark.parametrize(
    "station",
    [
        "Liverpool Lime Street",
        "Preston",
        "Lancaster",
        "Blackpool North",
        "Carlisle",
        "Barrow-in-Furness",
        "Kendal",
        "Oxenholme Lake District",
        "Penrith North Lakes",
        "Workington",
        "Glasgow Central",
        "Dumfries",
    ],
)
def test_the_railway_stations_of_the_routes_are_there(station):
    assert gazetteer.load().station(station).town


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["towns"][0].update(force="atlantis"), "unknown force"),
        (lambda d: d["towns"][0].update(la="nowhere"), "unknown local authority"),
        (lambda d: d["stations"][0].update(town="Atlantis"), "unknown town"),
        (lambda d: d["schools"][0].update(serves=["Atlantis"]), "serves unknown town"),
        (lambda d: d["routes"].update(cumbria=["Nowhere Parkway"]), "unknown station"),
        (lambda d: d["schools"][1].update(prefix=d["schools"][0]["prefix"]), "used twice"),
        (lambda d: d["towns"][0].update(colour="red"), "Extra inputs"),
        (lambda d: d["towns"][0].update(lat=123), "less than or equal"),
        (lambda d: d["ethnicity"]["Liverpool"].update(white=70), "sum to 86 per cent, not 100"),
        (lambda d: d["ethnicity"]["Liverpool"].update(arab=1), "Extra inputs"),
        (lambda d: d["ethnicity"]["Liverpool"].pop("black"), "Field required"),
        (lambda d: d["ethnicity"]["Preston"].update(asian=-1), "greater than or equal"),
        (lambda d: d["ethnicity"].pop("Preston"), "town Preston: no ethnic group shares"),
        (lambda d: d["ethnicity"].update(Atlantis=d["ethnicity"]["Kendal"]), "unknown town"),
    ],
)
def test_a_malformed_gazetteer_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        gazetteer.parse(_changed(GAZETTEER, change))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"]["rates"]["user"].update(sightseeing=1), "user"),
        (lambda d: d["lines"]["shape"].update(targets=[3, 1]), "runs backwards"),
        (lambda d: d["ordinary"]["troubled"].append({"share": 0.99, "factor": 2}), "more than 1"),
        (lambda d: d["lines"]["hubs"][0]["targets"].append("durham"), "no target towns"),
        (lambda d: d["scales"]["tiny"].update(lines=1), "greater than or equal"),
        (lambda d: d["operation"]["whereabouts"].pop("home"), "whereabouts"),
        (lambda d: d.update(extra=1), "Extra inputs"),
        (lambda d: d["ethnicity"].update(child_takes_parent=1.5), "less than or equal"),
        (lambda d: d["noise"].pop("ethnicity_blank"), "Field required"),
    ],
)
def test_a_malformed_scenario_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        scenario.parse_scenario(_changed(SCENARIO, change))


def test_a_rate_for_an_event_kind_no_builder_writes_is_refused(monkeypatch):
    story = scenario.parse_scenario(
        _changed(SCENARIO, lambda d: d["ordinary"]["rates"]["adult"].update(seizure=0.1))
    )
    monkeypatch.setattr("safeguard.demo.context.load_scenario", lambda: story)
    with pytest.raises(ValueError, match="no builder for seizure"):
        World(1, "tiny")


def test_every_town_has_census_shares_of_the_five_ethnic_groups_in_whole_per_cent():
    gaz = gazetteer.load()
    assert set(gaz.ethnicity) == {t.name for t in gaz.towns}
    for town, shares in gaz.ethnicity.items():
        percent = shares.percent()
        assert list(percent) == list(gazetteer.ETHNIC_GROUPS.values()), town
        assert all(float(p).is_integer() for p in percent.values()), town
        assert sum(percent.values()) == 100, town


def test_the_ethnic_shares_tell_the_places_apart_as_the_census_does():
    shares = gazetteer.load().ethnicity
    lancashire = ("Lancaster", "Morecambe", "Blackpool", "Fleetwood")
    # Blackburn with Darwen and Preston have large Asian communities; the coast does not.
    assert (
        shares["Blackburn"].asian
        > shares["Preston"].asian
        > 3 * max(shares[t].asian for t in lancashire)
    )
    assert min(shares[t].white for t in ("Carlisle", "Kendal", "Dumfries")) >= 97
    assert shares["London"].black == max(s.black for s in shares.values())  # Lambeth
    assert shares["Birmingham"].white < 50 < shares["Manchester"].white < shares["Liverpool"].white


def test_the_committed_wording_loads():
    words = scenario.load_wording()
    assert len(words.brands) >= 40  # the large world has 40 lines, each with its own brand
    assert len(set(words.brands)) == len(words.brands)


def _broken() -> None:
    raise ValueError("broken on purpose")


@pytest.mark.parametrize("check_id", ["demo.E001", "demo.E002", "demo.E003"])
def test_a_data_file_that_does_not_load_fails_its_system_check(monkeypatch, check_id):
    files = tuple((i, name, _broken if i == check_id else load) for i, name, load in checks.FILES)
    monkeypatch.setattr(checks, "FILES", files)
    assert [e.id for e in checks.data_files()] == [check_id]


def test_a_broken_ethnicity_edit_fails_the_gazetteer_system_check(monkeypatch):
    broken = _changed(GAZETTEER, lambda d: d["ethnicity"]["Liverpool"].update(white=94))
    files = tuple(
        (i, name, (lambda: gazetteer.parse(broken)) if i == "demo.E001" else load)
        for i, name, load in checks.FILES
    )
    monkeypatch.setattr(checks, "FILES", files)
    errors = checks.data_files()
    assert [e.id for e in errors] == ["demo.E001"]
    assert "sum to 110 per cent" in errors[0].msg


def test_a_rate_no_builder_writes_fails_its_system_check(monkeypatch):
    story = scenario.parse_scenario(
        _changed(SCENARIO, lambda d: d["lines"]["rates"]["user"].update(seizure=0.1))
    )
    monkeypatch.setattr("safeguard.demo.world.load_scenario", lambda: story)
    errors = checks.data_files()
    assert [e.id for e in errors] == ["demo.E004"]
    assert "lines.rates.user: no builder for seizure" in errors[0].msg


def test_the_committed_data_files_pass_the_system_checks():
    assert checks.data_files() == []
