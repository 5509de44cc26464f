"""Offender management pages: caseloads, the record and its forms, for managers and their
supervisors only, every read and write audited, names escaped."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils.html import escape

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.clock import now
from safeguard.offenders import escalation, services
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    RiskReview,
    SafeguardingAlert,
    Visit,
)
from safeguard.offenders.schedule import add_months
from safeguard.records.ages import UK
from safeguard.records.models import Agency, Person
from safeguard.web.templatetags import navigation
from tests.offenders.factories import FORCE, notification, offender
from tests.web.builders import person, record, signed_in

HOSTILE = '<script>alert("x")</script>'
OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {"type": "agency", "code": "blackpool-cs", "kind": "childrens_services", "name": "Blackpool"},
)


@pytest.fixture
def world(db, settings):
    """Two teams' managers and supervisors. Alan (North, the manager's) is high risk and has
    never been visited: his visit is overdue. Beth (North, the manager's) was seen yesterday
    and reviewed: nothing is overdue. Sam is South's, Una North's with no manager. Each
    re-notified a month ago."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    record(
        FORCE,
        *OTHERS,
        person("A", f"Alan {HOSTILE}", "O'Neil", "1970-01-01"),
        person("B", "Beth", "Smith", "1970-01-01"),
        person("S", "Sam", "South", "1970-01-01"),
        person("U", "Una", "North", "1970-01-01"),
        person("KID", "Kim", "Child", "2015-05-01"),
    )
    people = {
        "om": signed_in(Role.OFFENDER_MANAGER, name="om", team="MOSOVO North"),
        "om-south": signed_in(Role.OFFENDER_MANAGER, name="om-south", team="MOSOVO South"),
        "sgt-north": signed_in(Role.SUPERVISOR, name="sgt-north", team="MOSOVO North"),
        "sgt-south": signed_in(Role.SUPERVISOR, name="sgt-south", team="MOSOVO South"),
    }
    om, south = people["om"].user, people["om-south"].user
    people["alan"] = offender("A", offender_manager=om)
    beth = offender("B", offender_manager=om, rm2000="low")
    Visit.objects.create(
        offender=beth, at=now() - timedelta(days=1), outcome="seen", announced=True
    )
    RiskReview.objects.create(offender=beth, kind="arms", completed_at=now(), level="low")
    people["beth"] = beth
    people["sam"] = offender("S", team="MOSOVO South", offender_manager=south)
    people["una"] = offender("U")
    # Each re-notified a month ago: no notification is overdue unless a test makes one.
    month_ago = (now() - timedelta(days=30)).astimezone(UK).date()
    for who in ("alan", "beth", "sam", "una"):
        notification(people[who], "annual", month_ago, month_ago)
    services.recompute()
    return people


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _reads(username: str, what: str = "offenders.offender") -> set:
    found = Entry.objects.filter(action="read", username=username, what=what)
    return set(found.values_list("person_id", flat=True))


# -- my caseload ---------------------------------------------------------------------------


def test_my_caseload_lists_my_offenders_with_what_is_due_and_overdue(world):
    html = _html(world["om"].get("/offenders/"))
    assert "My caseload" in html
    assert escape(f"Alan {HOSTILE}") in html and HOSTILE not in html
    assert "Beth Smith" in html and "Sam South" not in html and "Una North" not in html
    alan = re.search(r'<tr class="govuk-table__row">\s*<td[^>]*><a[^>]*>Alan.*?</tr>', html, re.S)
    assert alan.group(0).count("govuk-tag--red") == 2  # visit and first review overdue
    beth = re.search(r'<tr class="govuk-table__row">\s*<td[^>]*><a[^>]*>Beth.*?</tr>', html, re.S)
    assert "govuk-tag--red" not in beth.group(0)
    assert "Suggested" in beth.group(0)
    assert re.search(r"Caseload</dt>\s*<dd[^>]*>2 of 50</dd>", html)
    assert re.search(r"Visits overdue</dt>\s*<dd[^>]*><strong[^>]*>1</strong>", html)
    # Listing them is a read of each, audited.
    assert _reads("om") == {world["alan"].person_id, world["beth"].person_id}


