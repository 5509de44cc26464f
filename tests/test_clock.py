"""The one clock, and the demo's clock that starts at the end of its story."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from safeguard import clock


@pytest.fixture(autouse=True)
def _fresh_anchor():
    clock._started.cache_clear()
    yield
    clock._started.cache_clear()


def test_unset_the_clock_is_the_real_time(settings):
    settings.CLOCK_START = ""
    assert not clock.shifted()
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=1)


def test_set_it_starts_at_the_given_moment_and_runs_at_the_real_rate(settings):
    settings.CLOCK_START = "2025-02-27T17:30:00+00:00"
    first = clock.now()
    assert clock.shifted()
    assert datetime(2025, 2, 27, 17, 30, tzinfo=UTC) <= first
    assert first - datetime(2025, 2, 27, 17, 30, tzinfo=UTC) < timedelta(seconds=1)
    time.sleep(0.05)
    later = clock.now()
    assert timedelta(seconds=0.05) <= later - first < timedelta(seconds=1)


@pytest.mark.parametrize("value", ["next tuesday", "2025-02-27T17:30"])
def test_a_start_that_cannot_be_read_is_refused_with_the_reason(settings, value):
    settings.CLOCK_START = value
    with pytest.raises(ImproperlyConfigured, match="SAFEGUARD_CLOCK_START"):
        clock.now()
    assert "safeguarding.E003" in {m.id for m in run_checks()}


def test_the_deploy_check_warns_when_the_clock_is_not_the_real_time(settings):
    settings.CLOCK_START = "2025-02-27T17:30:00+00:00"
    assert "safeguarding.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.CLOCK_START = ""
    assert "safeguarding.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
