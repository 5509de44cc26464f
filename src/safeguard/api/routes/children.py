"""GET /api/children/{id}?purpose=: what this user may see of a child's record, part by part.

Through accounts.reading.read_child, which applies the access policy and writes the read
(with its purpose) to the audit log: a child outside the user's access is 404 and the
attempt is logged as denied; a read without a purpose is 400. A part the user may not see
is absent (null), never an empty list that would look like "nothing recorded".
"""

from ninja import Query, Router, Status

from safeguard.accounts.reading import ChildRecord, read_child
from safeguard.api.routes.referrals import referral_out
from safeguard.api.schemas import (
    Address,
    ChildOut,
    Error,
    Identity,
    OtherName,
    ReviewOut,
    ScreeningOut,
    TimelineEvent,
)
from safeguard.records import vocabulary as rv
from safeguard.records.models import Link
from safeguard.safeguarding.models import ChargingReview

router = Router()


@router.get(
    "/{int:person_id}",
    response={200: ChildOut, 400: Error, 404: Error},
    summary="Read a child's record",
)
def child(
    request,
    person_id: int,
    purpose: str = Query("", description="why you are reading the record (required; audited)"),  # noqa: B008
):
    """The parts of a child's record you may see; `purpose` (why you are reading) is
    required and audited with the read."""
    record = read_child(request.auth, person_id, purpose=purpose, path=request.path)
    return Status(200, _out(record))


def _out(record: ChildRecord) -> ChildOut:
    person = record.person
    shows = record.shows
    return ChildOut(
        id=person.pk,
        agency=person.agency.code,
        parts=sorted(record.parts),
        identity=_identity(record) if shows("identity") else None,
        ethnicity=person.self_defined_ethnicity if shows("ethnicity") else None,
        home=_home(person) if shows("home_address") else None,
        events=[
            TimelineEvent(
                id=t.event.pk,
                kind=t.event.kind,
                occurred_at=t.event.occurred_at,
                roles=list(t.roles),
                summary=t.event.summary,
                agency=t.event.agency.code,
            )
            for t in record.timeline
        ]
        if shows("events")
        else None,
        screenings=[
            ScreeningOut(
                screened_at=s.screened_at,
                level=s.level,
                score=s.score,
                indicators=[i.get("title", i.get("id", "")) for i in s.indicators],
            )
            for s in record.screenings
        ]
        if shows("screening")
        else None,
        referrals=[referral_out(d) for d in record.duties],
        charging_reviews=[review_out(r) for r in record.reviews],
    )


def _identity(record: ChildRecord) -> Identity:
    person = record.person
    return Identity(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        age=record.age,
        sex=person.sex,
        other_names=[
            OtherName(kind=n.kind, given_name=n.given_name, family_name=n.family_name)
            for n in person.other_names.all()
        ],
    )


def _home(person) -> Address | None:
    link = (
        Link.objects.filter(from_person=person, kind=rv.LinkKind.LIVES_AT)
        .select_related("to_location")
        .order_by("-valid_from", "-id")
        .first()
    )
    if link is None or link.to_location is None:
        return None
    place = link.to_location
    return Address(
        name=place.name, address=place.address, postcode=place.postcode, since=link.valid_from
    )


def review_out(review: ChargingReview) -> ReviewOut:
    return ReviewOut(
        id=review.pk,
        person_id=review.person_id,
        proposed=review.proposed,
        offence=review.offence,
        decision=review.decision,
        completed_at=review.completed_at,
        reviewer_name=review.reviewer_name,
        level_seen=review.level_seen,
        nrm_status=review.nrm_status,
        supervisor_name=review.supervisor_name,
        signed_off_at=review.signed_off_at,
        event_id=review.event_id,
        version=review.version,
    )
