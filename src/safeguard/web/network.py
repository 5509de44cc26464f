"""The network pages: the county lines of the latest analysis, each line drawn, a person's
parts, whom to disrupt, whom to protect, and the lines that cross force boundaries.

Police analysts, safeguarding leads, supervisors and administrators see them
(accounts.policy.sees_network); to anyone else they are not there (404). A run's lines hold
people of every agency whose records were analysed, so a person is named, and linked to
their pages, only when one of their records is within the user's access (policy.persons);
otherwise they are "Person (record held by another agency)", unlinked. Every page that
shows people logs a read of each person's part, with the purpose "network analysis".

A line's drawing is drawn by web/network.js (Cytoscape.js, vendored) from drawing.json;
the table of members beside it holds the same people, so the page works without it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from safeguard.accounts import policy, reading
from safeguard.audit import log
from safeguard.network import exports, graph, line_rules, targets
from safeguard.network.line_rules import ASSOCIATE
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.web.access import page_for, visible_or_404

PURPOSE = "network analysis"
HIDDEN = exports.HIDDEN_LABEL
PAGE_SIZE = 50
REASONS_SHOWN = 3
# How the audit log names what was read.
RUN, MEMBER = "network.analysisrun", "network.linemember"
KINDS = {graph.PERSON: "Person", graph.PHONE: "Phone", graph.LOCATION: "Place"}


# Sign-in first; then the page is there only for a user who sees the network (else 404).
network_page = page_for(policy.sees_network)


# --- who may be named ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A person as this user may see them: named with a record to open, or neither."""

    label: str
    pk: int | None = None  # the record their pages open (None: none within the user's access)


def visible_records(user, record_ids: Iterable[int]) -> set[int]:
    """Return those of the person records that the user may see."""
    ids = set(record_ids)
    if not ids:
        return set()
    return set(policy.persons(user).filter(pk__in=ids).values_list("pk", flat=True))


def shown(records: Iterable[int], label: str, visible: set[int]) -> Shown:
    """Name a person only when one of their records is visible; open the first such one."""
    seen = [r for r in records if r in visible]
    return Shown(label, seen[0]) if seen else Shown(HIDDEN)


def around(drawing: dict, key: str) -> dict:
    """Return the part of a drawing around one node: its edges and the nodes at their ends."""
    edges = [e for e in drawing.get("edges", []) if key in (e["source"], e["target"])]
    keep = {key} | {e["source"] for e in edges} | {e["target"] for e in edges}
    return {"nodes": [n for n in drawing.get("nodes", []) if n["key"] in keep], "edges": edges}


def _person_records(nodes: Iterable[dict]) -> set[int]:
    return {r for n in nodes if n.get("kind") == graph.PERSON for r in n.get("records", ())}


# --- the audit ----------------------------------------------------------------------------


def _audit_parts(
    request: HttpRequest,
    members: Iterable[LineMember],
    listing: str,
    visible: set[int],
    action: str = "read",
    **detail: str,
) -> None:
    """Log a read (or export) of each person's part shown, saying whether they were named.
    `listing` is the list they were read in; an export names its format instead."""
    who = reading.actor(request.user)
    where = {"path": request.path, **({"list": listing} if listing else {}), **detail}
    entries = [
        {
            "action": action,
            **who,
            "what": MEMBER,
            "object_id": str(m.pk),
            "person_id": m.person_id,
            "purpose": PURPOSE,
            "detail": {**where, "named": bool(visible.intersection(m.records))},
        }
        for m in members
    ]
    if entries:
        log.record_many(entries)


def _audit_run(request: HttpRequest, run: AnalysisRun, listing: str) -> None:
    """Log a read of a run's lines where no person is shown (places, phones, counts)."""
    log.record(
        "read",
        **reading.actor(request.user),
        what=RUN,
        object_id=str(run.pk),
        purpose=PURPOSE,
        detail={"path": request.path, "list": listing},
    )


# --- what the pages show ------------------------------------------------------------------


def role_titles() -> dict[str, str]:
    """Each role in words, as lines.yaml names it."""
    titles = {r.id: r.title for r in line_rules.current().roles}
    return titles | {ASSOCIATE: "Associate (in the group, no evidence of a part)"}


@dataclass(frozen=True)
class Part:
    """One person's part in a line, as a row of a list."""

    member: LineMember
    who: Shown
    role: str  # in words
    score: float | None  # the score of the role given (None for an associate)
    reasons: list[str]  # why, strongest first


def unnamed(user, line_ids: Iterable[int]) -> tuple[dict[int, list[str]], set[int]]:
    """Return the names of each line's people the user may not see, and the person records
    of those lines they may see.

    A reason may name another person of the line ("their phones contact the controller's
    (Dean Black)"): such a name is taken out of the reasons shown (without_names) too.
    """
    rows = list(
        LineMember.objects.filter(line_id__in=set(line_ids)).values_list(
            "line_id", "label", "records"
        )
    )
    visible = visible_records(user, {r for _, _, records in rows for r in records})
    names: dict[int, set[str]] = {}
    for line_id, label, records in rows:
        if label and not visible.intersection(records):
            names.setdefault(line_id, set()).add(label)
    return {k: sorted(v, key=len, reverse=True) for k, v in names.items()}, visible


