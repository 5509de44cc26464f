"""The typed description of what may enter the system: one model per POLE record type.

The same models validate form input, API bodies, POLE bundle lines and the demo world, so
there is one definition of a valid record (documented in docs/data-model.md). Text fields
accept anything printable a person might type, including markup and formula prefixes: it
is stored as given and escaped or neutralised on the way out.
"""

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from safeguard.records import vocabulary as v
from safeguard.safeguarding.vocabulary import Disposal, ReviewDecision

UK = ZoneInfo("Europe/London")

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
# A source reference is the recording agency's own id for the record: printable, no
# surrounding space (so " P1" and "P1" cannot be two records by accident).
SourceRef = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
Text = Annotated[str, StringConstraints(max_length=100_000)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
Grading = Annotated[str, StringConstraints(pattern=r"^([1-3]-[A-E]-[PC]|[A-E][1-5][1-5]?)?$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RefTo(Strict):
    """A reference to a record of another agency."""

    agency: Code
    ref: SourceRef


# In input, a reference is the source ref of a record of the same agency, or
# {"agency", "ref"}; once validated it is always a RefTo, so one record has one digest
# whichever way its references were written.
Ref = RefTo


def _expand(value: object, agency: object) -> object:
    return {"agency": agency, "ref": value} if isinstance(value, str) else value


def _expand_refs(
    data: object, fields: tuple[str, ...], nested: dict[str, tuple[str, ...]]
) -> object:
    """Turn same-agency string references in raw input into {"agency", "ref"}."""
    if not isinstance(data, dict) or "agency" not in data:
        return data
    agency = data["agency"]
    data = dict(data)
    for name in fields:
        if name in data:
            data[name] = _expand(data[name], agency)
    for name, inner in nested.items():
        if isinstance(data.get(name), list | tuple):
            data[name] = [
                {**e, **{k: _expand(e[k], agency) for k in inner if k in e}}
                if isinstance(e, dict)
                else e
                for e in data[name]
            ]
    return data


def _sorted_keys(value: object) -> object:
    """Return JSON-like data with every object's keys in sorted order."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def _utc(value: datetime) -> datetime:
    # Police systems record local time: a time without an offset is UK local time. Stored
    # and compared in UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UK)
    return value.astimezone(UTC)


class AgencyIn(Strict):
    type: Literal["agency"] = "agency"
    code: Code
    kind: v.AgencyKind
    name: ShortText
    jurisdiction: v.Jurisdiction = v.Jurisdiction.ENGLAND_WALES
    area_code: Annotated[str, StringConstraints(max_length=32)] = ""
    referral_address: Annotated[
        str, StringConstraints(max_length=254, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")
    ] = ""


class SourceIn(Strict):
    agency: Code
    ref: SourceRef

    def digest(self) -> str:
        """Return the content digest that tells a repeated record from a changed one.

        The JSON form is canonical: references are always {agency, ref}, times are UTC,
        and free-form attributes have their keys sorted on the way in (PostgreSQL's jsonb
        does not keep key order, so an exported record must digest the same).
        """
        # The model's serializer gives model_dump_json()'s bytes without decoding them.
        return hashlib.sha256(self.__pydantic_serializer__.to_json(self)).hexdigest()


class NameIn(Strict):
    kind: v.NameKind
    given_name: ShortText = ""
    family_name: ShortText = ""


class PersonIn(SourceIn):
    type: Literal["person"] = "person"
    given_name: ShortText = ""
    family_name: ShortText = ""
    date_of_birth: date | None = None
    dob_precision: v.DobPrecision = v.DobPrecision.EXACT
    sex: v.Sex = v.Sex.UNKNOWN
    self_defined_ethnicity: Annotated[str, StringConstraints(max_length=200)] = ""
    flags: tuple[v.PersonFlag, ...] = ()
    other_names: tuple[NameIn, ...] = ()

    @field_validator("flags")
    @classmethod
    def _unique_flags(cls, flags: tuple[v.PersonFlag, ...]) -> tuple[v.PersonFlag, ...]:
        if len(set(flags)) != len(flags):
            raise ValueError("a flag is listed twice")
        return flags

    @field_validator("other_names")
    @classmethod
    def _unique_names(cls, names: tuple[NameIn, ...]) -> tuple[NameIn, ...]:
        if len(set(names)) != len(names):
            raise ValueError("the same other name is listed twice")
        return names


class PhoneIn(SourceIn):
    type: Literal["phone"] = "phone"
    number: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ]{5,31}$")]
    handset_ids: tuple[Annotated[str, StringConstraints(max_length=64)], ...] = ()
    is_deal_line: bool = False
    line_name: ShortText = ""

    @field_validator("number")
    @classmethod
    def _compact(cls, number: str) -> str:
        return number.replace(" ", "")


class DrugsAttributes(Strict):
    drug_class: Literal["A", "B", "C"]
    substance: ShortText = ""
    quantity: float | None = Field(default=None, ge=0)
    unit: Literal["g", "kg", "wraps", "tablets", "ml"] | None = None


class CashAttributes(Strict):
    amount_pence: int = Field(ge=0)


class VehicleAttributes(Strict):
    registration: Annotated[str, StringConstraints(max_length=16)] = ""
    make: ShortText = ""
    model: ShortText = ""
    colour: ShortText = ""


class WeaponAttributes(Strict):
    weapon_type: Literal["knife", "firearm", "imitation_firearm", "corrosive", "blunt", "other"]


class TicketAttributes(Strict):
    from_station: ShortText
    to_station: ShortText
    travel_date: date | None = None


class OtherAttributes(Strict):
    model_config = ConfigDict(extra="allow", frozen=True)


ITEM_ATTRIBUTES: dict[str, type[Strict]] = {
    v.ItemKind.DRUGS: DrugsAttributes,
    v.ItemKind.CASH: CashAttributes,
    v.ItemKind.VEHICLE: VehicleAttributes,
    v.ItemKind.WEAPON: WeaponAttributes,
    v.ItemKind.TICKET: TicketAttributes,
    v.ItemKind.OTHER: OtherAttributes,
}


class ItemIn(SourceIn):
    type: Literal["item"] = "item"
    kind: v.ItemKind
    description: Text = ""
    attributes: dict = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attributes_fit_kind(cls, attributes: dict, info: ValidationInfo) -> dict:
        kind = info.data.get("kind")
        if kind is None:
            return attributes  # the kind is wrong, and reported on its own
        try:
            ITEM_ATTRIBUTES[kind].model_validate(attributes)
        except ValidationError as exc:
            raise ValueError(
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            ) from None
        return _sorted_keys(attributes)


class LocationIn(SourceIn):
    type: Literal["location"] = "location"
    kind: v.LocationKind
    name: ShortText = ""
    address: Text = ""
    postcode: Annotated[str, StringConstraints(max_length=16)] = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    force_area: Annotated[str, StringConstraints(max_length=64)] = ""
    local_authority: Annotated[str, StringConstraints(max_length=32)] = ""

    @model_validator(mode="after")
    def _both_coordinates(self) -> "LocationIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        return self


class ParticipantIn(Strict):
    person: Ref
    role: v.Role
    # The person's age band at the event when the source gives no date of birth (a
    # data.police.uk search); a date of birth, when the person has one, decides instead.
    age_range: v.AgeRange | None = None

    @model_serializer(mode="wrap")
    def _without_unset_range(self, handler):
        # Left out when not given, so the digest of every part recorded before the field
        # existed is unchanged (recording them again is still "already present").
        data = handler(self)
        if self.age_range is None:
            data.pop("age_range", None)
        return data


class ObjectIn(Strict):
    phone: Ref | None = None
    item: Ref | None = None
    holder: Ref | None = None
    role: v.ObjectRole

    @model_validator(mode="after")
    def _one_target(self) -> "ObjectIn":
        if (self.phone is None) == (self.item is None):
            raise ValueError("give exactly one of phone or item")
        return self


AttributeValue = str | int | float | bool | None


class EventIn(SourceIn):
    type: Literal["event"] = "event"
    kind: v.EventKind
    occurred_at: datetime
    ended_at: datetime | None = None
    location: Ref | None = None
    summary: Text = ""
    grading: Grading = ""
    attributes: dict[Annotated[str, StringConstraints(max_length=64)], AttributeValue] = Field(
        default_factory=dict
    )
    participants: tuple[ParticipantIn, ...] = ()
    objects: tuple[ObjectIn, ...] = ()

    @field_validator("attributes")
    @classmethod
    def _canonical_attributes(cls, attributes: dict) -> dict:
        return _sorted_keys(attributes)

    @model_validator(mode="before")
    @classmethod
    def _refs(cls, data: object) -> object:
        return _expand_refs(
            data,
            ("location",),
            {"participants": ("person",), "objects": ("phone", "item", "holder")},
        )

    @field_validator("occurred_at", "ended_at")
    @classmethod
    def _zone(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> "EventIn":
        if self.ended_at is not None and self.ended_at < self.occurred_at:
            raise ValueError("ended_at is before occurred_at")
        seen = set()
        for p in self.participants:
            key = (p.person, p.role)
            if key in seen:
                raise ValueError("a person is listed twice in the same role")
            seen.add(key)
        return self


class LinkIn(SourceIn):
    type: Literal["link"] = "link"
    kind: v.LinkKind
    from_person: Ref | None = None
    from_phone: Ref | None = None
    to_person: Ref | None = None
    to_phone: Ref | None = None
    to_location: Ref | None = None
    to_item: Ref | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    count: int | None = Field(default=None, ge=0)
    confidence: float = Field(default=1.0, ge=0, le=1)
    event: Ref | None = None
    note: Text = ""

    @model_validator(mode="before")
    @classmethod
    def _refs(cls, data: object) -> object:
        return _expand_refs(
            data,
            (
                "from_person",
                "from_phone",
                "to_person",
                "to_phone",
                "to_location",
                "to_item",
                "event",
            ),
            {},
        )

    @model_validator(mode="after")
    def _endpoints_fit_kind(self) -> "LinkIn":
        want_from, want_to = v.LINK_ENDPOINTS[self.kind]
        given_from = [e for e in ("person", "phone") if getattr(self, f"from_{e}") is not None]
        given_to = [
            e
            for e in ("person", "phone", "location", "item")
            if getattr(self, f"to_{e}") is not None
        ]
        if given_from != [want_from]:
            raise ValueError(f"a {self.kind} link needs from_{want_from} and no other from_ field")
        if given_to != [want_to]:
            raise ValueError(f"a {self.kind} link needs to_{want_to} and no other to_ field")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def endpoints(self) -> tuple[tuple[str, Ref], tuple[str, Ref]]:
        """Return ((type, ref) of the from end, (type, ref) of the to end)."""
        want_from, want_to = v.LINK_ENDPOINTS[self.kind]
        return (
            (want_from, getattr(self, f"from_{want_from}")),
            (want_to, getattr(self, f"to_{want_to}")),
        )


class ChargingReviewIn(SourceIn):
    """A completed charging review made in another system (or the demo's story), imported
    so that the charge it authorises can be recorded (safeguarding/charging.py)."""

    type: Literal["charging_review"] = "charging_review"
    person: Ref
    proposed: Disposal
    offence: Annotated[str, StringConstraints(max_length=300)]
    completed_at: datetime
    reason_to_believe_victim: bool
    duress: bool
    under_18_at_offence: bool
    direct_consequence: bool
    reasonable_person: bool
    public_interest: bool
    schedule_4: Annotated[str, StringConstraints(max_length=64)] = ""
    decision: ReviewDecision
    rationale: Text = Field(min_length=1)
    reviewer_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    supervisor_name: Annotated[str, StringConstraints(max_length=200)] = ""
    signed_off_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _refs(cls, data: object) -> object:
        return _expand_refs(data, ("person",), {})

    @field_validator("completed_at", "signed_off_at")
    @classmethod
    def _zone(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    @model_validator(mode="after")
    def _signed_off_by_someone(self) -> "ChargingReviewIn":
        if bool(self.supervisor_name) != (self.signed_off_at is not None):
            raise ValueError("a sign-off needs both supervisor_name and signed_off_at")
        if self.signed_off_at is not None and self.signed_off_at < self.completed_at:
            raise ValueError("signed_off_at is before completed_at")
        if self.supervisor_name and self.supervisor_name == self.reviewer_name:
            raise ValueError("the reviewer cannot sign off their own decision")
        return self


RecordIn = Annotated[
    AgencyIn | PersonIn | PhoneIn | ItemIn | LocationIn | EventIn | LinkIn | ChargingReviewIn,
    Field(discriminator="type"),
]
RECORD_ADAPTER: TypeAdapter[RecordIn] = TypeAdapter(RecordIn)

RECORD_TYPES = ("agency", "location", "person", "phone", "item", "event", "link")
