"""The supervisor's dashboard: who sees it, whose figures, the tables behind the charts."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.templatetags.static import static
from django.test import Client

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency, Person
from safeguard.web.templatetags import navigation
from tests.accounts.test_protection_headers import assert_nothing_inline, assert_strict_policy
from tests.safeguarding.test_duties import _event
from tests.safeguarding.test_performance import AT, _child, build_lancs

REFERRALS = "Referrals opened in the last 12 weeks, by what became of them"
OVERDUE = "Referrals waiting for a step past its deadline, as of 9 April 2025, 13:00"
WEEKLY = "Referrals opened each week, by what became of them"
CHILDREN = "Children (under 18 at the time) in the last 12 weeks"
ARRESTS = (
    "Children arrested each week, and those arrested without a referral to children's services"
)
CS = "Referral to children's services"


class _Tables(HTMLParser):
    """Each table of a page: its caption and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._text: list[str] | None = None
        self._caption = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td", "caption"):
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._rows is not None and self._text is not None:
            self._rows[-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "caption" and self._text is not None:
            self._caption = " ".join("".join(self._text).split())
            self._text = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def _row(table: list[list[str]], header: str) -> list[str]:
    [row] = [r for r in table if r and r[0] == header]
    return row[1:]


@pytest.fixture
def world(record, monkeypatch):
    """Lancashire's seven children (tests/safeguarding/test_performance.py), named, and a
    child arrested in Cumbria; the page's clock at AT."""
    build_lancs(record)
    Person.objects.filter(source_ref="KA").update(given_name="Zebedee", family_name="Quillfeather")
    record(
        {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
        _child("CX", agency="cumbria", given_name="Ottoline"),
        _event("A-CX", "arrest", "2025-04-01T12:00:00Z", ("CX", "suspect")) | {"agency": "cumbria"},
    )
    monkeypatch.setattr("safeguard.web.dashboard.now", lambda: AT)


def _client(role: Role, agency: str = "lancs", verified_login=None) -> Client:
    user = create_member(f"{role}-{agency}", "pw", Agency.objects.get(code=agency), role).user
    client = Client()
    if verified_login is not None:
        verified_login(client, user)
    else:
        client.force_login(user)
    return client


def test_a_supervisor_sees_their_forces_figures_in_tables(world):
    response = _client(Role.SUPERVISOR).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="govuk-caption-l">Lancashire</span>' in html
    tables = _tables(response)
    # Opened, on time, late, overdue, still in time, withdrawn.
    assert _row(tables[REFERRALS], CS) == ["7", "2", "2", "1", "1", "1"]
    assert _row(tables[REFERRALS], "NRM referral") == ["0"] * 6
    assert _row(tables[REFERRALS], "All referrals") == ["7", "2", "2", "1", "1", "1"]
    assert "50% of the referrals made were made by their deadline" in html
    # Now: KE not made; KD waiting for the receiver past its deadline.
    assert _row(tables[OVERDUE], CS) == ["1", "1", "0"]
    assert _row(tables[WEEKLY], "3 Mar 2025") == ["4", "1", "1", "1"]
    assert _row(tables[WEEKLY], "31 Mar 2025") == ["2", "1", "1", "0"]
    assert len(tables[WEEKLY]) == 1 + 12  # the header and twelve weeks
    # Cumbria's child is not Lancashire's.
    assert _row(tables[CHILDREN], "Encountered (in any event recorded)") == ["7"]
    assert _row(tables[CHILDREN], "Arrested") == ["7"]
    assert _row(tables[ARRESTS], "3 Mar 2025") == ["4", "2"]
    decisions = tables[f"{CS}: decisions recorded by the receiver"]
    assert _row(decisions, "Accepted for assessment or action") == ["1"]
    assert _row(decisions, "Rejected") == ["1"]
    # Police may open the list behind the overdue figures.
    assert 'href="/queue/"' in html


def test_a_supervisor_cannot_choose_another_force(world):
    response = _client(Role.SUPERVISOR).get("/dashboard/", {"force": "cumbria"})
    assert _row(_tables(response)[CHILDREN], "Arrested") == ["7"]
    assert 'name="force"' not in response.content.decode()


def test_the_period_can_be_26_or_52_weeks(world):
    response = _client(Role.SAFEGUARDING_LEAD).get("/dashboard/", {"weeks": "26"})
    tables = _tables(response)
    assert len(tables[WEEKLY]) == 1 + 26
    assert _row(tables[REFERRALS.replace("12", "26")], CS)[0] == "7"
    assert re.search(
        r'id="weeks-26" name="weeks" type="radio" value="26" checked', response.content.decode()
    )


def test_an_inspector_sees_every_forces_counts_and_nothing_of_any_child(world):
    inspector = _client(Role.INSPECTOR)
    response = inspector.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="govuk-caption-l">All forces</span>' in html
    assert _row(_tables(response)[CHILDREN], "Arrested") == ["8"]
    for person in Person.objects.all():
        for identifying in (person.given_name, person.family_name, person.source_ref):
            if identifying:
                assert not re.search(rf"\b{re.escape(identifying)}\b", html), identifying
    assert "/children/" not in html and 'href="/queue/"' not in html and "SG-" not in html
    # One force, chosen in the filter.
    one = inspector.get("/dashboard/", {"weeks": "12", "force": "cumbria"})
    assert '<span class="govuk-caption-l">Cumbria</span>' in one.content.decode()
    assert _row(_tables(one)[CHILDREN], "Arrested") == ["1"]
    assert _row(_tables(one)[REFERRALS], CS)[:1] == ["1"]


def test_a_wrong_period_or_force_is_shown_as_an_error(world):
    response = _client(Role.INSPECTOR).get("/dashboard/", {"weeks": "7", "force": "nowhere"})
    html = response.content.decode()
    assert "<title>Error: Dashboard" in html
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([^"]+)"', summary) == ["weeks", "force"]
    assert 'id="weeks"' in html and 'id="force"' in html
    assert "data-chart" not in html  # no figures for a filter that makes no sense


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.OFFICER, "lancs"),
        (Role.CUSTODY_SERGEANT, "lancs"),
        (Role.OFFENDER_MANAGER, "lancs"),
        (Role.MASH_WORKER, "blackpool-cs"),
        (Role.SCHOOL_SAFEGUARDING_LEAD, "blackpool-cs"),
        # A partner agency's supervisor may see figures (policy) but has no dashboard yet.
        (Role.SUPERVISOR, "blackpool-cs"),
    ],
)
def test_roles_without_the_dashboard_find_no_page(world, role, agency):
    assert _client(role, agency).get("/dashboard/").status_code == 404


def test_a_user_without_a_membership_finds_no_page_and_a_stranger_signs_in(world, client):
    assert client.get("/dashboard/").status_code == 302
    client.force_login(get_user_model().objects.create_user("nobody", password="pw"))
    assert client.get("/dashboard/").status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_analysts_and_administrators_see_their_forces_figures(world, verified_login, role):
    response = _client(role, verified_login=verified_login).get("/dashboard/")
    assert response.status_code == 200
    assert _row(_tables(response)[CHILDREN], "Arrested") == ["7"]


def test_the_navigation_lists_the_dashboard_for_the_roles_that_see_it(world):
    lancs = Agency.objects.get(code="lancs")
    for role in Role:
        user = create_member(f"nav-{role}", "pw", lancs, role).user
        listed = ("Dashboard", "web:dashboard") in navigation.pages_for(user)
        assert listed == (
            role
            in (
                Role.SUPERVISOR,
                Role.SAFEGUARDING_LEAD,
                Role.ANALYST,
                Role.INSPECTOR,
                Role.ADMINISTRATOR,
            )
        ), role


def test_the_page_runs_only_static_scripts_and_charts_every_marked_table(world):
    response = _client(Role.SUPERVISOR).get("/dashboard/")
    assert_strict_policy(response)
    assert_nothing_inline(response)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all(re.search(rf'\bsrc="{static("")}', s) for s in scripts), scripts
    chart = f'<script defer src="{static("vendor/chart.js/chart.umd.min.js")}"></script>'
    drawing = f'<script defer src="{static("web/dashboard.js")}"></script>'
    assert chart in html and drawing in html and html.index(chart) < html.index(drawing)
    # Each chart's table has a caption and header cells with their scope.
    marked = re.findall(
        r'<table class="govuk-table" data-chart="(line|bar)">(.*?)</table>', html, re.DOTALL
    )
    assert sorted(kind for kind, _ in marked) == ["bar", "bar", "line", "line", "line"]
    for _, table in marked:
        assert "<caption" in table and 'scope="col"' in table and 'scope="row"' in table
        assert "data-chart-series" in table


def test_the_offender_management_figures_are_counts_of_the_forces_own(world, record, settings):
    from datetime import date

    from safeguard.offenders import services
    from safeguard.offenders.models import Offender

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    record(
        *(
            {"type": "person", "agency": agency, "ref": ref, "given_name": "Quentin"}
            for ref, agency in (("OA", "lancs"), ("OB", "lancs"), ("OC", "cumbria"))
        )
    )
    lancs = Agency.objects.get(code="lancs")
    manager = create_member("om", "pw", lancs, Role.OFFENDER_MANAGER).user
    for ref in ("OA", "OB", "OC"):
        person = Person.objects.get(source_ref=ref)
        Offender.objects.create(
            person=person,
            agency_id=person.agency_id,
            reference=f"V-{ref}",
            mappa_category=1,
            rm2000="high",
            registered_on=date(2024, 1, 15),
            offender_manager=manager if person.agency_id == lancs.pk else None,
        )
    services.recompute(AT)
    caption = "Registered offenders managed in the community, as of 9 April 2025, 13:00"
    response = _client(Role.SUPERVISOR).get("/dashboard/")
    table = _tables(response)[caption]
    assert _row(table, "On the register") == ["2"]  # Cumbria's is not Lancashire's
    assert _row(table, "Home visit overdue") == ["2"]  # registered 2024, never visited
    assert _row(table, "Risk review overdue") == ["2"]
    # Registered in January 2024 with nothing notified since: the year has ended.
    assert _row(table, "Notification overdue") == ["2"]
    html = response.content.decode()
    assert "more than the ceiling of 50 offenders: <strong>0</strong>" in html
    assert "Quentin" not in html and "V-OA" not in html  # counts, nobody named
    inspector = _client(Role.INSPECTOR).get("/dashboard/")
    assert _row(_tables(inspector)[caption], "On the register") == ["3"]  # every force
