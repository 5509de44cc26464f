"""Markup typed into any free-text field is shown as text on every page, never as markup.

Every page of the web app (every named URL of the `web` and `accounts` namespaces, each id
parameter tried with the id of every record in the world, so pages added later are swept
too) is fetched by the police officer, the children's services worker who received the
referral, and an administrator. None may contain any field's markup unescaped, and each
field must be seen, escaped, on at least one page: a field no page shows would make this
test prove nothing about it.
"""

from django.urls import reverse

from safeguard.accounts.roles import Role
from safeguard.records.models import Event, Person
from safeguard.safeguarding.models import ChargingReview, Duty, ToolRecommendation
from tests.security.conftest import escaped, id_names, mark, raw, signed_in, url, web_patterns

FIELDS = (
    # recorded through intake, as an importer or a form does
    "police",  # an agency's name
    "receiver",
    "address",
    "given",  # the child's names and reference
    "family",
    "ref",
    "adult",  # a linked person's name
    "summary",  # an event's free text
    # typed by people on the pages and through the API
    "purpose",  # why a record was read
    "note",  # a referral step's note
    "reason",  # the receiver's reason for its decision
    "offence",  # a charging review
    "rationale",
    "query",  # a search
)


def _ids() -> list[int]:
    models = (Person, Event, Duty, ChargingReview, ToolRecommendation)
    return sorted({pk for model in models for pk in model.objects.values_list("pk", flat=True)})


def _pages(client, ids):
    """Yield (path, response) for every GET page of the web app, and two searches."""
    for name, pattern in web_patterns():
        paths = (
            [url(name, pattern, pk) for pk in ids] if id_names(pattern) else [url(name, pattern)]
        )
        for path in paths:
            yield path, client.get(path)
    for text in (mark("query"), "FY1 1AA"):
        yield f"search {text}", client.get(reverse("web:search"), {"q": text})


def test_markup_in_every_free_text_field_is_shown_escaped_on_every_page(
    typed, officer, mash, verified_login
):
    admin = signed_in(Role.ADMINISTRATOR, "lancs", "admin", verified_login)
    admin.post(f"/children/{typed.pk}/", {"purpose": mark("purpose")})
    ids = _ids()
    seen: set[str] = set()
    pages = 0
    for client in (officer, mash, admin):
        for path, response in _pages(client, ids):
            assert response.status_code < 500, f"{path} as {client.user}: {response.status_code}"
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            html = response.content.decode()
            for field in FIELDS:
                assert raw(field) not in html, f"{path} as {client.user} shows {field} as markup"
                if escaped(field) in html:
                    seen.add(field)
    assert pages > 30
    assert not set(FIELDS) - seen, f"no page shows {sorted(set(FIELDS) - seen)}"
