"""demo.loading: the world goes in through intake's batch path; loading twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model

from safeguard.demo.loading import load_world
from safeguard.demo.progress import story_end
from safeguard.demo.world import World
from safeguard.offenders import models as offenders
from safeguard.records.services import record_counts
from tests.demo.test_demo_offenders import overdue_share

# What the demo's registered offenders add besides records, by the kind the summary counts.
OFFENDERS = {
    "offender": offenders.Offender,
    "offender_visit": offenders.Visit,
    "risk_review": offenders.RiskReview,
    "offender_notification": offenders.NotificationRecord,
    "order_condition": offenders.OrderCondition,
}


def _offender_counts() -> dict[str, int]:
    counts = {kind: model.objects.count() for kind, model in OFFENDERS.items()}
    return {**counts, "users": get_user_model().objects.count()}


def _assert_second_load_changes_nothing(scale: str) -> None:
    seen: list[int] = []
    first = load_world(2019, scale, progress=seen.append)
    counts, held = record_counts(), _offender_counts()
    # The world's events (the progress count), and the network findings about its children.
    assert first.created["event"] == counts["events"] > seen[-1] > 0
    assert seen == sorted(seen)
    # The registered offenders and their histories, counted as they were stored.
    assert all(first.created[kind] == held[kind] > 0 for kind in OFFENDERS), first.describe()
    second = load_world(2019, scale)
    assert sum(second.created.values()) == 0, second.describe()
    assert second.unchanged == first.created
    assert record_counts() == counts
    assert _offender_counts() == held


@pytest.mark.django_db
def test_loading_the_tiny_world_twice_changes_nothing():
    _assert_second_load_changes_nothing("tiny")


@pytest.mark.slow
@pytest.mark.django_db
def test_loading_the_small_world_twice_changes_nothing():
    _assert_second_load_changes_nothing("small")
    # The default world's register, overdue in proportion to the inspection's finding (one
    # force, 283 of 1,521: about 19%), checked here rather than in a second load of it.
    assert 0.1 <= overdue_share(story_end(World(2019, "small").ctx.end)) <= 0.3
