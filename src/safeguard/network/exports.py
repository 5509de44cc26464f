"""Exports of a stored county line: GraphML for Gephi, a link CSV for i2 Analyst's Notebook, JSON.

Each export is made from a line's stored drawing (`Line.drawing`), so it shows exactly what
the run found. Pass the drawing through `redact()` first with the ids of the person records
the user may see (`accounts.policy.persons(user)`): a person node none of whose records they
may see keeps its role, child flag and age but loses its name and record ids. The
`safeguard network export` command, run by an administrator on the server, passes None
(everything visible).

GraphML (`graphml()`), written by igraph's GraphML writer and read by Gephi's importer:

- graph: `line` (key), `brand`, `run` (the run's id), `rules` (lines.yaml id, version, hash).
- node: `key` (`person:<id>`, `phone:<digits>`, `location:<id>`; the GraphML node ids are
  igraph's n0, n1...), `label` (Gephi's node label), `kind` (person, phone, location),
  `role` ("" for phones and addresses), `child` (boolean; false for phones and addresses),
  `age` (whole years when last seen; **absent** from a node whose age is unknown, which
  Gephi shows empty and igraph reads back as NaN), `records` (record ids, space-separated),
  `deal_line` (boolean; true for a phone of the line's deal lines), `place` and `town`
  (an address's kind of place and town; "" otherwise).
- edge: `kind`, `count`, `first` and `last` (ISO dates, "" when unknown), `sources`
  ("link:<id>" / "event:<id>", space-separated), `weight` when the drawing has weights
  (Gephi's edge weight).

igraph's C core carries numbers as doubles, so `run`, `age`, `count` and `weight` are
declared `attr.type="double"` and written as whole numbers ("15"). XML has no way to write
most control characters: one in a text value is written as U+FFFD, and a carriage return
reads back as a line feed (XML's end-of-line rule).

i2 Analyst's Notebook (`i2_csv()`): one row per link, for a "link" import specification
(each row makes two entities and the link between them). Columns, in order:

- `Entity 1 Type`: Person, Telephone or Address; `Entity 1 Identity`: the node key (the
  same entity in every row, so the import merges it); `Entity 1 Label`: name, number or
  address; `Entity 1 Role`; `Entity 1 Child` (yes/no for a person); `Entity 1 Age`;
  `Entity 1 Deal Line` (yes/no for a telephone); `Entity 1 Place`; `Entity 1 Town`;
  `Entity 1 Records` (record ids, space-separated).
- The same ten columns for `Entity 2`.
- `Link Type` (the kind in words: Contact, Uses Phone, Lives At...), `Link Label` (type and
  count, "Contact (12)"), `Link First` and `Link Last` (YYYY-MM-DD, empty when unknown),
  `Link Count`, `Link Sources` (space-separated), `Link Weight` (empty when not drawn).
- `Line` (the line's key) and `Run` (the run's id), so rows of several exports stay apart.

Analysts open these files in spreadsheets too, so every cell goes through the records
exporter's formula neutralisation (docs/data-model.md): a cell starting with =, +, -, @,
a tab, a carriage return or ' gets a ' in front unless it is a plain number, so
`=HYPERLINK(...)` stays text. Cells are quoted by the csv module where needed, so a label
with commas, quotes or line breaks reads back whole.

JSON (`as_json()`): the line's facts (key, brand, deal_phones, origin, targets,
force_areas, first_seen, last_seen, people, children), `run` and `rules`, then `nodes` and
`edges` as drawn.
"""

import copy
import csv
import io
import json
import math
import re
import tempfile

import igraph

from safeguard.network.models import Line
from safeguard.records.csv_writer import neutralise

HIDDEN_LABEL = "Person (record held by another agency)"

FORMATS = ("graphml", "i2", "json")

# i2 entity types an analyst maps to the standard palette, by kind of node.
I2_TYPES = {"person": "Person", "phone": "Telephone", "location": "Address"}

_ENTITY_FIELDS = (
    "Type",
    "Identity",
    "Label",
    "Role",
    "Child",
    "Age",
    "Deal Line",
    "Place",
    "Town",
    "Records",
)
I2_COLUMNS = (
    *(f"Entity 1 {f}" for f in _ENTITY_FIELDS),
    *(f"Entity 2 {f}" for f in _ENTITY_FIELDS),
    "Link Type",
    "Link Label",
    "Link First",
    "Link Last",
    "Link Count",
    "Link Sources",
    "Link Weight",
    "Line",
    "Run",
)

# Characters XML 1.0 cannot hold (igraph refuses to write them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def redact(drawing: dict, visible_person_ids: set[int] | None) -> dict:
    """Return a copy of a drawing with the names of person records the user may not see hidden.

    Args:
        drawing: a `Line.drawing` ({"nodes": [...], "edges": [...]}).
        visible_person_ids: the person record ids the user may see; None: all of them.

    Returns:
        The copy: a person node none of whose records is visible is labelled
        HIDDEN_LABEL with no record ids; its role, child flag and age stay, since they are
        the analysis's finding, not the other agency's record.
    """
    out = copy.deepcopy(drawing)
    if visible_person_ids is None:
        return out
    for node in out.get("nodes", []):
        if node.get("kind") == "person" and not any(
            r in visible_person_ids for r in node.get("records", [])
        ):
            node["label"] = HIDDEN_LABEL
            node["records"] = []
    return out


