"""The network pages: the latest run's lines, a line drawn, a person's parts, the targets.

One small world, recorded through intake and analysed by the real network analysis
(running.analyse, running.store): the line BEN of Lancashire, its deal phone used by Dean
Black (its controller), Kai Green (15, a runner, Lancashire's record) and Lily Brown (15, a
runner on a phone recorded by Cumbria, whose record she is), and six users. Lancashire's
analyst may see Dean and Kai but not Lily; Cumbria's the other way round. The ranked lists
and the cross-force view are checked on runs made directly, where the order is set by hand.
"""

import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from safeguard.accounts import policy
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.audit.models import Entry
from safeguard.network import running
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.records.models import Agency, Person
from safeguard.web import network
from safeguard.web.templatetags import navigation
from tests.accounts.test_protection_headers import assert_nothing_inline, assert_strict_policy
from tests.web.builders import person, record

HIDDEN = "Person (record held by another agency)"
PURPOSE = "network analysis"


def _person(agency: str, ref: str, given: str, family: str, born: str) -> dict:
    return person(ref, given, family, born, agency)


def _phone(agency: str, ref: str, number: str, **more) -> dict:
    return {"type": "phone", "agency": agency, "ref": ref, "number": number, **more}


def _link(agency: str, ref: str, kind: str, **ends) -> dict:
    return {
        "type": "link",
        "agency": agency,
        "ref": ref,
        "kind": kind,
        "valid_from": "2025-01-01",
        "valid_to": "2025-03-31",
        **ends,
    }


def _place(agency: str, ref: str, kind: str, address: str, force: str) -> dict:
    return {
        "type": "location",
        "agency": agency,
        "ref": ref,
        "kind": kind,
        "address": address,
        "force_area": force,
    }


AGENCIES = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"},
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {
        "type": "agency",
        "code": "blackpool-cs",
        "kind": "childrens_services",
        "name": "Blackpool Children's Services",
        "area_code": "E06000009",
    },
)
WORLD = (
    *AGENCIES,
    _place("lancs", "HUB", "home", "1 Dock Road, Liverpool", "merseyside"),
    _place("lancs", "TRAP", "trap_house", "4 Mill Lane, Preston", "lancashire"),
    _place("cumbria", "LILYHOME", "home", "2 Fell View, Carlisle", "cumbria"),
    _phone("lancs", "DEAL", "07700900001", is_deal_line=True, line_name="BEN"),
    _phone("lancs", "KAIPHONE", "07700900002"),
    _phone("cumbria", "LILYPHONE", "07700900003"),
    _person("lancs", "DEAN", "Dean", "Black", "1990-05-01"),
    _person("lancs", "KAI", "Kai", "Green", "2009-06-01"),
    _person("cumbria", "LILY", "Lily", "Brown", "2010-02-01"),
    _link("lancs", "U1", "uses_phone", from_person="DEAN", to_phone="DEAL"),
    _link("lancs", "U2", "uses_phone", from_person="KAI", to_phone="KAIPHONE"),
    _link("cumbria", "U3", "uses_phone", from_person="LILY", to_phone="LILYPHONE"),
    _link("lancs", "C1", "contact", from_phone="DEAL", to_phone="KAIPHONE", count=200),
    _link(
        "cumbria",
        "C2",
        "contact",
        from_phone="LILYPHONE",
        to_phone={"agency": "lancs", "ref": "DEAL"},
        count=150,
    ),
    _link("lancs", "H1", "lives_at", from_person="DEAN", to_location="HUB"),
    _link("cumbria", "H2", "lives_at", from_person="LILY", to_location="LILYHOME"),
    _link("lancs", "S1", "stays_at", from_person="KAI", to_location="TRAP"),
    *(
        record
        for i in range(6)
        for record in (
            _phone("lancs", f"USERPHONE{i}", f"0770090010{i}"),
            # One user's name is markup: shown as text on every page.
            _person(
                "lancs", f"USER{i}", "<i>Bob</i>" if i == 0 else f"User{i}", "Smith", "1980-01-01"
            ),
            _link(
                "lancs", f"UU{i}", "uses_phone", from_person=f"USER{i}", to_phone=f"USERPHONE{i}"
            ),
            _link(
                "lancs", f"UC{i}", "contact", from_phone=f"USERPHONE{i}", to_phone="DEAL", count=12
            ),
        )
    ),
)


