"""The safeguarding pipeline: what happens after new events are stored.

intake calls process_events() with the ids of newly stored events, inside the transaction
that stored them. The steps it will run (screening every child participant, opening the
duties that the events and screenings create, recommending tools) arrive with issues #3
and #4; until then it has nothing to decide and stores nothing.
"""

from collections.abc import Sequence


def process_events(event_ids: Sequence[int]) -> None:
    """Run the safeguarding steps for newly stored events (none exist yet: issues #3, #4)."""
    return None
