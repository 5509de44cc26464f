"""The stop-and-search report's page and CSV: who sees which force, the counts, the audit."""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.importers.models import ImportedFile
from safeguard.records.models import Agency, Person
from safeguard.safeguarding import services
from safeguard.safeguarding.models import Duty
from safeguard.web.templatetags import navigation
from tests.accounts.test_protection_headers import assert_nothing_inline, assert_strict_policy
from tests.safeguarding.test_duties import WORLD, _event
from tests.web.builders import signed_in
from tests.web.test_dashboard import _tables

PAGE = "/reports/stop-search/"
CSV = "/reports/stop-search/stop-search.csv"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
LANCS = "Lancashire: searches of children aged 10 to 17, by month"
CUMBRIA = "Cumbria: searches of children aged 10 to 17, by month"
# Month, searched, for drugs, arrested, referrals opened, referrals by state.
HEADER = [
    "Month",
    "Children searched",
    "For controlled drugs",
    "Arrested",
    "Referrals opened",
    "Referrals by state",
]
ARREST = {"outcome_code": "arrest", "for_controlled_drugs": True}
NOTHING = {"outcome_code": "no_further_action", "for_controlled_drugs": False}


def _band(ref: str, agency: str = "lancs") -> dict:
    """A person known only by their age band, as data.police.uk gives them."""
    return {"type": "person", "agency": agency, "ref": ref}


def _search(ref, when, person, attributes, agency="lancs", band="10-17") -> dict:
    part = {"person": person, "role": "subject"} | ({"age_range": band} if band else {})
    return _event(ref, "stop_search", when, attributes=attributes) | {
        "agency": agency,
        "participants": [part],
    }


def _arrest(search: str, when: str, person: str, agency="lancs", band="10-17") -> dict:
    """The arrest recorded with a search that ended in one (as the importer records it)."""
    part = {"person": person, "role": "suspect"} | ({"age_range": band} if band else {})
    return _event(f"{search}-arrest", "arrest", when) | {"agency": agency, "participants": [part]}


