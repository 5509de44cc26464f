"""What the records say about each person in a line: the evidence the role scores weigh.

Two kinds. Structural evidence comes from the graph: who uses a deal-line phone, how many
times their phones were in contact with it, whose phones they contact, where they stay,
their betweenness within the line. Recorded evidence comes from the events they took part
in, read for the people of the lines only (`Recorded`, loaded by `recorded()`): arrests and
searches with drugs, journeys and missing episodes, intelligence reports, age at the time,
the flags agencies hold.

Each piece is a `Piece`: a value 0..1 and a sentence a person can check, naming the
records it rests on.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from safeguard.network import graph as g
from safeguard.network.line_rules import Lines
from safeguard.network.lines import FoundLine

# Parts in an event that say nothing of what the person did (a parent reporting a child
# missing is not on a journey), as the graph's reader leaves them out of its ties.
from safeguard.network.reading import DETACHED_ROLES
from safeguard.records import models as m
from safeguard.records import vocabulary as v
from safeguard.records.ages import UK

K = v.EventKind
TRAP_KINDS = (v.LocationKind.TRAP_HOUSE, v.LocationKind.CUCKOOED_ADDRESS)
TRAVEL_KINDS = (K.JOURNEY, K.FOUND_OUT_OF_AREA, K.MISSING_EPISODE)
VULNERABLE_FLAGS = (
    v.PersonFlag.VULNERABLE_ADULT,
    v.PersonFlag.MENTAL_HEALTH,
    v.PersonFlag.SUBSTANCE_MISUSE,
    v.PersonFlag.DISABILITY,
)
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Piece:
    value: float  # 0..1
    reason: str  # what the records show, in words, with the records named


@dataclass(slots=True)
class Recorded:
    """One person's events, as far as the roles need them (per person record, merged)."""

    events: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    drugs: list[int] = field(default_factory=list)  # events where drugs were on them
    last_seen: date | None = None
    age_last_seen: int | None = None


def recorded(
    rg: g.RecordGraph, people: Iterable[int], end: date | None, start: date | None = None
) -> dict[int, Recorded]:
    """Return each person vertex's recorded evidence, from events within [start, end]."""
    owner = {rec: p for p in people for rec in rg.nodes[p].records}
    out: dict[int, Recorded] = {p: Recorded() for p in set(owner.values())}
    ids = sorted(owner)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        rows = m.Participation.objects.filter(person_id__in=chunk).exclude(
            event__kind=K.LINE_MEMBERSHIP
        )
        if end is not None:
            rows = rows.filter(occurred_at__date__lte=end)
        if start is not None:
            rows = rows.filter(occurred_at__date__gte=start)
        for pid, kind, role, at, age, event in rows.order_by("occurred_at", "id").values_list(
            "person_id", "event__kind", "role", "occurred_at", "age_at_event", "event_id"
        ):
            r = out[owner[pid]]
            r.events[f"{kind}:{role}"].append(event)
            day = at.astimezone(UK).date()
            if r.last_seen is None or day >= r.last_seen:
                r.last_seen = day
                r.age_last_seen = age if age is not None else r.age_last_seen
        held = m.EventObject.objects.filter(
            holder_id__in=chunk, item__kind=v.ItemKind.DRUGS
        ).exclude(event__kind=K.LINE_MEMBERSHIP)
        if end is not None:
            held = held.filter(event__occurred_at__date__lte=end)
        if start is not None:
            held = held.filter(event__occurred_at__date__gte=start)
        for pid, event in held.values_list("holder_id", "event_id"):
            out[owner[pid]].drugs.append(event)
    for r in out.values():
        r.drugs = sorted(set(r.drugs))
    return out


def _months(first: str | None, last: str | None) -> float:
    """Return the months (30.4 days) a tie's dates span, at least one."""
    if not first or not last:
        return 1.0
    days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    return max(1.0, days / 30.44)


def _times(n: int, what: str, plural: str | None = None) -> str:
    """Return "1 journey", "3 journeys" (or the plural given)."""
    return f"{n} {what if n == 1 else plural or what + 's'}"


def _contact_said(total: int, rate: float, sources: list[str]) -> str:
    return (
        f"{total} calls and texts with the deal line, {rate:.0f} a month ({', '.join(sources[:2])})"
    )


