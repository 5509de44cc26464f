"""Shared fixtures: record POLE data through the real intake path."""

from collections.abc import Callable

import pytest

from safeguard.intake.recording import Summary, record_batch
from safeguard.intake.schema import RECORD_ADAPTER


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Let Django empty the database after a test that commits (`transactional_db`,
    `live_server`, `django_db(transaction=True)`): its flush deletes audit entries, which
    the append-only triggers refuse except inside safeguard.audit.maintenance."""
    from contextlib import ExitStack

    from django.test import TransactionTestCase

    from safeguard.audit.maintenance import maintenance

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        with ExitStack() as stack:
            for alias in self._databases_names(include_mirrors=False):
                stack.enter_context(maintenance(alias))
            flush(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown)
        yield


@pytest.fixture
def record(db) -> Callable[..., Summary]:
    """Return a function that records raw record dicts through intake, as an importer does."""

    def _record(*raw: dict, source: str = "test") -> Summary:
        return record_batch(
            [(RECORD_ADAPTER.validate_python(r), i) for i, r in enumerate(raw, start=1)],
            source=source,
        )

    return _record


@pytest.fixture
def police(record) -> str:
    """Record Merseyside Police and return its code."""
    record(
        {
            "type": "agency",
            "code": "merseyside",
            "kind": "police_force",
            "name": "Merseyside Police",
        }
    )
    return "merseyside"


@pytest.fixture
def verified_login(db) -> Callable:
    """Return a function that signs `user` in on `client` with their second factor given.

    For tests of pages behind the second factor (the admin site, and every page for
    administrators and analysts): the user gets a confirmed TOTP device and the session is
    marked verified by it, as entering a code would. Returns the device.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from safeguard.accounts.second_factor import give_confirmed_device

    def _login(client, user):
        device = give_confirmed_device(user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return device

    return _login
