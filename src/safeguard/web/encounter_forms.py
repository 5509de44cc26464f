"""The encounter form: what an officer records about an encounter, checked field by field.

The fields are the facts the screening catalogue (screening/cce_county_lines.yaml) and the
duty rules (safeguarding/duties.yaml) read of a police encounter, so that what the officer
saw can make them fire: the kind of encounter; where (the kind of place, the police force
area: found out of area, trap houses); the child's home (its force area and local
authority: out of area, and the MASH the referral goes to); what was found on the child
(drugs, cash, a weapon, phones: two or more is a sign); older people present (their age at
the encounter); who reported a missing child (a carer: leaving care); vulnerabilities
known of a new child (flags). EncounterForm checks them; web.encounter_records turns them
into intake's records (intake.schema), which intake validates again on the way in.
"""

import re
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms

from safeguard.clock import now
from safeguard.intake.schema import UK
from safeguard.records import vocabulary as v
from safeguard.records.ages import ADULT_AGE, age_on
from safeguard.records.models import Agency, Person
from safeguard.web.dates import read_date, read_moment

KINDS = [
    (k.value, k.label)
    for k in (
        v.EventKind.STOP_SEARCH,
        v.EventKind.ARREST,
        v.EventKind.MISSING_EPISODE,
        v.EventKind.FOUND_OUT_OF_AREA,
    )
]
# Who reported a missing child: "carer" (a children's home or foster carer) is the sign
# "leaving care without explanation" (the leaving-care indicator reads reported_by).
REPORTED_BY = [
    ("parent", "Parent or family"),
    ("carer", "Carer (children's home or foster carer)"),
    ("school", "School"),
    ("other", "Someone else"),
]
_FIRST_PLACES = (v.LocationKind.STREET, v.LocationKind.STATION, v.LocationKind.TRAIN)
PLACE_KINDS = [(k.value, k.label) for k in _FIRST_PLACES] + [
    (k.value, k.label) for k in v.LocationKind if k not in _FIRST_PLACES
]
HOME_KINDS = [
    (v.LocationKind.HOME.value, "A family home"),
    (v.LocationKind.CARE_HOME.value, "A children's home or care placement"),
]
# Flags a force may know of a child (vulnerability factors of the catalogue); "vulnerable
# adult" is not one of a child's.
CHILD_FLAGS = [(f.value, f.label) for f in v.PersonFlag if f != v.PersonFlag.VULNERABLE_ADULT]
FOUND = [
    ("drugs", "Drugs"),
    ("cash", "Cash"),
    ("weapon", "A weapon"),
    ("phones", "Phones or SIM cards"),
]
DRUG_CLASSES = [("A", "Class A"), ("B", "Class B"), ("C", "Class C")]
DRUG_UNITS = [("wraps", "wraps"), ("g", "grams"), ("tablets", "tablets"), ("kg", "kilograms")]
DRUG_UNITS += [("ml", "millilitres")]
WEAPONS = [
    ("knife", "Knife or bladed article"),
    ("firearm", "Firearm"),
    ("imitation_firearm", "Imitation firearm"),
    ("corrosive", "Corrosive substance"),
    ("blunt", "Blunt weapon"),
    ("other", "Other weapon"),
]
OTHERS = (1, 2)  # other people present: rows on the form
MAX_PHONES = 10

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ?([0-9][A-Z]{2}))?$")
_PHONE = re.compile(r"^\+?[0-9]{5,31}$")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _text(max_length: int = 500, **kwargs) -> forms.CharField:
    return forms.CharField(required=False, max_length=max_length, **kwargs)


