"""API fixtures: the duties world, members of its agencies, and a client per token."""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.api import tokens
from safeguard.records.models import Agency
from tests.safeguarding.test_duties import WORLD

OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {"type": "person", "agency": "cumbria", "ref": "CKID", "date_of_birth": "2011-01-01"},
)


@pytest.fixture
def world(record):
    record(*WORLD, *OTHERS)


@pytest.fixture
def member(world):
    """Return a function making a user of an agency with a role."""

    def _member(role: Role, agency: str = "lancs", username: str = ""):
        username = username or f"{role}-{agency}"
        return create_member(username, "pw", Agency.objects.get(code=agency), role).user

    return _member


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(path, body, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(member):
    """Return a function giving an ApiClient acting as a new member (role, agency)."""

    def _as(role: Role, agency: str = "lancs", username: str = "") -> ApiClient:
        user = member(role, agency, username)
        client = ApiClient(tokens.issue(user.username, "test program").token)
        client.user = user
        return client

    return _as
