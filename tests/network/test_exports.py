"""Exports of a stored line, read back by the readers analysts use: igraph and XML for
GraphML (what Gephi reads), the csv module for the i2 link file, json; and redaction."""

import copy
import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import igraph
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.network import exports
from safeguard.network.models import AnalysisRun, Line

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}

BOSS = 'Walsh, Dean "D"\naka Boss'  # a comma, a double quote and a line break
FORMULA = '=HYPERLINK("http://x.example","click")'

DRAWING = {
    "nodes": [
        {
            "key": "person:11",
            "kind": "person",
            "label": BOSS,
            "records": [11, 12],
            "role": "controller",
            "child": False,
            "age": 31,
        },
        {
            "key": "person:13",
            "kind": "person",
            "label": FORMULA,
            "records": [13],
            "role": "runner",
            "child": True,
            "age": 15,
        },
        {
            "key": "person:14",
            "kind": "person",
            "label": "@ava_j",
            "records": [14],
            "role": "associate",
            "child": False,
            "age": None,
        },
        {
            "key": "phone:07700900123",
            "kind": "phone",
            "label": "07700 900123",
            "records": [5],
            "deal_line": True,
        },
        {
            "key": "phone:07700900999",
            "kind": "phone",
            "label": "+44 7700 900999",
            "records": [6],
            "deal_line": False,
        },
        {
            "key": "location:7",
            "kind": "location",
            "label": "Flat 2, 10 Mill Street",
            "records": [7],
            "place": "cuckooed_address",
            "town": "Blackpool",
        },
    ],
    "edges": [
        {
            "source": "person:11",
            "target": "phone:07700900123",
            "kind": "uses_phone",
            "count": 1,
            "first": "2024-01-02",
            "last": "2024-03-01",
            "sources": ["link:21"],
        },
        {
            "source": "phone:07700900123",
            "target": "phone:07700900999",
            "kind": "contact",
            "count": 120,
            "first": "2024-01-05",
            "last": "2024-04-30",
            "sources": ["event:31", "event:32"],
        },
        {
            "source": "person:13",
            "target": "location:7",
            "kind": "present_at",
            "count": 2,
            "first": "2024-02-10",
            "last": "2024-02-11",
            "sources": ["event:41", "event:42"],
        },
        {
            "source": "person:11",
            "target": "person:13",
            "kind": "same_event",
            "count": 3,
            "first": None,
            "last": None,
            "sources": ["event:51", "event:52", "event:53"],
        },
        {
            "source": "person:13",
            "target": "person:14",
            "kind": "family",
            "count": 1,
            "first": None,
            "last": None,
            "sources": ["link:61"],
        },
    ],
}


def _run(day: int = 1) -> AnalysisRun:
    at = datetime(2024, 5, day, 9, tzinfo=UTC)
    return AnalysisRun.objects.create(
        started_at=at,
        finished_at=at,
        rules="county-lines 1.0.0 (abc123)",
        rules_hash="abc123",
        ran_by="test",
    )


def _line(run: AnalysisRun, brand: str = "BLUE", drawing: dict | None = None) -> Line:
    return Line.objects.create(
        run=run,
        key="blue",
        brand=brand,
        deal_phones=[{"number": "07700 900123", "reason": "recorded as a deal line"}],
        origin="Liverpool",
        targets=["Blackpool"],
        force_areas=["lancashire", "merseyside"],
        first_seen=date(2024, 1, 2),
        last_seen=date(2024, 4, 30),
        people=3,
        children=1,
        drawing=copy.deepcopy(drawing or DRAWING),
    )


@pytest.fixture
def line(db) -> Line:
    return _line(_run())


def _read_graphml(data: bytes, tmp_path) -> igraph.Graph:
    path = tmp_path / "line.graphml"
    path.write_bytes(data)
    return igraph.Graph.Read_GraphML(str(path))


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# GraphML