def without_names(text: str, names: list[str]) -> str:
    """Put HIDDEN in place of each of the names (whole words) in a reason."""
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", HIDDEN, text)
    return text


def parts(user, members: list[LineMember]) -> tuple[list[Part], set[int]]:
    """Return the members as rows this user may see, and the records they may see."""
    hidden, visible = unnamed(user, {m.line_id for m in members})
    titles = role_titles()
    rows = [
        Part(
            member=m,
            who=shown(m.records, m.label, visible),
            role=titles.get(m.role, m.role),
            score=m.scores.get(m.role),
            reasons=[
                without_names(r, hidden.get(m.line_id, []))
                for r in m.reasons.get(m.role, [])[:REASONS_SHOWN]
            ],
        )
        for m in members
    ]
    return rows, visible


def _paged(request: HttpRequest, rows: list) -> tuple[Page, dict]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return page, {"page": page, "page_numbers": numbers}


def _line_or_404(pk: int) -> Line:
    line = Line.objects.filter(pk=pk, run__finished_at__isnull=False).select_related("run")
    found = line.first()
    if found is None:
        raise Http404("No such line")
    return found


# --- the pages ----------------------------------------------------------------------------


@network_page
def overview(request: HttpRequest) -> HttpResponse:
    """The latest run's lines, or how to run one."""
    run = targets.latest_run()
    if run is None:
        return render(request, "web/network/overview.html", {"run": None})
    page, paging = _paged(request, list(run.lines.order_by("key")))
    _audit_run(request, run, "lines")
    return render(
        request, "web/network/overview.html", {"run": run, "lines": page.object_list, **paging}
    )


@network_page
def line(request: HttpRequest, pk: int) -> HttpResponse:
    """A line: its facts, its drawing and its members (the drawing's people as a table)."""
    found = _line_or_404(pk)
    members = list(found.members.order_by("controller_rank", "pk"))
    rows, visible = parts(request.user, members)
    _audit_parts(request, members, "line", visible)
    latest = targets.latest_run()
    nodes = found.drawing.get("nodes", [])
    return render(
        request,
        "web/network/line.html",
        {
            "line": found,
            "rows": rows,
            "latest": latest is not None and latest.pk == found.run_id,
            "drawing_url": reverse("web:network-drawing", args=[found.pk]),
            "roles": list(role_titles().items()),
            "counts": {kind: sum(1 for n in nodes if n.get("kind") == kind) for kind in KINDS},
        },
    )


@network_page
def drawing(request: HttpRequest, pk: int) -> JsonResponse:
    """A line's drawing as JSON, redacted for the user; `?around=<node key>`: its part
    around one node. Each person the user may open carries `url`, their network page."""
    found = _line_or_404(pk)
    whole = found.drawing or {}
    key = request.GET.get("around", "")
    if key:
        if not any(n["key"] == key for n in whole.get("nodes", [])):
            raise Http404("No such node in this line")
        whole = around(whole, key)
    nodes = whole.get("nodes", [])
    visible = visible_records(request.user, _person_records(nodes))
    opens = {}
    for node in nodes:
        if node.get("kind") == graph.PERSON:
            who = shown(node.get("records", ()), node["label"], visible)
            if who.pk is not None:
                opens[node["key"]] = reverse("web:network-person", args=[who.pk])
    redacted = exports.redact(whole, visible)
    people = [n["key"] for n in nodes if n.get("kind") == graph.PERSON]
    _audit_parts(
        request,
        found.members.filter(node__in=people).only("pk", "person_id", "records"),
        "line drawing",
        visible,
    )
    return JsonResponse(
        {
            "nodes": [
                {**n, "url": opens[n["key"]]} if n["key"] in opens else n for n in redacted["nodes"]
            ],
            "edges": redacted["edges"],
        }
    )


@dataclass(frozen=True)
class Tie:
    """One of a person's ties in a line, as the neighbourhood table shows it."""

    other: Shown
    kind: str  # what the other end is: person, phone, place
    tie: str  # the kind of tie, in words
    count: int
    first: str | None
    last: str | None


@dataclass(frozen=True)
class PersonPart:
    """A person's part in one line: every role's score with its reasons, and their ties."""

    member: LineMember
    role: str
    scores: list[tuple[str, float, list[str], bool]]  # (role, score, reasons, given)
    ties: list[Tie]
    drawing_url: str


