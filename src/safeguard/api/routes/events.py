"""POST /api/events: record one event through intake, as a form or an import does.

The event must be recorded by the user's own agency and refer only to its records (a person,
place, phone or object of another agency is named by that agency's records, which this
user may not write about). The answer names, for each child in the event, their latest
screening level and the duties the event opened or joined for them.
"""

from ninja import Router, Status
from ninja.errors import HttpError

from safeguard.accounts import policy
from safeguard.accounts.reading import actor
from safeguard.api.common import viewer
from safeguard.api.schemas import ChildOutcome, DutyOut, Error, RecordedEvent
from safeguard.audit import log
from safeguard.intake.recording import record_event
from safeguard.intake.schema import EventIn
from safeguard.records.ages import ADULT_AGE
from safeguard.records.models import Participation
from safeguard.safeguarding.models import Duty
from safeguard.screening.models import Screening

router = Router()


def _references(event: EventIn):
    if event.location is not None:
        yield event.location
    for p in event.participants:
        yield p.person
    for o in event.objects:
        yield from (r for r in (o.phone, o.item, o.holder) if r is not None)


@router.post(
    "",
    response={201: RecordedEvent, 403: Error, 422: Error},
    summary="Record an event",
)
def record(request, payload: EventIn):
    """Record an event (intake's `event` record); all or nothing, idempotent on its ref.

    A charge or caution of a child with signs of exploitation that no signed-off charging
    review authorises is refused (422) with the reason, as from any other way in.
    """
    who = viewer(request)
    user = request.auth
    own = user.membership.agency.code
    if not who.sees_people:
        raise HttpError(403, "your role does not record events")
    if payload.agency != own:
        raise HttpError(403, f"you record events for {own} only")
    if any(ref.agency != own for ref in _references(payload)):
        raise HttpError(403, f"an event recorded by the API refers only to {own}'s records")
    event = record_event(payload)
    parts = list(
        Participation.objects.filter(event=event)
        .order_by("person_id")
        .values_list("person_id", "age_at_event")
    )
    children = sorted({pk for pk, age in parts if age is not None and age < ADULT_AGE})
    log.record_many(
        [
            {
                "action": "write",
                **actor(user),
                "what": "records.event",
                "object_id": str(event.pk),
                "person_id": pk,
                "detail": {"path": request.path, "ref": event.source_ref},
            }
            for pk in sorted({pk for pk, _ in parts})
        ]
        or [
            {
                "action": "write",
                **actor(user),
                "what": "records.event",
                "object_id": str(event.pk),
                "detail": {"path": request.path, "ref": event.source_ref},
            }
        ]
    )
    visible = policy.duties(user)
    outcomes = []
    for pk in children:
        latest = Screening.objects.filter(person_id=pk).order_by("-screened_at", "-id").first()
        opened = (
            visible.filter(person_id=pk, triggers__event=event)
            | visible.filter(person_id=pk, triggers__screening__trigger_event=event)
        ).distinct()
        outcomes.append(
            ChildOutcome(
                person_id=pk,
                screening_level=latest.level if latest is not None else None,
                duties=[_duty(d) for d in opened.order_by("id")],
            )
        )
    return Status(
        201, RecordedEvent(id=event.pk, agency=own, ref=event.source_ref, children=outcomes)
    )


def _duty(duty: Duty) -> DutyOut:
    return DutyOut(
        id=duty.pk, kind=duty.kind, state=duty.state, due_at=duty.due_at, version=duty.version
    )