def test_a_caseload_over_the_ceiling_says_so_and_pages_keep_their_sort(world, record_people):
    om = world["om"].user
    refs = [f"X{i:02}" for i in range(50)]
    record_people(*refs)
    for ref in refs:
        offender(ref, offender_manager=om, rm2000="low")
    services.recompute()
    html = _html(world["om"].get("/offenders/", {"sort": "reference"}))
    assert "52 of 50" in html and "over the ceiling" in html
    assert "Showing 1 to 50 of 52." in html
    assert 'href="?sort=reference&amp;page=2"' in html
    second = _html(world["om"].get("/offenders/", {"sort": "reference", "page": 2}))
    assert "Showing 51 to 52 of 52." in second and "V-X48" in second and "V-X47" not in second


@pytest.fixture
def record_people(db):
    def _record(*refs: str) -> None:
        record(*(person(r, "Person", r, "1970-01-01") for r in refs))

    return _record


def test_a_caseload_sorts_by_next_due_by_default(world):
    html = _html(world["om"].get("/offenders/"))
    assert html.index("Alan") < html.index("Beth Smith")  # Alan's dates are long past
    by_reference = _html(world["om"].get("/offenders/", {"sort": "reference"}))
    assert by_reference.index("V-A") < by_reference.index("V-B")


# -- who reaches the pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.OFFICER, "lancs"),
        (Role.ANALYST, "lancs"),
        (Role.SAFEGUARDING_LEAD, "lancs"),
        (Role.INSPECTOR, "lancs"),
        (Role.MASH_WORKER, "blackpool-cs"),
        (Role.SUPERVISOR, "blackpool-cs"),
    ],
)
def test_the_pages_are_not_there_for_anyone_else(world, role, agency, verified_login):
    client = Client()
    user = create_member(f"x-{role}", "pw", Agency.objects.get(code=agency), role).user
    verified_login(client, user)  # analysts' pages are behind the second factor
    alan = world["alan"]
    for path in (
        "/offenders/",
        "/offenders/caseloads/",
        f"/offenders/caseloads/{world['om'].user.pk}/",
        f"/offenders/{alan.pk}/",
        f"/offenders/{alan.pk}/visits/new/",
    ):
        assert client.get(path).status_code == 404, path
    assert "/offenders/" not in client.get("/").content.decode()  # not in the navigation


def test_another_teams_offender_or_caseload_is_a_404_and_logged(world):
    sam = world["sam"]
    assert world["om"].get(f"/offenders/{sam.pk}/").status_code == 404
    assert world["om"].post(f"/offenders/{sam.pk}/visits/new/", {}).status_code == 404
    denied = Entry.objects.filter(action="denied", username="om", what="offenders.offender")
    assert set(denied.values_list("person_id", flat=True)) == {sam.person_id}
    south = world["om-south"].user.pk
    assert world["om"].get(f"/offenders/caseloads/{south}/").status_code == 404
    assert world["sgt-north"].get(f"/offenders/caseloads/{south}/").status_code == 404
    assert Entry.objects.filter(action="denied", what="accounts.caseload").count() == 2
    html = _html(world["sgt-south"].get(f"/offenders/caseloads/{south}/"))
    assert "Caseload of om-south" in html and "Sam South" in html
    assert world["sgt-north"].get("/offenders/999999/").status_code == 404


def test_the_navigation_offers_the_pages_to_who_may_use_them(world):
    pages = {label for label, _ in navigation.pages_for(world["om"].user)}
    assert {"My caseload", "Caseloads"} <= pages
    pages = {label for label, _ in navigation.pages_for(world["sgt-north"].user)}
    assert "Caseloads" in pages and "My caseload" not in pages
    officer = signed_in(Role.OFFICER, name="pc")
    assert not {"My caseload", "Caseloads"} & {x for x, _ in navigation.pages_for(officer.user)}