def test_graphml_reads_back_in_igraph_with_every_attribute(line, tmp_path):
    g = _read_graphml(exports.graphml(line, line.drawing), tmp_path)
    assert (g.vcount(), g.ecount()) == (6, 5)
    assert not g.is_directed()
    assert (g["line"], g["brand"], g["run"], g["rules"]) == (
        "blue",
        "BLUE",
        line.run_id,
        "county-lines 1.0.0 (abc123)",
    )
    v = {key: g.vs[i] for i, key in enumerate(g.vs["key"])}
    boss, runner, associate = v["person:11"], v["person:13"], v["person:14"]
    assert boss["label"] == BOSS  # comma, quote and line break intact
    assert runner["label"] == FORMULA  # not neutralised: GraphML is never evaluated
    assert (boss["role"], boss["child"], boss["age"], boss["records"]) == (
        "controller",
        False,
        31,
        "11 12",
    )
    assert (runner["role"], runner["child"], runner["age"]) == ("runner", True, 15)
    assert math.isnan(associate["age"])  # unknown: no value written
    assert v["phone:07700900123"]["deal_line"] is True
    assert v["phone:07700900999"]["deal_line"] is False
    assert v["phone:07700900999"]["child"] is False and v["phone:07700900999"]["role"] == ""
    assert (v["location:7"]["place"], v["location:7"]["town"]) == ("cuckooed_address", "Blackpool")
    edges = {e["kind"]: e for e in g.es}
    contact = edges["contact"]
    assert {g.vs[contact.source]["key"], g.vs[contact.target]["key"]} == {
        "phone:07700900123",
        "phone:07700900999",
    }
    assert (contact["count"], contact["first"], contact["last"], contact["sources"]) == (
        120,
        "2024-01-05",
        "2024-04-30",
        "event:31 event:32",
    )
    assert (edges["family"]["first"], edges["family"]["last"]) == ("", "")
    assert "weight" not in g.es.attributes()  # the drawing has none


def test_graphml_declares_typed_keys_as_gephi_reads_them(line):
    root = ET.fromstring(exports.graphml(line, line.drawing))
    keys = {
        (k.get("for"), k.get("attr.name")): (k.get("id"), k.get("attr.type"))
        for k in root.findall("g:key", NS)
    }
    types = {where_name: t for where_name, (_, t) in keys.items()}
    assert types[("node", "label")] == "string"  # Gephi's node label
    assert types[("node", "key")] == "string"
    assert types[("node", "child")] == "boolean"
    assert types[("node", "deal_line")] == "boolean"
    assert types[("node", "age")] == "double"
    assert types[("edge", "count")] == "double"
    assert types[("edge", "sources")] == "string"
    assert types[("graph", "line")] == "string"
    graph = root.find("g:graph", NS)
    assert graph.get("edgedefault") == "undirected"
    nodes = graph.findall("g:node", NS)
    assert len(nodes) == 6 and len(graph.findall("g:edge", NS)) == 5
    ids = {name: kid for (where, name), (kid, _) in keys.items() if where == "node"}

    def data(node, name):
        found = node.find(f"g:data[@key='{ids[name]}']", NS)
        return None if found is None else found.text

    by_key = {data(n, "key"): n for n in nodes}
    assert data(by_key["person:11"], "label") == BOSS
    assert data(by_key["person:13"], "child") == "true"
    assert data(by_key["person:13"], "age") == "15"
    assert data(by_key["person:14"], "age") is None  # unknown age: no value


def test_graphml_carries_weights_when_the_drawing_has_them(db, tmp_path):
    drawing = copy.deepcopy(DRAWING)
    for i, edge in enumerate(drawing["edges"]):
        edge["weight"] = 1.5 + i
    weighted = _line(_run(), drawing=drawing)
    g = _read_graphml(exports.graphml(weighted, weighted.drawing), tmp_path)
    assert {e["kind"]: e["weight"] for e in g.es}["contact"] == 2.5


def test_graphml_writes_a_control_character_as_a_replacement(db, tmp_path):
    drawing = copy.deepcopy(DRAWING)
    drawing["nodes"][2]["label"] = "Ava\x01Jones"
    stored = _line(_run(), drawing=drawing)
    g = _read_graphml(exports.graphml(stored, stored.drawing), tmp_path)
    assert g.vs.find(key="person:14")["label"] == "Ava\ufffdJones"