@pytest.fixture
def searches(record):
    """Lancashire: in March 2025 two searches of children (both for drugs, one ended in an
    arrest, whose referral is submitted) and one of an adult; in April one of a child, for
    nothing, no arrest. Cumbria: a child searched for drugs and arrested in March."""
    record(
        *WORLD,
        {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
        _band("Y1"),
        _band("Y2"),
        _band("C1", "cumbria"),
    )
    record(
        # KID (born 1 April 2010) is 14: counted by date of birth, no band given.
        _search("S1", "2025-03-07T18:00:00Z", "KID", ARREST, band=None),
        _arrest("S1", "2025-03-07T18:00:00Z", "KID", band=None),
        _search("S2", "2025-03-20T12:00:00Z", "Y1", {"for_controlled_drugs": True}),
        _search("S3", "2025-03-21T12:00:00Z", "ADULT", ARREST, band=None),
        _arrest("S3", "2025-03-21T12:00:00Z", "ADULT", band=None),
        _search("S4", "2025-04-02T09:00:00Z", "Y2", NOTHING),
        _search("C1", "2025-03-10T10:00:00Z", "C1", ARREST, agency="cumbria"),
        _arrest("C1", "2025-03-10T10:00:00Z", "C1", agency="cumbria"),
    )
    kid = Duty.objects.get(person__source_ref="KID", kind="childrens_services_referral")
    services.move(kid, "submitted", by_name="PC Test")


def _rows(response, caption: str) -> list[list[str]]:
    table = _tables(response)[caption]
    assert table[0] == HEADER
    return table[1:]


def test_a_supervisor_sees_their_forces_searches_of_children_by_month(searches):
    response = signed_in(Role.SUPERVISOR).get(PAGE)
    assert response.status_code == 200
    assert _rows(response, LANCS) == [
        ["2025-03", "2", "2", "1", "1", "Submitted 1"],
        ["2025-04", "1", "0", "0", "0", "none"],
    ]
    html = response.content.decode()
    assert '<span class="govuk-caption-l">Lancashire</span>' in html
    # The chart: one bar a month for each of searched, arrested, referred, with its value.
    chart = re.search(r'<figure class="sg-chart">.*?</figure>', html, re.DOTALL).group(0)
    assert "<title>2025-03: children searched 2</title>" in chart
    assert "<title>2025-03: children arrested 1</title>" in chart
    assert "<title>2025-04: referrals opened 0</title>" in chart
    assert len(re.findall(r"<rect x=", chart)) == 2 * 3
    assert "aged 10 to 17 at the search" in html and "referral to children's services" in html
    # Another force's figures are not there, nor the choice of a force.
    assert "Cumbria" not in html
    assert 'name="force"' not in html
    assert 'href="/reports/stop-search/stop-search.csv"' in html


def test_the_page_names_no_child_and_has_nothing_inline(searches):
    Person.objects.filter(source_ref="KID").update(given_name="Zebedee", family_name="Quill")
    response = signed_in(Role.SAFEGUARDING_LEAD).get(PAGE)
    html = response.content.decode()
    assert "Zebedee" not in html and "Quill" not in html and "/children/" not in html
    assert_strict_policy(response)
    assert_nothing_inline(response)


def test_another_forces_user_sees_only_their_own_forces_figures(searches, client, verified_login):
    analyst = create_member("analyst", "pw", Agency.objects.get(code="cumbria"), Role.ANALYST)
    verified_login(client, analyst.user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert _rows(response, CUMBRIA) == [["2025-03", "1", "1", "1", "1", "Draft 1"]]
    html = response.content.decode()
    assert "Lancashire" not in html and LANCS not in _tables(response)
    # Asking for Lancashire's is asking for what is not there for them: 404, logged.
    assert client.get(PAGE, {"force": "lancs"}).status_code == 404
    assert client.get(CSV, {"force": "lancs"}).status_code == 404
    denied = Entry.objects.filter(action="denied", username="analyst", what="records.agency")
    assert denied.count() == 2 and {e.object_id for e in denied} == {"lancs"}


def test_an_inspector_sees_every_force_and_may_choose_one(searches):
    inspector = signed_in(Role.INSPECTOR, "blackpool-cs")
    response = inspector.get(PAGE)
    assert response.status_code == 200
    tables = _tables(response)
    assert _rows(response, CUMBRIA) == [["2025-03", "1", "1", "1", "1", "Draft 1"]]
    assert len(_rows(response, LANCS)) == 2
    html = response.content.decode()
    assert '<span class="govuk-caption-l">All forces</span>' in html
    assert re.findall(r'<option value="([^"]*)"', html) == ["", "cumbria", "lancs"]
    one = inspector.get(PAGE, {"force": "cumbria"})
    assert list(_tables(one)) == [CUMBRIA]
    assert '<option value="cumbria" selected>' in one.content.decode()
    assert 'href="/reports/stop-search/stop-search.csv?force=cumbria"' in one.content.decode()
    assert LANCS in tables
    assert inspector.get(PAGE, {"force": "blackpool-cs"}).status_code == 404  # not a force


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        # A partner agency's users, whatever their role.
        (Role.MASH_WORKER, "blackpool-cs"),
        (Role.SCHOOL_SAFEGUARDING_LEAD, "blackpool-cs"),
        (Role.SUPERVISOR, "blackpool-cs"),
        # Police who do not see figures.
        (Role.OFFICER, "lancs"),
        (Role.CUSTODY_SERGEANT, "lancs"),
        (Role.OFFENDER_MANAGER, "lancs"),
    ],
)
def test_users_who_may_not_see_the_report_find_no_page(searches, role, agency):
    client = signed_in(role, agency)
    assert client.get(PAGE).status_code == 404
    assert client.get(CSV).status_code == 404
    assert not Entry.objects.filter(what="records.agency").exists()


def test_signed_out_users_are_sent_to_sign_in_and_strangers_find_no_page(searches, client):
    assert client.get(PAGE).status_code == 302
    assert client.get(CSV).status_code == 302
    client.force_login(get_user_model().objects.create_user("nobody", password="pw"))
    assert client.get(PAGE).status_code == 404


