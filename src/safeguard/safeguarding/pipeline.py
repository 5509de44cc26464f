"""The safeguarding pipeline: what happens after new events are stored.

intake calls process_events() with the ids of newly stored events, inside the transaction
that stored them, so an event and what it set off are stored together or not at all.
It re-screens every child who took part, then opens the duties that the events and the
changed screenings call for: referrals, NRM, custody duties (safeguarding/services.py),
and refuses any charge or caution of a child that needs a charging review it does not have
(safeguarding/charging.py): the refusal rolls the whole recording back. It also
recommends the legal tools the events call for (safeguarding/recommending.py).
"""

from collections.abc import Sequence

from safeguard.clock import now
from safeguard.safeguarding import charging, recommending
from safeguard.safeguarding import services as duties
from safeguard.screening import services as screening


def process_events(event_ids: Sequence[int]) -> None:
    """Re-screen every person under 18 at any of these events, as of their latest one, then
    open the duties the events and the new screenings call for (safeguarding/duties.yaml).

    A child is screened as of the time of their latest new event (never later than now), so
    that importing past records builds the history a live system would have built.
    """
    children = screening.children_in_events(event_ids)
    stored = []
    if children:
        latest = now()
        stored = screening.rescreen(
            {person: min(at, latest) for person, (at, _) in children.items()},
            triggers={person: event for person, (_, event) in children.items()},
        )
    duties.process(event_ids, stored)
    recommending.recommend(event_ids)
    # Last: a charge is checked against the duties (an open NRM referral) it may have met.
    charging.enforce(event_ids)