def test_an_edge_to_a_node_not_drawn_is_an_error_naming_it(db):
    drawing = copy.deepcopy(DRAWING)
    drawing["edges"][0]["target"] = "phone:000"
    stored = _line(_run(), drawing=drawing)
    with pytest.raises(ValueError, match="person:11 - phone:000 names a node that is not"):
        exports.graphml(stored, stored.drawing)
    with pytest.raises(ValueError, match="person:11 - phone:000 names a node that is not"):
        exports.i2_csv(stored, stored.drawing)


# i2 Analyst's Notebook


def test_i2_csv_has_one_row_per_link_with_both_entities(line):
    text = exports.i2_csv(line, line.drawing)
    rows = _rows(text)
    assert list(rows[0]) == list(exports.I2_COLUMNS)
    assert len(rows) == 5
    by_type = {r["Link Type"]: r for r in rows}
    assert set(by_type) == {"Uses Phone", "Contact", "Present At", "Same Event", "Family"}
    uses = by_type["Uses Phone"]
    assert (uses["Entity 1 Type"], uses["Entity 1 Identity"], uses["Entity 1 Label"]) == (
        "Person",
        "person:11",
        BOSS,  # quoted by the csv module, read back whole
    )
    assert (uses["Entity 1 Role"], uses["Entity 1 Child"], uses["Entity 1 Age"]) == (
        "controller",
        "no",
        "31",
    )
    assert uses["Entity 1 Records"] == "11 12"
    assert (uses["Entity 2 Type"], uses["Entity 2 Deal Line"], uses["Entity 2 Child"]) == (
        "Telephone",
        "yes",
        "",
    )
    assert (uses["Link First"], uses["Link Last"], uses["Link Count"]) == (
        "2024-01-02",
        "2024-03-01",
        "1",
    )
    contact = by_type["Contact"]
    assert contact["Link Label"] == "Contact (120)"
    assert contact["Link Sources"] == "event:31 event:32"
    assert (contact["Line"], contact["Run"]) == ("blue", str(line.run_id))
    present = by_type["Present At"]
    assert (present["Entity 1 Child"], present["Entity 1 Age"]) == ("yes", "15")
    assert (present["Entity 2 Type"], present["Entity 2 Label"]) == (
        "Address",
        "Flat 2, 10 Mill Street",
    )
    assert (present["Entity 2 Place"], present["Entity 2 Town"]) == (
        "cuckooed_address",
        "Blackpool",
    )
    family = by_type["Family"]
    assert (family["Link First"], family["Link Last"], family["Entity 2 Age"]) == ("", "", "")
    assert family["Link Weight"] == ""


def test_i2_csv_neutralises_cells_a_spreadsheet_would_run(line):
    rows = _rows(exports.i2_csv(line, line.drawing))
    labels = {r[f"Entity {n} Identity"]: r[f"Entity {n} Label"] for r in rows for n in (1, 2)}
    assert labels["person:13"] == "'" + FORMULA
    assert labels["person:14"] == "'@ava_j"
    assert labels["phone:07700900999"] == "'+44 7700 900999"
    assert labels["phone:07700900123"] == "07700 900123"  # nothing to guard
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


# JSON


def test_json_holds_the_line_its_run_and_the_drawing(line):
    data = json.loads(exports.as_json(line, line.drawing))
    assert data["key"] == "blue" and data["brand"] == "BLUE"
    assert data["deal_phones"] == [{"number": "07700 900123", "reason": "recorded as a deal line"}]
    assert (data["origin"], data["targets"], data["force_areas"]) == (
        "Liverpool",
        ["Blackpool"],
        ["lancashire", "merseyside"],
    )
    assert (data["first_seen"], data["last_seen"]) == ("2024-01-02", "2024-04-30")
    assert (data["people"], data["children"]) == (3, 1)
    assert (data["run"], data["rules"]) == (line.run_id, "county-lines 1.0.0 (abc123)")
    assert data["nodes"] == DRAWING["nodes"] and data["edges"] == DRAWING["edges"]


# Redaction


