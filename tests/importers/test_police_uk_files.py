"""Reading data.police.uk files: names, headers of each kind and variant, rows."""

from pathlib import Path

import pytest

from safeguard.importers import police_uk_files as files
from safeguard.importers import police_uk_format

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.mark.parametrize(
    ("name", "kind", "force", "month"),
    [
        ("2019-01-merseyside-stop-and-search.csv", "stop-and-search", "merseyside", "2019-01"),
        ("2018-04-city-of-london-street.csv", "street", "city-of-london", "2018-04"),
        ("2018-05-avon-and-somerset-outcomes.csv", "outcomes", "avon-and-somerset", "2018-05"),
        ("gmp_stop_and_search_2016-03_2019-02_geocoded.csv", None, None, None),
        ("2019-01-merseyside-street.CSV.bak", None, None, None),
    ],
)
def test_the_name_says_kind_force_and_month(name, kind, force, month):
    assert files.named(Path(name)) == files.Named(kind, force, month)


@pytest.mark.parametrize(
    ("fixture", "kind", "extra"),
    [
        ("2018-04-metropolitan-stop-and-search.csv", "stop-and-search", {}),
        (
            "gmp_stop_and_search_geocoded.csv",
            "stop-and-search",
            {"admin_ward", "postcode", "lsoa", "geocode_failed", "admin_ward_code"},
        ),
        ("2018-04-city-of-london-street.csv", "street", {}),
        ("2018-05-city-of-london-outcomes.csv", "outcomes", {}),
    ],
)
def test_each_header_variant_is_read_by_column_name(fixture, kind, extra):
    found, rows = files.rows(FIXTURES / fixture, None)
    rows = list(rows)
    assert found == kind
    assert rows and all(not r.problem for r in rows)
    assert set(rows[0].extra) == set(extra)
    assert set(files.REQUIRED[kind]) <= set(rows[0].cells)
    assert rows[0].line == 2  # the header is line 1


def test_a_header_with_columns_reordered_and_renamed_in_case_reads_the_same(tmp_path):
    path = tmp_path / "2019-01-kent-street.csv"
    original = (FIXTURES / "2018-04-city-of-london-street.csv").read_text().splitlines()
    columns = original[0].split(",")
    order = list(reversed(range(len(columns))))
    lines = [",".join(columns[i].upper() for i in order)]
    import csv

    for row in csv.reader(original[1:]):
        lines.append(",".join(f'"{row[i]}"' for i in order))
    path.write_text("\n".join(lines) + "\n")
    _, rows = files.rows(path, "street")
    _, expected = files.rows(FIXTURES / "2018-04-city-of-london-street.csv", "street")
    assert [r.cells for r in rows] == [r.cells for r in expected]


def test_a_missing_column_is_named_on_line_one(tmp_path):
    path = tmp_path / "2019-01-kent-stop-and-search.csv"
    text = (FIXTURES / "2018-04-metropolitan-stop-and-search.csv").read_text()
    path.write_text(text.replace("Age range,", "", 1))
    with pytest.raises(
        files.FileProblem, match=r"2019-01-kent-stop-and-search.csv:1: .*'age range'"
    ):
        files.rows(path, "stop-and-search")


def test_a_file_whose_name_and_header_disagree_is_refused(tmp_path):
    path = tmp_path / "2019-01-kent-street.csv"
    path.write_bytes((FIXTURES / "2018-04-metropolitan-stop-and-search.csv").read_bytes())
    with pytest.raises(files.FileProblem, match="named a street file, but its header is a stop"):
        files.rows(path, "street")


def test_a_file_that_says_nothing_of_its_kind_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(files.FileProblem, match="neither the name .* nor the header"):
        files.rows(path, None)


def test_a_short_row_is_a_problem_with_its_line(tmp_path):
    path = tmp_path / "2018-04-city-of-london-street.csv"
    lines = (FIXTURES / "2018-04-city-of-london-street.csv").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 3)[0]
    path.write_text("\n".join(lines) + "\n")
    _, rows = files.rows(path, None)
    bad = [r for r in rows if r.problem]
    assert [(r.line, r.problem) for r in bad] == [(4, "9 cells where the header has 12")]


def test_the_format_file_has_every_force_once_and_its_sources():
    fmt = police_uk_format.current()
    assert len(fmt.forces) == 45
    assert fmt.forces["greater-manchester"].code == "greater_manchester"
    assert fmt.force_of_name("Greater Manchester Police") == "greater-manchester"
    assert fmt.force_of_name("greater_manchester") == "greater-manchester"
    assert fmt.force_of_name("Atlantis") is None
    assert "Open Government Licence v3.0" in fmt.attribution
    assert fmt.outcomes["Suspect arrested"] == fmt.outcomes["Arrest"] == "arrest"


def test_a_broken_format_file_names_the_entry(tmp_path):
    from safeguard import rulefiles

    text = police_uk_format.DEFAULT_PATH.read_text()
    broken = tmp_path / "police_uk.yaml"
    broken.write_text(text.replace("Arrest: arrest", "Arrest: detained", 1))
    with pytest.raises(rulefiles.RuleFileError, match="outcomes.Arrest"):
        police_uk_format.load(broken)