def _client(role: Role, agency: str = "lancs", verified_login=None, name: str = "") -> Client:
    """A client signed in as a new member (second factor given when `verified_login`)."""
    user = create_member(name or f"{role}-{agency}", "pw", Agency.objects.get(code=agency), role)
    client = Client()
    if verified_login is not None:
        verified_login(client, user.user)
    else:
        client.force_login(user.user)
    client.user = user.user
    return client


@pytest.fixture
def analysed(db) -> AnalysisRun:
    """The world recorded and analysed: the run stored as `safeguard network run` does."""
    record(*WORLD)
    return running.store(running.analyse(), ran_by="test")


@pytest.fixture
def line(analysed) -> Line:
    return analysed.lines.get()


@pytest.fixture
def analyst(analysed, verified_login) -> Client:
    return _client(Role.ANALYST, verified_login=verified_login, name="analyst")


def _pk(ref: str) -> int:
    return Person.objects.get(source_ref=ref).pk


def _paths(line: Line) -> list[str]:
    return [
        "/network/",
        f"/network/lines/{line.pk}/",
        f"/network/lines/{line.pk}/drawing.json",
        f"/network/people/{_pk('DEAN')}/",
        "/network/disruption/",
        "/network/safeguarding/",
        "/network/cross-force/",
        f"/network/lines/{line.pk}/export.graphml",
        f"/network/lines/{line.pk}/export.csv",
        f"/network/lines/{line.pk}/export.json",
    ]


# --- who sees the network ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "agency", "sees"),
    [
        # a force's analysts, safeguarding leads, supervisors and administrators
        (Role.ANALYST, "lancs", True),
        (Role.SAFEGUARDING_LEAD, "lancs", True),
        (Role.SUPERVISOR, "lancs", True),
        (Role.ADMINISTRATOR, "lancs", True),
        # not every officer, nor custody
        (Role.OFFICER, "lancs", False),
        (Role.CUSTODY_SERGEANT, "lancs", False),
        (Role.OFFENDER_MANAGER, "lancs", False),
        # an inspector sees figures only
        (Role.INSPECTOR, "lancs", False),
        # partner agencies: not police, whatever the role
        (Role.MASH_WORKER, "blackpool-cs", False),
        (Role.ADMINISTRATOR, "blackpool-cs", False),
        (Role.SAFEGUARDING_LEAD, "blackpool-cs", False),
    ],
)
def test_who_sees_the_network(db, role, agency, sees):
    record(*AGENCIES)
    user = create_member("someone", "pw", Agency.objects.get(code=agency), role).user
    assert policy.sees_network(user) is sees
    assert (("Network", "web:network") in navigation.pages_for(user)) is (
        role in policy.NETWORK_ROLES
    )


def test_nobody_signed_out_or_without_a_membership_sees_it(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    assert not policy.sees_network(AnonymousUser())
    assert not policy.sees_network(get_user_model().objects.create_user("nobody"))


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.OFFICER, "lancs"),
        (Role.CUSTODY_SERGEANT, "lancs"),
        (Role.INSPECTOR, "lancs"),
        (Role.MASH_WORKER, "blackpool-cs"),
        (Role.ADMINISTRATOR, "blackpool-cs"),
    ],
)
def test_every_network_page_is_404_to_other_roles(line, verified_login, role, agency):
    client = _client(role, agency, verified_login if role == Role.ADMINISTRATOR else None)
    for path in _paths(line):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Dean" not in response.content
    assert not Entry.objects.filter(action="read", what__startswith="network.").exists()


def test_signed_out_every_network_page_asks_to_sign_in(line, client):
    for path in _paths(line):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_the_network_roles_see_every_page(line, verified_login, role):
    client = _client(role, verified_login=verified_login if role == Role.ADMINISTRATOR else None)
    for path in _paths(line):
        assert client.get(path).status_code == 200, path


def test_a_line_of_no_run_and_a_post_are_refused(analyst, line):
    assert analyst.get(f"/network/lines/{line.pk + 1}/").status_code == 404
    assert analyst.get(f"/network/lines/{line.pk + 1}/drawing.json").status_code == 404
    # A run still being stored (not finished) is not shown.
    AnalysisRun.objects.filter(pk=line.run_id).update(finished_at=None)
    assert analyst.get(f"/network/lines/{line.pk}/").status_code == 404
    assert b"No analysis has been run" in analyst.get("/network/").content
    assert analyst.post("/network/").status_code == 405


