"""The safeguarding pipeline: what happens after new events are stored.

intake calls process_events() with the ids of newly stored events, inside the transaction
that stored them, so an event and what it set off are stored together or not at all.
Today it re-screens every child who took part (issue #3); opening the duties that events
and screenings create arrives with issue #4.
"""

from collections.abc import Sequence

from safeguard.clock import now
from safeguard.screening import services as screening


def process_events(event_ids: Sequence[int]) -> None:
    """Re-screen every person under 18 at any of these events, as of their latest one.

    A child is screened as of the time of their latest new event (never later than now), so
    that importing past records builds the history a live system would have built.
    """
    children = screening.children_in_events(event_ids)
    if not children:
        return
    latest = now()
    screening.rescreen(
        {person: min(at, latest) for person, (at, _) in children.items()},
        triggers={person: event for person, (_, event) in children.items()},
    )
