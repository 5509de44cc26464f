"""The records an encounter makes: a valid encounter form turned into intake's records.

The event, with the child in the part the screening evidence asks for; the child, when new;
the place and the police force area it is in; the child's home and their lives_at link, when
given (dated the day of the encounter, so it is the home the referral and the screening go
by); what was found on the child (phones by their numbers, reusing the force's record of a
number it holds; drugs, cash and weapons as items); and the other people present, with a
date of birth estimated from their age. Every ref derives from the form's token, so a second
submit of the same form names the same records and records nothing new.
"""

from dataclasses import dataclass
from datetime import date

from safeguard.intake.schema import (
    UK,
    EventIn,
    ItemIn,
    LinkIn,
    LocationIn,
    PersonIn,
    PhoneIn,
    RefTo,
    SourceIn,
)
from safeguard.records import vocabulary as v
from safeguard.records.models import Phone
from safeguard.web.encounter_forms import EncounterForm

# The child's part in each kind of encounter: the roles the screening evidence asks for
# (a search or arrest "found out of area" counts for a suspect or subject).
CHILD_ROLE = {
    v.EventKind.STOP_SEARCH: v.Role.SUBJECT,
    v.EventKind.ARREST: v.Role.SUSPECT,
    v.EventKind.MISSING_EPISODE: v.Role.MISSING_PERSON,
    v.EventKind.FOUND_OUT_OF_AREA: v.Role.SUBJECT,
}


@dataclass(frozen=True)
class Encounter:
    """The event, and the records it names that are recorded with it (before it)."""

    event: EventIn
    with_records: list[SourceIn]


def records(form: EncounterForm, agency: str) -> Encounter:
    """Return the intake records a valid encounter form makes, for the officer's agency."""
    return _Builder(form, agency).build()


class _Builder:
    """Turns a valid form into the event and the records it names."""

    def __init__(self, form: EncounterForm, agency: str):
        self.form, self.data, self.agency = form, form.cleaned_data, agency
        self.ref = form.event_ref
        self.records: list[SourceIn] = []

    def _ref(self, ref: str) -> RefTo:
        return RefTo(agency=self.agency, ref=ref)

    def build(self) -> Encounter:
        data, kind = self.data, self.data["kind"]
        child = self._child()
        participants = [{"person": child, "role": CHILD_ROLE[kind]}]
        participants += [{"person": p, "role": v.Role.ASSOCIATE} for p in self._others()]
        attributes = {}
        if kind == v.EventKind.ARREST and data.get("offence", "").strip():
            attributes["offence"] = data["offence"].strip()
        if kind == v.EventKind.MISSING_EPISODE and data.get("reported_by"):
            attributes["reported_by"] = data["reported_by"]
        event = EventIn(
            agency=self.agency,
            ref=self.ref,
            kind=kind,
            occurred_at=self.form.when,
            location=self._place(),
            summary=data.get("summary", ""),
            attributes=attributes,
            participants=participants,
            objects=self._found(child),
        )
        self._home(child)
        return Encounter(event=event, with_records=self.records)

    def _child(self) -> RefTo:
        person = self.form.person
        if person is not None:
            return RefTo(agency=person.agency.code, ref=person.source_ref)
        data = self.data
        self.records.append(
            PersonIn(
                agency=self.agency,
                ref=f"{self.ref}-child",
                given_name=data["given_name"].strip(),
                family_name=data["family_name"].strip(),
                date_of_birth=self.form.date_of_birth,
                sex=data.get("sex") or v.Sex.UNKNOWN,
                flags=tuple(data.get("flags") or ()),
            )
        )
        return self._ref(f"{self.ref}-child")

    def _others(self) -> list[RefTo]:
        day = self.form.when.astimezone(UK).date()
        refs = []
        for i, age in sorted(self.form.ages.items()):
            ref = f"{self.ref}-other-{i}"
            self.records.append(
                PersonIn(
                    agency=self.agency,
                    ref=ref,
                    given_name=self.data[f"other{i}_given_name"].strip(),
                    family_name=self.data[f"other{i}_family_name"].strip(),
                    date_of_birth=_years_before(day, age),
                    dob_precision=v.DobPrecision.ESTIMATED,
                )
            )
            refs.append(self._ref(ref))
        return refs

    def _place(self) -> RefTo:
        data = self.data
        ref = f"{self.ref}-place"
        self.records.append(
            LocationIn(
                agency=self.agency,
                ref=ref,
                kind=data["place_kind"],
                name=data.get("place_name", "").strip(),
                postcode=data.get("place_postcode", ""),
                force_area=data["place_force"],
            )
        )
        return self._ref(ref)

    def _home(self, child: RefTo) -> None:
        data = self.data
        given = [data.get(f"home_{k}", "") for k in ("address", "postcode", "force", "la")]
        if not any(x.strip() for x in given):
            return
        ref = f"{self.ref}-home"
        self.records.append(
            LocationIn(
                agency=self.agency,
                ref=ref,
                kind=data.get("home_kind") or v.LocationKind.HOME,
                address=data.get("home_address", "").strip(),
                postcode=data.get("home_postcode", ""),
                force_area=data.get("home_force", ""),
                local_authority=data.get("home_la", ""),
            )
        )
        self.records.append(
            LinkIn(
                agency=self.agency,
                ref=f"{self.ref}-lives-at",
                kind=v.LinkKind.LIVES_AT,
                from_person=child,
                to_location=self._ref(ref),
                valid_from=self.form.when.astimezone(UK).date(),
                event=self._ref(self.ref),
            )
        )

    def _found(self, child: RefTo) -> list[dict]:
        data, found = self.data, set(self.data.get("found") or ())
        objects = []
        for number in self.form.numbers:
            objects.append(
                {"phone": self._phone(number), "holder": child, "role": v.ObjectRole.CARRIED}
            )
        # Drugs and weapons found are always seized; cash and phones are recorded as
        # carried (whether they were kept is not asked here).
        if "drugs" in found:
            quantity = self.form.quantity
            attributes = {"drug_class": data["drugs_class"]}
            if data.get("drugs_substance", "").strip():
                attributes["substance"] = data["drugs_substance"].strip()
            if quantity is not None:
                attributes["quantity"] = float(quantity)
                attributes["unit"] = data.get("drugs_unit") or "g"
            objects.append(self._item("drugs", attributes, child, v.ObjectRole.SEIZED))
        if "cash" in found:
            cash = {"amount_pence": self.form.pence}
            objects.append(self._item("cash", cash, child, v.ObjectRole.CARRIED))
        if "weapon" in found:
            attributes = {"weapon_type": data["weapon_type"]}
            objects.append(self._item("weapon", attributes, child, v.ObjectRole.SEIZED))
        return objects

    def _item(self, kind: str, attributes: dict, holder: RefTo, role: str) -> dict:
        ref = f"{self.ref}-{kind}"
        self.records.append(ItemIn(agency=self.agency, ref=ref, kind=kind, attributes=attributes))
        return {"item": self._ref(ref), "holder": holder, "role": role}

    def _phone(self, number: str) -> RefTo:
        """The force's record of this number if it has one, else a new one named by it."""
        known = (
            Phone.objects.filter(agency__code=self.agency, number=number)
            .order_by("id")
            .values_list("source_ref", flat=True)
            .first()
        )
        if known is not None:
            return self._ref(known)
        ref = f"phone-{number}"
        if not any(r.ref == ref for r in self.records):
            self.records.append(PhoneIn(agency=self.agency, ref=ref, number=number))
        return self._ref(ref)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
