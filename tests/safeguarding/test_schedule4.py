"""Modern Slavery Act 2015 Schedule 4 as data: the packaged file, and errors naming entries."""

import pytest

from safeguard.safeguarding import schedule4

GOOD = """
id: test-schedule-4
title: Test
version: 0.1.0
source:
  url: https://www.legislation.gov.uk/ukpga/2015/30/schedule/4
  date: 2024-05-18
note: A test list.
offences:
  - id: common-law-murder
    title: Murder
    statute: Common law
    paragraph: 4
    verified: true
  - id: oapa-1861-s18
    title: Wounding or causing grievous bodily harm with intent
    statute: Offences against the Person Act 1861
    section: s18
    paragraph: 7
    verified: false
"""


def write(tmp_path, text: str):
    path = tmp_path / "schedule4.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(schedule4.Schedule4Error) as caught:
        schedule4.load(write(tmp_path, text))
    return caught.value.problems


def test_the_packaged_file_loads():
    loaded = schedule4.load(schedule4.DEFAULT_PATH)
    assert loaded.label.startswith("msa-2015-schedule-4 1.0.0 (")
    assert len(loaded.content_hash) == 64
    assert loaded.source.url == "https://www.legislation.gov.uk/ukpga/2015/30/schedule/4"
    assert "Misuse of Drugs Act 1971" in loaded.note
    assert schedule4.current() == loaded
    assert all(o.paragraph and o.statute for o in loaded.offences)
    assert any(o.verified for o in loaded.offences)


@pytest.mark.parametrize(
    ("id", "statute", "section", "paragraph"),
    [
        ("common-law-murder", "Common law", None, "4"),
        ("oapa-1861-s18", "Offences against the Person Act 1861", "s18", "7"),
        ("soa-2003-s1", "Sexual Offences Act 2003", "s1", "33"),
    ],
)
def test_murder_wounding_with_intent_and_rape_are_listed(id, statute, section, paragraph):
    offence = schedule4.entry(id)
    assert (offence.statute, offence.section, offence.paragraph) == (statute, section, paragraph)


def test_titles_and_verification_are_recorded():
    assert schedule4.entry("soa-2003-s1").title == "Rape"
    assert schedule4.entry("common-law-murder").verified  # checked against legislation.gov.uk


def test_the_misuse_of_drugs_act_supply_offences_are_not_listed():
    offences = schedule4.current().offences
    assert not [o for o in offences if o.statute.startswith("Misuse of Drugs Act")]
    with pytest.raises(KeyError):
        schedule4.entry("mda-1971-s4")


def test_an_unknown_id_raises_a_key_error_naming_it():
    with pytest.raises(KeyError, match="no-such-offence") as caught:
        schedule4.entry("no-such-offence")
    assert "Schedule 4" in caught.value.args[0]


def test_choices_label_each_offence_by_statute_section_and_title():
    choices = dict(schedule4.choices())
    assert len(choices) == len(schedule4.current().offences)
    assert choices["common-law-murder"] == "Common law: Murder"
    assert choices["oapa-1861-s18"] == (
        "Offences against the Person Act 1861 s18: "
        "Wounding or causing grievous bodily harm with intent"
    )


def test_a_good_file_loads_and_comments_do_not_change_its_hash(tmp_path):
    loaded = schedule4.load(write(tmp_path, GOOD))
    assert [o.id for o in loaded.offences] == ["common-law-murder", "oapa-1861-s18"]
    assert schedule4.parse("# a comment\n" + GOOD).content_hash == loaded.content_hash


def test_a_duplicate_id_is_refused_naming_it(tmp_path):
    twice = GOOD + (
        "  - id: oapa-1861-s18\n"
        "    title: Again\n"
        "    statute: Offences against the Person Act 1861\n"
        "    section: s18\n"
        "    paragraph: 7\n"
        "    verified: false\n"
    )
    assert "oapa-1861-s18: the id is used twice" in problems_of(tmp_path, twice)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("    statute: Offences against the Person Act 1861\n", ""),
            "offences[1] (oapa-1861-s18): statute: is required",
        ),
        (
            ("    section: s18\n", ""),
            "offences[1] (oapa-1861-s18): section is required for an offence under the "
            "Offences against the Person Act 1861",
        ),
        (
            ("    paragraph: 7\n", ""),
            "offences[1] (oapa-1861-s18): paragraph: is required",
        ),
        (
            ("    paragraph: 4\n    verified: true\n", "    paragraph: 4\n"),
            "offences[0] (common-law-murder): verified: is required",
        ),
        (
            ("    statute: Common law\n", "    statute: Common law\n    section: s1\n"),
            "offences[0] (common-law-murder): a common law offence has no section",
        ),
        (
            ("    paragraph: 7\n", "    paragraph: 7\n    notes: extra\n"),
            "offences[1] (oapa-1861-s18): notes: Extra inputs are not permitted",
        ),
    ],
)
def test_an_entry_missing_its_citation_is_refused_naming_the_entry(tmp_path, change, problem):
    old, new = change
    assert old in GOOD
    assert problem in problems_of(tmp_path, GOOD.replace(old, new, 1))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            (
                "source:\n  url: https://www.legislation.gov.uk/ukpga/2015/30/schedule/4\n"
                "  date: 2024-05-18\n",
                "",
            ),
            "source: is required",
        ),
        (("  date: 2024-05-18\n", ""), "source.date: is required"),
        (
            ("https://www.legislation.gov.uk/", "https://example.org/"),
            "source.url: String should match pattern",
        ),
    ],
)
def test_a_file_missing_its_source_is_refused(tmp_path, change, problem):
    old, new = change
    assert old in GOOD
    found = problems_of(tmp_path, GOOD.replace(old, new))
    assert any(p.startswith(problem) for p in found), found


def test_an_unreadable_or_malformed_file_is_refused_naming_it(tmp_path):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(schedule4.Schedule4Error, match="absent.yaml: cannot be read"):
        schedule4.load(missing)
    path = write(tmp_path, "- just a list\n")
    with pytest.raises(schedule4.Schedule4Error) as caught:
        schedule4.load(path)
    assert str(caught.value).startswith(f"{path}: a Schedule 4 file is a mapping")
