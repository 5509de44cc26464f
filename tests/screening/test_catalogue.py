"""Screening catalogues (screening.catalogue): validation, version and hash, the one in use.

A force reviews and changes its catalogue as data: a mistake must be refused with a message
that names the entry and the field, and every screening must say which catalogue it used.
"""

import copy
import os
import re

import pytest
import yaml

from safeguard.screening import catalogue as cat

SMALL = """\
# A small catalogue for tests.
id: test
title: Test catalogue
version: 0.1.0
source: tests
recency:
  - {label: current, up_to_days: 91, factor: 1.0}
  - {label: earlier, up_to_days: 365, factor: 0.5}
thresholds: {low: 1, medium: 3, high: 6}
vulnerability_cap: 2
indicators:
  - id: seen
    sign: "1"
    title: Seen missing
    description: A missing episode.
    citation: Home Office county lines guidance (2023)
    evidence:
      - {match: event, kinds: [missing_episode], roles: [missing_person],
         attributes: {reported_by: [carer], found: [true]}}
    at_least: 2
    within_days: 90
    window_days: 365
    weight: 2
vulnerabilities:
  - id: in-care
    title: In care
    description: Looked after.
    citation: Home Office county lines guidance (2023)
    evidence:
      - {match: flag, flags: [looked_after_child]}
    window_days: 365
    weight: 1
"""


def small() -> dict:
    return yaml.safe_load(SMALL)


def problems(data: dict) -> list[str]:
    """Return the problems parsing `data` (as YAML) reports; fail if it parses."""
    with pytest.raises(cat.CatalogueError) as caught:
        cat.parse(yaml.safe_dump(data, sort_keys=False))
    return caught.value.problems


def test_the_default_catalogue_is_valid():
    default = cat.load(cat.DEFAULT_PATH)
    assert (default.id, default.version) == ("cce-county-lines", "1.2.0")
    assert default.vulnerability_cap < default.thresholds.medium


def test_the_small_catalogue_is_valid():
    assert cat.parse(SMALL).indicators[0].id == "seen"


# -- validation: each problem names its entry and field ----------------------------------


def test_an_unknown_event_kind_names_the_entry_and_the_kind():
    data = small()
    data["indicators"][0]["evidence"][0]["kinds"] = ["missing_episode", "mugging"]
    assert problems(data) == [
        "indicators[0] (seen): evidence[0].kinds: unknown event kind 'mugging'"
    ]


def test_an_unknown_flag_names_the_vulnerability_factor():
    data = small()
    data["vulnerabilities"][0]["evidence"][0]["flags"] = ["in_care"]
    assert problems(data) == [
        "vulnerabilities[0] (in-care): evidence[0].flags: unknown person flag 'in_care'"
    ]


def test_a_missing_citation_names_the_entry():
    data = small()
    del data["indicators"][0]["citation"]
    assert problems(data) == ["indicators[0] (seen): citation: is required"]


def test_an_entry_without_an_id_is_named_by_its_position():
    data = small()
    del data["vulnerabilities"][0]["id"]
    assert problems(data) == ["vulnerabilities[0]: id: is required"]


def test_a_misspelt_field_is_refused():
    data = small()
    data["indicators"][0]["wieght"] = data["indicators"][0].pop("weight")
    assert problems(data) == [
        "indicators[0] (seen): weight: is required",
        "indicators[0] (seen): wieght: Extra inputs are not permitted",
    ]


def test_a_window_longer_than_the_last_recency_band_is_refused():
    data = small()
    data["indicators"][0]["window_days"] = 400
    assert problems(data) == [
        "seen: window_days (400) is longer than the last recency band (365 days)"
    ]


def test_within_days_longer_than_window_days_is_refused():
    data = small()
    data["indicators"][0]["within_days"] = 120
    data["indicators"][0]["window_days"] = 100
    assert problems(data) == [
        "indicators[0] (seen): within_days (120) is longer than window_days (100): "
        "evidence outside the window is never counted"
    ]


def test_within_days_without_repeated_evidence_is_refused():
    data = small()
    data["indicators"][0]["at_least"] = 1
    assert problems(data) == ["indicators[0] (seen): within_days needs at_least of 2 or more"]


def test_an_id_used_twice_is_refused():
    data = small()
    data["vulnerabilities"][0]["id"] = "seen"
    assert problems(data) == ["seen: the id is used twice"]


@pytest.mark.parametrize("medium", [1, 6, 0.5])
def test_thresholds_must_rise(medium):
    data = small()
    data["thresholds"]["medium"] = medium
    assert problems(data) == [f"thresholds: must rise (low < medium < high), not 1, {medium:g}, 6"]


@pytest.mark.parametrize("cap", [3, 4])
def test_vulnerability_cap_must_be_below_medium(cap):
    data = small()
    data["vulnerability_cap"] = cap
    assert problems(data) == [
        f"vulnerability_cap ({cap}) must be below the medium threshold (3): vulnerability "
        "factors raise concern, they never prove exploitation"
    ]