# --- no run yet ----------------------------------------------------------------------------


def test_before_any_run_each_page_says_how_to_run_one(db, verified_login):
    record(*AGENCIES)
    client = _client(Role.ANALYST, verified_login=verified_login)
    for path in ("/network/", "/network/disruption/", "/network/safeguarding/"):
        html = client.get(path).content.decode()
        assert "No analysis has been run" in html and "safeguard network run" in html, path
    html = client.get("/network/cross-force/").content.decode()
    assert "safeguard network run" in html
    assert not Entry.objects.filter(action="read").exists()


# --- the lines -----------------------------------------------------------------------------


def test_the_latest_run_lists_its_lines_and_the_read_is_logged(analyst, line):
    response = analyst.get("/network/")
    html = response.content.decode()
    assert_strict_policy(response)
    assert_nothing_inline(response)
    assert f'<a class="govuk-link" href="/network/lines/{line.pk}/">BEN</a>' in html
    row = re.search(r"<tr class=\"govuk-table__row\">\s*<th scope=\"row\".*?</tr>", html, re.S)
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(0), re.S)
    ]
    assert cells[:3] == ["BEN", "07700900001", "Liverpool"]
    assert cells[5:7] == [str(line.people), str(line.children)]
    assert line.people == 9 and line.children == 2
    assert "Dean" not in html  # no person on this page
    entry = Entry.objects.get(action="read", username="analyst")
    assert (entry.what, entry.object_id, entry.purpose) == (
        "network.analysisrun",
        str(line.run_id),
        PURPOSE,
    )
    assert entry.person_id is None


def test_a_later_run_replaces_the_earlier_and_its_lines_say_so(analyst, line):
    later = running.store(running.analyse(), ran_by="again")
    assert f"/network/lines/{later.lines.get().pk}/" in analyst.get("/network/").content.decode()
    html = analyst.get(f"/network/lines/{line.pk}/").content.decode()
    assert "a later analysis has been run since" in html
    assert (
        "a later analysis"
        not in analyst.get(f"/network/lines/{later.lines.get().pk}/").content.decode()
    )


def test_the_line_page_names_only_the_people_the_user_may_see(analyst, line):
    response = analyst.get(f"/network/lines/{line.pk}/")
    html = response.content.decode()
    assert_nothing_inline(response)
    dean, kai, lily = _pk("DEAN"), _pk("KAI"), _pk("LILY")
    assert f'<a class="govuk-link" href="/network/people/{dean}/">Dean Black</a>' in html
    assert f'<a class="govuk-link" href="/network/people/{kai}/">Kai Green</a>' in html
    assert "Lily" not in html and "Brown" not in html
    assert f"/network/people/{lily}/" not in html and f"/children/{lily}/" not in html
    assert html.count(HIDDEN) == 1
    assert "&lt;i&gt;Bob&lt;/i&gt; Smith" in html and "<i>Bob" not in html
    # The drawing's box, its script and the key; the members in controller-rank order.
    assert f'data-network-drawing="/network/lines/{line.pk}/drawing.json"' in html
    assert 'id="__________cytoscape_stylesheet"' in html
    assert "/static/vendor/cytoscape/cytoscape.min.js" in html
    assert "Key to the drawing" in html and "Child (under 18" in html
    ranked = list(line.members.order_by("controller_rank").values_list("label", flat=True))
    shown = [n if n != "Lily Brown" else HIDDEN for n in ranked]
    positions = [html.index(n.replace("<", "&lt;").replace(">", "&gt;")) for n in shown]
    assert positions == sorted(positions)
    assert ranked[0] == "Dean Black"


def test_another_force_sees_its_own_people_named_and_not_the_others(line, verified_login):
    cumbria = _client(Role.ANALYST, "cumbria", verified_login, name="cumbria-analyst")
    html = cumbria.get(f"/network/lines/{line.pk}/").content.decode()
    assert f'href="/network/people/{_pk("LILY")}/">Lily Brown</a>' in html
    assert "Dean" not in html and "Kai" not in html
    assert html.count(HIDDEN) == 8


def test_each_member_shown_is_a_logged_read_saying_whether_they_were_named(analyst, line):
    analyst.get(f"/network/lines/{line.pk}/")
    reads = Entry.objects.filter(action="read", username="analyst", what="network.linemember")
    assert reads.count() == line.people
    assert set(reads.values_list("purpose", flat=True)) == {PURPOSE}
    named = {e.person_id: e.detail["named"] for e in reads}
    assert named[_pk("LILY")] is False and named[_pk("DEAN")] is True
    assert sum(named.values()) == line.people - 1
    assert {e.detail["path"] for e in reads} == {f"/network/lines/{line.pk}/"}


