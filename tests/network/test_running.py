"""network.running and `safeguard network run/evaluate` on a small recorded world."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.network import evaluation, running
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.records.models import Event, Person
from safeguard.screening.models import Screening

from .factories import recorded_line

ROLES = {
    "P-C": "controller",
    "P-L": "lieutenant",
    "P-R1": "runner",
    "P-R2": "runner",
    "P-V": "cuckooed_resident",
    "P-U1": "user",
    "P-U2": "user",
    "P-A": "associate",
}


@pytest.fixture
def world(record):
    record(*recorded_line())


def _stored() -> AnalysisRun:
    return running.store(running.analyse(), ran_by="test")


def _latest(ref: str) -> Screening:
    return Screening.objects.filter(person__source_ref=ref).order_by("-screened_at", "-id")[0]


def _fired(ref: str) -> set[str]:
    return {i["id"] for i in _latest(ref).indicators}


def _run(*args) -> str:
    out = StringIO()
    call_command("network", *args, stdout=out)
    return out.getvalue()


def test_analyse_and_store_give_one_line_with_each_persons_role(world):
    run = _stored()
    [line] = run.lines.all()
    assert (line.key, line.brand) == ("bruno", "BRUNO")
    assert line.deal_phones == [
        {"number": "07700910001", "reason": "recorded as a deal line (Bruno)"}
    ]
    assert (line.origin, line.targets) == ("Liverpool", ["Blackpool"])
    assert (line.first_seen, line.last_seen) == (date(2025, 1, 1), date(2025, 3, 31))
    members = {m.person.source_ref: m for m in line.members.select_related("person")}
    assert {ref: m.role for ref, m in members.items()} == ROLES
    assert (line.people, line.children) == (8, 3)  # Ryan, Rita and Alan are children
    assert {ref for ref, m in members.items() if m.is_child} == {"P-R1", "P-R2", "P-A"}
    assert members["P-C"].controller_rank == 1
    assert members["P-R1"].age == 15 and members["P-C"].age == 40
    assert "found with drugs once" in " ".join(members["P-R1"].reasons["runner"])
    assert run.nodes > 0 and run.edges > 0 and run.finished_at is not None
    assert run.rules.startswith("county-lines ")


def test_the_drawing_holds_the_lines_people_with_their_parts_and_the_records_of_each_edge(
    world,
):
    [line] = _stored().lines.all()
    nodes = {n["label"]: n for n in line.drawing["nodes"]}
    assert nodes["Ryan Cole"]["role"] == "runner" and nodes["Ryan Cole"]["child"] is True
    assert nodes["07700910001"]["deal_line"] is True
    assert nodes["12 Tower Street"]["place"] == "cuckooed_address"
    keys = {n["key"] for n in line.drawing["nodes"]}
    for edge in line.drawing["edges"]:
        assert {edge["source"], edge["target"]} <= keys
        assert edge["sources"] and all(
            s.split(":")[0] in ("link", "event") for s in edge["sources"]
        )


def test_the_adults_leading_the_line_have_the_legal_tools_and_the_rest_none(world):
    _stored()
    tools = {m.person.source_ref: m.tools for m in LineMember.objects.select_related("person")}
    assert {t["tool"] for t in tools["P-C"]} >= {"slavery-trafficking-risk-order"}
    assert tools["P-R1"] == [] and tools["P-V"] == []


def test_findings_are_one_line_membership_event_per_child_with_a_part(world):
    found = running.findings(running.analyse())
    # Ryan and Rita; not Alan, a child in the line's group with no part in it
    assert sorted(e.participants[0].person.ref for e in found) == ["P-R1", "P-R2"]
    for event in found:
        assert event.kind == "line_membership" and event.agency == "lancs"
        assert [(p.person.agency, p.role) for p in event.participants] == [("lancs", "subject")]
        assert event.attributes == {"line": "bruno", "role": "runner"}
        assert event.occurred_at == datetime(2025, 3, 31, 12, tzinfo=UTC)
        assert event.summary.startswith("Network analysis places this child in county line BRUNO")


def test_recording_the_findings_puts_the_child_in_a_line_for_the_screening(world):
    assert "county-line-member" not in _fired("P-R1")
    summary = running.record_findings(running.analyse())
    assert summary.created["event"] == 2
    events = Event.objects.filter(kind="line_membership")
    assert sorted(events.values_list("participations__person__source_ref", flat=True)) == [
        "P-R1",
        "P-R2",
    ]
    for ref in ("P-R1", "P-R2"):
        assert "county-line-member" in _fired(ref), ref
        assert _latest(ref).trigger_event.kind == "line_membership"
    assert not Screening.objects.filter(person__source_ref="P-A").exists()


def test_running_again_on_the_same_records_records_nothing_new(world):
    running.record_findings(running.analyse())
    screenings = Screening.objects.count()
    again = running.record_findings(running.analyse())
    assert again.created["event"] == 0 and again.unchanged["event"] == 2
    assert Event.objects.filter(kind="line_membership").count() == 2
    assert Screening.objects.count() == screenings


def test_the_findings_are_not_read_back_as_evidence(world):
    before = running.analyse()
    running.record_findings(before)
    after = running.analyse()
    assert after.graph.graph.ecount() == before.graph.graph.ecount()
    [b], [a] = before.lines, after.lines
    assert [(s.vertex, s.role, s.scores) for s in a.people] == [
        (s.vertex, s.role, s.scores) for s in b.people
    ]


# -- safeguard network run


def test_network_run_json_prints_the_lines_and_what_it_recorded(world):
    out = json.loads(_run("run", "--json"))
    assert [line["key"] for line in out["lines"]] == ["bruno"]
    line = out["lines"][0]
    assert line["deal_phones"] == [
        {"number": "07700910001", "reason": "recorded as a deal line (Bruno)"}
    ]
    assert (line["people"], line["children"]) == (8, 3)
    assert (line["first_seen"], line["last_seen"]) == ("2025-01-01", "2025-03-31")
    assert line["origin"] == "Liverpool" and line["targets"] == ["Blackpool"]
    assert "event: 2 new" in out["recorded"]
    assert out["run"] == AnalysisRun.objects.get().pk
    assert Event.objects.filter(kind="line_membership").count() == 2


def test_network_run_with_no_record_stores_the_lines_and_records_nothing(world):
    out = json.loads(_run("run", "--no-record", "--json"))
    assert [line["key"] for line in out["lines"]] == ["bruno"] and out["recorded"] == ""
    assert not Event.objects.filter(kind="line_membership").exists()


def test_network_run_in_a_window_reads_only_what_is_in_it(world):
    # Before any dated record: only the standing facts (undated links) are left, the
    # controller's use of the deal phone among them. The line has no activity to date and
    # no child in it, so nothing is recorded.
    out = json.loads(_run("run", "--to", "2024-12-31", "--json"))
    [line] = out["lines"]
    assert (line["key"], line["people"], line["children"]) == ("bruno", 1, 0)
    assert (line["first_seen"], line["last_seen"]) == (None, None)
    assert out["recorded"] == "nothing to record"
    run = AnalysisRun.objects.get()
    assert (run.window_start, run.window_end) == (None, date(2024, 12, 31))
    assert list(LineMember.objects.values_list("person__source_ref", "role")) == [
        ("P-C", "controller")
    ]


def test_network_run_prints_a_table(world):
    text = _run("run", "--no-record")
    assert "BRUNO" in text and "07700910001" in text and "Blackpool" in text


def test_network_run_refuses_a_window_that_ends_before_it_starts(db):
    with pytest.raises(CommandError, match="--to is before --from"):
        _run("run", "--from", "2025-03-01", "--to", "2025-02-01")
    assert not AnalysisRun.objects.exists()


def test_network_run_refuses_an_unknown_agency(db):
    with pytest.raises(CommandError, match="--agency: no agency with the code 'nowhere'"):
        _run("run", "--agency", "nowhere")
    assert not AnalysisRun.objects.exists()


# -- safeguard network evaluate


def _labels(controller: str = "P-C", outside: tuple[str, ...] = ()) -> dict:
    """Return the truth of the small world in the demo's labels format."""
    lancs = [
        {
            "records": [{"agency": "lancs", "ref": ref}],
            "role": "ordinary" if role == "associate" else role,
            "line": None if ref in outside else "line-01",
            "exploited_child": ref in ("P-R1", "P-R2"),
        }
        for ref, role in ROLES.items()
    ]
    others = [
        {
            "records": [{"agency": "lancs-cs", "ref": ref}],
            "role": "ordinary",
            "line": None,
            "exploited_child": False,
        }
        for ref in Person.objects.filter(agency__code="lancs-cs").values_list(
            "source_ref", flat=True
        )
    ]
    return {
        "lines": [
            {"id": "line-01", "controller": {"records": [{"agency": "lancs", "ref": controller}]}}
        ],
        "people": lancs + others,
    }