# -- caseloads -----------------------------------------------------------------------------


def test_the_supervisor_sees_the_teams_caseloads_against_the_ceiling_and_what_they_were_told(
    world,
):
    escalation.escalate()
    html = _html(world["sgt-north"].get("/offenders/caseloads/"))
    north = html[html.index('<h2 class="govuk-heading-m">MOSOVO North') :]
    assert f'href="/offenders/caseloads/{world["om"].user.pk}/">om</a>' in north
    assert re.search(r"om</a></th>\s*<td[^>]*>2 of 50</td>", north)
    assert re.search(r"Not assigned to a manager</th>\s*<td[^>]*><strong[^>]*>1</strong>", north)
    assert re.search(r"Team total</th>\s*<td[^>]*>3 of 50</td>", north)
    assert "MOSOVO South" not in html and "om-south" not in html
    # Told: Alan's visit and review, Una's visit and review, Beth's nothing.
    told = html[html.index("Told to you") : html.index("MOSOVO North")]
    assert told.count("Home visit overdue") == 2 and told.count("Risk review overdue") == 2
    assert escape(f"Alan {HOSTILE}") in told and "Beth" not in told
    assert _reads("sgt-north") == {world["alan"].person_id, world["una"].person_id}


def test_a_supervisor_without_a_team_sees_every_team_and_a_manager_their_own(world):
    boss = signed_in(Role.SUPERVISOR, name="boss")
    html = _html(boss.get("/offenders/caseloads/"))
    assert "MOSOVO North" in html and "MOSOVO South" in html
    assert re.search(r"Team total</th>\s*<td[^>]*>1 of 50</td>", html)  # South
    mine = _html(world["om"].get("/offenders/caseloads/"))
    assert "MOSOVO North" in mine and "MOSOVO South" not in mine
    assert "Told to you" not in mine  # managers are not told; their supervisors are
    assert "Nothing overdue has been put in front of you." in html


# -- the record ----------------------------------------------------------------------------


def test_the_record_shows_the_offender_and_is_audited(world):
    alan = world["alan"]
    NotificationRecord.objects.create(
        offender=alan, kind="change", trigger_at=now() - timedelta(days=10), details=HOSTILE
    )
    SafeguardingAlert.objects.create(
        offender=alan,
        child=Person.objects.get(source_ref="KID"),
        reason="a child stays at an address of the offender",
        raised_at=now(),
    )
    services.recompute()
    html = _html(world["om"].get(f"/offenders/{alan.pk}/"))
    assert escape(f"Alan {HOSTILE} O'Neil") in html and HOSTILE not in html
    assert "Category 1: registered sexual offender" in html
    assert "1 January 1970" in html and "MOSOVO North" in html
    assert "Change of name or home address" in html and "Record it as made" in html
    assert re.search(r"Not yet: due by [^<]+<strong class=\"govuk-tag govuk-tag--red\">", html)
    assert "A child (record not visible to you)" in html and "Kim" not in html
    assert Entry.objects.filter(action="read", username="om", person_id=alan.person_id).exists()
    # The supervisor sees the force's person records: the child is named, the read logged.
    html = _html(world["sgt-north"].get(f"/offenders/{alan.pk}/"))
    assert "Kim Child" in html
    kid = Person.objects.get(source_ref="KID")
    assert _reads("sgt-north", "records.person") == {kid.pk}


# -- the forms -----------------------------------------------------------------------------


def _moment_fields(prefix: str, when) -> dict:
    local = when.astimezone(UK)
    return {
        f"{prefix}_day": local.day,
        f"{prefix}_month": local.month,
        f"{prefix}_year": local.year,
        f"{prefix}_time": f"{local:%H:%M}",
    }


