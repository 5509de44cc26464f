"""Importing a force's offender register export (importers/offender_loading.py)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.audit.models import Entry
from safeguard.importers.offender_loading import import_register
from safeguard.importers.offender_register import RegisterRejected
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    OrderCondition,
    RiskReview,
    Schedule,
    Visit,
)
from tests.offenders.factories import FORCE, people, staff

HEADER = (
    "reference,person_ref,mappa_category,mappa_level,rm2000,oasys_rosh,manager,team,"
    "registered_on,released_on,status,plan_visit_months\n"
)
OFFENDERS = (
    HEADER
    + """V-1,P1,1,1,high,medium,om,,2024-01-15,2024-01-10,active,
V-2,P2,2,Level 2: active multi-agency management,Very high,,,MOSOVO South,2023-06-01,,in_custody,2
"""
)
CONDITIONS = """offender,order,condition,starts_on,ends_on
V-1,Sexual Harm Prevention Order,No unsupervised contact with a child under 16,2024-01-10,
"""
VISITS = """offender,at,outcome,announced,officer,notes
V-1,2024-07-01T10:30,seen,no,om,All well
V-1,2024-10-02T18:00,not_seen,yes,DC Shaw,No answer
"""
REVIEWS = """offender,kind,completed_at,level,by,summary
V-1,arms,2024-02-01T12:00:00+00:00,high,om,
"""
NOTIFICATIONS = """offender,kind,trigger_at,arranged_at,notified_at,location_ref,details
V-1,initial,2024-01-10T09:00,,2024-01-11T09:00,HOME,
V-1,foreign_travel,2025-05-01T06:00,2025-04-20T12:00,,,Spain
"""


def _export(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    contents = {
        "offenders": OFFENDERS,
        "conditions": CONDITIONS,
        "visits": VISITS,
        "reviews": REVIEWS,
        "notifications": NOTIFICATIONS,
    } | files
    for name, text in contents.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def force(record):
    home = {"type": "location", "agency": "lancs", "ref": "HOME", "kind": "home"}
    record(FORCE, *people("P1", "P2", "P3"), home)
    return staff()


def test_an_export_is_stored_whole_with_its_history_and_schedules(force, tmp_path):
    result = import_register(_export(tmp_path / "x"), "lancs", by="pc")
    assert result.new == {
        "offender": 2,
        "condition": 1,
        "visit": 2,
        "review": 1,
        "notification": 2,
    }
    one = Offender.objects.get(reference="V-1")
    assert one.person.source_ref == "P1" and one.offender_manager == force["manager"]
    assert one.team == "MOSOVO North"  # the manager's team, when the row gives none
    assert (one.rm2000, one.oasys_rosh, one.osp) == ("high", "medium", "")
    two = Offender.objects.get(reference="V-2")
    # Labels are taken for values, in any case.
    assert (two.mappa_category, two.mappa_level, two.rm2000) == (2, 2, "very_high")
    assert one.mappa_level == 1
    assert (two.status, two.plan_visit_months, two.offender_manager) == ("in_custody", 2, None)
    seen, missed = Visit.objects.filter(offender=one).order_by("at")
    # A time without an offset is UK time: 10:30 BST is 09:30 UTC.
    assert seen.at == datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
    assert (seen.announced, seen.officer, seen.notes) == (False, force["manager"], "All well")
    assert (missed.officer, missed.officer_name) == (None, "DC Shaw")
    assert RiskReview.objects.get().by == force["manager"]
    initial = NotificationRecord.objects.get(kind="initial")
    assert initial.location.source_ref == "HOME"
    assert NotificationRecord.objects.get(kind="foreign_travel").notified_at is None
    assert OrderCondition.objects.get().ends_on is None
    assert Schedule.objects.count() == 2 and result.schedules == 2
    assert Schedule.objects.get(offender=one).next_visit_due == date(2024, 10, 1)
    [entry] = Entry.objects.filter(what="offenders.register")
    assert (entry.action, entry.username, entry.agency_code) == ("write", "pc", "lancs")


def test_importing_again_changes_nothing(force, tmp_path):
    folder = _export(tmp_path / "x")
    import_register(folder, "lancs")
    again = import_register(folder, "lancs")
    assert not again.new and not again.updated
    assert again.unchanged == {
        "offender": 2,
        "condition": 1,
        "visit": 2,
        "review": 1,
        "notification": 2,
    }
    assert Visit.objects.count() == 2


def test_a_later_export_updates_current_facts_and_adds_history(force, tmp_path):
    import_register(_export(tmp_path / "x"), "lancs")
    later = _export(
        tmp_path / "y",
        offenders=OFFENDERS.replace("V-1,P1,1,1,high", "V-1,P1,1,2,medium"),
        visits=VISITS + "V-1,2025-01-06T08:15,seen,no,om,\n",
        notifications=NOTIFICATIONS.replace(",Spain", "2025-04-21T10:00,,Spain").replace(
            "2025-04-20T12:00,,", "2025-04-20T12:00,"
        ),
        reviews=None,
    )
    result = import_register(later, "lancs")
    assert result.updated == {"offender": 1, "notification": 1}
    assert result.new == {"visit": 1}
    one = Offender.objects.get(reference="V-1")
    assert (one.mappa_level, one.rm2000) == (2, "medium")
    travel = NotificationRecord.objects.get(kind="foreign_travel")
    assert travel.notified_at == datetime(2025, 4, 21, 9, 0, tzinfo=UTC)
    assert RiskReview.objects.count() == 1  # a file left out of the export removes nothing


def test_a_changed_history_row_refuses_the_whole_export(force, tmp_path):
    import_register(_export(tmp_path / "x"), "lancs")
    later = _export(
        tmp_path / "y",
        offenders=OFFENDERS.replace("V-1,P1,1,1,high", "V-1,P1,1,1,low"),
        visits=VISITS.replace("seen,no,om,All well", "refused,no,om,All well"),
    )
    with pytest.raises(RegisterRejected) as refused:
        import_register(later, "lancs")
    assert [str(p) for p in refused.value.problems] == [
        "visits.csv:2: outcome: this visit is already recorded with a different outcome"
    ]
    assert Offender.objects.get(reference="V-1").rm2000 == "high"  # nothing of it stored


def test_every_problem_is_named_by_file_line_and_column_and_nothing_is_stored(force, tmp_path):
    folder = _export(
        tmp_path / "x",
        offenders=OFFENDERS
        + "V-3,P9,1,1,,,,,2024-02-30,,,\n"
        + "V-4,P3,5,1,,,sgt-north,,2024-02-01,,asleep,30\n"
        + "V-1,P3,1,1,,,,,2024-02-01,,,\n",
        visits="offender,at,outcome,announced,colour\nV-9,yesterday,seen,maybe,red\n",
        reviews=REVIEWS + "V-9,arms,2024-02-01T12:00,high,nobody,\n",
    )
    (folder / "extra.csv").write_text("a\n1\n")
    with pytest.raises(RegisterRejected) as refused:
        import_register(folder, "lancs")
    assert [str(p) for p in refused.value.problems] == [
        "extra.csv: not a file of the register export (conditions.csv, notifications.csv, "
        "offenders.csv, reviews.csv, visits.csv)",
        "offenders.csv:4: registered_on: '2024-02-30' is not a date (YYYY-MM-DD)",
        "offenders.csv:5: mappa_category: '5' is not one of: 1, 2, 3, 4",
        "offenders.csv:5: status: 'asleep' is not one of: active, in_custody, abroad, wanted, "
        "deceased, removed",
        "offenders.csv:5: plan_visit_months: '30' is not a whole number from 1 to 24",
        "visits.csv:1: colour: not a column of this file",
    ]
    # Once every cell reads, the references are checked, all at once too.
    _export(
        folder,
        offenders=OFFENDERS
        + "V-3,P9,1,1,,,,,2024-02-01,,,\n"
        + "V-4,P3,1,1,,,sgt-north,,2024-02-01,,,\n"
        + "V-1,P3,1,1,,,,,2024-02-01,,,\n",
        visits="offender,at,outcome,announced\nV-9,2024-01-01T10:00,seen,no\n",
    )
    (folder / "extra.csv").unlink()
    with pytest.raises(RegisterRejected) as refused:
        import_register(folder, "lancs")
    assert [str(p) for p in refused.value.problems] == [
        "offenders.csv:4: person_ref: no person record 'P9' of lancs: record the person first",
        "offenders.csv:5: manager: 'sgt-north' is not an offender manager of lancs",
        "offenders.csv:6: reference: 'V-1' is also on line 2",
        "visits.csv:2: offender: no offender 'V-9' of lancs",
    ]
    assert not Offender.objects.exists() and not Entry.objects.filter(what="offenders.register")


def test_the_command_prints_what_it_stored_or_every_problem(force, tmp_path, capsys):
    folder = _export(tmp_path / "x")
    call_command("import-offenders", str(folder), "--force", "lancs")
    assert "offender: 2 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    bad = _export(tmp_path / "y", offenders=OFFENDERS.replace("2024-01-15", "15/01/2024"))
    with pytest.raises(CommandError, match=r"refused, nothing stored \(1 problem\(s\)\)"):
        call_command("import-offenders", str(bad), "--force", "lancs")
    assert "offenders.csv:2: registered_on: '15/01/2024' is not a date" in capsys.readouterr().err
    with pytest.raises(CommandError, match="refused, nothing stored"):
        call_command("import-offenders", str(folder), "--force", "nowhere")
    assert "'nowhere' is not a police force" in capsys.readouterr().err