def test_every_problem_of_the_whole_catalogue_is_reported_on_its_own():
    data = small()
    data["vulnerability_cap"] = 3
    data["vulnerabilities"][0]["window_days"] = 366
    assert problems(data) == [
        "in-care: window_days (366) is longer than the last recency band (365 days)",
        "vulnerability_cap (3) must be below the medium threshold (3): vulnerability "
        "factors raise concern, they never prove exploitation",
    ]


def test_text_that_is_not_yaml_is_refused_with_its_line_and_column():
    with pytest.raises(cat.CatalogueError) as caught:
        cat.parse("id: test\ntitle: a: b\n", "force.yaml")
    assert caught.value.source == "force.yaml"
    assert caught.value.problems == [
        "not valid YAML: line 2, column 9: mapping values are not allowed in this context"
    ]
    assert str(caught.value) == f"force.yaml: {caught.value.problems[0]}"


def test_yaml_that_is_not_a_mapping_is_refused():
    with pytest.raises(cat.CatalogueError) as caught:
        cat.parse("- id: test\n")
    assert caught.value.problems == ["a catalogue is a mapping of id, version, indicators..."]


def test_a_file_that_cannot_be_read_is_refused(tmp_path):
    path = tmp_path / "absent.yaml"
    with pytest.raises(cat.CatalogueError) as caught:
        cat.load(path)
    assert caught.value.source == str(path)
    assert caught.value.problems == ["cannot be read: No such file or directory"]


# -- version and content hash -------------------------------------------------------------


def test_the_content_hash_is_a_sha256_in_hex():
    assert re.fullmatch(r"[0-9a-f]{64}", cat.parse(SMALL).content_hash)


def test_comments_and_layout_do_not_change_the_hash():
    relaid = "# Reviewed 2024.\n" + SMALL.replace(
        "thresholds: {low: 1, medium: 3, high: 6}",
        "thresholds:  # local policy\n  low: 1\n  medium: 3\n  high: 6",
    )
    assert cat.parse(relaid).content_hash == cat.parse(SMALL).content_hash


def test_key_order_does_not_change_the_hash():
    data = small()
    reordered = dict(reversed(data.items()))
    reordered["indicators"] = [dict(reversed(r.items())) for r in data["indicators"]]
    evidence = reordered["indicators"][0]["evidence"][0]
    evidence["attributes"] = dict(reversed(evidence["attributes"].items()))
    text = yaml.safe_dump(reordered, sort_keys=False)
    assert cat.parse(text).content_hash == cat.parse(SMALL).content_hash


def test_a_changed_weight_changes_the_hash():
    data = small()
    data["indicators"][0]["weight"] = 2.5
    changed = cat.parse(yaml.safe_dump(data))
    assert changed.version == cat.parse(SMALL).version
    assert changed.content_hash != cat.parse(SMALL).content_hash


def test_a_hash_written_in_the_file_is_ignored():
    written = SMALL + "content_hash: 0000\n"
    assert cat.parse(written).content_hash == cat.parse(SMALL).content_hash


def test_the_recorded_json_parses_back_to_the_same_hash():
    catalogue = cat.parse(SMALL)
    assert cat.parse(cat.to_json(catalogue)).content_hash == catalogue.content_hash


def test_the_label_names_id_version_and_hash_prefix():
    catalogue = cat.parse(SMALL)
    assert catalogue.label == f"test 0.1.0 ({catalogue.content_hash[:12]})"


# -- the catalogue in use -----------------------------------------------------------------


def test_the_default_catalogue_is_in_use_unless_configured(settings):
    settings.SCREENING_CATALOGUE = ""
    assert cat.configured_path() == cat.DEFAULT_PATH
    assert cat.current().id == "cce-county-lines"


def test_a_configured_catalogue_replaces_the_default(settings, tmp_path):
    path = tmp_path / "force.yaml"
    path.write_text(SMALL, encoding="utf-8")
    settings.SCREENING_CATALOGUE = str(path)
    assert cat.current() == cat.parse(SMALL)


def test_a_changed_catalogue_file_is_read_again(settings, tmp_path):
    path = tmp_path / "force.yaml"
    path.write_text(SMALL, encoding="utf-8")
    settings.SCREENING_CATALOGUE = str(path)
    assert cat.current().version == "0.1.0"
    path.write_text(SMALL.replace("version: 0.1.0", "version: 0.2.0"), encoding="utf-8")
    mtime = path.stat().st_mtime_ns + 1_000_000_000  # a later write, however coarse the clock
    os.utime(path, ns=(mtime, mtime))
    assert cat.current().version == "0.2.0"


def test_a_broken_configured_catalogue_is_an_error_not_the_default(settings, tmp_path):
    path = tmp_path / "force.yaml"
    data = copy.deepcopy(small())
    data["indicators"][0]["evidence"][0]["kinds"] = ["mugging"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    settings.SCREENING_CATALOGUE = str(path)
    with pytest.raises(cat.CatalogueError) as caught:
        cat.current()
    assert caught.value.source == str(path)
