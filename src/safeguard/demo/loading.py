"""Load a generated world through intake's batch path, the way every other import arrives."""

from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction

from safeguard.demo import labels, offenders
from safeguard.demo import progress as steps
from safeguard.demo.scenario import Scale
from safeguard.demo.world import RecordIn, World
from safeguard.intake.recording import Summary, record_batch
from safeguard.network import running

BATCH_SIZE = 5000


def load_world(
    seed: int,
    scale: "str | Scale" = "small",
    labels_path: Path | str | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Generate the world for `seed` and `scale`, record it with its registered offenders
    (demo.offenders), analyse its network (storing a run and recording the children's parts),
    and take the steps on the duties it opened (demo.progress), in one transaction.

    Args:
        seed: decides the whole world; the same seed loads the same records.
        scale: tiny, small, medium, large, or a Scale.
        labels_path: where to write the ground truth (JSON), if anywhere.
        progress: called with the number of events generated so far, now and then.

    Returns:
        What intake stored, the network findings included; loading the same world again
        creates nothing.
    """
    world = World(seed, scale)
    with transaction.atomic():
        summary = record_batch(_watched(world, progress), source="demo", batch_size=BATCH_SIZE)
        # Merseyside's registered offenders, before the analysis: it is to see those who are
        # members of a line.
        registered = offenders.load(world, seed)
        summary.created.update(registered.created)
        summary.unchanged.update(registered.unchanged)
        # The force's analysts run the network analysis on what is recorded (safeguard
        # network run): the lines for the network pages, each child's part for the screening.
        found = running.analyse()
        running.store(found, ran_by="safeguard demo")
        findings = running.record_findings(found)
        summary.created.update(findings.created)
        summary.unchanged.update(findings.unchanged)
        # What the force and its partners did with the duties by the day of action, those
        # the findings opened included.
        steps.advance(seed, steps.story_end(world.ctx.end))
    if labels_path is not None:
        labels.write(world, labels_path)
    return summary


def _watched(world: World, progress: Callable[[int], None] | None) -> Iterator[RecordIn]:
    seen = 0
    for record in world.records():
        yield record
        if progress is not None and world.events - seen >= 500:
            seen = world.events
            progress(seen)
    if progress is not None:
        progress(world.events)
