"""Fuzz every operation of the JSON API from its served OpenAPI schema: no server error.

Schemathesis reads /api/openapi.json from the application and generates requests for each
operation (examples, boundary and invalid values, then random ones), sent in process with
the bearer token of an officer whose force holds a child with referrals and a charging
review. Whatever the request, the answer must not be a 5xx.

Random ids and refs would almost never name a record, and the fuzzer would only ever see
404s and refusals; so most generated ids are swapped for ids of records that exist (the
officer's, and another force's child), and half the generated events are made to name the
officer's force and people, to reach the recording pipeline itself.

Each request runs in a savepoint that is rolled back, so no example sees what an earlier
one recorded (an event, a moved referral, an audit entry) and shrinking a failure replays
it on the same data. Examples are few and derandomised: the run is the same every time.

Loaded when the module is imported (`schemathesis.pytest.from_fixture` reads
`request.node._nodeid`, which pytest 9 no longer has); serving the schema needs no database.
"""

import pytest
import schemathesis
from django.db import transaction
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from safeguard.accounts.roles import Role
from safeguard.records.models import Person
from safeguard.safeguarding.models import ChargingReview, Duty
from tests.safeguarding.test_charging import ANSWERS
from tests.safeguarding.test_duties import _event

SIGNS = (
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
    _event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")),
)
REVIEW = {
    "proposed": "charge",
    "offence": "Possession with intent to supply a class A drug",
    "answers": ANSWERS,
    "decision": "charge",
    "rationale": "No link between the exploitation and this offence shown.",
}
# Path parameter -> ids of records that exist, filled by the `held` fixture for the test.
HELD: dict[str, list[int]] = {}


def _in_the_test_transaction():
    """Django as a WSGI application that keeps the test's database connection open.

    Django's own WSGI handler closes "old" connections when a request starts and ends, which
    inside a test's transaction would end it; Django's test client runs requests without
    that, through ClientHandler, which this adapts back to the WSGI interface schemathesis
    calls (CSRF is not in question: the API takes a bearer token, never a cookie).
    """
    handler = ClientHandler(enforce_csrf_checks=False)

    def application(environ, start_response):
        response = handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response.streaming_content) if response.streaming else response.content]

    return application


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _in_the_test_transaction())


def _held(name: str, value):
    """Three ids in four name a record that exists (chosen by the generated value)."""
    held = HELD.get(name)
    if held and isinstance(value, int) and not isinstance(value, bool) and value % 4 != 3:
        return held[value % len(held)]
    return value


@schema.hook
def map_path_parameters(context, path_parameters):
    if isinstance(path_parameters, dict):
        path_parameters = {name: _held(name, v) for name, v in path_parameters.items()}
    return path_parameters


@schema.hook
def map_body(context, body):
    """Ids in bodies name records that exist; half the events (by the length of their ref)
    are the officer's force's, about its people, with no object (those need matching refs)."""
    if not isinstance(body, dict):
        return body
    if "person_id" in body:
        body = {**body, "person_id": _held("person_id", body["person_id"])}
    if context.operation.label != "POST /api/events" or len(str(body.get("ref", ""))) % 2:
        return body
    body = {**body, "agency": "lancs", "objects": []}
    if isinstance(body.get("participants"), list):
        body["participants"] = [
            {**p, "person": ("KID", "ADULT")[i % 2]} if isinstance(p, dict) else p
            for i, p in enumerate(body["participants"])
        ]
    if body.get("location") is not None:
        body["location"] = "HOME"
    return body


@pytest.fixture
def bearer(api_as, record):
    """The officer's Authorization header; KID missing twice, arrested and reviewed."""
    record(*SIGNS)
    officer = api_as(Role.OFFICER)
    kid = Person.objects.get(source_ref="KID")
    response = officer.post("/api/charging-reviews", {"person_id": kid.pk, **REVIEW})
    assert response.status_code == 201, response.content
    HELD.update(
        person_id=sorted(Person.objects.values_list("pk", flat=True)),  # Cumbria's child too
        duty_id=sorted(Duty.objects.values_list("pk", flat=True)),
        review_id=sorted(ChargingReview.objects.values_list("pk", flat=True)),
    )
    yield officer.headers
    HELD.clear()


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,  # nothing kept between runs: the same examples every time
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_no_operation_answers_with_a_server_error(case, bearer):
    with transaction.atomic():
        response = case.call(headers=bearer)
        transaction.set_rollback(True)
    case.validate_response(response, checks=[not_a_server_error])
