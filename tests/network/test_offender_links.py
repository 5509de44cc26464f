"""The network link: a registered offender in a county line with a child raises an alert."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.network import running
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.offenders.models import SafeguardingAlert
from safeguard.records.ages import UK
from safeguard.records.models import Person
from safeguard.safeguarding.models import Duty
from tests.offenders.factories import FORCE, offender, people

from .factories import recorded_line

NOW = "2025-06-16T09:00:00+00:00"


def _id(ref: str) -> int:
    return Person.objects.get(source_ref=ref).pk


def _run(*lines: list[tuple[list[str], int | None, bool]], last_seen=date(2025, 3, 31)):
    """Store a run with these lines, each a list of members: (their records' refs, age, child)."""
    run = AnalysisRun.objects.create(started_at=datetime(2025, 6, 1, tzinfo=UTC), rules="test")
    for n, members in enumerate(lines):
        line = Line.objects.create(
            run=run,
            key=f"line-{n}",
            brand=f"LINE{n}",
            last_seen=last_seen,
            people=len(members),
            children=sum(1 for _, _, child in members if child),
        )
        for rank, (refs, age, child) in enumerate(members, start=1):
            LineMember.objects.create(
                line=line,
                person_id=_id(refs[0]),
                records=[_id(r) for r in refs],
                node=f"person:{_id(refs[0])}",
                label=refs[0],
                role="runner" if child else "controller",
                age=age,
                is_child=child,
                controller_rank=rank,
            )
    return run


@pytest.fixture
def world(record, settings):
    settings.CLOCK_START = NOW
    record(
        FORCE,
        *people("X1", "X2", "OFF", "GONE", "OUT", "ADULT"),
        *people("KID", "KID2", born="2010-01-01"),
    )
    offender("OFF")  # OFF's record; the line's node for them starts with another record, X1
    offender("GONE", status="removed")
    offender("OUT")  # in no line with a child


def test_an_offender_in_a_line_with_a_child_raises_one_alert_per_child(world):
    run = _run(
        [
            (["X1", "OFF"], 40, False),  # the offender, on the node's second record
            (["GONE"], 50, False),  # removed from the register: nothing
            (["ADULT"], 30, False),
            (["KID"], 15, True),
            (["KID2"], 15, True),
        ],
        [(["OUT"], 35, False), (["ADULT"], 30, False)],  # no child: nothing
    )
    assert running.link_offenders(run) == 2
    made = {
        (a.offender.reference, a.child.source_ref): a
        for a in SafeguardingAlert.objects.select_related("offender", "child")
    }
    assert set(made) == {("V-OFF", "KID"), ("V-OFF", "KID2")}
    alert = made[("V-OFF", "KID")]
    assert (
        alert.reason == "a child, aged 15, is linked to a registered offender in county line LINE0"
    )
    # Dated at the end of the line's last day (UK), as a live system would have raised it.
    assert alert.raised_at == datetime(2025, 3, 31, 23, 59, 59, tzinfo=UK)
    assert alert.duty.kind == "offender_contact" and alert.duty.person.source_ref == "KID"
    assert running.link_offenders(run) == 0  # again: nothing new
    assert Duty.objects.count() == 2


def test_a_line_seen_later_than_now_is_dated_now(world):
    run = _run([(["OFF"], 40, False), (["KID"], 15, True)], last_seen=date(2025, 6, 16))
    running.link_offenders(run)
    now = datetime.fromisoformat(NOW)
    assert now <= SafeguardingAlert.objects.get().raised_at < now + timedelta(minutes=1)


def test_the_queries_do_not_grow_with_the_lines(world, record):
    record(
        *people(*(f"O{i}" for i in range(4))), *people("C0", "C1", "C2", "C3", born="2011-01-01")
    )
    for i in range(4):
        offender(f"O{i}")

    def counted(*lines: int) -> int:
        run = _run(*([([f"O{i}"], 40, False), ([f"C{i}"], 13, True)] for i in lines))
        with CaptureQueriesContext(connection) as done:
            assert running.link_offenders(run) == len(lines)
        return len(done.captured_queries)

    assert counted(0) == counted(1, 2, 3)


def test_storing_a_run_links_the_offenders_in_its_lines(record):
    record(*recorded_line())
    offender("P-C")  # Carl Dane, who runs the Bruno line, is a registered offender
    running.store(running.analyse(), ran_by="test")
    alerted = SafeguardingAlert.objects.values_list("child__source_ref", flat=True)
    assert sorted(alerted) == ["P-A", "P-R1", "P-R2"]  # Alan, Ryan and Rita