# --- the drawing ---------------------------------------------------------------------------


def test_the_drawing_is_the_stored_one_with_names_outside_access_removed(analyst, line):
    response = analyst.get(f"/network/lines/{line.pk}/drawing.json")
    assert response["Content-Type"] == "application/json"
    drawing = response.json()
    stored = line.drawing
    assert [n["key"] for n in drawing["nodes"]] == [n["key"] for n in stored["nodes"]]
    assert drawing["edges"] == stored["edges"]
    nodes = {n["key"]: n for n in drawing["nodes"]}
    dean, lily = f"person:{_pk('DEAN')}", f"person:{_pk('LILY')}"
    assert nodes[dean]["label"] == "Dean Black" and nodes[dean]["role"] == "controller"
    assert nodes[dean]["url"] == f"/network/people/{_pk('DEAN')}/"
    assert nodes[lily]["label"] == HIDDEN and "url" not in nodes[lily]
    assert nodes[lily]["child"] is True and nodes[lily]["role"] == "runner"
    assert b"Lily" not in response.content and b"Brown" not in response.content
    assert nodes["phone:07700900001"]["deal_line"] is True
    assert not any("url" in n for n in drawing["nodes"] if n["kind"] != "person")
    reads = Entry.objects.filter(action="read", what="network.linemember")
    assert reads.count() == line.people
    assert {e.detail["list"] for e in reads} == {"line drawing"}


def test_the_drawing_around_a_person_is_their_ties_and_who_is_at_the_other_end(analyst, line):
    key = f"person:{_pk('KAI')}"
    drawing = analyst.get(f"/network/lines/{line.pk}/drawing.json", {"around": key}).json()
    stored = [e for e in line.drawing["edges"] if key in (e["source"], e["target"])]
    assert drawing["edges"] == stored and stored
    ends = {key} | {e["source"] for e in stored} | {e["target"] for e in stored}
    assert {n["key"] for n in drawing["nodes"]} == ends
    assert "phone:07700900002" in ends  # Kai's phone
    reads = Entry.objects.filter(action="read", what="network.linemember")
    assert list(reads.values_list("person_id", flat=True)) == [_pk("KAI")]
    missing = analyst.get(f"/network/lines/{line.pk}/drawing.json", {"around": "person:0"})
    assert missing.status_code == 404


def test_markup_in_a_name_stays_text_in_the_drawing(analyst, line):
    response = analyst.get(f"/network/lines/{line.pk}/drawing.json")
    labels = [n["label"] for n in response.json()["nodes"]]
    assert "<i>Bob</i> Smith" in labels  # JSON, read by script as text: never markup


# --- a person ------------------------------------------------------------------------------


def test_a_persons_page_shows_each_part_with_every_score_and_their_ties(analyst, line):
    kai = _pk("KAI")
    response = analyst.get(f"/network/people/{kai}/")
    html = response.content.decode()
    assert_nothing_inline(response)
    assert "Kai Green in the network" in html
    assert f'href="/network/lines/{line.pk}/">BEN</a>' in html
    member = line.members.get(person_id=kai)
    assert member.role == "runner"
    for title in ("Controller (line holder)", "Lieutenant (manages runners)", "Runner", "User"):
        assert title in html
    for reason in member.reasons["runner"]:
        assert reason.replace("'", "&#x27;") in html
    assert "07700900002" in html  # the phone at the other end of a tie
    assert (
        f'data-network-drawing="/network/lines/{line.pk}/drawing.json?around=person%3A{kai}"'
        in html
    )
    assert f'href="/children/{kai}/"' in html
    read = Entry.objects.get(username="analyst", what="records.person")
    assert (read.person_id, read.purpose) == (kai, PURPOSE)
    part = Entry.objects.get(username="analyst", what="network.linemember", detail__list="person")
    assert part.object_id == str(member.pk)


def test_a_person_outside_access_is_404_and_the_attempt_logged(analyst, line):
    lily = _pk("LILY")
    response = analyst.get(f"/network/people/{lily}/")
    assert response.status_code == 404 and b"Lily" not in response.content
    assert Entry.objects.filter(action="denied", person_id=lily, username="analyst").exists()