def _evaluate(tmp_path, labels: dict) -> dict:
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels), encoding="utf-8")
    return json.loads(_run("evaluate", "--labels", str(path), "--json"))


def test_evaluate_scores_a_run_that_matches_the_truth_as_perfect(world, tmp_path):
    _run("run", "--json")
    figures = _evaluate(tmp_path, _labels())
    assert (figures["lines_true"], figures["lines_found"], figures["lines_matched"]) == (1, 1, 1)
    assert figures["controller_rank"] == {"line-01": 1}
    assert figures["controller_top1"] == 1.0
    assert figures["exploited_children_as_runners"] == 2
    assert figures["children_as_runners_share"] == 1.0
    assert figures["records_judged"] == 8
    assert figures["line_ari"] == 1.0, figures


def test_evaluate_shows_a_wrong_controller_and_people_put_in_the_wrong_line(world, tmp_path):
    _run("run", "--json")
    figures = _evaluate(tmp_path, _labels(controller="P-L", outside=("P-U1", "P-U2")))
    assert figures["controller_rank"] == {"line-01": 2}
    assert figures["controller_top1"] == 0.0 and figures["controller_top3"] == 1.0
    assert figures["line_ari"] < 1.0
    assert figures["roles"]["user"] == {"user": 2}


def test_evaluate_prints_the_figures_in_words(world, tmp_path):
    _run("run", "--json")
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(_labels()), encoding="utf-8")
    text = _run("evaluate", "--labels", str(path))
    assert "1 lines found, 1 true, 1 matched" in text
    assert "controllers ranked first in their line: 100%" in text


