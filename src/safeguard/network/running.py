"""Analyse what is loaded, store the lines and roles, and tell the screening about children.

analyse() reads the records and finds the lines (no writes). store() keeps a run, its lines
and every person's part in one transaction, and in it raises a safeguarding alert for each
registered offender in a line with a child (link_offenders, through offenders.alerts: the
safeguarding queue takes it up). record_findings() records, for each child in
a line, a `line_membership` event (intake.record_batch, as any source records) with the child
as subject: the screening's "In a county line's network" indicator counts it, and the
pipeline re-screens the child and opens the duties that follow, in the same transaction.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import transaction

from safeguard import clock
from safeguard.intake import recording, schema
from safeguard.network import evidence as ev
from safeguard.network import graph as g
from safeguard.network import line_roles, line_rules, lines, reading
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.offenders import alerts
from safeguard.records.ages import UK
from safeguard.records.models import Agency, Person
from safeguard.records.vocabulary import AgencyKind, EventKind, Role
from safeguard.safeguarding import tools
from safeguard.safeguarding.calendar import END_OF_DAY


@dataclass(slots=True)
class Analysis:
    graph: g.RecordGraph
    lines: list[line_roles.LineRoles]
    rules: line_rules.Lines


def analyse(
    start: date | None = None, end: date | None = None, rules: line_rules.Lines | None = None
) -> Analysis:
    """Return the lines of the records dated within [start, end], every person scored."""
    rules = rules or line_rules.current()
    nodes, ties = reading.load(start, end, rules.edges.crowd)
    rg = g.build(nodes, ties, rules.edges.weights, start, end)
    return analyse_graph(rg, rules, records_until=end, records_from=start)


def analyse_graph(
    rg: g.RecordGraph,
    rules: line_rules.Lines,
    records_until: date | None = None,
    recorded: bool = True,
    records_from: date | None = None,
) -> Analysis:
    """Return the lines of a built graph; `recorded=False` skips the events (no database)."""
    found = lines.detect(rg, rules)
    people = [p for line in found for p in line.people(rg)]
    records = ev.recorded(rg, people, records_until, records_from) if recorded else {}
    every_deal = {v for line in found for v in line.deal_phones}
    scored = [line_roles.score(rg, line, rules, records, every_deal) for line in found]
    for line in scored:
        for person in line.people:
            person.tools = disruption_tools(line, person, rules, records.get(person.vertex))
    return Analysis(graph=rg, lines=scored, rules=rules)


def disruption_tools(
    line: line_roles.LineRoles,
    person: line_roles.Scored,
    rules: line_rules.Lines,
    recorded: ev.Recorded | None,
) -> list[dict]:
    """Return the legal tools that apply to an adult in a controlling role, with why."""
    cfg = rules.disruption
    if person.role not in cfg.roles or person.age is None or person.age < cfg.adult_at_least:
        return []
    catalogue = {t.id: t for t in tools.current().tools}
    children = children_with_a_part(line)
    travelling = [s for s in children if s.pieces["travels"].value > 0]
    charged = bool(recorded and any(k.startswith("charge:") for k in recorded.events))
    facts = {
        "child_in_line": (bool(children), f"{_children(len(children))} in the line"),
        "child_travels_for_line": (
            bool(travelling),
            f"{_children(len(travelling))} of the line recorded travelling, missing or out of area",
        ),
        "charged": (charged, "charged with an offence" if charged else "not charged"),
        "not_charged": (not charged, "not charged yet" if not charged else "already charged"),
    }
    out = []
    for wanted in cfg.tools:
        if all(facts[n][0] for n in wanted.needs):
            why = f"{person.age}, {person.role} of the line; " + "; ".join(
                facts[n][1] for n in wanted.needs
            )
            out.append({"tool": wanted.tool, "title": catalogue[wanted.tool].title, "why": why})
    return out


def _children(n: int) -> str:
    return "1 child" if n == 1 else f"{n} children"


@transaction.atomic
def store(analysis: Analysis, ran_by: str, agency: Agency | None = None) -> AnalysisRun:
    """Store the run, its lines and every person's part; return the run."""
    rg, rules = analysis.graph, analysis.rules
    run = AnalysisRun.objects.create(
        started_at=clock.now(),
        window_start=rg.start,
        window_end=rg.end,
        rules=rules.label,
        rules_hash=rules.content_hash,
        nodes=rg.graph.vcount(),
        edges=rg.graph.ecount(),
        ran_by=ran_by,
        agency=agency,
    )
    for found in analysis.lines:
        line = found.line
        ranked = found.ranked("controller")
        stored = Line.objects.create(
            run=run,
            key=line.key,
            brand=line.brand,
            deal_phones=[
                {"number": rg.nodes[v].label, "reason": why}
                for v, why in sorted(line.deal_phones.items())
            ],
            origin=found.origin,
            targets=found.targets,
            force_areas=found.force_areas,
            first_seen=date.fromisoformat(line.first) if line.first else None,
            last_seen=date.fromisoformat(line.last) if line.last else None,
            people=len(found.people),
            children=sum(1 for s in found.people if s.child),
            drawing=drawing(rg, found),
        )
        LineMember.objects.bulk_create(
            LineMember(
                line=stored,
                person_id=rg.nodes[s.vertex].records[0],
                records=list(rg.nodes[s.vertex].records),
                node=rg.nodes[s.vertex].key,
                label=rg.nodes[s.vertex].label[:1000],
                role=s.role,
                scores={k: round(x, 4) for k, x in s.scores.items()},
                reasons=s.reasons,
                age=s.age,
                is_child=s.child,
                controller_rank=rank,
                tools=s.tools,
            )
            for rank, s in enumerate(ranked, start=1)
        )
    run.finished_at = clock.now()
    run.save(update_fields=["finished_at"])
    link_offenders(run)
    return run