def test_the_ties_of_a_person_name_only_those_the_user_may_see(line, verified_login):
    cumbria = _client(Role.ANALYST, "cumbria", verified_login, name="cumbria-analyst")
    html = cumbria.get(f"/network/people/{_pk('LILY')}/").content.decode()
    assert "Lily Brown in the network" in html
    assert "Dean" not in html  # she is tied to the deal phone, not to Dean directly
    assert "07700900003" in html


def test_a_person_in_no_line_is_told_so(analyst, line):
    record(_person("lancs", "NOBODY", "Ann", "Other", "1999-01-01"))
    html = analyst.get(f"/network/people/{_pk('NOBODY')}/").content.decode()
    assert "Ann Other is in no line of the latest analysis" in html


# --- the ranked lists, on runs made directly -----------------------------------------------


def _run(*lines: tuple[str, list[str], list[dict]]) -> AnalysisRun:
    """A finished run of lines (key, force areas, members), each member a dict of
    LineMember fields with `ref` naming the person record."""
    now = timezone.now()
    run = AnalysisRun.objects.create(
        started_at=now, finished_at=now, rules="lines 1.0.0", rules_hash="x" * 64
    )
    for key, forces, members in lines:
        stored = Line.objects.create(
            run=run,
            key=key,
            brand=key.upper(),
            force_areas=forces,
            people=len(members),
            children=sum(1 for m in members if m.get("is_child")),
            first_seen=date(2025, 1, 1),
            last_seen=date(2025, 3, 1),
        )
        for rank, m in enumerate(members, start=1):
            pk = _pk(m.pop("ref"))
            LineMember.objects.create(
                line=stored,
                person_id=pk,
                records=[pk],
                node=f"person:{pk}",
                label=str(Person.objects.get(pk=pk)),
                controller_rank=rank,
                **m,
            )
    return run


@pytest.fixture
def people(db):
    record(
        *WORLD[:3],
        _place("lancs", "PRESTON", "home", "9 Brook Street, Preston", "lancashire"),
        _place("cumbria", "CARLISLE", "home", "2 Fell View, Carlisle", "cumbria"),
        *(
            _person("lancs", ref, ref.title(), "Lancs", born)
            for ref, born in (("ADA", "1980-01-01"), ("BEN", "1985-01-01"), ("CY", "2004-01-01"))
        ),
        *(_person("lancs", ref, ref.title(), "Lancs", "2010-01-01") for ref in ("KIM", "LEE")),
        _person("cumbria", "MAY", "May", "Cumbria", "2010-01-01"),
        _link("lancs", "H-KIM", "lives_at", from_person="KIM", to_location="PRESTON"),
        _link("cumbria", "H-MAY", "lives_at", from_person="MAY", to_location="CARLISLE"),
    )


def _adult(ref: str, role: str, controller: float, age: int, tools=()) -> dict:
    return {
        "ref": ref,
        "role": role,
        "age": age,
        "scores": {"controller": controller, "runner": 0.1},
        "reasons": {role: [f"{ref} reason"]},
        "tools": list(tools),
    }


def _child(ref: str, role: str, runner: float) -> dict:
    reasons = {role: [f"{ref} {role} reason"]} if role != "associate" else {}
    return {
        "ref": ref,
        "role": role,
        "age": 15,
        "is_child": True,
        "scores": {"controller": 0.0, "runner": runner},
        "reasons": reasons,
    }


def _rows(html: str, caption: str) -> list[list[str]]:
    table = re.search(rf"<caption[^>]*>{re.escape(caption)}.*?</table>", html, re.S).group(0)
    body = re.search(r"<tbody.*?</tbody>", table, re.S).group(0)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


