"""POST /api/events: record one event through intake, as a form or an import does.

The event must be recorded by the user's own agency and refer only to its records (a person,
place, phone or object of another agency is named by that agency's records, which this
user may not write about): intake.authoring.record_as holds that rule, records and audits,
for this route and the encounter page alike. The answer names, for each child in the event,
their latest screening level and the duties the event opened or joined for them
(accounts.recording.outcome, which the encounter page shows too).
"""

from ninja import Router, Status
from ninja.errors import HttpError

from safeguard.accounts import recording
from safeguard.accounts.reading import actor
from safeguard.api.common import viewer
from safeguard.api.schemas import ChildOutcome, DutyOut, Error, RecordedEvent
from safeguard.intake.authoring import NotOwnRecords, record_as
from safeguard.intake.schema import EventIn
from safeguard.safeguarding.models import Duty

router = Router()


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
    if not who.sees_people:
        raise HttpError(403, "your role does not record events")
    try:
        event = record_as(payload, actor=actor(user), path=request.path)
    except NotOwnRecords as exc:
        raise HttpError(403, str(exc)) from None
    outcomes = [
        ChildOutcome(
            person_id=child.person.pk,
            screening_level=child.latest.level if child.latest is not None else None,
            duties=[_duty(d) for d in child.duties],
        )
        for child in recording.outcome(user, event)
    ]
    return Status(
        201,
        RecordedEvent(id=event.pk, agency=payload.agency, ref=event.source_ref, children=outcomes),
    )


def _duty(duty: Duty) -> DutyOut:
    return DutyOut(
        id=duty.pk, kind=duty.kind, state=duty.state, due_at=duty.due_at, version=duty.version
    )