def link_offenders(run: AnalysisRun) -> int:
    """Raise a safeguarding alert for each registered offender in a line of the run that has
    a child, per offender and child; return how many are new.

    An offender is matched on every person record a member stands for (`records`, not only
    the first). Dated as a live system would have raised it: at the end of the line's last
    day (UK), never later than now. Two queries for the run's lines and members, however
    many lines it has; offenders.alerts looks the offenders up a chunk of records at a time.
    """
    lines = {
        pk: (brand or key, last_seen)
        for pk, brand, key, last_seen in Line.objects.filter(run=run, children__gt=0).values_list(
            "id", "brand", "key", "last_seen"
        )
    }
    people: dict[int, list[tuple[int, ...]]] = {pk: [] for pk in lines}
    children: dict[int, list[tuple[int, int | None]]] = {pk: [] for pk in lines}
    for line, person, records, age, child in LineMember.objects.filter(
        line__run=run, line__children__gt=0
    ).values_list("line_id", "person_id", "records", "age", "is_child"):
        people[line].append(tuple(records or (person,)))
        if child:
            children[line].append((person, age))
    moment = clock.now()
    return alerts.raise_for_links(
        alerts.Linked(
            people=tuple(people[pk]),
            children=tuple(children[pk]),
            where=f"in county line {name}",
            at=moment if day is None else min(_end_of(day), moment),
        )
        for pk, (name, day) in lines.items()
        if children[pk]
    )


def _end_of(day: date) -> datetime:
    """Return the last moment of a UK calendar day."""
    return datetime.combine(day, END_OF_DAY, tzinfo=UK)


def drawing(rg: g.RecordGraph, found: line_roles.LineRoles) -> dict:
    """Return the line's nodes (with roles) and the edges among them, for pages and exports."""
    members = sorted(found.line.members)
    part = {s.vertex: s for s in found.people}
    nodes = []
    for v in members:
        node = rg.nodes[v]
        item = {"key": node.key, "kind": node.kind, "label": node.label, "records": node.records}
        if v in part:
            item.update(role=part[v].role, child=part[v].child, age=part[v].age)
        elif node.kind == g.PHONE:
            item.update(deal_line=v in found.line.deal_phones)
        elif node.kind == g.LOCATION:
            item.update(place=node.facts.get("kind", ""), town=node.facts.get("town", ""))
        nodes.append(item)
    inside = set(members)
    edges = []
    for e in rg.graph.es.select(_within=members):
        if e.source in inside and e.target in inside:
            edges.append(
                {
                    "source": rg.nodes[e.source].key,
                    "target": rg.nodes[e.target].key,
                    "kind": e["kind"],
                    "count": e["count"],
                    "first": e["first"],
                    "last": e["last"],
                    "sources": list(e["sources"]),
                    "weight": round(e["weight"], 4),
                }
            )
    return {"nodes": nodes, "edges": edges}