def test_disruption_targets_are_adults_in_controlling_roles_highest_score_first(
    people, verified_login
):
    tool = {"tool": "slavery-trafficking-risk-order", "title": "STRO", "why": "2 children"}
    _run(
        ("a", ["lancashire"], [_adult("BEN", "lieutenant", 0.5, 40), _child("KIM", "runner", 0.8)]),
        (
            "b",
            ["lancashire"],
            [
                _adult("ADA", "controller", 0.9, 45, [tool]),
                _adult("CY", "controller", 0.95, 20),  # under 21: exploited himself, maybe
                _adult("MAY", "lieutenant", 0.7, 30),  # Cumbria's record
            ],
        ),
    )
    client = _client(Role.ANALYST, verified_login=verified_login, name="analyst")
    html = client.get("/network/disruption/").content.decode()
    rows = _rows(html, "Adults in controlling roles")
    assert [r[:4] for r in rows] == [
        ["1", "Ada Lancs", "Controller (line holder) in B", "0.90"],
        ["2", HIDDEN, "Lieutenant (manages runners) in B", "0.70"],
        ["3", "Ben Lancs", "Lieutenant (manages runners) in A", "0.50"],
    ]
    assert "STRO: 2 children" in rows[0][5]
    assert "Cy Lancs" not in html and "May" not in html
    reads = Entry.objects.filter(username="analyst", what="network.linemember")
    assert sorted(reads.values_list("person_id", flat=True)) == sorted(
        [_pk("ADA"), _pk("MAY"), _pk("BEN")]
    )


def test_children_with_a_part_come_first_each_linked_to_their_record(people, verified_login):
    _run(
        ("a", ["lancashire"], [_child("KIM", "associate", 0.9), _child("LEE", "runner", 0.3)]),
        ("b", ["lancashire"], [_child("MAY", "runner", 0.6)]),
    )
    client = _client(Role.SAFEGUARDING_LEAD, name="lead")
    html = client.get("/network/safeguarding/").content.decode()
    rows = _rows(html, "Children in lines")
    assert [r[:4] for r in rows] == [
        [HIDDEN, "Runner in B", "15", "0.60"],
        ["Lee Lancs", "Runner in A", "15", "0.30"],
        ["Kim Lancs", "Associate (in the group, no evidence of a part) in A", "15", "0.90"],
    ]
    assert f'href="/children/{_pk("LEE")}/"' in html
    assert f'href="/network/people/{_pk("KIM")}/"' in html
    assert f"/children/{_pk('MAY')}/" not in html and f"/network/people/{_pk('MAY')}/" not in html
    assert rows[0][5] == "Held by another agency"
    assert Entry.objects.filter(username="lead", what="network.linemember").count() == 3


def test_the_cross_force_view_lists_lines_in_several_areas_and_children_from_elsewhere(
    people, verified_login
):
    _run(
        (
            "a",
            ["cumbria", "lancashire"],
            [_child("KIM", "runner", 0.5), _child("MAY", "runner", 0.5)],
        ),
        ("b", ["lancashire"], [_child("LEE", "runner", 0.5)]),
    )
    client = _client(Role.SUPERVISOR, name="di")
    html = client.get("/network/cross-force/").content.decode()
    across = _rows(html, "Lines in more than one force area")
    assert across == [["A", "cumbria, lancashire", "Not known", "Not known", "2"]]
    crossings = _rows(html, "Children from one force area")
    assert crossings == [["cumbria", "A", "lancashire", "1"], ["lancashire", "A", "cumbria", "1"]]
    assert "Kim" not in html and "May" not in html  # counts only
    entry = Entry.objects.get(username="di", action="read")
    assert (entry.what, entry.detail["list"]) == ("network.analysisrun", "cross-force")


def test_a_name_the_user_may_not_see_is_taken_out_of_the_reasons_shown(people, verified_login):
    may = _child("MAY", "runner", 0.6)
    may["reasons"] = {
        "runner": ["their phones contact the controller's (Ada Lancs)"],
        "lieutenant": ["their phones contact 2 others in the line (Ada Lancs, Ada Lancsbury)"],
    }
    run = _run(("a", ["lancashire"], [_adult("ADA", "controller", 0.9, 45), may]))
    line = run.lines.get()
    cumbria = _client(Role.SAFEGUARDING_LEAD, "cumbria", name="cumbria-lead")
    for path in ("/network/safeguarding/", f"/network/lines/{line.pk}/"):
        html = cumbria.get(path).content.decode()
        assert "Ada" not in html, path
        assert f"their phones contact the controller&#x27;s ({HIDDEN})" in html, path
    html = cumbria.get(f"/network/people/{_pk('MAY')}/").content.decode()
    assert "Ada Lancs," not in html and "Ada Lancsbury" in html  # whole names only
    assert f"2 others in the line ({HIDDEN}, Ada Lancsbury)" in html
    # Lancashire's lead may see Ada: her name stays in the reason.
    lancs = _client(Role.SAFEGUARDING_LEAD, name="lancs-lead")
    html = lancs.get(f"/network/lines/{line.pk}/").content.decode()
    assert "their phones contact the controller&#x27;s (Ada Lancs)" in html


