"""A POST without the CSRF token is refused (403) on every URL of the web app.

Not only the forms known today: every named URL of the `web` and `accounts` namespaces is
posted to, signed out, as an officer and as an administrator (second factor given), and
must answer with Django's CSRF refusal before any view runs, so a page added later, or a
view marked csrf_exempt by mistake, is caught. The JSON API is left out: it authenticates
each request by a bearer token, never by a cookie a browser would send on its own.
"""

import pytest
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.audit.models import Entry
from safeguard.safeguarding.models import Duty, Transition
from tests.security.conftest import signed_in, url, web_patterns

REFUSED = b"CSRF verification failed"
# The forms that must be among those checked (so the sweep is known to reach them).
FORMS = {
    "web:sign-in",
    "web:sign-out",
    "web:child",
    "web:queue-step",
    "accounts:second-factor",
    "accounts:set-up-second-factor",
}


def _enforcing(client: Client) -> Client:
    """The same session, in a client that lets Django check the token and sends none.

    It holds the CSRF cookie, as the browser of someone who has opened a page of ours does
    when another site makes it post to us: only the token in the form is missing.
    """
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    strict.get("/sign-in/")
    assert "csrftoken" in strict.cookies
    return strict


@pytest.fixture
def clients(hostile, verified_login):
    admin = signed_in(Role.ADMINISTRATOR, "lancs", "admin", verified_login)
    officer = signed_in(Role.OFFICER, "lancs", "pc")
    return {"signed out": Client(), "officer": officer, "administrator": admin}


def test_every_url_of_the_web_app_refuses_a_post_without_the_token(clients, hostile):
    patterns = web_patterns()
    assert FORMS <= {name for name, _ in patterns}
    referral = Duty.objects.filter(person=hostile).first()
    before = (Entry.objects.filter(action="write").count(), Transition.objects.count())
    for who, client in clients.items():
        strict = _enforcing(client)
        for name, pattern in patterns:
            path = url(name, pattern, referral.pk if name == "web:queue-step" else hostile.pk)
            response = strict.post(path, {"to": "submitted", "version": referral.version})
            assert response.status_code == 403, f"POST {path} as {who}: {response.status_code}"
            assert REFUSED in response.content, f"POST {path} as {who}: not the CSRF refusal"
    assert (Entry.objects.filter(action="write").count(), Transition.objects.count()) == before
    # Nobody was signed out by the refused sign-out.
    assert clients["officer"].get("/queue/").status_code == 200


def test_the_same_post_with_the_token_is_not_refused(hostile):
    """The control: it is the missing token that the test above sees refused."""
    client = signed_in(Role.OFFICER, "lancs", "pc")
    strict = _enforcing(client)
    page = strict.get(f"/children/{hostile.pk}/")
    token = page.context["csrf_token"]
    response = strict.post(
        f"/children/{hostile.pk}/", {"purpose": "enquiry", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
