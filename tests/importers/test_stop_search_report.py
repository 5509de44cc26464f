"""`safeguard report stop-search` on every City of London month, checked against an
independent count of the published files made with the csv module."""

import csv
import json
import re
from collections import Counter
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CITY = DATA / "police_uk_city_of_london_2018-04_2020-11"
FIXTURES = Path(__file__).with_name("fixtures")
KEYS = [
    "force",
    "month",
    "children_searched",
    "children_searched_for_drugs",
    "children_arrested",
    "referrals_opened",
]

pytestmark = pytest.mark.django_db


def _report(*args) -> str:
    out = StringIO()
    call_command("report", "stop-search", *args, stdout=out)
    return out.getvalue()


def _independent_count(folder: Path) -> dict[str, Counter]:
    """Per UK month, from the raw files: 10-17s searched, for drugs, arrested."""
    months: dict[str, Counter] = {}
    uk = ZoneInfo("Europe/London")
    for path in sorted(folder.glob("*-stop-and-search.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row["Age range"] != "10-17":
                    continue
                month = datetime.fromisoformat(row["Date"]).astimezone(uk).strftime("%Y-%m")
                counts = months.setdefault(month, Counter())
                counts["children_searched"] += 1
                counts["children_searched_for_drugs"] += (
                    row["Object of search"] == "Controlled drugs"
                )
                counts["children_arrested"] += row["Outcome"] == "Arrest"
    return months


def test_every_city_of_london_month_matches_the_published_files():
    if not CITY.is_dir():
        raise AssertionError(f"the real City of London files are needed: {CITY} is missing")
    call_command("import-police-uk", str(CITY), stdout=StringIO(), stderr=StringIO())
    report = json.loads(_report("--force", "city-of-london", "--json"))
    assert all(list(entry) == KEYS for entry in report)
    expected = _independent_count(CITY)
    assert {e["month"] for e in report} == set(expected)
    assert len(expected) == 32
    for entry in report:
        want = expected[entry["month"]]
        assert entry["force"] == "City of London Police"
        for key in KEYS[2:5]:
            assert entry[key] == want[key], (entry["month"], key)
        # Every child arrested after a search was referred to children's services.
        assert entry["referrals_opened"] == entry["children_arrested"], entry["month"]
    assert sum(e["children_searched"] for e in report) == 439
    # Importing every file again changes no figure.
    call_command("import-police-uk", str(CITY), stdout=StringIO(), stderr=StringIO())
    assert json.loads(_report("--json")) == report


def test_the_table_csv_and_page_say_the_same(tmp_path):
    call_command(
        "import-police-uk",
        str(FIXTURES / "2018-04-metropolitan-stop-and-search.csv"),
        stdout=StringIO(),
    )
    out = _report("--csv", str(tmp_path / "r.csv"), "--html", str(tmp_path / "r.html"))
    line = next(x for x in out.splitlines() if x.startswith("Metropolitan"))
    cells = [c.strip() for c in re.split(r"\s{2,}", line)]
    assert cells == ["Metropolitan Police Service", "2018-04", "8", "2", "3", "3", "Draft 3"]
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert len(rows) == 1
    assert [rows[0][k] for k in KEYS] == cells[:6]
    assert rows[0]["referrals_draft"] == "3" and rows[0]["referrals_closed"] == "0"
    page = (tmp_path / "r.html").read_text()
    assert "<svg" in page and "2018-04: children arrested 3" in page
    assert "Open Government Licence v3.0" in page


def test_a_force_name_is_escaped_in_the_page(tmp_path, record):
    record({"type": "agency", "code": "evil", "kind": "police_force", "name": "<script>x</script>"})
    record(
        {"type": "person", "agency": "evil", "ref": "P1"},
        {
            "type": "event",
            "agency": "evil",
            "ref": "E1",
            "kind": "stop_search",
            "occurred_at": "2025-01-10T10:00:00+00:00",
            "attributes": {"outcome": "arrest", "object_of_search": "Controlled drugs"},
            "participants": [{"person": "P1", "role": "subject", "age_range": "10-17"}],
        },
    )
    _report("--html", str(tmp_path / "r.html"))
    page = (tmp_path / "r.html").read_text()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert json.loads(_report("--json"))[0] | {"force": ""} == {
        "force": "",
        "month": "2025-01",
        "children_searched": 1,
        "children_searched_for_drugs": 1,
        "children_arrested": 1,
        "referrals_opened": 0,  # a force's own search with no arrest event opens no referral
    }


def test_an_unknown_force_is_an_error_and_no_searches_say_so():
    with pytest.raises(CommandError, match="no police force 'atlantis' is recorded"):
        _report("--force", "atlantis")
    assert "No searches of children are recorded." in _report()
    assert json.loads(_report("--json")) == []