def test_recording_a_seen_visit_moves_the_next_visit_and_is_audited(world):
    alan = world["alan"]
    client = world["om"]
    form = _html(client.get(f"/offenders/{alan.pk}/visits/new/"))
    assert f'<option value="{client.user.pk}" selected>om</option>' in form
    data = _moment_fields("at", now() - timedelta(hours=1)) | {
        "outcome": "seen",
        "announced": "no",
        "officer": client.user.pk,
        "notes": HOSTILE,
    }
    response = client.post(f"/offenders/{alan.pk}/visits/new/", data)
    assert response.status_code == 302 and response["Location"] == f"/offenders/{alan.pk}/"
    visit = Visit.objects.get(offender=alan)
    assert (visit.outcome, visit.announced, visit.officer, visit.notes) == (
        "seen",
        False,
        client.user,
        HOSTILE,
    )
    html = _html(client.get(response["Location"]))
    assert "recorded: seen at home" in html  # the message
    next_visit = re.search(r'id="next-visit">(.*?)</dd>', html, re.S).group(1)
    due = add_months(visit.at.astimezone(UK).date(), 3)  # high risk: every 3 months
    assert next_visit.startswith(f"{due:%-d %B %Y}") and "Overdue" not in next_visit
    assert escape(HOSTILE) in html and HOSTILE not in html
    write = Entry.objects.get(action="write", what="offenders.visit")
    assert write.username == "om" and write.person_id == alan.person_id


