"""The synthetic county-lines world: a seeded, streamed sequence of intake records.

The story runs month by month: lines and ordinary families are planned first (people only,
no records), the investigating forces' starting knowledge is written, then each month's
events, then the day of action. Records are yielded as they are made, so a world of a
million events never sits in memory; the ground truth is complete once the stream ends.
"""

import gc
from collections.abc import Iterator

from safeguard import collector
from safeguard.demo import line_events, lines, operation, ordinary
from safeguard.demo.context import Context
from safeguard.demo.scenario import Scale, Scenario, load_scenario
from safeguard.intake.schema import AgencyIn, SourceIn

RecordIn = AgencyIn | SourceIn


class World:
    """One world for a seed and scale: iterate records() once, then read the truth."""

    def __init__(self, seed: int, scale: "str | Scale" = "small"):
        self.ctx = Context(seed, scale)
        self.scale_name = scale if isinstance(scale, str) else "custom"
        self.lines: list[lines.Line] = []
        self.operation: operation.DayOfAction | None = None
        self.finished = False
        problems = unbuildable_rates(self.ctx.story)
        if problems:
            raise ValueError("; ".join(problems))

    def records(self) -> Iterator[RecordIn]:
        """Yield every record of the world, each after the records it refers to.

        Python's cyclic garbage collector finds nothing to free among the world's people,
        places and lines, which live as long as the world, yet it scans them again and again
        as they pile up (a large world has over a million people): nearly a fifth of the
        time of a medium world went on that. So the collector is paused while the people are
        made (nothing else runs meanwhile), and everything alive is frozen (gc.freeze) once
        they are made and after each month. The `finally` unfreezes everything, so a
        finished or abandoned world is collected as usual. (gc.unfreeze also releases
        objects that someone else froze: they are collected as usual too, nothing worse.)
        """
        if self.finished or self.lines:
            raise RuntimeError("a World yields its records once; make a new World to repeat")
        ctx = self.ctx
        yield from ctx.gaz.agencies()
        try:
            with collector.paused():
                self.lines = lines.plan(ctx)
                population = ordinary.populate(ctx)
                gc.freeze()
            for line in self.lines:
                lines.setup(ctx, line)
            yield from ctx.ledger.drain()
            for index in range(ctx.scale.months):
                for line in self.lines:
                    line_events.month(ctx, line, index)
                    yield from ctx.ledger.drain()
                yield from ordinary.month(ctx, population, index)
                gc.freeze()
            self.operation = operation.DayOfAction(ctx)
            self.operation.run(self.lines)
            yield from ctx.ledger.drain()
        finally:
            gc.unfreeze()
        self.finished = True

    @property
    def events(self) -> int:
        """Return how many events have been yielded so far."""
        return self.ctx.ledger.events


def unbuildable_rates(story: Scenario | None = None) -> list[str]:
    """Return a description of each scenario rate that names an event kind no builder writes."""
    story = story or load_scenario()
    problems = []
    tables = [(f"lines.rates.{part}", table) for part, table in story.lines.rates]
    tables += [(f"ordinary.rates.{part}", table) for part, table in story.ordinary.rates]
    for where, table in tables:
        if where == "lines.rates.line":
            known = {"intelligence_report"}
        elif where.startswith("lines."):
            known = set(line_events.BUILDERS)
        else:
            known = set(ordinary.BUILDERS)
        unknown = sorted(set(table) - known)
        if unknown:
            problems.append(f"{where}: no builder for {', '.join(unknown)}")
    return problems


def generate(seed: int, scale: "str | Scale" = "small") -> Iterator[RecordIn]:
    """Yield the records of the world for `seed` and `scale` (tiny, small, medium, large).

    The same seed and scale always yield the same records, byte for byte.
    """
    return World(seed, scale).records()