def test_evaluate_refuses_a_missing_labels_file(db, tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(CommandError, match=f"{missing}: cannot be read"):
        _run("evaluate", "--labels", str(missing))


def test_evaluate_refuses_a_labels_file_that_is_not_json(db, tmp_path):
    path = tmp_path / "labels.json"
    path.write_text('{"lines": [\n  oops\n]}', encoding="utf-8")
    with pytest.raises(CommandError, match=f"{path}: line 2: not JSON"):
        _run("evaluate", "--labels", str(path))


def test_evaluate_refuses_json_that_is_not_a_worlds_labels(db, tmp_path):
    path = tmp_path / "labels.json"
    path.write_text('{"people": []}', encoding="utf-8")
    with pytest.raises(CommandError, match="not a demo world's labels"):
        _run("evaluate", "--labels", str(path))


def test_evaluate_needs_a_run(db, tmp_path):
    path = tmp_path / "labels.json"
    path.write_text('{"lines": [], "people": []}', encoding="utf-8")
    with pytest.raises(CommandError, match="no network analysis run"):
        _run("evaluate", "--labels", str(path))


# -- the demo's tiny world


def test_on_the_demos_tiny_world_every_line_is_found_and_its_controller_ranked_first(db):
    from safeguard.demo import labels
    from safeguard.demo.world import World
    from safeguard.intake.recording import record_batch
    from safeguard.network import graph as g

    world = World(2019, "tiny")
    record_batch(world.records(), source="demo", batch_size=5000)
    truth = labels.build(world)
    run = _stored()
    found = {
        line.key: {g.phone_key(p["number"]) for p in line.deal_phones}
        for line in Line.objects.filter(run=run)
    }
    for line in truth["lines"]:
        numbers = {g.phone_key(p["number"]) for p in line["deal_line_phones"]}
        holding = [key for key, phones in found.items() if numbers & phones]
        assert len(holding) == 1, (line["id"], line["brand"], found)
    figures = evaluation.evaluate(truth, run)
    shown = {k: figures[k] for k in ("lines_true", "lines_found", "controller_top1", "line_ari")}
    assert figures["lines_matched"] == figures["lines_true"], shown
    assert figures["controller_top1"] >= 2 / 3, shown
    assert figures["line_ari"] > 0.3, shown
