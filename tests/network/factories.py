"""Small hand-built networks with known answers: network files (structure), graphs of the
records (nodes and ties, a hand-built county line) and raw records for the `record` fixture."""

import itertools
from dataclasses import dataclass
from datetime import date

from safeguard.network import graph as g
from safeguard.network import line_rules, structure
from safeguard.network.files import Network
from safeguard.network.graph import Node, Tie
from safeguard.records.vocabulary import LINK_ENDPOINTS


def network(ties, nodes=()) -> Network:
    """Return a Network of (a, b) or (a, b, weight) ties, plus people with no ties."""
    built = Network("<test>")
    for name in nodes:
        built.add_node(name)
    for tie in ties:
        a, b, *weight = tie
        built.add_tie(a, b, weight[0] if weight else 1.0)
    return built


def graph(ties, nodes=()):
    return structure.build(network(ties, nodes))


def clique(names):
    return list(itertools.combinations(names, 2))


def star(centre="hub", leaves=5):
    return [(centre, f"leaf{i}") for i in range(1, leaves + 1)]


def two_cliques_and_a_broker():
    """Two four-person cliques; x alone is tied to both (to a1 and b1)."""
    return (
        clique(["a1", "a2", "a3", "a4"])
        + clique(["b1", "b2", "b3", "b4"])
        + [
            ("x", "a1"),
            ("x", "b1"),
        ]
    )


# -- the graph of the records (network.graph), hand-built: nodes and ties with known answers


def person(n: int, label: str = "", dob: str | None = None, flags=()) -> Node:
    """Return the node of person record n (`person:n`)."""
    facts = {
        "date_of_birth": date.fromisoformat(dob) if dob else None,
        "flags": set(flags),
        "agencies": {"lancs"},
    }
    return Node(g.person_key(n), g.PERSON, label or f"person {n}", [n], facts)


def phone(number: str, deal: bool = False, line_name: str = "") -> Node:
    """Return the node of a phone (`phone:<number>`), a deal line if `deal`."""
    facts = {"deal_line": deal, "line_name": line_name, "number": number, "agencies": {"lancs"}}
    return Node(g.phone_key(number), g.PHONE, number, [], facts)


def place(n: int, kind: str = "home", label: str = "", town: str = "", force: str = "") -> Node:
    """Return the node of location record n (`location:n`) of a kind (LocationKind)."""
    facts = {"kind": kind, "town": town, "force_area": force, "local_authority": ""}
    return Node(g.location_key(n), g.LOCATION, label or f"{kind} {n}", [n], facts)


def tie(
    a: Node | str,
    b: Node | str,
    kind: str,
    source: str = "link:1",
    first=None,
    last=None,
    count: int = 1,
) -> Tie:
    """Return a tie between two nodes (or keys); dates as ISO strings or dates."""
    return Tie(
        a.key if isinstance(a, Node) else a,
        b.key if isinstance(b, Node) else b,
        kind,
        source,
        date.fromisoformat(first) if isinstance(first, str) else first,
        date.fromisoformat(last) if isinstance(last, str) else last,
        count,
    )


def record_graph(nodes, ties) -> g.RecordGraph:
    """Return the graph built with the tie weights of lines.yaml."""
    return g.build(nodes, ties, line_rules.current().edges.weights)


def number(prefix: str, i: int) -> str:
    """Return a distinct mobile number: 077009<prefix digit><i, 4 digits>."""
    return f"077009{prefix}{i:04d}"


@dataclass
class HandLine:
    """A hand-built county line: its nodes by part and its ties (contacts in 2025's first
    quarter).

    controller uses the deal phone (attributed, a link) and a phone of his own that contacts
    the lieutenant's; the lieutenant's phone contacts the controller's and both runners';
    the runners' phones contact the deal phone heavily (about 100 a month), and runner1 was
    found holding it (an event); the runners stay at the cuckooed address, where the resident
    (a vulnerable adult) lives, and were arrested there together; the resident and the user
    (substance misuse) text the deal phone a few times a month; the associate is runner1's
    family and nothing more.
    """

    people: dict[str, Node]
    phones: dict[str, Node]
    places: dict[str, Node]
    ties: list[Tie]

    @property
    def nodes(self) -> list[Node]:
        return [*self.people.values(), *self.phones.values(), *self.places.values()]


