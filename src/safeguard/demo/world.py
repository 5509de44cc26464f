"""The synthetic county-lines world: a seeded, streamed sequence of intake records.

The story runs month by month: lines and ordinary families are planned first (people only,
no records), the investigating forces' starting knowledge is written, then each month's
events, then the day of action. Records are yielded as they are made, so a world of a
million events never sits in memory; the ground truth is complete once the stream ends.
"""

from collections.abc import Iterator

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
        """Yield every record of the world, each after the records it refers to."""
        if self.finished or self.lines:
            raise RuntimeError("a World yields its records once; make a new World to repeat")
        ctx = self.ctx
        yield from ctx.gaz.agencies()
        self.lines = lines.plan(ctx)
        population = ordinary.populate(ctx)
        for line in self.lines:
            lines.setup(ctx, line)
        yield from ctx.ledger.drain()
        for index in range(ctx.scale.months):
            for line in self.lines:
                line_events.month(ctx, line, index)
                yield from ctx.ledger.drain()
            yield from ordinary.month(ctx, population, index)
        self.operation = operation.DayOfAction(ctx)
        self.operation.run(self.lines)
        yield from ctx.ledger.drain()
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
