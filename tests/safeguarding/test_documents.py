"""Referral documents: what a receiver reads, what is withheld, and that it prints as written."""

import html as htmllib
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding import documents
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import Duty, Transition, Trigger
from safeguard.screening.models import Screening
from safeguard.screening.services import rescreen

AGENCIES = (
    {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire Police"},
    {
        "type": "agency",
        "code": "blackpool-cs",
        "kind": "childrens_services",
        "name": "Blackpool Children's Services",
        "area_code": "E06000009",
    },
    {
        "type": "agency",
        "code": "sca",
        "kind": "nrm_decision_maker",
        "name": "Single Competent Authority",
    },
)


def _child(family_name: str = "O'Brien") -> tuple[dict, ...]:
    return (
        {
            "type": "location",
            "agency": "lancs",
            "ref": "HOME",
            "kind": "home",
            "address": "12 Acacia Avenue, Blackpool",
            "postcode": "FY1 1AA",
            "force_area": "lancashire",
            "local_authority": "E06000009",
        },
        {
            "type": "location",
            "agency": "lancs",
            "ref": "SCHOOL",
            "kind": "school",
            "name": "Highfield Academy",
            "force_area": "lancashire",
            "local_authority": "E06000009",
        },
        {
            "type": "person",
            "agency": "lancs",
            "ref": "KID",
            "given_name": "Jayden",
            "family_name": family_name,
            "date_of_birth": "2010-04-01",
            "sex": "male",
            "self_defined_ethnicity": "Mixed White and Black Caribbean",
            "other_names": [{"kind": "nickname", "given_name": "JJ"}],
        },
        _link("K1", "lives_at", "KID", "HOME"),
        _link("K2", "frequents", "KID", "SCHOOL"),
    )


def _link(ref: str, kind: str, person: str, place: str) -> dict:
    return {
        "type": "link",
        "agency": "lancs",
        "ref": ref,
        "kind": kind,
        "from_person": person,
        "to_location": place,
    }


def _event(ref: str, kind: str, when: str, *people: tuple[str, str], **more) -> dict:
    return {
        "type": "event",
        "agency": "lancs",
        "ref": ref,
        "kind": kind,
        "occurred_at": when,
        "participants": [{"person": p, "role": r} for p, r in people],
        **more,
    }


# Two missing episodes and being found out of area screen a child medium; then an arrest.
EXPLOITED = (
    _event("M1", "missing_episode", "2025-01-05T21:00:00Z", ("KID", "missing_person")),
    _event("M2", "missing_episode", "2025-02-10T21:00:00Z", ("KID", "missing_person")),
    _event("F1", "found_out_of_area", "2025-02-11T09:00:00Z", ("KID", "missing_person")),
)
ARREST = _event(
    "A1",
    "arrest",
    "2025-03-07T18:00:00Z",
    ("KID", "suspect"),
    summary="Jayden found at Blackpool North station with 10 wraps; said he owed a debt.",
)


def _text(page: str) -> str:
    """Return what a reader of the HTML sees: no tags, entities decoded, spaces collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _pdf_text(pdf: bytes) -> str:
    """Return the text drawn in an uncompressed PDF of the standard fonts, spaces collapsed.

    Each line is drawn as one or more `(...) Tj` strings; `T*` and `ET` end a line.
    """
    stream = pdf.decode("latin-1")
    pieces = []
    for match in re.finditer(r"\(((?:\\.|[^\\)])*)\)\s*Tj|T\*|ET", stream):
        if match.group(1) is None:
            pieces.append(" ")
            continue
        raw = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), match.group(1))
        pieces.append(re.sub(r"\\(.)", r"\1", raw).encode("latin-1").decode("cp1252"))
    return " ".join("".join(pieces).split())


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def referral(record) -> Duty:
    """A medium-screened child's referral to children's services, which the arrest joined."""
    record(*AGENCIES, *_child())
    record(*EXPLOITED)
    record(ARREST)
    return Duty.objects.get(kind="childrens_services_referral")


def _screening(person_ref: str) -> Screening:
    return Screening.objects.filter(person__source_ref=person_ref).latest("screened_at", "id")


def test_the_referral_names_the_child_the_arrest_the_screening_and_the_rule(referral):
    assert referral.triggers.filter(event__source_ref="A1").exists()
    screening = _screening("KID")
    assert screening.level in ("medium", "high") and screening.indicators
    text = _text(documents.render_html(referral))

    assert "Referral to children's services (MASH)" in text
    assert "Jayden" in text and "O'Brien" in text and "JJ" in text
    assert "1 April 2010" in text
    assert "Arrest" in text and "Fri 7 Mar 2025, 18:00" in text
    assert "owed a debt" in text
    assert "12 Acacia Avenue, Blackpool" in text and "FY1 1AA" in text
    assert "Highfield Academy" in text
    assert f"Level {screening.get_level_display()}" in text
    for fired in screening.indicators:
        assert fired["title"] in text
        assert fired["reason"] in text
    rule = next(r for r in duty_rules.current().rules if r.id == "referral-arrested-child")
    assert _words(rule.citation) in text
    assert "OFFICIAL-SENSITIVE" in text


def test_the_html_is_self_contained(referral):
    page = documents.render_html(referral)
    assert "<script" not in page.lower()
    assert not re.search(r"\b(src|href)=|url\(|@import|https?://", page)
    assert "@page" in page and "A4" in page


def test_the_column_widths_are_classes_of_its_own_style_block(referral):
    # The page's policy allows the <style> block by its hash, and no style="" attribute.
    page = documents.render_html(referral)
    assert not re.search(r"\sstyle\s*=", page, re.IGNORECASE)
    [style] = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    columns = re.findall(r'<col class="w(\d+)">', page)
    assert columns
    for width in set(columns):
        assert f"col.w{width} {{ width: {width}%; }}" in style


def test_the_pdf_holds_the_same_key_facts_marked_and_numbered(referral):
    assert documents.render_pdf(referral).startswith(b"%PDF")
    pdf = documents.render_pdf(referral, compress=False)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    screening = _screening("KID")
    assert "Jayden" in text and "O'Brien" in text
    assert "1 April 2010" in text
    assert "Arrest" in text and "Fri 7 Mar 2025, 18:00" in text
    assert f"Level {screening.get_level_display()}" in text
    for fired in screening.indicators:
        assert fired["title"] in text
        assert _words(fired["reason"]) in text
    rule = next(r for r in duty_rules.current().rules if r.id == "referral-arrested-child")
    assert _words(rule.citation) in text
    pages = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert text.count("OFFICIAL-SENSITIVE") >= 2 * pages


# -- Duty to Notify: anonymous -----------------------------------------------------------


@pytest.fixture
def notification(record) -> Duty:
    """An adult who refused an NRM referral, living at a cuckooed flat that was raided."""
    record(
        *AGENCIES,
        {
            "type": "location",
            "agency": "lancs",
            "ref": "FLAT",
            "kind": "cuckooed_address",
            "address": "Flat 3, 40 Talbot Road, Blackpool",
            "postcode": "FY1 3AB",
            "force_area": "lancashire",
            "local_authority": "E06000009",
        },
        {
            "type": "person",
            "agency": "lancs",
            "ref": "ADULT",
            "given_name": "Marcus",
            "family_name": "Webb",
            "date_of_birth": "1990-06-15",
            "sex": "male",
        },
        _link("L1", "lives_at", "ADULT", "FLAT"),
    )
    record(
        _event(
            "R1",
            "raid",
            "2025-03-07T06:00:00Z",
            ("ADULT", "resident"),
            location="FLAT",
            summary="Marcus Webb (born 15/06/1990) says a Liverpool line took over 40 Talbot Road.",
        )
    )
    adult = Person.objects.get(source_ref="ADULT")
    raid = Event.objects.get(source_ref="R1")
    rescreen({adult.pk: raid.occurred_at})
    assert _screening("ADULT").indicators
    at = datetime(2025, 3, 8, 10, 0, tzinfo=UTC)
    duty = Duty.objects.create(
        kind="duty_to_notify",
        person=adult,
        agency=Agency.objects.get(code="lancs"),
        receiver=Agency.objects.get(code="sca"),
        rule="nrm-or-notify-cuckooed-resident",
        rules_version=duty_rules.current().label,
        opened_at=at,
        started_at=at,
        due_at=at,
    )
    Trigger.objects.create(duty=duty, key="t", rule=duty.rule, event=raid, at=raid.occurred_at)
    Transition.objects.create(
        duty=duty,
        to_state="draft",
        at=at,
        by_name="PC Jones",
        reason="Marcus Webb refused consent to an NRM referral",
    )
    return duty


IDENTIFYING = ("Marcus", "Webb", "1990", "15 June", "Talbot", "Flat 3", "FY1 3AB", "FY13AB")


@pytest.mark.parametrize("shared", [[], ["events", "screening"]])
def test_a_duty_to_notify_has_no_name_birth_date_or_address_but_has_the_indicators(
    notification, shared
):
    Duty.objects.filter(pk=notification.pk).update(shared=shared)
    screening = _screening("ADULT")
    for text in (
        _text(documents.render_html(notification)),
        _pdf_text(documents.render_pdf(notification, compress=False)),
    ):
        assert "Duty to Notify (anonymous)" in text
        assert [w for w in IDENTIFYING if w.lower() in text.lower()] == []
        assert "Age now" in text
        assert "Raid (search warrant executed)" in text and "Cuckooed address" in text
        assert "took over" in text
        for fired in screening.indicators:
            assert fired["title"] in text
            assert _words(fired["reason"]) in text


# -- what is shared ----------------------------------------------------------------------


def test_only_the_shared_groups_appear(referral):
    Duty.objects.filter(pk=referral.pk).update(shared=["screening"])
    screening = _screening("KID")
    for text in (
        _text(documents.render_html(referral)),
        _pdf_text(documents.render_pdf(referral, compress=False)),
    ):
        for withheld in ("Jayden", "O'Brien", "JJ", "1 April 2010", "Acacia", "Highfield"):
            assert withheld not in text
        assert "Mixed White" not in text
        assert "What happened" not in text and "History of this referral" not in text
        for fired in screening.indicators:
            assert fired["title"] in text


def test_the_history_is_shared_when_asked(referral):
    Duty.objects.filter(pk=referral.pk).update(shared=["history"])
    text = _text(documents.render_html(referral))
    assert "History of this referral" in text and "Opened as Draft" in text
    assert "Jayden" not in text


def test_an_unknown_group_is_refused_by_name(referral):
    Duty.objects.filter(pk=referral.pk).update(shared=["identity", "dna", "bank_details"])
    with pytest.raises(ValueError, match="bank_details, dna"):
        documents.referral_facts(referral)
    with pytest.raises(ValueError, match="bank_details, dna"):
        documents.render_pdf(referral)


def test_a_kind_without_a_document_is_refused(referral):
    Duty.objects.filter(pk=referral.pk).update(kind="appropriate_adult")
    with pytest.raises(ValueError, match="no document is made for a duty of kind"):
        documents.render_html(referral)


# -- printed as written ------------------------------------------------------------------


def test_markup_in_a_name_is_printed_as_text(record):
    record(*AGENCIES, *_child("O'Brien <script>alert(1)</script>"))
    record(ARREST)
    duty = Duty.objects.get(kind="childrens_services_referral")
    page = documents.render_html(duty)
    assert "<script" not in page
    assert "O&#x27;Brien &lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = _pdf_text(documents.render_pdf(duty, compress=False))
    assert "O'Brien <script>alert(1)</script>" in text


def test_the_number_of_queries_does_not_grow_with_the_record(record):
    record(*AGENCIES, *_child())
    record(ARREST)
    duty = Duty.objects.get(kind="childrens_services_referral")
    Duty.objects.filter(pk=duty.pk).update(shared=list(documents.GROUPS))
    with CaptureQueriesContext(connection) as one:
        documents.referral_facts(duty)
    record(*EXPLOITED)
    record(_event("A2", "arrest", "2025-03-09T18:00:00Z", ("KID", "suspect")))
    assert duty.triggers.count() > 3
    with CaptureQueriesContext(connection) as many:
        facts = documents.referral_facts(duty)
    assert facts.screening is not None and facts.screening.indicators
    assert len(many) <= len(one) + 1  # the evidence links, read once, if any
    assert len(many) <= 10


def test_the_groups_a_document_knows_are_the_groups_the_rules_may_share():
    from typing import get_args

    assert set(documents.GROUPS) == set(get_args(duty_rules.ShareGroup))