def test_redact_hides_a_person_none_of_whose_records_is_visible():
    shown = exports.redact(DRAWING, {13, 14, 99})
    boss = next(n for n in shown["nodes"] if n["key"] == "person:11")
    assert boss["label"] == exports.HIDDEN_LABEL and boss["records"] == []
    assert (boss["role"], boss["child"], boss["age"]) == ("controller", False, 31)
    assert shown["edges"] == DRAWING["edges"]
    assert DRAWING["nodes"][0]["label"] == BOSS  # the stored drawing is not changed


def test_redact_keeps_a_person_when_one_of_their_records_is_visible():
    shown = exports.redact(DRAWING, {12})
    boss = next(n for n in shown["nodes"] if n["key"] == "person:11")
    assert boss["label"] == BOSS and boss["records"] == [11, 12]
    runner = next(n for n in shown["nodes"] if n["key"] == "person:13")
    assert runner["label"] == exports.HIDDEN_LABEL  # record 13 is not visible
    # Phones and addresses are not person records: they stay.
    assert [n["label"] for n in shown["nodes"][3:]] == [n["label"] for n in DRAWING["nodes"][3:]]


def test_redact_with_none_shows_everything():
    assert exports.redact(DRAWING, None) == DRAWING
    assert exports.redact(DRAWING, set())["nodes"][0]["label"] == exports.HIDDEN_LABEL


def test_a_redacted_name_never_reaches_an_export(line, tmp_path):
    shown = exports.redact(line.drawing, {13})
    for data in (
        exports.graphml(line, shown).decode(),
        exports.i2_csv(line, shown),
        exports.as_json(line, shown),
    ):
        assert "Walsh" not in data and "ava_j" not in data
        assert exports.HIDDEN_LABEL in data


# The command


def _command(*args) -> str:
    out = io.StringIO()
    call_command("network", "export", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_each_format_to_out(line, tmp_path):
    graphml_path, csv_path, json_path = (tmp_path / n for n in ("l.graphml", "l.csv", "l.json"))
    said = _command("--line", "blue", "--format", "graphml", "--out", str(graphml_path))
    assert f"wrote line blue of run {line.run_id} as graphml to {graphml_path}" in said
    assert igraph.Graph.Read_GraphML(str(graphml_path)).vcount() == 6
    _command("--line", "blue", "--format", "i2", "--out", str(csv_path))
    with csv_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    assert BOSS in {r["Entity 1 Label"] for r in rows}  # unredacted: an administrator's export
    _command("--line", "blue", "--format", "json", "--out", str(json_path))
    assert json.loads(json_path.read_text(encoding="utf-8"))["key"] == "blue"


def test_the_command_prints_to_stdout_by_default(line):
    assert json.loads(_command("--line", "blue", "--format", "json"))["brand"] == "BLUE"


def test_the_command_takes_the_latest_finished_run_unless_told(db):
    older = _line(_run(day=1), brand="OLD")
    _line(_run(day=2), brand="NEW")
    AnalysisRun.objects.create(  # unfinished: never "what we know now"
        started_at=datetime(2024, 5, 3, tzinfo=UTC), rules="x", rules_hash="x", ran_by="test"
    )
    assert json.loads(_command("--line", "blue", "--format", "json"))["brand"] == "NEW"
    chosen = _command("--line", "blue", "--run", str(older.run_id), "--format", "json")
    assert json.loads(chosen)["brand"] == "OLD"


def test_the_command_names_a_line_or_run_it_cannot_find(line):
    with pytest.raises(CommandError, match=rf"--line: no line 'red' in .* run {line.run_id} "):
        _command("--line", "red", "--format", "json")
    with pytest.raises(CommandError, match=r"\(its lines: blue\)"):
        _command("--line", "red", "--format", "json")
    with pytest.raises(CommandError, match="--run: no network analysis run 999"):
        _command("--line", "blue", "--run", "999", "--format", "json")


def test_the_command_says_when_there_is_no_run(db):
    with pytest.raises(CommandError, match="no finished network analysis run"):
        _command("--line", "blue", "--format", "json")


def test_the_command_names_a_file_it_cannot_write(line, tmp_path):
    with pytest.raises(CommandError, match="--out: cannot write .*missing"):
        _command("--line", "blue", "--format", "json", "--out", str(tmp_path / "missing" / "x"))