def _choice(choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(required=False, choices=[("", "")] + list(choices), **kwargs)


class EncounterForm(forms.Form):
    """What the officer enters; `person` is the existing child chosen, or None for a new one."""

    token = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=KINDS, error_messages={"required": "Select what kind of encounter it was"}
    )
    when_day = _text(2)
    when_month = _text(2)
    when_year = _text(4)
    when_time = _text(8)
    offence = _text(300)
    reported_by = _choice(REPORTED_BY)

    place_kind = forms.ChoiceField(
        choices=PLACE_KINDS, error_messages={"required": "Select what kind of place it was"}
    )
    place_name = _text()
    place_postcode = _text(16)
    place_force = forms.ChoiceField(
        choices=(), error_messages={"required": "Select the police force area it was in"}
    )

    given_name = _text()
    family_name = _text()
    dob_day = _text(2)
    dob_month = _text(2)
    dob_year = _text(4)
    sex = _choice(v.Sex.choices)
    flags = forms.MultipleChoiceField(required=False, choices=CHILD_FLAGS)

    home_kind = _choice(HOME_KINDS)
    home_address = _text()
    home_postcode = _text(16)
    home_force = _choice(())
    home_la = _choice(())

    found = forms.MultipleChoiceField(required=False, choices=FOUND)
    drugs_class = _choice(DRUG_CLASSES)
    drugs_substance = _text(200)
    drugs_quantity = _text(12)
    drugs_unit = _choice(DRUG_UNITS)
    cash_amount = _text(16)
    weapon_type = _choice(WEAPONS)
    phone_numbers = _text(2000)

    other1_given_name = _text()
    other1_family_name = _text()
    other1_age = _text(3)
    other2_given_name = _text()
    other2_family_name = _text()
    other2_age = _text(3)

    summary = _text(100_000)

    def __init__(self, *args, person: Person | None = None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.person = person
        forces = list(
            Agency.objects.filter(kind=v.AgencyKind.POLICE_FORCE)
            .order_by("name")
            .values_list("code", "name")
        )
        authorities = list(
            Agency.objects.filter(kind=v.AgencyKind.CHILDRENS_SERVICES)
            .exclude(area_code="")
            .order_by("name")
            .values_list("area_code", "name")
        )
        self.fields["place_force"].choices = forces
        self.fields["home_force"].choices = [("", "Not known")] + forces
        self.fields["home_la"].choices = [("", "Not known")] + authorities
        self.when: datetime | None = None
        self.date_of_birth: date | None = None
        # What the checks read out of the text typed, for encounter_records.
        self.ages: dict[int, int] = {}  # other person (1, 2) -> age
        self.numbers: list[str] = []  # phone numbers, without spaces
        self.quantity: Decimal | None = None  # of drugs
        self.pence: int | None = None  # cash

    # -- checks --------------------------------------------------------------------------

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not _TOKEN.match(token):
            raise forms.ValidationError("The form has expired: open it again")
        return token

    def clean_place_postcode(self) -> str:
        return _postcode(self.cleaned_data["place_postcode"])

    def clean_home_postcode(self) -> str:
        return _postcode(self.cleaned_data["home_postcode"])

    def clean(self) -> dict:
        data = super().clean()
        self._check_when(data)
        self._check_child(data)
        if not data.get("place_name", "").strip() and not data.get("place_postcode"):
            self.add_error("place_name", "Enter a postcode or describe the place")
        self._check_found(data)
        for i in OTHERS:
            self._check_other(data, i)
        return data

    def _check_when(self, data: dict) -> None:
        moment = read_moment(data, "when", "the encounter", self)
        if moment is None:
            return
        if moment > now():
            self.add_error("when_day", "The date and time of the encounter must be in the past")
            return
        self.when = moment

    def _check_child(self, data: dict) -> None:
        if self.person is not None:
            dob = self.person.date_of_birth
            if self.when is not None and dob is not None:
                self._check_age(dob, "when_day", "the encounter must be after their birth")
            return
        if not data.get("given_name", "").strip() and not data.get("family_name", "").strip():
            self.add_error("given_name", "Enter the child's name")
        dob = read_date(data, "dob", "the child's date of birth", self)
        if dob is None:
            return
        if dob > now().astimezone(UK).date():
            self.add_error("dob_day", "The child's date of birth must be in the past")
            return
        self.date_of_birth = dob
        if self.when is not None:
            self._check_age(dob, "dob_day", "the date of birth must be before the encounter")

    def _check_age(self, dob: date, field: str, before: str) -> None:
        day = self.when.astimezone(UK).date()
        if dob > day:
            self.add_error(field, before[0].upper() + before[1:])
        elif age_on(dob, day) >= ADULT_AGE:
            self.add_error(
                field,
                "The child must be under 18 on the date of the encounter: this form "
                "records encounters with children",
            )

    def _check_found(self, data: dict) -> None:
        found = set(data.get("found") or ())
        if "drugs" in found:
            if not data.get("drugs_class"):
                self.add_error("drugs_class", "Select the class of the drugs")
            quantity = data.get("drugs_quantity", "").strip()
            self.quantity = _decimal(quantity) if quantity else None
            if quantity and self.quantity is None:
                self.add_error("drugs_quantity", "Enter the quantity as a number, like 14")
        if "cash" in found:
            amount = data.get("cash_amount", "").strip()
            if not amount:
                self.add_error("cash_amount", "Enter how much cash was found")
            elif (pounds := _decimal(amount.removeprefix("£").replace(",", ""))) is None:
                self.add_error("cash_amount", "Enter the amount in pounds, like 420 or 420.50")
            else:
                self.pence = int((pounds * 100).to_integral_value())
        if "weapon" in found and not data.get("weapon_type"):
            self.add_error("weapon_type", "Select the kind of weapon")
        if "phones" in found:
            numbers = []
            for line in data.get("phone_numbers", "").splitlines():
                number = re.sub(r"[\s()-]", "", line)
                if number and number not in numbers:
                    numbers.append(number)
            if not numbers:
                self.add_error("phone_numbers", "Enter the number of each phone found")
            elif any(not _PHONE.match(n) for n in numbers):
                self.add_error(
                    "phone_numbers", "Enter phone numbers in digits, like 07700 900123, one a line"
                )
            elif len(numbers) > MAX_PHONES:
                self.add_error("phone_numbers", f"Enter at most {MAX_PHONES} phone numbers")
            else:
                self.numbers = numbers

    def _check_other(self, data: dict, i: int) -> None:
        given = data.get(f"other{i}_given_name", "").strip()
        family = data.get(f"other{i}_family_name", "").strip()
        age = data.get(f"other{i}_age", "").strip()
        if not (given or family or age):
            return
        if not age:
            self.add_error(f"other{i}_age", f"Enter the age of person {i}, an estimate will do")
        elif not age.isdigit() or not 0 < int(age) < 120:
            self.add_error(f"other{i}_age", f"Enter the age of person {i} in years, like 24")
        else:
            self.ages[i] = int(age)

    @property
    def event_ref(self) -> str:
        """The encounter's source ref: its token, so that a second submit is the same record."""
        return f"enc-{self.cleaned_data['token']}"


def new_token() -> str:
    """Return the token that names one encounter: a second submit of it records nothing new."""
    return uuid.uuid4().hex


# -- values ---------------------------------------------------------------------------------


def _postcode(text: str) -> str:
    """Return a postcode in capitals with one space (or an outward code alone), or refuse it."""
    compact = re.sub(r"\s+", "", text.upper())
    if not compact:
        return ""
    match = _POSTCODE.match(compact)
    if match is None:
        raise forms.ValidationError(
            "Enter a real postcode, like L4 0TH, or its first part, like L4"
        )
    return f"{match[1]} {match[2]}" if match[2] else match[1]


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
        return None
    return value