def test_long_lists_are_paged(people, monkeypatch):
    monkeypatch.setattr(network, "PAGE_SIZE", 1)
    _run(("b", ["lancashire"], [_child("LEE", "runner", 0.4), _child("MAY", "runner", 0.3)]))
    client = _client(Role.SAFEGUARDING_LEAD, name="lead")
    first = client.get("/network/safeguarding/").content.decode()
    second = client.get("/network/safeguarding/", {"page": 2}).content.decode()
    assert "Lee Lancs" in first and "Lee Lancs" not in second and HIDDEN in second
    assert 'rel="next"' in first


# --- the vendored drawing library ----------------------------------------------------------


def test_cytoscape_is_vendored_with_its_version_and_licence():
    folder = "vendor/cytoscape"
    version = open(finders.find(f"{folder}/VERSION")).read().strip()
    assert version == "3.35.0"
    assert "Cytoscape Consortium" in open(finders.find(f"{folder}/LICENSE")).read()
    script = open(finders.find(f"{folder}/cytoscape.min.js")).read()
    assert "sourceMappingURL" not in script
    # The stylesheet id it looks for before adding its own <style> (see web/network.css).
    assert "__________cytoscape_stylesheet" in script
    assert version in open(finders.find("vendor/README.md")).read()
    assert ".__________cytoscape_container" in open(finders.find("web/network.css")).read()


def test_the_vendor_script_copies_cytoscape_and_leaves_the_other_packages(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "vendor_frontend", root / "scripts" / "vendor_frontend.py"
    )
    vendor_frontend = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor_frontend)
    package = tmp_path / "cy"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "cytoscape", "version": "3.99.0"}))
    (package / "dist" / "cytoscape.min.js").write_text("var cy;\n//# sourceMappingURL=c.map")
    (package / "dist" / "cytoscape.cjs.js").write_text("not served")
    (package / "LICENSE").write_text("MIT")
    out = tmp_path / "vendor"
    (out / "chart.js").mkdir(parents=True)
    (out / "chart.js" / "VERSION").write_text("4.6.1\n")
    assert vendor_frontend.vendor_cytoscape(package, out) == "3.99.0"
    assert sorted(p.name for p in (out / "cytoscape").iterdir()) == [
        "LICENSE",
        "VERSION",
        "cytoscape.min.js",
    ]
    assert (out / "cytoscape" / "cytoscape.min.js").read_text().strip() == "var cy;"
    assert (out / "chart.js" / "VERSION").read_text() == "4.6.1\n"  # untouched
    (package / "package.json").write_text(json.dumps({"name": "cytoscape", "version": "2.7.0"}))
    with pytest.raises(vendor_frontend.VendorError, match="not version 3"):
        vendor_frontend.vendor_cytoscape(package, out)


# --- downloads ----------------------------------------------------------------------------


def test_the_downloads_name_only_the_people_the_user_may_see_and_are_audited(
    analyst, line, tmp_path
):
    import csv
    import io
    import json

    import igraph

    graphml = analyst.get(f"/network/lines/{line.pk}/export.graphml")
    assert graphml["Content-Type"] == "application/graphml+xml"
    assert graphml["Content-Disposition"].startswith("attachment; filename=")
    saved = tmp_path / "line.graphml"  # igraph's reader wants a file
    saved.write_bytes(graphml.content)
    drawn = igraph.Graph.Read_GraphML(str(saved))
    labels = set(drawn.vs["label"])
    assert "Dean Black" in labels and "Lily Brown" not in labels and HIDDEN in labels
    rows = list(
        csv.DictReader(
            io.StringIO(analyst.get(f"/network/lines/{line.pk}/export.csv").content.decode())
        )
    )
    named = {r["Entity 1 Label"] for r in rows} | {r["Entity 2 Label"] for r in rows}
    assert "Dean Black" in named and "Lily Brown" not in named
    whole = json.loads(analyst.get(f"/network/lines/{line.pk}/export.json").content)
    assert "Lily" not in json.dumps(whole) and whole["key"] == line.key
    exported = Entry.objects.filter(action="export", username="analyst", what="network.linemember")
    assert exported.count() == 3 * line.people
    assert {e.detail["format"] for e in exported} == {"graphml", "csv", "json"}
    assert analyst.get(f"/network/lines/{line.pk}/export.xlsx").status_code == 404