def hand_line(base: int = 0, digit: str = "1", brand: str = "Bruno") -> HandLine:
    """Return a hand-built line; `base` offsets record ids, `digit` the phone numbers."""
    p = {
        name: person(base + i, label, dob, flags)
        for i, (name, label, dob, flags) in enumerate(
            [
                ("controller", "Carl Dane", "1985-01-01", ()),
                ("lieutenant", "Liam Shaw", "1995-01-01", ()),
                ("runner1", "Ryan Cole", "2009-06-01", ()),
                ("runner2", "Rita Cole", "2008-06-01", ()),
                ("resident", "Vera Hale", "1965-01-01", ("vulnerable_adult",)),
                ("user", "Uma Pike", "1980-01-01", ("substance_misuse",)),
                ("associate", "Alan Cole", "1990-01-01", ()),
            ],
            start=1,
        )
    }
    ph = {
        name: phone(
            number(digit, i),
            deal=name == "deal",
            line_name=brand if name == "deal" else "",
        )
        for i, name in enumerate(
            ["deal", "controller", "lieutenant", "runner1", "runner2", "resident", "user"],
            start=1,
        )
    }
    pl = {
        "trap": place(base + 1, "cuckooed_address", "12 Tower Street", "Blackpool", "lancashire"),
        "home_c": place(base + 2, "home", "1 Anfield Road", "Liverpool", "merseyside"),
        "home_l": place(base + 3, "home", "2 Anfield Road", "Liverpool", "merseyside"),
    }
    numbered = iter(range(base * 100 + 1, base * 100 + 100))

    def L() -> str:  # the next link's source
        return f"link:{next(numbered)}"

    q1 = ("2025-01-01", "2025-03-31")
    ties = [
        *(tie(p[n], ph[n], "uses_phone", L()) for n in ph if n in p),
        tie(p["controller"], ph["deal"], "uses_phone", L()),
        tie(ph["controller"], ph["lieutenant"], "contact", L(), *q1, count=40),
        tie(ph["lieutenant"], ph["runner1"], "contact", L(), *q1, count=60),
        tie(ph["lieutenant"], ph["runner2"], "contact", L(), *q1, count=60),
        tie(ph["runner1"], ph["deal"], "contact", L(), *q1, count=300),
        tie(ph["runner2"], ph["deal"], "contact", L(), *q1, count=250),
        tie(ph["resident"], ph["deal"], "contact", L(), "2025-02-01", "2025-02-28", count=4),
        tie(ph["user"], ph["deal"], "contact", L(), "2025-01-01", "2025-02-28", count=6),
        tie(p["resident"], pl["trap"], "lives_at", L()),
        tie(p["runner1"], pl["trap"], "stays_at", L()),
        tie(p["runner2"], pl["trap"], "stays_at", L()),
        tie(p["controller"], pl["home_c"], "lives_at", L()),
        tie(p["lieutenant"], pl["home_l"], "lives_at", L()),
        tie(p["associate"], p["runner1"], "family", L()),
    ]
    arrest = f"event:{base * 100 + 1}"
    ties += [
        tie(p["runner1"], ph["deal"], "uses_phone", arrest, "2025-02-10", "2025-02-10"),
        tie(p["runner1"], p["runner2"], "same_event", arrest, "2025-02-10", "2025-02-10"),
        tie(p["runner1"], pl["trap"], "present_at", arrest, "2025-02-10", "2025-02-10"),
        tie(p["runner2"], pl["trap"], "present_at", arrest, "2025-02-10", "2025-02-10"),
    ]
    return HandLine(people=p, phones=ph, places=pl, ties=ties)


def fan_out(hub: str, leaves: int, digit: str = "8", clique_leaves: bool = False) -> list[Tie]:
    """Return contact ties from the hub number to `leaves` numbers (tied to each other too,
    if `clique_leaves`)."""
    others = [number(digit, i) for i in range(1, leaves + 1)]
    ties = [
        tie(g.phone_key(hub), g.phone_key(o), "contact", f"link:{i}", count=2)
        for i, o in enumerate(others, start=1)
    ]
    if clique_leaves:
        ties += [
            tie(g.phone_key(a), g.phone_key(b), "contact", "link:0")
            for a, b in itertools.combinations(others, 2)
        ]
    return ties


