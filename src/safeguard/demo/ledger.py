"""Turn the world's happenings into intake records, in the order intake needs them.

Each agency keeps its own records: the first time an agency meets an individual it makes a
Person record of its own (with its own spelling), and the first time a place is named its
owner records it. The ledger writes every dependency into its buffer before the record that
names it, so the stream it yields never refers forward.

Every record is validated by its intake model, as intake requires; the ledger only avoids
paying for validation twice. References inside an event are given as plain
{"agency", "ref"} data, validated once as part of the event, rather than as RefTo and
ParticipantIn models built first and thrown away; a field left at its default is not
passed (a default needs no validation, and the record is the same); and a place that many
events name (a street, a station, a school) keeps its one validated RefTo.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from safeguard.demo.noise import Misspeller, recorded_dob, recorded_ethnicity, recorded_name
from safeguard.demo.population import Handset, Individual, Place
from safeguard.demo.scenario import Noise
from safeguard.intake.schema import (
    ChargingReviewIn,
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
from safeguard.records.ages import ADULT_AGE, age_on

# Letters in source refs, by record type: MER-P-000123 is Merseyside's person 123.
_LETTERS = {
    "person": "P",
    "phone": "PH",
    "location": "L",
    "item": "I",
    "event": "E",
    "link": "K",
    "charging_review": "CR",
}
# The endpoint fields of each kind of link: LIVES_AT joins from_person to to_location.
_ENDS = {kind: (f"from_{a}", f"to_{b}") for kind, (a, b) in v.LINK_ENDPOINTS.items()}

Endpoint = Individual | Handset | Place
ObjectSpec = tuple[RefTo | Handset, Individual | None, v.ObjectRole]
# A reference as an intake model takes it: a validated RefTo, or {"agency", "ref"} data
# that the model validates.
RefData = RefTo | dict[str, str]
EventRef = dict[str, str]  # what Ledger.event returns: {"agency", "ref"}


def _validator(model: type[SourceIn]) -> Callable[[dict], SourceIn]:
    """Return model.model_validate without its Python wrapper.

    `__pydantic_validator__` (documented on every pydantic model) is the validator that
    model_validate and the model's constructor call: the same validation, called directly,
    which saves a Python frame and keyword handling per record (a few per cent of the time
    of a large world).
    """
    return model.__pydantic_validator__.validate_python


_LOCATION, _PERSON, _PHONE, _ITEM, _EVENT, _LINK, _REVIEW = map(
    _validator, (LocationIn, PersonIn, PhoneIn, ItemIn, EventIn, LinkIn, ChargingReviewIn)
)


class Ledger:
    """Allocate stable refs, make each agency's records when first needed, buffer the output."""

    def __init__(
        self,
        rng: random.Random,
        prefixes: dict[str, str],
        noise: Noise,
        misspell: Misspeller,
        home_of: Callable[[Individual], Place | None],
        police: Iterable[str],
        ethnicity_rng: random.Random,
    ):
        self.rng = rng
        # Whether a record leaves ethnicity blank is drawn from a source of its own, so the
        # world's other draws are the same with or without ethnicity.
        self.ethnicity_rng = ethnicity_rng
        self.home_of = home_of
        self.noise = noise
        self.misspell = misspell
        self.police = frozenset(police)
        self._agencies = {prefix: agency for agency, prefix in prefixes.items()}
        self._marks = {agency: f"{prefix}-" for agency, prefix in prefixes.items()}
        # Per record type: the count so far and the ref stem ("MER-P-") of each agency.
        self._counts: dict[str, dict[str, int]] = {kind: {} for kind in _LETTERS}
        self._stems = {
            kind: {agency: f"{prefix}-{letter}-" for agency, prefix in prefixes.items()}
            for kind, letter in _LETTERS.items()
        }
        self._shared: dict[str, RefTo] = {}  # refs of the places many records name
        self.out: list[SourceIn] = []
        self.events = 0
        # The recorded date of birth of each police person record: what the system will take
        # a person's age from, which noise may set apart from their true one.
        self._police_dobs: dict[str, date | None] = {}

    def drain(self) -> list[SourceIn]:
        """Return and forget the buffered records."""
        out, self.out = self.out, []
        return out

    def agency_of(self, ref: str) -> str:
        """Return the code of the agency that issued `ref`."""
        return self._agencies[ref.split("-", 1)[0]]

    def held(self, who: Individual, agency: str) -> str | None:
        """Return the agency's latest person ref for `who`, if it has one."""
        if who.records:
            mark = self._marks[agency]
            for ref in reversed(who.records):
                if ref.startswith(mark):
                    return ref
        return None

    def ref(self, agency: str, kind: str) -> str:
        """Return the agency's next source ref for a record type."""
        counts = self._counts[kind]
        n = counts[agency] = counts.get(agency, 0) + 1
        return f"{self._stems[kind][agency]}{n:06d}"

    # -- entities -------------------------------------------------------------------------

    def place(self, place: Place) -> RefTo:
        """Return the place's record, made by its owner the first time it is named."""
        ref = self._location(place)
        return ref if isinstance(ref, RefTo) else RefTo(**ref)

    def _location(self, place: Place) -> RefData:
        """Return a reference to the place's record, writing the record the first time."""
        if place.ref is None:
            place.ref = self.ref(place.owner, "location")
            self.out.append(
                _LOCATION(
                    {
                        "agency": place.owner,
                        "ref": place.ref,
                        "kind": place.kind,
                        "name": place.name,
                        "address": place.address,
                        "postcode": place.postcode,
                        "latitude": place.lat,
                        "longitude": place.lon,
                        "force_area": place.force_area,
                        "local_authority": place.local_authority,
                    }
                )
            )
            # The record now holds the address; a large world keeps only what it reuses.
            place.address = place.postcode = ""
        if not place.shared:
            return {"agency": place.owner, "ref": place.ref}
        ref = self._shared.get(place.ref)
        if ref is None:
            ref = self._shared[place.ref] = RefTo(agency=place.owner, ref=place.ref)
        return ref

    def person(self, who: Individual, agency: str, *, fresh: bool = False) -> RefTo:
        """Return the agency's record of `who`, making one the first time they meet.

        A new record comes with a lives_at link to the person's home. With `fresh`, the
        agency may (by the noise setting) miss its earlier record and make a second one, as
        busy record systems do.
        """
        return RefTo(agency=agency, ref=self._person(who, agency, fresh))

    def _person(self, who: Individual, agency: str, fresh: bool) -> str:
        """Return the ref of the agency's record of `who` (see person())."""
        rng, noise = self.rng, self.noise
        held = self.held(who, agency)
        if held and not (fresh and rng.random() < noise.second_record):
            return held
        ref = self.ref(agency, "person")
        given, family = recorded_name(rng, noise, self.misspell, who.given, who.family)
        dob, precision = recorded_dob(rng, noise, who.dob)
        record = {"agency": agency, "ref": ref, "given_name": given, "family_name": family}
        if dob is not None:
            record["date_of_birth"] = dob
        if precision != v.DobPrecision.EXACT:
            record["dob_precision"] = precision
        record["sex"] = who.sex
        if agency in self.police:
            self._police_dobs[ref] = dob
        ethnicity = recorded_ethnicity(self.ethnicity_rng, noise, who.ethnicity)
        if ethnicity:
            record["self_defined_ethnicity"] = ethnicity
        if who.flags:
            # The principal flag (first) is what brought the person to notice; the others an
            # agency may or may not know.
            record["flags"] = tuple(
                f for i, f in enumerate(who.flags) if i == 0 or rng.random() < noise.flag_recorded
            )
        if who.nickname and agency in self.police and rng.random() < noise.nickname:
            record["other_names"] = ({"kind": v.NameKind.NICKNAME, "given_name": who.nickname},)
        self.out.append(_PERSON(record))
        who.records = (*who.records, ref) if who.records else (ref,)
        home = self.home_of(who)
        if home is not None:
            location = self._location(home)
            self.out.append(
                _LINK(
                    {
                        "agency": agency,
                        "ref": self.ref(agency, "link"),
                        "kind": v.LinkKind.LIVES_AT,
                        "from_person": {"agency": agency, "ref": ref},
                        "to_location": location,
                    }
                )
            )
        return ref

    def phone(self, handset: Handset, agency: str, *, known_deal_line: bool = True) -> RefTo:
        """Return the agency's record of a phone, making it the first time the agency sees it."""
        ref = handset.records.get(agency)
        if ref is None:
            ref = handset.records[agency] = self.ref(agency, "phone")
            record = {"agency": agency, "ref": ref, "number": handset.number}
            if handset.deal_line and known_deal_line:
                record.update(is_deal_line=True, line_name=handset.line_name)
            self.out.append(_PHONE(record))
        return RefTo(agency=agency, ref=ref)

    def item(self, agency: str, kind: v.ItemKind, description: str, **attributes: object) -> RefTo:
        """Record a new object (drugs, cash, ticket, weapon) and return its ref."""
        ref = self.ref(agency, "item")
        self.out.append(
            _ITEM(
                {
                    "agency": agency,
                    "ref": ref,
                    "kind": kind,
                    "description": description,
                    "attributes": attributes,
                }
            )
        )
        return RefTo(agency=agency, ref=ref)

    # -- events and links -------------------------------------------------------------------

    def event(
        self,
        agency: str,
        kind: v.EventKind,
        when: datetime,
        *,
        place: Place | None = None,
        people: Sequence[tuple[Individual, v.Role]] = (),
        objects: Sequence[ObjectSpec] = (),
        summary: str = "",
        grading: str = "",
        attributes: dict | None = None,
        ended_at: datetime | None = None,
    ) -> EventRef:
        """Record an event with its people and objects; return its reference as data.

        The reference is {"agency", "ref"}, which a link's `event` takes as it is: most
        events are never linked to, so no RefTo is built for them.
        """
        record: dict = {"agency": agency, "kind": kind, "occurred_at": when}
        if place is not None:
            record["location"] = self._location(place)
        if people:
            participants, seen = [], set()
            for who, role in people:
                person = self._person(who, agency, True)
                if (person, role) not in seen:
                    seen.add((person, role))
                    participants.append({"person": {"agency": agency, "ref": person}, "role": role})
            record["participants"] = participants
        if objects:
            record["objects"] = [self._object(agency, *spec) for spec in objects]
        record["ref"] = ref = self.ref(agency, "event")
        if ended_at is not None:
            record["ended_at"] = ended_at
        if summary:
            record["summary"] = summary
        if grading:
            record["grading"] = grading
        if attributes:
            record["attributes"] = attributes
        self.out.append(_EVENT(record))
        self.events += 1
        return {"agency": agency, "ref": ref}

    def last_event_names_a_child(self) -> bool:
        """Return whether the last event's first participant was under 18 then, by the
        police record it names (as the system will count it, noise and all)."""
        event = self.out[-1]
        assert isinstance(event, EventIn) and event.participants
        dob = self._police_dobs.get(event.participants[0].person.ref)
        age = age_on(dob, event.occurred_at)
        return age is not None and age < ADULT_AGE

    def review_before_last_event(self, **fields: object) -> None:
        """Record a charging review of the last event's first participant, just before it.

        The review names the very person record the charge names (which may be a second
        record of the same child, made with the charge) and comes before the charge in the
        stream, as a review comes before the charge it authorises.
        """
        charge = self.out[-1]
        assert isinstance(charge, EventIn) and charge.participants
        person = charge.participants[0].person
        ref = self.ref(charge.agency, "charging_review")
        review = _REVIEW({"agency": charge.agency, "ref": ref, "person": person, **fields})
        self.out.insert(len(self.out) - 1, review)

    def _object(
        self, agency: str, target: RefTo | Handset, holder: Individual | None, role: v.ObjectRole
    ) -> dict:
        """Return an event's object as data, writing the holder's and phone's records first."""
        data: dict = {"role": role}
        if holder is not None:
            data["holder"] = {"agency": agency, "ref": self._person(holder, agency, False)}
        if isinstance(target, Handset):
            data["phone"] = self.phone(target, agency)
        else:
            data["item"] = target
        return data

    def link(
        self,
        agency: str,
        kind: v.LinkKind,
        source: RefData,
        target: RefData,
        *,
        valid_from: date | None = None,
        valid_to: date | None = None,
        count: int | None = None,
        confidence: float = 1.0,
        event: RefData | None = None,
        note: str = "",
    ) -> None:
        """Record a link between two records already in the stream."""
        from_field, to_field = _ENDS[kind]
        record = {
            "agency": agency,
            "ref": self.ref(agency, "link"),
            "kind": kind,
            from_field: source,
            to_field: target,
        }
        if valid_from is not None:
            record["valid_from"] = valid_from
        if valid_to is not None:
            record["valid_to"] = valid_to
        if count is not None:
            record["count"] = count
        if confidence != 1.0:
            record["confidence"] = confidence
        if event is not None:
            record["event"] = event
        if note:
            record["note"] = note
        self.out.append(_LINK(record))