def test_showing_the_page_is_audited_as_a_read_of_each_forces_figures(searches):
    signed_in(Role.SUPERVISOR, name="sergeant").get(PAGE)
    [read] = Entry.objects.filter(username="sergeant", what="records.agency")
    assert read.action == "read"
    assert read.object_id == str(Agency.objects.get(code="lancs").pk)
    assert read.agency_code == "lancs" and read.person_id is None
    assert read.detail == {"path": PAGE, "report": "stop-search", "force": "lancs"}
    signed_in(Role.INSPECTOR, name="hmi").get(PAGE)
    reads = Entry.objects.filter(username="hmi", action="read", what="records.agency")
    assert sorted(e.detail["force"] for e in reads) == ["cumbria", "lancs"]


def test_the_csv_download_has_the_pages_figures_and_is_audited_as_an_export(searches):
    response = signed_in(Role.SUPERVISOR, name="sergeant").get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stop-search-all.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["force"], r["month"]) for r in rows] == [
        ("Lancashire", "2025-03"),
        ("Lancashire", "2025-04"),
    ]
    march = rows[0]
    assert march["children_searched"] == "2"
    assert march["children_searched_for_drugs"] == "2"
    assert march["children_arrested"] == "1"
    assert march["referrals_opened"] == "1"
    assert march["referrals_submitted"] == "1" and march["referrals_draft"] == "0"
    [export] = Entry.objects.filter(username="sergeant", what="records.agency")
    assert export.action == "export"
    assert export.detail == {
        "path": CSV,
        "report": "stop-search",
        "force": "lancs",
        "format": "csv",
    }


def test_the_csv_of_one_force_is_named_for_it(searches):
    response = signed_in(Role.INSPECTOR).get(CSV, {"force": "cumbria"})
    assert response["Content-Disposition"] == 'attachment; filename="stop-search-cumbria.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["force"] for r in rows] == ["Cumbria"]


def test_a_forces_name_is_shown_escaped(searches):
    name = "<script>alert(1)</script> Police"
    Agency.objects.filter(code="cumbria").update(name=name)
    inspector = signed_in(Role.INSPECTOR)
    response = inspector.get(PAGE)
    html = response.content.decode()
    assert "<script>alert(" not in html
    assert f'<option value="cumbria">{escape(name)}</option>' in html
    assert f'<h2 class="govuk-heading-m">{escape(name)}</h2>' in html
    assert f'-title">{escape(name)}: searches of children by month</title>' in html
    assert_nothing_inline(response)
    rows = list(csv.reader(io.StringIO(inspector.get(CSV, {"force": "cumbria"}).content.decode())))
    assert rows[1][0] == name


def test_the_licence_is_attributed_when_published_searches_are_shown(searches):
    supervisor = signed_in(Role.SUPERVISOR)
    assert ATTRIBUTION not in supervisor.get(PAGE).content.decode()
    ImportedFile.objects.create(
        agency=Agency.objects.get(code="lancs"),
        kind="stop-and-search",
        name="2025-03-lancashire-stop-and-search.csv",
        sha256="0" * 64,
        rows=3,
        attribution=f"{ATTRIBUTION} (data.police.uk).",
        licence="Open Government Licence v3.0",
        format_version="1.0.0",
        imported_at="2025-04-10T00:00:00Z",
    )
    assert f"{ATTRIBUTION} (data.police.uk)." in supervisor.get(PAGE).content.decode()
    # Cumbria's figures are not made from that file.
    assert (
        ATTRIBUTION
        not in signed_in(Role.INSPECTOR).get(PAGE, {"force": "cumbria"}).content.decode()
    )


def test_no_searches_of_children_is_said_so(record):
    record(*WORLD)
    response = signed_in(Role.SUPERVISOR).get(PAGE)
    assert response.status_code == 200
    assert "No searches of children are recorded for Lancashire." in response.content.decode()


def test_the_navigation_lists_the_report_for_those_who_may_see_it(searches):
    for role in Role:
        for agency in ("lancs", "blackpool-cs"):
            user = signed_in(role, agency, f"nav-{role}-{agency}").user
            listed = ("Stop and search", "web:stop-search-report") in navigation.pages_for(user)
            police = agency == "lancs" and role in (
                Role.SUPERVISOR,
                Role.SAFEGUARDING_LEAD,
                Role.ANALYST,
                Role.ADMINISTRATOR,
            )
            assert listed == (police or role == Role.INSPECTOR), (role, agency)
