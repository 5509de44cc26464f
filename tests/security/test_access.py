"""Reaching another agency's records by id: 404 everywhere, as if absent, and logged.

Every URL of the web app with an id in it, and every API operation with one, is tried with
the id of every record in the world (persons, events, duties, charging reviews, tool
recommendations: the ids overlap between kinds, so each URL meets ids of its own kind) by
people with no business with them: Cumbria's police (an officer, and an administrator with
the second factor given), who hold no record at all, and the children's services the
child will be referred to, before anything is referred. Each gets a 404 (or 405 where the
URL takes no such method) whether the record exists or not, never the record; and the
attempts on the child and on the referral are in the audit log.
"""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.api import tokens
from safeguard.audit.models import Entry
from safeguard.records.models import Event, Person
from safeguard.safeguarding.models import ChargingReview, Duty, ToolRecommendation
from tests.security.conftest import escaped, id_names, signed_in, url, web_patterns

API = (  # (method, path, a body the operation accepts)
    ("get", "/api/children/{}?purpose=enquiry", None),
    ("post", "/api/referrals/{}/steps", {"to": "submitted", "expected_version": 1}),
    ("post", "/api/charging-reviews/{}/sign-off", {}),
)


def _ids() -> list[int]:
    models = (Person, Event, Duty, ChargingReview, ToolRecommendation)
    found = sorted({pk for model in models for pk in model.objects.values_list("pk", flat=True)})
    return [*found, max(found) + 1]  # and one that is nobody's


@pytest.fixture
def outsiders(hostile, verified_login):
    return {
        "cumbria officer": signed_in(Role.OFFICER, "cumbria", "outsider"),
        "cumbria administrator": signed_in(
            Role.ADMINISTRATOR, "cumbria", "outside-admin", verified_login
        ),
        "children's services, nothing referred": signed_in(
            Role.MASH_WORKER, "blackpool-cs", "mash"
        ),
    }


def test_every_page_with_an_id_is_404_to_an_outsider_and_the_attempts_are_logged(
    hostile, outsiders
):
    assert not Duty.objects.filter(person=hostile).exclude(state="draft").exists()
    patterns = [(name, p) for name, p in web_patterns() if id_names(p)]
    assert {"web:child", "web:who-looked", "web:queue-step"} <= {name for name, _ in patterns}
    for who, client in outsiders.items():
        for name, pattern in patterns:
            for pk in _ids():
                path = url(name, pattern, pk)
                for method in ("get", "post"):
                    response = getattr(client, method)(path, {"purpose": "x", "to": "closed"})
                    assert response.status_code in (404, 405), (
                        f"{method.upper()} {path} as {who}: {response.status_code}"
                    )
                    assert escaped("given").encode() not in response.content
    referral = Duty.objects.get(person=hostile, kind="childrens_services_referral")
    for client in outsiders.values():
        denied = Entry.objects.filter(action="denied", username=client.user.username)
        assert denied.filter(person_id=hostile.pk, what="records.person").exists()
        assert denied.filter(what="safeguarding.duty", object_id=str(referral.pk)).exists()


def test_every_api_operation_with_an_id_is_404_to_an_outsider(hostile, outsiders):
    for who, client in outsiders.items():
        token = tokens.issue(client.user.username, "outsider").token
        api = Client(headers={"Authorization": f"Bearer {token}"})
        for method, template, body in API:
            for pk in _ids():
                path = template.format(pk)
                if method == "get":
                    response = api.get(path)
                else:
                    response = api.post(path, body, content_type="application/json")
                assert response.status_code == 404, (
                    f"{method.upper()} {path} as {who}: {response.status_code}"
                )
                assert escaped("given").encode() not in response.content
        denied = Entry.objects.filter(action="denied", username=client.user.username)
        assert denied.filter(person_id=hostile.pk).exists()
