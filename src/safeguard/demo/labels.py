"""The ground truth of a generated world, for scoring what the system finds (never read by it).

Every person is named by the records agencies hold of them ({"agency", "ref"}); the truth
says which records are one person, what part each played, which children were exploited,
which addresses were cuckooed and what the day of action did, and each person's true ethnic
group (for measuring disparity; the system never reads it). People nobody recorded are
left out. The file is written piece by piece, so a large world's truth never sits in memory
as one document.
"""

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from safeguard.demo.lines import Line, Member
from safeguard.demo.population import Individual
from safeguard.demo.world import World

VERSION = 1


class _Truth:
    """Describe a finished world in the terms of its records."""

    def __init__(self, world: World):
        if not world.finished:
            raise RuntimeError("the truth is complete only once the world's records are yielded")
        self.world = world
        self.agency_of = world.ctx.ledger.agency_of

    def records(self, who: Individual) -> list[dict[str, str]]:
        return [{"agency": self.agency_of(ref), "ref": ref} for ref in who.records or ()]

    def person(self, who: Individual) -> dict:
        return {"person": f"ID-{who.id:07d}", "records": self.records(who)}

    def line(self, line: Line) -> dict:
        def runner(m: Member) -> dict:
            return {
                **self.person(m.who),
                "child": m.who.child_line_events > 0,
                "local_recruit": m.local,
                "looked_after": "looked_after_child" in m.who.flags,
            }

        return {
            "id": line.id,
            "brand": line.brand,
            "origin": line.hub.city,
            "investigating_force": line.force,
            "targets": line.targets,
            "deal_line_phones": [
                {
                    "number": d.handset.number,
                    "records": [{"agency": a, "ref": r} for a, r in d.handset.records.items()],
                }
                for d in line.deal_phones
            ],
            "controller": self.person(line.controller.who),
            "lieutenants": [self.person(m.who) for m in line.lieutenants],
            "runners": [runner(m) for m in line.runners],
            "cuckooed_addresses": [
                {"agency": t.place.owner, "ref": t.place.ref} for t in line.traps if t.place.ref
            ],
            "users": len(line.users),
        }

    def cuckooed(self) -> list[dict]:
        return [
            {
                "agency": t.place.owner,
                "ref": t.place.ref,
                "line": line.id,
                "recorded_as": str(t.place.kind),
                "resident": self.person(t.resident.who),
            }
            for line in self.world.lines
            for t in line.traps
            if t.place.ref
        ]

    def operation(self) -> dict:
        op = self.world.operation
        if op is None:
            return {}
        return {
            "name": op.op.name,
            "date": op.day.isoformat(),
            "raids": [r.model_dump() for r in op.raids],
            "arrests": dict(sorted(op.arrests.items())),
            "large_cash_seizure_at": op.large_cash_at.model_dump() if op.large_cash_at else None,
            "safeguarded_children": [self.person(w) for w in op.safeguarded],
        }

    def header(self) -> dict:
        ctx = self.world.ctx
        return {
            "version": VERSION,
            "seed": ctx.seed,
            "scale": self.world.scale_name,
            "period": {"start": ctx.start.isoformat(), "day_of_action": ctx.end.isoformat()},
            "lines": [self.line(line) for line in self.world.lines],
            "cuckooed_addresses": self.cuckooed(),
            "operation": self.operation(),
        }

    def people(self) -> Iterator[dict]:
        for who in self.world.ctx.people.everyone:
            if who.records:
                yield {
                    "person": f"ID-{who.id:07d}",
                    "role": who.role,
                    "line": who.line,
                    "exploited_child": who.role == "runner" and who.child_line_events > 0,
                    "date_of_birth": who.dob.isoformat(),
                    "ethnicity": who.ethnicity,
                    "records": self.records(who),
                }

    def same_person(self) -> Iterator[list[dict[str, str]]]:
        for who in self.world.ctx.people.everyone:
            if who.records and len(who.records) > 1:
                yield self.records(who)


def build(world: World) -> dict:
    """Return the whole truth of a finished world as one dict (for small worlds and tests)."""
    truth = _Truth(world)
    return {
        **truth.header(),
        "people": list(truth.people()),
        "same_person": list(truth.same_person()),
    }


def write(world: World, path: Path | str) -> None:
    """Write the truth of a finished world as JSON to `path`, one person at a time."""
    truth = _Truth(world)
    header = json.dumps(truth.header(), ensure_ascii=False, indent=1)
    with Path(path).open("w", encoding="utf-8") as out:
        out.write(header[:-2] + ',\n "people": [\n')
        _write_list(out, truth.people())
        out.write('],\n "same_person": [\n')
        _write_list(out, truth.same_person())
        out.write("]\n}\n")


def _write_list(out: TextIO, items: Iterable) -> None:
    for i, item in enumerate(items):
        out.write(("" if i == 0 else ",\n") + "  " + json.dumps(item, ensure_ascii=False))
    out.write("\n ")
