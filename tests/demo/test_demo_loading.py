"""demo.loading: the world goes in through intake's batch path; loading twice changes nothing."""

import pytest

from safeguard.demo.loading import load_world
from safeguard.records.services import record_counts


def _assert_second_load_changes_nothing(scale: str) -> None:
    seen: list[int] = []
    first = load_world(2019, scale, progress=seen.append)
    counts = record_counts()
    # The world's events (the progress count), and the network findings about its children.
    assert first.created["event"] == counts["events"] > seen[-1] > 0
    assert seen == sorted(seen)
    second = load_world(2019, scale)
    assert sum(second.created.values()) == 0, second.describe()
    assert second.unchanged == first.created
    assert record_counts() == counts


@pytest.mark.django_db
def test_loading_the_tiny_world_twice_changes_nothing():
    _assert_second_load_changes_nothing("tiny")


@pytest.mark.slow
@pytest.mark.django_db
def test_loading_the_small_world_twice_changes_nothing():
    _assert_second_load_changes_nothing("small")