def graphml(line: Line, drawing: dict) -> bytes:
    """Return the drawing as GraphML (UTF-8) that Gephi and igraph read; see the module doc."""
    nodes, edges = drawing.get("nodes", []), drawing.get("edges", [])
    index = {n["key"]: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), directed=False)
    g["line"] = _xml(line.key)
    g["brand"] = _xml(line.brand)
    g["run"] = line.run_id
    g["rules"] = _xml(line.run.rules)
    g.vs["key"] = [_xml(n["key"]) for n in nodes]
    g.vs["label"] = [_xml(n.get("label") or "") for n in nodes]
    g.vs["kind"] = [_xml(n.get("kind") or "") for n in nodes]
    g.vs["role"] = [_xml(n.get("role") or "") for n in nodes]
    g.vs["child"] = [bool(n.get("child")) for n in nodes]
    # A float NaN, not None: igraph writes no value for NaN, and an all-None attribute
    # would be typed boolean.
    g.vs["age"] = [_number(n.get("age")) for n in nodes]
    g.vs["records"] = [_ids(n.get("records")) for n in nodes]
    g.vs["deal_line"] = [bool(n.get("deal_line")) for n in nodes]
    g.vs["place"] = [_xml(n.get("place") or "") for n in nodes]
    g.vs["town"] = [_xml(n.get("town") or "") for n in nodes]
    g.add_edges([_ends(e, index, line) for e in edges])
    g.es["kind"] = [_xml(e.get("kind") or "") for e in edges]
    g.es["count"] = [_number(e.get("count")) for e in edges]
    g.es["first"] = [e.get("first") or "" for e in edges]
    g.es["last"] = [e.get("last") or "" for e in edges]
    g.es["sources"] = [_xml(" ".join(e.get("sources") or [])) for e in edges]
    if any(e.get("weight") is not None for e in edges):
        g.es["weight"] = [_number(e.get("weight")) for e in edges]
    # igraph writes to a file handle only (it needs a file descriptor).
    with tempfile.TemporaryFile() as f:
        g.write_graphml(f)
        f.seek(0)
        return f.read()


def i2_csv(line: Line, drawing: dict) -> str:
    """Return one CSV row per link for i2 Analyst's Notebook's import; see the module doc."""
    nodes = {n["key"]: n for n in drawing.get("nodes", [])}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(I2_COLUMNS)
    for e in drawing.get("edges", []):
        ends = [nodes.get(e["source"]), nodes.get(e["target"])]
        if None in ends:
            raise ValueError(_missing_end(line, e))
        kind = _words(e.get("kind") or "")
        count = e.get("count")
        row = [
            *_entity(ends[0], line),
            *_entity(ends[1], line),
            kind,
            f"{kind} ({count})" if count is not None else kind,
            e.get("first") or "",
            e.get("last") or "",
            "" if count is None else str(count),
            " ".join(e.get("sources") or []),
            "" if e.get("weight") is None else str(e["weight"]),
            line.key,
            str(line.run_id),
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def line_facts(line: Line) -> dict:
    """Return what a line is, as plain data (JSON exports, `network run --json`)."""
    return {
        "key": line.key,
        "brand": line.brand,
        "deal_phones": line.deal_phones,
        "origin": line.origin,
        "targets": line.targets,
        "force_areas": line.force_areas,
        "first_seen": line.first_seen.isoformat() if line.first_seen else None,
        "last_seen": line.last_seen.isoformat() if line.last_seen else None,
        "people": line.people,
        "children": line.children,
    }


def as_json(line: Line, drawing: dict) -> str:
    """Return the line's facts, run and rules with its nodes and edges, as JSON."""
    return json.dumps(
        {
            **line_facts(line),
            "run": line.run_id,
            "rules": line.run.rules,
            "nodes": drawing.get("nodes", []),
            "edges": drawing.get("edges", []),
        },
        indent=2,
        ensure_ascii=False,
    )


def _entity(node: dict, line: Line) -> list[str]:
    kind = node.get("kind")
    if kind not in I2_TYPES:
        raise ValueError(f"line {line.key}: node {node.get('key')!r} is of unknown kind {kind!r}")
    person, phone = kind == "person", kind == "phone"
    age = node.get("age")
    return [
        I2_TYPES[kind],
        node["key"],
        node.get("label") or "",
        node.get("role") or "",
        ("yes" if node.get("child") else "no") if person else "",
        "" if age is None else str(age),
        ("yes" if node.get("deal_line") else "no") if phone else "",
        node.get("place") or "",
        node.get("town") or "",
        _ids(node.get("records")),
    ]


def _ends(edge: dict, index: dict[str, int], line: Line) -> tuple[int, int]:
    try:
        return index[edge["source"]], index[edge["target"]]
    except KeyError:
        raise ValueError(_missing_end(line, edge)) from None


def _missing_end(line: Line, edge: dict) -> str:
    return (
        f"line {line.key} (run {line.run_id}): edge {edge.get('source')} - "
        f"{edge.get('target')} names a node that is not in the drawing"
    )


def _words(kind: str) -> str:
    """Return a tie's kind as an i2 link type: uses_phone -> Uses Phone."""
    return kind.replace("_", " ").title()


def _ids(records: list | None) -> str:
    return " ".join(str(r) for r in records or [])


def _number(value: object) -> float:
    return math.nan if value is None else float(value)


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
