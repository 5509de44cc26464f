"""What the page tests build, usable outside fixtures (as test_layout.py's pages are built):
records through the real intake path, and members signed in on a test client."""

from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.intake.recording import record_batch
from safeguard.intake.schema import RECORD_ADAPTER
from safeguard.records.models import Agency


def record(*raw: dict) -> None:
    """Record raw records through intake, as an importer does."""
    record_batch(
        [(RECORD_ADAPTER.validate_python(r), i) for i, r in enumerate(raw, start=1)],
        source="test",
    )


def person(ref: str, given: str, family: str, born: str, agency: str = "lancs") -> dict:
    """A named person record of the agency, born on `born` (ISO), for record()."""
    return {
        "type": "person",
        "agency": agency,
        "ref": ref,
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
    }


def member(client: Client, role: Role, agency: str = "lancs", name: str = "", team: str = ""):
    """Sign a new member of the agency, in the role (and team), in on the client; return the
    user.

    The username is `name`, else the role's.
    """
    agency_row = Agency.objects.get(code=agency)
    user = create_member(name or str(role), "pw", agency_row, role, team=team).user
    client.force_login(user)
    return user


def signed_in(role: Role, agency: str = "lancs", name: str = "", team: str = "") -> Client:
    """Return a new client signed in as a new member (member()), the user as `client.user`."""
    client = Client()
    client.user = member(client, role, agency, name, team)
    return client