@network_page
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's parts in the latest run's lines, each with their neighbourhood."""
    who = visible_or_404(reading.visible_person, request, pk, "No such record")
    run = targets.latest_run()
    members = _parts_of(run, pk) if run is not None else []
    titles = role_titles()
    shown_parts = []
    neighbours: list[LineMember] = []
    hidden, seen = unnamed(request.user, {m.line_id for m in members})
    for m in members:
        near = around(m.line.drawing or {}, m.node)
        names = hidden.get(m.line_id, [])
        keys = {n["key"]: n for n in near["nodes"]}
        ties = []
        for e in near["edges"]:
            other = keys.get(e["target"] if e["source"] == m.node else e["source"])
            if other is None:
                continue
            ties.append(
                Tie(
                    other=shown(other.get("records", ()), other["label"], seen)
                    if other["kind"] == graph.PERSON
                    else Shown(other["label"]),
                    kind=KINDS.get(other["kind"], other["kind"]),
                    tie=e["kind"].replace("_", " "),
                    count=e.get("count", 1),
                    first=e.get("first"),
                    last=e.get("last"),
                )
            )
        ties.sort(key=lambda t: (-t.count, t.kind, t.other.label))
        others = [n["key"] for n in near["nodes"] if n["kind"] == graph.PERSON]
        neighbours += list(m.line.members.filter(node__in=others).exclude(pk=m.pk))
        shown_parts.append(
            PersonPart(
                member=m,
                role=titles.get(m.role, m.role),
                scores=[
                    (
                        titles.get(r, r),
                        m.scores.get(r, 0.0),
                        [without_names(reason, names) for reason in m.reasons.get(r, [])],
                        r == m.role,
                    )
                    for r in line_rules.ROLES
                ],
                ties=ties,
                drawing_url=reverse("web:network-drawing", args=[m.line_id])
                + "?"
                + urlencode({"around": m.node}),
            )
        )
    reading.audited(
        request.user,
        "read",
        who,
        what="records.person",
        path=request.path,
        person_id=who.pk,
        purpose=PURPOSE,
        detail={"lines": [m.line_id for m in members]},
    )
    _audit_parts(request, members, "person", {who.pk})
    _audit_parts(request, neighbours, "person's ties", seen)
    return render(
        request,
        "web/network/person.html",
        {
            "person": who,
            "run": run,
            "parts": shown_parts,
            "roles": list(titles.items()),
        },
    )


def _parts_of(run: AnalysisRun, pk: int) -> list[LineMember]:
    """Return the run's parts whose node stands for this person record (it may be one of
    several records of the same person)."""
    found = LineMember.objects.filter(line__run=run).select_related("line")
    if policy.json_contains_supported():
        found = found.filter(records__contains=[pk])
    else:  # SQLite: no JSON containment; the candidate ids first, then the part rows
        ids = [i for i, records in found.values_list("pk", "records") if pk in records]
        found = found.filter(pk__in=ids)
    return list(found.order_by("line__key", "pk"))


@network_page
def disruption(request: HttpRequest) -> HttpResponse:
    """Adults in controlling roles, highest controller score first, with the legal tools."""
    run = targets.latest_run()
    if run is None:
        return render(request, "web/network/disruption.html", {"run": None})
    page, paging = _paged(request, targets.disruption_targets(run, line_rules.current()))
    rows, visible = parts(request.user, list(page.object_list))
    _audit_parts(request, page.object_list, "disruption targets", visible)
    return render(request, "web/network/disruption.html", {"run": run, "rows": rows, **paging})


@network_page
def safeguarding(request: HttpRequest) -> HttpResponse:
    """Children in the lines, those with a part first, each linked to their record."""
    run = targets.latest_run()
    if run is None:
        return render(request, "web/network/safeguarding.html", {"run": None})
    page, paging = _paged(request, targets.safeguarding_targets(run))
    rows, visible = parts(request.user, list(page.object_list))
    _audit_parts(request, page.object_list, "safeguarding targets", visible)
    return render(request, "web/network/safeguarding.html", {"run": run, "rows": rows, **paging})


@network_page
def cross_force(request: HttpRequest) -> HttpResponse:
    """Lines working in more than one force area, and children found in lines elsewhere."""
    run = targets.latest_run()
    if run is None:
        return render(request, "web/network/cross_force.html", {"run": None})
    lines = targets.lines_across_forces(run)
    by_id = {line.pk: line for line in run.lines.all()}
    crossings = [(c, by_id.get(c.line_id)) for c in targets.crossings(run)]
    _audit_run(request, run, "cross-force")
    return render(
        request,
        "web/network/cross_force.html",
        {"run": run, "lines": lines, "crossings": crossings},
    )


# What each download is: the export, its file type and its extension.
DOWNLOADS = {
    "graphml": (lambda line, drawing: exports.graphml(line, drawing), "application/graphml+xml"),
    "csv": (lambda line, drawing: exports.i2_csv(line, drawing).encode(), "text/csv"),
    "json": (lambda line, drawing: exports.as_json(line, drawing).encode(), "application/json"),
}


@network_page
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A line's export (GraphML for Gephi, CSV for i2, JSON), redacted for the user as the
    drawing is, and audited as an export of each person's part in it."""
    found = _line_or_404(pk)
    whole = found.drawing or {}
    nodes = whole.get("nodes", [])
    visible = visible_records(request.user, _person_records(nodes))
    write, content_type = DOWNLOADS[fmt]
    body = write(found, exports.redact(whole, visible))
    members = found.members.only("pk", "person_id", "records")
    _audit_parts(request, members, "", visible, action="export", format=fmt)
    response = HttpResponse(body, content_type=content_type)
    name = f"line-{found.key}-run-{found.run_id}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