def test_a_visit_with_errors_names_each_field_and_saves_nothing(world):
    alan = world["alan"]
    response = world["om"].post(
        f"/offenders/{alan.pk}/visits/new/",
        {"at_day": "31", "at_month": "2", "at_year": "2025", "at_time": "", "officer": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Record a visit" in html
    for anchor, message in (
        ("at_day", "The date of the visit must be a real date"),
        ("outcome", "Select the outcome of the visit"),
        ("announced", "Select whether the visit was announced"),
        ("officer", "Select an officer from the list"),
    ):
        assert f'<a href="#{anchor}">{message}</a>' in html
    future = _moment_fields("at", now() + timedelta(days=2))
    response = world["om"].post(
        f"/offenders/{alan.pk}/visits/new/",
        future | {"outcome": "seen", "announced": "yes", "officer": world["om"].user.pk},
    )
    assert response.status_code == 400
    assert '<a href="#at_day">The date of the visit must not be in the future</a>' in (
        response.content.decode()
    )
    assert not Visit.objects.filter(offender=alan).exists()
    assert not Entry.objects.filter(action="write").exists()


def test_the_forms_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["om"].user)
    response = client.post(f"/offenders/{world['alan'].pk}/plan/", {"plan": "x"})
    assert response.status_code == 403
    world["alan"].refresh_from_db()
    assert world["alan"].plan == ""


def test_a_review_changes_the_level_shown(world):
    beth = world["beth"]
    today = now().astimezone(UK).date()
    response = world["om"].post(
        f"/offenders/{beth.pk}/reviews/new/",
        {
            "kind": "rm2000",
            "completed_day": today.day,
            "completed_month": today.month,
            "completed_year": today.year,
            "level": "very_high",
        },
    )
    assert response.status_code == 302
    html = _html(world["om"].get(f"/offenders/{beth.pk}/"))
    assert "Risk Matrix 2000 recorded: very high" in html
    assert re.search(r"Risk level</dt><dd[^>]*>Very high</dd>", html)
    assert "Every 1 month " in html


def test_a_pending_notification_recorded_as_made_is_no_longer_overdue(world):
    beth = world["beth"]
    pending = NotificationRecord.objects.create(
        offender=beth, kind="change", trigger_at=now() - timedelta(days=10)
    )
    services.recompute()
    path = f"/offenders/{beth.pk}/notifications/{pending.pk}/made/"
    assert "Change of name or home address" in _html(world["om"].get(path))
    response = world["om"].post(path, _moment_fields("notified", now() - timedelta(days=1)))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.notified_at is not None
    html = _html(world["om"].get(f"/offenders/{beth.pk}/"))
    assert "Record it as made" not in html and "govuk-warning-text" not in html
    assert world["om"].get(path).status_code == 404  # made: no longer pending


def test_a_notification_made_is_recorded(world):
    beth = world["beth"]
    day = now().astimezone(UK).date() - timedelta(days=3)
    response = world["om"].post(
        f"/offenders/{beth.pk}/notifications/new/",
        {
            "kind": "change",
            "trigger_day": day.day,
            "trigger_month": day.month,
            "trigger_year": day.year,
            "details": "Moved to 2 New Street",
        }
        | _moment_fields("notified", now() - timedelta(days=1)),
    )
    assert response.status_code == 302
    made = NotificationRecord.objects.get(offender=beth, kind="change")
    assert (made.kind, made.details) == ("change", "Moved to 2 New Street")
    assert "Moved to 2 New Street" in _html(world["om"].get(f"/offenders/{beth.pk}/"))


def test_the_plan_form_shows_the_plan_and_changes_it(world):
    alan = world["alan"]
    Offender.objects.filter(pk=alan.pk).update(plan=f"Old {HOSTILE}", plan_visit_months=6)
    form = _html(world["om"].get(f"/offenders/{alan.pk}/plan/"))
    assert escape(f"Old {HOSTILE}") in form and 'value="6"' in form
    response = world["om"].post(
        f"/offenders/{alan.pk}/plan/", {"plan": "Monthly", "visit_months": "30"}
    )
    assert response.status_code == 400
    assert "Enter a number of months from 1 to 24, or leave it empty" in response.content.decode()
    response = world["om"].post(
        f"/offenders/{alan.pk}/plan/",
        {
            "plan": "Monthly",
            "visit_months": "1",
            "review_day": "1",
            "review_month": "9",
            "review_year": "2027",
        },
    )
    assert response.status_code == 302
    alan.refresh_from_db()
    assert (alan.plan, alan.plan_visit_months, str(alan.plan_review_on)) == (
        "Monthly",
        1,
        "2027-09-01",
    )
    html = _html(world["om"].get(f"/offenders/{alan.pk}/"))
    assert "Every 1 month (set by the management plan)" in html


# -- the pages as tests/web/test_layout.py checks them ---------------------------------------


def _layout_manager(client: Client) -> Offender:
    """An offender manager signed in on `client`, with one overdue offender."""
    record(FORCE, person("A", f"Alan {HOSTILE}", "O'Neil", "1970-01-01"))
    user = create_member(
        "om-layout", "pw", Agency.objects.get(code="lancs"), Role.OFFENDER_MANAGER, team="North"
    ).user
    client.force_login(user)
    alan = offender("A", team="North", offender_manager=user)
    NotificationRecord.objects.create(offender=alan, kind="change", trigger_at=now())
    services.recompute()
    return alan


def caseload_page(client, police):
    _layout_manager(client)
    return client.get("/offenders/")


def caseloads_page(client, police):
    _layout_manager(client)
    return client.get("/offenders/caseloads/")


def record_page(client, police):
    return client.get(f"/offenders/{_layout_manager(client).pk}/")


def visit_form(client, police):
    return client.get(f"/offenders/{_layout_manager(client).pk}/visits/new/")


def visit_form_with_errors(client, police):
    alan = _layout_manager(client)
    return client.post(f"/offenders/{alan.pk}/visits/new/", {"at_day": "40", "notes": HOSTILE})


def review_form_with_errors(client, police):
    return client.post(f"/offenders/{_layout_manager(client).pk}/reviews/new/", {})


def notification_form_with_errors(client, police):
    return client.post(f"/offenders/{_layout_manager(client).pk}/notifications/new/", {})


def notified_form(client, police):
    alan = _layout_manager(client)
    pending = NotificationRecord.objects.get(offender=alan)
    return client.get(f"/offenders/{alan.pk}/notifications/{pending.pk}/made/")


def plan_form_with_errors(client, police):
    alan = _layout_manager(client)
    return client.post(f"/offenders/{alan.pk}/plan/", {"visit_months": "x", "review_day": "3"})
