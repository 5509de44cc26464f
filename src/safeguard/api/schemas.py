"""What the API answers with, and the bodies it takes beside intake's own record schema."""

from datetime import date, datetime

from ninja import Field, Schema

from safeguard.safeguarding import charging
from safeguard.safeguarding.vocabulary import Decision, Disposal, ReviewDecision, State


class Problem(Schema):
    field: str = Field(description="the field refused, as a dotted path ('' for the request)")
    reason: str


class Error(Schema):
    detail: str
    errors: list[Problem] = []


# -- events ---------------------------------------------------------------------------------


class DutyOut(Schema):
    id: int
    kind: str
    state: str
    due_at: datetime
    version: int


class ChildOutcome(Schema):
    person_id: int
    screening_level: str | None = Field(description="the child's latest screening level")
    duties: list[DutyOut] = Field(description="duties this event opened (or joined) for them")


class RecordedEvent(Schema):
    id: int
    agency: str
    ref: str
    children: list[ChildOutcome]


# -- a child's record -----------------------------------------------------------------------


class OtherName(Schema):
    kind: str
    given_name: str
    family_name: str


class Identity(Schema):
    given_name: str
    family_name: str
    date_of_birth: date | None
    age: int | None
    sex: str
    other_names: list[OtherName]


class Address(Schema):
    name: str
    address: str
    postcode: str
    since: date | None


class TimelineEvent(Schema):
    id: int
    kind: str
    occurred_at: datetime
    roles: list[str]
    summary: str
    agency: str


class ScreeningOut(Schema):
    screened_at: datetime
    level: str
    score: float
    indicators: list[str]


class ReferralOut(Schema):
    id: int
    kind: str
    state: str
    decision: str
    due_at: datetime
    version: int
    person_id: int
    agency: str = Field(description="the agency that owes the duty")
    receiver: str | None = Field(description="the agency it is sent to, if any")
    overdue: bool


class ReviewOut(Schema):
    id: int
    person_id: int
    proposed: str
    offence: str
    decision: str
    completed_at: datetime
    reviewer_name: str
    level_seen: str
    nrm_status: str
    supervisor_name: str
    signed_off_at: datetime | None
    event_id: int | None
    version: int


class ChildOut(Schema):
    id: int
    agency: str
    parts: list[str] = Field(description="the parts of the record this user may see")
    identity: Identity | None = None
    ethnicity: str | None = None
    home: Address | None = None
    events: list[TimelineEvent] | None = None
    screenings: list[ScreeningOut] | None = None
    referrals: list[ReferralOut]
    charging_reviews: list[ReviewOut]


# -- steps and reviews ----------------------------------------------------------------------


class StepIn(Schema):
    to: State
    reason: str = ""
    decision: Decision | None = None
    expected_version: int = Field(description="the duty's version you decided on")


class ReviewIn(Schema):
    person_id: int
    proposed: Disposal
    offence: str = Field(max_length=300)
    # The staged answers as the domain holds them: pydantic validates the dataclass itself.
    answers: charging.Answers
    decision: ReviewDecision
    rationale: str


class SignOffIn(Schema):
    expected_version: int | None = None
