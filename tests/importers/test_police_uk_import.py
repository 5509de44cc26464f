"""`safeguard import-police-uk`: what each kind of row becomes, all or nothing, once only."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.importers.models import CrimeOutcome, ImportedFile
from safeguard.records.models import Agency, Event, Location, Participation, Person
from safeguard.safeguarding.models import Duty, Transition
from safeguard.screening.models import Screening

FIXTURES = Path(__file__).with_name("fixtures")
MET = FIXTURES / "2018-04-metropolitan-stop-and-search.csv"
GMP = FIXTURES / "gmp_stop_and_search_geocoded.csv"
STREET = FIXTURES / "2018-04-city-of-london-street.csv"
OUTCOMES = FIXTURES / "2018-05-city-of-london-outcomes.csv"

pytestmark = pytest.mark.django_db


def _import(*paths, force: str | None = None) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    args = [str(p) for p in paths] + (["--force", force] if force else [])
    call_command("import-police-uk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(*paths, force: str | None = None) -> str:
    err = StringIO()
    args = [str(p) for p in paths] + (["--force", force] if force else [])
    with pytest.raises(CommandError, match="refused, nothing stored from"):
        call_command("import-police-uk", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _counts() -> dict[str, int]:
    models = (Agency, Person, Location, Event, Participation, Screening, Duty, Transition)
    counts = {m.__name__: m.objects.count() for m in models}
    counts |= {"files": ImportedFile.objects.count(), "outcomes": CrimeOutcome.objects.count()}
    return counts


def test_each_search_is_an_event_with_one_anonymous_person_as_searched():
    _import(MET)
    met = Agency.objects.get(code="metropolitan")
    assert met.name == "Metropolitan Police Service" and met.kind == "police_force"
    searches = Event.objects.filter(agency=met, kind="stop_search")
    assert searches.count() == 13  # every row, the row given twice included
    first = searches.order_by("occurred_at", "id").first()
    assert first.attributes["legislation"] == "Misuse of Drugs Act 1971 (section 23)"
    assert first.attributes["object_of_search"] == "Controlled drugs"
    assert first.attributes["for_controlled_drugs"] is True
    assert first.attributes["outcome_code"] == "no_further_action"
    assert first.attributes["source"] == "data.police.uk"
    assert first.location.latitude == pytest.approx(51.394229)
    part = first.participations.get()
    assert part.role == "subject" and part.age_range == "25-34" and part.age_at_event == 25
    assert part.person.sex == "male" and part.person.given_name == ""
    assert part.person.self_defined_ethnicity == "White - Any other White background"
    # The rows without coordinates are searches with no place.
    assert searches.filter(location__isnull=True).count() == 2
    assert Person.objects.filter(agency=met).count() == 13


def test_a_child_searched_and_arrested_is_referred_like_any_arrested_child():
    _import(MET)
    arrests = Event.objects.filter(kind="arrest")
    children = Participation.objects.filter(event__in=arrests, age_range="10-17")
    assert children.count() == 3
    assert all(p.age_at_event == 17 for p in children)
    referrals = Duty.objects.filter(kind="childrens_services_referral")
    assert set(referrals.values_list("person_id", flat=True)) == {p.person_id for p in children}
    # Children searched and not arrested are screened with what is known, not referred.
    searched = Participation.objects.filter(event__kind="stop_search", age_range="10-17")
    assert searched.count() == 8  # the three arrested, and the row given twice is two
    assert Screening.objects.filter(person__in=searched.values("person")).exists()
    # The adult arrested opens no child's duty.
    adult = Participation.objects.get(event__in=arrests, age_range="25-34")
    assert not Duty.objects.filter(person=adult.person).exists()


def test_importing_again_or_from_a_renamed_copy_changes_nothing(tmp_path):
    _import(MET, STREET, OUTCOMES)
    before = _counts()
    out, _ = _import(MET, STREET, OUTCOMES)
    assert _counts() == before
    assert "event: 0 new" in out and "this file was imported before" in out
    copy = tmp_path / "search-copy.csv"
    shutil.copy(MET, copy)
    _import(copy, force="metropolitan")
    assert _counts() == before | {"files": before["files"] + 0}


def test_greater_manchesters_copy_needs_its_force_and_keeps_its_extra_columns():
    err = _refused(GMP)
    assert "the name does not say the force" in err and "give --force" in err
    assert _counts()["Event"] == 0
    _import(GMP, force="greater-manchester")
    searches = Event.objects.filter(agency__code="greater_manchester", kind="stop_search")
    assert searches.count() == 8
    arrested = searches.get(attributes__outcome="Suspect arrested", attributes__postcode="SK8 3JP")
    assert arrested.attributes["outcome_code"] == "arrest"
    assert arrested.attributes["outcome_linked_to_object"] is True
    assert arrested.attributes["postcode"] == "SK8 3JP"
    assert arrested.attributes["admin_ward"] == "Heald Green"
    assert Event.objects.filter(
        kind="arrest", attributes__after_search=arrested.source_ref
    ).exists()
    older = searches.get(
        attributes__outcome="Nothing found - no further action", attributes__age_range="10-17"
    )
    assert older.attributes["outcome_code"] == "no_further_action"
    assert older.attributes["removal_of_more_than_outer_clothing"] is False


def test_street_crimes_are_crime_reports_of_their_month_at_their_map_point():
    _import(STREET)
    crimes = Event.objects.filter(kind="crime_report", agency__code="city_of_london")
    assert crimes.count() == 9
    drugs = crimes.filter(attributes__crime_type="Drugs")
    assert drugs.count() == 2
    one = crimes.get(
        source_ref="puk-crime-839ba596457ef1a68ad091e7c4f7ece39ad3ea1389617d2b3a57b9b28fa53612"
    )
    assert one.attributes["last_outcome_category"] == "Offender given a caution"
    assert one.attributes["location_description"] == "On or near Charterhouse Street"
    assert one.attributes["lsoa_name"] == "Camden 027B"
    assert one.occurred_at.isoformat().startswith("2018-03-31T23:00")  # 1 April, UK time
    assert one.location.force_area == "City of London Police"
    assert crimes.filter(attributes__crime_id="").count() == 3  # anti-social behaviour


def test_one_crime_id_on_two_different_rows_is_two_reports_and_a_repeat_is_one():
    out, _ = _import(FIXTURES / "2018-06-city-of-london-street.csv")
    refs = set(Event.objects.values_list("source_ref", flat=True))
    base = "puk-crime-5b7f7fe2f0249dc06ab276484ea1b15c0f936471322d9a466dce639ae6cccd2e"
    assert {base, f"{base}-2"} <= refs
    out, _ = _import(FIXTURES / "2019-06-city-of-london-street.csv")
    assert "1 crime row(s) repeated word for word, recorded once" in out
    assert Event.objects.filter(source_ref__contains="f46b1e09").count() == 1


def test_a_national_forces_map_points_are_in_no_force_area():
    _import(FIXTURES / "2018-10-btp-street.csv", FIXTURES / "2018-10-merseyside-street.csv")
    assert Agency.objects.get(code="btp").jurisdiction == "uk"
    assert set(
        Location.objects.filter(agency__code="btp").values_list("force_area", flat=True)
    ) == {""}
    assert set(
        Location.objects.filter(agency__code="merseyside").values_list("force_area", flat=True)
    ) == {"Merseyside Police"}


def test_outcomes_join_their_crime_whichever_comes_first():
    out, _ = _import(OUTCOMES)
    assert "outcomes: 5 new, 0 joined" in out
    assert CrimeOutcome.objects.filter(event__isnull=True).count() == 5
    _import(STREET)
    joined = CrimeOutcome.objects.filter(event__isnull=False)
    assert joined.count() == 4
    caution = joined.get(outcome_type="Offender given a caution")
    assert caution.event.attributes["crime_id"] == caution.crime_id
    assert caution.file.name == OUTCOMES.name and caution.line == 3
    # An outcome of a crime not imported waits for it.
    assert CrimeOutcome.objects.get(event__isnull=True).crime_id.endswith("0001")


def test_the_licence_attribution_is_kept_with_each_file():
    _import(MET, STREET)
    for file in ImportedFile.objects.all():
        assert "Open Government Licence v3.0" in file.attribution
        assert file.licence.startswith("Open Government Licence v3.0")
    met = ImportedFile.objects.get(kind="stop-and-search")
    assert (met.name, met.month, met.rows) == (MET.name, "2018-04", 13)
    assert met.summary["created"]["event"] == 17  # 13 searches, 3 children and 1 adult arrested


def _corrupt(tmp_path, line: int, old: str, new: str) -> Path:
    path = tmp_path / MET.name
    lines = MET.read_text().splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2018-03-31T23:00:00+00:00", "2018-02-30T23:00:00+00:00", "date: not a date and time"),
        ("51.394229", "51.39x4229", "latitude: not a number: '51.39x4229'"),
        ("-0.113877", "-200.5", "longitude: -200.5 is outside -180..180"),
        (",Male,", ",Mole,", "gender: not a data.police.uk gender: 'Mole'"),
        ("25-34", "25 to 34", "age range: not a data.police.uk age range"),
    ],
)
def test_a_corrupted_row_names_file_line_and_reason_and_stores_nothing(tmp_path, old, new, message):
    _import(STREET)
    before = _counts()
    bad = _corrupt(tmp_path, 2, old, new)
    err = _refused(bad)
    assert f"{MET.name}:2: {message}" in err
    assert f"{MET.name}: refused, nothing stored (1 error(s))" in err
    assert _counts() == before


def test_a_missing_cell_and_a_missing_column_are_refused_whole(tmp_path):
    before = _counts()
    lines = MET.read_text().splitlines()
    lines[4] = lines[4].rsplit(",", 2)[0]
    short = tmp_path / MET.name
    short.write_text("\n".join(lines) + "\n")
    err = _refused(short)
    assert f"{MET.name}:5: row: 13 cells where the header has 15" in err
    no_column = tmp_path / "2018-04-kent-stop-and-search.csv"
    no_column.write_text(MET.read_text().replace(",Object of search", "", 1))
    err = _refused(no_column)
    assert "lacks the column(s) 'object of search'" in err
    assert _counts() == before


def test_a_folder_imports_each_file_and_one_bad_file_does_not_stop_the_others(tmp_path):
    shutil.copy(MET, tmp_path / MET.name)
    shutil.copy(STREET, tmp_path / STREET.name)
    (tmp_path / "2018-04-atlantis-street.csv").write_bytes(STREET.read_bytes())
    err = _refused(tmp_path)
    assert "'atlantis' is not a data.police.uk force" in err
    assert Event.objects.filter(kind="stop_search").count() == 13
    assert Event.objects.filter(kind="crime_report").count() == 9


def test_no_such_path_and_an_unknown_force_are_clear_errors():
    with pytest.raises(CommandError, match="nowhere.csv: no such file or folder"):
        _import("nowhere.csv")
    err = _refused(GMP, force="atlantis")
    assert "--force 'atlantis' is not a data.police.uk force" in err
    err = _refused(MET, force="kent")
    assert "named for metropolitan, but --force says kent" in err
