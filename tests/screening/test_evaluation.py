"""The evaluation against the demo world's truth, and the targets the catalogue must meet."""

import pytest

from safeguard.demo.loading import load_world
from safeguard.screening.evaluation import Group, disparity, evaluate, read_labels


def test_disparity_is_highest_rate_over_lowest_among_groups_large_enough():
    groups = {
        "a": Group(children=100, flagged=10),
        "b": Group(children=50, flagged=4),
        "small": Group(children=29, flagged=29),  # under 30: reported, never ratioed
    }
    assert disparity(groups) == 1.25


@pytest.mark.parametrize(
    ("groups", "ratio"),
    [
        ({"a": Group(100, 0), "b": Group(40, 0)}, 1.0),  # all equal, at zero
        ({"a": Group(100, 1), "b": Group(40, 0)}, float("inf")),
        ({"a": Group(100, 5)}, 1.0),
        ({"a": Group(10, 5)}, None),
    ],
)
def test_disparity_edge_cases(groups, ratio):
    assert disparity(groups) == ratio


@pytest.mark.slow
@pytest.mark.django_db
def test_the_default_catalogue_meets_its_targets_on_the_default_demo_world(tmp_path):
    labels = tmp_path / "truth.json"
    load_world(2019, "small", labels)
    report = evaluate(read_labels(labels))
    assert report.exploited >= 25
    assert report.recall >= 0.9, report.describe()
    assert report.precision >= 0.7, report.describe()