def fan_out_nodes(hub: str, leaves: int, digit: str = "8") -> list[Node]:
    return [phone(hub)] + [phone(number(digit, i)) for i in range(1, leaves + 1)]


def families(n: int, base: int = 1000) -> tuple[list[Node], list[Tie]]:
    """Return n unrelated households of five people, all tied as family (others recorded)."""
    nodes, ties = [], []
    for k in range(n):
        members = [person(base + 5 * k + i) for i in range(5)]
        nodes += members
        ties += [
            tie(a, b, "family", f"link:{base * 10 + 10 * k + j}")
            for j, (a, b) in enumerate(itertools.combinations(members, 2))
        ]
    return nodes, ties


# -- raw records in the bundle format (intake/schema.py), for the `record` fixture

POLICE = "lancs"


def agency_record(code: str = POLICE, kind: str = "police_force", name: str = "") -> dict:
    return {"type": "agency", "code": code, "kind": kind, "name": name or code.title()}


def person_record(
    ref: str,
    given: str = "",
    family: str = "",
    dob: str | None = None,
    agency: str = POLICE,
    flags=(),
) -> dict:
    raw = {
        "type": "person",
        "agency": agency,
        "ref": ref,
        "given_name": given,
        "family_name": family,
        "flags": list(flags),
    }
    if dob:
        raw["date_of_birth"] = dob
    return raw


def phone_record(
    ref: str, number: str, agency: str = POLICE, deal: bool = False, line_name: str = ""
) -> dict:
    return {
        "type": "phone",
        "agency": agency,
        "ref": ref,
        "number": number,
        "is_deal_line": deal,
        "line_name": line_name,
    }


def place_record(ref: str, kind: str = "home", agency: str = POLICE, **fields) -> dict:
    return {"type": "location", "agency": agency, "ref": ref, "kind": kind, **fields}


def link_record(ref: str, kind: str, frm: str, to: str, agency: str = POLICE, **fields) -> dict:
    """Return a link of a kind from one record to another (refs of the same agency)."""
    want_from, want_to = LINK_ENDPOINTS[kind]
    return {
        "type": "link",
        "agency": agency,
        "ref": ref,
        "kind": kind,
        f"from_{want_from}": frm,
        f"to_{want_to}": to,
        **fields,
    }


def event_record(
    ref: str,
    kind: str,
    at: str,
    people=(),
    agency: str = POLICE,
    role: str = "suspect",
    **fields,
) -> dict:
    """Return an event with the people given (refs, or (ref, role)) taking part."""
    participants = [
        {"person": p, "role": role} if isinstance(p, str) else {"person": p[0], "role": p[1]}
        for p in people
    ]
    return {
        "type": "event",
        "agency": agency,
        "ref": ref,
        "kind": kind,
        "occurred_at": at,
        "participants": participants,
        **fields,
    }


