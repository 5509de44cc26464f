"""Turn the world's happenings into intake records, in the order intake needs them.

Each agency keeps its own records: the first time an agency meets an individual it makes a
Person record of its own (with its own spelling), and the first time a place is named its
owner records it. The ledger writes every dependency into its buffer before the record that
names it, so the stream it yields never refers forward.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from safeguard.demo.noise import Misspeller, recorded_dob, recorded_name
from safeguard.demo.population import Handset, Individual, Place
from safeguard.demo.scenario import Noise
from safeguard.intake.schema import (
    EventIn,
    ItemIn,
    LinkIn,
    LocationIn,
    NameIn,
    ObjectIn,
    ParticipantIn,
    PersonIn,
    PhoneIn,
    RefTo,
    SourceIn,
)
from safeguard.records import vocabulary as v

# Letters in source refs, by record type: MER-P-000123 is Merseyside's person 123.
_LETTERS = {"person": "P", "phone": "PH", "location": "L", "item": "I", "event": "E", "link": "K"}

Endpoint = Individual | Handset | Place
ObjectSpec = tuple[RefTo | Handset, Individual | None, v.ObjectRole]


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
    ):
        self.rng = rng
        self.home_of = home_of
        self.noise = noise
        self.misspell = misspell
        self.police = frozenset(police)
        self._prefixes = prefixes
        self._agencies = {prefix: agency for agency, prefix in prefixes.items()}
        self._counters: dict[tuple[str, str], int] = {}
        self.out: list[SourceIn] = []
        self.events = 0

    def drain(self) -> list[SourceIn]:
        """Return and forget the buffered records."""
        out, self.out = self.out, []
        return out

    def agency_of(self, ref: str) -> str:
        """Return the code of the agency that issued `ref`."""
        return self._agencies[ref.split("-", 1)[0]]

    def held(self, who: Individual, agency: str) -> str | None:
        """Return the agency's latest person ref for `who`, if it has one."""
        mark = self._prefixes[agency] + "-"
        return next((r for r in reversed(who.records or ()) if r.startswith(mark)), None)

    def ref(self, agency: str, kind: str) -> str:
        """Return the agency's next source ref for a record type."""
        key = (agency, kind)
        n = self._counters.get(key, 0) + 1
        self._counters[key] = n
        return f"{self._prefixes[agency]}-{_LETTERS[kind]}-{n:06d}"

    # -- entities -------------------------------------------------------------------------

    def place(self, place: Place) -> RefTo:
        """Return the place's record, made by its owner the first time it is named."""
        if place.ref is None:
            place.ref = self.ref(place.owner, "location")
            self.out.append(
                LocationIn(
                    agency=place.owner,
                    ref=place.ref,
                    kind=place.kind,
                    name=place.name,
                    address=place.address,
                    postcode=place.postcode,
                    latitude=place.lat,
                    longitude=place.lon,
                    force_area=place.force_area,
                    local_authority=place.local_authority,
                )
            )
            # The record now holds the address; a large world keeps only what it reuses.
            place.address = place.postcode = ""
        return RefTo(agency=place.owner, ref=place.ref)

    def person(self, who: Individual, agency: str, *, fresh: bool = False) -> RefTo:
        """Return the agency's record of `who`, making one the first time they meet.

        A new record comes with a lives_at link to the person's home. With `fresh`, the
        agency may (by the noise setting) miss its earlier record and make a second one, as
        busy record systems do.
        """
        held = self.held(who, agency)
        if held and not (fresh and self.rng.random() < self.noise.second_record):
            return RefTo(agency=agency, ref=held)
        ref = self.ref(agency, "person")
        given, family = recorded_name(self.rng, self.noise, self.misspell, who.given, who.family)
        dob, precision = recorded_dob(self.rng, self.noise, who.dob)
        # The principal flag (first) is what brought the person to notice; the others an
        # agency may or may not know.
        flags = tuple(
            f
            for i, f in enumerate(who.flags)
            if i == 0 or self.rng.random() < self.noise.flag_recorded
        )
        other_names: tuple[NameIn, ...] = ()
        if who.nickname and agency in self.police and self.rng.random() < self.noise.nickname:
            other_names = (NameIn(kind=v.NameKind.NICKNAME, given_name=who.nickname),)
        self.out.append(
            PersonIn(
                agency=agency,
                ref=ref,
                given_name=given,
                family_name=family,
                date_of_birth=dob,
                dob_precision=precision,
                sex=who.sex,
                flags=flags,
                other_names=other_names,
            )
        )
        if who.records is None:
            who.records = []
        who.records.append(ref)
        record = RefTo(agency=agency, ref=ref)
        home = self.home_of(who)
        if home is not None:
            self.link(agency, v.LinkKind.LIVES_AT, record, self.place(home))
        return record

    def phone(self, handset: Handset, agency: str, *, known_deal_line: bool = True) -> RefTo:
        """Return the agency's record of a phone, making it the first time the agency sees it."""
        ref = handset.records.get(agency)
        if ref is None:
            ref = handset.records[agency] = self.ref(agency, "phone")
            deal = handset.deal_line and known_deal_line
            self.out.append(
                PhoneIn(
                    agency=agency,
                    ref=ref,
                    number=handset.number,
                    is_deal_line=deal,
                    line_name=handset.line_name if deal else "",
                )
            )
        return RefTo(agency=agency, ref=ref)

    def item(self, agency: str, kind: v.ItemKind, description: str, **attributes: object) -> RefTo:
        """Record a new object (drugs, cash, ticket, weapon) and return its ref."""
        ref = self.ref(agency, "item")
        self.out.append(
            ItemIn(
                agency=agency, ref=ref, kind=kind, description=description, attributes=attributes
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
    ) -> RefTo:
        """Record an event with its people and objects; return its ref."""
        location = self.place(place) if place is not None else None
        participants, seen = [], set()
        for who, role in people:
            record = self.person(who, agency, fresh=True)
            if (record.ref, role) not in seen:
                seen.add((record.ref, role))
                participants.append(ParticipantIn(person=record, role=role))
        object_ins = []
        for target, holder, role in objects:
            holder_ref = None if holder is None else self.person(holder, agency)
            if isinstance(target, Handset):
                object_ins.append(
                    ObjectIn(phone=self.phone(target, agency), holder=holder_ref, role=role)
                )
            else:
                object_ins.append(ObjectIn(item=target, holder=holder_ref, role=role))
        ref = self.ref(agency, "event")
        self.out.append(
            EventIn(
                agency=agency,
                ref=ref,
                kind=kind,
                occurred_at=when,
                ended_at=ended_at,
                location=location,
                summary=summary,
                grading=grading,
                attributes=attributes or {},
                participants=tuple(participants),
                objects=tuple(object_ins),
            )
        )
        self.events += 1
        return RefTo(agency=agency, ref=ref)

    def link(
        self,
        agency: str,
        kind: v.LinkKind,
        source: RefTo,
        target: RefTo,
        *,
        valid_from: date | None = None,
        valid_to: date | None = None,
        count: int | None = None,
        confidence: float = 1.0,
        event: RefTo | None = None,
        note: str = "",
    ) -> RefTo:
        """Record a link between two records already in the stream; return its ref."""
        want_from, want_to = v.LINK_ENDPOINTS[kind]
        ref = self.ref(agency, "link")
        self.out.append(
            LinkIn(
                agency=agency,
                ref=ref,
                kind=kind,
                valid_from=valid_from,
                valid_to=valid_to,
                count=count,
                confidence=confidence,
                event=event,
                note=note,
                **{f"from_{want_from}": source, f"to_{want_to}": target},
            )
        )
        return RefTo(agency=agency, ref=ref)
