"""What a run's lines ask of the police: whom to disrupt, whom to protect, across which forces.

- Disruption targets: adults in controlling roles (lines.yaml `disruption`), highest
  controller score first, with the legal tools that apply and why.
- Safeguarding targets: children in a line, those with a part (runner, user...) first, then
  by their runner score; associates (in the group, no evidence of a part) last.
- The cross-force view: each line's force areas (a line crossing boundaries has more than
  one), and where children whose home is in one force area are found in a line supplying
  another.
"""

from collections import Counter
from dataclasses import dataclass

from safeguard.network.line_rules import ASSOCIATE, Lines
from safeguard.network.models import AnalysisRun, Line, LineMember
from safeguard.records.models import Location


def latest_run() -> AnalysisRun | None:
    """Return the latest finished run (what we know now), or None."""
    return AnalysisRun.objects.filter(finished_at__isnull=False).first()


def disruption_targets(run: AnalysisRun, rules: Lines) -> list[LineMember]:
    """Return the adults in controlling roles, highest controller score first."""
    cfg = rules.disruption
    members = LineMember.objects.filter(
        line__run=run, role__in=cfg.roles, age__gte=cfg.adult_at_least
    ).select_related("line")
    return sorted(members, key=lambda m: (-m.scores.get("controller", 0.0), m.line.key, m.pk))


def safeguarding_targets(run: AnalysisRun) -> list[LineMember]:
    """Return the children in the run's lines: with a part first, then by runner score."""
    members = LineMember.objects.filter(line__run=run, is_child=True).select_related("line")
    return sorted(
        members,
        key=lambda m: (m.role == ASSOCIATE, -m.scores.get("runner", 0.0), m.line.key, m.pk),
    )


@dataclass(frozen=True, slots=True)
class Crossing:
    """Children whose home is in one force area, in a line that works in other areas too."""

    home_force: str
    line: str  # the line's brand or key
    line_id: int
    elsewhere: tuple[str, ...]  # the line's force areas other than the children's home's
    children: int


def lines_across_forces(run: AnalysisRun) -> list[Line]:
    """Return the run's lines whose places and records lie in more than one force area."""
    return [line for line in run.lines.order_by("key") if len(line.force_areas) > 1]


def crossings(run: AnalysisRun) -> list[Crossing]:
    """Return, for each line and home force area, how many of its children live there while
    the line works in other areas, most children first."""
    children = list(LineMember.objects.filter(line__run=run, is_child=True).select_related("line"))
    homes = _home_forces({pid for m in children for pid in m.records})
    counted: Counter = Counter()
    elsewhere: dict[tuple[str, str], tuple[str, ...]] = {}
    for m in children:
        home = next((homes[p] for p in m.records if p in homes), "")
        others = tuple(f for f in m.line.force_areas if f != home)
        if not home or not others:
            continue
        key = (home, m.line.brand or m.line.key, m.line_id)
        counted[key] += 1
        elsewhere[key] = others
    return [
        Crossing(
            home_force=home,
            line=name,
            line_id=pk,
            elsewhere=elsewhere[(home, name, pk)],
            children=n,
        )
        for (home, name, pk), n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _home_forces(person_ids: set[int]) -> dict[int, str]:
    """Return each person record's home force area (its lives_at link's place), if known."""
    rows = Location.objects.filter(
        links_in__kind="lives_at", links_in__from_person_id__in=person_ids
    ).values_list("links_in__from_person_id", "force_area")
    return {pid: force for pid, force in rows if force}