def _events(ids: list[int], most: int = 3) -> str:
    shown = ", ".join(str(i) for i in sorted(set(ids))[:most])
    more = len(set(ids)) - most
    return f"event{'s' if len(set(ids)) > 1 else ''} {shown}" + (
        f" and {more} more" if more > 0 else ""
    )


class LineEvidence:
    """Compute each piece of evidence for the people of one line."""

    def __init__(
        self,
        rg: g.RecordGraph,
        line: FoundLine,
        rules: Lines,
        records: dict[int, Recorded],
        betweenness: dict[int, float],
        all_deal_phones: set[int] | None = None,
    ):
        self.rg, self.line, self.rules, self.records = rg, line, rules, records
        # Every line's deal phones: contact with another line's is buying, not directing.
        self.all_deal = set(all_deal_phones or ()) | set(line.deal_phones)
        self.betweenness = betweenness
        self.graph = rg.graph
        self.phones = {p: self._phones_of(p) for p in line.people(rg)}
        self.user_of: dict[int, set[int]] = defaultdict(set)
        for p, phones in self.phones.items():
            for ph in phones:
                self.user_of[ph].add(p)
        self.traps = self._trap_addresses()
        self.controller: int | None = None
        # Brokerage and k-core in the line's projection (line_roles.structure_within).
        self.brokerage: dict[int, float] = {}
        self.coreness: dict[int, float] = {}
        self._distance: dict[int, int] | None = None
        self._heavy: dict[int, bool] = {}

    # -- the graph around a person

    def _edges(self, vertex: int, kind: str):
        for e in self.graph.es[self.graph.incident(vertex)]:
            if e["kind"] == kind:
                yield e, (e.target if e.source == vertex else e.source)

    def _phones_of(self, person: int) -> set[int]:
        return {other for _, other in self._edges(person, "uses_phone")}

    def _trap_addresses(self) -> dict[int, str]:
        """Return the line's trap addresses with why: recorded as one, or where two or more
        people of the line who do not live there stay, visit or are found."""
        out: dict[int, str] = {}
        people = set(self.phones)
        for loc in (x for x in self.line.members if self.rg.nodes[x].kind == g.LOCATION):
            node = self.rg.nodes[loc]
            if node.facts.get("kind") in TRAP_KINDS:
                out[loc] = f"recorded as a {node.facts['kind'].replace('_', ' ')}"
                continue
            residents = {p for _, p in self._edges(loc, "lives_at")}
            visitors = {
                p
                for kind in ("stays_at", "frequents", "present_at")
                for _, p in self._edges(loc, kind)
                if p in people and p not in residents
            }
            if len(visitors) >= 2 and residents:
                out[loc] = (
                    f"{len(visitors)} people of the line who do not live there stay or are "
                    "found there"
                )
        return out

    def deal_contact(self, person: int) -> tuple[int, float, list[str]]:
        """Return the contacts between the person's phones and the deal phones, their rate a
        month over the period they span, and their sources."""
        total, months, sources = 0, 0.0, []
        for phone in self.phones.get(person, ()):
            if phone in self.line.deal_phones:
                continue
            for e, other in self._edges(phone, "contact"):
                if other in self.line.deal_phones:
                    total += e["count"]
                    months += _months(e["first"], e["last"])
                    sources.extend(e["sources"])
        return total, (total / months if months else float(total)), sources

    def contacted_people(self, person: int) -> set[int]:
        """Return the other people of the line whose phones the person's phones contact."""
        out = set()
        for phone in self.phones.get(person, ()):
            if phone in self.all_deal:
                continue  # the deal phone's contacts are its customers, not people directed
            for _, other in self._edges(phone, "contact"):
                if other in self.all_deal:
                    continue
                out |= self.user_of.get(other, set()) - {person}
        return out

    # -- each piece (name as in line_rules.EVIDENCE)

    def piece(self, name: str, person: int) -> Piece:
        return getattr(self, name)(person)

    def _deal_phone_sources(self, p: int, prefix: str) -> list[tuple[int, list[str]]]:
        return [
            (other, [s for s in e["sources"] if s.startswith(prefix)])
            for e, other in self._edges(p, "uses_phone")
            if other in self.line.deal_phones and any(s.startswith(prefix) for s in e["sources"])
        ]

    def _deal_phone_piece(self, p: int, prefix: str, yes: str, no: str) -> Piece:
        held = self._deal_phone_sources(p, prefix)
        if not held:
            return Piece(0.0, no)
        numbers = ", ".join(self.rg.nodes[o].label for o, _ in held)
        sources = ", ".join(s for _, ss in held for s in ss[:2])
        return Piece(1.0, f"{yes} {numbers} ({sources})")

    def uses_deal_phone(self, p: int) -> Piece:
        """Attributed use (a link): the line holder's phone, as phone work records it."""
        return self._deal_phone_piece(
            p,
            "link:",
            "recorded as the user of deal-line phone",
            "not recorded as a user of a deal-line phone",
        )

    def carried_deal_phone(self, p: int) -> Piece:
        """Found holding the deal phone in an event: runners carry it on their shift."""
        return self._deal_phone_piece(
            p, "event:", "found holding deal-line phone", "never found holding a deal-line phone"
        )

    def line_betweenness(self, p: int) -> Piece:
        value = self.betweenness.get(p, 0.0)
        return Piece(value, f"betweenness within the line {value:.2f} of its highest")

    def line_brokerage(self, p: int) -> Piece:
        value = self.brokerage.get(p, 0.0)
        return Piece(
            value,
            f"brokerage within the line {value:.2f} (1 - Burt's constraint: their contacts in "
            "the line are not tied to each other)",
        )

    def line_coreness(self, p: int) -> Piece:
        value = self.coreness.get(p, 0.0)
        return Piece(value, f"in the line's core: k-core {value:.2f} of its highest")

    def near_deal_line(self, p: int) -> Piece:
        """Ties between the person and the nearest deal phone: 1 uses it, 2 their phone
        contacts it; 3 or more, further."""
        if self._distance is None:
            inside = sorted(self.line.members)
            sub = self.graph.induced_subgraph(inside)
            at = {v: i for i, v in enumerate(inside)}
            deal = [at[v] for v in self.line.deal_phones if v in at]
            rows = sub.distances(source=deal) if deal else []
            self._distance = {
                v: int(min(row[at[v]] for row in rows)) if rows else 99
                for v in self.phones
                if rows and min(row[at[v]] for row in rows) != float("inf")
            }
        d = self._distance.get(p)
        if d is None:
            return Piece(0.0, "not connected to the deal line within the line")
        value = 1.0 if d <= 2 else 0.5 if d == 3 else 0.0
        return Piece(value, f"{_times(d, 'tie')} from the deal line")

    def takes_orders(self, person: int) -> bool:
        """Whether the person's phones are in near-daily contact with the deal line."""
        if person not in self._heavy:
            _, rate, _ = self.deal_contact(person)
            self._heavy[person] = rate >= self.rules.evidence.heavy_per_month
        return self._heavy[person]

    def directs_others(self, p: int) -> Piece:
        """Their own phones contact the phones of people who take the deal line's orders:
        who directs the runners. Contact with friends and family directs no one."""
        others = {o for o in self.contacted_people(p) if self.takes_orders(o)}
        need = self.rules.evidence.directs_at_least
        if not others:
            return Piece(0.0, "their phones contact no one who takes the deal line's orders")
        names = ", ".join(sorted(self.rg.nodes[o].label for o in others)[:4])
        takes = "takes" if len(others) == 1 else "take"
        said = f"{_times(len(others), 'person', 'people')} who {takes} the deal line's orders"
        return Piece(min(1.0, len(others) / need), f"their phones contact {said} ({names})")

    def never_with_drugs(self, p: int) -> Piece:
        drugs = self.records.get(p, Recorded()).drugs
        if drugs:
            return Piece(0.0, f"found with drugs ({_events(drugs)})")
        return Piece(1.0, "never recorded with drugs on them")

    def with_drugs(self, p: int) -> Piece:
        drugs = self.records.get(p, Recorded()).drugs
        if drugs:
            times = "once" if len(drugs) == 1 else f"{len(drugs)} times"
            return Piece(min(1.0, len(drugs) / 2), f"found with drugs {times} ({_events(drugs)})")
        return Piece(0.0, "never recorded with drugs on them")

    def _age(self, p: int) -> int | None:
        r = self.records.get(p)
        if r is not None and r.age_last_seen is not None:
            return r.age_last_seen
        dob = self.rg.nodes[p].facts.get("date_of_birth")
        on = self.line.last and date.fromisoformat(self.line.last)
        if dob and on:
            return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        return None

    def adult(self, p: int) -> Piece:
        age = self._age(p)
        if age is None:
            return Piece(0.0, "age not known")
        return Piece(1.0 if age >= self.rules.child_age else 0.0, f"{age} when last seen")

    def young(self, p: int) -> Piece:
        age = self._age(p)
        if age is None:
            return Piece(0.0, "age not known")
        return Piece(1.0 if age < self.rules.evidence.young_age else 0.0, f"{age} when last seen")

    def intelligence_subject(self, p: int) -> Piece:
        events = self.records.get(p, Recorded()).events.get(f"{K.INTELLIGENCE_REPORT}:subject", [])
        if events:
            said = _times(len(events), "intelligence report")
            return Piece(1.0, f"the subject of {said} ({_events(events)})")
        return Piece(0.0, "not the subject of an intelligence report")

    def contact_with_controller(self, p: int) -> Piece:
        if self.controller is None or p == self.controller:
            return Piece(0.0, "no contact with the line's controller recorded")
        if self.controller in self.contacted_people(p):
            name = self.rg.nodes[self.controller].label
            return Piece(1.0, f"their phones contact the controller's ({name})")
        return Piece(0.0, "no contact with the line's controller recorded")

    def heavy_deal_contact(self, p: int) -> Piece:
        total, rate, sources = self.deal_contact(p)
        if not total:
            return Piece(0.0, "no contact with the deal line recorded")
        said = _contact_said(total, rate, sources)
        if rate >= self.rules.evidence.heavy_per_month:
            return Piece(1.0, said)
        return Piece(0.0, said + ": a buyer's rate")

    def light_deal_contact(self, p: int) -> Piece:
        total, rate, sources = self.deal_contact(p)
        if not total:
            return Piece(0.0, "no contact with the deal line recorded")
        said = _contact_said(total, rate, sources)
        if rate >= self.rules.evidence.heavy_per_month:
            return Piece(0.0, said + ": more than a buyer's")
        return Piece(1.0, said)

    def at_trap_house(self, p: int) -> Piece:
        seen = [
            (loc, e["kind"])
            for kind in ("stays_at", "frequents", "present_at")
            for e, loc in self._edges(p, kind)
            if loc in self.traps
        ]
        if not seen:
            return Piece(0.0, "not recorded at a trap address")
        loc, kind = seen[0]
        node = self.rg.nodes[loc]
        return Piece(1.0, f"{kind.replace('_', ' ')} {node.label}: {self.traps[loc]}")

    def lives_at_trap_house(self, p: int) -> Piece:
        homes = [loc for _, loc in self._edges(p, "lives_at") if loc in self.traps]
        if not homes:
            return Piece(0.0, "does not live at a trap address")
        node = self.rg.nodes[homes[0]]
        return Piece(1.0, f"lives at {node.label}: {self.traps[homes[0]]}")

    def travels(self, p: int) -> Piece:
        r = self.records.get(p, Recorded())
        events = [
            e
            for key, ids in r.events.items()
            for e in ids
            if key.split(":")[0] in TRAVEL_KINDS and key.split(":")[1] not in DETACHED_ROLES
        ]
        links = [s for e, _ in self._edges(p, "travelled_with") for s in e["sources"]]
        if not events and not links:
            return Piece(0.0, "no journeys, missing episodes or finds out of area recorded")
        said = []
        if events:
            n = len(set(events))
            what = _times(
                n, "journey, missing episode or find", "journeys, missing episodes or finds"
            )
            said.append(f"{what} out of area ({_events(events)})")
        if links:
            said.append(f"travelled with others of the line ({', '.join(links[:2])})")
        return Piece(1.0, "; ".join(said))

    def vulnerable(self, p: int) -> Piece:
        flags = sorted(self.rg.nodes[p].facts.get("flags", set()) & set(VULNERABLE_FLAGS))
        if not flags:
            return Piece(0.0, "no vulnerability recorded")
        words = ", ".join(v.PersonFlag(f).label.lower() for f in flags)
        return Piece(1.0, f"recorded as: {words}")

    def substance_misuse(self, p: int) -> Piece:
        if v.PersonFlag.SUBSTANCE_MISUSE in self.rg.nodes[p].facts.get("flags", set()):
            return Piece(1.0, "recorded as: substance misuse")
        return Piece(0.0, "no substance misuse recorded")