def recorded_line(households: int = 20) -> list[dict]:
    """Return the records of one county line (the Bruno line) among unrelated households.

    Carl Dane (40) is recorded using the deal phone 07700 910001 (a deal line named Bruno)
    and the subject of an intelligence report; his own phone contacts Liam Shaw's (30), whose
    phone contacts both runners'. Ryan Cole (15) and Rita Cole (16) text the deal line about
    100 and 80 times a month, stay at 12 Tower Street, Blackpool (recorded as a cuckooed
    address, where Vera Hale, a vulnerable adult, lives) and were arrested there together
    with drugs on each of them, Ryan holding the deal phone; Ryan was seen on a journey.
    Vera and two users (substance misuse) text the line a few times a month. Alan Cole (14)
    is Ryan's brother and nothing more. The households (children's services' records of
    five related people each) are the rest of what agencies hold: a line is a small part
    of the records (see test_lines: a line alone in the graph loses its lieutenant).
    """
    q1 = {"valid_from": "2025-01-01", "valid_to": "2025-03-31"}
    people = [
        person_record("P-C", "Carl", "Dane", "1985-01-01"),
        person_record("P-L", "Liam", "Shaw", "1995-01-01"),
        person_record("P-R1", "Ryan", "Cole", "2009-06-01"),
        person_record("P-R2", "Rita", "Cole", "2008-06-01"),
        person_record("P-V", "Vera", "Hale", "1965-01-01", flags=["vulnerable_adult"]),
        person_record("P-U1", "Uma", "Pike", "1980-01-01", flags=["substance_misuse"]),
        person_record("P-U2", "Ugo", "Marsh", "1978-05-05", flags=["substance_misuse"]),
        person_record("P-A", "Alan", "Cole", "2011-01-01"),
    ]
    owners = ["C", "L", "R1", "R2", "V", "U1", "U2"]
    phones = [phone_record("T-D", "07700 910001", deal=True, line_name="Bruno")] + [
        phone_record(f"T-{o}", number("1", i)) for i, o in enumerate(owners, start=2)
    ]
    places = [
        place_record(
            "L-T",
            "cuckooed_address",
            name="12 Tower Street",
            address="12 Tower Street\nBlackpool",
            force_area="lancashire",
        ),
        place_record("L-HC", "home", address="1 Anfield Road\nLiverpool", force_area="merseyside"),
        place_record("L-HL", "home", address="2 Anfield Road\nLiverpool", force_area="merseyside"),
    ]
    drugs = [
        {
            "type": "item",
            "agency": POLICE,
            "ref": f"I-{r}",
            "kind": "drugs",
            "attributes": {"drug_class": "A", "substance": "crack cocaine"},
        }
        for r in ("R1", "R2")
    ]
    links = [
        *(link_record(f"K-U-{o}", "uses_phone", f"P-{o}", f"T-{o}") for o in owners),
        link_record("K-U-CD", "uses_phone", "P-C", "T-D"),
        link_record("K-C-CL", "contact", "T-C", "T-L", count=40, **q1),
        link_record("K-C-LR1", "contact", "T-L", "T-R1", count=60, **q1),
        link_record("K-C-LR2", "contact", "T-L", "T-R2", count=60, **q1),
        link_record("K-C-R1", "contact", "T-R1", "T-D", count=300, **q1),
        link_record("K-C-R2", "contact", "T-R2", "T-D", count=240, **q1),
        link_record(
            "K-C-V",
            "contact",
            "T-V",
            "T-D",
            count=4,
            valid_from="2025-02-01",
            valid_to="2025-02-28",
        ),
        link_record(
            "K-C-U1",
            "contact",
            "T-U1",
            "T-D",
            count=6,
            valid_from="2025-01-01",
            valid_to="2025-02-28",
        ),
        link_record("K-C-U2", "contact", "T-U2", "T-D", count=5, **q1),
        link_record("K-LIVES-V", "lives_at", "P-V", "L-T"),
        link_record("K-STAYS-R1", "stays_at", "P-R1", "L-T"),
        link_record("K-STAYS-R2", "stays_at", "P-R2", "L-T"),
        link_record("K-LIVES-C", "lives_at", "P-C", "L-HC"),
        link_record("K-LIVES-L", "lives_at", "P-L", "L-HL"),
        link_record("K-FAMILY-A", "family", "P-A", "P-R1"),
    ]
    events = [
        event_record(
            "E-INTEL", "intelligence_report", "2025-01-15T10:00:00Z", ["P-C"], role="subject"
        ),
        event_record("E-JOURNEY", "journey", "2025-01-20T16:00:00Z", ["P-R1"], role="traveller"),
        event_record(
            "E-ARREST",
            "arrest",
            "2025-02-10T22:00:00Z",
            ["P-R1", "P-R2"],
            location="L-T",
            objects=[
                {"item": "I-R1", "holder": "P-R1", "role": "seized"},
                {"item": "I-R2", "holder": "P-R2", "role": "seized"},
                {"phone": "T-D", "holder": "P-R1", "role": "seized"},
            ],
        ),
    ]
    background = []
    for k in range(households):
        cs = "lancs-cs"
        refs = [f"H{k}-{i}" for i in range(5)]
        background += [
            person_record(
                r, f"Given{k}{i}", f"Family{k}", f"19{70 + i}-0{1 + k % 9}-1{i}", agency=cs
            )
            for i, r in enumerate(refs)
        ]
        background += [
            link_record(f"K-H{k}-{a}-{b}", "family", a, b, agency=cs)
            for a, b in itertools.combinations(refs, 2)
        ]
    return [
        agency_record(),
        agency_record("lancs-cs", "childrens_services"),
        *people,
        *phones,
        *places,
        *drugs,
        *links,
        *events,
        *background,
    ]
