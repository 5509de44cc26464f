"""How well the screening finds exploited children, scored against a synthetic world's truth.

The demo world's labels (`safeguard demo --labels`) say which people were exploited while
children and which records are theirs. A person counts as flagged when any screening of any
of their records reached medium or higher: that is when the system would have asked someone
to act. The children scored are those an agency recorded in an event while under 18: a
child no agency ever met cannot be screened by anything.

Fairness: flag rates by self-defined ethnicity group, among exploited children and among
children who are not, with the ratio of the highest rate to the lowest (groups under
MIN_GROUP children are reported, not ratioed). Ethnicity is read from the labels, never
from what the screening saw.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from safeguard.records.ages import ADULT_AGE
from safeguard.records.models import Participation, Person
from safeguard.screening.catalogue import LEVELS
from safeguard.screening.models import Screening

MIN_GROUP = 30
FLAGGED = ("medium", "high")


@dataclass(frozen=True)
class Truth:
    """Per labelled person: their records, whether exploited as a child, their group."""

    records: dict[str, list[tuple[str, str]]]
    exploited: frozenset[str]
    ethnicity: dict[str, str]


@dataclass
class Group:
    children: int = 0
    flagged: int = 0  # medium or higher
    concern: int = 0  # low or higher: any concern raised

    @property
    def rate(self) -> float:
        return self.flagged / self.children if self.children else 0.0

    @property
    def concern_rate(self) -> float:
        return self.concern / self.children if self.children else 0.0


@dataclass
class Report:
    children: int
    exploited: int
    true_positives: int
    false_positives: int
    false_negatives: int
    levels_exploited: Counter = field(default_factory=Counter)
    levels_not_exploited: Counter = field(default_factory=Counter)
    groups_exploited: dict[str, Group] = field(default_factory=dict)
    groups_not_exploited: dict[str, Group] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.exploited if self.exploited else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "disparity_ratio_exploited": disparity(self.groups_exploited),
            "disparity_ratio_not_exploited": disparity(self.groups_not_exploited),
            # The same ratio for "low or higher": far more children, so less noise where
            # medium-or-higher flags among children not exploited are a handful.
            "concern_disparity_ratio_exploited": disparity(self.groups_exploited, "concern_rate"),
            "concern_disparity_ratio_not_exploited": disparity(
                self.groups_not_exploited, "concern_rate"
            ),
            "children": self.children,
            "exploited": self.exploited,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "levels_exploited": {k: self.levels_exploited[k] for k in LEVELS},
            "levels_not_exploited": {k: self.levels_not_exploited[k] for k in LEVELS},
            "groups_exploited": _groups_json(self.groups_exploited),
            "groups_not_exploited": _groups_json(self.groups_not_exploited),
            "min_group": MIN_GROUP,
        }

    def describe(self) -> str:
        """Return the report as a few lines of text."""
        data = self.as_json()
        lines = [
            f"children scored: {self.children} ({self.exploited} exploited)",
            f"medium or higher against exploited: precision {data['precision']:.3f}, "
            f"recall {data['recall']:.3f}, F1 {data['f1']:.3f} "
            f"(TP {self.true_positives}, FP {self.false_positives}, FN {self.false_negatives})",
            "levels, exploited: " + _levels_text(self.levels_exploited),
            "levels, not exploited: " + _levels_text(self.levels_not_exploited),
        ]
        for name, groups in (
            ("exploited", self.groups_exploited),
            ("not exploited", self.groups_not_exploited),
        ):
            lines.append(f"flag rate by self-defined ethnicity, {name}:")
            for group, g in sorted(groups.items()):
                note = "" if g.children >= MIN_GROUP else f" (under {MIN_GROUP}: not ratioed)"
                lines.append(
                    f"  {group}: medium+ {g.flagged}/{g.children} = {g.rate:.4f}, "
                    f"low+ {g.concern}/{g.children} = {g.concern_rate:.3f}{note}"
                )
            lines.append(
                f"  highest/lowest: medium+ {_ratio(disparity(groups))}, "
                f"low+ {_ratio(disparity(groups, 'concern_rate'))}"
            )
        return "\n".join(lines)


def disparity(groups: dict[str, Group], rate: str = "rate") -> float | None:
    """Return the highest rate over the lowest, among groups of MIN_GROUP children or more.

    None when no group is large enough; 1.0 when the rates are all equal (zero included);
    infinity when some group's rate is zero and another's is not.
    """
    rates = [getattr(g, rate) for g in groups.values() if g.children >= MIN_GROUP]
    if not rates:
        return None
    if min(rates) == max(rates):
        return 1.0
    if min(rates) == 0:
        return float("inf")
    return round(max(rates) / min(rates), 4)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _groups_json(groups: dict[str, Group]) -> dict:
    return {
        k: {
            "children": g.children,
            "flagged": g.flagged,
            "rate": round(g.rate, 4),
            "concern": g.concern,
            "concern_rate": round(g.concern_rate, 4),
        }
        for k, g in sorted(groups.items())
    }


def _levels_text(levels: Counter) -> str:
    return ", ".join(f"{k} {levels[k]}" for k in LEVELS)


def read_labels(path: Path) -> Truth:
    """Read the people of a labels file; raise ValueError when it is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("people"), list):
        raise ValueError("not a labels file of `safeguard demo --labels` (no people list)")
    records, exploited, ethnicity = {}, set(), {}
    for i, person in enumerate(data["people"]):
        try:
            pid = person["person"]
            records[pid] = [(r["agency"], r["ref"]) for r in person["records"]]
            if person.get("exploited_child"):
                exploited.add(pid)
            ethnicity[pid] = person.get("ethnicity") or "not recorded"
        except (KeyError, TypeError) as exc:
            raise ValueError(f"people[{i}]: missing {exc}") from exc
    return Truth(records, frozenset(exploited), ethnicity)


def evaluate(truth: Truth) -> Report:
    """Score the stored screenings against the truth, by person (all their records)."""
    ids = dict(
        ((code, ref), pk)
        for pk, code, ref in Person.objects.values_list("id", "agency__code", "source_ref")
    )
    met_as_child = set(
        Participation.objects.filter(age_at_event__lt=ADULT_AGE)
        .values_list("person_id", flat=True)
        .distinct()
    )
    rank = {level: i for i, level in enumerate(LEVELS)}
    highest: dict[int, str] = {}
    for person_id, level in Screening.objects.values_list("person_id", "level").distinct():
        if rank[level] > rank.get(highest.get(person_id, "none"), 0):
            highest[person_id] = level
    report = Report(0, 0, 0, 0, 0)
    groups = {True: defaultdict(Group), False: defaultdict(Group)}
    for pid, recs in truth.records.items():
        pks = [ids[r] for r in recs if r in ids]
        if not any(pk in met_as_child for pk in pks):
            continue
        level = max((highest.get(pk, "none") for pk in pks), key=rank.__getitem__)
        flagged = level in FLAGGED
        exploited = pid in truth.exploited
        report.children += 1
        report.exploited += exploited
        report.true_positives += flagged and exploited
        report.false_positives += flagged and not exploited
        report.false_negatives += exploited and not flagged
        (report.levels_exploited if exploited else report.levels_not_exploited)[level] += 1
        group = groups[exploited][truth.ethnicity[pid]]
        group.children += 1
        group.flagged += flagged
        group.concern += level != "none"
    report.groups_exploited = dict(groups[True])
    report.groups_not_exploited = dict(groups[False])
    return report
