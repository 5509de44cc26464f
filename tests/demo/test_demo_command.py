"""`safeguard demo`: load the world, make one account per role, print them, then serve."""

import io
import os
import re
import time
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard import clock
from safeguard.accounts import second_factor
from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.demo.accounts import AGENCY_FOR_ROLE, username_for
from safeguard.demo.management.commands import demo
from safeguard.demo.progress import story_end
from safeguard.demo.world import World
from safeguard.offenders.models import Offender, OffenderAlert, SafeguardingAlert, Schedule
from safeguard.records.models import Event
from safeguard.safeguarding.models import Duty


@pytest.fixture(autouse=True)
def fast_hashing(settings, monkeypatch):
    """Hash passwords cheaply: the real hasher takes most of a second per password. The
    demo sets its clock (settings and environment): both are put back after each test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CLOCK_START = ""
    monkeypatch.delenv("SAFEGUARD_CLOCK_START", raising=False)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--scale", "tiny", *args, stdout=out)
    return out.getvalue()


def _passwords(output: str) -> dict[str, str]:
    """Return {username: password} from the printed accounts table (a row starts with its
    border, unlike a sentence that names an account)."""
    found = {}
    for role in Role:
        username = username_for(role)
        row = re.search(rf"^\S\s*{re.escape(username)}\s*\S\s*.*?\S\s+(\S+)\s*\S\s*$", output, re.M)
        assert row, f"{username} is not printed"
        found[username] = row.group(1)
    return found


def _totp_secrets(output: str) -> dict[str, str]:
    """Return {username: TOTP secret} for the accounts printed with one."""
    found = {}
    for role in Role:
        username = username_for(role)
        row = re.search(rf"^\S\s*{re.escape(username)}\s.*$", output, re.M)
        secret = re.search(r"\b[A-Z2-7]{32}\b", row.group(0)) if row else None
        if secret:
            found[username] = secret.group(0)
    return found


@pytest.mark.django_db
def test_demo_loads_the_world_and_prints_one_account_per_role():
    output = _run()
    assert Event.objects.exists()
    assert "Records loaded" in output
    passwords = _passwords(output)
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert users.count() == len(Role)
    for role in Role:
        member = Membership.objects.select_related("user", "agency").get(
            user__username=username_for(role)
        )
        assert member.role == role
        assert member.agency.code == AGENCY_FOR_ROLE[role]
        assert member.user.check_password(passwords[username_for(role)])
    assert len(set(passwords.values())) == len(Role)
    assert get_user_model().objects.get(username="demo-administrator").is_superuser
    # The offender manager signs in to a team's caseload; the supervisor has none (the force).
    teams = dict(Membership.objects.values_list("user__username", "team"))
    assert teams["demo-offender-manager"] == "MOSOVO Liverpool North"
    assert teams["demo-supervisor"] == ""


@pytest.mark.django_db
def test_the_demo_runs_the_offender_schedule_and_prints_its_figures():
    output = _run()
    assert "Registered offenders (Merseyside)" in output
    assert Schedule.objects.count() == Offender.objects.count() > 0
    assert SafeguardingAlert.objects.exists()  # the children planted at offenders' addresses
    # The teams' supervisors are told of what is overdue, once.
    told = OffenderAlert.objects.count()
    assert told > 0
    assert re.search(r"demo-offender-manager \(MOSOVO Liverpool North\) manages \d+", output)
    _run()
    assert OffenderAlert.objects.count() == told


@pytest.mark.django_db
def test_the_administrator_and_the_analyst_get_a_totp_secret_that_works():
    output = _run()
    assert "second factor (TOTP secret)" in output
    secrets = _totp_secrets(output)
    assert set(secrets) == {"demo-administrator", "demo-analyst"}
    for username, secret in secrets.items():
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        assert second_factor.secret_base32(device) == secret
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        assert device.verify_token(totp.token())
    assert TOTPDevice.objects.count() == 2
    # Every run gives new secrets, and the old ones stop working.
    again = _totp_secrets(_run())
    assert TOTPDevice.objects.count() == 2
    assert all(again[username] != secrets[username] for username in secrets)


@pytest.mark.django_db
def test_running_again_loads_nothing_new_and_resets_every_password():
    first = _passwords(_run())
    events = Event.objects.count()
    again = _run()
    second = _passwords(again)
    assert Event.objects.count() == events
    assert re.search(r"event\s*\S\s*0\s*\S", again), "a second load must create no event"
    assert get_user_model().objects.filter(username__startswith="demo-").count() == len(Role)
    for username, password in second.items():
        user = get_user_model().objects.get(username=username)
        assert password != first[username]
        assert user.check_password(password)
        assert not user.check_password(first[username])


@pytest.mark.django_db
def test_without_no_serve_it_serves_on_the_given_address(monkeypatch):
    calls = []
    real = demo.call_command

    def fake(name, *args, **kwargs):
        if name == "serve":
            calls.append(kwargs)
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(demo, "call_command", fake)
    call_command(
        "demo", "--scale", "tiny", "--host", "0.0.0.0", "--port", "8123", stdout=io.StringIO()
    )  # noqa: S104
    assert calls == [{"host": "0.0.0.0", "port": 8123}]  # noqa: S104
    # The server runs from the end of the demo's story: its gunicorn inherits the clock.
    start = datetime.fromisoformat(os.environ["SAFEGUARD_CLOCK_START"])
    assert start == story_end(World(2019, "tiny").ctx.end)


@pytest.mark.django_db
def test_the_demo_runs_from_the_end_of_its_story_unless_asked_for_the_real_date():
    present = story_end(World(2019, "tiny").ctx.end)
    output = _run()
    assert "The clock starts at" in output
    assert abs(clock.now() - present) < timedelta(minutes=5)
    # Its queue is current: the duties left undone in the story's last fortnight are due
    # around now, not all years overdue.
    assert Duty.objects.filter(state="draft", due_at__gt=clock.now()).exists()


@pytest.mark.django_db
def test_with_real_clock_the_demo_runs_on_todays_date(settings):
    output = _run("--real-clock")
    assert "The clock starts at" not in output
    assert not clock.shifted()
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


@pytest.mark.django_db
def test_labels_are_written_where_asked(tmp_path):
    path = tmp_path / "truth.json"
    output = _run("--labels", str(path))
    assert path.exists()
    assert str(path) in output


@pytest.mark.django_db
def test_another_seed_over_a_loaded_world_is_refused_with_advice():
    _run("--seed", "1")
    events = Event.objects.count()
    with pytest.raises(CommandError, match="fresh database"):
        _run("--seed", "2")
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_after_the_demo_every_arrested_child_is_referred_and_every_charged_child_reviewed():
    import json

    from safeguard.safeguarding.models import ChargingReview, Duty, Notification, Transition

    output = _run()
    assert "Victim-first figures" in output
    out = io.StringIO()
    call_command("duties", "check", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["arrested_without_referral"] == 0
    assert figures["charged_without_review"] == 0
    # The story shows the work done, and what is still to do.
    assert Duty.objects.filter(kind="childrens_services_referral", state="closed").exists()
    assert ChargingReview.objects.filter(event__isnull=False).exists()
    assert Notification.objects.filter(user__username="demo-supervisor").exists()
    # Loading again takes no step twice and tells no one twice.
    steps, told = set(Transition.objects.values_list("id", flat=True)), Notification.objects.count()
    _run()
    again = Transition.objects.exclude(id__in=steps).select_related("duty")
    # Says which steps were taken again if it ever fails (it did once, on PostgreSQL, and
    # could not be made to again): the duty, its kind and rule, and the step.
    assert [
        (t.duty_id, t.duty.kind, t.duty.rule, t.from_state, t.to_state, str(t.at)) for t in again
    ] == []
    assert Notification.objects.count() == told