def investigating_agency(
    rg: g.RecordGraph, found: line_roles.LineRoles, forces: set[str] | None = None
) -> str | None:
    """Return the police force (of `forces`, else every force) holding most records of the
    line's deal phones."""
    if forces is None:
        forces = _police_forces()
    held: Counter = Counter()
    for v in found.line.deal_phones:
        for agency in rg.nodes[v].facts.get("agencies", ()):
            if agency in forces:
                held[agency] += 1
    # Most records first; a tie goes to the first code (set order changes between processes).
    return min(held, key=lambda code: (-held[code], code)) if held else None


def findings(analysis: Analysis, agency: str | None = None) -> list[schema.EventIn]:
    """Return a line_membership event for each child with a part in a line (not associates).

    The source ref names the line, the person node, the role, the line's last date and a
    digest of what the event says, so running again on the same records records nothing new,
    and a changed finding is a new event beside the old one (nothing is overwritten).
    """
    out = []
    rg = analysis.graph
    forces = _police_forces()
    refs = _refs(
        [
            r
            for found in analysis.lines
            for s in children_with_a_part(found)
            for r in rg.nodes[s.vertex].records
        ]
    )
    for found in analysis.lines:
        by = agency or investigating_agency(rg, found, forces)
        line = found.line
        if by is None or line.last is None:
            continue
        when = datetime.combine(date.fromisoformat(line.last), time(12), tzinfo=UTC)
        name = found.line.brand or found.line.key
        for s in children_with_a_part(found):
            node = rg.nodes[s.vertex]
            reasons = "; ".join(s.reasons.get(s.role, [])[:3])
            summary = (
                f"Network analysis places this child in county line {name} "
                f"({s.role.replace('_', ' ')})" + (f": {reasons}" if reasons else "")
            )[:5000]
            digest = hashlib.sha256(summary.encode()).hexdigest()[:12]
            out.append(
                schema.EventIn.model_validate(
                    {
                        "agency": by,
                        "ref": f"network/{line.key}/{node.key}/{s.role}/{line.last}/{digest}",
                        "kind": EventKind.LINE_MEMBERSHIP,
                        "occurred_at": when,
                        "summary": summary,
                        "attributes": {"line": line.key, "role": s.role},
                        "participants": [
                            {"person": {"agency": a, "ref": r}, "role": Role.SUBJECT}
                            for a, r in (refs[p] for p in sorted(node.records))
                        ],
                    }
                )
            )
    return out


def children_with_a_part(line: line_roles.LineRoles) -> list[line_roles.Scored]:
    """Return the line's children with a part in it. An associate is in the line's group with
    no evidence of a part (a runner's brother at the same address): a name for the analyst,
    not evidence of exploitation."""
    return [s for s in line.people if s.child and s.role != line_rules.ASSOCIATE]


def _police_forces() -> set[str]:
    return set(Agency.objects.filter(kind=AgencyKind.POLICE_FORCE).values_list("code", flat=True))


def _refs(person_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return each person record's (agency code, source ref), in one query."""
    return {
        pid: (agency, ref)
        for pid, agency, ref in Person.objects.filter(id__in=person_ids).values_list(
            "id", "agency__code", "source_ref"
        )
    }


def record_findings(analysis: Analysis, agency: str | None = None) -> recording.Summary:
    """Record the children's line_membership events through intake (screening follows)."""
    return recording.record_batch(findings(analysis, agency), source="network analysis")
